//===- QCAttrs.h - qc dialect attributes ------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// #qc.stats, #qc.scheme and the enums they use, plus the parameter parsers the
// generated code calls.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_DIALECT_QC_IR_QCATTRS_H
#define QCOMP_DIALECT_QC_IR_QCATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Support/LLVM.h"

#include "qcomp/Dialect/QC/IR/QCEnums.h.inc"

#include <optional>

namespace mlir::qc::detail {
/// Parses a (possibly negative) floating-point or integer literal.
FailureOr<double> parseDouble(AsmParser &parser);
/// As parseDouble, as an IEEE double APFloat.
FailureOr<llvm::APFloat> parseAPFloat(AsmParser &parser);
/// As parseAPFloat, wrapped for optional parameters.
FailureOr<std::optional<llvm::APFloat>> parseOptionalAPFloat(AsmParser &parser);
/// Bitwise equality of optional APFloats.
bool bitwiseEqual(const std::optional<llvm::APFloat> &lhs,
                  const std::optional<llvm::APFloat> &rhs);
/// Parses `[d0, d1, ...]` into a DenseF64ArrayAttr.
FailureOr<DenseF64ArrayAttr> parseDoubleArray(AsmParser &parser);
/// Prints the shortest decimal form that parses back to the same double.
void printDouble(AsmPrinter &printer, double value);
/// Parses `true` or `false`.
FailureOr<bool> parseBool(AsmParser &parser);
/// Parses `[e0, e1, ...]` (possibly empty) of doubles or int64_t.
template <typename T>
FailureOr<SmallVector<T>> parseBracketedList(AsmParser &parser);
/// Prints `[e0, e1, ...]`.
void printBracketedList(AsmPrinter &printer, ArrayRef<double> values);
void printBracketedList(AsmPrinter &printer, ArrayRef<int64_t> values);
} // namespace mlir::qc::detail

#define GET_ATTRDEF_CLASSES
#include "qcomp/Dialect/QC/IR/QCAttrs.h.inc"

#endif // QCOMP_DIALECT_QC_IR_QCATTRS_H
