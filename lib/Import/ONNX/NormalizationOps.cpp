//===- NormalizationOps.cpp - ONNX normalization and softmax --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// BatchNormalization (inference), LayerNormalization, Softmax and LogSoftmax
// as linalg.reduce for the statistics and linalg.generic for the elementwise
// steps, the reduced statistics read through maps that drop the reduced
// dimensions:
//
//   Softmax(x: 2x8, axis = -1)
//     %m = linalg.reduce ins(%x) outs(fill -inf) dimensions = [1] {maximumf}
//     %e = linalg.generic ins(%x, %m) {(i,j)->(i,j), (i,j)->(i)} {exp(x - m)}
//     %s = linalg.reduce ins(%e) outs(fill 0) dimensions = [1] {addf}
//     %y = linalg.generic ins(%e, %s) {(i,j)->(i,j), (i,j)->(i)} {divf}
//
// BatchNormalization becomes y = x * a[c] + b[c], with a = scale /
// sqrt(var + epsilon) and b = B - mean * a folded to constants when the
// parameters are constants, else computed per channel first.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/AffineMap.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qcomp::onnx_import;

/// The map reading a tensor of `shape` broadcast (NumPy rules) to the
/// iteration space `resultShape`: size-1 dimensions read index 0.
static AffineMap getBroadcastMap(llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<int64_t> resultShape,
                                 MLIRContext *context) {
  int64_t rank = resultShape.size();
  int64_t offset = rank - shape.size();
  llvm::SmallVector<AffineExpr> exprs;
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (size == 1 && resultShape[offset + d] != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(offset + d, context));
  }
  return AffineMap::get(rank, 0, exprs, context);
}

/// The dimensions [from, rank).
static llvm::SmallVector<int64_t> getTrailingAxes(int64_t from, int64_t rank) {
  llvm::SmallVector<int64_t> axes;
  for (int64_t d = from; d < rank; ++d)
    axes.push_back(d);
  return axes;
}

//===----------------------------------------------------------------------===//
// Softmax, LogSoftmax
//===----------------------------------------------------------------------===//

/// Softmax and LogSoftmax, numerically stable (the maximum is subtracted
/// first). Since opset 13 they normalize along `axis` (default -1); before,
/// the input is coerced to 2-D at `axis` (default 1), i.e. they normalize
/// over all dimensions from `axis` on.
static LogicalResult importSoftmax(NodeImporter &node, bool isLog) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  MLIRContext *context = node.getContext();
  int32_t dataType = node.getInputDataType(0);
  if (!isFloatDataType(dataType))
    return node.unsupported("element type " + getDataTypeName(dataType) +
                            " (float32 or float64 expected)");
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  if (rank == 0)
    return node.emitError() << "input must have rank >= 1";
  bool perAxis = node.getOpsetVersion() >= 13;
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getIntAttr("axis", perAxis ? -1 : 1), rank);
  if (failed(axis))
    return failure();
  llvm::SmallVector<int64_t> axes = perAxis ? llvm::SmallVector<int64_t>{*axis}
                                            : getTrailingAxes(*axis, rank);

  Type elementType = type.getElementType();
  llvm::ArrayRef<int64_t> shape = type.getShape();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  AffineMap reduced = getDroppedDimsMap(rank, axes, context);
  Value x = node.getInput(0);
  Value max = buildReduction(
      b, loc, x, axes, createLowestValue(b, loc, elementType, false),
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::MaximumFOp::create(nb, nl, args[0], args[1]);
      });
  Value exp = buildMappedGeneric(
      b, loc, ValueRange{x, max}, {identity, reduced}, shape, elementType,
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value shifted = arith::SubFOp::create(nb, nl, args[0], args[1]);
        return math::ExpOp::create(nb, nl, shifted);
      });
  Value sum = buildReduction(
      b, loc, exp, axes, createScalarConstant(b, loc, elementType, 0.0),
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::AddFOp::create(nb, nl, args[0], args[1]);
      });
  Value result;
  if (isLog) {
    // (x - max) - log(sum)
    result = buildMappedGeneric(
        b, loc, ValueRange{x, max, sum}, {identity, reduced, reduced}, shape,
        elementType, [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value shifted = arith::SubFOp::create(nb, nl, args[0], args[1]);
          Value logSum = math::LogOp::create(nb, nl, args[2]);
          return arith::SubFOp::create(nb, nl, shifted, logSum);
        });
  } else {
    result = buildMappedGeneric(
        b, loc, ValueRange{exp, sum}, {identity, reduced}, shape, elementType,
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::DivFOp::create(nb, nl, args[0], args[1]);
        });
  }
  node.setOutput(0, result, dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormalization
//===----------------------------------------------------------------------===//

/// LayerNormalization (opset 17): normalizes over the dimensions from `axis`
/// on, then scales and shifts:
///   mean = sum(x) / n, d = x - mean, inv = rsqrt(sum(d * d) / n + epsilon),
///   Y = d * inv * Scale + B
/// The optional Mean and InvStdDev outputs keep the reduced dimensions as 1.
/// Statistics are computed in X's type; stash_type may be FLOAT (the
/// default) or X's own type, and types the outputs Mean and InvStdDev.
static LogicalResult importLayerNormalization(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 3)))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  MLIRContext *context = node.getContext();
  int32_t dataType = node.getInputDataType(0);
  if (!isFloatDataType(dataType))
    return node.unsupported("element type " + getDataTypeName(dataType) +
                            " (float32 or float64 expected)");
  for (unsigned i = 1; i < 3; ++i)
    if (node.hasInput(i) && node.getInputDataType(i) != dataType)
      return node.unsupported(llvm::Twine(i == 1 ? "Scale" : "B") +
                              " of element type " +
                              getDataTypeName(node.getInputDataType(i)) +
                              " with X of type " + getDataTypeName(dataType));
  int32_t stashType = node.getIntAttr("stash_type", onnx::TensorProto::FLOAT);
  if (stashType != onnx::TensorProto::FLOAT && stashType != dataType)
    return node.unsupported("stash_type " + getDataTypeName(stashType));
  double epsilon = node.getFloatAttr("epsilon", 1e-5f);
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  if (rank == 0)
    return node.emitError() << "X must have rank >= 1";
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getIntAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  llvm::ArrayRef<int64_t> shape = type.getShape();
  for (unsigned i = 1; i < 3; ++i) {
    if (!node.hasInput(i))
      continue;
    FailureOr<llvm::SmallVector<int64_t>> broadcast =
        broadcastShapes({node.getInputShape(i), shape});
    if (failed(broadcast) || llvm::ArrayRef<int64_t>(*broadcast) != shape)
      return node.emitError()
             << (i == 1 ? "Scale" : "B") << " of type " << node.getInputType(i)
             << " cannot be broadcast to X of type " << type;
  }

  llvm::SmallVector<int64_t> axes = getTrailingAxes(*axis, rank);
  int64_t count = 1;
  for (int64_t a : axes)
    count *= shape[a];
  Type elementType = type.getElementType();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  AffineMap reduced = getDroppedDimsMap(rank, axes, context);
  Value x = node.getInput(0);
  Value zero = createScalarConstant(b, loc, elementType, 0.0);
  Value countValue = createScalarConstant(b, loc, elementType, count);
  Value epsilonValue = createScalarConstant(b, loc, elementType, epsilon);
  auto add = [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
    return arith::AddFOp::create(nb, nl, args[0], args[1]);
  };

  Value sum = buildReduction(b, loc, x, axes, zero, add);
  llvm::ArrayRef<int64_t> reducedShape =
      cast<RankedTensorType>(sum.getType()).getShape();
  Value mean = buildElementwise(
      b, loc, sum, reducedShape, elementType,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::DivFOp::create(nb, nl, args[0], countValue);
      });
  Value centered = buildMappedGeneric(
      b, loc, ValueRange{x, mean}, {identity, reduced}, shape, elementType,
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::SubFOp::create(nb, nl, args[0], args[1]);
      });
  Value squares =
      buildReduction(b, loc, centered, axes, zero,
                     [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                       Value square =
                           arith::MulFOp::create(nb, nl, args[0], args[0]);
                       return arith::AddFOp::create(nb, nl, square, args[1]);
                     });
  Value invStdDev = buildElementwise(
      b, loc, squares, reducedShape, elementType,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value variance = arith::DivFOp::create(nb, nl, args[0], countValue);
        Value shifted = arith::AddFOp::create(nb, nl, variance, epsilonValue);
        return math::RsqrtOp::create(nb, nl, shifted);
      });

  llvm::SmallVector<Value> inputs{centered, invStdDev};
  llvm::SmallVector<AffineMap> maps{identity, reduced};
  for (unsigned i = 1; i < 3; ++i) {
    if (!node.hasInput(i))
      continue;
    inputs.push_back(node.getInput(i));
    maps.push_back(getBroadcastMap(node.getInputShape(i), shape, context));
  }
  bool hasBias = node.hasInput(2);
  Value result = buildMappedGeneric(
      b, loc, inputs, maps, shape, elementType,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value normalized = arith::MulFOp::create(nb, nl, args[0], args[1]);
        Value scaled = arith::MulFOp::create(nb, nl, normalized, args[2]);
        if (!hasBias)
          return scaled;
        return arith::AddFOp::create(nb, nl, scaled, args[3]);
      });
  node.setOutput(0, result, dataType);

  // Mean and InvStdDev, shaped like X with the normalized dimensions 1.
  llvm::SmallVector<int64_t> statsShape = getKeptDimsShape(shape, axes);
  Type stashElementType = getElementType(context, stashType);
  auto toStash = [&](Value value) {
    if (stashElementType != elementType)
      value = buildElementwise(
          b, loc, value, reducedShape, stashElementType,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            return convertScalar(nb, nl, args[0], dataType, stashType);
          });
    return reshapeTensor(b, loc, value, statsShape);
  };
  if (node.hasOutput(1))
    node.setOutput(1, toStash(mean), stashType);
  if (node.hasOutput(2))
    node.setOutput(2, toStash(invStdDev), stashType);
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNormalization
//===----------------------------------------------------------------------===//

/// y = x * a[c] + b[c] over an N x C x ... tensor:
///   linalg.generic {indexing_maps = [(n, c, h, w) -> (n, c, h, w),
///       (n, c, h, w) -> (c), (n, c, h, w) -> (c), ...]} { mulf, addf }
static Value buildChannelAffine(OpBuilder &b, Location loc, Value x,
                                Value scale, Value shift) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *context = b.getContext();
  int64_t rank = type.getRank();
  AffineMap channel =
      AffineMap::get(rank, 0, getAffineDimExpr(1, context), context);
  return buildMappedGeneric(
      b, loc, ValueRange{x, scale, shift},
      {AffineMap::getMultiDimIdentityMap(rank, context), channel, channel},
      type.getShape(), type.getElementType(),
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value scaled = arith::MulFOp::create(nb, nl, args[0], args[1]);
        return arith::AddFOp::create(nb, nl, scaled, args[2]);
      });
}

/// The value of a parameter input if it is a compile-time constant.
static std::optional<DenseElementsAttr> getConstantParam(NodeImporter &node,
                                                         unsigned i) {
  auto constant = node.getInput(i).getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()))
    return dense;
  // Large initializers are dense_resource blobs; the importer keeps their
  // values.
  if (!isa<DenseResourceElementsAttr>(constant.getValue()))
    return std::nullopt;
  FailureOr<DenseElementsAttr> attr = node.getConstantInput(i, "parameter");
  if (failed(attr))
    return std::nullopt;
  return *attr;
}

static LogicalResult importBatchNormalization(NodeImporter &node) {
  if (failed(node.checkNumInputs(5, 5)))
    return failure();
  if (node.getOpsetVersion() >= 14) {
    int64_t trainingMode = node.getIntAttr("training_mode", 0);
    if (trainingMode != 0)
      return node.unsupported("training_mode " + llvm::Twine(trainingMode) +
                              " (only inference is supported)");
  }
  OpBuilder &b = node.b;
  Location loc = node.loc;
  int32_t dataType = node.getInputDataType(0);
  if (!isFloatDataType(dataType))
    return node.unsupported("element type " + getDataTypeName(dataType) +
                            " (float32 or float64 expected)");
  static const char *const names[] = {"X", "scale", "B", "input_mean",
                                      "input_var"};
  for (unsigned i = 1; i < 5; ++i)
    if (node.getInputDataType(i) != dataType)
      return node.unsupported(llvm::Twine(names[i]) + " of element type " +
                              getDataTypeName(node.getInputDataType(i)) +
                              " with X of type " + getDataTypeName(dataType));
  if (node.getOpsetVersion() < 9 && node.getIntAttr("spatial", 1) != 1)
    return node.unsupported("spatial 0 (per-element statistics)");
  // momentum only updates the running statistics, which inference does not.
  (void)node.getFloatAttr("momentum", 0.9f);
  double epsilon = node.getFloatAttr("epsilon", 1e-5f);
  for (unsigned i = 1; i < node.getNumOutputs(); ++i)
    if (node.hasOutput(i))
      return node.unsupported("output " + llvm::Twine(i) +
                              " (running or saved statistics exist in "
                              "training mode only)");

  RankedTensorType type = node.getInputType(0);
  if (type.getRank() < 2)
    return node.emitError()
           << "X must be N x C x ... (rank >= 2), got " << type;
  int64_t channels = type.getDimSize(1);
  for (unsigned i = 1; i < 5; ++i)
    if (node.getInputShape(i) != llvm::ArrayRef<int64_t>{channels})
      return node.emitError() << names[i] << " must have shape [" << channels
                              << "], got " << node.getInputType(i);

  Type elementType = type.getElementType();
  auto channelType = RankedTensorType::get({channels}, elementType);
  Value scale, shift;
  llvm::SmallVector<DenseElementsAttr> params;
  for (unsigned i = 1; i < 5; ++i)
    if (std::optional<DenseElementsAttr> attr = getConstantParam(node, i))
      params.push_back(*attr);
  if (params.size() == 4) {
    // a = scale / sqrt(var + epsilon), b = B - mean * a, folded in double.
    llvm::SmallVector<Attribute> scales, shifts;
    auto values = [](DenseElementsAttr attr) {
      llvm::SmallVector<double> result;
      for (const APFloat &v : attr.getValues<APFloat>())
        result.push_back(v.convertToDouble());
      return result;
    };
    llvm::SmallVector<double> s = values(params[0]), bias = values(params[1]),
                              mean = values(params[2]), var = values(params[3]);
    for (int64_t c = 0; c < channels; ++c) {
      double a = s[c] / std::sqrt(var[c] + epsilon);
      scales.push_back(b.getFloatAttr(elementType, a));
      shifts.push_back(b.getFloatAttr(elementType, bias[c] - mean[c] * a));
    }
    scale = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(channelType, scales));
    shift = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(channelType, shifts));
  } else {
    Value epsilonValue = createScalarConstant(b, loc, elementType, epsilon);
    scale = buildElementwise(
        b, loc, ValueRange{node.getInput(1), node.getInput(4)}, {channels},
        elementType, [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value shifted = arith::AddFOp::create(nb, nl, args[1], epsilonValue);
          Value inv = math::RsqrtOp::create(nb, nl, shifted);
          return arith::MulFOp::create(nb, nl, args[0], inv);
        });
    shift = buildElementwise(
        b, loc, ValueRange{node.getInput(2), node.getInput(3), scale},
        {channels}, elementType,
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value product = arith::MulFOp::create(nb, nl, args[1], args[2]);
          return arith::SubFOp::create(nb, nl, args[0], product);
        });
  }
  node.setOutput(0, buildChannelAffine(b, loc, node.getInput(0), scale, shift),
                 dataType);
  return success();
}

void mlir::qcomp::onnx_import::registerNormalizationOps(
    OpImporterTable &table) {
  table["BatchNormalization"] = importBatchNormalization;
  table["LayerNormalization"] = importLayerNormalization;
  table["Softmax"] = [](NodeImporter &node) {
    return importSoftmax(node, /*isLog=*/false);
  };
  table["LogSoftmax"] = [](NodeImporter &node) {
    return importSoftmax(node, /*isLog=*/true);
  };
}
