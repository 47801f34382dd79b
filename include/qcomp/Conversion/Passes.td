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

#endif // QCOMP_CONVERSION_PASSES_TD
