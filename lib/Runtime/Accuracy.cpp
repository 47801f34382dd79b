//===- Accuracy.cpp - Error metrics of a tensor against a reference -------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Runtime/Accuracy.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qcomp;

bool AccuracyMetrics::meets(double minSqnr) const {
  return !std::isnan(sqnr) && sqnr >= minSqnr;
}

/// "float32[2x3]" for error messages.
static std::string describeSignature(HostElementType type,
                                     llvm::ArrayRef<int64_t> shape) {
  std::string result = getElementTypeName(type).str() + "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    result += (i ? "x" : "") + std::to_string(dim);
  return result + "]";
}

llvm::Error AccuracyAccumulator::add(const HostTensor &reference,
                                     const HostTensor &test) {
  if (reference.getElementType() != test.getElementType() ||
      reference.getShape() != test.getShape())
    return llvm::createStringError(
        llvm::formatv("'{0}': the reference is {1} but the compared tensor "
                      "is {2}",
                      name, reference.describe(), test.describe()));
  if (hasSignature && (reference.getElementType() != elementType ||
                       reference.getShape() != llvm::ArrayRef<int64_t>(shape)))
    return llvm::createStringError(llvm::formatv(
        "'{0}': {1} in this sample but {2} in earlier ones", name,
        reference.describe(), describeSignature(elementType, shape)));
  hasSignature = true;
  elementType = reference.getElementType();
  shape.assign(reference.getShape().begin(), reference.getShape().end());

  for (int64_t i = 0, e = reference.getNumElements(); i < e; ++i) {
    double ref = reference.getAsDouble(i);
    double value = test.getAsDouble(i);
    bool refNaN = std::isnan(ref), testNaN = std::isnan(value);
    if (refNaN || testNaN) {
      numNaNMismatches += refNaN != testNaN;
      continue;
    }
    referenceEnergy += ref * ref;
    testEnergy += value * value;
    dot += ref * value;
    // Equal infinities agree; their difference would be NaN.
    double error = ref == value ? 0.0 : std::abs(ref - value);
    noiseEnergy += error * error;
    maxAbsError = std::max(maxAbsError, error);
  }
  numElements += reference.getNumElements();
  ++numSamples;
  return llvm::Error::success();
}

AccuracyMetrics AccuracyAccumulator::getMetrics() const {
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  AccuracyMetrics metrics;
  metrics.maxAbsError = maxAbsError;
  metrics.numElements = numElements;
  metrics.numSamples = numSamples;
  metrics.numNaNMismatches = numNaNMismatches;
  if (numNaNMismatches) {
    metrics.sqnr = metrics.cosine = nan;
    return metrics;
  }
  if (noiseEnergy == 0)
    metrics.sqnr = inf;
  else if (referenceEnergy == 0)
    metrics.sqnr = -inf;
  else
    metrics.sqnr = 10 * std::log10(referenceEnergy / noiseEnergy);
  if (referenceEnergy == 0 && testEnergy == 0)
    metrics.cosine = 1;
  else if (referenceEnergy == 0 || testEnergy == 0)
    metrics.cosine = 0;
  else
    // Rounding may take |cos| a hair above 1.
    metrics.cosine = std::clamp(
        dot / (std::sqrt(referenceEnergy) * std::sqrt(testEnergy)), -1.0, 1.0);
  return metrics;
}

std::string qcomp::formatMetric(double value, unsigned precision) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  std::string result;
  llvm::raw_string_ostream(result)
      << llvm::format("%.*f", static_cast<int>(precision), value);
  return result;
}
