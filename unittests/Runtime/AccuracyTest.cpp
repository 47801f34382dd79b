//===- AccuracyTest.cpp - Tests for the accuracy metrics ------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Checks AccuracyAccumulator against values computed by hand (each in the
// comment above its expectation): SQNR, cosine similarity and max abs error
// of one and of several samples, the limits (identical tensors, an all-zero
// reference, all-zero tensors), NaN mismatches, integer tensors, and the
// errors for mismatched element types and shapes.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Runtime/Accuracy.h"

#include "gtest/gtest.h"

#include <cmath>
#include <initializer_list>
#include <limits>

using namespace mlir::qcomp;

namespace {

HostTensor makeF32(llvm::ArrayRef<int64_t> shape,
                   std::initializer_list<float> values) {
  HostTensor tensor(HostElementType::F32, shape);
  float *data = tensor.data<float>();
  for (float value : values)
    *data++ = value;
  return tensor;
}

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr float fnan = std::numeric_limits<float>::quiet_NaN();

TEST(AccuracyTest, OneSample) {
  AccuracyAccumulator acc("y");
  // ref = [3, 4], test = [3, 3]: signal 9 + 16 = 25, noise 1,
  // SQNR = 10 log10(25) = 13.9794 dB; dot 9 + 12 = 21,
  // cosine = 21 / (5 * sqrt(18)) = 0.989949; max abs error 1.
  ASSERT_FALSE(bool(acc.add(makeF32({2}, {3, 4}), makeF32({2}, {3, 3}))));
  AccuracyMetrics m = acc.getMetrics();
  EXPECT_NEAR(m.sqnr, 13.979400, 1e-6);
  EXPECT_NEAR(m.cosine, 0.989949, 1e-6);
  EXPECT_DOUBLE_EQ(m.maxAbsError, 1.0);
  EXPECT_EQ(m.numElements, 2);
  EXPECT_EQ(m.numSamples, 1);
  EXPECT_EQ(m.numNaNMismatches, 0);
  EXPECT_TRUE(m.meets(13.9));
  EXPECT_FALSE(m.meets(14.0));
}

TEST(AccuracyTest, SumsOverSamples) {
  AccuracyAccumulator acc("y");
  // Sample 1: ref [1, 0], test [1, 0.5]; sample 2: ref [0, 2], test [0, 2].
  // Signal 1 + 4 = 5, noise 0.25: SQNR = 10 log10(20) = 13.0103 dB (not the
  // mean of the per-sample ratios, 6.02 and inf). Dot 1 + 4 = 5, test energy
  // 1 + 0.25 + 4 = 5.25: cosine = 5 / sqrt(5 * 5.25) = 0.975900.
  ASSERT_FALSE(
      bool(acc.add(makeF32({1, 2}, {1, 0}), makeF32({1, 2}, {1, 0.5}))));
  ASSERT_FALSE(bool(acc.add(makeF32({1, 2}, {0, 2}), makeF32({1, 2}, {0, 2}))));
  AccuracyMetrics m = acc.getMetrics();
  EXPECT_NEAR(m.sqnr, 13.010300, 1e-6);
  EXPECT_NEAR(m.cosine, 0.975900, 1e-6);
  EXPECT_DOUBLE_EQ(m.maxAbsError, 0.5);
  EXPECT_EQ(m.numElements, 4);
  EXPECT_EQ(m.numSamples, 2);
}

TEST(AccuracyTest, NegativeSqnrAndCosine) {
  AccuracyAccumulator acc("y");
  // ref [1, -1], test [-1, 1]: noise 4 + 4 = 8, signal 2,
  // SQNR = 10 log10(0.25) = -6.0206 dB; cosine -1; max abs error 2.
  ASSERT_FALSE(bool(acc.add(makeF32({2}, {1, -1}), makeF32({2}, {-1, 1}))));
  AccuracyMetrics m = acc.getMetrics();
  EXPECT_NEAR(m.sqnr, -6.020600, 1e-6);
  EXPECT_DOUBLE_EQ(m.cosine, -1.0);
  EXPECT_DOUBLE_EQ(m.maxAbsError, 2.0);
}

TEST(AccuracyTest, IdenticalIsInfinite) {
  AccuracyAccumulator acc("y");
  ASSERT_FALSE(
      bool(acc.add(makeF32({3}, {1, -2, 0.5f}), makeF32({3}, {1, -2, 0.5f}))));
  AccuracyMetrics m = acc.getMetrics();
  EXPECT_EQ(m.sqnr, inf);
  EXPECT_DOUBLE_EQ(m.cosine, 1.0);
  EXPECT_DOUBLE_EQ(m.maxAbsError, 0.0);
  EXPECT_TRUE(m.meets(1000));
  EXPECT_EQ(formatMetric(m.sqnr), "inf");
}

TEST(AccuracyTest, ZeroReference) {
  // All zero on both sides: identical.
  AccuracyAccumulator zeros("y");
  ASSERT_FALSE(bool(zeros.add(makeF32({2}, {0, 0}), makeF32({2}, {0, 0}))));
  EXPECT_EQ(zeros.getMetrics().sqnr, inf);
  EXPECT_DOUBLE_EQ(zeros.getMetrics().cosine, 1.0);

  // A zero reference and a nonzero test: no signal, some noise.
  AccuracyAccumulator acc("y");
  ASSERT_FALSE(bool(acc.add(makeF32({2}, {0, 0}), makeF32({2}, {0, 0.25f}))));
  AccuracyMetrics m = acc.getMetrics();
  EXPECT_EQ(m.sqnr, -inf);
  EXPECT_DOUBLE_EQ(m.cosine, 0.0);
  EXPECT_DOUBLE_EQ(m.maxAbsError, 0.25);
  EXPECT_FALSE(m.meets(-1000));
  EXPECT_EQ(formatMetric(m.sqnr), "-inf");
}

TEST(AccuracyTest, NaNInTestFails) {
  AccuracyAccumulator acc("y");
  // The NaN element is counted and left out of the max abs error (|4 - 3|).
  ASSERT_FALSE(
      bool(acc.add(makeF32({3}, {1, 2, 4}), makeF32({3}, {1, fnan, 3}))));
  AccuracyMetrics m = acc.getMetrics();
  EXPECT_EQ(m.numNaNMismatches, 1);
  EXPECT_TRUE(std::isnan(m.sqnr));
  EXPECT_TRUE(std::isnan(m.cosine));
  EXPECT_DOUBLE_EQ(m.maxAbsError, 1.0);
  EXPECT_FALSE(m.meets(-inf));
  EXPECT_EQ(formatMetric(m.sqnr), "nan");
}

TEST(AccuracyTest, NaNOnBothSidesAgrees) {
  AccuracyAccumulator acc("y");
  ASSERT_FALSE(bool(acc.add(makeF32({2}, {fnan, 2}), makeF32({2}, {fnan, 2}))));
  AccuracyMetrics m = acc.getMetrics();
  EXPECT_EQ(m.numNaNMismatches, 0);
  EXPECT_EQ(m.sqnr, inf);
}

TEST(AccuracyTest, EqualInfinitiesAgree) {
  AccuracyAccumulator acc("y");
  float finf = std::numeric_limits<float>::infinity();
  ASSERT_FALSE(bool(acc.add(makeF32({2}, {finf, 1}), makeF32({2}, {finf, 1}))));
  AccuracyMetrics m = acc.getMetrics();
  EXPECT_EQ(m.sqnr, inf);
  EXPECT_DOUBLE_EQ(m.maxAbsError, 0.0);
}

TEST(AccuracyTest, IntegerTensors) {
  // int8 ref [10, -20], test [12, -20]: signal 500, noise 4,
  // SQNR = 10 log10(125) = 20.9691 dB.
  HostTensor ref(HostElementType::I8, {2}), test(HostElementType::I8, {2});
  ref.data<int8_t>()[0] = 10;
  ref.data<int8_t>()[1] = -20;
  test.data<int8_t>()[0] = 12;
  test.data<int8_t>()[1] = -20;
  AccuracyAccumulator acc("q");
  ASSERT_FALSE(bool(acc.add(ref, test)));
  EXPECT_NEAR(acc.getMetrics().sqnr, 20.969100, 1e-6);
  EXPECT_DOUBLE_EQ(acc.getMetrics().maxAbsError, 2.0);
}

TEST(AccuracyTest, ShapeMismatchNamesTheTensor) {
  AccuracyAccumulator acc("logits");
  llvm::Error err = acc.add(makeF32({2}, {1, 2}), makeF32({1, 2}, {1, 2}));
  ASSERT_TRUE(bool(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            "'logits': the reference is float32[2] but the compared tensor "
            "is float32[1x2]");
  // Nothing was added.
  EXPECT_EQ(acc.getMetrics().numSamples, 0);
}

TEST(AccuracyTest, ElementTypeMismatchNamesTheTensor) {
  AccuracyAccumulator acc("logits");
  HostTensor test(HostElementType::F64, {2});
  llvm::Error err = acc.add(makeF32({2}, {1, 2}), test);
  ASSERT_TRUE(bool(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            "'logits': the reference is float32[2] but the compared tensor "
            "is float64[2]");
}

TEST(AccuracyTest, ShapeChangeBetweenSamples) {
  AccuracyAccumulator acc("y");
  ASSERT_FALSE(bool(acc.add(makeF32({2}, {1, 2}), makeF32({2}, {1, 2}))));
  llvm::Error err = acc.add(makeF32({3}, {1, 2, 3}), makeF32({3}, {1, 2, 3}));
  ASSERT_TRUE(bool(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            "'y': float32[3] in this sample but float32[2] in earlier ones");
}

TEST(AccuracyTest, FormatMetric) {
  EXPECT_EQ(formatMetric(13.97940008), "13.98");
  EXPECT_EQ(formatMetric(0.98994949, 6), "0.989949");
  EXPECT_EQ(formatMetric(-6.0206), "-6.02");
}

} // namespace
