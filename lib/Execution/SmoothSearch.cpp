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
/// Rows of a group's input X, `k` values each, row-major.
struct Rows {
  int64_t rows = 0;
  int64_t k = 0;
  std::vector<float> values;

  void append(const float *data, int64_t count) {
    values.insert(values.end(), data, data + count);
    rows += count / k;
  }
};
} // namespace

/// Keeps at most `maxRows` rows of `input`, evenly spaced (the first always).
static void subsampleRows(Rows &input, unsigned maxRows) {
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

/// The statistics calibration would record for `x` (viewed as rows x k,
/// channels along axis 1): min, max and channel maxima of the finite values.
static qc::StatsAttr getRowStats(MLIRContext *context, const Rows &x) {
  TensorStatsRecord record;
  record.count = 1;
  record.channelAxis = 1;
  record.channelAbsMax.assign(x.k, 0.0);
  bool any = false;
  for (size_t i = 0; i < x.values.size(); ++i) {
    double value = x.values[i];
    if (!std::isfinite(value))
      continue;
    record.min = any ? std::min(record.min, value) : value;
    record.max = any ? std::max(record.max, value) : value;
    any = true;
    double &channel = record.channelAbsMax[i % x.k];
    channel = std::max(channel, std::fabs(value));
  }
  return getStatsAttr(context, record);
}

/// The dequantized per-output-channel int8 weights of `layer` after
/// multiplying row j by factors[j] (what qc-quantize's w8a8 does to W').
static llvm::Expected<std::vector<float>>
getQuantizedWeight(const SmoothingLayer &layer, llvm::ArrayRef<float> factors) {
  std::vector<float> scaled = getSmoothedWeight(layer, factors);
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
/// from `stats` divided by s (min-max, asymmetric int8).
static llvm::Expected<std::vector<float>>
getQuantizedInput(const Rows &x, qc::StatsAttr stats,
                  llvm::ArrayRef<float> factors) {
  std::vector<double> divisors(factors.begin(), factors.end());
  stats = divideChannelStats(stats, 1, divisors);
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

/// sum_l ||X W_l - deq(X / s) deq(diag(s) W_l)||^2 / ||X W_l||^2 over the
/// rows of `x`, X / s quantized with the range `stats` divided by s gives.
static llvm::Expected<double>
getSmoothingError(const Rows &x, qc::StatsAttr stats,
                  llvm::ArrayRef<SmoothingLayer> layers,
                  llvm::ArrayRef<float> factors) {
  auto xq = getQuantizedInput(x, stats, factors);
  if (!xq)
    return xq.takeError();
  double total = 0.0;
  for (const SmoothingLayer &layer : layers) {
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

  // Even samples give the statistics (and so the factors and ranges), odd
  // ones measure the error: scored on the samples it was fitted to, a large
  // alpha looks best, as X / s is flat there, and then clips every value
  // that exceeds its channel's calibrated maximum on new inputs.
  std::vector<Rows> fit(groups.size()), heldOut(groups.size());
  for (auto [i, group] : llvm::enumerate(groups))
    fit[i].k = heldOut[i].k = group.layers.front().k;
  for (auto [index, sample] : llvm::enumerate(*samples)) {
    auto outputs = (*function)->run(sample.inputs);
    if (!outputs)
      return createStringError(sample.name + ": " +
                               llvm::toString(outputs.takeError()));
    for (size_t i = 0; i < groups.size(); ++i) {
      const HostTensor &x = (*outputs)[numOutputs + i];
      Rows &rows = (samples->size() > 1 && index % 2) ? heldOut[i] : fit[i];
      rows.append(x.data<float>(), x.getNumElements());
    }
  }

  std::vector<SmoothSearchResult> results;
  MLIRContext *context = module.getContext();
  for (auto [i, group] : llvm::enumerate(groups)) {
    // One sample: fitted and measured on the same rows.
    Rows &measured = heldOut[i].rows ? heldOut[i] : fit[i];
    qc::StatsAttr stats = getRowStats(context, fit[i]);
    subsampleRows(measured, options.maxRows);
    llvm::ArrayRef<double> activationMax = stats.getChannelAbsmax();
    std::vector<double> weightMax = getWeightRowMaxima(group.layers);
    SmoothSearchResult result;
    result.layers = joinNames(group.layers);
    std::vector<float> ones(measured.k, 1.0f);
    auto unsmoothed = getSmoothingError(measured, stats, group.layers, ones);
    if (!unsmoothed)
      return createStringError("layers " + result.layers + ": " +
                               llvm::toString(unsmoothed.takeError()));
    result.unsmoothedError = *unsmoothed;
    result.error = std::numeric_limits<double>::infinity();
    result.alpha = options.alphas.front();
    for (double alpha : options.alphas) {
      std::vector<float> factors = getSmoothingFactors(activationMax, weightMax,
                                                       alpha, options.minScale);
      auto error = getSmoothingError(measured, stats, group.layers, factors);
      if (!error)
        return createStringError("layers " + result.layers + ": " +
                                 llvm::toString(error.takeError()));
      // The first candidate wins ties; NaN never wins.
      if (*error < result.error) {
        result.error = *error;
        result.alpha = alpha;
      }
    }
    Builder b(context);
    Attribute choice = b.getStringAttr(kNoSmoothing);
    if (result.error < result.unsmoothedError)
      choice = b.getF64FloatAttr(*result.alpha);
    else
      result.alpha.reset();
    for (const SmoothingLayer &layer : group.layers)
      layer.op->setAttr(kSmoothAlphaAttrName, choice);
    results.push_back(std::move(result));
  }
  return results;
}
