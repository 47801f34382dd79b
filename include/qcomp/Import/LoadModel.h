//===- LoadModel.h - Read a model from .onnx or .mlir -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The one entry point the driver uses to get a module from a model file:
// `.onnx` files go through the ONNX importer, anything else is parsed as
// MLIR (with every qcomp and upstream dialect registered in the context).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_IMPORT_LOADMODEL_H
#define QCOMP_IMPORT_LOADMODEL_H

#include "qcomp/Import/ONNX/ONNXImporter.h"

namespace mlir::qcomp {

/// Loads `path` (`-` is stdin, read as MLIR); errors go to the context's
/// diagnostics and return null.
OwningOpRef<ModuleOp> loadModel(llvm::StringRef path, MLIRContext *context,
                                const ONNXImportOptions &options);

} // namespace mlir::qcomp

#endif // QCOMP_IMPORT_LOADMODEL_H
