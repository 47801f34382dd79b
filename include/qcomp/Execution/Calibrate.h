//===- Calibrate.h - Run a model over samples to collect stats --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Calibration: instrument a float model (qc-insert-observers, then
// qc-lower-observers-to-runtime), JIT-compile it with the observer runtime
// linked in, run it over every sample of a data set, and return the
// accumulated statistics of each observed tensor as a calibration table.
//
// Data sets are directories holding either one `.npz` per sample (members
// named after the model inputs; files taken in name order), or one
// `<input>.npy` per model input whose leading dimension indexes the samples
// (a file of exactly the input's shape is one sample).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_EXECUTION_CALIBRATE_H
#define QCOMP_EXECUTION_CALIBRATE_H

#include "qcomp/Calibration/CalibrationTable.h"
#include "qcomp/Execution/JitRunner.h"

#include <functional>

namespace mlir::qcomp {

/// What to do with samples whose inputs hold NaN or infinite values.
enum class NonFinitePolicy {
  /// Stop with an error naming the sample and input.
  Fail,
  /// Leave the sample out, with a warning.
  Skip,
  /// Run it; the observers count the non-finite values (`non_finite`) and
  /// keep them out of every other statistic.
  Keep,
};

struct CalibrationOptions {
  /// Observer placement: the `ops` option of qc-insert-observers
  /// (matmul, conv, all); empty for its default.
  std::vector<std::string> observedOps;
  /// Use at most this many samples (0 = all).
  unsigned maxSamples = 0;
  NonFinitePolicy nonFinite = NonFinitePolicy::Fail;
  /// Histogram bins per tensor.
  unsigned numBins = 2048;
  /// Called after each sample with (done, total); for progress bars.
  std::function<void(unsigned, unsigned)> progress;
  /// Called with warnings (skipped samples).
  std::function<void(const std::string &)> warn;
};

/// One input sample: a tensor per model input, in input order.
struct Sample {
  /// Where it came from ("calib/s003.npz", "calib/x.npy[3]").
  std::string name;
  std::vector<HostTensor> inputs;
};

/// The samples of a data directory for a function with these inputs; at most
/// `maxSamples` (0 = all). Errors name the directory or file: an empty or
/// missing directory, a file that is no tensor, a missing input, a wrong
/// element type or shape.
llvm::Expected<std::vector<Sample>>
readSamples(llvm::StringRef directory, llvm::ArrayRef<TensorSignature> inputs,
            unsigned maxSamples);

/// Instruments and compiles `module` (modified in place) and runs it over the
/// samples of `directory`. Compilation errors are also reported through the
/// context's diagnostics.
llvm::Expected<CalibrationTable> calibrate(ModuleOp module,
                                           llvm::StringRef directory,
                                           const CalibrationOptions &options);

} // namespace mlir::qcomp

#endif // QCOMP_EXECUTION_CALIBRATE_H
