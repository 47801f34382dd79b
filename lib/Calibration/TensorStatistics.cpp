//===- TensorStatistics.cpp - Calibration statistics of a tensor ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Implements TensorStatistics: two passes over each observation (range,
// non-finite count and channel maxima first, then the histogram once its
// window has been re-binned to cover the new range) and the conversions to
// and from TensorStatsRecord. The histogram scheme is described in the
// header; every count is an exact integer and every f64 step is fixed, so the
// statistics are a pure function of the observation sequence.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Calibration/TensorStatistics.h"
#include "qcomp/Support/Format.h"

#include "qcomp/Runtime/HostTensor.h"

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

/// Significant bits kept in the initial bin width (see the header).
static constexpr int kWidthMantissaBits = 20;
/// Grid indices are kept below this so that they are exact in f64.
static constexpr double kMaxGridIndex = 0x1p53;
/// The largest |grid start| fromRecord accepts.
static constexpr double kMaxRecordStart = 0x1p40;

/// Rounds a positive finite `x` up to kWidthMantissaBits significant bits.
static double roundUpMantissa(double x) {
  int exponent;
  double mantissa = std::frexp(x, &exponent); // in [0.5, 1)
  double scaled = std::ceil(std::ldexp(mantissa, kWidthMantissaBits));
  return std::ldexp(scaled, exponent - kWidthMantissaBits);
}

/// floor(k / 2^d) for any int64 k.
static int64_t floorDivPow2(int64_t k, unsigned d) {
  if (d >= 63)
    return k < 0 ? -1 : 0;
  int64_t divisor = int64_t(1) << d;
  int64_t quotient = k / divisor;
  if (k % divisor != 0 && k < 0)
    --quotient;
  return quotient;
}

//===----------------------------------------------------------------------===//
// TensorStatsRecord
//===----------------------------------------------------------------------===//

bool mlir::qcomp::operator==(const TensorStatsRecord &lhs,
                             const TensorStatsRecord &rhs) {
  return lhs.count == rhs.count && lhs.min == rhs.min && lhs.max == rhs.max &&
         lhs.nonFinite == rhs.nonFinite && lhs.channelAxis == rhs.channelAxis &&
         lhs.channelAbsMax == rhs.channelAbsMax && lhs.histMin == rhs.histMin &&
         lhs.histMax == rhs.histMax && lhs.histogram == rhs.histogram;
}

llvm::Error mlir::qcomp::verifyTensorStatsRecord(const TensorStatsRecord &r) {
  if (r.count < 0)
    return llvm::createStringError("count must be non-negative, got " +
                                   std::to_string(r.count));
  if (r.nonFinite < 0)
    return llvm::createStringError("non_finite must be non-negative, got " +
                                   std::to_string(r.nonFinite));
  if (!std::isfinite(r.min) || !std::isfinite(r.max))
    return llvm::createStringError("min and max must be finite, got [" +
                                   formatDouble(r.min) + ", " +
                                   formatDouble(r.max) + "]");
  if (r.min > r.max)
    return llvm::createStringError("min must not exceed max, got min " +
                                   formatDouble(r.min) + " > max " +
                                   formatDouble(r.max));
  if (r.channelAxis && *r.channelAxis < 0)
    return llvm::createStringError("channel_axis must be non-negative, got " +
                                   std::to_string(*r.channelAxis));
  if (!r.channelAxis && !r.channelAbsMax.empty())
    return llvm::createStringError("channel_absmax needs a channel_axis");
  for (auto [i, value] : llvm::enumerate(r.channelAbsMax))
    if (!std::isfinite(value) || value < 0)
      return llvm::createStringError(
          "channel_absmax of channel " + std::to_string(i) +
          " must be finite and non-negative, got " + formatDouble(value));
  if (!r.hasHistogram())
    return llvm::Error::success();
  if (!std::isfinite(r.histMin) || !std::isfinite(r.histMax) ||
      !(r.histMin < r.histMax))
    return llvm::createStringError(
        "hist_min and hist_max must be finite with hist_min < hist_max, got "
        "[" +
        formatDouble(r.histMin) + ", " + formatDouble(r.histMax) + "]");
  if (!std::isfinite((r.histMax - r.histMin) / r.histogram.size()))
    return llvm::createStringError("histogram range [" +
                                   formatDouble(r.histMin) + ", " +
                                   formatDouble(r.histMax) + "] is too wide");
  for (auto [i, bin] : llvm::enumerate(r.histogram))
    if (bin < 0)
      return llvm::createStringError("histogram bin " + std::to_string(i) +
                                     " must be non-negative, got " +
                                     std::to_string(bin));
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// TensorStatistics
//===----------------------------------------------------------------------===//

TensorStatistics::TensorStatistics(int64_t channelAxis, unsigned numBins)
    : channelAxis(channelAxis), numBins(numBins) {
  assert(numBins >= 2 && "the histogram needs at least 2 bins");
}

double TensorStatistics::getHistMin() const {
  return histogram.empty() ? 0.0 : static_cast<double>(binStart) * binWidth;
}

double TensorStatistics::getHistMax() const {
  return histogram.empty() ? 0.0
                           : static_cast<double>(binStart + numBins) * binWidth;
}

void TensorStatistics::fitHistogram(double lo, double hi) {
  bool haveOld = !histogram.empty();
  int64_t oldFirst = 0, oldLast = 0;
  if (haveOld) {
    // The grid indices of the first and last non-empty bins.
    size_t first = 0, last = numBins - 1;
    while (histogram[first] == 0)
      ++first;
    while (histogram[last] == 0)
      --last;
    oldFirst = binStart + static_cast<int64_t>(first);
    oldLast = binStart + static_cast<int64_t>(last);
  } else {
    double width =
        std::max({(hi - lo) / (numBins - 1),
                  std::max(std::fabs(lo), std::fabs(hi)) * 0x1p-24, 0x1p-126});
    binWidth = roundUpMantissa(width);
  }

  for (unsigned d = 0;; ++d) {
    double width = std::ldexp(binWidth, d);
    double loIndex = std::floor(lo / width);
    double hiIndex = std::floor(hi / width);
    if (!(std::fabs(loIndex) < kMaxGridIndex) ||
        !(std::fabs(hiIndex) < kMaxGridIndex))
      continue;
    int64_t first = static_cast<int64_t>(loIndex);
    int64_t last = static_cast<int64_t>(hiIndex);
    if (haveOld) {
      first = std::min(first, floorDivPow2(oldFirst, d));
      last = std::max(last, floorDivPow2(oldLast, d));
    }
    if (last - first >= static_cast<int64_t>(numBins))
      continue;
    if (haveOld && d == 0 && first >= binStart &&
        last < binStart + static_cast<int64_t>(numBins))
      return; // Already covered.

    std::vector<int64_t> bins(numBins, 0);
    if (haveOld) {
      for (unsigned i = 0; i < numBins; ++i)
        if (histogram[i] != 0)
          bins[floorDivPow2(binStart + i, d) - first] += histogram[i];
    }
    histogram = std::move(bins);
    binWidth = width;
    binStart = first;
    return;
  }
}

llvm::Error TensorStatistics::observe(const float *data,
                                      llvm::ArrayRef<int64_t> shape) {
  // Validate everything before changing anything.
  if (channelAxis < -1)
    return llvm::createStringError(
        "channel axis must be -1 (none) or non-negative, got " +
        std::to_string(channelAxis));
  int64_t numElements = 1;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (dim < 0)
      return llvm::createStringError("dimension " + std::to_string(i) +
                                     " of the observed shape " +
                                     formatShape(shape) + " is negative");
    if (llvm::MulOverflow(numElements, dim, numElements))
      return llvm::createStringError("observed shape " + formatShape(shape) +
                                     " has too many elements");
  }
  int64_t outer = 1, numChannels = 1, inner = numElements;
  if (channelAxis >= 0) {
    if (channelAxis >= static_cast<int64_t>(shape.size()))
      return llvm::createStringError(
          "channel axis " + std::to_string(channelAxis) +
          " is out of range for an observation of shape " + formatShape(shape));
    numChannels = shape[channelAxis];
    if (count > 0 && numChannels != static_cast<int64_t>(channelAbsMax.size()))
      return llvm::createStringError(
          "observation of shape " + formatShape(shape) + " has " +
          std::to_string(numChannels) + " channels along axis " +
          std::to_string(channelAxis) + ", but earlier observations had " +
          std::to_string(channelAbsMax.size()));
    outer = 1;
    for (int64_t i = 0; i < channelAxis; ++i)
      outer *= shape[i];
    inner = 1;
    for (size_t i = channelAxis + 1; i < shape.size(); ++i)
      inner *= shape[i];
  }
  if (numElements > 0 && !data)
    return llvm::createStringError("observation of shape " +
                                   formatShape(shape) + " has no data");

  // Pass 1: range, non-finite elements and channel maxima.
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  int64_t finite = 0, notFinite = 0;
  std::vector<double> absMax(channelAxis >= 0 ? numChannels : 0, 0.0);
  const float *element = data;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < numChannels; ++c) {
      double channelMax = 0.0;
      for (int64_t i = 0; i < inner; ++i, ++element) {
        float x = *element;
        if (!std::isfinite(x)) {
          ++notFinite;
          continue;
        }
        double value = x;
        lo = std::min(lo, value);
        hi = std::max(hi, value);
        channelMax = std::max(channelMax, std::fabs(value));
        ++finite;
      }
      if (channelAxis >= 0)
        absMax[c] = std::max(absMax[c], channelMax);
    }
  }

  // Commit.
  if (channelAxis >= 0) {
    if (count == 0)
      channelAbsMax = std::move(absMax);
    else
      for (auto [global, local] : llvm::zip_equal(channelAbsMax, absMax))
        global = std::max(global, local);
  }
  ++count;
  nonFinite += notFinite;
  if (finite == 0)
    return llvm::Error::success();

  // -0.0 and +0.0 compare equal; keep min and max free of -0.0 so that the
  // result does not depend on which of them came first.
  lo += 0.0;
  hi += 0.0;
  if (numValues == 0) {
    min = lo;
    max = hi;
  } else {
    min = std::min(min, lo);
    max = std::max(max, hi);
  }
  numValues += finite;
  fitHistogram(min, max);

  // Pass 2: the histogram.
  for (int64_t i = 0; i < numElements; ++i) {
    float x = data[i];
    if (!std::isfinite(x))
      continue;
    int64_t bin =
        static_cast<int64_t>(std::floor(static_cast<double>(x) / binWidth)) -
        binStart;
    assert(bin >= 0 && bin < static_cast<int64_t>(numBins) &&
           "histogram window does not cover the observation");
    ++histogram[bin];
  }
  return llvm::Error::success();
}

llvm::Error TensorStatistics::observe(const HostTensor &tensor) {
  if (tensor.getElementType() != HostElementType::F32)
    return llvm::createStringError(
        "calibration statistics observe float32 tensors, got " +
        tensor.describe());
  return observe(tensor.data<float>(), tensor.getShape());
}

TensorStatsRecord TensorStatistics::toRecord() const {
  TensorStatsRecord record;
  record.count = count;
  record.min = min;
  record.max = max;
  record.nonFinite = nonFinite;
  if (channelAxis >= 0) {
    record.channelAxis = channelAxis;
    record.channelAbsMax = channelAbsMax;
  }
  if (!histogram.empty()) {
    record.histMin = getHistMin();
    record.histMax = getHistMax();
    record.histogram = histogram;
  }
  return record;
}

llvm::Expected<TensorStatistics>
TensorStatistics::fromRecord(const TensorStatsRecord &record,
                             unsigned numBins) {
  if (llvm::Error error = verifyTensorStatsRecord(record))
    return std::move(error);
  size_t size = record.hasHistogram() ? record.histogram.size() : numBins;
  if (size < 2 || size > std::numeric_limits<unsigned>::max())
    return llvm::createStringError("the histogram needs at least 2 bins, got " +
                                   std::to_string(size));
  if (record.channelAxis && record.count == 0 && !record.channelAbsMax.empty())
    return llvm::createStringError(
        "channel_absmax must be empty when nothing was observed");

  TensorStatistics stats(record.channelAxis.value_or(-1),
                         static_cast<unsigned>(size));
  stats.count = record.count;
  stats.nonFinite = record.nonFinite;
  stats.channelAbsMax = record.channelAbsMax;
  if (!record.hasHistogram()) {
    if (record.min != 0 || record.max != 0)
      return llvm::createStringError("statistics with finite values (min " +
                                     formatDouble(record.min) + ", max " +
                                     formatDouble(record.max) +
                                     ") but no histogram cannot be continued");
    return stats;
  }

  double width = (record.histMax - record.histMin) / size;
  double start = record.histMin / width;
  if (!(width > 0) || std::floor(start) != start ||
      !(std::fabs(start) <= kMaxRecordStart) ||
      start * width != record.histMin ||
      (start + size) * width != record.histMax)
    return llvm::createStringError(
        "histogram range [" + formatDouble(record.histMin) + ", " +
        formatDouble(record.histMax) + "] with " + std::to_string(size) +
        " bins is not on a grid of multiples of its bin width");
  int64_t total = 0;
  for (int64_t bin : record.histogram)
    if (llvm::AddOverflow(total, bin, total))
      return llvm::createStringError("histogram total overflows int64");
  if (total == 0)
    return llvm::createStringError("histogram is all zero");
  int64_t startIndex = static_cast<int64_t>(start);
  if (std::floor(record.min / width) < start ||
      std::floor(record.max / width) >= start + size)
    return llvm::createStringError("min " + formatDouble(record.min) +
                                   " and max " + formatDouble(record.max) +
                                   " must lie inside the histogram range [" +
                                   formatDouble(record.histMin) + ", " +
                                   formatDouble(record.histMax) + ")");
  stats.min = record.min + 0.0;
  stats.max = record.max + 0.0;
  stats.numValues = total;
  stats.binWidth = width;
  stats.binStart = startIndex;
  stats.histogram = record.histogram;
  return stats;
}
