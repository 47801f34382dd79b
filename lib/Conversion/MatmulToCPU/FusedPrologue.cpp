//===- FusedPrologue.cpp - A matmul's elementwise producer in its kernel --===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "FusedPrologue.h"

#include "BufferEffects.h"
#include "KernelLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::qcomp;

FailureOr<MatmulPrologue> qcomp::matchPrologue(linalg::GenericOp matmul,
                                               Value a,
                                               Operation *kernelPosition,
                                               std::string &reason) {
  MatmulPrologue result;
  result.aAlloc = a.getDefiningOp<memref::AllocOp>();
  if (!result.aAlloc)
    return failure();
  for (Operation *user : a.getUsers()) {
    if (user == matmul.getOperation())
      continue;
    if (isa<memref::DeallocOp>(user)) {
      result.aDeallocs.push_back(user);
      continue;
    }
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (!generic || result.op)
      return failure();
    result.op = generic;
  }
  linalg::GenericOp op = result.op;
  if (!op || op->getBlock() != matmul->getBlock() ||
      !op->isBeforeInBlock(matmul))
    return failure();
  // A written by one loop: from here on, say why it stays separate.
  if (!op.hasPureBufferSemantics() || op.getNumLoops() != 2 ||
      op.getNumParallelLoops() != 2 || op.getNumDpsInits() != 1 ||
      op.getDpsInits()[0] != a ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity()) {
    reason = "the producer of A is not an elementwise 2-d linalg.generic "
             "writing only A";
    return failure();
  }
  if (!op.getBody()->getArgument(op.getNumDpsInputs()).use_empty()) {
    reason = "the producer of A reads its own output";
    return failure();
  }
  for (Value input : op.getDpsInputs()) {
    Value root = getRootBuffer(input);
    for (Operation *between = op->getNextNode(); between != kernelPosition;
         between = between->getNextNode())
      if (between != matmul.getOperation() && mayWrite(between, root)) {
        reason = "an op between the producer of A and the kernel may write "
                 "what the producer reads";
        return failure();
      }
  }
  return result;
}

linalg::GenericOp
qcomp::emitFusedPack(OpBuilder &b, Location loc, const MatmulPrologue &prologue,
                     Value packedView,
                     function_ref<Value(OpBuilder &, Location, Value)> finish) {
  linalg::GenericOp op = prologue.op;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : op.getDpsInputOperands())
    maps.push_back(op.getMatchingIndexingMap(input));
  maps.push_back(AffineMap::getMultiDimIdentityMap(2, b.getContext()));
  return linalg::GenericOp::create(
      b, loc, TypeRange{}, op.getDpsInputs(), ValueRange{packedView}, maps,
      op.getIteratorTypesArray(),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Block *body = op.getBody();
        IRMapping mapping;
        for (unsigned i = 0, e = op.getNumDpsInputs(); i < e; ++i)
          mapping.map(body->getArgument(i), args[i]);
        for (Operation &bodyOp : body->without_terminator())
          nb.clone(bodyOp, mapping);
        Value value =
            mapping.lookupOrDefault(body->getTerminator()->getOperand(0));
        linalg::YieldOp::create(nb, nloc, finish(nb, nloc, value));
      });
}

Value qcomp::emitPaddedA(
    OpBuilder &b, Location loc, Value a, int64_t mp, int64_t kp,
    Type elementType, const std::optional<MatmulPrologue> &prologue,
    function_ref<Value(OpBuilder &, Location, Value)> finish, bool parallel) {
  ArrayRef<int64_t> shape = cast<MemRefType>(a.getType()).getShape();
  const int64_t m = shape[0], k = shape[1];
  Value padded = memref::AllocOp::create(
      b, loc, MemRefType::get({mp, kp}, elementType), b.getI64IntegerAttr(64));
  if (mp != m || kp != k)
    linalg::FillOp::create(b, loc,
                           ValueRange{arith::ConstantOp::create(
                               b, loc, b.getIntegerAttr(elementType, 0))},
                           ValueRange{padded});
  SmallVector<OpFoldResult> zeros(2, b.getIndexAttr(0)),
      ones(2, b.getIndexAttr(1));
  Value view = memref::SubViewOp::create(
      b, loc, padded, zeros,
      SmallVector<OpFoldResult>{b.getIndexAttr(m), b.getIndexAttr(k)}, ones);
  linalg::GenericOp pack;
  if (prologue) {
    // A computed (quantized) as it is packed: the int8 A is never written.
    pack = emitFusedPack(b, loc, *prologue, view, finish);
  } else {
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, b.getContext());
    pack = linalg::GenericOp::create(
        b, loc, TypeRange{}, ValueRange{a}, ValueRange{view},
        ArrayRef<AffineMap>{identity, identity},
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc, finish(nb, nloc, args[0]));
        });
  }
  // A matmul large enough for threads packs by blocks of rows on them too
  // (a fused quantization divides every element: 25% of a serial 256^3
  // call).
  if (parallel)
    parallelizeRows(pack, kPackChunks);
  return padded;
}

void qcomp::eraseReplacedPrologue(MatmulPrologue &prologue) {
  prologue.op.erase();
  for (Operation *dealloc : prologue.aDeallocs)
    dealloc->erase();
  prologue.aAlloc->erase();
}
