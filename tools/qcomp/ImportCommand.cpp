//===- ImportCommand.cpp - qcomp import -----------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `qcomp import model.onnx -o model.mlir [--input-shape x=1x128]
// [--locations]`: the ONNX importer, printing the module.
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Import/LoadModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::SubCommand command("import", "Import an ONNX model into MLIR");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::sub(command),
                                      cl::cat(getDriverCategory()));

static ModelLoadingOptions loadingOptions(command);

static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::sub(command),
                                       cl::cat(getDriverCategory()));

static cl::opt<bool> printLocations(
    "locations",
    cl::desc("Print locations (the ONNX node names) in the imported IR, so "
             "that later steps on the .mlir file name the nodes as on the "
             ".onnx file (observer ids, diagnostics)"),
    cl::init(false), cl::sub(command), cl::cat(getDriverCategory()));

static int run(MLIRContext &context) {
  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());
  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, *importOptions);
  if (!module)
    return 1;
  std::string error;
  auto output = openOutputFile(outputPath, &error);
  if (!output)
    return reportError(error);
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

DriverCommand qcomp::getImportCommand() { return {command, run}; }
