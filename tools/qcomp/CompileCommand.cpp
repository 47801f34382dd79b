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

#include "qcomp/Import/LoadModel.h"

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

static CompileFlags compileFlags(command);

static int run(MLIRContext &context) {
  auto options = compileFlags.getOptions();
  if (!options)
    return reportError(options.takeError());
  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());
  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, *importOptions);
  if (!module)
    return 1;
  auto header = compileFlags.write(*module, *options);
  if (!header)
    return reportError(header.takeError());
  llvm::outs() << "compiled " << modelPath << " for " << options->triple
               << " (cpu " << options->cpu << ", kernel " << options->kernel
               << ", " << describeThreads(options->threads) << ") -> "
               << compileFlags.getOutputPath() << "\n";
  return 0;
}

DriverCommand qcomp::getCompileCommand() { return {command, run}; }
