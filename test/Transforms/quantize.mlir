// RUN: qcomp-opt %s --split-input-file --qc-quantize | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{scheme=w8a16}))" 2>/dev/null | FileCheck %s --check-prefix=W8A16
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{scheme=w4a16 group-size=2}))" 2>/dev/null | FileCheck %s --check-prefix=GROUP
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{scheme=w8a8-dynamic}))" 2>/dev/null | FileCheck %s --check-prefix=DYN
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{scheme=w4a8 weight-range=absmax}))" 2>/dev/null | FileCheck %s --check-prefix=W4A8
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{scheme=w4a8 weight-granularity=per-group group-size=2}))" 2>/dev/null | FileCheck %s --check-prefix=W4A8G
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{weight-range=mse}))" 2>/dev/null | FileCheck %s --check-prefix=MSE
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{weight-granularity=per-tensor activation-symmetric=true}))" 2>/dev/null | FileCheck %s --check-prefix=OPTS

// A linear layer as the importer writes Gemm(transB=1) + bias: the weight is
// quantized at compile time per output channel (through the transpose), the
// input statically from its statistics (asymmetric: [-1, 3] gives scale 4/255
// and zero point -64), and the bias folds in as int32 at scale s_x * s_w[n]
// (0.1 / (4/255 * 1/127) = 809.6 -> 810). No float weight remains.

// CHECK-LABEL: func.func @linear
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x4xf32>
//   CHECK-NOT:   linalg.matmul
//       CHECK:   %[[XQ:.*]] = qc.quantize %[[X]] : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 0.015686274509803921:-64>>
//       CHECK:   %[[WC:.*]] = arith.constant dense<{{\[}}[127, 32, -127], [-64, 32, 64], [32, -64, 0], [0, 127, 8]]> : tensor<4x3xi8>
//       CHECK:   %[[W:.*]] = quant.scast %[[WC]] : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8<-127:127>:f32:1, {0.0078740157480314959,0.015748031496062992,0.015748031496062992}>>
//       CHECK:   %[[B:.*]] = arith.constant dense<[810, -810, 1214]> : tensor<3xi32>
//       CHECK:   %[[Y:.*]] = qc.matmul %[[XQ]], %[[W]] bias(%[[B]] : tensor<3xi32>) acc(i32) : {{.*}} -> tensor<2x3xf32>
//   CHECK-NOT:   linalg.generic
//   CHECK-NOT:   tensor<3x4xf32>
//       CHECK:   return %[[Y]]

// Weight-only: the weight is stored as int8 and dequantized in front of the
// float matmul; the activation and the float bias add stay.
// W8A16-LABEL: func.func @linear
//       W8A16:   %[[WC:.*]] = arith.constant dense<{{.*}}> : tensor<4x3xi8>
//       W8A16:   %[[W:.*]] = quant.scast %[[WC]]
//       W8A16:   %[[WF:.*]] = qc.dequantize %[[W]] : tensor<4x3x!quant.uniform<i8<-127:127>:f32:1, {{.*}}>> to tensor<4x3xf32>
//       W8A16:   linalg.matmul ins(%{{.*}}, %[[WF]] : tensor<2x4xf32>, tensor<4x3xf32>)
//       W8A16:   linalg.generic
//   W8A16-NOT:   qc.quantize

// Per group of 2 along K: a sub-channel type with one scale per (group,
// column), the int4 weights packed two per byte.
// GROUP-LABEL: func.func @linear
//       GROUP:   %[[P:.*]] = arith.constant dense<{{.*}}> : tensor<4x2xi8>
//       GROUP:   qc.unpack %[[P]] : tensor<4x2xi8> to tensor<4x3x!quant.uniform<i4<-7:7>:f32:{0:2, 1:1}, {{.*}}>>
//       GROUP:   qc.dequantize
//       GROUP:   linalg.matmul

// Dynamic activations: one symmetric scale per row, computed at run time and
// passed to the matmul; the bias cannot be int32 (its scale is only known at
// run time) and stays a float add.
// DYN-LABEL: func.func @linear
//       DYN:   %[[Q:.*]], %[[S:.*]] = qc.dynamic_quantize %{{.*}} per_row : tensor<2x4xf32> to tensor<2x4xi8>, tensor<2xf32>
//       DYN:   %[[Y:.*]] = qc.matmul %[[Q]], %{{.*}} lhs_scale(%[[S]] : tensor<2xf32>) acc(i32) : tensor<2x4xi8>, {{.*}} -> tensor<2x3xf32>
//       DYN:   linalg.generic {{.*}} ins(%[[Y]], %{{.*}} : tensor<2x3xf32>, tensor<3xf32>)

// With w4a8, int4 weights per channel, packed two per byte along N (3 columns
// take 2 bytes per row), with an int32 bias; weight-range=absmax gives the
// scales max|w| / 7.
// W4A8-LABEL: func.func @linear
//       W4A8:   %[[P:.*]] = arith.constant dense<{{\[}}[39, 9], [45, 3], [-46, 0], [112, 0]]> : tensor<4x2xi8>
//       W4A8:   %[[W:.*]] = qc.unpack %[[P]] : tensor<4x2xi8> to tensor<4x3x!quant.uniform<i4<-7:7>:f32:1, {0.14285714285714285,0.2857142857142857,0.2857142857142857}>>
//       W4A8:   qc.matmul %{{.*}}, %[[W]] bias(%{{.*}} : tensor<3xi32>) acc(i32)

// W4A8 with groups of 2 along K: qc.matmul on the sub-channel int4 weight,
// each group's integer sum rescaled in f32; the bias cannot be int32 (the
// weight scale varies along K) and stays a float add.
// W4A8G-LABEL: func.func @linear
//       W4A8G:   %[[W:.*]] = qc.unpack %{{.*}} : tensor<4x2xi8> to tensor<4x3x!quant.uniform<i4<-7:7>:f32:{0:2, 1:1}, {{.*}}>>
//       W4A8G:   %[[Y:.*]] = qc.matmul %{{.*}}, %[[W]] acc(i32) : {{.*}} -> tensor<2x3xf32>
//       W4A8G:   linalg.generic {{.*}} ins(%[[Y]], %{{.*}} : tensor<2x3xf32>, tensor<3xf32>)

// Per-tensor weights and symmetric activations (narrow range, zero point 0).
// OPTS-LABEL: func.func @linear
//       OPTS:   qc.quantize %{{.*}} : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8<-127:127>:f32, 0.023622047244094488>>
//       OPTS:   quant.scast %{{.*}} : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8<-127:127>:f32, 0.015748031496062992>>
//       OPTS:   qc.matmul {{.*}} acc(i32) :
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @linear(%x: tensor<2x4xf32> {qc.stats = #qc.stats<min = -1.0, max = 3.0, count = 4>}) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, -0.5, 0.25, 0.0], [0.5, 0.5, -1.0, 2.0], [-2.0, 1.0, 0.0, 0.125]]> : tensor<3x4xf32>
  %b = arith.constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32>
  %e = tensor.empty() : tensor<4x3xf32>
  %wt = linalg.transpose ins(%w : tensor<3x4xf32>) outs(%e : tensor<4x3xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x3xf32>) -> tensor<2x3xf32>
  %mm = linalg.matmul ins(%x, %wt : tensor<2x4xf32>, tensor<4x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32> loc("fc1")
  %e3 = tensor.empty() : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %b : tensor<2x3xf32>, tensor<3xf32>) outs(%e3 : tensor<2x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %s = arith.addf %in, %in_0 : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Attention's product of two activations: both are quantized from their own
// statistics and the result stays float.

// CHECK-LABEL: func.func @attention_scores
//  CHECK-SAME:   (%[[Q:.*]]: tensor<2x4x8xf32> {{.*}}, %[[K:.*]]: tensor<2x8x4xf32>
//   CHECK-DAG:   %[[QQ:.*]] = qc.quantize %[[Q]] : tensor<2x4x8xf32> to tensor<2x4x8x!quant.uniform<i8:f32, 0.015686274509803921>>
//   CHECK-DAG:   %[[KQ:.*]] = qc.quantize %[[K]] : tensor<2x8x4xf32> to tensor<2x8x4x!quant.uniform<i8:f32, 0.0058823529411764705:42>>
//       CHECK:   qc.batch_matmul %[[QQ]], %[[KQ]] acc(i32) : {{.*}} -> tensor<2x4x4xf32>

// Weight-only schemes keep activations float, so a product of two
// activations is not touched.
// W8A16-LABEL: func.func @attention_scores
//       W8A16:   linalg.batch_matmul
func.func @attention_scores(%q: tensor<2x4x8xf32> {qc.stats = #qc.stats<min = -2.0, max = 2.0, count = 4>},
                            %k: tensor<2x8x4xf32> {qc.stats = #qc.stats<min = -1.0, max = 0.5, count = 4>}) -> tensor<2x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = linalg.batch_matmul ins(%q, %k : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%init : tensor<2x4x4xf32>) -> tensor<2x4x4xf32> loc("scores")
  return %s : tensor<2x4x4xf32>
}

// -----

// An activation read by several layers (Q, K and V projections) is quantized
// once.

// CHECK-LABEL: func.func @shared_input
//       CHECK:   qc.quantize
//   CHECK-NOT:   qc.quantize
//       CHECK:   qc.matmul
//       CHECK:   qc.matmul
func.func @shared_input(%x: tensor<2x2xf32> {qc.stats = #qc.stats<min = -1.0, max = 1.0, count = 1>}) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w1 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %w2 = arith.constant dense<[[-1.0, 0.5], [0.25, 1.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w1 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = linalg.matmul ins(%x, %w2 : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %b : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A convolution behind zero padding: the padding becomes qc.conv2d's pads
// (the statistics are those calibration recorded on the padded tensor), the
// filter is quantized per output channel and the bias folds in.

// CHECK-LABEL: func.func @conv
//  CHECK-SAME:   (%[[X:.*]]: tensor<1x2x4x4xf32>
//       CHECK:   %[[XQ:.*]] = qc.quantize %[[X]] : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078431372549019607:-128>>
//       CHECK:   %[[W:.*]] = quant.scast %{{.*}} : tensor<3x2x3x3xi8> to tensor<3x2x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.003937007874015748,0.003937007874015748,0.003937007874015748}>>
//       CHECK:   %[[B:.*]] = arith.constant dense<[8096, -8096, 32385]> : tensor<3xi32>
//       CHECK:   %[[Y:.*]] = qc.conv2d %[[XQ]], %[[W]] bias(%[[B]] : tensor<3xi32>) pads [1, 1, 1, 1] acc(i32) : {{.*}} -> tensor<1x3x4x4xf32>
//   CHECK-NOT:   tensor.pad
//   CHECK-NOT:   linalg.generic
//       CHECK:   return %[[Y]]

// Weight-only: the filter is stored as int8 and dequantized in front of the
// float convolution.
// W8A16-LABEL: func.func @conv
//       W8A16:   %[[W:.*]] = quant.scast %{{.*}} : tensor<3x2x3x3xi8> to tensor<3x2x3x3x!quant.uniform<i8<-127:127>:f32:0,
//       W8A16:   %[[WF:.*]] = qc.dequantize %[[W]]
//       W8A16:   linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %[[WF]] : tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>)
func.func @conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
  %b = arith.constant dense<[0.25, -0.25, 1.0]> : tensor<3xf32>
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } {qc.stats = [#qc.stats<min = 0.0, max = 2.0, count = 4>]} : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  %e = tensor.empty() : tensor<1x3x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) outs(%init : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> loc("conv1")
  %e2 = tensor.empty() : tensor<1x3x4x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %b : tensor<1x3x4x4xf32>, tensor<3xf32>) outs(%e2 : tensor<1x3x4x4xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %s = arith.addf %in, %in_0 : f32
    linalg.yield %s : f32
  } -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// A grouped (here depthwise-like, 2 groups) convolution in the importer's
// form: the input expanded to NxGx(C/G)xHxW, the result collapsed back. It
// becomes one qc.conv2d with `groups 2` on the unexpanded tensors.

// W8A16-LABEL: func.func @grouped_conv
//       W8A16:   %[[WF:.*]] = qc.dequantize %{{.*}} : tensor<4x1x2x2x!quant.uniform<{{.*}}>> to tensor<4x1x2x2xf32>
//       W8A16:   %[[WE:.*]] = tensor.expand_shape %[[WF]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 2, 1, 2, 2]
//       W8A16:   linalg.conv_2d_ngchw_gfchw {{.*}} ins(%{{.*}}, %[[WE]] :

// CHECK-LABEL: func.func @grouped_conv
//  CHECK-SAME:   (%[[X:.*]]: tensor<1x2x3x3xf32>
//       CHECK:   %[[XQ:.*]] = qc.quantize %[[X]]
//       CHECK:   %[[W:.*]] = quant.scast %{{.*}} : tensor<4x1x2x2xi8> to tensor<4x1x2x2x!quant.uniform<i8<-127:127>:f32:0,
//       CHECK:   %[[Y:.*]] = qc.conv2d %[[XQ]], %[[W]] groups 2 acc(i32) : {{.*}} -> tensor<1x4x2x2xf32>
//   CHECK-NOT:   tensor.expand_shape
//   CHECK-NOT:   tensor.collapse_shape
//       CHECK:   return %[[Y]]
func.func @grouped_conv(%x: tensor<1x2x3x3xf32>) -> tensor<1x4x2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[-1.0, 0.5], [0.0, 1.0]]], [[[0.25, 0.5], [0.75, 1.0]]], [[[2.0, 0.0], [0.0, -2.0]]]]> : tensor<4x1x2x2xf32>
  %xe = tensor.expand_shape %x [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 3, 3] {qc.stats = [#qc.stats<min = -1.0, max = 1.0, count = 1>]} : tensor<1x2x3x3xf32> into tensor<1x2x1x3x3xf32>
  %we = tensor.expand_shape %w [[0, 1], [2], [3], [4]] output_shape [2, 2, 1, 2, 2] : tensor<4x1x2x2xf32> into tensor<2x2x1x2x2xf32>
  %e = tensor.empty() : tensor<1x2x2x2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x2x2xf32>) -> tensor<1x2x2x2x2xf32>
  %c = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%xe, %we : tensor<1x2x1x3x3xf32>, tensor<2x2x1x2x2xf32>) outs(%init : tensor<1x2x2x2x2xf32>) -> tensor<1x2x2x2x2xf32>
  %y = tensor.collapse_shape %c [[0], [1, 2], [3], [4]] : tensor<1x2x2x2x2xf32> into tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// -----

// A pre-quantized (ONNX QDQ) layer keeps its given types; no statistics are
// needed.

// CHECK-LABEL: func.func @qdq
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x2xf32>)
//       CHECK:   %[[XQ:.*]] = qc.quantize %[[X]] : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32, 5.000000e-02:-5>>
//       CHECK:   %[[W:.*]] = quant.scast %{{.*}} : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01}>>
//       CHECK:   qc.matmul %[[XQ]], %[[W]] acc(i32) : {{.*}} -> tensor<2x2xf32>
//   CHECK-NOT:   qc.dequantize
func.func @qdq(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %xq = qc.quantize %x : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32, 0.05:-5>>
  %xd = qc.dequantize %xq : tensor<2x2x!quant.uniform<i8:f32, 0.05:-5>> to tensor<2x2xf32>
  %wi = arith.constant dense<[[10, -20], [30, 40]]> : tensor<2x2xi8>
  %wq = quant.scast %wi : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  %wd = qc.dequantize %wq : tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>> to tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%xd, %wd : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A front end chooses per op: int4 per-tensor weights for this layer. With
// weight-range=mse the range is clipped to the least squared error, here
// 0.98 of max|w| (4 * 0.98 / 7 = 0.56); auto does so only for groups of at
// least 64 weights.
// MSE-LABEL: func.func @per_op_scheme
//       MSE:   qc.unpack %{{.*}} : tensor<2x1xi8> to tensor<2x2x!quant.uniform<i4<-7:7>:f32, 0.55999999999999994>>

// CHECK-LABEL: func.func @per_op_scheme
//       CHECK:   qc.unpack %{{.*}} : tensor<2x1xi8> to tensor<2x2x!quant.uniform<i4<-7:7>:f32, 0.5714285714285714>>
//       CHECK:   qc.matmul
func.func @per_op_scheme(%x: tensor<2x2xf32> {qc.stats = #qc.stats<min = -1.0, max = 1.0, count = 1>}) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul {qc.weight_scheme = #qc.scheme<bits = 4, granularity = per_tensor>} ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
