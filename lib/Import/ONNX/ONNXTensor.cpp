//===- ONNXTensor.cpp - ONNX TensorProto to host tensors ------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Decodes a TensorProto's data (raw little-endian bytes, or the typed
// repeated fields ONNX also allows) into a HostTensor. Shared by the model
// importer (initializers, Constant nodes) and the conformance runner (test
// inputs and expected outputs).
//
//===----------------------------------------------------------------------===//

#include "qcomp/Import/ONNX/ONNXTensor.h"
#include "TensorProtoUtils.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

using namespace mlir::qcomp;
using llvm::createStringError;

std::optional<HostElementType> mlir::qcomp::getHostElementType(int dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return HostElementType::F32;
  case onnx::TensorProto::DOUBLE:
    return HostElementType::F64;
  case onnx::TensorProto::INT8:
    return HostElementType::I8;
  case onnx::TensorProto::UINT8:
    return HostElementType::U8;
  case onnx::TensorProto::INT16:
    return HostElementType::I16;
  case onnx::TensorProto::UINT16:
    return HostElementType::U16;
  case onnx::TensorProto::INT32:
    return HostElementType::I32;
  case onnx::TensorProto::UINT32:
    return HostElementType::U32;
  case onnx::TensorProto::INT64:
    return HostElementType::I64;
  case onnx::TensorProto::UINT64:
    return HostElementType::U64;
  case onnx::TensorProto::BOOL:
    return HostElementType::Bool;
  default:
    return std::nullopt;
  }
}

/// Copies a typed repeated field into `out`, narrowing each element to T.
template <typename T, typename Field>
static void copyField(const Field &field, HostTensor &out) {
  T *dst = out.data<T>();
  for (int i = 0, e = field.size(); i < e; ++i)
    dst[i] = static_cast<T>(field.Get(i));
}

llvm::Expected<HostTensor>
mlir::qcomp::onnx_import::convertTensorProto(const onnx::TensorProto &proto,
                                             llvm::StringRef context) {
  std::optional<HostElementType> type = getHostElementType(proto.data_type());
  if (!type)
    return createStringError(
        llvm::formatv("{0}: tensor '{1}' has unsupported data type {2}",
                      context, proto.name(), proto.data_type()));
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return createStringError(llvm::formatv(
        "{0}: tensor '{1}' uses external data, which is not supported", context,
        proto.name()));
  llvm::SmallVector<int64_t> shape;
  for (int64_t d : proto.dims()) {
    if (d < 0)
      return createStringError(
          llvm::formatv("{0}: tensor '{1}' has negative dimension {2}", context,
                        proto.name(), d));
    shape.push_back(d);
  }
  HostTensor result(*type, shape);
  int64_t n = result.getNumElements();

  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != result.getByteSize())
      return createStringError(llvm::formatv(
          "{0}: tensor '{1}' holds {2} bytes of data, its shape needs {3}",
          context, proto.name(), proto.raw_data().size(),
          result.getByteSize()));
    std::memcpy(result.data(), proto.raw_data().data(), result.getByteSize());
    return result;
  }

  auto checkCount = [&](int64_t count) -> llvm::Error {
    if (count == n)
      return llvm::Error::success();
    return createStringError(llvm::formatv(
        "{0}: tensor '{1}' holds {2} elements, its shape needs {3}", context,
        proto.name(), count, n));
  };
  switch (*type) {
  case HostElementType::F32:
    if (auto err = checkCount(proto.float_data_size()))
      return std::move(err);
    copyField<float>(proto.float_data(), result);
    break;
  case HostElementType::F64:
    if (auto err = checkCount(proto.double_data_size()))
      return std::move(err);
    copyField<double>(proto.double_data(), result);
    break;
  case HostElementType::I8:
    if (auto err = checkCount(proto.int32_data_size()))
      return std::move(err);
    copyField<int8_t>(proto.int32_data(), result);
    break;
  case HostElementType::U8:
  case HostElementType::Bool:
    if (auto err = checkCount(proto.int32_data_size()))
      return std::move(err);
    copyField<uint8_t>(proto.int32_data(), result);
    break;
  case HostElementType::I16:
    if (auto err = checkCount(proto.int32_data_size()))
      return std::move(err);
    copyField<int16_t>(proto.int32_data(), result);
    break;
  case HostElementType::U16:
    if (auto err = checkCount(proto.int32_data_size()))
      return std::move(err);
    copyField<uint16_t>(proto.int32_data(), result);
    break;
  case HostElementType::I32:
    if (auto err = checkCount(proto.int32_data_size()))
      return std::move(err);
    copyField<int32_t>(proto.int32_data(), result);
    break;
  case HostElementType::I64:
    if (auto err = checkCount(proto.int64_data_size()))
      return std::move(err);
    copyField<int64_t>(proto.int64_data(), result);
    break;
  case HostElementType::U32:
  case HostElementType::U64:
    if (auto err = checkCount(proto.uint64_data_size()))
      return std::move(err);
    if (*type == HostElementType::U32)
      copyField<uint32_t>(proto.uint64_data(), result);
    else
      copyField<uint64_t>(proto.uint64_data(), result);
    break;
  }
  return result;
}

llvm::Expected<HostTensor> mlir::qcomp::readONNXTensorFile(llvm::StringRef path,
                                                           std::string *name) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return createStringError(llvm::formatv("{0}: cannot read file: {1}", path,
                                           buffer.getError().message()));
  onnx::TensorProto proto;
  if (!proto.ParseFromArray((*buffer)->getBufferStart(),
                            (*buffer)->getBufferSize()))
    return createStringError(llvm::formatv(
        "{0}: not a valid serialized ONNX TensorProto (truncated or corrupt)",
        path));
  if (name)
    *name = proto.name();
  return onnx_import::convertTensorProto(proto, path);
}
