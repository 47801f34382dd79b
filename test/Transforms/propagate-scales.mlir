// RUN: qcomp-opt %s --split-input-file --qc-propagate-scales | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --qc-propagate-scales=fixed-point | FileCheck %s --check-prefix=FIXED

// qc-propagate-scales: quantize(dequantize), quantized contraction results,
// requantize chains and dead dequantizes. The ops it moves quantization
// across are tested in propagate-scales-ops.mlir, ReLU/clamp folding in
// propagate-scales-clamp.mlir.

// A round trip through float into the same type is the identity.
// CHECK-LABEL: func.func @quantize_dequantize_same_type
// CHECK-SAME:    (%[[X:.+]]: tensor<8x!quant.uniform<i8:f32, 1.000000e-01:2>>)
// CHECK-NOT:     qc.dequantize
// CHECK-NOT:     qc.quantize
// CHECK:         return %[[X]]
func.func @quantize_dequantize_same_type(%x: tensor<8x!quant.uniform<i8:f32, 0.1:2>>) -> tensor<8x!quant.uniform<i8:f32, 0.1:2>> {
  %f = qc.dequantize %x : tensor<8x!quant.uniform<i8:f32, 0.1:2>> to tensor<8xf32>
  %q = qc.quantize %f : tensor<8xf32> to tensor<8x!quant.uniform<i8:f32, 0.1:2>>
  return %q : tensor<8x!quant.uniform<i8:f32, 0.1:2>>
}

// -----

// Into another type it is one requantize.
// With fixed-point, the requantizations the pass creates are integer-only.
// FIXED-LABEL: func.func @quantize_dequantize_other_type
// FIXED:         qc.requantize %{{.*}} fixed_point :
// CHECK-LABEL: func.func @quantize_dequantize_other_type
// CHECK-SAME:    (%[[X:.+]]: tensor<8x!quant.uniform<i8:f32, 1.000000e-01:2>>)
// CHECK-NOT:     qc.dequantize
// CHECK:         %[[R:.+]] = qc.requantize %[[X]] : tensor<8x!quant.uniform<i8:f32, 1.000000e-01:2>> to tensor<8x!quant.uniform<u8:f32, 2.000000e-01:128>>
// CHECK-NOT:     qc.quantize
// CHECK:         return %[[R]]
func.func @quantize_dequantize_other_type(%x: tensor<8x!quant.uniform<i8:f32, 0.1:2>>) -> tensor<8x!quant.uniform<u8:f32, 0.2:128>> {
  %f = qc.dequantize %x : tensor<8x!quant.uniform<i8:f32, 0.1:2>> to tensor<8xf32>
  %q = qc.quantize %f : tensor<8xf32> to tensor<8x!quant.uniform<u8:f32, 0.2:128>>
  return %q : tensor<8x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

// Negative: per-axis types along different axes have no requantize between
// them, so the float round trip stays.
// CHECK-LABEL: func.func @quantize_dequantize_axes_differ
// CHECK:         %[[F:.+]] = qc.dequantize
// CHECK:         qc.quantize %[[F]]
// CHECK-NOT:     qc.requantize
func.func @quantize_dequantize_axes_differ(%x: tensor<2x2x!quant.uniform<i8:f32:0, {0.1, 0.2}>>) -> tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>> {
  %f = qc.dequantize %x : tensor<2x2x!quant.uniform<i8:f32:0, {0.1, 0.2}>> to tensor<2x2xf32>
  %q = qc.quantize %f : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return %q : tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
}

// -----

// A matmul whose float result is only quantized returns the quantized type.
// FIXED-LABEL: func.func @matmul_returns_quantized
// FIXED:         qc.matmul %{{.*}} acc(i32) fixed_point :
// CHECK-LABEL: func.func @matmul_returns_quantized
// CHECK-SAME:    (%[[A:.+]]: tensor<2x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>, %[[W:.+]]: tensor<8x4x
// CHECK:         %[[Y:.+]] = qc.matmul %[[A]], %[[W]] acc(i32) : {{.*}} -> tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01:4>>
// CHECK-NOT:     qc.quantize
// CHECK:         return %[[Y]]
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @matmul_returns_quantized(%a: tensor<2x8x!qa>, %w: tensor<8x4x!qw>) -> tensor<2x4x!quant.uniform<i8:f32, 0.1:4>> {
  %y = qc.matmul %a, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  %q = qc.quantize %y : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 0.1:4>>
  return %q : tensor<2x4x!quant.uniform<i8:f32, 0.1:4>>
}

// -----

// Likewise a batch matmul of two activations.
// CHECK-LABEL: func.func @batch_matmul_returns_quantized
// CHECK:         %[[Y:.+]] = qc.batch_matmul %{{.+}}, %{{.+}} acc(i32) : {{.*}} -> tensor<2x4x4x!quant.uniform<i8:f32, 2.000000e-01>>
// CHECK-NOT:     qc.quantize
// CHECK:         return %[[Y]]
func.func @batch_matmul_returns_quantized(%q: tensor<2x4x8x!quant.uniform<i8:f32, 0.02>>, %k: tensor<2x8x4x!quant.uniform<i8:f32, 0.03>>) -> tensor<2x4x4x!quant.uniform<i8:f32, 0.2>> {
  %y = qc.batch_matmul %q, %k acc(i32) : tensor<2x4x8x!quant.uniform<i8:f32, 0.02>>, tensor<2x8x4x!quant.uniform<i8:f32, 0.03>> -> tensor<2x4x4xf32>
  %r = qc.quantize %y : tensor<2x4x4xf32> to tensor<2x4x4x!quant.uniform<i8:f32, 0.2>>
  return %r : tensor<2x4x4x!quant.uniform<i8:f32, 0.2>>
}

// -----

// A convolution keeps its attributes and bias; its result may be per channel
// (dimension 1). Two identical quantizes of the result both use it.
// CHECK-LABEL: func.func @conv2d_returns_quantized
// CHECK-SAME:    (%[[X:.+]]: tensor<1x3x8x8x{{.+}}>, %[[W:.+]]: tensor<2x3x3x3x{{.+}}>, %[[B:.+]]: tensor<2xi32>)
// CHECK:         %[[Y:.+]] = qc.conv2d %[[X]], %[[W]] bias(%[[B]] : tensor<2xi32>) strides [2, 2] pads [1, 1, 1, 1] acc(i32) : {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01}>>
// CHECK-NOT:     qc.quantize
// CHECK:         return %[[Y]], %[[Y]]
!qi = !quant.uniform<u8:f32, 0.02:128>
!qf = !quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>
!qo = !quant.uniform<i8:f32:1, {0.1, 0.2}>
func.func @conv2d_returns_quantized(%x: tensor<1x3x8x8x!qi>, %w: tensor<2x3x3x3x!qf>, %b: tensor<2xi32>) -> (tensor<1x2x4x4x!qo>, tensor<1x2x4x4x!qo>) {
  %y = qc.conv2d %x, %w bias(%b : tensor<2xi32>) strides [2, 2] pads [1, 1, 1, 1] acc(i32) : tensor<1x3x8x8x!qi>, tensor<2x3x3x3x!qf> -> tensor<1x2x4x4xf32>
  %q1 = qc.quantize %y : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!qo>
  %q2 = qc.quantize %y : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!qo>
  return %q1, %q2 : tensor<1x2x4x4x!qo>, tensor<1x2x4x4x!qo>
}

// -----

// Negative: the float result is also used by a float op, which must keep
// seeing the dequantized accumulator.
// CHECK-LABEL: func.func @matmul_float_use
// CHECK:         %[[Y:.+]] = qc.matmul {{.*}} -> tensor<2x4xf32>
// CHECK:         qc.quantize %[[Y]]
// CHECK:         linalg.exp ins(%[[Y]]
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @matmul_float_use(%a: tensor<2x8x!qa>, %w: tensor<8x4x!qw>) -> (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<2x4xf32>) {
  %y = qc.matmul %a, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  %q = qc.quantize %y : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 0.1>>
  %e = tensor.empty() : tensor<2x4xf32>
  %x = linalg.exp ins(%y : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %q, %x : tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<2x4xf32>
}

// -----

// Negative: quantizes of the result to two different types.
// CHECK-LABEL: func.func @matmul_two_types
// CHECK:         %[[Y:.+]] = qc.matmul {{.*}} -> tensor<2x4xf32>
// CHECK:         qc.quantize %[[Y]] : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK:         qc.quantize %[[Y]] : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 2.000000e-01>>
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @matmul_two_types(%a: tensor<2x8x!qa>, %w: tensor<8x4x!qw>) -> (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<2x4x!quant.uniform<i8:f32, 0.2>>) {
  %y = qc.matmul %a, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  %q1 = qc.quantize %y : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 0.1>>
  %q2 = qc.quantize %y : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 0.2>>
  return %q1, %q2 : tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<2x4x!quant.uniform<i8:f32, 0.2>>
}

// -----

// Negative: the verifier rejects a result quantized along M (dimension 0),
// so the matmul keeps returning float (and no diagnostic is printed).
// CHECK-LABEL: func.func @matmul_result_axis_rejected
// CHECK:         %[[Y:.+]] = qc.matmul {{.*}} -> tensor<2x4xf32>
// CHECK:         qc.quantize %[[Y]] : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01}>>
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @matmul_result_axis_rejected(%a: tensor<2x8x!qa>, %w: tensor<8x4x!qw>) -> tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2}>> {
  %y = qc.matmul %a, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  %q = qc.quantize %y : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
  return %q : tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
}

// -----

// Negative: with a run-time activation scale (lhs_scale) the result must be
// float.
// CHECK-LABEL: func.func @matmul_dynamic_lhs
// CHECK:         %[[Y:.+]] = qc.matmul %{{.+}}, %{{.+}} lhs_scale({{.*}} -> tensor<2x4xf32>
// CHECK:         qc.quantize %[[Y]]
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @matmul_dynamic_lhs(%x: tensor<2x8xf32>, %w: tensor<8x4x!qw>) -> tensor<2x4x!quant.uniform<i8:f32, 0.1>> {
  %q, %s = qc.dynamic_quantize %x per_row : tensor<2x8xf32> to tensor<2x8xi8>, tensor<2xf32>
  %y = qc.matmul %q, %w lhs_scale(%s : tensor<2xf32>) acc(i32) : tensor<2x8xi8>, tensor<8x4x!qw> -> tensor<2x4xf32>
  %r = qc.quantize %y : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 0.1>>
  return %r : tensor<2x4x!quant.uniform<i8:f32, 0.1>>
}

// -----

// Two requantizes fold into one; fixed_point is kept when either had it.
// CHECK-LABEL: func.func @requantize_chain
// CHECK-SAME:    (%[[X:.+]]: tensor<8x!quant.uniform<i8:f32, 1.000000e-01>>)
// CHECK:         %[[R:.+]] = qc.requantize %[[X]] fixed_point : tensor<8x!quant.uniform<i8:f32, 1.000000e-01>> to tensor<8x!quant.uniform<i8:f32, 3.000000e-01:1>>
// CHECK-NEXT:    return %[[R]]
func.func @requantize_chain(%x: tensor<8x!quant.uniform<i8:f32, 0.1>>) -> tensor<8x!quant.uniform<i8:f32, 0.3:1>> {
  %a = qc.requantize %x : tensor<8x!quant.uniform<i8:f32, 0.1>> to tensor<8x!quant.uniform<i8:f32, 0.2>>
  %b = qc.requantize %a fixed_point : tensor<8x!quant.uniform<i8:f32, 0.2>> to tensor<8x!quant.uniform<i8:f32, 0.3:1>>
  return %b : tensor<8x!quant.uniform<i8:f32, 0.3:1>>
}

// -----

// A chain back to the input type folds away entirely.
// CHECK-LABEL: func.func @requantize_chain_round_trip
// CHECK-SAME:    (%[[X:.+]]: tensor<8x!quant.uniform<i8:f32, 1.000000e-01>>)
// CHECK-NEXT:    return %[[X]]
func.func @requantize_chain_round_trip(%x: tensor<8x!quant.uniform<i8:f32, 0.1>>) -> tensor<8x!quant.uniform<i8:f32, 0.1>> {
  %a = qc.requantize %x : tensor<8x!quant.uniform<i8:f32, 0.1>> to tensor<8x!quant.uniform<i8:f32, 0.2>>
  %b = qc.requantize %a : tensor<8x!quant.uniform<i8:f32, 0.2>> to tensor<8x!quant.uniform<i8:f32, 0.1>>
  return %b : tensor<8x!quant.uniform<i8:f32, 0.1>>
}

// -----

// Negative: the intermediate range [0, 127] (a folded ReLU) clips values
// that both outer types hold; folding would drop the ReLU.
// CHECK-LABEL: func.func @requantize_chain_narrow_middle
// CHECK:         %[[A:.+]] = qc.requantize %{{.+}} : {{.*}} to tensor<8x!quant.uniform<i8<0:127>:f32, 1.000000e-01>>
// CHECK:         qc.requantize %[[A]]
func.func @requantize_chain_narrow_middle(%x: tensor<8x!quant.uniform<i8:f32, 0.1>>) -> tensor<8x!quant.uniform<i8:f32, 0.2>> {
  %a = qc.requantize %x : tensor<8x!quant.uniform<i8:f32, 0.1>> to tensor<8x!quant.uniform<i8<0:127>:f32, 0.1>>
  %b = qc.requantize %a : tensor<8x!quant.uniform<i8<0:127>:f32, 0.1>> to tensor<8x!quant.uniform<i8:f32, 0.2>>
  return %b : tensor<8x!quant.uniform<i8:f32, 0.2>>
}

// -----

// Negative: no single requantize goes from axis 0 to axis 1.
// CHECK-LABEL: func.func @requantize_chain_axes
// CHECK:         %[[A:.+]] = qc.requantize %{{.+}} : {{.*}} to tensor<2x2x!quant.uniform<i8:f32, 2.000000e-01>>
// CHECK:         qc.requantize %[[A]]
func.func @requantize_chain_axes(%x: tensor<2x2x!quant.uniform<i8:f32:0, {0.1, 0.2}>>) -> tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>> {
  %a = qc.requantize %x : tensor<2x2x!quant.uniform<i8:f32:0, {0.1, 0.2}>> to tensor<2x2x!quant.uniform<i8:f32, 0.2>>
  %b = qc.requantize %a : tensor<2x2x!quant.uniform<i8:f32, 0.2>> to tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return %b : tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
}

// -----

// A dequantize without uses is erased.
// CHECK-LABEL: func.func @dead_dequantize
// CHECK-NOT:     qc.dequantize
// CHECK:         return
func.func @dead_dequantize(%x: tensor<8x!quant.uniform<i8:f32, 0.1>>) {
  %f = qc.dequantize %x : tensor<8x!quant.uniform<i8:f32, 0.1>> to tensor<8xf32>
  return
}

// -----

// The rules together on a CNN block as qc-quantize leaves it: conv -> ReLU
// -> max-pool -> conv. The ReLU folds into the first conv's result range,
// the conv returns int8, max-pooling runs on the storage integers and the
// second conv reads them: no float tensor is left between the convs.
// CHECK-LABEL: func.func @cnn_block
// CHECK-DAG:     %[[LOWEST:.+]] = arith.constant -128 : i8
// CHECK:         %[[C1:.+]] = qc.conv2d {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8<-5:127>:f32, 5.000000e-02:-5>>
// CHECK:         %[[S:.+]] = quant.scast %[[C1]] : tensor<1x2x4x4x!quant.uniform<i8<-5:127>:f32, 5.000000e-02:-5>> to tensor<1x2x4x4xi8>
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[LOWEST]] : i8) outs(%{{.+}} : tensor<1x2x2x2xi8>)
// CHECK:         %[[P:.+]] = linalg.pooling_nchw_max {{.*}} ins(%[[S]], %{{.+}} : tensor<1x2x4x4xi8>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x2x2x2xi8>)
// CHECK:         %[[PQ:.+]] = quant.scast %[[P]] : tensor<1x2x2x2xi8> to tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-02:-5>>
// CHECK:         %[[C2:.+]] = qc.conv2d %[[PQ]], {{.*}} -> tensor<1x2x1x1xf32>
// CHECK-NOT:     qc.quantize
// CHECK-NOT:     qc.dequantize
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[C2]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
!qx = !quant.uniform<i8:f32, 0.02:3>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>
!qa = !quant.uniform<i8:f32, 0.05:-5>
func.func @cnn_block(%x: tensor<1x3x6x6x!qx>, %w1: tensor<2x3x3x3x!qw>, %w2: tensor<2x2x2x2x!qw>) -> tensor<1x2x1x1xf32> {
  %y = qc.conv2d %x, %w1 acc(i32) : tensor<1x3x6x6x!qx>, tensor<2x3x3x3x!qw> -> tensor<1x2x4x4xf32>
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y : tensor<1x2x4x4xf32>) outs(%e : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %pe = tensor.empty() : tensor<1x2x2x2xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%pe : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%r, %window : tensor<1x2x4x4xf32>, tensor<2x2xf32>) outs(%init : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %q = qc.quantize %p : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!qa>
  %z = qc.conv2d %q, %w2 acc(i32) : tensor<1x2x2x2x!qa>, tensor<2x2x2x2x!qw> -> tensor<1x2x1x1xf32>
  return %z : tensor<1x2x1x1xf32>
}
