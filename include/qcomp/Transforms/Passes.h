//===- Passes.h - qcomp quantization passes ---------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TRANSFORMS_PASSES_H
#define QCOMP_TRANSFORMS_PASSES_H

#include "qcomp/Dialect/QC/IR/QCDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::qcomp {

#define GEN_PASS_DECL
#include "qcomp/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcomp/Transforms/Passes.h.inc"

} // namespace mlir::qcomp

#endif // QCOMP_TRANSFORMS_PASSES_H
