//===- ElementwiseOps.cpp - ONNX elementwise operators --------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Arithmetic, activation and conversion operators, each a linalg.generic with
// NumPy broadcasting whose body is arith/math on scalars:
//
//   Add(a: 2x3, b: 3) -> linalg.generic {maps = [(i,j)->(i,j), (i,j)->(j),
//                                                (i,j)->(i,j)]} { arith.addf }
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::qcomp::onnx_import;

namespace {
using ScalarFn = llvm::function_ref<Value(OpBuilder &, Location, ValueRange,
                                          bool isFloat, bool isUnsigned)>;
} // namespace

/// Imports an n-ary operator whose inputs share one element type: checks the
/// types, broadcasts, and applies `fn` per element. The result keeps the
/// inputs' data type unless `resultDataType` is given.
static LogicalResult importNary(NodeImporter &node, unsigned numInputs,
                                ScalarFn fn, bool floatOnly,
                                std::optional<int32_t> resultDataType = {}) {
  if (failed(node.checkNumInputs(numInputs, numInputs)))
    return failure();
  int32_t dataType = node.getInputDataType(0);
  llvm::SmallVector<Value> inputs;
  llvm::SmallVector<llvm::ArrayRef<int64_t>> shapes;
  for (unsigned i = 0; i < numInputs; ++i) {
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
    if (node.getInputDataType(i) != dataType)
      return node.emitError()
             << "inputs have different element types ("
             << getDataTypeName(dataType) << " and "
             << getDataTypeName(node.getInputDataType(i)) << ")";
    inputs.push_back(node.getInput(i));
    shapes.push_back(node.getInputShape(i));
  }
  bool isFloat = isFloatDataType(dataType);
  if (floatOnly && !isFloat)
    return node.unsupported("element type " + getDataTypeName(dataType) +
                            " (float32 or float64 expected)");
  if (!isFloat && dataType == onnx::TensorProto::BOOL)
    return node.unsupported("element type BOOL");
  FailureOr<llvm::SmallVector<int64_t>> shape = broadcastShapes(shapes);
  if (failed(shape))
    return node.emitError() << "input shapes cannot be broadcast together";
  int32_t outDataType = resultDataType.value_or(dataType);
  bool isUnsigned = isUnsignedDataType(dataType);
  Value result =
      buildElementwise(node.b, node.loc, inputs, *shape,
                       getElementType(node.getContext(), outDataType),
                       [&](OpBuilder &b, Location loc, ValueRange args) {
                         return fn(b, loc, args, isFloat, isUnsigned);
                       });
  node.setOutput(0, result, outDataType);
  return success();
}

/// A binary operator with a float and an integer form.
template <typename FloatOp, typename SignedOp, typename UnsignedOp = SignedOp>
static LogicalResult importBinary(NodeImporter &node) {
  return importNary(
      node, 2,
      [](OpBuilder &b, Location loc, ValueRange args, bool isFloat,
         bool isUnsigned) -> Value {
        if (isFloat)
          return FloatOp::create(b, loc, args[0], args[1]);
        if (isUnsigned)
          return UnsignedOp::create(b, loc, args[0], args[1]);
        return SignedOp::create(b, loc, args[0], args[1]);
      },
      /*floatOnly=*/false);
}

/// A float-only unary operator given as a scalar function.
static LogicalResult
importUnaryFloat(NodeImporter &node,
                 llvm::function_ref<Value(OpBuilder &, Location, Value)> fn) {
  return importNary(
      node, 1,
      [&](OpBuilder &b, Location loc, ValueRange args, bool, bool) {
        return fn(b, loc, args[0]);
      },
      /*floatOnly=*/true);
}

static Value constantLike(OpBuilder &b, Location loc, Value like,
                          double value) {
  return createScalarConstant(b, loc, like.getType(), value);
}

/// Pow(X, Y) has the type of X; Y may be of another numeric type. Integer
/// powers are computed in f64 (exact for the results an integer can hold)
/// and truncated back.
static LogicalResult importPow(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 2)))
    return failure();
  int32_t baseType = node.getInputDataType(0);
  int32_t exponentType = node.getInputDataType(1);
  if (baseType == onnx::TensorProto::BOOL ||
      exponentType == onnx::TensorProto::BOOL)
    return node.unsupported("element type BOOL");
  FailureOr<llvm::SmallVector<int64_t>> shape =
      broadcastShapes({node.getInputShape(0), node.getInputShape(1)});
  if (failed(shape))
    return node.emitError() << "input shapes cannot be broadcast together";
  int32_t computeType =
      isFloatDataType(baseType) ? baseType : int32_t(onnx::TensorProto::DOUBLE);
  Value result = buildElementwise(
      node.b, node.loc, ValueRange{node.getInput(0), node.getInput(1)}, *shape,
      node.getInputType(0).getElementType(),
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        Value base = convertScalar(b, loc, args[0], baseType, computeType);
        Value exponent =
            convertScalar(b, loc, args[1], exponentType, computeType);
        Value power = math::PowFOp::create(b, loc, base, exponent);
        return convertScalar(b, loc, power, computeType, baseType);
      });
  node.setOutput(0, result, baseType);
  return success();
}

static LogicalResult importRelu(NodeImporter &node) {
  return importUnaryFloat(node, [](OpBuilder &b, Location loc, Value x) {
    return arith::MaximumFOp::create(b, loc, x, constantLike(b, loc, x, 0.0));
  });
}

static LogicalResult importLeakyRelu(NodeImporter &node) {
  double alpha = node.getFloatAttr("alpha", 0.01f);
  return importUnaryFloat(node, [&](OpBuilder &b, Location loc, Value x) {
    Value zero = constantLike(b, loc, x, 0.0);
    Value scaled =
        arith::MulFOp::create(b, loc, x, constantLike(b, loc, x, alpha));
    Value positive =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    return arith::SelectOp::create(b, loc, positive, x, scaled);
  });
}

/// 1 / (1 + exp(-x)).
static Value buildSigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = constantLike(b, loc, x, 1.0);
  Value negX = arith::NegFOp::create(b, loc, x);
  Value exp = math::ExpOp::create(b, loc, negX);
  Value denominator = arith::AddFOp::create(b, loc, one, exp);
  return arith::DivFOp::create(b, loc, one, denominator);
}

static LogicalResult importGelu(NodeImporter &node) {
  std::string approximate = node.getStringAttr("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return node.unsupported("approximate='" + approximate + "'");
  bool useTanh = approximate == "tanh";
  return importUnaryFloat(node, [&](OpBuilder &b, Location loc, Value x) {
    Value half = constantLike(b, loc, x, 0.5);
    Value one = constantLike(b, loc, x, 1.0);
    Value inner;
    if (useTanh) {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      Value x3 =
          arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
      Value poly = arith::AddFOp::create(
          b, loc, x,
          arith::MulFOp::create(b, loc, constantLike(b, loc, x, 0.044715), x3));
      Value scaled = arith::MulFOp::create(
          b, loc, constantLike(b, loc, x, 0.7978845608028654), poly);
      inner = math::TanhOp::create(b, loc, scaled);
    } else {
      // 0.5 x (1 + erf(x / sqrt(2)))
      Value scaled = arith::MulFOp::create(
          b, loc, x, constantLike(b, loc, x, 0.7071067811865476));
      inner = math::ErfOp::create(b, loc, scaled);
    }
    Value sum = arith::AddFOp::create(b, loc, one, inner);
    return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, half, x),
                                 sum);
  });
}

static LogicalResult importIdentity(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  node.setOutput(0, node.getInput(0), node.getInputDataType(0));
  return success();
}

static LogicalResult importCast(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  const onnx::AttributeProto *to = node.findAttr("to");
  if (!to)
    return node.emitError() << "missing attribute 'to'";
  int32_t from = node.getInputDataType(0);
  int32_t target = static_cast<int32_t>(to->i());
  if (!getElementType(node.getContext(), target))
    return node.unsupported("target type " + getDataTypeName(target));
  Value result = buildElementwise(
      node.b, node.loc, node.getInput(0), node.getInputShape(0),
      getElementType(node.getContext(), target),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return convertScalar(b, loc, args[0], from, target);
      });
  node.setOutput(0, result, target);
  return success();
}

static LogicalResult importWhere(NodeImporter &node) {
  if (failed(node.checkNumInputs(3, 3)))
    return failure();
  if (node.getInputDataType(0) != onnx::TensorProto::BOOL)
    return node.emitError() << "condition must be BOOL, got "
                            << getDataTypeName(node.getInputDataType(0));
  int32_t dataType = node.getInputDataType(1);
  if (node.getInputDataType(2) != dataType)
    return node.emitError() << "X and Y have different element types";
  FailureOr<llvm::SmallVector<int64_t>> shape = broadcastShapes(
      {node.getInputShape(0), node.getInputShape(1), node.getInputShape(2)});
  if (failed(shape))
    return node.emitError() << "input shapes cannot be broadcast together";
  Value result = buildElementwise(
      node.b, node.loc,
      ValueRange{node.getInput(0), node.getInput(1), node.getInput(2)}, *shape,
      getElementType(node.getContext(), dataType),
      [](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
      });
  node.setOutput(0, result, dataType);
  return success();
}

static LogicalResult importClip(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 3)))
    return failure();
  int32_t dataType = node.getInputDataType(0);
  bool isFloat = isFloatDataType(dataType);
  bool isUnsigned = isUnsignedDataType(dataType);
  if (!isFloat && dataType == onnx::TensorProto::BOOL)
    return node.unsupported("element type BOOL");
  // Bounds: attributes before opset 11, optional scalar inputs since.
  std::optional<double> lo, hi;
  if (node.getOpsetVersion() < 11) {
    if (node.hasAttr("min"))
      lo = node.getFloatAttr("min", 0.0f);
    if (node.hasAttr("max"))
      hi = node.getFloatAttr("max", 0.0f);
  }
  llvm::SmallVector<Value> inputs{node.getInput(0)};
  for (unsigned i = 1; i < 3; ++i) {
    if (!node.hasInput(i))
      continue;
    if (node.getInputType(i).getNumElements() != 1)
      return node.emitError()
             << (i == 1 ? "min" : "max") << " must be a scalar";
    inputs.push_back(reshapeTensor(node.b, node.loc, node.getInput(i), {}));
  }
  bool hasMinInput = node.hasInput(1), hasMaxInput = node.hasInput(2);
  Value result = buildElementwise(
      node.b, node.loc, inputs, node.getInputShape(0),
      node.getInputType(0).getElementType(),
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        Value x = args[0];
        unsigned next = 1;
        auto clampBelow = [&](Value bound) -> Value {
          if (isFloat)
            return arith::MaximumFOp::create(b, loc, x, bound);
          if (isUnsigned)
            return arith::MaxUIOp::create(b, loc, x, bound);
          return arith::MaxSIOp::create(b, loc, x, bound);
        };
        auto clampAbove = [&](Value bound) -> Value {
          if (isFloat)
            return arith::MinimumFOp::create(b, loc, x, bound);
          if (isUnsigned)
            return arith::MinUIOp::create(b, loc, x, bound);
          return arith::MinSIOp::create(b, loc, x, bound);
        };
        if (hasMinInput)
          x = clampBelow(args[next++]);
        else if (lo)
          x = clampBelow(constantLike(b, loc, x, *lo));
        if (hasMaxInput)
          x = clampAbove(args[next++]);
        else if (hi)
          x = clampAbove(constantLike(b, loc, x, *hi));
        return x;
      });
  node.setOutput(0, result, dataType);
  return success();
}

void mlir::qcomp::onnx_import::registerElementwiseOps(OpImporterTable &table) {
  table["Add"] = importBinary<arith::AddFOp, arith::AddIOp>;
  table["Sub"] = importBinary<arith::SubFOp, arith::SubIOp>;
  table["Mul"] = importBinary<arith::MulFOp, arith::MulIOp>;
  table["Div"] = importBinary<arith::DivFOp, arith::DivSIOp, arith::DivUIOp>;
  table["Pow"] = importPow;
  table["Sqrt"] = [](NodeImporter &node) {
    return importUnaryFloat(node, [](OpBuilder &b, Location loc, Value x) {
      return math::SqrtOp::create(b, loc, x).getResult();
    });
  };
  table["Erf"] = [](NodeImporter &node) {
    return importUnaryFloat(node, [](OpBuilder &b, Location loc, Value x) {
      return math::ErfOp::create(b, loc, x).getResult();
    });
  };
  table["Tanh"] = [](NodeImporter &node) {
    return importUnaryFloat(node, [](OpBuilder &b, Location loc, Value x) {
      return math::TanhOp::create(b, loc, x).getResult();
    });
  };
  table["Exp"] = [](NodeImporter &node) {
    return importUnaryFloat(node, [](OpBuilder &b, Location loc, Value x) {
      return math::ExpOp::create(b, loc, x).getResult();
    });
  };
  table["Neg"] = [](NodeImporter &node) {
    return importUnaryFloat(node, [](OpBuilder &b, Location loc, Value x) {
      return arith::NegFOp::create(b, loc, x).getResult();
    });
  };
  table["Sigmoid"] = [](NodeImporter &node) {
    return importUnaryFloat(node, buildSigmoid);
  };
  table["Relu"] = importRelu;
  table["LeakyRelu"] = importLeakyRelu;
  table["Gelu"] = importGelu;
  table["Identity"] = importIdentity;
  table["Cast"] = importCast;
  table["Where"] = importWhere;
  table["Clip"] = importClip;
}
