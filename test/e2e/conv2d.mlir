// RUN: qcomp-opt %s --qcomp-reference-to-llvm-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// qc.conv2d run through the reference lowering (tensor.pad, linalg
// conv_2d_nchw_fchw / conv_2d_ngchw_gfchw, epilogues).
//
// The expected numbers were computed offline with /usr/bin/python3 + numpy,
// independently of qcomp: the storage values q = x / s + z (exact: every
// real below is a multiple of its scale), the input padded with its zero
// point, then a direct 7-deep loop
//   acc[n,f,oh,ow] = sum_{c,kh,kw} (xp[n, g*Cg+c, oh*sh+kh*dh, ow*sw+kw*dw] - zx)
//                                  * (w[f,c,kh,kw] - zw[f]) + bias[f]
// with g = f // (F/groups); float results np.float32(acc) *
// np.float32(sx*sw[f]); float requantization
//   clamp(np.rint(np.float32(acc) * np.float32(sx*sw[f]/so[f])) + zo[f]);
// fixed point (m, n) from math.frexp(M) (mantissa * 2^31 rounded half away
// from zero) and clamp(((acc*m + 2^(n-1)) >> n) + zo).
//
// Case A: groups 1, strides [2, 2], pads [1, 1, 1, 1], u8 input with zero
// point 100 (padding with storage 0 instead would change 24 of the 27
// accumulators), i8 filter per output channel with zero points [0, 2, -1],
// bias [7, -20, 3]; requantized to u8 scale 0.2 zero point 128 with
// multipliers 0.5 * s_w[f] / 0.2 = [0.625, 1.25, 0.3125]. Output 14 (channel
// 1, acc -62) is the tie -77.5, which float mode rounds to -78 (50) and fixed
// point to -77 (51).
// Case B: groups 2 (C = 4, F = 4), strides [1, 1], pads [0, 1, 1, 0],
// dilations [1, 2], i8 input zero point -3, per-tensor filter zero point 1,
// result quantized per output channel (axis 1).

!xA = !quant.uniform<u8:f32, 0.5:100>
!wA = !quant.uniform<i8:f32:0, {0.25, 0.5:2, 0.125:-1}>
!oA = !quant.uniform<u8:f32, 0.2:128>
!xB = !quant.uniform<i8:f32, 0.25:-3>
!wB = !quant.uniform<i8:f32, 0.5:1>
!oB = !quant.uniform<i8:f32:1, {0.2, 0.4:5, 0.25:-5, 0.1:10}>

func.func private @printMemrefI32(memref<*xi32>)
func.func private @printMemrefF32(memref<*xf32>)

func.func @print_i32(%t: tensor<?xi32>) {
  %m = bufferization.to_buffer %t : tensor<?xi32> to memref<?xi32>
  %u = memref.cast %m : memref<?xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

func.func @print_acc(%t: tensor<1x?x?x?xi32>) {
  %f = tensor.collapse_shape %t [[0, 1, 2, 3]] : tensor<1x?x?x?xi32> into tensor<?xi32>
  call @print_i32(%f) : (tensor<?xi32>) -> ()
  return
}

func.func @print_f32(%t: tensor<1x3x3x3xf32>) {
  %f = tensor.collapse_shape %t [[0, 1, 2, 3]] : tensor<1x3x3x3xf32> into tensor<27xf32>
  %m = bufferization.to_buffer %f : tensor<27xf32> to memref<27xf32>
  %u = memref.cast %m : memref<27xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @print_oA(%t: tensor<1x3x3x3x!oA>) {
  %s = quant.scast %t : tensor<1x3x3x3x!oA> to tensor<1x3x3x3xi8>
  %e = arith.extui %s : tensor<1x3x3x3xi8> to tensor<1x3x3x3xi32>
  %d = tensor.cast %e : tensor<1x3x3x3xi32> to tensor<1x?x?x?xi32>
  call @print_acc(%d) : (tensor<1x?x?x?xi32>) -> ()
  return
}

func.func @print_oB(%t: tensor<1x4x3x2x!oB>) {
  %s = quant.scast %t : tensor<1x4x3x2x!oB> to tensor<1x4x3x2xi8>
  %e = arith.extsi %s : tensor<1x4x3x2xi8> to tensor<1x4x3x2xi32>
  %d = tensor.cast %e : tensor<1x4x3x2xi32> to tensor<1x?x?x?xi32>
  call @print_acc(%d) : (tensor<1x?x?x?xi32>) -> ()
  return
}

func.func @main() {
  %xa = arith.constant dense<[[[[3.5, -2.0, -2.5, -0.5, 3.0], [0.0, 3.0, 1.0, 0.0, -0.5], [-1.0, -2.0, 4.0, -0.5, 2.0], [-4.0, 1.5, -1.0, 2.0, -1.5], [4.0, -4.0, -3.0, 0.5, 3.0]], [[-1.0, -2.0, 3.0, 0.5, -2.5], [-2.5, 0.0, 4.0, -3.5, -4.0], [4.0, 2.0, -0.5, 1.0, 0.5], [-2.5, -4.0, -0.5, -4.0, -2.0], [-2.5, -3.5, -2.5, -3.5, -2.0]]]]> : tensor<1x2x5x5xf32>
  %wa = arith.constant dense<[[[[-0.75, -1.25, 1.25], [0.75, -0.25, 0.75], [-1.25, -1.0, -0.75]], [[-1.0, -1.0, -0.25], [0.25, -0.75, 1.25], [1.0, -1.5, 1.5]]], [[[1.5, 0.5, 0.5], [2.0, -2.5, 2.0], [-2.0, -1.5, 2.0]], [[1.5, -2.5, -4.0], [-2.0, 1.5, 0.0], [1.0, 1.0, -1.0]]], [[[0.75, 0.25, -0.375], [0.25, -0.25, 0.875], [0.875, 0.375, 0.125]], [[0.125, 0.0, 0.125], [0.0, 0.875, 0.75], [0.25, -0.5, 0.625]]]]> : tensor<3x2x3x3xf32>
  %ba = arith.constant dense<[7, -20, 3]> : tensor<3xi32>
  %qxa = qc.quantize %xa : tensor<1x2x5x5xf32> to tensor<1x2x5x5x!xA>
  %qwa = qc.quantize %wa : tensor<3x2x3x3xf32> to tensor<3x2x3x3x!wA>

  // CHECK: data =
  // CHECK-NEXT: {{\[}}-14, -148, 38, 48, -145, 48, 38, 30, 60, -63, 19, -100, 71, -55, -62, -23, 51, -25, -51, 27, -31, 0, -23, 10, -179, -85, -25]
  %acc = qc.conv2d %qxa, %qwa bias(%ba : tensor<3xi32>) strides [2, 2] pads [1, 1, 1, 1] acc(i32) : tensor<1x2x5x5x!xA>, tensor<3x2x3x3x!wA> -> tensor<1x3x3x3xi32>
  %accd = tensor.cast %acc : tensor<1x3x3x3xi32> to tensor<1x?x?x?xi32>
  call @print_acc(%accd) : (tensor<1x?x?x?xi32>) -> ()

  // The same with dynamic N, H, W (and i64 accumulation): the output sizes
  // are computed at run time.
  // CHECK: data =
  // CHECK-NEXT: {{\[}}-14, -148, 38, 48, -145, 48, 38, 30, 60, -63, 19, -100, 71, -55, -62, -23, 51, -25, -51, 27, -31, 0, -23, 10, -179, -85, -25]
  %qxdyn = tensor.cast %qxa : tensor<1x2x5x5x!xA> to tensor<?x2x?x?x!xA>
  %ba64 = arith.extsi %ba : tensor<3xi32> to tensor<3xi64>
  %accdyn = qc.conv2d %qxdyn, %qwa bias(%ba64 : tensor<3xi64>) strides [2, 2] pads [1, 1, 1, 1] acc(i64) : tensor<?x2x?x?x!xA>, tensor<3x2x3x3x!wA> -> tensor<?x3x?x?xi64>
  %acc32 = arith.trunci %accdyn : tensor<?x3x?x?xi64> to tensor<?x3x?x?xi32>
  %acccast = tensor.cast %acc32 : tensor<?x3x?x?xi32> to tensor<1x?x?x?xi32>
  call @print_acc(%acccast) : (tensor<1x?x?x?xi32>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}-1.75, -18.5, 4.75, 6, -18.125, 6, 4.75, 3.75, 7.5, -15.75, 4.75, -25, 17.75, -13.75, -15.5, -5.75, 12.75, -6.25, -3.1875, 1.6875, -1.9375, 0, -1.4375, 0.625, -11.1875, -5.3125, -1.5625]
  %real = qc.conv2d %qxa, %qwa bias(%ba : tensor<3xi32>) strides [2, 2] pads [1, 1, 1, 1] acc(i32) : tensor<1x2x5x5x!xA>, tensor<3x2x3x3x!wA> -> tensor<1x3x3x3xf32>
  call @print_f32(%real) : (tensor<1x3x3x3xf32>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}119, 36, 152, 158, 37, 158, 152, 147, 166, 49, 152, 3, 217, 59, 50, 99, 192, 97, 112, 136, 118, 128, 121, 131, 72, 101, 120]
  %ya = qc.conv2d %qxa, %qwa bias(%ba : tensor<3xi32>) strides [2, 2] pads [1, 1, 1, 1] acc(i32) : tensor<1x2x5x5x!xA>, tensor<3x2x3x3x!wA> -> tensor<1x3x3x3x!oA>
  call @print_oA(%ya) : (tensor<1x3x3x3x!oA>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}119, 36, 152, 158, 37, 158, 152, 147, 166, 49, 152, 3, 217, 59, 51, 99, 192, 97, 112, 136, 118, 128, 121, 131, 72, 101, 120]
  %yaf = qc.conv2d %qxa, %qwa bias(%ba : tensor<3xi32>) strides [2, 2] pads [1, 1, 1, 1] acc(i32) fixed_point : tensor<1x2x5x5x!xA>, tensor<3x2x3x3x!wA> -> tensor<1x3x3x3x!oA>
  call @print_oA(%yaf) : (tensor<1x3x3x3x!oA>) -> ()

  %xb = arith.constant dense<[[[[-0.5, -0.75, -0.75], [0.5, 0.5, 1.5], [0.75, -1.75, 1.25]], [[1.75, -0.25, -1.25], [1.25, -0.25, 0.25], [-1.25, 1.0, 0.75]], [[1.75, -0.75, -1.5], [1.5, -0.25, 0.75], [-1.5, -0.5, -1.5]], [[-0.25, 1.25, 0.5], [0.25, 1.25, -0.25], [-0.5, 0.5, 0.0]]]]> : tensor<1x4x3x3xf32>
  %wb = arith.constant dense<[[[[-0.5, -1.0], [2.5, 1.5]], [[2.5, 0.0], [1.0, -2.5]]], [[[-0.5, -0.5], [2.5, 1.0]], [[-1.5, 0.5], [0.5, 1.5]]], [[[-1.0, 0.5], [-0.5, 2.0]], [[1.5, 0.0], [2.5, 2.5]]], [[[-2.0, -3.0], [-0.5, -1.5]], [[-3.0, -0.5], [0.5, -2.5]]]]> : tensor<4x2x2x2xf32>
  %qxb = qc.quantize %xb : tensor<1x4x3x3xf32> to tensor<1x4x3x3x!xB>
  %qwb = qc.quantize %wb : tensor<4x2x2x2xf32> to tensor<4x2x2x2x!wB>

  // CHECK: data =
  // CHECK-NEXT: {{\[}}17, 76, -45, 16, 14, -38, 3, 9, -5, 7, 11, 10, 18, -17, 1, -34, -2, 0, -9, 3, -3, -25, 10, 72]
  %accb = qc.conv2d %qxb, %qwb pads [0, 1, 1, 0] dilations [1, 2] groups 2 acc(i32) : tensor<1x4x3x3x!xB>, tensor<4x2x2x2x!wB> -> tensor<1x4x3x2xi32>
  %accbd = tensor.cast %accb : tensor<1x4x3x2xi32> to tensor<1x?x?x?xi32>
  call @print_acc(%accbd) : (tensor<1x?x?x?xi32>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}11, 48, -28, 10, 9, -24, 6, 8, 3, 7, 8, 8, 4, -13, -5, -22, -6, -5, -1, 14, 6, -21, 22, 100]
  %yb = qc.conv2d %qxb, %qwb pads [0, 1, 1, 0] dilations [1, 2] groups 2 acc(i32) : tensor<1x4x3x3x!xB>, tensor<4x2x2x2x!wB> -> tensor<1x4x3x2x!oB>
  call @print_oB(%yb) : (tensor<1x4x3x2x!oB>) -> ()
  return
}
