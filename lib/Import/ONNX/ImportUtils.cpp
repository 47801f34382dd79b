//===- ImportUtils.cpp - IR-building helpers for ONNX operators -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Data-type mapping, broadcasting, reshapes and elementwise linalg.generic
// construction shared by the operator importers.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace mlir::qcomp::onnx_import;

Type mlir::qcomp::onnx_import::getElementType(MLIRContext *context,
                                              int32_t dataType) {
  Builder b(context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return nullptr;
  }
}

llvm::StringRef mlir::qcomp::onnx_import::getDataTypeName(int32_t dataType) {
  if (onnx::TensorProto::DataType_IsValid(dataType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dataType));
  return "<invalid data type>";
}

bool mlir::qcomp::onnx_import::isUnsignedDataType(int32_t dataType) {
  return dataType == onnx::TensorProto::UINT8 ||
         dataType == onnx::TensorProto::UINT16 ||
         dataType == onnx::TensorProto::UINT32 ||
         dataType == onnx::TensorProto::UINT64;
}

bool mlir::qcomp::onnx_import::isFloatDataType(int32_t dataType) {
  return dataType == onnx::TensorProto::FLOAT ||
         dataType == onnx::TensorProto::DOUBLE;
}

Value mlir::qcomp::onnx_import::createEmpty(OpBuilder &b, Location loc,
                                            llvm::ArrayRef<int64_t> shape,
                                            Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value mlir::qcomp::onnx_import::createScalarConstant(OpBuilder &b, Location loc,
                                                     Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value mlir::qcomp::onnx_import::createFilled(OpBuilder &b, Location loc,
                                             llvm::ArrayRef<int64_t> shape,
                                             Value value) {
  Value empty = createEmpty(b, loc, shape, value.getType());
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

Value mlir::qcomp::onnx_import::reshapeTensor(OpBuilder &b, Location loc,
                                              Value input,
                                              llvm::ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getShape() == shape)
    return input;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  // Through rank 1 (or rank 0, which both sides reach with an empty
  // reassociation when every dimension is 1).
  Value flat = input;
  int64_t numElements = type.getNumElements();
  if (type.getRank() == 0 || shape.empty()) {
    if (type.getRank() == 0)
      return tensor::ExpandShapeOp::create(
          b, loc, resultType, input, llvm::ArrayRef<ReassociationIndices>{});
    return tensor::CollapseShapeOp::create(
        b, loc, input, llvm::ArrayRef<ReassociationIndices>{});
  }
  // A pure collapse or expand of contiguous dimensions is one op.
  if (type.getRank() != (int64_t)shape.size()) {
    if (std::optional<llvm::SmallVector<ReassociationIndices>> groups =
            getReassociationIndicesForReshape(type, resultType)) {
      if (type.getRank() > (int64_t)shape.size())
        return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                               *groups);
      return tensor::ExpandShapeOp::create(b, loc, resultType, input, *groups);
    }
  }
  if (type.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t d = 0; d < type.getRank(); ++d)
      all.push_back(d);
    flat = tensor::CollapseShapeOp::create(
        b, loc, input, llvm::ArrayRef<ReassociationIndices>{all});
  }
  if (shape.size() == 1 && shape[0] == numElements)
    return flat;
  ReassociationIndices all;
  for (int64_t d = 0; d < (int64_t)shape.size(); ++d)
    all.push_back(d);
  return tensor::ExpandShapeOp::create(
      b, loc, resultType, flat, llvm::ArrayRef<ReassociationIndices>{all});
}

Value mlir::qcomp::onnx_import::transposeTensor(
    OpBuilder &b, Location loc, Value input,
    llvm::ArrayRef<int64_t> permutation) {
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(permutation))
    identity &= (int64_t)i == p;
  if (identity)
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  llvm::SmallVector<int64_t> shape;
  for (int64_t p : permutation)
    shape.push_back(type.getDimSize(p));
  Value init = createEmpty(b, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(b, loc, input, init, permutation)
      .getResult()[0];
}

Value mlir::qcomp::onnx_import::broadcastTensor(OpBuilder &b, Location loc,
                                                Value input,
                                                llvm::ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getShape() == shape)
    return input;
  int64_t offset = shape.size() - type.getRank();
  llvm::SmallVector<int64_t> keptShape, broadcastDims;
  for (int64_t d = 0; d < (int64_t)shape.size(); ++d) {
    int64_t source = d - offset;
    if (source >= 0 && type.getDimSize(source) == shape[d])
      keptShape.push_back(shape[d]);
    else
      broadcastDims.push_back(d);
  }
  Value kept = reshapeTensor(b, loc, input, keptShape);
  Value init = createEmpty(b, loc, shape, type.getElementType());
  return linalg::BroadcastOp::create(b, loc, kept, init, broadcastDims)
      .getResult()[0];
}

FailureOr<llvm::SmallVector<int64_t>> mlir::qcomp::onnx_import::broadcastShapes(
    llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (llvm::ArrayRef<int64_t> shape : shapes)
    rank = std::max(rank, shape.size());
  llvm::SmallVector<int64_t> result(rank, 1);
  for (llvm::ArrayRef<int64_t> shape : shapes) {
    size_t offset = rank - shape.size();
    for (auto [i, d] : llvm::enumerate(shape)) {
      int64_t &r = result[offset + i];
      if (d == r || d == 1)
        continue;
      if (r != 1)
        return failure();
      r = d;
    }
  }
  return result;
}

Value mlir::qcomp::onnx_import::buildElementwise(
    OpBuilder &b, Location loc, ValueRange inputs,
    llvm::ArrayRef<int64_t> resultShape, Type resultType,
    ElementwiseBodyFn body) {
  int64_t rank = resultShape.size();
  MLIRContext *context = b.getContext();
  llvm::SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    int64_t offset = rank - type.getRank();
    llvm::SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (type.getDimSize(d) == 1 && resultShape[offset + d] != 1)
        exprs.push_back(getAffineConstantExpr(0, context));
      else
        exprs.push_back(getAffineDimExpr(offset + d, context));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, context));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, context));
  llvm::SmallVector<utils::IteratorType> iterators(
      rank, utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, resultShape, resultType);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, init, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value mlir::qcomp::onnx_import::convertScalar(OpBuilder &b, Location loc,
                                              Value value, int32_t fromDataType,
                                              int32_t toDataType) {
  Type from = value.getType();
  Type to = getElementType(b.getContext(), toDataType);
  if (from == to)
    return value;
  bool fromUnsigned = isUnsignedDataType(fromDataType);
  bool toUnsigned = isUnsignedDataType(toDataType);
  if (isa<FloatType>(from) && isa<FloatType>(to)) {
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    return arith::TruncFOp::create(b, loc, to, value);
  }
  if (isa<FloatType>(from)) {
    if (to.isInteger(1)) {
      Value zero = createScalarConstant(b, loc, from, 0.0);
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    }
    if (toUnsigned)
      return arith::FPToUIOp::create(b, loc, to, value);
    return arith::FPToSIOp::create(b, loc, to, value);
  }
  if (isa<FloatType>(to)) {
    if (fromUnsigned || from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, value);
    return arith::SIToFPOp::create(b, loc, to, value);
  }
  // Integer to integer.
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (to.isInteger(1)) {
    Value zero = createScalarConstant(b, loc, from, 0.0);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (fromWidth < toWidth) {
    if (fromUnsigned || from.isInteger(1))
      return arith::ExtUIOp::create(b, loc, to, value);
    return arith::ExtSIOp::create(b, loc, to, value);
  }
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  return value; // Same width, different signedness: the bits are the same.
}

Value mlir::qcomp::onnx_import::buildMappedGeneric(
    OpBuilder &b, Location loc, ValueRange inputs,
    llvm::ArrayRef<AffineMap> inputMaps, llvm::ArrayRef<int64_t> resultShape,
    Type resultType, ElementwiseBodyFn body) {
  int64_t rank = resultShape.size();
  llvm::SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, b.getContext()));
  llvm::SmallVector<utils::IteratorType> iterators(
      rank, utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, resultShape, resultType);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, init, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value mlir::qcomp::onnx_import::buildReduction(OpBuilder &b, Location loc,
                                               Value input,
                                               llvm::ArrayRef<int64_t> axes,
                                               Value initValue,
                                               ElementwiseBodyFn combine) {
  auto type = cast<RankedTensorType>(input.getType());
  llvm::SmallVector<int64_t> resultShape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(axes, d))
      resultShape.push_back(type.getDimSize(d));
  Value init = createFilled(b, loc, resultShape, initValue);
  llvm::SmallVector<int64_t> dimensions(axes);
  llvm::sort(dimensions);
  auto reduce = linalg::ReduceOp::create(
      b, loc, input, init, dimensions,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = combine(nested, nestedLoc, args);
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return reduce.getResult(0);
}

llvm::SmallVector<int64_t>
mlir::qcomp::onnx_import::getKeptDimsShape(llvm::ArrayRef<int64_t> shape,
                                           llvm::ArrayRef<int64_t> axes) {
  llvm::SmallVector<int64_t> result(shape);
  for (int64_t axis : axes)
    result[axis] = 1;
  return result;
}

AffineMap mlir::qcomp::onnx_import::getDroppedDimsMap(
    int64_t rank, llvm::ArrayRef<int64_t> axes, MLIRContext *context) {
  llvm::SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

Value mlir::qcomp::onnx_import::createLowestValue(OpBuilder &b, Location loc,
                                                  Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/true)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value =
      isUnsigned ? APInt::getMinValue(width) : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Value mlir::qcomp::onnx_import::createHighestValue(OpBuilder &b, Location loc,
                                                   Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/false)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value =
      isUnsigned ? APInt::getMaxValue(width) : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}
