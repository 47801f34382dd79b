//===- Accuracy.h - Error metrics against a reference -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The numbers qcomp's accuracy tooling reports for one output (or layer) of
// a quantized model against the float model, accumulated over samples:
//
//   SQNR (dB)        10 log10(sum ref^2 / sum (ref - test)^2)
//   cosine           sum ref*test / (sqrt(sum ref^2) sqrt(sum test^2))
//   max abs error    max |ref - test|
//
// The sums run over every element of every sample, so the SQNR of a data set
// is the ratio of total signal to total noise (not a mean of per-sample
// ratios). Identical tensors have SQNR +inf; an all-zero reference with a
// nonzero error -inf. Elements where exactly one side is NaN are counted;
// they make the SQNR and cosine NaN, which fails every threshold.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_RUNTIME_ACCURACY_H
#define QCOMP_RUNTIME_ACCURACY_H

#include "qcomp/Runtime/HostTensor.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mlir::qcomp {

/// The metrics of one tensor over the samples seen so far.
struct AccuracyMetrics {
  /// SQNR in dB: +inf when the tensors are identical, -inf when the
  /// reference is all zero and the test is not, NaN when NaN mismatches.
  double sqnr = 0;
  /// Cosine similarity; 1 when both sides are all zero, 0 when exactly one
  /// is, NaN when NaN mismatches.
  double cosine = 0;
  /// The largest |ref - test| over the elements that are not NaN on
  /// either side.
  double maxAbsError = 0;
  /// Elements compared (over all samples).
  int64_t numElements = 0;
  /// Samples compared.
  int64_t numSamples = 0;
  /// Elements that are NaN in the test but not in the reference, or the
  /// other way round (both NaN counts as agreement).
  int64_t numNaNMismatches = 0;

  /// True when the SQNR is at least `minSqnr` dB (never for a NaN SQNR).
  bool meets(double minSqnr) const;
};

/// Accumulates the metrics of one named tensor over samples.
class AccuracyAccumulator {
public:
  explicit AccuracyAccumulator(std::string name = "") : name(std::move(name)) {}

  const std::string &getName() const { return name; }

  /// Adds one sample. The two tensors must have the same element type and
  /// shape, and the same as in earlier samples; otherwise returns an error
  /// naming the tensor (and nothing is added).
  llvm::Error add(const HostTensor &reference, const HostTensor &test);

  AccuracyMetrics getMetrics() const;

private:
  std::string name;
  bool hasSignature = false;
  HostElementType elementType = HostElementType::F32;
  llvm::SmallVector<int64_t> shape;
  double referenceEnergy = 0, testEnergy = 0, noiseEnergy = 0, dot = 0;
  double maxAbsError = 0;
  int64_t numElements = 0, numSamples = 0, numNaNMismatches = 0;
};

/// A metric value for tables: "inf", "-inf", "nan" or `value` with
/// `precision` digits after the point.
std::string formatMetric(double value, unsigned precision = 2);

} // namespace mlir::qcomp

#endif // QCOMP_RUNTIME_ACCURACY_H
