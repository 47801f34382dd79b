//===- WeightQuant.cpp - Compile-time weight quantization -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Implements WeightQuant.h: per-tensor, per-channel and per-group weight
// quantization on top of chooseQuantParams and quantizeValue, sub-byte
// packing along the last dimension, and int32 bias quantization.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Quant/WeightQuant.h"
#include "qcomp/Support/Format.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

using namespace mlir::qcomp;

/// The number of elements of `shape`; the shape must have been validated.
static int64_t getNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

/// Checks that `axis` names a dimension of a rank-`rank` weight.
static llvm::Error checkAxis(int64_t axis, const char *name, size_t rank) {
  if (axis >= 0 && static_cast<uint64_t>(axis) < rank)
    return llvm::Error::success();
  if (rank == 0)
    return llvm::createStringError(std::string(name) + " " +
                                   std::to_string(axis) +
                                   " is out of range for a scalar weight");
  return llvm::createStringError(
      std::string(name) + " " + std::to_string(axis) +
      " is out of range for a rank-" + std::to_string(rank) +
      " weight (expected 0.." + std::to_string(rank - 1) + ")");
}

/// Validates `shape` against `values` and `spec`.
static llvm::Error checkWeights(llvm::ArrayRef<float> values,
                                llvm::ArrayRef<int64_t> shape,
                                const WeightQuantSpec &spec) {
  if (spec.bits < 2 || spec.bits > 8)
    return llvm::createStringError("weight bit width must be in [2, 8], got " +
                                   std::to_string(spec.bits));

  int64_t numElements = 1;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (dim < 0)
      return llvm::createStringError("weight dimension " + std::to_string(i) +
                                     " must be static and non-negative, got " +
                                     std::to_string(dim));
    if (llvm::MulOverflow(numElements, dim, numElements))
      return llvm::createStringError("weight shape " + formatShape(shape) +
                                     " has too many elements");
  }
  if (static_cast<uint64_t>(numElements) != values.size())
    return llvm::createStringError(
        "weight shape " + formatShape(shape) + " has " +
        std::to_string(numElements) + " elements but " +
        std::to_string(values.size()) + " values were given");

  size_t rank = shape.size();
  if (spec.granularity == WeightGranularity::PerChannel ||
      spec.granularity == WeightGranularity::PerGroup)
    if (llvm::Error error = checkAxis(spec.channelAxis, "channel axis", rank))
      return error;
  if (spec.granularity == WeightGranularity::PerGroup) {
    if (llvm::Error error =
            checkAxis(spec.reductionAxis, "reduction axis", rank))
      return error;
    if (spec.reductionAxis == spec.channelAxis)
      return llvm::createStringError(
          "per-group quantization needs distinct channel and reduction axes, "
          "got " +
          std::to_string(spec.channelAxis) + " for both");
    int64_t axisSize = shape[spec.reductionAxis];
    if (spec.groupSize <= 0)
      return llvm::createStringError("group size must be positive, got " +
                                     std::to_string(spec.groupSize));
    if (axisSize % spec.groupSize != 0)
      return llvm::createStringError(
          "group size " + std::to_string(spec.groupSize) +
          " does not divide the size " + std::to_string(axisSize) +
          " of reduction axis " + std::to_string(spec.reductionAxis));
  }

  for (auto [i, value] : llvm::enumerate(values))
    if (!std::isfinite(value))
      return llvm::createStringError(
          "weight at flat index " + std::to_string(i) +
          " must be finite, got " + formatDouble(value));
  return llvm::Error::success();
}

StorageRange mlir::qcomp::getWeightStorageRange(const WeightQuantSpec &spec) {
  assert(spec.bits >= 2 && spec.bits <= 8 && "weight width must be in [2, 8]");
  return getStorageRange(spec.bits, /*isSigned=*/true,
                         /*narrowRange=*/spec.symmetric);
}

llvm::Expected<QuantizedWeights>
mlir::qcomp::quantizeWeights(llvm::ArrayRef<float> values,
                             llvm::ArrayRef<int64_t> shape,
                             const WeightQuantSpec &spec) {
  if (llvm::Error error = checkWeights(values, shape, spec))
    return std::move(error);

  QuantizedWeights result;
  result.range = getWeightStorageRange(spec);

  // The parameter tensor and the (at most two) weight axes that index it.
  size_t rank = shape.size();
  bool hasChannel = spec.granularity != WeightGranularity::PerTensor;
  bool hasGroup = spec.granularity == WeightGranularity::PerGroup;
  result.paramShape.assign(rank, 1);
  if (hasChannel)
    result.paramShape[spec.channelAxis] = shape[spec.channelAxis];
  if (hasGroup)
    result.paramShape[spec.reductionAxis] =
        shape[spec.reductionAxis] / spec.groupSize;

  // Row-major strides of the weight and of the parameter tensor.
  llvm::SmallVector<int64_t> strides(rank, 1), paramStrides(rank, 1);
  for (size_t d = rank; d-- > 1;) {
    strides[d - 1] = strides[d] * shape[d];
    paramStrides[d - 1] = paramStrides[d] * result.paramShape[d];
  }

  // The flat parameter index of the weight element at flat index `i`.
  auto getParamIndex = [&](int64_t i) -> int64_t {
    int64_t index = 0;
    if (hasChannel) {
      int64_t c = spec.channelAxis;
      index += (i / strides[c]) % shape[c] * paramStrides[c];
    }
    if (hasGroup) {
      int64_t r = spec.reductionAxis;
      index += (i / strides[r]) % shape[r] / spec.groupSize * paramStrides[r];
    }
    return index;
  };

  // The real range of every group. Starting from [0, 0] is the widening to
  // contain 0 that chooseQuantParams does anyway, and gives empty groups
  // scale 1.
  int64_t numParams = getNumElements(result.paramShape);
  std::vector<double> mins(numParams, 0.0), maxs(numParams, 0.0);
  int64_t numElements = static_cast<int64_t>(values.size());
  for (int64_t i = 0; i < numElements; ++i) {
    int64_t p = getParamIndex(i);
    double value = values[i];
    mins[p] = std::min(mins[p], value);
    maxs[p] = std::max(maxs[p], value);
  }

  if (spec.mseClipping) {
    std::vector<double> bestError(numParams,
                                  std::numeric_limits<double>::infinity());
    std::vector<double> bestRatio(numParams, 1.0);
    std::vector<double> error(numParams);
    std::vector<float> scales(numParams);
    std::vector<int64_t> zeroPoints(numParams);
    for (int step = 0; step <= 25; ++step) {
      double ratio = 1.0 - 0.02 * step;
      for (int64_t p = 0; p < numParams; ++p) {
        llvm::Expected<QuantParams> params = chooseQuantParams(
            ratio * mins[p], ratio * maxs[p], result.range, spec.symmetric);
        if (!params)
          return params.takeError();
        scales[p] = static_cast<float>(params->scale);
        zeroPoints[p] = params->zeroPoint;
        error[p] = 0.0;
      }
      for (int64_t i = 0; i < numElements; ++i) {
        int64_t p = getParamIndex(i);
        int64_t q =
            quantizeValue(values[i], scales[p], zeroPoints[p], result.range);
        double diff = double(dequantizeValue(q, scales[p], zeroPoints[p])) -
                      double(values[i]);
        error[p] += diff * diff;
      }
      for (int64_t p = 0; p < numParams; ++p)
        if (error[p] < bestError[p]) {
          bestError[p] = error[p];
          bestRatio[p] = ratio;
        }
    }
    for (int64_t p = 0; p < numParams; ++p) {
      mins[p] *= bestRatio[p];
      maxs[p] *= bestRatio[p];
    }
  }

  // Symmetric over the narrow signed range gives zero point 0 and scale
  // max|w| / (2^(b-1) - 1), as the spec requires.
  result.scales.resize(numParams);
  result.zeroPoints.resize(numParams);
  for (int64_t p = 0; p < numParams; ++p) {
    llvm::Expected<QuantParams> params =
        chooseQuantParams(mins[p], maxs[p], result.range, spec.symmetric);
    if (!params)
      return params.takeError();
    result.scales[p] = params->scale;
    result.zeroPoints[p] = params->zeroPoint;
  }

  // Quantize with the f32 scale, exactly as qc.quantize does.
  std::vector<float> f32Scales(result.scales.begin(), result.scales.end());
  result.values.resize(numElements);
  for (int64_t i = 0; i < numElements; ++i) {
    int64_t p = getParamIndex(i);
    result.values[i] = static_cast<int8_t>(quantizeValue(
        values[i], f32Scales[p], result.zeroPoints[p], result.range));
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Sub-byte packing
//===----------------------------------------------------------------------===//

/// The length of the packed rows of `shape` (rank 0: one element, one byte).
static int64_t getPackedRowBytes(llvm::ArrayRef<int64_t> shape, unsigned bits) {
  int64_t rowLength = shape.empty() ? 1 : shape.back();
  return llvm::divideCeil(rowLength * bits, 8);
}

llvm::SmallVector<int64_t>
mlir::qcomp::getPackedShape(llvm::ArrayRef<int64_t> shape, unsigned bits) {
  assert((bits == 2 || bits == 4) && "sub-byte width must be 2 or 4");
  llvm::SmallVector<int64_t> packed(shape);
  if (!packed.empty())
    packed.back() = getPackedRowBytes(shape, bits);
  return packed;
}

std::vector<uint8_t> mlir::qcomp::packSubByte(llvm::ArrayRef<int8_t> values,
                                              llvm::ArrayRef<int64_t> shape,
                                              unsigned bits) {
  assert((bits == 2 || bits == 4) && "sub-byte width must be 2 or 4");
  assert(llvm::all_of(shape, [](int64_t dim) { return dim >= 0; }) &&
         "shape must be static");
  assert(static_cast<uint64_t>(getNumElements(shape)) == values.size() &&
         "values must match the shape");
  int64_t rowLength = shape.empty() ? 1 : shape.back();
  int64_t rowBytes = getPackedRowBytes(shape, bits);
  int64_t numRows = rowLength == 0 ? 0 : values.size() / rowLength;
  unsigned perByte = 8 / bits;
  unsigned mask = (1u << bits) - 1;

  std::vector<uint8_t> packed(numRows * rowBytes, 0);
  for (int64_t row = 0; row < numRows; ++row) {
    for (int64_t j = 0; j < rowLength; ++j) {
      int8_t value = values[row * rowLength + j];
      assert(value >= -(1 << (bits - 1)) && value <= static_cast<int>(mask) &&
             "value does not fit the sub-byte width");
      // Two's complement truncated to `bits`.
      unsigned field = static_cast<uint8_t>(value) & mask;
      packed[row * rowBytes + j / perByte] |= field << (j % perByte * bits);
    }
  }
  return packed;
}

std::vector<int8_t> mlir::qcomp::unpackSubByte(llvm::ArrayRef<uint8_t> packed,
                                               llvm::ArrayRef<int64_t> shape,
                                               unsigned bits, bool isSigned) {
  assert((bits == 2 || bits == 4) && "sub-byte width must be 2 or 4");
  assert(llvm::all_of(shape, [](int64_t dim) { return dim >= 0; }) &&
         "shape must be static");
  int64_t numElements = getNumElements(shape);
  int64_t rowLength = shape.empty() ? 1 : shape.back();
  int64_t rowBytes = getPackedRowBytes(shape, bits);
  int64_t numRows = rowLength == 0 ? 0 : numElements / rowLength;
  assert(static_cast<uint64_t>(numRows * rowBytes) == packed.size() &&
         "packed bytes must match the packed shape");
  unsigned perByte = 8 / bits;
  unsigned mask = (1u << bits) - 1;
  unsigned signBit = 1u << (bits - 1);

  std::vector<int8_t> values(numElements);
  for (int64_t row = 0; row < numRows; ++row) {
    for (int64_t j = 0; j < rowLength; ++j) {
      unsigned field =
          (packed[row * rowBytes + j / perByte] >> (j % perByte * bits)) & mask;
      int value = static_cast<int>(field);
      if (isSigned && (field & signBit))
        value -= static_cast<int>(mask) + 1;
      values[row * rowLength + j] = static_cast<int8_t>(value);
    }
  }
  return values;
}

//===----------------------------------------------------------------------===//
// Bias quantization
//===----------------------------------------------------------------------===//

/// Rounds to the nearest integer, ties to even, independently of the
/// floating-point rounding mode (the double counterpart of roundHalfToEven).
static double roundHalfToEvenDouble(double x) {
  // Every double of magnitude >= 2^52 is already an integer.
  if (!(std::fabs(x) < 4503599627370496.0))
    return x;
  // Below 2^52 the difference and the fmod are exact.
  double rounded = std::round(x);
  if (std::fabs(rounded - x) == 0.5 && std::fmod(rounded, 2.0) != 0.0)
    rounded -= std::copysign(1.0, x);
  return rounded;
}

llvm::Expected<std::vector<int32_t>>
mlir::qcomp::quantizeBias(llvm::ArrayRef<float> bias, double inputScale,
                          llvm::ArrayRef<double> weightScales) {
  if (weightScales.size() != 1 && weightScales.size() != bias.size())
    return llvm::createStringError(
        "bias of " + std::to_string(bias.size()) + " elements needs 1 or " +
        std::to_string(bias.size()) + " weight scales, got " +
        std::to_string(weightScales.size()));

  std::vector<int32_t> result(bias.size());
  for (auto [i, value] : llvm::enumerate(bias)) {
    double weightScale =
        weightScales.size() == 1 ? weightScales[0] : weightScales[i];
    double scale = inputScale * weightScale;
    if (!(scale > 0.0) || !std::isfinite(scale))
      return llvm::createStringError(
          "bias scale at index " + std::to_string(i) +
          " must be positive and finite, got " + formatDouble(scale) + " (" +
          formatDouble(inputScale) + " * " + formatDouble(weightScale) + ")");
    if (!std::isfinite(value))
      return llvm::createStringError("bias at index " + std::to_string(i) +
                                     " must be finite, got " +
                                     formatDouble(value));
    double q = roundHalfToEvenDouble(static_cast<double>(value) / scale);
    if (!(q >= static_cast<double>(INT32_MIN) &&
          q <= static_cast<double>(INT32_MAX)))
      return llvm::createStringError(
          "bias at index " + std::to_string(i) + " (" + formatDouble(value) +
          ") does not fit int32 at scale " + formatDouble(scale) + ": " +
          formatDouble(q));
    result[i] = static_cast<int32_t>(q);
  }
  return result;
}
