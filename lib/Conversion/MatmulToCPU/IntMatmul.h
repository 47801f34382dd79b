//===- IntMatmul.h - An integer matmul the kernels replace ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The reference lowering's integer matmul with a constant B, as
// qc-lower-int-matmul-to-cpu matches it, and the kernels that replace it
// other than the dot-product one of IntMatmulToCPU.cpp (AMX).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_CONVERSION_MATMULTOCPU_INTMATMUL_H
#define QCOMP_LIB_CONVERSION_MATMULTOCPU_INTMATMUL_H

#include "ConstantWeights.h"
#include "FusedEpilogue.h"
#include "FusedPrologue.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/SymbolTable.h"

#include <optional>
#include <vector>

namespace mlir::qcomp {

/// `C[i, j] += ext(A[i, k]) * ext(B[k, j])` on buffers with a constant,
/// signed B.
struct IntMatmul {
  linalg::GenericOp op;
  Value a, c;
  bool aSigned = true;
  int64_t m = 0, n = 0, k = 0;
  /// B, K x N row-major.
  std::vector<int8_t> b;
  /// B's width: 8, or 4 / 2 for weights unpacked from packed bytes.
  unsigned bBits = 8;
  std::optional<UnpackedWeights> unpacked;
};

/// Erases what a kernel replaced: the matmul, its fused epilogue and
/// prologue, and the unpacking loop of sub-byte weights.
inline void eraseReplaced(IntMatmul &mm,
                          std::optional<EpilogueEmitter> &epilogue,
                          std::optional<MatmulPrologue> &prologue) {
  mm.op.erase();
  if (epilogue)
    epilogue->eraseReplaced();
  if (prologue)
    eraseReplacedPrologue(*prologue);
  if (mm.unpacked)
    eraseUnusedUnpack(*mm.unpacked);
}

/// Replaces `mm` (with its fused epilogue and prologue, if any) by the AMX
/// kernel described in AmxMatmulToCPU.cpp; `parallelColumns` makes its
/// column blocks an scf.parallel loop. Adds its globals (and, once per
/// module, the constructor that asks Linux for the tile state) before
/// `symbolInsertionPoint`.
void lowerIntMatmulWithAmx(IntMatmul &mm, bool parallelColumns,
                           std::optional<MatmulEpilogue> fused,
                           std::optional<MatmulPrologue> prologue,
                           SymbolTable &symbols,
                           Operation *symbolInsertionPoint);

} // namespace mlir::qcomp

#endif // QCOMP_LIB_CONVERSION_MATMULTOCPU_INTMATMUL_H
