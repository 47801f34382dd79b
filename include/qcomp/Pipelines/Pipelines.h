//===- Pipelines.h - qcomp's named pass pipelines ---------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The pass pipelines qcomp registers as textual pipelines and that its driver
// builds with the same functions.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_PIPELINES_PIPELINES_H
#define QCOMP_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::qcomp {

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

/// Registers the pipelines above under their `qcomp-*-pipeline` names.
void registerPipelines();

} // namespace mlir::qcomp

#endif // QCOMP_PIPELINES_PIPELINES_H
