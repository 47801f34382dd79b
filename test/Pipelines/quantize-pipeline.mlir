// qcomp-quantize-pipeline: the quantization flow of `qcomp quantize` as one
// textual pipeline (buildQuantizePipeline in C++). With `calib`, observers
// are inserted and the table's statistics attached; `smooth` adds qc-smooth,
// `outlier-threshold` qc-split-outliers; qc-quantize's options keep their
// names.
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{calib=%S/Inputs/quantize-table.json})' | FileCheck %s --check-prefix=W8A8
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{calib=%S/Inputs/quantize-table.json scheme=w8a16})' | FileCheck %s --check-prefix=W8A16
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{scheme=w8a8 smooth=0.5 calib=%S/Inputs/quantize-table.json})' | FileCheck %s --check-prefix=SMOOTH
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{outlier-threshold=6 calib=%S/Inputs/quantize-table.json})' 2>/dev/null | FileCheck %s --check-prefix=SPLIT
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{scheme=w8a8 smooth=0.5 outlier-threshold=6 calib=%S/Inputs/quantize-table.json})' 2>/dev/null | FileCheck %s --check-prefix=SMOOTH-SPLIT
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{calib=%S/Inputs/quantize-table.json exclude=fc1})' 2>/dev/null | FileCheck %s --check-prefix=EXCLUDED

// Without `calib` the statistics must already be on the IR: here there are
// none, so the static scheme leaves the layer float (a remark says why).
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline)' 2>&1 | FileCheck %s --check-prefix=NO-STATS

// The passes it runs, in order, with their options.
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{calib=%S/Inputs/quantize-table.json observe=all smooth=0.5 outlier-threshold=6 outlier-mode=dynamic scheme=w4a8 exclude=a,b fixed-point=true})' --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{propagate-scales=false})' --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=NO-PROPAGATE

// Bad options are the pass manager's errors; bad values the passes'.
// RUN: not qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{bogus=1})' 2>&1 | FileCheck %s --check-prefix=BAD-OPTION
// RUN: not qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{calib=%S/Inputs/quantize-table.json scheme=w9a9})' 2>&1 | FileCheck %s --check-prefix=BAD-SCHEME
// RUN: not qcomp-opt %s --pass-pipeline='builtin.module(qcomp-quantize-pipeline{calib=%t.does-not-exist.json})' 2>&1 | FileCheck %s --check-prefix=NO-TABLE

// W8A8-LABEL: func.func @linear
// W8A8-SAME:    qc.stats = #qc.stats<min = -2.000000e+00, max = 9.000000e+00
// W8A8-NOT:     qc.observe
// W8A8:         %[[XQ:.+]] = qc.quantize %{{.+}} : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, {{.+}}>>
// W8A8:         %[[W:.+]] = quant.scast %{{.+}} : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8<-127:127>:f32:1, {{.+}}>>
// W8A8:         qc.matmul %[[XQ]], %[[W]] acc(i32)
// W8A8-NOT:     linalg.matmul

// Weight-only: the float matmul stays, on dequantized weights.
// W8A16-LABEL: func.func @linear
// W8A16-NOT:     qc.quantize
// W8A16:         qc.dequantize
// W8A16:         linalg.matmul

// SMOOTH-LABEL: func.func @linear
// SMOOTH:         %[[S:.+]] = qc.smooth %{{.+}} by [1.000000e+00, 3.000000e+00, 7.071068e-01, 2.000000e+00]
// SMOOTH:         qc.quantize %[[S]]
// SMOOTH:         qc.matmul

// Channel 1 of x (max |x| = 9) is computed in float, the others in int8.
// SPLIT-LABEL: func.func @linear
// SPLIT-DAG:     %[[WI:.+]] = arith.constant dense<{{.+}}> : tensor<3x3xi8>
// SPLIT-DAG:     %[[WF:.+]] = arith.constant dense<{{.+}}> : tensor<1x3xf32>
// SPLIT:         %[[NORMAL:.+]] = tensor.concat
// SPLIT:         %[[OUTLIER:.+]] = tensor.extract_slice %{{.+}}[0, 1] [2, 1] [1, 1]
// SPLIT:         %[[INT:.+]] = qc.matmul %[[NORMAL]], %{{.+}} acc(i32)
// SPLIT:         linalg.matmul {qc.skip = {{.+}}} ins(%[[OUTLIER]], %[[WF]] : {{.+}}) outs(%[[INT]] :

// After smoothing, channel 1 of x (9 -> 3) is no outlier at 6: nothing is
// split.
// SMOOTH-SPLIT-LABEL: func.func @linear
// SMOOTH-SPLIT:         qc.smooth
// SMOOTH-SPLIT:         qc.matmul
// SMOOTH-SPLIT-NOT:     qc.skip

// EXCLUDED-LABEL: func.func @linear
// EXCLUDED-NOT:     qc.matmul
// EXCLUDED:         linalg.matmul

// NO-STATS: remark: {{.*}}layer 'fc1' stays float
// NO-STATS: linalg.matmul
// NO-STATS-NOT: qc.matmul

// PIPELINE:      builtin.module(
// PIPELINE-NEXT:   func.func(
// PIPELINE-NEXT:     qc-insert-observers{inputs=true ops={all} outputs=true}
// PIPELINE-NEXT:   ),
// PIPELINE-NEXT:   qc-attach-stats{allow-missing=true table={{.*}}quantize-table.json},
// PIPELINE-NEXT:   func.func(
// PIPELINE-NEXT:     qc-smooth{alpha=0.5 min-scale=1.000000e-05 standalone=true}
// PIPELINE-NEXT:   ),
// PIPELINE-NEXT:   func.func(
// PIPELINE-NEXT:     qc-split-outliers{max-fraction=2.500000e-01 mode=dynamic threshold=6.000000e+00 top-k=0}
// PIPELINE-NEXT:   ),
// PIPELINE-NEXT:   func.func(
// PIPELINE-NEXT:     qc-quantize{{[{].*}} exclude={a,b} {{.*}} scheme=w4a8 {{.*}}}
// PIPELINE-NEXT:   ),
// PIPELINE-NEXT:   cse,
// PIPELINE-NEXT:   func.func(
// PIPELINE-NEXT:     qc-propagate-scales{fixed-point=true}
// PIPELINE-NEXT:   ),
// PIPELINE-NEXT:   cse
// PIPELINE-NEXT: )

// NO-PROPAGATE-NOT: qc-insert-observers
// NO-PROPAGATE-NOT: qc-attach-stats
// NO-PROPAGATE-NOT: qc-smooth
// NO-PROPAGATE-NOT: qc-split-outliers
// NO-PROPAGATE:     qc-quantize{
// NO-PROPAGATE:     cse
// NO-PROPAGATE-NOT: qc-propagate-scales

// BAD-OPTION: no such option bogus
// BAD-SCHEME: unknown scheme 'w9a9'
// NO-TABLE: does-not-exist.json

func.func @linear(%x: tensor<2x4xf32> {qc.name = "x"}) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.125, -0.5, 0.5]]> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32> loc("fc1")
  return %y : tensor<2x3xf32>
}
