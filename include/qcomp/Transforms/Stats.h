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

#include "qcomp/Calibration/CalibrationTable.h"
#include "qcomp/Dialect/QC/IR/QCAttrs.h"

#include "mlir/IR/BuiltinOps.h"

#include "mlir/IR/Value.h"

namespace mlir::qcomp {

inline constexpr llvm::StringLiteral kStatsAttrName = "qc.stats";

/// The statistics attached to `value`, or null.
qc::StatsAttr getValueStats(Value value);

/// Attaches `stats` to `value` (replacing earlier ones). Fails for block
/// arguments of anything but a function entry block.
LogicalResult setValueStats(Value value, qc::StatsAttr stats);

/// The #qc.stats equivalent of a calibration table record, and back.
qc::StatsAttr getStatsAttr(MLIRContext *context,
                           const TensorStatsRecord &record);
TensorStatsRecord getStatsRecord(qc::StatsAttr stats);

/// The statistics of x / s for a positive factor s_j per channel along
/// `axis` (`divisors.size()` channels): channel maxima divide by s, and min
/// and max are the tightest bounds derivable from them and the old range.
/// The histogram is dropped (it cannot be rescaled per channel). Without
/// channel maxima along `axis`, min and max are bounded by the extreme
/// factors.
qc::StatsAttr divideChannelStats(qc::StatsAttr stats, int64_t axis,
                                 llvm::ArrayRef<double> divisors);

/// The statistics of the channels `keep` (indices along the stats' channel
/// axis, which must have channel maxima) taken out of a tensor, e.g. by a
/// gather: their maxima, with min and max bounded by them. No histogram.
qc::StatsAttr selectChannelStats(qc::StatsAttr stats,
                                 llvm::ArrayRef<int64_t> keep);

/// The statistics of a tensor whose values are known to lie in [lo, hi]
/// (lo <= 0 <= hi): min, max and channel maxima clamped. No histogram.
qc::StatsAttr clampStats(qc::StatsAttr stats, double lo, double hi);

/// What qc-attach-stats does: for each qc.observe in `module`, attaches the
/// statistics `table` records under its id to the observed value and removes
/// the observer. An id missing from the table is an error (naming `source`,
/// the table's file) unless `allowMissing`. Errors are emitted on the
/// observers; all of them are reported before failing.
LogicalResult attachStats(ModuleOp module, const CalibrationTable &table,
                          bool allowMissing, llvm::StringRef source);

} // namespace mlir::qcomp

#endif // QCOMP_TRANSFORMS_STATS_H
