//===- DnnlGemm.h - oneDNN's int8 matmul, the benchmark's peer --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The int8 matmul of qcomp-bench-gemm as oneDNN computes it, through
// oneDNN's C API (dnnl.h: no exceptions, unlike dnnl.hpp, so it builds with
// LLVM's -fno-exceptions). Only built when CMake finds oneDNN 2.x, which
// then defines QCOMP_BENCH_HAVE_DNNL.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_BENCH_DNNLGEMM_H
#define QCOMP_BENCH_DNNLGEMM_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <random>
#include <string>

namespace qcomp_bench {

/// One int8 matmul: dst (M x N, s8) = requantize(src (M x K, u8 or s8) x
/// weights (K x N, s8, symmetric)), with per-tensor scales and zero points.
struct DnnlMatmulConfig {
  int64_t m = 0, n = 0, k = 0;
  /// u8 activations (else s8).
  bool unsignedSrc = true;
  int32_t srcZeroPoint = 0;
  /// src scale * weights scale / dst scale.
  float outputScale = 1.0f;
  int32_t dstZeroPoint = 0;
  /// OpenMP threads of the primitive.
  unsigned threads = 1;
};

/// A oneDNN matmul primitive for one DnnlMatmulConfig, with random operands
/// and its weights already in the layout oneDNN chose for them.
class DnnlMatmul {
public:
  ~DnnlMatmul();

  /// Sets the calling thread's OpenMP thread count to `config.threads`,
  /// then creates the engine, the primitive (weights format `any`, scales
  /// fixed at creation, zero points passed at run time) and the operands,
  /// and reorders random s8 weights once into the primitive's layout, as a
  /// user with constant weights would. Fails if oneDNN has no
  /// implementation for the configuration or cannot run on
  /// `config.threads` threads.
  static llvm::Expected<std::unique_ptr<DnnlMatmul>>
  create(const DnnlMatmulConfig &config, std::mt19937 &rng);

  /// One execute of the matmul primitive, waited for: what is timed.
  llvm::Error execute();

  /// oneDNN's name of the implementation it picked ("gemm:jit", ...).
  llvm::StringRef getImplementation() const;

private:
  struct Handles;
  DnnlMatmul();
  std::unique_ptr<Handles> handles;
};

/// "oneDNN 2.6.3 (OpenMP runtime, CPU ISA avx2)": the library this process
/// runs.
/// Caps the instruction sets oneDNN may use: "all" (its own choice, AMX
/// included), or the ISA class of a qcomp kernel ("avx512-vnni": oneDNN's
/// avx512_core_vnni, "avx-vnni": avx2_vnni, "avx2": avx2), so that the peer
/// runs on the instructions qcomp's kernel has. Must precede every other
/// oneDNN call.
llvm::Error setDnnlMaxIsa(llvm::StringRef isa);

std::string getDnnlDescription();

} // namespace qcomp_bench

#endif // QCOMP_BENCH_DNNLGEMM_H
