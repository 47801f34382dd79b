//===- RangeSelectionTest.cpp - Tests for clipping range selection --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Checks selectRange against independently computed values:
//
// - by hand (the derivation is next to the case);
// - offline with NumPy (/usr/bin/python3, numpy 1.24) for three fixed
//   histograms built below from integer recurrences (so that the C++ and the
//   Python inputs are identical): a script written separately from the C++
//   code computed the |x| histogram with np.bincount, percentiles with
//   np.cumsum + np.searchsorted, the Entropy divergence with np.digitize over
//   np.linspace level edges and np.log, and the MSE error by splitting the
//   histogram at every bin edge and every quantizer decision boundary
//   (n + 0.5) * s (np.union1d) and integrating (x - Q(x))^2 exactly on each
//   piece, then scanning the same candidates and taking the last minimum.
//   The winning candidates beat the runner-up by at least 1e-5 relative, far
//   above rounding noise, so Entropy and MSE results (multiples of the bin
//   width) are compared exactly;
// - against the known optimum of the MSE clipping threshold of a Gaussian
//   for 8 bits, t = 3.92 sigma (NumPy: minimizing the expected error of the
//   continuous N(0, 1) density, integrated on a 5e-6 grid, over t in steps
//   of 0.002; the same minimization over the test's 10^6 samples gives
//   3.919).
//
//===----------------------------------------------------------------------===//

#include "qcomp/Calibration/RangeSelection.h"

#include "qcomp/Calibration/TensorStatistics.h"

#include "llvm/Support/Error.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

using namespace mlir::qcomp;

namespace {

using Range = std::pair<double, double>;

/// Unwraps a range that is expected to be selected.
Range expectRange(llvm::Expected<Range> range) {
  if (!range) {
    ADD_FAILURE() << "unexpected error: " << llvm::toString(range.takeError());
    return {std::nan(""), std::nan("")};
  }
  return *range;
}

/// Returns the message of a selection that is expected to fail.
std::string errorMessage(llvm::Expected<Range> range) {
  if (range) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(range.takeError());
}

RangeOptions options(RangeMethod method, unsigned bits, bool symmetric,
                     double percentile = 99.99) {
  RangeOptions result;
  result.method = method;
  result.bits = bits;
  result.symmetric = symmetric;
  result.percentile = percentile;
  return result;
}

/// A record whose histogram is the grid window of `counts.size()` bins of
/// width `width` starting at grid bin `start`.
TensorStatsRecord makeRecord(double width, int64_t start,
                             std::vector<int64_t> counts, double min,
                             double max) {
  TensorStatsRecord record;
  record.count = 1;
  record.min = min;
  record.max = max;
  record.histMin = start * width;
  record.histMax = (start + static_cast<int64_t>(counts.size())) * width;
  record.histogram = std::move(counts);
  return record;
}

/// first, first * num / den, ... (integer division), n terms.
std::vector<int64_t> geometric(int64_t first, int64_t num, int64_t den,
                               size_t n) {
  std::vector<int64_t> result = {first};
  while (result.size() < n)
    result.push_back(result.back() * num / den);
  return result;
}

/// Laplace-like and symmetric: grid bins -1024..1023 of width 2^-8, |x| bin
/// m holding 10^6 * (63/64)^m (integer recurrence) on each side, plus 3
/// outliers in bin 1000. Occupied bins -880..1000.
TensorStatsRecord laplaceRecord() {
  double width = 0x1p-8;
  std::vector<int64_t> g = geometric(1000000, 63, 64, 1024);
  std::vector<int64_t> counts(2048);
  for (int64_t k = -1024; k < 1024; ++k)
    counts[k + 1024] = g[k >= 0 ? k : -k - 1];
  counts[1000 + 1024] += 3;
  int64_t first = 0, last = 2047;
  while (counts[first] == 0)
    ++first;
  while (counts[last] == 0)
    --last;
  return makeRecord(width, -1024, counts, (first - 1024 + 0.5) * width,
                    (last - 1024 + 0.5) * width);
}

/// Post-ReLU-like: bins 0..2047 of width 2^-9, 3 * 10^6 exact zeros in bin 0,
/// 200000 * (127/128)^(k-1) in bin k >= 1, 2 outliers in bin 2000.
TensorStatsRecord reluRecord() {
  double width = 0x1p-9;
  std::vector<int64_t> h = geometric(200000, 127, 128, 2047);
  std::vector<int64_t> counts(2048);
  counts[0] = 3000000;
  for (size_t k = 1; k < 2048; ++k)
    counts[k] = h[k - 1];
  counts[2000] += 2;
  int64_t last = 2047;
  while (counts[last] == 0)
    --last;
  return makeRecord(width, 0, counts, 0.0, (last + 0.5) * width);
}

/// Skewed: grid bins -512..1535 of width 2^-8, a short negative tail
/// 400000 * (15/16)^m and a long positive one 400000 * (127/128)^k.
TensorStatsRecord skewRecord() {
  double width = 0x1p-8;
  std::vector<int64_t> negative = geometric(400000, 15, 16, 512);
  std::vector<int64_t> positive = geometric(400000, 127, 128, 1536);
  std::vector<int64_t> counts(2048);
  for (int64_t k = -512; k < 1536; ++k)
    counts[k + 512] = k >= 0 ? positive[k] : negative[-k - 1];
  int64_t first = 0, last = 2047;
  while (counts[first] == 0)
    ++first;
  while (counts[last] == 0)
    --last;
  return makeRecord(width, -512, counts, (first - 512 + 0.25) * width,
                    (last - 512 + 0.75) * width);
}

/// Expects [lo, hi] within `relative` of the expected bounds.
void expectRangeNear(Range actual, Range expected, double relative) {
  EXPECT_NEAR(actual.first, expected.first,
              relative * std::fabs(expected.first))
      << "lower bound";
  EXPECT_NEAR(actual.second, expected.second,
              relative * std::fabs(expected.second))
      << "upper bound";
}

//===----------------------------------------------------------------------===//
// Names and options
//===----------------------------------------------------------------------===//

TEST(RangeSelectionTest, MethodNames) {
  for (RangeMethod method : {RangeMethod::MinMax, RangeMethod::Percentile,
                             RangeMethod::Entropy, RangeMethod::MSE})
    EXPECT_EQ(parseRangeMethod(getRangeMethodName(method)), method);
  EXPECT_EQ(getRangeMethodName(RangeMethod::MinMax), "minmax");
  EXPECT_EQ(getRangeMethodName(RangeMethod::Percentile), "percentile");
  EXPECT_EQ(getRangeMethodName(RangeMethod::Entropy), "entropy");
  EXPECT_EQ(getRangeMethodName(RangeMethod::MSE), "mse");
  EXPECT_EQ(parseRangeMethod("kl"), std::nullopt);
  EXPECT_EQ(parseRangeMethod("MinMax"), std::nullopt);
}

TEST(RangeSelectionTest, Errors) {
  TensorStatsRecord record = laplaceRecord();
  EXPECT_EQ(
      errorMessage(selectRange(record, options(RangeMethod::MinMax, 1, true))),
      "bits must be between 2 and 16, got 1");
  EXPECT_EQ(
      errorMessage(selectRange(record, options(RangeMethod::MinMax, 17, true))),
      "bits must be between 2 and 16, got 17");
  EXPECT_EQ(errorMessage(selectRange(
                record, options(RangeMethod::Percentile, 8, true, 0))),
            "percentile must be in (0, 100], got 0");
  EXPECT_EQ(errorMessage(selectRange(
                record, options(RangeMethod::Percentile, 8, true, 100.5))),
            "percentile must be in (0, 100], got 100.5");
  EXPECT_EQ(errorMessage(selectRange(record, options(RangeMethod::Percentile, 8,
                                                     true, std::nan("")))),
            "percentile must be in (0, 100], got nan");

  TensorStatsRecord noHistogram;
  noHistogram.count = 3;
  noHistogram.min = -1;
  noHistogram.max = 2;
  EXPECT_EQ(errorMessage(selectRange(noHistogram,
                                     options(RangeMethod::Entropy, 8, true))),
            "range method 'entropy' needs a histogram, but the statistics "
            "have none");
  // MinMax does not need one.
  EXPECT_EQ(expectRange(selectRange(noHistogram,
                                    options(RangeMethod::MinMax, 8, false))),
            Range(-1, 2));

  TensorStatsRecord invalid = noHistogram;
  invalid.min = 3;
  EXPECT_EQ(
      errorMessage(selectRange(invalid, options(RangeMethod::MinMax, 8, true))),
      "min must not exceed max, got min 3 > max 2");
}

//===----------------------------------------------------------------------===//
// MinMax
//===----------------------------------------------------------------------===//

TEST(RangeSelectionTest, MinMaxOfUniformDataIsExact) {
  // 1000 evenly spaced values from -0.3 to 0.699 (f32).
  std::vector<float> values;
  for (int i = 0; i < 1000; ++i)
    values.push_back(static_cast<float>(i / 1000.0 - 0.3));
  TensorStatistics stats;
  ASSERT_FALSE(static_cast<bool>(stats.observe(values.data(), {1000})));
  double lo = static_cast<double>(-0.3f);
  double hi = static_cast<double>(static_cast<float>(999 / 1000.0 - 0.3));
  EXPECT_EQ(
      expectRange(selectRange(stats, options(RangeMethod::MinMax, 8, false))),
      Range(lo, hi));
  EXPECT_EQ(
      expectRange(selectRange(stats, options(RangeMethod::MinMax, 8, true))),
      Range(-hi, hi));
  // A percentile of 100 is the MinMax range.
  EXPECT_EQ(expectRange(selectRange(
                stats, options(RangeMethod::Percentile, 8, false, 100))),
            Range(lo, hi));
  EXPECT_EQ(expectRange(selectRange(
                stats, options(RangeMethod::Percentile, 8, true, 100))),
            Range(-hi, hi));
}

TEST(RangeSelectionTest, MinMaxIsWidenedToContainZero) {
  std::vector<float> values = {2.5f, 3, 4};
  TensorStatistics stats;
  ASSERT_FALSE(static_cast<bool>(stats.observe(values.data(), {3})));
  EXPECT_EQ(
      expectRange(selectRange(stats, options(RangeMethod::MinMax, 8, false))),
      Range(0, 4));
  EXPECT_EQ(
      expectRange(selectRange(stats, options(RangeMethod::MinMax, 8, true))),
      Range(-4, 4));
  std::vector<float> negative = {-2.5f, -3};
  TensorStatistics negativeStats;
  ASSERT_FALSE(static_cast<bool>(negativeStats.observe(negative.data(), {2})));
  EXPECT_EQ(expectRange(selectRange(negativeStats,
                                    options(RangeMethod::MinMax, 8, false))),
            Range(-3, 0));
}

TEST(RangeSelectionTest, AllZeroDataGetsTheRangeOfScaleOne) {
  std::vector<float> zeros(16, 0.0f);
  TensorStatistics stats;
  ASSERT_FALSE(static_cast<bool>(stats.observe(zeros.data(), {4, 4})));
  TensorStatistics nothing; // never observed
  for (RangeMethod method : {RangeMethod::MinMax, RangeMethod::Percentile,
                             RangeMethod::Entropy, RangeMethod::MSE}) {
    for (const TensorStatistics *s : {&stats, &nothing}) {
      // [-qmax, qmax] and [0, 2^bits - 1].
      EXPECT_EQ(expectRange(selectRange(*s, options(method, 8, true))),
                Range(-127, 127));
      EXPECT_EQ(expectRange(selectRange(*s, options(method, 8, false))),
                Range(0, 255));
      EXPECT_EQ(expectRange(selectRange(*s, options(method, 4, true))),
                Range(-7, 7));
      EXPECT_EQ(expectRange(selectRange(*s, options(method, 4, false))),
                Range(0, 15));
    }
  }
}

//===----------------------------------------------------------------------===//
// Percentile
//===----------------------------------------------------------------------===//

TEST(RangeSelectionTest, PercentileOfKnownHistogram) {
  // 10 bins of width 1 over [-5, 5), 10 elements each.
  TensorStatsRecord record =
      makeRecord(1.0, -5, std::vector<int64_t>(10, 10), -4.75, 4.75);
  // |x|: 5 bins of 20. The 90th percentile is 90 of 100: bin 4 (80 before)
  // at 4 + (90 - 80) / 20 = 4.5.
  EXPECT_EQ(expectRange(selectRange(
                record, options(RangeMethod::Percentile, 8, true, 90))),
            Range(-4.5, 4.5));
  // Central 90%: quantiles 0.05 (mass 5: bin 0 at -5 + 5/10 = -4.5) and 0.95
  // (mass 95: bin 9 at 4 + 5/10 = 4.5).
  EXPECT_EQ(expectRange(selectRange(
                record, options(RangeMethod::Percentile, 8, false, 90))),
            Range(-4.5, 4.5));
  // 99.9% of |x| would be 4.995, beyond the data maximum 4.75.
  EXPECT_EQ(expectRange(selectRange(
                record, options(RangeMethod::Percentile, 8, true, 99.9))),
            Range(-4.75, 4.75));
}

TEST(RangeSelectionTest, PercentileOfHistogramOffTheGrid) {
  // Bins of width 0.25 from -0.125: each is split in halves between grid
  // bins [k/4, (k+1)/4). Counts 10, 20, 30, 40 become grid bins -1..3 with
  // 5, 15, 25, 35, 20; |x| bins 0..3 hold 20, 25, 35, 20.
  TensorStatsRecord record;
  record.count = 1;
  record.min = -0.1;
  record.max = 0.8;
  record.histMin = -0.125;
  record.histMax = 0.875;
  record.histogram = {10, 20, 30, 40};
  // Median of |x|: mass 50 in |x| bin 2 (45 before): 0.5 + 5/35 * 0.25 =
  // 15/28.
  Range symmetric = expectRange(
      selectRange(record, options(RangeMethod::Percentile, 8, true, 50)));
  EXPECT_DOUBLE_EQ(symmetric.second, 15.0 / 28);
  EXPECT_DOUBLE_EQ(symmetric.first, -15.0 / 28);
  // Central 50%: quantile 0.25 (mass 25, grid bin 1 = [0.25, 0.5) with 20
  // before: 0.25 + 5/25 * 0.25 = 0.3, widened to 0) and 0.75 (mass 75, grid
  // bin 2 with 45 before: 0.5 + 30/35 * 0.25 = 5/7).
  Range asymmetric = expectRange(
      selectRange(record, options(RangeMethod::Percentile, 8, false, 50)));
  EXPECT_EQ(asymmetric.first, 0.0);
  EXPECT_DOUBLE_EQ(asymmetric.second, 5.0 / 7);
}

TEST(RangeSelectionTest, PercentileMatchesNumPy) {
  constexpr double kRelative = 1e-12;
  struct Case {
    TensorStatsRecord record;
    double percentile;
    Range symmetric, asymmetric;
  };
  Case cases[] = {
      {laplaceRecord(),
       99.9,
       {-1.6801012942521591, 1.6801012942521591},
       {-1.6800960344900382, 1.6801065540142777}},
      {laplaceRecord(),
       99.99,
       {-2.13102340619979, 2.13102340619979},
       {-2.1309858461036058, 2.1310609662957574}},
      {reluRecord(),
       99.9,
       {-1.5521658715892404, 1.5521658715892404},
       {0.0, 1.6578871901939896}},
      {reluRecord(),
       99.99,
       {-1.8319909693666552, 1.8319909693666552},
       {0.0, 1.8752290794514954}},
      {skewRecord(),
       99.9,
       {-3.195061747539838, 3.195061747539838},
       {-0.32564009771865676, 3.441513856240788}},
      {skewRecord(),
       99.99,
       {-3.879821396757855, 3.879821396757855},
       {-0.4572339487761146, 4.002545942125404}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.percentile);
    expectRangeNear(
        expectRange(selectRange(
            c.record, options(RangeMethod::Percentile, 8, true, c.percentile))),
        c.symmetric, kRelative);
    expectRangeNear(
        expectRange(selectRange(c.record, options(RangeMethod::Percentile, 8,
                                                  false, c.percentile))),
        c.asymmetric, kRelative);
  }
}

//===----------------------------------------------------------------------===//
// Entropy
//===----------------------------------------------------------------------===//

TEST(RangeSelectionTest, EntropyDivergenceOfThePaperExample) {
  // Migacz's example: [1 0 2 3 5 3 1 7] in 2 levels expands to
  // Q = [2 0 2 2 4 4 4 4]; with P = bins / 22 and Q / 22, KL(P||Q) =
  // (1 ln(1/2) + 3 ln(3/2) + 5 ln(5/4) + 3 ln(3/4) + 1 ln(1/4) + 7 ln(7/4))
  // / 22 (NumPy: 0.15031526533674186).
  std::vector<double> bins = {1, 0, 2, 3, 5, 3, 1, 7};
  EXPECT_NEAR(getEntropyDivergence(bins, 8, 2), 0.15031526533674186, 1e-15);
  // Keeping 4 bins: P = [1 0 2 3+16] / 22, Q = [1 0 2.5 2.5] / 6 (levels
  // {0, 1} and {2, 3}) -> 0.432013815684512.
  EXPECT_NEAR(getEntropyDivergence(bins, 4, 2), 0.432013815684512, 1e-15);
  // Keeping everything in 8 levels reproduces P exactly.
  EXPECT_EQ(getEntropyDivergence(bins, 8, 8), 0.0);
  // An empty last bin that receives outliers has Q = 0 < P: +infinity.
  EXPECT_EQ(getEntropyDivergence({1, 2, 0, 5}, 3, 1),
            std::numeric_limits<double>::infinity());
}

TEST(RangeSelectionTest, EntropyClipsAFarOutlier) {
  // A decaying bulk 10^5 * (63/64)^j in bins 0..399 and one element in bin
  // 2047 (width 2^-8): every window past the bulk has an empty last bin that
  // receives the outlier (+infinity), the best is the bulk itself: 400 bins,
  // t = 1.5625 (NumPy), a fifth of the maximum 7.998.
  std::vector<int64_t> counts(2048, 0);
  std::vector<int64_t> bulk = geometric(100000, 63, 64, 400);
  std::copy(bulk.begin(), bulk.end(), counts.begin());
  counts[2047] = 1;
  TensorStatsRecord record =
      makeRecord(0x1p-8, 0, counts, 0.0, 2047.5 * 0x1p-8);
  EXPECT_EQ(
      expectRange(selectRange(record, options(RangeMethod::Entropy, 8, true))),
      Range(-1.5625, 1.5625));
  EXPECT_EQ(
      expectRange(selectRange(record, options(RangeMethod::Entropy, 8, false))),
      Range(0.0, 1.5625));
}

TEST(RangeSelectionTest, EntropyMatchesNumPy) {
  struct Case {
    const char *name;
    TensorStatsRecord record;
    unsigned bits;
    Range symmetric, asymmetric;
  };
  Case cases[] = {
      {"laplace", laplaceRecord(), 8, {-2.5, 2.5}, {-2.537109375, 3.908203125}},
      {"laplace", laplaceRecord(), 6, {-2.0, 2.0}, {-1.6484375, 2.53515625}},
      {"relu", reluRecord(), 8, {-1.5, 1.5}, {0.0, 1.5}},
      {"relu", reluRecord(), 6, {-1.5625, 1.5625}, {0.0, 1.5}},
      {"skew", skewRecord(), 8, {-4.1640625, 4.1640625}, {-0.640625, 4.234375}},
      {"skew", skewRecord(), 6, {-3.5, 3.5}, {-0.5546875, 3.6640625}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(std::string(c.name) + " " + std::to_string(c.bits));
    EXPECT_EQ(expectRange(selectRange(
                  c.record, options(RangeMethod::Entropy, c.bits, true))),
              c.symmetric);
    EXPECT_EQ(expectRange(selectRange(
                  c.record, options(RangeMethod::Entropy, c.bits, false))),
              c.asymmetric);
  }
}

TEST(RangeSelectionTest, EntropyWithMoreLevelsThanBinsIsMinMax) {
  // 16 bits: 32768 levels, more than the 1881 occupied |x| bins.
  TensorStatsRecord record = laplaceRecord();
  EXPECT_EQ(
      expectRange(selectRange(record, options(RangeMethod::Entropy, 16, true))),
      Range(-record.max, record.max));
  EXPECT_EQ(expectRange(
                selectRange(record, options(RangeMethod::Entropy, 16, false))),
            Range(record.min, record.max));
}

//===----------------------------------------------------------------------===//
// MSE
//===----------------------------------------------------------------------===//

TEST(RangeSelectionTest, ExpectedSquaredErrorByHand) {
  // One element spread over [0, 1), scale 1, levels 0..1: x in [0, 0.5)
  // rounds to 0, [0.5, 1) to 1: 2 * integral_0^0.5 x^2 = 1/12.
  EXPECT_DOUBLE_EQ(getExpectedSquaredError({1.0}, 0.0, 1.0, 1.0, 0, 1),
                   1.0 / 12);
  // Clipping: 3 elements over [2, 3) with levels up to 1 (x clipped to 1):
  // 3 * integral_2^3 (x - 1)^2 = 3 * (8 - 1) / 3 = 7.
  EXPECT_DOUBLE_EQ(
      getExpectedSquaredError({0.0, 0.0, 3.0}, 0.0, 1.0, 1.0, -1, 1), 7.0);
  // A bin spanning 4 whole cells of width 0.25 centered on levels: [-0.125,
  // 0.875) has 4 * 0.25^3 / 12 per unit density; 2 elements over width 1.
  EXPECT_DOUBLE_EQ(getExpectedSquaredError({2.0}, -0.125, 1.0, 0.25, -8, 8),
                   2.0 * 4 * (0.25 * 0.25 * 0.25 / 12));
}

TEST(RangeSelectionTest, MSEMatchesNumPy) {
  struct Case {
    const char *name;
    TensorStatsRecord record;
    unsigned bits;
    Range symmetric, asymmetric;
  };
  Case cases[] = {
      {"laplace",
       laplaceRecord(),
       8,
       {-2.14453125, 2.14453125},
       {-2.00390625, 3.0859375}},
      {"laplace",
       laplaceRecord(),
       4,
       {-1.1796875, 1.1796875},
       {-0.99609375, 1.53515625}},
      {"relu", reluRecord(), 8, {-1.8046875, 1.8046875}, {0.0, 1.869140625}},
      {"relu", reluRecord(), 4, {-1.125, 1.125}, {0.0, 1.3671875}},
      {"skew",
       skewRecord(),
       8,
       {-3.828125, 3.828125},
       {-0.60546875, 3.9765625}},
      {"skew",
       skewRecord(),
       4,
       {-2.2890625, 2.2890625},
       {-0.41015625, 2.7109375}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(std::string(c.name) + " " + std::to_string(c.bits));
    EXPECT_EQ(expectRange(selectRange(c.record,
                                      options(RangeMethod::MSE, c.bits, true))),
              c.symmetric);
    EXPECT_EQ(expectRange(selectRange(
                  c.record, options(RangeMethod::MSE, c.bits, false))),
              c.asymmetric);
  }
}

/// Phi^-1(u) for 0 < u < 0.5: Abramowitz & Stegun 26.2.23 (error < 4.5e-4)
/// refined by three Newton steps on Phi(x) = erfc(-x / sqrt(2)) / 2.
double inverseNormalLowerHalf(double u) {
  double t = std::sqrt(-2 * std::log(u));
  double x =
      -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
  for (int i = 0; i < 3; ++i) {
    double cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
    double density =
        std::exp(-0.5 * x * x) / std::sqrt(2 * 3.14159265358979323846);
    x -= (cdf - u) / density;
  }
  return x;
}

TEST(RangeSelectionTest, MSEOfGaussianDataClipsNearTheKnownOptimum) {
  // 10^6 N(0, 1) quantiles Phi^-1((i + 0.5) / 10^6) (mirrored so that the
  // set is exactly symmetric), observed in 10 shuffled-by-stride batches.
  constexpr int kCount = 1000000;
  std::vector<float> samples(kCount);
  for (int i = 0; i < kCount / 2; ++i) {
    double x = inverseNormalLowerHalf((i + 0.5) / kCount);
    samples[i] = static_cast<float>(x);
    samples[kCount - 1 - i] = static_cast<float>(-x);
  }
  TensorStatistics stats;
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<float> values;
    for (int i = batch; i < kCount; i += 10)
      values.push_back(samples[(i * 7919LL) % kCount]);
    ASSERT_FALSE(static_cast<bool>(
        stats.observe(values.data(), {static_cast<int64_t>(values.size())})));
  }
  EXPECT_NEAR(stats.getMax(), 4.891638278961182, 1e-6);
  Range range =
      expectRange(selectRange(stats, options(RangeMethod::MSE, 8, true)));
  // The optimum is flat: the error stays within 1% of its minimum over
  // [3.83, 4.02] (NumPy), and the histogram estimate must land there.
  EXPECT_NEAR(range.second, 3.92, 0.1);
  EXPECT_EQ(range.first, -range.second);
  // With 4 bits (levels -7..7) the optimum is much tighter: 2.474 sigma
  // (same NumPy search; within 1% of the minimal error over [2.39, 2.57]).
  Range range4 =
      expectRange(selectRange(stats, options(RangeMethod::MSE, 4, true)));
  EXPECT_NEAR(range4.second, 2.474, 0.09);
}

TEST(RangeSelectionTest, RecordAndStatisticsAgree) {
  std::vector<float> values;
  for (int i = 0; i < 5000; ++i)
    values.push_back(static_cast<float>(std::sin(i * 0.37) * (i % 7 + 1)));
  TensorStatistics stats;
  ASSERT_FALSE(static_cast<bool>(stats.observe(values.data(), {50, 100})));
  TensorStatsRecord record = stats.toRecord();
  for (RangeMethod method : {RangeMethod::MinMax, RangeMethod::Percentile,
                             RangeMethod::Entropy, RangeMethod::MSE}) {
    for (bool symmetric : {true, false}) {
      Range fromStats =
          expectRange(selectRange(stats, options(method, 8, symmetric)));
      Range fromRecord =
          expectRange(selectRange(record, options(method, 8, symmetric)));
      EXPECT_EQ(fromStats, fromRecord);
      EXPECT_LE(fromStats.first, 0.0);
      EXPECT_GE(fromStats.second, 0.0);
      EXPECT_LT(fromStats.first, fromStats.second);
      EXPECT_GE(fromStats.first, -7.0);
      EXPECT_LE(fromStats.second, 7.0);
    }
  }
}

} // namespace
