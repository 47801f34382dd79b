//===- Sensitivity.cpp - Per-layer quantization sensitivity ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/Sensitivity.h"
#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Transforms/Weights.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qcomp;
using llvm::createStringError;

/// "a b" without empty parts.
static std::string joinOptions(llvm::StringRef base, llvm::StringRef extra) {
  base = base.trim();
  extra = extra.trim();
  if (base.empty())
    return extra.str();
  if (extra.empty())
    return base.str();
  return (base + " " + extra).str();
}

/// True when the weight operand of the quantized layer `op` (the rhs of a
/// matmul, the filter of a convolution) is computed from constants; false
/// for a product of two activations (attention's `q x k^T`).
static bool hasWeight(Operation *op) {
  Value weight;
  if (auto matmul = dyn_cast<qc::MatmulOp>(op))
    weight = matmul.getRhs();
  else if (auto batchMatmul = dyn_cast<qc::BatchMatmulOp>(op))
    weight = batchMatmul.getRhs();
  else if (auto conv = dyn_cast<qc::Conv2DOp>(op))
    weight = conv.getFilter();
  else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
           linalgOp && linalgOp.getNumDpsInputs() >= 2)
    weight = linalgOp.getDpsInputs()[1];
  return weight && isWeight(weight);
}

namespace {
/// A quantized layer of a measured variant.
struct FoundLayer {
  std::string name;
  std::string opName;
  bool hasWeight;
};

/// Builds, measures and describes variants of the model.
class Analysis {
public:
  Analysis(AccuracyEvaluator &evaluator, const ModelQuantizer &quantize,
           const SensitivityOptions &options)
      : evaluator(evaluator), quantize(quantize), options(options) {}

  llvm::Expected<SensitivityReport> run();

private:
  /// Quantizes with the base options plus `extra` and measures the result;
  /// `layers` receives the quantized layers (before the module is lowered).
  llvm::Expected<VariantAccuracy>
  measure(llvm::StringRef extra, llvm::StringRef what,
          std::vector<FoundLayer> *layers = nullptr);
  llvm::Error searchTarget(SensitivityReport &report);

  AccuracyEvaluator &evaluator;
  const ModelQuantizer &quantize;
  const SensitivityOptions &options;
};
} // namespace

llvm::Expected<VariantAccuracy>
Analysis::measure(llvm::StringRef extra, llvm::StringRef what,
                  std::vector<FoundLayer> *layers) {
  if (options.status)
    options.status(what.str());
  VariantAccuracy variant;
  variant.quantizeOptions = joinOptions(options.quantizeOptions, extra);
  auto module = quantize(variant.quantizeOptions);
  if (!module)
    return module.takeError();
  auto func = (**module).lookupSymbol<func::FuncOp>(options.functionName);
  if (!func)
    return createStringError("the quantized model has no function @" +
                             options.functionName);
  if (layers)
    for (const QuantizedLayer &layer : findQuantizedLayers(func))
      layers->push_back({layer.name, layer.op->getName().getStringRef().str(),
                         hasWeight(layer.op)});
  auto outputs = evaluator.measure(**module);
  if (!outputs)
    return outputs.takeError();
  variant.outputs = std::move(*outputs);
  variant.sqnr = getWorstSqnr(variant.outputs);
  return variant;
}

/// "4 bits" or "float".
static std::string describeBits(unsigned bits) {
  return bits ? std::to_string(bits) + " bits" : "float";
}

llvm::Error Analysis::searchTarget(SensitivityReport &report) {
  double target = *report.targetSqnr;
  llvm::ArrayRef<unsigned> bits = report.bits;
  // The layers with a weight: a width means nothing to the others.
  std::vector<LayerSensitivity *> searched;
  for (LayerSensitivity &layer : report.layers)
    if (layer.hasWeight)
      searched.push_back(&layer);
  // Each of them alone at each width.
  for (LayerSensitivity *layer : searched)
    for (unsigned width : bits) {
      auto variant = measure(
          llvm::formatv("only={0} layer-bits={0}={1}", layer->name, width)
              .str(),
          layer->name + " at " + describeBits(width));
      if (!variant)
        return variant.takeError();
      layer->aloneByBits.push_back(std::move(*variant));
    }

  // widthIndex[i] == bits.size() means float.
  std::vector<size_t> widthIndex(searched.size(), 0);
  auto widthOf = [&](size_t layer) -> unsigned {
    return widthIndex[layer] < bits.size() ? bits[widthIndex[layer]] : 0;
  };
  auto layerBits = [&]() {
    std::string option = "layer-bits=";
    for (auto [i, layer] : llvm::enumerate(searched))
      option += (i ? "," : "") + layer->name + "=" + std::to_string(widthOf(i));
    return option;
  };

  auto cheapest =
      measure(layerBits(), "every layer at " + describeBits(bits.front()));
  if (!cheapest)
    return cheapest.takeError();
  report.cheapest = *cheapest;
  VariantAccuracy current = std::move(*cheapest);
  while (std::isnan(current.sqnr) || current.sqnr < target) {
    // The layer that alone loses the most at its current width.
    std::optional<size_t> worst;
    for (size_t i = 0; i < searched.size(); ++i) {
      if (widthIndex[i] == bits.size())
        continue;
      double sqnr = searched[i]->aloneByBits[widthIndex[i]].sqnr;
      if (!worst ||
          isWorseSqnr(sqnr,
                      searched[*worst]->aloneByBits[widthIndex[*worst]].sqnr))
        worst = i;
    }
    if (!worst)
      break; // Every layer with a weight is float.
    PrecisionStep step;
    step.layer = searched[*worst]->name;
    step.fromBits = widthOf(*worst);
    ++widthIndex[*worst];
    step.toBits = widthOf(*worst);
    auto next = measure(layerBits(),
                        step.layer + " raised to " + describeBits(step.toBits));
    if (!next)
      return next.takeError();
    current = std::move(*next);
    step.sqnr = current.sqnr;
    report.steps.push_back(std::move(step));
  }
  for (auto [i, layer] : llvm::enumerate(searched))
    layer->chosenBits = widthOf(i);
  report.chosen = std::move(current);
  report.targetMet = report.chosen.sqnr >= target;
  report.layerBitsOption = layerBits();
  return llvm::Error::success();
}

llvm::Expected<SensitivityReport> Analysis::run() {
  SensitivityReport report;
  report.numSamples = evaluator.getNumSamples();
  report.quantizeOptions = options.quantizeOptions;
  report.targetSqnr = options.targetSqnr;
  report.bits = options.bits;
  llvm::sort(report.bits);
  report.bits.erase(std::unique(report.bits.begin(), report.bits.end()),
                    report.bits.end());
  if (report.targetSqnr && report.bits.empty())
    return createStringError("no candidate widths for the target search");
  for (unsigned width : report.bits)
    if (width != 2 && width != 4 && width != 8)
      return createStringError(llvm::formatv(
          "candidate width {0} is not a weight width (2, 4 or 8)", width));

  std::vector<FoundLayer> layers;
  auto all = measure("", "every layer", &layers);
  if (!all)
    return all.takeError();
  report.allQuantized = std::move(*all);
  if (layers.empty())
    return createStringError("no layer is quantized with '" +
                             report.quantizeOptions + "': nothing to analyze");
  for (FoundLayer &found : layers) {
    for (char c : llvm::StringRef("*?[]{},= \t"))
      if (llvm::StringRef(found.name).contains(c))
        return createStringError(
            llvm::formatv("layer '{0}': names containing '{1}' cannot be "
                          "passed to qc-quantize's only= option",
                          found.name, c));
    LayerSensitivity layer;
    layer.name = found.name;
    layer.opName = found.opName;
    layer.hasWeight = found.hasWeight;
    report.layers.push_back(std::move(layer));
  }
  if (report.targetSqnr &&
      llvm::none_of(report.layers, [](const LayerSensitivity &layer) {
        return layer.hasWeight;
      }))
    return createStringError("no layer quantized with '" +
                             report.quantizeOptions +
                             "' has a weight: the target search has no "
                             "width to choose");

  for (LayerSensitivity &layer : report.layers) {
    std::vector<FoundLayer> quantized;
    auto alone = measure("only=" + layer.name, layer.name, &quantized);
    if (!alone)
      return alone.takeError();
    if (options.warn && !llvm::any_of(quantized, [&](const FoundLayer &found) {
          return found.name == layer.name;
        }))
      options.warn("layer '" + layer.name +
                   "' stays float when quantized alone (only=" + layer.name +
                   "); its SQNR is that of the float model");
    layer.alone = std::move(*alone);
  }
  for (size_t i = 0; i < report.layers.size(); ++i)
    report.ranking.push_back(i);
  llvm::stable_sort(report.ranking, [&](size_t lhs, size_t rhs) {
    return isWorseSqnr(report.layers[lhs].alone.sqnr,
                       report.layers[rhs].alone.sqnr);
  });

  if (report.targetSqnr)
    if (llvm::Error err = searchTarget(report))
      return std::move(err);
  return report;
}

llvm::Expected<SensitivityReport>
qcomp::analyzeSensitivity(AccuracyEvaluator &evaluator,
                          const ModelQuantizer &quantize,
                          const SensitivityOptions &options) {
  return Analysis(evaluator, quantize, options).run();
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

/// A number, or "inf" / "-inf" / "nan" (JSON has no non-finite numbers).
static llvm::json::Value toJSONNumber(double value) {
  if (std::isfinite(value))
    return value;
  return formatMetric(value);
}

static llvm::json::Value toJSON(const AccuracyMetrics &metrics) {
  llvm::json::Object object{
      {"sqnr_db", toJSONNumber(metrics.sqnr)},
      {"cosine", toJSONNumber(metrics.cosine)},
      {"max_abs_error", toJSONNumber(metrics.maxAbsError)},
      {"elements", metrics.numElements},
  };
  if (metrics.numNaNMismatches)
    object["nan_mismatches"] = metrics.numNaNMismatches;
  return object;
}

static llvm::json::Value toJSON(const VariantAccuracy &variant) {
  llvm::json::Array outputs;
  for (const TensorComparison &output : variant.outputs) {
    llvm::json::Object object{{"name", output.name}};
    auto metrics = toJSON(output.metrics);
    for (auto &entry : *metrics.getAsObject())
      object[entry.first] = std::move(entry.second);
    outputs.push_back(std::move(object));
  }
  return llvm::json::Object{
      {"quantize_options", variant.quantizeOptions},
      {"sqnr_db", toJSONNumber(variant.sqnr)},
      {"outputs", std::move(outputs)},
  };
}

llvm::json::Value SensitivityReport::toJSON() const {
  llvm::json::Array layerArray;
  for (const LayerSensitivity &layer : layers) {
    llvm::json::Object object{
        {"name", layer.name},
        {"op", layer.opName},
        {"has_weight", layer.hasWeight},
        {"alone", ::toJSON(layer.alone)},
    };
    if (targetSqnr && layer.hasWeight) {
      llvm::json::Array byBits;
      for (auto [width, variant] : llvm::zip(bits, layer.aloneByBits)) {
        auto value = ::toJSON(variant);
        (*value.getAsObject())["bits"] = width;
        byBits.push_back(std::move(value));
      }
      object["alone_by_bits"] = std::move(byBits);
      object["chosen_bits"] = layer.chosenBits;
    }
    layerArray.push_back(std::move(object));
  }
  llvm::json::Array rankingArray;
  for (size_t index : ranking)
    rankingArray.push_back(layers[index].name);
  llvm::json::Object root{
      {"format", "qcomp-sensitivity"},
      {"version", 1},
      {"samples", static_cast<int64_t>(numSamples)},
      {"quantize_options", quantizeOptions},
      {"all_quantized", ::toJSON(allQuantized)},
      {"layers", std::move(layerArray)},
      {"ranking", std::move(rankingArray)},
  };
  if (targetSqnr) {
    llvm::json::Array stepArray;
    for (const PrecisionStep &step : steps)
      stepArray.push_back(llvm::json::Object{
          {"layer", step.layer},
          {"from_bits", step.fromBits},
          {"to_bits", step.toBits},
          {"sqnr_db", toJSONNumber(step.sqnr)},
      });
    llvm::json::Array bitArray;
    for (unsigned width : bits)
      bitArray.push_back(width);
    root["target"] = llvm::json::Object{
        {"sqnr_db", toJSONNumber(*targetSqnr)}, {"bits", std::move(bitArray)},
        {"cheapest", ::toJSON(cheapest)},       {"steps", std::move(stepArray)},
        {"chosen", ::toJSON(chosen)},           {"met", targetMet},
        {"layer_bits", layerBitsOption},
    };
  }
  return root;
}
