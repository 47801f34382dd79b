// RUN: qcomp-opt %s --convert-elementwise-to-linalg --qcomp-reference-to-llvm-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// Element-wise quantization semantics, run through the reference lowering.
// Expected values are computed by hand or taken from the ONNX specification.

func.func private @printMemrefI32(memref<*xi32>)
func.func private @printMemrefF32(memref<*xf32>)

func.func @print_i32(%t: tensor<?x?xi32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xi32> to memref<?x?xi32>
  %u = memref.cast %m : memref<?x?xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

func.func @print_f32(%t: tensor<?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?xf32> to memref<?xf32>
  %u = memref.cast %m : memref<?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  // ONNX DynamicQuantizeLinear's own example: x = [0, 2, -3, -2.5, 1.34, 0.5]
  // gives y_scale = 5/255 = 0.0196078, y_zero_point = 153 and
  // y = [153, 255, 0, 26, 221, 179].
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[153, {{ *}}255, {{ *}}0, {{ *}}26, {{ *}}221, {{ *}}179]]
  // CHECK: data =
  // CHECK-NEXT: [0.0196078]
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[153]]
  %x = arith.constant dense<[[0.0, 2.0, -3.0, -2.5, 1.34, 0.5]]> : tensor<1x6xf32>
  %q, %s, %z = qc.dynamic_quantize %x per_tensor : tensor<1x6xf32> to tensor<1x6xui8>, tensor<f32>, tensor<ui8>
  %qi = tensor.bitcast %q : tensor<1x6xui8> to tensor<1x6xi8>
  %qe = arith.extui %qi : tensor<1x6xi8> to tensor<1x6xi32>
  %qd = tensor.cast %qe : tensor<1x6xi32> to tensor<?x?xi32>
  call @print_i32(%qd) : (tensor<?x?xi32>) -> ()
  %s1 = tensor.expand_shape %s [] output_shape [1] : tensor<f32> into tensor<1xf32>
  %sd = tensor.cast %s1 : tensor<1xf32> to tensor<?xf32>
  call @print_f32(%sd) : (tensor<?xf32>) -> ()
  %zi = tensor.bitcast %z : tensor<ui8> to tensor<i8>
  %ze = arith.extui %zi : tensor<i8> to tensor<i32>
  %z2 = tensor.expand_shape %ze [] output_shape [1, 1] : tensor<i32> into tensor<1x1xi32>
  %zd = tensor.cast %z2 : tensor<1x1xi32> to tensor<?x?xi32>
  call @print_i32(%zd) : (tensor<?x?xi32>) -> ()

  // Symmetric per row (token): row 0 has max|x| = 2, so s = 2/127 and
  // x / s = [63.5, -127, 15.875, 0] -> [64 (tie to even), -127, 16, 0];
  // row 1 is all zero: s = 1 and every element quantizes to 0.
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[64, {{ *}}-127, {{ *}}16, {{ *}}0],
  // CHECK-NEXT:  [0, {{ *}}0, {{ *}}0, {{ *}}0]]
  // CHECK: data =
  // CHECK-NEXT: [0.015748, {{ *}}1]
  %r = arith.constant dense<[[1.0, -2.0, 0.25, 0.0], [0.0, 0.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %rq, %rs = qc.dynamic_quantize %r per_row : tensor<2x4xf32> to tensor<2x4xi8>, tensor<2xf32>
  %rqe = arith.extsi %rq : tensor<2x4xi8> to tensor<2x4xi32>
  %rqd = tensor.cast %rqe : tensor<2x4xi32> to tensor<?x?xi32>
  call @print_i32(%rqd) : (tensor<?x?xi32>) -> ()
  %rsd = tensor.cast %rs : tensor<2xf32> to tensor<?xf32>
  call @print_f32(%rsd) : (tensor<?xf32>) -> ()

  // Static quantization of special values, i8 scale 0.5 zero point 1, at run
  // time (the argument is not a constant the canonicalizer could fold):
  // [NaN, +Inf, -Inf, 0.75, -0.75, 63.25] -> [1, 127, -128, 3, -1, 127]
  // (0.75 / 0.5 = 1.5 -> 2; -1.5 -> -2; 126.5 -> 126 + 1 = 127).
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[1, {{ *}}127, {{ *}}-128, {{ *}}3, {{ *}}-1, {{ *}}127]]
  %sp = arith.constant dense<[[0x7FC00000, 0x7F800000, 0xFF800000, 0.75, -0.75, 63.25]]> : tensor<1x6xf32>
  %spd = tensor.cast %sp : tensor<1x6xf32> to tensor<?x6xf32>
  %spq = qc.quantize %spd : tensor<?x6xf32> to tensor<?x6x!quant.uniform<i8:f32, 0.5:1>>
  %sps = quant.scast %spq : tensor<?x6x!quant.uniform<i8:f32, 0.5:1>> to tensor<?x6xi8>
  %spe = arith.extsi %sps : tensor<?x6xi8> to tensor<?x6xi32>
  %spc = tensor.cast %spe : tensor<?x6xi32> to tensor<?x?xi32>
  call @print_i32(%spc) : (tensor<?x?xi32>) -> ()

  // Group-wise (sub-channel) i4: blocks of 2 along dimension 1, scales
  // [[0.5, 0.25], [1.0, 2.0]]: row 0 = [1, 1 | 1, 1] / [0.5 | 0.25] =
  // [2, 2, 4, 4]; row 1 = [3, -3 | 9, 100] / [1 | 2] = [3, -3, 4 (4.5 tie), 7 (50 saturated)].
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[2, {{ *}}2, {{ *}}4, {{ *}}4],
  // CHECK-NEXT:  [3, {{ *}}-3, {{ *}}4, {{ *}}7]]
  %g = arith.constant dense<[[1.0, 1.0, 1.0, 1.0], [3.0, -3.0, 9.0, 100.0]]> : tensor<2x4xf32>
  %gd = tensor.cast %g : tensor<2x4xf32> to tensor<2x4xf32>
  %gq = qc.quantize %gd : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i4:f32:{0:1,1:2}, {{0.5, 0.25}, {1.0, 2.0}}>>
  %gs = quant.scast %gq : tensor<2x4x!quant.uniform<i4:f32:{0:1,1:2}, {{0.5, 0.25}, {1.0, 2.0}}>> to tensor<2x4xi4>
  %ge = arith.extsi %gs : tensor<2x4xi4> to tensor<2x4xi32>
  %gc = tensor.cast %ge : tensor<2x4xi32> to tensor<?x?xi32>
  call @print_i32(%gc) : (tensor<?x?xi32>) -> ()
  return
}
