// RUN: qcomp-opt %s --qcomp-reference-to-llvm-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// The IR qc-propagate-scales leaves around layout ops: quantize ->
// linalg.transpose of the quantized tensor (NHWC to NCHW, quantized
// tensor.empty init) -> 2x2 stride-2 max-pooling of the storage integers
// between quant.scast (its init is qc.quantize of a -inf fill, i.e. qmin)
// -> dequantize. Every expected number is computed by hand below.
//
// i8 scale 0.5 zero point -1: q = x / 0.5 - 1, dequantized (q + 1) * 0.5.
// Channel 0, x = idx * 0.5 - 4 with idx = 4h + w, except x[3][3] = 100,
// which saturates to q = 127, i.e. 64:
//   [-4  -3.5 -3  -2.5]
//   [-2  -1.5 -1  -0.5]     max per 2x2 window: [[-1.5, -0.5],
//   [ 0   0.5  1   1.5]                          [ 2.5, 64  ]]
//   [ 2   2.5  3   64 ]
// Channel 1, x = (idx mod 5) - 2:
//   [-2 -1  0  1]
//   [ 2 -2 -1  0]           max per 2x2 window: [[2, 1],
//   [ 1  2 -2 -1]                                [2, 2]]
//   [ 0  1  2 -2]
// The -inf init quantizes to -128, below every value.

!q = !quant.uniform<i8:f32, 0.5:-1>

func.func private @printMemrefF32(memref<*xf32>)

func.func @pool(%x: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> {
  %qx = qc.quantize %x : tensor<1x4x4x2xf32> to tensor<1x4x4x2x!q>
  %e = tensor.empty() : tensor<1x2x4x4x!q>
  %t = linalg.transpose ins(%qx : tensor<1x4x4x2x!q>) outs(%e : tensor<1x2x4x4x!q>) permutation = [0, 3, 1, 2]
  %ts = quant.scast %t : tensor<1x2x4x4x!q> to tensor<1x2x4x4xi8>
  %ninf = arith.constant 0xFF800000 : f32
  %fe = tensor.empty() : tensor<1x2x2x2xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%fe : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %init = qc.quantize %f : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!q>
  %is = quant.scast %init : tensor<1x2x2x2x!q> to tensor<1x2x2x2xi8>
  %window = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%ts, %window : tensor<1x2x4x4xi8>, tensor<2x2xf32>) outs(%is : tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8>
  %pq = quant.scast %p : tensor<1x2x2x2xi8> to tensor<1x2x2x2x!q>
  %y = qc.dequantize %pq : tensor<1x2x2x2x!q> to tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

func.func @main() {
  %x = arith.constant dense<[[[[-4.0, -2.0], [-3.5, -1.0], [-3.0, 0.0], [-2.5, 1.0]],
                              [[-2.0, 2.0], [-1.5, -2.0], [-1.0, -1.0], [-0.5, 0.0]],
                              [[0.0, 1.0], [0.5, 2.0], [1.0, -2.0], [1.5, -1.0]],
                              [[2.0, 0.0], [2.5, 1.0], [3.0, 2.0], [100.0, -2.0]]]]> : tensor<1x4x4x2xf32>
  %y = call @pool(%x) : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  %m = bufferization.to_buffer %y : tensor<1x2x2x2xf32> to memref<1x2x2x2xf32>
  %u = memref.cast %m : memref<1x2x2x2xf32> to memref<*xf32>
  // CHECK: data =
  // CHECK-NEXT: {{\[\[\[\[}}-1.5, {{ *}}-0.5],
  // CHECK-NEXT: {{\[}}2.5, {{ *}}64]],
  // CHECK-NEXT: {{\[\[}}2, {{ *}}1],
  // CHECK-NEXT: {{\[}}2, {{ *}}2]]]]
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
