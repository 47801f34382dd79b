//===- LoadModel.cpp - Read a model from .onnx or .mlir -------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Import/LoadModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

OwningOpRef<ModuleOp> qcomp::loadModel(llvm::StringRef path,
                                       MLIRContext *context,
                                       const ONNXImportOptions &options) {
  if (path.ends_with(".onnx"))
    return importONNXModelFile(path, context, options);
  if (!options.inputShapes.empty()) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "--input-shape applies to ONNX models only";
    return nullptr;
  }
  llvm::SourceMgr sourceMgr;
  std::string includedFile;
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read file: " << buffer.getError().message();
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, context);
}
