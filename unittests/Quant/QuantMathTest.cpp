//===- QuantMathTest.cpp - Tests for scalar quantization arithmetic -------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Checks QuantMath against independently derived values: numbers worked out
// by hand (the derivation is in the comment next to each), or an independent
// exact computation (double precision where it is exact, __int128 and
// long double for the fixed-point products). No expectation is produced by
// calling the function under test.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Quant/QuantMath.h"

#include "llvm/Support/Error.h"

#include "gtest/gtest.h"

#include <cctype>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

using namespace mlir::qcomp;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int64_t kTwo30 = int64_t(1) << 30;
constexpr int64_t kTwo31 = int64_t(1) << 31;

const StorageRange kI8 = {-128, 127};
const StorageRange kI8Narrow = {-127, 127};
const StorageRange kU8 = {0, 255};
const StorageRange kU4 = {0, 15};
const StorageRange kI32 = {INT32_MIN, INT32_MAX};

/// Unwraps a value that is expected to be a success.
template <typename T>
T expectValue(llvm::Expected<T> value) {
  if (!value) {
    ADD_FAILURE() << "unexpected error: " << llvm::toString(value.takeError());
    return T();
  }
  return *value;
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

/// Reference for applyFixedPointMultiplier: x * multiplier / 2^n rounded to
/// nearest with ties towards +infinity, i.e. floor((2 x M + 2^n) / 2^(n+1)),
/// computed with an explicit floor division in __int128.
int64_t referenceFixedPoint(int32_t x, int32_t multiplier, int32_t shift) {
  int n = 31 - shift;
  __int128 numerator =
      __int128(2) * x * multiplier + (static_cast<__int128>(1) << n);
  __int128 denominator = static_cast<__int128>(1) << (n + 1);
  __int128 quotient = numerator / denominator;
  if (numerator % denominator != 0 && numerator < 0)
    --quotient;
  return static_cast<int64_t>(quotient);
}

/// A second reference in long double: |x * multiplier| < 2^62 and adding 1/2
/// keeps every bit within the 64-bit mantissa, so this is exact.
int64_t referenceFixedPointLongDouble(int32_t x, int32_t multiplier,
                                      int32_t shift) {
  long double product = static_cast<long double>(x) * multiplier;
  long double scaled = std::ldexp(product, -(31 - shift));
  return static_cast<int64_t>(std::floor(scaled + 0.5L));
}

//===----------------------------------------------------------------------===//
// getStorageRange
//===----------------------------------------------------------------------===//

void expectRange(StorageRange range, int64_t min, int64_t max) {
  EXPECT_EQ(range.min, min);
  EXPECT_EQ(range.max, max);
}

TEST(QuantMathTest, StorageRange) {
  expectRange(getStorageRange(2, true), -2, 1);
  expectRange(getStorageRange(2, false), 0, 3);
  expectRange(getStorageRange(2, true, true), -1, 1);
  expectRange(getStorageRange(2, false, true), 1, 3);
  expectRange(getStorageRange(4, true), -8, 7);
  expectRange(getStorageRange(4, false), 0, 15);
  expectRange(getStorageRange(4, true, true), -7, 7);
  expectRange(getStorageRange(4, false, true), 1, 15);
  expectRange(getStorageRange(8, true), -128, 127);
  expectRange(getStorageRange(8, false), 0, 255);
  expectRange(getStorageRange(8, true, true), -127, 127);
  expectRange(getStorageRange(8, false, true), 1, 255);
  expectRange(getStorageRange(16, true), -32768, 32767);
  expectRange(getStorageRange(16, false), 0, 65535);
  expectRange(getStorageRange(16, true, true), -32767, 32767);
  expectRange(getStorageRange(16, false, true), 1, 65535);
  expectRange(getStorageRange(32, true), -2147483648LL, 2147483647LL);
  expectRange(getStorageRange(32, false), 0, 4294967295LL);
  expectRange(getStorageRange(32, true, true), -2147483647LL, 2147483647LL);
  expectRange(getStorageRange(32, false, true), 1, 4294967295LL);
}

//===----------------------------------------------------------------------===//
// chooseQuantParams
//===----------------------------------------------------------------------===//

TEST(QuantMathTest, ChooseSymmetric) {
  // max(|-1|, |2|) = 2 over 127 levels above the zero point.
  QuantParams p = expectValue(chooseQuantParams(-1.0, 2.0, kI8, true));
  EXPECT_DOUBLE_EQ(p.scale, 2.0 / 127.0);
  EXPECT_EQ(p.zeroPoint, 0);

  p = expectValue(chooseQuantParams(-1.0, 2.0, kI8Narrow, true));
  EXPECT_DOUBLE_EQ(p.scale, 2.0 / 127.0);
  EXPECT_EQ(p.zeroPoint, 0);

  // Unsigned: zero point 2^7 = 128, 255 - 128 = 127 levels above it.
  p = expectValue(chooseQuantParams(-3.0, 1.0, kU8, true));
  EXPECT_DOUBLE_EQ(p.scale, 3.0 / 127.0);
  EXPECT_EQ(p.zeroPoint, 128);

  p = expectValue(chooseQuantParams(-3.0, 1.0, {1, 255}, true));
  EXPECT_DOUBLE_EQ(p.scale, 3.0 / 127.0);
  EXPECT_EQ(p.zeroPoint, 128);

  // i4 [-8, 7]: 7 levels; u4 [0, 15]: zero point 8, 7 levels.
  p = expectValue(chooseQuantParams(-0.5, 3.5, {-8, 7}, true));
  EXPECT_DOUBLE_EQ(p.scale, 0.5);
  EXPECT_EQ(p.zeroPoint, 0);
  p = expectValue(chooseQuantParams(-0.5, 3.5, kU4, true));
  EXPECT_DOUBLE_EQ(p.scale, 0.5);
  EXPECT_EQ(p.zeroPoint, 8);
}

TEST(QuantMathTest, ChooseAsymmetric) {
  // ONNX DynamicQuantizeLinear example: x = [0, 2, -3, -2.5, 1.34, 0.5],
  // scale = 5 / 255 = 0.0196078..., zero point = round(3 / scale) = 153.
  QuantParams p = expectValue(chooseQuantParams(-3.0, 2.0, kU8, false));
  EXPECT_DOUBLE_EQ(p.scale, 5.0 / 255.0);
  EXPECT_NEAR(p.scale, 0.019607843, 1e-9);
  EXPECT_EQ(p.zeroPoint, 153);

  // Signed: zero point = -128 + 153 = 25.
  p = expectValue(chooseQuantParams(-3.0, 2.0, kI8, false));
  EXPECT_DOUBLE_EQ(p.scale, 5.0 / 255.0);
  EXPECT_EQ(p.zeroPoint, 25);

  // u8, [-1, 2]: scale 3/255, zero point 255/3 = 85; i8: -128 + 85 = -43.
  p = expectValue(chooseQuantParams(-1.0, 2.0, kU8, false));
  EXPECT_DOUBLE_EQ(p.scale, 3.0 / 255.0);
  EXPECT_EQ(p.zeroPoint, 85);
  p = expectValue(chooseQuantParams(-1.0, 2.0, kI8, false));
  EXPECT_EQ(p.zeroPoint, -43);

  // Narrow u8 [1, 255]: scale 3/254, zero point 1 + 254/3 = 85.67 -> 86.
  p = expectValue(chooseQuantParams(-1.0, 2.0, {1, 255}, false));
  EXPECT_DOUBLE_EQ(p.scale, 3.0 / 254.0);
  EXPECT_EQ(p.zeroPoint, 86);
}

TEST(QuantMathTest, ChooseAsymmetricZeroPointTiesToEven) {
  // u4 with width 3.75: scale = 3.75 / 15 = 0.25 exactly.
  // 0.625 / 0.25 = 2.5 -> 2 (even).
  QuantParams p = expectValue(chooseQuantParams(-0.625, 3.125, kU4, false));
  EXPECT_EQ(p.scale, 0.25);
  EXPECT_EQ(p.zeroPoint, 2);
  // 0.875 / 0.25 = 3.5 -> 4 (even).
  p = expectValue(chooseQuantParams(-0.875, 2.875, kU4, false));
  EXPECT_EQ(p.scale, 0.25);
  EXPECT_EQ(p.zeroPoint, 4);
}

TEST(QuantMathTest, ChooseRangeWithoutZero) {
  // [2, 10] widens to [0, 10].
  QuantParams p = expectValue(chooseQuantParams(2.0, 10.0, kU8, false));
  EXPECT_DOUBLE_EQ(p.scale, 10.0 / 255.0);
  EXPECT_EQ(p.zeroPoint, 0);
  p = expectValue(chooseQuantParams(2.0, 10.0, kI8, true));
  EXPECT_DOUBLE_EQ(p.scale, 10.0 / 127.0);
  EXPECT_EQ(p.zeroPoint, 0);
  // [-10, -2] widens to [-10, 0]: real 0 sits at the top of the range.
  p = expectValue(chooseQuantParams(-10.0, -2.0, kU8, false));
  EXPECT_DOUBLE_EQ(p.scale, 10.0 / 255.0);
  EXPECT_EQ(p.zeroPoint, 255);
  p = expectValue(chooseQuantParams(-10.0, -2.0, kI8, false));
  EXPECT_EQ(p.zeroPoint, 127);
}

TEST(QuantMathTest, ChooseZeroRange) {
  // All-zero tensor: scale 1 and a zero point that 0 quantizes to.
  struct Case {
    StorageRange range;
    bool symmetric;
    int64_t zeroPoint;
  };
  const Case cases[] = {{kU8, false, 0},
                        {kI8, false, -128},
                        {kU8, true, 128},
                        {kI8, true, 0},
                        {kI8Narrow, true, 0}};
  for (const Case &c : cases) {
    QuantParams p =
        expectValue(chooseQuantParams(0.0, 0.0, c.range, c.symmetric));
    EXPECT_EQ(p.scale, 1.0);
    EXPECT_EQ(p.zeroPoint, c.zeroPoint);
    EXPECT_EQ(
        quantizeValue(0.0f, static_cast<float>(p.scale), p.zeroPoint, c.range),
        c.zeroPoint);
  }
}

TEST(QuantMathTest, ChooseConstantTensor) {
  // A constant 3 widens to [0, 3].
  QuantParams p = expectValue(chooseQuantParams(3.0, 3.0, kU8, false));
  EXPECT_DOUBLE_EQ(p.scale, 3.0 / 255.0);
  EXPECT_EQ(p.zeroPoint, 0);
  p = expectValue(chooseQuantParams(3.0, 3.0, kI8, true));
  EXPECT_DOUBLE_EQ(p.scale, 3.0 / 127.0);
  EXPECT_EQ(p.zeroPoint, 0);
  // A constant -3 widens to [-3, 0].
  p = expectValue(chooseQuantParams(-3.0, -3.0, kU8, false));
  EXPECT_DOUBLE_EQ(p.scale, 3.0 / 255.0);
  EXPECT_EQ(p.zeroPoint, 255);
}

TEST(QuantMathTest, ChooseTinyRange) {
  // 1e-45 / 255 is far below the smallest normal f32.
  QuantParams p = expectValue(chooseQuantParams(0.0, 1e-45, kU8, false));
  EXPECT_EQ(p.scale, kMinScale);
  EXPECT_EQ(p.zeroPoint, 0);
  p = expectValue(chooseQuantParams(-1e-45, 1e-45, kI8, true));
  EXPECT_EQ(p.scale, kMinScale);
  EXPECT_EQ(p.zeroPoint, 0);
  // 1e-45 / 1.17e-38 ~ 8.5e-8 rounds to a zero point of 0.
  p = expectValue(chooseQuantParams(-1e-45, 0.0, kU8, false));
  EXPECT_EQ(p.scale, kMinScale);
  EXPECT_EQ(p.zeroPoint, 0);
  // kMinScale is FLT_MIN.
  EXPECT_EQ(kMinScale, static_cast<double>(FLT_MIN));
}

TEST(QuantMathTest, ChooseHugeRange) {
  // [-1e38, 3e38]: scale 4e38 / 255, zero point 255 / 4 = 63.75 -> 64.
  QuantParams p = expectValue(chooseQuantParams(-1e38, 3e38, kU8, false));
  EXPECT_DOUBLE_EQ(p.scale, 4e38 / 255.0);
  EXPECT_EQ(p.zeroPoint, 64);
  p = expectValue(chooseQuantParams(-1e38, 3e38, kI8, true));
  EXPECT_DOUBLE_EQ(p.scale, 3e38 / 127.0);
  EXPECT_EQ(p.zeroPoint, 0);
  // rmax - rmin overflows double; the scale (2 DBL_MAX / 255) does not.
  p = expectValue(chooseQuantParams(-DBL_MAX, DBL_MAX, kU8, false));
  EXPECT_TRUE(std::isfinite(p.scale));
  EXPECT_NEAR(p.scale / (DBL_MAX / 255.0), 2.0, 1e-12);
  // 127.5 up to rounding in the last bit: either neighbour.
  EXPECT_TRUE(p.zeroPoint == 127 || p.zeroPoint == 128) << p.zeroPoint;
}

TEST(QuantMathTest, ChooseErrors) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::string msg = errorMessage(chooseQuantParams(nan, 1.0, kU8, false));
  EXPECT_NE(msg.find("nan"), std::string::npos) << msg;
  EXPECT_NE(msg.find("minimum"), std::string::npos) << msg;
  msg = errorMessage(chooseQuantParams(0.0, nan, kU8, true));
  EXPECT_NE(msg.find("nan"), std::string::npos) << msg;
  EXPECT_NE(msg.find("maximum"), std::string::npos) << msg;
  msg = errorMessage(chooseQuantParams(-inf, 1.0, kI8, false));
  EXPECT_NE(msg.find("-inf"), std::string::npos) << msg;
  msg = errorMessage(chooseQuantParams(0.0, inf, kI8, true));
  EXPECT_NE(msg.find("inf"), std::string::npos) << msg;
  msg = errorMessage(chooseQuantParams(2.5, -1.25, kU8, false));
  EXPECT_NE(msg.find("2.5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("-1.25"), std::string::npos) << msg;
  // Messages are lowercase sentences.
  ASSERT_FALSE(msg.empty());
  EXPECT_TRUE(std::islower(static_cast<unsigned char>(msg[0]))) << msg;
}

//===----------------------------------------------------------------------===//
// roundHalfToEven
//===----------------------------------------------------------------------===//

TEST(QuantMathTest, RoundHalfToEven) {
  EXPECT_EQ(roundHalfToEven(0.5f), 0.0f);
  EXPECT_EQ(roundHalfToEven(1.5f), 2.0f);
  EXPECT_EQ(roundHalfToEven(2.5f), 2.0f);
  EXPECT_EQ(roundHalfToEven(3.5f), 4.0f);
  EXPECT_EQ(roundHalfToEven(-0.5f), 0.0f);
  EXPECT_TRUE(std::signbit(roundHalfToEven(-0.5f)));
  EXPECT_EQ(roundHalfToEven(-1.5f), -2.0f);
  EXPECT_EQ(roundHalfToEven(-2.5f), -2.0f);
  // Not ties.
  EXPECT_EQ(roundHalfToEven(0.49999997f), 0.0f);
  EXPECT_EQ(roundHalfToEven(0.50000006f), 1.0f);
  EXPECT_EQ(roundHalfToEven(2.4f), 2.0f);
  EXPECT_EQ(roundHalfToEven(-2.6f), -3.0f);
  EXPECT_EQ(roundHalfToEven(7.0f), 7.0f);
  // 8388607.5 = 2^23 - 0.5 is a tie between 8388607 and 8388608 (even).
  EXPECT_EQ(roundHalfToEven(8388607.5f), 8388608.0f);
  EXPECT_EQ(roundHalfToEven(8388606.5f), 8388606.0f);
  // Already integral.
  EXPECT_EQ(roundHalfToEven(16777217.0f), 16777217.0f);
  EXPECT_EQ(roundHalfToEven(1e30f), 1e30f);
  EXPECT_EQ(roundHalfToEven(kInf), kInf);
  EXPECT_EQ(roundHalfToEven(-kInf), -kInf);
  EXPECT_TRUE(std::isnan(roundHalfToEven(kNaN)));
}

//===----------------------------------------------------------------------===//
// quantizeValue / dequantizeValue
//===----------------------------------------------------------------------===//

TEST(QuantMathTest, QuantizeRoundsTiesToEven) {
  // scale 0.5: x / scale = 2x exactly.
  EXPECT_EQ(quantizeValue(0.25f, 0.5f, 0, kI8), 0);   // 0.5 -> 0
  EXPECT_EQ(quantizeValue(0.75f, 0.5f, 0, kI8), 2);   // 1.5 -> 2
  EXPECT_EQ(quantizeValue(1.25f, 0.5f, 0, kI8), 2);   // 2.5 -> 2
  EXPECT_EQ(quantizeValue(-0.25f, 0.5f, 0, kI8), 0);  // -0.5 -> 0
  EXPECT_EQ(quantizeValue(-0.75f, 0.5f, 0, kI8), -2); // -1.5 -> -2
  EXPECT_EQ(quantizeValue(-1.25f, 0.5f, 0, kI8), -2); // -2.5 -> -2
  EXPECT_EQ(quantizeValue(1.0f, 0.5f, 0, kI8), 2);
  EXPECT_EQ(quantizeValue(1.3f, 0.5f, 0, kI8), 3); // 2.6 -> 3
}

TEST(QuantMathTest, QuantizeZeroPoint) {
  EXPECT_EQ(quantizeValue(1.25f, 0.5f, 128, kU8), 130);  // 2 + 128
  EXPECT_EQ(quantizeValue(-1.25f, 0.5f, 128, kU8), 126); // -2 + 128
  EXPECT_EQ(quantizeValue(0.0f, 0.5f, 128, kU8), 128);
  // Rounding happens before the zero point is added: with an odd zero point
  // 3, x / scale = 0.5 rounds to 0 (not round(3.5) = 4).
  EXPECT_EQ(quantizeValue(0.25f, 0.5f, 3, kU8), 3);
  EXPECT_EQ(quantizeValue(0.75f, 0.5f, 3, kU8), 5); // round(1.5) + 3
  EXPECT_EQ(quantizeValue(1.0f, 0.1f, -5, kI8), 5); // 10.0000001 -> 10, - 5
}

TEST(QuantMathTest, QuantizeIsF32) {
  // 0.07f / 0.004f is 17.49999924... exactly, within half an f32 ulp
  // (2^-20) of 17.5, so the f32 quotient is the tie 17.5 -> 18. A double
  // quotient would round to 17.
  EXPECT_EQ(quantizeValue(0.07f, 0.004f, 0, kI8), 18);
  // 0.03f / 0.012f = 2.49999992... -> f32 2.5 -> 2 (same either way).
  EXPECT_EQ(quantizeValue(0.03f, 0.012f, 0, kI8), 2);
}

TEST(QuantMathTest, QuantizeSaturates) {
  EXPECT_EQ(quantizeValue(1000.0f, 1.0f, 0, kI8), 127);
  EXPECT_EQ(quantizeValue(-1000.0f, 1.0f, 0, kI8), -128);
  EXPECT_EQ(quantizeValue(-1000.0f, 1.0f, 0, kI8Narrow), -127);
  EXPECT_EQ(quantizeValue(127.4f, 1.0f, 0, kI8), 127);
  EXPECT_EQ(quantizeValue(127.5f, 1.0f, 0, kI8), 127); // 128 saturates
  EXPECT_EQ(quantizeValue(-200.0f, 1.0f, 128, kU8), 0);
  EXPECT_EQ(quantizeValue(200.0f, 1.0f, 128, kU8), 255);
  EXPECT_EQ(quantizeValue(1e30f, 1e-30f, 0, kI8), 127); // quotient is +Inf
  // 16-bit and 24-bit ranges.
  EXPECT_EQ(quantizeValue(40000.0f, 1.0f, 0, {-32768, 32767}), 32767);
  EXPECT_EQ(quantizeValue(1e9f, 1.0f, 0, {-8388608, 8388607}), 8388607);
  EXPECT_EQ(quantizeValue(-1e9f, 1.0f, 0, {-8388608, 8388607}), -8388608);
}

TEST(QuantMathTest, QuantizeNonFinite) {
  EXPECT_EQ(quantizeValue(kNaN, 0.5f, 0, kI8), 0);
  EXPECT_EQ(quantizeValue(kNaN, 0.5f, 128, kU8), 128);
  EXPECT_EQ(quantizeValue(-kNaN, 0.5f, -5, kI8), -5);
  EXPECT_EQ(quantizeValue(kInf, 0.5f, 0, kI8), 127);
  EXPECT_EQ(quantizeValue(-kInf, 0.5f, 0, kI8), -128);
  EXPECT_EQ(quantizeValue(kInf, 0.5f, 128, kU8), 255);
  EXPECT_EQ(quantizeValue(-kInf, 0.5f, 128, kU8), 0);
  EXPECT_EQ(quantizeValue(-kInf, 0.5f, 0, kI8Narrow), -127);
}

TEST(QuantMathTest, Dequantize) {
  EXPECT_EQ(dequantizeValue(130, 0.5f, 128), 1.0f);
  EXPECT_EQ(dequantizeValue(-128, 0.5f, 0), -64.0f);
  EXPECT_EQ(dequantizeValue(5, 0.25f, 5), 0.0f);
  // 0.1f * 128 is exact (a power-of-two scaling).
  EXPECT_EQ(dequantizeValue(-128, 0.1f, 0), -std::ldexp(0.1f, 7));
  // 3 * 0.1f needs 26 bits; the exact product (double is exact here) rounded
  // once to f32 is 0x1.333334p-2.
  float expected = static_cast<float>(3.0 * static_cast<double>(0.1f));
  EXPECT_EQ(dequantizeValue(13, 0.1f, 10), expected);
  EXPECT_EQ(expected, 0x1.333334p-2f);
  // q - zeroPoint = 2^24 + 1 converts to 2^24 (ties to even).
  EXPECT_EQ(dequantizeValue(16777217, 1.0f, 0), 16777216.0f);
}

//===----------------------------------------------------------------------===//
// Float-mode requantization
//===----------------------------------------------------------------------===//

TEST(QuantMathTest, RequantizeMultiplier) {
  EXPECT_EQ(getRequantizeMultiplier(0.5, 0.25), 2.0f);
  // 1/3 rounded once to f32: 0x1.555556p-2 (0.333333343).
  EXPECT_EQ(getRequantizeMultiplier(1.0, 3.0), 0x1.555556p-2f);
  // 0.02 / 0.3 = 1/15 = 0x1.111111...p-4, rounded to 0x1.111112p-4.
  EXPECT_EQ(getRequantizeMultiplier(0.02, 0.3), 0x1.111112p-4f);
}

TEST(QuantMathTest, RequantizeFloat) {
  // 0.25 * q is exact: ties to even.
  EXPECT_EQ(requantizeValue(10, 0, 0.25f, 0, kI8), 2);   // 2.5 -> 2
  EXPECT_EQ(requantizeValue(6, 0, 0.25f, 0, kI8), 2);    // 1.5 -> 2
  EXPECT_EQ(requantizeValue(-10, 0, 0.25f, 0, kI8), -2); // -2.5 -> -2
  EXPECT_EQ(requantizeValue(-6, 0, 0.25f, 0, kI8), -2);  // -1.5 -> -2
  // Zero points: (14 - 4) * 0.25 = 2.5 -> 2, + 3 = 5 (not round(5.5) = 6).
  EXPECT_EQ(requantizeValue(14, 4, 0.25f, 3, kI8), 5);
  EXPECT_EQ(requantizeValue(0, 128, 0.5f, 128, kU8), 64);
  // 5 * 0.7f = 3.49999994... exactly, which rounds to the f32 tie 3.5 -> 4.
  EXPECT_EQ(requantizeValue(5, 0, 0.7f, 0, kI8), 4);
  // Saturation.
  EXPECT_EQ(requantizeValue(1000, 0, 1.0f, 0, kI8), 127);
  EXPECT_EQ(requantizeValue(-1000, 0, 1.0f, 0, kI8), -128);
  EXPECT_EQ(requantizeValue(-1000, 0, 1.0f, 128, kU8), 0);
  EXPECT_EQ(requantizeValue(INT32_MAX, INT32_MIN, 1.0f, 0, kI8), 127);
}

TEST(QuantMathTest, RequantizeFloatLargeAccumulator) {
  // |q - inZeroPoint| > 2^24: the conversion to f32 rounds to nearest even.
  // 2^24 + 1 is halfway between 2^24 (even mantissa) and 2^24 + 2 (odd).
  EXPECT_EQ(requantizeValue(16777217, 0, 1.0f, 0, kI32), 16777216);
  // 2^24 + 3 is halfway between 2^24 + 2 (odd) and 2^24 + 4 (even).
  EXPECT_EQ(requantizeValue(16777219, 0, 1.0f, 0, kI32), 16777220);
  EXPECT_EQ(requantizeValue(16777224, 5, 1.0f, 0, kI32), 16777220);
  EXPECT_EQ(requantizeValue(-16777219, 0, 1.0f, 0, kI32), -16777220);
  // Then halved: 16777216 * 0.5 = 8388608, saturated to a 24-bit range.
  EXPECT_EQ(requantizeValue(16777217, 0, 0.5f, 0, {-8388608, 8388607}),
            8388607);
  EXPECT_EQ(requantizeValue(16777217, 0, 0.25f, 0, kI32), 4194304);
  // 2^24 * 0.75 = 12582912 exactly; without the f32 conversion the product
  // would be 12582912.75 -> 12582913.
  EXPECT_EQ(requantizeValue(16777217, 0, 0.75f, 0, kI32), 12582912);
  // 2^24 + 1 scaled by 2^-20 would be 16.00000095 in exact arithmetic
  // (-> 16), and the f32 conversion already made it 16.
  EXPECT_EQ(requantizeValue(16777217, 0, 0x1p-20f, 0, kI8), 16);
}

//===----------------------------------------------------------------------===//
// Fixed-point multipliers
//===----------------------------------------------------------------------===//

void expectFixedPoint(double m, int64_t multiplier, int32_t shift) {
  SCOPED_TRACE(testing::Message() << "M = " << m);
  FixedPointMultiplier fp = expectValue(getFixedPointMultiplier(m));
  EXPECT_EQ(fp.multiplier, multiplier);
  EXPECT_EQ(fp.shift, shift);
}

TEST(QuantMathTest, FixedPointMultiplierExactValues) {
  // Powers of two: mantissa 0.5, multiplier 2^30.
  expectFixedPoint(0.5, kTwo30, 0);
  expectFixedPoint(0.25, kTwo30, -1);
  expectFixedPoint(1.0, kTwo30, 1);
  expectFixedPoint(2.0, kTwo30, 2);
  // 0.3 = 0.6 * 2^-1; 0.6 * 2^31 = 1288490188.8 -> 1288490189.
  expectFixedPoint(0.3, 1288490189, -1);
  // 1e-3 = 0.512 * 2^-9; 0.512 * 2^31 = 1099511627.776 -> 1099511628.
  expectFixedPoint(1e-3, 1099511628, -9);
  // 0.75 * 2^31 = 1610612736 exactly.
  expectFixedPoint(0.75, 1610612736, 0);
  expectFixedPoint(0.0, 0, 0);
  expectFixedPoint(-0.0, 0, 0);
  EXPECT_EQ(FixedPointMultiplier({kTwo30, 0}).getRightShift(), 31);
  EXPECT_EQ(FixedPointMultiplier({kTwo30, -31}).getRightShift(), 62);
}

TEST(QuantMathTest, FixedPointMultiplierRoundsHalfAwayFromZero) {
  // M = (2^30 + 0.5) * 2^-31: mantissa * 2^31 = 2^30 + 0.5 -> 2^30 + 1.
  expectFixedPoint(std::ldexp(double(kTwo30) + 0.5, -31), kTwo30 + 1, 0);
  // (2^30 + 1.5) * 2^-31 -> 2^30 + 2 (half away from zero, not to even:
  // 2^30 + 1.5 ties to even would also give 2^30 + 2, so check 2.5 too).
  expectFixedPoint(std::ldexp(double(kTwo30) + 2.5, -31), kTwo30 + 3, 0);
  // (2^31 - 0.5) * 2^-31 rounds to 2^31: the multiplier is renormalised to
  // 2^30 and the shift incremented.
  expectFixedPoint(std::ldexp(double(kTwo31) - 0.5, -31), kTwo30, 1);
}

TEST(QuantMathTest, FixedPointMultiplierTiny) {
  // 1e-20 = 0.738 * 2^-66: right shift 97 > 62 -> {0, 0}.
  expectFixedPoint(1e-20, 0, 0);
  // 2^-32 = 0.5 * 2^-31: shift -31, right shift 62, still representable.
  expectFixedPoint(std::ldexp(1.0, -32), kTwo30, -31);
  // 2^-33: right shift 63 -> {0, 0}.
  expectFixedPoint(std::ldexp(1.0, -33), 0, 0);
  expectFixedPoint(std::numeric_limits<double>::denorm_min(), 0, 0);
}

TEST(QuantMathTest, FixedPointMultiplierNear2To30) {
  // 2^30 - 1 = (1 - 2^-30) * 2^30; (1 - 2^-30) * 2^31 = 2^31 - 2.
  expectFixedPoint(double(kTwo30 - 1), kTwo31 - 2, 30);
  // 2^30 - 0.5: mantissa * 2^31 = 2^31 - 1, the largest multiplier.
  expectFixedPoint(double(kTwo30) - 0.5, kTwo31 - 1, 30);
  // 1e9 = 0.931... * 2^30; 1e9 * 2 = 2000000000 exactly.
  expectFixedPoint(1e9, 2000000000, 30);

  std::string msg = errorMessage(getFixedPointMultiplier(double(kTwo30)));
  EXPECT_NE(msg.find("1073741824"), std::string::npos) << msg;
  EXPECT_NE(msg.find("too large"), std::string::npos) << msg;
  // 2^30 - 0.25 is below 2^30, but its 31-bit mantissa rounds up to 2^30
  // (shift 31, a zero right shift) and is rejected.
  msg = errorMessage(getFixedPointMultiplier(double(kTwo30) - 0.25));
  EXPECT_NE(msg.find("1073741823.75"), std::string::npos) << msg;
  msg = errorMessage(getFixedPointMultiplier(1e10));
  EXPECT_NE(msg.find("1e+10"), std::string::npos) << msg;
}

TEST(QuantMathTest, FixedPointMultiplierErrors) {
  std::string msg = errorMessage(getFixedPointMultiplier(-0.5));
  EXPECT_NE(msg.find("-0.5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("non-negative"), std::string::npos) << msg;
  msg = errorMessage(
      getFixedPointMultiplier(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_NE(msg.find("nan"), std::string::npos) << msg;
  msg = errorMessage(
      getFixedPointMultiplier(std::numeric_limits<double>::infinity()));
  EXPECT_NE(msg.find("inf"), std::string::npos) << msg;
  msg = errorMessage(
      getFixedPointMultiplier(-std::numeric_limits<double>::infinity()));
  EXPECT_NE(msg.find("-inf"), std::string::npos) << msg;
}

TEST(QuantMathTest, FixedPointMultiplierApproximatesM) {
  // Log-uniform M in [2^-31, 2^30): multiplier in [2^30, 2^31) and
  // |multiplier * 2^(shift - 31) - M| <= 2^-31 M (half a unit in 2^30).
  std::mt19937_64 rng(20240611);
  std::uniform_real_distribution<double> log2M(-31.0, 29.999);
  for (int i = 0; i < 10000; ++i) {
    double m = std::exp2(log2M(rng));
    SCOPED_TRACE(testing::Message() << "M = " << m);
    FixedPointMultiplier fp = expectValue(getFixedPointMultiplier(m));
    ASSERT_GE(fp.multiplier, kTwo30);
    ASSERT_LT(fp.multiplier, kTwo31);
    ASSERT_LE(fp.shift, 30);
    ASSERT_GE(fp.getRightShift(), 1);
    ASSERT_LE(fp.getRightShift(), 62);
    long double approx =
        std::ldexp(static_cast<long double>(fp.multiplier), fp.shift - 31);
    long double error = std::fabs(approx - static_cast<long double>(m));
    ASSERT_LE(error, std::ldexp(static_cast<long double>(m), -31));
  }
}

TEST(QuantMathTest, ApplyFixedPointMultiplierTies) {
  // M = 0.5 ({2^30, 0}, right shift 31): x / 2, ties towards +infinity.
  const FixedPointMultiplier half = {int32_t(kTwo30), 0};
  EXPECT_EQ(applyFixedPointMultiplier(1, half), 1);   // 0.5 -> 1
  EXPECT_EQ(applyFixedPointMultiplier(-1, half), 0);  // -0.5 -> 0
  EXPECT_EQ(applyFixedPointMultiplier(3, half), 2);   // 1.5 -> 2
  EXPECT_EQ(applyFixedPointMultiplier(-3, half), -1); // -1.5 -> -1
  EXPECT_EQ(applyFixedPointMultiplier(5, half), 3);   // 2.5 -> 3
  EXPECT_EQ(applyFixedPointMultiplier(-5, half), -2); // -2.5 -> -2
  EXPECT_EQ(applyFixedPointMultiplier(4, half), 2);
  EXPECT_EQ(applyFixedPointMultiplier(-4, half), -2);
  EXPECT_EQ(applyFixedPointMultiplier(INT32_MIN, half), -1073741824);
  EXPECT_EQ(applyFixedPointMultiplier(INT32_MAX, half), 1073741824);
  // Every odd x is a tie for M = 0.5: result (x + 1) / 2.
  // M = 0.75 * 2 = 1.5 ({3 * 2^29, 1}, right shift 30): odd x ties,
  // result (3x + 1) / 2.
  const FixedPointMultiplier oneAndHalf = {int32_t(3 * (kTwo30 / 2)), 1};
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> dist(-(1 << 30), (1 << 30) - 1);
  for (int i = 0; i < 1000; ++i) {
    int64_t x = dist(rng) | 1;
    ASSERT_EQ(applyFixedPointMultiplier(static_cast<int32_t>(x), half),
              (x + 1) / 2)
        << x;
    ASSERT_EQ(applyFixedPointMultiplier(static_cast<int32_t>(x), oneAndHalf),
              (3 * x + 1) / 2)
        << x;
  }
}

TEST(QuantMathTest, ApplyFixedPointMultiplierRandom) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int32_t> anyInt32(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> mantissa(int32_t(kTwo30),
                                                  int32_t(kTwo31 - 1));
  std::uniform_int_distribution<int32_t> shiftDist(-31, 30);
  std::uniform_int_distribution<int32_t> small(-1000, 1000);
  const int32_t specials[] = {0,  1,         -1,        2,
                              -2, INT32_MAX, INT32_MIN, INT32_MIN + 1};
  int ties = 0;
  for (int i = 0; i < 10000; ++i) {
    FixedPointMultiplier fp = {mantissa(rng), shiftDist(rng)};
    int32_t x;
    if (i % 10 == 0)
      x = specials[(i / 10) % 8];
    else if (i % 10 == 1)
      x = small(rng);
    else
      x = anyInt32(rng);
    // Every 10th case: force a tie by making x * multiplier an odd multiple
    // of 2^(n-1) (x = +/-2^(n-1) with an odd multiplier when n <= 31).
    int n = fp.getRightShift();
    if (i % 10 == 5 && n <= 31) {
      fp.multiplier |= 1;
      int64_t magnitude = int64_t(1) << (n - 1);
      x = static_cast<int32_t>((i % 20 == 5) ? magnitude : -magnitude);
      ++ties;
    }
    SCOPED_TRACE(testing::Message()
                 << "x = " << x << ", multiplier = " << fp.multiplier
                 << ", shift = " << fp.shift);
    int64_t expected = referenceFixedPoint(x, fp.multiplier, fp.shift);
    ASSERT_EQ(expected,
              referenceFixedPointLongDouble(x, fp.multiplier, fp.shift));
    ASSERT_EQ(applyFixedPointMultiplier(x, fp), expected);
  }
  EXPECT_GT(ties, 100);
  // The zero multiplier maps everything to 0.
  EXPECT_EQ(applyFixedPointMultiplier(INT32_MAX, FixedPointMultiplier()), 0);
  EXPECT_EQ(applyFixedPointMultiplier(INT32_MIN, FixedPointMultiplier()), 0);
}

TEST(QuantMathTest, ApplyFixedPointMultiplierFromDouble) {
  // End to end against the real multiplier: the result is within 1 of the
  // exact x * M, rounded to nearest (ties up), for M's well inside the range.
  std::mt19937 rng(99);
  std::uniform_int_distribution<int32_t> anyInt32(-(1 << 24), 1 << 24);
  std::uniform_real_distribution<double> log2M(-20.0, 4.0);
  for (int i = 0; i < 2000; ++i) {
    double m = std::exp2(log2M(rng));
    int32_t x = anyInt32(rng);
    FixedPointMultiplier fp = expectValue(getFixedPointMultiplier(m));
    long double exact = static_cast<long double>(x) * m;
    int64_t got = applyFixedPointMultiplier(x, fp);
    ASSERT_LE(std::fabs(static_cast<long double>(got) - exact), 1.0L)
        << "x = " << x << ", M = " << m;
  }
}

TEST(QuantMathTest, RequantizeFixedPoint) {
  const FixedPointMultiplier half = {int32_t(kTwo30), 0};
  const FixedPointMultiplier one = {int32_t(kTwo30), 1};
  // (100 - 0) * 0.5 + 3 = 53.
  EXPECT_EQ(requantizeValueFixedPoint(100, 0, half, 3, kI8), 53);
  // (-3 - 0) * 0.5 = -1.5 -> -1 (ties up), + 3 = 2.
  EXPECT_EQ(requantizeValueFixedPoint(-3, 0, half, 3, kI8), 2);
  // (13 - 10) * 0.5 = 1.5 -> 2, + 128 = 130.
  EXPECT_EQ(requantizeValueFixedPoint(13, 10, half, 128, kU8), 130);
  // Saturation after the zero point.
  EXPECT_EQ(requantizeValueFixedPoint(1000, 0, one, 0, kI8), 127);
  EXPECT_EQ(requantizeValueFixedPoint(-1000, 0, one, 0, kI8), -128);
  EXPECT_EQ(requantizeValueFixedPoint(120, 0, one, 10, kI8), 127);
  EXPECT_EQ(requantizeValueFixedPoint(-120, 0, one, 128, kU8), 8);
  EXPECT_EQ(requantizeValueFixedPoint(-200, 0, one, 128, kU8), 0);
  // 0.3 ~ {1288490189, -1}: 1000 * 0.3 = 300.0000000xx -> 300, saturated.
  FixedPointMultiplier point3 = {1288490189, -1};
  EXPECT_EQ(requantizeValueFixedPoint(1000, 0, point3, 0, {-32768, 32767}),
            300);
  EXPECT_EQ(requantizeValueFixedPoint(1000, 0, point3, 0, kI8), 127);
  EXPECT_EQ(requantizeValueFixedPoint(5, 0, FixedPointMultiplier(), 7, kI8), 7);
}

//===----------------------------------------------------------------------===//
// Overflow bounds
//===----------------------------------------------------------------------===//

TEST(QuantMathTest, MaxMagnitude) {
  EXPECT_EQ(getMaxMagnitude(kI8, 0), 128);
  EXPECT_EQ(getMaxMagnitude(kI8Narrow, 0), 127);
  EXPECT_EQ(getMaxMagnitude(kI8, -128), 255);
  EXPECT_EQ(getMaxMagnitude(kI8, 127), 255);
  EXPECT_EQ(getMaxMagnitude(kI8, 25), 153);
  EXPECT_EQ(getMaxMagnitude(kU8, 0), 255);
  EXPECT_EQ(getMaxMagnitude(kU8, 128), 128);
  EXPECT_EQ(getMaxMagnitude(kU8, 100), 155);
  EXPECT_EQ(getMaxMagnitude(kU8, 255), 255);
  EXPECT_EQ(getMaxMagnitude(kU4, 8), 8);
  EXPECT_EQ(getMaxMagnitude({-32768, 32767}, 0), 32768);
  EXPECT_EQ(getMaxMagnitude(kI32, 0), 2147483648LL);
}

TEST(QuantMathTest, AccumulatorBoundary) {
  // 255 * 255 = 65025; 33025 * 65025 = 2147450625 <= 2^31 - 1 = 2147483647;
  // 33026 * 65025 = 2147515650 does not fit.
  EXPECT_TRUE(accumulatorCannotOverflow(33025, 255, 255, 0, 32));
  EXPECT_FALSE(accumulatorCannotOverflow(33026, 255, 255, 0, 32));
  // The slack at K = 33025 is 2147483647 - 2147450625 = 33022.
  EXPECT_TRUE(accumulatorCannotOverflow(33025, 255, 255, 33022, 32));
  EXPECT_FALSE(accumulatorCannotOverflow(33025, 255, 255, 33023, 32));
  // i8 x i8 with zero point 0: 128 * 128 = 2^14; 131071 * 2^14 = 2^31 - 2^14
  // fits with slack 16383, 131072 * 2^14 = 2^31 does not.
  EXPECT_TRUE(accumulatorCannotOverflow(131071, 128, 128, 16383, 32));
  EXPECT_FALSE(accumulatorCannotOverflow(131071, 128, 128, 16384, 32));
  EXPECT_FALSE(accumulatorCannotOverflow(131072, 128, 128, 0, 32));
  // 16-bit accumulator: 2 * 127 * 127 = 32258 <= 32767 < 3 * 16129 = 48387.
  EXPECT_TRUE(accumulatorCannotOverflow(2, 127, 127, 0, 16));
  EXPECT_TRUE(accumulatorCannotOverflow(2, 127, 127, 509, 16));
  EXPECT_FALSE(accumulatorCannotOverflow(2, 127, 127, 510, 16));
  EXPECT_FALSE(accumulatorCannotOverflow(3, 127, 127, 0, 16));
  // Empty reduction: only the bias counts.
  EXPECT_TRUE(accumulatorCannotOverflow(0, 255, 255, 2147483647, 32));
  EXPECT_FALSE(accumulatorCannotOverflow(0, 255, 255, 2147483648LL, 32));
}

TEST(QuantMathTest, AccumulatorHugeValues) {
  // Products that overflow int64 never fit.
  EXPECT_FALSE(accumulatorCannotOverflow(INT64_MAX, 2, 2, 0, 32));
  EXPECT_FALSE(accumulatorCannotOverflow(INT64_MAX, 2, 2, 0, 64));
  EXPECT_FALSE(accumulatorCannotOverflow(int64_t(1) << 40, int64_t(1) << 20,
                                         int64_t(1) << 20, 0, 64));
  EXPECT_FALSE(accumulatorCannotOverflow(1, 1, 1, INT64_MAX, 64));
  // 64-bit accumulator boundary: INT64_MAX itself fits.
  EXPECT_TRUE(accumulatorCannotOverflow(1, INT64_MAX, 1, 0, 64));
  EXPECT_TRUE(accumulatorCannotOverflow(1, INT64_MAX - 5, 1, 5, 64));
  EXPECT_FALSE(accumulatorCannotOverflow(1, INT64_MAX - 5, 1, 6, 64));
  // 2^31 * 2^31 = 2^62 fits in i64.
  EXPECT_TRUE(accumulatorCannotOverflow(1, kTwo31, kTwo31, 0, 64));
  EXPECT_FALSE(accumulatorCannotOverflow(2, kTwo31, kTwo31, 0, 32));
}

} // namespace
