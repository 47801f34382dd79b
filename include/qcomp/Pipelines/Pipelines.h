//===- Pipelines.h - qcomp's named pass pipelines ---------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The pass pipelines qcomp registers as textual pipelines and that its driver
// builds with the same functions.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_PIPELINES_PIPELINES_H
#define QCOMP_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::qcomp {

struct ReferenceToLLVMOptions
    : public mlir::PassPipelineOptions<ReferenceToLLVMOptions> {
  Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Return tensors through caller-allocated out-parameters "
                     "(buffer-results-to-out-params), as the JIT runner "
                     "calls functions"),
      llvm::cl::init(false)};
};

/// Lowers a module with qc ops on tensors to the LLVM dialect through the
/// reference path: qc-lower-to-linalg, one-shot bufferization, linalg to
/// loops, and the upstream conversions to LLVM (math functions without an
/// LLVM intrinsic, like erf, become libm calls). Correct, not fast: the
/// numerical oracle for the optimized CPU pipeline.
void buildReferenceToLLVMPipeline(OpPassManager &pm,
                                  const ReferenceToLLVMOptions &options = {});

/// Registers the pipelines above under their `qcomp-*-pipeline` names.
void registerPipelines();

} // namespace mlir::qcomp

#endif // QCOMP_PIPELINES_PIPELINES_H
