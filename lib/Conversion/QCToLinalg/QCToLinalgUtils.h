//===- QCToLinalgUtils.h - Helpers shared by the qc lowerings ---*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Private to lib/Conversion/QCToLinalg: the IR-building helpers that the
// matmul lowering (QCToLinalg.cpp) and the convolution lowering
// (ConvToLinalg.cpp) share, chiefly the epilogue that turns an integer
// accumulator into the op's result (raw, dequantized, requantized in float
// or fixed-point mode) with per-output-channel parameters.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_CONVERSION_QCTOLINALG_QCTOLINALGUTILS_H
#define QCOMP_LIB_CONVERSION_QCTOLINALG_QCTOLINALGUTILS_H

#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Quant/QuantMath.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qcomp::qctolinalg {

/// A per-element parameter of an elementwise computation: either one scalar
/// for the whole tensor or a constant tensor read through `map`.
struct Param {
  TypedAttr scalar;
  Value tensor;
  AffineMap map;
};

/// A parameter that varies along dimension `channelDim` of a rank-`rank`
/// iteration space (the N of a matmul, the F of a convolution): a constant
/// 1-D tensor read through (d0, ..., dn) -> (d<channelDim>), or a scalar when
/// all values agree.
Param makeChannelParam(OpBuilder &b, Location loc, ArrayRef<Attribute> values,
                       Type eltType, unsigned rank, unsigned channelDim);

/// Builds an elementwise linalg.generic over `output`'s shape reading
/// `input` (identity map) and the tensor parameters; `body` receives the
/// input scalar and one value per parameter (a block argument or a scalar
/// constant) and returns the result scalar.
Value buildElementwise(
    OpBuilder &b, Location loc, Value input, ArrayRef<Param> params,
    Value output,
    function_ref<Value(OpBuilder &, Location, Value, ArrayRef<Value>)> body);

/// Extends a storage integer to `type` (sign or zero extension).
Value extendStorage(OpBuilder &b, Location loc, Value value, IntegerType type,
                    bool isSigned);

/// How the accumulator of an integer contraction leaves the op, as its
/// result type says: the accumulator itself (Raw), dequantized to f32
/// (Float), or requantized in float (Requant) or fixed-point (FixedPoint)
/// mode, with parameters per output channel.
struct ContractionEpilogue {
  enum class Kind { Raw, Float, Requant, FixedPoint };
  Kind kind = Kind::Raw;
  /// Element type of the lowered result: the accumulator type, f32, or the
  /// signless storage integer of the quantized result.
  Type outElt;
  /// Per-channel parameters, in this order:
  ///   Float:      scale s_l * s_r[j] (f32)
  ///   Requant:    multiplier (f32), output zero point (f32)
  ///   FixedPoint: multiplier, right shift, output zero point (i64)
  SmallVector<Param> params;
  qcomp::StorageRange outRange;
  IntegerType outStorage;
  bool outSigned = true;

  /// Emits the epilogue of accumulator value `acc` given one value per entry
  /// of `params` (block arguments or constants):
  ///   Float:      %r = arith.mulf (arith.sitofp %acc), %scale
  ///   Requant:    round half to even, add zero point, saturate, convert
  ///   FixedPoint: ((ext(%acc) * %m + 2^(n-1)) >> n) + %z, saturate, trunc
  Value emit(OpBuilder &b, Location loc, Value acc,
             ArrayRef<Value> paramValues) const;
};

/// Builds the epilogue of a contraction of a per-tensor lhs of scale
/// `lhsScale` with an rhs of parameters `rhsLayout` (per tensor or per output
/// channel) into `resultType`, whose output channels lie along `channelDim`.
/// Parameter tensors are created at the rewriter's insertion point and are
/// read through the identity iteration space of `resultType`. Fails (with a
/// diagnostic on `op` when a fixed-point multiplier is out of range) when the
/// result type is not supported.
FailureOr<ContractionEpilogue>
buildContractionEpilogue(RewriterBase &rewriter, Location loc, Operation *op,
                         RankedTensorType resultType, double lhsScale,
                         const qc::QuantParamLayout &rhsLayout, bool fixedPoint,
                         unsigned channelDim);

/// Adds the pattern lowering qc.conv2d (ConvToLinalg.cpp).
void populateConvToLinalgPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);

} // namespace mlir::qcomp::qctolinalg

#endif // QCOMP_LIB_CONVERSION_QCTOLINALG_QCTOLINALGUTILS_H
