//===- HostTensor.cpp - A dense tensor in host memory ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Runtime/HostTensor.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir::qcomp;

unsigned mlir::qcomp::getElementByteSize(HostElementType type) {
  switch (type) {
  case HostElementType::I8:
  case HostElementType::U8:
  case HostElementType::Bool:
    return 1;
  case HostElementType::I16:
  case HostElementType::U16:
    return 2;
  case HostElementType::F32:
  case HostElementType::I32:
  case HostElementType::U32:
    return 4;
  case HostElementType::F64:
  case HostElementType::I64:
  case HostElementType::U64:
    return 8;
  }
  llvm_unreachable("unknown element type");
}

llvm::StringRef mlir::qcomp::getElementTypeName(HostElementType type) {
  switch (type) {
  case HostElementType::F32:
    return "float32";
  case HostElementType::F64:
    return "float64";
  case HostElementType::I8:
    return "int8";
  case HostElementType::U8:
    return "uint8";
  case HostElementType::I16:
    return "int16";
  case HostElementType::U16:
    return "uint16";
  case HostElementType::I32:
    return "int32";
  case HostElementType::U32:
    return "uint32";
  case HostElementType::I64:
    return "int64";
  case HostElementType::U64:
    return "uint64";
  case HostElementType::Bool:
    return "bool";
  }
  llvm_unreachable("unknown element type");
}

std::optional<HostElementType>
mlir::qcomp::parseElementTypeName(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<HostElementType>>(name)
      .Case("float32", HostElementType::F32)
      .Case("float64", HostElementType::F64)
      .Case("int8", HostElementType::I8)
      .Case("uint8", HostElementType::U8)
      .Case("int16", HostElementType::I16)
      .Case("uint16", HostElementType::U16)
      .Case("int32", HostElementType::I32)
      .Case("uint32", HostElementType::U32)
      .Case("int64", HostElementType::I64)
      .Case("uint64", HostElementType::U64)
      .Case("bool", HostElementType::Bool)
      .Default(std::nullopt);
}

bool mlir::qcomp::isFloatElementType(HostElementType type) {
  return type == HostElementType::F32 || type == HostElementType::F64;
}

HostTensor::HostTensor(HostElementType type, llvm::ArrayRef<int64_t> shape)
    : type(type), shape(shape) {
  byteSize = getNumElements() * getElementByteSize(type);
  words.assign((byteSize + 7) / 8, 0);
}

int64_t HostTensor::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

double HostTensor::getAsDouble(int64_t i) const {
  switch (type) {
  case HostElementType::F32:
    return data<float>()[i];
  case HostElementType::F64:
    return data<double>()[i];
  case HostElementType::I8:
    return data<int8_t>()[i];
  case HostElementType::U8:
  case HostElementType::Bool:
    return data<uint8_t>()[i];
  case HostElementType::I16:
    return data<int16_t>()[i];
  case HostElementType::U16:
    return data<uint16_t>()[i];
  case HostElementType::I32:
    return data<int32_t>()[i];
  case HostElementType::U32:
    return data<uint32_t>()[i];
  case HostElementType::I64:
    return static_cast<double>(data<int64_t>()[i]);
  case HostElementType::U64:
    return static_cast<double>(data<uint64_t>()[i]);
  }
  llvm_unreachable("unknown element type");
}

std::string HostTensor::describe() const {
  std::string result;
  llvm::raw_string_ostream os(result);
  os << getElementTypeName(type) << "[";
  llvm::interleave(shape, os, "x");
  os << "]";
  return result;
}

std::optional<std::string>
mlir::qcomp::compareTensors(const HostTensor &actual,
                            const HostTensor &expected, double rtol,
                            double atol) {
  if (actual.getElementType() != expected.getElementType() ||
      actual.getShape() != expected.getShape())
    return "expected " + expected.describe() + ", got " + actual.describe();
  bool isFloat = isFloatElementType(expected.getElementType());
  for (int64_t i = 0, e = expected.getNumElements(); i < e; ++i) {
    double a = actual.getAsDouble(i), x = expected.getAsDouble(i);
    bool match;
    if (!isFloat)
      match = a == x;
    else if (std::isnan(x) || std::isnan(a))
      match = std::isnan(x) && std::isnan(a);
    else if (std::isinf(x) || std::isinf(a))
      match = a == x;
    else
      match = std::fabs(a - x) <= atol + rtol * std::fabs(x);
    if (!match) {
      std::string message;
      llvm::raw_string_ostream os(message);
      os << "element " << i << ": expected " << x << ", got " << a;
      return message;
    }
  }
  return std::nullopt;
}
