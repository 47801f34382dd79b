//===- Passes.cpp - C API for qcomp's passes and pipelines ----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qcomp-c/Passes.h: registration of qcomp's passes and pipelines, and
// qcomp-quantize-pipeline from its textual options through
// buildQuantizePipeline.
//
//===----------------------------------------------------------------------===//

#include "qcomp-c/Passes.h"

#include "qcomp/InitAllPasses.h"
#include "qcomp/Pipelines/Pipelines.h"

#include "mlir/CAPI/Pass.h"
#include "mlir/CAPI/Support.h"
#include "mlir/CAPI/Utils.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace mlir;

void qcompRegisterAllPasses(void) {
  // A pipeline may be registered once only.
  static std::once_flag once;
  std::call_once(once, [] { qcomp::registerQCompPasses(); });
}

MlirLogicalResult qcompBuildQuantizePipeline(MlirOpPassManager passManager,
                                             MlirStringRef options,
                                             MlirStringCallback errorCallback,
                                             void *userData) {
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  qcomp::QuantizePipelineOptions pipelineOptions;
  if (failed(pipelineOptions.parseFromString(unwrap(options), errorStream))) {
    if (errorCallback) {
      detail::CallbackOstream stream(errorCallback, userData);
      stream << "bad qcomp-quantize-pipeline options '" << unwrap(options)
             << "': " << errors;
    }
    return mlirLogicalResultFailure();
  }
  qcomp::buildQuantizePipeline(*unwrap(passManager), pipelineOptions);
  return mlirLogicalResultSuccess();
}
