//===- KernelLoops.cpp - What the int8 and f32 matmul kernels share -------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "KernelLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace mlir::qcomp;

memref::GlobalOp qcomp::createConstantGlobal(OpBuilder &b, Location loc,
                                             SymbolTable &symbols,
                                             StringRef name,
                                             DenseElementsAttr values) {
  auto type = cast<ShapedType>(values.getType());
  auto global = memref::GlobalOp::create(
      b, loc, name, b.getStringAttr("private"),
      MemRefType::get(type.getShape(), type.getElementType()), values,
      /*constant=*/true, b.getI64IntegerAttr(64));
  symbols.insert(global);
  return global;
}

memref::GlobalOp qcomp::createIntegerGlobal(OpBuilder &b, Location loc,
                                            SymbolTable &symbols,
                                            StringRef name,
                                            ArrayRef<int64_t> shape, Type type,
                                            ArrayRef<int64_t> values) {
  SmallVector<APInt> elements;
  elements.reserve(values.size());
  for (int64_t value : values)
    elements.push_back(APInt(type.getIntOrFloatBitWidth(), value,
                             /*isSigned=*/true, /*implicitTrunc=*/true));
  return createConstantGlobal(
      b, loc, symbols, name,
      DenseElementsAttr::get(RankedTensorType::get(shape, type), elements));
}

void qcomp::emitColumnBlocks(
    OpBuilder &b, Location loc, int64_t blocks, int64_t nr, bool parallel,
    function_ref<void(OpBuilder &, Location, Value)> body) {
  Value lower = arith::ConstantIndexOp::create(b, loc, 0);
  Value upper = arith::ConstantIndexOp::create(b, loc, blocks);
  Value step = arith::ConstantIndexOp::create(b, loc, nr);
  if (parallel) {
    scf::ParallelOp::create(b, loc, ValueRange{lower}, ValueRange{upper},
                            ValueRange{step},
                            [&](OpBuilder &rb, Location rloc, ValueRange ivs) {
                              body(rb, rloc, ivs[0]);
                            });
    return;
  }
  scf::ForOp::create(b, loc, lower, upper, step, ValueRange{},
                     [&](OpBuilder &rb, Location rloc, Value jb, ValueRange) {
                       body(rb, rloc, jb);
                       scf::YieldOp::create(rb, rloc);
                     });
}

void qcomp::parallelizeRows(linalg::GenericOp op, int64_t chunks) {
  int64_t rows = op.getStaticLoopRanges()[0];
  int64_t step = (rows + chunks - 1) / chunks;
  if (ShapedType::isDynamic(rows) || rows < 2 * step)
    return;
  IRRewriter rewriter(op.getContext());
  rewriter.setInsertionPoint(op);
  linalg::LinalgTilingOptions options;
  options.setTileSizes(ArrayRef<int64_t>{step, 0})
      .setLoopType(linalg::LinalgTilingLoopType::ParallelLoops);
  if (succeeded(linalg::tileLinalgOp(rewriter, op, options)))
    rewriter.eraseOp(op);
}
