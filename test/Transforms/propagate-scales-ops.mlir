// RUN: qcomp-opt %s --split-input-file --qc-propagate-scales | FileCheck %s

// qc-propagate-scales across value-preserving ops: qc.quantize moves
// backwards (above the op), qc.dequantize forwards (below it).

// CHECK-LABEL: func.func @expand_shape_backward
// CHECK-SAME:    (%[[Y:.+]]: tensor<4x16xf32>)
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<4x16xf32> to tensor<4x16x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK:         %[[R:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0], [1, 2]] output_shape [4, 2, 8] : tensor<4x16x!quant.uniform<i8:f32, 1.000000e-01>> into tensor<4x2x8x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK:         return %[[R]]
func.func @expand_shape_backward(%y: tensor<4x16xf32>) -> tensor<4x2x8x!quant.uniform<i8:f32, 0.1>> {
  %r = tensor.expand_shape %y [[0], [1, 2]] output_shape [4, 2, 8] : tensor<4x16xf32> into tensor<4x2x8xf32>
  %q = qc.quantize %r : tensor<4x2x8xf32> to tensor<4x2x8x!quant.uniform<i8:f32, 0.1>>
  return %q : tensor<4x2x8x!quant.uniform<i8:f32, 0.1>>
}

// -----

// A per-axis type crosses a reshape that keeps its axis in place.
// CHECK-LABEL: func.func @collapse_shape_backward_per_axis
// CHECK-SAME:    (%[[Y:.+]]: tensor<4x2x1xf32>)
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<4x2x1xf32> to tensor<4x2x1x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01}>>
// CHECK:         %[[R:.+]] = tensor.collapse_shape %[[Q]] {{\[}}[0], [1, 2]]
// CHECK:         return %[[R]]
func.func @collapse_shape_backward_per_axis(%y: tensor<4x2x1xf32>) -> tensor<4x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>> {
  %r = tensor.collapse_shape %y [[0], [1, 2]] : tensor<4x2x1xf32> into tensor<4x2xf32>
  %q = qc.quantize %r : tensor<4x2xf32> to tensor<4x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return %q : tensor<4x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
}

// -----

// Negative: the quantized axis is merged from two dimensions; no per-axis
// type describes the source.
// CHECK-LABEL: func.func @collapse_shape_merges_axis
// CHECK:         %[[R:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : tensor<2x2x2xf32> into tensor<4x2xf32>
// CHECK:         qc.quantize %[[R]]
func.func @collapse_shape_merges_axis(%y: tensor<2x2x2xf32>) -> tensor<4x2x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>> {
  %r = tensor.collapse_shape %y [[0, 1], [2]] : tensor<2x2x2xf32> into tensor<4x2xf32>
  %q = qc.quantize %r : tensor<4x2xf32> to tensor<4x2x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>
  return %q : tensor<4x2x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>
}

// -----

// Negative: a reshape whose float result has another (float) consumer stays
// float: quantizing above it would need the float value anyway.
// CHECK-LABEL: func.func @reshape_two_consumers
// CHECK:         %[[R:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<4x16xf32> into tensor<64xf32>
// CHECK:         %[[Q:.+]] = qc.quantize %[[R]]
// CHECK:         return %[[Q]], %[[R]]
func.func @reshape_two_consumers(%y: tensor<4x16xf32>) -> (tensor<64x!quant.uniform<i8:f32, 0.1>>, tensor<64xf32>) {
  %r = tensor.collapse_shape %y [[0, 1]] : tensor<4x16xf32> into tensor<64xf32>
  %q = qc.quantize %r : tensor<64xf32> to tensor<64x!quant.uniform<i8:f32, 0.1>>
  return %q, %r : tensor<64x!quant.uniform<i8:f32, 0.1>>, tensor<64xf32>
}

// -----

// A transpose gets a quantized init.
// CHECK-LABEL: func.func @transpose_backward
// CHECK-SAME:    (%[[Y:.+]]: tensor<2x8xf32>)
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<2x8xf32> to tensor<2x8x!quant.uniform<i8:f32, 1.000000e-01:3>>
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<8x2x!quant.uniform<i8:f32, 1.000000e-01:3>>
// CHECK:         %[[T:.+]] = linalg.transpose ins(%[[Q]] : {{.*}}) outs(%[[E]] : {{.*}}) permutation = [1, 0]
// CHECK:         return %[[T]]
func.func @transpose_backward(%y: tensor<2x8xf32>) -> tensor<8x2x!quant.uniform<i8:f32, 0.1:3>> {
  %e = tensor.empty() : tensor<8x2xf32>
  %t = linalg.transpose ins(%y : tensor<2x8xf32>) outs(%e : tensor<8x2xf32>) permutation = [1, 0]
  %q = qc.quantize %t : tensor<8x2xf32> to tensor<8x2x!quant.uniform<i8:f32, 0.1:3>>
  return %q : tensor<8x2x!quant.uniform<i8:f32, 0.1:3>>
}

// -----

// A per-axis type crosses a transpose that leaves its axis in place.
// CHECK-LABEL: func.func @transpose_keeps_axis
// CHECK-SAME:    (%[[Y:.+]]: tensor<2x3x4xf32>)
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<2x3x4xf32> to tensor<2x3x4x!quant.uniform<i8:f32:2, {1.000000e-01,2.000000e-01,3.000000e-01,4.000000e-01}>>
// CHECK:         %[[T:.+]] = linalg.transpose ins(%[[Q]] : {{.*}}) outs(%{{.+}} : tensor<3x2x4x!quant.uniform<i8:f32:2, {{.*}}>>) permutation = [1, 0, 2]
// CHECK:         return %[[T]]
!qo = !quant.uniform<i8:f32:2, {0.1, 0.2, 0.3, 0.4}>
func.func @transpose_keeps_axis(%y: tensor<2x3x4xf32>) -> tensor<3x2x4x!qo> {
  %e = tensor.empty() : tensor<3x2x4xf32>
  %t = linalg.transpose ins(%y : tensor<2x3x4xf32>) outs(%e : tensor<3x2x4xf32>) permutation = [1, 0, 2]
  %q = qc.quantize %t : tensor<3x2x4xf32> to tensor<3x2x4x!qo>
  return %q : tensor<3x2x4x!qo>
}

// -----

// Negative: the transpose moves the quantized axis (result dimension 0 is
// input dimension 2). Tensor and linalg ops keep their element type, so the
// axis index cannot follow the dimension: the quantize stays below.
// CHECK-LABEL: func.func @transpose_moves_axis
// CHECK:         %[[T:.+]] = linalg.transpose ins(%{{.+}} : tensor<2x3x4xf32>)
// CHECK:         qc.quantize %[[T]] : tensor<4x2x3xf32> to tensor<4x2x3x!quant.uniform<i8:f32:0, {{.*}}>>
!qo = !quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>
func.func @transpose_moves_axis(%y: tensor<2x3x4xf32>) -> tensor<4x2x3x!qo> {
  %e = tensor.empty() : tensor<4x2x3xf32>
  %t = linalg.transpose ins(%y : tensor<2x3x4xf32>) outs(%e : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %q = qc.quantize %t : tensor<4x2x3xf32> to tensor<4x2x3x!qo>
  return %q : tensor<4x2x3x!qo>
}

// -----

// A (rank-reducing) slice: the whole source is quantized.
// CHECK-LABEL: func.func @extract_slice_backward
// CHECK-SAME:    (%[[Y:.+]]: tensor<4x16xf32>)
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<4x16xf32> to tensor<4x16x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK:         %[[S:.+]] = tensor.extract_slice %[[Q]][1, 4] [1, 8] [1, 1] : tensor<4x16x!quant.uniform<i8:f32, 1.000000e-01>> to tensor<8x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK:         return %[[S]]
func.func @extract_slice_backward(%y: tensor<4x16xf32>) -> tensor<8x!quant.uniform<i8:f32, 0.1>> {
  %s = tensor.extract_slice %y[1, 4] [1, 8] [1, 1] : tensor<4x16xf32> to tensor<8xf32>
  %q = qc.quantize %s : tensor<8xf32> to tensor<8x!quant.uniform<i8:f32, 0.1>>
  return %q : tensor<8x!quant.uniform<i8:f32, 0.1>>
}

// -----

// Negative: the slice cuts the quantized axis (its scales would change).
// CHECK-LABEL: func.func @extract_slice_cuts_axis
// CHECK:         %[[S:.+]] = tensor.extract_slice %{{.+}}[0, 0] [2, 2] [1, 1] : tensor<2x4xf32> to tensor<2x2xf32>
// CHECK:         qc.quantize %[[S]]
func.func @extract_slice_cuts_axis(%y: tensor<2x4xf32>) -> tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>> {
  %s = tensor.extract_slice %y[0, 0] [2, 2] [1, 1] : tensor<2x4xf32> to tensor<2x2xf32>
  %q = qc.quantize %s : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return %q : tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
}

// -----

// Concatenation needs one scale on all operands: every operand is quantized
// with the result type, which becomes a requantize for an operand that was
// dequantized from another type and disappears for one of the same type.
// CHECK-LABEL: func.func @concat_backward
// CHECK-SAME:    (%[[A:.+]]: tensor<2x4x!quant.uniform<i8:f32, 2.000000e-01:1>>, %[[B:.+]]: tensor<3x4xf32>, %[[C:.+]]: tensor<1x4x!quant.uniform<i8:f32, 1.000000e-01>>)
// CHECK-DAG:     %[[AQ:.+]] = qc.requantize %[[A]] : tensor<2x4x!quant.uniform<i8:f32, 2.000000e-01:1>> to tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK-DAG:     %[[BQ:.+]] = qc.quantize %[[B]] : tensor<3x4xf32> to tensor<3x4x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK:         %[[R:.+]] = tensor.concat dim(0) %[[AQ]], %[[BQ]], %[[C]] : {{.*}} -> tensor<6x4x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK-NOT:     qc.dequantize
// CHECK:         return %[[R]]
func.func @concat_backward(%a: tensor<2x4x!quant.uniform<i8:f32, 0.2:1>>, %b: tensor<3x4xf32>, %c: tensor<1x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<6x4x!quant.uniform<i8:f32, 0.1>> {
  %af = qc.dequantize %a : tensor<2x4x!quant.uniform<i8:f32, 0.2:1>> to tensor<2x4xf32>
  %cf = qc.dequantize %c : tensor<1x4x!quant.uniform<i8:f32, 0.1>> to tensor<1x4xf32>
  %r = tensor.concat dim(0) %af, %b, %cf : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<6x4xf32>
  %q = qc.quantize %r : tensor<6x4xf32> to tensor<6x4x!quant.uniform<i8:f32, 0.1>>
  return %q : tensor<6x4x!quant.uniform<i8:f32, 0.1>>
}

// -----

// Max-pooling cannot hold quantized elements: it runs on the storage
// integers, with the -inf init quantized to qmin.
// CHECK-LABEL: func.func @pooling_backward
// CHECK-SAME:    (%[[Y:.+]]: tensor<1x2x4x4xf32>)
// CHECK-DAG:     %[[LOWEST:.+]] = arith.constant -128 : i8
// CHECK-DAG:     %[[WIN:.+]] = tensor.empty() : tensor<2x2xf32>
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e-01:-5>>
// CHECK:         %[[S:.+]] = quant.scast %[[Q]] : tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e-01:-5>> to tensor<1x2x4x4xi8>
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<1x2x2x2xi8>
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[LOWEST]] : i8) outs(%[[E]] : tensor<1x2x2x2xi8>)
// CHECK:         %[[P:.+]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[S]], %[[WIN]] : tensor<1x2x4x4xi8>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x2x2x2xi8>)
// CHECK:         %[[R:.+]] = quant.scast %[[P]] : tensor<1x2x2x2xi8> to tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e-01:-5>>
// CHECK:         return %[[R]]
func.func @pooling_backward(%y: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1:-5>> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %i = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%y, %k : tensor<1x2x4x4xf32>, tensor<2x2xf32>) outs(%i : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %q = qc.quantize %p : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1:-5>>
  return %q : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1:-5>>
}

// -----

// Negative: the integer max-pooling compares signed values; unsigned
// storage stays float.
// CHECK-LABEL: func.func @pooling_unsigned
// CHECK:         %[[P:.+]] = linalg.pooling_nchw_max {{.*}} -> tensor<1x2x2x2xf32>
// CHECK:         qc.quantize %[[P]]
func.func @pooling_unsigned(%y: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:128>> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %i = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%y, %k : tensor<1x2x4x4xf32>, tensor<2x2xf32>) outs(%i : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %q = qc.quantize %p : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:128>>
  return %q : tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:128>>
}

// -----

// Padding with a constant pads the storage integers with its quantized value
// (0.0 -> the zero point).
// CHECK-LABEL: func.func @pad_backward
// CHECK-SAME:    (%[[Y:.+]]: tensor<1x2x4x4xf32>)
// CHECK-DAG:     %[[ZP:.+]] = arith.constant -5 : i8
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e-01:-5>>
// CHECK:         %[[S:.+]] = quant.scast %[[Q]] : {{.*}} to tensor<1x2x4x4xi8>
// CHECK:         %[[P:.+]] = tensor.pad %[[S]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:           tensor.yield %[[ZP]] : i8
// CHECK:         } : tensor<1x2x4x4xi8> to tensor<1x2x6x6xi8>
// CHECK:         %[[R:.+]] = quant.scast %[[P]] : tensor<1x2x6x6xi8> to tensor<1x2x6x6x!quant.uniform<i8:f32, 1.000000e-01:-5>>
// CHECK:         return %[[R]]
func.func @pad_backward(%y: tensor<1x2x4x4xf32>) -> tensor<1x2x6x6x!quant.uniform<i8:f32, 0.1:-5>> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %y low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  %q = qc.quantize %p : tensor<1x2x6x6xf32> to tensor<1x2x6x6x!quant.uniform<i8:f32, 0.1:-5>>
  return %q : tensor<1x2x6x6x!quant.uniform<i8:f32, 0.1:-5>>
}

// -----

// Negative: ops that change values stop propagation: the quantizes after an
// add, an exp and a reduction stay where they are.
// CHECK-LABEL: func.func @value_changing_ops
// CHECK:         %[[F:.+]] = qc.dequantize
// CHECK:         %[[ADD:.+]] = linalg.add ins(%[[F]], %{{.+}} :
// CHECK:         qc.quantize %[[ADD]]
// CHECK:         %[[EXP:.+]] = linalg.exp ins(%[[F]] :
// CHECK:         qc.quantize %[[EXP]]
// CHECK:         %[[SUM:.+]] = linalg.reduce ins(%[[F]] :
// CHECK:         qc.quantize %[[SUM]]
!q = !quant.uniform<i8:f32, 0.1:-5>
func.func @value_changing_ops(%x: tensor<4x!q>, %y: tensor<4xf32>) -> (tensor<4x!q>, tensor<4x!q>, tensor<!q>) {
  %f = qc.dequantize %x : tensor<4x!q> to tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %add = linalg.add ins(%f, %y : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %qa = qc.quantize %add : tensor<4xf32> to tensor<4x!q>
  %exp = linalg.exp ins(%f : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %qe = qc.quantize %exp : tensor<4xf32> to tensor<4x!q>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%f : tensor<4xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %qs = qc.quantize %sum : tensor<f32> to tensor<!q>
  return %qa, %qe, %qs : tensor<4x!q>, tensor<4x!q>, tensor<!q>
}

// -----

// Forwards: the dequantize moves below a transpose and a slice, to the next
// float consumer (here the return).
// CHECK-LABEL: func.func @dequantize_forward
// CHECK-SAME:    (%[[X:.+]]: tensor<4x16x!quant.uniform<i8:f32, 1.000000e-01:-5>>)
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<16x4x!quant.uniform<i8:f32, 1.000000e-01:-5>>
// CHECK:         %[[T:.+]] = linalg.transpose ins(%[[X]] : {{.*}}) outs(%[[E]] : {{.*}}) permutation = [1, 0]
// CHECK:         %[[S:.+]] = tensor.extract_slice %[[T]][0, 0] [8, 4] [1, 1] : tensor<16x4x!quant.uniform<i8:f32, 1.000000e-01:-5>> to tensor<8x4x!quant.uniform<i8:f32, 1.000000e-01:-5>>
// CHECK:         %[[F:.+]] = qc.dequantize %[[S]] : tensor<8x4x!quant.uniform<i8:f32, 1.000000e-01:-5>> to tensor<8x4xf32>
// CHECK-NEXT:    return %[[F]]
!q = !quant.uniform<i8:f32, 0.1:-5>
func.func @dequantize_forward(%x: tensor<4x16x!q>) -> tensor<8x4xf32> {
  %f = qc.dequantize %x : tensor<4x16x!q> to tensor<4x16xf32>
  %e = tensor.empty() : tensor<16x4xf32>
  %t = linalg.transpose ins(%f : tensor<4x16xf32>) outs(%e : tensor<16x4xf32>) permutation = [1, 0]
  %s = tensor.extract_slice %t[0, 0] [8, 4] [1, 1] : tensor<16x4xf32> to tensor<8x4xf32>
  return %s : tensor<8x4xf32>
}

// -----

// A dequantize moves below a reshape even when it has other uses (it stays
// for them).
// CHECK-LABEL: func.func @dequantize_forward_reshape
// CHECK-SAME:    (%[[X:.+]]: tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01>>)
// CHECK-DAG:     %[[F:.+]] = qc.dequantize %[[X]] : {{.*}} to tensor<2x4xf32>
// CHECK-DAG:     %[[C:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01>> into tensor<8x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK-DAG:     %[[G:.+]] = qc.dequantize %[[C]] : {{.*}} to tensor<8xf32>
// CHECK:         return %[[F]], %[[G]]
func.func @dequantize_forward_reshape(%x: tensor<2x4x!quant.uniform<i8:f32, 0.1>>) -> (tensor<2x4xf32>, tensor<8xf32>) {
  %f = qc.dequantize %x : tensor<2x4x!quant.uniform<i8:f32, 0.1>> to tensor<2x4xf32>
  %c = tensor.collapse_shape %f [[0, 1]] : tensor<2x4xf32> into tensor<8xf32>
  return %f, %c : tensor<2x4xf32>, tensor<8xf32>
}

// -----

// Concatenation of dequantizes from one type concatenates the integers.
// CHECK-LABEL: func.func @concat_forward
// CHECK-SAME:    (%[[A:.+]]: tensor<2x4x{{.+}}>, %[[B:.+]]: tensor<3x4x{{.+}}>)
// CHECK:         %[[C:.+]] = tensor.concat dim(0) %[[A]], %[[B]] : {{.*}} -> tensor<5x4x!quant.uniform<i8:f32, 1.000000e-01:-5>>
// CHECK:         %[[F:.+]] = qc.dequantize %[[C]]
// CHECK-NEXT:    return %[[F]]
!q = !quant.uniform<i8:f32, 0.1:-5>
func.func @concat_forward(%a: tensor<2x4x!q>, %b: tensor<3x4x!q>) -> tensor<5x4xf32> {
  %af = qc.dequantize %a : tensor<2x4x!q> to tensor<2x4xf32>
  %bf = qc.dequantize %b : tensor<3x4x!q> to tensor<3x4xf32>
  %r = tensor.concat dim(0) %af, %bf : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  return %r : tensor<5x4xf32>
}

// -----

// Negative: operands dequantized from different types have no common scale;
// the float concatenation stays.
// CHECK-LABEL: func.func @concat_forward_types_differ
// CHECK:         %[[A:.+]] = qc.dequantize
// CHECK:         %[[B:.+]] = qc.dequantize
// CHECK:         tensor.concat dim(0) %[[A]], %[[B]] : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
func.func @concat_forward_types_differ(%a: tensor<2x4x!quant.uniform<i8:f32, 0.1:-5>>, %b: tensor<3x4x!quant.uniform<i8:f32, 0.2>>) -> tensor<5x4xf32> {
  %af = qc.dequantize %a : tensor<2x4x!quant.uniform<i8:f32, 0.1:-5>> to tensor<2x4xf32>
  %bf = qc.dequantize %b : tensor<3x4x!quant.uniform<i8:f32, 0.2>> to tensor<3x4xf32>
  %r = tensor.concat dim(0) %af, %bf : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  return %r : tensor<5x4xf32>
}

// -----

// Max-pooling forwards: -inf becomes qmin (every window holds an input).
// CHECK-LABEL: func.func @pooling_forward
// CHECK-SAME:    (%[[X:.+]]: tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e-01:-5>>)
// CHECK-DAG:     %[[LOWEST:.+]] = arith.constant -128 : i8
// CHECK:         %[[S:.+]] = quant.scast %[[X]] : {{.*}} to tensor<1x2x4x4xi8>
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[LOWEST]] : i8)
// CHECK:         %[[P:.+]] = linalg.pooling_nchw_max {{.*}} ins(%[[S]], %{{.+}} : tensor<1x2x4x4xi8>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x2x2x2xi8>)
// CHECK:         %[[R:.+]] = quant.scast %[[P]] : tensor<1x2x2x2xi8> to tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e-01:-5>>
// CHECK:         %[[F:.+]] = qc.dequantize %[[R]]
// CHECK-NEXT:    return %[[F]]
!q = !quant.uniform<i8:f32, 0.1:-5>
func.func @pooling_forward(%x: tensor<1x2x4x4x!q>) -> tensor<1x2x2x2xf32> {
  %f = qc.dequantize %x : tensor<1x2x4x4x!q> to tensor<1x2x4x4xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %i = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%f, %k : tensor<1x2x4x4xf32>, tensor<2x2xf32>) outs(%i : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %p : tensor<1x2x2x2xf32>
}

// -----

// Padding forwards needs a padding value that some integer dequantizes to
// exactly: 0.0 (the zero point) does; 1.0 does not at scale 0.3, so that pad
// stays float.
// CHECK-LABEL: func.func @pad_forward
// CHECK-SAME:    (%[[X:.+]]: tensor<2x2x!quant.uniform<i8:f32, 3.000000e-01:-5>>)
// CHECK-DAG:     %[[ZP:.+]] = arith.constant -5 : i8
// CHECK-DAG:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:     %[[F:.+]] = qc.dequantize %[[X]] : {{.*}} to tensor<2x2xf32>
// CHECK-DAG:     %[[S:.+]] = quant.scast %[[X]] : {{.*}} to tensor<2x2xi8>
// CHECK:         %[[P:.+]] = tensor.pad %[[S]] low[1, 1] high[1, 1]
// CHECK:           tensor.yield %[[ZP]] : i8
// CHECK:         %[[PQ:.+]] = quant.scast %[[P]] : tensor<4x4xi8> to tensor<4x4x!quant.uniform<i8:f32, 3.000000e-01:-5>>
// CHECK:         %[[G:.+]] = qc.dequantize %[[PQ]]
// CHECK:         %[[P1:.+]] = tensor.pad %[[F]] low[1, 1] high[1, 1]
// CHECK:           tensor.yield %[[ONE]] : f32
// CHECK:         return %[[G]], %[[P1]]
!q = !quant.uniform<i8:f32, 0.3:-5>
func.func @pad_forward(%x: tensor<2x2x!q>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %f = qc.dequantize %x : tensor<2x2x!q> to tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %p = tensor.pad %f low[1, 1] high[1, 1] {
  ^bb0(%i0: index, %i1: index):
    tensor.yield %zero : f32
  } : tensor<2x2xf32> to tensor<4x4xf32>
  %p1 = tensor.pad %f low[1, 1] high[1, 1] {
  ^bb0(%i0: index, %i1: index):
    tensor.yield %one : f32
  } : tensor<2x2xf32> to tensor<4x4xf32>
  return %p, %p1 : tensor<4x4xf32>, tensor<4x4xf32>
}
