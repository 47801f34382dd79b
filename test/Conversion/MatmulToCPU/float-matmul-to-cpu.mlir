// RUN: qcomp-opt %s --split-input-file --verify-diagnostics --qc-lower-float-matmul-to-cpu="features=+avx512f" | FileCheck %s --check-prefix=AVX512
// RUN: qcomp-opt %s --split-input-file --qc-lower-float-matmul-to-cpu="features=+avx2" 2>/dev/null | FileCheck %s --check-prefix=AVX2
// RUN: qcomp-opt %s --split-input-file --qc-lower-float-matmul-to-cpu="triple=aarch64-linux-gnu" 2>/dev/null | FileCheck %s --check-prefix=NEON
// RUN: qcomp-opt %s --split-input-file --qc-lower-float-matmul-to-cpu="features=+avx2 parallel-min-macs=90" 2>/dev/null | FileCheck %s --check-prefix=PARALLEL
// RUN: qcomp-opt %s --split-input-file --qc-lower-float-matmul-to-cpu="features=+avx512f fuse-epilogue=false" 2>/dev/null | FileCheck %s --check-prefix=UNFUSED
// RUN: not qcomp-opt %s --split-input-file --qc-lower-float-matmul-to-cpu="tile-rows=9" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not qcomp-opt %s --split-input-file --qc-lower-float-matmul-to-cpu="triple=riscv64" 2>&1 | FileCheck %s --check-prefix=TRIPLE

// TILE: error: qc-lower-float-matmul-to-cpu: tile-rows and tile-vectors must be in [0, 8], got 9 and 0
// TRIPLE: error: qc-lower-float-matmul-to-cpu: unsupported target triple 'riscv64' (expected x86_64-* or aarch64-*)

// A linalg.matmul of f32 A (5 x 6) by a constant B (6 x 3), on buffers.
//
// avx512f: B packed as Bp[N/64][K][4 x 16] (N = 3 padded to one panel of 4
// vectors of 16 lanes): row k of the panel starts with B[k][0..2], then
// zeros (1.0, 2.0, 3.0 are 0x3F800000, 0x40000000, 0x40400000, printed
// little-endian). A 5 x 4 tile of vector<16xf32> accumulators (6 rows by
// default, at most M) runs over K = 6: each step broadcasts A[i][k] and
// issues one fmuladd per accumulator. Each vector is added into C, masked
// beyond N.
// AVX512-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x6x64xf32> = dense<"0x0000803F000000400000404000000000
// AVX512-LABEL: func.func @matmul
// AVX512-NOT:     linalg.matmul
// AVX512:         scf.for
// AVX512:           scf.for
// AVX512:             scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// AVX512:               memref.load %arg0[%{{.+}}, %{{.+}}] : memref<5x6xf32>
// AVX512:               vector.broadcast %{{.+}} : f32 to vector<16xf32>
// AVX512:               vector.load %{{.+}} : memref<1x6x64xf32>, vector<16xf32>
// AVX512:               llvm.intr.fmuladd(%{{.+}}, %{{.+}}, %{{.+}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// AVX512:             scf.if
// AVX512:               vector.load %arg1[%{{.+}}, %{{.+}}] : memref<5x3xf32>, vector<16xf32>
// AVX512:               arith.addf
// AVX512:               vector.store %{{.+}}, %arg1[%{{.+}}, %{{.+}}] : memref<5x3xf32>, vector<16xf32>
// AVX512:             } else {
// AVX512:               vector.maskedload %arg1
// AVX512:               arith.addf
// AVX512:               vector.maskedstore %arg1
// AVX512-NOT:     memref.alloc
// AVX512:         return
//
// avx2: 8 lanes and 16 registers, a 5 x 2 tile: panels of 16 columns.
// AVX2-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x6x16xf32>
// AVX2-LABEL: func.func @matmul
// AVX2:         llvm.intr.fmuladd(%{{.+}}, %{{.+}}, %{{.+}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
//
// AArch64 (NEON): 4 lanes and 32 registers, a 5 x 4 tile.
// NEON-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x6x16xf32>
// NEON-LABEL: func.func @matmul
// NEON:         llvm.intr.fmuladd(%{{.+}}, %{{.+}}, %{{.+}}) : (vector<4xf32>, vector<4xf32>, vector<4xf32>) -> vector<4xf32>
//
// At least parallel-min-macs multiply-adds (5 x 3 x 6 = 90): the column
// blocks are a parallel loop.
// PARALLEL-LABEL: func.func @matmul
// PARALLEL:         scf.parallel
// PARALLEL:           llvm.intr.fmuladd
memref.global "private" constant @weights : memref<6x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0], [13.0, 14.0, 15.0], [16.0, 17.0, 18.0]]>
func.func @matmul(%a: memref<5x6xf32>, %c: memref<5x3xf32>) {
  %b = memref.get_global @weights : memref<6x3xf32>
  linalg.matmul ins(%a, %b : memref<5x6xf32>, memref<6x3xf32>) outs(%c : memref<5x3xf32>)
  return
}

// -----

// A transposed weight (ONNX Gemm's transB): a generic reading B[j, k]. The
// packed panel is the same as for the B it transposes: row k starts with
// B^T[0..2][k] = 1.0, 2.0, 3.0.
// AVX512-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x2x64xf32> = dense<"0x0000803F000000400000404000000000
// AVX512-LABEL: func.func @transposed
// AVX512-NOT:     linalg.generic
// AVX512:         llvm.intr.fmuladd
#a = affine_map<(i, j, k) -> (i, k)>
#bt = affine_map<(i, j, k) -> (j, k)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights_t : memref<3x2xf32> = dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]>
func.func @transposed(%a: memref<5x2xf32>, %c: memref<5x3xf32>) {
  %b = memref.get_global @weights_t : memref<3x2xf32>
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x2xf32>, memref<3x2xf32>) outs(%c : memref<5x3xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %0 = arith.mulf %x, %w : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// ONNX Gemm's transB as the importer writes it: B a buffer written by a
// linalg.transpose of the constant weight. The kernel packs the weight's
// transpose at compile time, and the transpose, its buffer and their
// deallocation go.
// AVX512-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x2x64xf32> = dense<"0x0000803F000000400000404000000000
// AVX512-LABEL: func.func @transposed_at_run_time
// AVX512-NOT:     linalg.transpose
// AVX512-NOT:     memref.alloc
// AVX512:         llvm.intr.fmuladd
// AVX512-NOT:     memref.dealloc
// AVX512:         return
// A transposed weight that something else also reads stays as loops.
// AVX512-LABEL: func.func @transposed_read_twice
// AVX512:         linalg.transpose
// AVX512:         linalg.matmul
memref.global "private" constant @weights_t : memref<3x2xf32> = dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]>
func.func @transposed_at_run_time(%a: memref<5x2xf32>, %c: memref<5x3xf32>) {
  %w = memref.get_global @weights_t : memref<3x2xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<2x3xf32>
  linalg.transpose ins(%w : memref<3x2xf32>) outs(%b : memref<2x3xf32>) permutation = [1, 0]
  linalg.matmul ins(%a, %b : memref<5x2xf32>, memref<2x3xf32>) outs(%c : memref<5x3xf32>)
  memref.dealloc %b : memref<2x3xf32>
  return
}
func.func @transposed_read_twice(%a: memref<5x2xf32>, %c: memref<5x3xf32>, %copy: memref<2x3xf32>) {
  %w = memref.get_global @weights_t : memref<3x2xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<2x3xf32>
  linalg.transpose ins(%w : memref<3x2xf32>) outs(%b : memref<2x3xf32>) permutation = [1, 0]
  // expected-remark @below {{f32 matmul kept as loops: its B operand is not a constant global with known values}}
  linalg.matmul ins(%a, %b : memref<5x2xf32>, memref<2x3xf32>) outs(%c : memref<5x3xf32>)
  memref.copy %b, %copy : memref<2x3xf32> to memref<2x3xf32>
  memref.dealloc %b : memref<2x3xf32>
  return
}

// -----

// The fused epilogue: C (zero-filled, written by the matmul) is read only by
// a bias + ReLU, computed on each accumulator vector and stored into its
// output (the bias padded to 64); C is never stored. Without fusion, C is
// accumulated and the generic stays.
// AVX512-LABEL: func.func @bias_relu
// AVX512-NOT:     memref.alloc() {{.*}} : memref<5x3xf32>
// AVX512:         %[[BIAS:.+]] = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
// AVX512:         llvm.intr.fmuladd
// AVX512:         vector.load %[[BIAS]][%{{.+}}] : memref<64xf32>, vector<16xf32>
// AVX512:         arith.addf
// AVX512:         arith.maximumf
// AVX512:         vector.store %{{.+}}, %arg2[%{{.+}}, %{{.+}}] : memref<5x3xf32>, vector<16xf32>
// AVX512:         vector.maskedstore %arg2
// AVX512:         memref.dealloc %[[BIAS]]
// AVX512-NOT:     linalg.generic
// AVX512:         return
// UNFUSED-LABEL: func.func @bias_relu
// UNFUSED:         llvm.intr.fmuladd
// UNFUSED:         linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : memref<5x3xf32>, memref<3xf32>) outs(%{{.+}} : memref<5x3xf32>)
#id = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>
memref.global "private" constant @weights : memref<6x3xf32> = dense<0.5>
func.func @bias_relu(%a: memref<5x6xf32>, %bias: memref<3xf32>, %y: memref<5x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %b = memref.get_global @weights : memref<6x3xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<5x3xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<5x3xf32>)
  linalg.matmul ins(%a, %b : memref<5x6xf32>, memref<6x3xf32>) outs(%c : memref<5x3xf32>)
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<5x3xf32>, memref<3xf32>) outs(%y : memref<5x3xf32>) {
  ^bb0(%acc: f32, %s: f32, %out: f32):
    %0 = arith.addf %acc, %s : f32
    %1 = arith.maximumf %0, %zero : f32
    linalg.yield %1 : f32
  }
  memref.dealloc %c : memref<5x3xf32>
  return
}

// -----

// Kept as loops: a product of two activations (no constant B, remarked),
// and matmuls of other element types (f64, int8), which are not this
// pass's.
// AVX512-LABEL: func.func @kept
// AVX512-NOT:     llvm.intr.fmuladd
// AVX512:         linalg.matmul
// AVX512:         linalg.matmul
// AVX512:         linalg.generic
// AVX512-NOT:     llvm.intr.fmuladd
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
memref.global "private" constant @weights64 : memref<6x3xf64> = dense<1.0>
memref.global "private" constant @weights8 : memref<6x3xi8> = dense<1>
func.func @kept(%a: memref<5x6xf32>, %b: memref<6x3xf32>, %c: memref<5x3xf32>,
                %d: memref<5x6xf64>, %e: memref<5x3xf64>, %f: memref<5x6xi8>, %g: memref<5x3xi32>) {
  // expected-remark @below {{f32 matmul kept as loops: its B operand is not a constant global with known values}}
  linalg.matmul ins(%a, %b : memref<5x6xf32>, memref<6x3xf32>) outs(%c : memref<5x3xf32>)
  %w64 = memref.get_global @weights64 : memref<6x3xf64>
  linalg.matmul ins(%d, %w64 : memref<5x6xf64>, memref<6x3xf64>) outs(%e : memref<5x3xf64>)
  %w8 = memref.get_global @weights8 : memref<6x3xi8>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%f, %w8 : memref<5x6xi8>, memref<6x3xi8>) outs(%g : memref<5x3xi32>) {
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

// Empty matmuls (a dimension of size 0) keep their loops, which do nothing.
// AVX512-LABEL: func.func @empty
// AVX512-NOT:     llvm.intr.fmuladd
// AVX512:         linalg.matmul
// AVX512:         linalg.matmul
memref.global "private" constant @weights : memref<6x3xf32> = dense<1.0>
memref.global "private" constant @no_rows : memref<0x3xf32> = dense<1.0>
func.func @empty(%a: memref<0x6xf32>, %c: memref<0x3xf32>, %d: memref<5x0xf32>, %e: memref<5x3xf32>) {
  %b = memref.get_global @weights : memref<6x3xf32>
  // expected-remark @below {{f32 matmul kept as loops: it is empty (a dimension of size 0)}}
  linalg.matmul ins(%a, %b : memref<0x6xf32>, memref<6x3xf32>) outs(%c : memref<0x3xf32>)
  %w = memref.get_global @no_rows : memref<0x3xf32>
  // expected-remark @below {{f32 matmul kept as loops: it is empty (a dimension of size 0)}}
  linalg.matmul ins(%d, %w : memref<5x0xf32>, memref<0x3xf32>) outs(%e : memref<5x3xf32>)
  return
}
