//===- WeightConstants.cpp - Compile-time weights for qc-quantize ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "WeightConstants.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::qcomp;

static FailureOr<FloatConstant> readConstant(Value value) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return failure();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return failure();
  FloatConstant result;
  result.shape.assign(type.getShape().begin(), type.getShape().end());
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    result.values.assign(values.begin(), values.end());
    return result;
  }
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> values = resource.tryGetAsArrayRef();
    if (!values || (int64_t)values->size() != type.getNumElements())
      return failure();
    result.values.assign(values->begin(), values->end());
    return result;
  }
  return failure();
}

static FloatConstant transpose(const FloatConstant &input,
                               ArrayRef<int64_t> permutation) {
  FloatConstant output;
  unsigned rank = input.shape.size();
  for (int64_t p : permutation)
    output.shape.push_back(input.shape[p]);
  SmallVector<int64_t> inStrides(rank, 1);
  for (int d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * input.shape[d + 1];
  output.values.resize(input.values.size());
  SmallVector<int64_t> index(rank, 0);
  for (size_t flat = 0; flat < output.values.size(); ++flat) {
    int64_t source = 0;
    for (unsigned d = 0; d < rank; ++d)
      source += index[d] * inStrides[permutation[d]];
    output.values[flat] = input.values[source];
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < output.shape[d])
        break;
      index[d] = 0;
    }
  }
  return output;
}

FailureOr<FloatConstant> qcomp::evaluateFloatConstant(Value value) {
  Operation *op = value.getDefiningOp();
  if (!op)
    return failure();
  auto reshaped = [&](Value source) -> FailureOr<FloatConstant> {
    FailureOr<FloatConstant> input = evaluateFloatConstant(source);
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (failed(input) || !type || !type.hasStaticShape())
      return failure();
    input->shape.assign(type.getShape().begin(), type.getShape().end());
    return input;
  };
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op))
    return reshaped(expand.getSrc());
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op))
    return reshaped(collapse.getSrc());
  if (auto transposeOp = dyn_cast<linalg::TransposeOp>(op)) {
    FailureOr<FloatConstant> input =
        evaluateFloatConstant(transposeOp.getInput());
    if (failed(input))
      return failure();
    return transpose(*input, transposeOp.getPermutation());
  }
  return readConstant(value);
}

quant::QuantizedType qcomp::getWeightType(MLIRContext *context,
                                          const QuantizedWeights &weights,
                                          ArrayRef<int64_t> shape,
                                          const WeightQuantSpec &spec) {
  auto storage = IntegerType::get(context, spec.bits);
  auto f32 = Float32Type::get(context);
  unsigned flags = quant::QuantizationFlags::Signed;
  int64_t qmin = weights.range.min, qmax = weights.range.max;
  switch (spec.granularity) {
  case WeightGranularity::PerTensor:
    return quant::UniformQuantizedType::get(flags, storage, f32,
                                            weights.scales[0],
                                            weights.zeroPoints[0], qmin, qmax);
  case WeightGranularity::PerChannel:
    return quant::UniformQuantizedPerAxisType::get(
        flags, storage, f32, weights.scales, weights.zeroPoints,
        spec.channelAxis, qmin, qmax);
  case WeightGranularity::PerGroup: {
    SmallVector<float> scales(weights.scales.begin(), weights.scales.end());
    SmallVector<APInt> zeroPoints;
    for (int64_t zp : weights.zeroPoints)
      zeroPoints.push_back(APInt(spec.bits, zp, /*isSigned=*/true));
    auto scaleType = RankedTensorType::get(weights.paramShape, f32);
    auto zpType = RankedTensorType::get(weights.paramShape, storage);
    SmallVector<int32_t> dims;
    SmallVector<int64_t> blocks;
    for (auto [d, size] : llvm::enumerate(shape)) {
      if ((int64_t)d != spec.channelAxis && (int64_t)d != spec.reductionAxis)
        continue;
      dims.push_back(d);
      blocks.push_back(size / weights.paramShape[d]);
    }
    return quant::UniformQuantizedSubChannelType::get(
        flags, storage, f32,
        DenseElementsAttr::get(scaleType, ArrayRef<float>(scales)),
        DenseElementsAttr::get(zpType, zeroPoints), dims, blocks, qmin, qmax);
  }
  }
  llvm_unreachable("unknown granularity");
}

Value qcomp::buildWeightConstant(OpBuilder &b, Location loc,
                                 const QuantizedWeights &weights,
                                 ArrayRef<int64_t> shape,
                                 quant::QuantizedType type, unsigned bits) {
  auto resultType = RankedTensorType::get(shape, type);
  if (bits == 8) {
    auto storageType = RankedTensorType::get(shape, b.getI8Type());
    auto constant = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(storageType, ArrayRef<int8_t>(weights.values)));
    return quant::StorageCastOp::create(b, loc, resultType, constant);
  }
  std::vector<uint8_t> packed = packSubByte(weights.values, shape, bits);
  auto packedType =
      RankedTensorType::get(getPackedShape(shape, bits), b.getI8Type());
  ArrayRef<int8_t> bytes(reinterpret_cast<const int8_t *>(packed.data()),
                         packed.size());
  auto constant = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(packedType, bytes));
  return qc::UnpackOp::create(b, loc, resultType, constant);
}
