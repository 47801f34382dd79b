//===- Passes.td - qcomp conversion passes -----------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_CONVERSION_PASSES_TD
#define QCOMP_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCLowerToLinalgPass : Pass<"qc-lower-to-linalg", "ModuleOp"> {
  let summary = "Reference lowering of qc ops to integer linalg on tensors";
  let description = [{
    Lowers every `qc` op to `linalg.generic`/`linalg.fill`, `arith`, `math` and
    `tensor` ops on tensors of the storage integer types, implementing the
    exact semantics stated in each op's description (f32 arithmetic,
    round-half-to-even, saturation). Quantized tensor types become their
    storage types everywhere, including function signatures, `quant.scast`
    becomes a no-op, and `qc.observe` is erased (its input is forwarded).
    The lowering favours obviously-correct code over speed: it is the
    oracle that the fast kernels are tested against.

    Integer matmuls are computed as the raw product of the storage values in
    the accumulator type, corrected for zero points with row and column sums:

        sum_k (a - za)(b - zb) = sum_k a*b - zb * rowsum(a) - za * colsum(b)
                                 + K * za * zb

    Before:
    ```mlir
    %q = qc.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:1>>
    ```
    After:
    ```mlir
    %e = tensor.empty() : tensor<4xi8>
    %q = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xi8>) {
    ^bb0(%in: f32, %out: i8):
      %d = arith.divf %in, %scale : f32
      %r = math.roundeven %d : f32
      ...  // + zero point, clamp, NaN -> zero point
      %i = arith.fptosi %c : f32 to i8
      linalg.yield %i : i8
    } -> tensor<4xi8>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def QCLowerObserversToRuntimePass
    : Pass<"qc-lower-observers-to-runtime", "ModuleOp"> {
  let summary = "Turn qc.observe into calls of the calibration runtime";
  let description = [{
    Compiles a model for calibration: each `qc.observe` becomes a call that
    hands the tensor to the runtime, which accumulates its statistics, and
    its uses take the observed value directly. Observers are numbered in
    program order; the call passes that number and the tensor as an unranked
    memref, and the module records the ids in that order in its
    `qc.observer_ids` attribute, so the runtime can name what it measured:

    ```mlir
    %y = qc.observe %x id "fc1:output" channel_axis 1 : tensor<4x16xf32>
    ```
    becomes
    ```mlir
    %m = bufferization.to_buffer %x read_only : tensor<4x16xf32> to memref<4x16xf32>
    %u = memref.cast %m : memref<4x16xf32> to memref<*xf32>
    %c0 = arith.constant 0 : i64
    func.call @qcomp_observe_f32(%c0, %u) : (i64, memref<*xf32>) -> ()
    ```
    with `func.func private @qcomp_observe_f32(i64, memref<*xf32>)
    attributes {llvm.emit_c_interface}` declared, whose C entry point is
    `_mlir_ciface_qcomp_observe_f32(int64_t, UnrankedMemRefType<float> *)`.
    Channel axes are not passed: the runtime is configured with them from
    the observers before the run. Only f32 tensors can be observed.
  }];
  let options = [
    Option<"callee", "callee", "std::string", /*default=*/"\"qcomp_observe_f32\"",
           "Name of the runtime function the observers call">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

#endif // QCOMP_CONVERSION_PASSES_TD
