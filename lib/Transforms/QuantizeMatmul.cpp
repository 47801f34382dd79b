//===- QuantizeMatmul.cpp - qc-quantize for matmuls -----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// linalg.matmul and linalg.batch_matmul (weights or two activations) into
// qc.matmul / qc.batch_matmul, or, under weight-only schemes, the float op
// on dequantized weights.
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Quant/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace mlir::qcomp;
using namespace mlir::qcomp::quantizer;

//===----------------------------------------------------------------------===//
// Matmul and batch matmul
//===----------------------------------------------------------------------===//

Outcome Quantizer::quantizeMatmul(linalg::LinalgOp op, const OpScheme &scheme) {
  bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  if (!isZeroFilled(op.getDpsInits()[0]))
    return "it accumulates into a non-zero initial value";
  if (!lhsType.getElementType().isF32() || !rhsType.getElementType().isF32() ||
      !resultType.getElementType().isF32())
    return "only f32 matmuls are quantized";
  if (ShapedType::isDynamic(lhsType.getShape().back()))
    return "its reduction size K is dynamic";
  SmallVector<AffineMap> defaultMaps =
      batched ? linalg::BatchMatmulOp::getDefaultIndexingMaps(op->getContext())
              : linalg::MatmulOp::getDefaultIndexingMaps(op->getContext());
  if (op.getIndexingMapsArray() != defaultMaps)
    return "it has non-default indexing maps (transposed operands)";

  Location loc = op->getLoc();
  unsigned rank = rhsType.getRank();
  Value givenRhs = getDequantizedInput(rhs);
  FailureOr<FloatConstant> weight = failure();
  if (!givenRhs)
    weight = evaluateFloatConstant(rhs);
  bool rhsIsActivation = !givenRhs && failed(weight);

  // Weight-only: dequantize the quantized weight in front of the float op.
  if (scheme.activations.mode == ActivationMode::None) {
    if (rhsIsActivation)
      return "both operands are activations and the scheme keeps "
             "activations float";
    if (givenRhs)
      return "its weight is already quantized (QDQ) and activations stay "
             "float";
    WeightQuantSpec spec = makeWeightSpec(scheme.weights, rank - 1, rank - 2);
    FailureOr<QuantizedWeight> w =
        quantizeWeight(op, scheme.weights.range, *weight, spec);
    if (failed(w))
      return "its weight cannot be quantized";
    OpBuilder b(op);
    Value dequantized =
        qc::DequantizeOp::create(b, loc, rhsType, w->value).getResult();
    op->setOperand(1, dequantized);
    return {};
  }

  if (rhsIsActivation && !options.activationProducts)
    return "it multiplies two activations and activation-products=false";

  // Operands.
  std::string reason;
  bool staticOnly = rhsIsActivation || givenRhs;
  std::optional<QuantizedActivation> a =
      quantizeActivation(lhs, lhs, scheme.activations, !staticOnly, reason);
  if (!a)
    return reason;
  Value rhsValue;
  quant::QuantizedType rhsQType;
  std::vector<double> channelScales;
  int64_t rhsMagnitude = 0;
  int64_t reductionSize = lhsType.getShape().back();
  if (givenRhs) {
    rhsValue = givenRhs;
    rhsQType = qc::getQuantizedElementType(givenRhs.getType());
    rhsMagnitude = getTypeMagnitude(rhsQType);
    if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(rhsQType))
      channelScales = {perTensor.getScale()};
    else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(rhsQType);
             perAxis && perAxis.getQuantizedDimension() == (int32_t)rank - 1)
      channelScales.assign(perAxis.getScales().begin(),
                           perAxis.getScales().end());
  } else if (rhsIsActivation) {
    std::optional<QuantizedActivation> r =
        quantizeStatic(rhs, rhs, scheme.activations.symmetric, reason);
    if (!r)
      return reason;
    rhsValue = r->value;
    rhsQType = r->type;
    rhsMagnitude = getTypeMagnitude(r->type);
    channelScales = {r->type.getScale()};
  } else {
    WeightQuantSpec spec = makeWeightSpec(scheme.weights, rank - 1, rank - 2);
    FailureOr<QuantizedWeight> w =
        quantizeWeight(op, scheme.weights.range, *weight, spec);
    if (failed(w))
      return "its weight cannot be quantized";
    rhsValue = w->value;
    rhsQType = w->type;
    channelScales = w->channelScales;
    rhsMagnitude = w->magnitude;
    reductionSize = w->reductionSize;
  }
  int64_t lhsMagnitude =
      a->type ? getTypeMagnitude(a->type) : getMaxMagnitude({-128, 127}, 0);

  // A constant bias after the op folds in as int32 at scale s_a * s_w.
  std::optional<BiasAdd> bias;
  std::vector<int32_t> biasValues;
  int64_t biasMagnitude = 0;
  if (a->type && !channelScales.empty() && !a->dynamicScale)
    if ((bias = matchBiasAdd(op->getResult(0), resultType.getRank() - 1)))
      biasValues = quantizeLayerBias(op, bias, a->type.getScale(),
                                     channelScales, biasMagnitude);

  IntegerType acc = chooseAccumulator(op, reductionSize, lhsMagnitude,
                                      rhsMagnitude, biasMagnitude);
  OpBuilder b(op);
  Value biasValue = createBiasConstant(b, loc, biasValues, acc);
  Operation *qop;
  if (batched)
    qop = qc::BatchMatmulOp::create(b, loc, resultType, a->value, rhsValue,
                                    a->dynamicScale, biasValue, acc,
                                    /*fixed_point=*/false);
  else
    qop = qc::MatmulOp::create(b, loc, resultType, a->value, rhsValue,
                               a->dynamicScale, biasValue, acc,
                               /*fixed_point=*/false);
  if (failed(mlir::verify(qop))) {
    qop->erase();
    hadError = true;
    return "the quantized op does not verify";
  }
  if (bias) {
    replaceKeepingStats(bias->add.getResult(0), qop->getResult(0));
    bias->add.erase();
  }
  replaceKeepingStats(op->getResult(0), qop->getResult(0));
  op->erase();
  return {};
}
