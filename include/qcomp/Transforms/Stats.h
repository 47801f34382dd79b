//===- Stats.h - Calibration statistics attached to values ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Where the `#qc.stats` of a value live, shared by qc-attach-stats (which
// writes them) and the quantization passes (which read them): on a function
// argument, its `qc.stats` argument attribute; on an op result, entry
// <result number> of the defining op's `qc.stats` array attribute (`unit`
// for results without statistics).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TRANSFORMS_STATS_H
#define QCOMP_TRANSFORMS_STATS_H

#include "qcomp/Dialect/QC/IR/QCAttrs.h"

#include "mlir/IR/Value.h"

namespace mlir::qcomp {

inline constexpr llvm::StringLiteral kStatsAttrName = "qc.stats";

/// The statistics attached to `value`, or null.
qc::StatsAttr getValueStats(Value value);

/// Attaches `stats` to `value` (replacing earlier ones). Fails for block
/// arguments of anything but a function entry block.
LogicalResult setValueStats(Value value, qc::StatsAttr stats);

} // namespace mlir::qcomp

#endif // QCOMP_TRANSFORMS_STATS_H
