//===- QuantizeCommand.cpp - qcomp quantize -------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `qcomp quantize model (--calib table.json | --data DIR) [--scheme S]
// [--quantize-options "..."] [--exclude a,b] [--keep-first N]
// [--keep-last N] [--no-propagate] [--smooth[=alpha]]
// [--split-outliers[=threshold]] -o out.mlir`: calibrates (or reads the
// table), runs quantizeModel and writes the quantized module with its
// locations, then summarizes which layers were quantized to which types and
// which stayed float and why (qc-quantize's remarks, collected).
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Execution/Compare.h"
#include "qcomp/Execution/QuantizeModel.h"
#include "qcomp/Import/LoadModel.h"
#include "qcomp/Transforms/Weights.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::SubCommand
    command("quantize",
            "Quantize a float model with calibration statistics (from "
            "--data samples or a --calib table)");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::sub(command),
                                      cl::cat(getDriverCategory()));

static ModelLoadingOptions loadingOptions(command);
static QuantizationFlags quantization(command);

static cl::opt<std::string>
    dataDir("data",
            cl::desc("Calibration samples (when no --calib table is given): "
                     "one .npz per sample, or one <input>.npy per input"),
            cl::value_desc("dir"), cl::sub(command),
            cl::cat(getDriverCategory()));

static cl::opt<unsigned>
    maxSamples("max-samples",
               cl::desc("Calibrate on at most N samples (0: all)"), cl::init(0),
               cl::sub(command), cl::cat(getDriverCategory()));

static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::sub(command),
                                       cl::cat(getDriverCategory()));

//===----------------------------------------------------------------------===//
// Describing quantized layers
//===----------------------------------------------------------------------===//

/// "i8 per-channel symmetric", "u8 per-tensor asymmetric",
/// "i4 per-group 128 symmetric".
static std::string describeQuantizedType(quant::QuantizedType type) {
  std::string result = (type.isSigned() ? "i" : "u") +
                       std::to_string(type.getStorageTypeIntegralWidth());
  bool symmetric = true;
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    result += " per-channel";
    symmetric = llvm::all_of(perAxis.getZeroPoints(),
                             [](int64_t zeroPoint) { return zeroPoint == 0; });
  } else if (auto subChannel =
                 dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
    int64_t groupSize = 1;
    for (auto [dim, size] : subChannel.getBlockSizeInfo())
      groupSize = std::max(groupSize, size);
    result += " per-group " + std::to_string(groupSize);
    symmetric =
        llvm::all_of(subChannel.getZeroPoints().getValues<APInt>(),
                     [](const APInt &zeroPoint) { return zeroPoint.isZero(); });
  } else if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
    result += " per-tensor";
    symmetric = uniform.getZeroPoint() == 0;
  }
  return result + (symmetric ? " symmetric" : " asymmetric");
}

/// The one tensor `op` reads (its only tensor operand, or a linalg op's only
/// input), if it reads one.
static Value getSingleTensorInput(Operation *op) {
  llvm::SmallVector<Value> inputs;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    inputs = linalgOp.getDpsInputs();
  else
    inputs = llvm::to_vector(op->getOperands());
  llvm::erase_if(inputs,
                 [](Value input) { return !isa<ShapedType>(input.getType()); });
  return inputs.size() == 1 ? inputs.front() : Value();
}

/// How an operand of a layer is represented: its quantized type, or that of
/// the quantized value it is dequantized or unpacked from, "dynamic ..."
/// when it is quantized at run time, else its element type. Looks through
/// ops that read one tensor (reshapes, transposes, casts).
static std::string describeOperand(Value value) {
  Type elementType = cast<ShapedType>(value.getType()).getElementType();
  for (Value current = value; current;) {
    Type type = cast<ShapedType>(current.getType()).getElementType();
    if (auto quantized = dyn_cast<quant::QuantizedType>(type))
      return describeQuantizedType(quantized);
    Operation *op = current.getDefiningOp();
    if (!op)
      break;
    if (auto dynamic = dyn_cast<qc::DynamicQuantizeOp>(op)) {
      std::string granularity =
          qc::stringifyGranularity(dynamic.getGranularity()).str();
      std::replace(granularity.begin(), granularity.end(), '_', '-');
      return "dynamic " + granularity;
    }
    current = getSingleTensorInput(op);
  }
  std::string result;
  llvm::raw_string_ostream(result) << elementType;
  return result;
}

/// The (weights, activations) descriptions of a quantized layer.
static std::pair<std::string, std::string> describeLayer(Operation *op) {
  llvm::SmallVector<Value> inputs;
  if (auto matmul = dyn_cast<qc::MatmulOp>(op))
    inputs = {matmul.getLhs(), matmul.getRhs()};
  else if (auto batchMatmul = dyn_cast<qc::BatchMatmulOp>(op))
    inputs = {batchMatmul.getLhs(), batchMatmul.getRhs()};
  else if (auto conv = dyn_cast<qc::Conv2DOp>(op))
    inputs = {conv.getInput(), conv.getFilter()};
  else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    inputs = linalgOp.getDpsInputs();
  std::string weights, activations;
  for (Value input : inputs) {
    std::string &description = isWeight(input) ? weights : activations;
    description += (description.empty() ? "" : " x ") + describeOperand(input);
  }
  return {weights.empty() ? "-" : weights,
          activations.empty() ? "-" : activations};
}

//===----------------------------------------------------------------------===//
// The command
//===----------------------------------------------------------------------===//

static int run(MLIRContext &context) {
  if (llvm::Error err = quantization.validate())
    return reportError(std::move(err));
  if (!quantization.hasTable() && dataDir.empty())
    return reportError("qcomp quantize needs calibration statistics: "
                       "--calib table.json, or --data DIR to calibrate on");
  if (quantization.hasTable() && !dataDir.empty())
    return reportError("give either --calib or --data, not both");
  auto importOptions = loadingOptions.getImportOptions();
  if (!importOptions)
    return reportError(importOptions.takeError());
  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, *importOptions);
  if (!module)
    return 1;
  // Unnamed layers keep qc-quantize's names through the printed module.
  module->walk([](func::FuncOp func) { nameUnnamedLayers(func); });

  auto table = quantization.getTable(*module, dataDir, maxSamples);
  if (!table)
    return reportError(table.takeError());

  std::string passOptions = quantization.getPassOptions();
  FloatLayerCollector floatLayers(context, /*dropOtherRemarks=*/false);
  auto modelOptions = quantization.getModelOptions(
      passOptions, quantization.hasTable() ? "" : dataDir.getValue());
  if (!modelOptions)
    return reportError(modelOptions.takeError());
  std::vector<SmoothSearchResult> alphas;
  modelOptions->smoothSearchResults = &alphas;
  auto quantized = quantizeModel(*module, *table, *modelOptions);
  if (!quantized)
    return reportError(quantized.takeError());

  std::string error;
  auto output = openOutputFile(outputPath, &error);
  if (!output)
    return reportError(error);
  // With locations, so that layer names survive re-parsing (compare
  // --per-layer, diagnostics).
  OpPrintingFlags flags;
  flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  (*quantized)->print(output->os(), flags);
  output->os() << "\n";
  output->keep();

  // The summary goes to stderr when the module goes to stdout.
  llvm::raw_ostream &os = outputPath == "-" ? llvm::errs() : llvm::outs();
  std::vector<QuantizedLayer> layers;
  (*quantized)->walk([&](func::FuncOp func) {
    for (QuantizedLayer &layer : findQuantizedLayers(func))
      layers.push_back(std::move(layer));
  });
  const auto &floatReasons = floatLayers.getLayers();
  std::string rewrites = quantization.describeRewrites();
  os << "quantized " << layers.size() << " of "
     << layers.size() + floatReasons.size() << " layers ("
     << (rewrites.empty() ? "" : rewrites + " ") << passOptions << ") -> "
     << outputPath << "\n";
  for (const SmoothSearchResult &alpha : alphas) {
    if (alpha.alpha)
      os << llvm::format("  smooth alpha %.1f for %s (W8A8 output error "
                         "%.3g, %.3g unsmoothed)\n",
                         *alpha.alpha, alpha.layers.c_str(), alpha.error,
                         alpha.unsmoothedError);
    else
      os << llvm::format("  not smoothed: %s (W8A8 output error %.3g, no "
                         "alpha does better)\n",
                         alpha.layers.c_str(), alpha.unsmoothedError);
  }
  size_t width = 5;
  for (const QuantizedLayer &layer : layers)
    width = std::max(width, layer.name.size());
  for (const auto &[name, reason] : floatReasons)
    width = std::max(width, name.size());
  if (!layers.empty()) {
    size_t opWidth = 2;
    for (const QuantizedLayer &layer : layers)
      opWidth = std::max(opWidth, layer.op->getName().getStringRef().size());
    std::vector<std::pair<std::string, std::string>> descriptions;
    size_t weightWidth = 7;
    for (const QuantizedLayer &layer : layers) {
      descriptions.push_back(describeLayer(layer.op));
      weightWidth = std::max(weightWidth, descriptions.back().first.size());
    }
    os << llvm::format("  %-*s  %-*s  %-*s  %s\n", (int)width, "layer",
                       (int)opWidth, "op", (int)weightWidth, "weights",
                       "activations");
    for (auto [layer, description] : llvm::zip(layers, descriptions))
      os << llvm::format("  %-*s  %-*s  %-*s  %s\n", (int)width,
                         layer.name.c_str(), (int)opWidth,
                         layer.op->getName().getStringRef().str().c_str(),
                         (int)weightWidth, description.first.c_str(),
                         description.second.c_str());
  }
  if (!floatReasons.empty()) {
    os << "kept float:\n";
    for (const auto &[name, reason] : floatReasons)
      os << llvm::format("  %-*s  ", (int)width, name.c_str()) << reason
         << "\n";
  }
  os.flush();
  return 0;
}

DriverCommand qcomp::getQuantizeCommand() { return {command, run}; }
