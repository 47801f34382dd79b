// RUN: not qcomp-opt %s --pass-pipeline="builtin.module(func.func(qc-quantize{scheme=w3a8}))" 2>&1 | FileCheck %s --check-prefix=SCHEME
// RUN: not qcomp-opt %s --pass-pipeline="builtin.module(func.func(qc-quantize{activations=dynamic activation-symmetric=false}))" 2>&1 | FileCheck %s --check-prefix=DYNASYM
// RUN: not qcomp-opt %s --pass-pipeline="builtin.module(func.func(qc-quantize{range-method=median}))" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not qcomp-opt %s --pass-pipeline="builtin.module(func.func(qc-quantize{layer-bits=fc1=3}))" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: qcomp-opt %s --split-input-file --verify-diagnostics --qc-quantize

// SCHEME: error: qc-quantize: unknown scheme 'w3a8' (expected w8a8, w8a8-dynamic, w4a8, w8a16, w4a16 or w2a16)
// DYNASYM: error: qc-quantize: dynamic activations are symmetric
// RANGE: error: qc-quantize: unknown range-method 'median' (expected minmax, percentile, entropy or mse)
// BITS: error: layer-bits entry 'fc1=3' must be <layer>=<bits> with bits 8, 4, 2 or 0

func.func @f(%x: tensor<2x2xf32> {qc.stats = #qc.stats<min = -1.0, max = 1.0, count = 1>}) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc1")
  return %y : tensor<2x2xf32>
}

// -----

// A NaN weight cannot be quantized: an error naming the layer and the element.
func.func @nan_weight(%x: tensor<2x2xf32> {qc.stats = #qc.stats<min = -1.0, max = 1.0, count = 1>}) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 0x7FC00000], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-error @below {{layer 'linalg.matmul_0': cannot quantize its weight: weight at flat index 1 must be finite, got nan}}
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Weights are quantized at compile time: a dynamic weight scheme is refused.
func.func @dynamic_weights(%x: tensor<2x2xf32> {qc.stats = #qc.stats<min = -1.0, max = 1.0, count = 1>}) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-error @below {{layer 'linalg.matmul_0': weights are quantized at compile time: qc.weight_scheme must be static}}
  %y = linalg.matmul {qc.weight_scheme = #qc.scheme<bits = 8, granularity = per_tensor, mode = dynamic>} ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
