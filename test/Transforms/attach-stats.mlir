// RUN: qcomp-opt %s --split-input-file --qc-attach-stats=table=%S/Inputs/calibration-table.json --verify-diagnostics | FileCheck %s
// RUN: not qcomp-opt %s --qc-attach-stats=table=%t.does-not-exist.json 2>&1 | FileCheck %s --check-prefix=NOFILE

// Statistics land on the definition of the observed value: the argument's
// attributes for an argument, the defining op's `qc.stats` array for a
// result; the observers are gone and their uses take the value.
// CHECK-LABEL: func.func @attach
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3xf32> {qc.name = "x", qc.stats = #qc.stats<min = -1.000000e+00, max = 1.500000e+00, count = 4>})
// CHECK-NOT:     qc.observe
// CHECK:         %[[Y:.+]] = linalg.matmul {qc.stats = [#qc.stats<min = -2.500000e+00, max = 7.250000e+00, count = 4, channel_axis = 1, channel_absmax = [2.500000e+00, 7.250000e+00, 1.000000e+00], hist_min = -4.000000e+00, hist_max = 8.000000e+00, histogram = [1, 2, 3, 4], non_finite = 3>]} ins(%[[X]], %{{.+}} :
// CHECK:         return %[[Y]]
func.func @attach(%x: tensor<2x3xf32> {qc.name = "x"}) -> tensor<2x3xf32> {
  %xo = qc.observe %x id "x" channel_axis 1 : tensor<2x3xf32>
  %w = arith.constant dense<1.0> : tensor<3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%xo, %w : tensor<2x3xf32>, tensor<3x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %yo = qc.observe %y id "fc1:output" channel_axis 1 : tensor<2x3xf32>
  return %yo : tensor<2x3xf32>
}

// -----

// An observer the table does not know is an error (unless allow-missing,
// see attach-stats-allow-missing.mlir).
func.func @missing(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{no statistics for observer 'unknown' in}}
  %xo = qc.observe %x id "unknown" : tensor<2x3xf32>
  return %xo : tensor<2x3xf32>
}

// -----

// The table's channel maxima must fit the observed tensor.
func.func @channels(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<1.0> : tensor<4x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x4xf32>) outs(%f : tensor<2x4xf32>) -> tensor<2x4xf32>
  // expected-error@+1 {{statistics of 'fc1:output' have 3 channels, which does not match 'tensor<2x4xf32>'}}
  %yo = qc.observe %y id "fc1:output" channel_axis 1 : tensor<2x4xf32>
  return %yo : tensor<2x4xf32>
}

// NOFILE: error: {{.*}}does-not-exist.json
