//===- Passes.h - C API for qcomp's passes and pipelines ----------*- C -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qcomp's passes and pipelines from C: register them for textual pipelines
// (mlirOpPassManagerAddPipeline, mlirParsePassPipeline), or add
// qcomp-quantize-pipeline to a pass manager in one call.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_C_PASSES_H
#define QCOMP_C_PASSES_H

#include "mlir-c/Pass.h"
#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Registers qcomp's passes (qc-quantize, ...) and pipelines
/// (qcomp-quantize-pipeline, qcomp-reference-to-llvm-pipeline,
/// qcomp-cpu-to-llvm-pipeline) under their textual names. Calling it again
/// does nothing.
MLIR_CAPI_EXPORTED void qcompRegisterAllPasses(void);

/// Adds qcomp-quantize-pipeline with `options`, its textual options
/// ("calib=table.json scheme=w8a8 smooth=0.5 outlier-threshold=6"; empty for
/// the defaults), to `passManager`, which runs on a builtin.module. On bad
/// options, adds nothing, passes the message to `errorCallback` (when not
/// null) and returns failure.
MLIR_CAPI_EXPORTED MlirLogicalResult
qcompBuildQuantizePipeline(MlirOpPassManager passManager, MlirStringRef options,
                           MlirStringCallback errorCallback, void *userData);

#ifdef __cplusplus
}
#endif

#endif // QCOMP_C_PASSES_H
