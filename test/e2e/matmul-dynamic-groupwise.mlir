// RUN: qcomp-opt %s --qcomp-reference-to-llvm-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// qc.matmul / qc.batch_matmul with a run-time activation scale (lhs_scale)
// and with group-wise i4 weights unpacked from bytes, run through the
// reference lowering. Every expected number is computed by hand below; all
// are exact in f32.

!w8 = !quant.uniform<i8:f32:1, {0.5, 0.25:1}>
!a8 = !quant.uniform<u8:f32, 0.5:10>
!g4 = !quant.uniform<i4:f32:{0:4, 1:1}, {{0.5:0, 0.25:1}, {1.0:-1, 0.125:0}}>
!y8 = !quant.uniform<i8:f32, 0.125>

func.func private @printMemrefF32(memref<*xf32>)
func.func private @printMemrefI32(memref<*xi32>)

func.func @print_f32(%t: tensor<?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xf32> to memref<?x?xf32>
  %u = memref.cast %m : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @print_i32(%t: tensor<?x?xi32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xi32> to memref<?x?xi32>
  %u = memref.cast %m : memref<?x?xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

// Per-row dynamic quantization, then an int8 matmul scaled at run time.
//
// x row 0 = [1.984375, -1, 0.5, 0.25]: max|x| = 127/64, s0 = 1/64,
//   q0 = [127, -64, 32, 16];
// x row 1 = [0, 3.96875, -3.96875, 1]: max|x| = 127/32, s1 = 1/32,
//   q1 = [0, 127, -127, 32].
// w = [[1, 0.5], [-0.5, 0.25], [2, -0.25], [0, 1]], i8 per column:
//   column 0 scale 0.5 zp 0 -> [2, -1, 4, 0];
//   column 1 scale 0.25 zp 1 -> [3, 2, 0, 5], centered [2, 1, -1, 4].
// acc = [[254 + 64 + 128, 254 - 64 - 32 + 64], [-127 - 508, 127 + 127 + 128]]
//     = [[446, 222], [-635, 382]]
// result = acc * (s[m] * s_r[n]): s * s_r = [[1/128, 1/256], [1/64, 1/128]]
//   = [[3.484375, 0.8671875], [-9.921875, 2.984375]]
// (printed with six significant digits).
func.func @dynamic_matmul(%x: tensor<2x4xf32>, %w: tensor<4x2xf32>) -> tensor<2x2xf32> {
  %q, %s = qc.dynamic_quantize %x per_row : tensor<2x4xf32> to tensor<2x4xi8>, tensor<2xf32>
  %qw = qc.quantize %w : tensor<4x2xf32> to tensor<4x2x!w8>
  %y = qc.matmul %q, %qw lhs_scale(%s : tensor<2xf32>) acc(i32) : tensor<2x4xi8>, tensor<4x2x!w8> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// Batched, one scale for the whole lhs: lhs_scale 0.25, rhs scale 0.5.
//   batch 0: [1, 2, 3] . [2, 1, -1] = 1;  batch 1: [-1, 0, 4] . [3, 5, 2] = 5
//   result = acc * 0.125 = [0.125, 0.625]
func.func @dynamic_batch_matmul(%a: tensor<2x1x3xi8>, %s: tensor<f32>, %w: tensor<2x3x1xi8>) -> tensor<2x1x1xf32> {
  %qw = quant.scast %w : tensor<2x3x1xi8> to tensor<2x3x1x!quant.uniform<i8:f32, 0.5>>
  %y = qc.batch_matmul %a, %qw lhs_scale(%s : tensor<f32>) acc(i32) : tensor<2x1x3xi8>, tensor<2x3x1x!quant.uniform<i8:f32, 0.5>> -> tensor<2x1x1xf32>
  return %y : tensor<2x1x1xf32>
}

// Group-wise weights: K = 8 in two groups of G = 4, N = 2, i4 storage
// (rows k, columns n) unpacked from one byte per row:
//   k0 [1, 2]   0x21 = 33      k4 [-1, 3]  0x3F = 63
//   k1 [-3, 0]  0x0D = 13      k5 [4, -2]  0xE4 = -28
//   k2 [7, -8]  0x87 = -121    k6 [0, 6]   0x60 = 96
//   k3 [2, 5]   0x52 = 82      k7 [-5, 1]  0x1B = 27
// scales s_r[g, n] = [[0.5, 0.25], [1, 0.125]], zero points [[0, 1], [-1, 0]],
// so the centered weights are
//   group 0: [1, 1], [-3, -1], [7, -9], [2, 4]
//   group 1: [0, 3], [5, -2], [1, 6], [-4, 1]
// lhs u8 scale 0.5 zero point 10, storage
//   row 0 [12, 8, 10, 14, 11, 9, 10, 10] -> centered [2, -2, 0, 4 | 1, -1, 0, 0]
//   row 1 [10, 10, 13, 7, 20, 0, 10, 15] -> centered [0, 0, 3, -3 | 10, -10, 0, 5]
// acc_g[m, n]:
//   row 0: g0 [2 + 6 + 8, 2 + 2 + 16] = [16, 20]; g1 [-5, 3 + 2] = [-5, 5]
//   row 1: g0 [21 - 6, -27 - 12] = [15, -39];     g1 [-50 - 20, 30 + 20 + 5] = [-70, 55]
// f32(s_l * s_r[g, n]) = [[0.25, 0.125], [0.5, 0.0625]]:
//   y row 0 = [16 * 0.25 - 5 * 0.5, 20 * 0.125 + 5 * 0.0625] = [1.5, 2.8125]
//   y row 1 = [15 * 0.25 - 70 * 0.5, -39 * 0.125 + 55 * 0.0625] = [-31.25, -1.4375]
// Quantized to i8 scale 0.125: y / 0.125 = [[12, 22.5], [-250, -11.5]]
//   -> [[12, 22], [-128 (saturated), -12]] (ties to even).
func.func @groupwise(%a: tensor<2x8xi8>, %p: tensor<8x1xi8>) -> (tensor<2x2xf32>, tensor<2x2xi32>) {
  %qa = quant.scast %a : tensor<2x8xi8> to tensor<2x8x!a8>
  %w = qc.unpack %p : tensor<8x1xi8> to tensor<8x2x!g4>
  %y = qc.matmul %qa, %w acc(i32) : tensor<2x8x!a8>, tensor<8x2x!g4> -> tensor<2x2xf32>
  %q = qc.matmul %qa, %w acc(i32) : tensor<2x8x!a8>, tensor<8x2x!g4> -> tensor<2x2x!y8>
  %qs = quant.scast %q : tensor<2x2x!y8> to tensor<2x2xi8>
  %qe = arith.extsi %qs : tensor<2x2xi8> to tensor<2x2xi32>
  return %y, %qe : tensor<2x2xf32>, tensor<2x2xi32>
}

// Group-wise weights with a per-row lhs_scale [0.5, 2]: lhs is the centered
// activation above as plain i8, so acc_g is the same, and the terms use
// lhs_scale[m] * s_r[g, n]:
//   row 0 (0.5): [[0.25, 0.125], [0.5, 0.0625]] -> [1.5, 2.8125]
//   row 1 (2):   [[1, 0.5], [2, 0.25]]
//     -> [15 - 140, -19.5 + 13.75] = [-125, -5.75]
func.func @groupwise_dynamic(%a: tensor<2x8xi8>, %s: tensor<2xf32>, %p: tensor<8x1xi8>) -> tensor<2x2xf32> {
  %w = qc.unpack %p : tensor<8x1xi8> to tensor<8x2x!g4>
  %y = qc.matmul %a, %w lhs_scale(%s : tensor<2xf32>) acc(i32) : tensor<2x8xi8>, tensor<8x2x!g4> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

func.func @main() {
  %x = arith.constant dense<[[1.984375, -1.0, 0.5, 0.25], [0.0, 3.96875, -3.96875, 1.0]]> : tensor<2x4xf32>
  %w = arith.constant dense<[[1.0, 0.5], [-0.5, 0.25], [2.0, -0.25], [0.0, 1.0]]> : tensor<4x2xf32>
  %d = call @dynamic_matmul(%x, %w) : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[3.48438, {{ *}}0.867188],
  // CHECK-NEXT:  [-9.92188, {{ *}}2.98438]]
  %dd = tensor.cast %d : tensor<2x2xf32> to tensor<?x?xf32>
  call @print_f32(%dd) : (tensor<?x?xf32>) -> ()

  %ba = arith.constant dense<[[[1, 2, 3]], [[-1, 0, 4]]]> : tensor<2x1x3xi8>
  %bs = arith.constant dense<0.25> : tensor<f32>
  %bw = arith.constant dense<[[[2], [1], [-1]], [[3], [5], [2]]]> : tensor<2x3x1xi8>
  %b = call @dynamic_batch_matmul(%ba, %bs, %bw) : (tensor<2x1x3xi8>, tensor<f32>, tensor<2x3x1xi8>) -> tensor<2x1x1xf32>
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[0.125],
  // CHECK-NEXT:  [0.625]]
  %bc = tensor.collapse_shape %b [[0, 1], [2]] : tensor<2x1x1xf32> into tensor<2x1xf32>
  %bd = tensor.cast %bc : tensor<2x1xf32> to tensor<?x?xf32>
  call @print_f32(%bd) : (tensor<?x?xf32>) -> ()

  %a = arith.constant dense<[[12, 8, 10, 14, 11, 9, 10, 10], [10, 10, 13, 7, 20, 0, 10, 15]]> : tensor<2x8xi8>
  %p = arith.constant dense<[[33], [13], [-121], [82], [63], [-28], [96], [27]]> : tensor<8x1xi8>
  %g, %gq = call @groupwise(%a, %p) : (tensor<2x8xi8>, tensor<8x1xi8>) -> (tensor<2x2xf32>, tensor<2x2xi32>)
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[1.5, {{ *}}2.8125],
  // CHECK-NEXT:  [-31.25, {{ *}}-1.4375]]
  %gd = tensor.cast %g : tensor<2x2xf32> to tensor<?x?xf32>
  call @print_f32(%gd) : (tensor<?x?xf32>) -> ()
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[12, {{ *}}22],
  // CHECK-NEXT:  [-128, {{ *}}-12]]
  %gqd = tensor.cast %gq : tensor<2x2xi32> to tensor<?x?xi32>
  call @print_i32(%gqd) : (tensor<?x?xi32>) -> ()

  %c = arith.constant dense<[[2, -2, 0, 4, 1, -1, 0, 0], [0, 0, 3, -3, 10, -10, 0, 5]]> : tensor<2x8xi8>
  %cs = arith.constant dense<[0.5, 2.0]> : tensor<2xf32>
  %gs = call @groupwise_dynamic(%c, %cs, %p) : (tensor<2x8xi8>, tensor<2xf32>, tensor<8x1xi8>) -> tensor<2x2xf32>
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[1.5, {{ *}}2.8125],
  // CHECK-NEXT:  [-125, {{ *}}-5.75]]
  %gsd = tensor.cast %gs : tensor<2x2xf32> to tensor<?x?xf32>
  call @print_f32(%gsd) : (tensor<?x?xf32>) -> ()
  return
}
