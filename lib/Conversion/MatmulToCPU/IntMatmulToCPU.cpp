//===- IntMatmulToCPU.cpp - Integer matmuls to dot-product kernels --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-lower-int-matmul-to-cpu (see the pass description in Passes.td): on
// buffers, replaces the reference lowering's integer matmul
// `C[i, j] += ext(A[i, k]) * ext(B[k, j])` with a constant B by
//
//   1. B packed at compile time into Bp[N/(NR L)][K/G][NR][L][G] (a new global;
//      int4 / int2 weights at their own width, widened in registers; + 128
//      when a signed A is the signed operand of a u8 x s8 instruction),
//   2. A read in place, or each tile's rows shifted / widened into a
//      zero-padded MR x Kp buffer just before the tile (AReading),
//   3. an MR x NR tile of L-lane int32 accumulators over K, starting at
//      -128 * rowsum(A) (B biased) or -128 * colsum(B) (A shifted) for a
//      signed A on u8 x s8 instructions, each step one dot-product
//      instruction per accumulator (G products per lane),
//   4. each vector added into C (or through the fused epilogue into its
//      output) where it lies, masked at the edges of M x N.
//
// Every kernel computes the exact int32 sum with the reference's
// wrap-around, so the result is bit-identical to the reference loops.
//
//===----------------------------------------------------------------------===//

#include "ConstantWeights.h"
#include "FusedEpilogue.h"
#include "FusedPrologue.h"
#include "IntMatmul.h"
#include "KernelLoops.h"
#include "TileStores.h"

#include "qcomp/Conversion/Passes.h"
#include "qcomp/Target/CPU/CPUFeatures.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
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
#include "llvm/ADT/SmallVector.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCLOWERINTMATMULTOCPUPASS
#include "qcomp/Conversion/Passes.h.inc"
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

namespace {

/// The shape of one kernel: each instruction multiplies R rows of A by L
/// columns of B, G products of `elementBits`-wide values per int32 result,
/// into an accumulator of R x L int32 lanes. R is 1 for the dot-product
/// instructions (a row's G values broadcast against L columns) and 2 for
/// the matrix-multiply ones (smmla: a 2 x 8 by 8 x 2 product).
struct KernelShape {
  IntDotKernel kind;
  int64_t lanes;
  int64_t group;
  unsigned elementBits;
  /// The instruction multiplies unsigned A bytes by signed B bytes: a
  /// signed A is read against B + 128 or shifted (see lowerIntMatmul).
  bool unsignedA;
  /// The instruction multiplies signed A bytes: an unsigned A cannot use it
  /// (unless there is an `unsignedIntrinsic`).
  bool signedAOnly;
  llvm::StringLiteral intrinsic;
  /// NR when the pass option leaves it to the kernel.
  unsigned defaultVectors;
  /// Rows of A per instruction (R).
  int64_t rows = 1;
  /// MR when the pass option leaves it to the kernel.
  unsigned defaultRows = 4;
  /// The u8 x s8 form of the instruction, for an unsigned A.
  llvm::StringLiteral unsignedIntrinsic = "";
  /// Another MR x NR tile of as many accumulators, taken when it pads the
  /// matmul to fewer multiply-adds (0: none).
  unsigned otherRows = 0, otherVectors = 0;
  /// K steps per iteration of the K loop.
  int64_t unrollK = 1;

  int64_t getAccumulatorLanes() const { return rows * lanes; }
};

struct LowerIntMatmulToCPUPass
    : qcomp::impl::QCLowerIntMatmulToCPUPassBase<LowerIntMatmulToCPUPass> {
  using Base::Base;
  void runOnOperation() override;
};

} // namespace

static KernelShape getKernelShape(IntDotKernel kind) {
  switch (kind) {
  case IntDotKernel::Avx512Vnni:
    // 6 x 4 accumulators, 4 B vectors and the broadcast A: 30 of the 32
    // zmm registers (measured on Sapphire Rapids: 5-10% over 4 x 4 on the
    // large shapes, as fast on the small ones). 8 x 3 pads N to 48 columns
    // but M to 8 rows: taken when that pads much less (16 rows: 12-15%
    // faster there; at 128 rows 6 x 4 is faster).
    return {kind, 16, 4, 8, true, false, "llvm.x86.avx512.vpdpbusd.512", 4,
            /*rows=*/1,
            /*defaultRows=*/6, "",
            /*otherRows=*/8,
            /*otherVectors=*/3,
            // Two K steps per iteration: 6-10% faster on 1024^3 (one is as
            // fast on avx-vnni's 16 registers, 5-10% slower with two).
            /*unrollK=*/2};
  case IntDotKernel::AvxVnni:
    return {kind, 8, 4, 8, true, false, "llvm.x86.avx512.vpdpbusd.256", 2};
  case IntDotKernel::Avx2:
    return {kind, 8, 2, 16, false, false, "llvm.x86.avx2.pmadd.wd", 2};
  case IntDotKernel::I8mm:
    return {kind,
            2,
            8,
            8,
            false,
            true,
            "llvm.aarch64.neon.smmla.v4i32.v16i8",
            4,
            /*rows=*/2,
            /*defaultRows=*/8,
            "llvm.aarch64.neon.usmmla.v4i32.v16i8"};
  case IntDotKernel::DotProd:
    return {kind, 4, 4, 8, false, true, "llvm.aarch64.neon.sdot.v4i32.v16i8",
            4};
  case IntDotKernel::Amx: // Tiles, not vectors: lowerIntMatmulWithAmx.
  case IntDotKernel::None:
    break;
  }
  llvm_unreachable("no kernel shape for 'none'");
}

/// Rows of A up to which a 16-bit kernel keeps B int8 in memory.
static constexpr int64_t kNarrowRhsMaxRows = 16;

/// Rows of A from which kernel=auto takes amx over the vector kernel
/// (measured on Sapphire Rapids, 4096 x 4096 weights: avx512-vnni 10%
/// faster at 8 rows, amx 1.5x faster at 16; with 1024 x 1024 weights at 4
/// rows avx512-vnni is 1.9x faster).
static constexpr int64_t kAmxMinRows = 16;

//===----------------------------------------------------------------------===//
// Matching
//===----------------------------------------------------------------------===//

/// `value` as the i8 block argument `arg` extended to i32: true and the
/// signedness when it is `arith.extsi` / `arith.extui` of `arg`.
static bool isExtensionOf(Value value, BlockArgument arg, bool &isSigned) {
  Operation *op = value.getDefiningOp();
  if (!op || op->getOperand(0) != arg)
    return false;
  isSigned = isa<arith::ExtSIOp>(op);
  return isa<arith::ExtSIOp, arith::ExtUIOp>(op);
}

/// True when the body of `op` is `out + ext(a) * ext(b)` (in either operand
/// order), with the extensions' signedness.
static bool isMultiplyAccumulate(linalg::GenericOp op, bool &aSigned,
                                 bool &bSigned) {
  Block *body = op.getBody();
  auto mul = dyn_cast_or_null<arith::MulIOp>(
      getAccumulatedProduct<arith::AddIOp>(body, /*numOps=*/5));
  if (!mul)
    return false;
  BlockArgument a = body->getArgument(0), b = body->getArgument(1);
  Value lhs = mul.getLhs(), rhs = mul.getRhs();
  if (isExtensionOf(lhs, a, aSigned) && isExtensionOf(rhs, b, bSigned))
    return true;
  return isExtensionOf(rhs, a, aSigned) && isExtensionOf(lhs, b, bSigned);
}

/// Matches an integer matmul with a constant B; when `op` is one whose B or
/// shapes do not allow a kernel, says why in `reason`.
static FailureOr<IntMatmul> matchIntMatmul(linalg::GenericOp op,
                                           SymbolTableCollection &symbols,
                                           std::string &reason) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3 ||
      op.getNumReductionLoops() != 1)
    return failure();
  MLIRContext *ctx = op.getContext();
  AffineExpr i, j, k;
  bindDims(ctx, i, j, k);
  auto map = [&](ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(3, 0, exprs, ctx);
  };
  if (op.getIndexingMapsArray() !=
          SmallVector<AffineMap>{map({i, k}), map({k, j}), map({i, j})} ||
      op.getIteratorTypesArray()[2] != utils::IteratorType::reduction)
    return failure();
  IntMatmul match;
  match.op = op;
  match.a = op.getDpsInputs()[0];
  match.c = op.getDpsInits()[0];
  Value b = op.getDpsInputs()[1];
  auto aType = cast<MemRefType>(match.a.getType());
  auto bType = cast<MemRefType>(b.getType());
  auto cType = cast<MemRefType>(match.c.getType());
  Type bElement = bType.getElementType();
  if (!aType.getElementType().isInteger(8) ||
      !(bElement.isInteger(8) || bElement.isInteger(4) ||
        bElement.isInteger(2)) ||
      !cType.getElementType().isInteger(32))
    return failure();
  bool bSigned;
  if (!isMultiplyAccumulate(op, match.aSigned, bSigned))
    return failure();

  // An int8 x int8 -> int32 matmul: from here on, say why it is not lowered.
  if (!aType.hasStaticShape() || !bType.hasStaticShape() ||
      !cType.hasStaticShape()) {
    reason = "its shapes are not static";
    return failure();
  }
  if (!bSigned) {
    reason = "its B operand is unsigned";
    return failure();
  }
  if (!cType.isLastDimUnitStride()) {
    reason = "its result is not contiguous along N";
    return failure();
  }
  match.m = aType.getShape()[0];
  match.k = aType.getShape()[1];
  match.n = bType.getShape()[1];
  if (match.m == 0 || match.n == 0 || match.k == 0) {
    reason = "it is empty (a dimension of size 0)";
    return failure();
  }
  if (!bElement.isInteger(8)) {
    FailureOr<UnpackedWeights> unpacked =
        matchUnpackedWeights(b, symbols, reason);
    if (failed(unpacked)) {
      if (reason.empty())
        reason = "its B operand is not a constant (a product of activations)";
      return failure();
    }
    match.bBits = unpacked->bits;
    match.b = std::move(unpacked->values);
    match.unpacked = std::move(*unpacked);
    return match;
  }
  auto getGlobal = b.getDefiningOp<memref::GetGlobalOp>();
  if (!getGlobal) {
    reason = "its B operand is not a constant (a product of activations)";
    return failure();
  }
  FailureOr<std::vector<int8_t>> values =
      getGlobalValues<int8_t>(getGlobal, symbols);
  if (failed(values)) {
    reason = "its B operand is not a constant global with known values";
    return failure();
  }
  match.b = std::move(*values);
  return match;
}

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

/// What a dot-product instruction computes, in portable vector arithmetic:
/// acc + sum over each of the `lanes` lanes' `group` products of ext(lhs) *
/// ext(rhs), lhs extended as unsigned when `lhsUnsigned` (vpdpbusd's u8 x
/// s8), rhs always signed:
///
///   %l = arith.extui %lhs : vector<64xi8> to vector<64xi32>
///   %r = arith.extsi %rhs : vector<64xi8> to vector<64xi32>
///   %p = arith.muli %l, %r : vector<64xi32>
///   %p0 = vector.shuffle %p, %p [0, 4, 8, ...] : vector<64xi32>,
///   vector<64xi32>
///   ...                                  (product t of every lane, t < G)
///   %s = arith.addi %acc, %p0 ... %p3
static Value emitPortableDotStep(OpBuilder &b, Location loc, int64_t lanes,
                                 int64_t group, bool lhsUnsigned, Value acc,
                                 Value lhs, Value rhs) {
  Type i32 = IntegerType::get(b.getContext(), 32);
  auto wide = VectorType::get({lanes * group}, i32);
  Value l = lhsUnsigned ? (Value)arith::ExtUIOp::create(b, loc, wide, lhs)
                        : (Value)arith::ExtSIOp::create(b, loc, wide, lhs);
  Value r = arith::ExtSIOp::create(b, loc, wide, rhs);
  Value products = arith::MulIOp::create(b, loc, l, r);
  Value sum = acc;
  for (int64_t t = 0; t < group; ++t) {
    SmallVector<int64_t> mask;
    for (int64_t lane = 0; lane < lanes; ++lane)
      mask.push_back(lane * group + t);
    Value part = vector::ShuffleOp::create(b, loc, products, products, mask);
    sum = arith::AddIOp::create(b, loc, sum, part);
  }
  return sum;
}

/// What a matrix-multiply instruction (smmla, usmmla) computes, portably:
/// lhs holds R rows of G values, rhs L columns of G values, and lane
/// (r, l) of acc gains sum_t lhs[r][t] * rhs[l][t]. Both operands are
/// repeated to one (r, l, t) element each and summed as a dot product:
///
///   %l = vector.shuffle %lhs, %lhs [0..7, 0..7, 8..15, 8..15]
///   %r = vector.shuffle %rhs, %rhs [0..7, 8..15, 0..7, 8..15]
///   (then emitPortableDotStep with R L lanes of G products)
static Value emitPortableMatrixStep(OpBuilder &b, Location loc,
                                    const KernelShape &shape, bool lhsUnsigned,
                                    Value acc, Value lhs, Value rhs) {
  SmallVector<int64_t> lhsMask, rhsMask;
  for (int64_t r = 0; r < shape.rows; ++r)
    for (int64_t l = 0; l < shape.lanes; ++l)
      for (int64_t t = 0; t < shape.group; ++t) {
        lhsMask.push_back(r * shape.group + t);
        rhsMask.push_back(l * shape.group + t);
      }
  Value lhsWide = vector::ShuffleOp::create(b, loc, lhs, lhs, lhsMask);
  Value rhsWide = vector::ShuffleOp::create(b, loc, rhs, rhs, rhsMask);
  return emitPortableDotStep(b, loc, shape.getAccumulatorLanes(), shape.group,
                             lhsUnsigned, acc, lhsWide, rhsWide);
}

/// How the kernel reads A.
enum class AReading {
  /// From A itself: the instruction takes A's bytes as they are and K is a
  /// multiple of G. For a u8 x s8 instruction and a signed A, A is then
  /// the instruction's signed operand and B, biased by +128, its unsigned
  /// one (see lowerIntMatmul).
  Direct,
  /// Each tile's MR rows transformed (shifted, widened) and padded to Kp
  /// in a buffer of its column block, just before the tile's K loop: no
  /// buffer of A's size, and every thread packs its own.
  PerTile,
  /// A padded once into Mp x Kp before the loops: for the fused prologue
  /// (its body is too costly to compute again per tile) and the matrix
  /// instructions' row-group layout.
  Whole,
};

static AReading chooseAReading(const IntMatmul &mm, const KernelShape &shape,
                               Type elementType, bool signedForUnsigned,
                               bool fusedPrologue) {
  if (fusedPrologue || shape.rows > 1)
    return AReading::Whole;
  auto aType = cast<MemRefType>(mm.a.getType());
  // A signed A for u8 x s8 is read in place with B biased instead of A
  // shifted; a sub-byte B is widened signed in registers and keeps the
  // shift.
  if ((!signedForUnsigned || mm.bBits == 8) &&
      aType.getElementType() == elementType && mm.k % shape.group == 0 &&
      aType.isLastDimUnitStride())
    return AReading::Direct;
  return AReading::PerTile;
}

/// rowsum(a_i) of the signed A of a u8 x s8 dot-product kernel into a new
/// M-element i32 buffer: each row's L G-byte chunks are multiplied by a
/// vector of ones (the unsigned operand) into an accumulator, which is
/// reduced once per row; the K mod L G bytes after the last chunk are
/// added one by one.
static Value emitRowSums(OpBuilder &b, Location loc, const KernelShape &shape,
                         const IntMatmul &mm, bool emulate) {
  MLIRContext *ctx = b.getContext();
  Type i8 = IntegerType::get(ctx, 8), i32 = IntegerType::get(ctx, 32);
  const int64_t chunk = shape.lanes * shape.group;
  const int64_t chunked = mm.k - mm.k % chunk;
  auto index = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  auto chunkType = VectorType::get({chunk}, i8);
  auto accType = VectorType::get({shape.lanes}, i32);
  Value sums = memref::AllocOp::create(b, loc, MemRefType::get({mm.m}, i32),
                                       b.getI64IntegerAttr(64));
  Value ones = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(chunkType, b.getI8IntegerAttr(1)));
  Value zeros = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
  StringAttr intrinsic = b.getStringAttr(shape.intrinsic);
  // Independent accumulators, so that the instructions do not wait on one
  // another (one chain ran at the instruction's latency: 15% of a
  // 4096 x 64 x 2048 matmul).
  const int64_t chains = 4, looped = chunked - chunked % (chains * chunk);
  Value c0 = index(0), c1 = index(1), end = index(mm.k);
  Value loopEnd = index(looped), loopStep = index(chains * chunk);
  Value chunkEnd = index(chunked);
  SmallVector<Value> chainOffsets;
  for (int64_t j = 1; j < chains; ++j)
    chainOffsets.push_back(index(j * chunk));
  scf::ForOp::create(
      b, loc, c0, index(mm.m), c1, ValueRange{},
      [&](OpBuilder &rb, Location rloc, Value i, ValueRange) {
        auto step = [&](OpBuilder &kb, Location kloc, Value acc, Value k) {
          Value bytes = vector::LoadOp::create(kb, kloc, chunkType, mm.a,
                                               ValueRange{i, k});
          if (emulate)
            return emitPortableDotStep(kb, kloc, shape.lanes, shape.group,
                                       /*lhsUnsigned=*/true, acc, ones, bytes);
          return LLVM::CallIntrinsicOp::create(kb, kloc, accType, intrinsic,
                                               ValueRange{acc, ones, bytes})
              .getResult(0);
        };
        SmallVector<Value> accs(chains, zeros);
        if (looped) {
          auto loop = scf::ForOp::create(
              rb, rloc, c0, loopEnd, loopStep, accs,
              [&](OpBuilder &kb, Location kloc, Value k, ValueRange acc) {
                SmallVector<Value> next;
                for (int64_t j = 0; j < chains; ++j)
                  next.push_back(
                      step(kb, kloc, acc[j],
                           j == 0 ? k
                                  : (Value)arith::AddIOp::create(
                                        kb, kloc, k, chainOffsets[j - 1])));
                scf::YieldOp::create(kb, kloc, next);
              });
          accs.assign(loop.getResults().begin(), loop.getResults().end());
        }
        for (int64_t j = 0; looped + j * chunk < chunked; ++j)
          accs[j] = step(rb, rloc, accs[j], index(looped + j * chunk));
        Value sum;
        if (!chunked) {
          sum = arith::ConstantOp::create(rb, rloc, rb.getI32IntegerAttr(0));
        } else {
          Value total = accs[0];
          const int64_t used = looped ? chains : chunked / chunk;
          for (int64_t j = 1; j < used; ++j)
            total = arith::AddIOp::create(rb, rloc, total, accs[j]);
          sum = vector::ReductionOp::create(rb, rloc,
                                            vector::CombiningKind::ADD, total);
        }
        if (chunked != mm.k) {
          auto tail = scf::ForOp::create(
              rb, rloc, chunkEnd, end, c1, ValueRange{sum},
              [&](OpBuilder &kb, Location kloc, Value k, ValueRange acc) {
                Value byte =
                    memref::LoadOp::create(kb, kloc, mm.a, ValueRange{i, k});
                Value wide = arith::ExtSIOp::create(kb, kloc, i32, byte);
                scf::YieldOp::create(
                    kb, kloc,
                    arith::AddIOp::create(kb, kloc, acc[0], wide).getResult());
              });
          sum = tail.getResult(0);
        }
        memref::StoreOp::create(rb, rloc, sum, sums, ValueRange{i});
        scf::YieldOp::create(rb, rloc);
      });
  return sums;
}

/// The kernel for one matmul, as described at the top of the file. `mr`
/// is a multiple of the instruction's rows; `parallelColumns` makes the
/// column blocks an scf.parallel loop.
static void lowerIntMatmul(IntMatmul &mm, const KernelShape &shape, int64_t mr,
                           int64_t nr, bool parallelColumns, bool emulate,
                           std::optional<MatmulEpilogue> fused,
                           std::optional<MatmulPrologue> prologue,
                           SymbolTable &symbols,
                           Operation *symbolInsertionPoint) {
  linalg::GenericOp op = mm.op;
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  const int64_t lanes = shape.lanes, group = shape.group, rows = shape.rows;
  const int64_t kp = roundUp(mm.k, group), kg = kp / group;
  const int64_t mp = roundUp(mm.m, mr), mg = mp / rows, mrg = mr / rows;
  const int64_t np = roundUp(mm.n, lanes * nr), nb = np / lanes;
  const bool signedForUnsigned = shape.unsignedA && mm.aSigned;
  Type elementType = IntegerType::get(ctx, shape.elementBits);
  const AReading reading = chooseAReading(
      mm, shape, elementType, signedForUnsigned, prologue.has_value());
  // A signed A for a u8 x s8 instruction (vpdpbusd): read in place, it is
  // the signed operand and B + 128 (in [1, 255]) the unsigned one, so
  //   sum_k a (b + 128) = sum_k a b + 128 rowsum(a):
  // the accumulators of row i start at -128 rowsum(a_i), summed once per
  // call. Otherwise A is shifted by +128 (xor 0x80) as it is packed:
  //   sum_k (a + 128) b = sum_k a b + 128 colsum(b):
  // the accumulators start at -128 colsum(b), a constant.
  const bool biasB = signedForUnsigned && reading == AReading::Direct;
  const bool shiftA = signedForUnsigned && !biasB;
  const bool lhsUnsigned =
      shape.unsignedA || (!mm.aSigned && shape.elementBits == 8);
  // For a 16-bit kernel and few rows of A the kernel is bound by streaming
  // B: B stays int8 in memory (half the bytes) and is sign-extended in
  // registers (1 x 4096 x 4096: 25 instead of 13 GOPS). With many rows each
  // B vector serves more instructions, and B is widened at compile time
  // instead of once per vector load.
  // int4 / int2 B is always stored at its width and widened in registers.
  const bool subByteB = mm.bBits < 8;
  const bool narrowB =
      shape.elementBits != 8 && (mm.m <= kNarrowRhsMaxRows || subByteB);
  Type storageType = narrowB ? IntegerType::get(ctx, 8) : elementType;
  const int64_t vectorLength = lanes * group;
  const int64_t storedLength = vectorLength * mm.bBits / 8;
  Type i32 = IntegerType::get(ctx, 32);

  // B packed by panels of NR column vectors, a tile's NR operands of one
  // K step side by side (one stream per tile, not NR):
  //   Bp[jb / NR][p][jb mod NR][l][t] = B[G p + t][L jb + l], zero-padded.
  std::vector<int64_t> packed(nb * kg * lanes * group, 0);
  for (int64_t jb = 0; jb < nb; ++jb)
    for (int64_t p = 0; p < kg; ++p)
      for (int64_t l = 0; l < lanes; ++l)
        for (int64_t t = 0; t < group; ++t) {
          int64_t row = group * p + t, col = lanes * jb + l;
          int64_t panel = jb / nr, c = jb % nr;
          if (row < mm.k && col < mm.n)
            packed[(((panel * kg + p) * nr + c) * lanes + l) * group + t] =
                mm.b[row * mm.n + col] + (biasB ? 128 : 0);
        }
  if (subByteB)
    packed = packSubByteOperands(packed, vectorLength, mm.bBits);
  OpBuilder globals(symbolInsertionPoint);
  memref::GlobalOp packedGlobal = createIntegerGlobal(
      globals, loc, symbols, "__qc_packed_rhs",
      {nb / nr, kg, nr * storedLength}, storageType, packed);
  memref::GlobalOp correction;
  if (shiftA) {
    // -128 colsum(b) in wrapping int32, padded to Np.
    std::vector<int64_t> columns(np, 0);
    for (int64_t row = 0; row < mm.k; ++row)
      for (int64_t col = 0; col < mm.n; ++col)
        columns[col] -= 128 * (int64_t)mm.b[row * mm.n + col];
    for (int64_t &value : columns)
      value = (int32_t)(uint32_t)value;
    correction = createIntegerGlobal(
        globals, loc, symbols, "__qc_rhs_shift_correction", {np}, i32, columns);
  }

  // With a fused epilogue the kernel replaces both ops where the epilogue
  // is (whose operands may be computed after the matmul).
  OpBuilder b(fused ? fused->op.getOperation() : op.getOperation());
  auto index = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  SmallVector<utils::IteratorType> parallel(2, utils::IteratorType::parallel);
  SmallVector<OpFoldResult> zeros = {b.getIndexAttr(0), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> ones = {b.getIndexAttr(1), b.getIndexAttr(1)};

  bool aSigned = mm.aSigned;
  auto finishA = [&](OpBuilder &nb, Location nloc, Value value) -> Value {
    if (shiftA) {
      Value bias = arith::ConstantOp::create(
          nb, nloc, nb.getIntegerAttr(value.getType(), 0x80));
      value = arith::XOrIOp::create(nb, nloc, value, bias);
    }
    if (elementType != value.getType())
      value = aSigned
                  ? (Value)arith::ExtSIOp::create(nb, nloc, elementType, value)
                  : (Value)arith::ExtUIOp::create(nb, nloc, elementType, value);
    return value;
  };
  // Whole: A padded once, Apad = 0; Apad[:M, :K] = A (xor 0x80 when
  // shifted, widened to i16 for 16-bit kernels, or computed by the fused
  // prologue).
  Value aPadded, ap;
  if (reading == AReading::Whole) {
    aPadded = emitPaddedA(b, loc, mm.a, mp, kp, elementType, prologue, finishA,
                          parallelColumns);
    ap = aPadded;
  }
  // For matrix instructions, A packed by row groups: Ap[g][p][r][t] =
  // Apad[R g + r][G p + t], R rows of G values per operand.
  if (rows > 1) {
    ap = memref::AllocOp::create(
        b, loc, MemRefType::get({mg, kg, rows * group}, elementType),
        b.getI64IntegerAttr(64));
    Value from = memref::ExpandShapeOp::create(
        b, loc, SmallVector<int64_t>{mg, rows, kg, group}, aPadded,
        SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    Value to = memref::ExpandShapeOp::create(
        b, loc, SmallVector<int64_t>{mg, kg, rows, group}, ap,
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    AffineExpr g, p, r, t;
    bindDims(ctx, g, p, r, t);
    linalg::GenericOp::create(
        b, loc, TypeRange{}, ValueRange{from}, ValueRange{to},
        ArrayRef<AffineMap>{AffineMap::get(4, 0, {g, r, p, t}, ctx),
                            AffineMap::getMultiDimIdentityMap(4, ctx)},
        SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc, args[0]);
        });
  }

  // biasB: rowsum(a_i) for the accumulators' start, once per call, with
  // the kernel's own instruction against a vector of ones (one instruction
  // per L G bytes of a row; the K mod L G tail by scalars).
  Value rowSums;
  if (biasB)
    rowSums = emitRowSums(b, loc, shape, mm, emulate);

  // The tile loops.
  auto accType = VectorType::get({shape.getAccumulatorLanes()}, i32);
  auto laneType = VectorType::get({lanes}, i32);
  auto operandType = VectorType::get({lanes * group}, elementType);
  auto packedType = VectorType::get({storedLength}, storageType);
  auto unpackedType = VectorType::get({vectorLength}, storageType);
  auto rowsType = VectorType::get({rows * group}, elementType);
  auto quadType = VectorType::get({group}, elementType);
  auto wordType = VectorType::get({1}, i32);
  Value bp = memref::GetGlobalOp::create(b, loc, packedGlobal.getType(),
                                         packedGlobal.getSymName());
  // Each tile's results go straight into the output: the fused epilogue's,
  // or C (added to it).
  std::optional<EpilogueEmitter> epilogue;
  if (fused)
    epilogue.emplace(b, loc, *fused, mm.m, mm.n, mp, np, lanes);
  Value output = epilogue ? epilogue->getOutput() : mm.c;
  Value correctionBuffer;
  if (correction)
    correctionBuffer = memref::GetGlobalOp::create(b, loc, correction.getType(),
                                                   correction.getSymName());
  const StoreBounds bounds{mm.m, mm.n, mp > mm.m, np > mm.n};
  auto storeLanes = [&](OpBuilder &sb, Location sloc, Value value, Value row,
                        Value col) {
    if (epilogue)
      value = epilogue->emitBody(sb, sloc, value, row, col);
    emitBoundedStore(sb, sloc, value, output, row, col, bounds,
                     /*accumulate=*/!epilogue);
  };
  Value accInit = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
  Value c0 = index(0);
  SmallVector<Value> groupOffsets, vectorOffsets;
  for (int64_t q = 0; q < mrg; ++q)
    groupOffsets.push_back(index(q));
  SmallVector<Value> operandOffsets;
  for (int64_t c = 0; c < nr; ++c) {
    vectorOffsets.push_back(index(c));
    operandOffsets.push_back(index(c * storedLength));
  }
  Value groupSize = index(group), laneCount = index(lanes),
        rowCount = index(rows);
  StringAttr intrinsic = b.getStringAttr(
      !mm.aSigned && !shape.unsignedIntrinsic.empty() ? shape.unsignedIntrinsic
                                                      : shape.intrinsic);
  // Column blocks outside, row groups inside: one K x (NR L) panel of Bp
  // stays in cache while every row group of A streams past it. The column
  // blocks write disjoint columns of the output: a parallel loop when the
  // matmul is large enough (the pipeline maps it to threads or runs it in
  // order).
  auto buildColumnBlock = [&](OpBuilder &rb, Location rloc, Value jb) {
    Value panel = arith::DivUIOp::create(rb, rloc, jb, index(nr));
    SmallVector<Value> blocks, columns;
    for (int64_t c = 0; c < nr; ++c) {
      blocks.push_back(arith::AddIOp::create(rb, rloc, jb, vectorOffsets[c]));
      columns.push_back(
          arith::MulIOp::create(rb, rloc, blocks.back(), laneCount));
    }
    // Every tile of these columns starts at the shift's correction.
    SmallVector<Value> columnInits;
    for (Value col : columns)
      columnInits.push_back(
          correctionBuffer
              ? (Value)vector::LoadOp::create(rb, rloc, accType,
                                              correctionBuffer, ValueRange{col})
              : accInit);
    // PerTile: the tile's MR rows of A, transformed, in a buffer of this
    // column block (of its thread), zero beyond K.
    Value tileA;
    if (reading == AReading::PerTile) {
      tileA = memref::AllocOp::create(rb, rloc,
                                      MemRefType::get({mr, kp}, elementType),
                                      rb.getI64IntegerAttr(64));
      if (kp != mm.k)
        linalg::FillOp::create(
            rb, rloc,
            ValueRange{arith::ConstantOp::create(
                rb, rloc, rb.getIntegerAttr(elementType, 0))},
            ValueRange{tileA});
    }
    Value aSource = reading == AReading::Direct    ? mm.a
                    : reading == AReading::PerTile ? tileA
                                                   : ap;
    scf::ForOp::create(
        rb, rloc, c0, index(mg), index(mrg), ValueRange{},
        [&](OpBuilder &cb, Location cloc, Value i, ValueRange) {
          SmallVector<Value> rowGroups, aRows;
          for (int64_t q = 0; q < mrg; ++q)
            rowGroups.push_back(
                arith::AddIOp::create(cb, cloc, i, groupOffsets[q]));
          if (reading == AReading::Whole)
            aRows = rowGroups;
          if (reading == AReading::Direct) {
            // The padded rows of the last tile read row M - 1 again (their
            // results are not stored).
            for (Value row : rowGroups)
              aRows.push_back(mp > mm.m ? (Value)arith::MinSIOp::create(
                                              cb, cloc, row, index(mm.m - 1))
                                        : row);
          }
          if (reading == AReading::PerTile) {
            OpFoldResult count = cb.getIndexAttr(mr);
            if (mp > mm.m)
              count = arith::MinSIOp::create(
                          cb, cloc, index(mr),
                          arith::SubIOp::create(cb, cloc, index(mm.m), i))
                          .getResult();
            Value from = memref::SubViewOp::create(
                cb, cloc, mm.a, ArrayRef<OpFoldResult>{i, cb.getIndexAttr(0)},
                ArrayRef<OpFoldResult>{count, cb.getIndexAttr(mm.k)}, ones);
            Value to = memref::SubViewOp::create(
                cb, cloc, tileA, zeros,
                ArrayRef<OpFoldResult>{count, cb.getIndexAttr(mm.k)}, ones);
            linalg::GenericOp::create(
                cb, cloc, TypeRange{}, ValueRange{from}, ValueRange{to},
                ArrayRef<AffineMap>{identity, identity}, parallel,
                [&](OpBuilder &nb, Location nloc, ValueRange args) {
                  linalg::YieldOp::create(nb, nloc, finishA(nb, nloc, args[0]));
                });
            aRows.assign(groupOffsets.begin(), groupOffsets.end());
          }
          SmallVector<Value> inits;
          for (int64_t q = 0; q < mrg; ++q) {
            if (!biasB) {
              inits.append(columnInits);
              continue;
            }
            // -128 rowsum(a_i) for each accumulator of row i.
            Value sum =
                memref::LoadOp::create(cb, cloc, rowSums, ValueRange{aRows[q]});
            Value start = arith::MulIOp::create(
                cb, cloc, sum,
                arith::ConstantOp::create(cb, cloc,
                                          cb.getI32IntegerAttr(-128)));
            inits.append(nr,
                         vector::BroadcastOp::create(cb, cloc, accType, start));
          }
          auto kStep = [&](OpBuilder &kb, Location kloc, Value p,
                           ValueRange accs) -> SmallVector<Value> {
            SmallVector<Value> lhs, rhs;
            for (Value aRow : aRows) {
              if (rows > 1) {
                // R rows' G values at p, one operand.
                lhs.push_back(vector::LoadOp::create(
                    kb, kloc, rowsType, aSource, ValueRange{aRow, p, c0}));
                continue;
              }
              // The row's G values at G p, broadcast to every lane.
              Value kk = arith::MulIOp::create(kb, kloc, p, groupSize);
              Value quad = vector::LoadOp::create(kb, kloc, quadType, aSource,
                                                  ValueRange{aRow, kk});
              Value word = vector::BitCastOp::create(kb, kloc, wordType, quad);
              Value scalar = vector::ExtractOp::create(kb, kloc, word, 0);
              Value splat =
                  vector::BroadcastOp::create(kb, kloc, laneType, scalar);
              lhs.push_back(
                  vector::BitCastOp::create(kb, kloc, operandType, splat));
            }
            for (Value offset : operandOffsets) {
              Value packedB = vector::LoadOp::create(
                  kb, kloc, packedType, bp, ValueRange{panel, p, offset});
              if (subByteB)
                packedB = emitSubByteUnpack(kb, kloc, packedB, mm.bBits);
              rhs.push_back(unpackedType == operandType
                                ? packedB
                                : (Value)arith::ExtSIOp::create(
                                      kb, kloc, operandType, packedB));
            }
            SmallVector<Value> next;
            for (int64_t q = 0; q < mrg; ++q)
              for (int64_t c = 0; c < nr; ++c) {
                Value acc = accs[q * nr + c];
                // biasB: B + 128 the unsigned operand, A the signed.
                Value first = biasB ? rhs[c] : lhs[q];
                Value second = biasB ? lhs[q] : rhs[c];
                if (emulate && rows > 1) {
                  next.push_back(emitPortableMatrixStep(
                      kb, kloc, shape, lhsUnsigned, acc, lhs[q], rhs[c]));
                } else if (emulate) {
                  next.push_back(emitPortableDotStep(
                      kb, kloc, lanes, group, lhsUnsigned, acc, first, second));
                } else if (shape.kind == IntDotKernel::Avx2) {
                  Value sum = LLVM::CallIntrinsicOp::create(
                                  kb, kloc, accType, intrinsic,
                                  ValueRange{lhs[q], rhs[c]})
                                  .getResult(0);
                  next.push_back(arith::AddIOp::create(kb, kloc, acc, sum));
                } else {
                  next.push_back(LLVM::CallIntrinsicOp::create(
                                     kb, kloc, accType, intrinsic,
                                     ValueRange{acc, first, second})
                                     .getResult(0));
                }
              }
            return next;
          };
          // The kernel's unrollK steps per iteration, the last K mod
          // unrollK ones after the loop.
          const int64_t unroll = shape.unrollK, looped = kg - kg % unroll;
          auto kLoop = scf::ForOp::create(
              cb, cloc, c0, index(looped), index(unroll), inits,
              [&](OpBuilder &kb, Location kloc, Value p, ValueRange accs) {
                SmallVector<Value> next(accs);
                for (int64_t u = 0; u < unroll; ++u)
                  next = kStep(kb, kloc,
                               u == 0 ? p
                                      : (Value)arith::AddIOp::create(
                                            kb, kloc, p, index(u)),
                               next);
                scf::YieldOp::create(kb, kloc, next);
              });
          SmallVector<Value> sums(kLoop.getResults());
          for (int64_t p = looped; p < kg; ++p)
            sums = kStep(cb, cloc, index(p), sums);
          // Lanes [r L, (r + 1) L) of an accumulator are row R g + r.
          for (int64_t q = 0; q < mrg; ++q)
            for (int64_t c = 0; c < nr; ++c) {
              Value col = columns[c];
              Value acc = sums[q * nr + c];
              if (rows == 1) {
                storeLanes(cb, cloc, acc, rowGroups[q], col);
                continue;
              }
              Value first =
                  arith::MulIOp::create(cb, cloc, rowGroups[q], rowCount);
              for (int64_t r = 0; r < rows; ++r) {
                Value part = vector::ExtractStridedSliceOp::create(
                    cb, cloc, acc, ArrayRef<int64_t>{r * lanes},
                    ArrayRef<int64_t>{lanes}, ArrayRef<int64_t>{1});
                Value row = r == 0 ? first
                                   : (Value)arith::AddIOp::create(
                                         cb, cloc, first, index(r));
                storeLanes(cb, cloc, part, row, col);
              }
            }
          scf::YieldOp::create(cb, cloc);
        });
    if (tileA)
      memref::DeallocOp::create(rb, rloc, tileA);
  };
  emitColumnBlocks(b, loc, nb, nr, parallelColumns, buildColumnBlock);

  if (epilogue)
    epilogue->finish(b, loc);
  if (aPadded)
    memref::DeallocOp::create(b, loc, aPadded);
  if (rowSums)
    memref::DeallocOp::create(b, loc, rowSums);
  if (ap && ap != aPadded)
    memref::DeallocOp::create(b, loc, ap);
  eraseReplaced(mm, epilogue, prologue);
}

/// The MR x NR tile for `mm`: the options' where they are set, else the
/// kernel's default, or its other tile when that pads M x N to 8% fewer
/// multiply-adds or more. Fewer rows than a tile (a
/// matrix-vector product) make MR = M: no padded rows beyond the
/// instruction's.
static std::pair<int64_t, int64_t> chooseTile(const KernelShape &shape,
                                              const IntMatmul &mm,
                                              unsigned tileRows,
                                              unsigned tileVectors) {
  auto clampRows = [&](int64_t rows) {
    return roundUp(std::min<int64_t>(rows, mm.m), shape.rows);
  };
  auto padded = [&](int64_t mr, int64_t nr) {
    return roundUp(mm.m, mr) * roundUp(mm.n, nr * shape.lanes);
  };
  int64_t mr = clampRows(tileRows ? tileRows : shape.defaultRows);
  int64_t nr = tileVectors ? tileVectors : shape.defaultVectors;
  if (tileRows || tileVectors || !shape.otherRows)
    return {mr, nr};
  int64_t otherMr = clampRows(shape.otherRows);
  // The default tile is the faster one at equal padding (6 x 4 against
  // 8 x 3: 6-10% on 128 rows, whose 132 padded rows are 2.3% more work):
  // the other one must pad more than 8% less.
  if (padded(otherMr, shape.otherVectors) * 108 < padded(mr, nr) * 100)
    return {otherMr, shape.otherVectors};
  return {mr, nr};
}

void LowerIntMatmulToCPUPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto cpu = CPUFeatures::parse(triple, features);
  if (!cpu) {
    module.emitError() << "qc-lower-int-matmul-to-cpu: "
                       << llvm::toString(cpu.takeError());
    return signalPassFailure();
  }
  IntDotKernel chosen = cpu->getBestIntDotKernel();
  if (llvm::Error err = checkIntDotKernelName(kernel)) {
    module.emitError() << "qc-lower-int-matmul-to-cpu: "
                       << llvm::toString(std::move(err));
    return signalPassFailure();
  }
  if (kernel != "auto") {
    std::optional<IntDotKernel> named = parseIntDotKernel(kernel);
    if (!cpu->supports(*named)) {
      module.emitError() << "qc-lower-int-matmul-to-cpu: kernel '" << kernel
                         << "' needs target features the target '" << triple
                         << "' with '" << features << "' lacks";
      return signalPassFailure();
    }
    chosen = *named;
  }
  if (tileRows > 8) {
    module.emitError() << "qc-lower-int-matmul-to-cpu: tile-rows must be in "
                          "[0, 8], got "
                       << tileRows;
    return signalPassFailure();
  }
  if (tileVectors > 8) {
    module.emitError() << "qc-lower-int-matmul-to-cpu: tile-vectors must be "
                          "in [0, 8], got "
                       << tileVectors;
    return signalPassFailure();
  }
  // The vector kernel for what amx leaves: matmuls of few rows under auto,
  // and everything when emulating.
  IntDotKernel vectors = chosen == IntDotKernel::Amx
                             ? cpu->getBestIntDotKernel(/*tiles=*/false)
                             : chosen;
  if (chosen == IntDotKernel::Amx && kernel == "auto" && emulateDotProduct)
    chosen = vectors;
  if (chosen == IntDotKernel::None)
    return;
  const bool amx = chosen == IntDotKernel::Amx;
  if (amx && emulateDotProduct) {
    module.emitError() << "qc-lower-int-matmul-to-cpu: kernel 'amx' has no "
                          "portable emulation (emulate-dot-product)";
    return signalPassFailure();
  }
  KernelShape best = getKernelShape(
      vectors == IntDotKernel::None ? IntDotKernel::Avx512Vnni : vectors);

  SymbolTableCollection symbolTables;
  SymbolTable &symbols = symbolTables.getSymbolTable(module);
  SmallVector<linalg::GenericOp> candidates;
  module.walk([&](linalg::GenericOp op) { candidates.push_back(op); });
  // Consumers fused into an earlier kernel are erased by then.
  llvm::SmallPtrSet<Operation *, 8> fusedConsumers;
  for (linalg::GenericOp op : candidates) {
    if (fusedConsumers.contains(op.getOperation()))
      continue;
    std::string reason;
    FailureOr<IntMatmul> match = matchIntMatmul(op, symbolTables, reason);
    if (failed(match)) {
      if (!reason.empty())
        op.emitRemark() << "integer matmul kept as loops: " << reason;
      continue;
    }
    // A matrix-vector product fills half of smmla's 2 x 2 tile: sdot
    // does the same work in one instruction instead of two.
    KernelShape shape = best;
    if (chosen == IntDotKernel::I8mm && kernel == "auto" && match->m == 1 &&
        cpu->dotprod && match->aSigned)
      shape = getKernelShape(IntDotKernel::DotProd);
    if (shape.signedAOnly && shape.unsignedIntrinsic.empty() &&
        !match->aSigned) {
      op.emitRemark() << "integer matmul kept as loops: kernel '"
                      << stringifyIntDotKernel(shape.kind)
                      << "' multiplies signed bytes and A is unsigned";
      continue;
    }
    Operation *func = op->getParentOfType<FunctionOpInterface>();
    auto [mr, nr] = chooseTile(shape, *match, tileRows, tileVectors);
    bool parallel = match->m * match->n * match->k >= parallelMinMacs;
    std::optional<MatmulEpilogue> fused;
    if (fuseEpilogue) {
      std::string why;
      FailureOr<MatmulEpilogue> epilogue = matchEpilogue(op, match->c, why);
      if (succeeded(epilogue)) {
        fused = *epilogue;
        fusedConsumers.insert(epilogue->op.getOperation());
      } else if (!why.empty())
        op.emitRemark() << "integer matmul's epilogue not fused: " << why;
    }
    std::optional<MatmulPrologue> prologue;
    if (fusePrologue) {
      std::string why;
      Operation *position = fused ? fused->op.getOperation() : op;
      FailureOr<MatmulPrologue> producer =
          matchPrologue(op, match->a, position, why);
      if (succeeded(producer))
        prologue = *producer;
      else if (!why.empty())
        op.emitRemark() << "integer matmul's prologue not fused: " << why;
    }
    if (amx && (kernel != "auto" || match->m >= kAmxMinRows ||
                vectors == IntDotKernel::None))
      lowerIntMatmulWithAmx(*match, parallel, fused, prologue, symbols, func);
    else
      lowerIntMatmul(*match, shape, mr, nr, parallel, emulateDotProduct, fused,
                     prologue, symbols, func);
  }
}
