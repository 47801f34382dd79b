// RUN: qcomp-opt %s --split-input-file --qc-propagate-scales | FileCheck %s

// qc-propagate-scales folds ReLU, ReLU6 and clamp in front of a per-tensor
// qc.quantize into the storage range of its type. With scale 0.05 and zero
// point -3: q(0) = -3, q(6) = 117, q(-1) = -23, q(2) = 37.

// ReLU with its constant inside the body: the range becomes [z, qmax].
// CHECK-LABEL: func.func @relu
// CHECK-SAME:    (%[[Y:.+]]: tensor<2x8xf32>, %[[W:.+]]: tensor<8x4x{{.+}}>)
// CHECK-NOT:     linalg.generic
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<2x8xf32> to tensor<2x8x!quant.uniform<i8<-3:127>:f32, 5.000000e-02:-3>>
// CHECK:         qc.matmul %[[Q]], %[[W]] acc(i32) : tensor<2x8x!quant.uniform<i8<-3:127>:f32, 5.000000e-02:-3>>,
#id = affine_map<(d0, d1) -> (d0, d1)>
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @relu(%y: tensor<2x8xf32>, %w: tensor<8x4x!qw>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  %q = qc.quantize %r : tensor<2x8xf32> to tensor<2x8x!qa>
  %z = qc.matmul %q, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// ReLU6 with its constants outside the body: [z, min(qmax, q(6))].
// CHECK-LABEL: func.func @relu6
// CHECK-SAME:    (%[[Y:.+]]: tensor<2x8xf32>,
// CHECK-NOT:     linalg.generic
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<2x8xf32> to tensor<2x8x!quant.uniform<i8<-3:117>:f32, 5.000000e-02:-3>>
// CHECK:         qc.matmul %[[Q]],
#id = affine_map<(d0, d1) -> (d0, d1)>
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @relu6(%y: tensor<2x8xf32>, %w: tensor<8x4x!qw>) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    %n = arith.minimumf %m, %six : f32
    linalg.yield %n : f32
  } -> tensor<2x8xf32>
  %q = qc.quantize %r : tensor<2x8xf32> to tensor<2x8x!qa>
  %z = qc.matmul %q, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// ONNX Clip with its bounds as 0-d constant inputs, min taken first.
// CHECK-LABEL: func.func @clip_bound_inputs
// CHECK-SAME:    (%[[Y:.+]]: tensor<2x8xf32>,
// CHECK-NOT:     linalg.generic
// CHECK:         %[[Q:.+]] = qc.quantize %[[Y]] : tensor<2x8xf32> to tensor<2x8x!quant.uniform<i8<-23:37>:f32, 5.000000e-02:-3>>
// CHECK:         qc.matmul %[[Q]],
#id = affine_map<(d0, d1) -> (d0, d1)>
#scalar = affine_map<(d0, d1) -> ()>
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @clip_bound_inputs(%y: tensor<2x8xf32>, %w: tensor<8x4x!qw>) -> tensor<2x4xf32> {
  %lo = arith.constant dense<-1.0> : tensor<f32>
  %hi = arith.constant dense<2.0> : tensor<f32>
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #scalar, #scalar, #id], iterator_types = ["parallel", "parallel"]} ins(%y, %lo, %hi : tensor<2x8xf32>, tensor<f32>, tensor<f32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%in: f32, %l: f32, %h: f32, %out: f32):
    %n = arith.minimumf %in, %h : f32
    %m = arith.maximumf %n, %l : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  %q = qc.quantize %r : tensor<2x8xf32> to tensor<2x8x!qa>
  %z = qc.matmul %q, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// A ReLU after a matmul folds into the quantize, which then becomes the
// matmul's result type; the reshapes to the next matmul carry the narrower
// type along.
// CHECK-LABEL: func.func @relu_between_matmuls
// CHECK:         %[[Y:.+]] = qc.matmul {{.*}} -> tensor<2x4x!quant.uniform<i8<2:127>:f32, 1.000000e-01:2>>
// CHECK:         %[[C:.+]] = tensor.collapse_shape %[[Y]] {{.*}} into tensor<8x!quant.uniform<i8<2:127>:f32, 1.000000e-01:2>>
// CHECK:         %[[X:.+]] = tensor.expand_shape %[[C]] {{.*}} into tensor<1x8x!quant.uniform<i8<2:127>:f32, 1.000000e-01:2>>
// CHECK:         %[[Z:.+]] = qc.matmul %[[X]], {{.*}} -> tensor<1x4xf32>
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     qc.quantize
// CHECK:         return %[[Z]]
#id = affine_map<(d0, d1) -> (d0, d1)>
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
!qo = !quant.uniform<i8:f32, 0.1:2>
func.func @relu_between_matmuls(%x: tensor<2x8x!qa>, %w: tensor<8x4x!qw>, %w2: tensor<8x4x!qw>) -> tensor<1x4xf32> {
  %y = qc.matmul %x, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x4xf32>
  %c = tensor.collapse_shape %r [[0, 1]] : tensor<2x4xf32> into tensor<8xf32>
  %x2 = tensor.expand_shape %c [[0, 1]] output_shape [1, 8] : tensor<8xf32> into tensor<1x8xf32>
  %q = qc.quantize %x2 : tensor<1x8xf32> to tensor<1x8x!qo>
  %z = qc.matmul %q, %w2 acc(i32) : tensor<1x8x!qo>, tensor<8x4x!qw> -> tensor<1x4xf32>
  return %z : tensor<1x4xf32>
}

// -----

// Negative: clamping below at 1.0 leaves the zero point (real 0) outside the
// range, which no quantized type allows.
// CHECK-LABEL: func.func @clamp_excludes_zero
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK:         qc.quantize %[[R]] : tensor<2x8xf32> to tensor<2x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
#id = affine_map<(d0, d1) -> (d0, d1)>
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @clamp_excludes_zero(%y: tensor<2x8xf32>, %w: tensor<8x4x!qw>) -> tensor<2x4xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %one : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  %q = qc.quantize %r : tensor<2x8xf32> to tensor<2x8x!qa>
  %z = qc.matmul %q, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// Negative: the quantized value is returned, so its type cannot change.
// CHECK-LABEL: func.func @relu_returned
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK:         %[[Q:.+]] = qc.quantize %[[R]] : tensor<2x8xf32> to tensor<2x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK:         return %[[Q]]
#id = affine_map<(d0, d1) -> (d0, d1)>
!qa = !quant.uniform<i8:f32, 0.05:-3>
func.func @relu_returned(%y: tensor<2x8xf32>) -> tensor<2x8x!qa> {
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  %q = qc.quantize %r : tensor<2x8xf32> to tensor<2x8x!qa>
  return %q : tensor<2x8x!qa>
}

// -----

// Negative: a per-axis quantize has no single storage range for the bounds.
// CHECK-LABEL: func.func @relu_per_axis
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK:         qc.quantize %[[R]]
#id = affine_map<(d0, d1) -> (d0, d1)>
!qc = !quant.uniform<i8:f32:1, {0.1, 0.2}>
func.func @relu_per_axis(%y: tensor<2x2xf32>, %x: tensor<2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x2xi32> {
  %e = tensor.empty() : tensor<2x2xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x2xf32>
  %q = qc.quantize %r : tensor<2x2xf32> to tensor<2x2x!qc>
  %z = qc.matmul %x, %q acc(i32) : tensor<2x2x!quant.uniform<i8:f32, 0.1>>, tensor<2x2x!qc> -> tensor<2x2xi32>
  return %z : tensor<2x2xi32>
}

// -----

// Negative: a body that computes more than a clamp (a leaky ReLU's scaling)
// is not a clamp.
// CHECK-LABEL: func.func @not_a_clamp
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK:           arith.mulf
// CHECK:         qc.quantize %[[R]] : tensor<2x8xf32> to tensor<2x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
#id = affine_map<(d0, d1) -> (d0, d1)>
!qa = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:1, {0.01, 0.02, 0.03, 0.04}>
func.func @not_a_clamp(%y: tensor<2x8xf32>, %w: tensor<8x4x!qw>) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.mulf %in, %half : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  %q = qc.quantize %r : tensor<2x8xf32> to tensor<2x8x!qa>
  %z = qc.matmul %q, %w acc(i32) : tensor<2x8x!qa>, tensor<8x4x!qw> -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}
