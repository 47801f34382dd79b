//===- JitRunner.h - Compile and run a function with the JIT ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Lowers a module (float or quantized IR on tensors) through the reference
// pipeline to LLVM, JIT-compiles it with MLIR's ExecutionEngine, and calls one
// of its functions on HostTensors. Tensor results come back through
// caller-allocated out-parameters, so every call is a flat list of memref
// descriptors over HostTensor buffers.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_EXECUTION_JITRUNNER_H
#define QCOMP_EXECUTION_JITRUNNER_H

#include "qcomp/Runtime/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace mlir::qcomp {

/// What one argument or result of the compiled function is.
struct TensorSignature {
  /// From the `qc.name` argument/result attribute (ONNX names), else
  /// "arg<i>" / "result<i>".
  std::string name;
  HostElementType elementType;
  llvm::SmallVector<int64_t> shape;

  std::string describe() const;
};

/// The arguments and results of `func`: statically shaped tensors, named by
/// their `qc.name` attributes, unsigned where `qc.dtype` says so. Errors
/// are emitted on `func`.
LogicalResult getFunctionSignatures(func::FuncOp func,
                                    std::vector<TensorSignature> &inputs,
                                    std::vector<TensorSignature> &outputs);

/// Prepares `func` to be called from C once lowered: drops its argument
/// and result attributes (qc.name, qc.dtype: read by
/// getFunctionSignatures, unknown to LLVM translation) and asks for the
/// `_mlir_ciface_` wrapper.
void prepareEntryPoint(func::FuncOp func);

struct JitOptions {
  /// Name of the function to run.
  std::string functionName = "main";
  /// LLVM optimization level (0-3) of the JIT.
  unsigned optLevel = 2;
  /// Extra symbols the JIT resolves (e.g. the calibration runtime hooks),
  /// by their C name.
  llvm::StringMap<void *> symbols;
  /// The CPU the integer matmul kernels are generated for (llc-style
  /// features, "+avx2,+avx512vnni"); empty: the reference loops
  /// (qcomp-reference-to-llvm-pipeline). The caller must run the code on a
  /// CPU that has them: drivers pass the host's (getHostCPUFeatures).
  std::string cpuFeatures;
  /// With cpuFeatures: the kernel (auto: the best the features allow).
  std::string kernel = "auto";
  /// With cpuFeatures: threads of the kernels (1: the calling thread, no
  /// OpenMP; N > 1: N OpenMP threads; 0: the OpenMP runtime's default, all
  /// cores or OMP_NUM_THREADS). Other values than 1 load the LLVM OpenMP
  /// runtime qcomp was configured with (getOpenMPRuntimePath).
  unsigned threads = 1;
  /// With cpuFeatures: the kernels' register tile, MR rows by NR vectors
  /// (0: the kernel's default; see qc-lower-int-matmul-to-cpu).
  unsigned tileRows = 0, tileVectors = 0;
};

/// The LLVM OpenMP runtime (libomp.so) threaded code is linked or loaded
/// with, found when qcomp was configured; empty when there is none.
llvm::StringRef getOpenMPRuntimePath();

/// A JIT-compiled function bound to buffers of its own: the inputs copied
/// in once, the outputs allocated once. call() runs the compiled code and
/// nothing else (no checks, copies or allocations): what a benchmark
/// times. The code may write into its input buffers (the bufferization
/// reuses them in place), so a repeated call may see other input values
/// than the first.
class JitCall {
public:
  void call() { function(packedArgs.data()); }
  /// Moves the results of the last call out (the call is not to be made
  /// again).
  std::vector<HostTensor> takeOutputs();

private:
  friend class JitFunction;
  JitCall() = default;

  void (*function)(void **) = nullptr;
  size_t numInputs = 0;
  std::vector<HostTensor> buffers;
  std::vector<std::vector<int64_t>> descriptors;
  std::vector<void *> descriptorPointers, packedArgs;
};

class JitFunction {
public:
  ~JitFunction();

  /// Lowers `module` in place and JIT-compiles it. Lowering errors are
  /// reported through the context's diagnostics (naming the op) and
  /// returned as an error.
  static llvm::Expected<std::unique_ptr<JitFunction>>
  compile(ModuleOp module, const JitOptions &options);

  llvm::ArrayRef<TensorSignature> getInputs() const { return inputs; }
  llvm::ArrayRef<TensorSignature> getOutputs() const { return outputs; }

  /// Checks `args` against the signature (count, element type, shape) and
  /// calls the function; returns its results.
  llvm::Expected<std::vector<HostTensor>> run(llvm::ArrayRef<HostTensor> args);

  /// Checks `args` as run does and binds copies of them and fresh output
  /// buffers to a call that can be made many times.
  llvm::Expected<std::unique_ptr<JitCall>>
  bind(llvm::ArrayRef<HostTensor> args);

private:
  JitFunction() = default;

  std::unique_ptr<ExecutionEngine> engine;
  /// The entry point's packed form, looked up once.
  void (*packedEntry)(void **) = nullptr;
  std::vector<TensorSignature> inputs;
  std::vector<TensorSignature> outputs;
};

} // namespace mlir::qcomp

#endif // QCOMP_EXECUTION_JITRUNNER_H
