//===- BenchCommand.cpp - qcomp bench -------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The end-to-end speed of a model:
//
//   qcomp bench float.{onnx,mlir} quant.mlir [--input x=x.npy ...]
//   qcomp bench model.{onnx,mlir} --calib T | --data DIR [--scheme S] ...
//
// JIT-compiles the float model and its quantization (given, or built
// in-process as qcomp compare builds it) through the same pipeline for this
// CPU (qcomp-cpu-to-llvm-pipeline: the kernels for the quantized one, the
// float loops for the other), runs both on the same inputs (--input, or
// seeded random values) and prints the median time of a call of each and
// their ratio. A benchmark of one run, not a test: compare its figures
// with each other only.
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Execution/JitRunner.h"
#include "qcomp/Execution/QuantizeModel.h"
#include "qcomp/Import/LoadModel.h"
#include "qcomp/Target/CPU/CPUFeatures.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::SubCommand
    command("bench", "Time a quantized model against the same model in "
                     "float, both compiled by qcomp for this CPU");

static cl::list<std::string>
    modelPaths(cl::Positional, cl::OneOrMore,
               cl::desc("<float model> [<quantized model>]"), cl::sub(command),
               cl::cat(getDriverCategory()));

static ModelLoadingOptions loadingOptions(command);
static QuantizationFlags quantization(command);
static KernelFlags kernelFlags(command,
                               "Integer matmul kernel of the quantized model: "
                               "auto (the best this CPU has), avx512-vnni, "
                               "avx-vnni, avx2, i8mm, dotprod, or none");

static cl::opt<std::string>
    dataDir("data",
            cl::desc("Calibration samples when quantizing in-process "
                     "without --calib"),
            cl::value_desc("dir"), cl::sub(command),
            cl::cat(getDriverCategory()));

static cl::list<std::string>
    inputFiles("input",
               cl::desc("An input tensor (name=file or file, as qcomp run "
                        "takes it); default: seeded random values"),
               cl::value_desc("name=file"), cl::sub(command),
               cl::cat(getDriverCategory()));

static cl::opt<unsigned> repeat("repeat",
                                cl::desc("Timed calls per model (the median "
                                         "is reported)"),
                                cl::init(20), cl::sub(command),
                                cl::cat(getDriverCategory()));

static cl::opt<double>
    minTime("min-time",
            cl::desc("Repeat until the calls of a model took this many "
                     "seconds in all"),
            cl::init(0.5), cl::sub(command), cl::cat(getDriverCategory()));

/// Seeded random values for `signature`: floats in [-1, 1], integers over
/// their bytes, booleans false.
static HostTensor makeRandomInput(const TensorSignature &signature,
                                  std::mt19937 &rng) {
  HostTensor tensor(signature.elementType, signature.shape);
  int64_t n = tensor.getNumElements();
  std::uniform_real_distribution<float> reals(-1.0f, 1.0f);
  std::uniform_int_distribution<int> bytes(0, 255);
  switch (signature.elementType) {
  case HostElementType::F32:
    for (int64_t i = 0; i < n; ++i)
      tensor.data<float>()[i] = reals(rng);
    break;
  case HostElementType::F64:
    for (int64_t i = 0; i < n; ++i)
      tensor.data<double>()[i] = reals(rng);
    break;
  case HostElementType::Bool:
    std::memset(tensor.data(), 0, tensor.getByteSize());
    break;
  default:
    for (size_t i = 0; i < tensor.getByteSize(); ++i)
      tensor.data<uint8_t>()[i] = (uint8_t)bytes(rng);
    break;
  }
  return tensor;
}

namespace {
struct Timing {
  double milliseconds = 0.0;
  unsigned calls = 0;
};
} // namespace

/// Compiles `module` with `options`, binds the inputs and times calls.
static llvm::Expected<Timing> timeModel(ModuleOp module,
                                        const JitOptions &options) {
  auto function = JitFunction::compile(module, options);
  if (!function)
    return function.takeError();
  std::vector<HostTensor> inputs;
  if (!inputFiles.empty()) {
    auto bound = bindInputs((*function)->getInputs(), inputFiles);
    if (!bound)
      return bound.takeError();
    inputs = std::move(*bound);
  } else {
    std::mt19937 rng(1);
    for (const TensorSignature &signature : (*function)->getInputs())
      inputs.push_back(makeRandomInput(signature, rng));
  }
  // One warm-up call, then the timed ones.
  if (auto warmup = (*function)->run(inputs); !warmup)
    return warmup.takeError();
  std::vector<double> times;
  double total = 0.0;
  while (times.size() < std::max(1u, repeat.getValue()) ||
         total < minTime * 1e3) {
    auto start = std::chrono::steady_clock::now();
    auto outputs = (*function)->run(inputs);
    auto end = std::chrono::steady_clock::now();
    if (!outputs)
      return outputs.takeError();
    times.push_back(
        std::chrono::duration<double, std::milli>(end - start).count());
    total += times.back();
  }
  std::sort(times.begin(), times.end());
  return Timing{times[times.size() / 2], (unsigned)times.size()};
}

static int run(MLIRContext &context) {
  if (modelPaths.size() > 2)
    return reportError("qcomp bench takes a float and a quantized model, or "
                       "one model to quantize in-process; got " +
                       llvm::Twine(modelPaths.size()) + " models");
  bool inProcess = modelPaths.size() == 1;
  if (!inProcess && quantization.anyGiven())
    return reportError("the quantization flags quantize the model "
                       "in-process: give only the float model");
  if (inProcess) {
    if (llvm::Error err = quantization.validate())
      return reportError(std::move(err));
    if (!quantization.hasTable() && dataDir.empty())
      return reportError("quantizing in-process needs --calib TABLE or "
                         "--data DIR (calibration samples)");
  }
  if (llvm::Error err = kernelFlags.validate())
    return reportError(std::move(err));
  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());

  OwningOpRef<ModuleOp> floatModel =
      loadModel(modelPaths[0], &context, *importOptions);
  if (!floatModel)
    return 1;
  OwningOpRef<ModuleOp> quantized;
  std::string description;
  if (inProcess) {
    auto result = quantization.quantize(*floatModel, dataDir, 0);
    if (!result)
      return reportError(result.takeError());
    quantized = std::move(result->module);
    description = result->passOptions;
  } else {
    quantized = loadModel(modelPaths[1], &context, *importOptions);
    if (!quantized)
      return 1;
    description = modelPaths[1];
  }

  // Both through qcomp-cpu-to-llvm-pipeline for this CPU: the float model
  // has no integer matmuls, so it is qcomp's own fp32 code.
  JitOptions options;
  options.functionName = loadingOptions.getFunctionName();
  options.cpuFeatures = getHostCPUFeatures();
  options.kernel = kernelFlags.getKernel();
  options.threads = kernelFlags.getThreads();
  auto floatTime = timeModel(*floatModel, options);
  if (!floatTime)
    return reportError("the float model: " +
                       llvm::toString(floatTime.takeError()));
  auto quantizedTime = timeModel(*quantized, options);
  if (!quantizedTime)
    return reportError("the quantized model: " +
                       llvm::toString(quantizedTime.takeError()));

  std::string kernelName = options.kernel;
  if (kernelName == "auto")
    if (auto cpu = CPUFeatures::parse(getHostTriple(), options.cpuFeatures))
      kernelName = stringifyIntDotKernel(cpu->getBestIntDotKernel()).str();
  std::string threads =
      options.threads ? llvm::formatv("{0}", options.threads).str() : "all";
  llvm::outs() << "benchmarked " << modelPaths[0] << " against "
               << (description.empty() ? "its quantization" : description)
               << " (kernel " << kernelName << ", " << threads
               << (options.threads == 1 ? " thread" : " threads")
               << ", median of the calls)\n";
  llvm::outs() << llvm::formatv("  {0,-10} {1,10:f3} ms  ({2} calls)\n",
                                "float", floatTime->milliseconds,
                                floatTime->calls);
  llvm::outs() << llvm::formatv("  {0,-10} {1,10:f3} ms  ({2} calls)\n",
                                "quantized", quantizedTime->milliseconds,
                                quantizedTime->calls);
  llvm::outs() << llvm::formatv(
      "  speedup    {0,10:f2}x\n",
      floatTime->milliseconds / std::max(quantizedTime->milliseconds, 1e-9));
  return 0;
}

DriverCommand qcomp::getBenchCommand() { return {command, run}; }
