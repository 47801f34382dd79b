//===- CompareCommand.cpp - qcomp compare ---------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The accuracy report:
//
//   qcomp compare float.{onnx,mlir} quant.mlir --data DIR [--per-layer]
//                 [--max-samples N] [--min-sqnr X]
//   qcomp compare model.{onnx,mlir} --data DIR [--scheme S] [--calib T]
//                 [--quantize-options "..."] ...
//
// runs the float model and the quantized one (given, or built in-process by
// calibrate + quantizeModel) on the same samples and prints, per output
// (and with --per-layer per quantized layer), SQNR, cosine similarity and
// max abs error. With --min-sqnr it exits 1 when an output falls below the
// threshold, so that a user's CI can gate on it.
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Execution/Compare.h"
#include "qcomp/Execution/QuantizeModel.h"
#include "qcomp/Import/LoadModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::SubCommand
    command("compare",
            "Run a float and a quantized model on the same samples and "
            "report the error of each output (SQNR, cosine, max abs "
            "error)");

static cl::list<std::string>
    modelPaths(cl::Positional, cl::OneOrMore,
               cl::desc("<float model> [<quantized model>]"), cl::sub(command),
               cl::cat(getDriverCategory()));

static ModelLoadingOptions loadingOptions(command);
static QuantizationFlags quantization(command);

static cl::opt<std::string>
    dataDir("data",
            cl::desc("Samples both models run on (and calibration samples "
                     "when quantizing in-process without --calib): one .npz "
                     "per sample, or one <input>.npy per input"),
            cl::value_desc("dir"), cl::sub(command),
            cl::cat(getDriverCategory()));

static cl::opt<unsigned> maxSamples("max-samples",
                                    cl::desc("Use at most N samples (0: all)"),
                                    cl::init(0), cl::sub(command),
                                    cl::cat(getDriverCategory()));

static cl::opt<bool>
    perLayer("per-layer",
             cl::desc("Also compare the output of every quantized layer"),
             cl::init(false), cl::sub(command), cl::cat(getDriverCategory()));

static cl::opt<double>
    minSqnr("min-sqnr",
            cl::desc("Exit with status 1 when an output's SQNR is below X dB"),
            cl::value_desc("X"), cl::sub(command),
            cl::cat(getDriverCategory()));

/// Prints one table of comparisons, under a header naming `kind`.
static void printTable(llvm::StringRef kind,
                       llvm::ArrayRef<TensorComparison> comparisons) {
  int width = kind.size();
  for (const TensorComparison &comparison : comparisons)
    width = std::max<int>(width, comparison.name.size());
  llvm::outs() << llvm::format("  %-*s  %9s  %9s  %13s\n", width,
                               kind.str().c_str(), "SQNR (dB)", "cosine",
                               "max abs error");
  for (const TensorComparison &comparison : comparisons) {
    const AccuracyMetrics &metrics = comparison.metrics;
    llvm::outs() << llvm::format(
        "  %-*s  %9s  %9s  %13.4g", width, comparison.name.c_str(),
        formatMetric(metrics.sqnr).c_str(),
        formatMetric(metrics.cosine, 6).c_str(), metrics.maxAbsError);
    if (metrics.numNaNMismatches)
      llvm::outs() << "  (" << metrics.numNaNMismatches
                   << " elements NaN in one model only)";
    llvm::outs() << "\n";
  }
}

/// "a b", or the non-empty one.
static std::string joinNonEmpty(llvm::StringRef a, llvm::StringRef b) {
  return a.empty() ? b.str() : b.empty() ? a.str() : (a + " " + b).str();
}

static int run(MLIRContext &context) {
  if (modelPaths.size() > 2)
    return reportError("qcomp compare takes a float and a quantized model, "
                       "or one model to quantize in-process; got " +
                       llvm::Twine(modelPaths.size()) + " models");
  if (dataDir.empty())
    return reportError("qcomp compare needs --data DIR: the samples both "
                       "models run on");
  bool inProcess = modelPaths.size() == 1;
  if (!inProcess && quantization.anyGiven())
    return reportError("--scheme, --calib, --quantize-options, --exclude, "
                       "--keep-first, --keep-last, --no-propagate and "
                       "--observe quantize the model in-process: give only "
                       "the float model");
  if (inProcess)
    if (llvm::Error err = quantization.validate())
      return reportError(std::move(err));
  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());

  OwningOpRef<ModuleOp> reference =
      loadModel(modelPaths[0], &context, *importOptions);
  if (!reference)
    return 1;
  OwningOpRef<ModuleOp> test;
  CompareOptions options;
  options.functionName = loadingOptions.getFunctionName();
  options.maxSamples = maxSamples;
  options.referenceName = modelPaths[0];
  std::vector<std::pair<std::string, std::string>> floatLayers;
  std::string passOptions;
  if (inProcess) {
    reference->walk([](func::FuncOp func) { nameUnnamedLayers(func); });
    auto quantized = quantization.quantize(*reference, dataDir, maxSamples);
    if (!quantized)
      return reportError(quantized.takeError());
    test = std::move(quantized->module);
    passOptions = quantized->passOptions;
    floatLayers = quantized->floatLayers;
    options.testName = "the quantized model";
  } else {
    test = loadModel(modelPaths[1], &context, *importOptions);
    if (!test)
      return 1;
    options.testName = modelPaths[1];
  }

  ProgressBar progress("comparing");
  options.progress = [&](unsigned done, unsigned total) {
    progress.update(done, total);
  };
  auto warn = [&](const std::string &message) {
    progress.clear();
    reportWarning(message);
  };
  auto report =
      compareModels(*reference, *test, dataDir, perLayer, options, warn);
  progress.clear();
  if (!report)
    return reportError(report.takeError());

  if (inProcess)
    llvm::outs() << "compared " << modelPaths[0] << " with its quantization ("
                 << joinNonEmpty(quantization.describeRewrites(), passOptions)
                 << ") on " << report->numSamples << " samples\n";
  else
    llvm::outs() << "compared " << modelPaths[0] << " with " << modelPaths[1]
                 << " on " << report->numSamples << " samples\n";
  for (const auto &[name, reason] : floatLayers)
    llvm::outs() << "  kept float: " << name << " (" << reason << ")\n";
  printTable("output", report->outputs);
  if (perLayer) {
    if (report->layers.empty())
      llvm::outs() << "  no quantized layer to compare\n";
    else
      printTable("layer", report->layers);
  }
  llvm::outs().flush();

  if (!minSqnr.getNumOccurrences())
    return 0;
  bool failed = false;
  for (const TensorComparison &output : report->outputs)
    if (!output.metrics.meets(minSqnr)) {
      reportError("output '" + output.name + "': SQNR " +
                  formatMetric(output.metrics.sqnr) +
                  " dB is below --min-sqnr " + formatNumber(minSqnr) + " dB");
      failed = true;
    }
  if (failed)
    return 1;
  llvm::outs() << "every output meets --min-sqnr " << formatNumber(minSqnr)
               << " dB\n";
  return 0;
}

DriverCommand qcomp::getCompareCommand() { return {command, run}; }
