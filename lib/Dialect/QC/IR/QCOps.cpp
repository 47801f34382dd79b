//===- QCOps.cpp - qc dialect operations ------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers, folders and canonicalization patterns of the qc ops, and the
// helpers that read quantization parameters out of upstream quant types.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Quant/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/DenseSet.h"

#include <cfloat>
#include <cmath>

using namespace mlir;
using namespace mlir::qc;

#define GET_OP_CLASSES
#include "qcomp/Dialect/QC/IR/QCOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Quantization parameter helpers
//===----------------------------------------------------------------------===//

quant::QuantizedType qc::getQuantizedElementType(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped)
    return {};
  return dyn_cast<quant::QuantizedType>(shaped.getElementType());
}

FailureOr<QuantParamLayout> qc::getQuantParamLayout(quant::QuantizedType qtype,
                                                    unsigned rank) {
  QuantParamLayout layout;
  layout.blockSizes.assign(rank, -1);
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(qtype)) {
    layout.scales.push_back(uniform.getScale());
    layout.zeroPoints.push_back(uniform.getZeroPoint());
    return layout;
  }
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(qtype)) {
    int32_t axis = perAxis.getQuantizedDimension();
    if (axis < 0 || static_cast<unsigned>(axis) >= rank)
      return failure();
    layout.shape.push_back(perAxis.getScales().size());
    llvm::append_range(layout.scales, perAxis.getScales());
    llvm::append_range(layout.zeroPoints, perAxis.getZeroPoints());
    layout.blockSizes[axis] = 1;
    return layout;
  }
  if (auto sub = dyn_cast<quant::UniformQuantizedSubChannelType>(qtype)) {
    auto scalesType = cast<ShapedType>(sub.getScales().getType());
    if (scalesType.getRank() != static_cast<int64_t>(rank))
      return failure();
    llvm::append_range(layout.shape, scalesType.getShape());
    for (APFloat scale : sub.getScales().getValues<APFloat>())
      layout.scales.push_back(scale.convertToDouble());
    for (APInt zp : sub.getZeroPoints().getValues<APInt>())
      layout.zeroPoints.push_back(sub.isSigned() ? zp.getSExtValue()
                                                 : zp.getZExtValue());
    for (auto [dim, block] : sub.getBlockSizeInfo())
      if (dim >= 0 && static_cast<unsigned>(dim) < rank)
        layout.blockSizes[dim] = block;
    return layout;
  }
  return failure();
}

AffineMap QuantParamLayout::getIndexingMap(MLIRContext *context) const {
  unsigned rank = blockSizes.size();
  SmallVector<AffineExpr> results;
  if (shape.size() == 1 && shape.size() != rank) {
    // Per axis: the single parameter dimension follows the quantized axis.
    for (unsigned d = 0; d < rank; ++d)
      if (blockSizes[d] == 1)
        results.push_back(getAffineDimExpr(d, context));
  } else if (!shape.empty()) {
    for (unsigned d = 0; d < rank; ++d) {
      if (blockSizes[d] <= 0)
        results.push_back(getAffineConstantExpr(0, context));
      else if (blockSizes[d] == 1)
        results.push_back(getAffineDimExpr(d, context));
      else
        results.push_back(getAffineDimExpr(d, context).floorDiv(blockSizes[d]));
    }
  }
  return AffineMap::get(rank, 0, results, context);
}

int64_t QuantParamLayout::getParamIndex(ArrayRef<int64_t> tensorIndex) const {
  // Evaluates getIndexingMap() by hand: it has only dims, constants and
  // floordivs by the block size.
  unsigned rank = blockSizes.size();
  if (shape.empty())
    return 0;
  if (shape.size() == 1 && rank != 1) {
    for (unsigned d = 0; d < rank; ++d)
      if (blockSizes[d] == 1)
        return tensorIndex[d];
    return 0;
  }
  int64_t linear = 0;
  for (unsigned d = 0; d < rank; ++d) {
    int64_t index = blockSizes[d] <= 0 ? 0 : tensorIndex[d] / blockSizes[d];
    linear = linear * shape[d] + index;
  }
  return linear;
}

FailureOr<RequantizeParams> qc::getRequantizeParams(quant::QuantizedType in,
                                                    quant::QuantizedType out,
                                                    unsigned rank) {
  FailureOr<QuantParamLayout> inLayout = getQuantParamLayout(in, rank);
  FailureOr<QuantParamLayout> outLayout = getQuantParamLayout(out, rank);
  if (failed(inLayout) || failed(outLayout))
    return failure();
  if (!inLayout->isPerTensor() && !outLayout->isPerTensor() &&
      (inLayout->getIndexingMap(in.getContext()) !=
           outLayout->getIndexingMap(out.getContext()) ||
       inLayout->shape != outLayout->shape))
    return failure();
  RequantizeParams params;
  params.layout = inLayout->isPerTensor() ? *outLayout : *inLayout;
  size_t n = params.layout.scales.size();
  for (size_t i = 0; i < n; ++i) {
    size_t ii = inLayout->isPerTensor() ? 0 : i;
    size_t oi = outLayout->isPerTensor() ? 0 : i;
    params.multipliers.push_back(inLayout->scales[ii] / outLayout->scales[oi]);
    params.inZeroPoints.push_back(inLayout->zeroPoints[ii]);
    params.outZeroPoints.push_back(outLayout->zeroPoints[oi]);
  }
  return params;
}

LogicalResult
qc::verifyQuantizedShape(function_ref<InFlightDiagnostic()> emitError,
                         StringRef what, quant::QuantizedType qtype,
                         ArrayRef<int64_t> shape, unsigned maxStorageBits) {
  unsigned bits = qtype.getStorageTypeIntegralWidth();
  if (bits > maxStorageBits)
    return emitError() << what << " storage type is " << bits
                       << " bits wide; at most " << maxStorageBits
                       << " bits are supported here";
  if (!qtype.getExpressedType().isF32())
    return emitError() << what << " expressed type must be f32, got "
                       << qtype.getExpressedType();
  unsigned rank = shape.size();
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(qtype)) {
    int32_t axis = perAxis.getQuantizedDimension();
    if (axis < 0 || static_cast<unsigned>(axis) >= rank)
      return emitError() << what << " quantized axis " << axis
                         << " is out of range for rank " << rank;
    int64_t numScales = perAxis.getScales().size();
    if (!ShapedType::isDynamic(shape[axis]) && shape[axis] != numScales)
      return emitError() << what << " has " << numScales
                         << " scales but dimension " << axis << " has size "
                         << shape[axis];
  }
  if (auto sub = dyn_cast<quant::UniformQuantizedSubChannelType>(qtype)) {
    auto scalesType = cast<ShapedType>(sub.getScales().getType());
    if (scalesType.getRank() != static_cast<int64_t>(rank))
      return emitError() << what << " scales have rank " << scalesType.getRank()
                         << " but the tensor has rank " << rank;
    llvm::SmallDenseSet<int32_t> blockedDims;
    for (auto [dim, block] : sub.getBlockSizeInfo())
      blockedDims.insert(dim);
    for (unsigned d = 0; d < rank; ++d)
      if (!blockedDims.contains(d) && scalesType.getDimSize(d) != 1)
        return emitError() << what << " dimension " << d
                           << " is not blocked, so its scales must have size "
                              "1 there, got "
                           << scalesType.getDimSize(d);
    for (auto [dim, block] : sub.getBlockSizeInfo()) {
      if (dim < 0 || static_cast<unsigned>(dim) >= rank)
        return emitError() << what << " quantized dimension " << dim
                           << " is out of range for rank " << rank;
      if (ShapedType::isDynamic(shape[dim]))
        return emitError() << what << " blocked dimension " << dim
                           << " must be static";
      if (shape[dim] != scalesType.getDimSize(dim) * block)
        return emitError() << what << " dimension " << dim << " of size "
                           << shape[dim] << " is not "
                           << scalesType.getDimSize(dim) << " blocks of "
                           << block;
    }
  }
  FailureOr<QuantParamLayout> layout = getQuantParamLayout(qtype, rank);
  if (failed(layout))
    return emitError() << what << " has an unsupported quantized type "
                       << qtype;
  int64_t qmin = qtype.getStorageTypeMin(), qmax = qtype.getStorageTypeMax();
  for (auto [i, scale] : llvm::enumerate(layout->scales)) {
    if (!(scale >= qcomp::kMinScale && scale <= FLT_MAX))
      return emitError() << what << " scale " << i << " must be a normal f32 "
                         << "value, got " << scale;
    int64_t zp = layout->zeroPoints[i];
    if (zp < qmin || zp > qmax)
      return emitError() << what << " zero point " << i << " (" << zp
                         << ") is outside the storage range [" << qmin << ", "
                         << qmax << "]";
  }
  return success();
}

/// A dimension size for a diagnostic: `?` when dynamic.
static std::string formatDim(int64_t size) {
  return ShapedType::isDynamic(size) ? "?" : std::to_string(size);
}

/// True when two dimension sizes can be equal at run time.
static bool areCompatibleDims(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Verifies a tensor type of quantized elements against its own shape.
static LogicalResult verifyQuantizedTensor(Operation *op, StringRef what,
                                           Type type, unsigned maxBits) {
  auto tensorType = cast<RankedTensorType>(type);
  return verifyQuantizedShape([&] { return op->emitOpError(); }, what,
                              getQuantizedElementType(tensorType),
                              tensorType.getShape(), maxBits);
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

LogicalResult ObserveOp::verify() {
  if (getId().empty())
    return emitOpError("id must not be empty");
  int64_t rank = getInput().getType().getRank();
  if (std::optional<int64_t> axis = getChannelAxis())
    if (*axis < 0 || *axis >= rank)
      return emitOpError("channel_axis ")
             << *axis << " is out of range for rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  quant::QuantizedType qtype = getQuantizedElementType(getResult().getType());
  Type inputElt = getInput().getType().getElementType();
  if (qtype.getExpressedType() != inputElt)
    return emitOpError("result expressed type ")
           << qtype.getExpressedType() << " does not match input element type "
           << inputElt;
  return verifyQuantizedTensor(*this, "result", getResult().getType(), 16);
}

OpFoldResult QuantizeOp::fold(FoldAdaptor) {
  // quantize(dequantize(x)) with the type of x is exactly x: every storage
  // value dequantizes to a real that quantizes back to itself.
  if (auto dequantize = getInput().getDefiningOp<DequantizeOp>())
    if (dequantize.getInput().getType() == getResult().getType())
      return dequantize.getInput();
  return {};
}

namespace {
/// Quantizes a constant at compile time:
///   %q = qc.quantize %cst : tensor<2xf32> to tensor<2x!quant.uniform<i8:...>>
/// becomes
///   %c = arith.constant dense<[...]> : tensor<2xi8>
///   %q = quant.scast %c : tensor<2xi8> to tensor<2x!quant.uniform<i8:...>>
/// with each value computed by qcomp::quantizeValue, the same f32 arithmetic
/// as the run-time lowering.
struct FoldConstantQuantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    DenseFPElementsAttr values;
    if (!matchPattern(op.getInput(), m_Constant(&values)))
      return rewriter.notifyMatchFailure(op, "input is not a dense constant");
    auto resultType = op.getResult().getType();
    quant::QuantizedType qtype = getQuantizedElementType(resultType);
    FailureOr<QuantParamLayout> layout =
        getQuantParamLayout(qtype, resultType.getRank());
    if (failed(layout))
      return rewriter.notifyMatchFailure(op, "unsupported quantized type");
    qcomp::StorageRange range{qtype.getStorageTypeMin(),
                              qtype.getStorageTypeMax()};
    unsigned bits = qtype.getStorageTypeIntegralWidth();
    auto storageType = RankedTensorType::get(resultType.getShape(),
                                             rewriter.getIntegerType(bits));

    ArrayRef<int64_t> shape = resultType.getShape();
    SmallVector<int64_t> index(shape.size(), 0);
    SmallVector<APInt> quantized;
    quantized.reserve(values.getNumElements());
    for (APFloat value : values.getValues<APFloat>()) {
      int64_t p = layout->getParamIndex(index);
      int64_t q = qcomp::quantizeValue(value.convertToFloat(),
                                       static_cast<float>(layout->scales[p]),
                                       layout->zeroPoints[p], range);
      quantized.push_back(APInt(bits, q, /*isSigned=*/qtype.isSigned(),
                                /*implicitTrunc=*/true));
      // Advance the row-major multi-index.
      for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
        if (++index[d] < shape[d])
          break;
        index[d] = 0;
      }
    }
    auto storage = arith::ConstantOp::create(
        rewriter, op.getLoc(),
        DenseIntElementsAttr::get(storageType, quantized));
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, resultType, storage);
    return success();
  }
};
} // namespace

void QuantizeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<FoldConstantQuantize>(context);
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DequantizeOp::verify() {
  quant::QuantizedType qtype = getQuantizedElementType(getInput().getType());
  Type resultElt = getResult().getType().getElementType();
  if (qtype.getExpressedType() != resultElt)
    return emitOpError("result element type ")
           << resultElt << " does not match input expressed type "
           << qtype.getExpressedType();
  return verifyQuantizedTensor(*this, "input", getInput().getType(), 32);
}

//===----------------------------------------------------------------------===//
// RequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult RequantizeOp::verify() {
  quant::QuantizedType in = getQuantizedElementType(getInput().getType());
  quant::QuantizedType out = getQuantizedElementType(getResult().getType());
  if (in.getExpressedType() != out.getExpressedType())
    return emitOpError("input expressed type ")
           << in.getExpressedType() << " differs from result expressed type "
           << out.getExpressedType();
  if (failed(verifyQuantizedTensor(*this, "input", getInput().getType(), 32)) ||
      failed(verifyQuantizedTensor(*this, "result", getResult().getType(), 16)))
    return failure();
  FailureOr<RequantizeParams> params =
      getRequantizeParams(in, out, getInput().getType().getRank());
  if (failed(params))
    return emitOpError("input and result must share their quantization "
                       "granularity unless one of them is per tensor");
  if (getFixedPoint())
    for (double m : params->multipliers)
      if (auto fp = qcomp::getFixedPointMultiplier(m); !fp)
        return emitOpError("fixed_point cannot represent the multiplier ")
               << m << ": " << llvm::toString(fp.takeError());
  return success();
}

OpFoldResult RequantizeOp::fold(FoldAdaptor) {
  // Requantizing into the same type multiplies by exactly 1 in both modes.
  if (getInput().getType() == getResult().getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// DynamicQuantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DynamicQuantizeOp::verify() {
  RankedTensorType inputType = getInput().getType();
  auto resultType = cast<RankedTensorType>(getResult().getType());
  if (!inputType.getElementType().isF32())
    return emitOpError("input element type must be f32, got ")
           << inputType.getElementType();
  if (resultType.getShape() != inputType.getShape())
    return emitOpError("result shape must match the input shape");
  auto storage = cast<IntegerType>(resultType.getElementType());
  if (storage.isSigned())
    return emitOpError("storage type must be signless (signed) or unsigned, "
                       "got ")
           << storage;
  if (storage.getWidth() < 2 || storage.getWidth() > 16)
    return emitOpError("storage type must be 2 to 16 bits wide, got ")
           << storage;
  if (!isAsymmetric() && storage.isUnsigned())
    return emitOpError("symmetric quantization needs signed storage, got ")
           << storage << "; add a zero_point result for asymmetric";

  SmallVector<int64_t> paramShape;
  switch (getGranularity()) {
  case Granularity::PerTensor:
    break;
  case Granularity::PerRow:
    if (inputType.getRank() < 1)
      return emitOpError("per_row needs an input of rank >= 1");
    paramShape.assign(inputType.getShape().begin(),
                      inputType.getShape().end() - 1);
    break;
  default:
    return emitOpError("granularity must be per_tensor or per_row, got ")
           << stringifyGranularity(getGranularity());
  }
  auto scaleType = cast<RankedTensorType>(getScale().getType());
  if (!scaleType.getElementType().isF32() ||
      scaleType.getShape() != ArrayRef<int64_t>(paramShape))
    return emitOpError("scale must be a tensor of f32 with shape [")
           << paramShape << "], got " << scaleType;
  if (Value zp = getZeroPoint()) {
    auto zpType = cast<RankedTensorType>(zp.getType());
    if (zpType.getElementType() != storage ||
        zpType.getShape() != ArrayRef<int64_t>(paramShape))
      return emitOpError("zero_point must be a tensor of ")
             << storage << " with shape [" << paramShape << "], got " << zpType;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// UnpackOp
//===----------------------------------------------------------------------===//

LogicalResult SmoothOp::verify() {
  auto type = cast<RankedTensorType>(getInput().getType());
  if (type.getRank() == 0)
    return emitOpError("input must have rank >= 1");
  int64_t channels = type.getShape().back();
  if (ShapedType::isDynamic(channels))
    return emitOpError("last dimension must be static, got ") << type;
  if ((int64_t)getScales().size() != channels)
    return emitOpError("has ")
           << getScales().size() << " scales for " << channels
           << " channels in the last dimension";
  for (auto [j, scale] : llvm::enumerate(getScales()))
    if (!std::isfinite(scale) || scale <= 0.0f)
      return emitOpError("scale ")
             << j << " must be positive and finite, got " << scale;
  return success();
}

LogicalResult UnpackOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto resultType = cast<RankedTensorType>(getResult().getType());
  Type inputElt = inputType.getElementType();
  if (!inputElt.isSignlessInteger(8))
    return emitOpError("input element type must be i8, got ") << inputElt;
  quant::QuantizedType qtype = getQuantizedElementType(resultType);
  unsigned bits = qtype.getStorageTypeIntegralWidth();
  if (bits != 2 && bits != 4)
    return emitOpError("result storage type must be 2 or 4 bits wide, got ")
           << bits << " bits";
  if (failed(verifyQuantizedTensor(*this, "result", resultType, 4)))
    return failure();
  int64_t rank = resultType.getRank();
  if (rank == 0)
    return emitOpError("result must have rank >= 1");
  if (inputType.getRank() != rank)
    return emitOpError("input rank (")
           << inputType.getRank() << ") must equal the result rank (" << rank
           << ")";
  ArrayRef<int64_t> in = inputType.getShape(), res = resultType.getShape();
  for (int64_t d = 0; d + 1 < rank; ++d)
    if (!areCompatibleDims(in[d], res[d]))
      return emitOpError("dimension ") << d << " of input (" << formatDim(in[d])
                                       << ") differs from that of the result ("
                                       << formatDim(res[d]) << ")";
  int64_t n = res.back(), packed = in.back();
  if (ShapedType::isDynamic(n) || ShapedType::isDynamic(packed))
    return emitOpError("last dimension of input and result must be static, "
                       "got ")
           << inputType << " and " << resultType;
  int64_t expected = (n * bits + 7) / 8;
  if (packed != expected)
    return emitOpError("input last dimension must be ceil(")
           << n << " * " << bits << " / 8) = " << expected << ", got "
           << packed;
  return success();
}

//===----------------------------------------------------------------------===//
// Integer contractions: shared verifier pieces
//===----------------------------------------------------------------------===//

/// Checks that `qtype`, the element type of the operand or result `what` of
/// an integer contraction, is quantized per tensor or per axis along
/// `channelDim`, the output-channel dimension called `channelName`.
static LogicalResult verifyPerTensorOrChannel(Operation *op, StringRef what,
                                              quant::QuantizedType qtype,
                                              unsigned channelDim,
                                              StringRef channelName) {
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(qtype)) {
    if (perAxis.getQuantizedDimension() != static_cast<int32_t>(channelDim))
      return op->emitOpError()
             << what << " must be quantized per tensor or along its "
             << channelName << " dimension " << channelDim << ", got axis "
             << perAxis.getQuantizedDimension();
    return success();
  }
  if (!isa<quant::UniformQuantizedType>(qtype))
    return op->emitOpError()
           << what << " must be quantized per tensor or per axis, got "
           << qtype;
  return success();
}

/// Checks the accumulator type (i32 or i64) and the optional bias, a 1-D
/// tensor of `channels` accumulator values. Returns the accumulator type.
static FailureOr<IntegerType> verifyAccumulatorAndBias(Operation *op, Type acc,
                                                       Value bias,
                                                       int64_t channels) {
  auto accType = dyn_cast<IntegerType>(acc);
  if (!accType || (accType.getWidth() != 32 && accType.getWidth() != 64))
    return op->emitOpError("accumulator must be i32 or i64, got ") << acc;
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getElementType() != accType ||
        !areCompatibleDims(biasType.getDimSize(0), channels))
      return op->emitOpError("bias must be a 1-D tensor of ")
             << formatDim(channels) << " " << accType << " values, got "
             << biasType;
  }
  return accType;
}

/// Checks what leaves an integer contraction of `lq` (per tensor) by `rq`
/// (per tensor or per channel): the accumulator type itself, the expressed
/// float type, or a type quantized per tensor or along `channelDim`, whose
/// multipliers s_l * s_r[j] / s_o[j] `fixed_point` must be able to
/// represent.
static LogicalResult
verifyContractionResult(Operation *op, RankedTensorType resultType,
                        quant::QuantizedType lq, quant::QuantizedType rq,
                        IntegerType accType, bool fixedPoint,
                        unsigned channelDim, StringRef channelName) {
  unsigned rank = resultType.getRank();
  Type resultElt = resultType.getElementType();
  if (auto rqt = dyn_cast<quant::QuantizedType>(resultElt)) {
    if (failed(verifyQuantizedTensor(op, "result", resultType, 16)) ||
        failed(verifyPerTensorOrChannel(op, "result", rqt, channelDim,
                                        channelName)))
      return failure();
    if (fixedPoint) {
      // Channel j pairs rhs scale j with result scale j (or the single scale
      // of a per-tensor side).
      auto lLayout = getQuantParamLayout(lq, rank);
      auto rLayout = getQuantParamLayout(rq, rank);
      auto oLayout = getQuantParamLayout(rqt, rank);
      size_t cols = std::max(rLayout->scales.size(), oLayout->scales.size());
      for (size_t j = 0; j < cols; ++j) {
        double mult = lLayout->scales[0] *
                      rLayout->scales[rLayout->isPerTensor() ? 0 : j] /
                      oLayout->scales[oLayout->isPerTensor() ? 0 : j];
        if (auto fp = qcomp::getFixedPointMultiplier(mult); !fp)
          return op->emitOpError("fixed_point cannot represent the "
                                 "multiplier ")
                 << mult << ": " << llvm::toString(fp.takeError());
      }
    }
    return success();
  }
  if (auto intType = dyn_cast<IntegerType>(resultElt)) {
    if (intType != accType)
      return op->emitOpError("an integer result must have the accumulator "
                             "type ")
             << accType << ", got " << intType;
  } else if (resultElt != lq.getExpressedType()) {
    return op->emitOpError("a float result must have the expressed type ")
           << lq.getExpressedType() << ", got " << resultElt;
  }
  if (fixedPoint)
    return op->emitOpError("fixed_point only applies to a quantized result");
  return success();
}

/// The largest |q - z| of a per-tensor quantized operand.
static int64_t getPerTensorMagnitude(quant::QuantizedType qtype) {
  auto uniform = cast<quant::UniformQuantizedType>(qtype);
  return qcomp::getMaxMagnitude(
      {qtype.getStorageTypeMin(), qtype.getStorageTypeMax()},
      uniform.getZeroPoint());
}

/// Proves that a sum of `k` products (lhs - z_l) * (rhs - z_r[j]), with
/// |lhs - z_l| <= `lhsMag`, fits the accumulator for every storage value of
/// rhs (of rank `rank`), and rejects the op otherwise. `what` names the
/// reduction size in the diagnostic (K, or G for a group).
static LogicalResult verifyAccumulatorBound(Operation *op, StringRef what,
                                            int64_t k, int64_t lhsMag,
                                            quant::QuantizedType rq,
                                            unsigned rank,
                                            IntegerType accType) {
  auto rLayout = getQuantParamLayout(rq, rank);
  int64_t rhsMag = 0;
  for (int64_t zp : rLayout->zeroPoints)
    rhsMag = std::max(
        rhsMag, qcomp::getMaxMagnitude(
                    {rq.getStorageTypeMin(), rq.getStorageTypeMax()}, zp));
  if (!qcomp::accumulatorCannotOverflow(k, lhsMag, rhsMag, 0,
                                        accType.getWidth()))
    return op->emitOpError("accumulator ")
           << accType << " can overflow: " << what << " = " << k
           << " products of up to " << lhsMag << " x " << rhsMag
           << " in magnitude; use acc(i64) or split the reduction";
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp / BatchMatmulOp
//===----------------------------------------------------------------------===//

/// Checks a group-wise (sub-channel) rhs [B..., K, N] of rank `rank`: one
/// block along every batch dimension, blocks of G rows along K and of one
/// column along N (or a single block spanning N). Returns G for the static
/// reduction size `k`.
static FailureOr<int64_t> verifyGroupwiseRhs(Operation *op,
                                             RankedTensorType rhsType,
                                             quant::QuantizedType rq,
                                             int64_t k) {
  unsigned rank = rhsType.getRank();
  FailureOr<QuantParamLayout> layout = getQuantParamLayout(rq, rank);
  if (failed(layout))
    return op->emitOpError("rhs has an unsupported quantized type ") << rq;
  for (unsigned b = 0; b + 2 < rank; ++b)
    if (layout->shape[b] != 1)
      return op->emitOpError("rhs must not be blocked along batch dimension ")
             << b << ", got " << layout->shape[b] << " blocks";
  int64_t nBlock = layout->blockSizes[rank - 1];
  if (layout->shape[rank - 1] != 1 && nBlock != 1)
    return op->emitOpError("rhs block size along the last (N) dimension must "
                           "be 1, got ")
           << nBlock;
  return k / layout->shape[rank - 2];
}

/// Shared verifier: lhs [B..., M, K], rhs [B..., K, N], result [B..., M, N]
/// with `batchRank` leading batch dimensions.
template <typename OpTy>
static LogicalResult verifyMatmulLike(OpTy op, unsigned batchRank) {
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  unsigned rank = batchRank + 2;
  if (lhsType.getRank() != rank || rhsType.getRank() != rank ||
      resultType.getRank() != rank)
    return op.emitOpError("operands and result must have rank ") << rank;

  ArrayRef<int64_t> lhs = lhsType.getShape(), rhs = rhsType.getShape(),
                    res = resultType.getShape();
  for (unsigned b = 0; b < batchRank; ++b)
    if (!areCompatibleDims(lhs[b], rhs[b]) ||
        !areCompatibleDims(lhs[b], res[b]) ||
        !areCompatibleDims(rhs[b], res[b]))
      return op.emitOpError("batch dimension ") << b << " differs between "
                                                << "operands and result";
  int64_t m = lhs[batchRank], k = lhs[batchRank + 1], n = rhs[batchRank + 1];
  if (!areCompatibleDims(k, rhs[batchRank]))
    return op.emitOpError("reduction dimension of lhs (")
           << formatDim(k) << ") differs from that of rhs ("
           << formatDim(rhs[batchRank]) << ")";
  if (!areCompatibleDims(m, res[batchRank]) ||
      !areCompatibleDims(n, res[batchRank + 1]))
    return op.emitOpError("result shape must be [..., ")
           << formatDim(m) << ", " << formatDim(n) << "], got " << resultType;
  if (ShapedType::isDynamic(k) && ShapedType::isDynamic(rhs[batchRank]))
    return op.emitOpError("reduction dimension must be static so that the "
                          "accumulator can be bounded");
  if (ShapedType::isDynamic(k))
    k = rhs[batchRank];

  // lhs: quantized per tensor, or plain integers scaled by lhs_scale.
  Value lhsScale = op.getLhsScale();
  quant::QuantizedType lq = getQuantizedElementType(lhsType);
  int64_t lhsMag;
  if (lhsScale) {
    auto lhsInt = dyn_cast<IntegerType>(lhsType.getElementType());
    if (!lhsInt || !lhsInt.isSignless())
      return op.emitOpError("lhs must be a tensor of signless integers when "
                            "lhs_scale is given, got ")
             << lhsType;
    if (lhsInt.getWidth() < 2 || lhsInt.getWidth() > 16)
      return op.emitOpError("lhs integer type must be 2 to 16 bits wide, got ")
             << lhsInt;
    auto scaleType = cast<RankedTensorType>(lhsScale.getType());
    ArrayRef<int64_t> rowShape = lhs.drop_back();
    bool perRow =
        scaleType.getRank() == static_cast<int64_t>(rowShape.size()) &&
        llvm::all_of(
            llvm::zip_equal(scaleType.getShape(), rowShape), [](auto dims) {
              return areCompatibleDims(std::get<0>(dims), std::get<1>(dims));
            });
    if (!scaleType.getElementType().isF32() ||
        (scaleType.getRank() != 0 && !perRow)) {
      InFlightDiagnostic diag = op.emitOpError(
          "lhs_scale must be a tensor of f32 with shape [] or [");
      llvm::interleaveComma(rowShape, diag,
                            [&](int64_t s) { diag << formatDim(s); });
      return diag << "], got " << scaleType;
    }
    qcomp::StorageRange range =
        qcomp::getStorageRange(lhsInt.getWidth(), /*isSigned=*/true);
    lhsMag = qcomp::getMaxMagnitude(range, 0);
  } else {
    if (!lq)
      return op.emitOpError("lhs must be a quantized tensor unless lhs_scale "
                            "is given, got ")
             << lhsType;
    if (failed(verifyQuantizedTensor(op, "lhs", lhsType, 16)))
      return failure();
    if (!isa<quant::UniformQuantizedType>(lq))
      return op.emitOpError("lhs must be quantized per tensor, got ") << lq;
    lhsMag = getPerTensorMagnitude(lq);
  }

  // rhs: per tensor, per column, or per group of G rows along K.
  quant::QuantizedType rq = getQuantizedElementType(rhsType);
  auto sub = dyn_cast<quant::UniformQuantizedSubChannelType>(rq);
  if (sub && !ShapedType::isDynamic(rhs[batchRank]))
    for (auto [dim, block] : sub.getBlockSizeInfo())
      if (dim == static_cast<int32_t>(batchRank) && block > 0 &&
          rhs[batchRank] % block != 0)
        return op.emitOpError("reduction dimension K (")
               << rhs[batchRank] << ") is not divisible by the rhs group size "
               << block;
  if (failed(verifyQuantizedTensor(op, "rhs", rhsType, 16)))
    return failure();
  int64_t groupSize = 0;
  if (sub) {
    FailureOr<int64_t> g = verifyGroupwiseRhs(op, rhsType, rq, k);
    if (failed(g))
      return failure();
    groupSize = *g;
  } else if (failed(verifyPerTensorOrChannel(op, "rhs", rq, rank - 1,
                                             "last (N)"))) {
    return failure();
  }

  // What the accumulator becomes.
  if (lhsScale || sub) {
    StringRef why = lhsScale ? "lhs_scale" : "a per-group rhs";
    if (op.getBias())
      return op.emitOpError("bias is not allowed with ") << why;
    if (op.getFixedPoint())
      return op.emitOpError("fixed_point is not allowed with ") << why;
  }
  FailureOr<IntegerType> accType =
      verifyAccumulatorAndBias(op, op.getAcc(), op.getBias(), n);
  if (failed(accType))
    return failure();
  Type resultElt = resultType.getElementType();
  if (lhsScale) {
    if (!resultElt.isF32())
      return op.emitOpError("result must be a tensor of f32 when lhs_scale is "
                            "given, got ")
             << resultType;
  } else if (sub) {
    if (auto rqt = dyn_cast<quant::QuantizedType>(resultElt)) {
      if (failed(verifyQuantizedTensor(op, "result", resultType, 16)) ||
          failed(verifyPerTensorOrChannel(op, "result", rqt, rank - 1,
                                          "last (N)")))
        return failure();
    } else if (isa<IntegerType>(resultElt)) {
      return op.emitOpError("a per-group rhs needs a float or quantized "
                            "result, got ")
             << resultType;
    } else if (resultElt != lq.getExpressedType()) {
      return op.emitOpError("a float result must have the expressed type ")
             << lq.getExpressedType() << ", got " << resultElt;
    }
  } else if (failed(verifyContractionResult(op, resultType, lq, rq, *accType,
                                            op.getFixedPoint(), rank - 1,
                                            "last (N)"))) {
    return failure();
  }
  if (groupSize)
    return verifyAccumulatorBound(op, "G", groupSize, lhsMag, rq, rank,
                                  *accType);
  return verifyAccumulatorBound(op, "K", k, lhsMag, rq, rank, *accType);
}

LogicalResult MatmulOp::verify() { return verifyMatmulLike(*this, 0); }

LogicalResult BatchMatmulOp::verify() { return verifyMatmulLike(*this, 1); }

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

/// Checks that the list attribute `name` has `size` values, each at least
/// `min`.
static LogicalResult verifyConvList(Operation *op, StringRef name,
                                    ArrayRef<int64_t> values, size_t size,
                                    int64_t min, StringRef what) {
  if (values.size() != size)
    return op->emitOpError()
           << name << " must have " << size << " values, got " << values.size();
  if (llvm::any_of(values, [&](int64_t v) { return v < min; }))
    return op->emitOpError()
           << name << " must be " << what << ", got [" << values << "]";
  return success();
}

LogicalResult Conv2DOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto filterType = cast<RankedTensorType>(getFilter().getType());
  auto resultType = cast<RankedTensorType>(getResult().getType());
  if (inputType.getRank() != 4 || filterType.getRank() != 4 ||
      resultType.getRank() != 4)
    return emitOpError("input, filter and result must have rank 4");
  ArrayRef<int64_t> strides = getStrides(), dilations = getDilations(),
                    pads = getPads();
  if (failed(verifyConvList(*this, "strides", strides, 2, 1, "positive")) ||
      failed(verifyConvList(*this, "dilations", dilations, 2, 1, "positive")) ||
      failed(verifyConvList(*this, "pads", pads, 4, 0, "non-negative")))
    return failure();
  int64_t groups = getGroups();
  if (groups < 1)
    return emitOpError("groups must be positive, got ") << groups;

  ArrayRef<int64_t> in = inputType.getShape(), w = filterType.getShape(),
                    res = resultType.getShape();
  if (!filterType.hasStaticShape())
    return emitOpError("filter must have a static shape, got ") << filterType;
  if (ShapedType::isDynamic(in[1]))
    return emitOpError("input channel dimension must be static, got ")
           << inputType;
  int64_t channels = in[1], filters = w[0];
  if (channels % groups != 0)
    return emitOpError("input channels (")
           << channels << ") must be divisible by groups (" << groups << ")";
  if (filters % groups != 0)
    return emitOpError("output channels F (")
           << filters << ") must be divisible by groups (" << groups << ")";
  if (w[1] != channels / groups)
    return emitOpError("filter dimension 1 (")
           << w[1] << ") must be input channels / groups = " << channels
           << " / " << groups << " = " << channels / groups;

  // Expected result shape [N, F, OH, OW].
  SmallVector<int64_t> expected{in[0], filters, ShapedType::kDynamic,
                                ShapedType::kDynamic};
  static constexpr StringLiteral spatialNames[] = {"height", "width"};
  for (unsigned i = 0; i < 2; ++i) {
    int64_t size = in[2 + i];
    if (ShapedType::isDynamic(size))
      continue;
    int64_t padded = size + pads[i] + pads[i + 2];
    int64_t span = dilations[i] * (w[2 + i] - 1) + 1;
    if (padded < span)
      return emitOpError("padded input ")
             << spatialNames[i] << " (" << padded
             << ") is smaller than the dilated filter " << spatialNames[i]
             << " (" << span << ")";
    expected[2 + i] = (padded - span) / strides[i] + 1;
  }
  for (unsigned d = 0; d < 4; ++d)
    if (!areCompatibleDims(expected[d], res[d])) {
      InFlightDiagnostic diag = emitOpError("result shape must be [");
      llvm::interleaveComma(expected, diag,
                            [&](int64_t s) { diag << formatDim(s); });
      return diag << "], got " << resultType;
    }

  quant::QuantizedType xq = getQuantizedElementType(inputType);
  quant::QuantizedType wq = getQuantizedElementType(filterType);
  if (failed(verifyQuantizedTensor(*this, "input", inputType, 16)) ||
      failed(verifyQuantizedTensor(*this, "filter", filterType, 16)))
    return failure();
  if (!isa<quant::UniformQuantizedType>(xq))
    return emitOpError("input must be quantized per tensor, got ") << xq;
  if (failed(verifyPerTensorOrChannel(*this, "filter", wq, 0,
                                      "output-channel (F)")))
    return failure();

  FailureOr<IntegerType> accType =
      verifyAccumulatorAndBias(*this, getAcc(), getBias(), filters);
  if (failed(accType) ||
      failed(verifyContractionResult(*this, resultType, xq, wq, *accType,
                                     getFixedPoint(), 1, "output-channel (F)")))
    return failure();
  return verifyAccumulatorBound(*this, "K", w[1] * w[2] * w[3],
                                getPerTensorMagnitude(xq), wq, 4, *accType);
}
