// RUN: qcomp-opt %s --split-input-file --canonicalize | FileCheck %s

// quantize(dequantize(x)) into the type of x is exactly x.

// CHECK-LABEL: func.func @quantize_of_dequantize
// CHECK-SAME:    (%[[Q:.+]]: tensor<4x!quant.uniform<i8:f32, 5.000000e-01:1>>)
// CHECK-NOT:     qc.
// CHECK:         return %[[Q]]
func.func @quantize_of_dequantize(%q: tensor<4x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<4x!quant.uniform<i8:f32, 0.5:1>> {
  %d = qc.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4xf32>
  %r = qc.quantize %d : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:1>>
  return %r : tensor<4x!quant.uniform<i8:f32, 0.5:1>>
}

// -----

// Into another type the pair changes values (rounding): nothing must fold.

// CHECK-LABEL: func.func @quantize_of_dequantize_other_type
// CHECK:         %[[D:.+]] = qc.dequantize
// CHECK:         qc.quantize %[[D]]
func.func @quantize_of_dequantize_other_type(%q: tensor<4x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<4x!quant.uniform<i8:f32, 0.25>> {
  %d = qc.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4xf32>
  %r = qc.quantize %d : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.25>>
  return %r : tensor<4x!quant.uniform<i8:f32, 0.25>>
}

// -----

// dequantize(quantize(x)) loses precision: it must stay.

// CHECK-LABEL: func.func @dequantize_of_quantize
// CHECK:         %[[Q:.+]] = qc.quantize
// CHECK:         qc.dequantize %[[Q]]
func.func @dequantize_of_quantize(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qc.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:1>>
  %d = qc.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// Requantizing into the same type is the identity, in both modes.

// CHECK-LABEL: func.func @requantize_same_type
// CHECK-SAME:    (%[[Q:.+]]: tensor<4x!quant.uniform<i8:f32, 5.000000e-01:1>>)
// CHECK-NOT:     qc.requantize
// CHECK:         return %[[Q]], %[[Q]]
func.func @requantize_same_type(%q: tensor<4x!quant.uniform<i8:f32, 0.5:1>>) -> (tensor<4x!quant.uniform<i8:f32, 0.5:1>>, tensor<4x!quant.uniform<i8:f32, 0.5:1>>) {
  %r = qc.requantize %q : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4x!quant.uniform<i8:f32, 0.5:1>>
  %s = qc.requantize %q fixed_point : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4x!quant.uniform<i8:f32, 0.5:1>>
  return %r, %s : tensor<4x!quant.uniform<i8:f32, 0.5:1>>, tensor<4x!quant.uniform<i8:f32, 0.5:1>>
}

// -----

// Constants are quantized at compile time. With scale 0.5 and zero point 1,
// x / s = [0, 0.5, 1.5, 2.5, -2, 200, -200, NaN] rounds half to even to
// [0, 0, 2, 2, -2, 200, -200], plus 1, saturated to [-128, 127]; NaN becomes
// the zero point.

// CHECK-LABEL: func.func @quantize_constant
// CHECK:         %[[C:.+]] = arith.constant dense<[1, 1, 3, 3, -1, 127, -128, 1]> : tensor<8xi8>
// CHECK:         %[[Q:.+]] = quant.scast %[[C]] : tensor<8xi8> to tensor<8x!quant.uniform<i8:f32, 5.000000e-01:1>>
// CHECK-NOT:     qc.quantize
// CHECK:         return %[[Q]]
func.func @quantize_constant() -> tensor<8x!quant.uniform<i8:f32, 0.5:1>> {
  %c = arith.constant dense<[0.0, 0.25, 0.75, 1.25, -1.0, 100.0, -100.0, 0x7FC00000]> : tensor<8xf32>
  %q = qc.quantize %c : tensor<8xf32> to tensor<8x!quant.uniform<i8:f32, 0.5:1>>
  return %q : tensor<8x!quant.uniform<i8:f32, 0.5:1>>
}

// -----

// Per-axis constant: column 0 has scale 1, zero point 0; column 1 scale 0.5,
// zero point 2. [[1.5, 1.5], [-0.5, 3.0]] -> [[2, 3 + 2], [-0 -> 0, 6 + 2]].

// CHECK-LABEL: func.func @quantize_constant_per_axis
// CHECK:         arith.constant dense<{{\[\[}}2, 5], [0, 8]]> : tensor<2x2xi8>
// CHECK:         quant.scast
func.func @quantize_constant_per_axis() -> tensor<2x2x!quant.uniform<i8:f32:1, {1.0, 0.5:2}>> {
  %c = arith.constant dense<[[1.5, 1.5], [-0.5, 3.0]]> : tensor<2x2xf32>
  %q = qc.quantize %c : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32:1, {1.0, 0.5:2}>>
  return %q : tensor<2x2x!quant.uniform<i8:f32:1, {1.0, 0.5:2}>>
}

// -----

// Unsigned storage is held in signless i8: 255 prints as -1, 128 as -128.
// u8, scale 1, zero point 128: [127, 0, -200] -> [255, 128, 0].

// CHECK-LABEL: func.func @quantize_constant_unsigned
// CHECK:         arith.constant dense<[-1, -128, 0]> : tensor<3xi8>
func.func @quantize_constant_unsigned() -> tensor<3x!quant.uniform<u8:f32, 1.0:128>> {
  %c = arith.constant dense<[127.0, 0.0, -200.0]> : tensor<3xf32>
  %q = qc.quantize %c : tensor<3xf32> to tensor<3x!quant.uniform<u8:f32, 1.0:128>>
  return %q : tensor<3x!quant.uniform<u8:f32, 1.0:128>>
}

// -----

// A non-constant input is quantized at run time: nothing changes.

// CHECK-LABEL: func.func @quantize_argument
// CHECK:         qc.quantize
func.func @quantize_argument(%x: tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32, 1.0>> {
  %q = qc.quantize %x : tensor<3xf32> to tensor<3x!quant.uniform<i8:f32, 1.0>>
  return %q : tensor<3x!quant.uniform<i8:f32, 1.0>>
}
