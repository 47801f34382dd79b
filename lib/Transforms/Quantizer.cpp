//===- Quantizer.cpp - qc-quantize's rewriting of one function ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Which layers qc-quantize rewrites and with what scheme, and the operands
// every rewrite needs: activations quantized statically (from #qc.stats) or
// dynamically, constant weights quantized at compile time, biases in int32,
// the accumulator type.
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Quant/QuantMath.h"
#include "qcomp/Transforms/Stats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/GlobPattern.h"

using namespace mlir;
using namespace mlir::qcomp;
using namespace mlir::qcomp::quantizer;

/// Attributes a front end puts on an op to choose its quantization.
static constexpr llvm::StringLiteral kWeightSchemeAttr = "qc.weight_scheme";
static constexpr llvm::StringLiteral kActivationSchemeAttr =
    "qc.activation_scheme";

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

bool quantizer::isZeroFilled(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_PosZeroFloat());
}

bool quantizer::isPlainMatmul(linalg::MatmulOp op) {
  return op.getIndexingMapsArray() ==
             linalg::MatmulOp::getDefaultIndexingMaps(op->getContext()) &&
         isZeroFilled(op.getDpsInits()[0]);
}

/// Sets the insertion point of `b` right after the definition of `value`.
static void setInsertionPointAfterValue(OpBuilder &b, Value value) {
  if (Operation *def = value.getDefiningOp())
    b.setInsertionPointAfter(def);
  else
    b.setInsertionPointToStart(cast<BlockArgument>(value).getOwner());
}

void quantizer::replaceKeepingStats(Value from, Value to) {
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

WeightQuantSpec quantizer::makeWeightSpec(const WeightScheme &weights,
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

int64_t quantizer::getTypeMagnitude(quant::QuantizedType type) {
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
  if (Attribute skip = op->getAttr(kSkipAttrName)) {
    // A pass that keeps an op float says why in the attribute's string.
    auto why = dyn_cast<StringAttr>(skip);
    reason = why ? why.getValue().str() : "marked qc.skip";
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

std::vector<int32_t>
Quantizer::quantizeLayerBias(Operation *op, std::optional<BiasAdd> &bias,
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
  for (int32_t v : *q)
    magnitude = std::max<int64_t>(magnitude, std::abs((int64_t)v));
  return std::move(*q);
}

Value quantizer::createBiasConstant(OpBuilder &b, Location loc,
                                    ArrayRef<int32_t> values, IntegerType acc) {
  if (values.empty())
    return {};
  SmallVector<APInt> elements;
  for (int32_t v : values)
    elements.push_back(APInt(acc.getWidth(), v, /*isSigned=*/true));
  auto type = RankedTensorType::get({(int64_t)values.size()}, acc);
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, elements));
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
