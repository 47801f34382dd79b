//===- KernelLoops.h - What the int8 and f32 matmul kernels share ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The integer (IntMatmulToCPU.cpp) and float (FloatMatmulToCPU.cpp) kernels
// match the same contraction body and run the same loop over column
// blocks, and create their packed constants alike; their tiles store
// through TileStores.h.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_CONVERSION_MATMULTOCPU_KERNELLOOPS_H
#define QCOMP_LIB_CONVERSION_MATMULTOCPU_KERNELLOOPS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace mlir::qcomp {

inline int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

/// For a 3-argument body `(a, b, out)` of `numOps` ops yielding
/// `out + P` (`AddOp` being the addition, in either operand order), the
/// op defining P; null otherwise.
template <typename AddOp>
Operation *getAccumulatedProduct(Block *body, unsigned numOps) {
  if (body->getNumArguments() != 3 || body->getOperations().size() != numOps)
    return nullptr;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getValues()[0].template getDefiningOp<AddOp>();
  if (!add)
    return nullptr;
  BlockArgument out = body->getArgument(2);
  Value product = add.getLhs() == out ? add.getRhs() : add.getLhs();
  if ((add.getLhs() != out && add.getRhs() != out) || product == out)
    return nullptr;
  return product.getDefiningOp();
}

/// A private constant global holding `values` (its type the memref of
/// their shape and element type), aligned for vector loads, added to
/// `symbols` (which renames it when the name is taken):
///
///   memref.global "private" constant @name : memref<...> = dense<...>
///     {alignment = 64}
memref::GlobalOp createConstantGlobal(OpBuilder &b, Location loc,
                                      SymbolTable &symbols, StringRef name,
                                      DenseElementsAttr values);

/// A private constant global `memref<shape x T>` of `values` (one per
/// element, truncated to the integer type T).
memref::GlobalOp createIntegerGlobal(OpBuilder &b, Location loc,
                                     SymbolTable &symbols, StringRef name,
                                     ArrayRef<int64_t> shape, Type type,
                                     ArrayRef<int64_t> values);

/// The loop over column blocks jb = 0, NR, 2 NR, ... < `blocks` (vectors
/// of columns) that calls `body` with jb: an scf.parallel loop when
/// `parallel` (the blocks write disjoint columns), else an scf.for.
void emitColumnBlocks(OpBuilder &b, Location loc, int64_t blocks, int64_t nr,
                      bool parallel,
                      function_ref<void(OpBuilder &, Location, Value)> body);

/// Blocks of rows of A packed side by side on the threads (a multiple of
/// any thread count up to 64 gets an even share).
constexpr int64_t kPackChunks = 64;

/// Splits the rows (first loop) of `op`, a 2-d parallel linalg.generic on
/// buffers, into an scf.parallel loop over `chunks` blocks of rows, so
/// that the threads share the packing of A before the column blocks:
///
///   scf.parallel (%i) = (0) to (M) step (ceil(M / chunks)) {
///     linalg.generic ... on subviews of rows [i, min(i + step, M))
///   }
///
/// `op` is replaced. Fewer rows than two chunks' worth leave it as is.
void parallelizeRows(linalg::GenericOp op, int64_t chunks);

} // namespace mlir::qcomp

#endif // QCOMP_LIB_CONVERSION_MATMULTOCPU_KERNELLOOPS_H
