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

#endif // QCOMP_DIALECT_QC_IR_QCDIALECT_H
