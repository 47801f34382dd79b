//===- ConstantWeights.h - The constant B of a CPU kernel -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-lower-int-matmul-to-cpu packs B at compile time, so it reads B's
// values: an int8 weight is a constant global (memref.get_global).
//
// int4 and int2 weights reach the integer matmul as the reference lowering
// of qc.unpack: a linalg.generic that fills a K x N buffer of iB values from
// a constant global of packed bytes. qc-lower-int-matmul-to-cpu reads the
// weight values from that global at compile time, packs them for the kernel
// at their own width (B bits, 8 / B per byte, a vector's bytes in 1 / R of a
// vector) and widens them to int8 in registers, after each vector load: the
// weights take B / 8 of the memory and bandwidth int8 ones do.
//
// The packed form of one kernel operand of V int8 values v[0, V): R = 8 / B
// parts of V / R values, byte i holding v[i + r V / R] in bits
// [B r, B (r + 1)) for every part r. Unpacking part r is two shifts of the
// whole vector, `(x << (8 - B (r + 1))) >>s (8 - B)`, and the parts are
// concatenated.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_CONVERSION_MATMULTOCPU_CONSTANTWEIGHTS_H
#define QCOMP_LIB_CONVERSION_MATMULTOCPU_CONSTANTWEIGHTS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::qcomp {

/// The values of a constant global's initial value, row-major, when its
/// elements are of C++ type T (int8_t for i8, float for f32): a dense
/// attribute or a dense resource.
template <typename T>
FailureOr<std::vector<T>> getConstantGlobalValues(memref::GlobalOp global) {
  if (!global.getConstant() || !global.getInitialValue())
    return failure();
  Attribute init = *global.getInitialValue();
  if (auto dense = dyn_cast<DenseElementsAttr>(init)) {
    auto values = dense.tryGetValues<T>();
    if (failed(values))
      return failure();
    return std::vector<T>(values->begin(), values->end());
  }
  if (auto resource =
          dyn_cast<detail::DenseResourceElementsAttrBase<T>>(init)) {
    std::optional<ArrayRef<T>> data = resource.tryGetAsArrayRef();
    if (!data)
      return failure();
    return std::vector<T>(data->begin(), data->end());
  }
  return failure();
}

/// The values of the constant global `getGlobal` reads, as
/// getConstantGlobalValues; failure when there is none.
template <typename T>
FailureOr<std::vector<T>> getGlobalValues(memref::GetGlobalOp getGlobal,
                                          SymbolTableCollection &symbols) {
  if (!getGlobal)
    return failure();
  auto global = symbols.lookupNearestSymbolFrom<memref::GlobalOp>(
      getGlobal, getGlobal.getNameAttr());
  if (!global)
    return failure();
  return getConstantGlobalValues<T>(global);
}

/// A K x N weight of B-bit signed values unpacked from a constant global.
struct UnpackedWeights {
  unsigned bits = 8;
  /// The values sign-extended, K x N row-major (moved out by the kernel).
  std::vector<int8_t> values;
  /// The unpacking generic, and the buffer it fills with its allocation and
  /// deallocations: erased with the matmul when nothing else reads it.
  linalg::GenericOp unpack;
};

/// Matches `b`, the B operand of an integer matmul (memref<K x N x iB>,
/// B = 2 or 4), as the reference lowering of qc.unpack of a constant
/// global (see UnpackLowering in QCToLinalg.cpp: field j of row k is bits
/// [B (j mod R), B (j mod R + 1)) of byte [k][j / R]), or as the constant
/// fill canonicalization makes of it for a splat, and reads its values.
/// Fails with an empty `reason` when `b` is not written by a generic, with
/// a reason when it is but not in that form.
FailureOr<UnpackedWeights> matchUnpackedWeights(Value b,
                                                SymbolTableCollection &symbols,
                                                std::string &reason);

/// Erases the unpacking generic, its buffer and the buffer's deallocations
/// when the kernel has replaced the only matmul that read it.
void eraseUnusedUnpack(UnpackedWeights &weights);

/// `values` (whole kernel operands of `vectorLength` int8 values each,
/// back to back) packed at `bits` per value, as described at the top of
/// the file: vectorLength * bits / 8 bytes per operand.
std::vector<int64_t> packSubByteOperands(ArrayRef<int64_t> values,
                                         int64_t vectorLength, unsigned bits);

/// The kernel operand, vector<V x i8>, from its packed bytes `packed`
/// (vector<V B / 8 x i8>): arithmetic shifts and a concatenation.
Value emitSubByteUnpack(OpBuilder &b, Location loc, Value packed,
                        unsigned bits);

} // namespace mlir::qcomp

#endif // QCOMP_LIB_CONVERSION_MATMULTOCPU_CONSTANTWEIGHTS_H
