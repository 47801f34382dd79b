//===- WeightConstants.h - Compile-time weights for qc-quantize -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Weights are computed from constants alone (an initializer, possibly
// transposed or reshaped by the importer). qc-quantize evaluates them at
// compile time, quantizes them with lib/Quant/WeightQuant, and materializes
// the integers as a constant: `quant.scast` of an i8 constant for 8 bits,
// `qc.unpack` of a packed i8 constant for 4 and 2 bits.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_TRANSFORMS_WEIGHTCONSTANTS_H
#define QCOMP_LIB_TRANSFORMS_WEIGHTCONSTANTS_H

#include "qcomp/Quant/WeightQuant.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <vector>

namespace mlir::qcomp {

/// A float tensor known at compile time, row-major.
struct FloatConstant {
  llvm::SmallVector<int64_t> shape;
  std::vector<float> values;
};

/// Evaluates `value` when it is an f32 constant (dense, splat or
/// dense_resource) seen through tensor.expand_shape, tensor.collapse_shape
/// and linalg.transpose; failure otherwise.
FailureOr<FloatConstant> evaluateFloatConstant(Value value);

/// The quantized element type that `weights` (quantized with `spec`, shape
/// `shape`) are stored in: per tensor, per axis along spec.channelAxis, or
/// sub-channel (blocks of spec.groupSize along spec.reductionAxis).
quant::QuantizedType getWeightType(MLIRContext *context,
                                   const QuantizedWeights &weights,
                                   llvm::ArrayRef<int64_t> shape,
                                   const WeightQuantSpec &spec);

/// Materializes quantized weights as a tensor of `type`: a `quant.scast` of
/// an i8 constant, or `qc.unpack` of the packed constant for 2 and 4 bits.
Value buildWeightConstant(OpBuilder &b, Location loc,
                          const QuantizedWeights &weights,
                          llvm::ArrayRef<int64_t> shape,
                          quant::QuantizedType type, unsigned bits);

} // namespace mlir::qcomp

#endif // QCOMP_LIB_TRANSFORMS_WEIGHTCONSTANTS_H
