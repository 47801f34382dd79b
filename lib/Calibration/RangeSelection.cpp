//===- RangeSelection.cpp - Clipping ranges from statistics ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Implements the range selection methods declared in RangeSelection.h. The
// histogram is first moved onto a 0-aligned grid (GridHistogram), from which
// the |x| histogram (symmetric) or the signed window of occupied bins
// (asymmetric) is taken; the searched methods then scan their candidates in
// increasing order and keep the last best one, so ties resolve to the widest
// range. Every step is a fixed sequence of f64 operations.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Calibration/RangeSelection.h"
#include "qcomp/Support/Format.h"

#include "qcomp/Calibration/TensorStatistics.h"
#include "qcomp/Quant/QuantMath.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

using namespace mlir::qcomp;

static constexpr double kInfinity = std::numeric_limits<double>::infinity();

llvm::StringRef mlir::qcomp::getRangeMethodName(RangeMethod method) {
  switch (method) {
  case RangeMethod::MinMax:
    return "minmax";
  case RangeMethod::Percentile:
    return "percentile";
  case RangeMethod::Entropy:
    return "entropy";
  case RangeMethod::MSE:
    return "mse";
  }
  llvm_unreachable("unknown range method");
}

std::optional<RangeMethod> mlir::qcomp::parseRangeMethod(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<RangeMethod>>(name)
      .Case("minmax", RangeMethod::MinMax)
      .Case("percentile", RangeMethod::Percentile)
      .Case("entropy", RangeMethod::Entropy)
      .Case("mse", RangeMethod::MSE)
      .Default(std::nullopt);
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

namespace {
/// Counts on the grid of multiples of `width`: counts[i] belongs to the bin
/// [(start + i) * width, (start + i + 1) * width). The first and last bins
/// are non-empty.
struct GridHistogram {
  double width = 0.0;
  int64_t start = 0;
  std::vector<double> counts;

  int64_t end() const { return start + static_cast<int64_t>(counts.size()); }
};
} // namespace

/// Moves the histogram of `record` onto a 0-aligned grid whose width is the
/// record's bin width times the least power of two for which no occupied
/// grid bin is more than `size` bins away from 0. A source bin of width w
/// lands in one grid bin, or is split in proportion between two when its
/// edges are not on the grid. Empty if the histogram has no counts.
static GridHistogram toGrid(const TensorStatsRecord &record) {
  GridHistogram grid;
  llvm::ArrayRef<int64_t> bins = record.histogram;
  size_t size = bins.size();
  size_t first = 0;
  while (first < size && bins[first] == 0)
    ++first;
  if (first == size)
    return grid;
  size_t last = size - 1;
  while (bins[last] == 0)
    --last;

  double width = (record.histMax - record.histMin) / size;
  double gridWidth = width, ratio = 1.0, origin = 0.0;
  double firstIndex = 0.0, endIndex = 0.0;
  for (unsigned d = 0;; ++d) {
    gridWidth = std::ldexp(width, d);
    ratio = std::ldexp(1.0, -static_cast<int>(d));
    origin = record.histMin / gridWidth;
    firstIndex = std::floor(origin + first * ratio);
    endIndex =
        std::max(std::ceil(origin + last * ratio + ratio), firstIndex + 1);
    if (std::max(-firstIndex, endIndex) <= static_cast<double>(size))
      break;
  }

  grid.width = gridWidth;
  grid.start = static_cast<int64_t>(firstIndex);
  grid.counts.assign(static_cast<size_t>(endIndex - firstIndex), 0.0);
  for (size_t i = first; i <= last; ++i) {
    if (bins[i] == 0)
      continue;
    double count = static_cast<double>(bins[i]);
    double position = origin + i * ratio;
    double k = std::floor(position);
    // Rounding can only push a bin past the ends when the bins are far finer
    // than the f64 resolution at their position; keep it inside.
    size_t index = static_cast<size_t>(
        std::clamp(k - firstIndex, 0.0, endIndex - firstIndex - 1));
    if (position + ratio <= k + 1 || index + 1 == grid.counts.size()) {
      grid.counts[index] += count;
      continue;
    }
    double lowFraction = (k + 1 - position) / ratio;
    grid.counts[index] += count * lowFraction;
    grid.counts[index + 1] += count * (1 - lowFraction);
  }
  return grid;
}

/// The |x| histogram: bin j is [j * w, (j + 1) * w), the sum of grid bins j
/// and -j-1, up to the last non-empty bin.
static std::vector<double> foldAbsolute(const GridHistogram &grid) {
  int64_t size = std::max(grid.end(), -grid.start);
  std::vector<double> folded(size, 0.0);
  for (auto [i, count] : llvm::enumerate(grid.counts)) {
    int64_t k = grid.start + static_cast<int64_t>(i);
    folded[k >= 0 ? k : -k - 1] += count;
  }
  while (!folded.empty() && folded.back() == 0)
    folded.pop_back();
  return folded;
}

namespace {
/// The grid bins from -negative to positive - 1: every occupied bin, and 0
/// as an edge.
struct SignedWindow {
  int64_t negative = 0;
  int64_t positive = 0;
  std::vector<double> counts;
};
} // namespace

static SignedWindow getSignedWindow(const GridHistogram &grid) {
  SignedWindow window;
  window.negative = std::max<int64_t>(0, -grid.start);
  window.positive = std::max<int64_t>(0, grid.end());
  window.counts.assign(window.negative + window.positive, 0.0);
  for (auto [i, count] : llvm::enumerate(grid.counts))
    window.counts[grid.start + static_cast<int64_t>(i) + window.negative] =
        count;
  return window;
}

/// The number of the k window bins that lie below 0: round(k * A / (A + B)),
/// halves rounded up, in exact integer arithmetic.
static int64_t getNegativeBins(int64_t k, const SignedWindow &window) {
  int64_t total = window.negative + window.positive;
  return (2 * k * window.negative + total) / (2 * total);
}

/// The quantile `q` of the histogram whose bin i is [edge0 + i * w, edge0 +
/// (i + 1) * w), interpolated linearly inside its bin, clamped to [lo, hi].
static double getQuantile(llvm::ArrayRef<double> counts, double edge0,
                          double width, double q, double lo, double hi) {
  double total = 0.0;
  for (double count : counts)
    total += count;
  double mass = q * total;
  if (mass <= 0)
    return lo;
  if (mass >= total)
    return hi;
  double cumulative = 0.0;
  for (auto [i, count] : llvm::enumerate(counts)) {
    if (cumulative + count >= mass) {
      double value = edge0 + i * width + (mass - cumulative) / count * width;
      return std::clamp(value, lo, hi);
    }
    cumulative += count;
  }
  return hi;
}

/// KL(P||Q) for the window of `numKept` bins of `counts` starting at
/// `begin`: outliers below it go to its first bin, outliers above it to its
/// last (see RangeMethod::Entropy).
static double getDivergence(llvm::ArrayRef<double> counts, size_t begin,
                            size_t numKept, unsigned numLevels) {
  assert(numKept > 0 && begin + numKept <= counts.size() && numLevels >= 1 &&
         numLevels <= numKept && "invalid entropy window");
  llvm::ArrayRef<double> kept = counts.slice(begin, numKept);
  double below = 0.0, above = 0.0;
  for (double count : counts.take_front(begin))
    below += count;
  for (double count : counts.drop_front(begin + numKept))
    above += count;

  // Q: the kept bins merged into levels and spread back over their non-empty
  // bins.
  std::vector<double> levelSum(numLevels, 0.0);
  std::vector<int64_t> levelNonEmpty(numLevels, 0);
  auto getLevel = [&](size_t j) {
    return static_cast<size_t>(static_cast<uint64_t>(j) * numLevels / numKept);
  };
  for (size_t j = 0; j < numKept; ++j) {
    size_t level = getLevel(j);
    levelSum[level] += kept[j];
    if (kept[j] != 0)
      ++levelNonEmpty[level];
  }
  std::vector<double> q(numKept, 0.0);
  double sumP = 0.0, sumQ = 0.0;
  for (size_t j = 0; j < numKept; ++j) {
    if (kept[j] != 0) {
      size_t level = getLevel(j);
      q[j] = levelSum[level] / static_cast<double>(levelNonEmpty[level]);
    }
    sumQ += q[j];
    sumP += kept[j];
  }
  sumP += below + above;
  if (sumP == 0)
    return 0.0;
  if (sumQ == 0)
    return kInfinity;

  double divergence = 0.0;
  for (size_t j = 0; j < numKept; ++j) {
    double p = kept[j];
    if (j == 0)
      p += below;
    if (j == numKept - 1)
      p += above;
    if (p == 0)
      continue;
    if (q[j] == 0)
      return kInfinity;
    double pn = p / sumP, qn = q[j] / sumQ;
    divergence += pn * std::log(pn / qn);
  }
  return divergence;
}

double mlir::qcomp::getEntropyDivergence(llvm::ArrayRef<double> histogram,
                                         size_t numKept, unsigned numLevels) {
  return getDivergence(histogram, 0, numKept, numLevels);
}

/// integral over [a, b] of (x - level)^2.
static double integrateSquare(double a, double b, double level) {
  double hi = b - level, lo = a - level;
  return (hi * hi * hi - lo * lo * lo) / 3;
}

/// integral over [x0, x1] of (x - Q(x))^2 for Q(x) = clamp(round(x / scale),
/// minLevel, maxLevel) * scale, x0 <= x1.
static double integrateSquaredError(double x0, double x1, double scale,
                                    double minLevel, double maxLevel) {
  auto getLevel = [&](double x) {
    return std::clamp(std::floor(x / scale + 0.5), minLevel, maxLevel);
  };
  double n0 = getLevel(x0), n1 = getLevel(x1);
  if (n0 == n1)
    return integrateSquare(x0, x1, n0 * scale);
  // Partial cells at both ends, whole cells of width `scale` in between.
  return integrateSquare(x0, (n0 + 0.5) * scale, n0 * scale) +
         integrateSquare((n1 - 0.5) * scale, x1, n1 * scale) +
         (n1 - n0 - 1) * (scale * scale * scale / 12);
}

double mlir::qcomp::getExpectedSquaredError(llvm::ArrayRef<double> histogram,
                                            double edge0, double width,
                                            double scale, int64_t minLevel,
                                            int64_t maxLevel) {
  double total = 0.0;
  for (auto [j, count] : llvm::enumerate(histogram)) {
    if (count == 0)
      continue;
    double x0 = edge0 + j * width;
    total += count / width *
             integrateSquaredError(x0, x0 + width, scale,
                                   static_cast<double>(minLevel),
                                   static_cast<double>(maxLevel));
  }
  return total;
}

//===----------------------------------------------------------------------===//
// Methods
//===----------------------------------------------------------------------===//

namespace {
using Range = std::pair<double, double>;

/// What every method needs: the options, the MinMax range and the data.
struct Selection {
  const TensorStatsRecord &stats;
  const RangeOptions &options;
  /// [min(min, 0), max(max, 0)] and max |x|.
  double lo0, hi0, absMax;

  Range getMinMax() const {
    if (options.symmetric)
      return {-absMax, absMax};
    return {lo0, hi0};
  }
  /// Largest symmetric level, 2^(bits-1) - 1.
  int64_t getSymmetricMaxLevel() const {
    return (int64_t(1) << (options.bits - 1)) - 1;
  }
  /// Number of asymmetric steps, 2^bits - 1.
  int64_t getAsymmetricMaxLevel() const {
    return (int64_t(1) << options.bits) - 1;
  }

  Range selectPercentile(const GridHistogram &grid) const;
  Range selectEntropy(const GridHistogram &grid) const;
  Range selectMSE(const GridHistogram &grid) const;
};
} // namespace

Range Selection::selectPercentile(const GridHistogram &grid) const {
  double q = options.percentile / 100;
  if (options.symmetric) {
    std::vector<double> folded = foldAbsolute(grid);
    double t = getQuantile(folded, 0.0, grid.width, q, 0.0, absMax);
    return {-t, t};
  }
  SignedWindow window = getSignedWindow(grid);
  double edge0 = -static_cast<double>(window.negative) * grid.width;
  double tail = (1 - q) / 2;
  double lo =
      getQuantile(window.counts, edge0, grid.width, tail, stats.min, stats.max);
  double hi = getQuantile(window.counts, edge0, grid.width, 1 - tail, stats.min,
                          stats.max);
  return {std::min(lo, 0.0), std::max(hi, 0.0)};
}

Range Selection::selectEntropy(const GridHistogram &grid) const {
  if (options.symmetric) {
    std::vector<double> folded = foldAbsolute(grid);
    unsigned numLevels = 1u << (options.bits - 1);
    size_t size = folded.size();
    if (size <= numLevels)
      return getMinMax();
    double best = kInfinity;
    size_t bestKept = size;
    for (size_t kept = numLevels; kept <= size; ++kept) {
      double divergence = getDivergence(folded, 0, kept, numLevels);
      if (divergence <= best) {
        best = divergence;
        bestKept = kept;
      }
    }
    double t = std::min(bestKept * grid.width, absMax);
    return {-t, t};
  }

  SignedWindow window = getSignedWindow(grid);
  unsigned numLevels = 1u << options.bits;
  int64_t size = window.negative + window.positive;
  if (size <= static_cast<int64_t>(numLevels))
    return getMinMax();
  double best = kInfinity;
  int64_t bestKept = size;
  for (int64_t kept = numLevels; kept <= size; ++kept) {
    int64_t negative = getNegativeBins(kept, window);
    double divergence = getDivergence(window.counts, window.negative - negative,
                                      kept, numLevels);
    if (divergence <= best) {
      best = divergence;
      bestKept = kept;
    }
  }
  int64_t negative = getNegativeBins(bestKept, window);
  return {std::max(-negative * grid.width, lo0),
          std::min((bestKept - negative) * grid.width, hi0)};
}

Range Selection::selectMSE(const GridHistogram &grid) const {
  // Each candidate is scored with the quantizer chooseQuantParams builds for
  // it.
  StorageRange storage =
      getStorageRange(options.bits, /*isSigned=*/options.symmetric);
  if (options.symmetric) {
    std::vector<double> folded = foldAbsolute(grid);
    int64_t maxLevel = getSymmetricMaxLevel();
    double best = kInfinity, bestThreshold = absMax;
    for (size_t k = 1; k <= folded.size(); ++k) {
      double t = std::min(k * grid.width, absMax);
      llvm::Expected<QuantParams> params =
          chooseQuantParams(-t, t, storage, /*symmetric=*/true);
      if (!params) {
        llvm::consumeError(params.takeError());
        continue;
      }
      // |x| >= 0 never reaches the negative levels.
      double error = getExpectedSquaredError(
          folded, 0.0, grid.width, params->scale, -maxLevel, maxLevel);
      if (error <= best) {
        best = error;
        bestThreshold = t;
      }
    }
    return {-bestThreshold, bestThreshold};
  }

  SignedWindow window = getSignedWindow(grid);
  int64_t size = window.negative + window.positive;
  double edge0 = -static_cast<double>(window.negative) * grid.width;
  double best = kInfinity;
  Range bestRange = getMinMax();
  for (int64_t k = 1; k <= size; ++k) {
    int64_t negative = getNegativeBins(k, window);
    double lo = std::max(-negative * grid.width, lo0);
    double hi = std::min((k - negative) * grid.width, hi0);
    if (!(lo < hi))
      continue;
    llvm::Expected<QuantParams> params =
        chooseQuantParams(lo, hi, storage, /*symmetric=*/false);
    if (!params) {
      llvm::consumeError(params.takeError());
      continue;
    }
    // Storage value q represents (q - zeroPoint) * scale.
    double error = getExpectedSquaredError(
        window.counts, edge0, grid.width, params->scale,
        storage.min - params->zeroPoint, storage.max - params->zeroPoint);
    if (error <= best) {
      best = error;
      bestRange = {lo, hi};
    }
  }
  return bestRange;
}

llvm::Expected<std::pair<double, double>>
mlir::qcomp::selectRange(const TensorStatsRecord &stats,
                         const RangeOptions &options) {
  if (options.bits < 2 || options.bits > 16)
    return llvm::createStringError("bits must be between 2 and 16, got " +
                                   std::to_string(options.bits));
  if (options.method == RangeMethod::Percentile &&
      !(options.percentile > 0 && options.percentile <= 100))
    return llvm::createStringError("percentile must be in (0, 100], got " +
                                   formatDouble(options.percentile));
  if (llvm::Error error = verifyTensorStatsRecord(stats))
    return std::move(error);

  double lo0 = std::min(stats.min, 0.0), hi0 = std::max(stats.max, 0.0);
  Selection selection{stats, options, lo0, hi0, std::max(-lo0, hi0)};
  // All zero, or nothing finite seen: the range of scale 1.
  if (!(lo0 < hi0)) {
    if (options.symmetric) {
      double t = static_cast<double>(selection.getSymmetricMaxLevel());
      return Range(-t, t);
    }
    return Range(0.0, static_cast<double>(selection.getAsymmetricMaxLevel()));
  }
  if (options.method == RangeMethod::MinMax)
    return selection.getMinMax();
  if (!stats.hasHistogram())
    return llvm::createStringError(
        "range method '" + getRangeMethodName(options.method).str() +
        "' needs a histogram, but the statistics have none");

  GridHistogram grid = toGrid(stats);
  if (grid.counts.empty())
    return selection.getMinMax();
  Range range;
  switch (options.method) {
  case RangeMethod::MinMax:
    llvm_unreachable("handled above");
  case RangeMethod::Percentile:
    range = selection.selectPercentile(grid);
    break;
  case RangeMethod::Entropy:
    range = selection.selectEntropy(grid);
    break;
  case RangeMethod::MSE:
    range = selection.selectMSE(grid);
    break;
  }
  if (!(range.first <= 0 && 0 <= range.second && range.first < range.second))
    return selection.getMinMax();
  return range;
}

llvm::Expected<std::pair<double, double>>
mlir::qcomp::selectRange(const TensorStatistics &stats,
                         const RangeOptions &options) {
  return selectRange(stats.toRecord(), options);
}
