//===- QCDialect.h - qc dialect declaration ---------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The qc dialect: quantization ops and attributes on tensors of upstream
// !quant.uniform element types.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_DIALECT_QC_IR_QCDIALECT_H
#define QCOMP_DIALECT_QC_IR_QCDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Dialect.h"

#include "qcomp/Dialect/QC/IR/QCDialect.h.inc"

namespace mlir::qc {

/// Discardable function argument/result attributes that describe a model's
/// interface to runners: `qc.name` holds the model's name of the value (the
/// ONNX input/output name) and `qc.dtype` the NumPy dtype of an unsigned
/// integer value, whose IR type is a signless integer ("uint8").
inline constexpr llvm::StringLiteral kNameAttrName = "qc.name";
inline constexpr llvm::StringLiteral kDTypeAttrName = "qc.dtype";

} // namespace mlir::qc

#endif // QCOMP_DIALECT_QC_IR_QCDIALECT_H
