//===- QuantizeModel.cpp - Calibrated float model to quantized ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/QuantizeModel.h"

#include "qcomp/Execution/PassManagerHook.h"

#include "qcomp/Pipelines/Pipelines.h"
#include "qcomp/Transforms/Passes.h"
#include "qcomp/Transforms/Stats.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::qcomp;

namespace {
/// Collects error diagnostics into a string (for the llvm::Error returned to
/// the caller); other severities (remarks) go on to the enclosing handler.
class ErrorCollector {
public:
  explicit ErrorCollector(MLIRContext *context)
      : handler(context, [this](Diagnostic &diag) -> LogicalResult {
          if (diag.getSeverity() != DiagnosticSeverity::Error)
            return failure();
          llvm::raw_string_ostream os(messages);
          if (!messages.empty())
            os << "\n";
          os << diag.getLocation() << ": " << diag;
          return success();
        }) {}

  llvm::Error takeError(llvm::StringRef what) {
    return llvm::createStringError(
        what + (messages.empty() ? std::string() : ":\n" + messages));
  }

private:
  std::string messages;
  ScopedDiagnosticHandler handler;
};
} // namespace

/// Checks the pass-option string `options` against `pass`'s options.
static llvm::Error checkPassOptions(std::unique_ptr<Pass> pass,
                                    llvm::StringRef name,
                                    llvm::StringRef options) {
  std::string optionErrors;
  if (failed(pass->initializeOptions(options, [&](const llvm::Twine &message) {
        optionErrors = message.str();
        return failure();
      })))
    return llvm::createStringError("bad " + name + " options '" + options +
                                   "': " + optionErrors);
  return llvm::Error::success();
}

/// qcomp-quantize-pipeline's options for `options` (statistics attached
/// already): qc-quantize's options keep their names in the pipeline,
/// qc-split-outliers' take the `outlier-` prefix. Each pass's options are
/// checked by the pass first, for its own error message.
static llvm::Expected<std::unique_ptr<QuantizePipelineOptions>>
getPipelineOptions(const QuantizeModelOptions &options) {
  if (llvm::Error err = checkPassOptions(createQCQuantizePass(), "qc-quantize",
                                         options.quantizeOptions))
    return std::move(err);
  std::string pipeline = options.quantizeOptions;
  if (options.splitOutliersOptions) {
    if (llvm::Error err =
            checkPassOptions(createQCSplitOutliersPass(), "qc-split-outliers",
                             *options.splitOutliersOptions))
      return std::move(err);
    // Its options are key=value words without spaces (numbers, a mode).
    llvm::SmallVector<llvm::StringRef> words;
    llvm::StringRef(*options.splitOutliersOptions)
        .split(words, ' ', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
    for (llvm::StringRef word : words)
      pipeline += " outlier-" + word.str();
  }
  std::string errors;
  llvm::raw_string_ostream os(errors);
  auto pipelineOptions = std::make_unique<QuantizePipelineOptions>();
  if (failed(pipelineOptions->parseFromString(pipeline, os)))
    return llvm::createStringError("bad qcomp-quantize-pipeline options '" +
                                   pipeline + "': " + errors);
  if (options.smoothAlpha)
    pipelineOptions->smooth = *options.smoothAlpha;
  pipelineOptions->propagateScales = options.propagateScales;
  return pipelineOptions;
}

llvm::Expected<OwningOpRef<ModuleOp>>
qcomp::quantizeModel(ModuleOp floatModule, const CalibrationTable &table,
                     const QuantizeModelOptions &options) {
  auto pipelineOptions = getPipelineOptions(options);
  if (!pipelineOptions)
    return pipelineOptions.takeError();
  OwningOpRef<ModuleOp> module(floatModule.clone());
  MLIRContext *context = floatModule.getContext();
  ErrorCollector errors(context);

  // Observers with the ids calibration used, then their statistics.
  PassManager observe(context);
  QCInsertObserversPassOptions observerOptions;
  observerOptions.opKinds.assign(options.observedOps.begin(),
                                 options.observedOps.end());
  observe.addNestedPass<func::FuncOp>(
      createQCInsertObserversPass(observerOptions));
  if (failed(applyPassManagerHook(observe)) || failed(observe.run(*module)))
    return errors.takeError("inserting observers failed");
  if (failed(attachStats(*module, table, /*allowMissing=*/true,
                         "the calibration table")))
    return errors.takeError("attaching statistics failed");

  // Smoothing alphas for alpha=auto, set on the layers for qc-smooth.
  if (options.smoothAlpha && *options.smoothAlpha == "auto") {
    if (options.smoothSamples.empty())
      return llvm::createStringError(
          "smoothing with alpha=auto needs calibration samples to search "
          "alpha on");
    auto results = searchSmoothingAlphas(*module, options.smoothSamples, {});
    if (!results)
      return llvm::createStringError("searching the smoothing alphas failed: " +
                                     llvm::toString(results.takeError()));
    if (options.smoothSearchResults)
      *options.smoothSearchResults = std::move(*results);
  }

  // The rest is qcomp-quantize-pipeline on a module with its statistics.
  PassManager pm(context);
  buildQuantizePipeline(pm, **pipelineOptions);
  if (failed(applyPassManagerHook(pm)) || failed(pm.run(*module)))
    return errors.takeError("quantization failed");
  if (failed(verify(*module)))
    return errors.takeError("the quantized module does not verify");
  return module;
}
