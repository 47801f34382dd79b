//===- GemmBench.cpp - qcomp's GEMM kernels against its fp32 path ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qcomp-bench-gemm: for each shape (M, N, K), JIT-compiles and times
//
//   int8    qc.matmul of s8 activations (zero point -3) by constant s8
//           weights with an s8 requantized result, through
//           qcomp-cpu-to-llvm-pipeline for this CPU (its best kernel);
//   fp32    linalg.matmul of f32 operands, through qcomp's reference
//           pipeline (qcomp's own fp32 path);
//
// and, in the same run, the peak of this core's multiply-add instruction
// pair (PeakLoop.cpp). Each figure is the median of --repeat runs (at
// least --min-time seconds in all) after one warm-up, in GOPS = 2 M N K /
// seconds / 1e9; ratios compare figures of the same run. Benchmarks, not
// tests: run by hand or by scripts/bench.sh.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/JitRunner.h"
#include "qcomp/InitAllDialects.h"
#include "qcomp/Target/CPU/CPUFeatures.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace qcomp_bench {
double measureAvx2MaddPeak(int64_t iterations);
} // namespace qcomp_bench

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::list<std::string>
    shapeList("shape",
              cl::desc("M,N,K (repeatable; default: the issue's "
                       "list)"),
              cl::value_desc("M,N,K"));
static cl::opt<unsigned>
    repeat("repeat", cl::desc("Timed runs per figure (median)"), cl::init(5));
static cl::opt<double>
    minTime("min-time",
            cl::desc("Repeat until at least this many seconds per figure"),
            cl::init(0.5));
static cl::opt<bool> skipFloat("skip-fp32",
                               cl::desc("Do not time the fp32 path"),
                               cl::init(false));
static cl::opt<std::string>
    kernel("kernel", cl::desc("Kernel of the int8 figure (default: auto)"),
           cl::init("auto"));

namespace {
struct Shape {
  int64_t m, n, k;
};
} // namespace

/// "0x" followed by `count` random bytes in [-127, 127], as hex.
static std::string randomHexBytes(size_t count, std::mt19937 &rng) {
  std::uniform_int_distribution<int> dist(-127, 127);
  std::string hex = "0x";
  hex.reserve(2 + 2 * count);
  for (size_t i = 0; i < count; ++i)
    hex += llvm::utohexstr((uint8_t)dist(rng), /*LowerCase=*/false,
                           /*Width=*/2);
  return hex;
}

static std::string getInt8Module(const Shape &s, std::mt19937 &rng) {
  std::string mk = llvm::formatv("{0}x{1}", s.m, s.k).str();
  std::string kn = llvm::formatv("{0}x{1}", s.k, s.n).str();
  std::string mn = llvm::formatv("{0}x{1}", s.m, s.n).str();
  return llvm::formatv(
             R"(!a = !quant.uniform<i8:f32, 0.05:-3>
!w = !quant.uniform<i8<-127:127>:f32, 0.01>
!y = !quant.uniform<i8:f32, 0.5:2>
func.func @gemm(%x: tensor<{0}xi8>) -> tensor<{2}xi8> {{
  %a = quant.scast %x : tensor<{0}xi8> to tensor<{0}x!a>
  %wc = arith.constant dense<"{3}"> : tensor<{1}xi8>
  %w = quant.scast %wc : tensor<{1}xi8> to tensor<{1}x!w>
  %y = qc.matmul %a, %w acc(i32) : tensor<{0}x!a>, tensor<{1}x!w> -> tensor<{2}x!y>
  %r = quant.scast %y : tensor<{2}x!y> to tensor<{2}xi8>
  return %r : tensor<{2}xi8>
}
)",
             mk, kn, mn, randomHexBytes(s.k * s.n, rng))
      .str();
}

static std::string getFloatModule(const Shape &s) {
  return llvm::formatv(
             R"(func.func @gemm(%x: tensor<{0}x{2}xf32>, %w: tensor<{2}x{1}xf32>) -> tensor<{0}x{1}xf32> {{
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{0}x{1}xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<{0}x{1}xf32>) -> tensor<{0}x{1}xf32>
  %y = linalg.matmul ins(%x, %w : tensor<{0}x{2}xf32>, tensor<{2}x{1}xf32>) outs(%i : tensor<{0}x{1}xf32>) -> tensor<{0}x{1}xf32>
  return %y : tensor<{0}x{1}xf32>
}
)",
             s.m, s.n, s.k)
      .str();
}

/// Random inputs for `function`'s signature.
static std::vector<HostTensor> makeInputs(const JitFunction &function,
                                          std::mt19937 &rng) {
  std::vector<HostTensor> inputs;
  std::uniform_int_distribution<int> bytes(-128, 127);
  std::uniform_real_distribution<float> reals(-1.0f, 1.0f);
  for (const TensorSignature &signature : function.getInputs()) {
    HostTensor tensor(signature.elementType, signature.shape);
    int64_t n = tensor.getNumElements();
    if (signature.elementType == HostElementType::F32)
      for (int64_t i = 0; i < n; ++i)
        tensor.data<float>()[i] = reals(rng);
    else
      for (int64_t i = 0; i < n; ++i)
        tensor.data<int8_t>()[i] = (int8_t)bytes(rng);
    inputs.push_back(std::move(tensor));
  }
  return inputs;
}

/// The median seconds of one call of `function`.
static llvm::Expected<double> timeFunction(JitFunction &function,
                                           llvm::ArrayRef<HostTensor> inputs) {
  if (auto warmup = function.run(inputs); !warmup)
    return warmup.takeError();
  std::vector<double> times;
  double total = 0.0;
  while (times.size() < std::max(1u, repeat.getValue()) || total < minTime) {
    auto start = std::chrono::steady_clock::now();
    auto outputs = function.run(inputs);
    auto end = std::chrono::steady_clock::now();
    if (!outputs)
      return outputs.takeError();
    times.push_back(std::chrono::duration<double>(end - start).count());
    total += times.back();
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

static llvm::Expected<double> measure(MLIRContext &context,
                                      const std::string &source,
                                      const JitOptions &options,
                                      std::mt19937 &rng) {
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(source, &context, "gemm");
  if (!module)
    return llvm::createStringError("the benchmark module does not parse");
  auto function = JitFunction::compile(*module, options);
  if (!function)
    return function.takeError();
  std::vector<HostTensor> inputs = makeInputs(**function, rng);
  return timeFunction(**function, inputs);
}

int main(int argc, char **argv) {
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcomp-bench-gemm: int8 GEMM kernels against qcomp's fp32 path and "
      "this core's peak\n");
  std::vector<Shape> shapes;
  for (const std::string &text : shapeList) {
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(text).split(parts, ',');
    Shape shape;
    if (parts.size() != 3 || parts[0].getAsInteger(10, shape.m) ||
        parts[1].getAsInteger(10, shape.n) ||
        parts[2].getAsInteger(10, shape.k) || shape.m <= 0 || shape.n <= 0 ||
        shape.k <= 0) {
      llvm::errs() << "qcomp-bench-gemm: bad --shape '" << text
                   << "' (expected M,N,K)\n";
      return 1;
    }
    shapes.push_back(shape);
  }
  if (shapes.empty())
    shapes = {{1, 4096, 4096},    {16, 4096, 4096},  {128, 4096, 4096},
              {128, 11008, 4096}, {512, 1024, 1024}, {64, 64, 64},
              {256, 256, 256},    {1024, 1024, 1024}};

  DialectRegistry registry;
  qcomp::registerAllDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  std::mt19937 rng(42);

  std::string features = getHostCPUFeatures();
  auto cpu = CPUFeatures::parse(getHostTriple(), features);
  if (!cpu) {
    llvm::errs() << "qcomp-bench-gemm: " << llvm::toString(cpu.takeError())
                 << "\n";
    return 1;
  }
  std::string kernelName =
      kernel == "auto" ? stringifyIntDotKernel(cpu->getBestIntDotKernel()).str()
                       : kernel.getValue();
  double peak = 0.0;
  // The best of several short loops: a peak, not a typical figure.
  if (cpu->avx2)
    for (int run = 0; run < 7; ++run)
      peak = std::max(peak, qcomp_bench::measureAvx2MaddPeak(30'000'000));
  llvm::outs() << "host " << getHostTriple() << " (" << features
               << "), int8 kernel " << kernelName << ", 1 thread\n";
  if (peak > 0)
    llvm::outs() << llvm::formatv(
        "peak: {0:f1} GOPS (independent vpmaddwd + vpaddd on ymm, best of "
        "7 loops)\n",
        peak);
  llvm::outs() << llvm::formatv("{0,-18} {1,12} {2,10} {3,12} {4,10}\n",
                                "M x N x K", "int8 GOPS", "of peak",
                                "fp32 GOPS", "int8/fp32");

  JitOptions int8Options;
  int8Options.functionName = "gemm";
  int8Options.cpuFeatures = features;
  int8Options.kernel = kernel;
  JitOptions floatOptions;
  floatOptions.functionName = "gemm";
  for (const Shape &shape : shapes) {
    double ops = 2.0 * shape.m * shape.n * shape.k;
    auto int8Time =
        measure(context, getInt8Module(shape, rng), int8Options, rng);
    if (!int8Time) {
      llvm::errs() << "qcomp-bench-gemm: int8 " << shape.m << "x" << shape.n
                   << "x" << shape.k << ": "
                   << llvm::toString(int8Time.takeError()) << "\n";
      return 1;
    }
    double int8Gops = ops / *int8Time / 1e9;
    std::string floatText = "-", ratioText = "-";
    if (!skipFloat) {
      auto floatTime =
          measure(context, getFloatModule(shape), floatOptions, rng);
      if (!floatTime) {
        llvm::errs() << "qcomp-bench-gemm: fp32: "
                     << llvm::toString(floatTime.takeError()) << "\n";
        return 1;
      }
      double floatGops = ops / *floatTime / 1e9;
      floatText = llvm::formatv("{0:f2}", floatGops).str();
      ratioText = llvm::formatv("{0:f2}x", int8Gops / floatGops).str();
    }
    std::string peakText =
        peak > 0 ? llvm::formatv("{0:f1}%", 100.0 * int8Gops / peak).str()
                 : "-";
    llvm::outs() << llvm::formatv(
        "{0,-18} {1,12:f2} {2,10} {3,12} {4,10}\n",
        llvm::formatv("{0}x{1}x{2}", shape.m, shape.n, shape.k).str(), int8Gops,
        peakText, floatText, ratioText);
    llvm::outs().flush();
  }
  return 0;
}
