// RUN: qcomp-opt %s --split-input-file --verify-diagnostics --qc-lower-int-matmul-to-cpu="features=+avx512vnni" | FileCheck %s --check-prefix=VNNI
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx2" 2>/dev/null | FileCheck %s --check-prefix=AVX2
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="triple=aarch64-linux-gnu features=+dotprod" 2>/dev/null | FileCheck %s --check-prefix=DOTPROD
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="triple=aarch64-linux-gnu features=+i8mm" 2>/dev/null | FileCheck %s --check-prefix=I8MM
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="triple=aarch64-linux-gnu features=+i8mm,+dotprod" 2>/dev/null | FileCheck %s --check-prefix=I8MMDOT
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx2 parallel-min-macs=90" 2>/dev/null | FileCheck %s --check-prefix=PARALLEL
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx2 fuse-epilogue=false" 2>/dev/null | FileCheck %s --check-prefix=UNFUSED
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu 2>/dev/null | FileCheck %s --check-prefix=NONE
// RUN: not qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx2 kernel=avx512-vnni" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="kernel=sme" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="triple=riscv64" 2>&1 | FileCheck %s --check-prefix=TRIPLE
// RUN: not qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=avx2" 2>&1 | FileCheck %s --check-prefix=MALFORMED

// MISSING: error: qc-lower-int-matmul-to-cpu: kernel 'avx512-vnni' needs target features the target 'x86_64-unknown-linux-gnu' with '+avx2' lacks
// UNKNOWN: error: qc-lower-int-matmul-to-cpu: unknown kernel 'sme' (expected auto, amx, avx512-vnni, avx-vnni, avx2, i8mm, dotprod or none)
// TRIPLE: error: qc-lower-int-matmul-to-cpu: unsupported target triple 'riscv64' (expected x86_64-* or aarch64-*)
// MALFORMED: error: qc-lower-int-matmul-to-cpu: malformed CPU feature 'avx2' (expected +name or -name)

// The reference lowering's matmul of a signed activation A (5 x 6) by a
// constant weight B (6 x 3), on buffers.
//
// avx512-vnni: B packed as Bp[N/48][K/4][3][16 x 4] (N = 3 padded to one
// panel of 3 vectors of 16 lanes: the 8 x 3 tile, which pads N = 3 less
// than 6 x 4; K = 6 to 8): the first lanes hold
// B[0..3][0] = [1, 4, 7, 10], B[0..3][1] = [2, 5, 8, 11], B[0..3][2] =
// [3, 6, 9, 12], then zeros (printed in hex: 0x0104070A 0205080B ...). The
// accumulators start at -128 * colsum(B) = -128 * [51, 57, 63] (the shift's
// correction, loaded once per column block). Each tile's rows of A (a 5 x 3
// tile: 8 rows, at most M) are shifted (xor 0x80) into a
// zero-padded 5 x 8 buffer of the column block, then K / 4 = 2 steps of
// vpdpbusd run (the column blocks outside, the rows inside), and each
// vector is added into C where it lies: whole when inside N, masked beyond
// it. No buffer of C's size is allocated.
// VNNI-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x2x192xi8> = dense<"0x0104070A0205080B0306090C00000000
// VNNI-DAG:   memref.global "private" constant @__qc_rhs_shift_correction : memref<48xi32> = dense<[-6528, -7296, -8064, 0,
// VNNI-LABEL: func.func @signed_lhs
// VNNI-NOT:     memref<5x48xi32>
// VNNI:         %[[CORR:.+]] = memref.get_global @__qc_rhs_shift_correction
// VNNI:         scf.for
// VNNI:           %[[INIT:.+]] = vector.load %[[CORR]][%{{.+}}] : memref<48xi32>, vector<16xi32>
// VNNI:           %[[TILE:.+]] = memref.alloc() {alignment = 64 : i64} : memref<5x8xi8>
// VNNI:           linalg.fill ins(%{{.+}} : i8) outs(%[[TILE]] : memref<5x8xi8>)
// VNNI:           scf.for
// VNNI:             memref.subview %{{.+}}[%{{.+}}, 0] [5, 6] [1, 1] : memref<5x6xi8> to
// VNNI:             %[[TV:.+]] = memref.subview %[[TILE]][0, 0] [5, 6] [1, 1]
// VNNI:             linalg.generic {{.*}} outs(%[[TV]]
// VNNI:               arith.xori %{{.+}}, %{{.+}} : i8
// VNNI:             scf.for {{.*}} iter_args(%{{.+}} = %[[INIT]], {{.*}}) -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// VNNI:               vector.load %[[TILE]]
// VNNI:               vector.broadcast %{{.+}} : i32 to vector<16xi32>
// VNNI:               llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.+}}, %{{.+}}, %{{.+}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// VNNI:             arith.cmpi ule
// VNNI:             scf.if
// VNNI:               vector.load %{{.+}} : memref<5x3xi32>, vector<16xi32>
// VNNI:               arith.addi
// VNNI:               vector.store %{{.+}} : memref<5x3xi32>, vector<16xi32>
// VNNI:             } else {
// VNNI:               vector.create_mask
// VNNI:               vector.maskedload
// VNNI:               arith.addi
// VNNI:               vector.maskedstore
// VNNI:           memref.dealloc %[[TILE]]
// VNNI-NOT:     arith.muli %{{.+}}, %{{.+}} : i32
//
// avx2: operands widened to i16 (a 4 x 6 buffer per tile), pairs along K:
// Bp[N/16][K/2][2][8 x 2], no shift and no correction. With at most 16 rows of A, B stays i8 in memory
// and is sign-extended after each load (@many_rows: widened at compile
// time).
// AVX2-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x3x32xi8> = dense<{{\[\[\[}}1, 4, 2, 5, 3, 6, 0, 0,
// AVX2-LABEL: func.func @signed_lhs
// AVX2-NOT:     __qc_rhs_shift_correction
// AVX2:         memref.alloc() {alignment = 64 : i64} : memref<4x6xi16>
// AVX2:           arith.extsi %{{.+}} : i8 to i16
// AVX2:         arith.extsi %{{.+}} : vector<16xi8> to vector<16xi16>
// AVX2:         llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.+}}, %{{.+}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2-NOT:     __qc_rhs_shift_correction
//
// dotprod: s8 x s8, Bp[N/16][K/4][4][4 x 4], no shift.
// DOTPROD-LABEL: func.func @signed_lhs
// DOTPROD-NOT:     arith.xori
// DOTPROD:         llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"(%{{.+}}, %{{.+}}, %{{.+}}) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
//
// i8mm: B packed as Bp[N/8][K/8][4][2 x 8] (two columns of 8 values per
// operand: B[0..5][0] then B[0..5][1], zero-padded to 8; the 4 operands of
// a tile side by side), A padded to 6 x 8 once
// and its rows interleaved in pairs, Ap[3][1][2 x 8]; a 3 x 4 tile of 2 x 2
// int32 accumulators, each stored as two rows of C (row 5 of the padded
// six left out, columns beyond N masked).
// I8MM-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x1x64xi8> = dense<{{\[\[\[}}1, 4, 7, 10, 13, 16, 0, 0, 2, 5, 8, 11, 14, 17, 0, 0, 3, 6, 9, 12, 15, 18, 0, 0,
// I8MM-LABEL: func.func @signed_lhs
// I8MM-NOT:     arith.xori
// I8MM:         %[[APAD:.+]] = memref.alloc() {alignment = 64 : i64} : memref<6x8xi8>
// I8MM:         %[[AP:.+]] = memref.alloc() {alignment = 64 : i64} : memref<3x1x16xi8>
// I8MM:         %[[FROM:.+]] = memref.expand_shape %[[APAD]] {{\[\[}}0, 1], [2, 3]] output_shape [3, 2, 1, 8]
// I8MM:         %[[TO:.+]] = memref.expand_shape %[[AP]] {{\[\[}}0], [1], [2, 3]] output_shape [3, 1, 2, 8]
// I8MM:         linalg.generic {{.*}} ins(%[[FROM]] : memref<3x2x1x8xi8>) outs(%[[TO]] : memref<3x1x2x8xi8>)
// I8MM:             scf.for {{.*}} -> (vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>)
// I8MM:               vector.load %[[AP]][{{.+}}] : memref<3x1x16xi8>, vector<16xi8>
// I8MM:               llvm.call_intrinsic "llvm.aarch64.neon.smmla.v4i32.v16i8"(%{{.+}}, %{{.+}}, %{{.+}}) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// I8MM:             vector.extract_strided_slice %{{.+}} {offsets = [0], sizes = [2], strides = [1]} : vector<4xi32> to vector<2xi32>
// I8MM:             arith.cmpi ult, %{{.+}}, %c5
// I8MM:             scf.if
// I8MM:               vector.store %{{.+}} : memref<5x3xi32>, vector<2xi32>
// I8MM:               vector.maskedstore %{{.+}} : memref<5x3xi32>, vector<2xi1>, vector<2xi32>
// I8MM:             vector.extract_strided_slice %{{.+}} {offsets = [2], sizes = [2], strides = [1]} : vector<4xi32> to vector<2xi32>
// I8MM:         memref.dealloc %[[APAD]]
// I8MM:         memref.dealloc %[[AP]]
//
// At least parallel-min-macs multiply-adds (5 x 3 x 6 = 90 here): the
// column blocks are a parallel loop, for the pipeline to map to threads;
// smaller matmuls (@one_row: 18) keep a sequential loop.
// PARALLEL-LABEL: func.func @signed_lhs
// PARALLEL:         scf.parallel
// PARALLEL:           scf.for
// PARALLEL:             scf.for {{.*}} iter_args
// PARALLEL:               llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// PARALLEL-LABEL: func.func @one_row
// PARALLEL-NOT:     scf.parallel
// PARALLEL:         llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
//
// Without dot-product features nothing changes.
// NONE-LABEL: func.func @signed_lhs
// NONE-NOT:     llvm.call_intrinsic
// NONE:         linalg.generic
// NONE-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12], [13, 14, 15], [16, 17, 18]]>
func.func @signed_lhs(%a: memref<5x6xi8>, %c: memref<5x3xi32>) {
  %b = memref.get_global @weights : memref<6x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x6xi8>, memref<6x3xi8>) outs(%c : memref<5x3xi32>) {
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

// An unsigned A (u8 activations): vpdpbusd takes it as it is (no shift, no
// correction; K = 6 is padded per tile); sdot multiplies signed bytes, so
// dotprod keeps the loops; i8mm has usmmla, u8 x s8.
// VNNI-LABEL: func.func @unsigned_lhs
// VNNI-NOT:     arith.xori
// VNNI-NOT:     __qc_rhs_shift_correction
// VNNI:         memref.alloc() {alignment = 64 : i64} : memref<5x8xi8>
// VNNI:         llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI-NOT:     arith.xori
// DOTPROD-LABEL: func.func @unsigned_lhs
// DOTPROD-NOT:     llvm.call_intrinsic
// I8MM-LABEL: func.func @unsigned_lhs
// I8MM:         llvm.call_intrinsic "llvm.aarch64.neon.usmmla.v4i32.v16i8"
// I8MM-NOT:     neon.smmla
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<1>
func.func @unsigned_lhs(%a: memref<5x6xi8>, %c: memref<5x3xi32>) {
  %b = memref.get_global @weights : memref<6x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x6xi8>, memref<6x3xi8>) outs(%c : memref<5x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extui %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}

// -----

// An unsigned A with K a multiple of 4 is read where it is: no buffer of A.
// 9 rows make two tiles of 6; the padded rows of the second read row 8 again
// and are not stored. avx2 widens A to i16, so it packs each tile.
// DOTPROD-LABEL: func.func @in_place_lhs
// I8MM-LABEL: func.func @in_place_lhs
// VNNI-LABEL: func.func @in_place_lhs
// VNNI-NOT:     memref.alloc
// VNNI:         arith.minsi %{{.+}}, %c8
// VNNI:         vector.load %arg0[%{{.+}}, %{{.+}}] : memref<9x8xi8>, vector<4xi8>
// VNNI:         llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI:         arith.cmpi ult, %{{.+}}, %c9
// VNNI:         scf.if
// VNNI-NOT:     memref.alloc
// VNNI:         return
// AVX2-LABEL: func.func @in_place_lhs
// AVX2:         memref.alloc() {alignment = 64 : i64} : memref<4x8xi16>
// AVX2:           arith.extui %{{.+}} : i8 to i16
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<8x3xi8> = dense<1>
func.func @in_place_lhs(%a: memref<9x8xi8>, %c: memref<9x3xi32>) {
  %b = memref.get_global @weights : memref<8x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<9x8xi8>, memref<8x3xi8>) outs(%c : memref<9x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extui %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}

// -----

// A signed A with K a multiple of 4 is read in place too: for vpdpbusd
// (u8 x s8) it is the signed operand and B + 128 the unsigned one (every
// weight 1 is packed as 129 = 0x81), and the accumulators of row i start at
// -128 * rowsum(A_i), summed once per call. No shift, no column correction.
// VNNI-DAG:     memref.global "private" constant @__qc_packed_rhs : memref<1x2x256xi8> = dense<"0x81818181
// I8MM-LABEL: func.func @signed_in_place
// DOTPROD-LABEL: func.func @signed_in_place
// DOTPROD:         llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"
// VNNI-LABEL: func.func @signed_in_place
// VNNI-NOT:     __qc_rhs_shift_correction
// VNNI-NOT:     arith.xori
// VNNI:         %[[SUMS:.+]] = memref.alloc() {alignment = 64 : i64} : memref<9xi32>
// VNNI-NOT:     vpdpbusd
// VNNI:         scf.for %{{.+}} = %{{.+}} to %c8 step %c1 iter_args(%{{.+}} = %c0_i32) -> (i32)
// VNNI:           memref.load %arg0
// VNNI:           arith.extsi %{{.+}} : i8 to i32
// VNNI:         memref.store %{{.+}}, %[[SUMS]]
// VNNI:         memref.load %[[SUMS]]
// VNNI:         arith.muli %{{.+}}, %c-128_i32
// VNNI:         %[[A:.+]] = vector.bitcast %{{.+}} : vector<16xi32> to vector<64xi8>
// VNNI:         %[[B:.+]] = vector.load %{{.+}} : memref<1x2x256xi8>, vector<64xi8>
// VNNI:         llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.+}}, %[[B]], %[[A]])
// VNNI-NOT:     arith.xori
// VNNI:         memref.dealloc %[[SUMS]]
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<8x3xi8> = dense<1>
func.func @signed_in_place(%a: memref<9x8xi8>, %c: memref<9x3xi32>) {
  %b = memref.get_global @weights : memref<8x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<9x8xi8>, memref<8x3xi8>) outs(%c : memref<9x3xi32>) {
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

// The row sums with vpdpbusd itself: each row's 64-byte chunks against a
// vector of ones (the unsigned operand), four chains per iteration (K = 328:
// one iteration of 256 bytes, then one chunk on its own), reduced once per
// row, then the K mod 64 = 8 bytes after the last chunk one by one.
// VNNI-LABEL: func.func @row_sums
// VNNI:         %[[SUMS:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2xi32>
// VNNI:         %[[ONES:.+]] = arith.constant dense<1> : vector<64xi8>
// VNNI:         scf.for %[[I:.+]] = %c0 to %c2 step %c1 {
// VNNI:           %[[CHAINS:.+]]:4 = scf.for %[[K:.+]] = %{{.+}} to %c256 step %c256{{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>) {
// VNNI:             %[[BYTES:.+]] = vector.load %arg0[%[[I]], %[[K]]] : memref<2x328xi8>, vector<64xi8>
// VNNI:             llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.+}}, %[[ONES]], %[[BYTES]])
// VNNI-COUNT-3:     llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI:             scf.yield
// VNNI:           %[[LAST:.+]] = vector.load %arg0[%[[I]], %c256{{.*}}] : memref<2x328xi8>, vector<64xi8>
// VNNI:           %[[FIRST:.+]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[CHAINS]]#0, %[[ONES]], %[[LAST]])
// VNNI:           %[[T0:.+]] = arith.addi %[[FIRST]], %[[CHAINS]]#1
// VNNI:           %[[T1:.+]] = arith.addi %[[T0]], %[[CHAINS]]#2
// VNNI:           %[[T2:.+]] = arith.addi %[[T1]], %[[CHAINS]]#3
// VNNI:           %[[SUM:.+]] = vector.reduction <add>, %[[T2]] : vector<16xi32> into i32
// VNNI:           %[[ALL:.+]] = scf.for %{{.+}} = %c320 to %c328 step %c1 iter_args(%{{.+}} = %[[SUM]]) -> (i32)
// VNNI:           memref.store %[[ALL]], %[[SUMS]][%[[I]]]
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<328x3xi8> = dense<1>
func.func @row_sums(%a: memref<2x328xi8>, %c: memref<2x3xi32>) {
  %b = memref.get_global @weights : memref<328x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x328xi8>, memref<328x3xi8>) outs(%c : memref<2x3xi32>) {
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

// 17 rows of A: the avx2 kernel stores B widened to i16, one K step per
// iteration of its K loop (K / 2 = 3). avx512-vnni takes two steps per
// iteration: K / 4 = 2, one pair in the loop, 2 x 24 instructions of its
// 6 x 4 tile (an odd last step follows the loop: @odd_k).
// VNNI-LABEL: func.func @many_rows
// VNNI:         scf.for %{{.+}} = %c0{{.*}} to %c2{{.*}} step %c2{{.*}} iter_args
// VNNI-COUNT-48:  llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI:           scf.yield
// VNNI-NOT:     llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI:         return
// DOTPROD-LABEL: func.func @many_rows
// I8MM-LABEL: func.func @many_rows
// AVX2-LABEL: func.func @many_rows
// AVX2:         memref.get_global @__qc_packed_rhs{{.*}} : memref<1x3x32xi16>
// AVX2-NOT:     vector<16xi8> to vector<16xi16>
// AVX2:         scf.for %{{.+}} = %c0{{.*}} to %c3{{.*}} step %c1{{.*}} iter_args
// AVX2-COUNT-8:   llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// AVX2:           scf.yield
// AVX2-NOT:     llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// AVX2:         return
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<1>
func.func @many_rows(%a: memref<17x6xi8>, %c: memref<17x3xi32>) {
  %b = memref.get_global @weights : memref<6x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<17x6xi8>, memref<6x3xi8>) outs(%c : memref<17x3xi32>) {
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

// A single row of A (a matrix-vector product): smmla would compute a padded
// second row, so with dotprod too the automatic choice is sdot; i8mm alone
// pads A to two rows. Many rows with both features take smmla.
// VNNI-LABEL: func.func @one_row
// DOTPROD-LABEL: func.func @one_row
// I8MM-LABEL: func.func @one_row
// I8MM:         memref.alloc() {alignment = 64 : i64} : memref<2x8xi8>
// I8MM:         llvm.call_intrinsic "llvm.aarch64.neon.smmla.v4i32.v16i8"
// I8MMDOT-LABEL: func.func @one_row
// I8MMDOT-NOT:     smmla
// I8MMDOT:         llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"
// I8MMDOT-LABEL: func.func @two_rows
// I8MMDOT:         llvm.call_intrinsic "llvm.aarch64.neon.smmla.v4i32.v16i8"
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<1>
func.func @one_row(%a: memref<1x6xi8>, %c: memref<1x3xi32>) {
  %b = memref.get_global @weights : memref<6x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<1x6xi8>, memref<6x3xi8>) outs(%c : memref<1x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}
func.func @two_rows(%a: memref<2x6xi8>, %c: memref<2x3xi32>) {
  %b = memref.get_global @weights : memref<6x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x6xi8>, memref<6x3xi8>) outs(%c : memref<2x3xi32>) {
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

// The fused epilogue: C (zero-filled, written by the matmul) is read only by
// a requantization with a per-column operand, which the kernel computes on
// each vector<8xi32> of accumulators and stores into the 5 x 3 i8 output
// (masked beyond N = 3, rows beyond M = 5 left out; the per-column operand
// padded to 16); the int32 C is never stored, and no padded output is
// allocated.
// VNNI-LABEL: func.func @requantize
// DOTPROD-LABEL: func.func @requantize
// I8MM-LABEL: func.func @requantize
// AVX2-LABEL: func.func @requantize
// AVX2-NOT:     memref.alloc() {{.*}} : memref<5x3xi32>
// AVX2:         %[[COLS:.+]] = memref.alloc() {alignment = 64 : i64} : memref<16xi32>
// AVX2:         linalg.copy ins(%{{.+}} : memref<3xi32>) outs(%{{.+}} : memref<3xi32, strided<[1]>>)
// AVX2-NOT:     memref.alloc() {{.*}} : memref<8x16xi8>
// AVX2:         llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// AVX2:         vector.load %[[COLS]][%{{.+}}] : memref<16xi32>, vector<8xi32>
// AVX2:         arith.sitofp %{{.+}} : vector<8xi32> to vector<8xf32>
// AVX2:         math.roundeven %{{.+}} : vector<8xf32>
// AVX2:         arith.fptosi %{{.+}} : vector<8xf32> to vector<8xi8>
// AVX2:         arith.cmpi ult, %{{.+}}, %c5
// AVX2:         scf.if
// AVX2:           vector.store %{{.+}}, %arg2[%{{.+}}, %{{.+}}] : memref<5x3xi8>, vector<8xi8>
// AVX2:         } else {
// AVX2:           vector.maskedstore %arg2[%{{.+}}, %{{.+}}], %{{.+}}, %{{.+}} : memref<5x3xi8>, vector<8xi1>, vector<8xi8>
// AVX2:         memref.dealloc %[[COLS]]
// AVX2-NOT:     linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}}memref<5x3xi32>
// AVX2-NOT:     linalg.copy
// AVX2:         return
// UNFUSED-LABEL: func.func @requantize
// UNFUSED-NOT:     memref<8x16xi32>
// UNFUSED:         llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// UNFUSED:         vector.store %{{.+}} : memref<5x3xi32>, vector<8xi32>
// UNFUSED:         linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : memref<5x3xi32>, memref<3xi32>) outs(%{{.+}} : memref<5x3xi8>)
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#id = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<1>
func.func @requantize(%a: memref<5x6xi8>, %colsums: memref<3xi32>, %y: memref<5x3xi8>) {
  %zero = arith.constant 0 : i32
  %scale = arith.constant 0.01 : f32
  %lo = arith.constant -128.0 : f32
  %hi = arith.constant 127.0 : f32
  %b = memref.get_global @weights : memref<6x3xi8>
  %c = memref.alloc() {alignment = 64 : i64} : memref<5x3xi32>
  linalg.fill ins(%zero : i32) outs(%c : memref<5x3xi32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x6xi8>, memref<6x3xi8>) outs(%c : memref<5x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %colsums : memref<5x3xi32>, memref<3xi32>) outs(%y : memref<5x3xi8>) {
  ^bb0(%acc: i32, %s: i32, %out: i8):
    %0 = arith.subi %acc, %s : i32
    %1 = arith.sitofp %0 : i32 to f32
    %2 = arith.mulf %1, %scale : f32
    %3 = math.roundeven %2 : f32
    %4 = arith.maximumf %3, %lo : f32
    %5 = arith.minimumf %4, %hi : f32
    %6 = arith.fptosi %5 : f32 to i8
    linalg.yield %6 : i8
  }
  memref.dealloc %c : memref<5x3xi32>
  return
}

// -----

// Consumers the kernel does not fuse, with the reason: one that also reads
// another matrix (a residual), and one that divides (a padded lane would
// divide by zero).
// VNNI-LABEL: func.func @not_fused
// VNNI:         llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI:         linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : memref<5x3xi32>, memref<5x3xi32>)
// VNNI:         llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI:         linalg.generic {{.*}} ins(%{{.+}} : memref<5x3xi32>)
// VNNI:           arith.divsi
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#id = affine_map<(i, j) -> (i, j)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<1>
func.func @not_fused(%a: memref<5x6xi8>, %r: memref<5x3xi32>, %y: memref<5x3xi32>, %z: memref<5x3xi32>) {
  %zero = arith.constant 0 : i32
  %b = memref.get_global @weights : memref<6x3xi8>
  %c = memref.alloc() {alignment = 64 : i64} : memref<5x3xi32>
  linalg.fill ins(%zero : i32) outs(%c : memref<5x3xi32>)
  // expected-remark @below {{integer matmul's epilogue not fused: its consumer reads another matrix or an operand that is not per row, per column or a scalar}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x6xi8>, memref<6x3xi8>) outs(%c : memref<5x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %r : memref<5x3xi32>, memref<5x3xi32>) outs(%y : memref<5x3xi32>) {
  ^bb0(%acc: i32, %res: i32, %out: i32):
    %0 = arith.addi %acc, %res : i32
    linalg.yield %0 : i32
  }
  memref.dealloc %c : memref<5x3xi32>
  %d = memref.alloc() {alignment = 64 : i64} : memref<5x3xi32>
  linalg.fill ins(%zero : i32) outs(%d : memref<5x3xi32>)
  // expected-remark @below {{integer matmul's epilogue not fused: its consumer computes 'arith.divsi', which the kernel does not compute on vectors}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x6xi8>, memref<6x3xi8>) outs(%d : memref<5x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  %seven = arith.constant 7 : i32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%d : memref<5x3xi32>) outs(%z : memref<5x3xi32>) {
  ^bb0(%acc: i32, %out: i32):
    %0 = arith.divsi %acc, %seven : i32
    linalg.yield %0 : i32
  }
  memref.dealloc %d : memref<5x3xi32>
  return
}

// -----

// Negative cases, each kept as loops: a product of two activations (no
// constant B), unsigned weights, an i64 accumulator (the verifier's choice
// when int32 could overflow) and a float matmul. Only the int8 x int8 ->
// int32 ones are remarked on.
// VNNI-LABEL: func.func @kept
// VNNI-NOT:     llvm.call_intrinsic
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<1>
func.func @kept(%a: memref<5x6xi8>, %b: memref<6x3xi8>, %c: memref<5x3xi32>, %c64: memref<5x3xi64>,
                %f: memref<5x6xf32>, %g: memref<6x3xf32>, %h: memref<5x3xf32>) {
  // expected-remark @below {{integer matmul kept as loops: its B operand is not a constant (a product of activations)}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x6xi8>, memref<6x3xi8>) outs(%c : memref<5x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  %cb = memref.get_global @weights : memref<6x3xi8>
  // expected-remark @below {{integer matmul kept as loops: its B operand is unsigned}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %cb : memref<5x6xi8>, memref<6x3xi8>) outs(%c : memref<5x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extui %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %cb : memref<5x6xi8>, memref<6x3xi8>) outs(%c64 : memref<5x3xi64>) {
  ^bb0(%x: i8, %w: i8, %acc: i64):
    %0 = arith.extsi %x : i8 to i64
    %1 = arith.extsi %w : i8 to i64
    %2 = arith.muli %0, %1 : i64
    %3 = arith.addi %acc, %2 : i64
    linalg.yield %3 : i64
  }
  linalg.matmul ins(%f, %g : memref<5x6xf32>, memref<6x3xf32>) outs(%h : memref<5x3xf32>)
  return
}

// -----

// A consumer that writes its result over A (K = N): the kernel stores each tile as it
// goes while later tiles still read A, so the consumer stays separate.
// VNNI-LABEL: func.func @writes_a
// VNNI:         llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI:         linalg.generic {{.*}} ins(%{{.+}} : memref<5x3xi32>)
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#id = affine_map<(i, j) -> (i, j)>
memref.global "private" constant @weights : memref<3x3xi8> = dense<1>
func.func @writes_a(%a: memref<5x3xi8>) {
  %zero = arith.constant 0 : i32
  %b = memref.get_global @weights : memref<3x3xi8>
  %c = memref.alloc() {alignment = 64 : i64} : memref<5x3xi32>
  linalg.fill ins(%zero : i32) outs(%c : memref<5x3xi32>)
  // expected-remark @below {{integer matmul's epilogue not fused: its consumer writes the buffer of A}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x3xi8>, memref<3x3xi8>) outs(%c : memref<5x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<5x3xi32>) outs(%a : memref<5x3xi8>) {
  ^bb0(%acc: i32, %out: i8):
    %0 = arith.trunci %acc : i32 to i8
    linalg.yield %0 : i8
  }
  memref.dealloc %c : memref<5x3xi32>
  return
}

// -----

// An empty matmul (no rows) keeps its loops, which do nothing.
// VNNI-LABEL: func.func @empty
// VNNI-NOT:     llvm.call_intrinsic
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<6x3xi8> = dense<1>
func.func @empty(%a: memref<0x6xi8>, %c: memref<0x3xi32>) {
  %b = memref.get_global @weights : memref<6x3xi8>
  // expected-remark @below {{integer matmul kept as loops: it is empty (a dimension of size 0)}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<0x6xi8>, memref<6x3xi8>) outs(%c : memref<0x3xi32>) {
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

// K / 4 = 3 steps on avx512-vnni: one pair in the K loop (2 x 6
// instructions of the 2 x 3 tile), the third after it.
// VNNI-LABEL: func.func @odd_k
// VNNI:         scf.for %{{.+}} = %c0{{.*}} to %c2{{.*}} step %c2{{.*}} iter_args
// VNNI-COUNT-12:  llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI:           scf.yield
// VNNI-COUNT-6: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI-NOT:     llvm.call_intrinsic
// VNNI:         return
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights : memref<12x3xi8> = dense<1>
func.func @odd_k(%a: memref<2x12xi8>, %c: memref<2x3xi32>) {
  %b = memref.get_global @weights : memref<12x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x12xi8>, memref<12x3xi8>) outs(%c : memref<2x3xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extui %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}
