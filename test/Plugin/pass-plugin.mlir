// Upstream mlir-opt (Debian's) with QCompPlugin.so as a pass plugin runs
// qcomp's passes and pipelines from --pass-pipeline (plugin passes are not
// mlir-opt flags). The pass plugin alone suffices for float input: the passes
// load the qc dialect they create.
// RUN: mlir-opt %s --load-pass-plugin=%qcomp_plugin --pass-pipeline='builtin.module(qcomp-quantize-pipeline{calib=%S/../Pipelines/Inputs/quantize-table.json scheme=w8a8})' | FileCheck %s
// RUN: mlir-opt %s --load-pass-plugin=%qcomp_plugin --pass-pipeline='builtin.module(func.func(qc-insert-observers),qc-attach-stats{table=%S/../Pipelines/Inputs/quantize-table.json},func.func(qc-quantize{scheme=w8a8}))' | FileCheck %s --check-prefix=PASSES

// Both plugins from one file, quantized, split and lowered by upstream
// mlir-opt and run by upstream mlir-runner: the same numbers as qcomp-opt.
// RUN: mlir-opt %s --load-dialect-plugin=%qcomp_plugin --load-pass-plugin=%qcomp_plugin --pass-pipeline='builtin.module(qcomp-quantize-pipeline{calib=%S/../Pipelines/Inputs/quantize-table.json outlier-threshold=6},qcomp-reference-to-llvm-pipeline)' 2>/dev/null \
// RUN: | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | grep -v base@ > %t.upstream.txt
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{calib=%S/../Pipelines/Inputs/quantize-table.json outlier-threshold=6},qcomp-reference-to-llvm-pipeline)' 2>/dev/null \
// RUN: | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | grep -v base@ > %t.qcomp.txt
// RUN: diff %t.upstream.txt %t.qcomp.txt
// RUN: FileCheck %s --check-prefix=OUT < %t.upstream.txt

// CHECK-LABEL: func.func @linear
// CHECK:         %[[XQ:.+]] = qc.quantize %{{.+}} : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, {{.+}}>>
// CHECK:         qc.matmul %[[XQ]], %{{.+}} acc(i32)
// CHECK-NOT:     linalg.matmul
// CHECK-LABEL: func.func @main

// PASSES-LABEL: func.func @linear
// PASSES-NOT:     qc.observe
// PASSES:         qc.matmul

// The float result is [[8.8125, 1.875, -3.5], [0.125, 2.875, -1.25]]: with
// channel 1 (8 and 1) in float, the int8 part (scale 2/255) stays within
// 0.02 of it.
// OUT:      {{\[}}[8.8{{[0-9]*}}, {{ *}}1.8{{[0-9]*}}, {{ *}}-3.4{{[0-9]*}}],
// OUT-NEXT:  [0.1{{[0-9]*}}, {{ *}}2.8{{[0-9]*}}, {{ *}}-1.2{{[0-9]*}}]]

func.func @linear(%x: tensor<2x4xf32> {qc.name = "x"}) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.125, -0.5, 0.5]]> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32> loc("fc1")
  return %y : tensor<2x3xf32>
}

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %x = arith.constant dense<[[1.0, 8.0, -0.5, 1.5], [-1.0, 1.0, 0.5, -2.0]]> : tensor<2x4xf32>
  %y = call @linear(%x) : (tensor<2x4xf32>) -> tensor<2x3xf32>
  %m = bufferization.to_buffer %y : tensor<2x3xf32> to memref<2x3xf32>
  %u = memref.cast %m : memref<2x3xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
