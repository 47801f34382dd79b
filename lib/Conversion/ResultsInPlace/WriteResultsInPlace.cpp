//===- WriteResultsInPlace.cpp - Results computed in their out-params -----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-write-results-in-place (see the pass description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "qcomp/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCWRITERESULTSINPLACEPASS
#include "qcomp/Conversion/Passes.h.inc"
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

namespace {
struct WriteResultsInPlacePass
    : qcomp::impl::QCWriteResultsInPlacePassBase<WriteResultsInPlacePass> {
  void runOnOperation() override;
};
} // namespace

/// True when every use of `buffer` other than `copy` is in an op before
/// `copy` in its block, or is a later copy that reads it.
static bool isDoneBefore(Value buffer, memref::CopyOp copy) {
  Block *block = copy->getBlock();
  for (OpOperand &use : buffer.getUses()) {
    Operation *user = block->findAncestorOpInBlock(*use.getOwner());
    if (!user)
      return false;
    if (user == copy.getOperation() || user->isBeforeInBlock(copy))
      continue;
    auto later = dyn_cast<memref::CopyOp>(user);
    if (!later || later.getSource() != buffer)
      return false;
  }
  return true;
}

void WriteResultsInPlacePass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  Block &entry = func.getBody().front();
  SmallVector<memref::CopyOp> copies;
  for (auto copy : entry.getOps<memref::CopyOp>())
    copies.push_back(copy);
  for (memref::CopyOp copy : copies) {
    auto out = dyn_cast<BlockArgument>(copy.getTarget());
    auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
    if (!out || out.getOwner() != &entry || !out.hasOneUse() || !alloc ||
        alloc->getBlock() != &entry || alloc.getType() != out.getType() ||
        !alloc.getType().hasStaticShape() ||
        !alloc.getType().getLayout().isIdentity() || !isDoneBefore(alloc, copy))
      continue;
    copy.erase();
    alloc.getResult().replaceAllUsesWith(out);
    alloc.erase();
  }
}
