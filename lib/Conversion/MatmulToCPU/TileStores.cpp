//===- TileStores.cpp - A register tile's vectors into an M x N buffer ----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "TileStores.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::qcomp;

void qcomp::emitBoundedStore(OpBuilder &b, Location loc, Value value,
                             Value buffer, Value row, Value col,
                             const StoreBounds &bounds, bool accumulate) {
  auto type = cast<VectorType>(value.getType());
  const int64_t lanes = type.getNumElements();
  auto add = [&](OpBuilder &ab, Location aloc, Value lhs, Value rhs) -> Value {
    if (isa<FloatType>(type.getElementType()))
      return arith::AddFOp::create(ab, aloc, lhs, rhs);
    return arith::AddIOp::create(ab, aloc, lhs, rhs);
  };
  auto storeAll = [&](OpBuilder &sb, Location sloc) {
    Value result = value;
    if (accumulate)
      result = add(
          sb, sloc,
          vector::LoadOp::create(sb, sloc, type, buffer, ValueRange{row, col}),
          result);
    vector::StoreOp::create(sb, sloc, result, buffer, ValueRange{row, col});
  };
  auto storeMasked = [&](OpBuilder &sb, Location sloc) {
    Value remaining = arith::SubIOp::create(
        sb, sloc, arith::ConstantIndexOp::create(sb, sloc, bounds.n), col);
    auto maskType = VectorType::get({lanes}, sb.getI1Type());
    Value mask = vector::CreateMaskOp::create(
        sb, sloc, maskType, ArrayRef<OpFoldResult>{remaining});
    Value result = value;
    if (accumulate) {
      Value zero = arith::ConstantOp::create(
          sb, sloc, type,
          DenseElementsAttr::get(type, sb.getZeroAttr(type.getElementType())));
      result =
          add(sb, sloc,
              vector::MaskedLoadOp::create(sb, sloc, type, buffer,
                                           ValueRange{row, col}, mask, zero),
              result);
    }
    vector::MaskedStoreOp::create(sb, sloc, buffer, ValueRange{row, col}, mask,
                                  result);
  };
  auto storeRow = [&](OpBuilder &sb, Location sloc) {
    if (!bounds.columnTail)
      return storeAll(sb, sloc);
    Value end = arith::AddIOp::create(
        sb, sloc, col, arith::ConstantIndexOp::create(sb, sloc, lanes));
    Value full = arith::CmpIOp::create(
        sb, sloc, arith::CmpIPredicate::ule, end,
        arith::ConstantIndexOp::create(sb, sloc, bounds.n));
    auto ifOp = scf::IfOp::create(sb, sloc, full, /*withElseRegion=*/true);
    OpBuilder thenBuilder = ifOp.getThenBodyBuilder();
    storeAll(thenBuilder, sloc);
    OpBuilder elseBuilder = ifOp.getElseBodyBuilder();
    storeMasked(elseBuilder, sloc);
  };
  if (!bounds.rowTail)
    return storeRow(b, loc);
  Value inside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                            arith::ConstantIndexOp::create(b, loc, bounds.m));
  auto ifOp = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  OpBuilder thenBuilder = ifOp.getThenBodyBuilder();
  storeRow(thenBuilder, loc);
}
