//===- QCDialect.cpp - qc dialect registration ------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Registers the qc dialect's operations and attributes.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Dialect/QC/IR/QCDialect.h"
#include "qcomp/Dialect/QC/IR/QCAttrs.h"
#include "qcomp/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::qc;

#include "qcomp/Dialect/QC/IR/QCDialect.cpp.inc"

void QCDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qcomp/Dialect/QC/IR/QCOps.cpp.inc"
      >();
  registerAttributes();
}
