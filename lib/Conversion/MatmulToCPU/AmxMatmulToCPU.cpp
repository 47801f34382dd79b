//===- AmxMatmulToCPU.cpp - Integer matmuls to AMX tile kernels -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The `amx` kernel of qc-lower-int-matmul-to-cpu. AMX-INT8 multiplies a
// 16 x 64 int8 tile of A by a 64 x 16 one of B (stored as 16 rows of 16
// columns x 4 consecutive k) into a 16 x 16 int32 tile, signed or unsigned
// per operand (tdpbssd, tdpbusd): no +128 trick is needed. The kernel is
//
//   1. B packed at compile time into Bp[Np/16][Kp/4][16][4] (a new global,
//      int4 / int2 weights widened to int8), so that one tile of B is 16
//      consecutive rows of 64 bytes,
//   2. A read in place when M is a multiple of 32 and K of 64, else copied
//      (or computed by the fused prologue) into a zero-padded Mp x Kp
//      buffer, by blocks of rows on the threads,
//   3. for each block of 32 columns (an scf.parallel loop for large
//      matmuls) and 32 rows, 2 x 2 accumulator tiles over K in steps of 64,
//      held in tile registers (2 A and 2 B tile loads per 4 products),
//   4. the four tiles stored into a 32 x 32 int32 buffer of the column
//      block, whose rows go through the fused epilogue (or are added into
//      C) as 16-lane vectors, masked at the edges of M x N.
//
// The sums are the exact int32 sums of the reference loops. AMX needs the
// operating system's permission for the tile state: the module gets a
// constructor that asks Linux for it (arch_prctl ARCH_REQ_XCOMP_PERM).
//
//===----------------------------------------------------------------------===//

#include "IntMatmul.h"
#include "KernelLoops.h"
#include "TileStores.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::qcomp;

/// Rows of an A tile and of an accumulator tile; int8 values per tile row
/// (K per step); columns of a B and an accumulator tile.
static constexpr int64_t kTileRows = 16, kTileK = 64, kTileColumns = 16;
/// Accumulator tiles per block: 2 x 2 (4 of the 8 tile registers, with 2
/// of A and 2 of B).
static constexpr int64_t kRowTiles = 2, kColumnTiles = 2;
static constexpr int64_t kBlockRows = kRowTiles * kTileRows;
static constexpr int64_t kBlockColumns = kColumnTiles * kTileColumns;

static constexpr llvm::StringLiteral kPermissionFunction =
    "__qc_request_amx_tile_state";

/// Once per module: a constructor asking Linux for this process's AMX tile
/// state, `syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)`
/// (idempotent; the kernels fault without it):
///
///   llvm.func internal @__qc_request_amx_tile_state() {
///     %r = llvm.call @syscall(%158, %0x1023, %18) vararg(...)
///     llvm.return
///   }
///   llvm.mlir.global_ctors ctors = [@__qc_request_amx_tile_state], ...
static void addTileStateRequest(ModuleOp module) {
  if (module.lookupSymbol(kPermissionFunction))
    return;
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Type i64 = IntegerType::get(ctx, 64);
  auto syscall = module.lookupSymbol<LLVM::LLVMFuncOp>("syscall");
  if (!syscall)
    syscall = LLVM::LLVMFuncOp::create(
        b, loc, "syscall",
        LLVM::LLVMFunctionType::get(i64, {i64}, /*isVarArg=*/true));
  auto request = LLVM::LLVMFuncOp::create(
      b, loc, kPermissionFunction,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {}),
      LLVM::Linkage::Internal);
  OpBuilder body = OpBuilder::atBlockBegin(request.addEntryBlock(b));
  constexpr int64_t kSysArchPrctl = 158, kArchReqXcompPerm = 0x1023,
                    kXfeatureXtiledata = 18;
  SmallVector<Value> args;
  for (int64_t value : {kSysArchPrctl, kArchReqXcompPerm, kXfeatureXtiledata})
    args.push_back(LLVM::ConstantOp::create(body, loc, i64, value));
  LLVM::CallOp::create(body, loc, syscall, args);
  LLVM::ReturnOp::create(body, loc, ValueRange{});
  LLVM::GlobalCtorsOp::create(
      b, loc, b.getArrayAttr({FlatSymbolRefAttr::get(request)}),
      b.getI32ArrayAttr({65535}), b.getArrayAttr({LLVM::ZeroAttr::get(ctx)}));
}

void qcomp::lowerIntMatmulWithAmx(IntMatmul &mm, bool parallelColumns,
                                  std::optional<MatmulEpilogue> fused,
                                  std::optional<MatmulPrologue> prologue,
                                  SymbolTable &symbols,
                                  Operation *symbolInsertionPoint) {
  linalg::GenericOp op = mm.op;
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  const int64_t mp = roundUp(mm.m, kBlockRows), kp = roundUp(mm.k, kTileK);
  const int64_t np = roundUp(mm.n, kBlockColumns);
  const int64_t quads = kp / 4, columnTiles = np / kTileColumns;
  Type i8 = IntegerType::get(ctx, 8), i32 = IntegerType::get(ctx, 32);

  // Bp[t][q][l][u] = B[4 q + u][16 t + l], zero-padded.
  std::vector<int64_t> packed(columnTiles * quads * kTileK, 0);
  for (int64_t row = 0; row < mm.k; ++row)
    for (int64_t col = 0; col < mm.n; ++col)
      packed[((col / kTileColumns) * quads + row / 4) * kTileK +
             (col % kTileColumns) * 4 + row % 4] = mm.b[row * mm.n + col];
  OpBuilder globals(symbolInsertionPoint);
  memref::GlobalOp packedGlobal =
      createIntegerGlobal(globals, loc, symbols, "__qc_packed_rhs",
                          {columnTiles, quads, kTileK}, i8, packed);
  addTileStateRequest(symbolInsertionPoint->getParentOfType<ModuleOp>());

  OpBuilder b(fused ? fused->op.getOperation() : op.getOperation());
  auto index = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  // A in place, or padded to Mp x Kp.
  auto aType = cast<MemRefType>(mm.a.getType());
  const bool inPlace =
      !prologue && mm.m == mp && mm.k == kp && aType.getLayout().isIdentity();
  Value aSource = mm.a, aPadded;
  if (!inPlace) {
    auto same = [](OpBuilder &, Location, Value value) { return value; };
    aPadded =
        emitPaddedA(b, loc, mm.a, mp, kp, i8, prologue, same, parallelColumns);
    aSource = aPadded;
  }

  std::optional<EpilogueEmitter> epilogue;
  if (fused)
    epilogue.emplace(b, loc, *fused, mm.m, mm.n, mp, np, kTileColumns);
  Value output = epilogue ? epilogue->getOutput() : mm.c;
  const StoreBounds bounds{mm.m, mm.n, mp > mm.m, np > mm.n};
  Value bp = memref::GetGlobalOp::create(b, loc, packedGlobal.getType(),
                                         packedGlobal.getSymName());
  auto aTile = amx::TileType::get({kTileRows, kTileK}, i8);
  auto accTile = amx::TileType::get({kTileRows, kTileColumns}, i32);
  auto laneType = VectorType::get({kTileColumns}, i32);
  const bool zextA = !mm.aSigned;
  Value c0 = index(0), c1 = index(1), c4 = index(4);
  Value tileRows = index(kTileRows), tileColumns = index(kTileColumns);

  auto buildColumnBlock = [&](OpBuilder &rb, Location rloc, Value tile) {
    // The block's four accumulator tiles, stored for the epilogue.
    Value sums = memref::AllocOp::create(
        rb, rloc, MemRefType::get({kBlockRows, kBlockColumns}, i32),
        rb.getI64IntegerAttr(64));
    SmallVector<Value> bTiles{tile, arith::AddIOp::create(rb, rloc, tile, c1)};
    scf::ForOp::create(
        rb, rloc, c0, index(mp), index(kBlockRows), ValueRange{},
        [&](OpBuilder &ib, Location iloc, Value i, ValueRange) {
          SmallVector<Value> rows{i,
                                  arith::AddIOp::create(ib, iloc, i, tileRows)};
          SmallVector<Value> zeros;
          for (int64_t t = 0; t < kRowTiles * kColumnTiles; ++t)
            zeros.push_back(amx::TileZeroOp::create(ib, iloc, accTile));
          auto kLoop = scf::ForOp::create(
              ib, iloc, c0, index(kp), index(kTileK), zeros,
              [&](OpBuilder &kb, Location kloc, Value k, ValueRange accs) {
                SmallVector<Value> lhs, rhs;
                for (Value row : rows)
                  lhs.push_back(amx::TileLoadOp::create(
                      kb, kloc, aTile, aSource, ValueRange{row, k}));
                Value quad = arith::DivUIOp::create(kb, kloc, k, c4);
                for (Value t : bTiles)
                  rhs.push_back(amx::TileLoadOp::create(
                      kb, kloc, aTile, bp, ValueRange{t, quad, c0}));
                SmallVector<Value> next;
                for (int64_t r = 0; r < kRowTiles; ++r)
                  for (int64_t c = 0; c < kColumnTiles; ++c) {
                    next.push_back(amx::TileMulIOp::create(
                        kb, kloc, accTile, lhs[r], rhs[c],
                        accs[r * kColumnTiles + c], /*isZextLhs=*/zextA,
                        /*isZextRhs=*/false));
                  }
                scf::YieldOp::create(kb, kloc, next);
              });
          for (int64_t r = 0; r < kRowTiles; ++r)
            for (int64_t c = 0; c < kColumnTiles; ++c)
              amx::TileStoreOp::create(
                  ib, iloc, sums,
                  ValueRange{index(r * kTileRows), index(c * kTileColumns)},
                  kLoop.getResult(r * kColumnTiles + c));
          // Each row of the block, two 16-lane vectors.
          scf::ForOp::create(
              ib, iloc, c0, index(kBlockRows), c1, ValueRange{},
              [&](OpBuilder &eb, Location eloc, Value r, ValueRange) {
                Value row = arith::AddIOp::create(eb, eloc, i, r);
                for (int64_t c = 0; c < kColumnTiles; ++c) {
                  Value acc = vector::LoadOp::create(
                      eb, eloc, laneType, sums,
                      ValueRange{r, index(c * kTileColumns)});
                  Value col =
                      arith::MulIOp::create(eb, eloc, bTiles[c], tileColumns);
                  if (epilogue)
                    acc = epilogue->emitBody(eb, eloc, acc, row, col);
                  emitBoundedStore(eb, eloc, acc, output, row, col, bounds,
                                   /*accumulate=*/!epilogue);
                }
                scf::YieldOp::create(eb, eloc);
              });
          scf::YieldOp::create(ib, iloc);
        });
    memref::DeallocOp::create(rb, rloc, sums);
  };
  emitColumnBlocks(b, loc, columnTiles, kColumnTiles, parallelColumns,
                   buildColumnBlock);

  if (epilogue)
    epilogue->finish(b, loc);
  if (aPadded)
    memref::DeallocOp::create(b, loc, aPadded);
  eraseReplaced(mm, epilogue, prologue);
}
