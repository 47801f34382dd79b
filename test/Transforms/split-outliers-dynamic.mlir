// RUN: qcomp-opt %s --split-input-file --verify-diagnostics --pass-pipeline="builtin.module(func.func(qc-split-outliers{mode=dynamic}))" | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{mode=dynamic threshold=2.5}))" 2>/dev/null | FileCheck %s --check-prefix=THRESHOLD
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{mode=dynamic},qc-split-outliers{mode=dynamic}))" 2>/dev/null | FileCheck %s --check-prefix=TWICE
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{mode=dynamic},qc-quantize))" 2>/dev/null | FileCheck %s --check-prefix=QUANT
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{mode=dynamic},qc-quantize{scheme=w8a8-dynamic}))" 2>/dev/null | FileCheck %s --check-prefix=QUANT-DYN
// RUN: not qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-split-outliers{mode=dynamic top-k=2}))" 2>&1 | FileCheck %s --check-prefix=BAD-TOPK

// BAD-TOPK: error: qc-split-outliers: top-k selects channels from calibration and needs mode=static

// The outlier columns are found per call: a reduction over the rows marks
// column j when some |x[i, j]| > threshold (two ordered comparisons, so a
// NaN never marks its column: it stays in the normal part, as NaN), then one
// elementwise op writes two masked copies of x, outlier columns zeroed in
// the first and normal columns in the second. Both matmuls use the whole
// float weight; the second (qc.skip) accumulates onto the first. The normal
// part's statistics are clamped to [-6, 6].

// CHECK-LABEL: func.func @with_stats
//  CHECK-SAME:   (%[[X:.+]]: tensor<2x4xf32>
//   CHECK-DAG:   %[[W:.+]] = arith.constant dense<{{.*}}> : tensor<4x3xf32>
//   CHECK-DAG:   %[[INIT:.+]] = linalg.fill ins(%{{.*}} : f32)
//   CHECK-DAG:   %[[FALSE:.+]] = arith.constant false
//       CHECK:   %[[M0:.+]] = linalg.fill ins(%[[FALSE]] : i1) outs(%{{.*}} : tensor<4xi1>)
//       CHECK:   %[[MASK:.+]] = linalg.generic {indexing_maps = [#[[ID:map[0-9]*]], #[[COL:map[0-9]*]]], iterator_types = ["reduction", "parallel"]} ins(%[[X]] : tensor<2x4xf32>) outs(%[[M0]] : tensor<4xi1>)
//       CHECK:   ^bb0(%[[V:.+]]: f32, %[[ACC:.+]]: i1):
//   CHECK-DAG:     %[[T:.+]] = arith.constant 6.000000e+00 : f32
//   CHECK-DAG:     %[[NT:.+]] = arith.constant -6.000000e+00 : f32
//   CHECK-DAG:     %[[GT:.+]] = arith.cmpf ogt, %[[V]], %[[T]] : f32
//   CHECK-DAG:     %[[LT:.+]] = arith.cmpf olt, %[[V]], %[[NT]] : f32
//       CHECK:     %[[O:.+]] = arith.ori %[[GT]], %[[LT]] : i1
//       CHECK:     %[[R:.+]] = arith.ori %[[ACC]], %[[O]] : i1
//       CHECK:     linalg.yield %[[R]] : i1
//       CHECK:   %[[SPLIT:.+]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MASK]] : tensor<2x4xf32>, tensor<4xi1>) outs(%{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<2x4xf32>)
//  CHECK-SAME:     qc.stats = [#qc.stats<min = -6.000000e+00, max = 5.000000e+00, count = 8, channel_axis = 1, channel_absmax = [1.000000e+00, 6.000000e+00, 2.000000e+00, 6.000000e+00]>, unit]
//       CHECK:   ^bb0(%[[XV:.+]]: f32, %[[MV:.+]]: i1, %{{.+}}: f32, %{{.+}}: f32):
//       CHECK:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//       CHECK:     %[[N:.+]] = arith.select %[[MV]], %[[ZERO]], %[[XV]] : f32
//       CHECK:     %[[OUT:.+]] = arith.select %[[MV]], %[[XV]], %[[ZERO]] : f32
//       CHECK:     linalg.yield %[[N]], %[[OUT]] : f32, f32
//       CHECK:   %[[YN:.+]] = linalg.matmul ins(%[[SPLIT]]#0, %[[W]] : tensor<2x4xf32>, tensor<4x3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
//       CHECK:   %[[Y:.+]] = linalg.matmul {qc.skip = "the outlier channels of {{.*}}"} ins(%[[SPLIT]]#1, %[[W]] : tensor<2x4xf32>, tensor<4x3xf32>) outs(%[[YN]] : tensor<2x3xf32>)
//       CHECK:   return %[[Y]]

// A lower threshold reaches the comparisons.
// THRESHOLD-LABEL: func.func @with_stats
//   THRESHOLD-DAG:   arith.constant 2.500000e+00 : f32
//   THRESHOLD-DAG:   arith.constant -2.500000e+00 : f32
//       THRESHOLD:   qc.stats = [#qc.stats<min = -2.500000e+00, max = 2.500000e+00, {{.*}}channel_absmax = [1.000000e+00, 2.500000e+00, 2.000000e+00, 2.500000e+00]>, unit]

// The split layer is recognized and not split again.
// TWICE-LABEL: func.func @with_stats
//       TWICE:   linalg.generic
//       TWICE:   linalg.generic
//       TWICE:   linalg.matmul
//       TWICE:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"}
//   TWICE-NOT:   linalg.generic
//   TWICE-NOT:   linalg.matmul
//       TWICE:   return

// qc-quantize makes the normal half int8 from the clamped statistics
// ([-6, 5]: scale 11/255), over all K channels, and keeps the outlier half
// and its float weight.
// QUANT-LABEL: func.func @with_stats
//       QUANT:   %[[SPLIT:.+]]:2 = linalg.generic
//       QUANT:   %[[Q:.+]] = qc.quantize %[[SPLIT]]#0 : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 0.043137254901960784:11>>
//       QUANT:   %[[YN:.+]] = qc.matmul %[[Q]], %{{.*}} acc(i32) : tensor<2x4x!quant.uniform<i8:f32, {{.*}}>>, tensor<4x3x!quant.uniform<i8<-127:127>:f32:1, {{.*}}>> -> tensor<2x3xf32>
//       QUANT:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"} ins(%[[SPLIT]]#1, %{{.*}} : tensor<2x4xf32>, tensor<4x3xf32>) outs(%[[YN]] : tensor<2x3xf32>)
func.func @with_stats(%x: tensor<2x4xf32> {qc.stats = #qc.stats<min = -16.0, max = 5.0, count = 8, channel_axis = 1, channel_absmax = [1.0, 8.0, 2.0, 16.0]>}) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 0.0], [0.5, -1.0, 1.0], [-1.0, 0.0, 2.0], [0.25, 1.0, -0.5]]> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  // expected-remark @below {{layer 'linalg.matmul_0': channels with max |x| > 6 are detected per call and computed in float}}
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Dynamic mode needs no statistics: the layer is split, and the normal part
// has none either (a static scheme keeps it float, a dynamic one quantizes
// it). Rows may be dynamic: the mask and the masked copies take their sizes
// from x.

// CHECK-LABEL: func.func @without_stats
//  CHECK-SAME:   (%[[X:.+]]: tensor<?x4xf32>)
//   CHECK-NOT:   qc.stats
//   CHECK-DAG:   tensor.empty() : tensor<4xi1>
//   CHECK-DAG:   %[[EN:.+]] = tensor.empty(%{{.+}}) : tensor<?x4xf32>
//   CHECK-DAG:   %[[EO:.+]] = tensor.empty(%{{.+}}) : tensor<?x4xf32>
//       CHECK:   %[[SPLIT:.+]]:2 = linalg.generic {{.*}} outs(%[[EN]], %[[EO]] : tensor<?x4xf32>, tensor<?x4xf32>)
//   CHECK-NOT:   qc.stats
//       CHECK:   %[[YN:.+]] = linalg.matmul ins(%[[SPLIT]]#0, %{{.*}} : tensor<?x4xf32>, tensor<4x2xf32>)
//       CHECK:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"} ins(%[[SPLIT]]#1, %{{.*}} : tensor<?x4xf32>, tensor<4x2xf32>) outs(%[[YN]] : tensor<?x2xf32>)

// QUANT-LABEL: func.func @without_stats
//       QUANT:   linalg.matmul ins
//       QUANT:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"}

// QUANT-DYN-LABEL: func.func @without_stats
//       QUANT-DYN:   %[[SPLIT:.+]]:2 = linalg.generic
//       QUANT-DYN:   %[[Q:.+]], %[[S:.+]] = qc.dynamic_quantize %[[SPLIT]]#0 per_row
//       QUANT-DYN:   %[[YN:.+]] = qc.matmul %[[Q]], %{{.*}} lhs_scale(%[[S]] : tensor<?xf32>)
//       QUANT-DYN:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"} ins(%[[SPLIT]]#1, %{{.*}} : tensor<?x4xf32>, tensor<4x2xf32>) outs(%[[YN]] : tensor<?x2xf32>)
func.func @without_stats(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<4x2xf32>
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0': channels with max |x| > 6 are detected per call and computed in float}}
  %y = linalg.matmul ins(%x, %w : tensor<?x4xf32>, tensor<4x2xf32>) outs(%init : tensor<?x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Not linear layers, unchanged and without a remark: a product of two
// activations, a transposed-operand matmul, a batch matmul.

// CHECK-LABEL: func.func @not_linear
//   CHECK-NOT:   linalg.generic
//   CHECK-NOT:   qc.skip
func.func @not_linear(%x: tensor<2x4xf32>, %v: tensor<4x2xf32>, %b: tensor<1x2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<1x2x2xf32>) {
  %wt = arith.constant dense<1.0> : tensor<2x4xf32>
  %bw = arith.constant dense<1.0> : tensor<1x4x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %be = tensor.empty() : tensor<1x2x2xf32>
  %binit = linalg.fill ins(%zero : f32) outs(%be : tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %y0 = linalg.matmul ins(%x, %v : tensor<2x4xf32>, tensor<4x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y1 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
                      ins(%x, %wt : tensor<2x4xf32>, tensor<2x4xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y2 = linalg.batch_matmul ins(%b, %bw : tensor<1x2x4xf32>, tensor<1x4x2xf32>) outs(%binit : tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  return %y0, %y1, %y2 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<1x2x2xf32>
}
