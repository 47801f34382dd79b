//===- Smoothing.h - SmoothQuant layers and factors -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What qc-smooth smooths and by how much, shared with the driver's search
// for alpha (lib/Execution/SmoothSearch): the linear layers with a constant
// weight and per-channel statistics on their input, grouped by the producer
// of that input (layers of one group share one factor), and SmoothQuant's
// factor s_j = max|X_j|^alpha / max|W_j|^(1 - alpha).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TRANSFORMS_SMOOTHING_H
#define QCOMP_TRANSFORMS_SMOOTHING_H

#include "qcomp/Dialect/QC/IR/QCAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <optional>

#include <string>
#include <vector>

namespace mlir::qcomp {

/// The attribute that sets a layer's alpha for qc-smooth{alpha=auto}: a
/// float in [0, 1], or the string kNoSmoothing to leave the layer (and the
/// layers sharing its input) unchanged.
inline constexpr llvm::StringLiteral kSmoothAlphaAttrName = "qc.smooth_alpha";
inline constexpr llvm::StringLiteral kNoSmoothing = "none";

/// The value of qc-smooth's alpha option: a number in [0, 1], or nullopt
/// for "auto"; an error reading "alpha must be a number in [0, 1] or 'auto',
/// got '...'" otherwise.
llvm::Expected<std::optional<double>> parseSmoothAlpha(llvm::StringRef alpha);

/// A linear layer Y = X W that qc-smooth rebalances.
struct SmoothingLayer {
  /// The matmul (mutable: op handles are used through const layers).
  mutable linalg::MatmulOp op;
  /// Its name (LayerNamer).
  std::string name;
  /// W, K x N, row-major.
  int64_t k = 0, n = 0;
  std::vector<float> weight;
  /// The statistics of X, with channel maxima along K.
  qc::StatsAttr stats;
};

/// Layers whose inputs are one tensor seen through reshapes that keep the
/// last dimension.
struct SmoothingGroup {
  /// That tensor (the producer's result, or a function argument).
  Value root;
  std::vector<SmoothingLayer> layers;
};

/// The groups of `func` in program order: every `linalg.matmul` with the
/// default indexing maps, a zero init, a constant f32 weight, a static f32
/// input and no `qc.skip`. A matmul with a constant weight whose input has
/// no channel maxima along K is passed to `onMissingStats` instead.
std::vector<SmoothingGroup> findSmoothingGroups(
    func::FuncOp func,
    llvm::function_ref<void(const SmoothingLayer &)> onMissingStats);

/// s_j = max|X_j|^alpha / max|W_j|^(1 - alpha), with the maxima over all
/// `layers` (channel maxima of each X, row maxima of each W), clamped to
/// [minScale, 1 / minScale]; 1 for a channel that is zero in X or in W.
std::vector<float> getSmoothingFactors(llvm::ArrayRef<SmoothingLayer> layers,
                                       double alpha, double minScale);

/// The same from given maxima: `activationMax[j]` = max|X_j|,
/// `weightMax[j]` = max|W_j| (one per channel).
std::vector<float> getSmoothingFactors(llvm::ArrayRef<double> activationMax,
                                       llvm::ArrayRef<double> weightMax,
                                       double alpha, double minScale);

/// W' = diag(s) W: row j of `layer`'s weight times factors[j] (the product
/// in double, rounded once to f32), row-major K x N.
std::vector<float> getSmoothedWeight(const SmoothingLayer &layer,
                                     llvm::ArrayRef<float> factors);

/// max|W_j| over the rows j of the weights of all `layers`.
std::vector<double> getWeightRowMaxima(llvm::ArrayRef<SmoothingLayer> layers);

} // namespace mlir::qcomp

#endif // QCOMP_TRANSFORMS_SMOOTHING_H
