//===- Compare.cpp - Measure a model's outputs against a reference --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/Compare.h"

#include "qcomp/Dialect/QC/IR/QCDialect.h"
#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Transforms/LayerNames.h"
#include "qcomp/Transforms/Weights.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qcomp;
using llvm::createStringError;

//===----------------------------------------------------------------------===//
// Metrics over several tensors
//===----------------------------------------------------------------------===//

bool qcomp::isWorseSqnr(double lhs, double rhs) {
  if (std::isnan(lhs) || std::isnan(rhs))
    return std::isnan(lhs) && !std::isnan(rhs);
  return lhs < rhs;
}

double qcomp::getWorstSqnr(llvm::ArrayRef<TensorComparison> comparisons) {
  double worst = std::numeric_limits<double>::infinity();
  for (const TensorComparison &comparison : comparisons)
    if (isWorseSqnr(comparison.metrics.sqnr, worst))
      worst = comparison.metrics.sqnr;
  return worst;
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

/// Matmuls and convolutions (not poolings), the ops qc-quantize rewrites.
static bool isLinalgLayer(Operation *op) {
  if (isa<linalg::ContractionOpInterface>(op))
    return true;
  return isa<linalg::ConvolutionOpInterface>(op) &&
         !op->getName().getStringRef().contains("pooling");
}

/// True for a weight (isWeight) that was stored quantized: it is read
/// through a qc.dequantize, possibly reshaped or transposed afterwards (a
/// layer of a weight-only scheme).
static bool isQuantizedConstant(Value value) {
  if (!isWeight(value))
    return false;
  for (Operation *op = value.getDefiningOp(); op && op->getNumOperands() > 0;
       op = op->getOperand(0).getDefiningOp())
    if (isa<qc::DequantizeOp>(op))
      return true;
  return false;
}

static bool isQuantizedLayer(Operation *op) {
  if (isa<qc::MatmulOp, qc::BatchMatmulOp, qc::Conv2DOp>(op))
    return true;
  if (!isLinalgLayer(op))
    return false;
  auto linalgOp = cast<linalg::LinalgOp>(op);
  return llvm::any_of(linalgOp.getDpsInputs(), isQuantizedConstant);
}

std::vector<QuantizedLayer> qcomp::findQuantizedLayers(func::FuncOp func) {
  LayerNamer namer(func);
  std::vector<QuantizedLayer> layers;
  llvm::StringSet<> seen;
  for (Block &block : func.getBody())
    for (Operation &op : block)
      if (isQuantizedLayer(&op)) {
        std::string name = namer.getName(&op);
        if (seen.insert(name).second)
          layers.push_back({std::move(name), &op});
      }
  return layers;
}

void qcomp::nameUnnamedLayers(func::FuncOp func) {
  LayerNamer namer(func);
  MLIRContext *context = func.getContext();
  func.walk([&](Operation *op) {
    if (!isLinalgLayer(op) || getLocationName(op->getLoc()))
      return;
    op->setLoc(NameLoc::get(StringAttr::get(context, namer.getName(op)),
                            op->getLoc()));
  });
}

void qcomp::appendFunctionResults(
    func::FuncOp func, llvm::ArrayRef<std::pair<Value, std::string>> values) {
  auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
  OpBuilder builder(ret);
  for (auto [value, name] : values) {
    unsigned index = func.getNumResults();
    (void)func.insertResult(
        index, value.getType(),
        builder.getDictionaryAttr(builder.getNamedAttr(
            qc::kNameAttrName, builder.getStringAttr(name))));
    ret.getOperandsMutable().append(value);
  }
}

/// Every non-empty name location in `loc`.
static void collectNames(Location loc,
                         llvm::SmallVectorImpl<std::string> &out) {
  if (auto nameLoc = dyn_cast<NameLoc>(loc)) {
    if (!nameLoc.getName().getValue().empty())
      out.push_back(nameLoc.getName().str());
    collectNames(nameLoc.getChildLoc(), out);
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      collectNames(inner, out);
  } else if (auto callSite = dyn_cast<CallSiteLoc>(loc)) {
    collectNames(callSite.getCallee(), out);
  }
}

/// True when `op`'s location carries one of `names`.
static bool carriesName(Operation *op, llvm::ArrayRef<std::string> names) {
  llvm::SmallVector<std::string> opNames;
  collectNames(op->getLoc(), opNames);
  return llvm::any_of(opNames, [&](const std::string &name) {
    return llvm::is_contained(names, name);
  });
}

/// The top-level ops of a function, last first.
static llvm::SmallVector<Operation *> getOpsInReverse(func::FuncOp func) {
  llvm::SmallVector<Operation *> ops;
  for (Block &block : func.getBody())
    for (Operation &op : block)
      ops.push_back(&op);
  std::reverse(ops.begin(), ops.end());
  return ops;
}

/// The float tensor `op` computes, if any.
static Value getFloatTensorResult(Operation *op) {
  for (Value result : op->getResults())
    if (auto type = dyn_cast<RankedTensorType>(result.getType()))
      if (isa<FloatType>(type.getElementType()))
        return result;
  return nullptr;
}

/// A result of `op` of `floatType`'s shape holding its element type, as a
/// float or as a quantized tensor that dequantizes to it.
static Value getMatchingResult(Operation *op, RankedTensorType floatType) {
  for (Value result : op->getResults()) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type || type.getShape() != floatType.getShape())
      continue;
    Type element = type.getElementType();
    if (element == floatType.getElementType())
      return result;
    if (auto quantized = dyn_cast<quant::QuantizedType>(element))
      if (quantized.getExpressedType() == floatType.getElementType())
        return result;
  }
  return nullptr;
}

llvm::Expected<std::vector<std::string>> qcomp::exposeLayerOutputs(
    func::FuncOp reference, func::FuncOp quantized,
    const std::function<void(const std::string &)> &warn) {
  for (func::FuncOp func : {reference, quantized})
    if (!func.getBody().hasOneBlock() ||
        !isa<func::ReturnOp>(func.getBody().back().getTerminator()))
      return createStringError(
          "per-layer comparison needs functions of one block ending in "
          "func.return");

  // The quantized model may come from `qcomp quantize`, which named them.
  nameUnnamedLayers(reference);
  std::vector<std::string> names;
  llvm::SmallVector<std::pair<Value, std::string>> referenceValues,
      quantizedValues;
  llvm::SmallVector<Operation *> referenceOps = getOpsInReverse(reference);
  llvm::SmallVector<Operation *> quantizedOps = getOpsInReverse(quantized);
  llvm::StringSet<> quantizedNames;
  quantized.walk([&](Operation *op) {
    llvm::SmallVector<std::string> opNames;
    collectNames(op->getLoc(), opNames);
    for (std::string &name : opNames)
      quantizedNames.insert(name);
  });
  for (const QuantizedLayer &layer : findQuantizedLayers(quantized)) {
    llvm::SmallVector<std::string> layerNames;
    collectNames(layer.op->getLoc(), layerNames);
    if (layerNames.empty()) {
      warn("layer '" + layer.name +
           "' has no name location, so it cannot be found in the float "
           "model; skipped (import with --locations, or write the quantized "
           "model with `qcomp quantize`, to keep the names)");
      continue;
    }

    Value referenceValue;
    for (Operation *op : referenceOps)
      if (carriesName(op, layerNames))
        if ((referenceValue = getFloatTensorResult(op)))
          break;
    if (!referenceValue) {
      warn("layer '" + layer.name +
           "' has no float counterpart in the float model; skipped");
      continue;
    }
    // Ops that quantization folded into the layer (a ReLU into the
    // saturation of the requantization) are gone from the quantized model:
    // the layer's quantized value stands for their result.
    while (referenceValue.hasOneUse()) {
      Operation *user = *referenceValue.getUsers().begin();
      llvm::SmallVector<std::string> userNames;
      collectNames(user->getLoc(), userNames);
      if (user->getParentOp() != reference || user->getNumResults() != 1 ||
          user->getResult(0).getType() != referenceValue.getType() ||
          userNames.empty() ||
          llvm::any_of(userNames, [&](const std::string &name) {
            return quantizedNames.contains(name);
          }))
        break;
      referenceValue = user->getResult(0);
    }
    auto referenceType = cast<RankedTensorType>(referenceValue.getType());

    Value quantizedValue;
    for (Operation *op : quantizedOps)
      if (carriesName(op, layerNames))
        if ((quantizedValue = getMatchingResult(op, referenceType)))
          break;
    if (!quantizedValue) {
      std::string typeString;
      llvm::raw_string_ostream(typeString) << referenceType;
      warn("layer '" + layer.name + "' computes no value of the float " +
           "layer's type " + typeString + " in the quantized model; skipped");
      continue;
    }
    if (isa<quant::QuantizedType>(
            cast<RankedTensorType>(quantizedValue.getType())
                .getElementType())) {
      // %f = qc.dequantize %q : tensor<...x!quant.uniform<...>> to
      //                         tensor<...xf32>
      OpBuilder builder(quantized.getContext());
      builder.setInsertionPointAfterValue(quantizedValue);
      quantizedValue = qc::DequantizeOp::create(
          builder, quantizedValue.getLoc(), referenceType, quantizedValue);
    }
    names.push_back(layer.name);
    referenceValues.push_back({referenceValue, layer.name});
    quantizedValues.push_back({quantizedValue, layer.name});
  }
  appendFunctionResults(reference, referenceValues);
  appendFunctionResults(quantized, quantizedValues);
  return names;
}

//===----------------------------------------------------------------------===//
// Running and measuring
//===----------------------------------------------------------------------===//

AccuracyEvaluator::~AccuracyEvaluator() = default;
AccuracyEvaluator::AccuracyEvaluator(AccuracyEvaluator &&) = default;
AccuracyEvaluator &AccuracyEvaluator::operator=(AccuracyEvaluator &&) = default;

llvm::ArrayRef<TensorSignature> AccuracyEvaluator::getInputs() const {
  return reference->getInputs();
}

llvm::ArrayRef<TensorSignature> AccuracyEvaluator::getOutputs() const {
  return reference->getOutputs();
}

llvm::Expected<AccuracyEvaluator>
AccuracyEvaluator::create(ModuleOp reference, llvm::StringRef dataDirectory,
                          const CompareOptions &options) {
  AccuracyEvaluator evaluator;
  evaluator.options = options;
  JitOptions jitOptions;
  jitOptions.functionName = options.functionName;
  auto function = JitFunction::compile(reference, jitOptions);
  if (!function)
    return function.takeError();
  evaluator.reference = std::move(*function);
  auto samples = readSamples(dataDirectory, evaluator.reference->getInputs(),
                             options.maxSamples);
  if (!samples)
    return samples.takeError();
  evaluator.samples = std::move(*samples);
  for (const Sample &sample : evaluator.samples) {
    auto outputs = evaluator.reference->run(sample.inputs);
    if (!outputs)
      return createStringError(sample.name + ": " +
                               llvm::toString(outputs.takeError()));
    evaluator.expected.push_back(std::move(*outputs));
  }
  return evaluator;
}

/// Checks that `test` has the signatures of `reference` (inputs or outputs).
static llvm::Error checkSignatures(llvm::ArrayRef<TensorSignature> reference,
                                   llvm::ArrayRef<TensorSignature> test,
                                   llvm::StringRef kind,
                                   const CompareOptions &options) {
  if (reference.size() != test.size())
    return createStringError(llvm::formatv(
        "the models have different {0}s: {1} has {2}, {3} has {4}", kind,
        options.referenceName, reference.size(), options.testName,
        test.size()));
  for (auto [i, pair] : llvm::enumerate(llvm::zip(reference, test))) {
    const auto &[expected, actual] = pair;
    if (expected.name == actual.name &&
        expected.elementType == actual.elementType &&
        expected.shape == actual.shape)
      continue;
    return createStringError(llvm::formatv(
        "the models have different {0}s: {0} {1} is {2} in {3} but {4} in "
        "{5}",
        kind, i, expected.describe(), options.referenceName, actual.describe(),
        options.testName));
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<TensorComparison>>
AccuracyEvaluator::measure(ModuleOp test) {
  JitOptions jitOptions;
  jitOptions.functionName = options.functionName;
  auto function = JitFunction::compile(test, jitOptions);
  if (!function)
    return function.takeError();
  if (llvm::Error err = checkSignatures(getInputs(), (*function)->getInputs(),
                                        "input", options))
    return std::move(err);
  if (llvm::Error err = checkSignatures(getOutputs(), (*function)->getOutputs(),
                                        "output", options))
    return std::move(err);

  std::vector<AccuracyAccumulator> accumulators;
  for (const TensorSignature &output : getOutputs())
    accumulators.emplace_back(output.name);
  for (auto [index, sample] : llvm::enumerate(samples)) {
    auto outputs = (*function)->run(sample.inputs);
    if (!outputs)
      return createStringError(sample.name + ": " +
                               llvm::toString(outputs.takeError()));
    for (auto [accumulator, expectedTensor, actualTensor] :
         llvm::zip(accumulators, expected[index], *outputs))
      if (llvm::Error err = accumulator.add(expectedTensor, actualTensor))
        return createStringError(sample.name + ": " +
                                 llvm::toString(std::move(err)));
    if (options.progress)
      options.progress(index + 1, samples.size());
  }
  std::vector<TensorComparison> result;
  for (const AccuracyAccumulator &accumulator : accumulators)
    result.push_back({accumulator.getName(), accumulator.getMetrics()});
  return result;
}

llvm::Expected<ComparisonReport>
qcomp::compareModels(ModuleOp reference, ModuleOp test,
                     llvm::StringRef dataDirectory, bool perLayer,
                     const CompareOptions &options,
                     const std::function<void(const std::string &)> &warn) {
  auto referenceFunc =
      reference.lookupSymbol<func::FuncOp>(options.functionName);
  auto testFunc = test.lookupSymbol<func::FuncOp>(options.functionName);
  for (auto [func, name] : {std::pair(referenceFunc, options.referenceName),
                            std::pair(testFunc, options.testName)})
    if (!func || func.isExternal())
      return createStringError(name + " has no function @" +
                               options.functionName + " to run");
  size_t numOutputs = referenceFunc.getNumResults();
  if (numOutputs != testFunc.getNumResults())
    return createStringError(llvm::formatv(
        "the models have different outputs: {0} has {1}, {2} has {3}",
        options.referenceName, numOutputs, options.testName,
        testFunc.getNumResults()));
  if (perLayer) {
    auto layers = exposeLayerOutputs(referenceFunc, testFunc, warn);
    if (!layers)
      return layers.takeError();
  }
  auto evaluator = AccuracyEvaluator::create(reference, dataDirectory, options);
  if (!evaluator)
    return evaluator.takeError();
  auto comparisons = evaluator->measure(test);
  if (!comparisons)
    return comparisons.takeError();
  ComparisonReport report;
  report.numSamples = evaluator->getNumSamples();
  numOutputs = std::min(numOutputs, comparisons->size());
  report.outputs.assign(comparisons->begin(),
                        comparisons->begin() + numOutputs);
  report.layers.assign(comparisons->begin() + numOutputs, comparisons->end());
  return report;
}
