// RUN: qcomp-opt %s -split-input-file -verify-diagnostics

// Every verifier and parser diagnostic of the qc ops and attributes, one case
// per split.

//===----------------------------------------------------------------------===//
// qc.observe
//===----------------------------------------------------------------------===//

func.func @observe_empty_id(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qc.observe' op id must not be empty}}
  %y = qc.observe %x id "" : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @observe_channel_axis_too_large(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error@+1 {{'qc.observe' op channel_axis 2 is out of range for rank 2}}
  %y = qc.observe %x id "x" channel_axis 2 : tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

func.func @observe_channel_axis_negative(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error@+1 {{'qc.observe' op channel_axis -1 is out of range for rank 2}}
  %y = qc.observe %x id "x" channel_axis -1 : tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// ODS type constraint.
func.func @observe_integer_input(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{'qc.observe' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %y = qc.observe %x id "x" : tensor<4xi32>
  return %y : tensor<4xi32>
}

//===----------------------------------------------------------------------===//
// qc.quantize (and verifyQuantizedShape through its result)
//===----------------------------------------------------------------------===//

// -----

// ODS type constraint.
func.func @quantize_non_quantized_result(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error@+1 {{'qc.quantize' op result #0 must be ranked tensor of uniform quantized values, but got 'tensor<4xi8>'}}
  %q = qc.quantize %x : tensor<4xf32> to tensor<4xi8>
  return %q : tensor<4xi8>
}

// -----

func.func @quantize_expressed_type_mismatch(%x: tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error@+1 {{'qc.quantize' op result expressed type 'f32' does not match input element type 'f16'}}
  %q = qc.quantize %x : tensor<4xf16> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @quantize_storage_too_wide(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i32:f32, 0.5>> {
  // expected-error@+1 {{'qc.quantize' op result storage type is 32 bits wide; at most 16 bits are supported here}}
  %q = qc.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<i32:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i32:f32, 0.5>>
}

// -----

func.func @quantize_expressed_not_f32(%x: tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f16, 0.5>> {
  // expected-error@+1 {{'qc.quantize' op result expressed type must be f32, got 'f16'}}
  %q = qc.quantize %x : tensor<4xf16> to tensor<4x!quant.uniform<i8:f16, 0.5>>
  return %q : tensor<4x!quant.uniform<i8:f16, 0.5>>
}

// -----

func.func @quantize_axis_out_of_range(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32:1, {0.5, 0.25}>> {
  // expected-error@+1 {{'qc.quantize' op result quantized axis 1 is out of range for rank 1}}
  %q = qc.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  return %q : tensor<4x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
}

// -----

func.func @quantize_scale_count(%x: tensor<4x2xf32>) -> tensor<4x2x!quant.uniform<i8:f32:1, {0.5, 0.25, 1.0}>> {
  // expected-error@+1 {{'qc.quantize' op result has 3 scales but dimension 1 has size 2}}
  %q = qc.quantize %x : tensor<4x2xf32> to tensor<4x2x!quant.uniform<i8:f32:1, {0.5, 0.25, 1.0}>>
  return %q : tensor<4x2x!quant.uniform<i8:f32:1, {0.5, 0.25, 1.0}>>
}

// -----

func.func @quantize_sub_channel_rank(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32:{1:2}, {{0.5, 0.25}, {1.0, 2.0}}>> {
  // expected-error@+1 {{'qc.quantize' op result scales have rank 2 but the tensor has rank 1}}
  %q = qc.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32:{1:2}, {{0.5, 0.25}, {1.0, 2.0}}>>
  return %q : tensor<4x!quant.uniform<i8:f32:{1:2}, {{0.5, 0.25}, {1.0, 2.0}}>>
}

// -----

func.func @quantize_sub_channel_unblocked_dim(%x: tensor<4x4xf32>) -> tensor<4x4x!quant.uniform<i8:f32:{1:2}, {{0.5, 0.25}, {1.0, 2.0}}>> {
  // expected-error@+1 {{'qc.quantize' op result dimension 0 is not blocked, so its scales must have size 1 there, got 2}}
  %q = qc.quantize %x : tensor<4x4xf32> to tensor<4x4x!quant.uniform<i8:f32:{1:2}, {{0.5, 0.25}, {1.0, 2.0}}>>
  return %q : tensor<4x4x!quant.uniform<i8:f32:{1:2}, {{0.5, 0.25}, {1.0, 2.0}}>>
}

// -----

func.func @quantize_sub_channel_dim_out_of_range(%x: tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32:{2:2}, {{0.5}}>> {
  // expected-error@+1 {{'qc.quantize' op result quantized dimension 2 is out of range for rank 2}}
  %q = qc.quantize %x : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32:{2:2}, {{0.5}}>>
  return %q : tensor<2x4x!quant.uniform<i8:f32:{2:2}, {{0.5}}>>
}

// -----

func.func @quantize_sub_channel_dynamic_block(%x: tensor<2x?xf32>) -> tensor<2x?x!quant.uniform<i8:f32:{1:2}, {{0.5, 0.25}}>> {
  // expected-error@+1 {{'qc.quantize' op result blocked dimension 1 must be static}}
  %q = qc.quantize %x : tensor<2x?xf32> to tensor<2x?x!quant.uniform<i8:f32:{1:2}, {{0.5, 0.25}}>>
  return %q : tensor<2x?x!quant.uniform<i8:f32:{1:2}, {{0.5, 0.25}}>>
}

// -----

func.func @quantize_sub_channel_block_mismatch(%x: tensor<2x6xf32>) -> tensor<2x6x!quant.uniform<i8:f32:{0:1, 1:2}, {{0.5, 0.25}, {1.0, 2.0}}>> {
  // expected-error@+1 {{'qc.quantize' op result dimension 1 of size 6 is not 2 blocks of 2}}
  %q = qc.quantize %x : tensor<2x6xf32> to tensor<2x6x!quant.uniform<i8:f32:{0:1, 1:2}, {{0.5, 0.25}, {1.0, 2.0}}>>
  return %q : tensor<2x6x!quant.uniform<i8:f32:{0:1, 1:2}, {{0.5, 0.25}, {1.0, 2.0}}>>
}

// -----

// Upstream accepts subnormal f32 scales (down to 1.4e-45); qc does not.
func.func @quantize_subnormal_scale(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 1.0e-40>> {
  // expected-error@+1 {{'qc.quantize' op result scale 0 must be a normal f32 value}}
  %q = qc.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0e-40>>
  return %q : tensor<4x!quant.uniform<i8:f32, 1.0e-40>>
}

// -----

func.func @quantize_subnormal_per_axis_scale(%x: tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32:0, {0.5, 1.0e-40}>> {
  // expected-error@+1 {{'qc.quantize' op result scale 1 must be a normal f32 value}}
  %q = qc.quantize %x : tensor<2xf32> to tensor<2x!quant.uniform<i8:f32:0, {0.5, 1.0e-40}>>
  return %q : tensor<2x!quant.uniform<i8:f32:0, {0.5, 1.0e-40}>>
}

// -----

// Upstream accepts a zero point outside the storage range; qc does not.
func.func @quantize_zero_point_out_of_range(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5:200>> {
  // expected-error@+1 {{'qc.quantize' op result zero point 0 (200) is outside the storage range [-128, 127]}}
  %q = qc.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:200>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5:200>>
}

// -----

func.func @quantize_zero_point_outside_narrow_range(%x: tensor<2xf32>) -> tensor<2x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25:-128}>> {
  // expected-error@+1 {{'qc.quantize' op result zero point 1 (-128) is outside the storage range [-127, 127]}}
  %q = qc.quantize %x : tensor<2xf32> to tensor<2x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25:-128}>>
  return %q : tensor<2x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25:-128}>>
}

//===----------------------------------------------------------------------===//
// qc.dequantize
//===----------------------------------------------------------------------===//

// -----

// ODS type constraint.
func.func @dequantize_integer_result(%q: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xi8> {
  // expected-error@+1 {{'qc.dequantize' op result #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %x = qc.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xi8>
  return %x : tensor<4xi8>
}

// -----

func.func @dequantize_result_type_mismatch(%q: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf16> {
  // expected-error@+1 {{'qc.dequantize' op result element type 'f16' does not match input expressed type 'f32'}}
  %x = qc.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf16>
  return %x : tensor<4xf16>
}

// -----

func.func @dequantize_expressed_not_f32(%q: tensor<4x!quant.uniform<i8:bf16, 0.5>>) -> tensor<4xbf16> {
  // expected-error@+1 {{'qc.dequantize' op input expressed type must be f32, got 'bf16'}}
  %x = qc.dequantize %q : tensor<4x!quant.uniform<i8:bf16, 0.5>> to tensor<4xbf16>
  return %x : tensor<4xbf16>
}

//===----------------------------------------------------------------------===//
// qc.requantize
//===----------------------------------------------------------------------===//

// -----

func.func @requantize_expressed_type_mismatch(%q: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f16, 0.5>> {
  // expected-error@+1 {{'qc.requantize' op input expressed type 'f32' differs from result expressed type 'f16'}}
  %r = qc.requantize %q : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4x!quant.uniform<i8:f16, 0.5>>
  return %r : tensor<4x!quant.uniform<i8:f16, 0.5>>
}

// -----

func.func @requantize_bad_input(%q: tensor<4x!quant.uniform<i8:f32:1, {0.5, 0.25}>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error@+1 {{'qc.requantize' op input quantized axis 1 is out of range for rank 1}}
  %r = qc.requantize %q : tensor<4x!quant.uniform<i8:f32:1, {0.5, 0.25}>> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %r : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// The input may be 32 bits wide (an accumulator), the result may not.
func.func @requantize_result_too_wide(%q: tensor<4x!quant.uniform<i32:f32, 0.5>>) -> tensor<4x!quant.uniform<i32:f32, 0.25>> {
  // expected-error@+1 {{'qc.requantize' op result storage type is 32 bits wide; at most 16 bits are supported here}}
  %r = qc.requantize %q : tensor<4x!quant.uniform<i32:f32, 0.5>> to tensor<4x!quant.uniform<i32:f32, 0.25>>
  return %r : tensor<4x!quant.uniform<i32:f32, 0.25>>
}

// -----

func.func @requantize_granularity_mismatch(%q: tensor<2x2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>) -> tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>> {
  // expected-error@+1 {{'qc.requantize' op input and result must share their quantization granularity unless one of them is per tensor}}
  %r = qc.requantize %q : tensor<2x2x!quant.uniform<i8:f32:0, {0.5, 0.25}>> to tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  return %r : tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
}

// -----

// M = 1e10 / 1 does not fit the fixed-point form (it must be below 2^30).
func.func @requantize_fixed_point_too_large(%q: tensor<4x!quant.uniform<i8:f32, 1.0e10>>) -> tensor<4x!quant.uniform<i8:f32, 1.0>> {
  // expected-error@+1 {{'qc.requantize' op fixed_point cannot represent the multiplier 1.000000e+10: fixed-point multiplier 1e+10 is too large (it must round to less than 2^30)}}
  %r = qc.requantize %q fixed_point : tensor<4x!quant.uniform<i8:f32, 1.0e10>> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  return %r : tensor<4x!quant.uniform<i8:f32, 1.0>>
}

//===----------------------------------------------------------------------===//
// qc.dynamic_quantize
//===----------------------------------------------------------------------===//

// -----

// ODS type constraint.
func.func @dynamic_quantize_float_result(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op result #0 must be ranked tensor of integers, but got 'tensor<4xf32>'}}
  %q, %s = qc.dynamic_quantize %x per_tensor : tensor<4xf32> to tensor<4xf32>, tensor<f32>
  return %q, %s : tensor<4xf32>, tensor<f32>
}

// -----

func.func @dynamic_quantize_f16_input(%x: tensor<4xf16>) -> (tensor<4xi8>, tensor<f32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op input element type must be f32, got 'f16'}}
  %q, %s = qc.dynamic_quantize %x per_tensor : tensor<4xf16> to tensor<4xi8>, tensor<f32>
  return %q, %s : tensor<4xi8>, tensor<f32>
}

// -----

func.func @dynamic_quantize_shape_mismatch(%x: tensor<4xf32>) -> (tensor<5xi8>, tensor<f32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op result shape must match the input shape}}
  %q, %s = qc.dynamic_quantize %x per_tensor : tensor<4xf32> to tensor<5xi8>, tensor<f32>
  return %q, %s : tensor<5xi8>, tensor<f32>
}

// -----

func.func @dynamic_quantize_signed_storage(%x: tensor<4xf32>) -> (tensor<4xsi8>, tensor<f32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op storage type must be signless (signed) or unsigned, got 'si8'}}
  %q, %s = qc.dynamic_quantize %x per_tensor : tensor<4xf32> to tensor<4xsi8>, tensor<f32>
  return %q, %s : tensor<4xsi8>, tensor<f32>
}

// -----

func.func @dynamic_quantize_storage_too_narrow(%x: tensor<4xf32>) -> (tensor<4xi1>, tensor<f32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op storage type must be 2 to 16 bits wide, got 'i1'}}
  %q, %s = qc.dynamic_quantize %x per_tensor : tensor<4xf32> to tensor<4xi1>, tensor<f32>
  return %q, %s : tensor<4xi1>, tensor<f32>
}

// -----

func.func @dynamic_quantize_storage_too_wide(%x: tensor<4xf32>) -> (tensor<4xi32>, tensor<f32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op storage type must be 2 to 16 bits wide, got 'i32'}}
  %q, %s = qc.dynamic_quantize %x per_tensor : tensor<4xf32> to tensor<4xi32>, tensor<f32>
  return %q, %s : tensor<4xi32>, tensor<f32>
}

// -----

func.func @dynamic_quantize_symmetric_unsigned(%x: tensor<4xf32>) -> (tensor<4xui8>, tensor<f32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op symmetric quantization needs signed storage, got 'ui8'; add a zero_point result for asymmetric}}
  %q, %s = qc.dynamic_quantize %x per_tensor : tensor<4xf32> to tensor<4xui8>, tensor<f32>
  return %q, %s : tensor<4xui8>, tensor<f32>
}

// -----

func.func @dynamic_quantize_per_row_scalar(%x: tensor<f32>) -> (tensor<i8>, tensor<f32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op per_row needs an input of rank >= 1}}
  %q, %s = qc.dynamic_quantize %x per_row : tensor<f32> to tensor<i8>, tensor<f32>
  return %q, %s : tensor<i8>, tensor<f32>
}

// -----

func.func @dynamic_quantize_per_channel(%x: tensor<4x3xf32>) -> (tensor<4x3xi8>, tensor<3xf32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op granularity must be per_tensor or per_row, got per_channel}}
  %q, %s = qc.dynamic_quantize %x per_channel : tensor<4x3xf32> to tensor<4x3xi8>, tensor<3xf32>
  return %q, %s : tensor<4x3xi8>, tensor<3xf32>
}

// -----

func.func @dynamic_quantize_scale_shape(%x: tensor<4x3xf32>) -> (tensor<4x3xi8>, tensor<3xf32>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op scale must be a tensor of f32 with shape [4], got 'tensor<3xf32>'}}
  %q, %s = qc.dynamic_quantize %x per_row : tensor<4x3xf32> to tensor<4x3xi8>, tensor<3xf32>
  return %q, %s : tensor<4x3xi8>, tensor<3xf32>
}

// -----

func.func @dynamic_quantize_scale_f16(%x: tensor<4x3xf32>) -> (tensor<4x3xi8>, tensor<f16>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op scale must be a tensor of f32 with shape [], got 'tensor<f16>'}}
  %q, %s = qc.dynamic_quantize %x per_tensor : tensor<4x3xf32> to tensor<4x3xi8>, tensor<f16>
  return %q, %s : tensor<4x3xi8>, tensor<f16>
}

// -----

func.func @dynamic_quantize_zero_point_type(%x: tensor<4x3xf32>) -> (tensor<4x3xui8>, tensor<4xf32>, tensor<4xi8>) {
  // expected-error@+1 {{'qc.dynamic_quantize' op zero_point must be a tensor of 'ui8' with shape [4], got 'tensor<4xi8>'}}
  %q, %s, %z = qc.dynamic_quantize %x per_row : tensor<4x3xf32> to tensor<4x3xui8>, tensor<4xf32>, tensor<4xi8>
  return %q, %s, %z : tensor<4x3xui8>, tensor<4xf32>, tensor<4xi8>
}

//===----------------------------------------------------------------------===//
// qc.unpack
//===----------------------------------------------------------------------===//

// -----

// ODS type constraint.
func.func @unpack_float_input(%p: tensor<2x4xf32>) -> tensor<2x8x!quant.uniform<i4:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op operand #0 must be ranked tensor of integers, but got 'tensor<2x4xf32>'}}
  %w = qc.unpack %p : tensor<2x4xf32> to tensor<2x8x!quant.uniform<i4:f32, 0.5>>
  return %w : tensor<2x8x!quant.uniform<i4:f32, 0.5>>
}

// -----

func.func @unpack_unsigned_input(%p: tensor<2x4xui8>) -> tensor<2x8x!quant.uniform<i4:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op input element type must be i8, got 'ui8'}}
  %w = qc.unpack %p : tensor<2x4xui8> to tensor<2x8x!quant.uniform<i4:f32, 0.5>>
  return %w : tensor<2x8x!quant.uniform<i4:f32, 0.5>>
}

// -----

func.func @unpack_wide_input(%p: tensor<2x2xi16>) -> tensor<2x8x!quant.uniform<i4:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op input element type must be i8, got 'i16'}}
  %w = qc.unpack %p : tensor<2x2xi16> to tensor<2x8x!quant.uniform<i4:f32, 0.5>>
  return %w : tensor<2x8x!quant.uniform<i4:f32, 0.5>>
}

// -----

func.func @unpack_storage_8_bits(%p: tensor<2x4xi8>) -> tensor<2x4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op result storage type must be 2 or 4 bits wide, got 8 bits}}
  %w = qc.unpack %p : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32, 0.5>>
  return %w : tensor<2x4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @unpack_storage_3_bits(%p: tensor<2x3xi8>) -> tensor<2x8x!quant.uniform<i3:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op result storage type must be 2 or 4 bits wide, got 3 bits}}
  %w = qc.unpack %p : tensor<2x3xi8> to tensor<2x8x!quant.uniform<i3:f32, 0.5>>
  return %w : tensor<2x8x!quant.uniform<i3:f32, 0.5>>
}

// -----

func.func @unpack_result_axis(%p: tensor<2x4xi8>) -> tensor<2x8x!quant.uniform<u4:f32:0, {0.5, 0.25, 1.0}>> {
  // expected-error@+1 {{'qc.unpack' op result has 3 scales but dimension 0 has size 2}}
  %w = qc.unpack %p : tensor<2x4xi8> to tensor<2x8x!quant.uniform<u4:f32:0, {0.5, 0.25, 1.0}>>
  return %w : tensor<2x8x!quant.uniform<u4:f32:0, {0.5, 0.25, 1.0}>>
}

// -----

func.func @unpack_rank_zero(%p: tensor<i8>) -> tensor<!quant.uniform<i4:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op result must have rank >= 1}}
  %w = qc.unpack %p : tensor<i8> to tensor<!quant.uniform<i4:f32, 0.5>>
  return %w : tensor<!quant.uniform<i4:f32, 0.5>>
}

// -----

func.func @unpack_rank_mismatch(%p: tensor<8xi8>) -> tensor<2x8x!quant.uniform<i4:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op input rank (1) must equal the result rank (2)}}
  %w = qc.unpack %p : tensor<8xi8> to tensor<2x8x!quant.uniform<i4:f32, 0.5>>
  return %w : tensor<2x8x!quant.uniform<i4:f32, 0.5>>
}

// -----

func.func @unpack_leading_dim_mismatch(%p: tensor<3x4xi8>) -> tensor<2x8x!quant.uniform<i4:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op dimension 0 of input (3) differs from that of the result (2)}}
  %w = qc.unpack %p : tensor<3x4xi8> to tensor<2x8x!quant.uniform<i4:f32, 0.5>>
  return %w : tensor<2x8x!quant.uniform<i4:f32, 0.5>>
}

// -----

func.func @unpack_dynamic_last_dim(%p: tensor<2x?xi8>) -> tensor<2x?x!quant.uniform<i4:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op last dimension of input and result must be static, got 'tensor<2x?xi8>' and 'tensor<2x?x!quant.uniform<i4:f32, 5.000000e-01>>'}}
  %w = qc.unpack %p : tensor<2x?xi8> to tensor<2x?x!quant.uniform<i4:f32, 0.5>>
  return %w : tensor<2x?x!quant.uniform<i4:f32, 0.5>>
}

// -----

func.func @unpack_packed_size_i4(%p: tensor<2x5xi8>) -> tensor<2x8x!quant.uniform<i4:f32, 0.5>> {
  // expected-error@+1 {{'qc.unpack' op input last dimension must be ceil(8 * 4 / 8) = 4, got 5}}
  %w = qc.unpack %p : tensor<2x5xi8> to tensor<2x8x!quant.uniform<i4:f32, 0.5>>
  return %w : tensor<2x8x!quant.uniform<i4:f32, 0.5>>
}

// -----

// Seven 2-bit values take two bytes, not one.
func.func @unpack_packed_size_u2(%p: tensor<2x1xi8>) -> tensor<2x7x!quant.uniform<u2:f32, 0.5:1>> {
  // expected-error@+1 {{'qc.unpack' op input last dimension must be ceil(7 * 2 / 8) = 2, got 1}}
  %w = qc.unpack %p : tensor<2x1xi8> to tensor<2x7x!quant.uniform<u2:f32, 0.5:1>>
  return %w : tensor<2x7x!quant.uniform<u2:f32, 0.5:1>>
}

//===----------------------------------------------------------------------===//
// qc.matmul / qc.batch_matmul
//===----------------------------------------------------------------------===//

// -----

// ODS type constraint.
func.func @matmul_float_acc(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op attribute 'acc' failed to satisfy constraint: type attribute of signless integer}}
  %0 = qc.matmul %a, %w acc(f32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_rank(%a: tensor<2x2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op operands and result must have rank 2}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @batch_matmul_rank(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.batch_matmul' op operands and result must have rank 3}}
  %0 = qc.batch_matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @batch_matmul_batch_mismatch(%a: tensor<2x3x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<5x4x6x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3x6xf32> {
  // expected-error@+1 {{'qc.batch_matmul' op batch dimension 0 differs between operands and result}}
  %0 = qc.batch_matmul %a, %w acc(i32) : tensor<2x3x4x!quant.uniform<i8:f32, 0.5>>, tensor<5x4x6x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3x6xf32>
  return %0 : tensor<2x3x6xf32>
}

// -----

func.func @matmul_reduction_mismatch(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<5x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op reduction dimension of lhs (4) differs from that of rhs (5)}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<5x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_result_shape(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x5xf32> {
  // expected-error@+1 {{'qc.matmul' op result shape must be [..., 2, 3], got 'tensor<2x5xf32>'}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_dynamic_reduction(%a: tensor<2x?x!quant.uniform<i8:f32, 0.5>>, %w: tensor<?x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op reduction dimension must be static so that the accumulator can be bounded}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x?x!quant.uniform<i8:f32, 0.5>>, tensor<?x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_lhs_too_wide(%a: tensor<2x4x!quant.uniform<i32:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op lhs storage type is 32 bits wide; at most 16 bits are supported here}}
  %0 = qc.matmul %a, %w acc(i64) : tensor<2x4x!quant.uniform<i32:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_rhs_bad_zero_point(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5:128>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op rhs zero point 0 (128) is outside the storage range [-128, 127]}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5:128>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_lhs_per_axis(%a: tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op lhs must be quantized per tensor, got '!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01}>'}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_rhs_axis_k(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32:0, {0.5, 0.25, 1.0, 2.0}>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op rhs must be quantized per tensor or along its last (N) dimension 1, got axis 0}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32:0, {0.5, 0.25, 1.0, 2.0}>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_rhs_block_n(%a: tensor<2x4x!quant.uniform<i4:f32, 0.5>>, %w: tensor<4x4x!quant.uniform<i4:f32:{0:2, 1:2}, {{0.5, 0.5}, {0.25, 0.25}}>>) -> tensor<2x4xf32> {
  // expected-error@+1 {{'qc.matmul' op rhs block size along the last (N) dimension must be 1, got 2}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i4:f32, 0.5>>, tensor<4x4x!quant.uniform<i4:f32:{0:2, 1:2}, {{0.5, 0.5}, {0.25, 0.25}}>> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_acc_i16(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op accumulator must be i32 or i64, got 'i16'}}
  %0 = qc.matmul %a, %w acc(i16) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_bias_length(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>, %b: tensor<4xi32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op bias must be a 1-D tensor of 3 'i32' values, got 'tensor<4xi32>'}}
  %0 = qc.matmul %a, %w bias(%b : tensor<4xi32>) acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_bias_type(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>, %b: tensor<3xi32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op bias must be a 1-D tensor of 3 'i64' values, got 'tensor<3xi32>'}}
  %0 = qc.matmul %a, %w bias(%b : tensor<3xi32>) acc(i64) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_result_bad_scale(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0e-40>> {
  // expected-error@+1 {{'qc.matmul' op result scale 0 must be a normal f32 value}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3x!quant.uniform<i8:f32, 1.0e-40>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 1.0e-40>>
}

// -----

func.func @matmul_result_axis_m(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>> {
  // expected-error@+1 {{'qc.matmul' op result must be quantized per tensor or along its last (N) dimension}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
}

// -----

func.func @matmul_result_sub_channel(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3x!quant.uniform<i8:f32:{0:1}, {{0.5}, {0.25}}>> {
  // expected-error@+1 {{'qc.matmul' op result must be quantized per tensor or per axis}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3x!quant.uniform<i8:f32:{0:1}, {{0.5}, {0.25}}>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32:{0:1}, {{0.5}, {0.25}}>>
}

// -----

// M = 1e5 * 1e5 / 0.1 = 1e11 does not fit the fixed-point form.
func.func @matmul_fixed_point_too_large(%a: tensor<2x4x!quant.uniform<i8:f32, 1.0e5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 1.0e5>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error@+1 {{'qc.matmul' op fixed_point cannot represent the multiplier 1.000000e+11: fixed-point multiplier 1e+11 is too large}}
  %0 = qc.matmul %a, %w acc(i32) fixed_point : tensor<2x4x!quant.uniform<i8:f32, 1.0e5>>, tensor<4x3x!quant.uniform<i8:f32, 1.0e5>> -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @matmul_integer_result_type(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xi64> {
  // expected-error@+1 {{'qc.matmul' op an integer result must have the accumulator type 'i32', got 'i64'}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

func.func @matmul_integer_result_fixed_point(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xi32> {
  // expected-error@+1 {{'qc.matmul' op fixed_point only applies to a quantized result}}
  %0 = qc.matmul %a, %w acc(i32) fixed_point : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @matmul_float_result_type(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf16> {
  // expected-error@+1 {{'qc.matmul' op a float result must have the expressed type 'f32', got 'f16'}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

func.func @matmul_float_result_fixed_point(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op fixed_point only applies to a quantized result}}
  %0 = qc.matmul %a, %w acc(i32) fixed_point : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// 70000 * 255 * 128 = 2284800000 > 2^31 - 1.
func.func @matmul_accumulator_overflow(%a: tensor<1x70000x!quant.uniform<u8:f32, 0.5>>, %w: tensor<70000x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1xi32> {
  // expected-error@+1 {{'qc.matmul' op accumulator 'i32' can overflow: K = 70000 products of up to 255 x 128 in magnitude; use acc(i64) or split the reduction}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<1x70000x!quant.uniform<u8:f32, 0.5>>, tensor<70000x1x!quant.uniform<i8:f32, 0.5>> -> tensor<1x1xi32>
  return %0 : tensor<1x1xi32>
}

// -----

// K is taken from rhs when lhs has a dynamic reduction dimension.
func.func @batch_matmul_accumulator_overflow(%a: tensor<2x1x?x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x140000x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x1x1xf32> {
  // expected-error@+1 {{'qc.batch_matmul' op accumulator 'i32' can overflow: K = 140000 products of up to 128 x 128 in magnitude}}
  %0 = qc.batch_matmul %a, %w acc(i32) : tensor<2x1x?x!quant.uniform<i8:f32, 0.5>>, tensor<2x140000x1x!quant.uniform<i8:f32, 0.5>> -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

// ODS type constraint.
func.func @matmul_float_lhs(%a: tensor<2x4xf32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op operand #0 must be ranked tensor of uniform quantized values or integers, but got 'tensor<2x4xf32>'}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4xf32>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_integer_lhs_without_scale(%a: tensor<2x4xi8>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op lhs must be a quantized tensor unless lhs_scale is given, got 'tensor<2x4xi8>'}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_lhs_scale_quantized_lhs(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %s: tensor<2xf32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op lhs must be a tensor of signless integers when lhs_scale is given, got 'tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01>>'}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<2xf32>) acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// An unsigned lhs would need a zero point.
func.func @matmul_lhs_scale_unsigned_lhs(%a: tensor<2x4xui8>, %s: tensor<2xf32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op lhs must be a tensor of signless integers when lhs_scale is given, got 'tensor<2x4xui8>'}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<2xf32>) acc(i32) : tensor<2x4xui8>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_lhs_scale_wide_lhs(%a: tensor<2x4xi32>, %s: tensor<2xf32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op lhs integer type must be 2 to 16 bits wide, got 'i32'}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<2xf32>) acc(i64) : tensor<2x4xi32>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_lhs_scale_shape(%a: tensor<2x4xi8>, %s: tensor<3xf32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op lhs_scale must be a tensor of f32 with shape [] or [2], got 'tensor<3xf32>'}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<3xf32>) acc(i32) : tensor<2x4xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_lhs_scale_f16(%a: tensor<?x4xi8>, %s: tensor<?xf16>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<?x3xf32> {
  // expected-error@+1 {{'qc.matmul' op lhs_scale must be a tensor of f32 with shape [] or [?], got 'tensor<?xf16>'}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<?xf16>) acc(i32) : tensor<?x4xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A per-row scale of a batch matmul has shape [B, M].
func.func @batch_matmul_lhs_scale_shape(%a: tensor<2x3x4xi8>, %s: tensor<3xf32>, %w: tensor<2x4x5x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3x5xf32> {
  // expected-error@+1 {{'qc.batch_matmul' op lhs_scale must be a tensor of f32 with shape [] or [2, 3], got 'tensor<3xf32>'}}
  %0 = qc.batch_matmul %a, %w lhs_scale(%s : tensor<3xf32>) acc(i32) : tensor<2x3x4xi8>, tensor<2x4x5x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @matmul_lhs_scale_bias(%a: tensor<2x4xi8>, %s: tensor<f32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>, %b: tensor<3xi32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op bias is not allowed with lhs_scale}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<f32>) bias(%b : tensor<3xi32>) acc(i32) : tensor<2x4xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_lhs_scale_fixed_point(%a: tensor<2x4xi8>, %s: tensor<f32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qc.matmul' op fixed_point is not allowed with lhs_scale}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<f32>) acc(i32) fixed_point : tensor<2x4xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_lhs_scale_integer_result(%a: tensor<2x4xi8>, %s: tensor<f32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3xi32> {
  // expected-error@+1 {{'qc.matmul' op result must be a tensor of f32 when lhs_scale is given, got 'tensor<2x3xi32>'}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<f32>) acc(i32) : tensor<2x4xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @matmul_lhs_scale_quantized_result(%a: tensor<2x4xi8>, %s: tensor<f32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5>> {
  // expected-error@+1 {{'qc.matmul' op result must be a tensor of f32 when lhs_scale is given, got 'tensor<2x3x!quant.uniform<i8:f32, 5.000000e-01>>'}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<f32>) acc(i32) : tensor<2x4xi8>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.5>>
}

// -----

// The lhs magnitude is that of the whole i8 range: 140000 * 128 * 127 > 2^31 - 1.
func.func @matmul_lhs_scale_overflow(%a: tensor<1x140000xi8>, %s: tensor<1xf32>, %w: tensor<140000x1x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> tensor<1x1xf32> {
  // expected-error@+1 {{'qc.matmul' op accumulator 'i32' can overflow: K = 140000 products of up to 128 x 127 in magnitude}}
  %0 = qc.matmul %a, %w lhs_scale(%s : tensor<1xf32>) acc(i32) : tensor<1x140000xi8>, tensor<140000x1x!quant.uniform<i8<-127:127>:f32, 0.5>> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @matmul_group_not_dividing_k(%a: tensor<2x64x!quant.uniform<i8:f32, 0.5>>, %w: tensor<64x2x!quant.uniform<i4:f32:{0:30, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>>) -> tensor<2x2xf32> {
  // expected-error@+1 {{'qc.matmul' op reduction dimension K (64) is not divisible by the rhs group size 30}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x64x!quant.uniform<i8:f32, 0.5>>, tensor<64x2x!quant.uniform<i4:f32:{0:30, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @matmul_group_scale_count(%a: tensor<2x64x!quant.uniform<i8:f32, 0.5>>, %w: tensor<64x2x!quant.uniform<i4:f32:{0:32, 1:1}, {{0.5, 0.5}, {0.25, 0.25}, {1.0, 1.0}}>>) -> tensor<2x2xf32> {
  // expected-error@+1 {{'qc.matmul' op rhs dimension 0 of size 64 is not 3 blocks of 32}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x64x!quant.uniform<i8:f32, 0.5>>, tensor<64x2x!quant.uniform<i4:f32:{0:32, 1:1}, {{0.5, 0.5}, {0.25, 0.25}, {1.0, 1.0}}>> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @batch_matmul_group_batch_blocked(%a: tensor<2x3x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x4x1x!quant.uniform<i8:f32:{0:1, 1:2, 2:1}, {{{0.5}, {0.5}}, {{0.25}, {0.25}}}>>) -> tensor<2x3x1xf32> {
  // expected-error@+1 {{'qc.batch_matmul' op rhs must not be blocked along batch dimension 0, got 2 blocks}}
  %0 = qc.batch_matmul %a, %w acc(i32) : tensor<2x3x4x!quant.uniform<i8:f32, 0.5>>, tensor<2x4x1x!quant.uniform<i8:f32:{0:1, 1:2, 2:1}, {{{0.5}, {0.5}}, {{0.25}, {0.25}}}>> -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

func.func @matmul_group_bias(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>>, %b: tensor<2xi32>) -> tensor<2x2xf32> {
  // expected-error@+1 {{'qc.matmul' op bias is not allowed with a per-group rhs}}
  %0 = qc.matmul %a, %w bias(%b : tensor<2xi32>) acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @matmul_group_fixed_point(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>>) -> tensor<2x2x!quant.uniform<i8:f32, 0.5>> {
  // expected-error@+1 {{'qc.matmul' op fixed_point is not allowed with a per-group rhs}}
  %0 = qc.matmul %a, %w acc(i32) fixed_point : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>> -> tensor<2x2x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<2x2x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @matmul_group_integer_result(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>>) -> tensor<2x2xi32> {
  // expected-error@+1 {{'qc.matmul' op a per-group rhs needs a float or quantized result, got 'tensor<2x2xi32>'}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>> -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @matmul_group_f16_result(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>>) -> tensor<2x2xf16> {
  // expected-error@+1 {{'qc.matmul' op a float result must have the expressed type 'f32', got 'f16'}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>> -> tensor<2x2xf16>
  return %0 : tensor<2x2xf16>
}

// -----

func.func @matmul_group_result_axis_m(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>>) -> tensor<2x2x!quant.uniform<i8:f32:0, {0.5, 0.25}>> {
  // expected-error@+1 {{'qc.matmul' op result must be quantized per tensor or along its last (N) dimension 1, got axis 0}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.5, 0.5}, {0.25, 0.25}}>> -> tensor<2x2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  return %0 : tensor<2x2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
}

// -----

// The bound uses the group size G: 140000 * 255 * 128 > 2^31 - 1.
func.func @matmul_group_overflow(%a: tensor<1x280000x!quant.uniform<u8:f32, 0.5>>, %w: tensor<280000x1x!quant.uniform<i8:f32:{0:140000, 1:1}, {{0.5}, {0.5}}>>) -> tensor<1x1xf32> {
  // expected-error@+1 {{'qc.matmul' op accumulator 'i32' can overflow: G = 140000 products of up to 255 x 128 in magnitude}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<1x280000x!quant.uniform<u8:f32, 0.5>>, tensor<280000x1x!quant.uniform<i8:f32:{0:140000, 1:1}, {{0.5}, {0.5}}>> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

//===----------------------------------------------------------------------===//
// qc.conv2d
//===----------------------------------------------------------------------===//

// -----

func.func @conv2d_rank(%x: tensor<4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op input, filter and result must have rank 4}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<8x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_length(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op strides must have 2 values, got 3}}
  %0 = qc.conv2d %x, %w strides [1, 1, 1] acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_zero(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op strides must be positive, got [0, 1]}}
  %0 = qc.conv2d %x, %w strides [0, 1] acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_dilations_negative(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op dilations must be positive, got [1, -2]}}
  %0 = qc.conv2d %x, %w dilations [1, -2] acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

// pads are [top, left, bottom, right].
func.func @conv2d_pads_length(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op pads must have 4 values, got 2}}
  %0 = qc.conv2d %x, %w pads [1, 1] acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_pads_negative(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op pads must be non-negative, got [0, -1, 0, 0]}}
  %0 = qc.conv2d %x, %w pads [0, -1, 0, 0] acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_groups_zero(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op groups must be positive, got 0}}
  %0 = qc.conv2d %x, %w groups 0 acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_dynamic_filter(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x?x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op filter must have a static shape, got 'tensor<8x4x?x3x!quant.uniform<i8:f32, 2.500000e-01>>'}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x?x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x?x6xf32>
  return
}

// -----

func.func @conv2d_dynamic_channels(%x: tensor<1x?x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op input channel dimension must be static, got 'tensor<1x?x8x8x!quant.uniform<u8:f32, 5.000000e-01:10>>'}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<1x?x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_channels_groups(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<6x1x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op input channels (4) must be divisible by groups (3)}}
  %0 = qc.conv2d %x, %w groups 3 acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<6x1x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv2d_filters_groups(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<3x2x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op output channels F (3) must be divisible by groups (2)}}
  %0 = qc.conv2d %x, %w groups 2 acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<3x2x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv2d_filter_channels(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op filter dimension 1 (4) must be input channels / groups = 4 / 2 = 2}}
  %0 = qc.conv2d %x, %w groups 2 acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

// The dilated filter spans 6 * (3 - 1) + 1 = 13 rows.
func.func @conv2d_filter_too_large(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op padded input height (10) is smaller than the dilated filter height (13)}}
  %0 = qc.conv2d %x, %w pads [1, 1, 1, 1] dilations [6, 1] acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

// OH = (8 + 2 - 3) / 2 + 1 = 4, OW = floor((8 - 3) / 2) + 1 = 3.
func.func @conv2d_result_shape(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op result shape must be [1, 8, 4, 3], got 'tensor<1x8x4x4xf32>'}}
  %0 = qc.conv2d %x, %w strides [2, 2] pads [1, 0, 1, 0] acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x4x4xf32>
  return
}

// -----

// Dynamic sizes are printed as '?'.
func.func @conv2d_result_shape_dynamic(%x: tensor<?x4x?x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op result shape must be [?, 8, ?, 6], got 'tensor<?x4x?x6xf32>'}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<?x4x?x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<?x4x?x6xf32>
  return
}

// -----

func.func @conv2d_filter_scales(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32:0, {0.25, 0.5, 1.0}>>) {
  // expected-error@+1 {{'qc.conv2d' op filter has 3 scales but dimension 0 has size 8}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32:0, {0.25, 0.5, 1.0}>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_input_per_axis(%x: tensor<1x4x8x8x!quant.uniform<u8:f32:1, {0.5:10, 0.25:10, 0.5:10, 0.25:10}>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op input must be quantized per tensor, got '!quant.uniform<u8:f32:1, {5.000000e-01:10,2.500000e-01:10,5.000000e-01:10,2.500000e-01:10}>'}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32:1, {0.5:10, 0.25:10, 0.5:10, 0.25:10}>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_filter_axis(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32:1, {0.25, 0.5, 1.0, 2.0}>>) {
  // expected-error@+1 {{'qc.conv2d' op filter must be quantized per tensor or along its output-channel (F) dimension 0, got axis 1}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32:1, {0.25, 0.5, 1.0, 2.0}>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_filter_sub_channel(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32:{1:2}, {{{{0.25}}, {{0.5}}}}>>) {
  // expected-error@+1 {{'qc.conv2d' op filter must be quantized per tensor or per axis, got}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32:{1:2}, {{{{0.25}}, {{0.5}}}}>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_acc_i16(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op accumulator must be i32 or i64, got 'i16'}}
  %0 = qc.conv2d %x, %w acc(i16) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_bias_length(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>, %b: tensor<4xi32>) {
  // expected-error@+1 {{'qc.conv2d' op bias must be a 1-D tensor of 8 'i32' values, got 'tensor<4xi32>'}}
  %0 = qc.conv2d %x, %w bias(%b : tensor<4xi32>) acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_result_axis(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op result must be quantized per tensor or along its output-channel (F) dimension 1, got axis 0}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6x!quant.uniform<i8:f32:0, {0.5}>>
  return
}

// -----

func.func @conv2d_fixed_point_too_large(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 1.0e5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 1.0e5>>) {
  // expected-error@+1 {{'qc.conv2d' op fixed_point cannot represent the multiplier 1.000000e+11: fixed-point multiplier 1e+11 is too large}}
  %0 = qc.conv2d %x, %w acc(i32) fixed_point : tensor<1x4x8x8x!quant.uniform<u8:f32, 1.0e5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 1.0e5>> -> tensor<1x8x6x6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv2d_integer_result_type(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op an integer result must have the accumulator type 'i64', got 'i32'}}
  %0 = qc.conv2d %x, %w acc(i64) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @conv2d_integer_result_fixed_point(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op fixed_point only applies to a quantized result}}
  %0 = qc.conv2d %x, %w acc(i32) fixed_point : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @conv2d_float_result_type(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>>) {
  // expected-error@+1 {{'qc.conv2d' op a float result must have the expressed type 'f32', got 'bf16'}}
  %0 = qc.conv2d %x, %w acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x4x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<1x8x6x6xbf16>
  return
}

// -----

// K = C/groups * KH * KW = 8000 * 3 * 3; 72000 * 255 * 128 > 2^31 - 1.
func.func @conv2d_accumulator_overflow(%x: tensor<1x16000x3x3x!quant.uniform<u8:f32, 0.5>>, %w: tensor<2x8000x3x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error@+1 {{'qc.conv2d' op accumulator 'i32' can overflow: K = 72000 products of up to 255 x 128 in magnitude; use acc(i64) or split the reduction}}
  %0 = qc.conv2d %x, %w groups 2 acc(i32) : tensor<1x16000x3x3x!quant.uniform<u8:f32, 0.5>>, tensor<2x8000x3x3x!quant.uniform<i8:f32, 0.5>> -> tensor<1x2x1x1xi32>
  return
}

//===----------------------------------------------------------------------===//
// #qc.stats
//===----------------------------------------------------------------------===//

// -----

// 0x7FF0000000000000 is the bit pattern of +infinity.
func.func @stats_infinite_min() attributes {
  // expected-error@+1 {{min and max must be finite, got [INF, 1.000000e+00]}}
  s = #qc.stats<min = 0x7FF0000000000000, max = 1.0, count = 1>
} {
  return
}

// -----

func.func @stats_nan_max() attributes {
  // expected-error@+1 {{min and max must be finite, got [0.000000e+00, nan]}}
  s = #qc.stats<min = 0.0, max = 0x7FF8000000000000, count = 1>
} {
  return
}

// -----

func.func @stats_min_above_max() attributes {
  // expected-error@+1 {{min must not exceed max, got min 2.000000e+00 > max 1.000000e+00}}
  s = #qc.stats<min = 2.0, max = 1.0, count = 1>
} {
  return
}

// -----

func.func @stats_negative_count() attributes {
  // expected-error@+1 {{count must be non-negative, got -1}}
  s = #qc.stats<min = 0.0, max = 1.0, count = -1>
} {
  return
}

// -----

func.func @stats_negative_non_finite() attributes {
  // expected-error@+1 {{non_finite must be non-negative, got -2}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, non_finite = -2>
} {
  return
}

// -----

func.func @stats_channel_axis_alone() attributes {
  // expected-error@+1 {{channel_axis and channel_absmax must be given together}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, channel_axis = 1>
} {
  return
}

// -----

func.func @stats_channel_absmax_alone() attributes {
  // expected-error@+1 {{channel_axis and channel_absmax must be given together}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, channel_absmax = [1.0]>
} {
  return
}

// -----

func.func @stats_negative_channel_axis() attributes {
  // expected-error@+1 {{channel_axis must be non-negative, got -1}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, channel_axis = -1, channel_absmax = [1.0]>
} {
  return
}

// -----

func.func @stats_negative_channel_absmax() attributes {
  // expected-error@+1 {{channel_absmax of channel 1 must be finite and non-negative, got -5.000000e-01}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, channel_axis = 0, channel_absmax = [1.0, -0.5]>
} {
  return
}

// -----

func.func @stats_infinite_channel_absmax() attributes {
  // expected-error@+1 {{channel_absmax of channel 0 must be finite and non-negative, got INF}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, channel_axis = 0, channel_absmax = [0x7FF0000000000000]>
} {
  return
}

// -----

func.func @stats_histogram_without_bounds() attributes {
  // expected-error@+1 {{histogram, hist_min and hist_max must be given together}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, histogram = [1, 2]>
} {
  return
}

// -----

func.func @stats_bounds_without_histogram() attributes {
  // expected-error@+1 {{histogram, hist_min and hist_max must be given together}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, hist_min = 0.0, hist_max = 1.0>
} {
  return
}

// -----

func.func @stats_empty_hist_range() attributes {
  // expected-error@+1 {{hist_min must be less than hist_max, got [1.000000e+00, 1.000000e+00]}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, hist_min = 1.0, hist_max = 1.0, histogram = [1]>
} {
  return
}

// -----

func.func @stats_negative_bin() attributes {
  // expected-error@+1 {{histogram bin 1 must be non-negative, got -3}}
  s = #qc.stats<min = 0.0, max = 1.0, count = 1, hist_min = 0.0, hist_max = 1.0, histogram = [1, -3]>
} {
  return
}

//===----------------------------------------------------------------------===//
// #qc.scheme
//===----------------------------------------------------------------------===//

// -----

func.func @scheme_bits_too_small() attributes {
  // expected-error@+1 {{bits must be between 2 and 16, got 1}}
  s = #qc.scheme<bits = 1, granularity = per_tensor>
} {
  return
}

// -----

func.func @scheme_bits_too_large() attributes {
  // expected-error@+1 {{bits must be between 2 and 16, got 17}}
  s = #qc.scheme<bits = 17, granularity = per_tensor>
} {
  return
}

// -----

func.func @scheme_per_group_without_size() attributes {
  // expected-error@+1 {{per_group granularity needs a positive group_size, got 0}}
  s = #qc.scheme<bits = 4, granularity = per_group>
} {
  return
}

// -----

func.func @scheme_group_size_per_channel() attributes {
  // expected-error@+1 {{group_size is only meaningful with per_group granularity, got per_channel}}
  s = #qc.scheme<bits = 4, granularity = per_channel, group_size = 32>
} {
  return
}

// -----

func.func @scheme_dynamic_per_channel() attributes {
  // expected-error@+1 {{dynamic scales are per_tensor or per_row, got per_channel}}
  s = #qc.scheme<bits = 8, granularity = per_channel, mode = dynamic>
} {
  return
}

// -----

func.func @scheme_static_per_row() attributes {
  // expected-error@+1 {{per_row scales are computed at run time; use mode = dynamic}}
  s = #qc.scheme<bits = 8, granularity = per_row>
} {
  return
}

// -----

func.func @scheme_bad_bool() attributes {
  // expected-error@+2 {{expected 'true' or 'false'}}
  // expected-error@+1 {{failed to parse QC_SchemeAttr parameter 'symmetric'}}
  s = #qc.scheme<bits = 8, granularity = per_tensor, symmetric = yes>
} {
  return
}

// -----

// The batch sizes of rhs and result must agree even when lhs's is dynamic.
func.func @batch_matmul_rhs_result_batch(%a: tensor<?x3x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x4x5x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error@+1 {{batch dimension 0 differs between operands and result}}
  %0 = qc.batch_matmul %a, %w acc(i32) : tensor<?x3x4x!quant.uniform<i8:f32, 0.5>>, tensor<2x4x5x!quant.uniform<i8:f32, 0.5>> -> tensor<7x3x5xf32>
  return
}

// -----

// Dynamic sizes are printed as '?' in diagnostics.
func.func @matmul_dynamic_dim_message(%a: tensor<?x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error@+1 {{result shape must be [..., ?, 3]}}
  %0 = qc.matmul %a, %w acc(i32) : tensor<?x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x5xf32>
  return
}

// -----

func.func @smooth_count(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{has 2 scales for 3 channels in the last dimension}}
  %0 = qc.smooth %x by [2.0, 0.5] : tensor<4x3xf32>
  return
}

// -----

func.func @smooth_nonpositive(%x: tensor<4x2xf32>) {
  // expected-error@+1 {{scale 1 must be positive and finite, got 0}}
  %0 = qc.smooth %x by [2.0, 0.0] : tensor<4x2xf32>
  return
}

// -----

func.func @smooth_dynamic(%x: tensor<4x?xf32>) {
  // expected-error@+1 {{last dimension must be static}}
  %0 = qc.smooth %x by [2.0] : tensor<4x?xf32>
  return
}

// -----

func.func @smooth_scalar(%x: tensor<f32>) {
  // expected-error@+1 {{input must have rank >= 1}}
  %0 = qc.smooth %x by [] : tensor<f32>
  return
}
