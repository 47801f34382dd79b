//===- ConvToLinalg.cpp - Reference lowering of qc.conv2d -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Part of qc-lower-to-linalg: lowers qc.conv2d to a linalg named convolution
// on the accumulator type. Unlike the matmul lowering, which corrects the raw
// product of storage values with row and column sums, the convolution
// subtracts the zero points from its (extended) operands first: padding is
// then a plain zero fill, exactly the "padded positions hold the input zero
// point" semantics of the op, and the named op computes the sum of products
// directly. The epilogue (bias, dequantize or requantize per output channel)
// is the one qc.matmul uses, with the output channel along dimension 1.
//
//===----------------------------------------------------------------------===//

#include "QCToLinalgUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::qcomp;
using namespace mlir::qcomp::qctolinalg;

namespace {

/// Lowers qc.conv2d (G = groups):
///   %x  = linalg.generic: ext(input) - z_x          (no subi when z_x = 0)
///   %w  = linalg.generic: ext(filter) - z_w[f]      (no subi when all are 0)
///   %xp = tensor.pad %x low[0, 0, top, left] high[0, 0, bottom, right]
///           { tensor.yield %c0 }                    (only with padding)
///   G = 1: %c = linalg.conv_2d_nchw_fchw ins(%xp, %w) outs(zeros)
///   G > 1: %c = tensor.collapse_shape (linalg.conv_2d_ngchw_gfchw
///                 ins(expand %xp to N x G x C/G x H x W,
///                     expand %w to G x F/G x C/G x KH x KW)
///                 outs(zeros N x G x F/G x OH x OW)) to N x F x OH x OW
///   %r  = linalg.generic: epilogue(%c + bias[f])    (not for a raw result
///                                                    without bias)
struct Conv2DLowering : OpConversionPattern<qc::Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(qc::Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    quant::QuantizedType xq = qc::getQuantizedElementType(inputType);
    quant::QuantizedType wq = qc::getQuantizedElementType(filterType);
    FailureOr<qc::QuantParamLayout> xLayout = qc::getQuantParamLayout(xq, 4);
    FailureOr<qc::QuantParamLayout> wLayout = qc::getQuantParamLayout(wq, 4);
    if (failed(xLayout) || failed(wLayout) || !xLayout->isPerTensor())
      return rewriter.notifyMatchFailure(op, "unsupported quantized types");
    if (!filterType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "filter shape is not static");
    auto acc = cast<IntegerType>(op.getAcc());
    int64_t groups = op.getGroups();
    ArrayRef<int64_t> strides = op.getStrides();
    ArrayRef<int64_t> dilations = op.getDilations();
    ArrayRef<int64_t> pads = op.getPads();
    ArrayRef<int64_t> filterShape = filterType.getShape();
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getIntegerAttr(acc, 0));

    // Input and filter extended to the accumulator type, zero points
    // subtracted.
    Value input = adaptor.getInput();
    SmallVector<Value> inputSizes;
    for (auto [d, size] : llvm::enumerate(inputType.getShape()))
      if (ShapedType::isDynamic(size))
        inputSizes.push_back(tensor::DimOp::create(rewriter, loc, input, d));
    int64_t zx = xLayout->zeroPoints[0];
    SmallVector<Param> xParams;
    if (zx != 0)
      xParams.push_back({rewriter.getIntegerAttr(acc, zx), {}, {}});
    Value x =
        centerOperand(rewriter, loc, input,
                      tensor::EmptyOp::create(
                          rewriter, loc, inputType.getShape(), acc, inputSizes),
                      xParams, xq.isSigned());

    SmallVector<Param> wParams;
    if (llvm::any_of(wLayout->zeroPoints, [](int64_t z) { return z != 0; })) {
      SmallVector<Attribute> zw;
      for (int64_t z : wLayout->zeroPoints)
        zw.push_back(rewriter.getIntegerAttr(acc, z));
      wParams.push_back(makeChannelParam(rewriter, loc, zw, acc, /*rank=*/4,
                                         /*channelDim=*/0));
    }
    Value w =
        centerOperand(rewriter, loc, adaptor.getFilter(),
                      tensor::EmptyOp::create(rewriter, loc, filterShape, acc),
                      wParams, wq.isSigned());

    // Padding with 0, which is z_x before the subtraction.
    Value padded = x;
    if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
      SmallVector<int64_t> paddedShape(inputType.getShape());
      for (unsigned i = 0; i < 2; ++i)
        if (!ShapedType::isDynamic(paddedShape[2 + i]))
          paddedShape[2 + i] += pads[i] + pads[i + 2];
      SmallVector<OpFoldResult> low{
          rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
          rewriter.getIndexAttr(pads[0]), rewriter.getIndexAttr(pads[1])};
      SmallVector<OpFoldResult> high{
          rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
          rewriter.getIndexAttr(pads[2]), rewriter.getIndexAttr(pads[3])};
      padded = tensor::PadOp::create(rewriter, loc,
                                     RankedTensorType::get(paddedShape, acc), x,
                                     low, high, zero);
    }

    // Dynamic sizes of the result [N, F, OH, OW]; a dynamic OH is
    //   (Hp - span) / stride + 1 = max(Hp + stride - span, 0) / stride
    // (0 when the padded input is smaller than the dilated filter).
    ArrayRef<int64_t> outShape = resultType.getShape();
    SmallVector<Value> outSizes;
    if (ShapedType::isDynamic(outShape[0]))
      outSizes.push_back(tensor::DimOp::create(rewriter, loc, input, 0));
    for (unsigned i = 0; i < 2; ++i) {
      if (!ShapedType::isDynamic(outShape[2 + i]))
        continue;
      int64_t span = dilations[i] * (filterShape[2 + i] - 1) + 1;
      auto index = [&](int64_t v) -> Value {
        return arith::ConstantIndexOp::create(rewriter, loc, v);
      };
      Value size = tensor::DimOp::create(rewriter, loc, padded, 2 + i);
      Value shifted =
          arith::AddIOp::create(rewriter, loc, size, index(strides[i] - span));
      Value clamped = arith::MaxSIOp::create(rewriter, loc, shifted, index(0));
      outSizes.push_back(
          arith::DivUIOp::create(rewriter, loc, clamped, index(strides[i])));
    }

    // The convolution on the accumulator type.
    auto zeros = [&](ArrayRef<int64_t> shape) {
      Value empty =
          tensor::EmptyOp::create(rewriter, loc, shape, acc, outSizes);
      return linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    };
    DenseIntElementsAttr stridesAttr = rewriter.getI64TensorAttr(strides);
    DenseIntElementsAttr dilationsAttr = rewriter.getI64TensorAttr(dilations);
    Value conv;
    if (groups == 1) {
      Value init = zeros(outShape);
      conv =
          linalg::Conv2DNchwFchwOp::create(
              rewriter, loc, TypeRange{init.getType()}, ValueRange{padded, w},
              ValueRange{init}, stridesAttr, dilationsAttr)
              .getResult(0);
    } else {
      auto paddedType = cast<RankedTensorType>(padded.getType());
      ArrayRef<int64_t> ps = paddedType.getShape();
      int64_t cg = filterShape[1], fg = filterShape[0] / groups;
      auto xg = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({ps[0], groups, cg, ps[2], ps[3]}, acc), padded,
          ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      auto wg = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get(
              {groups, fg, cg, filterShape[2], filterShape[3]}, acc),
          w, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
      Value init = zeros({outShape[0], groups, fg, outShape[2], outShape[3]});
      Value grouped =
          linalg::Conv2DNgchwGfchwOp::create(
              rewriter, loc, TypeRange{init.getType()}, ValueRange{xg, wg},
              ValueRange{init}, stridesAttr, dilationsAttr)
              .getResult(0);
      conv = tensor::CollapseShapeOp::create(
          rewriter, loc, resultType.clone(acc), grouped,
          ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    }

    // Bias and epilogue per output channel (dimension 1).
    FailureOr<ContractionEpilogue> epilogue = buildContractionEpilogue(
        rewriter, loc, op, resultType, xLayout->scales[0], *wLayout,
        op.getFixedPoint(), /*channelDim=*/1);
    if (failed(epilogue))
      return failure();
    Value bias = adaptor.getBias();
    if (epilogue->kind == ContractionEpilogue::Kind::Raw && !bias) {
      rewriter.replaceOp(op, conv);
      return success();
    }
    SmallVector<Param> params;
    if (bias)
      params.push_back(
          {{}, bias, AffineMap::get(4, 0, rewriter.getAffineDimExpr(1))});
    llvm::append_range(params, epilogue->params);
    Value outInit = tensor::EmptyOp::create(rewriter, loc, outShape,
                                            epilogue->outElt, outSizes);
    Value result = buildElementwise(
        rewriter, loc, conv, params, outInit,
        [&](OpBuilder &b, Location l, Value v, ArrayRef<Value> p) {
          if (bias) {
            v = arith::AddIOp::create(b, l, v, p.front());
            p = p.drop_front();
          }
          return epilogue->emit(b, l, v, p);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  /// Extends storage tensor `operand` to the accumulator type of `empty` and
  /// subtracts the zero point given as the single entry of `zeroPoint`, if
  /// any:
  ///   linalg.generic { %e = arith.extsi/extui %q ; %r = arith.subi %e, %z }
  static Value centerOperand(OpBuilder &b, Location loc, Value operand,
                             Value empty, ArrayRef<Param> zeroPoint,
                             bool isSigned) {
    auto acc = cast<IntegerType>(
        cast<RankedTensorType>(empty.getType()).getElementType());
    return buildElementwise(
        b, loc, operand, zeroPoint, empty,
        [&](OpBuilder &nb, Location l, Value q, ArrayRef<Value> p) -> Value {
          Value e = extendStorage(nb, l, q, acc, isSigned);
          if (p.empty())
            return e;
          return arith::SubIOp::create(nb, l, e, p.front());
        });
  }
};

} // namespace

void qctolinalg::populateConvToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering>(converter, patterns.getContext());
}
