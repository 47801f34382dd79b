//===- QCToLinalg.cpp - Reference lowering of qc to linalg ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-lower-to-linalg: lowers every qc op to linalg.generic + arith/math on
// tensors of storage integers, implementing literally the semantics that the
// op descriptions state. Quantization parameters become constants: scalars
// for per-tensor types, small tensors indexed through an affine map for
// per-axis and sub-channel types (see qc::QuantParamLayout). Ops that only
// move values (region-free tensor ops, linalg.transpose) are rebuilt on the
// storage types. This lowering is the numerical oracle: it favours
// obviously-right code over speed.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Conversion/QCToLinalg/QCToLinalg.h"
#include "QCToLinalgUtils.h"
#include "qcomp/Conversion/Passes.h"
#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Quant/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cfloat>

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCLOWERTOLINALGPASS
#include "qcomp/Conversion/Passes.h.inc"
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;
using namespace mlir::qcomp::qctolinalg;

//===----------------------------------------------------------------------===//
// Type conversion
//===----------------------------------------------------------------------===//

/// The signless integer that stores `type` (a quantized or unsigned integer
/// element type), or null when `type` needs no conversion.
static Type getStorageElementType(Type type) {
  if (auto qtype = dyn_cast<quant::QuantizedType>(type))
    return IntegerType::get(type.getContext(),
                            qtype.getStorageTypeIntegralWidth());
  if (auto intType = dyn_cast<IntegerType>(type);
      intType && !intType.isSignless())
    return IntegerType::get(type.getContext(), intType.getWidth());
  return {};
}

QuantStorageTypeConverter::QuantStorageTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](Type type) -> std::optional<Type> {
    if (Type storage = getStorageElementType(type))
      return storage;
    return std::nullopt;
  });
  addConversion([](RankedTensorType type) -> Type {
    if (Type storage = getStorageElementType(type.getElementType()))
      return type.clone(storage);
    return type;
  });
}

//===----------------------------------------------------------------------===//
// IR building helpers
//===----------------------------------------------------------------------===//

namespace {

/// Builds the constant parameter tensor(s) of a layout, element by element
/// through `valueAt(i)` (i indexes the layout's row-major parameters).
Param makeParam(OpBuilder &b, Location loc, const qc::QuantParamLayout &layout,
                Type eltType, function_ref<Attribute(int64_t)> valueAt) {
  Param param;
  if (layout.isPerTensor()) {
    param.scalar = cast<TypedAttr>(valueAt(0));
    return param;
  }
  SmallVector<Attribute> values;
  for (int64_t i = 0, e = layout.scales.size(); i < e; ++i)
    values.push_back(valueAt(i));
  auto type = RankedTensorType::get(layout.shape, eltType);
  param.tensor =
      arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
  param.map = layout.getIndexingMap(b.getContext());
  return param;
}

/// An empty tensor of `shape` whose dynamic sizes are taken from `sources`:
/// for each dynamic dimension d, the (value, dim) pair sources[d].
Value makeEmpty(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                Type eltType, ArrayRef<std::pair<Value, int64_t>> sources) {
  SmallVector<Value> dynamicSizes;
  for (auto [d, size] : llvm::enumerate(shape))
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(
          tensor::DimOp::create(b, loc, sources[d].first, sources[d].second));
  return tensor::EmptyOp::create(b, loc, shape, eltType, dynamicSizes);
}

/// The (value, dim) pairs of every dimension of `value`, for makeEmpty.
SmallVector<std::pair<Value, int64_t>> allDims(Value value, unsigned count) {
  SmallVector<std::pair<Value, int64_t>> dims;
  for (unsigned d = 0; d < count; ++d)
    dims.push_back({value, d});
  return dims;
}

} // namespace

Param qctolinalg::makeChannelParam(OpBuilder &b, Location loc,
                                   ArrayRef<Attribute> values, Type eltType,
                                   unsigned rank, unsigned channelDim) {
  Param param;
  if (llvm::all_equal(values)) {
    param.scalar = cast<TypedAttr>(values.front());
    return param;
  }
  auto type =
      RankedTensorType::get({static_cast<int64_t>(values.size())}, eltType);
  param.tensor =
      arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
  param.map = AffineMap::get(rank, 0, b.getAffineDimExpr(channelDim));
  return param;
}

Value qctolinalg::buildElementwise(
    OpBuilder &b, Location loc, Value input, ArrayRef<Param> params,
    Value output,
    function_ref<Value(OpBuilder &, Location, Value, ArrayRef<Value>)> body) {
  auto outputType = cast<RankedTensorType>(output.getType());
  unsigned rank = outputType.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<Value> inputs{input};
  SmallVector<AffineMap> maps{identity};
  for (const Param &param : params)
    if (param.tensor) {
      inputs.push_back(param.tensor);
      maps.push_back(param.map);
    }
  maps.push_back(identity);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, outputType, inputs, output, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> paramValues;
        unsigned next = 1;
        for (const Param &param : params) {
          if (param.tensor)
            paramValues.push_back(args[next++]);
          else
            paramValues.push_back(
                arith::ConstantOp::create(nb, nloc, param.scalar));
        }
        Value result = body(nb, nloc, args[0], paramValues);
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value qctolinalg::extendStorage(OpBuilder &b, Location loc, Value value,
                                IntegerType type, bool isSigned) {
  if (value.getType() == type)
    return value;
  if (isSigned)
    return arith::ExtSIOp::create(b, loc, type, value);
  return arith::ExtUIOp::create(b, loc, type, value);
}

namespace {

/// Rounds `value` (f32) half to even, adds the zero point `zp` (f32), clamps
/// to [qmin, qmax] and converts to the storage type:
///   %r = math.roundeven %value ; %t = arith.addf %r, %zp
///   %c = arith.minnumf(arith.maxnumf(%t, qmin), qmax) ; fptosi/fptoui
Value roundAndSaturate(OpBuilder &b, Location loc, Value value, Value zp,
                       qcomp::StorageRange range, IntegerType storageType,
                       bool isSigned) {
  Type f32 = b.getF32Type();
  Value rounded = math::RoundEvenOp::create(b, loc, value);
  Value shifted = arith::AddFOp::create(b, loc, rounded, zp);
  Value lo = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(f32, static_cast<double>(range.min)));
  Value hi = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(f32, static_cast<double>(range.max)));
  Value clamped = arith::MinNumFOp::create(
      b, loc, arith::MaxNumFOp::create(b, loc, shifted, lo), hi);
  if (isSigned)
    return arith::FPToSIOp::create(b, loc, storageType, clamped);
  return arith::FPToUIOp::create(b, loc, storageType, clamped);
}

/// The qc.quantize formula on one f32 value with f32 scale `scale` and
/// integral f32 zero point `zp`: roundAndSaturate(x / scale), except that NaN
/// becomes the zero point.
Value quantizeScalar(OpBuilder &b, Location loc, Value x, Value scale, Value zp,
                     qcomp::StorageRange range, IntegerType storageType,
                     bool isSigned) {
  Value q = roundAndSaturate(b, loc, arith::DivFOp::create(b, loc, x, scale),
                             zp, range, storageType, isSigned);
  Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  Value zpStorage =
      isSigned ? (Value)arith::FPToSIOp::create(b, loc, storageType, zp)
               : (Value)arith::FPToUIOp::create(b, loc, storageType, zp);
  return arith::SelectOp::create(b, loc, isNan, zpStorage, q);
}

/// Fixed-point rescale and saturation of an i64 value:
///   ((%v * %m + (1 << (%n - 1))) >> %n) + %zp, clamped, truncated.
Value fixedPointRescale(OpBuilder &b, Location loc, Value value, Value mult,
                        Value shift, Value zp, qcomp::StorageRange range,
                        IntegerType storageType) {
  Type i64 = b.getI64Type();
  Value one = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(1));
  Value nudge = arith::ShLIOp::create(
      b, loc, one, arith::SubIOp::create(b, loc, shift, one));
  Value product = arith::MulIOp::create(b, loc, value, mult);
  Value rounded = arith::ShRSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, product, nudge), shift);
  Value shifted = arith::AddIOp::create(b, loc, rounded, zp);
  Value lo =
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(i64, range.min));
  Value hi =
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(i64, range.max));
  Value clamped = arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, shifted, lo), hi);
  return arith::TruncIOp::create(b, loc, storageType, clamped);
}

qcomp::StorageRange getRange(quant::QuantizedType qtype) {
  return {qtype.getStorageTypeMin(), qtype.getStorageTypeMax()};
}

IntegerType getStorageIntType(quant::QuantizedType qtype) {
  return IntegerType::get(qtype.getContext(),
                          qtype.getStorageTypeIntegralWidth());
}

/// The integer type in which `q - zeroPoint` is exact for this storage.
IntegerType getWideType(OpBuilder &b, quant::QuantizedType qtype) {
  return qtype.getStorageTypeIntegralWidth() <= 16 ? b.getI32Type()
                                                   : b.getI64Type();
}

} // namespace

//===----------------------------------------------------------------------===//
// Contraction epilogue
//===----------------------------------------------------------------------===//

Value ContractionEpilogue::emit(OpBuilder &b, Location loc, Value acc,
                                ArrayRef<Value> p) const {
  Type f32 = b.getF32Type();
  IntegerType i64 = b.getI64Type();
  switch (kind) {
  case Kind::Raw:
    return acc;
  case Kind::Float:
    return arith::MulFOp::create(
        b, loc, arith::SIToFPOp::create(b, loc, f32, acc), p[0]);
  case Kind::Requant: {
    Value scaled = arith::MulFOp::create(
        b, loc, arith::SIToFPOp::create(b, loc, f32, acc), p[0]);
    return roundAndSaturate(b, loc, scaled, p[1], outRange, outStorage,
                            outSigned);
  }
  case Kind::FixedPoint: {
    Value wide = acc.getType() == i64
                     ? acc
                     : (Value)arith::ExtSIOp::create(b, loc, i64, acc);
    return fixedPointRescale(b, loc, wide, p[0], p[1], p[2], outRange,
                             outStorage);
  }
  }
  llvm_unreachable("unknown epilogue kind");
}

FailureOr<ContractionEpilogue>
qctolinalg::buildContractionEpilogue(RewriterBase &rewriter, Location loc,
                                     Operation *op, RankedTensorType resultType,
                                     double lhsScale,
                                     const qc::QuantParamLayout &rhsLayout,
                                     bool fixedPoint, unsigned channelDim) {
  unsigned rank = resultType.getRank();
  int64_t numCols = rhsLayout.isPerTensor() ? 1 : rhsLayout.scales.size();
  auto rIndex = [&](int64_t j) { return rhsLayout.isPerTensor() ? 0 : j; };
  Type f32 = rewriter.getF32Type();
  IntegerType i64 = rewriter.getI64Type();
  ContractionEpilogue epilogue;
  Type resultElt = resultType.getElementType();
  epilogue.outElt = resultElt;
  auto resultQ = dyn_cast<quant::QuantizedType>(resultElt);
  if (resultQ) {
    FailureOr<qc::QuantParamLayout> oLayout =
        qc::getQuantParamLayout(resultQ, rank);
    if (failed(oLayout))
      return rewriter.notifyMatchFailure(op, "unsupported result type");
    epilogue.outStorage = getStorageIntType(resultQ);
    epilogue.outElt = epilogue.outStorage;
    epilogue.outRange = getRange(resultQ);
    epilogue.outSigned = resultQ.isSigned();
    int64_t cols = std::max<int64_t>(numCols, oLayout->scales.size());
    auto oIndex = [&](int64_t j) { return oLayout->isPerTensor() ? 0 : j; };
    auto multiplierAt = [&](int64_t j) {
      return lhsScale * rhsLayout.scales[rIndex(j)] /
             oLayout->scales[oIndex(j)];
    };
    SmallVector<Attribute> zoutF, zoutI, multF, multI, shiftI;
    for (int64_t j = 0; j < cols; ++j) {
      int64_t zo = oLayout->zeroPoints[oIndex(j)];
      zoutF.push_back(rewriter.getF32FloatAttr(static_cast<float>(zo)));
      zoutI.push_back(rewriter.getI64IntegerAttr(zo));
      multF.push_back(rewriter.getF32FloatAttr(
          qcomp::getRequantizeMultiplier(multiplierAt(j), 1.0)));
      if (fixedPoint) {
        auto fp = qcomp::getFixedPointMultiplier(multiplierAt(j));
        if (!fp)
          return op->emitOpError(llvm::toString(fp.takeError()));
        multI.push_back(rewriter.getI64IntegerAttr(fp->multiplier));
        shiftI.push_back(rewriter.getI64IntegerAttr(fp->getRightShift()));
      }
    }
    if (cols != numCols && numCols != 1)
      return rewriter.notifyMatchFailure(op, "channel counts disagree");
    auto param = [&](ArrayRef<Attribute> values, Type eltType) {
      return makeChannelParam(rewriter, loc, values, eltType, rank, channelDim);
    };
    if (fixedPoint) {
      epilogue.kind = ContractionEpilogue::Kind::FixedPoint;
      epilogue.params = {param(multI, i64), param(shiftI, i64),
                         param(zoutI, i64)};
    } else {
      epilogue.kind = ContractionEpilogue::Kind::Requant;
      epilogue.params = {param(multF, f32), param(zoutF, f32)};
    }
  } else if (isa<FloatType>(resultElt)) {
    epilogue.kind = ContractionEpilogue::Kind::Float;
    SmallVector<Attribute> scales;
    for (int64_t j = 0; j < numCols; ++j)
      scales.push_back(rewriter.getF32FloatAttr(
          static_cast<float>(lhsScale * rhsLayout.scales[rIndex(j)])));
    epilogue.params = {
        makeChannelParam(rewriter, loc, scales, f32, rank, channelDim)};
  }
  return epilogue;
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {

struct ObserveLowering : OpConversionPattern<qc::ObserveOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qc::ObserveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Outside calibration, observing is the identity.
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

struct StorageCastLowering : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type resultType = getTypeConverter()->convertType(op.getType());
    if (adaptor.getInput().getType() != resultType)
      return rewriter.notifyMatchFailure(op, "storage types differ");
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

/// The factors of a qc.smooth along the last dimension of its input.
Param makeSmoothParam(OpBuilder &b, Location loc, qc::SmoothOp op) {
  SmallVector<Attribute> scales;
  for (float scale : op.getScales())
    scales.push_back(b.getF32FloatAttr(scale));
  unsigned rank = op.getType().getRank();
  return makeChannelParam(b, loc, scales, b.getF32Type(), rank, rank - 1);
}

struct SmoothLowering : OpConversionPattern<qc::SmoothOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qc::SmoothOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Unused when every user was a qc.quantize (which fused the division).
    if (op->use_empty()) {
      rewriter.eraseOp(op);
      return success();
    }
    Location loc = op.getLoc();
    auto type = op.getType();
    Value empty = makeEmpty(rewriter, loc, type.getShape(),
                            type.getElementType(),
                            allDims(adaptor.getInput(), type.getRank()));
    Value result = buildElementwise(
        rewriter, loc, adaptor.getInput(), {makeSmoothParam(rewriter, loc, op)},
        empty, [&](OpBuilder &b, Location l, Value x, ArrayRef<Value> p) {
          return (Value)arith::DivFOp::create(b, l, x, p[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QuantizeLowering : OpConversionPattern<qc::QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qc::QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = op.getResult().getType();
    quant::QuantizedType qtype = qc::getQuantizedElementType(resultType);
    FailureOr<qc::QuantParamLayout> layout =
        qc::getQuantParamLayout(qtype, resultType.getRank());
    if (failed(layout))
      return rewriter.notifyMatchFailure(op, "unsupported quantized type");
    Type f32 = rewriter.getF32Type();
    Param scale = makeParam(rewriter, loc, *layout, f32, [&](int64_t i) {
      return rewriter.getFloatAttr(f32, static_cast<float>(layout->scales[i]));
    });
    Param zp = makeParam(rewriter, loc, *layout, f32, [&](int64_t i) {
      return rewriter.getFloatAttr(f32,
                                   static_cast<double>(layout->zeroPoints[i]));
    });
    IntegerType storageType = getStorageIntType(qtype);
    Value input = adaptor.getInput();
    SmallVector<Param> params = {scale, zp};
    // A qc.smooth in front fuses in: divide, then quantize, in one loop.
    auto smooth = op.getInput().getDefiningOp<qc::SmoothOp>();
    if (smooth) {
      input = smooth.getInput();
      params.push_back(makeSmoothParam(rewriter, loc, smooth));
    }
    Value empty = makeEmpty(rewriter, loc, resultType.getShape(), storageType,
                            allDims(input, resultType.getRank()));
    qcomp::StorageRange range = getRange(qtype);
    bool isSigned = qtype.isSigned();
    Value result = buildElementwise(
        rewriter, loc, input, params, empty,
        [&](OpBuilder &b, Location l, Value x, ArrayRef<Value> p) {
          if (smooth)
            x = arith::DivFOp::create(b, l, x, p[2]);
          return quantizeScalar(b, l, x, p[0], p[1], range, storageType,
                                isSigned);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DequantizeLowering : OpConversionPattern<qc::DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qc::DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = op.getInput().getType();
    quant::QuantizedType qtype = qc::getQuantizedElementType(inputType);
    FailureOr<qc::QuantParamLayout> layout =
        qc::getQuantParamLayout(qtype, inputType.getRank());
    if (failed(layout))
      return rewriter.notifyMatchFailure(op, "unsupported quantized type");
    Type f32 = rewriter.getF32Type();
    IntegerType wide = getWideType(rewriter, qtype);
    Param scale = makeParam(rewriter, loc, *layout, f32, [&](int64_t i) {
      return rewriter.getFloatAttr(f32, static_cast<float>(layout->scales[i]));
    });
    Param zp = makeParam(rewriter, loc, *layout, wide, [&](int64_t i) {
      return rewriter.getIntegerAttr(wide, layout->zeroPoints[i]);
    });
    Value empty = makeEmpty(rewriter, loc, inputType.getShape(), f32,
                            allDims(adaptor.getInput(), inputType.getRank()));
    bool isSigned = qtype.isSigned();
    Value result = buildElementwise(
        rewriter, loc, adaptor.getInput(), {scale, zp}, empty,
        [&](OpBuilder &b, Location l, Value q, ArrayRef<Value> p) {
          Value w = extendStorage(b, l, q, wide, isSigned);
          Value centered = arith::SubIOp::create(b, l, w, p[1]);
          Value real = arith::SIToFPOp::create(b, l, f32, centered);
          return (Value)arith::MulFOp::create(b, l, real, p[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct RequantizeLowering : OpConversionPattern<qc::RequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qc::RequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = op.getInput().getType();
    quant::QuantizedType in = qc::getQuantizedElementType(inputType);
    quant::QuantizedType out =
        qc::getQuantizedElementType(op.getResult().getType());
    FailureOr<qc::RequantizeParams> params =
        qc::getRequantizeParams(in, out, inputType.getRank());
    if (failed(params))
      return rewriter.notifyMatchFailure(op, "unsupported quantized types");
    const qc::QuantParamLayout &layout = params->layout;
    Type f32 = rewriter.getF32Type();
    IntegerType i64 = rewriter.getI64Type();
    IntegerType storageType = getStorageIntType(out);
    Value empty = makeEmpty(rewriter, loc, inputType.getShape(), storageType,
                            allDims(adaptor.getInput(), inputType.getRank()));
    qcomp::StorageRange range = getRange(out);
    bool inSigned = in.isSigned(), outSigned = out.isSigned();

    Param zin = makeParam(rewriter, loc, layout, i64, [&](int64_t i) {
      return rewriter.getI64IntegerAttr(params->inZeroPoints[i]);
    });
    Value result;
    if (op.getFixedPoint()) {
      SmallVector<qcomp::FixedPointMultiplier> fixed;
      for (double m : params->multipliers) {
        auto fp = qcomp::getFixedPointMultiplier(m);
        if (!fp)
          return op.emitOpError(llvm::toString(fp.takeError()));
        fixed.push_back(*fp);
      }
      Param mult = makeParam(rewriter, loc, layout, i64, [&](int64_t i) {
        return rewriter.getI64IntegerAttr(fixed[i].multiplier);
      });
      Param shift = makeParam(rewriter, loc, layout, i64, [&](int64_t i) {
        return rewriter.getI64IntegerAttr(fixed[i].getRightShift());
      });
      Param zout = makeParam(rewriter, loc, layout, i64, [&](int64_t i) {
        return rewriter.getI64IntegerAttr(params->outZeroPoints[i]);
      });
      result = buildElementwise(
          rewriter, loc, adaptor.getInput(), {zin, mult, shift, zout}, empty,
          [&](OpBuilder &b, Location l, Value q, ArrayRef<Value> p) {
            Value w = extendStorage(b, l, q, i64, inSigned);
            Value centered = arith::SubIOp::create(b, l, w, p[0]);
            return fixedPointRescale(b, l, centered, p[1], p[2], p[3], range,
                                     storageType);
          });
    } else {
      Param mult = makeParam(rewriter, loc, layout, f32, [&](int64_t i) {
        return rewriter.getFloatAttr(
            f32, qcomp::getRequantizeMultiplier(params->multipliers[i], 1.0));
      });
      Param zout = makeParam(rewriter, loc, layout, f32, [&](int64_t i) {
        return rewriter.getFloatAttr(
            f32, static_cast<double>(params->outZeroPoints[i]));
      });
      result = buildElementwise(
          rewriter, loc, adaptor.getInput(), {zin, mult, zout}, empty,
          [&](OpBuilder &b, Location l, Value q, ArrayRef<Value> p) {
            Value w = extendStorage(b, l, q, i64, inSigned);
            Value centered = arith::SubIOp::create(b, l, w, p[0]);
            Value real = arith::SIToFPOp::create(b, l, f32, centered);
            Value scaled = arith::MulFOp::create(b, l, real, p[1]);
            return roundAndSaturate(b, l, scaled, p[2], range, storageType,
                                    outSigned);
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DynamicQuantizeLowering : OpConversionPattern<qc::DynamicQuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qc::DynamicQuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    unsigned rank = inputType.getRank();
    auto resultIntType = cast<IntegerType>(
        cast<RankedTensorType>(op.getResult().getType()).getElementType());
    bool isSigned = !resultIntType.isUnsigned();
    unsigned bits = resultIntType.getWidth();
    IntegerType storageType = rewriter.getIntegerType(bits);
    qcomp::StorageRange range = qcomp::getStorageRange(bits, isSigned);
    Type f32 = rewriter.getF32Type();
    bool asymmetric = op.isAsymmetric();

    // Reduce to per-group min and max (or absmax) over the reduced dims.
    auto scaleType = cast<RankedTensorType>(op.getScale().getType());
    unsigned groupRank = scaleType.getRank();
    SmallVector<std::pair<Value, int64_t>> groupSources =
        allDims(input, groupRank);
    SmallVector<AffineExpr> groupExprs;
    for (unsigned d = 0; d < groupRank; ++d)
      groupExprs.push_back(rewriter.getAffineDimExpr(d));
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap groupMap = AffineMap::get(rank, 0, groupExprs, ctx);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    for (unsigned d = 0; d < groupRank; ++d)
      iterators[d] = utils::IteratorType::parallel;

    auto reduce = [&](float init, auto combine) -> Value {
      Value empty =
          makeEmpty(rewriter, loc, scaleType.getShape(), f32, groupSources);
      Value initValue = arith::ConstantOp::create(
          rewriter, loc, rewriter.getF32FloatAttr(init));
      Value filled =
          linalg::FillOp::create(rewriter, loc, initValue, empty).getResult(0);
      return linalg::GenericOp::create(
                 rewriter, loc, scaleType.clone(f32), input, filled,
                 ArrayRef<AffineMap>{identity, groupMap}, iterators,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(b, l,
                                           combine(b, l, args[0], args[1]));
                 })
          .getResult(0);
    };
    // maxnumf/minnumf return the non-NaN operand, so NaN is ignored.
    Value lo, hi;
    if (asymmetric) {
      lo = reduce(0.0f, [](OpBuilder &b, Location l, Value x, Value acc) {
        return (Value)arith::MinNumFOp::create(b, l, x, acc);
      });
      hi = reduce(0.0f, [](OpBuilder &b, Location l, Value x, Value acc) {
        return (Value)arith::MaxNumFOp::create(b, l, x, acc);
      });
    } else {
      hi = reduce(0.0f, [](OpBuilder &b, Location l, Value x, Value acc) {
        Value abs = math::AbsFOp::create(b, l, x);
        return (Value)arith::MaxNumFOp::create(b, l, abs, acc);
      });
    }

    // Per group: scale (and zero point as f32).
    AffineMap groupIdentity = rewriter.getMultiDimIdentityMap(groupRank);
    SmallVector<utils::IteratorType> groupIterators(
        groupRank, utils::IteratorType::parallel);
    auto f32Const = [](OpBuilder &b, Location l, double v) -> Value {
      return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v));
    };
    // scale = range / levels; 0 -> 1; clamp below at the smallest normal.
    auto computeScale = [&](OpBuilder &b, Location l, Value width,
                            double levels) -> Value {
      Value s = arith::DivFOp::create(b, l, width, f32Const(b, l, levels));
      Value isZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, s,
                                           f32Const(b, l, 0.0));
      Value floored =
          arith::MaxNumFOp::create(b, l, s, f32Const(b, l, qcomp::kMinScale));
      return arith::SelectOp::create(b, l, isZero, f32Const(b, l, 1.0),
                                     floored);
    };
    Value scaleEmpty =
        makeEmpty(rewriter, loc, scaleType.getShape(), f32, groupSources);
    SmallVector<Value> groupInputs =
        asymmetric ? SmallVector<Value>{lo, hi} : SmallVector<Value>{hi};
    SmallVector<AffineMap> groupMaps(groupInputs.size() + 1, groupIdentity);
    Value scale =
        linalg::GenericOp::create(
            rewriter, loc, scaleType.clone(f32), groupInputs, scaleEmpty,
            groupMaps, groupIterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value s;
              if (asymmetric)
                s = computeScale(b, l,
                                 arith::SubFOp::create(b, l, args[1], args[0]),
                                 static_cast<double>(range.max - range.min));
              else
                s = computeScale(b, l, args[0], static_cast<double>(range.max));
              linalg::YieldOp::create(b, l, s);
            })
            .getResult(0);

    // Zero point (f32, integral) per group: saturate(roundeven(qmin - lo/s)).
    Value zpFloat;
    if (asymmetric) {
      Value zpEmpty =
          makeEmpty(rewriter, loc, scaleType.getShape(), f32, groupSources);
      zpFloat =
          linalg::GenericOp::create(
              rewriter, loc, scaleType.clone(f32), ValueRange{lo, scale},
              zpEmpty,
              ArrayRef<AffineMap>{groupIdentity, groupIdentity, groupIdentity},
              groupIterators,
              [&](OpBuilder &b, Location l, ValueRange args) {
                Value ratio = arith::DivFOp::create(b, l, args[0], args[1]);
                Value t = arith::SubFOp::create(
                    b, l, f32Const(b, l, static_cast<double>(range.min)),
                    ratio);
                Value r = math::RoundEvenOp::create(b, l, t);
                Value c = arith::MinNumFOp::create(
                    b, l,
                    arith::MaxNumFOp::create(
                        b, l, r,
                        f32Const(b, l, static_cast<double>(range.min))),
                    f32Const(b, l, static_cast<double>(range.max)));
                linalg::YieldOp::create(b, l, c);
              })
              .getResult(0);
    }

    // Quantize every element with its group's parameters.
    Value empty = makeEmpty(rewriter, loc, inputType.getShape(), storageType,
                            allDims(input, rank));
    SmallVector<Value> inputs{input, scale};
    SmallVector<AffineMap> maps{identity, groupMap};
    if (asymmetric) {
      inputs.push_back(zpFloat);
      maps.push_back(groupMap);
    }
    maps.push_back(identity);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    Value quantized =
        linalg::GenericOp::create(
            rewriter, loc, inputType.clone(storageType), inputs, empty, maps,
            parallel,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value zp = asymmetric ? args[2] : f32Const(b, l, 0.0);
              Value q = quantizeScalar(b, l, args[0], args[1], zp, range,
                                       storageType, isSigned);
              linalg::YieldOp::create(b, l, q);
            })
            .getResult(0);

    SmallVector<Value> results{quantized, scale};
    if (asymmetric) {
      Value zpEmpty = makeEmpty(rewriter, loc, scaleType.getShape(),
                                storageType, groupSources);
      Value zp =
          linalg::GenericOp::create(
              rewriter, loc, scaleType.clone(storageType), zpFloat, zpEmpty,
              ArrayRef<AffineMap>{groupIdentity, groupIdentity}, groupIterators,
              [&](OpBuilder &b, Location l, ValueRange args) {
                Value z = isSigned ? (Value)arith::FPToSIOp::create(
                                         b, l, storageType, args[0])
                                   : (Value)arith::FPToUIOp::create(
                                         b, l, storageType, args[0]);
                linalg::YieldOp::create(b, l, z);
              })
              .getResult(0);
      results.push_back(zp);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// The column sums of a constant 2-D rhs (K x N storage values), computed
/// at compile time in the accumulator type (wrapping, as the run-time sums
/// would): a weight's sums cost nothing per call. Null when `rhs` is not a
/// constant.
///
///   %colsums = arith.constant dense<[...]> : tensor<Nxi32>
static Value getConstantColumnSums(OpBuilder &b, Location loc, Value rhs,
                                   bool isSigned, Type acc) {
  DenseIntElementsAttr values;
  auto type = dyn_cast<RankedTensorType>(rhs.getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape() ||
      !matchPattern(rhs, m_Constant(&values)))
    return Value();
  unsigned width = cast<IntegerType>(acc).getWidth();
  int64_t n = type.getDimSize(1);
  SmallVector<APInt> sums(n, APInt(width, 0));
  int64_t i = 0;
  for (const APInt &value : values.getValues<APInt>())
    sums[i++ % n] += isSigned ? value.sext(width) : value.zext(width);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(RankedTensorType::get({n}, acc), sums));
}

/// Lowers qc.matmul (batchRank 0) and qc.batch_matmul (batchRank 1) with an
/// rhs quantized per tensor or per column:
///   %acc  = linalg.generic (m, n, k): acc += ext(a) * ext(b)
///   %rows = sum_k ext(a)   (only when rhs has a non-zero zero point)
///   %cols = sum_k ext(b)   (only when lhs has a non-zero zero point)
///   %res  = linalg.generic (m, n): epilogue(acc - zb*rows - za*cols
///                                           + K*za*zb + bias)
/// With lhs_scale (an integer lhs with za = 0) the epilogue is
///   sitofp(acc - zb*rows) * (lhs_scale[m] * f32(s_r[n])).
/// An rhs quantized per group goes through lowerGroupwise.
template <typename OpTy>
struct MatmulLikeLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  MatmulLikeLowering(const TypeConverter &converter, MLIRContext *ctx,
                     unsigned batchRank)
      : OpConversionPattern<OpTy>(converter, ctx), batchRank(batchRank) {}

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    // lq is null for an integer lhs scaled by lhs_scale.
    quant::QuantizedType lq = qc::getQuantizedElementType(lhsType);
    quant::QuantizedType rq = qc::getQuantizedElementType(rhsType);
    unsigned rank = batchRank + 2;
    FailureOr<qc::QuantParamLayout> rLayout = qc::getQuantParamLayout(rq, rank);
    if (failed(rLayout))
      return rewriter.notifyMatchFailure(op, "unsupported rhs type");
    double lhsScale = 1.0;
    int64_t za = 0;
    bool lSigned = true;
    if (lq) {
      FailureOr<qc::QuantParamLayout> lLayout =
          qc::getQuantParamLayout(lq, rank);
      if (failed(lLayout) || !lLayout->isPerTensor())
        return rewriter.notifyMatchFailure(op, "unsupported lhs type");
      lhsScale = lLayout->scales[0];
      za = lLayout->zeroPoints[0];
      lSigned = lq.isSigned();
    } else if (!adaptor.getLhsScale()) {
      return rewriter.notifyMatchFailure(op, "integer lhs without lhs_scale");
    }
    if (isa<quant::UniformQuantizedSubChannelType>(rq))
      return lowerGroupwise(op, adaptor, rewriter, lhsScale, za, lSigned,
                            *rLayout);
    auto acc = cast<IntegerType>(op.getAcc());
    int64_t k = lhsType.getDimSize(batchRank + 1);
    if (ShapedType::isDynamic(k))
      k = rhsType.getDimSize(batchRank);

    // Iteration dims: batch..., m, n, k.
    auto dim = [&](unsigned d) { return rewriter.getAffineDimExpr(d); };
    SmallVector<AffineExpr> batch;
    for (unsigned b = 0; b < batchRank; ++b)
      batch.push_back(dim(b));
    AffineExpr m = dim(batchRank), nn = dim(batchRank + 1),
               kk = dim(batchRank + 2);
    auto map = [&](ArrayRef<AffineExpr> tail, unsigned numDims) {
      SmallVector<AffineExpr> exprs(batch);
      llvm::append_range(exprs, tail);
      return AffineMap::get(numDims, 0, exprs, ctx);
    };
    unsigned numDims = rank + 1;
    SmallVector<utils::IteratorType> mnk(rank, utils::IteratorType::parallel);
    mnk.push_back(utils::IteratorType::reduction);

    // Output [batch..., M, N] sizes from lhs (batch, M) and rhs (N).
    SmallVector<int64_t> outShape(resultType.getShape());
    SmallVector<std::pair<Value, int64_t>> outSources;
    for (unsigned b = 0; b < batchRank; ++b)
      outSources.push_back({lhs, b});
    outSources.push_back({lhs, batchRank});
    outSources.push_back({rhs, batchRank + 1});

    bool rSigned = rq.isSigned();
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getIntegerAttr(acc, 0));
    auto zeros = [&](ArrayRef<int64_t> shape,
                     ArrayRef<std::pair<Value, int64_t>> sources) {
      Value empty = makeEmpty(rewriter, loc, shape, acc, sources);
      return linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    };

    // Raw product of the storage values.
    Value accInit = zeros(outShape, outSources);
    Value product =
        linalg::GenericOp::create(
            rewriter, loc, accInit.getType(), ValueRange{lhs, rhs}, accInit,
            ArrayRef<AffineMap>{map({m, kk}, numDims), map({kk, nn}, numDims),
                                map({m, nn}, numDims)},
            mnk,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value a = extendStorage(b, l, args[0], acc, lSigned);
              Value w = extendStorage(b, l, args[1], acc, rSigned);
              Value p = arith::MulIOp::create(b, l, a, w);
              Value sum = arith::AddIOp::create(b, l, args[2], p);
              linalg::YieldOp::create(b, l, sum);
            })
            .getResult(0);

    bool rhsHasZp =
        llvm::any_of(rLayout->zeroPoints, [](int64_t z) { return z != 0; });
    // Reductions over K: iteration dims batch..., x, k.
    unsigned redDims = batchRank + 2;
    SmallVector<utils::IteratorType> xk(batchRank + 1,
                                        utils::IteratorType::parallel);
    xk.push_back(utils::IteratorType::reduction);
    AffineExpr x = dim(batchRank), rk = dim(batchRank + 1);
    auto sumOverK = [&](Value operand, bool isSigned, bool kFirst,
                        unsigned keepDim) {
      SmallVector<int64_t> shape;
      SmallVector<std::pair<Value, int64_t>> sources;
      auto operandType = cast<RankedTensorType>(operand.getType());
      for (unsigned b = 0; b < batchRank; ++b) {
        shape.push_back(operandType.getDimSize(b));
        sources.push_back({operand, b});
      }
      shape.push_back(operandType.getDimSize(keepDim));
      sources.push_back({operand, keepDim});
      Value init = zeros(shape, sources);
      AffineMap inMap = kFirst ? map({rk, x}, redDims) : map({x, rk}, redDims);
      return linalg::GenericOp::create(
                 rewriter, loc, init.getType(), operand, init,
                 ArrayRef<AffineMap>{inMap, map({x}, redDims)}, xk,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   Value v = extendStorage(b, l, args[0], acc, isSigned);
                   Value sum = arith::AddIOp::create(b, l, args[1], v);
                   linalg::YieldOp::create(b, l, sum);
                 })
          .getResult(0);
    };
    Value rowSums, colSums;
    if (rhsHasZp)
      rowSums = sumOverK(lhs, lSigned, /*kFirst=*/false, batchRank);
    if (za != 0) {
      colSums = getConstantColumnSums(rewriter, loc, rhs, rSigned, acc);
      if (!colSums)
        colSums = sumOverK(rhs, rSigned, /*kFirst=*/true, batchRank + 1);
    }

    // Per-column parameters of the epilogue (iteration dims batch..., m, n).
    unsigned epiDims = rank;
    int64_t numCols = rLayout->isPerTensor() ? 1 : rLayout->scales.size();
    auto colAttrs = [&](auto valueAt) {
      SmallVector<Attribute> attrs;
      for (int64_t j = 0; j < numCols; ++j)
        attrs.push_back(valueAt(j));
      return attrs;
    };
    auto rIndex = [&](int64_t j) { return rLayout->isPerTensor() ? 0 : j; };
    Param zb = makeChannelParam(rewriter, loc, colAttrs([&](int64_t j) {
                                  return rewriter.getIntegerAttr(
                                      acc, rLayout->zeroPoints[rIndex(j)]);
                                }),
                                acc, epiDims, epiDims - 1);
    Param offset = makeChannelParam(
        rewriter, loc, colAttrs([&](int64_t j) {
          return rewriter.getIntegerAttr(
              acc,
              APInt(acc.getWidth(), k * za * rLayout->zeroPoints[rIndex(j)],
                    /*isSigned=*/true, /*implicitTrunc=*/true));
        }),
        acc, epiDims, epiDims - 1);

    // The epilogue's result element type and its per-column parameters:
    // with lhs_scale, the rhs scales f32(s_r[n]) alone.
    Value lhsScaleValue = adaptor.getLhsScale();
    Type f32 = rewriter.getF32Type();
    FailureOr<ContractionEpilogue> epilogue;
    SmallVector<Param> params{zb, offset};
    Type outElt = f32;
    if (lhsScaleValue) {
      params.push_back(makeChannelParam(rewriter, loc, colAttrs([&](int64_t j) {
                                          return rewriter.getF32FloatAttr(
                                              static_cast<float>(
                                                  rLayout->scales[rIndex(j)]));
                                        }),
                                        f32, epiDims, epiDims - 1));
    } else {
      epilogue = buildContractionEpilogue(
          rewriter, loc, op, resultType, lhsScale, *rLayout, op.getFixedPoint(),
          /*channelDim=*/rank - 1);
      if (failed(epilogue))
        return failure();
      outElt = epilogue->outElt;
      llvm::append_range(params, epilogue->params);
    }

    // Epilogue inputs: acc, [rowSums], [colSums], [bias], [lhs_scale],
    // params...
    SmallVector<Value> inputs{product};
    AffineMap outMap = map({m, nn}, epiDims);
    SmallVector<AffineMap> maps{outMap};
    if (rowSums) {
      inputs.push_back(rowSums);
      maps.push_back(map({m}, epiDims));
    }
    if (colSums) {
      inputs.push_back(colSums);
      maps.push_back(map({nn}, epiDims));
    }
    if (Value bias = adaptor.getBias()) {
      inputs.push_back(bias);
      maps.push_back(AffineMap::get(epiDims, 0, nn, ctx));
    }
    if (lhsScaleValue) {
      inputs.push_back(lhsScaleValue);
      maps.push_back(getLhsScaleMap(lhsScaleValue, epiDims, ctx));
    }
    for (const Param &param : params)
      if (param.tensor) {
        inputs.push_back(param.tensor);
        maps.push_back(param.map);
      }
    maps.push_back(outMap);
    Value outInit = makeEmpty(rewriter, loc, outShape, outElt, outSources);
    SmallVector<utils::IteratorType> parallel(epiDims,
                                              utils::IteratorType::parallel);
    bool hasBias = static_cast<bool>(adaptor.getBias());
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, resultType.clone(outElt), inputs, outInit, maps,
            parallel,
            [&](OpBuilder &b, Location l, ValueRange args) {
              unsigned next = 0;
              Value v = args[next++];
              Value rows = rowSums ? args[next++] : Value();
              Value cols = colSums ? args[next++] : Value();
              Value bias = hasBias ? args[next++] : Value();
              Value ls = lhsScaleValue ? args[next++] : Value();
              SmallVector<Value> p;
              for (const Param &param : params)
                p.push_back(param.tensor ? args[next++]
                                         : (Value)arith::ConstantOp::create(
                                               b, l, param.scalar));
              // v = acc - zb*rows - za*cols + K*za*zb + bias
              if (rows)
                v = arith::SubIOp::create(
                    b, l, v, arith::MulIOp::create(b, l, p[0], rows));
              if (cols) {
                Value zaV =
                    arith::ConstantOp::create(b, l, b.getIntegerAttr(acc, za));
                v = arith::SubIOp::create(
                    b, l, v, arith::MulIOp::create(b, l, zaV, cols));
                v = arith::AddIOp::create(b, l, v, p[1]);
              }
              if (bias)
                v = arith::AddIOp::create(b, l, v, bias);
              Value out;
              if (ls) {
                // f32(acc) * (lhs_scale * f32(s_r[n])), the scales first.
                Value scale = arith::MulFOp::create(b, l, ls, p[2]);
                out = arith::MulFOp::create(
                    b, l, arith::SIToFPOp::create(b, l, f32, v), scale);
              } else {
                out = epilogue->emit(b, l, v, ArrayRef<Value>(p).drop_front(2));
              }
              linalg::YieldOp::create(b, l, out);
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  /// The map reading lhs_scale in an iteration space (batch..., m, ...) of
  /// `numDims` dims: () for one scale, (batch..., m) for one per row.
  AffineMap getLhsScaleMap(Value lhsScale, unsigned numDims,
                           MLIRContext *ctx) const {
    if (cast<RankedTensorType>(lhsScale.getType()).getRank() == 0)
      return AffineMap::get(numDims, 0, ctx);
    SmallVector<AffineExpr> exprs;
    for (unsigned d = 0; d <= batchRank; ++d)
      exprs.push_back(getAffineDimExpr(d, ctx));
    return AffineMap::get(numDims, 0, exprs, ctx);
  }

  /// Casts a storage operand whose dimension `d` is dynamic to the static
  /// size `size` (tensor.cast), so that it can be expanded into groups.
  Value castDimToStatic(OpBuilder &b, Location loc, Value value, unsigned d,
                        int64_t size) const {
    auto type = cast<RankedTensorType>(value.getType());
    if (!type.isDynamicDim(d))
      return value;
    SmallVector<int64_t> shape(type.getShape());
    shape[d] = size;
    return tensor::CastOp::create(b, loc, type.clone(shape), value);
  }

  /// Lowers a matmul whose rhs is quantized per group of G rows along K
  /// (NG = K / G groups; iteration dims batch..., m, n, g, i):
  ///   %l   = tensor.expand_shape %lhs : [B..., M, K] into [B..., M, NG, G]
  ///   %r   = tensor.expand_shape %rhs : [B..., K, N] into [B..., NG, G, N]
  ///   %acc = linalg.generic, reduction over i, from 0:
  ///            acc[b, m, n, g] += (ext(l[b, m, g, i]) - z_l)
  ///                               * (ext(r[b, g, i, n]) - z_r[g, n])
  ///   %y   = linalg.generic, reduction over g in order, from 0.0:
  ///            y[b, m, n] += sitofp(acc[b, m, n, g]) * f32(s_l * s_r[g, n])
  ///            (with lhs_scale: * (lhs_scale[b, m] * f32(s_r[g, n])))
  ///   %q   = qc.quantize's linalg.generic on %y   (quantized result only)
  LogicalResult lowerGroupwise(OpTy op, OpAdaptor adaptor,
                               ConversionPatternRewriter &rewriter,
                               double lhsScale, int64_t za, bool lSigned,
                               const qc::QuantParamLayout &rLayout) const {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    quant::QuantizedType rq =
        qc::getQuantizedElementType(op.getRhs().getType());
    auto acc = cast<IntegerType>(op.getAcc());
    Type f32 = rewriter.getF32Type();
    unsigned rank = batchRank + 2;
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    int64_t k =
        cast<RankedTensorType>(op.getLhs().getType()).getDimSize(batchRank + 1);
    if (ShapedType::isDynamic(k))
      k = cast<RankedTensorType>(op.getRhs().getType()).getDimSize(batchRank);
    // Parameters: row-major over [1..., NG, cols] (cols = N, or 1 when the
    // parameters do not vary along N).
    int64_t numGroups = rLayout.shape[rank - 2];
    int64_t cols = rLayout.shape[rank - 1];
    int64_t groupSize = k / numGroups;
    if (numGroups * groupSize != k)
      return rewriter.notifyMatchFailure(op, "K is not a multiple of G");

    // Split K into (NG, G).
    lhs = castDimToStatic(rewriter, loc, lhs, batchRank + 1, k);
    rhs = castDimToStatic(rewriter, loc, rhs, batchRank, k);
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    SmallVector<int64_t> lhsShape(lhsType.getShape().drop_back());
    lhsShape.append({numGroups, groupSize});
    SmallVector<ReassociationIndices> lhsGroups;
    for (unsigned d = 0; d <= batchRank; ++d)
      lhsGroups.push_back({static_cast<int64_t>(d)});
    lhsGroups.push_back({rank - 1, rank});
    Value lhsSplit = tensor::ExpandShapeOp::create(
        rewriter, loc, lhsType.clone(lhsShape), lhs, lhsGroups);
    SmallVector<int64_t> rhsShape(rhsType.getShape().take_front(batchRank));
    rhsShape.append({numGroups, groupSize, rhsType.getDimSize(rank - 1)});
    SmallVector<ReassociationIndices> rhsGroups;
    for (unsigned b = 0; b < batchRank; ++b)
      rhsGroups.push_back({static_cast<int64_t>(b)});
    rhsGroups.push_back({batchRank, batchRank + 1});
    rhsGroups.push_back({rank});
    Value rhsSplit = tensor::ExpandShapeOp::create(
        rewriter, loc, rhsType.clone(rhsShape), rhs, rhsGroups);

    // Iteration dims: batch..., m, n, g, i.
    auto dim = [&](unsigned d) { return rewriter.getAffineDimExpr(d); };
    SmallVector<AffineExpr> batch;
    for (unsigned b = 0; b < batchRank; ++b)
      batch.push_back(dim(b));
    AffineExpr m = dim(batchRank), nn = dim(batchRank + 1),
               g = dim(batchRank + 2), i = dim(batchRank + 3);
    auto map = [&](ArrayRef<AffineExpr> tail, unsigned numDims) {
      SmallVector<AffineExpr> exprs(batch);
      llvm::append_range(exprs, tail);
      return AffineMap::get(numDims, 0, exprs, ctx);
    };
    // A per-group parameter [NG, cols] read through (..., g, n) or
    // (..., g, 0); a scalar when all values agree.
    auto groupParam = [&](ArrayRef<Attribute> values, Type eltType,
                          unsigned numDims) {
      Param param;
      if (llvm::all_equal(values)) {
        param.scalar = cast<TypedAttr>(values.front());
        return param;
      }
      auto type = RankedTensorType::get({numGroups, cols}, eltType);
      param.tensor = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(type, values));
      AffineExpr col = cols == 1 ? rewriter.getAffineConstantExpr(0) : nn;
      param.map = AffineMap::get(numDims, 0, {g, col}, ctx);
      return param;
    };
    int64_t numParams = numGroups * cols;

    // Per-group accumulators [batch..., M, N, NG].
    SmallVector<int64_t> accShape(resultType.getShape());
    accShape.push_back(numGroups);
    SmallVector<std::pair<Value, int64_t>> sources;
    for (unsigned b = 0; b < batchRank; ++b)
      sources.push_back({lhs, b});
    sources.push_back({lhs, batchRank});
    sources.push_back({rhs, batchRank + 1});
    SmallVector<std::pair<Value, int64_t>> accSources(sources);
    accSources.push_back({Value(), 0});
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getIntegerAttr(acc, 0));
    Value accInit = linalg::FillOp::create(
                        rewriter, loc, zero,
                        makeEmpty(rewriter, loc, accShape, acc, accSources))
                        .getResult(0);
    unsigned accDims = rank + 2;
    SmallVector<Attribute> zpAttrs;
    for (int64_t p = 0; p < numParams; ++p)
      zpAttrs.push_back(rewriter.getIntegerAttr(acc, rLayout.zeroPoints[p]));
    Param zr = groupParam(zpAttrs, acc, accDims);
    bool rhsHasZp =
        llvm::any_of(rLayout.zeroPoints, [](int64_t z) { return z != 0; });
    SmallVector<Value> accInputs{lhsSplit, rhsSplit};
    SmallVector<AffineMap> accMaps{map({m, g, i}, accDims),
                                   map({g, i, nn}, accDims)};
    if (zr.tensor) {
      accInputs.push_back(zr.tensor);
      accMaps.push_back(zr.map);
    }
    accMaps.push_back(map({m, nn, g}, accDims));
    SmallVector<utils::IteratorType> accIterators(
        rank + 1, utils::IteratorType::parallel);
    accIterators.push_back(utils::IteratorType::reduction);
    bool rSigned = rq.isSigned();
    Value groupAcc =
        linalg::GenericOp::create(
            rewriter, loc, cast<RankedTensorType>(accInit.getType()), accInputs,
            accInit, accMaps, accIterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value a = extendStorage(b, l, args[0], acc, lSigned);
              if (za != 0)
                a = arith::SubIOp::create(
                    b, l, a,
                    arith::ConstantOp::create(b, l, b.getIntegerAttr(acc, za)));
              Value w = extendStorage(b, l, args[1], acc, rSigned);
              if (rhsHasZp)
                w = arith::SubIOp::create(
                    b, l, w,
                    zr.tensor
                        ? args[2]
                        : (Value)arith::ConstantOp::create(b, l, zr.scalar));
              Value p = arith::MulIOp::create(b, l, a, w);
              linalg::YieldOp::create(
                  b, l, (Value)arith::AddIOp::create(b, l, args.back(), p));
            })
            .getResult(0);

    // Sum of the groups in f32, in increasing order of g.
    unsigned sumDims = rank + 1;
    Value lhsScaleValue = adaptor.getLhsScale();
    SmallVector<Attribute> scaleAttrs;
    for (int64_t p = 0; p < numParams; ++p)
      scaleAttrs.push_back(rewriter.getF32FloatAttr(static_cast<float>(
          lhsScaleValue ? rLayout.scales[p] : lhsScale * rLayout.scales[p])));
    Param scale = groupParam(scaleAttrs, f32, sumDims);
    SmallVector<Value> sumInputs{groupAcc};
    SmallVector<AffineMap> sumMaps{map({m, nn, g}, sumDims)};
    if (lhsScaleValue) {
      sumInputs.push_back(lhsScaleValue);
      sumMaps.push_back(getLhsScaleMap(lhsScaleValue, sumDims, ctx));
    }
    if (scale.tensor) {
      sumInputs.push_back(scale.tensor);
      sumMaps.push_back(scale.map);
    }
    sumMaps.push_back(map({m, nn}, sumDims));
    Value fzero =
        arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0.0));
    Value sumInit =
        linalg::FillOp::create(
            rewriter, loc, fzero,
            makeEmpty(rewriter, loc, resultType.getShape(), f32, sources))
            .getResult(0);
    SmallVector<utils::IteratorType> sumIterators(
        rank, utils::IteratorType::parallel);
    sumIterators.push_back(utils::IteratorType::reduction);
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, cast<RankedTensorType>(sumInit.getType()), sumInputs,
            sumInit, sumMaps, sumIterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              unsigned next = 1;
              Value ls = lhsScaleValue ? args[next++] : Value();
              Value s =
                  scale.tensor
                      ? args[next++]
                      : (Value)arith::ConstantOp::create(b, l, scale.scalar);
              if (ls)
                s = arith::MulFOp::create(b, l, ls, s);
              Value term = arith::MulFOp::create(
                  b, l, arith::SIToFPOp::create(b, l, f32, args[0]), s);
              linalg::YieldOp::create(
                  b, l, (Value)arith::AddFOp::create(b, l, args.back(), term));
            })
            .getResult(0);

    auto resultQ = dyn_cast<quant::QuantizedType>(resultType.getElementType());
    if (!resultQ) {
      rewriter.replaceOp(op, sum);
      return success();
    }
    // Quantize the f32 sum exactly as qc.quantize does.
    FailureOr<qc::QuantParamLayout> oLayout =
        qc::getQuantParamLayout(resultQ, rank);
    if (failed(oLayout))
      return rewriter.notifyMatchFailure(op, "unsupported result type");
    SmallVector<Attribute> outScales, outZps;
    for (auto [s, z] : llvm::zip_equal(oLayout->scales, oLayout->zeroPoints)) {
      outScales.push_back(rewriter.getF32FloatAttr(static_cast<float>(s)));
      outZps.push_back(rewriter.getF32FloatAttr(static_cast<float>(z)));
    }
    Param outScale =
        makeChannelParam(rewriter, loc, outScales, f32, rank, rank - 1);
    Param outZp = makeChannelParam(rewriter, loc, outZps, f32, rank, rank - 1);
    IntegerType storageType = getStorageIntType(resultQ);
    qcomp::StorageRange range = getRange(resultQ);
    bool outSigned = resultQ.isSigned();
    Value empty = makeEmpty(rewriter, loc, resultType.getShape(), storageType,
                            allDims(sum, rank));
    Value result = buildElementwise(
        rewriter, loc, sum, {outScale, outZp}, empty,
        [&](OpBuilder &b, Location l, Value y, ArrayRef<Value> p) {
          return quantizeScalar(b, l, y, p[0], p[1], range, storageType,
                                outSigned);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  unsigned batchRank;
};

/// Lowers qc.unpack: each storage value is a bit field of a byte,
///   linalg.generic outs(tensor<... x n x iB>) {
///     %j = linalg.index <last>
///     %byte = tensor.extract %packed[%i..., %j floordiv R]  (R = 8 / B)
///     %field = arith.shrui %byte, B * (%j mod R)
///     linalg.yield (arith.trunci %field : i8 to iB)
///   }
/// The low B bits of the shifted byte are the storage value for signed and
/// unsigned storage alike: signedness only matters to the ops that later
/// extend the iB value (sign extension for signed storage).
struct UnpackLowering : OpConversionPattern<qc::UnpackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qc::UnpackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    quant::QuantizedType qtype = qc::getQuantizedElementType(resultType);
    unsigned bits = qtype.getStorageTypeIntegralWidth();
    if (bits != 2 && bits != 4)
      return rewriter.notifyMatchFailure(op, "storage is not 2 or 4 bits");
    IntegerType storageType = getStorageIntType(qtype);
    unsigned rank = resultType.getRank();
    Value empty = makeEmpty(rewriter, loc, resultType.getShape(), storageType,
                            allDims(input, rank));
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    Type i8 = rewriter.getI8Type();
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, resultType.clone(storageType), ValueRange{}, empty,
            ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
            parallel,
            [&](OpBuilder &b, Location l, ValueRange) {
              SmallVector<Value> indices;
              for (unsigned d = 0; d < rank; ++d)
                indices.push_back(linalg::IndexOp::create(b, l, d));
              Value perByte = arith::ConstantIndexOp::create(b, l, 8 / bits);
              Value j = indices.back();
              indices.back() = arith::DivUIOp::create(b, l, j, perByte);
              Value byte = tensor::ExtractOp::create(b, l, input, indices);
              Value pos = arith::RemUIOp::create(b, l, j, perByte);
              Value shiftIndex = arith::MulIOp::create(
                  b, l, pos, arith::ConstantIndexOp::create(b, l, bits));
              Value shift = arith::IndexCastUIOp::create(b, l, i8, shiftIndex);
              Value field = arith::ShRUIOp::create(b, l, byte, shift);
              linalg::YieldOp::create(
                  b, l,
                  (Value)arith::TruncIOp::create(b, l, storageType, field));
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Rewrites linalg.transpose on quantized tensors into the same transpose of
/// the storage tensors: moving values does not look at them.
struct TransposeTypeConversion : OpConversionPattern<linalg::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(linalg::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(
        op, adaptor.getInput(), adaptor.getInit(), op.getPermutation());
    return success();
  }
};

/// Rewrites any tensor-dialect op without regions whose types mention
/// quantized elements into the same op on storage types (reshapes, slices,
/// concatenation, ... do not look at the values).
struct TensorOpTypeConversion : ConversionPattern {
  TensorOpTypeConversion(const TypeConverter &converter, MLIRContext *ctx)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<tensor::TensorDialect>(op->getDialect()) ||
        op->getNumRegions() != 0)
      return rewriter.notifyMatchFailure(op, "not a region-free tensor op");
    SmallVector<Type> resultTypes;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(),
                                                resultTypes)))
      return rewriter.notifyMatchFailure(op, "cannot convert result types");
    OperationState state(op->getLoc(), op->getName(), operands, resultTypes,
                         op->getAttrs(), op->getSuccessors());
    Operation *newOp = rewriter.create(state);
    rewriter.replaceOp(op, newOp->getResults());
    return success();
  }
};

} // namespace

void qcomp::populateQCToLinalgConversionPatterns(const TypeConverter &converter,
                                                 RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ObserveLowering, StorageCastLowering, QuantizeLowering,
               DequantizeLowering, RequantizeLowering, DynamicQuantizeLowering,
               UnpackLowering, SmoothLowering, TransposeTypeConversion,
               TensorOpTypeConversion>(
      converter, ctx);
  patterns.add<MatmulLikeLowering<qc::MatmulOp>>(converter, ctx, 0);
  patterns.add<MatmulLikeLowering<qc::BatchMatmulOp>>(converter, ctx, 1);
  populateConvToLinalgPatterns(converter, patterns);
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {
struct LowerToLinalgPass
    : qcomp::impl::QCLowerToLinalgPassBase<LowerToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    QuantStorageTypeConverter converter;
    ConversionTarget target(*ctx);
    target.addIllegalDialect<qc::QCDialect>();
    target.addIllegalOp<quant::StorageCastOp>();
    target.addLegalDialect<arith::ArithDialect, math::MathDialect>();
    // Linalg ops are legal once no operand, result or block argument is
    // quantized (the ops this pass builds, and float or integer ones).
    target.addDynamicallyLegalDialect<linalg::LinalgDialect>(
        [&](Operation *op) {
          return converter.isLegal(op) &&
                 llvm::all_of(op->getRegions(), [&](Region &region) {
                   return converter.isLegal(&region);
                 });
        });
    target.markUnknownOpDynamicallyLegal([&](Operation *op) {
      if (auto func = dyn_cast<FunctionOpInterface>(op))
        return converter.isSignatureLegal(
                   cast<FunctionType>(func.getFunctionType())) &&
               converter.isLegal(&func.getFunctionBody());
      return converter.isLegal(op);
    });

    RewritePatternSet patterns(ctx);
    populateQCToLinalgConversionPatterns(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
