//===- QuantizeModel.h - Calibrated float model to quantized ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The quantization steps of the qcomp pipeline as one library call: attach
// a calibration table's statistics to a float module, optionally rebalance
// it with qc-smooth (alpha searched on samples for alpha=auto) and split
// its outlier channels with qc-split-outliers, run qc-quantize with the
// given options and, unless disabled, qc-propagate-scales (the passes after
// the statistics are qcomp-quantize-pipeline's, built by
// buildQuantizePipeline). Used by the driver's quantize, compare and
// sensitivity commands.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_EXECUTION_QUANTIZEMODEL_H
#define QCOMP_EXECUTION_QUANTIZEMODEL_H

#include "qcomp/Calibration/CalibrationTable.h"
#include "qcomp/Execution/SmoothSearch.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir::qcomp {

struct QuantizeModelOptions {
  /// The options of qc-quantize in pass-option syntax, e.g.
  /// "scheme=w4a8 exclude=fc1,fc2 layer-bits=conv1=8".
  std::string quantizeOptions;
  /// Run qc-propagate-scales after qc-quantize.
  bool propagateScales = true;
  /// Observer placement used when the table was recorded (the `ops` option
  /// of qc-insert-observers; empty for its default).
  std::vector<std::string> observedOps;

  /// Run qc-smooth with this alpha ("0.5", or "auto" to search it per layer
  /// on the samples of `smoothSamples`); unset: no smoothing.
  std::optional<std::string> smoothAlpha;
  /// The calibration samples for alpha=auto (readSamples).
  std::string smoothSamples;
  /// Filled with the search's choices for alpha=auto, when given.
  std::vector<SmoothSearchResult> *smoothSearchResults = nullptr;
  /// Run qc-split-outliers (after qc-smooth) with these options
  /// ("threshold=6 max-fraction=0.1"); unset: no splitting.
  std::optional<std::string> splitOutliersOptions;
};

/// Quantizes a copy of `floatModule` (float IR as imported; not modified):
/// inserts observers as calibration did, attaches the statistics of `table`
/// (missing entries are allowed: ops without statistics stay float under a
/// static scheme), runs qc-smooth and qc-split-outliers when asked,
/// qc-quantize and qc-propagate-scales, and verifies the result. Errors carry
/// the pass diagnostics.
llvm::Expected<OwningOpRef<ModuleOp>>
quantizeModel(ModuleOp floatModule, const CalibrationTable &table,
              const QuantizeModelOptions &options);

} // namespace mlir::qcomp

#endif // QCOMP_EXECUTION_QUANTIZEMODEL_H
