//===- Pipelines.cpp - qcomp's named pass pipelines -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Builds and registers qcomp's pass pipelines. The driver and the textual
// `qcomp-*-pipeline` names share these functions.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Pipelines/Pipelines.h"
#include "qcomp/Conversion/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::qcomp;

/// The reference pipeline; with `kernels`, the integer matmuls become CPU
/// kernels once they are on buffers, their parallel loops on `threads`
/// OpenMP threads unless it is 1.
static void
buildLoweringPipeline(OpPassManager &pm, bool resultsToOutParams,
                      const QCLowerIntMatmulToCPUPassOptions *kernels,
                      unsigned threads = 1) {
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createQCLowerToLinalgPass());
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  if (resultsToOutParams) {
    bufferization::BufferResultsToOutParamsPassOptions outParamsOptions;
    // Results are copied into the out-parameters. Hoisting (replacing a
    // result's allocation by its out-parameter) would save the copy, but
    // upstream's implementation frees the allocation and crashes when two
    // results share one (`return %y, %y`, also once lowering folds
    // `return %q, quant.scast %q` into that).
    outParamsOptions.hoistStaticAllocs = false;
    outParamsOptions.modifyPublicFunctions = true;
    pm.addPass(
        bufferization::createBufferResultsToOutParamsPass(outParamsOptions));
  }
  bufferization::BufferDeallocationPipelineOptions deallocOptions;
  bufferization::buildBufferDeallocationPipeline(pm, deallocOptions);
  // After deallocation, which does not know the effects of the intrinsic
  // calls; the kernel frees its own buffers.
  if (kernels) {
    pm.addPass(createQCLowerIntMatmulToCPUPass(*kernels));
    pm.addPass(createCanonicalizerPass());
  }
  const bool openMP = kernels && threads != 1;
  if (openMP) {
    ConvertSCFToOpenMPPassOptions ompOptions;
    ompOptions.numThreads = threads;
    pm.addPass(createConvertSCFToOpenMPPass(ompOptions));
    // Inlines the memref.alloca_scope the conversion wraps each loop body
    // in (the kernels allocate nothing there): a single-block op that
    // scf-to-cf could not put the loops of the body into.
    pm.addPass(createCanonicalizerPass());
  }

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  if (openMP)
    pm.addPass(createConvertOpenMPToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = false;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void qcomp::buildReferenceToLLVMPipeline(
    OpPassManager &pm, const ReferenceToLLVMOptions &options) {
  buildLoweringPipeline(pm, options.resultsToOutParams, nullptr);
}

void qcomp::buildCPUToLLVMPipeline(OpPassManager &pm,
                                   const CPUToLLVMOptions &options) {
  QCLowerIntMatmulToCPUPassOptions kernels;
  kernels.triple = options.triple;
  kernels.features = options.features;
  kernels.kernel = options.kernel;
  kernels.tileRows = options.tileRows;
  kernels.tileVectors = options.tileVectors;
  kernels.emulateDotProduct = options.emulateDotProduct;
  buildLoweringPipeline(pm, options.resultsToOutParams, &kernels,
                        options.threads);
}

void qcomp::registerPipelines() {
  PassPipelineRegistration<ReferenceToLLVMOptions>(
      "qcomp-reference-to-llvm-pipeline",
      "Lower qc ops on tensors to the LLVM dialect through the reference "
      "(qc-lower-to-linalg, bufferize, loops) path",
      [](OpPassManager &pm, const ReferenceToLLVMOptions &options) {
        buildReferenceToLLVMPipeline(pm, options);
      });
  PassPipelineRegistration<CPUToLLVMOptions>(
      "qcomp-cpu-to-llvm-pipeline",
      "Lower qc ops on tensors to the LLVM dialect with the integer matmuls "
      "as dot-product kernels for the given CPU (the reference pipeline "
      "plus qc-lower-int-matmul-to-cpu)",
      [](OpPassManager &pm, const CPUToLLVMOptions &options) {
        buildCPUToLLVMPipeline(pm, options);
      });
}
