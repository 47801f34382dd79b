//===- Smoothing.cpp - SmoothQuant layers and factors ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Transforms/Smoothing.h"

#include "ChannelScaling.h"
#include "Quantizer.h"
#include "WeightConstants.h"
#include "qcomp/Transforms/LayerNames.h"
#include "qcomp/Transforms/Stats.h"

#include "llvm/ADT/MapVector.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qcomp;

/// The value whose channels are those of `value`, through reshapes that keep
/// the last dimension.
static Value getChannelRoot(Value value) {
  while (isChannelView(value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  return value;
}

llvm::Expected<std::optional<double>>
qcomp::parseSmoothAlpha(llvm::StringRef alpha) {
  if (alpha == "auto")
    return std::nullopt;
  double value;
  if (alpha.getAsDouble(value) || !(value >= 0.0) || !(value <= 1.0))
    return llvm::createStringError(
        "alpha must be a number in [0, 1] or 'auto', got '" + alpha + "'");
  return value;
}

std::vector<SmoothingGroup> qcomp::findSmoothingGroups(
    func::FuncOp func,
    llvm::function_ref<void(const SmoothingLayer &)> onMissingStats) {
  LayerNamer namer(func);
  llvm::MapVector<Value, std::vector<SmoothingLayer>> groups;
  func.walk([&](linalg::MatmulOp op) {
    if (!quantizer::isPlainMatmul(op) || op->hasAttr(quantizer::kSkipAttrName))
      return;
    Value x = op.getInputs()[0];
    auto xType = cast<RankedTensorType>(x.getType());
    if (!xType.getElementType().isF32() || !xType.hasStaticShape())
      return;
    FailureOr<FloatConstant> weight = evaluateFloatConstant(op.getInputs()[1]);
    if (failed(weight) || weight->shape.size() != 2)
      return; // Not a linear layer: X times another activation.
    SmoothingLayer layer;
    layer.op = op;
    layer.name = namer.getName(op);
    layer.k = weight->shape[0];
    layer.n = weight->shape[1];
    layer.weight = std::move(weight->values);
    layer.stats = getValueStats(x);
    if (!layer.stats || layer.stats.getChannelAxis() != xType.getRank() - 1 ||
        !layer.stats.getChannelAbsmax() ||
        (int64_t)layer.stats.getChannelAbsmax().size() != layer.k) {
      onMissingStats(layer);
      return;
    }
    groups[getChannelRoot(x)].push_back(std::move(layer));
  });
  std::vector<SmoothingGroup> result;
  for (auto &[root, layers] : groups)
    result.push_back({root, std::move(layers)});
  return result;
}

std::vector<float> qcomp::getSmoothedWeight(const SmoothingLayer &layer,
                                            llvm::ArrayRef<float> factors) {
  std::vector<float> values = layer.weight;
  for (auto [i, value] : llvm::enumerate(values))
    value =
        static_cast<float>(static_cast<double>(value) * factors[i / layer.n]);
  return values;
}

std::vector<double>
qcomp::getWeightRowMaxima(llvm::ArrayRef<SmoothingLayer> layers) {
  std::vector<double> wMax(layers.front().k, 0.0);
  for (const SmoothingLayer &layer : layers)
    for (int64_t j = 0; j < layer.k; ++j)
      for (int64_t c = 0; c < layer.n; ++c)
        wMax[j] =
            std::max(wMax[j], (double)std::fabs(layer.weight[j * layer.n + c]));
  return wMax;
}

std::vector<float>
qcomp::getSmoothingFactors(llvm::ArrayRef<SmoothingLayer> layers, double alpha,
                           double minScale) {
  std::vector<double> xMax(layers.front().k, 0.0);
  for (const SmoothingLayer &layer : layers)
    for (auto [j, channel] :
         llvm::enumerate(layer.stats.getChannelAbsmax().asArrayRef()))
      xMax[j] = std::max(xMax[j], channel);
  return getSmoothingFactors(xMax, getWeightRowMaxima(layers), alpha, minScale);
}

std::vector<float>
qcomp::getSmoothingFactors(llvm::ArrayRef<double> activationMax,
                           llvm::ArrayRef<double> weightMax, double alpha,
                           double minScale) {
  std::vector<float> factors(activationMax.size(), 1.0f);
  for (auto [j, factor] : llvm::enumerate(factors)) {
    double x = activationMax[j], w = weightMax[j];
    if (!(x > 0.0) || !(w > 0.0) || !std::isfinite(x) || !std::isfinite(w))
      continue; // Nothing to balance: keep the channel as it is.
    double s = std::pow(x, alpha) / std::pow(w, 1.0 - alpha);
    factor = static_cast<float>(std::clamp(s, minScale, 1.0 / minScale));
  }
  return factors;
}
