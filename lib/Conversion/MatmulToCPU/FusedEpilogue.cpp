//===- FusedEpilogue.cpp - A matmul's elementwise consumer in its kernel --===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "FusedEpilogue.h"

#include "BufferEffects.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::qcomp;

//===----------------------------------------------------------------------===//
// Matching
//===----------------------------------------------------------------------===//

/// True for a body op the epilogue can compute on vectors: an elementwise
/// arith or math op that cannot trap (no integer division: the padded
/// lanes hold zeros).
static bool isVectorizableBodyOp(Operation &op) {
  if (isa<arith::ConstantOp>(op))
    return true;
  if (!isa<arith::ArithDialect, math::MathDialect>(op.getDialect()) ||
      !op.hasTrait<OpTrait::Elementwise>() || op.getNumRegions() != 0)
    return false;
  return !isa<arith::DivSIOp, arith::DivUIOp, arith::RemSIOp, arith::RemUIOp,
              arith::CeilDivSIOp, arith::CeilDivUIOp, arith::FloorDivSIOp>(op);
}

FailureOr<MatmulEpilogue> qcomp::matchEpilogue(linalg::LinalgOp matmul, Value c,
                                               std::string &reason) {
  MatmulEpilogue result;
  result.cAlloc = c.getDefiningOp<memref::AllocOp>();
  if (!result.cAlloc)
    return failure();
  for (Operation *user : c.getUsers()) {
    if (user == matmul.getOperation())
      continue;
    if (auto fill = dyn_cast<linalg::FillOp>(user); fill && !result.cFill) {
      result.cFill = fill;
      continue;
    }
    if (isa<memref::DeallocOp>(user)) {
      result.cDeallocs.push_back(user);
      continue;
    }
    if (auto generic = dyn_cast<linalg::GenericOp>(user);
        generic && !result.op) {
      result.op = generic;
      continue;
    }
    return failure();
  }
  linalg::GenericOp op = result.op;
  Block *block = matmul->getBlock();
  if (!op || !result.cFill || result.cFill->getBlock() != block ||
      !result.cFill->isBeforeInBlock(matmul) ||
      !(matchPattern(result.cFill.getInputs()[0], m_Zero()) ||
        matchPattern(result.cFill.getInputs()[0], m_PosZeroFloat())) ||
      op->getBlock() != block || !matmul->isBeforeInBlock(op))
    return failure();

  // From here on, the matmul has a consumer: say why it stays separate.
  if (!op.hasPureBufferSemantics() || op.getNumLoops() != 2 ||
      op.getNumParallelLoops() != 2 || op.getNumDpsInits() != 1) {
    reason = "its consumer is not an elementwise 2-d linalg.generic";
    return failure();
  }
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, op.getContext());
  bool seenC = false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    auto type = dyn_cast<MemRefType>(input->get().getType());
    if (input->get() == c) {
      if (seenC || map != identity) {
        reason = "its consumer reads the accumulators other than once, "
                 "elementwise";
        return failure();
      }
      seenC = true;
      result.cInput = input->getOperandNumber();
      continue;
    }
    bool perRowOrColumn = map.getNumResults() == 1 &&
                          isa<AffineDimExpr>(map.getResult(0)) && type &&
                          type.getRank() == 1;
    bool scalar = map.getNumResults() == 0 && type && type.getRank() == 0;
    if (!perRowOrColumn && !scalar) {
      reason = "its consumer reads another matrix or an operand that is "
               "not per row, per column or a scalar";
      return failure();
    }
    if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat()) {
      reason = "an operand of its consumer has a dynamic shape or an "
               "element type that is not a number";
      return failure();
    }
  }
  OpOperand *init = op.getDpsInitOperand(0);
  auto outputType = dyn_cast<MemRefType>(init->get().getType());
  auto cType = cast<MemRefType>(c.getType());
  if (op.getMatchingIndexingMap(init) != identity || !outputType ||
      outputType.getShape() != cType.getShape() ||
      !outputType.getLayout().isIdentity() ||
      !outputType.getElementType().isIntOrFloat()) {
    reason = "its consumer's output is not an M x N buffer";
    return failure();
  }
  // The kernel stores each tile's results as it goes, while later tiles
  // still read A.
  if (getRootBuffer(init->get()) == getRootBuffer(matmul.getDpsInputs()[0])) {
    reason = "its consumer writes the buffer of A";
    return failure();
  }
  Block *body = op.getBody();
  if (!body->getArgument(op.getNumDpsInputs()).use_empty()) {
    reason = "its consumer reads its own output";
    return failure();
  }
  for (Operation &bodyOp : body->without_terminator()) {
    if (!isVectorizableBodyOp(bodyOp)) {
      reason = ("its consumer computes '" + bodyOp.getName().getStringRef() +
                "', which the kernel does not compute on vectors")
                   .str();
      return failure();
    }
    for (Value operand : bodyOp.getOperands())
      if (operand.getParentBlock() != body &&
          !operand.getType().isIntOrIndexOrFloat()) {
        reason = "its consumer uses a value from outside that is not a "
                 "scalar";
        return failure();
      }
  }
  // The kernel replaces both ops where the consumer is: the ops in between
  // (the reference's row sums of A, say) must not write A.
  Value a = getRootBuffer(matmul.getDpsInputs()[0]);
  for (Operation *between = matmul->getNextNode(); between != op;
       between = between->getNextNode())
    if (mayWrite(between, a)) {
      reason = "an op between the matmul and its consumer may write A";
      return failure();
    }
  return result;
}

//===----------------------------------------------------------------------===//
// Emission
//===----------------------------------------------------------------------===//

EpilogueEmitter::EpilogueEmitter(OpBuilder &b, Location loc,
                                 MatmulEpilogue epilogue, int64_t m, int64_t n,
                                 int64_t mp, int64_t np, int64_t lanes)
    : epilogue(epilogue), m(m), n(n), mp(mp), np(np), lanes(lanes) {
  linalg::GenericOp op = epilogue.op;

  // Per-row and per-column operands padded with zeros to Mp / Np, so that
  // every lane of a tile reads in bounds.
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (input->getOperandNumber() == epilogue.cInput) {
      // The accumulators themselves: emitStore maps them, no buffer.
      inputs.push_back({Broadcast::Scalar, Value()});
      continue;
    }
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.getNumResults() == 0) {
      inputs.push_back({Broadcast::Scalar, input->get()});
      continue;
    }
    bool perRow = cast<AffineDimExpr>(map.getResult(0)).getPosition() == 0;
    auto type = cast<MemRefType>(input->get().getType());
    int64_t length = perRow ? m : n, padded = perRow ? mp : np;
    Value buffer = memref::AllocOp::create(
        b, loc, MemRefType::get({padded}, type.getElementType()),
        b.getI64IntegerAttr(64));
    Value zero =
        arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
    linalg::FillOp::create(b, loc, zero, buffer);
    Value view = memref::SubViewOp::create(
        b, loc, buffer, ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(length)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    linalg::CopyOp::create(b, loc, input->get(), view);
    temporaries.push_back(buffer);
    inputs.push_back({perRow ? Broadcast::Row : Broadcast::Column, buffer});
  }
}

Value EpilogueEmitter::emitBody(OpBuilder &b, Location loc, Value acc,
                                Value row, Value col) {
  linalg::GenericOp op = epilogue.op;
  Block *body = op.getBody();
  auto vectorOf = [&](Type type) { return VectorType::get({lanes}, type); };
  IRMapping mapping;
  for (auto [index, input] : llvm::enumerate(inputs)) {
    BlockArgument arg = body->getArgument(index);
    if (index == epilogue.cInput) {
      mapping.map(arg, acc);
      continue;
    }
    Value value;
    if (input.kind == Broadcast::Column) {
      value = vector::LoadOp::create(b, loc, vectorOf(arg.getType()),
                                     input.buffer, ValueRange{col});
    } else {
      Value scalar =
          input.kind == Broadcast::Row
              ? memref::LoadOp::create(b, loc, input.buffer, ValueRange{row})
              : memref::LoadOp::create(b, loc, input.buffer, ValueRange{});
      value =
          vector::BroadcastOp::create(b, loc, vectorOf(arg.getType()), scalar);
    }
    mapping.map(arg, value);
  }
  for (Operation &bodyOp : body->without_terminator()) {
    if (auto constant = dyn_cast<arith::ConstantOp>(bodyOp)) {
      auto type = vectorOf(constant.getType());
      mapping.map(
          constant.getResult(),
          arith::ConstantOp::create(
              b, loc, type, DenseElementsAttr::get(type, constant.getValue())));
      continue;
    }
    // Scalars from outside the body (constants of the function) become
    // splats.
    for (Value operand : bodyOp.getOperands())
      if (!mapping.contains(operand))
        mapping.map(operand, vector::BroadcastOp::create(
                                 b, loc, vectorOf(operand.getType()), operand));
    Operation *clone = b.clone(bodyOp, mapping);
    for (Value result : clone->getResults())
      result.setType(vectorOf(result.getType()));
  }
  return mapping.lookup(body->getTerminator()->getOperand(0));
}

void EpilogueEmitter::finish(OpBuilder &b, Location loc) {
  for (Value buffer : temporaries)
    memref::DeallocOp::create(b, loc, buffer);
}

void EpilogueEmitter::eraseReplaced() {
  epilogue.op.erase();
  epilogue.cFill.erase();
  for (Operation *dealloc : epilogue.cDeallocs)
    dealloc->erase();
  epilogue.cAlloc->erase();
}
