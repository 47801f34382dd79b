//===- qcomp.cpp - The qcomp compiler driver --------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `qcomp <command> ...`: the user-facing driver. Each command is a thin
// sequence of library calls:
//
//   qcomp import model.onnx -o model.mlir [--input-shape x=1x128]
//   qcomp run model.{onnx,mlir} --input x=x.npy ... [--output-dir D]
//   qcomp calibrate model.{onnx,mlir} --data DIR [--calib-out table.json]
//
// Diagnostics name the file and, for ONNX models, the node.
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Execution/Calibrate.h"
#include "qcomp/Execution/JitRunner.h"
#include "qcomp/Import/LoadModel.h"
#include "qcomp/InitAllDialects.h"
#include "qcomp/Runtime/NpyIO.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

#include <chrono>

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

//===----------------------------------------------------------------------===//
// Options shared by the commands
//===----------------------------------------------------------------------===//

static cl::SubCommand importCommand("import", "Import an ONNX model into MLIR");
static cl::SubCommand runCommand(
    "run", "JIT-compile a model (.onnx or .mlir) and run it on .npy inputs");
static cl::SubCommand calibrateCommand(
    "calibrate",
    "Run a float model over sample inputs and write activation statistics");

static cl::OptionCategory category("qcomp options");

static cl::opt<std::string>
    modelPath(cl::Positional, cl::Required, cl::desc("<model.onnx|model.mlir>"),
              cl::sub(importCommand), cl::sub(runCommand),
              cl::sub(calibrateCommand), cl::cat(category));

static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Bind the shape of an ONNX graph input: name=1x3x224x224 "
             "(repeatable)"),
    cl::value_desc("name=shape"), cl::sub(importCommand), cl::sub(runCommand),
    cl::sub(calibrateCommand), cl::cat(category));

static cl::opt<std::string>
    functionName("func-name",
                 cl::desc("Name of the imported / executed function"),
                 cl::init("main"), cl::sub(importCommand), cl::sub(runCommand),
                 cl::sub(calibrateCommand), cl::cat(category));

static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::sub(importCommand),
                                       cl::cat(category));

static cl::opt<bool> printLocations(
    "locations",
    cl::desc("Print locations (the ONNX node names) in the imported IR, so "
             "that later steps on the .mlir file name the nodes as on the "
             ".onnx file (observer ids, diagnostics)"),
    cl::init(false), cl::sub(importCommand), cl::cat(category));

static cl::list<std::string>
    inputFiles("input",
               cl::desc("An input tensor: name=file or file (in argument "
                        "order); .npy, .npz (one member per input) or an ONNX "
                        "TensorProto .pb (repeatable)"),
               cl::value_desc("name=file"), cl::sub(runCommand),
               cl::cat(category));

static cl::opt<std::string>
    outputDir("output-dir", cl::desc("Write each output as <dir>/<name>.npy"),
              cl::value_desc("dir"), cl::sub(runCommand), cl::cat(category));

static cl::opt<unsigned> repeat("repeat",
                                cl::desc("Run this many times and report the "
                                         "median wall time"),
                                cl::init(1), cl::sub(runCommand),
                                cl::cat(category));

static cl::opt<std::string> dataDir(
    "data",
    cl::desc("Directory of calibration samples: one .npz per sample, or one "
             "<input>.npy per input with samples along dimension 0"),
    cl::value_desc("dir"), cl::Required, cl::sub(calibrateCommand),
    cl::cat(category));

static cl::opt<unsigned> maxSamples("max-samples",
                                    cl::desc("Use at most N samples (0: all)"),
                                    cl::init(0), cl::sub(calibrateCommand),
                                    cl::cat(category));

static cl::opt<std::string>
    calibOut("calib-out", cl::desc("Write the calibration table (JSON) here"),
             cl::value_desc("file"), cl::init("calibration.json"),
             cl::sub(calibrateCommand), cl::cat(category));

static cl::list<std::string>
    observedOps("observe",
                cl::desc("Whose activations to observe: matmul, conv, all "
                         "(default: matmul,conv)"),
                cl::CommaSeparated, cl::sub(calibrateCommand),
                cl::cat(category));

static cl::opt<NonFinitePolicy> nonFinite(
    "non-finite", cl::desc("Samples with NaN or Inf inputs:"),
    cl::values(clEnumValN(NonFinitePolicy::Fail, "fail", "stop with an error"),
               clEnumValN(NonFinitePolicy::Skip, "skip",
                          "leave the sample out (warning)"),
               clEnumValN(NonFinitePolicy::Keep, "keep",
                          "run it; non-finite values are counted, not "
                          "measured")),
    cl::init(NonFinitePolicy::Fail), cl::sub(calibrateCommand),
    cl::cat(category));

static cl::opt<unsigned> numBins("bins", cl::desc("Histogram bins per tensor"),
                                 cl::init(2048), cl::sub(calibrateCommand),
                                 cl::cat(category));

//===----------------------------------------------------------------------===//
// Commands
//===----------------------------------------------------------------------===//

static int runImport(MLIRContext &context,
                     const ONNXImportOptions &importOptions) {
  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, importOptions);
  if (!module)
    return 1;
  std::string error;
  auto output = openOutputFile(outputPath, &error);
  if (!output) {
    reportError(error);
    return 1;
  }
  // Locations carry the ONNX node names; printing them lets diagnostics and
  // observer ids of later steps on the .mlir still name the nodes.
  OpPrintingFlags flags;
  if (printLocations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(output->os(), flags);
  output->os() << "\n";
  output->keep();
  return 0;
}

static int runRun(MLIRContext &context,
                  const ONNXImportOptions &importOptions) {
  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, importOptions);
  if (!module)
    return 1;
  JitOptions jitOptions;
  jitOptions.functionName = functionName;
  auto function = JitFunction::compile(*module, jitOptions);
  if (!function)
    return reportError(function.takeError());

  auto inputs = bindInputs((*function)->getInputs(), inputFiles);
  if (!inputs)
    return reportError(inputs.takeError());

  std::vector<double> times;
  std::vector<HostTensor> outputs;
  for (unsigned i = 0; i < std::max(1u, repeat.getValue()); ++i) {
    auto start = std::chrono::steady_clock::now();
    auto results = (*function)->run(*inputs);
    auto end = std::chrono::steady_clock::now();
    if (!results)
      return reportError(results.takeError());
    outputs = std::move(*results);
    times.push_back(
        std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(times.begin(), times.end());

  for (auto [signature, tensor] :
       llvm::zip((*function)->getOutputs(), outputs)) {
    llvm::outs() << signature.name << ": " << tensor.describe() << " "
                 << summarizeTensor(tensor) << "\n";
    if (!outputDir.empty()) {
      if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
        return reportError(outputDir +
                           ": cannot create directory: " + ec.message());
      llvm::SmallString<128> path(outputDir);
      llvm::sys::path::append(path, sanitizeFileName(signature.name) + ".npy");
      if (llvm::Error err = writeNpy(path, tensor))
        return reportError(std::move(err));
    }
  }
  llvm::outs() << llvm::formatv("wall time: {0:f3} ms",
                                times[times.size() / 2]);
  if (times.size() > 1)
    llvm::outs() << llvm::formatv(" (median of {0} runs)", times.size());
  llvm::outs() << "\n";
  return 0;
}

static int runCalibrate(MLIRContext &context,
                        const ONNXImportOptions &importOptions) {
  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, importOptions);
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
    llvm::WithColor::warning(llvm::errs(), "qcomp") << message << "\n";
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
    llvm::WithColor::warning(llvm::errs(), "qcomp")
        << nonFiniteValues
        << " NaN/Inf activation values were seen and left out of the "
           "statistics\n";
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcomp: an MLIR-based quantization compiler\n\n"
      "  qcomp import model.onnx -o model.mlir\n"
      "  qcomp run model.onnx --input x=x.npy --output-dir out/\n"
      "  qcomp calibrate model.onnx --data samples/ --calib-out table.json\n");

  DialectRegistry registry;
  qcomp::registerAllDialects(registry);
  MLIRContext context(registry);
  DiagnosticPrinter printer(context);

  ONNXImportOptions importOptions;
  importOptions.functionName = functionName;
  for (const std::string &binding : inputShapes)
    if (llvm::Error err = parseInputShapeBinding(binding, importOptions))
      return reportError(std::move(err));

  if (importCommand)
    return runImport(context, importOptions);
  if (runCommand)
    return runRun(context, importOptions);
  if (calibrateCommand)
    return runCalibrate(context, importOptions);
  reportError("no command given; see qcomp --help");
  return 1;
}
