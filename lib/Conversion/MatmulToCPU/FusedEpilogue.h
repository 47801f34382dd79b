//===- FusedEpilogue.h - A matmul's elementwise consumer in its kernel ----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The reference lowering follows each integer matmul by one elementwise
// linalg.generic that reads the int32 accumulators and writes the layer's
// result: zero-point corrections, bias, requantization with saturation,
// ReLU, or dequantization. qc-lower-int-matmul-to-cpu computes that body on
// each accumulator vector of its register tile, before the vector leaves
// the registers, instead of storing the int32 matrix and reading it back.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_CONVERSION_MATMULTOCPU_FUSEDEPILOGUE_H
#define QCOMP_LIB_CONVERSION_MATMULTOCPU_FUSEDEPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <string>

namespace mlir::qcomp {

/// The elementwise consumer of an integer matmul's accumulator buffer C,
/// and the ops that only exist for C (its allocation, zero fill and
/// deallocations), all of which the fused kernel replaces.
struct MatmulEpilogue {
  linalg::GenericOp op;
  /// Operand number of C among the epilogue's inputs.
  unsigned cInput = 0;
  Operation *cAlloc = nullptr;
  linalg::FillOp cFill;
  SmallVector<Operation *> cDeallocs;
};

/// The epilogue of `matmul`, which accumulates into `c`: C is a fresh
/// buffer filled with zeros, written only by the matmul and read only by
/// one elementwise, all-parallel generic G (C at the identity map, its
/// other inputs per row, per column or scalars, a body of vectorizable
/// arith/math ops without integer division, an M x N output), and nothing
/// between the matmul and G writes A: the kernel is emitted at G. On
/// failure `reason` says why, or is empty when there is no consumer to
/// speak of.
FailureOr<MatmulEpilogue> matchEpilogue(linalg::LinalgOp matmul, Value c,
                                        std::string &reason);

/// Emits a fused epilogue: construct it before the kernel's loops, at the
/// epilogue's position (it pads the per-row and per-column operands to the
/// kernel's padded Mp x Np), call emitBody in the tile for each vector of
/// accumulators and store the result into getOutput() (the kernel guards
/// the rows and columns beyond M x N), finish after the loops (frees the
/// padded operands), and eraseReplaced once the matmul is erased.
class EpilogueEmitter {
public:
  EpilogueEmitter(OpBuilder &b, Location loc, MatmulEpilogue epilogue,
                  int64_t m, int64_t n, int64_t mp, int64_t np, int64_t lanes);

  /// The epilogue body applied to `acc` (vector<L x i32>, the exact
  /// accumulators of row `row`, columns [col, col + L)): a vector<L x T>
  /// of the output's element type T.
  Value emitBody(OpBuilder &b, Location loc, Value acc, Value row, Value col);

  /// The epilogue's M x N output buffer.
  Value getOutput() { return epilogue.op.getDpsInits()[0]; }

  /// Frees the padded operands.
  void finish(OpBuilder &b, Location loc);
  /// Erases the epilogue, C's fill, deallocations and allocation, once the
  /// matmul is gone.
  void eraseReplaced();

private:
  enum class Broadcast { Row, Column, Scalar };
  struct Input {
    Broadcast kind;
    /// The padded copy (Row, Column) or the original 0-d / 1-element
    /// buffer (Scalar).
    Value buffer;
  };

  MatmulEpilogue epilogue;
  int64_t m, n, mp, np, lanes;
  SmallVector<Input> inputs;
  SmallVector<Value> temporaries;
};

} // namespace mlir::qcomp

#endif // QCOMP_LIB_CONVERSION_MATMULTOCPU_FUSEDEPILOGUE_H
