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
#include "qcomp/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
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

void qcomp::buildQuantizePipeline(OpPassManager &pm,
                                  const QuantizePipelineOptions &options) {
  // Statistics: observers with the ids calibration gave them, then the
  // table's entries on the observed values.
  if (!options.calib.empty()) {
    QCInsertObserversPassOptions observe;
    observe.opKinds.assign(options.observe.begin(), options.observe.end());
    pm.addNestedPass<func::FuncOp>(createQCInsertObserversPass(observe));
    QCAttachStatsPassOptions attach;
    attach.tablePath = options.calib;
    attach.allowMissing = true;
    pm.addPass(createQCAttachStatsPass(attach));
  }

  // Rebalancing and splitting, before quantization reads the statistics.
  if (!options.smooth.empty()) {
    QCSmoothPassOptions smooth;
    smooth.alpha = options.smooth;
    smooth.minScale = options.smoothMinScale;
    smooth.standalone = options.smoothStandalone;
    pm.addNestedPass<func::FuncOp>(createQCSmoothPass(smooth));
  }
  if (options.outlierThreshold > 0.0) {
    QCSplitOutliersPassOptions split;
    split.threshold = options.outlierThreshold;
    split.topK = options.outlierTopK;
    split.maxFraction = options.outlierMaxFraction;
    split.mode = options.outlierMode;
    pm.addNestedPass<func::FuncOp>(createQCSplitOutliersPass(split));
  }

  QCQuantizePassOptions quantize;
  quantize.scheme = options.scheme;
  quantize.weightBits = options.weightBits;
  quantize.weightGranularity = options.weightGranularity;
  quantize.groupSize = options.groupSize;
  quantize.weightSymmetric = options.weightSymmetric;
  quantize.weightRange = options.weightRange;
  quantize.activations = options.activations;
  quantize.activationGranularity = options.activationGranularity;
  quantize.activationSymmetric = options.activationSymmetric;
  quantize.rangeMethod = options.rangeMethod;
  quantize.percentile = options.percentile;
  quantize.activationProducts = options.activationProducts;
  quantize.exclude.assign(options.exclude.begin(), options.exclude.end());
  quantize.only.assign(options.only.begin(), options.only.end());
  quantize.keepFirst = options.keepFirst;
  quantize.keepLast = options.keepLast;
  quantize.layerBits.assign(options.layerBits.begin(), options.layerBits.end());
  pm.addNestedPass<func::FuncOp>(createQCQuantizePass(quantize));
  // Layers reading one activation through separate reshapes quantize it
  // separately; CSE merges those.
  pm.addPass(createCSEPass());
  if (options.propagateScales) {
    QCPropagateScalesPassOptions propagate;
    propagate.fixedPoint = options.fixedPoint;
    pm.addNestedPass<func::FuncOp>(createQCPropagateScalesPass(propagate));
    pm.addPass(createCSEPass());
  }
}

/// The reference pipeline; with `kernels`, the integer and f32 matmuls
/// become CPU kernels once they are on buffers, their parallel loops on
/// `threads` OpenMP threads unless it is 1.
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
    // Results are copied into the out-parameters, then computed there
    // instead where they can be (qc-write-results-in-place). Upstream's
    // hoisting does the same but frees the allocation and crashes when two
    // results share one (`return %y, %y`, also once lowering folds
    // `return %q, quant.scast %q` into that).
    outParamsOptions.hoistStaticAllocs = false;
    outParamsOptions.modifyPublicFunctions = true;
    pm.addPass(
        bufferization::createBufferResultsToOutParamsPass(outParamsOptions));
    pm.addNestedPass<func::FuncOp>(createQCWriteResultsInPlacePass());
  }
  bufferization::BufferDeallocationPipelineOptions deallocOptions;
  bufferization::buildBufferDeallocationPipeline(pm, deallocOptions);
  // After deallocation, which does not know the effects of the intrinsic
  // calls; the kernel frees its own buffers.
  if (kernels) {
    pm.addPass(createQCLowerIntMatmulToCPUPass(*kernels));
    // kernel=none asks for the reference loops: of the f32 matmuls too.
    if (kernels->kernel != "none") {
      QCLowerFloatMatmulToCPUPassOptions floats;
      floats.triple = kernels->triple;
      floats.features = kernels->features;
      pm.addPass(createQCLowerFloatMatmulToCPUPass(floats));
    }
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
  if (kernels) {
    // Control flow through convert-to-llvm with the AMX dialect's interface
    // (loaded by the kernel pass): its type conversion (amx.tile to
    // x86_amx) is then the branches' too, for the accumulator tiles the
    // AMX kernel carries around its K loop. Before the OpenMP conversion,
    // whose ops must hold converted blocks by then.
    ConvertToLLVMPassOptions controlFlowOptions;
    controlFlowOptions.filterDialects = {"cf", "amx"};
    pm.addPass(createConvertToLLVMPass(controlFlowOptions));
  }
  if (openMP)
    pm.addPass(createConvertOpenMPToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = false;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  if (!kernels)
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
  PassPipelineRegistration<QuantizePipelineOptions>(
      "qcomp-quantize-pipeline",
      "Quantize a float module: attach calibration statistics, then "
      "qc-smooth, qc-split-outliers, qc-quantize and qc-propagate-scales "
      "as qcomp quantize does",
      [](OpPassManager &pm, const QuantizePipelineOptions &options) {
        buildQuantizePipeline(pm, options);
      });
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
