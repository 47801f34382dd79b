//===- ONNXImporter.h - ONNX model to MLIR ----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Imports an ONNX model (a ModelProto file, parsed with Debian's libonnx /
// protobuf) into a module with one `func.func` on ranked, statically shaped
// tensors: graph inputs become arguments, graph outputs results, initializers
// constants (large ones as `dense_resource` blobs), and nodes linalg named ops,
// linalg.generic, tensor, arith and math ops. The ONNX quantization operators
// (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// QLinearMatMul, ConvInteger, QLinearConv) become `qc` ops on
// `!quant.uniform` tensors.
//
// Integers are signless in the IR. Arguments and results carry their ONNX
// names in `qc.name`, and unsigned ones `qc.dtype = "uint8"` (NumPy's name),
// so that runners read and write the right type.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_IMPORT_ONNX_ONNXIMPORTER_H
#define QCOMP_IMPORT_ONNX_ONNXIMPORTER_H

#include "qcomp/Runtime/HostTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <string>

namespace mlir::qcomp {

struct ONNXImportOptions {
  /// Shapes bound to graph inputs, replacing symbolic or declared dims.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Graph inputs bound to constant values: they become constants instead of
  /// function arguments (e.g. the shape input of a Reshape, which a
  /// static-shape compiler needs at compile time).
  std::map<std::string, HostTensor> constantInputs;
  /// Name of the imported function.
  std::string functionName = "main";
  /// Initializers with more elements than this become `dense_resource`.
  int64_t resourceThreshold = 256;
};

/// Parses a `--input-shape` value `name=1x3x224x224` into `options`. Returns
/// an error message on malformed input.
llvm::Error parseInputShapeBinding(llvm::StringRef text,
                                   ONNXImportOptions &options);

/// Reads and imports the ONNX model in `path`. Errors (unreadable or corrupt
/// file, unsupported opset, operator or attribute) are reported through the
/// context's diagnostic engine, naming the file, node and operator; the
/// result is then null.
OwningOpRef<ModuleOp> importONNXModelFile(llvm::StringRef path,
                                          MLIRContext *context,
                                          const ONNXImportOptions &options);

/// Same from an in-memory serialized ModelProto; `bufferName` names it in
/// diagnostics.
OwningOpRef<ModuleOp> importONNXModel(llvm::StringRef bytes,
                                      llvm::StringRef bufferName,
                                      MLIRContext *context,
                                      const ONNXImportOptions &options);

} // namespace mlir::qcomp

#endif // QCOMP_IMPORT_ONNX_ONNXIMPORTER_H
