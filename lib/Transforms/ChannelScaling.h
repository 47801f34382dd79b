//===- ChannelScaling.h - Fold per-channel factors into producers -*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Dividing channel j of the last dimension of a tensor by a constant s_j
// costs nothing at run time when the ops computing it can absorb the
// factor into their constants: a LayerNorm's final `* gamma + beta`, a
// linear layer's weight columns and bias, through ReLU (which commutes with
// positive factors) and reshapes that keep the last dimension. qc-smooth
// uses this to fold SmoothQuant's 1/s into the producer of a layer's input.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_TRANSFORMS_CHANNELSCALING_H
#define QCOMP_LIB_TRANSFORMS_CHANNELSCALING_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::qcomp {

/// True for a tensor.expand_shape / tensor.collapse_shape whose last
/// dimension is the last dimension of its source, unchanged (channel j of
/// the one is channel j of the other).
bool isChannelView(Operation *op);

/// The rewrites that divide the last dimension of a value by per-channel
/// factors, found by ChannelScalingPlan::build and done by apply.
class ChannelScalingPlan {
public:
  /// Plans dividing the last dimension of `value` by factors given later.
  /// Fails when some op computing it cannot absorb them. The caller
  /// guarantees that every use of `value` expects the divided tensor; the
  /// values computing it must each have one use.
  static FailureOr<ChannelScalingPlan> build(Value value);

  /// Rewrites the constants (new constants; the old ones are left for
  /// clean-up when shared) and divides the statistics of every value on the
  /// way, including `value`. `divisors` are positive, one per channel.
  void apply(llvm::ArrayRef<float> divisors) const;

  /// The op that absorbs the factor first (nearest to the value).
  Operation *getProducer() const { return producer; }

private:
  enum class ConstantKind { Vector, Columns };
  struct ConstantOperand {
    Operation *op;
    unsigned operandNumber;
    ConstantKind kind;
  };

  bool planValue(Value value, bool requireOneUse);
  bool planScalar(Operation *generic, Value scalar);
  bool isChannelVectorInput(Operation *generic, Value scalar) const;

  llvm::SmallVector<ConstantOperand> constants;
  llvm::SmallVector<Value> values;
  Operation *producer = nullptr;
};

/// Erases `op` and, recursively, the ops defining its operands once they
/// have no uses, when they are free of side effects (a weight constant and
/// the transposes and reshapes between it and its use).
void eraseDeadConstantChain(Operation *op);

} // namespace mlir::qcomp

#endif // QCOMP_LIB_TRANSFORMS_CHANNELSCALING_H
