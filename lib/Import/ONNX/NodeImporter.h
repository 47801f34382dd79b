//===- NodeImporter.h - What an ONNX operator importer sees -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Private interface between the graph importer (ONNXImporter.cpp) and the
// per-operator importers (ElementwiseOps.cpp, ShapeOps.cpp, NNOps.cpp,
// QuantOps.cpp). An operator importer gets a NodeImporter for one node: typed
// access to its inputs (with their ONNX element types, which keep the
// signedness the signless IR integers lose), constant inputs, attributes, and
// a way to bind its outputs. Attributes an importer never reads are reported
// as unsupported after it returns, so a model is never imported with an
// attribute silently ignored.
//
// Compile-time constants: initializers and Constant node outputs are known
// values, and so is any output an importer binds with setConstantOutput (a
// Shape, or a shape computation folded from constants). A consumer that needs
// a value at import time (Reshape's shape, Slice's starts, ...) reads it with
// getConstantInput, which is how exported chains such as
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape import with static shapes.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_IMPORT_ONNX_NODEIMPORTER_H
#define QCOMP_LIB_IMPORT_ONNX_NODEIMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

namespace mlir::qcomp::onnx_import {

/// An imported ONNX value: the IR value and its ONNX element type
/// (`onnx::TensorProto_DataType`).
struct ImportedValue {
  Value value;
  int32_t dataType = 0;
};

class NodeImporter {
public:
  NodeImporter(const onnx::NodeProto &node, int64_t opsetVersion,
               llvm::StringMap<ImportedValue> &values,
               llvm::StringMap<DenseElementsAttr> &constants,
               OpBuilder &builder, Location loc);

  OpBuilder &b;
  Location loc;

  llvm::StringRef getOpType() const { return node.op_type(); }
  llvm::StringRef getName() const { return node.name(); }
  int64_t getOpsetVersion() const { return opsetVersion; }
  MLIRContext *getContext() const { return b.getContext(); }

  //===--------------------------------------------------------------------===//
  // Inputs
  //===--------------------------------------------------------------------===//

  /// Number of inputs, including omitted optional ones ("" names).
  unsigned getNumInputs() const { return node.input_size(); }
  /// True if input `i` exists and is not omitted.
  bool hasInput(unsigned i) const;
  Value getInput(unsigned i) const;
  RankedTensorType getInputType(unsigned i) const;
  llvm::ArrayRef<int64_t> getInputShape(unsigned i) const {
    return getInputType(i).getShape();
  }
  int32_t getInputDataType(unsigned i) const;
  /// The compile-time value of input `i` (an initializer, a Constant node's
  /// output or an output bound by setConstantOutput); emits "<what> (input i)
  /// must be a constant" otherwise.
  FailureOr<DenseElementsAttr> getConstantInput(unsigned i,
                                                llvm::StringRef what);
  /// The compile-time value of input `i` if it has one, else null; emits
  /// nothing (for importers that fold when they can).
  DenseElementsAttr lookupConstantInput(unsigned i) const;
  /// A constant integer input as int64 values.
  FailureOr<llvm::SmallVector<int64_t>> getConstantInts(unsigned i,
                                                        llvm::StringRef what);
  /// A constant float input as double values.
  FailureOr<llvm::SmallVector<double>> getConstantFloats(unsigned i,
                                                         llvm::StringRef what);
  /// Checks that the node has between `min` and `max` inputs.
  LogicalResult checkNumInputs(unsigned min, unsigned max);

  //===--------------------------------------------------------------------===//
  // Attributes (each lookup marks the attribute as supported)
  //===--------------------------------------------------------------------===//

  const onnx::AttributeProto *findAttr(llvm::StringRef name);
  bool hasAttr(llvm::StringRef name) { return findAttr(name) != nullptr; }
  int64_t getIntAttr(llvm::StringRef name, int64_t defaultValue);
  float getFloatAttr(llvm::StringRef name, float defaultValue);
  std::string getStringAttr(llvm::StringRef name, llvm::StringRef defaultValue);
  std::optional<llvm::SmallVector<int64_t>> getIntsAttr(llvm::StringRef name);
  std::optional<llvm::SmallVector<float>> getFloatsAttr(llvm::StringRef name);
  /// Names of attributes present on the node that no lookup asked for.
  llvm::SmallVector<std::string> getUnreadAttributes() const;

  //===--------------------------------------------------------------------===//
  // Outputs
  //===--------------------------------------------------------------------===//

  unsigned getNumOutputs() const { return node.output_size(); }
  bool hasOutput(unsigned i) const;
  void setOutput(unsigned i, Value value, int32_t dataType);
  /// Binds output `i` to an `arith.constant` holding `value` and records
  /// `value` as its compile-time value, which later nodes read through
  /// getConstantInput / lookupConstantInput.
  void setConstantOutput(unsigned i, DenseElementsAttr value, int32_t dataType);

  //===--------------------------------------------------------------------===//
  // Diagnostics
  //===--------------------------------------------------------------------===//

  /// An error at the node's location, prefixed "node '<name>' (<OpType>): ".
  InFlightDiagnostic emitError();
  /// emitError() << "unsupported " << what; returns failure.
  LogicalResult unsupported(const llvm::Twine &what);

  /// Normalizes a possibly negative axis against `rank`; emits an error and
  /// fails when it is out of range.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   llvm::StringRef what = "axis");

private:
  const onnx::NodeProto &node;
  int64_t opsetVersion;
  llvm::StringMap<ImportedValue> &values;
  llvm::StringMap<DenseElementsAttr> &constants;
  llvm::SmallSet<std::string, 8> readAttributes;
};

/// Imports one node; the NodeImporter has checked nothing but the op type.
using OpImportFn = LogicalResult (*)(NodeImporter &);
using OpImporterTable = llvm::StringMap<OpImportFn>;

void registerElementwiseOps(OpImporterTable &table);
void registerMatMulOps(OpImporterTable &table);
void registerShapeOps(OpImporterTable &table);
void registerConvPoolOps(OpImporterTable &table);
void registerNormalizationOps(OpImporterTable &table);
void registerReductionOps(OpImporterTable &table);
void registerQuantOps(OpImporterTable &table);

/// The operands of a NumPy matmul brought to the shapes of one contraction:
///   A: MxK,     B: KxN      -> MxK and KxN (batched = false)
///   A: ...xMxK, B: KxN      -> (...*M)xK and KxN, a shared weight
///   A: ...xMxK, B: ...xKxN  -> batch dims broadcast and collapsed:
///                              BxMxK and BxKxN (batched = true)
/// 1-D operands are promoted to matrices; `resultShape` is the NumPy result
/// shape the contraction's product is reshaped to.
struct MatmulOperands {
  Value lhs, rhs;
  bool batched = false;
  int64_t k = 0, n = 0;
  llvm::SmallVector<int64_t> resultShape;

  /// The shape of the contraction's product: MxN or BxMxN.
  llvm::SmallVector<int64_t> getProductShape() const;
};
/// Checks and reshapes the operands of a NumPy matmul (ranks >= 1, batch
/// dimensions broadcast); errors name the node.
FailureOr<MatmulOperands> prepareMatmulOperands(NodeImporter &node, Value lhs,
                                                Value rhs);

/// Where the windows of a convolution or pooling lie over the spatial
/// dimensions of the input (ConvPoolOps.cpp).
struct WindowGeometry {
  llvm::SmallVector<int64_t> kernel, strides, dilations;
  /// The padding the operator defines (explicit `pads` or from `auto_pad`):
  /// AveragePool with count_include_pad = 1 counts it.
  llvm::SmallVector<int64_t> padsBegin, padsEnd;
  /// The padding the tensor.pad adds at the end: enough for the last window
  /// (which ceil_mode may push past `padsEnd`), and no more.
  llvm::SmallVector<int64_t> padHigh;
  llvm::SmallVector<int64_t> outputShape;

  int64_t getRank() const { return kernel.size(); }
  bool hasPadding() const {
    return llvm::any_of(padsBegin, [](int64_t p) { return p != 0; }) ||
           llvm::any_of(padHigh, [](int64_t p) { return p != 0; });
  }
};

/// The group and windows of an ONNX convolution (Conv, ConvInteger,
/// QLinearConv) of input 0 (N x C x D1 ...) by the filter at `filterIndex`
/// (F x C/group x K1 ...): checks the shapes against `group` and
/// `kernel_shape`, and reads strides, dilations, pads and auto_pad.
struct ConvGeometry {
  int64_t group = 1;
  WindowGeometry window;
};
FailureOr<ConvGeometry> readConvGeometry(NodeImporter &node,
                                         unsigned filterIndex);

/// NumPy matmul of two float or integer tensors, as linalg.matmul /
/// linalg.batch_matmul.
FailureOr<Value> buildMatmul(NodeImporter &node, Value lhs, Value rhs);

//===----------------------------------------------------------------------===//
// IR-building helpers shared by the operator importers (ImportUtils.cpp)
//===----------------------------------------------------------------------===//

/// The IR element type of an ONNX data type (integers signless, bool i1);
/// null for unsupported types (strings, float16, ...).
Type getElementType(MLIRContext *context, int32_t dataType);
/// The ONNX name of a data type ("FLOAT", "UINT8", ...).
llvm::StringRef getDataTypeName(int32_t dataType);
bool isUnsignedDataType(int32_t dataType);
bool isFloatDataType(int32_t dataType);

/// tensor.empty of the given shape and element type.
Value createEmpty(OpBuilder &b, Location loc, llvm::ArrayRef<int64_t> shape,
                  Type elementType);
/// A scalar arith.constant of `type` (float or integer) holding `value`.
Value createScalarConstant(OpBuilder &b, Location loc, Type type, double value);
/// A tensor filled with the scalar `value`:
///   %e = tensor.empty() ; %f = linalg.fill ins(%value) outs(%e)
Value createFilled(OpBuilder &b, Location loc, llvm::ArrayRef<int64_t> shape,
                   Value value);
/// Reshapes a static tensor with tensor.collapse_shape/expand_shape (via a
/// rank-1 intermediate when needed); a no-op when the shape is unchanged.
Value reshapeTensor(OpBuilder &b, Location loc, Value input,
                    llvm::ArrayRef<int64_t> shape);
/// linalg.transpose with the given permutation (a no-op for the identity).
Value transposeTensor(OpBuilder &b, Location loc, Value input,
                      llvm::ArrayRef<int64_t> permutation);
/// Broadcasts `input` to `shape` (NumPy rules, the rank may grow; the caller
/// has checked compatibility): drops the size-1 dimensions that are
/// broadcast, then
///   linalg.broadcast ins(%kept : tensor<3xf32>) outs(%e : tensor<2x3xf32>)
///                    dimensions = [0]
/// A no-op when the shape is unchanged.
Value broadcastTensor(OpBuilder &b, Location loc, Value input,
                      llvm::ArrayRef<int64_t> shape);

/// NumPy broadcasting of static shapes; failure when incompatible.
FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes);

using ElementwiseBodyFn =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;
/// A linalg.generic computing `body` elementwise over `inputs` broadcast
/// (NumPy rules) to `resultShape`; a broadcast dimension of size 1 is read
/// through a constant-0 index:
///   linalg.generic {indexing_maps = [(d0, d1) -> (0, d1), (d0, d1) -> (d0,
///   d1)]}
Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                       llvm::ArrayRef<int64_t> resultShape, Type resultType,
                       ElementwiseBodyFn body);

/// Converts a scalar between element types (float/int, signed/unsigned
/// according to the ONNX data types), as ONNX Cast does: float to integer
/// truncates toward zero.
Value convertScalar(OpBuilder &b, Location loc, Value value,
                    int32_t fromDataType, int32_t toDataType);

/// A linalg.generic, all loops parallel over `resultShape`, reading `inputs`
/// through `inputMaps` and writing an identity-mapped tensor.empty:
///   linalg.generic {indexing_maps = [(d0, d1) -> (d0), (d0, d1) -> (d0, d1)]}
Value buildMappedGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                         llvm::ArrayRef<AffineMap> inputMaps,
                         llvm::ArrayRef<int64_t> resultShape, Type resultType,
                         ElementwiseBodyFn body);

/// Reduces `input` over `axes` (dimension indices); the result drops them.
/// `combine` gets (element, accumulator) and returns the new accumulator:
///   %init = linalg.fill ins(%initValue) outs(tensor.empty)
///   %r = linalg.reduce ins(%input) outs(%init) dimensions = [1] { combine }
Value buildReduction(OpBuilder &b, Location loc, Value input,
                     llvm::ArrayRef<int64_t> axes, Value initValue,
                     ElementwiseBodyFn combine);

/// `shape` with the dimensions in `axes` set to 1 (keepdims).
llvm::SmallVector<int64_t> getKeptDimsShape(llvm::ArrayRef<int64_t> shape,
                                            llvm::ArrayRef<int64_t> axes);

/// The map from a rank-`rank` iteration space to a tensor that lacks the
/// dimensions in `axes`: (d0, d1, d2) -> (d0, d2) for axes = [1].
AffineMap getDroppedDimsMap(int64_t rank, llvm::ArrayRef<int64_t> axes,
                            MLIRContext *context);

/// The identity of max (-inf, or the type's minimum integer) and of min
/// (+inf, or the maximum integer) as scalar constants.
Value createLowestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned);
Value createHighestValue(OpBuilder &b, Location loc, Type type,
                         bool isUnsigned);

} // namespace mlir::qcomp::onnx_import

#endif // QCOMP_LIB_IMPORT_ONNX_NODEIMPORTER_H
