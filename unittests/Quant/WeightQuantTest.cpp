//===- WeightQuantTest.cpp - Tests for weight quantization ----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Checks WeightQuant against independently derived values: small cases worked
// out by hand (the derivation is in the comment next to each), and random
// weights compared with a reference written here with plain nested loops over
// the layout, std::nearbyint in the default rounding mode for the f32
// quotient, and a bit-by-bit packer. No expectation is produced by calling
// the function under test.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Quant/WeightQuant.h"

#include "llvm/Support/Error.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cctype>
#include <cfenv>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace mlir::qcomp;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// Unwraps a value that is expected to be a success.
template <typename T>
T expectValue(llvm::Expected<T> value) {
  if (!value) {
    ADD_FAILURE() << "unexpected error: " << llvm::toString(value.takeError());
    return T();
  }
  return std::move(*value);
}

/// Returns the message of an Expected that is expected to fail ("" if not).
template <typename T>
std::string errorMessage(llvm::Expected<T> value) {
  if (value) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(value.takeError());
}

/// Expects `msg` to be a lowercase sentence containing every one of `parts`.
void expectMessage(const std::string &msg,
                   std::initializer_list<const char *> parts) {
  ASSERT_FALSE(msg.empty());
  EXPECT_TRUE(std::islower(static_cast<unsigned char>(msg[0]))) << msg;
  for (const char *part : parts)
    EXPECT_NE(msg.find(part), std::string::npos)
        << "'" << part << "' not in: " << msg;
}

WeightQuantSpec makeSpec(unsigned bits, bool symmetric,
                         WeightGranularity granularity,
                         int64_t channelAxis = -1, int64_t reductionAxis = -1,
                         int64_t groupSize = 0) {
  WeightQuantSpec spec;
  spec.bits = bits;
  spec.symmetric = symmetric;
  spec.granularity = granularity;
  spec.channelAxis = channelAxis;
  spec.reductionAxis = reductionAxis;
  spec.groupSize = groupSize;
  return spec;
}

//===----------------------------------------------------------------------===//
// Reference quantization
//===----------------------------------------------------------------------===//

struct RefParams {
  double scale;
  int64_t zeroPoint;
};

int64_t refQMax(unsigned bits) { return (int64_t(1) << (bits - 1)) - 1; }
int64_t refQMin(unsigned bits, bool symmetric) {
  return symmetric ? -refQMax(bits) : -refQMax(bits) - 1;
}

/// The scale and zero point of one group of weights, from the definition:
/// symmetric max|w| / (2^(b-1) - 1) with zero point 0; asymmetric over the
/// range widened to contain 0, (hi - lo) / (2^b - 1) and zero point
/// -2^(b-1) - lo / scale rounded to even and clamped. All-zero: scale 1.
RefParams refParams(const std::vector<float> &group, unsigned bits,
                    bool symmetric) {
  double lo = 0.0, hi = 0.0, maxAbs = 0.0;
  for (float w : group) {
    lo = std::min(lo, double(w));
    hi = std::max(hi, double(w));
    maxAbs = std::max(maxAbs, std::fabs(double(w)));
  }
  if (symmetric) {
    double scale = maxAbs / double(refQMax(bits));
    return {scale == 0.0 ? 1.0 : std::max(scale, double(FLT_MIN)), 0};
  }
  double scale = (hi - lo) / double((int64_t(1) << bits) - 1);
  scale = scale == 0.0 ? 1.0 : std::max(scale, double(FLT_MIN));
  double zeroPoint = std::nearbyint(double(refQMin(bits, false)) - lo / scale);
  zeroPoint = std::clamp(zeroPoint, double(refQMin(bits, false)),
                         double(refQMax(bits)));
  return {scale, int64_t(zeroPoint)};
}

/// qc.quantize of one value in f32: the quotient by the f32 scale rounded to
/// even with std::nearbyint, plus the zero point, clamped.
int64_t refQuantize(float x, double scale, int64_t zeroPoint, int64_t qmin,
                    int64_t qmax) {
  float quotient = x / static_cast<float>(scale);
  int64_t q = static_cast<int64_t>(std::nearbyint(quotient)) + zeroPoint;
  return std::clamp(q, qmin, qmax);
}

/// Checks `result` against the reference, where element i of `weights`
/// belongs to group groupOf[i] (computed by the caller from the layout).
void checkAgainstReference(const std::vector<float> &weights,
                           const std::vector<int64_t> &groupOf,
                           int64_t numGroups, unsigned bits, bool symmetric,
                           const QuantizedWeights &result) {
  SCOPED_TRACE("bits " + std::to_string(bits) +
               (symmetric ? " symmetric" : " asymmetric"));
  ASSERT_EQ(groupOf.size(), weights.size());
  ASSERT_EQ(result.values.size(), weights.size());
  ASSERT_EQ(result.scales.size(), size_t(numGroups));
  ASSERT_EQ(result.zeroPoints.size(), size_t(numGroups));
  int64_t qmin = refQMin(bits, symmetric), qmax = refQMax(bits);
  EXPECT_EQ(result.range.min, qmin);
  EXPECT_EQ(result.range.max, qmax);

  std::vector<std::vector<float>> groups(numGroups);
  for (size_t i = 0; i < weights.size(); ++i)
    groups[groupOf[i]].push_back(weights[i]);
  std::vector<RefParams> params;
  for (int64_t g = 0; g < numGroups; ++g) {
    params.push_back(refParams(groups[g], bits, symmetric));
    EXPECT_EQ(result.scales[g], params[g].scale) << "group " << g;
    EXPECT_EQ(result.zeroPoints[g], params[g].zeroPoint) << "group " << g;
    if (symmetric) {
      EXPECT_EQ(result.zeroPoints[g], 0);
    }
  }

  for (size_t i = 0; i < weights.size(); ++i) {
    const RefParams &p = params[groupOf[i]];
    int64_t q = result.values[i];
    int64_t expected =
        refQuantize(weights[i], p.scale, p.zeroPoint, qmin, qmax);
    if (q != expected) {
      ADD_FAILURE() << "element " << i << " (" << weights[i] << "): got " << q
                    << ", expected " << expected;
      return;
    }
    ASSERT_GE(q, qmin);
    ASSERT_LE(q, qmax);
    // Dequantization error: at most half a step for values inside the
    // representable range (plus the f32 rounding of the scale and quotient);
    // values outside it saturate.
    double s = p.scale;
    double t = double(weights[i]) / s + double(p.zeroPoint);
    if (t >= double(qmin) - 0.5 && t <= double(qmax) + 0.5) {
      double error =
          std::fabs(double(weights[i]) - double(q - p.zeroPoint) * s);
      ASSERT_LE(error, s / 2 + s * 1e-5 + 1e-30)
          << "element " << i << " (" << weights[i] << ") -> " << q;
    } else {
      ASSERT_EQ(q, t < double(qmin) ? qmin : qmax) << "element " << i;
    }
  }
}

/// Random weights in [lo, hi) times 2^-6..2^6, so that magnitudes (and the
/// scales of different channels and groups) vary widely.
std::vector<float> randomWeights(int64_t count, unsigned seed, float lo = -3.0f,
                                 float hi = 2.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::uniform_int_distribution<int> magnitude(-6, 6);
  std::vector<float> weights(count);
  for (float &w : weights)
    w = std::ldexp(dist(rng), magnitude(rng));
  return weights;
}

const unsigned kAllBits[] = {8, 4, 2};
const bool kBothModes[] = {true, false};

//===----------------------------------------------------------------------===//
// Hand-worked quantizeWeights cases
//===----------------------------------------------------------------------===//

TEST(WeightQuantTest, PerTensorTiesToEven) {
  // max|w| = 127 -> scale 1, so q = round_half_to_even(w).
  std::vector<float> w = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 3.5f, -3.5f};
  QuantizedWeights r = expectValue(quantizeWeights(
      w, {2, 4}, makeSpec(8, true, WeightGranularity::PerTensor)));
  EXPECT_EQ(r.values, (std::vector<int8_t>{127, 0, 2, 2, 0, -2, 4, -4}));
  EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{1, 1}));
  EXPECT_EQ(r.scales, (std::vector<double>{1.0}));
  EXPECT_EQ(r.zeroPoints, (std::vector<int64_t>{0}));
  EXPECT_EQ(r.range.min, -127);
  EXPECT_EQ(r.range.max, 127);
}

TEST(WeightQuantTest, PerTensorScalar) {
  // Rank 0: paramShape is empty, one scale. 3 / 7 (i4 narrow) per step.
  QuantizedWeights r = expectValue(quantizeWeights(
      {-3.0f}, {}, makeSpec(4, true, WeightGranularity::PerTensor)));
  EXPECT_TRUE(r.paramShape.empty());
  EXPECT_EQ(r.scales, (std::vector<double>{3.0 / 7.0}));
  EXPECT_EQ(r.values, (std::vector<int8_t>{-7}));
}

TEST(WeightQuantTest, PerChannelAxis0) {
  // Row 0: max 127 -> scale 1: 127, -63.5 -> -64 (tie, even), 0.25 -> 0.
  // Row 1: max 254 -> scale 2: -127, 127/2 = 63.5 -> 64, 63.5/2 = 31.75 -> 32.
  std::vector<float> w = {127.0f, -63.5f, 0.25f, -254.0f, 127.0f, 63.5f};
  QuantizedWeights r = expectValue(quantizeWeights(
      w, {2, 3}, makeSpec(8, true, WeightGranularity::PerChannel, 0)));
  EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{2, 1}));
  EXPECT_EQ(r.scales, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(r.zeroPoints, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(r.values, (std::vector<int8_t>{127, -64, 0, -127, 64, 32}));
}

TEST(WeightQuantTest, PerChannelAxis1) {
  // The transpose of PerChannelAxis0: columns have scales 1 and 2.
  std::vector<float> w = {127.0f, -254.0f, -63.5f, 127.0f, 0.25f, 63.5f};
  QuantizedWeights r = expectValue(quantizeWeights(
      w, {3, 2}, makeSpec(8, true, WeightGranularity::PerChannel, 1)));
  EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{1, 2}));
  EXPECT_EQ(r.scales, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(r.values, (std::vector<int8_t>{127, -127, -64, 64, 0, 32}));
}

TEST(WeightQuantTest, Asymmetric8Bit) {
  // Row 0: [0, 255] -> scale 255/255 = 1, zero point -128 - 0 = -128;
  //   100.5 -> 100 (tie, even) - 128 = -28.
  // Row 1: [-51, 204] -> scale 1, zero point -128 + 51 = -77;
  //   -51 -> -128, 204 -> 127, 0 -> -77.
  std::vector<float> w = {0.0f, 255.0f, 100.5f, -51.0f, 204.0f, 0.0f};
  QuantizedWeights r = expectValue(quantizeWeights(
      w, {2, 3}, makeSpec(8, false, WeightGranularity::PerChannel, 0)));
  EXPECT_EQ(r.range.min, -128);
  EXPECT_EQ(r.range.max, 127);
  EXPECT_EQ(r.scales, (std::vector<double>{1.0, 1.0}));
  EXPECT_EQ(r.zeroPoints, (std::vector<int64_t>{-128, -77}));
  EXPECT_EQ(r.values, (std::vector<int8_t>{-128, 127, -28, -128, 127, -77}));
}

TEST(WeightQuantTest, FourBit) {
  // Symmetric i4 narrow [-7, 7]: max 7 -> scale 1; -3.5 -> -4 (tie, even),
  // 1.75 -> 2.
  QuantizedWeights r = expectValue(
      quantizeWeights({7.0f, -3.5f, 1.75f, -7.0f}, {4},
                      makeSpec(4, true, WeightGranularity::PerTensor)));
  EXPECT_EQ(r.range.min, -7);
  EXPECT_EQ(r.range.max, 7);
  EXPECT_EQ(r.scales, (std::vector<double>{1.0}));
  EXPECT_EQ(r.values, (std::vector<int8_t>{7, -4, 2, -7}));

  // Asymmetric i4 [-8, 7]: [-1.5, 6] -> scale 7.5/15 = 0.5, zero point
  // -8 + 1.5/0.5 = -5; -1.5 -> -3 - 5 = -8, 6 -> 12 - 5 = 7,
  // 1.25 -> 2.5 -> 2 (tie, even) - 5 = -3.
  r = expectValue(
      quantizeWeights({-1.5f, 6.0f, 1.25f}, {3},
                      makeSpec(4, false, WeightGranularity::PerTensor)));
  EXPECT_EQ(r.range.min, -8);
  EXPECT_EQ(r.range.max, 7);
  EXPECT_EQ(r.scales, (std::vector<double>{0.5}));
  EXPECT_EQ(r.zeroPoints, (std::vector<int64_t>{-5}));
  EXPECT_EQ(r.values, (std::vector<int8_t>{-8, 7, -3}));
}

TEST(WeightQuantTest, TwoBit) {
  // Symmetric i2 narrow [-1, 1]: scale = max|w| = 3; 2/3 -> 1,
  // -1.5/3 = -0.5 -> 0 (tie, even), -3 -> -1.
  QuantizedWeights r = expectValue(
      quantizeWeights({3.0f, -1.5f, 2.0f, -3.0f}, {4},
                      makeSpec(2, true, WeightGranularity::PerTensor)));
  EXPECT_EQ(r.range.min, -1);
  EXPECT_EQ(r.range.max, 1);
  EXPECT_EQ(r.scales, (std::vector<double>{3.0}));
  EXPECT_EQ(r.values, (std::vector<int8_t>{1, 0, 1, -1}));

  // Asymmetric i2 [-2, 1]: [-1, 2] -> scale 3/3 = 1, zero point -2 + 1 = -1;
  // -1 -> -2, 2 -> 1, 0.5 -> 0 (tie, even) - 1 = -1, 1.5 -> 2 - 1 = 1.
  r = expectValue(
      quantizeWeights({-1.0f, 2.0f, 0.5f, 1.5f}, {4},
                      makeSpec(2, false, WeightGranularity::PerTensor)));
  EXPECT_EQ(r.range.min, -2);
  EXPECT_EQ(r.range.max, 1);
  EXPECT_EQ(r.scales, (std::vector<double>{1.0}));
  EXPECT_EQ(r.zeroPoints, (std::vector<int64_t>{-1}));
  EXPECT_EQ(r.values, (std::vector<int8_t>{-2, 1, -1, 1}));
}

TEST(WeightQuantTest, SymmetricUsesNarrowRange) {
  // The most negative weight maps to -(2^(b-1)-1), never -2^(b-1).
  for (unsigned bits : kAllBits) {
    QuantizedWeights r = expectValue(
        quantizeWeights({-1.0f, 1.0f, -0.999f}, {3},
                        makeSpec(bits, true, WeightGranularity::PerTensor)));
    int64_t qmax = refQMax(bits);
    EXPECT_EQ(r.values[0], -qmax) << bits;
    EXPECT_EQ(r.values[1], qmax) << bits;
    EXPECT_GE(r.values[2], -qmax) << bits;
  }
}

TEST(WeightQuantTest, PerGroupHandWorked) {
  // K x N = 4 x 2, groups of 2 along K (axis 0), channels along N (axis 1).
  //   group (0, n0): {127, -63.5} max 127 -> 1; q 127, -64 (tie, even)
  //   group (0, n1): {1, -254}    max 254 -> 2; q 0 (0.5, tie), -127
  //   group (1, n0): {0, 0}       all zero -> 1; q 0, 0
  //   group (1, n1): {0, 381}     max 381 -> 3; q 0, 127
  std::vector<float> w = {127.0f, 1.0f, -63.5f, -254.0f,
                          0.0f,   0.0f, 0.0f,   381.0f};
  QuantizedWeights r = expectValue(quantizeWeights(
      w, {4, 2}, makeSpec(8, true, WeightGranularity::PerGroup, 1, 0, 2)));
  EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{2, 2}));
  EXPECT_EQ(r.scales, (std::vector<double>{1.0, 2.0, 1.0, 3.0}));
  EXPECT_EQ(r.zeroPoints, (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(r.values, (std::vector<int8_t>{127, 0, -64, -127, 0, 0, 0, 127}));
}

TEST(WeightQuantTest, AllZeroGroup) {
  // Row 1 is all zero: scale 1, and every element quantizes to the zero
  // point (0 symmetric; -128 = range.min asymmetric, which represents 0).
  std::vector<float> w = {1.0f, -2.0f, 0.0f, 0.0f, -0.0f, 0.0f};
  QuantizedWeights r = expectValue(quantizeWeights(
      w, {2, 3}, makeSpec(8, true, WeightGranularity::PerChannel, 0)));
  EXPECT_EQ(r.scales[1], 1.0);
  EXPECT_EQ(r.zeroPoints[1], 0);
  EXPECT_EQ(r.values[3], 0);
  EXPECT_EQ(r.values[4], 0);
  EXPECT_EQ(r.values[5], 0);

  r = expectValue(quantizeWeights(
      w, {2, 3}, makeSpec(4, false, WeightGranularity::PerChannel, 0)));
  EXPECT_EQ(r.scales[1], 1.0);
  EXPECT_EQ(r.zeroPoints[1], -8);
  EXPECT_EQ(r.values[3], -8);
  EXPECT_EQ(r.values[4], -8);
  EXPECT_EQ(r.values[5], -8);

  // A whole all-zero tensor.
  r = expectValue(
      quantizeWeights(std::vector<float>(6, 0.0f), {2, 3},
                      makeSpec(4, true, WeightGranularity::PerTensor)));
  EXPECT_EQ(r.scales, (std::vector<double>{1.0}));
  EXPECT_EQ(r.values, std::vector<int8_t>(6, 0));
}

TEST(WeightQuantTest, TinyGroupClampsScale) {
  // 1e-40 (subnormal) / 127 is below the smallest normal f32.
  QuantizedWeights r = expectValue(quantizeWeights(
      {1e-40f, -1e-40f}, {2}, makeSpec(8, true, WeightGranularity::PerTensor)));
  EXPECT_EQ(r.scales, (std::vector<double>{double(FLT_MIN)}));
  // 1e-40 / 2^-126 ~ 0.0085 -> 0.
  EXPECT_EQ(r.values, (std::vector<int8_t>{0, 0}));
}

TEST(WeightQuantTest, PerTensorIgnoresAxes) {
  // Axes and group size are not used per tensor, so the defaults are fine.
  WeightQuantSpec spec = makeSpec(8, true, WeightGranularity::PerTensor);
  EXPECT_EQ(spec.channelAxis, -1);
  QuantizedWeights r = expectValue(quantizeWeights({1.0f, 2.0f}, {1, 2}, spec));
  EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{1, 1}));
}

//===----------------------------------------------------------------------===//
// Random weights against the reference
//===----------------------------------------------------------------------===//

TEST(WeightQuantTest, RandomPerTensor) {
  const int64_t rows = 5, cols = 7;
  std::vector<float> w = randomWeights(rows * cols, 1);
  std::vector<int64_t> groupOf(rows * cols, 0);
  for (unsigned bits : kAllBits)
    for (bool symmetric : kBothModes) {
      QuantizedWeights r = expectValue(quantizeWeights(
          w, {rows, cols},
          makeSpec(bits, symmetric, WeightGranularity::PerTensor)));
      EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{1, 1}));
      checkAgainstReference(w, groupOf, 1, bits, symmetric, r);
    }
}

TEST(WeightQuantTest, RandomPerChannel2D) {
  const int64_t rows = 6, cols = 9;
  std::vector<float> w = randomWeights(rows * cols, 2);
  // Axis 0: the group of w[i][j] is i; axis 1: j.
  std::vector<int64_t> byRow, byCol;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      byRow.push_back(i);
      byCol.push_back(j);
    }
  for (unsigned bits : kAllBits)
    for (bool symmetric : kBothModes) {
      QuantizedWeights r = expectValue(quantizeWeights(
          w, {rows, cols},
          makeSpec(bits, symmetric, WeightGranularity::PerChannel, 0)));
      EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{rows, 1}));
      checkAgainstReference(w, byRow, rows, bits, symmetric, r);

      r = expectValue(quantizeWeights(
          w, {rows, cols},
          makeSpec(bits, symmetric, WeightGranularity::PerChannel, 1)));
      EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{1, cols}));
      checkAgainstReference(w, byCol, cols, bits, symmetric, r);
    }
}

TEST(WeightQuantTest, RandomPerChannelConv) {
  // F x C x KH x KW, output channels on axis 0.
  const int64_t f = 4, c = 3, kh = 3, kw = 2;
  std::vector<float> w = randomWeights(f * c * kh * kw, 3);
  std::vector<int64_t> groupOf;
  for (int64_t a = 0; a < f; ++a)
    for (int64_t b = 0; b < c; ++b)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          groupOf.push_back(a);
  for (unsigned bits : kAllBits)
    for (bool symmetric : kBothModes) {
      QuantizedWeights r = expectValue(quantizeWeights(
          w, {f, c, kh, kw},
          makeSpec(bits, symmetric, WeightGranularity::PerChannel, 0)));
      EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{f, 1, 1, 1}));
      checkAgainstReference(w, groupOf, f, bits, symmetric, r);
    }
}

TEST(WeightQuantTest, RandomPerGroupKxN) {
  // K x N weight (as a matmul RHS): groups along K (axis 0), channels N.
  const int64_t k = 8, n = 5;
  std::vector<float> w = randomWeights(k * n, 4);
  for (int64_t groupSize : {2, 4}) {
    SCOPED_TRACE("group size " + std::to_string(groupSize));
    int64_t numGroups = k / groupSize;
    // Element w[i][j] belongs to parameter (i / groupSize, j), row-major over
    // the parameter shape numGroups x n.
    std::vector<int64_t> groupOf;
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        groupOf.push_back(i / groupSize * n + j);
    for (unsigned bits : kAllBits)
      for (bool symmetric : kBothModes) {
        QuantizedWeights r = expectValue(quantizeWeights(
            w, {k, n},
            makeSpec(bits, symmetric, WeightGranularity::PerGroup,
                     /*channelAxis=*/1, /*reductionAxis=*/0, groupSize)));
        EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{numGroups, n}));
        checkAgainstReference(w, groupOf, numGroups * n, bits, symmetric, r);
      }
    // Each symmetric scale directly: max |w[i][j]| over the group / 7.
    QuantizedWeights r = expectValue(quantizeWeights(
        w, {k, n},
        makeSpec(4, true, WeightGranularity::PerGroup, 1, 0, groupSize)));
    ASSERT_EQ(r.scales.size(), size_t(numGroups * n));
    for (int64_t g = 0; g < numGroups; ++g)
      for (int64_t j = 0; j < n; ++j) {
        double maxAbs = 0.0;
        for (int64_t i = g * groupSize; i < (g + 1) * groupSize; ++i)
          maxAbs = std::max(maxAbs, std::fabs(double(w[i * n + j])));
        EXPECT_EQ(r.scales[g * n + j], maxAbs / 7.0) << g << ", " << j;
      }
  }
}

TEST(WeightQuantTest, RandomPerGroupNxK) {
  // N x K weight (as a linear layer's weight): channels on axis 0, groups
  // along K on axis 1.
  const int64_t n = 3, k = 12, groupSize = 4;
  std::vector<float> w = randomWeights(n * k, 5);
  std::vector<int64_t> groupOf;
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < k; ++i)
      groupOf.push_back(j * (k / groupSize) + i / groupSize);
  for (unsigned bits : kAllBits)
    for (bool symmetric : kBothModes) {
      QuantizedWeights r = expectValue(
          quantizeWeights(w, {n, k},
                          makeSpec(bits, symmetric, WeightGranularity::PerGroup,
                                   0, 1, groupSize)));
      EXPECT_EQ(r.paramShape, (llvm::SmallVector<int64_t>{n, k / groupSize}));
      checkAgainstReference(w, groupOf, n * k / groupSize, bits, symmetric, r);
    }
}

TEST(WeightQuantTest, RandomOneSidedGroups) {
  // All-positive and all-negative rows: the asymmetric range is widened to
  // contain 0.
  const int64_t rows = 2, cols = 16;
  std::vector<float> w = randomWeights(rows * cols, 6, 0.5f, 4.0f);
  for (int64_t j = 0; j < cols; ++j)
    w[cols + j] = -w[cols + j];
  std::vector<int64_t> groupOf;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      groupOf.push_back(i);
  for (unsigned bits : kAllBits)
    for (bool symmetric : kBothModes) {
      QuantizedWeights r = expectValue(quantizeWeights(
          w, {rows, cols},
          makeSpec(bits, symmetric, WeightGranularity::PerChannel, 0)));
      checkAgainstReference(w, groupOf, rows, bits, symmetric, r);
      if (!symmetric) {
        // 0 sits at the bottom of the positive row, the top of the other.
        EXPECT_EQ(r.zeroPoints[0], refQMin(bits, false));
        EXPECT_EQ(r.zeroPoints[1], refQMax(bits));
      }
    }
}

//===----------------------------------------------------------------------===//
// quantizeWeights errors
//===----------------------------------------------------------------------===//

TEST(WeightQuantTest, ErrorNonFinite) {
  std::vector<float> w = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, kNaN};
  std::string msg = errorMessage(quantizeWeights(
      w, {2, 3}, makeSpec(8, true, WeightGranularity::PerChannel, 0)));
  expectMessage(msg, {"flat index 5", "nan"});

  w = {1.0f, 2.0f, -kInf, 4.0f};
  msg = errorMessage(quantizeWeights(
      w, {2, 2}, makeSpec(4, false, WeightGranularity::PerTensor)));
  expectMessage(msg, {"flat index 2", "-inf"});

  w = {kInf};
  msg = errorMessage(
      quantizeWeights(w, {1}, makeSpec(4, true, WeightGranularity::PerTensor)));
  expectMessage(msg, {"flat index 0", "inf"});
}

TEST(WeightQuantTest, ErrorBits) {
  std::vector<float> w = {1.0f, 2.0f};
  for (unsigned bits : {0u, 1u, 9u, 16u}) {
    std::string msg = errorMessage(quantizeWeights(
        w, {2}, makeSpec(bits, true, WeightGranularity::PerTensor)));
    expectMessage(msg, {"bit width", std::to_string(bits).c_str()});
  }
}

TEST(WeightQuantTest, ErrorAxes) {
  std::vector<float> w(6, 1.0f);
  std::string msg = errorMessage(quantizeWeights(
      w, {2, 3}, makeSpec(8, true, WeightGranularity::PerChannel, 2)));
  expectMessage(msg, {"channel axis 2", "rank-2"});
  // The -1 default is not "last axis": per channel must name the axis.
  msg = errorMessage(quantizeWeights(
      w, {2, 3}, makeSpec(8, true, WeightGranularity::PerChannel)));
  expectMessage(msg, {"channel axis -1"});
  msg = errorMessage(quantizeWeights(
      {1.0f}, {}, makeSpec(8, true, WeightGranularity::PerChannel, 0)));
  expectMessage(msg, {"channel axis 0", "scalar"});
  msg = errorMessage(quantizeWeights(
      w, {2, 3}, makeSpec(8, true, WeightGranularity::PerGroup, 0, 5, 1)));
  expectMessage(msg, {"reduction axis 5"});
  msg = errorMessage(quantizeWeights(
      w, {2, 3}, makeSpec(8, true, WeightGranularity::PerGroup, 3, 1, 1)));
  expectMessage(msg, {"channel axis 3"});
  msg = errorMessage(quantizeWeights(
      w, {2, 3}, makeSpec(8, true, WeightGranularity::PerGroup, 1, 1, 1)));
  expectMessage(msg, {"distinct", "1"});
}

TEST(WeightQuantTest, ErrorGroupSize) {
  std::vector<float> w(16, 1.0f);
  std::string msg = errorMessage(quantizeWeights(
      w, {8, 2}, makeSpec(4, true, WeightGranularity::PerGroup, 1, 0, 3)));
  expectMessage(msg, {"group size 3", "8", "reduction axis 0"});
  msg = errorMessage(quantizeWeights(
      w, {8, 2}, makeSpec(4, true, WeightGranularity::PerGroup, 1, 0, 0)));
  expectMessage(msg, {"group size", "positive", "0"});
  msg = errorMessage(quantizeWeights(
      w, {8, 2}, makeSpec(4, true, WeightGranularity::PerGroup, 1, 0, -2)));
  expectMessage(msg, {"group size", "positive", "-2"});
  msg = errorMessage(quantizeWeights(
      w, {8, 2}, makeSpec(4, true, WeightGranularity::PerGroup, 1, 0, 16)));
  expectMessage(msg, {"group size 16"});
}

TEST(WeightQuantTest, ErrorShape) {
  std::string msg = errorMessage(
      quantizeWeights(std::vector<float>(5, 1.0f), {2, 3},
                      makeSpec(8, true, WeightGranularity::PerTensor)));
  expectMessage(msg, {"2x3", "6 elements", "5 values"});
  msg = errorMessage(
      quantizeWeights(std::vector<float>(3, 1.0f), {3, -1},
                      makeSpec(8, true, WeightGranularity::PerTensor)));
  expectMessage(msg, {"dimension 1", "-1"});
}

//===----------------------------------------------------------------------===//
// Sub-byte packing
//===----------------------------------------------------------------------===//

/// Reference packer, one bit at a time: bit b of element j of a row is bit
/// j * bits + b of that row's little-endian bit string.
std::vector<uint8_t> refPack(const std::vector<int8_t> &values, int64_t numRows,
                             int64_t rowLength, unsigned bits) {
  int64_t rowBytes = (rowLength * bits + 7) / 8;
  std::vector<uint8_t> packed(numRows * rowBytes, 0);
  for (int64_t row = 0; row < numRows; ++row)
    for (int64_t j = 0; j < rowLength; ++j)
      for (unsigned b = 0; b < bits; ++b) {
        // Two's complement: bit b of the value (arithmetic shift).
        int bit = (values[row * rowLength + j] >> b) & 1;
        int64_t position = j * bits + b;
        packed[row * rowBytes + position / 8] |= bit << (position % 8);
      }
  return packed;
}

TEST(WeightQuantTest, PackInt4HandWorked) {
  // 1 -> 0x1, -1 -> 0xF, 7 -> 0x7: byte 0 = 0x1 | 0xF << 4, byte 1 = 0x7
  // with zero padding in the high nibble.
  std::vector<uint8_t> packed = packSubByte({1, -1, 7}, {3}, 4);
  EXPECT_EQ(packed, (std::vector<uint8_t>{0xF1, 0x07}));
  EXPECT_EQ(getPackedShape({3}, 4), (llvm::SmallVector<int64_t>{2}));
  EXPECT_EQ(unpackSubByte(packed, {3}, 4, true),
            (std::vector<int8_t>{1, -1, 7}));
  EXPECT_EQ(unpackSubByte(packed, {3}, 4, false),
            (std::vector<int8_t>{1, 15, 7}));
  // Padding bits are ignored.
  EXPECT_EQ(unpackSubByte({0xF1, 0xA7}, {3}, 4, true),
            (std::vector<int8_t>{1, -1, 7}));

  // Unsigned: 15 | 0 << 4, 8.
  EXPECT_EQ(packSubByte({15, 0, 8}, {3}, 4),
            (std::vector<uint8_t>{0x0F, 0x08}));
  EXPECT_EQ(unpackSubByte({0x0F, 0x08}, {3}, 4, false),
            (std::vector<int8_t>{15, 0, 8}));
  EXPECT_EQ(unpackSubByte({0x0F, 0x08}, {3}, 4, true),
            (std::vector<int8_t>{-1, 0, -8}));

  // Two rows of three, each padded: {1, 2, 3} -> 0x21 0x03,
  // {4, 5, 6} -> 0x54 0x06.
  EXPECT_EQ(packSubByte({1, 2, 3, 4, 5, 6}, {2, 3}, 4),
            (std::vector<uint8_t>{0x21, 0x03, 0x54, 0x06}));
  EXPECT_EQ(getPackedShape({2, 3}, 4), (llvm::SmallVector<int64_t>{2, 2}));
  // An even row needs no padding: {-8, 7, -2, 3} -> 0x78 0x3E.
  EXPECT_EQ(packSubByte({-8, 7, -2, 3}, {1, 4}, 4),
            (std::vector<uint8_t>{0x78, 0x3E}));
}

TEST(WeightQuantTest, PackInt2HandWorked) {
  // 1 -> 01, -1 -> 11, -2 -> 10, 0 -> 00: 0b00'10'11'01 = 0x2D; then 1 -> 0x01.
  std::vector<uint8_t> packed = packSubByte({1, -1, -2, 0, 1}, {5}, 2);
  EXPECT_EQ(packed, (std::vector<uint8_t>{0x2D, 0x01}));
  EXPECT_EQ(getPackedShape({5}, 2), (llvm::SmallVector<int64_t>{2}));
  EXPECT_EQ(unpackSubByte(packed, {5}, 2, true),
            (std::vector<int8_t>{1, -1, -2, 0, 1}));
  EXPECT_EQ(unpackSubByte(packed, {5}, 2, false),
            (std::vector<int8_t>{1, 3, 2, 0, 1}));

  // Rows of three: {1, -1, 0} -> 01 | 11 << 2 = 0x0D; {-2, 1, 1} ->
  // 10 | 01 << 2 | 01 << 4 = 0x16.
  EXPECT_EQ(packSubByte({1, -1, 0, -2, 1, 1}, {2, 3}, 2),
            (std::vector<uint8_t>{0x0D, 0x16}));
  EXPECT_EQ(getPackedShape({2, 3}, 2), (llvm::SmallVector<int64_t>{2, 1}));
  // Unsigned 3, 2, 1, 0 -> 0b00'01'10'11 = 0x1B.
  EXPECT_EQ(packSubByte({3, 2, 1, 0}, {4}, 2), (std::vector<uint8_t>{0x1B}));
}

TEST(WeightQuantTest, PackedShapes) {
  EXPECT_EQ(getPackedShape({4, 1}, 4), (llvm::SmallVector<int64_t>{4, 1}));
  EXPECT_EQ(getPackedShape({4, 8}, 4), (llvm::SmallVector<int64_t>{4, 4}));
  EXPECT_EQ(getPackedShape({4, 9}, 4), (llvm::SmallVector<int64_t>{4, 5}));
  EXPECT_EQ(getPackedShape({2, 3, 8}, 2),
            (llvm::SmallVector<int64_t>{2, 3, 2}));
  EXPECT_EQ(getPackedShape({2, 3, 9}, 2),
            (llvm::SmallVector<int64_t>{2, 3, 3}));
  EXPECT_EQ(getPackedShape({3, 0}, 4), (llvm::SmallVector<int64_t>{3, 0}));
  EXPECT_TRUE(getPackedShape({}, 4).empty());
  // A scalar takes one byte.
  EXPECT_EQ(packSubByte({-3}, {}, 4), (std::vector<uint8_t>{0x0D}));
  EXPECT_EQ(unpackSubByte({0x0D}, {}, 4, true), (std::vector<int8_t>{-3}));
  EXPECT_TRUE(packSubByte({}, {3, 0}, 2).empty());
}

TEST(WeightQuantTest, PackRoundTrip) {
  const std::vector<std::vector<int64_t>> shapes = {
      {1}, {7}, {8}, {3, 5}, {2, 3, 4}, {4, 9}, {2, 1}, {5, 3, 7}};
  std::mt19937 rng(7);
  for (unsigned bits : {4u, 2u})
    for (bool isSigned : {true, false}) {
      int lo = isSigned ? -(1 << (bits - 1)) : 0;
      int hi = isSigned ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
      std::uniform_int_distribution<int> dist(lo, hi);
      for (const std::vector<int64_t> &shape : shapes) {
        SCOPED_TRACE("bits " + std::to_string(bits) +
                     (isSigned ? " signed" : " unsigned") + " rank " +
                     std::to_string(shape.size()) + " last " +
                     std::to_string(shape.back()));
        int64_t count = 1;
        for (int64_t dim : shape)
          count *= dim;
        std::vector<int8_t> values(count);
        for (int8_t &v : values)
          v = static_cast<int8_t>(dist(rng));
        int64_t rowLength = shape.back();
        std::vector<uint8_t> packed = packSubByte(values, shape, bits);
        EXPECT_EQ(packed, refPack(values, count / rowLength, rowLength, bits));
        // The packed size is the product of the packed shape.
        llvm::SmallVector<int64_t> packedShape = getPackedShape(shape, bits);
        int64_t packedCount = 1;
        for (int64_t dim : packedShape)
          packedCount *= dim;
        EXPECT_EQ(int64_t(packed.size()), packedCount);
        EXPECT_EQ(packedShape.back(), (rowLength * bits + 7) / 8);
        EXPECT_EQ(unpackSubByte(packed, shape, bits, isSigned), values);
      }
    }
}

TEST(WeightQuantTest, PackExhaustive) {
  // Every value of each range once, in one row.
  for (unsigned bits : {4u, 2u})
    for (bool isSigned : {true, false}) {
      int lo = isSigned ? -(1 << (bits - 1)) : 0;
      int hi = isSigned ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
      std::vector<int8_t> values;
      for (int v = lo; v <= hi; ++v)
        values.push_back(static_cast<int8_t>(v));
      int64_t n = values.size();
      std::vector<uint8_t> packed = packSubByte(values, {n}, bits);
      EXPECT_EQ(packed, refPack(values, 1, n, bits));
      EXPECT_EQ(unpackSubByte(packed, {n}, bits, isSigned), values);
    }
}

//===----------------------------------------------------------------------===//
// quantizeBias
//===----------------------------------------------------------------------===//

TEST(WeightQuantTest, BiasExact) {
  // Scales 0.5 * {0.25, 0.5, 1, 2} = {0.125, 0.25, 0.5, 1}:
  // 1 / 0.125 = 8, -2.5 / 0.25 = -10, 3 / 0.5 = 6, 0 / 1 = 0.
  std::vector<int32_t> q = expectValue(
      quantizeBias({1.0f, -2.5f, 3.0f, 0.0f}, 0.5, {0.25, 0.5, 1.0, 2.0}));
  EXPECT_EQ(q, (std::vector<int32_t>{8, -10, 6, 0}));
  // 0.1f / (0.01 * 0.5) in double, computed here independently.
  double expected = std::nearbyint(double(0.1f) / (0.01 * 0.5));
  q = expectValue(quantizeBias({0.1f}, 0.01, {0.5}));
  EXPECT_EQ(q, (std::vector<int32_t>{int32_t(expected)}));
  EXPECT_EQ(expected, 20.0);
}

TEST(WeightQuantTest, BiasBroadcast) {
  // One weight scale for all: 0.5 * 0.125 = 0.0625.
  // 1 -> 16, -1 -> -16, 0.3f / 0.0625 = 4.80000019 -> 5.
  std::vector<int32_t> q =
      expectValue(quantizeBias({1.0f, -1.0f, 0.3f}, 0.5, {0.125}));
  EXPECT_EQ(q, (std::vector<int32_t>{16, -16, 5}));
  EXPECT_TRUE(expectValue(quantizeBias({}, 0.5, {0.125})).empty());
}

TEST(WeightQuantTest, BiasTiesToEven) {
  std::vector<float> bias = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 3.5f};
  const std::vector<int32_t> expected = {0, 2, 2, 0, -2, -2, 4};
  EXPECT_EQ(expectValue(quantizeBias(bias, 1.0, {1.0})), expected);
  // The same quotients at scale 0.25 = 0.5 * 0.5.
  std::vector<float> scaled;
  for (float b : bias)
    scaled.push_back(b * 0.25f);
  EXPECT_EQ(expectValue(quantizeBias(scaled, 0.5, {0.5})), expected);
  // Independent of the floating-point rounding mode.
  for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
    ASSERT_EQ(std::fesetround(mode), 0);
    std::vector<int32_t> q = expectValue(quantizeBias(bias, 1.0, {1.0}));
    std::fesetround(FE_TONEAREST);
    EXPECT_EQ(q, expected) << "rounding mode " << mode;
  }
}

TEST(WeightQuantTest, BiasInt32Limits) {
  // The largest f32 below 2^31 fits; 2^31 does not; -2^31 does.
  std::vector<int32_t> q =
      expectValue(quantizeBias({2147483520.0f, -2147483648.0f}, 1.0, {1.0}));
  EXPECT_EQ(q, (std::vector<int32_t>{2147483520, INT32_MIN}));

  std::string msg =
      errorMessage(quantizeBias({1.0f, 2147483648.0f}, 1.0, {1.0}));
  expectMessage(msg, {"index 1", "int32"});
  msg = errorMessage(quantizeBias({-2147483904.0f}, 1.0, {1.0}));
  expectMessage(msg, {"index 0", "int32"});
  // A small bias at a tiny scale: 1 / 1e-10 = 1e10.
  msg = errorMessage(quantizeBias({0.0f, 0.0f, 1.0f}, 1e-5, {1e-5}));
  expectMessage(msg, {"index 2", "int32"});
}

TEST(WeightQuantTest, BiasErrors) {
  std::string msg = errorMessage(quantizeBias({0.0f, kNaN}, 1.0, {1.0}));
  expectMessage(msg, {"index 1", "nan"});
  msg = errorMessage(quantizeBias({-kInf}, 1.0, {1.0}));
  expectMessage(msg, {"index 0", "-inf"});
  // Product scales must be positive.
  msg = errorMessage(quantizeBias({1.0f}, 0.0, {1.0}));
  expectMessage(msg, {"index 0", "positive"});
  msg = errorMessage(quantizeBias({1.0f, 1.0f}, 0.5, {1.0, -1.0}));
  expectMessage(msg, {"index 1", "positive", "-0.5"});
  msg = errorMessage(quantizeBias({1.0f}, 0.5, {std::nan("")}));
  expectMessage(msg, {"index 0", "positive"});
  // One scale or one per element.
  msg = errorMessage(quantizeBias({1.0f, 2.0f, 3.0f}, 0.5, {1.0, 2.0}));
  expectMessage(msg, {"3 elements", "got 2"});
}

// MSE clipping: one outlier (3.0) among 255 weights in [-1, 1]. With 4 bits
// and scale max|w| / 7 = 3 / 7 the small weights are coarsely rounded;
// clipping to a smaller range trades a larger error on the outlier for
// smaller errors on the rest. The chosen range is the one with the least
// squared error among the candidates, checked here by recomputing every
// candidate's error directly.
TEST(WeightQuantTest, MseClippingPicksTheLeastErrorRange) {
  std::vector<float> w = {3.0f};
  for (int i = 0; i < 255; ++i)
    w.push_back(((i % 21) - 10) / 10.0f);
  WeightQuantSpec spec;
  spec.bits = 4;
  spec.granularity = WeightGranularity::PerTensor;
  spec.mseClipping = true;
  llvm::Expected<QuantizedWeights> clipped = quantizeWeights(w, {256}, spec);
  ASSERT_TRUE(static_cast<bool>(clipped)) << toString(clipped.takeError());

  auto errorAt = [&](double scale) {
    float s = static_cast<float>(scale);
    double sum = 0.0;
    for (float x : w) {
      double q = std::nearbyint(double(x) / s);
      q = std::min(7.0, std::max(-7.0, q));
      sum += (q * s - x) * (q * s - x);
    }
    return sum;
  };
  double best = std::numeric_limits<double>::infinity(), bestScale = 0.0;
  for (int step = 0; step <= 25; ++step) {
    double scale = (1.0 - 0.02 * step) * 3.0 / 7.0;
    if (errorAt(scale) < best) {
      best = errorAt(scale);
      bestScale = scale;
    }
  }
  EXPECT_LT(bestScale, 3.0 / 7.0);
  EXPECT_DOUBLE_EQ(clipped->scales[0], bestScale);
  EXPECT_LT(errorAt(clipped->scales[0]), errorAt(3.0 / 7.0));
}

// Without outliers (uniform values on a grid) clipping does not help and the
// absmax range stays.
TEST(WeightQuantTest, MseClippingKeepsAnExactGrid) {
  std::vector<float> w;
  for (int i = -7; i <= 7; ++i)
    w.push_back(0.25f * i);
  WeightQuantSpec spec;
  spec.bits = 4;
  spec.granularity = WeightGranularity::PerTensor;
  spec.mseClipping = true;
  llvm::Expected<QuantizedWeights> q = quantizeWeights(w, {15}, spec);
  ASSERT_TRUE(static_cast<bool>(q)) << toString(q.takeError());
  EXPECT_DOUBLE_EQ(q->scales[0], 0.25);
}

} // namespace
