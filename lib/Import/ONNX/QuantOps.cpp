//===- QuantOps.cpp - ONNX quantization operators -------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ONNX quantization operators as qc ops on `!quant.uniform` tensors, so
// that QDQ and QOperator models compile with their own scales. ONNX values
// stay signless storage integers (the ONNX data type keeps uint8 vs int8);
// each operator reinterprets them with `quant.scast`:
//
//   QuantizeLinear(x, s, z)    qc.quantize x -> !quant.uniform<u8:f32, s:z>,
//                              quant.scast to i8
//   DequantizeLinear(x, s, z)  quant.scast i8 -> quantized, qc.dequantize
//   DynamicQuantizeLinear(x)   qc.dynamic_quantize per_tensor (ui8 results
//                              bitcast to i8)
//   MatMulInteger(A, B, za, zb)           qc.matmul / qc.batch_matmul with
//                                         scale-1 types, i32 result
//   QLinearMatMul(a, sa, za, b, ...)      qc.matmul with a quantized result
//   ConvInteger / QLinearConv             qc.conv2d (1-D as height 1, 2-D)
//
// Scales and zero points must be compile-time constants (initializers or
// Constant nodes), since they become part of the types. Reshapes and
// broadcasts needed by the NumPy matmul shapes are done on the storage
// integers, so that no per-axis quantized type has to follow a dimension
// through a reshape. Contractions accumulate in i32 when K and the storage
// ranges prove it cannot overflow, else in i64 (whose int32 outputs then wrap
// as an int32 accumulation would).
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Quant/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"

#include <cfloat>

using namespace mlir;
using namespace mlir::qcomp::onnx_import;

//===----------------------------------------------------------------------===//
// Quantization parameters
//===----------------------------------------------------------------------===//

namespace {
/// The quantization parameters of one ONNX operand: one scale and zero point
/// (per tensor) or one per channel, both lists of the same length.
struct QuantParams {
  /// ONNX data type of the storage (UINT8, INT8 or INT32).
  int32_t dataType = onnx::TensorProto::UINT8;
  llvm::SmallVector<double> scales{1.0};
  llvm::SmallVector<int64_t> zeroPoints{0};

  int64_t size() const { return scales.size(); }
  bool isPerTensor() const { return scales.size() == 1; }
};
} // namespace

static bool isSignedDataType(int32_t dataType) {
  return dataType == onnx::TensorProto::INT8 ||
         dataType == onnx::TensorProto::INT32;
}

static unsigned getBitWidth(int32_t dataType) {
  return dataType == onnx::TensorProto::INT32 ? 32 : 8;
}

static qcomp::StorageRange getDataTypeRange(int32_t dataType) {
  return qcomp::getStorageRange(getBitWidth(dataType),
                                isSignedDataType(dataType));
}

/// Lower-case ONNX type name for messages ("uint8").
static std::string getTypeName(int32_t dataType) {
  return llvm::StringRef(getDataTypeName(dataType)).lower();
}

/// Checks that input `i` has one of `allowed` data types.
static LogicalResult checkDataType(NodeImporter &node, unsigned i,
                                   llvm::StringRef what,
                                   llvm::ArrayRef<int32_t> allowed) {
  int32_t dataType = node.getInputDataType(i);
  if (llvm::is_contained(allowed, dataType))
    return success();
  InFlightDiagnostic diag = node.emitError();
  diag << what << " must be ";
  llvm::interleave(
      allowed, diag, [&](int32_t t) { diag << getTypeName(t); }, " or ");
  diag << ", got " << getTypeName(dataType);
  return failure();
}

/// The values of a constant scale input: float32, each a positive normal
/// f32 (the qc types reject zero, negative, subnormal, infinite and NaN
/// scales).
static FailureOr<llvm::SmallVector<double>>
readScales(NodeImporter &node, unsigned i, llvm::StringRef what) {
  if (!node.hasInput(i)) {
    node.emitError() << what << " (input " << i << ") is missing";
    return failure();
  }
  if (failed(checkDataType(node, i, what, {onnx::TensorProto::FLOAT})))
    return failure();
  FailureOr<llvm::SmallVector<double>> scales = node.getConstantFloats(i, what);
  if (failed(scales))
    return failure();
  if (scales->empty()) {
    node.emitError() << what << " is empty";
    return failure();
  }
  for (auto [j, s] : llvm::enumerate(*scales)) {
    if (s >= qcomp::kMinScale && s <= FLT_MAX)
      continue;
    InFlightDiagnostic diag = node.emitError() << what;
    if (scales->size() > 1)
      diag << "[" << j << "]";
    diag << " must be a positive, finite and normal float32, got " << s;
    return failure();
  }
  return scales;
}

/// The values of an optional constant zero-point input of data type
/// `dataType` (the data type of the operand it belongs to); `std::nullopt`
/// when the input is omitted.
static FailureOr<std::optional<llvm::SmallVector<int64_t>>>
readZeroPoints(NodeImporter &node, unsigned i, llvm::StringRef what,
               int32_t dataType, llvm::StringRef operandName) {
  if (!node.hasInput(i))
    return std::optional<llvm::SmallVector<int64_t>>();
  if (node.getInputDataType(i) != dataType) {
    node.emitError() << what << " has type "
                     << getTypeName(node.getInputDataType(i)) << " but "
                     << operandName << " has type " << getTypeName(dataType);
    return failure();
  }
  FailureOr<llvm::SmallVector<int64_t>> zeroPoints =
      node.getConstantInts(i, what);
  if (failed(zeroPoints))
    return failure();
  if (zeroPoints->empty()) {
    node.emitError() << what << " is empty";
    return failure();
  }
  qcomp::StorageRange range = getDataTypeRange(dataType);
  for (auto [j, z] : llvm::enumerate(*zeroPoints)) {
    if (z >= range.min && z <= range.max)
      continue;
    InFlightDiagnostic diag = node.emitError() << what;
    if (zeroPoints->size() > 1)
      diag << "[" << j << "]";
    diag << " (" << z << ") is outside the range [" << range.min << ", "
         << range.max << "] of " << getTypeName(dataType);
    return failure();
  }
  return std::optional<llvm::SmallVector<int64_t>>(std::move(*zeroPoints));
}

/// Reads the parameters of an operand of data type `dataType`: the scale
/// input `scaleIndex` (or scale 1 when it is std::nullopt) and the optional
/// zero-point input `zpIndex` (0 when omitted). A single value on one side is
/// repeated to the length of the other.
static FailureOr<QuantParams>
readQuantParams(NodeImporter &node, std::optional<unsigned> scaleIndex,
                llvm::StringRef scaleName, unsigned zpIndex,
                llvm::StringRef zpName, int32_t dataType,
                llvm::StringRef operandName) {
  QuantParams params;
  params.dataType = dataType;
  if (scaleIndex) {
    FailureOr<llvm::SmallVector<double>> scales =
        readScales(node, *scaleIndex, scaleName);
    if (failed(scales))
      return failure();
    params.scales = std::move(*scales);
  }
  FailureOr<std::optional<llvm::SmallVector<int64_t>>> zeroPoints =
      readZeroPoints(node, zpIndex, zpName, dataType, operandName);
  if (failed(zeroPoints))
    return failure();
  if (*zeroPoints)
    params.zeroPoints = std::move(**zeroPoints);

  int64_t numScales = params.scales.size();
  int64_t numZeroPoints = params.zeroPoints.size();
  if (numScales != numZeroPoints) {
    if (scaleIndex && numScales != 1 && numZeroPoints != 1) {
      node.emitError() << scaleName << " has " << numScales << " values but "
                       << zpName << " has " << numZeroPoints;
      return failure();
    }
    if (numScales == 1)
      params.scales.assign(numZeroPoints, params.scales.front());
    else
      params.zeroPoints.assign(numScales, params.zeroPoints.front());
  }
  return params;
}

/// Replaces per-channel parameters whose channels all agree by per-tensor
/// ones; returns false (and leaves `params` alone) when they differ.
static bool collapseToPerTensor(QuantParams &params) {
  if (!llvm::all_equal(params.scales) || !llvm::all_equal(params.zeroPoints))
    return false;
  params.scales.resize(1);
  params.zeroPoints.resize(1);
  return true;
}

/// The quantized element type of `params`: per tensor, or per axis along
/// `axis` when there is more than one channel:
///   !quant.uniform<u8:f32, 0.5:128>  /  !quant.uniform<i8:f32:1, {0.5, 0.25}>
static quant::QuantizedType
getQuantType(MLIRContext *context, const QuantParams &params, int32_t axis) {
  bool isSigned = isSignedDataType(params.dataType);
  unsigned bits = getBitWidth(params.dataType);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type storage = IntegerType::get(context, bits);
  Type f32 = Float32Type::get(context);
  int64_t qmin =
      quant::QuantizedType::getDefaultMinimumForInteger(isSigned, bits);
  int64_t qmax =
      quant::QuantizedType::getDefaultMaximumForInteger(isSigned, bits);
  if (params.isPerTensor())
    return quant::UniformQuantizedType::get(
        flags, storage, f32, params.scales.front(), params.zeroPoints.front(),
        qmin, qmax);
  return quant::UniformQuantizedPerAxisType::get(
      flags, storage, f32, params.scales, params.zeroPoints, axis, qmin, qmax);
}

/// Reinterprets a storage tensor as a tensor of `qtype` (or back):
///   quant.scast %x : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 0.5>>
static Value castToQuantized(OpBuilder &b, Location loc, Value storage,
                             quant::QuantizedType qtype) {
  auto type = cast<RankedTensorType>(storage.getType());
  return quant::StorageCastOp::create(b, loc, type.clone(qtype), storage);
}

static Value castToStorage(OpBuilder &b, Location loc, Value quantized) {
  auto type = cast<RankedTensorType>(quantized.getType());
  auto qtype = cast<quant::QuantizedType>(type.getElementType());
  Type storage =
      IntegerType::get(b.getContext(), qtype.getStorageTypeIntegralWidth());
  return quant::StorageCastOp::create(b, loc, type.clone(storage), quantized);
}

/// Runs the verifier of an op the importer built, so that anything the
/// importer's own checks missed is reported at the node rather than later in
/// a pass.
static LogicalResult verifyBuiltOp(Operation *op) {
  return verify(op, /*verifyRecursively=*/false);
}

/// The accumulator for a sum of `k` products of operands quantized as `lhs`
/// and `rhs`: i32 when it provably cannot overflow, else i64.
static IntegerType chooseAccumulator(OpBuilder &b, int64_t k,
                                     const QuantParams &lhs,
                                     const QuantParams &rhs) {
  auto magnitude = [](const QuantParams &params) {
    int64_t result = 0;
    for (int64_t z : params.zeroPoints)
      result = std::max(
          result, qcomp::getMaxMagnitude(getDataTypeRange(params.dataType), z));
    return result;
  };
  if (qcomp::accumulatorCannotOverflow(k, magnitude(lhs), magnitude(rhs), 0,
                                       32))
    return b.getI32Type();
  return b.getI64Type();
}

/// Truncates an i64 tensor to i32 (two's complement wrap-around, as an int32
/// accumulation would produce):
///   linalg.generic { arith.trunci %a : i64 to i32 }
static Value truncateToI32(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return buildElementwise(b, loc, value, type.getShape(), b.getI32Type(),
                          [](OpBuilder &nb, Location nl, ValueRange args) {
                            return (Value)arith::TruncIOp::create(
                                nb, nl, nb.getI32Type(), args[0]);
                          });
}

//===----------------------------------------------------------------------===//
// QuantizeLinear / DequantizeLinear
//===----------------------------------------------------------------------===//

/// Checks that the scale and zero point of QuantizeLinear/DequantizeLinear
/// (inputs 1 and 2) are scalars or 1-D tensors.
static LogicalResult checkScalarOrVector(NodeImporter &node,
                                         llvm::StringRef scaleName,
                                         llvm::StringRef zpName) {
  const llvm::StringRef names[] = {scaleName, zpName};
  for (unsigned i : {1u, 2u}) {
    if (!node.hasInput(i) || node.getInputType(i).getRank() <= 1)
      continue;
    node.emitError() << names[i - 1]
                     << " must be a scalar or a 1-D tensor, got "
                     << node.getInputType(i);
    return failure();
  }
  return success();
}

/// Checks the channel count of `params` against dimension `axis` (the ONNX
/// `axis` attribute, possibly negative) of an operand of `shape`; returns the
/// normalized axis. Per-tensor parameters need no axis.
static FailureOr<int64_t>
checkQuantAxis(NodeImporter &node, const QuantParams &params, int64_t axis,
               llvm::ArrayRef<int64_t> shape, llvm::StringRef scaleName,
               llvm::StringRef operandName) {
  if (params.isPerTensor())
    return 0;
  if (node.getOpsetVersion() < 13) {
    node.emitError() << scaleName << " has " << params.size()
                     << " values; per-axis quantization needs opset 13";
    return failure();
  }
  FailureOr<int64_t> normalized =
      node.normalizeAxis(axis, static_cast<int64_t>(shape.size()));
  if (failed(normalized))
    return failure();
  if (shape[*normalized] != params.size()) {
    node.emitError() << scaleName << " has " << params.size()
                     << " values but dimension " << *normalized << " of "
                     << operandName << " has size " << shape[*normalized];
    return failure();
  }
  return normalized;
}

/// QuantizeLinear(x, y_scale[, y_zero_point]) ->
///   %q = qc.quantize %x
///       : tensor<6xf32> to tensor<6x!quant.uniform<u8:f32, 2.0:128>>
///   %y = quant.scast %q : ... to tensor<6xi8>
static LogicalResult importQuantizeLinear(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 3)))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  int64_t axis = node.getOpsetVersion() >= 13 ? node.getIntAttr("axis", 1) : 1;
  if (failed(checkDataType(
          node, 0, "x", {onnx::TensorProto::FLOAT, onnx::TensorProto::INT32})))
    return failure();
  int32_t dataType = onnx::TensorProto::UINT8;
  if (node.hasInput(2)) {
    if (failed(
            checkDataType(node, 2, "y_zero_point",
                          {onnx::TensorProto::UINT8, onnx::TensorProto::INT8})))
      return failure();
    dataType = node.getInputDataType(2);
  }
  if (failed(checkScalarOrVector(node, "y_scale", "y_zero_point")))
    return failure();
  FailureOr<QuantParams> params =
      readQuantParams(node, 1, "y_scale", 2, "y_zero_point", dataType, "y");
  if (failed(params))
    return failure();
  RankedTensorType xType = node.getInputType(0);
  FailureOr<int64_t> quantAxis =
      checkQuantAxis(node, *params, axis, xType.getShape(), "y_scale", "x");
  if (failed(quantAxis))
    return failure();

  Value x = node.getInput(0);
  if (node.getInputDataType(0) == onnx::TensorProto::INT32)
    x = buildElementwise(b, loc, x, xType.getShape(), b.getF32Type(),
                         [](OpBuilder &nb, Location nl, ValueRange args) {
                           return convertScalar(nb, nl, args[0],
                                                onnx::TensorProto::INT32,
                                                onnx::TensorProto::FLOAT);
                         });
  quant::QuantizedType qtype =
      getQuantType(node.getContext(), *params, *quantAxis);
  auto quantize = qc::QuantizeOp::create(b, loc, xType.clone(qtype), x);
  if (failed(verifyBuiltOp(quantize)))
    return failure();
  node.setOutput(0, castToStorage(b, loc, quantize), dataType);
  return success();
}

/// DequantizeLinear(x, x_scale[, x_zero_point]) ->
///   %q = quant.scast %x
///       : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 2.0:128>>
///   %y = qc.dequantize %q : ... to tensor<4xf32>
static LogicalResult importDequantizeLinear(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 3)))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  int64_t axis = node.getOpsetVersion() >= 13 ? node.getIntAttr("axis", 1) : 1;
  if (failed(checkDataType(node, 0, "x",
                           {onnx::TensorProto::UINT8, onnx::TensorProto::INT8,
                            onnx::TensorProto::INT32})))
    return failure();
  int32_t dataType = node.getInputDataType(0);
  if (failed(checkScalarOrVector(node, "x_scale", "x_zero_point")))
    return failure();
  FailureOr<QuantParams> params =
      readQuantParams(node, 1, "x_scale", 2, "x_zero_point", dataType, "x");
  if (failed(params))
    return failure();
  if (dataType == onnx::TensorProto::INT32 &&
      llvm::any_of(params->zeroPoints, [](int64_t z) { return z != 0; })) {
    node.emitError() << "x_zero_point of an int32 input must be 0";
    return failure();
  }
  RankedTensorType xType = node.getInputType(0);
  FailureOr<int64_t> quantAxis =
      checkQuantAxis(node, *params, axis, xType.getShape(), "x_scale", "x");
  if (failed(quantAxis))
    return failure();

  quant::QuantizedType qtype =
      getQuantType(node.getContext(), *params, *quantAxis);
  Value quantized = castToQuantized(b, loc, node.getInput(0), qtype);
  auto dequantize =
      qc::DequantizeOp::create(b, loc, xType.clone(b.getF32Type()), quantized);
  if (failed(verifyBuiltOp(dequantize)))
    return failure();
  node.setOutput(0, dequantize, onnx::TensorProto::FLOAT);
  return success();
}

/// DynamicQuantizeLinear(x) -> (y, y_scale, y_zero_point):
///   %q, %s, %z = qc.dynamic_quantize %x per_tensor
///       : tensor<6xf32> to tensor<6xui8>, tensor<f32>, tensor<ui8>
///   %y = tensor.bitcast %q : tensor<6xui8> to tensor<6xi8>
///   %zp = tensor.bitcast %z : tensor<ui8> to tensor<i8>
/// qc.dynamic_quantize's asymmetric formula is ONNX's (range widened to
/// contain 0, s = (rmax - rmin) / 255, z = saturate(round(-rmin / s)), f32
/// arithmetic, ties to even).
static LogicalResult importDynamicQuantizeLinear(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  if (failed(checkDataType(node, 0, "x", {onnx::TensorProto::FLOAT})))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  RankedTensorType xType = node.getInputType(0);
  Type ui8 = b.getIntegerType(8, /*isSigned=*/false);
  auto scalar = [&](Type elementType) {
    return RankedTensorType::get({}, elementType);
  };
  auto op = qc::DynamicQuantizeOp::create(
      b, loc, xType.clone(ui8), scalar(b.getF32Type()), scalar(ui8),
      node.getInput(0), qc::Granularity::PerTensor);
  if (failed(verifyBuiltOp(op)))
    return failure();
  auto toSignless = [&](Value value) -> Value {
    auto type = cast<RankedTensorType>(value.getType());
    return tensor::BitcastOp::create(b, loc, type.clone(b.getIntegerType(8)),
                                     value);
  };
  node.setOutput(0, toSignless(op.getResult()), onnx::TensorProto::UINT8);
  node.setOutput(1, op.getScale(), onnx::TensorProto::FLOAT);
  node.setOutput(2, toSignless(op.getZeroPoint()), onnx::TensorProto::UINT8);
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulInteger / QLinearMatMul
//===----------------------------------------------------------------------===//

/// NumPy matmul of the storage tensors `lhs` and `rhs` (ranks >= 1, batch
/// dimensions broadcast) quantized as `lhsParams` (per tensor) and
/// `rhsParams` (per tensor or per column N). The result is the i32
/// accumulator when `resultParams` is null, else the storage of the result
/// quantized as `*resultParams` (per tensor or per column):
///
///   A: MxK,    B: KxN       -> qc.matmul
///   A: ...xMxK, B: KxN      -> collapse A to (...*M)xK, qc.matmul, expand
///   A: ...xMxK, B: ...xKxN  -> broadcast the batch dims, collapse them,
///                              qc.batch_matmul, expand
///
/// Reshapes act on the storage integers; the quantized types are attached
/// with quant.scast around the qc op:
///   %a = quant.scast %lhs
///       : tensor<4x3xi8> to tensor<4x3x!quant.uniform<u8:f32, 1.0:12>>
///   %b = quant.scast %rhs
///       : tensor<3x2xi8> to tensor<3x2x!quant.uniform<u8:f32, 1.0>>
///   %y = qc.matmul %a, %b acc(i32) : ... -> tensor<4x2xi32>
static FailureOr<Value> buildQuantizedMatmul(NodeImporter &node, Value lhs,
                                             Value rhs,
                                             const QuantParams &lhsParams,
                                             const QuantParams &rhsParams,
                                             const QuantParams *resultParams) {
  OpBuilder &b = node.b;
  Location loc = node.loc;
  MLIRContext *context = node.getContext();
  FailureOr<MatmulOperands> operands = prepareMatmulOperands(node, lhs, rhs);
  if (failed(operands))
    return failure();
  int64_t k = operands->k, n = operands->n;
  if ((!rhsParams.isPerTensor() && rhsParams.size() != n) ||
      (resultParams && !resultParams->isPerTensor() &&
       resultParams->size() != n))
    return node.emitError()
           << "per-column parameters must have N = " << n << " values";
  bool sharedRhs = !operands->batched;
  lhs = operands->lhs;
  rhs = operands->rhs;
  int32_t lastDim = cast<RankedTensorType>(lhs.getType()).getRank() - 1;
  Value lhsQ =
      castToQuantized(b, loc, lhs, getQuantType(context, lhsParams, lastDim));
  Value rhsQ =
      castToQuantized(b, loc, rhs, getQuantType(context, rhsParams, lastDim));

  IntegerType acc = chooseAccumulator(b, k, lhsParams, rhsParams);
  llvm::SmallVector<int64_t> accShape = operands->getProductShape();
  Type resultElement = resultParams
                           ? (Type)getQuantType(context, *resultParams, lastDim)
                           : (Type)acc;
  auto resultType = RankedTensorType::get(accShape, resultElement);
  Operation *op;
  if (sharedRhs)
    op = qc::MatmulOp::create(b, loc, resultType, lhsQ, rhsQ, /*bias=*/Value(),
                              acc);
  else
    op = qc::BatchMatmulOp::create(b, loc, resultType, lhsQ, rhsQ,
                                   /*bias=*/Value(), acc);
  if (failed(verifyBuiltOp(op)))
    return failure();

  Value result = op->getResult(0);
  if (resultParams)
    result = castToStorage(b, loc, result);
  else if (acc.getWidth() != 32)
    result = truncateToI32(b, loc, result);
  return reshapeTensor(b, loc, result, operands->resultShape);
}

/// Collapses the per-row parameters of matmul input A to per-tensor ones:
/// qc.matmul quantizes its lhs per tensor. A vector of M values (the rows of
/// A) is accepted when all values agree.
static LogicalResult requirePerTensorLhs(NodeImporter &node,
                                         QuantParams &params, int64_t rows,
                                         llvm::StringRef what) {
  if (params.isPerTensor())
    return success();
  if (params.size() != rows) {
    node.emitError() << what << " has " << params.size()
                     << " values; expected 1 or one per row of A (" << rows
                     << ")";
    return failure();
  }
  if (!collapseToPerTensor(params))
    return node.unsupported(
        "per-row " + what +
        " with different values (qc.matmul quantizes its lhs per tensor)");
  return success();
}

/// Checks that per-column parameters of B (or the result) have one value
/// per column N; equal values become per-tensor ones.
static LogicalResult checkPerColumn(NodeImporter &node, QuantParams &params,
                                    int64_t columns, llvm::StringRef what) {
  if (!params.isPerTensor() && params.size() != columns) {
    node.emitError() << what << " has " << params.size()
                     << " values; expected 1 or one per column of B ("
                     << columns << ")";
    return failure();
  }
  collapseToPerTensor(params);
  return success();
}

/// The size of the second-to-last (M) and last (N) dimension of a matmul
/// operand after NumPy's promotion of vectors.
static int64_t getRows(RankedTensorType type) {
  return type.getRank() >= 2 ? type.getDimSize(type.getRank() - 2) : 1;
}
static int64_t getColumns(RankedTensorType type) {
  return type.getRank() >= 2 ? type.getDimSize(type.getRank() - 1) : 1;
}

/// Checks that a zero-point or scale input of a matmul operand is a scalar,
/// a vector, or an N-D tensor that varies only along its dimension `fromEnd`
/// counted from the end: ONNX's [D1, D2, M, 1] per-row (fromEnd = 2) and
/// [D1, D2, 1, N] per-column (fromEnd = 1) forms, with D1 = D2 = 1.
static LogicalResult checkParamShape(NodeImporter &node, unsigned i,
                                     llvm::StringRef what, unsigned fromEnd) {
  if (!node.hasInput(i))
    return success();
  llvm::ArrayRef<int64_t> shape = node.getInputShape(i);
  if (shape.size() <= 1)
    return success();
  for (auto [d, size] : llvm::enumerate(shape))
    if (size != 1 && d != shape.size() - fromEnd) {
      node.emitError() << what << " of shape " << node.getInputType(i)
                       << " varies along a dimension other than the "
                       << (fromEnd == 1 ? "columns" : "rows");
      return failure();
    }
  return success();
}

/// MatMulInteger(A, B[, a_zero_point[, b_zero_point]]) -> int32:
///   qc.matmul %a, %b acc(i32)
///       : tensor<4x3x!quant.uniform<u8:f32, 1.0:12>>,
///         tensor<3x2x!quant.uniform<u8:f32:1, {1.0:3, 1.0:5}>>
///       -> tensor<4x2xi32>
static LogicalResult importMatMulInteger(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 4)))
    return failure();
  const std::initializer_list<int32_t> int8Types = {onnx::TensorProto::UINT8,
                                                    onnx::TensorProto::INT8};
  if (failed(checkDataType(node, 0, "A", int8Types)) ||
      failed(checkDataType(node, 1, "B", int8Types)) ||
      failed(checkParamShape(node, 2, "a_zero_point", 2)) ||
      failed(checkParamShape(node, 3, "b_zero_point", 1)))
    return failure();
  FailureOr<QuantParams> aParams = readQuantParams(
      node, std::nullopt, "", 2, "a_zero_point", node.getInputDataType(0), "A");
  if (failed(aParams))
    return failure();
  FailureOr<QuantParams> bParams = readQuantParams(
      node, std::nullopt, "", 3, "b_zero_point", node.getInputDataType(1), "B");
  if (failed(bParams) ||
      failed(requirePerTensorLhs(node, *aParams, getRows(node.getInputType(0)),
                                 "a_zero_point")) ||
      failed(checkPerColumn(node, *bParams, getColumns(node.getInputType(1)),
                            "b_zero_point")))
    return failure();
  FailureOr<Value> result =
      buildQuantizedMatmul(node, node.getInput(0), node.getInput(1), *aParams,
                           *bParams, /*resultParams=*/nullptr);
  if (failed(result))
    return failure();
  node.setOutput(0, *result, onnx::TensorProto::INT32);
  return success();
}

/// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp):
///   qc.matmul %a, %b acc(i32)
///       : tensor<2x4x!quant.uniform<u8:f32, 0.0066:113>>,
///         tensor<4x3x!quant.uniform<u8:f32, 0.00705:114>>
///       -> tensor<2x3x!quant.uniform<u8:f32, 0.0107:118>>
/// (the accumulator requantized with s_a * s_b[n] / s_y, as qc.requantize
/// does).
static LogicalResult importQLinearMatMul(NodeImporter &node) {
  if (failed(node.checkNumInputs(8, 8)))
    return failure();
  const std::initializer_list<int32_t> int8Types = {onnx::TensorProto::UINT8,
                                                    onnx::TensorProto::INT8};
  for (unsigned i : {2u, 5u, 7u})
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " (zero point) is missing";
  if (failed(checkDataType(node, 0, "a", int8Types)) ||
      failed(checkDataType(node, 3, "b", int8Types)) ||
      failed(checkDataType(node, 7, "y_zero_point", int8Types)) ||
      failed(checkParamShape(node, 1, "a_scale", 2)) ||
      failed(checkParamShape(node, 2, "a_zero_point", 2)) ||
      failed(checkParamShape(node, 4, "b_scale", 1)) ||
      failed(checkParamShape(node, 5, "b_zero_point", 1)) ||
      failed(checkParamShape(node, 6, "y_scale", 1)) ||
      failed(checkParamShape(node, 7, "y_zero_point", 1)))
    return failure();
  FailureOr<QuantParams> aParams = readQuantParams(
      node, 1, "a_scale", 2, "a_zero_point", node.getInputDataType(0), "a");
  if (failed(aParams))
    return failure();
  FailureOr<QuantParams> bParams = readQuantParams(
      node, 4, "b_scale", 5, "b_zero_point", node.getInputDataType(3), "b");
  if (failed(bParams))
    return failure();
  FailureOr<QuantParams> yParams =
      readQuantParams(node, 6, "y_scale", 7, "y_zero_point",
                      node.getInputDataType(7), "y_zero_point");
  if (failed(yParams))
    return failure();
  int64_t columns = getColumns(node.getInputType(3));
  if (failed(requirePerTensorLhs(node, *aParams, getRows(node.getInputType(0)),
                                 "a_scale/a_zero_point")) ||
      failed(checkPerColumn(node, *bParams, columns, "b_scale/b_zero_point")) ||
      failed(checkPerColumn(node, *yParams, columns, "y_scale/y_zero_point")))
    return failure();
  FailureOr<Value> result = buildQuantizedMatmul(
      node, node.getInput(0), node.getInput(3), *aParams, *bParams, &*yParams);
  if (failed(result))
    return failure();
  node.setOutput(0, *result, yParams->dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// ConvInteger / QLinearConv
//===----------------------------------------------------------------------===//

namespace {
/// The geometry of an ONNX convolution in qc.conv2d's conventions. A 1-D
/// convolution (N x C x W) is a 2-D one of height 1.
struct Conv2dGeometry {
  llvm::SmallVector<int64_t> strides{1, 1};
  llvm::SmallVector<int64_t> dilations{1, 1};
  /// [top, left, bottom, right] (ONNX's [x1_begin, x2_begin, x1_end, x2_end]).
  llvm::SmallVector<int64_t> pads{0, 0, 0, 0};
  int64_t groups = 1;
  /// The 4-D (NCHW / FCHW / NFHW) shapes qc.conv2d sees.
  llvm::SmallVector<int64_t> inputShape, filterShape, resultShape;
  /// The shape of the ONNX output (rank 3 for a 1-D convolution).
  llvm::SmallVector<int64_t> outputShape;
};
} // namespace

/// Reads the geometry of a 1-D or 2-D convolution of input 0 by the filter
/// at `filterIndex` (readConvGeometry, shared with Conv) and maps it to
/// qc.conv2d's 4-D form.
static FailureOr<Conv2dGeometry> getConv2dGeometry(NodeImporter &node,
                                                   unsigned filterIndex) {
  int64_t rank = node.getInputType(0).getRank();
  if (rank != 3 && rank != 4) {
    (void)node.unsupported("convolution with x of rank " + llvm::Twine(rank) +
                           " (only 1-D and 2-D convolutions, rank 3 or 4, "
                           "are supported)");
    return failure();
  }
  FailureOr<ConvGeometry> conv = readConvGeometry(node, filterIndex);
  if (failed(conv))
    return failure();
  const WindowGeometry &window = conv->window;
  Conv2dGeometry geometry;
  geometry.groups = conv->group;
  llvm::ArrayRef<int64_t> x = node.getInputShape(0);
  llvm::ArrayRef<int64_t> w = node.getInputShape(filterIndex);
  geometry.inputShape.assign(x.begin(), x.end());
  geometry.filterShape.assign(w.begin(), w.end());
  geometry.outputShape = {x[0], w[0]};
  geometry.outputShape.append(window.outputShape);
  geometry.resultShape = geometry.outputShape;
  // The last `rank - 2` entries of each pair are the ONNX spatial ones.
  unsigned offset = 4 - rank;
  for (int64_t d = 0; d < window.getRank(); ++d) {
    geometry.strides[offset + d] = window.strides[d];
    geometry.dilations[offset + d] = window.dilations[d];
    geometry.pads[offset + d] = window.padsBegin[d];
    geometry.pads[2 + offset + d] = window.padsEnd[d];
  }
  if (rank == 3) {
    geometry.inputShape.insert(geometry.inputShape.begin() + 2, 1);
    geometry.filterShape.insert(geometry.filterShape.begin() + 2, 1);
    geometry.resultShape.insert(geometry.resultShape.begin() + 2, 1);
  }
  return geometry;
}

/// Checks that per-tensor-only parameters (of x, or of y) have one value.
static LogicalResult requirePerTensor(NodeImporter &node, QuantParams &params,
                                      llvm::StringRef what) {
  if (params.isPerTensor() || collapseToPerTensor(params))
    return success();
  return node.unsupported(what + " with " + llvm::Twine(params.size()) +
                          " different values (only a scalar is allowed)");
}

/// Checks that filter parameters are per tensor or per output channel.
static LogicalResult checkPerFilter(NodeImporter &node, QuantParams &params,
                                    int64_t filters, llvm::StringRef what) {
  if (!params.isPerTensor() && params.size() != filters)
    return node.emitError() << what << " has " << params.size()
                            << " values; expected 1 or one per output "
                               "channel ("
                            << filters << ")";
  collapseToPerTensor(params);
  return success();
}

/// A quantized convolution of storage tensors, as qc.conv2d (filter
/// quantized per tensor or along its output channels, dimension 0; 1-D
/// convolutions reshaped to height 1):
///   qc.conv2d %x, %w bias(%b : tensor<8xi32>) pads [1, 1, 1, 1] acc(i32)
///       : tensor<1x3x8x8x!quant.uniform<u8:f32, 0.02:128>>,
///         tensor<8x3x3x3x!quant.uniform<i8:f32, 0.01>> -> tensor<1x8x8x8xi32>
/// Returns the i32 accumulator when `resultParams` is null, else the storage
/// of the result quantized per tensor as `*resultParams`.
static FailureOr<Value> buildQuantizedConv(NodeImporter &node,
                                           const Conv2dGeometry &geometry,
                                           Value x, Value w, Value bias,
                                           const QuantParams &xParams,
                                           const QuantParams &wParams,
                                           const QuantParams *resultParams) {
  OpBuilder &b = node.b;
  Location loc = node.loc;
  MLIRContext *context = node.getContext();
  x = reshapeTensor(b, loc, x, geometry.inputShape);
  w = reshapeTensor(b, loc, w, geometry.filterShape);
  Value xQ = castToQuantized(b, loc, x, getQuantType(context, xParams, 0));
  Value wQ = castToQuantized(b, loc, w, getQuantType(context, wParams, 0));
  llvm::ArrayRef<int64_t> wShape = geometry.filterShape;
  int64_t k = wShape[1] * wShape[2] * wShape[3];
  IntegerType acc = chooseAccumulator(b, k, xParams, wParams);
  if (bias && acc.getWidth() != 32) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    bias = buildElementwise(b, loc, bias, biasType.getShape(), acc,
                            [&](OpBuilder &nb, Location nl, ValueRange args) {
                              return (Value)arith::ExtSIOp::create(nb, nl, acc,
                                                                   args[0]);
                            });
  }
  Type resultElement =
      resultParams ? (Type)getQuantType(context, *resultParams, 1) : (Type)acc;
  auto resultType = RankedTensorType::get(geometry.resultShape, resultElement);
  auto conv = qc::Conv2DOp::create(
      b, loc, resultType, xQ, wQ, bias, geometry.strides, geometry.pads,
      geometry.dilations, static_cast<uint64_t>(geometry.groups), acc);
  if (failed(verifyBuiltOp(conv)))
    return failure();
  Value result = conv;
  if (resultParams)
    result = castToStorage(b, loc, result);
  else if (acc.getWidth() != 32)
    result = truncateToI32(b, loc, result);
  return reshapeTensor(b, loc, result, geometry.outputShape);
}

/// ConvInteger(x, w[, x_zero_point[, w_zero_point]]) -> int32, via qc.conv2d
/// with scale-1 types; padded positions hold x_zero_point.
static LogicalResult importConvInteger(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 4)))
    return failure();
  const std::initializer_list<int32_t> int8Types = {onnx::TensorProto::UINT8,
                                                    onnx::TensorProto::INT8};
  if (failed(checkDataType(node, 0, "x", int8Types)) ||
      failed(checkDataType(node, 1, "w", int8Types)))
    return failure();
  FailureOr<Conv2dGeometry> geometry = getConv2dGeometry(node, 1);
  if (failed(geometry))
    return failure();
  FailureOr<QuantParams> xParams = readQuantParams(
      node, std::nullopt, "", 2, "x_zero_point", node.getInputDataType(0), "x");
  if (failed(xParams) ||
      failed(requirePerTensor(node, *xParams, "x_zero_point")))
    return failure();
  FailureOr<QuantParams> wParams = readQuantParams(
      node, std::nullopt, "", 3, "w_zero_point", node.getInputDataType(1), "w");
  if (failed(wParams) ||
      failed(checkPerFilter(node, *wParams, node.getInputShape(1)[0],
                            "w_zero_point")))
    return failure();
  FailureOr<Value> result =
      buildQuantizedConv(node, *geometry, node.getInput(0), node.getInput(1),
                         /*bias=*/Value(), *xParams, *wParams, nullptr);
  if (failed(result))
    return failure();
  node.setOutput(0, *result, onnx::TensorProto::INT32);
  return success();
}

/// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, B]):
/// qc.conv2d with a quantized result and the int32 bias B (at scale
/// x_scale * w_scale, zero point 0).
static LogicalResult importQLinearConv(NodeImporter &node) {
  if (failed(node.checkNumInputs(8, 9)))
    return failure();
  const std::initializer_list<int32_t> int8Types = {onnx::TensorProto::UINT8,
                                                    onnx::TensorProto::INT8};
  for (unsigned i : {2u, 5u, 7u})
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " (zero point) is missing";
  if (failed(checkDataType(node, 0, "x", int8Types)) ||
      failed(checkDataType(node, 3, "w", int8Types)) ||
      failed(checkDataType(node, 7, "y_zero_point", int8Types)))
    return failure();
  FailureOr<Conv2dGeometry> geometry = getConv2dGeometry(node, 3);
  if (failed(geometry))
    return failure();
  int64_t filters = node.getInputShape(3)[0];
  FailureOr<QuantParams> xParams = readQuantParams(
      node, 1, "x_scale", 2, "x_zero_point", node.getInputDataType(0), "x");
  if (failed(xParams) ||
      failed(requirePerTensor(node, *xParams, "x_scale/x_zero_point")))
    return failure();
  FailureOr<QuantParams> wParams = readQuantParams(
      node, 4, "w_scale", 5, "w_zero_point", node.getInputDataType(3), "w");
  if (failed(wParams) ||
      failed(checkPerFilter(node, *wParams, filters, "w_scale/w_zero_point")))
    return failure();
  FailureOr<QuantParams> yParams =
      readQuantParams(node, 6, "y_scale", 7, "y_zero_point",
                      node.getInputDataType(7), "y_zero_point");
  if (failed(yParams) ||
      failed(requirePerTensor(node, *yParams, "y_scale/y_zero_point")))
    return failure();
  Value bias;
  if (node.hasInput(8)) {
    if (failed(checkDataType(node, 8, "B", {onnx::TensorProto::INT32})))
      return failure();
    RankedTensorType biasType = node.getInputType(8);
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != filters)
      return node.emitError() << "B must be a 1-D tensor of " << filters
                              << " values, got " << biasType;
    bias = node.getInput(8);
  }
  FailureOr<Value> result =
      buildQuantizedConv(node, *geometry, node.getInput(0), node.getInput(3),
                         bias, *xParams, *wParams, &*yParams);
  if (failed(result))
    return failure();
  node.setOutput(0, *result, yParams->dataType);
  return success();
}

void mlir::qcomp::onnx_import::registerQuantOps(OpImporterTable &table) {
  table["QuantizeLinear"] = importQuantizeLinear;
  table["DequantizeLinear"] = importDequantizeLinear;
  table["DynamicQuantizeLinear"] = importDynamicQuantizeLinear;
  table["MatMulInteger"] = importMatMulInteger;
  table["QLinearMatMul"] = importQLinearMatMul;
  table["ConvInteger"] = importConvInteger;
  table["QLinearConv"] = importQLinearConv;
}
