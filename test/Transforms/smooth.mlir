// RUN: qcomp-opt %s --split-input-file --verify-diagnostics --qc-smooth | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-smooth{standalone=false}))" 2>&1 | FileCheck %s --check-prefix=FOLDONLY
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-smooth{alpha=auto}))" 2>/dev/null | FileCheck %s --check-prefix=AUTO
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-smooth{alpha=auto}))" 2>&1 >/dev/null | FileCheck %s --check-prefix=AUTO-REMARK
// RUN: not qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-smooth{alpha=1.5}))" 2>&1 | FileCheck %s --check-prefix=BAD-ALPHA
// RUN: not qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-smooth{min-scale=0}))" 2>&1 | FileCheck %s --check-prefix=BAD-MIN

// BAD-ALPHA: error: qc-smooth: alpha must be a number in [0, 1] or 'auto', got '1.5'
// BAD-MIN: error: qc-smooth: min-scale must be in (0, 1], got 0

// Factors in every case below (alpha = 0.5): X has channel maxima [16, 1]
// and W row maxima [1, 4], so s = sqrt(xmax / wmax) = [4, 0.5].

// The LayerNorm's last step, n * gamma + beta, absorbs 1/s: gamma [2, 3]
// becomes [0.5, 6], beta [1, -1] becomes [0.25, -2]; W's rows are
// multiplied by s. The statistics of the input follow: channel maxima
// [4, 2], and min/max bounded by them.
// CHECK-LABEL: func.func @fold_into_layernorm
//   CHECK-DAG:   %[[G:.*]] = arith.constant dense<[5.000000e-01, 6.000000e+00]> : tensor<2xf32>
//   CHECK-DAG:   %[[B:.*]] = arith.constant dense<[2.500000e-01, -2.000000e+00]> : tensor<2xf32>
//       CHECK:   %[[LN:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[G]], %[[B]] :
//       CHECK:   tensor.collapse_shape %[[LN]] {{.*}} {qc.stats = [#qc.stats<min = -4.000000e+00, max = 4.000000e+00, count = 4, channel_axis = 1, channel_absmax = [4.000000e+00, 2.000000e+00]>]}
//       CHECK:   %[[W:.*]] = arith.constant dense<{{\[}}[4.000000e+00, -2.000000e+00], [2.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
//       CHECK:   linalg.matmul ins(%{{.*}}, %[[W]] :
//   CHECK-NOT:   qc.smooth
#ch = affine_map<(d0, d1, d2) -> (d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @fold_into_layernorm(%n: tensor<1x3x2xf32>, %rstd: tensor<1x3xf32>) -> tensor<3x2xf32> {
  %gamma = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, -0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<1x3x2xf32>
  %ln = linalg.generic {indexing_maps = [#id, #row, #ch, #ch, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%n, %rstd, %gamma, %beta : tensor<1x3x2xf32>, tensor<1x3xf32>, tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<1x3x2xf32>) {
  ^bb0(%a: f32, %r: f32, %g: f32, %b: f32, %o: f32):
    %0 = arith.mulf %a, %r : f32
    %1 = arith.mulf %0, %g : f32
    %2 = arith.addf %1, %b : f32
    linalg.yield %2 : f32
  } -> tensor<1x3x2xf32>
  %x = tensor.collapse_shape %ln [[0, 1], [2]] {qc.stats = [#qc.stats<min = -16.0, max = 12.0, count = 4, channel_axis = 1, channel_absmax = [16.0, 1.0]>]} : tensor<1x3x2xf32> into tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %ye = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ye : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Q, K and V read one LayerNorm (each through its own reshape): one s over
// the maxima of all three, folded once. Here W_q's row maxima are [1, 4] and
// W_k's [0.25, 1], so the row maxima over both stay [1, 4] and s = [4, 0.5].
// CHECK-LABEL: func.func @shared_producer
//       CHECK:   %[[G:.*]] = arith.constant dense<[5.000000e-01, 6.000000e+00]> : tensor<2xf32>
//       CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[G]] :
//       CHECK:   %[[WQ:.*]] = arith.constant dense<{{\[}}[4.000000e+00, -2.000000e+00], [2.000000e+00, 1.000000e+00]]>
//       CHECK:   linalg.matmul ins(%{{.*}}, %[[WQ]] :
//       CHECK:   %[[WK:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00], [5.000000e-01, 5.000000e-01]]>
//       CHECK:   linalg.matmul ins(%{{.*}}, %[[WK]] :
//   CHECK-NOT:   qc.smooth
#ch = affine_map<(d0, d1, d2) -> (d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @shared_producer(%n: tensor<1x3x2xf32>, %rstd: tensor<1x3xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %gamma = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %wq = arith.constant dense<[[1.0, -0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %wk = arith.constant dense<[[0.25, 0.0], [1.0, 1.0]]> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<1x3x2xf32>
  %ln = linalg.generic {indexing_maps = [#id, #row, #ch, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%n, %rstd, %gamma : tensor<1x3x2xf32>, tensor<1x3xf32>, tensor<2xf32>) outs(%e : tensor<1x3x2xf32>) {
  ^bb0(%a: f32, %r: f32, %g: f32, %o: f32):
    %0 = arith.mulf %a, %r : f32
    %1 = arith.mulf %0, %g : f32
    linalg.yield %1 : f32
  } -> tensor<1x3x2xf32>
  %xq = tensor.collapse_shape %ln [[0, 1], [2]] {qc.stats = [#qc.stats<min = -16.0, max = 12.0, count = 4, channel_axis = 1, channel_absmax = [16.0, 1.0]>]} : tensor<1x3x2xf32> into tensor<3x2xf32>
  %xk = tensor.collapse_shape %ln [[0, 1], [2]] {qc.stats = [#qc.stats<min = -16.0, max = 12.0, count = 4, channel_axis = 1, channel_absmax = [16.0, 1.0]>]} : tensor<1x3x2xf32> into tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %ye = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ye : tensor<3x2xf32>) -> tensor<3x2xf32>
  %q = linalg.matmul ins(%xq, %wq : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  %k = linalg.matmul ins(%xk, %wk : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %q, %k : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// A preceding linear layer (matmul, bias add, ReLU) absorbs 1/s in its
// weight columns and bias: W1 [[8, 2], [-4, 1]] becomes [[2, 4], [-1, 2]],
// b1 [4, -1] becomes [1, -2]. The statistics of the values on the way are
// divided too.
// CHECK-LABEL: func.func @fold_into_linear
//       CHECK:   %[[W1:.*]] = arith.constant dense<{{\[}}[2.000000e+00, 4.000000e+00], [-1.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
//       CHECK:   %[[H:.*]] = linalg.matmul {qc.stats = [#qc.stats<min = -4.000000e+00, max = 4.000000e+00, count = 4, channel_axis = 1, channel_absmax = [1.000000e+00, 4.000000e+00]>]} ins(%{{.*}}, %[[W1]] :
//       CHECK:   %[[B1:.*]] = arith.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
//       CHECK:   linalg.generic {{.*}} ins(%[[H]], %[[B1]] :
//       CHECK:   %[[R:.*]] = linalg.generic {{.*}} attrs =  {qc.stats = [#qc.stats<min = 0.000000e+00, max = 4.000000e+00, count = 4, channel_axis = 1, channel_absmax = [4.000000e+00, 2.000000e+00]>]}
//       CHECK:   %[[W2:.*]] = arith.constant dense<{{\[}}[4.000000e+00, -2.000000e+00], [2.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
//       CHECK:   linalg.matmul ins(%[[R]], %[[W2]] :
//   CHECK-NOT:   qc.smooth
#v = affine_map<(d0, d1) -> (d1)>
#m = affine_map<(d0, d1) -> (d0, d1)>
func.func @fold_into_linear(%x0: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w1 = arith.constant dense<[[8.0, 2.0], [-4.0, 1.0]]> : tensor<2x2xf32>
  %b1 = arith.constant dense<[4.0, -1.0]> : tensor<2xf32>
  %w2 = arith.constant dense<[[1.0, -0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %ye = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ye : tensor<3x2xf32>) -> tensor<3x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0' is not smoothed: its input has no per-channel calibration statistics}}
  %h = linalg.matmul {qc.stats = [#qc.stats<min = -4.0, max = 2.0, count = 4, channel_axis = 1, channel_absmax = [4.0, 2.0]>]} ins(%x0, %w1 : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  %hb = linalg.generic {indexing_maps = [#m, #v, #m], iterator_types = ["parallel", "parallel"]}
      ins(%h, %b1 : tensor<3x2xf32>, tensor<2xf32>) outs(%ye : tensor<3x2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.addf %a, %b : f32
    linalg.yield %0 : f32
  } -> tensor<3x2xf32>
  %r = linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel", "parallel"]}
      ins(%hb : tensor<3x2xf32>) outs(%ye : tensor<3x2xf32>)
      attrs = {qc.stats = [#qc.stats<min = 0.0, max = 16.0, count = 4, channel_axis = 1, channel_absmax = [16.0, 1.0]>]} {
  ^bb0(%a: f32, %o: f32):
    %0 = arith.maximumf %a, %zero : f32
    linalg.yield %0 : f32
  } -> tensor<3x2xf32>
  %y = linalg.matmul ins(%r, %w2 : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A producer with another reader (here the function result) cannot absorb
// the factor: qc.smooth divides the layer's input, with the statistics
// moved to its result. With standalone=false the layer is left as it is.
// CHECK-LABEL: func.func @shared_with_other_use
//       CHECK:   %[[X:.*]] = linalg.generic
//       CHECK:   %[[S:.*]] = qc.smooth %[[X]] by [4.000000e+00, 5.000000e-01] {qc.stats = [#qc.stats<min = -4.000000e+00, max = 4.000000e+00, count = 4, channel_axis = 1, channel_absmax = [4.000000e+00, 2.000000e+00]>]} : tensor<3x2xf32>
//       CHECK:   linalg.matmul ins(%[[S]], %{{.*}} :
//       CHECK:   return %{{.*}}, %[[X]]
// FOLDONLY-LABEL: func.func @shared_with_other_use
//       FOLDONLY:   remark: layer 'linalg.matmul_0' is not smoothed: the factor does not fold into its input's producer (standalone=false)
//   FOLDONLY-NOT:   qc.smooth %
#v = affine_map<(d0, d1) -> (d1)>
#m = affine_map<(d0, d1) -> (d0, d1)>
func.func @shared_with_other_use(%a: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %g = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, -0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %x = linalg.generic {indexing_maps = [#m, #v, #m], iterator_types = ["parallel", "parallel"]}
      ins(%a, %g : tensor<3x2xf32>, tensor<2xf32>) outs(%e : tensor<3x2xf32>)
      attrs = {qc.stats = [#qc.stats<min = -16.0, max = 12.0, count = 4, channel_axis = 1, channel_absmax = [16.0, 1.0]>]} {
  ^bb0(%in: f32, %gi: f32, %o: f32):
    %0 = arith.mulf %in, %gi : f32
    linalg.yield %0 : f32
  } -> tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y, %x : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// A function argument has no producer to fold into: qc.smooth. alpha=auto
// takes the layer's qc.smooth_alpha: with alpha = 1, s = xmax = [16, 1].
// CHECK-LABEL: func.func @argument
//       CHECK:   qc.smooth %arg0 by [4.000000e+00, 5.000000e-01]
// AUTO-LABEL: func.func @argument
//       AUTO:   qc.smooth %arg0 by [1.600000e+01, 1.000000e+00]
func.func @argument(%x: tensor<3x2xf32> {qc.stats = #qc.stats<min = -16.0, max = 12.0, count = 4, channel_axis = 1, channel_absmax = [16.0, 1.0]>}) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul {qc.smooth_alpha = 1.0 : f64} ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// alpha=auto without a qc.smooth_alpha uses 0.5, and says so.
// AUTO-REMARK: smooth.mlir:[[# @LINE + 8]]:8: remark: layer 'linalg.matmul_0' has no qc.smooth_alpha for alpha=auto; using 0.5
// AUTO-LABEL: func.func @auto_without_attribute
//       AUTO:   qc.smooth %arg0 by [4.000000e+00, 5.000000e-01]
func.func @auto_without_attribute(%x: tensor<3x2xf32> {qc.stats = #qc.stats<min = -16.0, max = 12.0, count = 4, channel_axis = 1, channel_absmax = [16.0, 1.0]>}) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// qc.smooth_alpha = "none" (the search found no alpha better than none)
// leaves the layer unchanged under alpha=auto, and says so.
// AUTO-REMARK: smooth.mlir:[[# @LINE + 9]]:8: remark: layer 'linalg.matmul_0' is not smoothed: its qc.smooth_alpha is "none"
// AUTO-LABEL: func.func @auto_none
//   AUTO-NOT:   qc.smooth %
//       AUTO:   return
func.func @auto_none(%x: tensor<3x2xf32> {qc.stats = #qc.stats<min = -16.0, max = 12.0, count = 4, channel_axis = 1, channel_absmax = [16.0, 1.0]>}) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul {qc.smooth_alpha = "none"} ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Without channel statistics there is nothing to balance: unchanged, with a
// remark. A channel never non-zero keeps s = 1; the product of two
// activations (no constant weight) is not a linear layer and is skipped
// silently.
// CHECK-LABEL: func.func @no_stats
//   CHECK-NOT:   qc.smooth
//       CHECK:   return
func.func @no_stats(%x: tensor<3x2xf32> {qc.stats = #qc.stats<min = -16.0, max = 12.0, count = 4>}, %z: tensor<2x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = arith.constant dense<[[1.0, -0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0' is not smoothed: its input has no per-channel calibration statistics}}
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y2 = linalg.matmul ins(%x, %z : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y, %y2 : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @dead_channel
//       CHECK:   qc.smooth %arg0 by [1.000000e+00, 5.000000e-01]
func.func @dead_channel(%x: tensor<3x2xf32> {qc.stats = #qc.stats<min = -1.0, max = 1.0, count = 4, channel_axis = 1, channel_absmax = [0.0, 1.0]>}) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
