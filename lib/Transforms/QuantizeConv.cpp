//===- QuantizeConv.cpp - qc-quantize for convolutions --------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// linalg.conv_2d_nchw_fchw and the importer's grouped form (expand_shape,
// linalg.conv_2d_ngchw_gfchw, collapse_shape), behind an optional zero
// tensor.pad, into qc.conv2d; under weight-only schemes, the float
// convolution on a dequantized filter.
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace mlir::qcomp;
using namespace mlir::qcomp::quantizer;

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

/// The [top, left, bottom, right] zero padding of `value` when it is a
/// tensor.pad by a constant 0.0 of the spatial dimensions of an NCHW tensor.
static std::optional<SmallVector<int64_t>> matchZeroPad(Value value) {
  auto pad = value.getDefiningOp<tensor::PadOp>();
  if (!pad)
    return std::nullopt;
  Value padValue = pad.getConstantPaddingValue();
  if (!padValue || !matchPattern(padValue, m_AnyZeroFloat()))
    return std::nullopt;
  SmallVector<int64_t> low(pad.getStaticLow()), high(pad.getStaticHigh());
  if (low.size() != 4 ||
      llvm::any_of(llvm::concat<int64_t>(low, high), ShapedType::isDynamic) ||
      low[0] || low[1] || high[0] || high[1])
    return std::nullopt;
  return SmallVector<int64_t>{low[2], low[3], high[2], high[3]};
}

Outcome Quantizer::quantizeConv(Operation *op, const OpScheme &scheme) {
  auto linalgOp = cast<linalg::LinalgOp>(op);
  Value input = linalgOp.getDpsInputs()[0], filter = linalgOp.getDpsInputs()[1];
  Value statsValue = input;
  if (!isZeroFilled(linalgOp.getDpsInits()[0]))
    return "it accumulates into a non-zero initial value";
  auto stridesAttr = op->getAttrOfType<DenseIntElementsAttr>("strides");
  auto dilationsAttr = op->getAttrOfType<DenseIntElementsAttr>("dilations");
  SmallVector<int64_t> strides{1, 1}, dilations{1, 1};
  if (stridesAttr)
    strides = llvm::to_vector(stridesAttr.getValues<int64_t>());
  if (dilationsAttr)
    dilations = llvm::to_vector(dilationsAttr.getValues<int64_t>());

  // Grouped: NxGx(C/G)xHxW input expanded from NxCxHxW, the result collapsed
  // back to NxFxOHxOW.
  int64_t groups = 1;
  Value result = op->getResult(0);
  FailureOr<FloatConstant> weight = evaluateFloatConstant(filter);
  if (failed(weight))
    return "its filter is not a constant";
  if (isa<linalg::Conv2DNgchwGfchwOp>(op)) {
    auto expand = input.getDefiningOp<tensor::ExpandShapeOp>();
    if (!expand || !result.hasOneUse())
      return "grouped convolution not in the importer's form";
    auto collapse =
        dyn_cast<tensor::CollapseShapeOp>(*result.getUsers().begin());
    if (!collapse || collapse.getResultType().getRank() != 4 ||
        expand.getSrcType().getRank() != 4)
      return "grouped convolution not in the importer's form";
    groups = expand.getResultType().getDimSize(1);
    input = expand.getSrc();
    result = collapse.getResult();
    // G x F/G x C/G x KH x KW is F x C/G x KH x KW in the same order.
    ArrayRef<int64_t> s = weight->shape;
    weight->shape = {s[0] * s[1], s[2], s[3], s[4]};
  }
  SmallVector<int64_t> pads{0, 0, 0, 0};
  if (std::optional<SmallVector<int64_t>> zeroPad = matchZeroPad(input)) {
    pads = *zeroPad;
    input = input.getDefiningOp<tensor::PadOp>().getSource();
  }
  auto resultType = cast<RankedTensorType>(result.getType());
  if (!resultType.getElementType().isF32())
    return "only f32 convolutions are quantized";

  if (scheme.activations.mode == ActivationMode::None) {
    // Weight-only: the filter is stored quantized and dequantized in front
    // of the float convolution (reshaped back to G x F/G x ... if grouped).
    WeightQuantSpec spec = makeWeightSpec(scheme.weights, /*channelAxis=*/0,
                                          /*reductionAxis=*/-1);
    FailureOr<QuantizedWeight> w =
        quantizeWeight(op, scheme.weights.range, *weight, spec);
    if (failed(w))
      return "its filter cannot be quantized";
    OpBuilder b(op);
    Location loc = op->getLoc();
    Value dequantized = qc::DequantizeOp::create(
        b, loc, RankedTensorType::get(weight->shape, b.getF32Type()), w->value);
    auto filterType = cast<RankedTensorType>(filter.getType());
    if (filterType.getShape() != ArrayRef<int64_t>(weight->shape))
      dequantized = tensor::ExpandShapeOp::create(
          b, loc, filterType, dequantized,
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
    op->setOperand(1, dequantized);
    return {};
  }

  std::string reason;
  ActivationScheme activations = scheme.activations;
  std::optional<QuantizedActivation> a =
      quantizeActivation(input, statsValue, activations,
                         /*allowDynamic=*/false, reason);
  if (!a)
    return reason;
  WeightQuantSpec spec = makeWeightSpec(scheme.weights, /*channelAxis=*/0,
                                        /*reductionAxis=*/-1);
  FailureOr<QuantizedWeight> w =
      quantizeWeight(op, scheme.weights.range, *weight, spec);
  if (failed(w))
    return "its filter cannot be quantized";
  int64_t reductionSize =
      weight->shape[1] * weight->shape[2] * weight->shape[3];

  Location loc = op->getLoc();
  std::optional<BiasAdd> bias = matchBiasAdd(result, 1);
  std::vector<int32_t> biasValues;
  int64_t biasMagnitude = 0;
  if (bias)
    biasValues = quantizeLayerBias(op, bias, a->type.getScale(),
                                   w->channelScales, biasMagnitude);
  IntegerType acc =
      chooseAccumulator(op, reductionSize, getTypeMagnitude(a->type),
                        w->magnitude, biasMagnitude);
  OpBuilder b(op);
  Value biasValue = createBiasConstant(b, loc, biasValues, acc);
  auto conv =
      qc::Conv2DOp::create(b, loc, resultType, a->value, w->value, biasValue,
                           strides, pads, dilations, groups, acc);
  if (failed(mlir::verify(conv))) {
    conv->erase();
    hadError = true;
    return "the quantized op does not verify";
  }
  Value replaced = bias ? bias->add.getResult(0) : result;
  replaceKeepingStats(replaced, conv.getResult());
  if (bias)
    bias->add.erase();
  if (result != op->getResult(0))
    result.getDefiningOp()->erase();
  op->erase();
  return {};
}
