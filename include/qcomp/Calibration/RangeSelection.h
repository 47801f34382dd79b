//===- RangeSelection.h - Clipping ranges from statistics -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Chooses the real range [lo, hi] that a tensor is quantized to from its
// calibration statistics: the observed minimum and maximum (MinMax), a
// percentile of the histogram (Percentile), the threshold minimizing the KL
// divergence between the clipped and the quantized histogram (Entropy, as in
// Migacz, "8-bit Inference with TensorRT", GTC 2017), or the one minimizing
// the expected squared quantization + clipping error (MSE). The range is then
// turned into a scale and zero point by chooseQuantParams (QuantMath.h).
//
// Conventions shared by all methods
// ---------------------------------
// - The histogram is first put on a grid whose edges are multiples of its bin
//   width w (TensorStatistics' histograms already are; other bins are split
//   proportionally), and coarsened by merging pairs of bins until it needs at
//   most as many bins on either side of 0 as it has. |x| bins come from
//   folding it at 0: |x| bin j is the sum of grid bins j and -j-1.
// - symmetric: the result is [-t, t]; the quantizer has the levels
//   n * t / qmax, |n| <= qmax = 2^(bits-1) - 1, as chooseQuantParams gives
//   for a symmetric range. asymmetric: the result [lo, hi] has lo <= 0 <= hi;
//   the quantizer has scale s = (hi - lo) / (2^bits - 1) and zero point z =
//   round_half_to_even(-lo / s) saturated to [0, 2^bits - 1], levels
//   (q - z) * s for q in [0, 2^bits - 1].
// - The searched methods (Entropy, MSE) search a threshold t = k * w on the
//   |x| histogram when symmetric. Asymmetric, they search windows
//   [-a * w, b * w] that shrink the MinMax range [min(min, 0), max(max, 0)]
//   in proportion: with A and B the grid bins the data occupies below and
//   above 0, the window of k bins has a = round(k * A / (A + B)) (half up)
//   and b = k - a, so post-ReLU data (A = 0) gets [0, b * w].
// - Thresholds are clamped to the observed data: t <= max(|min|, |max|),
//   lo >= min(min, 0), hi <= max(max, 0); the largest candidate is the MinMax
//   range itself. Among equally good candidates the widest wins.
// - The result always contains 0 and has lo < hi. A tensor whose finite
//   values are all zero, or that has none, gets the range that
//   chooseQuantParams turns into scale 1 and the zero point of 0: [-qmax,
//   qmax] symmetric, [0, 2^bits - 1] asymmetric. Should a method select an
//   empty range for data that is not all zero (only possible for degenerate
//   histograms), the MinMax range is returned instead.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_CALIBRATION_RANGESELECTION_H
#define QCOMP_CALIBRATION_RANGESELECTION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <utility>

namespace mlir::qcomp {

class TensorStatistics;
struct TensorStatsRecord;

enum class RangeMethod {
  /// The observed range (widened to contain 0).
  MinMax,
  /// symmetric: t = the `percentile`-th percentile of |x|. asymmetric: the
  /// central `percentile` percent of x, i.e. lo and hi are the quantiles
  /// (1 - p) / 2 and 1 - (1 - p) / 2 (p = percentile / 100), widened to
  /// contain 0. Quantiles interpolate linearly inside the bin they fall in
  /// (the bin's count spread uniformly over it): with cumulative counts C,
  /// the quantile q of N elements lies in the first bin i with C[i] >= q * N,
  /// at edge_i + (q * N - C[i-1]) / count_i * w. q * N <= 0 gives min, q * N
  /// >= N gives max.
  Percentile,
  /// TensorRT's KL-divergence calibration. For each candidate window of i
  /// bins (i from L to the number of bins the data occupies; L = 2^(bits-1)
  /// quantization levels symmetric, on |x|, L = 2^bits asymmetric):
  ///  - P = the i bins, with the counts outside the window (the outliers)
  ///    added to the outermost bin on their side;
  ///  - Q = the i bins without outliers, merged into L levels (bin j goes to
  ///    level floor(j * L / i), as NVIDIA's pytorch-quantization does for i
  ///    not a multiple of L) and expanded back: each level's count is spread
  ///    uniformly over those of its bins that are non-empty, empty bins stay
  ///    empty (the paper's example: [1 0 2 3 5 3 1 7] in 2 levels gives
  ///    [2 0 2 2 4 4 4 4]);
  ///  - KL(P||Q) = sum over P_j > 0 of p_j ln(p_j / q_j) with p and q
  ///    normalized; a bin with P_j > 0 and Q_j = 0 (an empty last bin that
  ///    received outliers) makes it +infinity, so that window is never
  ///    chosen.
  /// The window with the smallest divergence gives t = i * w (the slides'
  /// (m + 0.5) * w is half a bin beyond the window P was computed for; this
  /// is pytorch-quantization's edge). With fewer occupied bins than L (e.g.
  /// 16 bits) nothing can be clipped and the result is MinMax.
  Entropy,
  /// The threshold minimizing the expected squared error of quantizing (with
  /// rounding and clipping) the histogram's data, each bin's count spread
  /// uniformly over the bin and the error integrated exactly:
  ///   E(t) = sum_j count_j / w * integral over bin j of (x - Q_t(x))^2 dx.
  /// Candidates are every k * w up to the data (symmetric: on |x|).
  MSE,
};

/// "minmax", "percentile", "entropy" or "mse".
llvm::StringRef getRangeMethodName(RangeMethod method);

/// Parses a name printed by getRangeMethodName; nullopt if unknown.
std::optional<RangeMethod> parseRangeMethod(llvm::StringRef name);

struct RangeOptions {
  RangeMethod method = RangeMethod::MinMax;
  /// For RangeMethod::Percentile, in (0, 100].
  double percentile = 99.99;
  /// Storage width, 2 to 16.
  unsigned bits = 8;
  /// Symmetric ([-t, t], zero point at the middle) or asymmetric range.
  bool symmetric = true;
};

/// Chooses the clipping range for quantizing the tensor described by
/// `stats` with `options` (see the file comment). Fails on invalid options,
/// on a record that verifyTensorStatsRecord rejects, and when a method other
/// than MinMax needs a histogram the statistics do not have (unless the data
/// is all zero).
llvm::Expected<std::pair<double, double>>
selectRange(const TensorStatsRecord &stats, const RangeOptions &options);
llvm::Expected<std::pair<double, double>>
selectRange(const TensorStatistics &stats, const RangeOptions &options);

/// The Entropy method's divergence KL(P||Q) for keeping the first `numKept`
/// bins of `histogram` (|x| bins, 0 < numKept <= size) quantized into
/// `numLevels` levels (1 <= numLevels <= numKept), as defined above; may be
/// +infinity. Exposed for tests and diagnostics.
double getEntropyDivergence(llvm::ArrayRef<double> histogram, size_t numKept,
                            unsigned numLevels);

/// The MSE method's error: sum over bins j of [edge0 + j * width, edge0 +
/// (j + 1) * width) of count_j / width * integral (x - Q(x))^2 dx, where
/// Q(x) = clamp(round(x / scale), minLevel, maxLevel) * scale. Exposed for
/// tests and diagnostics.
double getExpectedSquaredError(llvm::ArrayRef<double> histogram, double edge0,
                               double width, double scale, int64_t minLevel,
                               int64_t maxLevel);

} // namespace mlir::qcomp

#endif // QCOMP_CALIBRATION_RANGESELECTION_H
