//===- QuantizeModel.cpp - Calibrated float model to quantized ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/QuantizeModel.h"

#include "qcomp/Transforms/Passes.h"
#include "qcomp/Transforms/Stats.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
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

/// `pass` with its options set from the pass-option string `options`.
static llvm::Expected<std::unique_ptr<Pass>>
configurePass(std::unique_ptr<Pass> pass, llvm::StringRef name,
              llvm::StringRef options) {
  std::string optionErrors;
  if (failed(pass->initializeOptions(options, [&](const llvm::Twine &message) {
        optionErrors = message.str();
        return failure();
      })))
    return llvm::createStringError("bad " + name + " options '" + options +
                                   "': " + optionErrors);
  return pass;
}

llvm::Expected<OwningOpRef<ModuleOp>>
qcomp::quantizeModel(ModuleOp floatModule, const CalibrationTable &table,
                     const QuantizeModelOptions &options) {
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
  if (failed(observe.run(*module)))
    return errors.takeError("inserting observers failed");
  if (failed(attachStats(*module, table, /*allowMissing=*/true,
                         "the calibration table")))
    return errors.takeError("attaching statistics failed");

  // Rebalancing and splitting, before quantization reads the statistics.
  PassManager pm(context);
  if (options.smoothAlpha) {
    if (*options.smoothAlpha == "auto") {
      if (options.smoothSamples.empty())
        return llvm::createStringError(
            "smoothing with alpha=auto needs calibration samples to search "
            "alpha on");
      auto results = searchSmoothingAlphas(*module, options.smoothSamples, {});
      if (!results)
        return llvm::createStringError(
            "searching the smoothing alphas failed: " +
            llvm::toString(results.takeError()));
      if (options.smoothSearchResults)
        *options.smoothSearchResults = std::move(*results);
    }
    auto smooth = configurePass(createQCSmoothPass(), "qc-smooth",
                                "alpha=" + *options.smoothAlpha);
    if (!smooth)
      return smooth.takeError();
    pm.addNestedPass<func::FuncOp>(std::move(*smooth));
  }
  if (options.splitOutliersOptions) {
    auto split = configurePass(createQCSplitOutliersPass(), "qc-split-outliers",
                               *options.splitOutliersOptions);
    if (!split)
      return split.takeError();
    pm.addNestedPass<func::FuncOp>(std::move(*split));
  }
  auto quantize = configurePass(createQCQuantizePass(), "qc-quantize",
                                options.quantizeOptions);
  if (!quantize)
    return quantize.takeError();
  pm.addNestedPass<func::FuncOp>(std::move(*quantize));
  // Layers reading one activation through separate reshapes quantize it
  // separately; CSE merges those.
  pm.addPass(createCSEPass());
  if (options.propagateScales) {
    pm.addNestedPass<func::FuncOp>(createQCPropagateScalesPass());
    pm.addPass(createCSEPass());
  }
  if (failed(pm.run(*module)))
    return errors.takeError("quantization failed");
  if (failed(verify(*module)))
    return errors.takeError("the quantized module does not verify");
  return module;
}
