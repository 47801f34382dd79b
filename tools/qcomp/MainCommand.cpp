//===- MainCommand.cpp - qcomp MODEL: every step in one command -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
//   qcomp [build] model.{onnx,mlir} --calib DIR|table.json [--scheme w8a8]
//   [--smooth]
//         [--split-outliers] [--eval DIR] [--mtriple T --mcpu C --mattr F]
//         -o out.{o,so,s,ll,mlir}
//
// imports the model, calibrates it on the samples in DIR (or reads a
// table), quantizes it, measures the quantized model against the float one
// (on --eval, or on the calibration samples), and compiles it ahead of
// time with a C header, then prints a summary: the size of the constants
// before and after, each output's SQNR, and the layers that stayed float
// and why. Each step is also a command of its own (import, calibrate,
// quantize, compare, compile).
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Execution/Compare.h"
#include "qcomp/Execution/QuantizeModel.h"
#include "qcomp/Import/LoadModel.h"
#include "qcomp/Target/CPU/CPUFeatures.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

// `qcomp MODEL ...` is `qcomp build MODEL ...` (qcomp.cpp inserts the
// name): options of the top level would clash with the commands' own.
static cl::SubCommand
    command("build", "Import, calibrate, quantize, measure and compile a "
                     "model in one command (also: qcomp MODEL ...)");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::sub(command),
                                      cl::cat(getDriverCategory()));

static ModelLoadingOptions loadingOptions(command);
static QuantizationFlags quantization(command);
static CompileFlags compileFlags(command);

static cl::opt<std::string>
    evalDir("eval",
            cl::desc("Samples the accuracy is measured on (default: the "
                     "calibration samples)"),
            cl::value_desc("dir"), cl::sub(command),
            cl::cat(getDriverCategory()));

static cl::opt<unsigned> maxSamples("max-samples",
                                    cl::desc("Use at most N samples (0: all)"),
                                    cl::init(0), cl::sub(command),
                                    cl::cat(getDriverCategory()));

/// The bytes of the module's constants: weights, biases, tables.
static int64_t getConstantBytes(ModuleOp module) {
  int64_t bytes = 0;
  module.walk([&](arith::ConstantOp constant) {
    auto type = dyn_cast<ShapedType>(constant.getType());
    if (type && type.hasStaticShape() && type.getElementType().isIntOrFloat())
      bytes += (type.getNumElements() *
                    type.getElementType().getIntOrFloatBitWidth() +
                7) /
               8;
  });
  return bytes;
}

static std::string formatBytes(int64_t bytes) {
  if (bytes >= 1 << 20)
    return llvm::formatv("{0:f2} MiB", bytes / double(1 << 20)).str();
  if (bytes >= 1 << 10)
    return llvm::formatv("{0:f1} KiB", bytes / double(1 << 10)).str();
  return llvm::formatv("{0} B", bytes).str();
}

static int run(MLIRContext &context) {
  std::string samples = quantization.getCalibrationDirectory();
  if (samples.empty() && !quantization.hasTable())
    return reportError("qcomp " + modelPath +
                       " needs --calib DIR (samples to calibrate on) or "
                       "--calib table.json");
  if (llvm::Error err = quantization.validate())
    return reportError(std::move(err));
  std::string accuracySamples = evalDir.empty() ? samples : evalDir.getValue();
  auto compileOptions = compileFlags.getOptions();
  if (!compileOptions)
    return reportError(compileOptions.takeError());
  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());

  // 1. Import.
  OwningOpRef<ModuleOp> floatModel =
      loadModel(modelPath, &context, *importOptions);
  if (!floatModel)
    return 1;
  floatModel->walk([](func::FuncOp func) { nameUnnamedLayers(func); });
  llvm::errs() << "qcomp: imported " << modelPath << "\n";

  // 2-3. Calibrate (or read the table) and quantize.
  auto result = quantization.quantize(*floatModel, "", maxSamples);
  if (!result)
    return reportError(result.takeError());
  llvm::errs() << "qcomp: "
               << (samples.empty() ? "read the calibration table"
                                   : "calibrated on " + samples)
               << "\n";
  OwningOpRef<ModuleOp> quantized = std::move(result->module);
  const std::string &passOptions = result->passOptions;
  const auto &floatLayers = result->floatLayers;
  std::vector<QuantizedLayer> layers;
  quantized->walk([&](func::FuncOp func) {
    for (QuantizedLayer &layer : findQuantizedLayers(func))
      layers.push_back(std::move(layer));
  });
  llvm::errs() << "qcomp: quantized " << layers.size() << " of "
               << layers.size() + floatLayers.size() << " layers ("
               << passOptions << ")\n";

  // 4. Accuracy, on copies (comparing lowers the modules).
  std::optional<ComparisonReport> report;
  if (!accuracySamples.empty()) {
    OwningOpRef<ModuleOp> reference = floatModel->clone();
    OwningOpRef<ModuleOp> test = quantized->clone();
    CompareOptions options;
    options.functionName = loadingOptions.getFunctionName();
    options.maxSamples = maxSamples;
    options.referenceName = modelPath;
    options.testName = "the quantized model";
    ProgressBar progress("comparing");
    options.progress = [&](unsigned done, unsigned total) {
      progress.update(done, total);
    };
    auto warn = [&](const std::string &message) {
      progress.clear();
      reportWarning(message);
    };
    auto compared = compareModels(*reference, *test, accuracySamples,
                                  /*perLayer=*/false, options, warn);
    progress.clear();
    if (!compared)
      return reportError(compared.takeError());
    report = std::move(*compared);
  }

  // 5. Compile.
  int64_t floatBytes = getConstantBytes(*floatModel);
  int64_t quantizedBytes = getConstantBytes(*quantized);
  auto header = compileFlags.write(*quantized, *compileOptions);
  if (!header)
    return reportError(header.takeError());
  llvm::errs() << "qcomp: compiled for " << compileOptions->triple << "\n";

  // The summary.
  llvm::outs() << "qcomp " << modelPath << " -> "
               << compileFlags.getOutputPath()
               << (header->empty() ? "" : " + " + *header) << "\n";
  llvm::outs() << "  scheme:     " << passOptions
               << (quantization.describeRewrites().empty()
                       ? ""
                       : " (" + quantization.describeRewrites() + ")")
               << "\n";
  std::string kernel = compileOptions->kernel;
  if (kernel == "auto")
    if (auto cpu = CPUFeatures::parse(compileOptions->triple,
                                      compileOptions->features))
      kernel = stringifyIntDotKernel(cpu->getBestIntDotKernel()).str();
  llvm::outs() << "  target:     " << compileOptions->triple << ", cpu "
               << compileOptions->cpu << ", kernel " << kernel << ", "
               << describeThreads(compileOptions->threads) << "\n";
  llvm::outs() << "  layers:     " << layers.size() << " quantized, "
               << floatLayers.size() << " float\n";
  llvm::outs() << "  constants:  " << formatBytes(floatBytes) << " float -> "
               << formatBytes(quantizedBytes) << " quantized";
  if (quantizedBytes > 0)
    llvm::outs() << llvm::format(" (%.2fx smaller)",
                                 double(floatBytes) / quantizedBytes);
  llvm::outs() << "\n";
  if (report) {
    llvm::outs() << "  accuracy on " << report->numSamples << " samples of "
                 << accuracySamples << ":\n";
    for (const TensorComparison &output : report->outputs)
      llvm::outs() << "    output '" << output.name << "': SQNR "
                   << formatMetric(output.metrics.sqnr) << " dB, cosine "
                   << formatMetric(output.metrics.cosine, 6)
                   << ", max abs error "
                   << llvm::format("%.4g", output.metrics.maxAbsError) << "\n";
  }
  for (const auto &[name, reason] : floatLayers)
    llvm::outs() << "  kept float: " << name << " (" << reason << ")\n";
  return 0;
}

DriverCommand qcomp::getMainCommand() { return {command, run}; }
