//===- TileStores.h - A register tile's vectors into an M x N buffer ------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The matmul kernels compute whole MR x NR tiles of L-lane vectors, padded
// to Mp x Np; each vector is stored where it lies in the M x N result, the
// padded rows left out and the last vector of a row masked.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_CONVERSION_MATMULTOCPU_TILESTORES_H
#define QCOMP_LIB_CONVERSION_MATMULTOCPU_TILESTORES_H

#include "mlir/IR/Builders.h"

namespace mlir::qcomp {

/// The output's M x N and whether the kernel's padded Mp x Np reaches
/// beyond it.
struct StoreBounds {
  int64_t m, n;
  bool rowTail, columnTail;
};

/// Stores `value`, the L lanes of row `row`, columns [col, col + L), into
/// the M x N `buffer` (added to what is there when `accumulate`), leaving
/// out what lies beyond M x N:
///
///   scf.if %row < M {                       (when Mp > M)
///     scf.if %col + L <= N {                (when Np > N)
///       vector.store %value, %buffer[%row, %col]
///     } else {
///       %mask = vector.create_mask N - %col
///       vector.maskedstore %buffer[%row, %col], %mask, %value
///     }
///   }
void emitBoundedStore(OpBuilder &b, Location loc, Value value, Value buffer,
                      Value row, Value col, const StoreBounds &bounds,
                      bool accumulate);

} // namespace mlir::qcomp

#endif // QCOMP_LIB_CONVERSION_MATMULTOCPU_TILESTORES_H
