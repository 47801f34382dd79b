//===- Quantizer.h - qc-quantize's rewriting of one function ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The state and steps of qc-quantize on one function, shared by its files:
// Quantizer.cpp (choosing each layer's scheme, quantizing activations,
// weights and biases, the walk over the layers), QuantizeMatmul.cpp and
// QuantizeConv.cpp (the rewrites), Quantize.cpp (the pass and its options).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_TRANSFORMS_QUANTIZER_H
#define QCOMP_LIB_TRANSFORMS_QUANTIZER_H

#include "QuantizeScheme.h"
#include "WeightConstants.h"
#include "qcomp/Calibration/RangeSelection.h"
#include "qcomp/Transforms/LayerNames.h"
#include "qcomp/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <optional>
#include <string>

namespace mlir::qcomp::quantizer {

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

  /// `bias` in int32 at scale inputScale * channelScales[n], and its largest
  /// magnitude; when it does not fit int32, a remark, `bias` reset (it stays
  /// a float add) and an empty vector.
  std::vector<int32_t> quantizeLayerBias(Operation *op,
                                         std::optional<BiasAdd> &bias,
                                         double inputScale,
                                         ArrayRef<double> channelScales,
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

/// True when `init` is a linalg.fill of +0.0 (the op computes a plain sum).
bool isZeroFilled(Value init);

/// Keeps an op float in qc-quantize; a string value says why (shown in its
/// remark), e.g. qc-split-outliers' float parts.
inline constexpr llvm::StringLiteral kSkipAttrName = "qc.skip";

/// True for a `linalg.matmul` computing the plain product X W: the default
/// indexing maps and a zero-filled init.
bool isPlainMatmul(linalg::MatmulOp op);

/// Replaces `from` by `to`, moving the calibration statistics of `from` (if
/// any) to `to`: the quantized op computes the same tensor.
void replaceKeepingStats(Value from, Value to);

/// The WeightQuant spec of `weights` for a weight whose output channels run
/// along `channelAxis` and whose reduction (K) along `reductionAxis` (-1 for
/// convolution filters, which are never grouped).
WeightQuantSpec makeWeightSpec(const WeightScheme &weights, int64_t channelAxis,
                               int64_t reductionAxis);

/// The bias operand of a qc contraction: `values` as a constant of the
/// accumulator type; null when there is no bias.
Value createBiasConstant(OpBuilder &b, Location loc, ArrayRef<int32_t> values,
                         IntegerType acc);

/// Largest |q - z| over a quantized type's storage range and zero points.
int64_t getTypeMagnitude(quant::QuantizedType type);

} // namespace mlir::qcomp::quantizer

#endif // QCOMP_LIB_TRANSFORMS_QUANTIZER_H
