//===- QuantMath.h - Scalar quantization arithmetic -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The scalar arithmetic that defines qcomp's quantization semantics: storage
// ranges, choosing a scale and zero point from a real range, the
// round-half-to-even quantize/dequantize/requantize of single values, and the
// decomposition of a real multiplier into a fixed-point multiplier and shift.
//
// These functions are the specification the IR lowerings implement: the
// compile-time folders call them directly, and the reference lowering
// (qc-lower-to-linalg) emits the same f32 operations in the same order, so a
// value folded at compile time and the same value computed at run time are
// bit-identical. Nothing here touches IR.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_QUANT_QUANTMATH_H
#define QCOMP_QUANT_QUANTMATH_H

#include "llvm/Support/Error.h"

#include <cstdint>

namespace mlir::qcomp {

/// An inclusive range of storage values [min, max].
struct StorageRange {
  int64_t min = 0;
  int64_t max = 0;
};

/// The storage range of a `bits`-wide integer (1 <= bits <= 32): signed
/// [-2^(b-1), 2^(b-1)-1], unsigned [0, 2^b-1]. `narrowRange` drops the lowest
/// value (signed i8 becomes [-127, 127], unsigned u8 [1, 255]) so that a
/// symmetric range is exactly symmetric.
StorageRange getStorageRange(unsigned bits, bool isSigned,
                             bool narrowRange = false);

/// The parameters of an affine quantization: real = (q - zeroPoint) * scale.
struct QuantParams {
  double scale = 1.0;
  int64_t zeroPoint = 0;
};

/// The smallest scale qcomp ever produces: the smallest normal f32. Scales are
/// used in f32 arithmetic at run time, and a subnormal scale would make
/// `x / scale` overflow to infinity for every ordinary x.
constexpr double kMinScale = 1.17549435082228750797e-38;

/// Chooses the scale and zero point that map the real range [rmin, rmax] onto
/// `range`. The real range is first widened to contain 0 so that 0 is exactly
/// representable.
///
/// - symmetric: zeroPoint is the middle of the storage range (0 for signed,
///   2^(b-1) for unsigned) and scale = max(|rmin|, |rmax|) / (range.max -
///   zeroPoint).
/// - asymmetric: scale = (rmax - rmin) / (range.max - range.min) and
///   zeroPoint = round_half_to_even(range.min - rmin / scale), saturated to
///   the range (the formula of ONNX DynamicQuantizeLinear).
///
/// A zero-width range (all-zero tensor) gives scale 1 and the zero point that
/// represents 0, so every value quantizes to that zero point. Scales are
/// clamped below at kMinScale. Fails on NaN/Inf bounds or rmin > rmax.
llvm::Expected<QuantParams>
chooseQuantParams(double rmin, double rmax, StorageRange range, bool symmetric);

/// Rounds to the nearest integer, ties to even (as ONNX QuantizeLinear and
/// the default IEEE rounding mode do).
float roundHalfToEven(float x);

/// q = saturate(round_half_to_even(x / scale) + zeroPoint), computed in f32
/// exactly as the reference lowering does: the division, rounding and the
/// addition of the zero point are f32 operations, then the value is clamped
/// to `range`. NaN quantizes to the zero point (it represents real 0),
/// +/-Inf saturate. `range` must be at most 24 bits wide so that its bounds
/// are exact in f32.
int64_t quantizeValue(float x, float scale, int64_t zeroPoint,
                      StorageRange range);

/// real = f32(q - zeroPoint) * scale, in f32.
float dequantizeValue(int64_t q, float scale, int64_t zeroPoint);

/// The f32 multiplier used by float-mode requantization: (float)(inScale /
/// outScale), the quotient taken in double and rounded once to f32.
float getRequantizeMultiplier(double inScale, double outScale);

/// Float-mode requantization of one value:
///   saturate(round_half_to_even(f32(q - inZeroPoint) * multiplier) +
///            outZeroPoint)
/// computed in f32 (the conversion of q - inZeroPoint to f32 rounds to
/// nearest even when |q - inZeroPoint| > 2^24).
int64_t requantizeValue(int64_t q, int64_t inZeroPoint, float multiplier,
                        int64_t outZeroPoint, StorageRange range);

/// A real multiplier M represented as multiplier * 2^(shift - 31) with
/// multiplier in [2^30, 2^31) (or 0 for M == 0).
struct FixedPointMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;

  /// The total right shift applied after the 64-bit product: 31 - shift.
  int32_t getRightShift() const { return 31 - shift; }
};

/// Decomposes a real multiplier 0 <= M < 2^30 into a fixed-point multiplier
/// (the 31-bit mantissa rounded half away from zero) and shift. Multipliers
/// so small that the right shift would exceed 62 become {0, 0} (every product
/// rounds to 0). Fails for negative, NaN or too large M: M must round to
/// less than 2^30 (the shift must stay <= 30 so that the right shift is at
/// least 1), so values in [2^30 - 0.25, 2^30) are rejected as well.
llvm::Expected<FixedPointMultiplier> getFixedPointMultiplier(double m);

/// Fixed-point rescale of an int32 value:
///   (int64(x) * multiplier + 2^(n-1)) >> n,  n = 31 - shift,
/// an arithmetic shift, so the result is rounded to nearest with ties towards
/// +infinity. This is what fixed_point requantization computes before the
/// output zero point is added and the result saturated.
int64_t applyFixedPointMultiplier(int32_t x, FixedPointMultiplier m);

/// Fixed-point requantization of one accumulator value:
///   saturate(applyFixedPointMultiplier(q - inZeroPoint, m) + outZeroPoint).
int64_t requantizeValueFixedPoint(int64_t q, int64_t inZeroPoint,
                                  FixedPointMultiplier m, int64_t outZeroPoint,
                                  StorageRange range);

/// The largest |q - zeroPoint| over the storage range: the magnitude bound
/// used to prove that an integer accumulation cannot overflow.
int64_t getMaxMagnitude(StorageRange range, int64_t zeroPoint);

/// True when sum over k < `reductionSize` of products bounded by
/// lhsMagnitude * rhsMagnitude, plus |bias| <= biasMagnitude, fits in a
/// signed `accBits`-bit accumulator for every possible input.
bool accumulatorCannotOverflow(int64_t reductionSize, int64_t lhsMagnitude,
                               int64_t rhsMagnitude, int64_t biasMagnitude,
                               unsigned accBits);

} // namespace mlir::qcomp

#endif // QCOMP_QUANT_QUANTMATH_H
