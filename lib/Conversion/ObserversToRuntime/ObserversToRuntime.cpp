//===- ObserversToRuntime.cpp - qc.observe as calibration calls -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Lowers qc.observe to a call into the calibration runtime (see the pass
// description in Passes.td for the calling convention).
//
//===----------------------------------------------------------------------===//

#include "qcomp/Conversion/Passes.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCLOWEROBSERVERSTORUNTIMEPASS
#include "qcomp/Conversion/Passes.h.inc"

namespace {
struct LowerObserversToRuntimePass
    : impl::QCLowerObserversToRuntimePassBase<LowerObserversToRuntimePass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

void LowerObserversToRuntimePass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  llvm::SmallVector<qc::ObserveOp> observers;
  module.walk([&](qc::ObserveOp op) { observers.push_back(op); });
  if (observers.empty())
    return;

  for (qc::ObserveOp op : observers) {
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (!type.getElementType().isF32()) {
      op.emitError() << "only f32 tensors can be observed at run time, got "
                     << type;
      return signalPassFailure();
    }
  }

  // The runtime entry point: (i64 observer index, memref<*xf32>).
  OpBuilder b(context);
  Type unranked = UnrankedMemRefType::get(b.getF32Type(), /*memorySpace=*/0);
  auto calleeType = b.getFunctionType({b.getI64Type(), unranked}, {});
  auto declaration = module.lookupSymbol<func::FuncOp>(callee);
  if (!declaration) {
    b.setInsertionPointToEnd(module.getBody());
    declaration = func::FuncOp::create(b, module.getLoc(), callee, calleeType);
    declaration.setPrivate();
    declaration->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                         b.getUnitAttr());
  } else if (declaration.getFunctionType() != calleeType) {
    declaration.emitError()
        << "'" << callee << "' exists with type "
        << declaration.getFunctionType() << ", expected " << calleeType;
    return signalPassFailure();
  }

  llvm::SmallVector<Attribute> ids;
  for (auto [index, op] : llvm::enumerate(observers)) {
    ids.push_back(op.getIdAttr());
    b.setInsertionPoint(op);
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
    Value buffer = bufferization::ToBufferOp::create(
        b, loc, memrefType, op.getInput(), /*readOnly=*/true);
    Value cast = memref::CastOp::create(b, loc, unranked, buffer);
    Value id = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(index));
    func::CallOp::create(b, loc, declaration, ValueRange{id, cast});
    op.getResult().replaceAllUsesWith(op.getInput());
    op.erase();
  }
  module->setAttr("qc.observer_ids", b.getArrayAttr(ids));
}
