// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A 4x8 activation times an 8x4 weight, computed twice: in f32 with
// linalg.matmul (the reference), and as W8A8 in integers with the qc
// dialect (u8 asymmetric activation, i8 per-output-channel symmetric
// weights quantized at compile time, i32 accumulator, requantized to u8,
// then dequantized). scripts/run-example.sh lowers it with
// qcomp-reference-to-llvm-pipeline and runs it; the two printed matrices
// agree to within the quantization step.

!act = !quant.uniform<u8:f32, 0.0196078431:102>
!wgt = !quant.uniform<i8<-127:127>:f32:1, {0.0094488189, 0.0070866142, 0.0062992126, 0.0078740157}>
!out = !quant.uniform<u8:f32, 0.05:128>

func.func private @printMemrefF32(memref<*xf32>)

func.func @print(%t: tensor<4x4xf32>) {
  %m = bufferization.to_buffer %t : tensor<4x4xf32> to memref<4x4xf32>
  %u = memref.cast %m : memref<4x4xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  // Activations in [-2, 3]: scale 5/255, zero point 102.
  %x = arith.constant dense<[
    [ 0.50, -1.25,  2.00,  0.75, -0.50,  1.50, -2.00,  0.25],
    [ 1.00,  0.00, -0.75,  2.50,  1.25, -1.50,  0.50, -0.25],
    [-1.75,  0.60,  0.90, -0.30,  2.20,  0.10, -0.80,  1.70],
    [ 3.00, -2.00,  0.40,  1.10, -1.10,  0.70,  1.90, -0.60]]> : tensor<4x8xf32>
  // Weights: each column's scale is its absmax / 127.
  %w = arith.constant dense<[
    [ 0.30, -0.20,  0.80,  0.10],
    [-0.60,  0.50, -0.10,  0.40],
    [ 1.20, -0.90,  0.30, -0.70],
    [ 0.05,  0.40, -0.50,  1.00],
    [-0.40,  0.20,  0.60, -0.20],
    [ 0.70, -0.30, -0.20,  0.30],
    [-0.20,  0.10,  0.40, -0.50],
    [ 0.90,  0.60, -0.30,  0.20]]> : tensor<8x4xf32>

  // Float reference.
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %ref = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x4xf32>) outs(%init : tensor<4x4xf32>) -> tensor<4x4xf32>
  call @print(%ref) : (tensor<4x4xf32>) -> ()

  // W8A8 in integers.
  %qx = qc.quantize %x : tensor<4x8xf32> to tensor<4x8x!act>
  %qw = qc.quantize %w : tensor<8x4xf32> to tensor<8x4x!wgt>
  %qy = qc.matmul %qx, %qw acc(i32) : tensor<4x8x!act>, tensor<8x4x!wgt> -> tensor<4x4x!out>
  %y = qc.dequantize %qy : tensor<4x4x!out> to tensor<4x4xf32>
  call @print(%y) : (tensor<4x4xf32>) -> ()
  return
}
