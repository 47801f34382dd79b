//===- ONNXTensor.h - ONNX TensorProto to host tensors ----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Reads serialized ONNX TensorProto files (the `input_0.pb` / `output_0.pb`
// of ONNX's backend test data) into HostTensors.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_IMPORT_ONNX_ONNXTENSOR_H
#define QCOMP_IMPORT_ONNX_ONNXTENSOR_H

#include "qcomp/Runtime/HostTensor.h"

#include "llvm/Support/Error.h"

namespace mlir::qcomp {

/// Reads one serialized TensorProto; the error names the file. `name`, if
/// given, receives the TensorProto's name.
llvm::Expected<HostTensor> readONNXTensorFile(llvm::StringRef path,
                                              std::string *name = nullptr);

/// Maps an ONNX TensorProto data type to a host element type.
std::optional<HostElementType> getHostElementType(int onnxDataType);

} // namespace mlir::qcomp

#endif // QCOMP_IMPORT_ONNX_ONNXTENSOR_H
