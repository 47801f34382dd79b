//===- Compare.h - Measure outputs against a reference ----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The accuracy report of qcomp: a float reference model and a quantized
// model with the same inputs are JIT-compiled and run on the same samples,
// and each output is compared with AccuracyAccumulator (SQNR, cosine
// similarity, max abs error). On request the output of every quantized layer
// is compared too: both functions get the layer's value as an extra result
// before they are compiled.
//
// Layers are named as qc-quantize and calibration name them: by the op's
// name location (the ONNX node name), else `<op name>_<index>`. A quantized
// layer is a `qc.matmul`, `qc.batch_matmul` or `qc.conv2d`, or (weight-only
// schemes, QDQ models) a linalg contraction or convolution reading a value
// the qc dialect produced (a dequantized weight).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_EXECUTION_COMPARE_H
#define QCOMP_EXECUTION_COMPARE_H

#include "qcomp/Execution/Calibrate.h"
#include "qcomp/Execution/JitRunner.h"
#include "qcomp/Runtime/Accuracy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mlir::qcomp {

/// One compared tensor: a model output or a layer's output.
struct TensorComparison {
  std::string name;
  AccuracyMetrics metrics;
};

/// The worst SQNR of `comparisons`: NaN if any is NaN, else the minimum
/// (+inf for none).
double getWorstSqnr(llvm::ArrayRef<TensorComparison> comparisons);

/// Orders SQNRs from worst to best: NaN first, then ascending.
bool isWorseSqnr(double lhs, double rhs);

/// A quantized layer of a function.
struct QuantizedLayer {
  /// The layer name (see above).
  std::string name;
  /// The op that computes it ("qc.conv2d", "linalg.matmul", ...).
  Operation *op = nullptr;
};

/// The quantized layers of `func` in program order, one per name (the first
/// op of each name).
std::vector<QuantizedLayer> findQuantizedLayers(func::FuncOp func);

/// Gives every linalg contraction and convolution of `func` without a name
/// location the name qc-quantize would call it (`<op name>_<index>`), as a
/// name location around its location, so that the name survives
/// quantization and printing. Named ops are left alone.
void nameUnnamedLayers(func::FuncOp func);

/// Appends `values` to the results of `func` (a single-block function ending
/// in func.return), each with a `qc.name` result attribute of the given name.
/// A value may be returned more than once (the JIT runner copies results).
void appendFunctionResults(
    func::FuncOp func, llvm::ArrayRef<std::pair<Value, std::string>> values);

/// Exposes the output of every quantized layer of `quantized` as an extra
/// result of both functions (the same order in both), and returns the layer
/// names in that order. The unnamed layers of `reference` are named first
/// (nameUnnamedLayers). In `reference`, a layer's value is the result of the
/// last op whose location carries the layer's name, followed through the
/// same-shaped single users that quantization folded into the layer (ops
/// whose names no op of `quantized` carries any more: a ReLU folded into the
/// requantization's saturation); in `quantized`, the last op carrying the
/// name whose result has the reference value's shape, dequantized
/// (`qc.dequantize`) when it is a quantized tensor. Layers that cannot be
/// matched this way are reported through `warn` and left out.
llvm::Expected<std::vector<std::string>>
exposeLayerOutputs(func::FuncOp reference, func::FuncOp quantized,
                   const std::function<void(const std::string &)> &warn);

struct CompareOptions {
  /// The function to run in both modules.
  std::string functionName = "main";
  /// Use at most this many samples (0 = all).
  unsigned maxSamples = 0;
  /// How the two models are called in error messages.
  std::string referenceName = "the reference model";
  std::string testName = "the compared model";
  /// Called after each sample with (done, total).
  std::function<void(unsigned, unsigned)> progress;
};

/// A reference model run once over the samples of a data directory; any
/// number of models with the same inputs and outputs are then measured
/// against its outputs (compare measures one, sensitivity many).
class AccuracyEvaluator {
public:
  ~AccuracyEvaluator();
  AccuracyEvaluator(AccuracyEvaluator &&);
  AccuracyEvaluator &operator=(AccuracyEvaluator &&);

  /// Compiles `reference` (lowered in place), reads the samples of
  /// `dataDirectory` for its inputs (readSamples) and runs it on each.
  static llvm::Expected<AccuracyEvaluator>
  create(ModuleOp reference, llvm::StringRef dataDirectory,
         const CompareOptions &options);

  llvm::ArrayRef<TensorSignature> getInputs() const;
  llvm::ArrayRef<TensorSignature> getOutputs() const;
  size_t getNumSamples() const { return samples.size(); }

  /// Compiles `test` (lowered in place), checks that its inputs and outputs
  /// are the reference's (names, element types, shapes), runs it on every
  /// sample and returns the metrics of each output, in result order and
  /// named as the reference's.
  llvm::Expected<std::vector<TensorComparison>> measure(ModuleOp test);

private:
  AccuracyEvaluator() = default;

  CompareOptions options;
  std::unique_ptr<JitFunction> reference;
  std::vector<Sample> samples;
  /// The reference's outputs, per sample.
  std::vector<std::vector<HostTensor>> expected;
};

/// The result of compareModels.
struct ComparisonReport {
  size_t numSamples = 0;
  /// The outputs of the function, in result order.
  std::vector<TensorComparison> outputs;
  /// With `perLayer`: the quantized layers, in program order.
  std::vector<TensorComparison> layers;
};

/// Runs `reference` and `test` (both modified: layer outputs exposed when
/// `perLayer`, then lowered) on the samples of `dataDirectory` and compares
/// their outputs.
llvm::Expected<ComparisonReport>
compareModels(ModuleOp reference, ModuleOp test, llvm::StringRef dataDirectory,
              bool perLayer, const CompareOptions &options,
              const std::function<void(const std::string &)> &warn);

} // namespace mlir::qcomp

#endif // QCOMP_EXECUTION_COMPARE_H
