//===- PeakLoop.cpp - This machine's integer multiply-add peak ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A loop of independent vpmaddwd + vpaddd on ymm registers (the AVX2
// kernel's instruction pair; 16 multiply-adds, 32 ops, per pair), timed in
// the same run as the kernels, so that their GOPS can be stated as a
// fraction of what this core can do. x86-64 assembly; callers check that
// the CPU has AVX2 first.
//
//===----------------------------------------------------------------------===//

#include <chrono>
#include <cstdint>

namespace qcomp_bench {

/// GOPS (2 ops per multiply-add) of `iterations` x 6 independent
/// vpmaddwd + vpaddd pairs, written in assembly so that no compiler can
/// share the products or spill the accumulators.
double measureAvx2MaddPeak(int64_t iterations) {
  int64_t count = iterations;
  auto start = std::chrono::steady_clock::now();
  asm volatile("vpxor %%ymm8, %%ymm8, %%ymm8\n\t"
               "vpxor %%ymm9, %%ymm9, %%ymm9\n\t"
               "vpxor %%ymm10, %%ymm10, %%ymm10\n\t"
               "vpxor %%ymm11, %%ymm11, %%ymm11\n\t"
               "vpxor %%ymm12, %%ymm12, %%ymm12\n\t"
               "vpxor %%ymm13, %%ymm13, %%ymm13\n\t"
               "1:\n\t"
               "vpmaddwd %%ymm0, %%ymm1, %%ymm2\n\t"
               "vpmaddwd %%ymm0, %%ymm1, %%ymm3\n\t"
               "vpmaddwd %%ymm0, %%ymm1, %%ymm4\n\t"
               "vpmaddwd %%ymm0, %%ymm1, %%ymm5\n\t"
               "vpmaddwd %%ymm0, %%ymm1, %%ymm6\n\t"
               "vpmaddwd %%ymm0, %%ymm1, %%ymm7\n\t"
               "vpaddd %%ymm2, %%ymm8, %%ymm8\n\t"
               "vpaddd %%ymm3, %%ymm9, %%ymm9\n\t"
               "vpaddd %%ymm4, %%ymm10, %%ymm10\n\t"
               "vpaddd %%ymm5, %%ymm11, %%ymm11\n\t"
               "vpaddd %%ymm6, %%ymm12, %%ymm12\n\t"
               "vpaddd %%ymm7, %%ymm13, %%ymm13\n\t"
               "dec %0\n\t"
               "jnz 1b\n\t"
               "vzeroupper"
               : "+r"(count)
               :
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                 "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "cc");
  auto end = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(end - start).count();
  return (double)iterations * 6 * 32 / seconds / 1e9;
}

} // namespace qcomp_bench
