//===- GemmBench.cpp - qcomp's GEMM kernels against oneDNN and fp32 -------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qcomp-bench-gemm: for each shape (M, N, K) and each --threads count,
// JIT-compiles and times
//
//   qcomp s8s8   qc.matmul of s8 activations (zero point -3) by constant s8
//                weights with an s8 requantized result, through
//                qcomp-cpu-to-llvm-pipeline for this CPU (its best kernel);
//   qcomp u8s8   the same with u8 activations (zero point 128);
//   fp32         linalg.matmul of f32 activations by constant f32 weights,
//                through the same pipeline (qc-lower-float-matmul-to-cpu:
//                qcomp's own fp32 path);
//
// and, when built with oneDNN (QCOMP_BENCH_HAVE_DNNL, DnnlGemm.cpp), the
// same u8s8 and s8s8 matmuls as oneDNN primitives, the peer of the int8
// figures; plus, once, the peak of this core's multiply-add instruction
// pair (PeakLoop.cpp). qcomp's kernels run on the thread count through
// JitOptions::threads (OpenMP). Each
// figure is the median of --repeat runs (at least --min-time seconds in
// all) after one warm-up, in GOPS = 2 M N K / seconds / 1e9; ratios compare
// figures of the same run. Benchmarks, not tests: run by hand or by
// scripts/bench.sh.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/JitRunner.h"
#include "qcomp/InitAllDialects.h"
#include "qcomp/Target/CPU/CPUFeatures.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#ifdef QCOMP_BENCH_HAVE_DNNL
#include "DnnlGemm.h"
#endif

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace qcomp_bench {
double measureAvx2MaddPeak(int64_t iterations);
double measureAvx512VnniPeak(int64_t iterations);
double measureAvxVnniPeak(int64_t iterations);
double measureAvx512VnniFedPeak(int64_t iterations);
double measureAmxPeak(int64_t iterations);
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
    kernel("kernel", cl::desc("Kernel of qcomp's int8 figures (default: auto)"),
           cl::init("auto"));
// libLLVM registers a --threads of its own (ThinLTOCodeGenerator's thread
// count, unused here): it is unregistered before the benchmark's is, which
// would otherwise stop the program ("registered more than once").
[[maybe_unused]] static const bool llvmThreadsRemoved = [] {
  if (cl::Option *option = cl::getRegisteredOptions().lookup("threads"))
    option->removeArgument();
  return true;
}();
static cl::list<unsigned>
    threadList("threads", cl::desc("Thread counts to measure (default: 1,2)"),
               cl::value_desc("N,..."), cl::CommaSeparated);
static cl::opt<unsigned>
    tileRows("tile-rows",
             cl::desc("Rows of qcomp's register tile (0: the kernel's)"),
             cl::init(0));
static cl::opt<unsigned>
    tileVectors("tile-vectors",
                cl::desc("Vectors of qcomp's register tile (0: the kernel's)"),
                cl::init(0));
static cl::opt<bool> skipDnnl("skip-dnnl", cl::desc("Do not time oneDNN"),
                              cl::init(false));
static cl::opt<std::string> dnnlIsa(
    "dnnl-isa",
    cl::desc("Instructions oneDNN may use: 'kernel' (default: those of "
             "qcomp's kernel, avx512-vnni, avx-vnni or avx2), 'all' (AMX "
             "included), or one of those kernel names"),
    cl::init("kernel"));

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

/// qc.matmul of s8 (zero point -3) or, with `unsignedActivations`, u8
/// (zero point 128) activations, passed as signless i8 bytes.
static std::string getInt8Module(const Shape &s, bool unsignedActivations,
                                 std::mt19937 &rng) {
  std::string mk = llvm::formatv("{0}x{1}", s.m, s.k).str();
  std::string kn = llvm::formatv("{0}x{1}", s.k, s.n).str();
  std::string mn = llvm::formatv("{0}x{1}", s.m, s.n).str();
  return llvm::formatv(
             R"(!a = !quant.uniform<{4}:f32, 0.05:{5}>
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
             mk, kn, mn, randomHexBytes(s.k * s.n, rng),
             unsignedActivations ? "u8" : "i8", unsignedActivations ? 128 : -3)
      .str();
}

/// "0x" followed by `count` random f32 in [-1, 1], as hex (little-endian).
static std::string randomHexFloats(size_t count, std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::string hex = "0x";
  hex.reserve(2 + 8 * count);
  for (size_t i = 0; i < count; ++i) {
    float value = dist(rng);
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    for (int byte = 0; byte < 4; ++byte)
      hex += llvm::utohexstr((bits >> (8 * byte)) & 0xFF, /*LowerCase=*/false,
                             /*Width=*/2);
  }
  return hex;
}

/// linalg.matmul of f32 activations by constant f32 weights, as a float
/// model's linear layer.
static std::string getFloatModule(const Shape &s, std::mt19937 &rng) {
  return llvm::formatv(
             R"(func.func @gemm(%x: tensor<{0}x{2}xf32>) -> tensor<{0}x{1}xf32> {{
  %w = arith.constant dense<"{3}"> : tensor<{2}x{1}xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{0}x{1}xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<{0}x{1}xf32>) -> tensor<{0}x{1}xf32>
  %y = linalg.matmul ins(%x, %w : tensor<{0}x{2}xf32>, tensor<{2}x{1}xf32>) outs(%i : tensor<{0}x{1}xf32>) -> tensor<{0}x{1}xf32>
  return %y : tensor<{0}x{1}xf32>
}
)",
             s.m, s.n, s.k, randomHexFloats(s.k * s.n, rng))
      .str();
}

/// Random inputs for `function`'s signature: reals in [-1, 1], or bytes
/// (all 256 values, read as u8 by the u8s8 module).
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

/// The median seconds of one `call`, after one warm-up call.
static llvm::Expected<double>
timeCalls(llvm::function_ref<llvm::Error()> call) {
  if (llvm::Error error = call())
    return std::move(error);
  std::vector<double> times;
  double total = 0.0;
  while (times.size() < std::max(1u, repeat.getValue()) || total < minTime) {
    auto start = std::chrono::steady_clock::now();
    llvm::Error error = call();
    auto end = std::chrono::steady_clock::now();
    if (error)
      return std::move(error);
    times.push_back(std::chrono::duration<double>(end - start).count());
    total += times.back();
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// The median seconds of one call of `function`, on buffers bound once (as
/// oneDNN's execute runs on memory objects created once).
static llvm::Expected<double> timeFunction(JitFunction &function,
                                           llvm::ArrayRef<HostTensor> inputs) {
  auto call = function.bind(inputs);
  if (!call)
    return call.takeError();
  return timeCalls([&]() -> llvm::Error {
    (*call)->call();
    return llvm::Error::success();
  });
}

/// The median seconds of the JIT-compiled `source`'s @gemm.
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

#ifdef QCOMP_BENCH_HAVE_DNNL
/// The median seconds of one execute of oneDNN's matmul for `shape` on
/// `threads` threads, quantized as the int8 module is (scales 0.05, 0.01
/// and 0.5, activation zero point -3 or 128, result zero point 2); the
/// name of oneDNN's implementation in `implementation`.
static llvm::Expected<double> measureDnnl(const Shape &shape,
                                          bool unsignedActivations,
                                          unsigned threads, std::mt19937 &rng,
                                          std::string &implementation) {
  qcomp_bench::DnnlMatmulConfig config;
  config.m = shape.m;
  config.n = shape.n;
  config.k = shape.k;
  config.unsignedSrc = unsignedActivations;
  config.srcZeroPoint = unsignedActivations ? 128 : -3;
  config.outputScale = 0.05f * 0.01f / 0.5f;
  config.dstZeroPoint = 2;
  config.threads = threads;
  auto matmul = qcomp_bench::DnnlMatmul::create(config, rng);
  if (!matmul)
    return matmul.takeError();
  implementation = (*matmul)->getImplementation().str();
  return timeCalls([&] { return (*matmul)->execute(); });
}
#endif

int main(int argc, char **argv) {
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcomp-bench-gemm: int8 GEMM kernels against oneDNN, qcomp's fp32 "
      "path and this core's peak\n");
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

  llvm::SmallVector<unsigned> threadCounts(threadList.begin(),
                                           threadList.end());
  if (threadCounts.empty())
    threadCounts = {1, 2};
  if (llvm::is_contained(threadCounts, 0u)) {
    llvm::errs() << "qcomp-bench-gemm: --threads counts must be positive\n";
    return 1;
  }

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
  // The peak of the instruction the kernel is built on: the best of several
  // short loops, a peak, not a typical figure.
  double peak = 0.0;
  double (*peakLoop)(int64_t) = nullptr;
  const char *peakName = "";
  if (kernelName == "amx") {
    peakLoop = qcomp_bench::measureAmxPeak;
    peakName = "independent tdpbssd on tiles";
  } else if (kernelName == "avx512-vnni") {
    peakLoop = qcomp_bench::measureAvx512VnniPeak;
    peakName = "independent vpdpbusd on zmm";
  } else if (kernelName == "avx-vnni") {
    peakLoop = qcomp_bench::measureAvxVnniPeak;
    peakName = "independent vpdpbusd on ymm";
  } else if (cpu->avx2) {
    peakLoop = qcomp_bench::measureAvx2MaddPeak;
    peakName = "independent vpmaddwd + vpaddd on ymm";
  }
  if (peakLoop)
    for (int run = 0; run < 7; ++run)
      peak =
          std::max(peak, peakLoop(kernelName == "amx" ? 200'000 : 20'000'000));
  // The same instruction fed as the 6 x 4 tile feeds it (its loads of B and
  // broadcasts of A, from L1): what a load-fed kernel can reach at best.
  double fedPeak = 0.0;
  if (kernelName == "avx512-vnni")
    for (int run = 0; run < 7; ++run)
      fedPeak =
          std::max(fedPeak, qcomp_bench::measureAvx512VnniFedPeak(10'000'000));
  llvm::outs() << "host " << getHostTriple() << " (" << features
               << "), qcomp int8 kernel " << kernelName
               << ", threads through OpenMP\n";
#ifdef QCOMP_BENCH_HAVE_DNNL
  if (!skipDnnl) {
    // Kernels without an x86 oneDNN counterpart (none, AArch64) leave it free.
    std::string cap = dnnlIsa.getValue();
    if (cap == "kernel")
      cap = llvm::is_contained({"avx512-vnni", "avx-vnni", "avx2"}, kernelName)
                ? kernelName
                : "all";
    if (llvm::Error err = qcomp_bench::setDnnlMaxIsa(cap)) {
      llvm::errs() << "qcomp-bench-gemm: " << llvm::toString(std::move(err))
                   << "\n";
      return 1;
    }
    llvm::outs() << "peer: " << qcomp_bench::getDnnlDescription()
                 << " (--dnnl-isa " << cap << ")\n";
  }
#else
  llvm::outs() << "peer: none (built without oneDNN)\n";
#endif
  if (peak > 0)
    llvm::outs() << llvm::formatv(
        "peak: {0:f1} GOPS per core ({1}, best of 7 loops); 'of peak' is "
        "qcomp s8s8 / (peak x threads)\n",
        peak, peakName);
  if (fedPeak > 0)
    llvm::outs() << llvm::formatv(
        "fed peak: {0:f1} GOPS per core ({1:f1}% of peak: the 6 x 4 tile's K "
        "step, 4 loads + 6 broadcasts + 24 vpdpbusd, operands in L1)\n",
        fedPeak, 100.0 * fedPeak / peak);
  llvm::outs() << "GOPS; qc/dnnl = qcomp u8s8 / oneDNN u8s8, int8/fp32 = "
                  "qcomp s8s8 / fp32\n";
  const char *rowFormat =
      "{0,-18} {1,3} {2,9} {3,9} {4,9} {5,9} {6,8} {7,8} {8,9} {9,9}\n";
  llvm::outs() << llvm::formatv(rowFormat, "M x N x K", "thr", "qc s8s8",
                                "qc u8s8", "dnnl u8s8", "dnnl s8s8", "qc/dnnl",
                                "of peak", "fp32", "int8/fp32");

  JitOptions int8Options;
  int8Options.functionName = "gemm";
  int8Options.cpuFeatures = features;
  int8Options.kernel = kernel;
  int8Options.tileRows = tileRows;
  int8Options.tileVectors = tileVectors;
  JitOptions floatOptions;
  floatOptions.functionName = "gemm";
  floatOptions.cpuFeatures = features;
  // oneDNN's implementations and the figures it could not give, printed
  // after the table.
  std::set<std::string> implementations;
  std::vector<std::string> notes;
  for (const Shape &shape : shapes) {
    double ops = 2.0 * shape.m * shape.n * shape.k;
    std::string shapeText =
        llvm::formatv("{0}x{1}x{2}", shape.m, shape.n, shape.k).str();
    for (unsigned threads : threadCounts) {
      std::optional<double> signedGops, unsignedGops, floatGops;
      std::optional<double> dnnlUnsignedGops, dnnlSignedGops;
      int8Options.threads = floatOptions.threads = threads;
      for (bool isUnsigned : {false, true}) {
        auto time = measure(context, getInt8Module(shape, isUnsigned, rng),
                            int8Options, rng);
        if (!time) {
          llvm::errs() << "qcomp-bench-gemm: qcomp "
                       << (isUnsigned ? "u8s8 " : "s8s8 ") << shapeText << ": "
                       << llvm::toString(time.takeError()) << "\n";
          return 1;
        }
        (isUnsigned ? unsignedGops : signedGops) = ops / *time / 1e9;
      }
#ifdef QCOMP_BENCH_HAVE_DNNL
      if (!skipDnnl) {
        for (bool isUnsigned : {true, false}) {
          const char *variant = isUnsigned ? "u8s8" : "s8s8";
          std::string implementation;
          auto time =
              measureDnnl(shape, isUnsigned, threads, rng, implementation);
          if (!time) {
            notes.push_back(llvm::formatv("oneDNN {0} {1}, {2} threads: {3}",
                                          variant, shapeText, threads,
                                          llvm::toString(time.takeError()))
                                .str());
            continue;
          }
          implementations.insert(
              llvm::formatv("{0} {1}", variant, implementation).str());
          (isUnsigned ? dnnlUnsignedGops : dnnlSignedGops) = ops / *time / 1e9;
        }
      }
#endif
      if (!skipFloat) {
        auto time =
            measure(context, getFloatModule(shape, rng), floatOptions, rng);
        if (!time) {
          llvm::errs() << "qcomp-bench-gemm: fp32 " << shapeText << ": "
                       << llvm::toString(time.takeError()) << "\n";
          return 1;
        }
        floatGops = ops / *time / 1e9;
      }
      auto text = [](std::optional<double> value) {
        return value ? llvm::formatv("{0:f2}", *value).str() : "-";
      };
      std::string ratioText = "-", peakText = "-", floatRatioText = "-";
      if (unsignedGops && dnnlUnsignedGops)
        ratioText =
            llvm::formatv("{0:f2}", *unsignedGops / *dnnlUnsignedGops).str();
      if (signedGops && peak > 0)
        peakText =
            llvm::formatv("{0:f1}%", 100.0 * *signedGops / (peak * threads))
                .str();
      if (signedGops && floatGops)
        floatRatioText =
            llvm::formatv("{0:f2}x", *signedGops / *floatGops).str();
      llvm::outs() << llvm::formatv(
          rowFormat, shapeText, threads, text(signedGops), text(unsignedGops),
          text(dnnlUnsignedGops), text(dnnlSignedGops), ratioText, peakText,
          text(floatGops), floatRatioText);
      llvm::outs().flush();
    }
  }
  if (!implementations.empty()) {
    llvm::outs() << "oneDNN implementations: ";
    llvm::interleaveComma(implementations, llvm::outs());
    llvm::outs() << "\n";
  }
  for (const std::string &note : notes)
    llvm::outs() << "no figure: " << note << "\n";
  return 0;
}
