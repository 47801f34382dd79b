//===- Pipelines.h - qcomp's named pass pipelines ---------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The pass pipelines qcomp registers as textual pipelines and that its driver
// builds with the same functions. This is the one header a compiler that
// embeds qcomp needs: `buildQuantizePipeline(pm, options)` adds the whole
// quantization flow (statistics, SmoothQuant, outlier splitting,
// quantization, scale propagation) to its pass manager, exactly as
// `qcomp-quantize-pipeline{...}` does in a textual pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_PIPELINES_PIPELINES_H
#define QCOMP_PIPELINES_PIPELINES_H

#include "qcomp/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::qcomp {

/// The options of `qcomp-quantize-pipeline`. Each pass option keeps its
/// pass's name and default (qc-quantize's options as they are, the other
/// passes' behind a prefix: `outlier-threshold` is qc-split-outliers'
/// `threshold`), so `scheme=w4a8 exclude=fc1` means what it means to
/// qc-quantize.
struct QuantizePipelineOptions
    : public mlir::PassPipelineOptions<QuantizePipelineOptions> {
  // Calibration statistics (qc-insert-observers + qc-attach-stats).
  Option<std::string> calib{
      *this, "calib",
      llvm::cl::desc("Calibration table (JSON, from qcomp calibrate): "
                     "observers are inserted as calibration placed them and "
                     "the table's statistics attached (entries may be "
                     "missing: such layers stay float under a static "
                     "scheme); empty: the IR already carries #qc.stats"),
      llvm::cl::init("")};
  ListOption<std::string> observe{
      *this, "observe",
      llvm::cl::desc("Whose activations calibration observed (the ops "
                     "option of qc-insert-observers: matmul, conv, all; "
                     "default matmul,conv); must match the table")};

  // SmoothQuant (qc-smooth).
  Option<std::string> smooth{
      *this, "smooth",
      llvm::cl::desc("Run qc-smooth with this alpha in [0, 1], or 'auto' "
                     "for the layers' qc.smooth_alpha attributes (0.5 where "
                     "there is none); empty: no smoothing"),
      llvm::cl::init("")};
  Option<double> smoothMinScale{
      *this, "smooth-min-scale",
      llvm::cl::desc("qc-smooth's min-scale: the smallest smoothing factor"),
      llvm::cl::init(QCSmoothPassOptions().minScale)};
  Option<bool> smoothStandalone{
      *this, "smooth-standalone",
      llvm::cl::desc("qc-smooth's standalone: insert qc.smooth where the "
                     "factor cannot be folded into a producer"),
      llvm::cl::init(QCSmoothPassOptions().standalone)};

  // LLM.int8() outlier splitting (qc-split-outliers).
  Option<double> outlierThreshold{
      *this, "outlier-threshold",
      llvm::cl::desc("Run qc-split-outliers with this threshold (> 0): "
                     "input channels whose max |x| exceeds it are computed "
                     "in float; 0: no splitting (the other outlier-* "
                     "options need it)"),
      llvm::cl::init(0.0)};
  Option<unsigned> outlierTopK{
      *this, "outlier-top-k",
      llvm::cl::desc("qc-split-outliers' top-k: split the k largest "
                     "channels instead (static mode)"),
      llvm::cl::init(QCSplitOutliersPassOptions().topK)};
  Option<double> outlierMaxFraction{
      *this, "outlier-max-fraction",
      llvm::cl::desc("qc-split-outliers' max-fraction: at most this "
                     "fraction of K is computed in float"),
      llvm::cl::init(QCSplitOutliersPassOptions().maxFraction)};
  Option<std::string> outlierMode{
      *this, "outlier-mode",
      llvm::cl::desc("qc-split-outliers' mode: static (outlier set from "
                     "calibration) or dynamic (detected per call)"),
      llvm::cl::init(QCSplitOutliersPassOptions().mode)};

  // Quantization (qc-quantize), with its own option names.
  Option<std::string> scheme{
      *this, "scheme",
      llvm::cl::desc("Named scheme: w8a8, w8a8-dynamic, w4a8, w8a16, "
                     "w4a16, w2a16"),
      llvm::cl::init(QCQuantizePassOptions().scheme)};
  Option<unsigned> weightBits{
      *this, "weight-bits",
      llvm::cl::desc("Weight width 8, 4 or 2 (0: the scheme's)"),
      llvm::cl::init(QCQuantizePassOptions().weightBits)};
  Option<std::string> weightGranularity{
      *this, "weight-granularity",
      llvm::cl::desc("per-tensor, per-channel or per-group (empty: the "
                     "scheme's)"),
      llvm::cl::init(QCQuantizePassOptions().weightGranularity)};
  Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("Elements of K per weight group (0: the scheme's)"),
      llvm::cl::init(QCQuantizePassOptions().groupSize)};
  Option<std::string> weightSymmetric{
      *this, "weight-symmetric",
      llvm::cl::desc("true or false (empty: the scheme's)"),
      llvm::cl::init(QCQuantizePassOptions().weightSymmetric)};
  Option<std::string> weightRange{
      *this, "weight-range",
      llvm::cl::desc("absmax, mse or auto: how weight ranges are chosen"),
      llvm::cl::init(QCQuantizePassOptions().weightRange)};
  Option<std::string> activations{
      *this, "activations",
      llvm::cl::desc("static, dynamic or none (empty: the scheme's)"),
      llvm::cl::init(QCQuantizePassOptions().activations)};
  Option<std::string> activationGranularity{
      *this, "activation-granularity",
      llvm::cl::desc("per-tensor or per-row (empty: the scheme's)"),
      llvm::cl::init(QCQuantizePassOptions().activationGranularity)};
  Option<std::string> activationSymmetric{
      *this, "activation-symmetric",
      llvm::cl::desc("true or false (empty: the scheme's)"),
      llvm::cl::init(QCQuantizePassOptions().activationSymmetric)};
  Option<std::string> rangeMethod{
      *this, "range-method",
      llvm::cl::desc("minmax, percentile, entropy or mse: how static "
                     "activation ranges are chosen"),
      llvm::cl::init(QCQuantizePassOptions().rangeMethod)};
  Option<double> percentile{
      *this, "percentile",
      llvm::cl::desc("The percentile kept by range-method=percentile"),
      llvm::cl::init(QCQuantizePassOptions().percentile)};
  Option<bool> activationProducts{
      *this, "activation-products",
      llvm::cl::desc("Quantize batch matmuls of two activations"),
      llvm::cl::init(QCQuantizePassOptions().activationProducts)};
  ListOption<std::string> exclude{
      *this, "exclude",
      llvm::cl::desc("Layers kept float: names or glob patterns")};
  ListOption<std::string> only{
      *this, "only",
      llvm::cl::desc("Quantize only these layers: names or glob patterns")};
  Option<unsigned> keepFirst{
      *this, "keep-first",
      llvm::cl::desc("Keep the first N quantizable layers float"),
      llvm::cl::init(QCQuantizePassOptions().keepFirst)};
  Option<unsigned> keepLast{
      *this, "keep-last",
      llvm::cl::desc("Keep the last N quantizable layers float"),
      llvm::cl::init(QCQuantizePassOptions().keepLast)};
  ListOption<std::string> layerBits{
      *this, "layer-bits",
      llvm::cl::desc("Per-layer weight widths, name=bits (0: float)")};

  // Scale propagation (qc-propagate-scales).
  Option<bool> propagateScales{
      *this, "propagate-scales",
      llvm::cl::desc("Run qc-propagate-scales after qc-quantize"),
      llvm::cl::init(true)};
  Option<bool> fixedPoint{
      *this, "fixed-point",
      llvm::cl::desc("qc-propagate-scales' fixed-point: requantize with a "
                     "fixed-point multiplier and shift"),
      llvm::cl::init(QCPropagateScalesPassOptions().fixedPoint)};
};

/// Quantizes a float module (func + linalg/tensor/arith on tensors): with
/// `calib`, qc-insert-observers and qc-attach-stats{allow-missing}; then
/// qc-smooth (with `smooth`), qc-split-outliers (with `outlier-threshold`),
/// qc-quantize, CSE, and qc-propagate-scales + CSE (unless
/// `propagate-scales=false`). `pm` runs on a `builtin.module`. qcomp's
/// driver quantizes with this pipeline too.
void buildQuantizePipeline(OpPassManager &pm,
                           const QuantizePipelineOptions &options = {});

struct ReferenceToLLVMOptions
    : public mlir::PassPipelineOptions<ReferenceToLLVMOptions> {
  Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Return tensors through caller-allocated out-parameters "
                     "(buffer-results-to-out-params), as the JIT runner "
                     "calls functions"),
      llvm::cl::init(false)};
};

/// Lowers a module with qc ops on tensors to the LLVM dialect through the
/// reference path: qc-lower-to-linalg, one-shot bufferization, linalg to
/// loops, and the upstream conversions to LLVM (math functions without an
/// LLVM intrinsic, like erf, become libm calls). Correct, not fast: the
/// numerical oracle for the optimized CPU pipeline.
void buildReferenceToLLVMPipeline(OpPassManager &pm,
                                  const ReferenceToLLVMOptions &options = {});

struct CPUToLLVMOptions : public mlir::PassPipelineOptions<CPUToLLVMOptions> {
  Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Return tensors through caller-allocated out-parameters "
                     "(buffer-results-to-out-params), as the JIT runner "
                     "calls functions"),
      llvm::cl::init(false)};
  Option<std::string> triple{*this, "triple", llvm::cl::desc("Target triple"),
                             llvm::cl::init("x86_64-unknown-linux-gnu")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("Target features as llc's -mattr (+avx2,+avx512vnni, "
                     "+dotprod, +i8mm, ...)"),
      llvm::cl::init("")};
  Option<std::string> kernel{
      *this, "kernel",
      llvm::cl::desc("Integer matmul kernel: auto, avx512-vnni, avx-vnni, "
                     "avx2, i8mm, dotprod or none"),
      llvm::cl::init("auto")};
  Option<unsigned> tileRows{*this, "tile-rows",
                            llvm::cl::desc("Rows of A per register tile (0: "
                                           "the kernel's default)"),
                            llvm::cl::init(0)};
  Option<unsigned> tileVectors{
      *this, "tile-vectors",
      llvm::cl::desc("Vectors of columns per register tile (0: the "
                     "kernel's default)"),
      llvm::cl::init(0)};
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Threads of the integer matmul kernels' column blocks: "
                     "1 runs them on the calling thread (no OpenMP), N > 1 "
                     "on N OpenMP threads, 0 on the OpenMP runtime's default "
                     "(all cores, or OMP_NUM_THREADS)"),
      llvm::cl::init(1)};
  Option<bool> emulateDotProduct{
      *this, "emulate-dot-product",
      llvm::cl::desc("Portable vector arithmetic in place of the dot-product "
                     "instruction (testing on other machines)"),
      llvm::cl::init(false)};
};

/// The reference pipeline with qc-lower-int-matmul-to-cpu after
/// bufferization: integer matmuls with constant weights run as the CPU's
/// dot-product kernels, everything else as in the reference.
void buildCPUToLLVMPipeline(OpPassManager &pm,
                            const CPUToLLVMOptions &options = {});

/// Registers the pipelines above under their `qcomp-*-pipeline` names
/// (`qcomp-quantize-pipeline`, `qcomp-reference-to-llvm-pipeline`,
/// `qcomp-cpu-to-llvm-pipeline`).
void registerPipelines();

} // namespace mlir::qcomp

#endif // QCOMP_PIPELINES_PIPELINES_H
