//===- HostTensor.h - A dense tensor in host memory -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// HostTensor is the one in-memory tensor type of qcomp's runtime side: what
// .npy/.npz files and ONNX TensorProtos are read into, what JIT-compiled
// functions receive and return (as memref descriptors over its buffer), and
// what the calibration statistics observe. It owns a dense, row-major,
// contiguous buffer of one of the element types below.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_RUNTIME_HOSTTENSOR_H
#define QCOMP_RUNTIME_HOSTTENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::qcomp {

/// The element types a HostTensor can hold. Bool is stored as one byte
/// (0 or 1), as in NumPy and ONNX.
enum class HostElementType {
  F32,
  F64,
  I8,
  U8,
  I16,
  U16,
  I32,
  U32,
  I64,
  U64,
  Bool,
};

/// Size in bytes of one element.
unsigned getElementByteSize(HostElementType type);

/// Human-readable name as NumPy spells it ("float32", "int8", "bool", ...).
llvm::StringRef getElementTypeName(HostElementType type);

/// Parses a NumPy-style name ("float32", "uint8", ...); nullopt if unknown.
std::optional<HostElementType> parseElementTypeName(llvm::StringRef name);

/// True for F32 and F64.
bool isFloatElementType(HostElementType type);

class HostTensor {
public:
  HostTensor() = default;
  /// A zero-filled tensor of the given type and shape.
  HostTensor(HostElementType type, llvm::ArrayRef<int64_t> shape);

  HostElementType getElementType() const { return type; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getRank() const { return shape.size(); }
  /// Product of the dimensions (1 for a rank-0 tensor).
  int64_t getNumElements() const;
  size_t getByteSize() const { return byteSize; }

  void *data() { return words.data(); }
  const void *data() const { return words.data(); }
  template <typename T>
  T *data() {
    return reinterpret_cast<T *>(data());
  }
  template <typename T>
  const T *data() const {
    return reinterpret_cast<const T *>(data());
  }

  /// Element `i` (row-major linear index) converted to double.
  double getAsDouble(int64_t i) const;

  /// "float32[2x3]" -- for diagnostics.
  std::string describe() const;

private:
  HostElementType type = HostElementType::F32;
  llvm::SmallVector<int64_t> shape;
  size_t byteSize = 0;
  // 64-bit words keep the buffer 8-byte aligned for every element type.
  std::vector<uint64_t> words;
};

/// Compares `actual` with `expected`: same element type and shape, floats
/// within `atol + rtol * |expected|` (NaN matches NaN, infinities must be
/// equal), integers and bools exactly. Returns a description of the first
/// difference, or nullopt when they match.
std::optional<std::string> compareTensors(const HostTensor &actual,
                                          const HostTensor &expected,
                                          double rtol, double atol);

} // namespace mlir::qcomp

#endif // QCOMP_RUNTIME_HOSTTENSOR_H
