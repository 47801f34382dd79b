//===- qcomp-consumer.cpp - A compiler that embeds qcomp --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// An out-of-tree tool built against the installed qcomp package: it
// registers the qc dialect next to the upstream dialects of its input,
// loads a float model (.mlir, or .onnx through qcomp's importer), quantizes
// it with qcomp's quantization pipeline and prints the result.
//
//   qcomp-consumer <model> <table.json> [scheme]
//       builds the pipeline through the C++ API (buildQuantizePipeline);
//   qcomp-consumer <model> --pipeline '<textual pipeline>'
//       parses a textual pipeline that names qcomp-quantize-pipeline{...}.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Dialect/QC/IR/QCDialect.h"
#include "qcomp/Import/LoadModel.h"
#include "qcomp/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

using namespace mlir;

int main(int argc, char **argv) {
  if (argc < 3) {
    llvm::errs() << "usage: qcomp-consumer <model> <table.json> [scheme]\n"
                    "       qcomp-consumer <model> --pipeline <text>\n";
    return 2;
  }
  std::string inputPath = argv[1];
  std::string second = argv[2];

  DialectRegistry registry;
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  tensor::TensorDialect, qc::QCDialect>();
  MLIRContext context(registry);

  OwningOpRef<ModuleOp> module =
      qcomp::loadModel(inputPath, &context, qcomp::ONNXImportOptions());
  if (!module)
    return 1;

  PassManager pm(&context);
  if (second == "--pipeline") {
    if (argc < 4) {
      llvm::errs() << "--pipeline needs a textual pipeline\n";
      return 2;
    }
    // The registered pipelines, as any pass manager's textual form sees them.
    qcomp::registerPipelines();
    if (failed(parsePassPipeline(argv[3], pm)))
      return 1;
  } else {
    // The C++ API: one header, one call.
    qcomp::QuantizePipelineOptions options;
    options.calib = second;
    options.scheme = argc > 3 ? argv[3] : "w8a8";
    qcomp::buildQuantizePipeline(pm, options);
  }
  if (failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  llvm::outs() << "\n";
  return 0;
}
