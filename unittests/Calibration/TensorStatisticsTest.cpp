//===- TensorStatisticsTest.cpp - Tests for TensorStatistics --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Checks TensorStatistics against values worked out by hand (the derivation
// is next to each case) and against an independent recount: after any
// sequence of re-binnings, the histogram must equal a direct count of every
// value seen into the final window, bin floor(x / w) - start.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Calibration/TensorStatistics.h"

#include "qcomp/Runtime/HostTensor.h"

#include "llvm/Support/Error.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace mlir::qcomp;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// Fails the test on an error.
void expectSuccess(llvm::Error error) {
  if (error)
    ADD_FAILURE() << "unexpected error: " << llvm::toString(std::move(error));
}

/// Returns the message of an error that is expected ("" if there is none).
std::string errorMessage(llvm::Error error) {
  if (!error) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(std::move(error));
}

/// Observes a rank-1 buffer.
void observe(TensorStatistics &stats, const std::vector<float> &values) {
  expectSuccess(
      stats.observe(values.data(), {static_cast<int64_t>(values.size())}));
}

std::vector<int64_t> getBins(const TensorStatistics &stats) {
  llvm::ArrayRef<int64_t> bins = stats.getHistogram();
  return std::vector<int64_t>(bins.begin(), bins.end());
}

/// True when the two doubles have the same bits.
bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// Deterministic pseudo-random numbers in [0, 1) (a 64-bit LCG, top bits).
class Lcg {
public:
  explicit Lcg(uint64_t seed) : state(seed) {}
  double next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1p-53;
  }

private:
  uint64_t state;
};

//===----------------------------------------------------------------------===//
// Min, max, counts
//===----------------------------------------------------------------------===//

TEST(TensorStatisticsTest, MinMaxCountAndNonFinite) {
  TensorStatistics stats;
  EXPECT_EQ(stats.getCount(), 0);
  EXPECT_FALSE(stats.hasValues());

  std::vector<float> first = {1.5f, kNaN, -2.0f, kInf, 0.25f, -kInf};
  expectSuccess(stats.observe(first.data(), {2, 3}));
  EXPECT_EQ(stats.getCount(), 1);
  EXPECT_EQ(stats.getNonFinite(), 3);
  EXPECT_EQ(stats.getNumValues(), 3);
  EXPECT_EQ(stats.getMin(), -2.0);
  EXPECT_EQ(stats.getMax(), 1.5);

  observe(stats, {3.0f, kNaN, -0.5f});
  EXPECT_EQ(stats.getCount(), 2);
  EXPECT_EQ(stats.getNonFinite(), 4);
  EXPECT_EQ(stats.getNumValues(), 5);
  EXPECT_EQ(stats.getMin(), -2.0);
  EXPECT_EQ(stats.getMax(), 3.0);

  // Non-finite values are not in the histogram either.
  int64_t total = 0;
  for (int64_t bin : stats.getHistogram())
    total += bin;
  EXPECT_EQ(total, 5);
  EXPECT_EQ(stats.getHistogram().size(), 2048u);
}

TEST(TensorStatisticsTest, OnlyNonFiniteValues) {
  TensorStatistics stats;
  observe(stats, {kNaN, kInf, -kInf});
  EXPECT_EQ(stats.getCount(), 1);
  EXPECT_EQ(stats.getNonFinite(), 3);
  EXPECT_FALSE(stats.hasValues());
  EXPECT_TRUE(stats.getHistogram().empty());
  TensorStatsRecord record = stats.toRecord();
  EXPECT_EQ(record.min, 0.0);
  EXPECT_EQ(record.max, 0.0);
  EXPECT_FALSE(record.hasHistogram());

  // The first finite values then start the histogram.
  observe(stats, {-1.0f, 2.0f});
  EXPECT_EQ(stats.getMin(), -1.0);
  EXPECT_EQ(stats.getMax(), 2.0);
  EXPECT_EQ(stats.getNonFinite(), 3);
}

TEST(TensorStatisticsTest, EmptyObservationCounts) {
  TensorStatistics stats(/*channelAxis=*/1);
  expectSuccess(stats.observe(nullptr, {0, 4}));
  EXPECT_EQ(stats.getCount(), 1);
  EXPECT_FALSE(stats.hasValues());
  // The channel count is still fixed by the shape.
  EXPECT_EQ(stats.getChannelAbsMax(), llvm::ArrayRef<double>({0, 0, 0, 0}));
  std::vector<float> data = {1, 2, 3};
  EXPECT_EQ(errorMessage(stats.observe(data.data(), {1, 3})),
            "observation of shape 1x3 has 3 channels along axis 1, but "
            "earlier observations had 4");
}

TEST(TensorStatisticsTest, ScalarObservation) {
  TensorStatistics stats;
  float value = -7.25f;
  expectSuccess(stats.observe(&value, {}));
  EXPECT_EQ(stats.getMin(), -7.25);
  EXPECT_EQ(stats.getMax(), -7.25);
  EXPECT_EQ(stats.getNumValues(), 1);
}

//===----------------------------------------------------------------------===//
// Per-channel absolute maximum
//===----------------------------------------------------------------------===//

TEST(TensorStatisticsTest, ChannelAbsMaxAlongLastAxis) {
  TensorStatistics stats(/*channelAxis=*/1);
  // Rows are [1, -5, 2] and [-3, 4, NaN]: channel maxima 3, 5, 2.
  std::vector<float> first = {1, -5, 2, -3, 4, kNaN};
  expectSuccess(stats.observe(first.data(), {2, 3}));
  EXPECT_EQ(stats.getChannelAbsMax(), llvm::ArrayRef<double>({3, 5, 2}));
  // A second observation with a different batch size but 3 channels:
  // channel maxima 0.5, 1, 6 -> running maxima 3, 5, 6.
  std::vector<float> second = {0.5f, -1, -6};
  expectSuccess(stats.observe(second.data(), {1, 3}));
  EXPECT_EQ(stats.getChannelAbsMax(), llvm::ArrayRef<double>({3, 5, 6}));
  EXPECT_EQ(stats.getMin(), -6.0);
  EXPECT_EQ(stats.getMax(), 4.0);
}

TEST(TensorStatisticsTest, ChannelAbsMaxAlongMiddleAxis) {
  TensorStatistics stats(/*channelAxis=*/1);
  // Shape 2x3x2; element [o][c][i] = values[(o * 3 + c) * 2 + i].
  // Channel 0: {1, -2, 7, 0} -> 7; channel 1: {3, kInf, -8, 1} -> 8 (the
  // infinity is excluded); channel 2: {NaN, NaN, 0.5, -0.25} -> 0.5.
  std::vector<float> values = {1, -2, 3,  kInf, kNaN, kNaN,
                               7, 0,  -8, 1,    0.5f, -0.25f};
  expectSuccess(stats.observe(values.data(), {2, 3, 2}));
  EXPECT_EQ(stats.getChannelAbsMax(), llvm::ArrayRef<double>({7, 8, 0.5}));
  EXPECT_EQ(stats.getNonFinite(), 3);
  TensorStatsRecord record = stats.toRecord();
  EXPECT_EQ(record.channelAxis, std::optional<int64_t>(1));
  EXPECT_EQ(record.channelAbsMax, std::vector<double>({7, 8, 0.5}));
}

TEST(TensorStatisticsTest, ChannelWithoutFiniteValuesIsZero) {
  TensorStatistics stats(/*channelAxis=*/0);
  std::vector<float> values = {kNaN, kInf, -1.5f, 2};
  expectSuccess(stats.observe(values.data(), {2, 2}));
  EXPECT_EQ(stats.getChannelAbsMax(), llvm::ArrayRef<double>({0, 2}));
}

TEST(TensorStatisticsTest, ChannelCountMismatchLeavesStatisticsUnchanged) {
  TensorStatistics stats(/*channelAxis=*/1);
  std::vector<float> first = {1, 2, 3, 4, 5, 6};
  expectSuccess(stats.observe(first.data(), {2, 3}));
  TensorStatsRecord before = stats.toRecord();

  std::vector<float> second = {100, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(errorMessage(stats.observe(second.data(), {2, 4})),
            "observation of shape 2x4 has 4 channels along axis 1, but "
            "earlier observations had 3");
  EXPECT_EQ(stats.toRecord(), before);
  EXPECT_EQ(stats.getCount(), 1);
  EXPECT_EQ(stats.getMax(), 6.0);
}

TEST(TensorStatisticsTest, ShapeErrors) {
  std::vector<float> data(16, 1.0f);
  TensorStatistics stats(/*channelAxis=*/2);
  EXPECT_EQ(errorMessage(stats.observe(data.data(), {4, 4})),
            "channel axis 2 is out of range for an observation of shape 4x4");
  EXPECT_EQ(errorMessage(stats.observe(data.data(), {})),
            "channel axis 2 is out of range for an observation of shape "
            "scalar");
  TensorStatistics plain;
  EXPECT_EQ(errorMessage(plain.observe(data.data(), {4, -4})),
            "dimension 1 of the observed shape 4x-4 is negative");
  EXPECT_EQ(errorMessage(plain.observe(nullptr, {2})),
            "observation of shape 2 has no data");
  TensorStatistics badAxis(/*channelAxis=*/-2);
  EXPECT_EQ(errorMessage(badAxis.observe(data.data(), {16})),
            "channel axis must be -1 (none) or non-negative, got -2");
  EXPECT_EQ(stats.getCount(), 0);
  EXPECT_EQ(plain.getCount(), 0);
}

TEST(TensorStatisticsTest, HostTensor) {
  HostTensor tensor(HostElementType::F32, {2, 2});
  float *data = tensor.data<float>();
  data[0] = -3;
  data[3] = 9;
  TensorStatistics stats;
  expectSuccess(stats.observe(tensor));
  EXPECT_EQ(stats.getMin(), -3.0);
  EXPECT_EQ(stats.getMax(), 9.0);
  EXPECT_EQ(stats.getNumValues(), 4);

  HostTensor ints(HostElementType::I8, {2});
  EXPECT_EQ(errorMessage(stats.observe(ints)),
            "calibration statistics observe float32 tensors, got int8[2]");
}

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

TEST(TensorStatisticsTest, HistogramGrowsByMergingPairs) {
  TensorStatistics stats(/*channelAxis=*/-1, /*numBins=*/8);
  // w0 = (7 - 0) / (8 - 1) = 1, start floor(0 / 1) = 0: one value per bin.
  observe(stats, {0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(stats.getBinWidth(), 1.0);
  EXPECT_EQ(stats.getBinStart(), 0);
  EXPECT_EQ(getBins(stats), std::vector<int64_t>({1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(stats.getHistMin(), 0.0);
  EXPECT_EQ(stats.getHistMax(), 8.0);

  // 15 is grid bin 15 at w = 1 (span 0..15 = 16 bins > 8); at w = 2 it is
  // bin 7 and the old bins pair up: [2, 2, 2, 2, 0, 0, 0, 1].
  observe(stats, {15});
  EXPECT_EQ(stats.getBinWidth(), 2.0);
  EXPECT_EQ(stats.getBinStart(), 0);
  EXPECT_EQ(getBins(stats), std::vector<int64_t>({2, 2, 2, 2, 0, 0, 0, 1}));

  // -1 is bin -1 at w = 2 (span -1..7 = 9 bins); at w = 4 the data spans
  // bins -1..3, the window starts at -1 ([-4, 28)), old bins k -> k / 2:
  // [1 (the -1), 4, 4, 0, 1, 0, 0, 0].
  observe(stats, {-1});
  EXPECT_EQ(stats.getBinWidth(), 4.0);
  EXPECT_EQ(stats.getBinStart(), -1);
  EXPECT_EQ(getBins(stats), std::vector<int64_t>({1, 4, 4, 0, 1, 0, 0, 0}));
  EXPECT_EQ(stats.getHistMin(), -4.0);
  EXPECT_EQ(stats.getHistMax(), 28.0);
  EXPECT_EQ(stats.getNumValues(), 10);
}

TEST(TensorStatisticsTest, HistogramWindowSlidesWithoutRebinning) {
  TensorStatistics stats(/*channelAxis=*/-1, /*numBins=*/8);
  // w0 = 0.875 / 7 = 0.125; 1 and 1.875 are grid bins 8 and 15.
  observe(stats, {1, 1.875f});
  EXPECT_EQ(stats.getBinWidth(), 0.125);
  EXPECT_EQ(stats.getBinStart(), 8);
  EXPECT_EQ(getBins(stats), std::vector<int64_t>({1, 0, 0, 0, 0, 0, 0, 1}));
  // 0.9375 is bin 7 (span 7..15 = 9); at w = 0.25 the bins are 3 (new), 4
  // and 7: window [3, 11).
  observe(stats, {0.9375f});
  EXPECT_EQ(stats.getBinWidth(), 0.25);
  EXPECT_EQ(stats.getBinStart(), 3);
  EXPECT_EQ(getBins(stats), std::vector<int64_t>({1, 1, 0, 0, 1, 0, 0, 0}));
  // 0.5 is bin 2: 2..7 fits in 8 bins at the same width, so the window only
  // slides to start at 2.
  observe(stats, {0.5f});
  EXPECT_EQ(stats.getBinWidth(), 0.25);
  EXPECT_EQ(stats.getBinStart(), 2);
  EXPECT_EQ(getBins(stats), std::vector<int64_t>({1, 1, 1, 0, 0, 1, 0, 0}));
  // Values inside the window change nothing but counts.
  observe(stats, {2.25f});
  EXPECT_EQ(stats.getBinStart(), 2);
  EXPECT_EQ(getBins(stats), std::vector<int64_t>({1, 1, 1, 0, 0, 1, 0, 1}));
}

TEST(TensorStatisticsTest, RebinningMatchesDirectCount) {
  // Many observations with growing, drifting ranges through a small
  // histogram (many re-binnings); the result must equal counting every value
  // directly into the final window.
  TensorStatistics stats(/*channelAxis=*/-1, /*numBins=*/64);
  Lcg lcg(42);
  std::vector<float> all;
  double amplitude = 0.01;
  for (int step = 0; step < 25; ++step) {
    std::vector<float> values(97);
    double center = (step % 3 == 0 ? -1 : 1) * amplitude * 0.3;
    for (float &value : values)
      value = static_cast<float>(center + amplitude * (2 * lcg.next() - 1));
    if (step == 7)
      values[5] = 0.0f; // an exact zero (a grid edge)
    observe(stats, values);
    all.insert(all.end(), values.begin(), values.end());
    amplitude *= 1.6;

    double width = stats.getBinWidth();
    int64_t start = stats.getBinStart();
    std::vector<int64_t> expected(64, 0);
    for (float value : all) {
      int64_t bin =
          static_cast<int64_t>(std::floor(static_cast<double>(value) / width)) -
          start;
      ASSERT_GE(bin, 0) << "step " << step;
      ASSERT_LT(bin, 64) << "step " << step;
      ++expected[bin];
    }
    ASSERT_EQ(getBins(stats), expected) << "step " << step;
    ASSERT_EQ(stats.getNumValues(), static_cast<int64_t>(all.size()));
  }
  // The range grew by 1.6^24 ~ 8e4: the width must have doubled many times
  // from its initial value, and the window must still cover min and max.
  EXPECT_LE(stats.getHistMin(), stats.getMin());
  EXPECT_GT(stats.getHistMax(), stats.getMax());
}

TEST(TensorStatisticsTest, ConstantFirstObservation) {
  TensorStatistics stats;
  observe(stats, {5, 5, 5});
  // w0 = max(0, 5 * 2^-24, 2^-126) = 5 * 2^-24 (exact in 20 bits), start =
  // 5 / w0 = 2^24: all three values in bin 0.
  EXPECT_EQ(stats.getBinWidth(), 5 * 0x1p-24);
  EXPECT_EQ(stats.getBinStart(), int64_t(1) << 24);
  EXPECT_EQ(stats.getHistMin(), 5.0);
  EXPECT_EQ(stats.getHistMax(), 5.0 + 2048 * 5 * 0x1p-24);
  EXPECT_EQ(stats.getHistogram()[0], 3);

  // [-3, 9] needs 12 / w <= 2048 bins: w = 5 * 2^-24 * 2^15 = 5 * 2^-9
  // (2^14 gives bins -615..1843, too many); then -3 -> bin -308, 5 -> bin
  // 2^24 / 2^15 = 512, 9 -> bin 921.
  observe(stats, {-3, 9});
  EXPECT_EQ(stats.getBinWidth(), 5 * 0x1p-9);
  EXPECT_EQ(stats.getBinStart(), -308);
  EXPECT_EQ(stats.getHistogram()[0], 1);
  EXPECT_EQ(stats.getHistogram()[512 + 308], 3);
  EXPECT_EQ(stats.getHistogram()[921 + 308], 1);
  EXPECT_EQ(stats.getMin(), -3.0);
  EXPECT_EQ(stats.getMax(), 9.0);
}

TEST(TensorStatisticsTest, AllZeroFirstObservation) {
  TensorStatistics stats;
  observe(stats, {0.0f, -0.0f, 0.0f});
  EXPECT_EQ(stats.getMin(), 0.0);
  EXPECT_FALSE(std::signbit(stats.getMin())) << "min must not be -0";
  EXPECT_FALSE(std::signbit(stats.getMax()));
  // The width of a constant 0 is the smallest normal f32.
  EXPECT_EQ(stats.getBinWidth(), 0x1p-126);
  EXPECT_EQ(stats.getBinStart(), 0);
  EXPECT_EQ(stats.getHistogram()[0], 3);
  EXPECT_EQ(stats.getHistMax(), 2048 * 0x1p-126);

  // 1 needs 1 / w < 2048: w = 2^-10; 1 lands in bin 1024.
  observe(stats, {1.0f});
  EXPECT_EQ(stats.getBinWidth(), 0x1p-10);
  EXPECT_EQ(stats.getBinStart(), 0);
  EXPECT_EQ(stats.getHistogram()[0], 3);
  EXPECT_EQ(stats.getHistogram()[1024], 1);
}

TEST(TensorStatisticsTest, NegativeZeroDoesNotDependOnOrder) {
  TensorStatistics a, b;
  observe(a, {-0.0f, 0.0f, 2});
  observe(b, {0.0f, -0.0f, 2});
  EXPECT_TRUE(sameBits(a.getMin(), b.getMin()));
  EXPECT_TRUE(sameBits(a.getMin(), 0.0));
}

TEST(TensorStatisticsTest, Deterministic) {
  auto run = [] {
    TensorStatistics stats(/*channelAxis=*/1, /*numBins=*/256);
    Lcg lcg(7);
    for (int step = 0; step < 10; ++step) {
      std::vector<float> values(6 * 5);
      for (float &value : values)
        value = static_cast<float>((lcg.next() - 0.4) * (step + 1) * 3.7);
      values[step] = step % 2 ? kNaN : -kInf;
      expectSuccess(stats.observe(values.data(), {6, 5}));
    }
    return stats.toRecord();
  };
  TensorStatsRecord first = run(), second = run();
  EXPECT_EQ(first, second);
  EXPECT_TRUE(sameBits(first.min, second.min));
  EXPECT_TRUE(sameBits(first.max, second.max));
  EXPECT_TRUE(sameBits(first.histMin, second.histMin));
  EXPECT_TRUE(sameBits(first.histMax, second.histMax));
  EXPECT_EQ(first.nonFinite, 10);
  EXPECT_EQ(first.count, 10);
}

//===----------------------------------------------------------------------===//
// Records
//===----------------------------------------------------------------------===//

TEST(TensorStatisticsTest, FromRecordContinuesBitExactly) {
  Lcg lcg(3);
  std::vector<std::vector<float>> batches;
  for (int step = 0; step < 8; ++step) {
    std::vector<float> values(40);
    for (float &value : values)
      value = static_cast<float>((lcg.next() - 0.3) * (1 << step));
    batches.push_back(values);
  }
  TensorStatistics whole(/*channelAxis=*/0, /*numBins=*/128);
  TensorStatistics firstHalf(/*channelAxis=*/0, /*numBins=*/128);
  for (int step = 0; step < 8; ++step) {
    expectSuccess(whole.observe(batches[step].data(), {4, 10}));
    if (step < 4)
      expectSuccess(firstHalf.observe(batches[step].data(), {4, 10}));
  }
  llvm::Expected<TensorStatistics> resumed =
      TensorStatistics::fromRecord(firstHalf.toRecord());
  ASSERT_TRUE(static_cast<bool>(resumed))
      << llvm::toString(resumed.takeError());
  EXPECT_EQ(resumed->toRecord(), firstHalf.toRecord());
  EXPECT_EQ(resumed->getNumBins(), 128u);
  EXPECT_EQ(resumed->getNumValues(), 160);
  for (int step = 4; step < 8; ++step)
    expectSuccess(resumed->observe(batches[step].data(), {4, 10}));
  EXPECT_EQ(resumed->toRecord(), whole.toRecord());
}

TEST(TensorStatisticsTest, FromRecordErrors) {
  TensorStatsRecord offGrid;
  offGrid.count = 1;
  offGrid.min = 0.2;
  offGrid.max = 0.8;
  offGrid.histMin = 0.125;
  offGrid.histMax = 0.875; // w = 0.1875, start = 2/3
  offGrid.histogram = {1, 0, 0, 1};
  llvm::Expected<TensorStatistics> result =
      TensorStatistics::fromRecord(offGrid);
  EXPECT_EQ(errorMessage(result.takeError()),
            "histogram range [0.125, 0.875] with 4 bins is not on a grid of "
            "multiples of its bin width");

  TensorStatsRecord noHistogram;
  noHistogram.count = 2;
  noHistogram.min = -1;
  noHistogram.max = 1;
  result = TensorStatistics::fromRecord(noHistogram);
  EXPECT_EQ(errorMessage(result.takeError()),
            "statistics with finite values (min -1, max 1) but no histogram "
            "cannot be continued");

  TensorStatsRecord invalid;
  invalid.min = 2;
  invalid.max = 1;
  result = TensorStatistics::fromRecord(invalid);
  EXPECT_EQ(errorMessage(result.takeError()),
            "min must not exceed max, got min 2 > max 1");

  TensorStatsRecord outside;
  outside.count = 1;
  outside.min = -3; // below hist_min
  outside.max = 1;
  outside.histMin = -2;
  outside.histMax = 2;
  outside.histogram = {1, 0, 0, 1};
  result = TensorStatistics::fromRecord(outside);
  EXPECT_EQ(errorMessage(result.takeError()),
            "min -3 and max 1 must lie inside the histogram range [-2, 2)");
}

TEST(TensorStatisticsTest, VerifyRecord) {
  TensorStatsRecord record;
  expectSuccess(verifyTensorStatsRecord(record));
  record.count = -1;
  EXPECT_EQ(errorMessage(verifyTensorStatsRecord(record)),
            "count must be non-negative, got -1");
  record.count = 1;
  record.channelAbsMax = {1};
  EXPECT_EQ(errorMessage(verifyTensorStatsRecord(record)),
            "channel_absmax needs a channel_axis");
  record.channelAxis = 0;
  record.channelAbsMax = {1, -0.5};
  EXPECT_EQ(errorMessage(verifyTensorStatsRecord(record)),
            "channel_absmax of channel 1 must be finite and non-negative, got "
            "-0.5");
  record.channelAbsMax = {1, 0.5};
  record.histogram = {1, 2};
  record.histMin = 1;
  record.histMax = 1;
  EXPECT_EQ(errorMessage(verifyTensorStatsRecord(record)),
            "hist_min and hist_max must be finite with hist_min < hist_max, "
            "got [1, 1]");
  record.histMax = 3;
  record.histogram = {1, -2};
  EXPECT_EQ(errorMessage(verifyTensorStatsRecord(record)),
            "histogram bin 1 must be non-negative, got -2");
  record.histogram = {1, 2};
  record.max = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(errorMessage(verifyTensorStatsRecord(record)),
            "min and max must be finite, got [0, nan]");
}

} // namespace
