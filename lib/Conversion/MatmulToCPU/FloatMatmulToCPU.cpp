//===- FloatMatmulToCPU.cpp - f32 matmuls to register-tiled FMA kernels ---===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-lower-float-matmul-to-cpu (see the pass description in Passes.td): on
// buffers, replaces an f32 matmul `C[i, j] += A[i, k] * B[k, j]` with a
// constant B by
//
//   1. B packed at compile time into Bp[N/(NR L)][K][NR L] (a new global),
//   2. an MR x NR tile of vector<L x f32> accumulators over K, each step
//      A[i, k] broadcast and one fmuladd per accumulator, A read in place,
//   3. each vector added into C (or through the fused epilogue into its
//      output) where it lies, masked at the edges of M x N.
//
// This is qcomp's fp32 path: the baseline the integer kernels of
// IntMatmulToCPU.cpp are measured against.
//
//===----------------------------------------------------------------------===//

#include "ConstantWeights.h"
#include "FusedEpilogue.h"
#include "KernelLoops.h"
#include "TileStores.h"

#include "qcomp/Conversion/Passes.h"
#include "qcomp/Target/CPU/CPUFeatures.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCLOWERFLOATMATMULTOCPUPASS
#include "qcomp/Conversion/Passes.h.inc"
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

namespace {

/// B computed at run time as the transpose of a constant global (ONNX
/// Gemm's transB, as the importer writes it), and the ops that only exist
/// for B, which the kernel replaces.
struct TransposedWeights {
  memref::GetGlobalOp source;
  Operation *alloc = nullptr;
  linalg::TransposeOp transpose;
  SmallVector<Operation *> deallocs;
};

/// An f32 matmul with a constant B.
struct FloatMatmul {
  linalg::LinalgOp op;
  Value a, c;
  int64_t m = 0, n = 0, k = 0;
  /// B, K x N row-major.
  std::vector<float> b;
  std::optional<TransposedWeights> transposed;
};

struct LowerFloatMatmulToCPUPass
    : qcomp::impl::QCLowerFloatMatmulToCPUPassBase<LowerFloatMatmulToCPUPass> {
  using Base::Base;
  void runOnOperation() override;
};

} // namespace

/// True when the body of `op` is `out + a * b` in f32 (either order of
/// each operation's operands).
static bool isFloatMultiplyAccumulate(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  auto mul = dyn_cast_or_null<arith::MulFOp>(
      getAccumulatedProduct<arith::AddFOp>(body, /*numOps=*/3));
  if (!mul)
    return false;
  BlockArgument a = body->getArgument(0), b = body->getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

/// B as a fresh buffer written only by a `linalg.transpose` (permutation
/// [1, 0]) of a constant global before `matmul` in its block, and read only
/// by `matmul`.
static FailureOr<TransposedWeights> matchTransposedWeights(Value b,
                                                           Operation *matmul) {
  TransposedWeights result;
  result.alloc = b.getDefiningOp<memref::AllocOp>();
  if (!result.alloc)
    return failure();
  for (Operation *user : b.getUsers()) {
    if (user == matmul)
      continue;
    auto transpose = dyn_cast<linalg::TransposeOp>(user);
    if (transpose && !result.transpose && transpose.getInit() == b) {
      result.transpose = transpose;
      continue;
    }
    if (isa<memref::DeallocOp>(user)) {
      result.deallocs.push_back(user);
      continue;
    }
    return failure();
  }
  if (!result.transpose || result.transpose->getBlock() != matmul->getBlock() ||
      !result.transpose->isBeforeInBlock(matmul) ||
      result.transpose.getPermutation() != ArrayRef<int64_t>{1, 0})
    return failure();
  result.source =
      result.transpose.getInput().getDefiningOp<memref::GetGlobalOp>();
  if (!result.source)
    return failure();
  return result;
}

/// Matches an f32 matmul with a constant B; when `op` is one whose B or
/// shapes do not allow a kernel, says why in `reason`.
static FailureOr<FloatMatmul> matchFloatMatmul(linalg::LinalgOp op,
                                               SymbolTableCollection &symbols,
                                               std::string &reason) {
  if (!isa<linalg::MatmulOp, linalg::GenericOp>(op.getOperation()) ||
      !op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3 ||
      op.getNumReductionLoops() != 1)
    return failure();
  MLIRContext *ctx = op->getContext();
  AffineExpr i, j, k;
  bindDims(ctx, i, j, k);
  auto map = [&](ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(3, 0, exprs, ctx);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != map({i, k}) || maps[2] != map({i, j}) ||
      op.getIteratorTypesArray()[2] != utils::IteratorType::reduction)
    return failure();
  bool transposedB = maps[1] == map({j, k});
  if (!transposedB && maps[1] != map({k, j}))
    return failure();
  FloatMatmul match;
  match.op = op;
  match.a = op.getDpsInputs()[0];
  match.c = op.getDpsInits()[0];
  Value b = op.getDpsInputs()[1];
  auto aType = cast<MemRefType>(match.a.getType());
  auto bType = cast<MemRefType>(b.getType());
  auto cType = cast<MemRefType>(match.c.getType());
  if (!aType.getElementType().isF32() || !bType.getElementType().isF32() ||
      !cType.getElementType().isF32() || !isFloatMultiplyAccumulate(op))
    return failure();

  // An f32 matmul: from here on, say why it is not lowered.
  if (!aType.hasStaticShape() || !bType.hasStaticShape() ||
      !cType.hasStaticShape()) {
    reason = "its shapes are not static";
    return failure();
  }
  if (!aType.isLastDimUnitStride() || !cType.isLastDimUnitStride()) {
    reason = "its A or C is not contiguous along its rows";
    return failure();
  }
  match.m = aType.getShape()[0];
  match.k = aType.getShape()[1];
  match.n = cType.getShape()[1];
  if (match.m == 0 || match.n == 0 || match.k == 0) {
    reason = "it is empty (a dimension of size 0)";
    return failure();
  }
  auto getGlobal = b.getDefiningOp<memref::GetGlobalOp>();
  if (!getGlobal) {
    FailureOr<TransposedWeights> transposed =
        matchTransposedWeights(b, op.getOperation());
    if (succeeded(transposed)) {
      getGlobal = transposed->source;
      transposedB = !transposedB;
      match.transposed = std::move(*transposed);
    }
  }
  FailureOr<std::vector<float>> values =
      getGlobalValues<float>(getGlobal, symbols);
  if (failed(values)) {
    reason = "its B operand is not a constant global with known values";
    return failure();
  }
  match.b.assign(match.k * match.n, 0.0f);
  for (int64_t row = 0; row < match.k; ++row)
    for (int64_t col = 0; col < match.n; ++col)
      match.b[row * match.n + col] = transposedB
                                         ? (*values)[col * match.k + row]
                                         : (*values)[row * match.n + col];
  return match;
}

/// The kernel for one matmul, as described at the top of the file.
static void lowerFloatMatmul(FloatMatmul &mm, int64_t lanes, int64_t mr,
                             int64_t nr, bool parallelColumns,
                             std::optional<MatmulEpilogue> fused,
                             SymbolTable &symbols,
                             Operation *symbolInsertionPoint) {
  Operation *op = mm.op.getOperation();
  Location loc = op->getLoc();
  MLIRContext *ctx = op->getContext();
  const int64_t mp = roundUp(mm.m, mr);
  const int64_t np = roundUp(mm.n, lanes * nr), nb = np / lanes;
  const int64_t panelWidth = nr * lanes;
  Type f32 = Float32Type::get(ctx);

  // Bp[jp][p][c L + l] = B[p][jp NR L + c L + l], zero-padded.
  std::vector<float> packed(np * mm.k, 0.0f);
  for (int64_t jp = 0; jp < np / panelWidth; ++jp)
    for (int64_t p = 0; p < mm.k; ++p)
      for (int64_t x = 0; x < panelWidth; ++x) {
        int64_t col = jp * panelWidth + x;
        if (col < mm.n)
          packed[(jp * mm.k + p) * panelWidth + x] = mm.b[p * mm.n + col];
      }
  OpBuilder globals(symbolInsertionPoint);
  SmallVector<int64_t> packedShape = {np / panelWidth, mm.k, panelWidth};
  memref::GlobalOp packedGlobal = createConstantGlobal(
      globals, loc, symbols, "__qc_packed_rhs",
      DenseElementsAttr::get(RankedTensorType::get(packedShape, f32),
                             ArrayRef<float>(packed)));

  OpBuilder b(fused ? fused->op.getOperation() : op);
  auto index = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  std::optional<EpilogueEmitter> epilogue;
  if (fused)
    epilogue.emplace(b, loc, *fused, mm.m, mm.n, mp, np, lanes);
  Value output = epilogue ? epilogue->getOutput() : mm.c;
  const StoreBounds bounds{mm.m, mm.n, mp > mm.m, np > mm.n};
  Value bp = memref::GetGlobalOp::create(b, loc, packedGlobal.getType(),
                                         packedGlobal.getSymName());
  auto laneType = VectorType::get({lanes}, f32);
  Value accInit = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(laneType, b.getF32FloatAttr(0.0f)));
  Value c0 = index(0), c1 = index(1), laneCount = index(lanes);
  SmallVector<Value> rowOffsets, vectorOffsets;
  for (int64_t q = 0; q < mr; ++q)
    rowOffsets.push_back(index(q));
  for (int64_t c = 0; c < nr; ++c)
    vectorOffsets.push_back(index(c * lanes));

  // Column blocks outside, rows inside, as the integer kernels.
  auto buildColumnBlock = [&](OpBuilder &rb, Location rloc, Value jb) {
    Value panel = arith::DivUIOp::create(rb, rloc, jb, index(nr));
    Value first = arith::MulIOp::create(rb, rloc, jb, laneCount);
    SmallVector<Value> columns;
    for (Value offset : vectorOffsets)
      columns.push_back(arith::AddIOp::create(rb, rloc, first, offset));
    scf::ForOp::create(
        rb, rloc, c0, index(mp), index(mr), ValueRange{},
        [&](OpBuilder &cb, Location cloc, Value i, ValueRange) {
          SmallVector<Value> rows, aRows;
          for (Value offset : rowOffsets) {
            rows.push_back(arith::AddIOp::create(cb, cloc, i, offset));
            // The padded rows of the last tile read row M - 1 again.
            aRows.push_back(mp > mm.m
                                ? (Value)arith::MinSIOp::create(
                                      cb, cloc, rows.back(), index(mm.m - 1))
                                : rows.back());
          }
          SmallVector<Value> inits(mr * nr, accInit);
          auto kLoop = scf::ForOp::create(
              cb, cloc, c0, index(mm.k), c1, inits,
              [&](OpBuilder &kb, Location kloc, Value p, ValueRange accs) {
                SmallVector<Value> lhs, rhs;
                for (Value row : aRows)
                  lhs.push_back(vector::BroadcastOp::create(
                      kb, kloc, laneType,
                      memref::LoadOp::create(kb, kloc, mm.a,
                                             ValueRange{row, p})));
                for (Value offset : vectorOffsets)
                  rhs.push_back(vector::LoadOp::create(
                      kb, kloc, laneType, bp, ValueRange{panel, p, offset}));
                SmallVector<Value> next;
                for (int64_t q = 0; q < mr; ++q)
                  for (int64_t c = 0; c < nr; ++c)
                    next.push_back(LLVM::FMulAddOp::create(
                        kb, kloc, lhs[q], rhs[c], accs[q * nr + c]));
                scf::YieldOp::create(kb, kloc, next);
              });
          for (int64_t q = 0; q < mr; ++q)
            for (int64_t c = 0; c < nr; ++c) {
              Value value = kLoop.getResult(q * nr + c);
              if (epilogue)
                value =
                    epilogue->emitBody(cb, cloc, value, rows[q], columns[c]);
              emitBoundedStore(cb, cloc, value, output, rows[q], columns[c],
                               bounds, /*accumulate=*/!epilogue);
            }
          scf::YieldOp::create(cb, cloc);
        });
  };
  emitColumnBlocks(b, loc, nb, nr, parallelColumns, buildColumnBlock);
  if (epilogue)
    epilogue->finish(b, loc);
  op->erase();
  if (epilogue)
    epilogue->eraseReplaced();
  if (mm.transposed) {
    mm.transposed->transpose.erase();
    for (Operation *dealloc : mm.transposed->deallocs)
      dealloc->erase();
    mm.transposed->alloc->erase();
  }
}

void LowerFloatMatmulToCPUPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto cpu = CPUFeatures::parse(triple, features);
  if (!cpu) {
    module.emitError() << "qc-lower-float-matmul-to-cpu: "
                       << llvm::toString(cpu.takeError());
    return signalPassFailure();
  }
  if (tileRows > 8 || tileVectors > 8) {
    module.emitError() << "qc-lower-float-matmul-to-cpu: tile-rows and "
                          "tile-vectors must be in [0, 8], got "
                       << static_cast<int64_t>(tileRows) << " and "
                       << static_cast<int64_t>(tileVectors);
    return signalPassFailure();
  }
  const int64_t lanes = cpu->getFloatLanes();
  SymbolTableCollection symbolTables;
  SymbolTable &symbols = symbolTables.getSymbolTable(module);
  SmallVector<linalg::LinalgOp> candidates;
  module.walk([&](linalg::LinalgOp op) {
    if (isa<linalg::MatmulOp, linalg::GenericOp>(op.getOperation()))
      candidates.push_back(op);
  });
  llvm::SmallPtrSet<Operation *, 8> fusedConsumers;
  for (linalg::LinalgOp op : candidates) {
    if (fusedConsumers.contains(op.getOperation()))
      continue;
    std::string reason;
    FailureOr<FloatMatmul> match = matchFloatMatmul(op, symbolTables, reason);
    if (failed(match)) {
      if (!reason.empty())
        op->emitRemark() << "f32 matmul kept as loops: " << reason;
      continue;
    }
    int64_t nr = tileVectors                       ? tileVectors
                 : cpu->getVectorRegisters() >= 32 ? 4
                                                   : 2;
    int64_t mr = std::min<int64_t>(tileRows ? tileRows : 6, match->m);
    bool parallel = match->m * match->n * match->k >= parallelMinMacs;
    std::optional<MatmulEpilogue> fused;
    if (fuseEpilogue) {
      std::string why;
      FailureOr<MatmulEpilogue> epilogue = matchEpilogue(op, match->c, why);
      if (succeeded(epilogue)) {
        fused = *epilogue;
        fusedConsumers.insert(epilogue->op.getOperation());
      } else if (!why.empty())
        op->emitRemark() << "f32 matmul's epilogue not fused: " << why;
    }
    Operation *func = op->getParentOfType<FunctionOpInterface>();
    lowerFloatMatmul(*match, lanes, mr, nr, parallel, fused, symbols, func);
  }
}
