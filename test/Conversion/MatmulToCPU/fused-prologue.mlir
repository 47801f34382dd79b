// RUN: qcomp-opt %s --split-input-file --verify-diagnostics --qc-lower-int-matmul-to-cpu="features=+avx512vnni" | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx512vnni fuse-prologue=false" 2>/dev/null | FileCheck %s --check-prefix=UNFUSED
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="triple=aarch64-linux-gnu features=+dotprod" 2>/dev/null | FileCheck %s --check-prefix=DOTPROD
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx512vnni parallel-min-macs=90" 2>/dev/null | FileCheck %s --check-prefix=PARALLEL

// Dynamic per-row quantization of a float activation X (5 x 6), as the
// reference lowering of qc.dynamic_quantize writes it on buffers: A =
// clamp(round(X / scale[row])) as i8, then the integer matmul. With the
// prologue fused the kernel's A packing reads X and the scales and
// quantizes as it packs (then shifts by 0x80 for vpdpbusd): the 5 x 6 i8 A
// is neither allocated nor written.
// CHECK-LABEL: func.func @per_row
// CHECK-NOT:     memref<5x6xi8>
// CHECK:         %[[AP:.+]] = memref.alloc() {alignment = 64 : i64} : memref<5x8xi8>
// CHECK:         %[[AV:.+]] = memref.subview %[[AP]][0, 0] [5, 6] [1, 1]
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : memref<5x6xf32>, memref<5xf32>) outs(%[[AV]] : memref<5x6xi8, strided<[8, 1]>>)
// CHECK:           arith.divf
// CHECK:           math.roundeven
// CHECK:           %[[Q:.+]] = arith.fptosi %{{.+}} : f32 to i8
// CHECK:           %[[S:.+]] = arith.xori %[[Q]], %{{.+}} : i8
// CHECK:           linalg.yield %[[S]] : i8
// CHECK:         llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK-NOT:     memref<5x6xi8>
// CHECK:         return
//
// Unfused: the quantization loop writes A, the packing copies it.
// UNFUSED-LABEL: func.func @per_row
// UNFUSED:         memref.alloc() : memref<5x6xi8>
// UNFUSED:         arith.fptosi
// UNFUSED:         linalg.generic {{.*}} ins(%{{.*}} : memref<5x6xi8>)
//
// sdot multiplies s8 x s8: the quantized value is packed as it is.
// DOTPROD-LABEL: func.func @per_row
// DOTPROD:         linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : memref<5x6xf32>, memref<5xf32>)
// DOTPROD:           %[[Q:.+]] = arith.fptosi %{{.+}} : f32 to i8
// DOTPROD-NEXT:      linalg.yield %[[Q]] : i8
//
// A matmul of at least parallel-min-macs multiply-adds (5 x 3 x 6 = 90)
// quantizes and packs A by blocks of rows (of ceil(5 / 64) = 1 row) on the
// threads as well, before its column blocks. Nothing pads M or K to
// more than the rows' 8 bytes: only those are zeroed first.
// PARALLEL-LABEL: func.func @per_row
// PARALLEL:         %[[AP:.+]] = memref.alloc() {alignment = 64 : i64} : memref<5x8xi8>
// PARALLEL:         linalg.fill ins(%{{.+}} : i8) outs(%[[AP]] : memref<5x8xi8>)
// PARALLEL:         %[[AV:.+]] = memref.subview %[[AP]][0, 0] [5, 6] [1, 1]
// PARALLEL:         scf.parallel (%[[I:.+]]) = (%{{.+}}) to (%c5) step (%c1{{.*}}) {
// PARALLEL-DAG:       %[[X:.+]] = memref.subview %arg0[%[[I]], 0] [1, 6] [1, 1]
// PARALLEL-DAG:       %[[S:.+]] = memref.subview %arg1[%[[I]]] [1] [1]
// PARALLEL-DAG:       %[[OUT:.+]] = memref.subview %[[AV]][%[[I]], 0] [1, 6] [1, 1]
// PARALLEL:           linalg.generic {{.*}} ins(%[[X]], %[[S]] : {{.*}}) outs(%[[OUT]] : memref<1x6xi8, strided<[8, 1], offset: ?>>)
// PARALLEL:             arith.divf
// PARALLEL:         scf.parallel
// PARALLEL:           llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12], [13, 14, 15], [16, 17, 18]]>
func.func @per_row(%x: memref<5x6xf32>, %scale: memref<5xf32>, %c: memref<5x3xi32>) {
  %lo = arith.constant -128.0 : f32
  %hi = arith.constant 127.0 : f32
  %a = memref.alloc() : memref<5x6xi8>
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %scale : memref<5x6xf32>, memref<5xf32>) outs(%a : memref<5x6xi8>) {
  ^bb0(%v: f32, %s: f32, %out: i8):
    %0 = arith.divf %v, %s : f32
    %1 = math.roundeven %0 : f32
    %2 = arith.maxnumf %1, %lo : f32
    %3 = arith.minnumf %2, %hi : f32
    %4 = arith.fptosi %3 : f32 to i8
    linalg.yield %4 : i8
  }
  %b = memref.get_global @weights : memref<6x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x6xi8>, memref<6x3xi8>) outs(%c : memref<5x3xi32>) {
  ^bb0(%q: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %q : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  memref.dealloc %a : memref<5x6xi8>
  return
}

// -----

// Not fused: an op between the producer and the matmul writes the scales
// the producer reads (the kernel would read the new ones), and A read by
// another loop as well (the reference's row sums for a weight zero point)
// is kept without a remark.
// CHECK-LABEL: func.func @kept
// CHECK:         memref.alloc() : memref<5x6xi8>
// CHECK:         memref.alloc() : memref<5x6xi8>
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<1>
func.func @kept(%x: memref<5x6xf32>, %scale: memref<5xf32>, %c: memref<5x3xi32>, %sums: memref<5xi32>) {
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<5x6xi8>
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %scale : memref<5x6xf32>, memref<5xf32>) outs(%a : memref<5x6xi8>) {
  ^bb0(%v: f32, %s: f32, %out: i8):
    %0 = arith.divf %v, %s : f32
    %1 = arith.fptosi %0 : f32 to i8
    linalg.yield %1 : i8
  }
  linalg.fill ins(%one : f32) outs(%scale : memref<5xf32>)
  %b = memref.get_global @weights : memref<6x3xi8>
  // expected-remark @below {{integer matmul's prologue not fused: an op between the producer of A and the kernel may write what the producer reads}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x6xi8>, memref<6x3xi8>) outs(%c : memref<5x3xi32>) {
  ^bb0(%q: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %q : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  memref.dealloc %a : memref<5x6xi8>
  %a2 = memref.alloc() : memref<5x6xi8>
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %scale : memref<5x6xf32>, memref<5xf32>) outs(%a2 : memref<5x6xi8>) {
  ^bb0(%v: f32, %s: f32, %out: i8):
    %0 = arith.divf %v, %s : f32
    %1 = arith.fptosi %0 : f32 to i8
    linalg.yield %1 : i8
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a2, %b : memref<5x6xi8>, memref<6x3xi8>) outs(%c : memref<5x3xi32>) {
  ^bb0(%q: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %q : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a2 : memref<5x6xi8>) outs(%sums : memref<5xi32>) {
  ^bb0(%q: i8, %acc: i32):
    %0 = arith.extsi %q : i8 to i32
    %1 = arith.addi %acc, %0 : i32
    linalg.yield %1 : i32
  }
  memref.dealloc %a2 : memref<5x6xi8>
  return
}
