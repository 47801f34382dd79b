//===- TensorProtoUtils.h - Decoding ONNX TensorProtos ----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_IMPORT_ONNX_TENSORPROTOUTILS_H
#define QCOMP_LIB_IMPORT_ONNX_TENSORPROTOUTILS_H

#include "qcomp/Runtime/HostTensor.h"

#include "llvm/Support/Error.h"

#include "onnx/onnx_pb.h"

namespace mlir::qcomp::onnx_import {

/// Decodes `proto` (raw_data or typed fields) into a host tensor; errors
/// start with `context` (the file name) and name the tensor.
llvm::Expected<HostTensor> convertTensorProto(const onnx::TensorProto &proto,
                                              llvm::StringRef context);

} // namespace mlir::qcomp::onnx_import

#endif // QCOMP_LIB_IMPORT_ONNX_TENSORPROTOUTILS_H
