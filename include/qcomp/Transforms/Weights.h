//===- Weights.h - Telling weights from activations -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One rule for what a weight is, shared by calibration (which observes only
// activations), the accuracy tools (which describe and search layers by
// their weights) and the driver's summaries.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TRANSFORMS_WEIGHTS_H
#define QCOMP_TRANSFORMS_WEIGHTS_H

#include "mlir/IR/Value.h"

namespace mlir::qcomp {

/// True when `value` is computed at compile time from constants alone, by
/// side-effect-free ops: a weight (an initializer, possibly transposed,
/// reshaped, quantized or unpacked), not an activation. Chains longer than a
/// few dozen ops are taken for activations.
bool isWeight(Value value);

} // namespace mlir::qcomp

#endif // QCOMP_TRANSFORMS_WEIGHTS_H
