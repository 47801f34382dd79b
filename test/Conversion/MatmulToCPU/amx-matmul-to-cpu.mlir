// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx512vnni,+amx-int8 kernel=amx" | FileCheck %s
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx512vnni,+amx-int8 kernel=amx parallel-min-macs=1" | FileCheck %s --check-prefix=PARALLEL
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx512vnni,+amx-int8" | FileCheck %s --check-prefix=AUTO
// RUN: not qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx512vnni kernel=amx" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="triple=x86_64-apple-darwin features=+avx512vnni,+amx-int8 kernel=amx" 2>&1 | FileCheck %s --check-prefix=DARWIN
// RUN: not qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx512vnni,+amx-int8 kernel=amx emulate-dot-product=true" 2>&1 | FileCheck %s --check-prefix=EMULATE

// MISSING: error: qc-lower-int-matmul-to-cpu: kernel 'amx' needs target features the target 'x86_64-unknown-linux-gnu' with '+avx512vnni' lacks
// AMX asks Linux for the tile state: on other systems the feature is dropped.
// DARWIN: error: qc-lower-int-matmul-to-cpu: kernel 'amx' needs target features the target 'x86_64-apple-darwin' with '+avx512vnni,+amx-int8' lacks
// EMULATE: error: qc-lower-int-matmul-to-cpu: kernel 'amx' has no portable emulation (emulate-dot-product)

// A 3 x 2 by 2 x 2 matmul: B packed as Bp[N/16][K/4][16 columns][4 k],
// zero-padded to 32 columns and K = 64 (one tile step), so Bp[0][0] starts
// 1 3 0 0 (column 0) 2 4 0 0 (column 1). A is copied into a zero-padded
// 32 x 64 buffer; each 32 x 32 block is 2 x 2 accumulator tiles over K, in
// tile registers (loop-carried), stored to a block buffer whose rows are
// added into C. The module gets the constructor that asks for the tile
// state.
// CHECK:       memref.global "private" constant @__qc_packed_rhs : memref<2x16x64xi8> = dense<"0x01030000020400000000
// CHECK-LABEL: func.func @padded
// CHECK:         %[[AP:.+]] = memref.alloc() {alignment = 64 : i64} : memref<32x64xi8>
// CHECK:         linalg.fill ins(%{{.+}} : i8) outs(%[[AP]] : memref<32x64xi8>)
// CHECK:         %[[AV:.+]] = memref.subview %[[AP]][0, 0] [3, 2] [1, 1]
// CHECK:         linalg.generic {{.*}} ins(%arg0 : memref<3x2xi8>) outs(%[[AV]]
// CHECK:         %[[BP:.+]] = memref.get_global @__qc_packed_rhs : memref<2x16x64xi8>
// CHECK:         scf.for %[[T:.+]] = %{{.+}} to %c2 step %c2
// CHECK:           %[[SUMS:.+]] = memref.alloc() {alignment = 64 : i64} : memref<32x32xi32>
// CHECK:           %[[T1:.+]] = arith.addi %[[T]], %c1 : index
// CHECK:           scf.for %[[I:.+]] = %c0 to %c32{{.*}} step %c32
// CHECK:             %[[I1:.+]] = arith.addi %[[I]], %c16 : index
// CHECK-COUNT-4:     amx.tile_zero : !amx.tile<16x16xi32>
// CHECK:             %[[ACC:.+]]:4 = scf.for %[[K:.+]] = %c0 to %c64{{.*}} step %c64 iter_args({{.*}}) -> (!amx.tile<16x16xi32>, !amx.tile<16x16xi32>, !amx.tile<16x16xi32>, !amx.tile<16x16xi32>)
// CHECK:               %[[A0:.+]] = amx.tile_load %[[AP]][%[[I]], %[[K]]] : memref<32x64xi8> into !amx.tile<16x64xi8>
// CHECK:               %[[A1:.+]] = amx.tile_load %[[AP]][%[[I1]], %[[K]]] : memref<32x64xi8> into !amx.tile<16x64xi8>
// CHECK:               %[[Q:.+]] = arith.divui %[[K]], %c4 : index
// CHECK:               %[[B0:.+]] = amx.tile_load %[[BP]][%[[T]], %[[Q]], %c0] : memref<2x16x64xi8> into !amx.tile<16x64xi8>
// CHECK:               %[[B1:.+]] = amx.tile_load %[[BP]][%[[T1]], %[[Q]], %c0] : memref<2x16x64xi8> into !amx.tile<16x64xi8>
// CHECK:               amx.tile_muli %[[A0]], %[[B0]], %{{.+}} : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
// CHECK:               amx.tile_muli %[[A0]], %[[B1]]
// CHECK:               amx.tile_muli %[[A1]], %[[B0]]
// CHECK:               amx.tile_muli %[[A1]], %[[B1]]
// CHECK:             amx.tile_store %[[SUMS]][%c0{{.*}}, %c0{{.*}}], %[[ACC]]#0
// CHECK:             amx.tile_store %[[SUMS]][%c0{{.*}}, %c16{{.*}}], %[[ACC]]#1
// CHECK:             amx.tile_store %[[SUMS]][%c16{{.*}}, %c0{{.*}}], %[[ACC]]#2
// CHECK:             amx.tile_store %[[SUMS]][%c16{{.*}}, %c16{{.*}}], %[[ACC]]#3
// CHECK:             scf.for %[[R:.+]] = %c0 to %c32{{.*}} step %c1
// CHECK:               %[[ROW:.+]] = arith.addi %[[I]], %[[R]] : index
// CHECK:               vector.load %[[SUMS]][%[[R]], %c0{{.*}}] : memref<32x32xi32>, vector<16xi32>
// CHECK:               arith.cmpi ult, %[[ROW]], %c3
// CHECK:           memref.dealloc %[[SUMS]]
// CHECK:         memref.dealloc %[[AP]]
// CHECK-NOT:     linalg.generic
// CHECK:         return
// CHECK:       llvm.func @syscall(i64, ...) -> i64
// CHECK-LABEL: llvm.func internal @__qc_request_amx_tile_state()
// CHECK-DAG:     %[[NR:.+]] = llvm.mlir.constant(158 : i64) : i64
// CHECK-DAG:     %[[CODE:.+]] = llvm.mlir.constant(4131 : i64) : i64
// CHECK-DAG:     %[[TILEDATA:.+]] = llvm.mlir.constant(18 : i64) : i64
// CHECK:         llvm.call @syscall(%[[NR]], %[[CODE]], %[[TILEDATA]]) vararg(!llvm.func<i64 (i64, ...)>)
// CHECK:       llvm.mlir.global_ctors ctors = [@__qc_request_amx_tile_state], priorities = [65535 : i32]
//
// At parallel-min-macs the column blocks are an scf.parallel loop and A is
// copied by blocks of rows (3 of one row) on the threads as well.
// PARALLEL-LABEL: func.func @padded
// PARALLEL:         scf.parallel (%{{.+}}) = (%{{.+}}) to (%c3) step (%c1{{.*}})
// PARALLEL:           linalg.generic {{.*}} outs(%{{.+}} : memref<1x2xi8, strided<[64, 1], offset: ?>>)
// PARALLEL:         scf.parallel (%{{.+}}) = (%{{.+}}) to (%c2) step (%c2{{.*}})
// PARALLEL:           amx.tile_muli
//
// kernel=auto takes amx from 16 rows of A on: these 3 rows go to
// avx512-vnni, whose vectors waste less of their work.
// AUTO-LABEL: func.func @padded
// AUTO-NOT:     amx.
// AUTO:         llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<2x2xi8> = dense<[[1, 2], [3, 4]]>
func.func @padded(%a: memref<3x2xi8>, %c: memref<3x2xi32>) {
  %b = memref.get_global @weights : memref<2x2xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<3x2xi8>, memref<2x2xi8>) outs(%c : memref<3x2xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}

// -----

// M a multiple of 32 and K of 64: the tiles of A are loaded from A itself
// (its row stride, 128). An unsigned A is the zero-extended operand of
// tdpbusd (`zext`). Two matmuls in one module share one constructor.
// CHECK-LABEL: func.func @in_place_unsigned
// CHECK-NOT:     memref.alloc() {{.*}} : memref<32x128xi8>
// CHECK:         amx.tile_load %arg0[%{{.+}}, %{{.+}}] : memref<32x128xi8> into !amx.tile<16x64xi8>
// CHECK:         amx.tile_muli %{{.+}} zext, %{{.+}}, %{{.+}} : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
// CHECK-LABEL: func.func @second
// CHECK:         amx.tile_muli
//
// 32 rows: kernel=auto takes amx.
// AUTO-LABEL: func.func @in_place_unsigned
// AUTO:         amx.tile_muli
// AUTO-NOT:     vpdpbusd
// CHECK:       llvm.mlir.global_ctors
// CHECK-NOT:   llvm.mlir.global_ctors
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<128x16xi8> = dense<1>
func.func @in_place_unsigned(%a: memref<32x128xi8>, %c: memref<32x16xi32>) {
  %b = memref.get_global @weights : memref<128x16xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<32x128xi8>, memref<128x16xi8>) outs(%c : memref<32x16xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extui %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}
func.func @second(%a: memref<32x128xi8>, %c: memref<32x16xi32>) {
  %b = memref.get_global @weights : memref<128x16xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<32x128xi8>, memref<128x16xi8>) outs(%c : memref<32x16xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}
