//===- Smooth.cpp - SmoothQuant rebalancing -------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-smooth (see the pass description in Passes.td): for each linear layer
// with a constant weight and per-channel statistics on its input, computes
// SmoothQuant's factor s, multiplies the weight rows by s and divides the
// input by s, folded into its producer (ChannelScaling.h) when the producer
// feeds nothing else, else with a qc.smooth. Layers reading one producer
// share one s.
//
//===----------------------------------------------------------------------===//

#include "ChannelScaling.h"
#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Support/Format.h"
#include "qcomp/Transforms/Passes.h"
#include "qcomp/Transforms/Smoothing.h"
#include "qcomp/Transforms/Stats.h"

#include <algorithm>

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCSMOOTHPASS
#include "qcomp/Transforms/Passes.h.inc"
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

namespace {

struct SmoothPass : qcomp::impl::QCSmoothPassBase<SmoothPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  /// The group's alpha; none when it is left unchanged.
  std::optional<double> getAlpha(llvm::ArrayRef<SmoothingLayer> layers);
  void smooth(Value root, llvm::ArrayRef<SmoothingLayer> layers);

  std::optional<double> fixedAlpha; // unset for alpha=auto
};

} // namespace

/// True when every use of `root`, through channel views, is the input X of
/// one of `layers`; collects the views on the way.
static bool feedsOnly(Value root, llvm::ArrayRef<SmoothingLayer> layers,
                      llvm::SmallVectorImpl<Value> &views) {
  for (OpOperand &use : root.getUses()) {
    Operation *user = use.getOwner();
    if (isChannelView(user)) {
      views.push_back(user->getResult(0));
      if (!feedsOnly(user->getResult(0), layers, views))
        return false;
      continue;
    }
    bool isInput = use.getOperandNumber() == 0 &&
                   llvm::any_of(layers, [&](const SmoothingLayer &layer) {
                     return layer.op.getOperation() == user;
                   });
    if (!isInput)
      return false;
  }
  return true;
}

std::optional<double>
SmoothPass::getAlpha(llvm::ArrayRef<SmoothingLayer> layers) {
  if (fixedAlpha)
    return *fixedAlpha;
  for (const SmoothingLayer &layer : layers) {
    Attribute attr = layer.op->getAttr(kSmoothAlphaAttrName);
    if (auto value = dyn_cast_if_present<FloatAttr>(attr))
      return std::clamp(value.getValueAsDouble(), 0.0, 1.0);
    if (auto text = dyn_cast_if_present<StringAttr>(attr);
        text && text.getValue() == kNoSmoothing) {
      layer.op.emitRemark() << "layer '" << layer.name
                            << "' is not smoothed: its qc.smooth_alpha is "
                               "\"none\"";
      return std::nullopt;
    }
  }
  layers.front().op.emitRemark()
      << "layer '" << layers.front().name
      << "' has no qc.smooth_alpha for alpha=auto; using 0.5";
  return 0.5;
}

void SmoothPass::smooth(Value root, llvm::ArrayRef<SmoothingLayer> layers) {
  std::optional<double> alpha = getAlpha(layers);
  if (!alpha)
    return;
  std::vector<float> factors = getSmoothingFactors(layers, *alpha, minScale);
  std::vector<double> wide(factors.begin(), factors.end());

  // X / s: folded into the producer of X, or a qc.smooth per input.
  llvm::SmallVector<Value> views;
  FailureOr<ChannelScalingPlan> plan = failure();
  if (feedsOnly(root, layers, views))
    plan = ChannelScalingPlan::build(root);
  if (succeeded(plan)) {
    plan->apply(factors);
    for (Value view : views)
      if (qc::StatsAttr stats = getValueStats(view))
        (void)setValueStats(
            view,
            divideChannelStats(
                stats, cast<RankedTensorType>(view.getType()).getRank() - 1,
                wide));
  } else if (!standalone) {
    for (const SmoothingLayer &layer : layers)
      layer.op.emitRemark() << "layer '" << layer.name
                            << "' is not smoothed: the factor does not fold "
                               "into its input's producer (standalone=false)";
    return;
  } else {
    llvm::DenseMap<Value, Value> smoothed;
    for (const SmoothingLayer &layer : layers) {
      OpOperand &input = layer.op->getOpOperand(0);
      Value &replacement = smoothed[input.get()];
      if (!replacement) {
        OpBuilder b(layer.op);
        replacement = qc::SmoothOp::create(b, layer.op.getLoc(), input.get(),
                                           b.getDenseF32ArrayAttr(factors));
        (void)setValueStats(replacement,
                            divideChannelStats(layer.stats, 1, wide));
      }
      input.set(replacement);
    }
  }

  // W' = diag(s) W.
  for (const SmoothingLayer &layer : layers) {
    std::vector<float> values = getSmoothedWeight(layer, factors);
    OpOperand &operand = layer.op->getOpOperand(1);
    OpBuilder b(layer.op);
    auto type = cast<RankedTensorType>(operand.get().getType());
    Value weight = arith::ConstantOp::create(
        b, operand.get().getLoc(),
        DenseElementsAttr::get(type, llvm::ArrayRef<float>(values)));
    Operation *old = operand.get().getDefiningOp();
    operand.set(weight);
    if (old)
      eraseDeadConstantChain(old);
  }
}

void SmoothPass::runOnOperation() {
  func::FuncOp func = getOperation();
  auto parsed = parseSmoothAlpha(alpha);
  if (!parsed) {
    func.emitError() << "qc-smooth: " << llvm::toString(parsed.takeError());
    return signalPassFailure();
  }
  fixedAlpha = *parsed;
  if (!(minScale > 0.0) || !(minScale <= 1.0)) {
    func.emitError() << "qc-smooth: min-scale must be in (0, 1], got "
                     << formatDouble(minScale);
    return signalPassFailure();
  }

  std::vector<SmoothingGroup> groups =
      findSmoothingGroups(func, [](const SmoothingLayer &layer) {
        layer.op.emitRemark() << "layer '" << layer.name
                              << "' is not smoothed: its input has no "
                                 "per-channel calibration statistics";
      });
  for (const SmoothingGroup &group : groups)
    smooth(group.root, group.layers);
}
