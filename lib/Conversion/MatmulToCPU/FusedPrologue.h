//===- FusedPrologue.h - A matmul's elementwise producer in its kernel ----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// With dynamic activation quantization (qc.dynamic_quantize, per tensor or
// per row) the reference lowering writes the int8 A of an integer matmul
// with one elementwise linalg.generic: round(x / scale) + zero point,
// saturated, from the float activations and the per-row (or scalar)
// parameters computed just before. qc-lower-int-matmul-to-cpu packs A into
// its padded (and, for u8 x s8 instructions, shifted) buffer anyway: with
// the prologue fused, that packing loop computes the quantization itself,
// straight from the float activations, and the int8 A is never written.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_CONVERSION_MATMULTOCPU_FUSEDPROLOGUE_H
#define QCOMP_LIB_CONVERSION_MATMULTOCPU_FUSEDPROLOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <optional>
#include <string>

namespace mlir::qcomp {

/// The elementwise producer of an integer matmul's A, and the ops that only
/// exist for A (its allocation and deallocations), which the fused kernel
/// replaces.
struct MatmulPrologue {
  linalg::GenericOp op;
  Operation *aAlloc = nullptr;
  SmallVector<Operation *> aDeallocs;
};

/// The prologue of `matmul`, whose A is `a`, for a kernel emitted at
/// `kernelPosition` (the matmul, or its fused epilogue): A is a fresh
/// buffer written only by one all-parallel 2-d generic P (A its only
/// output, at the identity map, not read by its body), before the matmul
/// in its block, and read only by the matmul; no op from P to the kernel
/// position may write what P reads. On failure `reason` says why, or is
/// empty when A has no producer to speak of.
FailureOr<MatmulPrologue> matchPrologue(linalg::GenericOp matmul, Value a,
                                        Operation *kernelPosition,
                                        std::string &reason);

/// The kernel's A packing with the prologue fused: a generic over M x K
/// reading P's inputs through P's maps, computing P's body and then
/// `finish` (the kernel's shift and widening) on its result, into
/// `packedView` (the M x K part of the padded A).
linalg::GenericOp
emitFusedPack(OpBuilder &b, Location loc, const MatmulPrologue &prologue,
              Value packedView,
              function_ref<Value(OpBuilder &, Location, Value)> finish);

/// Erases P, A's deallocations and allocation, once the matmul is gone.
/// A (the M x K buffer `a`, or what `prologue` computes) packed once into
/// a new zero-padded `mp x kp` buffer of `elementType`, `finish` applied to
/// each value (a shift, a widening):
///
///   %ap = memref.alloc() : memref<mp x kp x T>
///   linalg.fill 0 into %ap                      (when mp > M or kp > K)
///   linalg.generic ... outs(subview %ap[0, 0] [M, K])
///
/// With `parallel` the generic is split into blocks of rows on the threads
/// (parallelizeRows). Returns %ap, which the caller frees.
Value emitPaddedA(OpBuilder &b, Location loc, Value a, int64_t mp, int64_t kp,
                  Type elementType,
                  const std::optional<MatmulPrologue> &prologue,
                  function_ref<Value(OpBuilder &, Location, Value)> finish,
                  bool parallel);

void eraseReplacedPrologue(MatmulPrologue &prologue);

} // namespace mlir::qcomp

#endif // QCOMP_LIB_CONVERSION_MATMULTOCPU_FUSEDPROLOGUE_H
