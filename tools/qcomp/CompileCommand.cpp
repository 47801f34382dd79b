//===- CompileCommand.cpp - qcomp compile ---------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `qcomp compile model.{onnx,mlir} [--mtriple T] [--mcpu C] [--mattr F]
// [--kernel K] [--threads N] -o out.{o,so,s,ll,mlir} [--header out.h]`:
// ahead-of-time compilation (lib/Execution/CompileModel) for the host, or
// for another target named as llc names it, with a C header declaring the
// entry points.
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Execution/CompileModel.h"
#include "qcomp/Import/LoadModel.h"
#include "qcomp/Target/CPU/CPUFeatures.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::SubCommand
    command("compile", "Compile a model (float or quantized) ahead of time to "
                       "an object file, shared library, assembly or LLVM IR, "
                       "with a C header");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::sub(command),
                                      cl::cat(getDriverCategory()));

static ModelLoadingOptions loadingOptions(command);

static cl::opt<std::string>
    outputPath("o", cl::Required,
               cl::desc("Output: .o (object), .so (shared library), .s "
                        "(assembly), .ll (LLVM IR) or .mlir (the LLVM "
                        "dialect)"),
               cl::value_desc("file"), cl::sub(command),
               cl::cat(getDriverCategory()));

static cl::opt<std::string>
    headerPath("header",
               cl::desc("The C header (default: the output with .h; 'none' "
                        "for no header)"),
               cl::value_desc("file"), cl::sub(command),
               cl::cat(getDriverCategory()));

static cl::opt<std::string>
    triple("mtriple", cl::desc("Target triple (default: the host's)"),
           cl::value_desc("triple"), cl::sub(command),
           cl::cat(getDriverCategory()));

static cl::opt<std::string>
    cpuName("mcpu",
            cl::desc("Target CPU (default: the host's when compiling for the "
                     "host, else generic)"),
            cl::value_desc("name"), cl::sub(command),
            cl::cat(getDriverCategory()));

static cl::opt<std::string>
    features("mattr",
             cl::desc("Target features, +a,-b (default: the host's when "
                      "compiling for the host); +avx512vnni, +avxvnni, +avx2, "
                      "+i8mm, +dotprod choose the integer matmul kernel"),
             cl::value_desc("features"), cl::sub(command),
             cl::cat(getDriverCategory()));

static KernelFlags kernelFlags(command,
                               "Integer matmul kernel: auto (the best the "
                               "features allow), avx512-vnni, avx-vnni, avx2, "
                               "i8mm, dotprod, or none");

static int run(MLIRContext &context) {
  CompileOptions options;
  llvm::StringRef extension = llvm::sys::path::extension(outputPath);
  if (extension == ".o")
    options.kind = OutputKind::Object;
  else if (extension == ".so")
    options.kind = OutputKind::SharedLibrary;
  else if (extension == ".s")
    options.kind = OutputKind::Assembly;
  else if (extension == ".ll")
    options.kind = OutputKind::LLVMIR;
  else if (extension == ".mlir")
    options.kind = OutputKind::MLIR;
  else
    return reportError("-o " + outputPath +
                       ": unknown output kind (expected .o, .so, .s, .ll "
                       "or .mlir)");
  std::string host = getHostTriple();
  options.triple = triple.empty() ? host : triple.getValue();
  bool forHost =
      llvm::Triple(options.triple).getArch() == llvm::Triple(host).getArch();
  options.cpu = !cpuName.empty() ? cpuName.getValue()
                : forHost        ? llvm::sys::getHostCPUName().str()
                                 : "generic";
  options.features = features.getNumOccurrences() ? features.getValue()
                     : forHost                    ? getHostCPUFeatures()
                                                  : "";
  options.kernel = kernelFlags.getKernel();
  options.threads = kernelFlags.getThreads();
  if (llvm::Error err = kernelFlags.validate())
    return reportError(std::move(err));
  if (auto cpu = CPUFeatures::parse(options.triple, options.features); !cpu)
    return reportError(cpu.takeError());

  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());
  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, *importOptions);
  if (!module)
    return 1;

  llvm::SmallString<128> header(headerPath);
  if (header.empty()) {
    header = outputPath;
    llvm::sys::path::replace_extension(header, ".h");
  }
  std::string headerText;
  if (headerPath != "none") {
    llvm::SmallString<128> guard("QCOMP_");
    guard += llvm::sys::path::stem(header);
    guard += "_H";
    for (char &c : guard)
      c = llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
    auto text = getCHeader(*module, guard, options.threads);
    if (!text)
      return reportError(text.takeError());
    headerText = std::move(*text);
  }

  std::string error;
  if (options.kind == OutputKind::SharedLibrary) {
    // The object in a temporary file, then linked into the library.
    llvm::SmallString<128> objectPath;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "qcomp-compile", "o", objectPath))
      return reportError("cannot create a temporary object file: " +
                         ec.message());
    llvm::FileRemover removeObject(objectPath);
    auto object = openOutputFile(objectPath, &error);
    if (!object)
      return reportError(error);
    if (llvm::Error err = compileModule(*module, options, object->os()))
      return reportError(std::move(err));
    object->keep();
    object->os().close();
    if (llvm::Error err = linkSharedLibrary(objectPath, outputPath, options))
      return reportError(std::move(err));
  } else {
    auto output = openOutputFile(outputPath, &error);
    if (!output)
      return reportError(error);
    if (llvm::Error err = compileModule(*module, options, output->os()))
      return reportError(std::move(err));
    output->keep();
  }
  if (!headerText.empty()) {
    auto headerFile = openOutputFile(header, &error);
    if (!headerFile)
      return reportError(error);
    headerFile->os() << headerText;
    headerFile->keep();
  }
  llvm::outs() << "compiled " << modelPath << " for " << options.triple
               << " (cpu " << options.cpu << ", kernel " << options.kernel
               << ", "
               << (options.threads ? std::to_string(options.threads)
                                   : std::string("all"))
               << (options.threads == 1 ? " thread" : " threads") << ") -> "
               << outputPath << "\n";
  return 0;
}

DriverCommand qcomp::getCompileCommand() { return {command, run}; }
