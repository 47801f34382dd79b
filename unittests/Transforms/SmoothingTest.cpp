//===- SmoothingTest.cpp - SmoothQuant factors and rescaled statistics ----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The arithmetic behind qc-smooth and qc-split-outliers: SmoothQuant's
// factor s_j = max|X_j|^alpha / max|W_j|^(1 - alpha) over a group of layers,
// and the statistics of X / s, of a subset of X's channels and of a clamped
// X. Expected values are worked out by hand in the comments.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Transforms/Smoothing.h"
#include "qcomp/Transforms/Stats.h"

#include "qcomp/Dialect/QC/IR/QCDialect.h"

#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qcomp;

namespace {

class SmoothingTest : public ::testing::Test {
protected:
  SmoothingTest() { context.loadDialect<qc::QCDialect>(); }

  /// Statistics with these channel maxima along axis 1, a histogram and the
  /// given range.
  qc::StatsAttr makeStats(double min, double max,
                          std::vector<double> channelAbsMax) {
    TensorStatsRecord record;
    record.count = 4;
    record.min = min;
    record.max = max;
    record.channelAxis = 1;
    record.channelAbsMax = std::move(channelAbsMax);
    record.histMin = min;
    record.histMax = max;
    record.histogram = {1, 2, 3, 4};
    return getStatsAttr(&context, record);
  }

  /// A layer with a K x N weight and the statistics of its input.
  SmoothingLayer makeLayer(int64_t k, int64_t n, std::vector<float> weight,
                           qc::StatsAttr stats) {
    SmoothingLayer layer;
    layer.name = "fc";
    layer.k = k;
    layer.n = n;
    layer.weight = std::move(weight);
    layer.stats = stats;
    return layer;
  }

  MLIRContext context;
};

// alpha = 0.5: s = sqrt(max|X_j| / max|W_j|). Channel maxima [16, 1], row
// maxima [1, 4]: s = [4, 0.5].
TEST_F(SmoothingTest, HalfAlphaBalancesTheRanges) {
  SmoothingLayer layer =
      makeLayer(2, 2, {1.0f, -0.5f, 4.0f, 2.0f}, makeStats(-16, 12, {16, 1}));
  std::vector<float> factors = getSmoothingFactors({layer}, 0.5, 1e-5);
  ASSERT_EQ(factors.size(), 2u);
  EXPECT_FLOAT_EQ(factors[0], 4.0f);
  EXPECT_FLOAT_EQ(factors[1], 0.5f);
}

// alpha = 1 makes X flat (s = max|X_j|); alpha = 0 divides by the weights'
// maxima only (s = 1 / max|W_j|).
TEST_F(SmoothingTest, AlphaEndpoints) {
  SmoothingLayer layer =
      makeLayer(2, 2, {1.0f, -0.5f, 4.0f, 2.0f}, makeStats(-16, 12, {16, 1}));
  std::vector<float> flat = getSmoothingFactors({layer}, 1.0, 1e-5);
  EXPECT_FLOAT_EQ(flat[0], 16.0f);
  EXPECT_FLOAT_EQ(flat[1], 1.0f);
  std::vector<float> weightsOnly = getSmoothingFactors({layer}, 0.0, 1e-5);
  EXPECT_FLOAT_EQ(weightsOnly[0], 1.0f);
  EXPECT_FLOAT_EQ(weightsOnly[1], 0.25f);
}

// Layers sharing an input (Q, K, V) share one factor over the maxima of
// all of them: row maxima max([1, 4], [2, 0.25]) = [2, 4], channel maxima
// max([16, 1], [4, 9]) = [16, 9]: s = [sqrt(8), 1.5].
TEST_F(SmoothingTest, SharedProducerTakesTheMaximaOfAllLayers) {
  SmoothingLayer q =
      makeLayer(2, 2, {1.0f, -0.5f, 4.0f, 2.0f}, makeStats(-16, 12, {16, 1}));
  SmoothingLayer k = makeLayer(2, 1, {-2.0f, 0.25f}, makeStats(-9, 9, {4, 9}));
  std::vector<float> factors = getSmoothingFactors({q, k}, 0.5, 1e-5);
  EXPECT_FLOAT_EQ(factors[0], std::sqrt(8.0f));
  EXPECT_FLOAT_EQ(factors[1], 1.5f);
}

// A channel that is zero in X or in W has nothing to balance and keeps
// s = 1; the others are clamped to [min-scale, 1 / min-scale].
TEST_F(SmoothingTest, ZeroChannelsKeepOneAndFactorsAreClamped) {
  SmoothingLayer layer = makeLayer(4, 1, {1.0f, 0.0f, 1e-6f, 1.0f},
                                   makeStats(-1e6, 1e6, {0.0, 5.0, 1e6, 1e-8}));
  std::vector<float> factors = getSmoothingFactors({layer}, 0.5, 1e-2);
  EXPECT_FLOAT_EQ(factors[0], 1.0f);   // X channel never non-zero
  EXPECT_FLOAT_EQ(factors[1], 1.0f);   // W row all zero
  EXPECT_FLOAT_EQ(factors[2], 100.0f); // sqrt(1e6 / 1e-6) = 1e6, clamped
  EXPECT_FLOAT_EQ(factors[3], 0.01f);  // sqrt(1e-8) = 1e-4, clamped
}

// X / s: channel maxima [16, 1] / [4, 0.5] = [4, 2]; min and max are
// bounded by the largest channel maximum (4) and by the old range divided
// by the extreme factors (-16 / 0.5, 12 / 0.5); the histogram is dropped.
TEST_F(SmoothingTest, DividedStatisticsFollowTheChannels) {
  qc::StatsAttr stats = makeStats(-16, 12, {16, 1});
  TensorStatsRecord divided =
      getStatsRecord(divideChannelStats(stats, 1, {4.0, 0.5}));
  ASSERT_EQ(divided.channelAbsMax.size(), 2u);
  EXPECT_DOUBLE_EQ(divided.channelAbsMax[0], 4.0);
  EXPECT_DOUBLE_EQ(divided.channelAbsMax[1], 2.0);
  EXPECT_DOUBLE_EQ(divided.min, -4.0);
  EXPECT_DOUBLE_EQ(divided.max, 4.0);
  EXPECT_FALSE(divided.hasHistogram());
  EXPECT_EQ(divided.count, 4);
}

// Without channel maxima along the divided axis only the extreme factors
// bound the range: [-16 / 0.5, 12 / 0.5] for factors in [0.5, 4], and
// [2 / 4, 12 / 0.5] for a positive range.
TEST_F(SmoothingTest, DividedStatisticsWithoutChannelMaxima) {
  qc::StatsAttr stats = makeStats(-16, 12, {16, 1});
  TensorStatsRecord otherAxis =
      getStatsRecord(divideChannelStats(stats, 0, {4.0, 0.5}));
  EXPECT_DOUBLE_EQ(otherAxis.min, -32.0);
  EXPECT_DOUBLE_EQ(otherAxis.max, 24.0);
  TensorStatsRecord positive = getStatsRecord(
      divideChannelStats(makeStats(2, 12, {12, 2}), 0, {4.0, 0.5}));
  EXPECT_DOUBLE_EQ(positive.min, 0.5);
  EXPECT_DOUBLE_EQ(positive.max, 24.0);
}

// The normal channels of a split layer: channels [0, 2] of maxima
// [3, 100, 2] keep [3, 2] and the range shrinks to [-3, 3].
TEST_F(SmoothingTest, SelectedChannelsDropTheOutliers) {
  TensorStatsRecord selected = getStatsRecord(
      selectChannelStats(makeStats(-100, 50, {3, 100, 2}), {0, 2}));
  ASSERT_EQ(selected.channelAbsMax.size(), 2u);
  EXPECT_DOUBLE_EQ(selected.channelAbsMax[0], 3.0);
  EXPECT_DOUBLE_EQ(selected.channelAbsMax[1], 2.0);
  EXPECT_DOUBLE_EQ(selected.min, -3.0);
  EXPECT_DOUBLE_EQ(selected.max, 3.0);
  EXPECT_FALSE(selected.hasHistogram());
}

// Dynamic splitting bounds the normal part to [-t, t]: range and channel
// maxima clamp at 6.
TEST_F(SmoothingTest, ClampedStatistics) {
  TensorStatsRecord clamped =
      getStatsRecord(clampStats(makeStats(-100, 4, {3, 100, 2}), -6, 6));
  EXPECT_DOUBLE_EQ(clamped.min, -6.0);
  EXPECT_DOUBLE_EQ(clamped.max, 4.0);
  EXPECT_DOUBLE_EQ(clamped.channelAbsMax[0], 3.0);
  EXPECT_DOUBLE_EQ(clamped.channelAbsMax[1], 6.0);
  EXPECT_DOUBLE_EQ(clamped.channelAbsMax[2], 2.0);
}

} // namespace
