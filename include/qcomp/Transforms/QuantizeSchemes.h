//===- QuantizeSchemes.h - The named schemes of qc-quantize -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The names qc-quantize's `scheme` option accepts, for tools that check or
// list them before running the pass (the qcomp driver).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TRANSFORMS_QUANTIZESCHEMES_H
#define QCOMP_TRANSFORMS_QUANTIZESCHEMES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::qcomp {

/// The named schemes of qc-quantize ("w8a8", "w8a8-dynamic", ...), in the
/// order its documentation and error messages list them.
llvm::ArrayRef<llvm::StringRef> getQuantizeSchemeNames();

} // namespace mlir::qcomp

#endif // QCOMP_TRANSFORMS_QUANTIZESCHEMES_H
