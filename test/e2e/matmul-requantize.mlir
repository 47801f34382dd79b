// RUN: qcomp-opt %s --convert-elementwise-to-linalg --qcomp-reference-to-llvm-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// quantize -> matmul (+bias) -> requantize -> dequantize, run through the
// reference lowering. Every expected number is computed by hand below.
//
// x = [[1.0, -0.5, 2.25], [0.0, 3.0, -1.0]], u8 scale 0.25 zero point 8:
//   x / 0.25 = [[4, -2, 9], [0, 12, -4]]  ->  q_x = [[12, 6, 17], [8, 20, 4]]
// w = [[1.0, 0.5], [-1.5, 0.25], [0.5, -1.0]], i8 per column:
//   column 0 scale 0.5 zp 0 -> [2, -3, 1]; column 1 scale 0.25 zp 1 -> [3, 2, -3]
// acc = sum_k (q_x - 8)(q_w - zp_n):
//   [[4*2 + 2*3 + 9*1, 4*2 - 2*1 - 9*4], [-12*3 - 4*1, 12*1 + 4*4]]
//   = [[23, -30], [-40, 28]];  + bias [10, -6]  = [[33, -36], [-30, 22]]
// dequantized at 0.25*0.5 = 0.125 and 0.25*0.25 = 0.0625:
//   [[4.125, -2.25], [-3.75, 1.375]]
// requantized to i8 scale 0.5 zp -3 (M = 0.25, 0.125), float mode:
//   [[8.25 -> 8, -4.5 -> -4], [-7.5 -> -8, 2.75 -> 3]] - 3 = [[5, -7], [-11, 0]]
// fixed_point rounds ties towards +infinity: -7.5 -> -7, so [[5, -7], [-10, 0]]
// requantize [[5, -7], [-11, 0]] to u8 scale 0.25 zp 100 (M = 2):
//   (q + 3) * 2 + 100 = [[116, 92], [84, 106]]
// dequantize: (q - 100) * 0.25 = [[4, -2], [-4, 1.5]]

!x8 = !quant.uniform<u8:f32, 0.25:8>
!w8 = !quant.uniform<i8:f32:1, {0.5, 0.25:1}>
!y8 = !quant.uniform<i8:f32, 0.5:-3>
!z8 = !quant.uniform<u8:f32, 0.25:100>

func.func private @printMemrefI32(memref<*xi32>)
func.func private @printMemrefF32(memref<*xf32>)

func.func @print_i32(%t: tensor<2x2xi32>) {
  %m = bufferization.to_buffer %t : tensor<2x2xi32> to memref<2x2xi32>
  %u = memref.cast %m : memref<2x2xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

func.func @print_f32(%t: tensor<2x2xf32>) {
  %m = bufferization.to_buffer %t : tensor<2x2xf32> to memref<2x2xf32>
  %u = memref.cast %m : memref<2x2xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @print_i8(%t: tensor<2x2x!y8>) {
  %s = quant.scast %t : tensor<2x2x!y8> to tensor<2x2xi8>
  %e = arith.extsi %s : tensor<2x2xi8> to tensor<2x2xi32>
  call @print_i32(%e) : (tensor<2x2xi32>) -> ()
  return
}

func.func @main() {
  %x = arith.constant dense<[[1.0, -0.5, 2.25], [0.0, 3.0, -1.0]]> : tensor<2x3xf32>
  %wf = arith.constant dense<[[1.0, 0.5], [-1.5, 0.25], [0.5, -1.0]]> : tensor<3x2xf32>
  %bias = arith.constant dense<[10, -6]> : tensor<2xi32>
  %qx = qc.quantize %x : tensor<2x3xf32> to tensor<2x3x!x8>
  %qw = qc.quantize %wf : tensor<3x2xf32> to tensor<3x2x!w8>

  // CHECK: data =
  // CHECK-NEXT: {{\[}}[33, {{ *}}-36],
  // CHECK-NEXT:  [-30, {{ *}}22]]
  %acc = qc.matmul %qx, %qw bias(%bias : tensor<2xi32>) acc(i32) : tensor<2x3x!x8>, tensor<3x2x!w8> -> tensor<2x2xi32>
  call @print_i32(%acc) : (tensor<2x2xi32>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}[4.125, {{ *}}-2.25],
  // CHECK-NEXT:  [-3.75, {{ *}}1.375]]
  %real = qc.matmul %qx, %qw bias(%bias : tensor<2xi32>) acc(i32) : tensor<2x3x!x8>, tensor<3x2x!w8> -> tensor<2x2xf32>
  call @print_f32(%real) : (tensor<2x2xf32>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}[5, {{ *}}-7],
  // CHECK-NEXT:  [-11, {{ *}}0]]
  %y = qc.matmul %qx, %qw bias(%bias : tensor<2xi32>) acc(i32) : tensor<2x3x!x8>, tensor<3x2x!w8> -> tensor<2x2x!y8>
  call @print_i8(%y) : (tensor<2x2x!y8>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}[5, {{ *}}-7],
  // CHECK-NEXT:  [-10, {{ *}}0]]
  %yf = qc.matmul %qx, %qw bias(%bias : tensor<2xi32>) acc(i32) fixed_point : tensor<2x3x!x8>, tensor<3x2x!w8> -> tensor<2x2x!y8>
  call @print_i8(%yf) : (tensor<2x2x!y8>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}[4, {{ *}}-2],
  // CHECK-NEXT:  [-4, {{ *}}1.5]]
  %z = qc.requantize %y : tensor<2x2x!y8> to tensor<2x2x!z8>
  %d = qc.dequantize %z : tensor<2x2x!z8> to tensor<2x2xf32>
  call @print_f32(%d) : (tensor<2x2xf32>) -> ()
  return
}
