//===- SmoothSearch.h - Choose SmoothQuant's alpha per layer ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-smooth{alpha=auto}: the driver runs the float model on calibration
// samples, records the input X of every group of layers qc-smooth would
// smooth (include/qcomp/Transforms/Smoothing.h), and for each candidate
// alpha emulates W8A8 on the smoothed layers: X' = X / s quantized per
// tensor with the range qc-quantize will take from the smoothed statistics
// (min/max), W' = diag(s) W quantized per output channel, both with the
// arithmetic of lib/Quant. The alpha with the least relative output error
// sum_l ||X W_l - deq(X') deq(W'_l)||^2 / ||X W_l||^2 becomes the layers'
// `qc.smooth_alpha`, or "none" when leaving them unchanged is better still.
//
// The statistics (channel maxima, range) come from the even-numbered
// samples and the error is measured on the odd-numbered ones: measured on
// the samples the factors were fitted to, a large alpha always looks best
// (X / s is flat there) and then clips every value of a new input that
// exceeds its channel's calibrated maximum.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_EXECUTION_SMOOTHSEARCH_H
#define QCOMP_EXECUTION_SMOOTHSEARCH_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::qcomp {

struct SmoothSearchOptions {
  /// The function to run.
  std::string functionName = "main";
  /// The candidates.
  std::vector<double> alphas = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5,
                                0.6, 0.7, 0.8, 0.9, 1.0};
  /// qc-smooth's min-scale.
  double minScale = 1e-5;
  /// Use at most this many samples (0 = all).
  unsigned maxSamples = 0;
  /// Use at most this many rows of each X (evenly spaced over all samples),
  /// which bounds the cost at rows x K x N per layer and candidate.
  unsigned maxRows = 512;
};

/// What the search chose for one group of layers.
struct SmoothSearchResult {
  /// The layers, comma-separated.
  std::string layers;
  /// The chosen alpha; none when the layers are best left unsmoothed.
  std::optional<double> alpha;
  /// The relative output error (summed over the layers) at `alpha`, and
  /// without smoothing (alpha = 0 is not the same: it still divides by
  /// 1 / max|W_j|).
  double error = 0.0;
  double unsmoothedError = 0.0;
};

/// Sets `qc.smooth_alpha` on every layer qc-smooth would smooth in
/// `module` (whose calibration statistics are attached), as described
/// above, running a copy of the float model on the samples of `directory`
/// (readSamples). Errors name the sample or the step that failed.
llvm::Expected<std::vector<SmoothSearchResult>>
searchSmoothingAlphas(ModuleOp module, llvm::StringRef directory,
                      const SmoothSearchOptions &options);

} // namespace mlir::qcomp

#endif // QCOMP_EXECUTION_SMOOTHSEARCH_H
