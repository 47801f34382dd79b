//===- CalibrateCommand.cpp - qcomp calibrate -----------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `qcomp calibrate model.{onnx,mlir} --data DIR [--calib-out table.json]`:
// runs the float model over the samples with observers on its activations
// and writes the statistics table.
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Execution/Calibrate.h"
#include "qcomp/Import/LoadModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/WithColor.h"

#include <chrono>

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::SubCommand command(
    "calibrate",
    "Run a float model over sample inputs and write activation statistics");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::sub(command),
                                      cl::cat(getDriverCategory()));

static ModelLoadingOptions loadingOptions(command);

static cl::opt<std::string> dataDir(
    "data",
    cl::desc("Directory of calibration samples: one .npz per sample, or one "
             "<input>.npy per input with samples along dimension 0"),
    cl::value_desc("dir"), cl::Required, cl::sub(command),
    cl::cat(getDriverCategory()));

static cl::opt<unsigned> maxSamples("max-samples",
                                    cl::desc("Use at most N samples (0: all)"),
                                    cl::init(0), cl::sub(command),
                                    cl::cat(getDriverCategory()));

static cl::opt<std::string>
    calibOut("calib-out", cl::desc("Write the calibration table (JSON) here"),
             cl::value_desc("file"), cl::init("calibration.json"),
             cl::sub(command), cl::cat(getDriverCategory()));

static cl::list<std::string>
    observedOps("observe",
                cl::desc("Whose activations to observe: matmul, conv, all "
                         "(default: matmul,conv)"),
                cl::CommaSeparated, cl::sub(command),
                cl::cat(getDriverCategory()));

static cl::opt<NonFinitePolicy> nonFinite(
    "non-finite", cl::desc("Samples with NaN or Inf inputs:"),
    cl::values(clEnumValN(NonFinitePolicy::Fail, "fail", "stop with an error"),
               clEnumValN(NonFinitePolicy::Skip, "skip",
                          "leave the sample out (warning)"),
               clEnumValN(NonFinitePolicy::Keep, "keep",
                          "run it; non-finite values are counted, not "
                          "measured")),
    cl::init(NonFinitePolicy::Fail), cl::sub(command),
    cl::cat(getDriverCategory()));

static cl::opt<unsigned> numBins("bins", cl::desc("Histogram bins per tensor"),
                                 cl::init(2048), cl::sub(command),
                                 cl::cat(getDriverCategory()));

static int run(MLIRContext &context) {
  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());
  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, *importOptions);
  if (!module)
    return 1;
  if (numBins < 2048)
    return reportError("--bins must be at least 2048 (the entropy method "
                       "needs more bins than quantization levels)");
  CalibrationOptions options;
  options.observedOps.assign(observedOps.begin(), observedOps.end());
  options.maxSamples = maxSamples;
  options.nonFinite = nonFinite;
  options.numBins = numBins;
  ProgressBar progress("calibrating");
  options.progress = [&](unsigned done, unsigned total) {
    progress.update(done, total);
  };
  options.warn = [&](const std::string &message) {
    progress.clear();
    reportWarning(message);
  };
  auto start = std::chrono::steady_clock::now();
  auto table = calibrate(*module, dataDir, options);
  progress.clear();
  if (!table)
    return reportError(table.takeError());
  if (llvm::Error err = table->write(calibOut))
    return reportError(std::move(err));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  int64_t samples = 0, nonFiniteValues = 0;
  for (const auto &entry : table->getTensors()) {
    samples = std::max(samples, entry.second.count);
    nonFiniteValues += entry.second.nonFinite;
  }
  llvm::outs() << llvm::formatv(
      "calibrated {0} tensors over {1} samples in {2:f2} s -> {3}\n",
      table->size(), samples, seconds, calibOut);
  for (const auto &[id, record] : table->getTensors()) {
    llvm::outs() << llvm::format("  %-32s min %12g max %12g", id.c_str(),
                                 record.min, record.max);
    if (record.nonFinite)
      llvm::outs() << "  non-finite " << record.nonFinite;
    llvm::outs() << "\n";
  }
  llvm::outs().flush();
  if (nonFiniteValues)
    reportWarning(llvm::Twine(nonFiniteValues) +
                  " NaN/Inf activation values were seen and left out of the "
                  "statistics");
  return 0;
}

DriverCommand qcomp::getCalibrateCommand() { return {command, run}; }
