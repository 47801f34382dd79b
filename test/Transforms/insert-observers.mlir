// RUN: qcomp-opt %s --split-input-file --qc-insert-observers | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-insert-observers{outputs=false}))" | FileCheck %s --check-prefix=INPUTS
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-insert-observers{ops=conv}))" | FileCheck %s --check-prefix=CONV

// An argument feeding a matmul is observed under its model name, with the
// reduced dimension (K) as channel axis; the constant weight is not; the
// result is observed under the node name with its output channel (N).
// CHECK-LABEL: func.func @mlp
// CHECK-SAME:    (%[[X:.+]]: tensor<4x8xf32> {qc.name = "x"})
// CHECK:         %[[XO:.+]] = qc.observe %[[X]] id "x" channel_axis 1 : tensor<4x8xf32>
// CHECK-DAG:     %[[W1:.+]] = arith.constant dense<5.000000e-01> : tensor<8x16xf32>
// CHECK:         %[[H:.+]] = linalg.matmul ins(%[[XO]], %[[W1]] : tensor<4x8xf32>, tensor<8x16xf32>)
// CHECK:         %[[HO:.+]] = qc.observe %[[H]] id "fc1:output" channel_axis 1
// CHECK:         %[[R:.+]] = linalg.generic {{.*}} ins(%[[HO]] :
// CHECK:         %[[RO:.+]] = qc.observe %[[R]] id "fc2:input0" channel_axis 1
// CHECK:         %[[Y:.+]] = linalg.matmul ins(%[[RO]], %{{.+}} :
// CHECK:         %[[YO:.+]] = qc.observe %[[Y]] id "fc2:output" channel_axis 1
// CHECK:         return %[[YO]]

// INPUTS-LABEL: func.func @mlp
// INPUTS-COUNT-2: qc.observe
// INPUTS-NOT:   qc.observe {{.*}}output

// ops=conv: a model without convolutions is left alone.
// CONV-LABEL:   func.func @mlp
// CONV-NOT:     qc.observe
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @mlp(%x: tensor<4x8xf32> {qc.name = "x"}) -> tensor<4x4xf32> {
  %w1 = arith.constant dense<0.5> : tensor<8x16xf32>
  %w2 = arith.constant dense<0.25> : tensor<16x4xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f1 : tensor<4x16xf32>) -> tensor<4x16xf32> loc("fc1")
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x16xf32> loc("relu")
  %e2 = tensor.empty() : tensor<4x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = linalg.matmul ins(%r, %w2 : tensor<4x16xf32>, tensor<16x4xf32>) outs(%f2 : tensor<4x4xf32>) -> tensor<4x4xf32> loc("fc2")
  return %y : tensor<4x4xf32>
}

// -----

// A value read by two matmuls is observed once; ops without a name location
// are named by op name and position; repeated names get a suffix.
// CHECK-LABEL: func.func @shared
// CHECK:         %[[AO:.+]] = qc.observe %arg0 id "arg0" channel_axis 1
// CHECK-NEXT:    %[[BO:.+]] = qc.observe %arg1 id "arg1" channel_axis 0
// CHECK:         linalg.matmul ins(%[[AO]], %[[BO]] :
// CHECK-NEXT:    qc.observe %{{.+}} id "linalg.matmul_0:output" channel_axis 1
// CHECK-NEXT:    linalg.matmul ins(%[[AO]], %[[BO]] :
// CHECK-NEXT:    qc.observe %{{.+}} id "linalg.matmul_1:output" channel_axis 1

// CONV-LABEL:   func.func @shared
// CONV-NOT:     qc.observe
func.func @shared(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Convolutions: the input channel is axis 1, and so is the output channel.
// CONV-LABEL: func.func @conv
// CONV:         qc.observe %arg0 id "arg0" channel_axis 1
// CONV:         linalg.conv_2d_nchw_fchw
// CONV:         qc.observe %{{.+}} id "conv1:output" channel_axis 1
func.func @conv(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x6x6xf32> {
  %w = arith.constant dense<1.0> : tensor<4x3x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%f : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> loc("conv1")
  return %y : tensor<1x4x6x6xf32>
}

// -----

// A weight that the importer transposed (Gemm transB) or reshaped is still a
// weight: computed from constants only, it is not observed.
// CHECK-LABEL: func.func @transposed_weight
// CHECK:         qc.observe %arg0 id "arg0" channel_axis 1
// CHECK-NOT:     qc.observe %{{.+}} id "fc:input1"
// CHECK:         qc.observe %{{.+}} id "fc:output" channel_axis 1
func.func @transposed_weight(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<1.0> : tensor<4x3xf32>
  %e0 = tensor.empty() : tensor<3x4xf32>
  %wt = linalg.transpose ins(%w : tensor<4x3xf32>) outs(%e0 : tensor<3x4xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<2x3xf32>, tensor<3x4xf32>) outs(%f : tensor<2x4xf32>) -> tensor<2x4xf32> loc("fc")
  return %y : tensor<2x4xf32>
}
