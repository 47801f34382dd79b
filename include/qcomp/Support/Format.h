//===- Format.h - Numbers and shapes in messages ----------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// How qcomp's libraries print numbers and shapes in error messages, so that
// every message reads the same: the shortest decimal that reads back as the
// same double, and shapes as "2x3x4".
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_SUPPORT_FORMAT_H
#define QCOMP_SUPPORT_FORMAT_H

#include "llvm/ADT/ArrayRef.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace mlir::qcomp {

/// `value` with the fewest significant digits that read back as the same
/// double ("0.1", "nan", "-inf").
inline std::string formatDouble(double value) {
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (!std::isfinite(value) || std::strtod(buffer, nullptr) == value)
      break;
  }
  return buffer;
}

/// A shape as "2x3x4" ("scalar" for rank 0).
inline std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string result;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0)
      result += 'x';
    result += std::to_string(shape[i]);
  }
  return result;
}

} // namespace mlir::qcomp

#endif // QCOMP_SUPPORT_FORMAT_H
