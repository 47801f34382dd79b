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

// qc.conv2d with both zero points 0, no padding and groups 1: the operands
// are only extended to the accumulator type (no subtraction, no tensor.pad),
// the convolution is linalg.conv_2d_nchw_fchw, and a raw result without
// bias needs no epilogue.

// CHECK-LABEL: func.func @conv2d_symmetric
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3x6x6xi8>, %[[W:.+]]: tensor<4x3x3x3xi8>) -> tensor<2x4x4x4xi32>
// CHECK:         %[[XE:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]] : tensor<2x3x6x6xi8>) outs(%{{.+}} : tensor<2x3x6x6xi32>)
// CHECK-NEXT:    ^bb0(%[[IN:.+]]: i8, %{{.+}}: i32):
// CHECK-NEXT:      %[[E:.+]] = arith.extsi %[[IN]] : i8 to i32
// CHECK-NEXT:      linalg.yield %[[E]] : i32
// CHECK:         %[[WE:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[W]] : tensor<4x3x3x3xi8>) outs(%{{.+}} : tensor<4x3x3x3xi32>)
// CHECK-NOT:       arith.subi
// CHECK-NOT:     tensor.pad
// CHECK:         %[[INIT:.+]] = linalg.fill
// CHECK:         %[[C:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-SAME:      ins(%[[XE]], %[[WE]] : tensor<2x3x6x6xi32>, tensor<4x3x3x3xi32>) outs(%[[INIT]] : tensor<2x4x4x4xi32>)
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[C]]
func.func @conv2d_symmetric(%x: tensor<2x3x6x6x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x3x3x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x4x4x4xi32> {
  %y = qc.conv2d %x, %w acc(i32) : tensor<2x3x6x6x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<2x4x4x4xi32>
  return %y : tensor<2x4x4x4xi32>
}

// -----

// Non-zero zero points: the u8 input is zero-extended and 128 subtracted,
// the filter's per-channel zero points are read through (d0, ...) -> (d0);
// then the input is padded with 0 (low [top, left], high [bottom, right]),
// convolved with stride 2, and the epilogue adds the bias and dequantizes
// with s_x * s_w[f] = [0.125, 0.25, 0.0625] along dimension 1.

// CHECK-DAG:   #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[F0:.+]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-DAG:   #[[F1:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv2d_zero_points
// CHECK-SAME:    (%[[X:.+]]: tensor<1x2x5x5xi8>, %[[W:.+]]: tensor<3x2x3x3xi8>, %[[B:.+]]: tensor<3xi32>) -> tensor<1x3x3x3xf32>
// CHECK-DAG:     %[[SCALES:.+]] = arith.constant dense<[1.250000e-01, 2.500000e-01, 6.250000e-02]> : tensor<3xf32>
// CHECK-DAG:     %[[ZW:.+]] = arith.constant dense<[0, 2, -1]> : tensor<3xi32>
// CHECK-DAG:     %[[ZX:.+]] = arith.constant 128 : i32
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK:         %[[XC:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]] : tensor<1x2x5x5xi8>)
// CHECK:           %[[XE:.+]] = arith.extui %{{.+}} : i8 to i32
// CHECK:           arith.subi %[[XE]], %[[ZX]] : i32
// CHECK:         %[[WC:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[F0]], #[[ID]]]
// CHECK-SAME:      ins(%[[W]], %[[ZW]] : tensor<3x2x3x3xi8>, tensor<3xi32>)
// CHECK:         ^bb0(%[[WIN:.+]]: i8, %[[WZ:.+]]: i32, %{{.+}}: i32):
// CHECK:           %[[WE:.+]] = arith.extsi %[[WIN]] : i8 to i32
// CHECK:           arith.subi %[[WE]], %[[WZ]] : i32
// CHECK:         %[[P:.+]] = tensor.pad %[[XC]] low[0, 0, 1, 0] high[0, 0, 1, 2]
// CHECK:           tensor.yield %[[ZERO]] : i32
// CHECK:         } : tensor<1x2x5x5xi32> to tensor<1x2x7x7xi32>
// CHECK:         %[[C:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME:      ins(%[[P]], %[[WC]] : tensor<1x2x7x7xi32>, tensor<3x2x3x3xi32>)
// CHECK:         %[[R:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[F1]], #[[F1]], #[[ID]]]
// CHECK-SAME:      ins(%[[C]], %[[B]], %[[SCALES]] : tensor<1x3x3x3xi32>, tensor<3xi32>, tensor<3xf32>)
// CHECK:         ^bb0(%[[ACC:.+]]: i32, %[[BIAS:.+]]: i32, %[[S:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[V:.+]] = arith.addi %[[ACC]], %[[BIAS]] : i32
// CHECK:           %[[F:.+]] = arith.sitofp %[[V]] : i32 to f32
// CHECK:           %[[M:.+]] = arith.mulf %[[F]], %[[S]] : f32
// CHECK:           linalg.yield %[[M]] : f32
// CHECK:         return %[[R]]
func.func @conv2d_zero_points(%x: tensor<1x2x5x5x!quant.uniform<u8:f32, 0.5:128>>, %w: tensor<3x2x3x3x!quant.uniform<i8:f32:0, {0.25, 0.5:2, 0.125:-1}>>, %b: tensor<3xi32>) -> tensor<1x3x3x3xf32> {
  %y = qc.conv2d %x, %w bias(%b : tensor<3xi32>) strides [2, 2] pads [1, 0, 1, 2] acc(i32) : tensor<1x2x5x5x!quant.uniform<u8:f32, 0.5:128>>, tensor<3x2x3x3x!quant.uniform<i8:f32:0, {0.25, 0.5:2, 0.125:-1}>> -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// -----

// groups 2: input N x C x H x W is expanded to N x 2 x C/2 x H x W, the
// filter F x C/2 x KH x KW to 2 x F/2 x C/2 x KH x KW, convolved with
// linalg.conv_2d_ngchw_gfchw and the result collapsed back to N x F x OH x OW.

// CHECK-LABEL: func.func @conv2d_grouped
// CHECK-SAME:    (%[[X:.+]]: tensor<1x4x5x5xi8>, %[[W:.+]]: tensor<6x2x3x3xi8>) -> tensor<1x6x3x1xi64>
// CHECK-DAG:     %[[ZW:.+]] = arith.constant 3 : i64
// CHECK:         %[[XE:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]] : tensor<1x4x5x5xi8>) outs(%{{.+}} : tensor<1x4x5x5xi64>)
// CHECK:         %[[WC:.+]] = linalg.generic
// CHECK:           arith.subi %{{.+}}, %[[ZW]] : i64
// CHECK:         %[[XG:.+]] = tensor.expand_shape %[[XE]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 5, 5] : tensor<1x4x5x5xi64> into tensor<1x2x2x5x5xi64>
// CHECK:         %[[WG:.+]] = tensor.expand_shape %[[WC]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xi64> into tensor<2x3x2x3x3xi64>
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%{{.+}} : i64) outs(%{{.+}} : tensor<1x2x3x3x1xi64>)
// CHECK:         %[[C:.+]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-SAME:      ins(%[[XG]], %[[WG]] : tensor<1x2x2x5x5xi64>, tensor<2x3x2x3x3xi64>) outs(%[[INIT]] : tensor<1x2x3x3x1xi64>)
// CHECK:         %[[R:.+]] = tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x3x1xi64> into tensor<1x6x3x1xi64>
// CHECK-NOT:     linalg.conv_2d_nchw_fchw
// CHECK:         return %[[R]]
func.func @conv2d_grouped(%x: tensor<1x4x5x5x!quant.uniform<i8:f32, 0.5>>, %w: tensor<6x2x3x3x!quant.uniform<i8:f32, 0.25:3>>) -> tensor<1x6x3x1xi64> {
  %y = qc.conv2d %x, %w dilations [1, 2] groups 2 acc(i64) : tensor<1x4x5x5x!quant.uniform<i8:f32, 0.5>>, tensor<6x2x3x3x!quant.uniform<i8:f32, 0.25:3>> -> tensor<1x6x3x1xi64>
  return %y : tensor<1x6x3x1xi64>
}

// -----

// A result quantized per output channel: multipliers s_x * s_w[f] / s_o[f]
// = [0.5 * 0.25 / 0.5, 0.5 * 0.5 / 0.125] = [0.25, 2] and zero points
// [10, 20] along dimension 1, in float mode and in fixed point (both
// multipliers are 2^30 with right shifts [32, 29]).

// CHECK-DAG:   #[[F1:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv2d_requant_per_channel
// CHECK-DAG:     %[[ZI:.+]] = arith.constant dense<[10, 20]> : tensor<2xi64>
// CHECK-DAG:     %[[SHIFT:.+]] = arith.constant dense<[32, 29]> : tensor<2xi64>
// CHECK-DAG:     %[[MI:.+]] = arith.constant 1073741824 : i64
// CHECK-DAG:     %[[ZF:.+]] = arith.constant dense<[1.000000e+01, 2.000000e+01]> : tensor<2xf32>
// CHECK-DAG:     %[[MF:.+]] = arith.constant dense<[2.500000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK:         %[[C0:.+]] = linalg.conv_2d_nchw_fchw
// CHECK:         linalg.generic {indexing_maps = [#{{.+}}, #[[F1]], #[[F1]], #{{.+}}]
// CHECK-SAME:      ins(%[[C0]], %[[MF]], %[[ZF]] : tensor<1x2x4x4xi32>, tensor<2xf32>, tensor<2xf32>) outs(%{{.+}} : tensor<1x2x4x4xi8>)
// CHECK:         ^bb0(%[[A0:.+]]: i32, %[[M:.+]]: f32, %[[Z:.+]]: f32, %{{.+}}: i8):
// CHECK:           %[[F:.+]] = arith.sitofp %[[A0]] : i32 to f32
// CHECK:           %[[S:.+]] = arith.mulf %[[F]], %[[M]] : f32
// CHECK:           %[[RE:.+]] = math.roundeven %[[S]] : f32
// CHECK:           arith.addf %[[RE]], %[[Z]] : f32
// CHECK:           arith.fptoui %{{.+}} : f32 to i8
// CHECK:         %[[C1:.+]] = linalg.conv_2d_nchw_fchw
// CHECK:         linalg.generic {indexing_maps = [#{{.+}}, #[[F1]], #[[F1]], #{{.+}}]
// CHECK-SAME:      ins(%[[C1]], %[[SHIFT]], %[[ZI]] : tensor<1x2x4x4xi32>, tensor<2xi64>, tensor<2xi64>)
// CHECK:         ^bb0(%[[A1:.+]]: i32, %[[N:.+]]: i64, %[[ZO:.+]]: i64, %{{.+}}: i8):
// CHECK:           %[[W1:.+]] = arith.extsi %[[A1]] : i32 to i64
// CHECK:           %[[P:.+]] = arith.muli %[[W1]], %[[MI]] : i64
// CHECK:           %[[SH:.+]] = arith.shrsi %{{.+}}, %[[N]] : i64
// CHECK:           arith.addi %[[SH]], %[[ZO]] : i64
func.func @conv2d_requant_per_channel(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.5}>>) -> (tensor<1x2x4x4x!quant.uniform<u8:f32:1, {0.5:10, 0.125:20}>>, tensor<1x2x4x4x!quant.uniform<u8:f32:1, {0.5:10, 0.125:20}>>) {
  %y = qc.conv2d %x, %w acc(i32) : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.5}>> -> tensor<1x2x4x4x!quant.uniform<u8:f32:1, {0.5:10, 0.125:20}>>
  %z = qc.conv2d %x, %w acc(i32) fixed_point : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.5}>> -> tensor<1x2x4x4x!quant.uniform<u8:f32:1, {0.5:10, 0.125:20}>>
  return %y, %z : tensor<1x2x4x4x!quant.uniform<u8:f32:1, {0.5:10, 0.125:20}>>, tensor<1x2x4x4x!quant.uniform<u8:f32:1, {0.5:10, 0.125:20}>>
}

// -----

// Dynamic N, H, W: the output sizes are computed from the padded input as
// max(Hp + stride - span, 0) / stride with span = dilation * (K - 1) + 1:
// H: Hp + 2 - 3 = Hp - 1, divided by 2; W: Hp + 1 - 5 = Hp - 4 (stride 1).

// CHECK-LABEL: func.func @conv2d_dynamic
// CHECK-SAME:    (%[[X:.+]]: tensor<?x2x?x?xi8>, %[[W:.+]]: tensor<2x2x3x3xi8>) -> tensor<?x2x?x?xi32>
// CHECK-DAG:     %[[CM4:.+]] = arith.constant -4 : index
// CHECK-DAG:     %[[CM1:.+]] = arith.constant -1 : index
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK:         %[[P:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:         } : tensor<?x2x?x?xi32> to tensor<?x2x?x?xi32>
// CHECK:         %[[N:.+]] = tensor.dim %[[X]], %[[C0]]
// CHECK:         %[[HP:.+]] = tensor.dim %[[P]], %[[C2]]
// CHECK:         %[[H1:.+]] = arith.addi %[[HP]], %[[CM1]] : index
// CHECK:         %[[H2:.+]] = arith.maxsi %[[H1]], %[[C0]] : index
// CHECK:         %[[OH:.+]] = arith.divui %[[H2]], %[[C2]] : index
// CHECK:         %[[WP:.+]] = tensor.dim %[[P]], %[[C3]]
// CHECK:         %[[W1:.+]] = arith.addi %[[WP]], %[[CM4]] : index
// CHECK:         %[[OW:.+]] = arith.maxsi %[[W1]], %[[C0]] : index
// CHECK:         %[[E:.+]] = tensor.empty(%[[N]], %[[OH]], %[[OW]]) : tensor<?x2x?x?xi32>
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%{{.+}} : i32) outs(%[[E]] : tensor<?x2x?x?xi32>)
// CHECK:         linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
// CHECK-SAME:      ins(%[[P]], %{{.+}} : tensor<?x2x?x?xi32>, tensor<2x2x3x3xi32>) outs(%[[INIT]] : tensor<?x2x?x?xi32>)
func.func @conv2d_dynamic(%x: tensor<?x2x?x?x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x2x3x3x!quant.uniform<i8:f32, 0.25>>) -> tensor<?x2x?x?xi32> {
  %y = qc.conv2d %x, %w strides [2, 1] pads [1, 1, 1, 1] dilations [1, 2] acc(i32) : tensor<?x2x?x?x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x3x3x!quant.uniform<i8:f32, 0.25>> -> tensor<?x2x?x?xi32>
  return %y : tensor<?x2x?x?xi32>
}

// -----

// qc.unpack of i4: value j of a row is bits [4 * (j mod 2), 4 * (j mod 2) + 4)
// of byte j floordiv 2, taken by an unsigned shift and a truncation (the i4
// storage is sign-extended by whoever reads it). Dynamic leading dimensions
// come from the packed operand.

// CHECK-LABEL: func.func @unpack_i4
// CHECK-SAME:    (%[[P:.+]]: tensor<?x4xi8>) -> tensor<?x8xi4>
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[C4:.+]] = arith.constant 4 : index
// CHECK:         %[[M:.+]] = tensor.dim %[[P]], %[[C0]] : tensor<?x4xi8>
// CHECK:         %[[E:.+]] = tensor.empty(%[[M]]) : tensor<?x8xi4>
// CHECK:         %[[U:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      outs(%[[E]] : tensor<?x8xi4>)
// CHECK:           %[[I:.+]] = linalg.index 0 : index
// CHECK:           %[[J:.+]] = linalg.index 1 : index
// CHECK:           %[[BYTE:.+]] = arith.divui %[[J]], %[[C2]] : index
// CHECK:           %[[V:.+]] = tensor.extract %[[P]][%[[I]], %[[BYTE]]] : tensor<?x4xi8>
// CHECK:           %[[POS:.+]] = arith.remui %[[J]], %[[C2]] : index
// CHECK:           %[[SH:.+]] = arith.muli %[[POS]], %[[C4]] : index
// CHECK:           %[[SH8:.+]] = arith.index_castui %[[SH]] : index to i8
// CHECK:           %[[F:.+]] = arith.shrui %[[V]], %[[SH8]] : i8
// CHECK:           %[[T:.+]] = arith.trunci %[[F]] : i8 to i4
// CHECK:           linalg.yield %[[T]] : i4
// CHECK:         return %[[U]]
func.func @unpack_i4(%p: tensor<?x4xi8>) -> tensor<?x8x!quant.uniform<i4:f32, 0.5>> {
  %w = qc.unpack %p : tensor<?x4xi8> to tensor<?x8x!quant.uniform<i4:f32, 0.5>>
  return %w : tensor<?x8x!quant.uniform<i4:f32, 0.5>>
}

// -----

// qc.unpack of u2: four values per byte, shifts 0, 2, 4, 6.

// CHECK-LABEL: func.func @unpack_u2
// CHECK-SAME:    (%[[P:.+]]: tensor<3x2xi8>) -> tensor<3x7xi2>
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[C4:.+]] = arith.constant 4 : index
// CHECK:         linalg.generic
// CHECK:           %[[J:.+]] = linalg.index 1 : index
// CHECK:           arith.divui %[[J]], %[[C4]] : index
// CHECK:           tensor.extract %[[P]]
// CHECK:           %[[POS:.+]] = arith.remui %[[J]], %[[C4]] : index
// CHECK:           arith.muli %[[POS]], %[[C2]] : index
// CHECK:           arith.shrui
// CHECK:           arith.trunci %{{.+}} : i8 to i2
func.func @unpack_u2(%p: tensor<3x2xi8>) -> tensor<3x7x!quant.uniform<u2:f32, 0.5:1>> {
  %w = qc.unpack %p : tensor<3x2xi8> to tensor<3x7x!quant.uniform<u2:f32, 0.5:1>>
  return %w : tensor<3x7x!quant.uniform<u2:f32, 0.5:1>>
}

// -----

// Dynamic per-row activation scale: the integer lhs is sign-extended, the
// rhs zero points [0, 1, -1] need the row sums of lhs, and the epilogue
// multiplies the two scales first: f32(acc - zb * rows) * (s[m] * s_r[n]).

// CHECK-DAG:   #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG:   #[[COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_lhs_scale
// CHECK-SAME:    (%[[Q:.+]]: tensor<?x8xi8>, %[[S:.+]]: tensor<?xf32>, %[[W:.+]]: tensor<8x3xi8>) -> tensor<?x3xf32>
// CHECK-DAG:     %[[RS:.+]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00]> : tensor<3xf32>
// CHECK-DAG:     %[[ZB:.+]] = arith.constant dense<[0, 1, -1]> : tensor<3xi32>
// CHECK:         %[[P:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[Q]], %[[W]] : tensor<?x8xi8>, tensor<8x3xi8>)
// CHECK:           arith.extsi %{{.+}} : i8 to i32
// CHECK:           arith.extsi %{{.+}} : i8 to i32
// CHECK:         %[[ROWS:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[Q]] : tensor<?x8xi8>) outs(%{{.+}} : tensor<?xi32>)
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[COL]], #[[COL]], #[[ID]]]
// CHECK-SAME:      ins(%[[P]], %[[ROWS]], %[[S]], %[[ZB]], %[[RS]] : tensor<?x3xi32>, tensor<?xi32>, tensor<?xf32>, tensor<3xi32>, tensor<3xf32>)
// CHECK:         ^bb0(%[[ACC:.+]]: i32, %[[R:.+]]: i32, %[[LS:.+]]: f32, %[[Z:.+]]: i32, %[[WS:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[T:.+]] = arith.muli %[[Z]], %[[R]] : i32
// CHECK:           %[[V:.+]] = arith.subi %[[ACC]], %[[T]] : i32
// CHECK:           %[[SC:.+]] = arith.mulf %[[LS]], %[[WS]] : f32
// CHECK:           %[[F:.+]] = arith.sitofp %[[V]] : i32 to f32
// CHECK:           %[[Y:.+]] = arith.mulf %[[F]], %[[SC]] : f32
// CHECK:           linalg.yield %[[Y]] : f32
func.func @matmul_lhs_scale(%q: tensor<?x8xi8>, %s: tensor<?xf32>, %w: tensor<8x3x!quant.uniform<i8:f32:1, {0.5, 0.25:1, 2.0:-1}>>) -> tensor<?x3xf32> {
  %y = qc.matmul %q, %w lhs_scale(%s : tensor<?xf32>) acc(i32) : tensor<?x8xi8>, tensor<8x3x!quant.uniform<i8:f32:1, {0.5, 0.25:1, 2.0:-1}>> -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// A per-tensor lhs_scale of a batch matmul is read through a map to ().

// CHECK-DAG:   #[[SCALAR:.+]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-LABEL: func.func @batch_matmul_lhs_scale_per_tensor
// CHECK-SAME:    (%[[Q:.+]]: tensor<2x3x4xi8>, %[[S:.+]]: tensor<f32>, %[[W:.+]]: tensor<2x4x5xi8>)
// CHECK-DAG:     %[[WS:.+]] = arith.constant 2.500000e-01 : f32
// CHECK:         %[[P:.+]] = linalg.generic
// CHECK-NOT:     linalg.generic {{.+}} ins(%[[Q]] : tensor<2x3x4xi8>)
// CHECK:         linalg.generic {indexing_maps = [#{{.+}}, #[[SCALAR]], #{{.+}}]
// CHECK-SAME:      ins(%[[P]], %[[S]] : tensor<2x3x5xi32>, tensor<f32>)
// CHECK:         ^bb0(%[[ACC:.+]]: i32, %[[LS:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[SC:.+]] = arith.mulf %[[LS]], %[[WS]] : f32
// CHECK:           %[[F:.+]] = arith.sitofp %[[ACC]] : i32 to f32
// CHECK:           arith.mulf %[[F]], %[[SC]] : f32
func.func @batch_matmul_lhs_scale_per_tensor(%q: tensor<2x3x4xi8>, %s: tensor<f32>, %w: tensor<2x4x5x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x3x5xf32> {
  %y = qc.batch_matmul %q, %w lhs_scale(%s : tensor<f32>) acc(i32) : tensor<2x3x4xi8>, tensor<2x4x5x!quant.uniform<i8:f32, 0.25>> -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// -----

// Group-wise i4 weights (K = 8, G = 4, N = 3) against an asymmetric u8
// activation, with a quantized result: K is split into (2, 4), the integer
// generic subtracts both zero points (z_r[g, n] read through (g, n)) and
// reduces over i only, the f32 generic adds sitofp(acc_g) * f32(s_l * s_r[g, n])
// over g, and the sum is quantized as qc.quantize does (divide by 2.0, round,
// add -1, saturate to [-128, 127]).

// CHECK-DAG:   #[[L:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG:   #[[R:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3, d1)>
// CHECK-DAG:   #[[GN4:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d1)>
// CHECK-DAG:   #[[ACC4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG:   #[[ACC3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[GN3:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG:   #[[OUT3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_groupwise_quantized
// CHECK-SAME:    (%[[A:.+]]: tensor<?x8xi8>, %[[W:.+]]: tensor<8x3xi4>) -> tensor<?x3xi8>
// CHECK-DAG:     %[[SCALES:.+]] = arith.constant dense<{{\[\[}}2.500000e-01, 1.250000e-01, 5.000000e-01], [2.500000e-01, 6.250000e-02, 5.000000e-01]]> : tensor<2x3xf32>
// CHECK-DAG:     %[[ZR:.+]] = arith.constant dense<{{\[\[}}0, 0, -1], [2, 0, 0]]> : tensor<2x3xi32>
// CHECK-DAG:     %[[ZA:.+]] = arith.constant 10 : i32
// CHECK-DAG:     %[[SO:.+]] = arith.constant 2.000000e+00 : f32
// CHECK-DAG:     %[[ZO:.+]] = arith.constant -1.000000e+00 : f32
// CHECK-DAG:     %[[F0:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[AG:.+]] = tensor.expand_shape %[[A]] {{\[\[}}0], [1, 2]] output_shape [%{{.+}}, 2, 4] : tensor<?x8xi8> into tensor<?x2x4xi8>
// CHECK:         %[[WG:.+]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2]] output_shape [2, 4, 3] : tensor<8x3xi4> into tensor<2x4x3xi4>
// CHECK:         %[[ACCS:.+]] = linalg.generic {indexing_maps = [#[[L]], #[[R]], #[[GN4]], #[[ACC4]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[AG]], %[[WG]], %[[ZR]] : tensor<?x2x4xi8>, tensor<2x4x3xi4>, tensor<2x3xi32>) outs(%{{.+}} : tensor<?x3x2xi32>)
// CHECK:         ^bb0(%[[X:.+]]: i8, %[[Y:.+]]: i4, %[[Z:.+]]: i32, %[[O:.+]]: i32):
// CHECK:           %[[XE:.+]] = arith.extui %[[X]] : i8 to i32
// CHECK:           %[[XC:.+]] = arith.subi %[[XE]], %[[ZA]] : i32
// CHECK:           %[[YE:.+]] = arith.extsi %[[Y]] : i4 to i32
// CHECK:           %[[YC:.+]] = arith.subi %[[YE]], %[[Z]] : i32
// CHECK:           %[[PR:.+]] = arith.muli %[[XC]], %[[YC]] : i32
// CHECK:           arith.addi %[[O]], %[[PR]] : i32
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[F0]] : f32) outs(%{{.+}} : tensor<?x3xf32>)
// CHECK:         %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ACC3]], #[[GN3]], #[[OUT3]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[ACCS]], %[[SCALES]] : tensor<?x3x2xi32>, tensor<2x3xf32>) outs(%[[INIT]] : tensor<?x3xf32>)
// CHECK:         ^bb0(%[[G:.+]]: i32, %[[GS:.+]]: f32, %[[YO:.+]]: f32):
// CHECK:           %[[GF:.+]] = arith.sitofp %[[G]] : i32 to f32
// CHECK:           %[[TERM:.+]] = arith.mulf %[[GF]], %[[GS]] : f32
// CHECK:           arith.addf %[[YO]], %[[TERM]] : f32
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[SUM]] : tensor<?x3xf32>) outs(%{{.+}} : tensor<?x3xi8>)
// CHECK:           arith.divf %{{.+}}, %[[SO]] : f32
// CHECK:           math.roundeven
// CHECK:           arith.addf %{{.+}}, %[[ZO]] : f32
// CHECK:           arith.fptosi %{{.+}} : f32 to i8
func.func @matmul_groupwise_quantized(%a: tensor<?x8x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<8x3x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5, 0.25, 1.0:-1}, {0.5:2, 0.125, 1.0}}>>) -> tensor<?x3x!quant.uniform<i8:f32, 2.0:-1>> {
  %y = qc.matmul %a, %w acc(i32) : tensor<?x8x!quant.uniform<u8:f32, 0.5:10>>, tensor<8x3x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5, 0.25, 1.0:-1}, {0.5:2, 0.125, 1.0}}>> -> tensor<?x3x!quant.uniform<i8:f32, 2.0:-1>>
  return %y : tensor<?x3x!quant.uniform<i8:f32, 2.0:-1>>
}

// -----

// Group-wise batch matmul with a per-row lhs_scale: symmetric weights need
// no zero-point subtraction, and each group's term is
// sitofp(acc_g) * (lhs_scale[b, m] * f32(s_r[g, n])).

// CHECK-DAG:   #[[LS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG:   #[[GN:.+]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-LABEL: func.func @batch_matmul_groupwise_lhs_scale
// CHECK-SAME:    (%[[A:.+]]: tensor<2x?x8xi8>, %[[S:.+]]: tensor<2x?xf32>, %[[W:.+]]: tensor<2x8x3xi4>) -> tensor<2x?x3xf32>
// CHECK-DAG:     %[[RS:.+]] = arith.constant dense<{{\[\[}}5.000000e-01, 2.500000e-01, 1.000000e+00], [5.000000e-01, 1.250000e-01, 1.000000e+00]]> : tensor<2x3xf32>
// CHECK:         tensor.expand_shape %[[A]] {{\[\[}}0], [1], [2, 3]]
// CHECK:         tensor.expand_shape %[[W]] {{\[\[}}0], [1, 2], [3]] output_shape [2, 2, 4, 3]
// CHECK:         %[[ACCS:.+]] = linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<2x?x3x2xi32>)
// CHECK-NOT:       arith.subi
// CHECK:         linalg.generic {indexing_maps = [#{{.+}}, #[[LS]], #[[GN]], #{{.+}}]
// CHECK-SAME:      ins(%[[ACCS]], %[[S]], %[[RS]] : tensor<2x?x3x2xi32>, tensor<2x?xf32>, tensor<2x3xf32>)
// CHECK:         ^bb0(%[[G:.+]]: i32, %[[L:.+]]: f32, %[[R:.+]]: f32, %[[O:.+]]: f32):
// CHECK:           %[[SC:.+]] = arith.mulf %[[L]], %[[R]] : f32
// CHECK:           %[[GF:.+]] = arith.sitofp %[[G]] : i32 to f32
// CHECK:           %[[T:.+]] = arith.mulf %[[GF]], %[[SC]] : f32
// CHECK:           arith.addf %[[O]], %[[T]] : f32
func.func @batch_matmul_groupwise_lhs_scale(%a: tensor<2x?x8xi8>, %s: tensor<2x?xf32>, %w: tensor<2x8x3x!quant.uniform<i4:f32:{1:4, 2:1}, {{{0.5, 0.25, 1.0}, {0.5, 0.125, 1.0}}}>>) -> tensor<2x?x3xf32> {
  %y = qc.batch_matmul %a, %w lhs_scale(%s : tensor<2x?xf32>) acc(i32) : tensor<2x?x8xi8>, tensor<2x8x3x!quant.uniform<i4:f32:{1:4, 2:1}, {{{0.5, 0.25, 1.0}, {0.5, 0.125, 1.0}}}>> -> tensor<2x?x3xf32>
  return %y : tensor<2x?x3xf32>
}

// -----

// linalg.transpose of quantized tensors (and the quantized tensor.empty of
// its init) becomes the same transpose of the storage tensors.

// CHECK-LABEL: func.func @transpose
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3xi8>) -> tensor<3x2xi8>
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<3x2xi8>
// CHECK:         %[[T:.+]] = linalg.transpose ins(%[[X]] : tensor<2x3xi8>) outs(%[[E]] : tensor<3x2xi8>) permutation = [1, 0]
// CHECK:         return %[[T]]
func.func @transpose(%x: tensor<2x3x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<3x2x!quant.uniform<u8:f32, 0.5:10>> {
  %e = tensor.empty() : tensor<3x2x!quant.uniform<u8:f32, 0.5:10>>
  %t = linalg.transpose ins(%x : tensor<2x3x!quant.uniform<u8:f32, 0.5:10>>) outs(%e : tensor<3x2x!quant.uniform<u8:f32, 0.5:10>>) permutation = [1, 0]
  return %t : tensor<3x2x!quant.uniform<u8:f32, 0.5:10>>
}

// -----

// Max-pooling cannot hold quantized elements (its body is arith), so
// qc-propagate-scales pools the storage integers between two quant.scast;
// the casts disappear and the pooling is kept as it is.

// CHECK-LABEL: func.func @max_pool_on_storage
// CHECK-SAME:    (%[[X:.+]]: tensor<1x2x4x4xi8>) -> tensor<1x2x2x2xi8>
// CHECK-NOT:     quant.scast
// CHECK:         %[[I:.+]] = linalg.fill
// CHECK:         %[[P:.+]] = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
// CHECK-SAME:      ins(%[[X]], %{{.+}} : tensor<1x2x4x4xi8>, tensor<2x2xf32>) outs(%[[I]] : tensor<1x2x2x2xi8>)
// CHECK:         return %[[P]]
func.func @max_pool_on_storage(%x: tensor<1x2x4x4x!quant.uniform<i8:f32:1, {0.5, 0.25}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>> {
  %s = quant.scast %x : tensor<1x2x4x4x!quant.uniform<i8:f32:1, {0.5, 0.25}>> to tensor<1x2x4x4xi8>
  %c = arith.constant -128 : i8
  %e = tensor.empty() : tensor<1x2x2x2xi8>
  %f = linalg.fill ins(%c : i8) outs(%e : tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8>
  %w = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%s, %w : tensor<1x2x4x4xi8>, tensor<2x2xf32>) outs(%f : tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8>
  %r = quant.scast %p : tensor<1x2x2x2xi8> to tensor<1x2x2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  return %r : tensor<1x2x2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
}

// -----

// Float ops without quantized types are left alone.

// CHECK-LABEL: func.func @float_untouched
// CHECK:         arith.addf
func.func @float_untouched(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// qc.smooth divides each channel of the last dimension by its factor; in
// front of a qc.quantize the division fuses into the quantize's loop.

// CHECK-LABEL: func.func @smooth
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3xf32>)
// CHECK:         %[[S:.+]] = arith.constant dense<[2.000000e+00, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[S]] : tensor<2x3xf32>, tensor<3xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[F:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[D:.+]] = arith.divf %[[IN]], %[[F]] : f32
// CHECK:           linalg.yield %[[D]] : f32
func.func @smooth(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = qc.smooth %x by [2.0, 0.5, 1.0] : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @smooth_then_quantize
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3xf32>)
// CHECK:         %[[S:.+]] = arith.constant dense<[2.000000e+00, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[S]] : tensor<2x3xf32>, tensor<3xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[F:.+]]: f32, %{{.+}}: i8):
// CHECK:           %[[D:.+]] = arith.divf %[[IN]], %[[F]] : f32
// CHECK:           arith.divf %[[D]], %{{.+}} : f32
// CHECK:           math.roundeven
// CHECK-NOT:     linalg.generic
func.func @smooth_then_quantize(%x: tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5>> {
  %y = qc.smooth %x by [2.0, 0.5, 1.0] : tensor<2x3xf32>
  %q = qc.quantize %y : tensor<2x3xf32> to tensor<2x3x!quant.uniform<i8:f32, 0.5>>
  return %q : tensor<2x3x!quant.uniform<i8:f32, 0.5>>
}

// -----

// A constant weight's column sums (for the lhs zero point 3) are computed at
// compile time: columns [1 - 2, 4 + 0, -128 + 127] = [-1, 4, -1], sign
// extended. No reduction over the weight is left.
// CHECK-LABEL: func.func @constant_rhs_column_sums
// CHECK-DAG:     %[[W:.+]] = arith.constant dense<{{\[}}[1, 4, -128], [-2, 0, 127]]> : tensor<2x3xi8>
// CHECK-DAG:     %[[CS:.+]] = arith.constant dense<[-1, 4, -1]> : tensor<3xi32>
// CHECK:         %[[P:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %[[W]] :
// CHECK-NOT:     ins(%[[W]] : tensor<2x3xi8>)
// CHECK:         linalg.generic {{.*}} ins(%[[P]], %[[CS]] : tensor<4x3xi32>, tensor<3xi32>)
func.func @constant_rhs_column_sums(%a: tensor<4x2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<4x3xf32> {
  %wc = arith.constant dense<[[1, 4, -128], [-2, 0, 127]]> : tensor<2x3xi8>
  %w = quant.scast %wc : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32, 0.25>>
  %y = qc.matmul %a, %w acc(i32) : tensor<4x2x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x3x!quant.uniform<i8:f32, 0.25>> -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}
