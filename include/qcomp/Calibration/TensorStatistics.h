//===- TensorStatistics.h - Calibration statistics of a tensor --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// TensorStatistics accumulates what calibration measures for one activation
// tensor over many observations (one observation = one f32 buffer and its
// shape): the global minimum and maximum, the number of observations, the
// number of NaN/Inf elements, optionally the absolute maximum of each channel
// along a fixed axis, and a histogram whose range grows with the data.
//
// TensorStatsRecord is the plain data of those statistics, field for field
// the `#qc.stats` attribute: TensorStatistics exports to it, the calibration
// table stores it, range selection reads it, and TensorStatistics can be
// rebuilt from it to keep accumulating.
//
// Everything is deterministic: the same sequence of observations gives the
// same statistics, bit for bit, on every host.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_CALIBRATION_TENSORSTATISTICS_H
#define QCOMP_CALIBRATION_TENSORSTATISTICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::qcomp {

class HostTensor;

/// The statistics of one tensor as plain data; the fields and their meaning
/// are those of `#qc.stats`.
struct TensorStatsRecord {
  /// Number of observations (samples).
  int64_t count = 0;
  /// Smallest and largest finite element seen; both 0 when none was seen.
  /// Never -0.0.
  double min = 0.0;
  double max = 0.0;
  /// Number of NaN and +/-Inf elements seen; they are excluded from every
  /// other statistic.
  int64_t nonFinite = 0;
  /// The channel axis, when per-channel statistics were collected.
  std::optional<int64_t> channelAxis;
  /// max |x| over the finite elements of each channel along `channelAxis`
  /// (0 for a channel without any). Empty without a channel axis, or when
  /// nothing has been observed yet.
  std::vector<double> channelAbsMax;
  /// `histogram.size()` bins of equal width spanning [histMin, histMax): bin
  /// i counts the finite elements x with histMin + i * w <= x < histMin +
  /// (i + 1) * w, w = (histMax - histMin) / histogram.size(). Empty (and the
  /// bounds 0) when no finite element has been seen.
  double histMin = 0.0;
  double histMax = 0.0;
  std::vector<int64_t> histogram;

  bool hasHistogram() const { return !histogram.empty(); }
};

/// Field-by-field equality; doubles compare with ==.
bool operator==(const TensorStatsRecord &lhs, const TensorStatsRecord &rhs);
inline bool operator!=(const TensorStatsRecord &lhs,
                       const TensorStatsRecord &rhs) {
  return !(lhs == rhs);
}

/// Checks the invariants of `#qc.stats`: min and max finite with min <= max,
/// count and nonFinite non-negative, a non-negative channel axis, finite
/// non-negative channel maxima (which need a channel axis), finite histogram
/// bounds with histMin < histMax around a non-empty histogram of non-negative
/// bins. The message names the offending field.
llvm::Error verifyTensorStatsRecord(const TensorStatsRecord &record);

/// Accumulates the statistics of one tensor over many observations.
///
/// The histogram. Bin edges lie on the grid k * w (k an integer), so 0 is
/// always an edge; the histogram is the window of `numBins` consecutive grid
/// bins [start * w, (start + numBins) * w), and element x falls into grid bin
/// floor(x / w) (an f64 division of the exact f64 value of x).
///
/// - The first observation with a finite element fixes the initial width:
///   w0 = max((max - min) / (numBins - 1), max(|min|, |max|) * 2^-24, 2^-126),
///   rounded up to 20 significant bits. The 2^-24 term stops the bins from
///   being finer than f32 can resolve at that magnitude (and keeps grid
///   indices below 2^25 + numBins), the 2^-126 term (the smallest normal
///   f32, qcomp's smallest scale) gives a constant 0 a width; the 20-bit
///   mantissa makes start * w and (start + numBins) * w exact, so histMin and
///   histMax identify the grid exactly (see fromRecord).
/// - When an observation's elements do not all fall into the window, the
///   width is doubled the least number of times d >= 0 for which the grid
///   bins of all data seen so far (old non-empty bins and the new elements)
///   span at most numBins bins; the window then starts at the lowest of
///   them. Old bin k becomes bin floor(k / 2^d): with w doubling, pairs of
///   bins merge exactly and no count is ever split or moved across an edge.
///   With d = 0 the window only slides.
///
/// All counts are exact integers and every step is a fixed sequence of f64
/// operations, so the result depends only on the sequence of observations.
class TensorStatistics {
public:
  static constexpr unsigned kDefaultNumBins = 2048;

  /// Statistics without per-channel maxima (channelAxis == -1) or with the
  /// absolute maximum of each channel along `channelAxis` (>= 0). The number
  /// of channels is that of the first observation. `numBins` (>= 2) is the
  /// histogram size; the range selection methods are designed for the
  /// default 2048 (Entropy needs more |x| bins than quantization levels).
  explicit TensorStatistics(int64_t channelAxis = -1,
                            unsigned numBins = kDefaultNumBins);

  /// Adds one observation: `data` holds the product of `shape` f32 elements,
  /// row-major. Fails, leaving the statistics unchanged, on a negative
  /// dimension, a channel axis out of range for the shape, or a channel count
  /// different from the first observation's.
  llvm::Error observe(const float *data, llvm::ArrayRef<int64_t> shape);
  /// Same for a float32 HostTensor (other element types are an error).
  llvm::Error observe(const HostTensor &tensor);

  /// Number of observations.
  int64_t getCount() const { return count; }
  /// Number of finite elements seen.
  int64_t getNumValues() const { return numValues; }
  /// Number of NaN/Inf elements seen.
  int64_t getNonFinite() const { return nonFinite; }
  bool hasValues() const { return numValues > 0; }
  /// Smallest/largest finite element; 0 if there is none.
  double getMin() const { return min; }
  double getMax() const { return max; }

  /// -1 when per-channel statistics are off.
  int64_t getChannelAxis() const { return channelAxis; }
  /// One entry per channel once something has been observed.
  llvm::ArrayRef<double> getChannelAbsMax() const { return channelAbsMax; }

  unsigned getNumBins() const { return numBins; }
  /// The histogram (numBins bins) once a finite element has been seen, else
  /// empty; bin i spans [(start + i) * w, (start + i + 1) * w).
  llvm::ArrayRef<int64_t> getHistogram() const { return histogram; }
  double getBinWidth() const { return binWidth; }
  int64_t getBinStart() const { return binStart; }
  double getHistMin() const;
  double getHistMax() const;

  /// The statistics as plain data.
  TensorStatsRecord toRecord() const;

  /// Rebuilds statistics from a record so that observing can continue: the
  /// result is bit-identical to the statistics the record was exported from.
  /// The histogram (if any) must lie on the grid described above: w =
  /// (histMax - histMin) / size is positive, histMin / w is an integer k with
  /// |k| <= 2^40, and k * w and (k + size) * w give back histMin and histMax.
  /// `numBins` is used only when the record has no histogram. A record with
  /// finite values but no histogram cannot be continued and is an error.
  static llvm::Expected<TensorStatistics>
  fromRecord(const TensorStatsRecord &record,
             unsigned numBins = kDefaultNumBins);

private:
  /// Moves/re-bins the histogram window so that grid bins floor(lo / w) ..
  /// floor(hi / w) fit, creating it on the first call.
  void fitHistogram(double lo, double hi);

  int64_t channelAxis;
  unsigned numBins;
  int64_t count = 0;
  int64_t numValues = 0;
  int64_t nonFinite = 0;
  double min = 0.0;
  double max = 0.0;
  // Meaningful once count > 0: the channel count is the first observation's.
  std::vector<double> channelAbsMax;
  double binWidth = 0.0;
  int64_t binStart = 0;
  std::vector<int64_t> histogram;
};

} // namespace mlir::qcomp

#endif // QCOMP_CALIBRATION_TENSORSTATISTICS_H
