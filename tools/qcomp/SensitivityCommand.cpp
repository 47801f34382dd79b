//===- SensitivityCommand.cpp - qcomp sensitivity -------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `qcomp sensitivity model --data DIR [--calib T] [--scheme S]
// [--max-samples N] [--target-sqnr X] [--bits 4,8] [-o report.json]`:
// quantizes one layer at a time, ranks the layers by the output SQNR each
// causes alone, and with --target-sqnr chooses per-layer weight widths that
// reach X (see qcomp/Execution/Sensitivity.h), printed as the
// `layer-bits=...` option for `qcomp quantize --quantize-options`.
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Execution/QuantizeModel.h"
#include "qcomp/Execution/Sensitivity.h"
#include "qcomp/Import/LoadModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"

#include <optional>

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::SubCommand
    command("sensitivity",
            "Rank the layers of a model by the output error their "
            "quantization causes; choose per-layer widths for a target SQNR");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::sub(command),
                                      cl::cat(getDriverCategory()));

static ModelLoadingOptions loadingOptions(command);
static QuantizationFlags quantization(command);

static cl::opt<std::string>
    dataDir("data",
            cl::desc("Samples the variants are measured on (and calibrated "
                     "on without --calib): one .npz per sample, or one "
                     "<input>.npy per input"),
            cl::value_desc("dir"), cl::sub(command),
            cl::cat(getDriverCategory()));

static cl::opt<unsigned> maxSamples("max-samples",
                                    cl::desc("Use at most N samples (0: all)"),
                                    cl::init(0), cl::sub(command),
                                    cl::cat(getDriverCategory()));

static cl::opt<double> targetSqnr(
    "target-sqnr",
    cl::desc("Choose the cheapest per-layer weight widths whose model output "
             "SQNR is at least X dB"),
    cl::value_desc("X"), cl::sub(command), cl::cat(getDriverCategory()));

static cl::list<unsigned>
    candidateBits("bits",
                  cl::desc("Candidate weight widths for --target-sqnr, "
                           "cheapest first; float comes after the widest "
                           "(default 4,8)"),
                  cl::value_desc("4,8"), cl::CommaSeparated, cl::sub(command),
                  cl::cat(getDriverCategory()));

static cl::opt<std::string> outputPath("o",
                                       cl::desc("Write the report as JSON"),
                                       cl::value_desc("report.json"),
                                       cl::sub(command),
                                       cl::cat(getDriverCategory()));

/// "4 bits" or "float".
static std::string describeBits(unsigned bits) {
  return bits ? std::to_string(bits) + " bits" : "float";
}

static void
printReport(const SensitivityReport &report,
            llvm::ArrayRef<std::pair<std::string, std::string>> floatLayers) {
  llvm::raw_ostream &os = llvm::outs();
  os << "sensitivity of " << report.layers.size() << " layers ("
     << report.quantizeOptions << ") over " << report.numSamples
     << " samples\n";
  os << "  every layer quantized: " << formatMetric(report.allQuantized.sqnr)
     << " dB\n";
  for (const auto &[name, reason] : floatLayers)
    os << "  kept float: " << name << " (" << reason << ")\n";

  int width = 5, opWidth = 2;
  for (const LayerSensitivity &layer : report.layers) {
    width = std::max<int>(width, layer.name.size());
    opWidth = std::max<int>(opWidth, layer.opName.size());
  }
  os << "most sensitive first (model output SQNR with only that layer "
        "quantized):\n";
  os << llvm::format("  %4s  %-*s  %-*s  %9s\n", "rank", width, "layer",
                     opWidth, "op", "SQNR (dB)");
  for (auto [rank, index] : llvm::enumerate(report.ranking)) {
    const LayerSensitivity &layer = report.layers[index];
    os << llvm::format("  %4zu  %-*s  %-*s  %9s\n", rank + 1, width,
                       layer.name.c_str(), opWidth, layer.opName.c_str(),
                       formatMetric(layer.alone.sqnr).c_str());
  }
  if (!report.targetSqnr)
    return;

  os << "target " << formatNumber(*report.targetSqnr) << " dB, widths "
     << llvm::join(
            llvm::map_range(report.bits,
                            [](unsigned b) { return std::to_string(b); }),
            ",")
     << " then float:\n";
  std::vector<llvm::StringRef> weightless;
  for (const LayerSensitivity &layer : report.layers)
    if (!layer.hasWeight)
      weightless.push_back(layer.name);
  if (!weightless.empty())
    os << "  not searched, no weight (quantized with the base options): "
       << llvm::join(weightless, ", ") << "\n";
  os << "  every layer at " << describeBits(report.bits.front()) << ": "
     << formatMetric(report.cheapest.sqnr) << " dB\n";
  for (const PrecisionStep &step : report.steps)
    os << "  " << step.layer << " " << describeBits(step.fromBits) << " -> "
       << describeBits(step.toBits) << ": " << formatMetric(step.sqnr)
       << " dB\n";
  std::string aloneHeader;
  for (unsigned bits : report.bits)
    aloneHeader += (aloneHeader.empty() ? "" : " / ") + std::to_string(bits);
  os << llvm::format("  %-*s  %5s  %s\n", width, "layer", "bits",
                     ("SQNR alone at " + aloneHeader + " bits (dB)").c_str());
  for (const LayerSensitivity &layer : report.layers) {
    if (!layer.hasWeight)
      continue;
    std::string alone;
    for (const VariantAccuracy &variant : layer.aloneByBits)
      alone += (alone.empty() ? "" : " / ") + formatMetric(variant.sqnr);
    os << llvm::format(
        "  %-*s  %5s  %s\n", width, layer.name.c_str(),
        layer.chosenBits ? std::to_string(layer.chosenBits).c_str() : "float",
        alone.c_str());
  }
  os << "chosen widths: " << formatMetric(report.chosen.sqnr) << " dB ("
     << (report.targetMet ? "target met" : "target NOT met") << ")\n";
  os << "  qcomp quantize --quantize-options \"" << report.layerBitsOption
     << "\"\n";
}

static int run(MLIRContext &context) {
  if (dataDir.empty())
    return reportError("qcomp sensitivity needs --data DIR: the samples the "
                       "quantized variants are measured on");
  if (llvm::Error err = quantization.validate())
    return reportError(std::move(err));
  for (unsigned bits : candidateBits)
    if (bits != 2 && bits != 4 && bits != 8)
      return reportError("--bits: " + llvm::Twine(bits) +
                         " is not a weight width (2, 4 or 8)");
  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());
  OwningOpRef<ModuleOp> model = loadModel(modelPath, &context, *importOptions);
  if (!model)
    return 1;
  model->walk([](func::FuncOp func) { nameUnnamedLayers(func); });

  auto table = quantization.getTable(*model, dataDir, maxSamples);
  if (!table)
    return reportError(table.takeError());

  CompareOptions compareOptions;
  compareOptions.functionName = loadingOptions.getFunctionName();
  compareOptions.maxSamples = maxSamples;
  compareOptions.referenceName = modelPath;
  compareOptions.testName = "the quantized model";
  OwningOpRef<ModuleOp> reference = model->clone();
  auto evaluator =
      AccuracyEvaluator::create(*reference, dataDir, compareOptions);
  if (!evaluator)
    return reportError(evaluator.takeError());

  // The remarks of the first quantization (every layer) say which layers
  // stay float; the single-layer variants keep all others float.
  auto modelOptions = quantization.getModelOptions(
      "", quantization.hasTable() ? "" : dataDir.getValue());
  if (!modelOptions)
    return reportError(modelOptions.takeError());
  FloatLayerCollector collector(context, /*dropOtherRemarks=*/true);
  std::optional<std::vector<std::pair<std::string, std::string>>> floatLayers;
  ModelQuantizer quantizer = [&](llvm::StringRef passOptions)
      -> llvm::Expected<OwningOpRef<ModuleOp>> {
    QuantizeModelOptions variant = *modelOptions;
    variant.quantizeOptions = passOptions.str();
    auto quantized = quantizeModel(*model, *table, variant);
    if (!floatLayers)
      floatLayers = collector.getLayers();
    collector.clear();
    return quantized;
  };

  ProgressBar progress("sensitivity");
  SensitivityOptions options;
  options.quantizeOptions = quantization.getPassOptions();
  options.functionName = loadingOptions.getFunctionName();
  if (targetSqnr.getNumOccurrences())
    options.targetSqnr = targetSqnr;
  if (!candidateBits.empty())
    options.bits.assign(candidateBits.begin(), candidateBits.end());
  options.status = [&](const std::string &what) { progress.show(what); };
  options.warn = [&](const std::string &message) {
    progress.clear();
    reportWarning(message);
  };
  auto report = analyzeSensitivity(*evaluator, quantizer, options);
  progress.clear();
  if (!report)
    return reportError(report.takeError());

  printReport(*report,
              floatLayers ? *floatLayers
                          : std::vector<std::pair<std::string, std::string>>());
  llvm::outs().flush();
  if (!outputPath.empty()) {
    std::string error;
    auto output = openOutputFile(outputPath, &error);
    if (!output)
      return reportError(error);
    output->os() << llvm::formatv("{0:2}", report->toJSON()) << "\n";
    output->keep();
  }
  if (report->targetSqnr && !report->targetMet)
    return reportError("the target SQNR of " +
                       formatNumber(*report->targetSqnr) +
                       " dB is not reached, even with every layer that has "
                       "a weight float");
  return 0;
}

DriverCommand qcomp::getSensitivityCommand() { return {command, run}; }
