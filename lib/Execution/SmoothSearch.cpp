//===- SmoothSearch.cpp - Choose SmoothQuant's alpha per layer ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The search of qc-smooth{alpha=auto} (see SmoothSearch.h): record the
// inputs of the layers qc-smooth would smooth by running a copy of the float
// model with those inputs as extra results, then, for each group of layers
// and each candidate alpha, emulate the W8A8 quantization that will follow
// smoothing and keep the alpha with the least relative output error.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/SmoothSearch.h"

#include "qcomp/Calibration/RangeSelection.h"
#include "qcomp/Execution/Calibrate.h"
#include "qcomp/Execution/Compare.h"
#include "qcomp/Execution/JitRunner.h"
#include "qcomp/Quant/QuantMath.h"
#include "qcomp/Quant/WeightQuant.h"
#include "qcomp/Transforms/Smoothing.h"
#include "qcomp/Transforms/Stats.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qcomp;
using llvm::createStringError;

namespace {
/// The recorded inputs of one group: `rows` x `k`, row-major.
struct RecordedInput {
  int64_t rows = 0;
  int64_t k = 0;
  std::vector<float> values;
};
} // namespace

/// Keeps at most `maxRows` rows of `input`, evenly spaced (the first always).
static void subsampleRows(RecordedInput &input, unsigned maxRows) {
  if (maxRows == 0 || input.rows <= (int64_t)maxRows)
    return;
  std::vector<float> kept;
  kept.reserve((size_t)maxRows * input.k);
  for (unsigned i = 0; i < maxRows; ++i) {
    int64_t row = (int64_t)((double)i * input.rows / maxRows);
    kept.insert(kept.end(), input.values.begin() + row * input.k,
                input.values.begin() + (row + 1) * input.k);
  }
  input.values = std::move(kept);
  input.rows = maxRows;
}

/// The dequantized per-output-channel int8 weights of `layer` after
/// multiplying row j by factors[j] (what qc-quantize's w8a8 does to W').
static llvm::Expected<std::vector<float>>
getQuantizedWeight(const SmoothingLayer &layer, llvm::ArrayRef<float> factors) {
  std::vector<float> scaled = layer.weight;
  for (auto [i, value] : llvm::enumerate(scaled))
    value =
        static_cast<float>(static_cast<double>(value) * factors[i / layer.n]);
  WeightQuantSpec spec;
  spec.channelAxis = 1;
  auto quantized = quantizeWeights(scaled, {layer.k, layer.n}, spec);
  if (!quantized)
    return quantized.takeError();
  std::vector<float> result(scaled.size());
  for (size_t i = 0; i < result.size(); ++i) {
    int64_t c = (int64_t)i % layer.n;
    result[i] =
        dequantizeValue(quantized->values[i], (float)quantized->scales[c],
                        quantized->zeroPoints[c]);
  }
  return result;
}

/// The dequantized X / s, quantized per tensor as qc-quantize's w8a8 would
/// from the smoothed statistics of `layer` (min-max, asymmetric int8).
static llvm::Expected<std::vector<float>>
getQuantizedInput(const RecordedInput &x, const SmoothingLayer &layer,
                  llvm::ArrayRef<float> factors) {
  std::vector<double> divisors(factors.begin(), factors.end());
  qc::StatsAttr stats =
      divideChannelStats(layer.stats, *layer.stats.getChannelAxis(), divisors);
  TensorStatsRecord record = getStatsRecord(stats);
  StorageRange storage = getStorageRange(8, /*isSigned=*/true, false);
  auto params = chooseQuantParams(record.min, record.max, storage,
                                  /*symmetric=*/false);
  if (!params)
    return params.takeError();
  auto scale = (float)params->scale;
  std::vector<float> result(x.values.size());
  for (size_t i = 0; i < result.size(); ++i) {
    float value = x.values[i] / factors[i % x.k];
    int64_t q = quantizeValue(value, scale, params->zeroPoint, storage);
    result[i] = dequantizeValue(q, scale, params->zeroPoint);
  }
  return result;
}

/// sum_l ||X W_l - deq(X / s) deq(diag(s) W_l)||^2 / ||X W_l||^2.
static llvm::Expected<double>
getSmoothingError(const RecordedInput &x, llvm::ArrayRef<SmoothingLayer> layers,
                  llvm::ArrayRef<float> factors) {
  double total = 0.0;
  for (const SmoothingLayer &layer : layers) {
    auto xq = getQuantizedInput(x, layer, factors);
    if (!xq)
      return xq.takeError();
    auto wq = getQuantizedWeight(layer, factors);
    if (!wq)
      return wq.takeError();
    double error = 0.0, norm = 0.0;
    std::vector<double> exact(layer.n), approx(layer.n);
    for (int64_t r = 0; r < x.rows; ++r) {
      std::fill(exact.begin(), exact.end(), 0.0);
      std::fill(approx.begin(), approx.end(), 0.0);
      for (int64_t j = 0; j < x.k; ++j) {
        double a = x.values[r * x.k + j], aq = (*xq)[r * x.k + j];
        const float *w = &layer.weight[j * layer.n];
        const float *wqRow = &(*wq)[j * layer.n];
        for (int64_t c = 0; c < layer.n; ++c) {
          exact[c] += a * w[c];
          approx[c] += aq * wqRow[c];
        }
      }
      for (int64_t c = 0; c < layer.n; ++c) {
        double d = exact[c] - approx[c];
        error += d * d;
        norm += exact[c] * exact[c];
      }
    }
    total += norm > 0.0 ? error / norm : error;
  }
  return total;
}

/// "q, k, v".
static std::string joinNames(llvm::ArrayRef<SmoothingLayer> layers) {
  std::string names;
  for (const SmoothingLayer &layer : layers)
    names += (names.empty() ? "" : ", ") + layer.name;
  return names;
}

llvm::Expected<std::vector<SmoothSearchResult>>
qcomp::searchSmoothingAlphas(ModuleOp module, llvm::StringRef directory,
                             const SmoothSearchOptions &options) {
  if (options.alphas.empty())
    return createStringError("the smoothing search has no candidate alpha");
  auto func = module.lookupSymbol<func::FuncOp>(options.functionName);
  if (!func)
    return createStringError("no function '" + options.functionName +
                             "' to search smoothing factors in");
  auto ignore = [](const SmoothingLayer &) {};
  std::vector<SmoothingGroup> groups = findSmoothingGroups(func, ignore);
  if (groups.empty())
    return std::vector<SmoothSearchResult>();

  // Run a copy that also returns the input of each group.
  OwningOpRef<ModuleOp> copy(module.clone());
  auto copyFunc = copy->lookupSymbol<func::FuncOp>(options.functionName);
  std::vector<SmoothingGroup> copyGroups =
      findSmoothingGroups(copyFunc, ignore);
  if (copyGroups.size() != groups.size())
    return createStringError("the smoothing search found different layers in "
                             "a copy of the model");
  size_t numOutputs = copyFunc.getNumResults();
  std::vector<std::pair<Value, std::string>> exposed;
  for (auto [i, group] : llvm::enumerate(copyGroups))
    exposed.push_back({group.layers.front().op.getInputs()[0],
                       "smooth_input" + std::to_string(i)});
  appendFunctionResults(copyFunc, exposed);
  JitOptions jitOptions;
  jitOptions.functionName = options.functionName;
  auto function = JitFunction::compile(*copy, jitOptions);
  if (!function)
    return function.takeError();
  auto samples =
      readSamples(directory, (*function)->getInputs(), options.maxSamples);
  if (!samples)
    return samples.takeError();

  std::vector<RecordedInput> inputs(groups.size());
  for (auto [input, group] : llvm::zip(inputs, groups))
    input.k = group.layers.front().k;
  for (const Sample &sample : *samples) {
    auto outputs = (*function)->run(sample.inputs);
    if (!outputs)
      return createStringError(sample.name + ": " +
                               llvm::toString(outputs.takeError()));
    for (auto [i, input] : llvm::enumerate(inputs)) {
      const HostTensor &x = (*outputs)[numOutputs + i];
      const float *data = x.data<float>();
      input.values.insert(input.values.end(), data, data + x.getNumElements());
      input.rows += x.getNumElements() / input.k;
    }
  }

  std::vector<SmoothSearchResult> results;
  for (auto [input, group] : llvm::zip(inputs, groups)) {
    subsampleRows(input, options.maxRows);
    SmoothSearchResult result;
    result.layers = joinNames(group.layers);
    std::vector<float> ones(input.k, 1.0f);
    auto unsmoothed = getSmoothingError(input, group.layers, ones);
    if (!unsmoothed)
      return createStringError("layers " + result.layers + ": " +
                               llvm::toString(unsmoothed.takeError()));
    result.unsmoothedError = *unsmoothed;
    result.error = std::numeric_limits<double>::infinity();
    for (double alpha : options.alphas) {
      std::vector<float> factors =
          getSmoothingFactors(group.layers, alpha, options.minScale);
      auto error = getSmoothingError(input, group.layers, factors);
      if (!error)
        return createStringError("layers " + result.layers + ": " +
                                 llvm::toString(error.takeError()));
      // The first candidate wins ties; NaN never wins.
      if (*error < result.error) {
        result.error = *error;
        result.alpha = alpha;
      }
    }
    Builder b(module.getContext());
    for (const SmoothingLayer &layer : group.layers)
      layer.op->setAttr(kSmoothAlphaAttrName, b.getF64FloatAttr(result.alpha));
    results.push_back(std::move(result));
  }
  return results;
}
