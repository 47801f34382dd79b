//===- Weights.cpp - Telling weights from activations ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Transforms/Weights.h"

#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"

using namespace mlir;

bool qcomp::isWeight(Value value) {
  // Weights are short chains from constants; anything longer is taken for an
  // activation (and bounds the walk).
  constexpr unsigned kMaxOps = 64;
  llvm::SmallVector<Value> worklist{value};
  llvm::SmallPtrSet<Operation *, 16> visited;
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val().getDefiningOp();
    if (!op || !isMemoryEffectFree(op))
      return false; // A block argument or an op with effects: an activation.
    if (!visited.insert(op).second)
      continue;
    if (visited.size() > kMaxOps)
      return false;
    for (Value operand : op->getOperands())
      worklist.push_back(operand);
  }
  return true;
}
