//===- RunCommand.cpp - qcomp run -----------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `qcomp run model.{onnx,mlir} --input x=x.npy ... [--output-dir D]
// [--repeat N]`: JIT-compiles the model, runs it, prints and writes the
// outputs and the wall time.
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Target/CPU/CPUFeatures.h"

#include "qcomp/Execution/JitRunner.h"
#include "qcomp/Import/LoadModel.h"
#include "qcomp/Runtime/NpyIO.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::SubCommand
    command("run",
            "JIT-compile a model (.onnx or .mlir) and run it on .npy inputs");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::sub(command),
                                      cl::cat(getDriverCategory()));

static ModelLoadingOptions loadingOptions(command);

static cl::list<std::string>
    inputFiles("input",
               cl::desc("An input tensor: name=file or file (in argument "
                        "order); .npy, .npz (one member per input) or an ONNX "
                        "TensorProto .pb (repeatable)"),
               cl::value_desc("name=file"), cl::sub(command),
               cl::cat(getDriverCategory()));

static cl::opt<std::string>
    outputDir("output-dir", cl::desc("Write each output as <dir>/<name>.npy"),
              cl::value_desc("dir"), cl::sub(command),
              cl::cat(getDriverCategory()));

static cl::opt<unsigned> repeat("repeat",
                                cl::desc("Run this many times and report the "
                                         "median wall time"),
                                cl::init(1), cl::sub(command),
                                cl::cat(getDriverCategory()));

static KernelFlags
    kernelFlags(command,
                "Integer matmul kernel: auto (the best this CPU "
                "has), avx512-vnni, avx-vnni, avx2, i8mm, "
                "dotprod, or none for the reference loops (f32 matmuls "
                "included)");

static int run(MLIRContext &context) {
  if (llvm::Error err = kernelFlags.validate())
    return reportError(std::move(err));
  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());
  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, *importOptions);
  if (!module)
    return 1;
  JitOptions jitOptions;
  jitOptions.functionName = loadingOptions.getFunctionName();
  // The code runs here: the kernels are this CPU's.
  if (kernelFlags.getKernel() != "none") {
    jitOptions.cpuFeatures = getHostCPUFeatures();
    jitOptions.kernel = kernelFlags.getKernel();
    jitOptions.threads = kernelFlags.getThreads();
  }
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

DriverCommand qcomp::getRunCommand() { return {command, run}; }
