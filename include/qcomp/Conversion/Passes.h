//===- Passes.h - qcomp conversion passes -----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Declarations and registration of the passes that lower qc ops.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_CONVERSION_PASSES_H
#define QCOMP_CONVERSION_PASSES_H

#include "qcomp/Conversion/QCToLinalg/QCToLinalg.h"

#include "mlir/Pass/Pass.h"

namespace mlir::qcomp {

#define GEN_PASS_DECL
#include "qcomp/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcomp/Conversion/Passes.h.inc"

} // namespace mlir::qcomp

#endif // QCOMP_CONVERSION_PASSES_H
