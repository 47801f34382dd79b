//===- Quantize.cpp - Float matmuls and convolutions to qc ops ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-quantize: rewrites linalg matmuls, batch matmuls and 2-D convolutions
// into qc.matmul / qc.batch_matmul / qc.conv2d on quantized operands (see the
// pass description in Passes.td). Per op: decide whether and how it is
// quantized (scheme, exclusions), quantize its activation operands (static
// from #qc.stats, or dynamic), quantize its constant weights at compile
// time, fold a following constant bias, and replace it by the qc op, whose
// result is float. An op that stays float gets a remark saying why.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Transforms/Passes.h"

#include "QuantizeScheme.h"
#include "WeightConstants.h"
#include "qcomp/Calibration/RangeSelection.h"
#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Quant/QuantMath.h"
#include "qcomp/Transforms/LayerNames.h"
#include "qcomp/Transforms/Stats.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/GlobPattern.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCQUANTIZEPASS
#include "qcomp/Transforms/Passes.h.inc"
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

/// Attributes a front end puts on an op to choose its quantization.
static constexpr llvm::StringLiteral kWeightSchemeAttr = "qc.weight_scheme";
static constexpr llvm::StringLiteral kActivationSchemeAttr =
    "qc.activation_scheme";
static constexpr llvm::StringLiteral kSkipAttr = "qc.skip";

namespace {

/// Why an op stays float; empty when it was quantized.
using Outcome = std::string;

/// An activation operand ready for a qc op.
struct QuantizedActivation {
  /// A quantized tensor (static), or an integer tensor (dynamic).
  Value value;
  /// Dynamic only: the run-time scale (rank 0 or one per row).
  Value dynamicScale;
  /// Static only: the per-tensor type.
  quant::UniformQuantizedType type;
};

/// A constant weight quantized at compile time.
struct QuantizedWeight {
  Value value;
  quant::QuantizedType type;
  /// One scale per output channel (one entry when per tensor); empty for
  /// per-group weights, whose scale varies along K.
  std::vector<double> channelScales;
  /// Largest |q - z| over the weight's storage range and zero points.
  int64_t magnitude = 0;
  /// Elements of K summed in one integer accumulator (K, or the group size).
  int64_t reductionSize = 0;
};

/// A constant 1-D bias added to every row / output channel right after a
/// matmul or convolution, by a linalg.generic that is the op's only user.
struct BiasAdd {
  linalg::GenericOp add;
  FloatConstant values;
};

class Quantizer {
public:
  Quantizer(func::FuncOp func, const QCQuantizePassOptions &options,
            const OpScheme &baseScheme, RangeOptions rangeOptions)
      : func(func), options(options), baseScheme(baseScheme),
        rangeOptions(rangeOptions), namer(func) {}

  LogicalResult run();

private:
  /// The scheme of `op`, or why it stays float (in `reason`); errors (bad
  /// attributes) fail the pass.
  FailureOr<std::optional<OpScheme>>
  resolveScheme(Operation *op, const std::string &name, unsigned index,
                unsigned count, std::string &reason);

  Outcome quantizeMatmul(linalg::LinalgOp op, const OpScheme &scheme);
  Outcome quantizeConv(Operation *op, const OpScheme &scheme);

  /// Quantizes activation `x` for an op at `loc`; statistics are read from
  /// `statsValue` (the value calibration observed, x itself or its padded
  /// form). On failure returns null and sets `reason`.
  std::optional<QuantizedActivation>
  quantizeActivation(Value x, Value statsValue, const ActivationScheme &scheme,
                     bool allowDynamic, std::string &reason);
  std::optional<QuantizedActivation> quantizeStatic(Value x, Value statsValue,
                                                    bool symmetric,
                                                    std::string &reason);

  /// Quantizes the constant weight `weight` (evaluated at compile time) with
  /// `spec`; the spec's granularity may fall back to per channel (remark).
  FailureOr<QuantizedWeight> quantizeWeight(Operation *op, WeightRange range,
                                            const FloatConstant &weight,
                                            WeightQuantSpec spec);

  /// A pre-quantized operand: the input of a qc.dequantize (ONNX QDQ).
  static Value getDequantizedInput(Value value);

  std::optional<BiasAdd> matchBiasAdd(Value result, unsigned channelDim);

  /// The int32 constant of `bias` at scale inputScale * channelScales[n],
  /// and its largest magnitude; when the bias does not fit int32, a remark,
  /// `bias` reset (it stays a float add) and null.
  Value buildBias(Operation *op, std::optional<BiasAdd> &bias,
                  double inputScale, ArrayRef<double> channelScales,
                  int64_t &magnitude);

  /// The accumulator type that cannot overflow, with a remark when i32 does
  /// not suffice.
  IntegerType chooseAccumulator(Operation *op, int64_t reductionSize,
                                int64_t lhsMagnitude, int64_t rhsMagnitude,
                                int64_t biasMagnitude);

  func::FuncOp func;
  const QCQuantizePassOptions &options;
  const OpScheme &baseScheme;
  RangeOptions rangeOptions;
  LayerNamer namer;
  /// Activations quantized once for all their users: (value, type) -> result.
  llvm::DenseMap<std::pair<Value, Type>, Value> quantizedActivations;
  llvm::DenseMap<Value, std::pair<Value, Value>> dynamicActivations;
  bool hadError = false;
};

} // namespace

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool matchesAny(llvm::ArrayRef<std::string> patterns,
                       llvm::StringRef name, std::string *matched = nullptr) {
  for (const std::string &pattern : patterns) {
    llvm::Expected<llvm::GlobPattern> glob = llvm::GlobPattern::create(pattern);
    bool match = glob ? glob->match(name) : pattern == name;
    if (!glob)
      llvm::consumeError(glob.takeError());
    if (match) {
      if (matched)
        *matched = pattern;
      return true;
    }
  }
  return false;
}

/// True when `init` is a linalg.fill of +0.0 (the op computes a plain sum).
static bool isZeroFilled(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_PosZeroFloat());
}

/// Sets the insertion point of `b` right after the definition of `value`.
static void setInsertionPointAfterValue(OpBuilder &b, Value value) {
  if (Operation *def = value.getDefiningOp())
    b.setInsertionPointAfter(def);
  else
    b.setInsertionPointToStart(cast<BlockArgument>(value).getOwner());
}

/// Replaces `from` by `to`, moving the calibration statistics of `from` (if
/// any) to `to`: the quantized op computes the same tensor.
static void replaceKeepingStats(Value from, Value to) {
  if (qc::StatsAttr stats = getValueStats(from))
    (void)setValueStats(to, stats);
  from.replaceAllUsesWith(to);
}

/// With weight-range=auto, the range of a weight group is MSE-clipped at 2
/// bits, and at 4 bits when the group has at least this many elements. With
/// fewer, the largest weights are few and important (the product's output
/// moves with them), and clipping them costs more output accuracy than it
/// saves in rounding: measured on the example CNN, whose filters have 16 to
/// 36 weights per channel (w4a8: 22.9 dB with absmax, 17.8 dB clipped). At 2
/// bits absmax leaves too few levels for anything but the outliers, and
/// clipping always won.
static constexpr int64_t kMinElementsToClip = 64;

/// The WeightQuant spec of `weights` for a weight whose output channels run
/// along `channelAxis` and whose reduction (K) along `reductionAxis` (-1 for
/// convolution filters, which are never grouped).
static WeightQuantSpec makeWeightSpec(const WeightScheme &weights,
                                      int64_t channelAxis,
                                      int64_t reductionAxis) {
  WeightQuantSpec spec;
  spec.bits = weights.bits;
  spec.symmetric = weights.symmetric;
  spec.granularity = weights.granularity;
  spec.channelAxis = channelAxis;
  spec.reductionAxis = reductionAxis;
  spec.groupSize = weights.groupSize;
  spec.mseClipping = weights.range == WeightRange::MSE;
  return spec;
}

static int64_t getWeightMagnitude(const QuantizedWeights &weights) {
  int64_t magnitude = 0;
  for (int64_t zp : weights.zeroPoints)
    magnitude = std::max(magnitude, getMaxMagnitude(weights.range, zp));
  return magnitude;
}

static int64_t getTypeMagnitude(quant::QuantizedType type) {
  StorageRange range{type.getStorageTypeMin(), type.getStorageTypeMax()};
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(type))
    return getMaxMagnitude(range, perTensor.getZeroPoint());
  int64_t magnitude = 0;
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type))
    for (int64_t zp : perAxis.getZeroPoints())
      magnitude = std::max(magnitude, getMaxMagnitude(range, zp));
  return magnitude;
}

//===----------------------------------------------------------------------===//
// Scheme resolution
//===----------------------------------------------------------------------===//

FailureOr<std::optional<OpScheme>>
Quantizer::resolveScheme(Operation *op, const std::string &name, unsigned index,
                         unsigned count, std::string &reason) {
  std::string pattern;
  if (op->hasAttr(kSkipAttr)) {
    reason = "marked qc.skip";
    return std::optional<OpScheme>();
  }
  if (!options.only.empty() && !matchesAny(options.only, name)) {
    reason = "not selected by only=";
    return std::optional<OpScheme>();
  }
  if (matchesAny(options.exclude, name, &pattern)) {
    reason = "excluded by exclude=" + pattern;
    return std::optional<OpScheme>();
  }
  if (index < options.keepFirst) {
    reason = "kept float by keep-first=" + std::to_string(options.keepFirst);
    return std::optional<OpScheme>();
  }
  if (count - index <= options.keepLast) {
    reason = "kept float by keep-last=" + std::to_string(options.keepLast);
    return std::optional<OpScheme>();
  }

  OpScheme scheme = baseScheme;
  auto fail = [&](llvm::Error error) {
    op->emitError() << "layer '" << name
                    << "': " << llvm::toString(std::move(error));
    return failure();
  };
  if (Attribute attr = op->getAttr(kWeightSchemeAttr)) {
    auto schemeAttr = dyn_cast<qc::SchemeAttr>(attr);
    if (!schemeAttr)
      return op->emitError() << kWeightSchemeAttr << " must be a #qc.scheme";
    if (llvm::Error error = applyWeightSchemeAttr(scheme, schemeAttr))
      return fail(std::move(error));
  }
  if (Attribute attr = op->getAttr(kActivationSchemeAttr)) {
    auto schemeAttr = dyn_cast<qc::SchemeAttr>(attr);
    if (!schemeAttr)
      return op->emitError()
             << kActivationSchemeAttr << " must be a #qc.scheme";
    if (llvm::Error error = applyActivationSchemeAttr(scheme, schemeAttr))
      return fail(std::move(error));
  }
  for (const std::string &entry : options.layerBits) {
    auto [layer, bitsText] = llvm::StringRef(entry).rsplit('=');
    unsigned bits = 0;
    if (bitsText.empty() || bitsText.getAsInteger(10, bits) ||
        (bits != 0 && bits != 2 && bits != 4 && bits != 8)) {
      op->emitError() << "layer-bits entry '" << entry
                      << "' must be <layer>=<bits> with bits 8, 4, 2 or 0";
      return failure();
    }
    if (!matchesAny({layer.str()}, name))
      continue;
    if (bits == 0) {
      reason = "kept float by layer-bits=" + entry;
      return std::optional<OpScheme>();
    }
    scheme.weights.bits = bits;
  }
  return std::optional<OpScheme>(scheme);
}

//===----------------------------------------------------------------------===//
// Operands
//===----------------------------------------------------------------------===//

Value Quantizer::getDequantizedInput(Value value) {
  if (auto dequantize = value.getDefiningOp<qc::DequantizeOp>())
    return dequantize.getInput();
  return {};
}

std::optional<QuantizedActivation>
Quantizer::quantizeStatic(Value x, Value statsValue, bool symmetric,
                          std::string &reason) {
  if (Value given = getDequantizedInput(x)) {
    auto type = dyn_cast<quant::UniformQuantizedType>(
        qc::getQuantizedElementType(given.getType()));
    if (type)
      return QuantizedActivation{given, {}, type};
  }
  qc::StatsAttr stats = getValueStats(statsValue);
  if (!stats) {
    reason = "an activation has no calibration statistics";
    return std::nullopt;
  }
  TensorStatsRecord record = getStatsRecord(stats);
  if (record.count == 0) {
    reason = "an activation was never observed during calibration";
    return std::nullopt;
  }
  RangeOptions rangeOpts = rangeOptions;
  rangeOpts.symmetric = symmetric;
  llvm::Expected<std::pair<double, double>> range =
      selectRange(record, rangeOpts);
  if (!range) {
    reason = "no activation range: " + llvm::toString(range.takeError());
    return std::nullopt;
  }
  StorageRange storage = getStorageRange(8, /*isSigned=*/true, symmetric);
  llvm::Expected<QuantParams> params =
      chooseQuantParams(range->first, range->second, storage, symmetric);
  if (!params) {
    reason = "no activation parameters: " + llvm::toString(params.takeError());
    return std::nullopt;
  }
  MLIRContext *ctx = x.getContext();
  auto type = quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(ctx, 8),
      Float32Type::get(ctx), params->scale, params->zeroPoint, storage.min,
      storage.max);
  auto tensorType = cast<RankedTensorType>(x.getType()).clone(type);
  Value &quantized = quantizedActivations[{x, tensorType}];
  if (!quantized) {
    OpBuilder b(x.getContext());
    setInsertionPointAfterValue(b, x);
    quantized = qc::QuantizeOp::create(b, x.getLoc(), tensorType, x);
  }
  return QuantizedActivation{quantized, {}, type};
}

std::optional<QuantizedActivation>
Quantizer::quantizeActivation(Value x, Value statsValue,
                              const ActivationScheme &scheme, bool allowDynamic,
                              std::string &reason) {
  if (scheme.mode == ActivationMode::Static || getDequantizedInput(x) ||
      !allowDynamic)
    return quantizeStatic(x, statsValue, scheme.symmetric, reason);

  // Dynamic: symmetric int8 with a scale per tensor or per row.
  auto xType = cast<RankedTensorType>(x.getType());
  auto [it, inserted] = dynamicActivations.try_emplace(x);
  if (inserted) {
    OpBuilder b(x.getContext());
    setInsertionPointAfterValue(b, x);
    auto intType = xType.clone(b.getI8Type());
    auto scaleType = scheme.perRow
                         ? RankedTensorType::get(xType.getShape().drop_back(),
                                                 b.getF32Type())
                         : RankedTensorType::get({}, b.getF32Type());
    auto op = qc::DynamicQuantizeOp::create(
        b, x.getLoc(), intType, scaleType, /*zero_point=*/Type(), x,
        scheme.perRow ? qc::Granularity::PerRow : qc::Granularity::PerTensor);
    it->second = {op.getResult(), op.getScale()};
  }
  return QuantizedActivation{it->second.first, it->second.second, {}};
}

FailureOr<QuantizedWeight>
Quantizer::quantizeWeight(Operation *op, WeightRange range,
                          const FloatConstant &weight, WeightQuantSpec spec) {
  if (spec.granularity == WeightGranularity::PerGroup) {
    int64_t k = spec.reductionAxis < 0 ? 0 : weight.shape[spec.reductionAxis];
    if (spec.reductionAxis < 0) {
      op->emitRemark() << "layer '" << namer.getName(op)
                       << "' uses per-channel weights: per-group weights are "
                          "supported for matmuls only";
      spec.granularity = WeightGranularity::PerChannel;
    } else if (spec.groupSize >= k) {
      spec.granularity = WeightGranularity::PerChannel;
    } else if (k % spec.groupSize != 0) {
      op->emitRemark() << "layer '" << namer.getName(op)
                       << "' uses per-channel weights: K = " << k
                       << " is not a multiple of the group size "
                       << spec.groupSize;
      spec.granularity = WeightGranularity::PerChannel;
    }
  }
  if (range == WeightRange::Auto && spec.bits < 8) {
    int64_t groupElements = 1;
    for (int64_t size : weight.shape)
      groupElements *= size;
    if (spec.granularity != WeightGranularity::PerTensor)
      groupElements /= weight.shape[spec.channelAxis];
    if (spec.granularity == WeightGranularity::PerGroup)
      groupElements /= weight.shape[spec.reductionAxis] / spec.groupSize;
    spec.mseClipping = spec.bits <= 2 || groupElements >= kMinElementsToClip;
  }
  llvm::Expected<QuantizedWeights> quantized =
      quantizeWeights(weight.values, weight.shape, spec);
  if (!quantized) {
    op->emitError() << "layer '" << namer.getName(op)
                    << "': cannot quantize its weight: "
                    << llvm::toString(quantized.takeError());
    hadError = true;
    return failure();
  }
  QuantizedWeight result;
  result.type = getWeightType(op->getContext(), *quantized, weight.shape, spec);
  OpBuilder b(op);
  result.value = buildWeightConstant(b, op->getLoc(), *quantized, weight.shape,
                                     result.type, spec.bits);
  if (spec.granularity != WeightGranularity::PerGroup)
    result.channelScales = quantized->scales;
  result.magnitude = getWeightMagnitude(*quantized);
  result.reductionSize =
      spec.granularity == WeightGranularity::PerGroup
          ? spec.groupSize
          : weight.shape[spec.reductionAxis >= 0 ? spec.reductionAxis : 0];
  return result;
}

std::optional<BiasAdd> Quantizer::matchBiasAdd(Value result,
                                               unsigned channelDim) {
  if (!result.hasOneUse())
    return std::nullopt;
  auto add = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!add || add.getNumDpsInputs() != 2 || add.getNumDpsInits() != 1 ||
      add.getNumParallelLoops() != add.getNumLoops() ||
      add.getResult(0).getType() != result.getType())
    return std::nullopt;
  Block &body = add.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto addf = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (body.getOperations().size() != 2 || !addf)
    return std::nullopt;
  OpOperand *resultOperand = add.getDpsInputOperand(0);
  OpOperand *biasOperand = add.getDpsInputOperand(1);
  if (resultOperand->get() != result)
    std::swap(resultOperand, biasOperand);
  if (resultOperand->get() != result ||
      !add.getMatchingIndexingMap(resultOperand).isIdentity())
    return std::nullopt;
  AffineMap biasMap = add.getMatchingIndexingMap(biasOperand);
  if (biasMap.getNumResults() != 1 ||
      biasMap.getResult(0) != getAffineDimExpr(channelDim, add.getContext()))
    return std::nullopt;
  Value a = body.getArgument(0), b = body.getArgument(1);
  if (!((addf.getLhs() == a && addf.getRhs() == b) ||
        (addf.getLhs() == b && addf.getRhs() == a)))
    return std::nullopt;
  FailureOr<FloatConstant> bias = evaluateFloatConstant(biasOperand->get());
  if (failed(bias) || bias->shape.size() != 1)
    return std::nullopt;
  return BiasAdd{add, std::move(*bias)};
}

Value Quantizer::buildBias(Operation *op, std::optional<BiasAdd> &bias,
                           double inputScale, ArrayRef<double> channelScales,
                           int64_t &magnitude) {
  llvm::Expected<std::vector<int32_t>> q =
      quantizeBias(bias->values.values, inputScale, channelScales);
  if (!q) {
    op->emitRemark() << "layer '" << namer.getName(op)
                     << "' keeps its bias float: "
                     << llvm::toString(q.takeError());
    bias.reset();
    return {};
  }
  OpBuilder b(op);
  auto type = RankedTensorType::get({(int64_t)q->size()}, b.getI32Type());
  for (int32_t v : *q)
    magnitude = std::max<int64_t>(magnitude, std::abs((int64_t)v));
  return arith::ConstantOp::create(
      b, op->getLoc(), DenseElementsAttr::get(type, ArrayRef<int32_t>(*q)));
}

IntegerType Quantizer::chooseAccumulator(Operation *op, int64_t reductionSize,
                                         int64_t lhsMagnitude,
                                         int64_t rhsMagnitude,
                                         int64_t biasMagnitude) {
  Builder b(op->getContext());
  if (accumulatorCannotOverflow(reductionSize, lhsMagnitude, rhsMagnitude,
                                biasMagnitude, 32))
    return b.getI32Type();
  op->emitRemark() << "layer '" << namer.getName(op)
                   << "' accumulates in i64: " << reductionSize
                   << " products of magnitude up to " << lhsMagnitude << " x "
                   << rhsMagnitude << " could overflow i32";
  return b.getI64Type();
}

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
  if (!op.getIndexingMapsArray().front().isProjectedPermutation() ||
      op->hasAttr("indexing_maps"))
    if (!linalg::isaContractionOpInterface(op) ||
        op.getIndexingMapsArray() !=
            (batched
                 ? linalg::BatchMatmulOp::getDefaultIndexingMaps(
                       op->getContext())
                 : linalg::MatmulOp::getDefaultIndexingMaps(op->getContext())))
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
  Value biasValue;
  int64_t biasMagnitude = 0;
  if (a->type && !channelScales.empty() && !a->dynamicScale)
    if ((bias = matchBiasAdd(op->getResult(0), resultType.getRank() - 1)))
      biasValue =
          buildBias(op, bias, a->type.getScale(), channelScales, biasMagnitude);

  IntegerType acc = chooseAccumulator(op, reductionSize, lhsMagnitude,
                                      rhsMagnitude, biasMagnitude);
  if (!acc.isInteger(32) && biasValue) {
    // The bias constant was built as i32; widen it.
    OpBuilder b(op);
    auto wide = RankedTensorType::get(
        cast<RankedTensorType>(biasValue.getType()).getShape(), acc);
    biasValue = arith::ExtSIOp::create(b, loc, wide, biasValue);
  }
  OpBuilder b(op);
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
  Value biasValue;
  int64_t biasMagnitude = 0;
  if (bias)
    biasValue = buildBias(op, bias, a->type.getScale(), w->channelScales,
                          biasMagnitude);
  IntegerType acc =
      chooseAccumulator(op, reductionSize, getTypeMagnitude(a->type),
                        w->magnitude, biasMagnitude);
  OpBuilder b(op);
  if (!acc.isInteger(32) && biasValue)
    biasValue = arith::ExtSIOp::create(
        b, loc, RankedTensorType::get({weight->shape[0]}, acc), biasValue);
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

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

LogicalResult Quantizer::run() {
  SmallVector<Operation *> candidates;
  func.walk([&](Operation *op) {
    if (isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNchwFchwOp,
            linalg::Conv2DNgchwGfchwOp>(op))
      candidates.push_back(op);
  });
  for (auto [index, op] : llvm::enumerate(candidates)) {
    std::string name = namer.getName(op);
    std::string reason;
    FailureOr<std::optional<OpScheme>> scheme =
        resolveScheme(op, name, index, candidates.size(), reason);
    if (failed(scheme))
      return failure();
    if (!*scheme) {
      op->emitRemark() << "layer '" << name << "' stays float: " << reason;
      continue;
    }
    Outcome outcome = isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op)
                          ? quantizeMatmul(cast<linalg::LinalgOp>(op), **scheme)
                          : quantizeConv(op, **scheme);
    if (hadError)
      return failure();
    if (!outcome.empty())
      op->emitRemark() << "layer '" << name << "' stays float: " << outcome;
  }
  // The float weights (and their transposes) are dead now.
  IRRewriter rewriter(func.getContext());
  (void)runRegionDCE(rewriter, func->getRegions());
  return success();
}

namespace {
struct QuantizePass : qcomp::impl::QCQuantizePassBase<QuantizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto fail = [&](llvm::Error error) {
      func.emitError() << "qc-quantize: " << llvm::toString(std::move(error));
      signalPassFailure();
    };
    llvm::Expected<OpScheme> scheme = getNamedScheme(this->scheme);
    if (!scheme)
      return fail(scheme.takeError());
    SchemeOverrides overrides;
    overrides.weightBits = weightBits;
    overrides.weightGranularity = weightGranularity;
    overrides.groupSize = groupSize;
    overrides.weightSymmetric = weightSymmetric;
    overrides.weightRange = weightRange;
    overrides.activations = activations;
    overrides.activationGranularity = activationGranularity;
    overrides.activationSymmetric = activationSymmetric;
    if (llvm::Error error = applyOverrides(*scheme, overrides))
      return fail(std::move(error));
    RangeOptions rangeOptions;
    std::optional<RangeMethod> method = parseRangeMethod(rangeMethod);
    if (!method)
      return fail(llvm::createStringError(
          "unknown range-method '" + rangeMethod +
          "' (expected minmax, percentile, entropy or mse)"));
    rangeOptions.method = *method;
    rangeOptions.percentile = percentile;
    QCQuantizePassOptions options;
    options.only.assign(only.begin(), only.end());
    options.exclude.assign(exclude.begin(), exclude.end());
    options.keepFirst = keepFirst;
    options.keepLast = keepLast;
    options.layerBits.assign(layerBits.begin(), layerBits.end());
    options.activationProducts = activationProducts;
    Quantizer quantizer(func, options, *scheme, rangeOptions);
    if (failed(quantizer.run()))
      signalPassFailure();
  }
};
} // namespace
