//===- BufferEffects.h - Which ops may write a buffer -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The fused epilogue and prologue move a computation past the ops between
// it and the kernel: both ask whether one of those ops may write a buffer
// the computation reads.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_CONVERSION_MATMULTOCPU_BUFFEREFFECTS_H
#define QCOMP_LIB_CONVERSION_MATMULTOCPU_BUFFEREFFECTS_H

#include "mlir/IR/Operation.h"

namespace mlir::qcomp {

/// The buffer `value` is a view of (through subviews, casts, reshapes).
Value getRootBuffer(Value value);

/// True when `op` may write or free the buffer rooted at `root`, or writes
/// memory it does not name.
bool mayWrite(Operation *op, Value root);

} // namespace mlir::qcomp

#endif // QCOMP_LIB_CONVERSION_MATMULTOCPU_BUFFEREFFECTS_H
