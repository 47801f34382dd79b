//===- InsertObservers.cpp - Mark activations for calibration -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Wraps the activations of quantizable ops in qc.observe with stable ids (see
// the pass description in Passes.td for the naming rules).
//
//===----------------------------------------------------------------------===//

#include "qcomp/Transforms/Passes.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Transforms/LayerNames.h"
#include "qcomp/Transforms/Weights.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCINSERTOBSERVERSPASS
#include "qcomp/Transforms/Passes.h.inc"

namespace {

enum class OpKind { None, Matmul, Conv, Other };

struct InsertObserversPass
    : impl::QCInsertObserversPassBase<InsertObserversPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  OpKind classify(Operation *op) const;
  std::string makeUnique(std::string name);
  void observe(Value value, llvm::StringRef id, std::optional<int64_t> axis);

  bool matchMatmul = true, matchConv = true, matchAll = false;
  llvm::StringSet<> usedIds;
  llvm::DenseMap<Value, qc::ObserveOp> observers;
};

} // namespace
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

OpKind InsertObserversPass::classify(Operation *op) const {
  if (isa<qc::ObserveOp>(op))
    return OpKind::None;
  llvm::StringRef name = op->getName().getStringRef();
  if (matchMatmul &&
      isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::BatchReduceMatmulOp,
          linalg::MatvecOp, linalg::VecmatOp, linalg::BatchMatvecOp>(op))
    return OpKind::Matmul;
  if (matchConv && (name.starts_with("linalg.conv_") ||
                    name.starts_with("linalg.depthwise_conv_")))
    return OpKind::Conv;
  if (matchAll && op->getNumResults() > 0 && !matchPattern(op, m_Constant()) &&
      !isa<tensor::EmptyOp>(op))
    return OpKind::Other;
  return OpKind::None;
}

std::string InsertObserversPass::makeUnique(std::string name) {
  std::string candidate = name;
  for (unsigned k = 1; usedIds.contains(candidate); ++k)
    candidate = name + "." + std::to_string(k);
  usedIds.insert(candidate);
  return candidate;
}

/// Wraps `value` in a qc.observe right after its definition and rewires
/// every other use to the observer.
void InsertObserversPass::observe(Value value, llvm::StringRef id,
                                  std::optional<int64_t> axis) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !isa<FloatType>(type.getElementType()) || observers.count(value))
    return;
  OpBuilder b(value.getContext());
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    // After the observers of other arguments, in the order they were added.
    Block::iterator it = arg.getOwner()->begin();
    while (it != arg.getOwner()->end()) {
      auto other = dyn_cast<qc::ObserveOp>(&*it);
      if (!other || !isa<BlockArgument>(other.getInput()))
        break;
      ++it;
    }
    b.setInsertionPoint(arg.getOwner(), it);
  } else
    b.setInsertionPointAfter(value.getDefiningOp());
  if (axis && (*axis < 0 || *axis >= type.getRank()))
    axis.reset();
  auto observer = qc::ObserveOp::create(
      b, value.getLoc(), value, b.getStringAttr(makeUnique(id.str())),
      axis ? b.getI64IntegerAttr(*axis) : IntegerAttr());
  value.replaceAllUsesExcept(observer.getResult(), observer);
  observers[value] = observer;
  observers[observer.getResult()] = observer;
}

void InsertObserversPass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (!opKinds.empty()) {
    matchMatmul = matchConv = matchAll = false;
    for (const std::string &kind : opKinds) {
      if (kind == "matmul")
        matchMatmul = true;
      else if (kind == "conv")
        matchConv = true;
      else if (kind == "all")
        matchAll = matchMatmul = matchConv = true;
      else {
        func.emitError() << "qc-insert-observers: unknown op kind '" << kind
                         << "' (expected matmul, conv or all)";
        return signalPassFailure();
      }
    }
  }
  // Ids already used in the function (re-running the pass keeps them).
  func.walk([&](qc::ObserveOp op) {
    usedIds.insert(op.getId());
    observers[op.getInput()] = op;
    observers[op.getResult()] = op;
  });
  LayerNamer namer(func);

  // Collect first: observing rewires uses while we walk.
  llvm::SmallVector<std::pair<Operation *, OpKind>> targets;
  func.walk([&](Operation *op) {
    OpKind kind = classify(op);
    if (kind != OpKind::None)
      targets.emplace_back(op, kind);
  });
  if (matchAll)
    for (BlockArgument arg : func.getArguments()) {
      auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                    qc::kNameAttrName);
      observe(arg,
              name ? name.str() : "arg" + std::to_string(arg.getArgNumber()),
              std::nullopt);
    }

  for (auto [op, kind] : targets) {
    std::string name = namer.getName(op);
    if (observeInputs) {
      llvm::SmallVector<OpOperand *> inputs;
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
        inputs = linalgOp.getDpsInputOperands();
      else
        for (OpOperand &operand : op->getOpOperands())
          inputs.push_back(&operand);
      for (OpOperand *operand : inputs) {
        Value value = operand->get();
        if (isWeight(value))
          continue; // Weights are quantized from their values, not observed.
        if (value.getDefiningOp<qc::ObserveOp>())
          continue;
        auto type = dyn_cast<RankedTensorType>(value.getType());
        if (!type)
          continue;
        std::optional<int64_t> axis;
        unsigned index = operand->getOperandNumber();
        if (kind == OpKind::Matmul)
          axis = index == 0 ? type.getRank() - 1 : type.getRank() - 2;
        else if (kind == OpKind::Conv)
          axis = index == 0 ? 1 : 0;
        std::string id;
        if (auto arg = dyn_cast<BlockArgument>(value)) {
          auto argName = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                           qc::kNameAttrName);
          id = argName ? argName.str()
                       : "arg" + std::to_string(arg.getArgNumber());
        } else {
          id = name + ":input" + std::to_string(index);
        }
        observe(value, id, axis);
      }
    }
    if (observeOutputs) {
      for (OpResult result : op->getResults()) {
        auto type = dyn_cast<RankedTensorType>(result.getType());
        if (!type || type.getRank() == 0)
          continue;
        std::optional<int64_t> axis;
        if (kind == OpKind::Matmul)
          axis = type.getRank() - 1;
        else if (kind == OpKind::Conv)
          axis = 1;
        std::string id = name;
        if (kind != OpKind::Other)
          id += ":output";
        if (result.getResultNumber() > 0)
          id += "#" + std::to_string(result.getResultNumber());
        observe(result, id, axis);
      }
    }
  }
}
