// RUN: qcomp-opt %s --pass-pipeline="builtin.module(func.func(qc-split-outliers{max-fraction=0.5}))" 2>/dev/null \
// RUN: | FileCheck %s --check-prefix=STATIC-IR
// RUN: qcomp-opt %s --pass-pipeline="builtin.module(func.func(qc-split-outliers{max-fraction=0.5}))" 2>/dev/null \
// RUN: | qcomp-opt --qcomp-reference-to-llvm-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s
// RUN: qcomp-opt %s --pass-pipeline="builtin.module(func.func(qc-split-outliers{mode=dynamic}))" 2>/dev/null \
// RUN: | FileCheck %s --check-prefix=DYNAMIC-IR
// RUN: qcomp-opt %s --pass-pipeline="builtin.module(func.func(qc-split-outliers{mode=dynamic}))" 2>/dev/null \
// RUN: | qcomp-opt --qcomp-reference-to-llvm-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// qc-split-outliers keeps the float model's numbers: @split (constant
// weight, split by the pass) and @reference (the weight passed as an
// argument, so not a linear layer the pass splits) compute the same product
// on three inputs, in static and in dynamic mode. All values are exact in
// f32 (the split changes the order of the sums, not their value).
//
// W rows: r0 = [1, 2, 0], r1 = [0.5, -1, 1], r2 = [-1, 0, 2],
//         r3 = [0.25, 1, -0.5].
// x1 = [[1, 8, 2, -16], [-1, 0.5, 2, 4]]: channels 1 and 3 are outliers (as
//   calibrated, and at run time: column maxima 1, 8, 2, 16 against 6)
//   row 0: r0 + 8 r1 + 2 r2 - 16 r3 = [1 + 4 - 2 - 4, 2 - 8 - 16, 8 + 4 + 8]
//        = [-1, -22, 20]
//   row 1: -r0 + 0.5 r1 + 2 r2 + 4 r3 = [-1 + 0.25 - 2 + 1, -2 - 0.5 + 4,
//          0.5 + 4 - 2] = [-1.75, 1.5, 2.5]
// x2 = [[2, 1, -3, 0.5], [1, -2, 4, 1]]: no column over 6 (dynamic mode
//   computes everything in the first matmul, the second adds zeros)
//   row 0: 2 r0 + r1 - 3 r2 + 0.5 r3 = [2 + 0.5 + 3 + 0.125, 4 - 1 + 0.5,
//          1 - 6 - 0.25] = [5.625, 3.5, -5.25]
//   row 1: r0 - 2 r1 + 4 r2 + r3 = [1 - 1 - 4 + 0.25, 2 + 2 + 1, -2 + 8 - 0.5]
//        = [-3.75, 5, 5.5]
// x3 = [[10, 1, 1, 1], [0, 0, 0, -0.5]]: channel 0 is an outlier calibration
//   did not see (static mode keeps it in the first matmul, dynamic mode
//   moves it to the second)
//   row 0: 10 r0 + r1 + r2 + r3 = [10 + 0.5 - 1 + 0.25, 20 - 1 + 1,
//          1 + 2 - 0.5] = [9.75, 20, 2.5]
//   row 1: -0.5 r3 = [-0.125, -0.5, 0.25]

// The split happened (otherwise the numbers below would prove nothing).
// STATIC-IR-LABEL: func.func @split
//       STATIC-IR:   tensor.concat
//       STATIC-IR:   tensor.concat
//       STATIC-IR:   %[[YN:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x2xf32>, tensor<2x3xf32>)
//       STATIC-IR:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"} ins(%{{.*}}, %{{.*}} : tensor<2x2xf32>, tensor<2x3xf32>) outs(%[[YN]] : tensor<2x3xf32>)
// STATIC-IR-LABEL: func.func @reference
//   STATIC-IR-NOT:   qc.skip
// DYNAMIC-IR-LABEL: func.func @split
//       DYNAMIC-IR:   %[[M:.*]]:2 = linalg.generic
//       DYNAMIC-IR:   %[[YN:.*]] = linalg.matmul ins(%[[M]]#0, %{{.*}} : tensor<2x4xf32>, tensor<4x3xf32>)
//       DYNAMIC-IR:   linalg.matmul {qc.skip = "the outlier channels of {{.*}}"} ins(%[[M]]#1, %{{.*}} : tensor<2x4xf32>, tensor<4x3xf32>) outs(%[[YN]] : tensor<2x3xf32>)
// DYNAMIC-IR-LABEL: func.func @reference
//   DYNAMIC-IR-NOT:   qc.skip

func.func private @printMemrefF32(memref<*xf32>)

func.func @print_f32(%t: tensor<2x3xf32>) {
  %m = bufferization.to_buffer %t : tensor<2x3xf32> to memref<2x3xf32>
  %u = memref.cast %m : memref<2x3xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @split(%x: tensor<2x4xf32> {qc.stats = #qc.stats<min = -16.0, max = 8.0, count = 2, channel_axis = 1, channel_absmax = [1.0, 8.0, 2.0, 16.0]>}) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 0.0], [0.5, -1.0, 1.0], [-1.0, 0.0, 2.0], [0.25, 1.0, -0.5]]> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32> loc("fc")
  return %y : tensor<2x3xf32>
}

func.func @reference(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) -> tensor<2x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

func.func @run(%x: tensor<2x4xf32>) {
  %w = arith.constant dense<[[1.0, 2.0, 0.0], [0.5, -1.0, 1.0], [-1.0, 0.0, 2.0], [0.25, 1.0, -0.5]]> : tensor<4x3xf32>
  %s = call @split(%x) : (tensor<2x4xf32>) -> tensor<2x3xf32>
  call @print_f32(%s) : (tensor<2x3xf32>) -> ()
  %r = call @reference(%x, %w) : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  call @print_f32(%r) : (tensor<2x3xf32>) -> ()
  return
}

func.func @main() {
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[-1, {{ *}}-22, {{ *}}20],
  // CHECK-NEXT:  [-1.75, {{ *}}1.5, {{ *}}2.5]]
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[-1, {{ *}}-22, {{ *}}20],
  // CHECK-NEXT:  [-1.75, {{ *}}1.5, {{ *}}2.5]]
  %x1 = arith.constant dense<[[1.0, 8.0, 2.0, -16.0], [-1.0, 0.5, 2.0, 4.0]]> : tensor<2x4xf32>
  call @run(%x1) : (tensor<2x4xf32>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}[5.625, {{ *}}3.5, {{ *}}-5.25],
  // CHECK-NEXT:  [-3.75, {{ *}}5, {{ *}}5.5]]
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[5.625, {{ *}}3.5, {{ *}}-5.25],
  // CHECK-NEXT:  [-3.75, {{ *}}5, {{ *}}5.5]]
  %x2 = arith.constant dense<[[2.0, 1.0, -3.0, 0.5], [1.0, -2.0, 4.0, 1.0]]> : tensor<2x4xf32>
  call @run(%x2) : (tensor<2x4xf32>) -> ()

  // CHECK: data =
  // CHECK-NEXT: {{\[}}[9.75, {{ *}}20, {{ *}}2.5],
  // CHECK-NEXT:  [-0.125, {{ *}}-0.5, {{ *}}0.25]]
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[9.75, {{ *}}20, {{ *}}2.5],
  // CHECK-NEXT:  [-0.125, {{ *}}-0.5, {{ *}}0.25]]
  %x3 = arith.constant dense<[[10.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, -0.5]]> : tensor<2x4xf32>
  call @run(%x3) : (tensor<2x4xf32>) -> ()
  return
}
