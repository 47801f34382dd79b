// The same quantized matmul compiled for each target: the assembly of the
// kernel uses that target's integer dot-product instruction.
// RUN: qcomp-opt %s --pass-pipeline="builtin.module(qcomp-cpu-to-llvm-pipeline{features=+avx512vnni,+avx512bw})" \
// RUN: | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=x86_64-unknown-linux-gnu -mattr=+avx512vnni,+avx512bw \
// RUN: | FileCheck %s --check-prefixes=CHECK,VNNI
// RUN: qcomp-opt %s --pass-pipeline="builtin.module(qcomp-cpu-to-llvm-pipeline{features=+avx512vnni,+amx-int8 kernel=amx})" \
// RUN: | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=x86_64-unknown-linux-gnu -mattr=+avx512vnni,+amx-int8 \
// RUN: | FileCheck %s --check-prefixes=CHECK,AMX
// RUN: qcomp-opt %s --pass-pipeline="builtin.module(qcomp-cpu-to-llvm-pipeline{features=+avxvnni})" \
// RUN: | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=x86_64-unknown-linux-gnu -mattr=+avxvnni \
// RUN: | FileCheck %s --check-prefixes=CHECK,AVXVNNI
// RUN: qcomp-opt %s --pass-pipeline="builtin.module(qcomp-cpu-to-llvm-pipeline{features=+avx2})" \
// RUN: | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=x86_64-unknown-linux-gnu -mattr=+avx2 \
// RUN: | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: qcomp-opt %s --pass-pipeline="builtin.module(qcomp-cpu-to-llvm-pipeline{triple=aarch64-linux-gnu features=+dotprod})" \
// RUN: | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=aarch64-linux-gnu -mattr=+dotprod \
// RUN: | FileCheck %s --check-prefixes=CHECK,DOTPROD
// RUN: qcomp-opt %s --pass-pipeline="builtin.module(qcomp-cpu-to-llvm-pipeline{triple=aarch64-linux-gnu features=+i8mm})" \
// RUN: | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=aarch64-linux-gnu -mattr=+i8mm \
// RUN: | FileCheck %s --check-prefixes=CHECK,I8MM

// CHECK-LABEL: main:
// VNNI:          vpdpbusd {{.*}}%zmm
// AMX:           ldtilecfg
// AMX:           tileloadd
// AMX:           tdpbssd %tmm{{[0-7]}}, %tmm{{[0-7]}}, %tmm{{[0-7]}}
// AMX:           tilestored
// AVXVNNI:       {vex} vpdpbusd {{.*}}%ymm
// AVX2:          vpmaddwd {{.*}}%ymm
// DOTPROD:       sdot v{{[0-9]+}}.4s, v{{[0-9]+}}.16b, v{{[0-9]+}}.16b
// I8MM:          smmla v{{[0-9]+}}.4s, v{{[0-9]+}}.16b, v{{[0-9]+}}.16b
// AMX-LABEL: unsigned_a:
// AMX:           tdpbusd %tmm{{[0-7]}}, %tmm{{[0-7]}}, %tmm{{[0-7]}}
// The module asks Linux for the tile state once, from a constructor.
// AMX-LABEL: __qc_request_amx_tile_state:
// AMX:           callq syscall
// AMX:           .section .init_array
// AMX-NEXT:      .p2align 3
// AMX-NEXT:      .quad __qc_request_amx_tile_state
// I8MM-LABEL: unsigned_a:
// I8MM:          usmmla v{{[0-9]+}}.4s, v{{[0-9]+}}.16b, v{{[0-9]+}}.16b

!a = !quant.uniform<i8:f32, 0.5:-3>
!w = !quant.uniform<i8<-127:127>:f32, 0.25>
func.func @main(%a: tensor<16x64x!a>) -> tensor<16x32xi32> {
  %wc = arith.constant dense<3> : tensor<64x32xi8>
  %w = quant.scast %wc : tensor<64x32xi8> to tensor<64x32x!w>
  %y = qc.matmul %a, %w acc(i32) : tensor<16x64x!a>, tensor<64x32x!w> -> tensor<16x32xi32>
  return %y : tensor<16x32xi32>
}

!u = !quant.uniform<u8:f32, 0.5:128>
func.func @unsigned_a(%a: tensor<16x64x!u>) -> tensor<16x32xi32> {
  %wc = arith.constant dense<3> : tensor<64x32xi8>
  %w = quant.scast %wc : tensor<64x32xi8> to tensor<64x32x!w>
  %y = qc.matmul %a, %w acc(i32) : tensor<16x64x!u>, tensor<64x32x!w> -> tensor<16x32xi32>
  return %y : tensor<16x32xi32>
}
