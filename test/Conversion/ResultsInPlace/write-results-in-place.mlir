// RUN: qcomp-opt %s --split-input-file --qc-write-results-in-place | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --buffer-results-to-out-params="modify-public-functions=true" --qc-write-results-in-place | FileCheck %s --check-prefix=PIPELINE

// The result is computed in the out-parameter: no allocation, no copy.
// CHECK-LABEL: func.func @in_place
// CHECK-SAME:    (%[[X:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>)
// CHECK-NOT:     memref.alloc
// CHECK:         linalg.generic {{.*}} ins(%[[X]] : memref<4xf32>) outs(%[[OUT]] : memref<4xf32>)
// CHECK-NOT:     memref.copy
// CHECK:         return
#id = affine_map<(i) -> (i)>
func.func @in_place(%x: memref<4xf32>, %out: memref<4xf32>) {
  %y = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : memref<4xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %0 = arith.addf %a, %a : f32
    linalg.yield %0 : f32
  }
  memref.copy %y, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// One buffer returned twice: after buffer-results-to-out-params, computed
// in the first out-parameter and copied from there into the second. (Alone,
// on a function that returns buffers, the pass changes nothing.)
// CHECK-LABEL: func.func @twice
// CHECK:         %[[Y:.*]] = memref.alloc()
// CHECK:         return %[[Y]], %[[Y]]
//
// PIPELINE-LABEL: func.func @twice
// PIPELINE-SAME:    (%{{.*}}: memref<4xf32>, %[[OUT0:.*]]: memref<4xf32>, %[[OUT1:.*]]: memref<4xf32>)
// PIPELINE-NOT:     memref.alloc
// PIPELINE:         linalg.fill ins(%{{.*}} : f32) outs(%[[OUT0]] : memref<4xf32>)
// PIPELINE-NEXT:    memref.copy %[[OUT0]], %[[OUT1]]
// PIPELINE-NEXT:    return
func.func @twice(%x: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
  %c = arith.constant 1.0 : f32
  %y = memref.alloc() : memref<4xf32>
  linalg.fill ins(%c : f32) outs(%y : memref<4xf32>)
  return %y, %y : memref<4xf32>, memref<4xf32>
}

// -----

// Kept: the buffer is written after the copy (the out-parameter must not
// see it), the out-parameter is read before the copy, the buffer has
// another type or a dynamic size.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-4: memref.copy
#id = affine_map<(i) -> (i)>
func.func @kept(%x: memref<4xf32>, %n: index, %o0: memref<4xf32>, %o1: memref<4xf32>,
                %o2: memref<4xf32, strided<[1], offset: ?>>, %o3: memref<?xf32>) {
  %c = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<4xf32>
  linalg.fill ins(%c : f32) outs(%a : memref<4xf32>)
  memref.copy %a, %o0 : memref<4xf32> to memref<4xf32>
  linalg.fill ins(%c : f32) outs(%a : memref<4xf32>)
  memref.copy %a, %x : memref<4xf32> to memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%o1 : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%v: f32, %w: f32):
    linalg.yield %v : f32
  }
  memref.copy %b, %o1 : memref<4xf32> to memref<4xf32>
  %d = memref.alloc() : memref<4xf32>
  linalg.fill ins(%c : f32) outs(%d : memref<4xf32>)
  memref.copy %d, %o2 : memref<4xf32> to memref<4xf32, strided<[1], offset: ?>>
  %e = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%c : f32) outs(%e : memref<?xf32>)
  memref.copy %e, %o3 : memref<?xf32> to memref<?xf32>
  return
}
