// RUN: qcomp-opt %s --qcomp-reference-to-llvm-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// qc.unpack of packed bytes into i4, u4, i2 and u2 storage, dequantized and
// printed. The bytes are written here as signed i8; every expected number is
// computed by hand from their bit patterns (first value in the low bits).
//
// 4-bit row 0: bytes [-31, -121, 80, 63] = [0xE1, 0x87, 0x50, 0x3F]
//   fields (low nibble first): [1, 14, 7, 8, 0, 5, 15, 3]
//   i4 (sign-extended): [1, -2, 7, -8, 0, 5, -1, 3]
// 4-bit row 1: bytes [33, 67, 101, 7] = [0x21, 0x43, 0x65, 0x07]
//   fields: [1, 2, 3, 4, 5, 6, 7, 0] (no sign bit set)
// i4 per row (axis 0) scales {0.5, 1.0}, zero point 0:
//   row 0: [0.5, -1, 3.5, -4, 0, 2.5, -0.5, 1.5]; row 1: [1, 2, 3, 4, 5, 6, 7, 0]
// u4 scale 0.25 zero point 8, (q - 8) * 0.25:
//   row 0: [-1.75, 1.5, -0.25, 0, -2, -0.75, 1.75, -1.25]
//   row 1: [-1.75, -1.5, -1.25, -1, -0.75, -0.5, -0.25, -2]
//
// 2-bit, 7 values in 2 bytes: [-28, -10] = [0b11100100, 0b11110110]
//   fields: [0, 1, 2, 3, 2, 1, 3] (the top field of the last byte, 3, is unused)
//   i2: [0, 1, -2, -1, -2, 1, -1] at scale 0.5: [0, 0.5, -1, -0.5, -1, 0.5, -0.5]
//   u2 zero point 1 scale 1: [-1, 0, 1, 2, 1, 0, 2]

!i4 = !quant.uniform<i4:f32:0, {0.5, 1.0}>
!u4 = !quant.uniform<u4:f32, 0.25:8>
!i2 = !quant.uniform<i2:f32, 0.5>
!u2 = !quant.uniform<u2:f32, 1.0:1>

func.func private @printMemrefF32(memref<*xf32>)

func.func @print(%t: tensor<?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xf32> to memref<?x?xf32>
  %u = memref.cast %m : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @unpack4(%p: tensor<2x4xi8>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %s = qc.unpack %p : tensor<2x4xi8> to tensor<2x8x!i4>
  %u = qc.unpack %p : tensor<2x4xi8> to tensor<2x8x!u4>
  %sd = qc.dequantize %s : tensor<2x8x!i4> to tensor<2x8xf32>
  %ud = qc.dequantize %u : tensor<2x8x!u4> to tensor<2x8xf32>
  return %sd, %ud : tensor<2x8xf32>, tensor<2x8xf32>
}

func.func @unpack2(%p: tensor<1x2xi8>) -> (tensor<1x7xf32>, tensor<1x7xf32>) {
  %s = qc.unpack %p : tensor<1x2xi8> to tensor<1x7x!i2>
  %u = qc.unpack %p : tensor<1x2xi8> to tensor<1x7x!u2>
  %sd = qc.dequantize %s : tensor<1x7x!i2> to tensor<1x7xf32>
  %ud = qc.dequantize %u : tensor<1x7x!u2> to tensor<1x7xf32>
  return %sd, %ud : tensor<1x7xf32>, tensor<1x7xf32>
}

func.func @main() {
  %p4 = arith.constant dense<[[-31, -121, 80, 63], [33, 67, 101, 7]]> : tensor<2x4xi8>
  %s4, %u4 = call @unpack4(%p4) : (tensor<2x4xi8>) -> (tensor<2x8xf32>, tensor<2x8xf32>)
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[0.5, {{ *}}-1, {{ *}}3.5, {{ *}}-4, {{ *}}0, {{ *}}2.5, {{ *}}-0.5, {{ *}}1.5],
  // CHECK-NEXT:  [1, {{ *}}2, {{ *}}3, {{ *}}4, {{ *}}5, {{ *}}6, {{ *}}7, {{ *}}0]]
  %s4d = tensor.cast %s4 : tensor<2x8xf32> to tensor<?x?xf32>
  call @print(%s4d) : (tensor<?x?xf32>) -> ()
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[-1.75, {{ *}}1.5, {{ *}}-0.25, {{ *}}0, {{ *}}-2, {{ *}}-0.75, {{ *}}1.75, {{ *}}-1.25],
  // CHECK-NEXT:  [-1.75, {{ *}}-1.5, {{ *}}-1.25, {{ *}}-1, {{ *}}-0.75, {{ *}}-0.5, {{ *}}-0.25, {{ *}}-2]]
  %u4d = tensor.cast %u4 : tensor<2x8xf32> to tensor<?x?xf32>
  call @print(%u4d) : (tensor<?x?xf32>) -> ()

  %p2 = arith.constant dense<[[-28, -10]]> : tensor<1x2xi8>
  %s2, %u2 = call @unpack2(%p2) : (tensor<1x2xi8>) -> (tensor<1x7xf32>, tensor<1x7xf32>)
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[0, {{ *}}0.5, {{ *}}-1, {{ *}}-0.5, {{ *}}-1, {{ *}}0.5, {{ *}}-0.5]]
  %s2d = tensor.cast %s2 : tensor<1x7xf32> to tensor<?x?xf32>
  call @print(%s2d) : (tensor<?x?xf32>) -> ()
  // CHECK: data =
  // CHECK-NEXT: {{\[}}[-1, {{ *}}0, {{ *}}1, {{ *}}2, {{ *}}1, {{ *}}0, {{ *}}2]]
  %u2d = tensor.cast %u2 : tensor<1x7xf32> to tensor<?x?xf32>
  call @print(%u2d) : (tensor<?x?xf32>) -> ()
  return
}
