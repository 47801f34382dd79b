//===- QCOps.h - qc dialect operations --------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Operations of the qc dialect, and the helpers that read quantization
// parameters out of upstream quant types in a granularity-independent way.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_DIALECT_QC_IR_QCOPS_H
#define QCOMP_DIALECT_QC_IR_QCOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "qcomp/Dialect/QC/IR/QCAttrs.h"
#include "qcomp/Dialect/QC/IR/QCDialect.h"

#define GET_OP_CLASSES
#include "qcomp/Dialect/QC/IR/QCOps.h.inc"

namespace mlir::qc {

/// The scales and zero points of a quantized element type, laid out as a small
/// row-major tensor that broadcasts against the quantized tensor, together
/// with the map from a tensor index to a parameter index:
///   per tensor:  shape [],            map (d0, ..., dn) -> ()
///   per axis a:  shape [C],           map (d0, ..., dn) -> (da)
///   sub-channel: shape [S0, ..., Sn], map (d0, ..., dn) -> (di floordiv bi)
///                (a dimension with a single scale maps to the constant 0).
struct QuantParamLayout {
  SmallVector<int64_t> shape;
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  /// One entry per tensor dimension: -1 when the parameters do not vary along
  /// it, otherwise the block size (1 for per-axis).
  SmallVector<int64_t> blockSizes;

  /// True when one scale and zero point cover the whole tensor.
  bool isPerTensor() const { return shape.empty(); }
  /// The affine map from tensor indices to parameter indices.
  AffineMap getIndexingMap(MLIRContext *context) const;
  /// The row-major position in `scales` of a tensor element's parameters.
  int64_t getParamIndex(ArrayRef<int64_t> tensorIndex) const;
};

/// Lays out the parameters of `qtype` for a tensor of rank `rank`. Fails for
/// quantized types that are not uniform.
FailureOr<QuantParamLayout> getQuantParamLayout(quant::QuantizedType qtype,
                                                unsigned rank);

/// Parameters of a requantization from `in` to `out` over a tensor of some
/// rank: a combined layout in which parameter index i pairs input parameter i
/// with output parameter i (or with the single parameter of a per-tensor
/// side), and the multipliers s_in / s_out of those pairs.
struct RequantizeParams {
  QuantParamLayout layout;
  SmallVector<double> multipliers;
  SmallVector<int64_t> inZeroPoints, outZeroPoints;
};

/// Pairs the parameters of `in` and `out` for a tensor of rank `rank`. Fails
/// when either type has no layout, or both vary along different dimensions.
FailureOr<RequantizeParams> getRequantizeParams(quant::QuantizedType in,
                                                quant::QuantizedType out,
                                                unsigned rank);

/// Returns the quantized element type of a tensor type, or null.
quant::QuantizedType getQuantizedElementType(Type type);

/// Checks that quantized element type `qtype` fits a tensor of `shape`:
/// per-axis dimension in range with one scale per element of that dimension,
/// sub-channel blocks dividing their dimensions, storage at most
/// `maxStorageBits` wide. Reports through `emitError` naming `what`.
LogicalResult verifyQuantizedShape(function_ref<InFlightDiagnostic()> emitError,
                                   StringRef what, quant::QuantizedType qtype,
                                   ArrayRef<int64_t> shape,
                                   unsigned maxStorageBits);

} // namespace mlir::qc

#endif // QCOMP_DIALECT_QC_IR_QCOPS_H
