//===- ReductionOps.cpp - ONNX Reduce* operators --------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare,
// ReduceL1, ReduceL2, ReduceLogSum and ReduceLogSumExp as a linalg.reduce on
// a filled accumulator, followed by an elementwise linalg.generic where the
// operator finishes the reduction (mean, square root, logarithm) and a
// tensor.expand_shape that restores the reduced dimensions with keepdims:
//
//   ReduceMean(x: 3x4x5, axes = [1], keepdims = 1)
//     %init = linalg.fill ins(%zero) outs(tensor.empty() : tensor<3x5xf32>)
//     %sum = linalg.reduce ins(%x) outs(%init) dimensions = [1] { addf }
//     %mean = linalg.generic ... { divf %s, 4.0 }
//     %y = tensor.expand_shape %mean [[0, 1], [2]] : 3x5 into 3x1x5
//
// The axes are an attribute up to opset 12 (ReduceSum) or 17 (the others),
// then an optional input, which must be a constant because shapes are
// static (an input of shape [0] is known to be empty without its value).
// Empty axes reduce everything, or nothing with noop_with_empty_axes.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace mlir::qcomp::onnx_import;

namespace {
enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  SumSquare,
  L1,
  L2,
  LogSum,
  LogSumExp
};

/// How an operator reduces, and since which opset its axes are an input.
struct ReduceInfo {
  ReduceKind kind;
  int64_t axesInputSince;
  bool allowsIntegers;
};
} // namespace

/// The axes to reduce over, sorted and normalized; std::nullopt means
/// "no reduction" (empty axes with noop_with_empty_axes).
static FailureOr<std::optional<llvm::SmallVector<int64_t>>>
getReductionAxes(NodeImporter &node, const ReduceInfo &info, int64_t rank) {
  llvm::SmallVector<int64_t> axes;
  bool noop = false;
  if (node.getOpsetVersion() < info.axesInputSince) {
    if (std::optional<llvm::SmallVector<int64_t>> attr =
            node.getIntsAttr("axes"))
      axes = *attr;
  } else {
    noop = node.getIntAttr("noop_with_empty_axes", 0) != 0;
    if (node.hasInput(1) && node.getInputType(1).getNumElements() != 0) {
      FailureOr<llvm::SmallVector<int64_t>> values =
          node.getConstantInts(1, "axes");
      if (failed(values))
        return failure();
      axes = *values;
    }
  }
  if (axes.empty()) {
    if (noop)
      return std::optional<llvm::SmallVector<int64_t>>();
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
    return std::optional<llvm::SmallVector<int64_t>>(axes);
  }
  for (int64_t &axis : axes) {
    FailureOr<int64_t> normalized = node.normalizeAxis(axis, rank, "axes");
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) {
    node.emitError() << "'axes' names a dimension twice";
    return failure();
  }
  return std::optional<llvm::SmallVector<int64_t>>(axes);
}

/// The accumulator's initial value.
static Value getReductionInit(OpBuilder &b, Location loc, ReduceKind kind,
                              Type type, bool isUnsigned) {
  switch (kind) {
  case ReduceKind::Max:
    return createLowestValue(b, loc, type, isUnsigned);
  case ReduceKind::Min:
    return createHighestValue(b, loc, type, isUnsigned);
  case ReduceKind::Prod:
    return createScalarConstant(b, loc, type, 1.0);
  default:
    return createScalarConstant(b, loc, type, 0.0);
  }
}

/// One step of the reduction: the new accumulator from (element, acc).
static Value combine(OpBuilder &b, Location loc, ReduceKind kind, Value x,
                     Value acc, bool isFloat, bool isUnsigned) {
  switch (kind) {
  case ReduceKind::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, x, acc);
    if (isUnsigned)
      return arith::MaxUIOp::create(b, loc, x, acc);
    return arith::MaxSIOp::create(b, loc, x, acc);
  case ReduceKind::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, x, acc);
    if (isUnsigned)
      return arith::MinUIOp::create(b, loc, x, acc);
    return arith::MinSIOp::create(b, loc, x, acc);
  case ReduceKind::Prod:
    if (isFloat)
      return arith::MulFOp::create(b, loc, x, acc);
    return arith::MulIOp::create(b, loc, x, acc);
  case ReduceKind::SumSquare:
  case ReduceKind::L2:
    if (isFloat)
      return arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x),
                                   acc);
    return arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, x, x),
                                 acc);
  case ReduceKind::L1:
    if (isFloat)
      return arith::AddFOp::create(b, loc, math::AbsFOp::create(b, loc, x),
                                   acc);
    if (!isUnsigned)
      x = math::AbsIOp::create(b, loc, x);
    return arith::AddIOp::create(b, loc, x, acc);
  default: // Sum, Mean, LogSum; LogSumExp sums exp(x - max) here.
    if (isFloat)
      return arith::AddFOp::create(b, loc, x, acc);
    return arith::AddIOp::create(b, loc, x, acc);
  }
}

static LogicalResult importReduce(NodeImporter &node, ReduceInfo info) {
  bool axesInput = node.getOpsetVersion() >= info.axesInputSince;
  if (failed(node.checkNumInputs(1, axesInput ? 2 : 1)))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  int32_t dataType = node.getInputDataType(0);
  bool isFloat = isFloatDataType(dataType);
  bool isUnsigned = isUnsignedDataType(dataType);
  if (!isFloat &&
      (!info.allowsIntegers || dataType == onnx::TensorProto::BOOL ||
       !getElementType(node.getContext(), dataType)))
    return node.unsupported("element type " + getDataTypeName(dataType) +
                            (info.allowsIntegers
                                 ? " (float or integer expected)"
                                 : " (float32 or float64 expected)"));
  bool keepDims = node.getIntAttr("keepdims", 1) != 0;
  RankedTensorType type = node.getInputType(0);
  FailureOr<std::optional<llvm::SmallVector<int64_t>>> maybeAxes =
      getReductionAxes(node, info, type.getRank());
  if (failed(maybeAxes))
    return failure();
  if (!*maybeAxes) {
    // noop_with_empty_axes: the input, unreduced.
    node.setOutput(0, node.getInput(0), dataType);
    return success();
  }
  llvm::SmallVector<int64_t> axes = **maybeAxes;

  Value input = node.getInput(0);
  Type elementType = type.getElementType();
  llvm::ArrayRef<int64_t> shape = type.getShape();
  // A scalar is reduced as a one-element vector.
  if (type.getRank() == 0) {
    input = reshapeTensor(b, loc, input, {1});
    axes = {0};
  }
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= inputType.getDimSize(axis);

  // LogSumExp subtracts the maximum before exponentiating.
  Value max;
  if (info.kind == ReduceKind::LogSumExp) {
    max = buildReduction(
        b, loc, input, axes,
        getReductionInit(b, loc, ReduceKind::Max, elementType, false),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          return combine(nb, nl, ReduceKind::Max, args[0], args[1], true,
                         false);
        });
    int64_t rank = inputType.getRank();
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(rank, node.getContext());
    input = buildMappedGeneric(
        b, loc, ValueRange{input, max},
        {identity, getDroppedDimsMap(rank, axes, node.getContext())},
        inputType.getShape(), elementType,
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value shifted = arith::SubFOp::create(nb, nl, args[0], args[1]);
          return math::ExpOp::create(nb, nl, shifted);
        });
  }

  Value result = buildReduction(
      b, loc, input, axes,
      getReductionInit(b, loc, info.kind, elementType, isUnsigned),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        return combine(nb, nl, info.kind, args[0], args[1], isFloat,
                       isUnsigned);
      });

  // Finish: mean, square root, logarithm.
  auto reducedType = cast<RankedTensorType>(result.getType());
  llvm::SmallVector<Value> operands{result};
  if (max)
    operands.push_back(max);
  Value countValue;
  if (info.kind == ReduceKind::Mean)
    countValue = createScalarConstant(b, loc, elementType, (double)count);
  ReduceKind kind = info.kind;
  switch (kind) {
  case ReduceKind::Mean:
  case ReduceKind::L2:
  case ReduceKind::LogSum:
  case ReduceKind::LogSumExp:
    result = buildElementwise(
        b, loc, operands, reducedType.getShape(), elementType,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value x = args[0];
          switch (kind) {
          case ReduceKind::Mean:
            return arith::DivFOp::create(nb, nl, x, countValue);
          case ReduceKind::L2:
            return math::SqrtOp::create(nb, nl, x);
          case ReduceKind::LogSum:
            return math::LogOp::create(nb, nl, x);
          default:
            return arith::AddFOp::create(nb, nl, math::LogOp::create(nb, nl, x),
                                         args[1]);
          }
        });
    break;
  default:
    break;
  }

  if (type.getRank() == 0)
    result = reshapeTensor(b, loc, result, {});
  else if (keepDims)
    result = reshapeTensor(b, loc, result, getKeptDimsShape(shape, axes));
  node.setOutput(0, result, dataType);
  return success();
}

void mlir::qcomp::onnx_import::registerReductionOps(OpImporterTable &table) {
  table["ReduceSum"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::Sum, 13, true});
  };
  table["ReduceMean"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::Mean, 18, false});
  };
  table["ReduceMax"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::Max, 18, true});
  };
  table["ReduceMin"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::Min, 18, true});
  };
  table["ReduceProd"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::Prod, 18, true});
  };
  table["ReduceSumSquare"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::SumSquare, 18, true});
  };
  table["ReduceL1"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::L1, 18, true});
  };
  table["ReduceL2"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::L2, 18, false});
  };
  table["ReduceLogSum"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::LogSum, 18, false});
  };
  table["ReduceLogSumExp"] = [](NodeImporter &node) {
    return importReduce(node, {ReduceKind::LogSumExp, 18, false});
  };
}
