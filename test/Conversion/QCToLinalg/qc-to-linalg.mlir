// RUN: qcomp-opt %s --split-input-file --qc-lower-to-linalg --canonicalize | FileCheck %s

// Quantized types become their signless storage types, in signatures too.

// CHECK-LABEL: func.func @signature
// CHECK-SAME:    (%[[Q:.+]]: tensor<4xi8>) -> tensor<4xi8>
// CHECK-NEXT:    return %[[Q]] : tensor<4xi8>
func.func @signature(%q: tensor<4x!quant.uniform<u8:f32, 0.5:3>>) -> tensor<4x!quant.uniform<u8:f32, 0.5:3>> {
  return %q : tensor<4x!quant.uniform<u8:f32, 0.5:3>>
}

// -----

// Outside calibration qc.observe is the identity.

// CHECK-LABEL: func.func @observe
// CHECK-SAME:    (%[[X:.+]]: tensor<4xf32>)
// CHECK-NOT:     qc.observe
// CHECK:         return %[[X]]
func.func @observe(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = qc.observe %x id "a" : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// quant.scast between storage and quantized tensors disappears.

// CHECK-LABEL: func.func @storage_cast
// CHECK-SAME:    (%[[S:.+]]: tensor<4xi8>)
// CHECK-NOT:     quant.scast
// CHECK:         return %[[S]]
func.func @storage_cast(%s: tensor<4xi8>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  %q = quant.scast %s : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// Per-tensor quantize: divide, round half to even, add the zero point,
// saturate, and map NaN to the zero point.

// CHECK-LABEL: func.func @quantize
// CHECK-SAME:    (%[[X:.+]]: tensor<4xf32>) -> tensor<4xi8>
// CHECK-DAG:     %[[S:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[Z:.+]] = arith.constant 3.000000e+00 : f32
// CHECK-DAG:     %[[LO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[HI:.+]] = arith.constant 2.550000e+02 : f32
// CHECK-DAG:     %[[ZI:.+]] = arith.constant 3 : i8
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[X]] : tensor<4xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %{{.+}}: i8):
// CHECK:           %[[D:.+]] = arith.divf %[[IN]], %[[S]] : f32
// CHECK:           %[[R:.+]] = math.roundeven %[[D]] : f32
// CHECK:           %[[A:.+]] = arith.addf %[[R]], %[[Z]] : f32
// CHECK:           %[[C0:.+]] = arith.maxnumf %[[A]], %[[LO]] : f32
// CHECK:           %[[C1:.+]] = arith.minnumf %[[C0]], %[[HI]] : f32
// CHECK:           %[[I:.+]] = arith.fptoui %[[C1]] : f32 to i8
// CHECK:           %[[NAN:.+]] = arith.cmpf uno, %[[IN]], %[[IN]] : f32
// CHECK:           %[[SEL:.+]] = arith.select %[[NAN]], %[[ZI]], %[[I]] : i8
// CHECK:           linalg.yield %[[SEL]] : i8
func.func @quantize(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f32, 0.5:3>> {
  %q = qc.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.5:3>>
  return %q : tensor<4x!quant.uniform<u8:f32, 0.5:3>>
}

// -----

// Per-axis dequantize reads its scales and zero points through (d0, d1) -> (d1).

// CHECK-DAG:   #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[AXIS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @dequantize_per_axis
// CHECK-SAME:    (%[[Q:.+]]: tensor<2x3xi8>) -> tensor<2x3xf32>
// CHECK-DAG:     %[[S:.+]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00]> : tensor<3xf32>
// CHECK-DAG:     %[[Z:.+]] = arith.constant dense<[0, 1, -1]> : tensor<3xi32>
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[AXIS]], #[[AXIS]], #[[ID]]]
// CHECK-SAME:      ins(%[[Q]], %[[S]], %[[Z]] : tensor<2x3xi8>, tensor<3xf32>, tensor<3xi32>)
// CHECK:         ^bb0(%[[IN:.+]]: i8, %[[SC:.+]]: f32, %[[ZP:.+]]: i32, %{{.+}}: f32):
// CHECK:           %[[E:.+]] = arith.extsi %[[IN]] : i8 to i32
// CHECK:           %[[C:.+]] = arith.subi %[[E]], %[[ZP]] : i32
// CHECK:           %[[F:.+]] = arith.sitofp %[[C]] : i32 to f32
// CHECK:           %[[M:.+]] = arith.mulf %[[F]], %[[SC]] : f32
// CHECK:           linalg.yield %[[M]] : f32
func.func @dequantize_per_axis(%q: tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25:1, 2.0:-1}>>) -> tensor<2x3xf32> {
  %d = qc.dequantize %q : tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25:1, 2.0:-1}>> to tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

// -----

// Group-wise scales are read through floordiv by the block size.

// CHECK-DAG:   #[[GROUP:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-LABEL: func.func @dequantize_sub_channel
// CHECK:         arith.constant dense<{{\[\[}}5.000000e-01, 2.500000e-01], [1.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK:         linalg.generic {indexing_maps = [#{{.+}}, #[[GROUP]], #[[GROUP]], #{{.+}}]
func.func @dequantize_sub_channel(%q: tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{0.5, 0.25}, {1.0, 2.0}}>>) -> tensor<2x4xf32> {
  %d = qc.dequantize %q : tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{0.5, 0.25}, {1.0, 2.0}}>> to tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

// Fixed-point requantize: M = 0.5 / 2 = 0.25 = 2^30 * 2^-32, so the
// multiplier is 2^30, the right shift 32 and the rounding nudge 2^31.

// CHECK-LABEL: func.func @requantize_fixed_point
// CHECK-DAG:     %[[NUDGE:.+]] = arith.constant 2147483648 : i64
// CHECK-DAG:     %[[SHIFT:.+]] = arith.constant 32 : i64
// CHECK-DAG:     %[[MULT:.+]] = arith.constant 1073741824 : i64
// CHECK-DAG:     %[[ZIN:.+]] = arith.constant 1 : i64
// CHECK:         ^bb0(%[[IN:.+]]: i8, %{{.+}}: i8):
// CHECK:           %[[E:.+]] = arith.extsi %[[IN]] : i8 to i64
// CHECK:           %[[C:.+]] = arith.subi %[[E]], %[[ZIN]] : i64
// CHECK:           %[[P:.+]] = arith.muli %[[C]], %[[MULT]] : i64
// CHECK:           %[[N:.+]] = arith.addi %[[P]], %[[NUDGE]] : i64
// CHECK:           %[[R:.+]] = arith.shrsi %[[N]], %[[SHIFT]] : i64
// CHECK:           arith.maxsi %[[R]]
// CHECK:           arith.minsi
// CHECK:           arith.trunci {{.+}} : i64 to i8
func.func @requantize_fixed_point(%q: tensor<4x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<4x!quant.uniform<i8:f32, 2.0>> {
  %r = qc.requantize %q fixed_point : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4x!quant.uniform<i8:f32, 2.0>>
  return %r : tensor<4x!quant.uniform<i8:f32, 2.0>>
}

// -----

// With both zero points 0 the matmul is the raw product alone: no row or
// column sums are computed, and the M dimension stays dynamic.

// CHECK-LABEL: func.func @matmul_symmetric
// CHECK-SAME:    (%[[A:.+]]: tensor<?x8xi8>, %[[W:.+]]: tensor<8x4xi8>) -> tensor<?x4xi32>
// CHECK:         %[[M:.+]] = tensor.dim %[[A]]
// CHECK:         %[[E:.+]] = tensor.empty(%[[M]]) : tensor<?x4xi32>
// CHECK:         %[[Z:.+]] = linalg.fill ins(%{{.+}} : i32) outs(%[[E]]
// CHECK:         %[[P:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[A]], %[[W]] : tensor<?x8xi8>, tensor<8x4xi8>) outs(%[[Z]] : tensor<?x4xi32>)
// CHECK:           arith.extsi
// CHECK:           arith.extsi
// CHECK:           arith.muli
// CHECK:           arith.addi
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[P]]
func.func @matmul_symmetric(%a: tensor<?x8x!quant.uniform<i8:f32, 0.5>>, %w: tensor<8x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<?x4xi32> {
  %y = qc.matmul %a, %w acc(i32) : tensor<?x8x!quant.uniform<i8:f32, 0.5>>, tensor<8x4x!quant.uniform<i8:f32, 0.25>> -> tensor<?x4xi32>
  return %y : tensor<?x4xi32>
}

// -----

// An asymmetric u8 activation (zero point 128) against symmetric i8 weights:
// unsigned extension of lhs, one column-sum reduction of rhs, and the
// epilogue acc - 128 * colsum, dequantized with 0.5 * 0.25 = 0.125.

// CHECK-LABEL: func.func @batch_matmul_asymmetric
// CHECK-DAG:     %[[ZA:.+]] = arith.constant 128 : i32
// CHECK-DAG:     %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
// CHECK:         %[[P:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK:           arith.extui %{{.+}} : i8 to i32
// CHECK:           arith.extsi %{{.+}} : i8 to i32
// CHECK:         %[[COLS:.+]] = linalg.generic
// CHECK-SAME:      ins(%{{.+}} : tensor<2x8x4xi8>) outs(%{{.+}} : tensor<2x4xi32>)
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[P]], %[[COLS]] : tensor<2x3x4xi32>, tensor<2x4xi32>)
// CHECK:         ^bb0(%[[ACC:.+]]: i32, %[[CS:.+]]: i32, %{{.+}}: f32):
// CHECK:           %[[T:.+]] = arith.muli %[[CS]], %[[ZA]] : i32
// CHECK:           %[[V:.+]] = arith.subi %[[ACC]], %[[T]] : i32
// CHECK:           %[[F:.+]] = arith.sitofp %[[V]] : i32 to f32
// CHECK:           arith.mulf %[[F]], %[[SCALE]] : f32
func.func @batch_matmul_asymmetric(%a: tensor<2x3x8x!quant.uniform<u8:f32, 0.5:128>>, %w: tensor<2x8x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x3x4xf32> {
  %y = qc.batch_matmul %a, %w acc(i32) : tensor<2x3x8x!quant.uniform<u8:f32, 0.5:128>>, tensor<2x8x4x!quant.uniform<i8:f32, 0.25>> -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// Float ops without quantized types are left alone.

// CHECK-LABEL: func.func @float_untouched
// CHECK:         arith.addf
func.func @float_untouched(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
