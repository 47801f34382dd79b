// RUN: qcomp-opt %s | qcomp-opt | FileCheck %s
// RUN: qcomp-opt %s --mlir-print-op-generic | qcomp-opt | FileCheck %s

// Round trip of every qc op and attribute, in the custom form and in the
// generic form.

!a8 = !quant.uniform<u8:f32, 0.5:10>
!w8 = !quant.uniform<i8<-127:127>:f32:1, {0.25, 0.5:1, 1.0:-2}>
!o8 = !quant.uniform<i8:f32, 2.0:-1>
!g4 = !quant.uniform<i4:f32:{0:1,1:2}, {{0.5, 0.25}, {1.0, 2.0}}>

// CHECK-LABEL: func.func @observe
// CHECK-SAME:    (%[[X:.+]]: tensor<4x3xf32>)
// CHECK:         %[[Y:.+]] = qc.observe %[[X]] id "fc1.input" : tensor<4x3xf32>
// CHECK:         qc.observe %[[Y]] id "fc1.input.ch" channel_axis 1 : tensor<4x3xf32>
func.func @observe(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %y = qc.observe %x id "fc1.input" : tensor<4x3xf32>
  %z = qc.observe %y id "fc1.input.ch" channel_axis 1 : tensor<4x3xf32>
  return %z : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @quantize_dequantize
// CHECK:         %[[Q:.+]] = qc.quantize %{{.+}} : tensor<2x4xf32> to tensor<2x4x!quant.uniform<u8:f32, 5.000000e-01:10>>
// CHECK:         qc.dequantize %[[Q]] : tensor<2x4x!quant.uniform<u8:f32, 5.000000e-01:10>> to tensor<2x4xf32>
func.func @quantize_dequantize(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %q = qc.quantize %x : tensor<2x4xf32> to tensor<2x4x!a8>
  %d = qc.dequantize %q : tensor<2x4x!a8> to tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @sub_channel
// CHECK:         qc.quantize %{{.+}} : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{\{\{}}5.000000e-01, 2.500000e-01}, {1.000000e+00, 2.000000e+00}}>>
func.func @sub_channel(%x: tensor<2x4xf32>) -> tensor<2x4x!g4> {
  %q = qc.quantize %x : tensor<2x4xf32> to tensor<2x4x!g4>
  return %q : tensor<2x4x!g4>
}

// CHECK-LABEL: func.func @requantize
// CHECK:         %[[R:.+]] = qc.requantize %{{.+}} : tensor<8x!quant.uniform<u8:f32, 5.000000e-01:10>> to tensor<8x!quant.uniform<i8:f32, 2.000000e+00:-1>>
// CHECK:         qc.requantize %[[R]] fixed_point : tensor<8x!quant.uniform<i8:f32, 2.000000e+00:-1>> to tensor<8x!quant.uniform<u8:f32, 5.000000e-01:10>>
func.func @requantize(%q: tensor<8x!a8>) -> tensor<8x!a8> {
  %r = qc.requantize %q : tensor<8x!a8> to tensor<8x!o8>
  %s = qc.requantize %r fixed_point : tensor<8x!o8> to tensor<8x!a8>
  return %s : tensor<8x!a8>
}

// CHECK-LABEL: func.func @dynamic_quantize
// CHECK:         qc.dynamic_quantize %{{.+}} per_row : tensor<4x3xf32> to tensor<4x3xi8>, tensor<4xf32>
// CHECK:         qc.dynamic_quantize %{{.+}} per_tensor : tensor<4x3xf32> to tensor<4x3xui8>, tensor<f32>, tensor<ui8>
func.func @dynamic_quantize(%x: tensor<4x3xf32>) -> (tensor<4x3xi8>, tensor<4xf32>, tensor<4x3xui8>, tensor<f32>, tensor<ui8>) {
  %q, %s = qc.dynamic_quantize %x per_row : tensor<4x3xf32> to tensor<4x3xi8>, tensor<4xf32>
  %u, %t, %z = qc.dynamic_quantize %x per_tensor : tensor<4x3xf32> to tensor<4x3xui8>, tensor<f32>, tensor<ui8>
  return %q, %s, %u, %t, %z : tensor<4x3xi8>, tensor<4xf32>, tensor<4x3xui8>, tensor<f32>, tensor<ui8>
}

// CHECK-LABEL: func.func @matmul
// CHECK-SAME:    (%[[A:[^:]+]]: tensor<?x4x!quant.uniform<u8:f32, 5.000000e-01:10>>, %[[W:[^:]+]]: tensor<4x3x!quant.uniform<i8<-127:127>:f32:1, {2.500000e-01,5.000000e-01:1,1.000000e+00:-2}>>, %[[B:[^:]+]]: tensor<3xi32>)
// CHECK:         qc.matmul %[[A]], %[[W]] bias(%[[B]] : tensor<3xi32>) acc(i32) : {{.+}} -> tensor<?x3x!quant.uniform<i8:f32, 2.000000e+00:-1>>
// CHECK:         qc.matmul %[[A]], %[[W]] acc(i64) fixed_point : {{.+}} -> tensor<?x3x!quant.uniform<i8:f32, 2.000000e+00:-1>>
// CHECK:         qc.matmul %[[A]], %[[W]] acc(i32) : {{.+}} -> tensor<?x3xi32>
// CHECK:         qc.matmul %[[A]], %[[W]] acc(i32) : {{.+}} -> tensor<?x3xf32>
func.func @matmul(%a: tensor<?x4x!a8>, %w: tensor<4x3x!w8>, %b: tensor<3xi32>) -> (tensor<?x3x!o8>, tensor<?x3x!o8>, tensor<?x3xi32>, tensor<?x3xf32>) {
  %0 = qc.matmul %a, %w bias(%b : tensor<3xi32>) acc(i32) : tensor<?x4x!a8>, tensor<4x3x!w8> -> tensor<?x3x!o8>
  %1 = qc.matmul %a, %w acc(i64) fixed_point : tensor<?x4x!a8>, tensor<4x3x!w8> -> tensor<?x3x!o8>
  %2 = qc.matmul %a, %w acc(i32) : tensor<?x4x!a8>, tensor<4x3x!w8> -> tensor<?x3xi32>
  %3 = qc.matmul %a, %w acc(i32) : tensor<?x4x!a8>, tensor<4x3x!w8> -> tensor<?x3xf32>
  return %0, %1, %2, %3 : tensor<?x3x!o8>, tensor<?x3x!o8>, tensor<?x3xi32>, tensor<?x3xf32>
}

// CHECK-LABEL: func.func @batch_matmul
// CHECK:         qc.batch_matmul %{{.+}}, %{{.+}} acc(i32) : tensor<2x3x4x!quant.uniform<i8:f32, 2.000000e-02>>, tensor<2x4x5x!quant.uniform<i8:f32, 3.000000e-02>> -> tensor<2x3x5xf32>
func.func @batch_matmul(%q: tensor<2x3x4x!quant.uniform<i8:f32, 0.02>>, %k: tensor<2x4x5x!quant.uniform<i8:f32, 0.03>>) -> tensor<2x3x5xf32> {
  %0 = qc.batch_matmul %q, %k acc(i32) : tensor<2x3x4x!quant.uniform<i8:f32, 0.02>>, tensor<2x4x5x!quant.uniform<i8:f32, 0.03>> -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// CHECK-LABEL: func.func @unpack
// CHECK:         qc.unpack %{{.+}} : tensor<3x4xi8> to tensor<3x8x!quant.uniform<i4:f32:1, {{.+}}>>
// CHECK:         qc.unpack %{{.+}} : tensor<3x2xi8> to tensor<3x7x!quant.uniform<u2:f32, 5.000000e-01:1>>
// CHECK:         qc.unpack %{{.+}} : tensor<?x4xi8> to tensor<?x8x!quant.uniform<i4<-7:7>:f32, 2.500000e-01>>
func.func @unpack(%p: tensor<3x4xi8>, %r: tensor<3x2xi8>, %d: tensor<?x4xi8>) -> (tensor<3x8x!quant.uniform<i4:f32:1, {0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25}>>, tensor<3x7x!quant.uniform<u2:f32, 0.5:1>>, tensor<?x8x!quant.uniform<i4<-7:7>:f32, 0.25>>) {
  %0 = qc.unpack %p : tensor<3x4xi8> to tensor<3x8x!quant.uniform<i4:f32:1, {0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25}>>
  %1 = qc.unpack %r : tensor<3x2xi8> to tensor<3x7x!quant.uniform<u2:f32, 0.5:1>>
  %2 = qc.unpack %d : tensor<?x4xi8> to tensor<?x8x!quant.uniform<i4<-7:7>:f32, 0.25>>
  return %0, %1, %2 : tensor<3x8x!quant.uniform<i4:f32:1, {0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25}>>, tensor<3x7x!quant.uniform<u2:f32, 0.5:1>>, tensor<?x8x!quant.uniform<i4<-7:7>:f32, 0.25>>
}

// CHECK-LABEL: func.func @matmul_lhs_scale
// CHECK-SAME:    (%[[Q:[^:]+]]: tensor<?x4xi8>, %[[S:[^:]+]]: tensor<?xf32>, %[[T:[^:]+]]: tensor<f32>, %[[W:[^:]+]]: tensor<4x3x{{.+}}>, %[[B:[^:]+]]: tensor<2x?x4xi4>, %[[BS:[^:]+]]: tensor<2x?xf32>, %[[K:[^:]+]]: tensor<2x4x3x{{.+}}>)
// CHECK:         qc.matmul %[[Q]], %[[W]] lhs_scale(%[[S]] : tensor<?xf32>) acc(i32) : tensor<?x4xi8>, {{.+}} -> tensor<?x3xf32>
// CHECK:         qc.matmul %[[Q]], %[[W]] lhs_scale(%[[T]] : tensor<f32>) acc(i64) : tensor<?x4xi8>, {{.+}} -> tensor<?x3xf32>
// CHECK:         qc.batch_matmul %[[B]], %[[K]] lhs_scale(%[[BS]] : tensor<2x?xf32>) acc(i32) : tensor<2x?x4xi4>, {{.+}} -> tensor<2x?x3xf32>
func.func @matmul_lhs_scale(%q: tensor<?x4xi8>, %s: tensor<?xf32>, %t: tensor<f32>, %w: tensor<4x3x!w8>,
                            %b: tensor<2x?x4xi4>, %bs: tensor<2x?xf32>, %k: tensor<2x4x3x!quant.uniform<i8:f32, 0.03>>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<2x?x3xf32>) {
  %0 = qc.matmul %q, %w lhs_scale(%s : tensor<?xf32>) acc(i32) : tensor<?x4xi8>, tensor<4x3x!w8> -> tensor<?x3xf32>
  %1 = qc.matmul %q, %w lhs_scale(%t : tensor<f32>) acc(i64) : tensor<?x4xi8>, tensor<4x3x!w8> -> tensor<?x3xf32>
  %2 = qc.batch_matmul %b, %k lhs_scale(%bs : tensor<2x?xf32>) acc(i32) : tensor<2x?x4xi4>, tensor<2x4x3x!quant.uniform<i8:f32, 0.03>> -> tensor<2x?x3xf32>
  return %0, %1, %2 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<2x?x3xf32>
}

// Group-wise rhs: float or quantized result, with or without lhs_scale. The
// overflow bound uses the group size: K = 70000 u8 x i8 products could
// overflow i32 (see invalid.mlir), two groups of 35000 cannot.
// CHECK-LABEL: func.func @matmul_groupwise
// CHECK:         qc.matmul %{{.+}}, %{{.+}} acc(i32) : tensor<2x8x!quant.uniform<u8:f32, 5.000000e-01:10>>, tensor<8x3x!quant.uniform<i4:f32:{0:4, 1:1}, {{.+}}>> -> tensor<2x3xf32>
// CHECK:         qc.matmul %{{.+}}, %{{.+}} acc(i32) : {{.+}} -> tensor<2x3x!quant.uniform<i8:f32, 2.000000e+00:-1>>
// CHECK:         qc.matmul %{{.+}}, %{{.+}} lhs_scale(%{{.+}} : tensor<2xf32>) acc(i32) : tensor<2x8xi8>, {{.+}} -> tensor<2x3xf32>
// CHECK:         qc.matmul %{{.+}}, %{{.+}} acc(i32) : tensor<1x70000x!quant.uniform<u8:f32, 5.000000e-01>>, {{.+}} -> tensor<1x1xf32>
// CHECK:         qc.batch_matmul %{{.+}}, %{{.+}} acc(i32) : {{.+}} -> tensor<2x3x2xf32>
func.func @matmul_groupwise(%a: tensor<2x8x!a8>, %w: tensor<8x3x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5, 0.25, 1.0:-1}, {0.5:2, 0.125, 1.0}}>>,
                            %q: tensor<2x8xi8>, %s: tensor<2xf32>,
                            %l: tensor<1x70000x!quant.uniform<u8:f32, 0.5>>, %v: tensor<70000x1x!quant.uniform<i8:f32:{0:35000, 1:1}, {{0.5}, {0.25}}>>,
                            %ba: tensor<2x3x4x!quant.uniform<i8:f32, 0.5>>, %bw: tensor<2x4x2x!quant.uniform<i8:f32:{1:2}, {{{0.5}, {0.25}}}>>)
    -> (tensor<2x3xf32>, tensor<2x3x!o8>, tensor<2x3xf32>, tensor<1x1xf32>, tensor<2x3x2xf32>) {
  %0 = qc.matmul %a, %w acc(i32) : tensor<2x8x!a8>, tensor<8x3x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5, 0.25, 1.0:-1}, {0.5:2, 0.125, 1.0}}>> -> tensor<2x3xf32>
  %1 = qc.matmul %a, %w acc(i32) : tensor<2x8x!a8>, tensor<8x3x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5, 0.25, 1.0:-1}, {0.5:2, 0.125, 1.0}}>> -> tensor<2x3x!o8>
  %2 = qc.matmul %q, %w lhs_scale(%s : tensor<2xf32>) acc(i32) : tensor<2x8xi8>, tensor<8x3x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5, 0.25, 1.0:-1}, {0.5:2, 0.125, 1.0}}>> -> tensor<2x3xf32>
  %3 = qc.matmul %l, %v acc(i32) : tensor<1x70000x!quant.uniform<u8:f32, 0.5>>, tensor<70000x1x!quant.uniform<i8:f32:{0:35000, 1:1}, {{0.5}, {0.25}}>> -> tensor<1x1xf32>
  %4 = qc.batch_matmul %ba, %bw acc(i32) : tensor<2x3x4x!quant.uniform<i8:f32, 0.5>>, tensor<2x4x2x!quant.uniform<i8:f32:{1:2}, {{{0.5}, {0.25}}}>> -> tensor<2x3x2xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3x!o8>, tensor<2x3xf32>, tensor<1x1xf32>, tensor<2x3x2xf32>
}

// Default strides, pads, dilations and groups are omitted when printing.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME:    (%[[X:[^:]+]]: tensor<1x4x8x8x!quant.uniform<u8:f32, 5.000000e-01:10>>, %[[W:[^:]+]]: tensor<6x2x3x3x!quant.uniform<i8:f32:0, {{.+}}>>, %[[G:[^:]+]]: tensor<3x4x3x3x!quant.uniform<i8:f32, 2.500000e-01:-1>>, %[[B:[^:]+]]: tensor<6xi32>, %[[D:[^:]+]]: tensor<?x4x?x?x!quant.uniform<u8:f32, 5.000000e-01:10>>)
// CHECK:         qc.conv2d %[[X]], %[[W]] bias(%[[B]] : tensor<6xi32>) strides [2, 2] pads [1, 1, 1, 1] dilations [2, 1] groups 2 acc(i32) : tensor<1x4x8x8x!quant.uniform<u8:f32, 5.000000e-01:10>>, tensor<6x2x3x3x!quant.uniform<i8:f32:0, {{.+}}>> -> tensor<1x6x3x4x!quant.uniform<i8:f32, 2.000000e+00:-1>>
// CHECK:         qc.conv2d %[[X]], %[[W]] groups 2 acc(i64) fixed_point : {{.+}} -> tensor<1x6x6x6x!quant.uniform<i8:f32:1, {{.+}}>>
// CHECK:         qc.conv2d %[[X]], %[[G]] acc(i32) : {{.+}} -> tensor<1x3x6x6xi32>
// CHECK:         qc.conv2d %[[X]], %[[G]] pads [0, 1, 2, 0] acc(i32) : {{.+}} -> tensor<1x3x8x7xf32>
// CHECK:         qc.conv2d %[[D]], %[[G]] strides [1, 2] acc(i32) : tensor<?x4x?x?x!quant.uniform<u8:f32, 5.000000e-01:10>>, {{.+}} -> tensor<?x3x?x?xf32>
func.func @conv2d(%x: tensor<1x4x8x8x!a8>, %w: tensor<6x2x3x3x!quant.uniform<i8:f32:0, {0.25, 0.5:1, 1.0:-2, 0.25, 0.5, 0.125}>>,
                  %g: tensor<3x4x3x3x!quant.uniform<i8:f32, 0.25:-1>>, %b: tensor<6xi32>,
                  %d: tensor<?x4x?x?x!a8>) -> (tensor<1x6x3x4x!o8>, tensor<1x6x6x6x!quant.uniform<i8:f32:1, {1.0, 2.0, 1.0, 2.0, 1.0, 2.0}>>, tensor<1x3x6x6xi32>, tensor<1x3x8x7xf32>, tensor<?x3x?x?xf32>) {
  %0 = qc.conv2d %x, %w bias(%b : tensor<6xi32>) strides [2, 2] pads [1, 1, 1, 1] dilations [2, 1] groups 2 acc(i32) : tensor<1x4x8x8x!a8>, tensor<6x2x3x3x!quant.uniform<i8:f32:0, {0.25, 0.5:1, 1.0:-2, 0.25, 0.5, 0.125}>> -> tensor<1x6x3x4x!o8>
  %1 = qc.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2 acc(i64) fixed_point : tensor<1x4x8x8x!a8>, tensor<6x2x3x3x!quant.uniform<i8:f32:0, {0.25, 0.5:1, 1.0:-2, 0.25, 0.5, 0.125}>> -> tensor<1x6x6x6x!quant.uniform<i8:f32:1, {1.0, 2.0, 1.0, 2.0, 1.0, 2.0}>>
  %2 = qc.conv2d %x, %g acc(i32) : tensor<1x4x8x8x!a8>, tensor<3x4x3x3x!quant.uniform<i8:f32, 0.25:-1>> -> tensor<1x3x6x6xi32>
  %3 = qc.conv2d %x, %g pads [0, 1, 2, 0] acc(i32) : tensor<1x4x8x8x!a8>, tensor<3x4x3x3x!quant.uniform<i8:f32, 0.25:-1>> -> tensor<1x3x8x7xf32>
  %4 = qc.conv2d %d, %g strides [1, 2] acc(i32) : tensor<?x4x?x?x!a8>, tensor<3x4x3x3x!quant.uniform<i8:f32, 0.25:-1>> -> tensor<?x3x?x?xf32>
  return %0, %1, %2, %3, %4 : tensor<1x6x3x4x!o8>, tensor<1x6x6x6x!quant.uniform<i8:f32:1, {1.0, 2.0, 1.0, 2.0, 1.0, 2.0}>>, tensor<1x3x6x6xi32>, tensor<1x3x8x7xf32>, tensor<?x3x?x?xf32>
}

// CHECK-LABEL: func.func @attributes
// CHECK-SAME:    stats = #qc.stats<min = -1.500000e+00, max = 4.000000e+00, count = 32>
// CHECK-SAME:    stats_full = #qc.stats<min = -1.500000e+00, max = 4.000000e+00, count = 32, channel_axis = 1, channel_absmax = [1.500000e+00, 4.000000e+00, 2.500000e-01], hist_min = -1.500000e+00, hist_max = 4.000000e+00, histogram = [3, 0, 9, 20], non_finite = 2>
// CHECK-SAME:    w4 = #qc.scheme<bits = 4, granularity = per_group, group_size = 128>
// CHECK-SAME:    w8 = #qc.scheme<bits = 8, granularity = per_channel>
// CHECK-SAME:    x8 = #qc.scheme<bits = 8, granularity = per_row, symmetric = false, mode = dynamic>
func.func @attributes() attributes {
  stats = #qc.stats<min = -1.5, max = 4.0, count = 32>,
  stats_full = #qc.stats<min = -1.5, max = 4.0, count = 32, channel_axis = 1,
                         channel_absmax = [1.5, 4.0, 0.25], hist_min = -1.5,
                         hist_max = 4.0, histogram = [3, 0, 9, 20], non_finite = 2>,
  w4 = #qc.scheme<bits = 4, granularity = per_group, group_size = 128>,
  w8 = #qc.scheme<bits = 8, granularity = per_channel, symmetric = true>,
  x8 = #qc.scheme<bits = 8, granularity = per_row, symmetric = false, mode = dynamic>
} {
  return
}

// Fixed-point multipliers pair channels index by index: both channels here
// have multiplier 1 although the scales differ by 1e10.
// CHECK-LABEL: func.func @requantize_fixed_point_per_axis
// CHECK:         qc.requantize %{{.+}} fixed_point
func.func @requantize_fixed_point_per_axis(%q: tensor<4x2x!quant.uniform<i8:f32:1, {1.0, 1.0e10}>>) -> tensor<4x2x!quant.uniform<i8:f32:1, {1.0, 1.0e10:1}>> {
  %r = qc.requantize %q fixed_point : tensor<4x2x!quant.uniform<i8:f32:1, {1.0, 1.0e10}>> to tensor<4x2x!quant.uniform<i8:f32:1, {1.0, 1.0e10:1}>>
  return %r : tensor<4x2x!quant.uniform<i8:f32:1, {1.0, 1.0e10:1}>>
}

// Unsigned sub-channel zero points above 127 are read unsigned.
// CHECK-LABEL: func.func @unsigned_sub_channel
// CHECK:         qc.quantize
func.func @unsigned_sub_channel(%x: tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<u8:f32:{1:2}, {{0.5, 0.5:200}}>> {
  %q = qc.quantize %x : tensor<2x4xf32> to tensor<2x4x!quant.uniform<u8:f32:{1:2}, {{0.5, 0.5:200}}>>
  return %q : tensor<2x4x!quant.uniform<u8:f32:{1:2}, {{0.5, 0.5:200}}>>
}

// CHECK-LABEL: func.func @smooth
// CHECK:         qc.smooth %{{.+}} by [2.000000e+00, 5.000000e-01, 1.000000e+00] : tensor<4x3xf32>
func.func @smooth(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %y = qc.smooth %x by [2.0, 0.5, 1.0] : tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}
