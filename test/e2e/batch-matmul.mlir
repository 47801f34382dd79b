// RUN: qcomp-opt %s --qcomp-reference-to-llvm-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// qc.batch_matmul with non-zero zero points on both operands, so both the
// row-sum and the column-sum corrections run per batch.
//
// lhs u8 scale 1 zero point 2:  x = [[[1, -1]], [[2, 0]]]  -> q = [[[3, 1]], [[4, 2]]]
// rhs i8 scale 0.5 zero point 1: w = [[[1.0], [2.5]], [[-0.5], [3.5]]]
//                               -> q = [[[3], [6]], [[0], [8]]]
// batch 0: (3-2)(3-1) + (1-2)(6-1) = 2 - 5 = -3  -> -3 * 1 * 0.5 = -1.5
// batch 1: (4-2)(0-1) + (2-2)(8-1) = -2           -> -2 * 1 * 0.5 = -1

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %x = arith.constant dense<[[[1.0, -1.0]], [[2.0, 0.0]]]> : tensor<2x1x2xf32>
  %w = arith.constant dense<[[[1.0], [2.5]], [[-0.5], [3.5]]]> : tensor<2x2x1xf32>
  %qx = qc.quantize %x : tensor<2x1x2xf32> to tensor<2x1x2x!quant.uniform<u8:f32, 1.0:2>>
  %qw = qc.quantize %w : tensor<2x2x1xf32> to tensor<2x2x1x!quant.uniform<i8:f32, 0.5:1>>
  %y = qc.batch_matmul %qx, %qw acc(i32) : tensor<2x1x2x!quant.uniform<u8:f32, 1.0:2>>, tensor<2x2x1x!quant.uniform<i8:f32, 0.5:1>> -> tensor<2x1x1xf32>
  %m = bufferization.to_buffer %y : tensor<2x1x1xf32> to memref<2x1x1xf32>
  %u = memref.cast %m : memref<2x1x1xf32> to memref<*xf32>
  // CHECK: data =
  // CHECK-NEXT: {{\[\[\[}}-1.5]],
  // CHECK-NEXT: {{\[\[}}-1]]]
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
