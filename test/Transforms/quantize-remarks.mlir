// RUN: qcomp-opt %s --split-input-file --verify-diagnostics --qc-quantize | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{exclude=fc* keep-first=0}))" 2>&1 | FileCheck %s --check-prefix=EXCLUDE
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{keep-first=1 keep-last=1}))" 2>&1 | FileCheck %s --check-prefix=KEEP
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{only=fc2}))" 2>&1 | FileCheck %s --check-prefix=ONLY
// RUN: qcomp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qc-quantize{layer-bits=fc1=0,fc2=4}))" 2>&1 | FileCheck %s --check-prefix=BITS

// Every layer that stays float says why, and is left untouched.

// A static scheme needs the activation's statistics.
// CHECK-LABEL: func.func @no_stats
//       CHECK:   linalg.matmul
//   CHECK-NOT:   qc.
func.func @no_stats(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0' stays float: an activation has no calibration statistics}}
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A matmul accumulating into something other than zero is not a plain
// product; qc.skip keeps an op float on the front end's request.
// CHECK-LABEL: func.func @not_plain
//       CHECK:   linalg.matmul
//       CHECK:   linalg.matmul
//   CHECK-NOT:   qc.matmul
func.func @not_plain(%x: tensor<2x2xf32> {qc.stats = #qc.stats<min = -1.0, max = 1.0, count = 1>}, %acc: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0' stays float: it accumulates into a non-zero initial value}}
  %a = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_1' stays float: marked qc.skip}}
  %b = linalg.matmul {qc.skip} ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  // A pass that keeps an op float gives its reason in the attribute.
  // expected-remark @below {{layer 'linalg.matmul_2' stays float: the outlier channels of 'fc', computed in float}}
  %c = linalg.matmul {qc.skip = "the outlier channels of 'fc', computed in float"} ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %b : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A reduction so long that int32 could overflow (100000 products of up to
// |q - z| = 191 by 127): the layer accumulates in i64, bias included, and
// says so.
// CHECK-LABEL: func.func @long_reduction
//       CHECK:   %[[B:.*]] = arith.constant dense<[4048, -8096]> : tensor<2xi64>
//       CHECK:   qc.matmul %{{.*}}, %{{.*}} bias(%[[B]] : tensor<2xi64>) acc(i64)
func.func @long_reduction(%x: tensor<1x100000xf32> {qc.stats = #qc.stats<min = -1.0, max = 3.0, count = 1>}) -> tensor<1x2xf32> {
  %w = arith.constant dense<0.5> : tensor<100000x2xf32>
  %b = arith.constant dense<[0.25, -0.5]> : tensor<2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  // expected-remark @below {{layer 'linalg.matmul_0' accumulates in i64: 100000 products of magnitude up to 191 x 127 could overflow i32}}
  %mm = linalg.matmul ins(%x, %w : tensor<1x100000xf32>, tensor<100000x2xf32>) outs(%init : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm, %b : tensor<1x2xf32>, tensor<2xf32>) outs(%e : tensor<1x2xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %s = arith.addf %in, %in_0 : f32
    linalg.yield %s : f32
  } -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Three layers for the selection options.
// CHECK-LABEL: func.func @three_layers
// CHECK-COUNT-3: qc.matmul

// EXCLUDE: remark: {{.*}}layer 'fc1' stays float: excluded by exclude=fc*
// EXCLUDE: remark: {{.*}}layer 'fc2' stays float: excluded by exclude=fc*
// EXCLUDE-NOT: layer 'out' stays float
// EXCLUDE-LABEL: func.func @three_layers
// EXCLUDE-COUNT-1: qc.matmul
// EXCLUDE-NOT: qc.matmul

// KEEP: remark: {{.*}}layer 'fc1' stays float: kept float by keep-first=1
// KEEP: remark: {{.*}}layer 'out' stays float: kept float by keep-last=1
// KEEP-LABEL: func.func @three_layers
// KEEP-COUNT-1: qc.matmul
// KEEP-NOT: qc.matmul

// ONLY: remark: {{.*}}layer 'fc1' stays float: not selected by only=
// ONLY: remark: {{.*}}layer 'out' stays float: not selected by only=
// ONLY-LABEL: func.func @three_layers
// ONLY-COUNT-1: qc.matmul
// ONLY-NOT: qc.matmul

// Per-layer widths: fc1 float, fc2 int4 (packed), out the scheme's int8.
// BITS: remark: {{.*}}layer 'fc1' stays float: kept float by layer-bits=fc1=0
// BITS-LABEL: func.func @three_layers
// BITS: linalg.matmul
// BITS: qc.unpack {{.*}}i4<-7:7>
// BITS: qc.matmul
// BITS: quant.scast {{.*}}i8<-127:127>
// BITS: qc.matmul
func.func @three_layers(%x: tensor<2x2xf32> {qc.stats = #qc.stats<min = -1.0, max = 1.0, count = 1>}) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul {qc.stats = [#qc.stats<min = -3.0, max = 5.0, count = 1>]} ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc1")
  %b = linalg.matmul {qc.stats = [#qc.stats<min = -9.0, max = 9.0, count = 1>]} ins(%a, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc2")
  %c = linalg.matmul ins(%b, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32> loc("out")
  return %c : tensor<2x2xf32>
}

