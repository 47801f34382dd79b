//===- ConstantWeights.cpp - The constant B of a CPU kernel ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace mlir::qcomp;

/// `value` as a constant index, or -1.
static int64_t getConstantIndex(Value value) {
  APInt constant;
  if (!matchPattern(value, m_ConstantInt(&constant)))
    return -1;
  return constant.getSExtValue();
}

FailureOr<UnpackedWeights>
qcomp::matchUnpackedWeights(Value b, SymbolTableCollection &symbols,
                            std::string &reason) {
  auto bType = cast<MemRefType>(b.getType());
  unsigned bits = bType.getElementTypeBitWidth();
  auto fail = [&] {
    reason = "its " + std::to_string(bits) +
             "-bit B operand is not an unpacked constant";
    return failure();
  };
  // One generic writes B; everything else only reads it or frees it.
  linalg::GenericOp unpack;
  bool otherWriter = false;
  for (OpOperand &use : b.getUses()) {
    Operation *user = use.getOwner();
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (generic && generic.isDpsInit(&use)) {
      otherWriter |= (bool)unpack;
      unpack = generic;
    } else if (!isa<memref::DeallocOp>(user) &&
               !(isa<linalg::LinalgOp>(user) &&
                 cast<linalg::LinalgOp>(user).isDpsInput(&use))) {
      otherWriter = true;
    }
  }
  if (!unpack || !b.getDefiningOp<memref::AllocOp>())
    return failure();
  if (otherWriter)
    return fail();
  if ((bits != 2 && bits != 4) || unpack.getNumDpsInputs() != 0 ||
      unpack.getNumDpsInits() != 1 || unpack.getNumLoops() != 2 ||
      unpack.getNumReductionLoops() != 0 ||
      !unpack.getIndexingMapsArray()[0].isIdentity() ||
      unpack->getBlock() != b.getDefiningOp()->getBlock())
    return fail();

  int64_t k = bType.getShape()[0], n = bType.getShape()[1];
  UnpackedWeights weights;
  weights.bits = bits;
  weights.unpack = unpack;
  // A splat (a single weight, or all equal) is folded to a constant yield.
  APInt splat;
  if (matchPattern(unpack.getBody()->getTerminator()->getOperand(0),
                   m_ConstantInt(&splat))) {
    weights.values.assign(k * n, (int8_t)splat.getSExtValue());
    return weights;
  }

  // The body of UnpackLowering, op for op:
  //   %i = linalg.index 0; %j = linalg.index 1
  //   %q = arith.divui %j, R; %byte = memref.load %packed[%i, %q]
  //   %r = arith.remui %j, R; %s = arith.muli %r, B
  //   %shift = arith.index_castui %s : index to i8
  //   %field = arith.shrui %byte, %shift; linalg.yield (arith.trunci %field)
  const int64_t perByte = 8 / bits;
  Block *body = unpack.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto trunc = yield.getValues()[0].getDefiningOp<arith::TruncIOp>();
  auto shr = trunc ? trunc.getIn().getDefiningOp<arith::ShRUIOp>() : nullptr;
  auto load = shr ? shr.getLhs().getDefiningOp<memref::LoadOp>() : nullptr;
  auto shiftCast =
      shr ? shr.getRhs().getDefiningOp<arith::IndexCastUIOp>() : nullptr;
  auto mul =
      shiftCast ? shiftCast.getIn().getDefiningOp<arith::MulIOp>() : nullptr;
  auto rem = mul ? mul.getLhs().getDefiningOp<arith::RemUIOp>() : nullptr;
  if (!load || !rem || load.getIndices().size() != 2 ||
      getConstantIndex(mul.getRhs()) != (int64_t)bits ||
      getConstantIndex(rem.getRhs()) != perByte ||
      !load.getMemRefType().getElementType().isInteger(8))
    return fail();
  auto row = load.getIndices()[0].getDefiningOp<linalg::IndexOp>();
  auto div = load.getIndices()[1].getDefiningOp<arith::DivUIOp>();
  auto col = div ? div.getLhs().getDefiningOp<linalg::IndexOp>() : nullptr;
  if (!row || !col || row.getDim() != 0 || col.getDim() != 1 ||
      getConstantIndex(div.getRhs()) != perByte ||
      rem.getLhs() != col.getResult())
    return fail();
  auto getGlobal = load.getMemRef().getDefiningOp<memref::GetGlobalOp>();
  FailureOr<std::vector<int8_t>> bytes =
      getGlobalValues<int8_t>(getGlobal, symbols);
  if (failed(bytes))
    return fail();
  auto packedType = cast<MemRefType>(getGlobal.getType());
  if (!packedType.hasStaticShape() || packedType.getShape()[0] != k ||
      packedType.getShape()[1] * perByte < n)
    return fail();

  weights.values.resize(k * n);
  const int64_t rowBytes = packedType.getShape()[1];
  const unsigned unused = 8 - bits;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      uint8_t byte = (*bytes)[i * rowBytes + j / perByte];
      // The field in the top bits, then shifted down with its sign.
      uint8_t top = byte << (unused - bits * (j % perByte));
      weights.values[i * n + j] = (int8_t)top >> unused;
    }
  return weights;
}

void qcomp::eraseUnusedUnpack(UnpackedWeights &weights) {
  Value buffer = weights.unpack.getDpsInits()[0];
  SmallVector<Operation *> deallocs;
  for (Operation *user : buffer.getUsers()) {
    if (user == weights.unpack.getOperation())
      continue;
    if (!isa<memref::DeallocOp>(user))
      return;
    deallocs.push_back(user);
  }
  for (Operation *dealloc : deallocs)
    dealloc->erase();
  weights.unpack.erase();
  buffer.getDefiningOp()->erase();
}

std::vector<int64_t> qcomp::packSubByteOperands(ArrayRef<int64_t> values,
                                                int64_t vectorLength,
                                                unsigned bits) {
  const int64_t parts = 8 / bits, partLength = vectorLength / parts;
  const int64_t mask = (1 << bits) - 1;
  std::vector<int64_t> packed(values.size() / parts, 0);
  for (size_t base = 0; base < values.size(); base += vectorLength)
    for (int64_t i = 0; i < partLength; ++i) {
      int64_t byte = 0;
      for (int64_t r = 0; r < parts; ++r)
        byte |= (values[base + r * partLength + i] & mask) << (bits * r);
      packed[base / parts + i] = byte;
    }
  return packed;
}

Value qcomp::emitSubByteUnpack(OpBuilder &b, Location loc, Value packed,
                               unsigned bits) {
  auto type = cast<VectorType>(packed.getType());
  auto splat = [&](int64_t value) -> Value {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(type, b.getIntegerAttr(b.getI8Type(), value)));
  };
  const int64_t parts = 8 / bits, unused = 8 - bits;
  SmallVector<Value> pieces;
  for (int64_t r = 0; r < parts; ++r) {
    Value piece = packed;
    if (int64_t left = unused - bits * r)
      piece = arith::ShLIOp::create(b, loc, piece, splat(left));
    pieces.push_back(arith::ShRSIOp::create(b, loc, piece, splat(unused)));
  }
  // Concatenate pairwise: [p0 p1], [p2 p3], then [p0 p1 p2 p3].
  for (int64_t count = parts; count > 1; count /= 2) {
    SmallVector<Value> joined;
    for (size_t i = 0; i < pieces.size(); i += 2) {
      int64_t length = cast<VectorType>(pieces[i].getType()).getNumElements();
      SmallVector<int64_t> mask;
      for (int64_t l = 0; l < 2 * length; ++l)
        mask.push_back(l);
      joined.push_back(
          vector::ShuffleOp::create(b, loc, pieces[i], pieces[i + 1], mask));
    }
    pieces = std::move(joined);
  }
  return pieces[0];
}
