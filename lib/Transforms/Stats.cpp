//===- Stats.cpp - Calibration statistics attached to values --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Transforms/Stats.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::qcomp;

qc::StatsAttr qcomp::getValueStats(Value value) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (!func || arg.getOwner() != &func.getBody().front())
      return nullptr;
    return func.getArgAttrOfType<qc::StatsAttr>(arg.getArgNumber(),
                                                kStatsAttrName);
  }
  auto result = cast<OpResult>(value);
  auto array = result.getOwner()->getAttrOfType<ArrayAttr>(kStatsAttrName);
  if (!array || result.getResultNumber() >= array.size())
    return nullptr;
  return dyn_cast<qc::StatsAttr>(array[result.getResultNumber()]);
}

LogicalResult qcomp::setValueStats(Value value, qc::StatsAttr stats) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (!func || arg.getOwner() != &func.getBody().front())
      return failure();
    func.setArgAttr(arg.getArgNumber(), kStatsAttrName, stats);
    return success();
  }
  auto result = cast<OpResult>(value);
  Operation *op = result.getOwner();
  Builder b(op->getContext());
  llvm::SmallVector<Attribute> entries(op->getNumResults(), b.getUnitAttr());
  if (auto array = op->getAttrOfType<ArrayAttr>(kStatsAttrName))
    for (auto [i, entry] : llvm::enumerate(array.getValue()))
      if (i < entries.size())
        entries[i] = entry;
  entries[result.getResultNumber()] = stats;
  op->setAttr(kStatsAttrName, b.getArrayAttr(entries));
  return success();
}
