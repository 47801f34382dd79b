//===- InitAllPasses.h - Every pass qcomp tools register --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Registers qcomp's passes and named pipelines, and optionally upstream's.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_INITALLPASSES_H
#define QCOMP_INITALLPASSES_H

#include "qcomp/Conversion/Passes.h"
#include "qcomp/Pipelines/Pipelines.h"
#include "qcomp/Transforms/Passes.h"

#include "mlir/InitAllPasses.h"

namespace mlir::qcomp {

/// Registers qcomp's own passes and pipelines.
inline void registerQCompPasses() {
  registerQCompConversionPasses();
  registerQCompTransformsPasses();
  registerPipelines();
}

/// Registers qcomp's passes and pipelines and all of upstream MLIR's passes.
inline void registerAllPasses() {
  registerQCompPasses();
  mlir::registerAllPasses();
}

} // namespace mlir::qcomp

#endif // QCOMP_INITALLPASSES_H
