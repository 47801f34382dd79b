//===- PeakLoop.cpp - This machine's integer multiply-add peak ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Loops of independent multiply-add instructions, the one each kernel is
// built on, timed in the same run as the kernels so that their GOPS can be
// stated as a fraction of what this core can do: vpdpbusd on zmm
// (avx512-vnni, 64 multiply-adds), vpdpbusd on ymm (avx-vnni, 32), and
// vpmaddwd + vpaddd on ymm (avx2, 16 per pair); and vpdpbusd on zmm fed by
// the loads of the avx512-vnni kernel's tile; and AMX-INT8's tdpbssd on
// tiles. x86-64 assembly; callers
// check that the CPU has the instruction first.
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

/// vpdpbusd on zmm (or ymm, AVX-VNNI's VEX form when `zmm` is false):
/// twelve independent accumulators, enough to cover its latency on two
/// ports. One instruction is lanes x 4 multiply-adds, 2 ops each.
static double measureDpbusdPeak(int64_t iterations, bool zmm) {
  int64_t count = iterations;
  auto start = std::chrono::steady_clock::now();
#define QC_DPBUSD_12(REG, PREFIX)                                              \
  PREFIX "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "2\n\t" PREFIX              \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "3\n\t" PREFIX              \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "4\n\t" PREFIX              \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "5\n\t" PREFIX              \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "6\n\t" PREFIX              \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "7\n\t" PREFIX              \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "8\n\t" PREFIX              \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "9\n\t" PREFIX              \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "10\n\t" PREFIX             \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "11\n\t" PREFIX             \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "12\n\t" PREFIX             \
         "vpdpbusd %%" REG "0, %%" REG "1, %%" REG "13\n\t"
  // One loop, on zmm or (in its VEX form) ymm registers.
#define QC_DPBUSD_LOOP(ZERO, REG, PREFIX)                                      \
  asm volatile(ZERO " %%" REG "0, %%" REG "0, %%" REG "0\n\t" ZERO " %%" REG   \
                    "1, %%" REG "1, %%" REG "1\n\t"                            \
                    "1:\n\t" QC_DPBUSD_12(REG, PREFIX) "dec %0\n\t"            \
                                                       "jnz 1b\n\t"            \
                                                       "vzeroupper"            \
               : "+r"(count)                                                   \
               :                                                               \
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",       \
                 "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",   \
                 "cc")
  if (zmm)
    QC_DPBUSD_LOOP("vpxord", "zmm", "");
  else
    QC_DPBUSD_LOOP("vpxor", "ymm", "%{vex%} ");
#undef QC_DPBUSD_LOOP
#undef QC_DPBUSD_12
  auto end = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(end - start).count();
  int64_t lanes = zmm ? 16 : 8;
  return (double)iterations * 12 * lanes * 4 * 2 / seconds / 1e9;
}

double measureAvx512VnniPeak(int64_t iterations) {
  return measureDpbusdPeak(iterations, /*zmm=*/true);
}

/// GOPS of the avx512-vnni kernel's 6 x 4 K step with every operand in L1:
/// per iteration 4 B vectors loaded, 6 A words broadcast and 24 vpdpbusd
/// into 24 accumulators, each depending on its previous value as in the
/// kernel. Nothing a tile does is left out but cache misses and the
/// epilogue, so no load-fed 6 x 4 kernel can beat it (on this Sapphire
/// Rapids host it measures 92-94% of the bare instruction's peak).
// AVX-512 for the compiler too, which must know zmm16-31 to keep them.
__attribute__((target("avx512f"))) double
measureAvx512VnniFedPeak(int64_t iterations) {
  alignas(64) static int8_t operands[320] = {};
  int64_t count = iterations;
  auto start = std::chrono::steady_clock::now();
  asm volatile("vpxord %%zmm28, %%zmm28, %%zmm28\n\t"
               "1:\n\t"
               "vmovdqa64 0(%1), %%zmm24\n\t"
               "vmovdqa64 64(%1), %%zmm25\n\t"
               "vmovdqa64 128(%1), %%zmm26\n\t"
               "vmovdqa64 192(%1), %%zmm27\n\t"
               "vpbroadcastd 0(%2), %%zmm28\n\t"
               "vpdpbusd %%zmm28, %%zmm24, %%zmm0\n\t"
               "vpdpbusd %%zmm28, %%zmm25, %%zmm1\n\t"
               "vpdpbusd %%zmm28, %%zmm26, %%zmm2\n\t"
               "vpdpbusd %%zmm28, %%zmm27, %%zmm3\n\t"
               "vpbroadcastd 4(%2), %%zmm28\n\t"
               "vpdpbusd %%zmm28, %%zmm24, %%zmm4\n\t"
               "vpdpbusd %%zmm28, %%zmm25, %%zmm5\n\t"
               "vpdpbusd %%zmm28, %%zmm26, %%zmm6\n\t"
               "vpdpbusd %%zmm28, %%zmm27, %%zmm7\n\t"
               "vpbroadcastd 8(%2), %%zmm28\n\t"
               "vpdpbusd %%zmm28, %%zmm24, %%zmm8\n\t"
               "vpdpbusd %%zmm28, %%zmm25, %%zmm9\n\t"
               "vpdpbusd %%zmm28, %%zmm26, %%zmm10\n\t"
               "vpdpbusd %%zmm28, %%zmm27, %%zmm11\n\t"
               "vpbroadcastd 12(%2), %%zmm28\n\t"
               "vpdpbusd %%zmm28, %%zmm24, %%zmm12\n\t"
               "vpdpbusd %%zmm28, %%zmm25, %%zmm13\n\t"
               "vpdpbusd %%zmm28, %%zmm26, %%zmm14\n\t"
               "vpdpbusd %%zmm28, %%zmm27, %%zmm15\n\t"
               "vpbroadcastd 16(%2), %%zmm28\n\t"
               "vpdpbusd %%zmm28, %%zmm24, %%zmm16\n\t"
               "vpdpbusd %%zmm28, %%zmm25, %%zmm17\n\t"
               "vpdpbusd %%zmm28, %%zmm26, %%zmm18\n\t"
               "vpdpbusd %%zmm28, %%zmm27, %%zmm19\n\t"
               "vpbroadcastd 20(%2), %%zmm28\n\t"
               "vpdpbusd %%zmm28, %%zmm24, %%zmm20\n\t"
               "vpdpbusd %%zmm28, %%zmm25, %%zmm21\n\t"
               "vpdpbusd %%zmm28, %%zmm26, %%zmm22\n\t"
               "vpdpbusd %%zmm28, %%zmm27, %%zmm23\n\t"
               "dec %0\n\t"
               "jnz 1b\n\t"
               "vzeroupper"
               : "+r"(count)
               : "r"(operands), "r"(operands + 256)
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                 "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                 "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21",
                 "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28",
                 "memory", "cc");
  auto end = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(end - start).count();
  return (double)iterations * 24 * 16 * 4 * 2 / seconds / 1e9;
}

/// GOPS of AMX-INT8: 4 independent tdpbssd per iteration (tiles 0-3 each
/// gain a 16 x 64 by 64 x 16 product of tiles 4-7, 16384 multiply-adds),
/// 16-row, 64-byte tiles. The caller has the tile state from Linux
/// (getHostCPUFeatures asks for it).
__attribute__((target("avx512f"))) double measureAmxPeak(int64_t iterations) {
  alignas(64) uint8_t config[64] = {};
  config[0] = 1; // palette 1
  for (int tile = 0; tile < 8; ++tile) {
    config[16 + 2 * tile] = 64; // bytes per row
    config[48 + tile] = 16;     // rows
  }
  int64_t count = iterations;
  auto start = std::chrono::steady_clock::now();
  asm volatile("ldtilecfg (%1)\n\t"
               "tilezero %%tmm0\n\t"
               "tilezero %%tmm1\n\t"
               "tilezero %%tmm2\n\t"
               "tilezero %%tmm3\n\t"
               "tilezero %%tmm4\n\t"
               "tilezero %%tmm5\n\t"
               "tilezero %%tmm6\n\t"
               "tilezero %%tmm7\n\t"
               "1:\n\t"
               "tdpbssd %%tmm6, %%tmm4, %%tmm0\n\t"
               "tdpbssd %%tmm7, %%tmm4, %%tmm1\n\t"
               "tdpbssd %%tmm6, %%tmm5, %%tmm2\n\t"
               "tdpbssd %%tmm7, %%tmm5, %%tmm3\n\t"
               "dec %0\n\t"
               "jnz 1b\n\t"
               "tilerelease"
               : "+r"(count)
               : "r"(config)
               : "memory", "cc");
  auto end = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(end - start).count();
  return (double)iterations * 4 * 16 * 16 * 64 * 2 / seconds / 1e9;
}

double measureAvxVnniPeak(int64_t iterations) {
  return measureDpbusdPeak(iterations, /*zmm=*/false);
}

} // namespace qcomp_bench
