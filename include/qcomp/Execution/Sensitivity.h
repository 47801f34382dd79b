//===- Sensitivity.h - Per-layer quantization sensitivity -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Which layers of a model lose accuracy when quantized, and which per-layer
// precision reaches a target accuracy at the lowest cost.
//
// The model is quantized once as a whole to find its quantizable layers,
// then once per layer with only that layer quantized (qc-quantize's
// `only=<layer>`); each variant is run on the samples and its outputs are
// compared with the float model's. A variant's accuracy is the worst SQNR
// over the model's outputs; the most sensitive layer is the one whose
// quantization alone gives the lowest SQNR.
//
// With a target SQNR, each layer that has a weight is also measured alone at
// each candidate weight width (`only=<layer> layer-bits=<layer>=<bits>`).
// Starting with every such layer at the cheapest width, the whole model
// (every such layer at its current width) is measured; while its SQNR is
// below the target, the layer whose single-layer SQNR at its current width
// is the worst is raised to the next width (after the widest: float, written
// as 0). Layers without a weight (a product of two activations, like
// attention's scores) have no width to choose: the search leaves them out,
// and they stay quantized as the base options say.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_EXECUTION_SENSITIVITY_H
#define QCOMP_EXECUTION_SENSITIVITY_H

#include "qcomp/Execution/Compare.h"

#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/JSON.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlir::qcomp {

/// Builds a quantized copy of the float model with these qc-quantize options
/// (pass-option syntax, e.g. "scheme=w8a8 only=conv1 layer-bits=conv1=4").
using ModelQuantizer = std::function<llvm::Expected<OwningOpRef<ModuleOp>>(
    llvm::StringRef quantizeOptions)>;

struct SensitivityOptions {
  /// The qc-quantize options every variant starts from (scheme and user
  /// options); `only=` and `layer-bits=` are appended to them.
  std::string quantizeOptions = "scheme=w8a8";
  /// The function to analyze.
  std::string functionName = "main";
  /// Choose per-layer widths that reach this SQNR (dB).
  std::optional<double> targetSqnr;
  /// The candidate weight widths for the target search (2, 4 or 8).
  std::vector<unsigned> bits = {4, 8};
  /// Called before each measurement with what is measured ("conv1",
  /// "conv1 at 4 bits", "every layer").
  std::function<void(const std::string &)> status;
  /// Called with warnings.
  std::function<void(const std::string &)> warn;
};

/// One measured variant of the model.
struct VariantAccuracy {
  /// The qc-quantize options it was built with.
  std::string quantizeOptions;
  /// The worst output SQNR.
  double sqnr = 0;
  std::vector<TensorComparison> outputs;
};

struct LayerSensitivity {
  std::string name;
  /// The op that computes it when quantized ("qc.conv2d", ...).
  std::string opName;
  /// Whether its weight operand (rhs, filter) is computed from constants;
  /// false for a product of two activations. Only layers with a weight take
  /// part in the target search.
  bool hasWeight = true;
  /// Only this layer quantized, with the base options.
  VariantAccuracy alone;
  /// With a target, for a layer with a weight: only this layer quantized at
  /// each candidate width, in the order of SensitivityReport::bits.
  std::vector<VariantAccuracy> aloneByBits;
  /// With a target, for a layer with a weight: the chosen width (0 = float).
  unsigned chosenBits = 0;
};

/// One step of the target search: `layer` raised from `fromBits` to
/// `toBits` (0 = float), after which the whole model measured `sqnr`.
struct PrecisionStep {
  std::string layer;
  unsigned fromBits = 0, toBits = 0;
  double sqnr = 0;
};

struct SensitivityReport {
  size_t numSamples = 0;
  /// The base qc-quantize options.
  std::string quantizeOptions;
  /// Every layer quantized with the base options.
  VariantAccuracy allQuantized;
  /// The quantized layers, in program order.
  std::vector<LayerSensitivity> layers;
  /// Indices into `layers`, most sensitive (lowest SQNR) first.
  std::vector<size_t> ranking;

  /// The target search (when a target was given).
  std::optional<double> targetSqnr;
  /// The candidate widths, ascending.
  std::vector<unsigned> bits;
  /// Every layer with a weight at the cheapest width.
  VariantAccuracy cheapest;
  std::vector<PrecisionStep> steps;
  /// The model with the chosen widths.
  VariantAccuracy chosen;
  bool targetMet = false;
  /// The chosen widths of the layers with a weight as a qc-quantize option:
  /// "layer-bits=a=4,b=8,c=0".
  std::string layerBitsOption;

  /// The report as JSON ("format": "qcomp-sensitivity", "version": 1).
  /// Non-finite numbers are written as the strings "inf", "-inf", "nan".
  llvm::json::Value toJSON() const;
};

/// Runs the analysis: every variant is built by `quantize` and measured
/// against the float outputs of `evaluator`.
llvm::Expected<SensitivityReport>
analyzeSensitivity(AccuracyEvaluator &evaluator, const ModelQuantizer &quantize,
                   const SensitivityOptions &options);

} // namespace mlir::qcomp

#endif // QCOMP_EXECUTION_SENSITIVITY_H
