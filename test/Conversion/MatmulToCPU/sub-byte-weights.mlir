// RUN: qcomp-opt %s --split-input-file --verify-diagnostics --qc-lower-int-matmul-to-cpu="triple=aarch64-linux-gnu features=+dotprod" | FileCheck %s --check-prefix=DOTPROD
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx512vnni" 2>/dev/null | FileCheck %s --check-prefix=VNNI
// RUN: qcomp-opt %s --split-input-file --qc-lower-int-matmul-to-cpu="features=+avx2" 2>/dev/null | FileCheck %s --check-prefix=AVX2

// int4 weights: the reference lowering of qc.unpack fills B (4 x 2 x i4)
// from 4 x 1 packed bytes, low nibble first: row 0 = 0xF1 = (1, -1),
// row 1 = 0x72 = (2, 7), row 2 = 0x03 = (3, 0), row 3 = 0x58 = (-8, 5).
//
// dotprod: one operand is 4 lanes x 4 products, v = B[0..3][0] ++ B[0..3][1]
// ++ zeros = [1, 2, 3, -8, -1, 7, 0, 5, 0 x 8]. Stored at 4 bits, byte i
// holds v[i] in its low and v[i + 8] in its high nibble: [1, 2, 3, 8, 15, 7,
// 0, 5] (8 bytes for 16 weights). Each load is widened in registers, low
// nibbles by (x << 4) >>s 4, high ones by x >>s 4, the halves concatenated.
// The unpacking loop and its buffer are gone.
// The tile is 4 vectors of columns: N is padded to 16, one panel of 4
// operands side by side, 8 bytes each.
// DOTPROD-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x1x32xi8> = dense<{{\[\[\[}}1, 2, 3, 8, 15, 7, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0,
// DOTPROD-LABEL: func.func @int4
// DOTPROD-NOT:     linalg.index
// DOTPROD-NOT:     memref<4x2xi4>
// DOTPROD:         scf.for
// DOTPROD:           %[[X:.*]] = vector.load %{{.*}} : memref<1x1x32xi8>, vector<8xi8>
// DOTPROD-NEXT:      %[[C4:.*]] = arith.constant dense<4> : vector<8xi8>
// DOTPROD-NEXT:      %[[UP:.*]] = arith.shli %[[X]], %[[C4]] : vector<8xi8>
// DOTPROD-NEXT:      %[[C4B:.*]] = arith.constant dense<4> : vector<8xi8>
// DOTPROD-NEXT:      %[[LO:.*]] = arith.shrsi %[[UP]], %[[C4B]] : vector<8xi8>
// DOTPROD-NEXT:      %[[C4C:.*]] = arith.constant dense<4> : vector<8xi8>
// DOTPROD-NEXT:      %[[HI:.*]] = arith.shrsi %[[X]], %[[C4C]] : vector<8xi8>
// DOTPROD-NEXT:      %[[W:.*]] = vector.shuffle %[[LO]], %[[HI]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
// DOTPROD:           llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"(%{{.*}}, %{{.*}}, %[[W]])
// DOTPROD-NOT:     memref<4x2xi4>
//
// avx512-vnni: 64 weights per operand in 32 bytes; the accumulators start
// at the shift correction -128 * colsum(B) = -128 * [-2, 11] (padded to the
// 48 columns of a panel: with N = 2 the 8 x 3 tile pads less than 6 x 4).
// VNNI-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x1x96xi8>
// VNNI-DAG:   memref.global "private" constant @__qc_rhs_shift_correction : memref<48xi32> = dense<[256, -1408, 0,
// VNNI-LABEL: func.func @int4
// VNNI:         vector.load %{{.*}} : memref<1x1x96xi8>, vector<32xi8>
// VNNI:         vector.shuffle {{.*}} : vector<32xi8>, vector<32xi8>
// VNNI:         llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
//
// avx2: unpacked to 16 x i8, then sign-extended to the i16 of vpmaddwd.
// AVX2-LABEL: func.func @int4
// AVX2:         vector.load %{{.*}} : memref<1x2x16xi8>, vector<8xi8>
// AVX2:         %[[W:.*]] = vector.shuffle {{.*}} : vector<8xi8>, vector<8xi8>
// AVX2:         arith.extsi %[[W]] : vector<16xi8> to vector<16xi16>
// AVX2:         llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#id = affine_map<(i, j) -> (i, j)>
memref.global "private" constant @packed : memref<4x1xi8> = dense<[[-15], [114], [3], [88]]>
func.func @int4(%a: memref<3x4xi8>, %c: memref<3x2xi32>) {
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %p = memref.get_global @packed : memref<4x1xi8>
  %b = memref.alloc() {alignment = 64 : i64} : memref<4x2xi4>
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%b : memref<4x2xi4>) {
  ^bb0(%out: i4):
    %0 = linalg.index 0 : index
    %1 = linalg.index 1 : index
    %2 = arith.divui %1, %c2 : index
    %3 = memref.load %p[%0, %2] : memref<4x1xi8>
    %4 = arith.remui %1, %c2 : index
    %5 = arith.muli %4, %c4 : index
    %6 = arith.index_castui %5 : index to i8
    %7 = arith.shrui %3, %6 : i8
    %8 = arith.trunci %7 : i8 to i4
    linalg.yield %8 : i4
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<3x4xi8>, memref<4x2xi4>) outs(%c : memref<3x2xi32>) {
  ^bb0(%x: i8, %w: i4, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i4 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  memref.dealloc %b : memref<4x2xi4>
  return
}

// -----

// int2 weights, four per byte: B (4 x 8 x i2) from 4 x 2 bytes. A dotprod
// operand of 16 weights (4 columns of 4 rows) takes 4 bytes, byte i holding
// v[i], v[i + 4], v[i + 8], v[i + 12] = B[i][0..3]: qc.unpack's own byte
// [i][0], so the panel starts with the two columns of @packed2. It is
// unpacked by four pairs of shifts ((x << 6) >>s 6, (x << 4) >>s 6,
// (x << 2) >>s 6, x >>s 6) and three concatenations.
// DOTPROD-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x1x16xi8> = dense<{{\[\[\[}}27, 1, -1, 64, -28, 2, 0, 85, 0, 0,
// DOTPROD-LABEL: func.func @int2
// DOTPROD:         %[[X:.*]] = vector.load %{{.*}} : memref<1x1x16xi8>, vector<4xi8>
// DOTPROD-NEXT:    %[[C6:.*]] = arith.constant dense<6> : vector<4xi8>
// DOTPROD-NEXT:    %[[P0:.*]] = arith.shli %[[X]], %[[C6]] : vector<4xi8>
// DOTPROD-NEXT:    %[[C6B:.*]] = arith.constant dense<6> : vector<4xi8>
// DOTPROD-NEXT:    %[[F0:.*]] = arith.shrsi %[[P0]], %[[C6B]] : vector<4xi8>
// DOTPROD-NEXT:    %[[C4:.*]] = arith.constant dense<4> : vector<4xi8>
// DOTPROD-NEXT:    arith.shli %[[X]], %[[C4]] : vector<4xi8>
// DOTPROD:         %[[C2:.*]] = arith.constant dense<2> : vector<4xi8>
// DOTPROD-NEXT:    arith.shli %[[X]], %[[C2]] : vector<4xi8>
// DOTPROD:         %[[F3:.*]] = arith.shrsi %[[X]], %{{.*}} : vector<4xi8>
// DOTPROD-NEXT:    %[[H0:.*]] = vector.shuffle %[[F0]], %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7] : vector<4xi8>, vector<4xi8>
// DOTPROD-NEXT:    %[[H1:.*]] = vector.shuffle %{{.*}}, %[[F3]] [0, 1, 2, 3, 4, 5, 6, 7] : vector<4xi8>, vector<4xi8>
// DOTPROD-NEXT:    %[[W:.*]] = vector.shuffle %[[H0]], %[[H1]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<8xi8>, vector<8xi8>
// DOTPROD:         llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"(%{{.*}}, %{{.*}}, %[[W]])
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#id = affine_map<(i, j) -> (i, j)>
memref.global "private" constant @packed2 : memref<4x2xi8> = dense<[[27, -28], [1, 2], [-1, 0], [64, 85]]>
func.func @int2(%a: memref<3x4xi8>, %c: memref<3x8xi32>) {
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %p = memref.get_global @packed2 : memref<4x2xi8>
  %b = memref.alloc() {alignment = 64 : i64} : memref<4x8xi2>
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%b : memref<4x8xi2>) {
  ^bb0(%out: i2):
    %0 = linalg.index 0 : index
    %1 = linalg.index 1 : index
    %2 = arith.divui %1, %c4 : index
    %3 = memref.load %p[%0, %2] : memref<4x2xi8>
    %4 = arith.remui %1, %c4 : index
    %5 = arith.muli %4, %c2 : index
    %6 = arith.index_castui %5 : index to i8
    %7 = arith.shrui %3, %6 : i8
    %8 = arith.trunci %7 : i8 to i2
    linalg.yield %8 : i2
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<3x4xi8>, memref<4x8xi2>) outs(%c : memref<3x8xi32>) {
  ^bb0(%x: i8, %w: i2, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i2 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  memref.dealloc %b : memref<4x8xi2>
  return
}

// -----

// A splat: canonicalization folds qc.unpack of equal fields to a loop that
// yields the constant (-3 here), every weight of the kernel's B: the
// first operand is 8 weights -3 (0xD) then 8 padding zeros, 8 bytes 0x0D.
// DOTPROD-DAG:   memref.global "private" constant @__qc_packed_rhs : memref<1x1x32xi8> = dense<{{\[\[\[}}13, 13, 13, 13, 13, 13, 13, 13, 0, 0,
// DOTPROD-LABEL: func.func @splat
// DOTPROD:         llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#id = affine_map<(i, j) -> (i, j)>
func.func @splat(%a: memref<3x4xi8>, %c: memref<3x2xi32>) {
  %minus3 = arith.constant -3 : i4
  %b = memref.alloc() : memref<4x2xi4>
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%b : memref<4x2xi4>) {
  ^bb0(%out: i4):
    linalg.yield %minus3 : i4
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<3x4xi8>, memref<4x2xi4>) outs(%c : memref<3x2xi32>) {
  ^bb0(%x: i8, %w: i4, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i4 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  memref.dealloc %b : memref<4x2xi4>
  return
}

// -----

// Negative cases, kept as loops: a 4-bit B filled by a loop that is not
// qc.unpack's (here from its indices), qc.unpack's loop whose buffer is
// written again afterwards, a 4-bit B from a function argument, and
// unsigned 4-bit weights.
// DOTPROD-LABEL: func.func @kept
// DOTPROD-NOT:     llvm.call_intrinsic
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#id = affine_map<(i, j) -> (i, j)>
memref.global "private" constant @packed3 : memref<4x1xi8> = dense<[[-15], [114], [3], [88]]>
func.func @kept(%a: memref<3x4xi8>, %arg: memref<4x2xi4>, %c: memref<3x2xi32>) {
  %b = memref.alloc() : memref<4x2xi4>
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%b : memref<4x2xi4>) {
  ^bb0(%out: i4):
    %0 = linalg.index 1 : index
    %1 = arith.index_cast %0 : index to i4
    linalg.yield %1 : i4
  }
  // expected-remark @below {{integer matmul kept as loops: its 4-bit B operand is not an unpacked constant}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<3x4xi8>, memref<4x2xi4>) outs(%c : memref<3x2xi32>) {
  ^bb0(%x: i8, %w: i4, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i4 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  // expected-remark @below {{integer matmul kept as loops: its B operand is not a constant (a product of activations)}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %arg : memref<3x4xi8>, memref<4x2xi4>) outs(%c : memref<3x2xi32>) {
  ^bb0(%x: i8, %w: i4, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i4 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  // expected-remark @below {{integer matmul kept as loops: its B operand is unsigned}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<3x4xi8>, memref<4x2xi4>) outs(%c : memref<3x2xi32>) {
  ^bb0(%x: i8, %w: i4, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extui %w : i4 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0 : i4
  %p = memref.get_global @packed3 : memref<4x1xi8>
  %b2 = memref.alloc() : memref<4x2xi4>
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%b2 : memref<4x2xi4>) {
  ^bb0(%out: i4):
    %0 = linalg.index 0 : index
    %1 = linalg.index 1 : index
    %2 = arith.divui %1, %c2 : index
    %3 = memref.load %p[%0, %2] : memref<4x1xi8>
    %4 = arith.remui %1, %c2 : index
    %5 = arith.muli %4, %c4 : index
    %6 = arith.index_castui %5 : index to i8
    %7 = arith.shrui %3, %6 : i8
    %8 = arith.trunci %7 : i8 to i4
    linalg.yield %8 : i4
  }
  linalg.fill ins(%zero : i4) outs(%b2 : memref<4x2xi4>)
  // expected-remark @below {{integer matmul kept as loops: its 4-bit B operand is not an unpacked constant}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b2 : memref<3x4xi8>, memref<4x2xi4>) outs(%c : memref<3x2xi32>) {
  ^bb0(%x: i8, %w: i4, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i4 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  memref.dealloc %b2 : memref<4x2xi4>
  memref.dealloc %b : memref<4x2xi4>
  return
}
