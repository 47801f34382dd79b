//===- PeakLoop.cpp - This machine's integer multiply-add peak ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A loop of independent vpmaddwd + vpaddd on ymm registers (the AVX2
// kernel's instruction pair; 16 multiply-adds, 32 ops, per pair), timed in
// the same run as the kernels, so that their GOPS can be stated as a
// fraction of what this core can do. Compiled with -mavx2; callers check
// the CPU first.
//
//===----------------------------------------------------------------------===//

#include <immintrin.h>

#include <chrono>
#include <cstdint>

namespace qcomp_bench {

/// GOPS (2 ops per multiply-add) of `iterations` x 12 independent
/// vpmaddwd + vpaddd pairs.
double measureAvx2MaddPeak(int64_t iterations) {
  __m256i a = _mm256_set1_epi16(3), b = _mm256_set1_epi16(-2);
  __m256i acc[12];
  for (__m256i &v : acc)
    v = _mm256_setzero_si256();
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; ++i) {
    for (__m256i &v : acc)
      v = _mm256_add_epi32(v, _mm256_madd_epi16(a, b));
    // Keep a and b live in registers without letting the compiler hoist.
    asm volatile("" : "+x"(a), "+x"(b));
  }
  auto end = std::chrono::steady_clock::now();
  __m256i sum = acc[0];
  for (int k = 1; k < 12; ++k)
    sum = _mm256_add_epi32(sum, acc[k]);
  asm volatile("" ::"x"(sum));
  double seconds = std::chrono::duration<double>(end - start).count();
  return (double)iterations * 12 * 32 / seconds / 1e9;
}

} // namespace qcomp_bench
