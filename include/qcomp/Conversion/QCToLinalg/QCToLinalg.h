//===- QCToLinalg.h - Reference lowering of qc to linalg --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Patterns that lower qc ops to integer linalg/arith/tensor on the storage
// types of their quantized tensors.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_CONVERSION_QCTOLINALG_QCTOLINALG_H
#define QCOMP_CONVERSION_QCTOLINALG_QCTOLINALG_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qcomp {

/// Converts tensors of quantized element types to tensors of their storage
/// integer types (signless: `!quant.uniform<u8:...>` becomes `i8`); every
/// other type is kept.
class QuantStorageTypeConverter : public TypeConverter {
public:
  QuantStorageTypeConverter();
};

/// Adds the patterns lowering every qc op (and `quant.scast`) to linalg,
/// arith, math and tensor ops on storage types.
void populateQCToLinalgConversionPatterns(const TypeConverter &converter,
                                          RewritePatternSet &patterns);

} // namespace mlir::qcomp

#endif // QCOMP_CONVERSION_QCTOLINALG_QCTOLINALG_H
