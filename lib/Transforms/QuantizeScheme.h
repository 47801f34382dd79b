//===- QuantizeScheme.h - What qc-quantize does to one op -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The quantization scheme of one op as qc-quantize resolves it: a named
// scheme, overridden by the pass options, overridden by the op's own
// `qc.weight_scheme` / `qc.activation_scheme` attributes and by the
// per-layer widths of `layer-bits`.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_TRANSFORMS_QUANTIZESCHEME_H
#define QCOMP_LIB_TRANSFORMS_QUANTIZESCHEME_H

#include "qcomp/Dialect/QC/IR/QCAttrs.h"
#include "qcomp/Quant/WeightQuant.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir::qcomp {

enum class ActivationMode { None, Static, Dynamic };

/// How a weight group's range is chosen: its absolute maximum, the clipped
/// range of least squared error (WeightQuantSpec::mseClipping), or Auto:
/// MSE at 2 bits and for 4-bit groups of at least 64 weights.
enum class WeightRange { Auto, AbsMax, MSE };

struct WeightScheme {
  unsigned bits = 8;
  WeightGranularity granularity = WeightGranularity::PerChannel;
  int64_t groupSize = 0;
  bool symmetric = true;
  WeightRange range = WeightRange::Auto;
};

struct ActivationScheme {
  ActivationMode mode = ActivationMode::Static;
  /// Per tensor, or per row (dynamic only).
  bool perRow = false;
  bool symmetric = false;
};

struct OpScheme {
  WeightScheme weights;
  ActivationScheme activations;

  /// "w8a8", "w4a16 (per-group 128)", ... for remarks and summaries.
  std::string describe() const;
};

/// The named scheme `name`, or an error listing the known ones (those of
/// getQuantizeSchemeNames, qcomp/Transforms/QuantizeSchemes.h).
llvm::Expected<OpScheme> getNamedScheme(llvm::StringRef name);

/// The textual option overrides of qc-quantize (empty strings leave the
/// scheme's value).
struct SchemeOverrides {
  unsigned weightBits = 0;
  std::string weightGranularity;
  int64_t groupSize = 0;
  std::string weightSymmetric;
  std::string weightRange;
  std::string activations;
  std::string activationGranularity;
  std::string activationSymmetric;
};

/// Applies `overrides` to `scheme`; errors name the bad option value.
llvm::Error applyOverrides(OpScheme &scheme, const SchemeOverrides &overrides);

/// Applies an op's `qc.weight_scheme` attribute.
llvm::Error applyWeightSchemeAttr(OpScheme &scheme, qc::SchemeAttr attr);
/// Applies an op's `qc.activation_scheme` attribute.
llvm::Error applyActivationSchemeAttr(OpScheme &scheme, qc::SchemeAttr attr);

} // namespace mlir::qcomp

#endif // QCOMP_LIB_TRANSFORMS_QUANTIZESCHEME_H
