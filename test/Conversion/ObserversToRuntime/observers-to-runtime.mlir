// RUN: qcomp-opt %s --split-input-file --qc-lower-observers-to-runtime --verify-diagnostics | FileCheck %s

// Observers become calls numbered in program order; the module lists their
// ids in that order, and uses take the observed value directly.
// CHECK-LABEL: module attributes {qc.observer_ids = ["x", "fc1:output"]}
// CHECK:       func.func @f(%[[X:.+]]: tensor<2x3xf32>)
// CHECK:         %[[B0:.+]] = bufferization.to_buffer %[[X]] read_only : tensor<2x3xf32> to memref<2x3xf32>
// CHECK:         %[[U0:.+]] = memref.cast %[[B0]] : memref<2x3xf32> to memref<*xf32>
// CHECK:         %[[C0:.+]] = arith.constant 0 : i64
// CHECK:         call @qcomp_observe_f32(%[[C0]], %[[U0]]) : (i64, memref<*xf32>) -> ()
// CHECK:         %[[S:.+]] = arith.addf %[[X]], %[[X]]
// CHECK:         %[[C1:.+]] = arith.constant 1 : i64
// CHECK:         call @qcomp_observe_f32(%[[C1]], %{{.+}})
// CHECK:         return %[[S]]
// CHECK:       func.func private @qcomp_observe_f32(i64, memref<*xf32>) attributes {llvm.emit_c_interface}
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %xo = qc.observe %x id "x" channel_axis 1 : tensor<2x3xf32>
  %s = arith.addf %xo, %xo : tensor<2x3xf32>
  %so = qc.observe %s id "fc1:output" : tensor<2x3xf32>
  return %so : tensor<2x3xf32>
}

// -----

// A module without observers is left alone.
// CHECK-LABEL: func.func @none
// CHECK-NOT:   qc_observe
// CHECK-NOT:   qcomp_observe_f32
func.func @none(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

// Only f32 tensors reach the runtime.
func.func @f64(%x: tensor<2xf64>) -> tensor<2xf64> {
  // expected-error@+1 {{only f32 tensors can be observed at run time, got 'tensor<2xf64>'}}
  %xo = qc.observe %x id "x" : tensor<2xf64>
  return %xo : tensor<2xf64>
}
