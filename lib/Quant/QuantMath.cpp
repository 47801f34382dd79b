//===- QuantMath.cpp - Scalar quantization arithmetic -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Implements the scalar quantization arithmetic declared in QuantMath.h:
// storage ranges, scale/zero-point selection, f32 round-half-to-even
// quantize/dequantize/requantize, and fixed-point multiplier decomposition.
// Every f32 step is a genuine f32 operation (float variables, float division
// and multiplication) in the order the reference lowering emits them, and
// rounding does not depend on the floating-point environment.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Quant/QuantMath.h"
#include "qcomp/Support/Format.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mlir::qcomp;

/// Saturates the f32 value `t` to `range` and converts it to an integer. The
/// comparisons against the f32 bounds come first so that the conversion is
/// always defined; the integer clamp afterwards only matters for ranges wider
/// than 24 bits, whose bounds are not exact in f32. `t` must not be NaN.
static int64_t saturateToRange(float t, StorageRange range) {
  assert(!std::isnan(t) && "cannot saturate NaN");
  float lo = static_cast<float>(range.min);
  float hi = static_cast<float>(range.max);
  if (t < lo)
    t = lo;
  else if (t > hi)
    t = hi;
  return std::clamp(static_cast<int64_t>(t), range.min, range.max);
}

StorageRange mlir::qcomp::getStorageRange(unsigned bits, bool isSigned,
                                          bool narrowRange) {
  assert(bits >= 1 && bits <= 32 && "storage width must be in [1, 32]");
  StorageRange range;
  if (isSigned) {
    range.min = -(int64_t(1) << (bits - 1));
    range.max = (int64_t(1) << (bits - 1)) - 1;
  } else {
    range.min = 0;
    range.max = (int64_t(1) << bits) - 1;
  }
  if (narrowRange)
    ++range.min;
  return range;
}

llvm::Expected<QuantParams> mlir::qcomp::chooseQuantParams(double rmin,
                                                           double rmax,
                                                           StorageRange range,
                                                           bool symmetric) {
  if (!std::isfinite(rmin))
    return llvm::createStringError("real range minimum must be finite, got " +
                                   formatDouble(rmin));
  if (!std::isfinite(rmax))
    return llvm::createStringError("real range maximum must be finite, got " +
                                   formatDouble(rmax));
  if (rmin > rmax)
    return llvm::createStringError("real range minimum " + formatDouble(rmin) +
                                   " is greater than real range maximum " +
                                   formatDouble(rmax));
  if (range.min >= range.max)
    return llvm::createStringError(
        "storage range [" + std::to_string(range.min) + ", " +
        std::to_string(range.max) + "] must contain at least two values");

  // Widen the real range to contain 0 so that 0 is exactly representable.
  rmin = std::min(rmin, 0.0);
  rmax = std::max(rmax, 0.0);

  QuantParams params;
  if (symmetric) {
    // The middle of the storage range: 0 for signed (also narrow) ranges,
    // 2^(b-1) for unsigned (also narrow) ranges.
    params.zeroPoint = range.min + (range.max - range.min + 1) / 2;
    if (range.max - params.zeroPoint <= 0)
      return llvm::createStringError(
          "storage range [" + std::to_string(range.min) + ", " +
          std::to_string(range.max) +
          "] is too narrow for symmetric quantization");
    double maxAbs = std::max(std::fabs(rmin), std::fabs(rmax));
    double scale = maxAbs / static_cast<double>(range.max - params.zeroPoint);
    // A zero-width range keeps the middle zero point with scale 1.
    params.scale = scale == 0.0 ? 1.0 : std::max(scale, kMinScale);
    return params;
  }

  double levels = static_cast<double>(range.max - range.min);
  double scale = (rmax - rmin) / levels;
  // rmax - rmin overflows only for bounds near the double maximum; split the
  // division so that the scale stays finite.
  if (!std::isfinite(scale))
    scale = rmax / levels - rmin / levels;
  // A zero-width range gets scale 1; its zero point below is then range.min,
  // which represents 0 since rmin == 0.
  scale = scale == 0.0 ? 1.0 : std::max(scale, kMinScale);
  params.scale = scale;

  // zeroPoint = round_half_to_even(range.min - rmin / scale), saturated.
  // std::nearbyint rounds ties to even under the default rounding mode.
  double zeroPoint =
      std::nearbyint(static_cast<double>(range.min) - rmin / scale);
  zeroPoint = std::clamp(zeroPoint, static_cast<double>(range.min),
                         static_cast<double>(range.max));
  params.zeroPoint = static_cast<int64_t>(zeroPoint);
  return params;
}

float mlir::qcomp::roundHalfToEven(float x) {
  // Every float of magnitude >= 2^23 is already an integer; so are Inf/NaN.
  if (!(std::fabs(x) < 8388608.0f))
    return x;
  // std::round rounds half away from zero independently of the rounding
  // mode; fix up ties that landed on an odd integer. Below 2^23 both the
  // difference and the fmod are exact.
  float rounded = std::round(x);
  if (std::fabs(rounded - x) == 0.5f && std::fmod(rounded, 2.0f) != 0.0f)
    rounded -= std::copysign(1.0f, x);
  // Keep the sign of the input for results of zero (-0.5 -> -0).
  return std::copysign(rounded, x);
}

int64_t mlir::qcomp::quantizeValue(float x, float scale, int64_t zeroPoint,
                                   StorageRange range) {
  float t = x / scale;
  // NaN represents real 0 (so does a NaN quotient such as 0 / 0).
  if (std::isnan(t))
    return zeroPoint;
  t = roundHalfToEven(t);
  t = t + static_cast<float>(zeroPoint);
  return saturateToRange(t, range);
}

float mlir::qcomp::dequantizeValue(int64_t q, float scale, int64_t zeroPoint) {
  float centered = static_cast<float>(q - zeroPoint);
  return centered * scale;
}

float mlir::qcomp::getRequantizeMultiplier(double inScale, double outScale) {
  return static_cast<float>(inScale / outScale);
}

int64_t mlir::qcomp::requantizeValue(int64_t q, int64_t inZeroPoint,
                                     float multiplier, int64_t outZeroPoint,
                                     StorageRange range) {
  // int64 -> f32 rounds to nearest even under the default rounding mode.
  float t = static_cast<float>(q - inZeroPoint);
  t = t * multiplier;
  // Only a non-finite multiplier can produce NaN; treat it as real 0.
  if (std::isnan(t))
    return std::clamp(outZeroPoint, range.min, range.max);
  t = roundHalfToEven(t);
  t = t + static_cast<float>(outZeroPoint);
  return saturateToRange(t, range);
}

llvm::Expected<FixedPointMultiplier>
mlir::qcomp::getFixedPointMultiplier(double m) {
  if (std::isnan(m))
    return llvm::createStringError(
        "fixed-point multiplier must be a number, got " + formatDouble(m));
  if (m < 0.0)
    return llvm::createStringError(
        "fixed-point multiplier must be non-negative, got " + formatDouble(m));
  if (!std::isfinite(m))
    return llvm::createStringError(
        "fixed-point multiplier must be finite, got " + formatDouble(m));
  if (m == 0.0)
    return FixedPointMultiplier();

  // m = mantissa * 2^exponent with mantissa in [0.5, 1); mantissa * 2^31 is
  // exact in double and std::llround rounds half away from zero.
  int exponent = 0;
  double mantissa = std::frexp(m, &exponent);
  int64_t multiplier = std::llround(std::ldexp(mantissa, 31));
  if (multiplier == (int64_t(1) << 31)) {
    multiplier /= 2;
    ++exponent;
  }
  assert(multiplier >= (int64_t(1) << 30) && multiplier < (int64_t(1) << 31) &&
         "mantissa out of range");

  // shift > 30 would need a right shift below 1, which has no rounding term.
  if (exponent > 30)
    return llvm::createStringError(
        "fixed-point multiplier " + formatDouble(m) +
        " is too large (it must round to less than 2^30)");
  // Right shifts above 62 round every int32 product to 0.
  if (31 - exponent > 62)
    return FixedPointMultiplier();

  FixedPointMultiplier result;
  result.multiplier = static_cast<int32_t>(multiplier);
  result.shift = exponent;
  return result;
}

int64_t mlir::qcomp::applyFixedPointMultiplier(int32_t x,
                                               FixedPointMultiplier m) {
  if (m.multiplier == 0)
    return 0;
  int32_t n = m.getRightShift();
  assert(n >= 1 && n <= 62 && "right shift out of range");
  // |x * multiplier| < 2^62 and 2^(n-1) <= 2^61, so the sum fits in int64.
  int64_t product = static_cast<int64_t>(x) * m.multiplier;
  int64_t rounding = int64_t(1) << (n - 1);
  // Arithmetic right shift: rounds to nearest, ties towards +infinity.
  return (product + rounding) >> n;
}

int64_t mlir::qcomp::requantizeValueFixedPoint(int64_t q, int64_t inZeroPoint,
                                               FixedPointMultiplier m,
                                               int64_t outZeroPoint,
                                               StorageRange range) {
  int64_t centered = q - inZeroPoint;
  assert(centered >= INT32_MIN && centered <= INT32_MAX &&
         "q - inZeroPoint must fit in int32");
  int64_t scaled = applyFixedPointMultiplier(static_cast<int32_t>(centered), m);
  return std::clamp(scaled + outZeroPoint, range.min, range.max);
}

int64_t mlir::qcomp::getMaxMagnitude(StorageRange range, int64_t zeroPoint) {
  int64_t below = zeroPoint - range.min;
  int64_t above = range.max - zeroPoint;
  return std::max(std::abs(below), std::abs(above));
}

bool mlir::qcomp::accumulatorCannotOverflow(int64_t reductionSize,
                                            int64_t lhsMagnitude,
                                            int64_t rhsMagnitude,
                                            int64_t biasMagnitude,
                                            unsigned accBits) {
  assert(accBits >= 1 && accBits <= 64 && "accumulator width out of range");
  assert(reductionSize >= 0 && lhsMagnitude >= 0 && rhsMagnitude >= 0 &&
         biasMagnitude >= 0 && "magnitudes must be non-negative");
  // The positive bound is the binding one: -(bound) >= -2^(accBits-1) follows
  // from bound <= 2^(accBits-1) - 1. Any int64 overflow exceeds every limit.
  int64_t limit = accBits == 64 ? INT64_MAX : (int64_t(1) << (accBits - 1)) - 1;
  int64_t product = 0;
  if (llvm::MulOverflow(reductionSize, lhsMagnitude, product) ||
      llvm::MulOverflow(product, rhsMagnitude, product))
    return false;
  int64_t bound = 0;
  if (llvm::AddOverflow(product, biasMagnitude, bound))
    return false;
  return bound <= limit;
}
