//===- InitAllDialects.h - Every dialect qcomp tools load -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The one place that says which dialects (and upstream interface extensions)
// a qcomp tool registers: the qc dialect plus upstream MLIR's dialects, whose
// external models (bufferization, convert-to-llvm, ...) the pipelines need.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_INITALLDIALECTS_H
#define QCOMP_INITALLDIALECTS_H

#include "qcomp/Dialect/QC/IR/QCDialect.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"

namespace mlir::qcomp {

/// Registers the qc dialect only (for users that manage upstream dialects
/// themselves).
inline void registerQCompDialects(DialectRegistry &registry) {
  registry.insert<qc::QCDialect>();
}

/// Registers the qc dialect, every upstream dialect and every upstream
/// interface extension.
inline void registerAllDialects(DialectRegistry &registry) {
  registerQCompDialects(registry);
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

} // namespace mlir::qcomp

#endif // QCOMP_INITALLDIALECTS_H
