//===- WeightQuant.h - Compile-time weight quantization ---------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Quantization of constant weight tensors at compile time: choosing one scale
// and zero point per tensor, per output channel or per group of a reduction
// axis, quantizing every element with the scalar arithmetic of QuantMath.h,
// packing sub-byte (int4/int2) values into bytes, and quantizing a bias to
// int32 at the product of the input and weight scales.
//
// The element arithmetic is exactly quantizeValue's (the f32 semantics of
// qc.quantize), so a weight quantized here equals what folding qc.quantize of
// the constant gives. Nothing here touches IR.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_QUANT_WEIGHTQUANT_H
#define QCOMP_QUANT_WEIGHTQUANT_H

#include "qcomp/Quant/QuantMath.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace mlir::qcomp {

/// Which elements of a weight share a scale and zero point.
enum class WeightGranularity {
  /// One scale and zero point for the whole tensor.
  PerTensor,
  /// One per index of the output-channel axis.
  PerChannel,
  /// One per output channel and per group of `groupSize` consecutive indices
  /// of the reduction axis (the sub-channel quantization of int4 LLM weights).
  PerGroup
};

/// How to quantize a weight tensor.
struct WeightQuantSpec {
  /// The storage width, 2..8.
  unsigned bits = 8;
  /// symmetric: signed storage, narrow range [-(2^(b-1)-1), 2^(b-1)-1], zero
  ///   point 0, scale = max|w| / (2^(b-1)-1) over the group of elements
  ///   sharing it;
  /// asymmetric: signed storage, full range [-2^(b-1), 2^(b-1)-1], scale and
  ///   zero point from chooseQuantParams(min, max, range,
  ///   /*symmetric=*/false) (the range is widened to contain 0).
  bool symmetric = true;
  WeightGranularity granularity = WeightGranularity::PerChannel;
  /// The output-channel axis (per channel and per group), in [0, rank).
  int64_t channelAxis = -1;
  /// The axis split into groups (per group only), in [0, rank) and different
  /// from channelAxis.
  int64_t reductionAxis = -1;
  /// Per group: > 0 and must divide shape[reductionAxis].
  int64_t groupSize = 0;
  /// Clip each group's range to the one that minimizes the squared error of
  /// the dequantized weights: the range [min, max] (or max|w|) is scaled by
  /// r = 1.00, 0.98, ..., 0.50 and the r with the least error is kept (the
  /// first on ties, so no clipping unless it helps). Low-bit weights gain
  /// several dB from giving up a few outliers.
  bool mseClipping = false;
};

/// A quantized weight tensor and its quantization parameters.
struct QuantizedWeights {
  /// Row-major, same shape as the input.
  std::vector<int8_t> values;
  /// Shape of the parameter tensor, same rank as the weight (the block layout
  /// of MLIR's sub-channel !quant.uniform): per tensor all 1; per channel
  /// shape[channelAxis] on channelAxis, 1 elsewhere; per group additionally
  /// shape[reductionAxis]/groupSize on reductionAxis.
  llvm::SmallVector<int64_t> paramShape;
  /// Row-major over paramShape.
  std::vector<double> scales;
  /// Row-major over paramShape.
  std::vector<int64_t> zeroPoints;
  /// The storage range used.
  StorageRange range;
};

/// The storage range quantizeWeights uses for `spec`: signed `spec.bits`-bit,
/// narrow when symmetric. `spec.bits` must be in [2, 8].
StorageRange getWeightStorageRange(const WeightQuantSpec &spec);

/// Quantizes a float weight tensor of shape `shape` (row-major `values`).
/// Each element is quantized with exactly the arithmetic of
/// quantizeValue(x, (float)scale, zeroPoint, range) (the f32 semantics of
/// qc.quantize), so the result equals what folding qc.quantize of the
/// constant would give. A group whose values are all zero gets scale 1 (as
/// chooseQuantParams does); scales are at least kMinScale.
///
/// Errors (lowercase messages): bits outside 2..8, negative dimensions, axes
/// out of range, groupSize not dividing the axis or <= 0 for per-group,
/// per-group with channelAxis == reductionAxis, values.size() !=
/// product(shape), and any NaN/Inf weight (the message names the flat index
/// and the value).
llvm::Expected<QuantizedWeights> quantizeWeights(llvm::ArrayRef<float> values,
                                                 llvm::ArrayRef<int64_t> shape,
                                                 const WeightQuantSpec &spec);

/// The shape of `shape` packed by packSubByte: the last dimension n replaced
/// by ceil(n * bits / 8). A rank-0 shape stays rank 0 (its one element takes
/// one byte). `bits` must be 2 or 4.
llvm::SmallVector<int64_t> getPackedShape(llvm::ArrayRef<int64_t> shape,
                                          unsigned bits);

/// Packs `bits`-wide values (bits 2 or 4; each value must fit the signed or
/// unsigned `bits`-bit range, i.e. -2^(b-1)..2^(b-1)-1 or 0..2^b-1) along the
/// LAST dimension of `shape`: 8/bits consecutive elements per byte, element j
/// of a byte in bits [j*bits, (j+1)*bits) (first element in the lowest bits,
/// as ONNX int4), two's complement truncated to `bits`. Each row of the last
/// dimension is padded with zero bits to a whole byte, so the packed shape is
/// shape with the last dimension replaced by ceil(n * bits / 8) (see
/// getPackedShape). `values.size()` must be product(shape).
std::vector<uint8_t> packSubByte(llvm::ArrayRef<int8_t> values,
                                 llvm::ArrayRef<int64_t> shape, unsigned bits);

/// The inverse of packSubByte: `shape` is the unpacked shape and
/// `packed.size()` must be product(getPackedShape(shape, bits)). Sign-extends
/// each field when isSigned, zero-extends otherwise; padding bits are
/// ignored.
std::vector<int8_t> unpackSubByte(llvm::ArrayRef<uint8_t> packed,
                                  llvm::ArrayRef<int64_t> shape, unsigned bits,
                                  bool isSigned);

/// Quantizes a bias to int32 at scale inputScale * weightScales[n]
/// (weightScales has one entry, broadcast, or bias.size() entries), zero
/// point 0: round_half_to_even(double(b) / (inputScale * weightScale)),
/// computed in double (independently of the floating-point rounding mode).
/// Errors when a value is NaN/Inf or does not fit int32 (the message names
/// the index), when a product scale is not positive and finite, or when
/// weightScales has neither 1 nor bias.size() entries.
llvm::Expected<std::vector<int32_t>>
quantizeBias(llvm::ArrayRef<float> bias, double inputScale,
             llvm::ArrayRef<double> weightScales);

} // namespace mlir::qcomp

#endif // QCOMP_QUANT_WEIGHTQUANT_H
