//===- MatMulOps.cpp - ONNX MatMul and Gemm -------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// MatMul (NumPy matmul semantics) and Gemm as linalg named ops, so that the
// quantization passes find them by name:
//
//   A: MxK,   B: KxN            -> linalg.matmul
//   A: BxSxK, B: KxN            -> collapse A to (B*S)xK, linalg.matmul, expand
//   A: ...xMxK, B: ...xKxN      -> broadcast the batch dims, collapse them,
//                                  linalg.batch_matmul, expand
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::qcomp::onnx_import;

/// A zero-filled accumulator of the given shape.
static Value createZeroAccumulator(OpBuilder &b, Location loc,
                                   llvm::ArrayRef<int64_t> shape,
                                   Type elementType) {
  return createFilled(b, loc, shape,
                      createScalarConstant(b, loc, elementType, 0.0));
}

FailureOr<MatmulOperands>
mlir::qcomp::onnx_import::prepareMatmulOperands(NodeImporter &node, Value lhs,
                                                Value rhs) {
  OpBuilder &b = node.b;
  Location loc = node.loc;
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  if (lhsType.getRank() == 0 || rhsType.getRank() == 0)
    return node.emitError() << "operands must have rank >= 1";

  // 1-D operands are promoted to matrices and the extra dimension removed
  // from the result.
  llvm::SmallVector<int64_t> lhsShape(lhsType.getShape());
  llvm::SmallVector<int64_t> rhsShape(rhsType.getShape());
  bool lhsVector = lhsShape.size() == 1, rhsVector = rhsShape.size() == 1;
  if (lhsVector)
    lhsShape.insert(lhsShape.begin(), 1);
  if (rhsVector)
    rhsShape.push_back(1);
  lhs = reshapeTensor(b, loc, lhs, lhsShape);
  rhs = reshapeTensor(b, loc, rhs, rhsShape);
  MatmulOperands result;
  int64_t m = lhsShape[lhsShape.size() - 2];
  result.k = lhsShape.back();
  result.n = rhsShape.back();
  int64_t k = result.k, n = result.n;
  if (rhsShape[rhsShape.size() - 2] != k)
    return node.emitError()
           << "inner dimensions differ: " << lhsType << " and " << rhsType;

  llvm::ArrayRef<int64_t> lhsBatch = llvm::ArrayRef(lhsShape).drop_back(2);
  llvm::ArrayRef<int64_t> rhsBatch = llvm::ArrayRef(rhsShape).drop_back(2);
  FailureOr<llvm::SmallVector<int64_t>> batch =
      broadcastShapes({lhsBatch, rhsBatch});
  if (failed(batch))
    return node.emitError()
           << "batch dimensions cannot be broadcast: " << lhsType << " and "
           << rhsType;
  result.resultShape.assign(batch->begin(), batch->end());
  if (!lhsVector)
    result.resultShape.push_back(m);
  if (!rhsVector)
    result.resultShape.push_back(n);

  int64_t batchSize = 1;
  for (int64_t d : *batch)
    batchSize *= d;
  result.batched = !rhsBatch.empty() &&
                   !(llvm::all_of(rhsBatch, [](int64_t d) { return d == 1; }) &&
                     rhsBatch.size() <= lhsBatch.size());
  if (!result.batched) {
    // Weights shared across the batch: one matmul on (batch*M) x K.
    result.lhs = reshapeTensor(b, loc, lhs, {batchSize * m, k});
    result.rhs = reshapeTensor(b, loc, rhs, {k, n});
    return result;
  }
  llvm::SmallVector<int64_t> lhsFull(*batch), rhsFull(*batch);
  lhsFull.append({m, k});
  rhsFull.append({k, n});
  result.lhs = reshapeTensor(b, loc, broadcastTensor(b, loc, lhs, lhsFull),
                             {batchSize, m, k});
  result.rhs = reshapeTensor(b, loc, broadcastTensor(b, loc, rhs, rhsFull),
                             {batchSize, k, n});
  return result;
}

llvm::SmallVector<int64_t>
mlir::qcomp::onnx_import::MatmulOperands::getProductShape() const {
  llvm::SmallVector<int64_t> shape(
      cast<RankedTensorType>(lhs.getType()).getShape().drop_back());
  shape.push_back(n);
  return shape;
}

/// NumPy matmul of `lhs` and `rhs` (ranks >= 1) on their element type.
FailureOr<Value> mlir::qcomp::onnx_import::buildMatmul(NodeImporter &node,
                                                       Value lhs, Value rhs) {
  OpBuilder &b = node.b;
  Location loc = node.loc;
  FailureOr<MatmulOperands> operands = prepareMatmulOperands(node, lhs, rhs);
  if (failed(operands))
    return failure();
  Type elementType =
      cast<RankedTensorType>(operands->lhs.getType()).getElementType();
  Value acc =
      createZeroAccumulator(b, loc, operands->getProductShape(), elementType);
  ValueRange inputs{operands->lhs, operands->rhs};
  Value result =
      operands->batched
          ? linalg::BatchMatmulOp::create(b, loc, inputs, acc).getResult(0)
          : linalg::MatmulOp::create(b, loc, inputs, acc).getResult(0);
  return reshapeTensor(b, loc, result, operands->resultShape);
}

static LogicalResult importMatMul(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 2)))
    return failure();
  int32_t dataType = node.getInputDataType(0);
  if (node.getInputDataType(1) != dataType)
    return node.emitError() << "A and B have different element types";
  if (dataType == onnx::TensorProto::BOOL)
    return node.unsupported("element type BOOL");
  FailureOr<Value> result =
      buildMatmul(node, node.getInput(0), node.getInput(1));
  if (failed(result))
    return failure();
  node.setOutput(0, *result, dataType);
  return success();
}

/// Gemm: Y = alpha * op(A) op(B) + beta * C, op = optional transpose.
static LogicalResult importGemm(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 3)))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  int32_t dataType = node.getInputDataType(0);
  if (!isFloatDataType(dataType))
    return node.unsupported("element type " + getDataTypeName(dataType));
  double alpha = node.getFloatAttr("alpha", 1.0f);
  double beta = node.getFloatAttr("beta", 1.0f);
  bool transA = node.getIntAttr("transA", 0);
  bool transB = node.getIntAttr("transB", 0);
  if (node.getInputType(0).getRank() != 2 ||
      node.getInputType(1).getRank() != 2)
    return node.emitError() << "A and B must be matrices";
  Value a = node.getInput(0), w = node.getInput(1);
  if (transA)
    a = transposeTensor(b, loc, a, {1, 0});
  if (transB)
    w = transposeTensor(b, loc, w, {1, 0});
  FailureOr<Value> product = buildMatmul(node, a, w);
  if (failed(product))
    return failure();
  auto type = cast<RankedTensorType>(product->getType());
  Type elementType = type.getElementType();
  Value result = *product;
  if (alpha != 1.0)
    result = buildElementwise(
        b, loc, result, type.getShape(), elementType,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::MulFOp::create(
              nb, nl, args[0],
              createScalarConstant(nb, nl, elementType, alpha));
        });
  if (node.hasInput(2) && beta != 0.0) {
    if (failed(broadcastShapes({node.getInputShape(2), type.getShape()})) ||
        node.getInputType(2).getRank() > 2)
      return node.emitError() << "C of shape " << node.getInputType(2)
                              << " cannot be broadcast to " << type;
    result = buildElementwise(
        b, loc, ValueRange{result, node.getInput(2)}, type.getShape(),
        elementType, [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value c = args[1];
          if (beta != 1.0)
            c = arith::MulFOp::create(
                nb, nl, c, createScalarConstant(nb, nl, elementType, beta));
          return arith::AddFOp::create(nb, nl, args[0], c);
        });
  }
  node.setOutput(0, result, dataType);
  return success();
}

void mlir::qcomp::onnx_import::registerMatMulOps(OpImporterTable &table) {
  table["MatMul"] = importMatMul;
  table["Gemm"] = importGemm;
}
