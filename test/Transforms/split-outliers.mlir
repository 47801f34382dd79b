// RUN: qcomp-opt %s --split-input-file --verify-diagnostics --qc-split-outliers | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{top-k=1}))" 2>/dev/null | FileCheck %s --check-prefix=TOPK
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{top-k=1}))" 2>&1 >/dev/null | FileCheck %s --check-prefix=TOPK-REMARK
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{top-k=1},qc-split-outliers{top-k=1}))" 2>/dev/null | FileCheck %s --check-prefix=TWICE
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{max-fraction=0.125}))" 2>/dev/null | FileCheck %s --check-prefix=CAP
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{max-fraction=0.125}))" 2>&1 >/dev/null | FileCheck %s --check-prefix=CAP-REMARK
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{top-k=8 max-fraction=1}))" 2>&1 >/dev/null | FileCheck %s --check-prefix=ALL
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers,qc-quantize))" 2>/dev/null | FileCheck %s --check-prefix=QUANT
// RUN: qcomp-opt %s --split-input-file --qc-split-outliers --mlir-print-debuginfo 2>/dev/null | FileCheck %s --check-prefix=LOC
// RUN: not qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{mode=fast}))" 2>&1 | FileCheck %s --check-prefix=BAD-MODE
// RUN: not qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{threshold=0}))" 2>&1 | FileCheck %s --check-prefix=BAD-THRESHOLD
// RUN: not qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{max-fraction=1.5}))" 2>&1 | FileCheck %s --check-prefix=BAD-FRACTION

// BAD-MODE: error: qc-split-outliers: unknown mode 'fast' (expected static or dynamic)
// BAD-THRESHOLD: error: qc-split-outliers: threshold must be positive and finite, got 0
// BAD-FRACTION: error: qc-split-outliers: max-fraction must be in (0, 1], got 1.5

// Channels 1 and 5 exceed the threshold (6): the normal channels form three
// runs (0 | 2-4 | 6-7), gathered by three slices and a concat, the outliers
// two (1 | 5). The weight rows are re-packed into a 6 x 2 and a 2 x 2
// constant and the 8 x 2 one is gone. The normal columns' statistics keep
// their maxima and are bounded by the largest (3); the first matmul keeps
// the front end's scheme choice, the second (float, qc.skip) computes the
// layer's output and carries its statistics.

// CHECK-LABEL: func.func @two_runs
//  CHECK-SAME:   (%[[X:.+]]: tensor<2x8xf32>
//   CHECK-DAG:   %[[INIT:.+]] = linalg.fill
//   CHECK-DAG:   %[[N0:.+]] = tensor.extract_slice %[[X]][0, 0] [2, 1] [1, 1] : tensor<2x8xf32> to tensor<2x1xf32>
//   CHECK-DAG:   %[[N1:.+]] = tensor.extract_slice %[[X]][0, 2] [2, 3] [1, 1] : tensor<2x8xf32> to tensor<2x3xf32>
//   CHECK-DAG:   %[[N2:.+]] = tensor.extract_slice %[[X]][0, 6] [2, 2] [1, 1] : tensor<2x8xf32> to tensor<2x2xf32>
//   CHECK-DAG:   %[[XN:.+]] = tensor.concat dim(1) %[[N0]], %[[N1]], %[[N2]] {qc.stats = [#qc.stats<min = -3.000000e+00, max = 3.000000e+00, count = 16, channel_axis = 1, channel_absmax = [1.000000e+00, 5.000000e-01, 2.000000e+00, 3.000000e+00, 1.000000e+00, 1.000000e+00]>]} : {{.*}} -> tensor<2x6xf32>
//   CHECK-DAG:   %[[O0:.+]] = tensor.extract_slice %[[X]][0, 1] [2, 1] [1, 1] : tensor<2x8xf32> to tensor<2x1xf32>
//   CHECK-DAG:   %[[O1:.+]] = tensor.extract_slice %[[X]][0, 5] [2, 1] [1, 1] : tensor<2x8xf32> to tensor<2x1xf32>
//   CHECK-DAG:   %[[XO:.+]] = tensor.concat dim(1) %[[O0]], %[[O1]] {{.*}} -> tensor<2x2xf32>
//   CHECK-DAG:   %[[WN:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 1.000000e+01], [3.000000e+00, 3.000000e+01], [4.000000e+00, 4.000000e+01], [5.000000e+00, 5.000000e+01], [7.000000e+00, 7.000000e+01], [8.000000e+00, 8.000000e+01]]> : tensor<6x2xf32>
//   CHECK-DAG:   %[[WO:.+]] = arith.constant dense<{{\[}}[2.000000e+00, 2.000000e+01], [6.000000e+00, 6.000000e+01]]> : tensor<2x2xf32>
//       CHECK:   %[[YN:.+]] = linalg.matmul {qc.weight_scheme = #qc.scheme<bits = 4, granularity = per_channel>} ins(%[[XN]], %[[WN]] : tensor<2x6xf32>, tensor<6x2xf32>) outs(%[[INIT]] : tensor<2x2xf32>)
//       CHECK:   %[[Y:.+]] = linalg.matmul {qc.skip = "the outlier channels of {{.*}}", qc.stats = [#qc.stats<min = -1.000000e+02, max = 1.000000e+02, count = 16>]} ins(%[[XO]], %[[WO]] : tensor<2x2xf32>, tensor<2x2xf32>) outs(%[[YN]] : tensor<2x2xf32>)
//       CHECK:   return %[[Y]]
//   CHECK-NOT:   tensor<8x2xf32>

// top-k=1 splits the single largest channel (5), threshold aside.
// TOPK-LABEL: func.func @two_runs
//   TOPK-DAG:   tensor.extract_slice %{{.*}}[0, 0] [2, 5] [1, 1] : tensor<2x8xf32> to tensor<2x5xf32>
//   TOPK-DAG:   tensor.extract_slice %{{.*}}[0, 6] [2, 2] [1, 1] : tensor<2x8xf32> to tensor<2x2xf32>
//   TOPK-DAG:   %[[XO:.+]] = tensor.extract_slice %{{.*}}[0, 5] [2, 1] [1, 1] {{.*}}: tensor<2x8xf32> to tensor<2x1xf32>
//   TOPK-DAG:   %[[WO:.+]] = arith.constant dense<{{\[}}[6.000000e+00, 6.000000e+01]]> : tensor<1x2xf32>
//       TOPK:   linalg.matmul {{.*}}ins(%{{.*}}, %{{.*}} : tensor<2x7xf32>, tensor<7x2xf32>)
//       TOPK:   linalg.matmul {qc.skip{{.*}}} ins(%[[XO]], %[[WO]] : tensor<2x1xf32>, tensor<1x2xf32>)
// TOPK-REMARK: remark: layer 'linalg.matmul_0': 1 of 8 channels in float (12.5% of K): [5]

// Splitting a split layer again changes nothing: its first half is
// recognized (it feeds a qc.skip matmul), its second half is qc.skip.
// TWICE-LABEL: func.func @two_runs
//       TWICE:   linalg.matmul {{.*}}: tensor<2x7xf32>, tensor<7x2xf32>)
//       TWICE:   linalg.matmul {qc.skip{{.*}}: tensor<2x1xf32>, tensor<1x2xf32>)
//   TWICE-NOT:   linalg.matmul
//       TWICE:   return

// max-fraction=0.125 allows one float channel of 8: the largest (5).
// CAP-LABEL: func.func @two_runs
//       CAP:   linalg.matmul {{.*}}: tensor<2x7xf32>, tensor<7x2xf32>)
//       CAP:   linalg.matmul {qc.skip{{.*}}: tensor<2x1xf32>, tensor<1x2xf32>)
// CAP-REMARK: remark: layer 'linalg.matmul_0': max-fraction=0.125 keeps 1 of its 2 outlier channels
// CAP-REMARK: remark: layer 'linalg.matmul_0': 1 of 8 channels in float (12.5% of K): [5]

// With max-fraction=1, top-k=8 would move every channel to float: nothing
// would be left to quantize.
// ALL: remark: layer 'linalg.matmul_0' is not split: all 8 channels are outliers

// qc-quantize makes the normal half int8 over K - k = 6 channels, with an
// activation scale from the gathered statistics ([-3, 3]: 6/255) and the
// 4-bit scheme the front end asked for, and keeps the outlier half float.
// QUANT-LABEL: func.func @two_runs
//       QUANT:   %[[XN:.+]] = tensor.concat
//       QUANT:   %[[Q:.+]] = qc.quantize %[[XN]] : tensor<2x6xf32> to tensor<2x6x!quant.uniform<i8:f32, 0.023529411764705882>>
//       QUANT:   %[[YN:.+]] = qc.matmul %[[Q]], %{{.*}} acc(i32) : tensor<2x6x!quant.uniform<i8:f32, {{.*}}>>, tensor<6x2x!quant.uniform<i4<-7:7>:f32:1, {{.*}}>> -> tensor<2x2xf32>
//       QUANT:   linalg.matmul {qc.skip{{.*}}} ins(%{{.*}}, %{{.*}} : tensor<2x2xf32>, tensor<2x2xf32>) outs(%[[YN]] : tensor<2x2xf32>)

// The float half is named after the layer.
// LOC-LABEL: func.func @two_runs
//       LOC:   linalg.matmul {qc.skip{{.*}} loc(#[[LOC:loc[0-9]*]])
//       LOC:   #[[LOC]] = loc("linalg.matmul_0.outliers"(

func.func @two_runs(%x: tensor<2x8xf32> {qc.stats = #qc.stats<min = -9.0, max = 7.0, count = 16, channel_axis = 1, channel_absmax = [1.0, 7.0, 0.5, 2.0, 3.0, 9.0, 1.0, 1.0]>}) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0], [6.0, 60.0], [7.0, 70.0], [8.0, 80.0]]> : tensor<8x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0': 2 of 8 channels in float (25.0% of K): [1, 5]}}
  %y = linalg.matmul {qc.stats = [#qc.stats<min = -100.0, max = 100.0, count = 16>], qc.weight_scheme = #qc.scheme<bits = 4, granularity = per_channel>} ins(%x, %w : tensor<2x8xf32>, tensor<8x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// The weight as the importer writes Gemm(transB=1), N x K transposed, and a
// dynamic number of rows: one outlier channel (3), one run of normal
// channels (0-2), so a single slice and no concat on either side. The slices
// take all rows (one tensor.dim); the normal part's range is bounded by its
// largest channel (2); the transposed weight is evaluated, re-packed and
// gone.

// CHECK-LABEL: func.func @single_run
//  CHECK-SAME:   (%[[X:.+]]: tensor<?x4xf32>
//   CHECK-NOT:   tensor.concat
//   CHECK-DAG:   %[[XN:.+]] = tensor.extract_slice %[[X]][0, 0] [%{{.+}}, 3] [1, 1] {qc.stats = [#qc.stats<min = -2.000000e+00, max = 2.000000e+00, {{.*}}channel_absmax = [5.000000e-01, 1.000000e+00, 2.000000e+00]>]} : tensor<?x4xf32> to tensor<?x3xf32>
//   CHECK-DAG:   %[[XO:.+]] = tensor.extract_slice %[[X]][0, 3] [%{{.+}}, 1] [1, 1] {{.*}}: tensor<?x4xf32> to tensor<?x1xf32>
//   CHECK-DAG:   %[[WN:.+]] = arith.constant dense<{{\[}}[1.000000e+00, -1.000000e+00], [2.000000e+00, -2.000000e+00], [3.000000e+00, -3.000000e+00]]> : tensor<3x2xf32>
//   CHECK-DAG:   %[[WO:.+]] = arith.constant dense<{{\[}}[4.000000e+00, -4.000000e+00]]> : tensor<1x2xf32>
//       CHECK:   %[[YN:.+]] = linalg.matmul ins(%[[XN]], %[[WN]] : tensor<?x3xf32>, tensor<3x2xf32>)
//       CHECK:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"} ins(%[[XO]], %[[WO]] : tensor<?x1xf32>, tensor<1x2xf32>) outs(%[[YN]] : tensor<?x2xf32>)
//   CHECK-NOT:   linalg.transpose
//   CHECK-NOT:   tensor<2x4xf32>
func.func @single_run(%x: tensor<?x4xf32> {qc.stats = #qc.stats<min = -2.0, max = 10.0, count = 16, channel_axis = 1, channel_absmax = [0.5, 1.0, 2.0, 10.0]>}) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, -3.0, -4.0]]> : tensor<2x4xf32>
  %et = tensor.empty() : tensor<4x2xf32>
  %wt = linalg.transpose ins(%w : tensor<2x4xf32>) outs(%et : tensor<4x2xf32>) permutation = [1, 0]
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0': 1 of 4 channels in float (25.0% of K): [3]}}
  %y = linalg.matmul ins(%x, %wt : tensor<?x4xf32>, tensor<4x2xf32>) outs(%init : tensor<?x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Static mode needs the input's channel maxima along K: without statistics,
// with statistics but no channel maxima, or channel maxima along another
// axis, the layer is left unchanged and a remark says why.

// CHECK-LABEL: func.func @no_stats
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<4x2xf32>)
//   CHECK-NOT:   tensor.extract_slice
//   CHECK-NOT:   qc.skip
func.func @no_stats(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0' is not split: its input has no calibration statistics}}
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// CHECK-LABEL: func.func @no_channel_stats
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<4x2xf32>)
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x4xf32>, tensor<4x2xf32>)
//   CHECK-NOT:   tensor.extract_slice
//   CHECK-NOT:   qc.skip
func.func @no_channel_stats(%x: tensor<2x4xf32> {qc.stats = #qc.stats<min = -20.0, max = 20.0, count = 4>},
                            %t: tensor<4x4xf32> {qc.stats = #qc.stats<min = -20.0, max = 20.0, count = 4, channel_axis = 0, channel_absmax = [20.0, 1.0, 1.0, 1.0]>}) -> (tensor<2x2xf32>, tensor<4x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0' is not split: its input has no per-channel statistics along K}}
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %e2 = tensor.empty() : tensor<4x2xf32>
  %init2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x2xf32>) -> tensor<4x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_1' is not split: its input has no per-channel statistics along K}}
  %z = linalg.matmul ins(%t, %w : tensor<4x4xf32>, tensor<4x2xf32>) outs(%init2 : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y, %z : tensor<2x2xf32>, tensor<4x2xf32>
}

// -----

// No channel exceeds the threshold (6.0 itself is not an outlier): nothing
// to split, and nothing to say.

// CHECK-LABEL: func.func @below_threshold
//       CHECK:   %[[Y:.+]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<4x2xf32>)
//   CHECK-NOT:   qc.skip
//       CHECK:   return %[[Y]]
func.func @below_threshold(%x: tensor<2x4xf32> {qc.stats = #qc.stats<min = -6.0, max = 6.0, count = 4, channel_axis = 1, channel_absmax = [6.0, 1.0, 5.5, 0.0]>}) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Not linear layers, left unchanged without a remark even though their
// input has outlier channels: a product of two activations (the rhs is an
// argument), a batch matmul, a matmul accumulating into a non-zero value, a
// transposed-operand matmul, and a layer the front end marked qc.skip.

// CHECK-LABEL: func.func @not_linear
//   CHECK-NOT:   tensor.extract_slice
//   CHECK-NOT:   tensor.concat
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<4x2xf32>)
//       CHECK:   linalg.batch_matmul
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<4x2xf32>) outs(%{{.*}} : tensor<2x2xf32>)
//       CHECK:   linalg.matmul indexing_maps
//       CHECK:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"}
//   CHECK-NOT:   linalg.matmul
func.func @not_linear(%x: tensor<2x4xf32> {qc.stats = #qc.stats<min = -20.0, max = 20.0, count = 4, channel_axis = 1, channel_absmax = [20.0, 1.0, 1.0, 1.0]>},
                      %v: tensor<4x2xf32>, %acc: tensor<2x2xf32>,
                      %b: tensor<1x2x4xf32> {qc.stats = #qc.stats<min = -20.0, max = 20.0, count = 4, channel_axis = 2, channel_absmax = [20.0, 1.0, 1.0, 1.0]>}) -> (tensor<2x2xf32>, tensor<1x2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<4x2xf32>
  %bw = arith.constant dense<1.0> : tensor<1x4x2xf32>
  %wt = arith.constant dense<1.0> : tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %be = tensor.empty() : tensor<1x2x2xf32>
  %binit = linalg.fill ins(%zero : f32) outs(%be : tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %y0 = linalg.matmul ins(%x, %v : tensor<2x4xf32>, tensor<4x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y1 = linalg.batch_matmul ins(%b, %bw : tensor<1x2x4xf32>, tensor<1x4x2xf32>) outs(%binit : tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %y2 = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y3 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
                      ins(%x, %wt : tensor<2x4xf32>, tensor<2x4xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y4 = linalg.matmul {qc.skip = "the outlier channels of {{.*}}"} ins(%x, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y0, %y1, %y2, %y3, %y4 : tensor<2x2xf32>, tensor<1x2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// Three channels exceed the threshold but max-fraction=0.25 allows two of
// 8: the two largest (5 and 2) are split, channel 0 stays in the int8 half.

// CHECK-LABEL: func.func @capped
//   CHECK-DAG:   tensor.extract_slice %{{.*}}[0, 2] [2, 1] [1, 1]
//   CHECK-DAG:   tensor.extract_slice %{{.*}}[0, 5] [2, 1] [1, 1]
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x6xf32>, tensor<6x2xf32>)
//       CHECK:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"} ins(%{{.*}}, %{{.*}} : tensor<2x2xf32>, tensor<2x2xf32>)
func.func @capped(%x: tensor<2x8xf32> {qc.stats = #qc.stats<min = -9.0, max = 9.0, count = 4, channel_axis = 1, channel_absmax = [7.0, 1.0, 8.0, 1.0, 1.0, 9.0, 1.0, 1.0]>}) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<8x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0': max-fraction=0.25 keeps 2 of its 3 outlier channels}}
  // expected-remark @below {{layer 'linalg.matmul_0': 2 of 8 channels in float (25.0% of K): [2, 5]}}
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// With K = 3, max-fraction=0.25 allows no float channel at all.

// CHECK-LABEL: func.func @too_narrow
//   CHECK-NOT:   qc.skip
func.func @too_narrow(%x: tensor<2x3xf32> {qc.stats = #qc.stats<min = -9.0, max = 9.0, count = 4, channel_axis = 1, channel_absmax = [9.0, 1.0, 1.0]>}) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0' is not split: max-fraction=0.25 allows no float channel out of 3}}
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A weight computed from constants (so not an activation) that cannot be
// evaluated at compile time cannot be re-packed.

// CHECK-LABEL: func.func @computed_weight
//   CHECK-NOT:   qc.skip
func.func @computed_weight(%x: tensor<2x4xf32> {qc.stats = #qc.stats<min = -9.0, max = 9.0, count = 4, channel_axis = 1, channel_absmax = [9.0, 1.0, 1.0, 1.0]>}) -> tensor<2x2xf32> {
  %a = arith.constant dense<1.0> : tensor<4x2xf32>
  %w = arith.addf %a, %a : tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0' is not split: its weight cannot be evaluated at compile time}}
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
