//===- CPUFeatures.h - The CPU a kernel is generated for --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The target of qcomp's CPU code generation, as llc names it: a triple and
// a feature string (`+avx512vnni,+avx512bw`, `+dotprod,+i8mm`). Passes
// receive it as data (pass options) and choose their kernel from it; only
// drivers ask the host (getHostCPUFeatures), so that a test describes the
// machine it compiles for, not the one it runs on.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TARGET_CPU_CPUFEATURES_H
#define QCOMP_TARGET_CPU_CPUFEATURES_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir::qcomp {

/// The integer dot-product kernels qcomp generates, best first per
/// architecture.
enum class IntDotKernel {
  /// x86 AMX-INT8 on Linux: tdpbssd and its u8 forms, 16 x 16 int32 tiles
  /// of 16 x 64 by 64 x 16 int8 products (the epilogue on AVX-512).
  Amx,
  /// x86 AVX-512 VNNI: vpdpbusd on zmm (u8 x s8, 4 products per i32 lane).
  Avx512Vnni,
  /// x86 AVX-VNNI: vpdpbusd on ymm (VEX encoded).
  AvxVnni,
  /// x86 AVX2: operands widened to i16, vpmaddwd (2 products per lane).
  Avx2,
  /// AArch64 +i8mm: smmla / usmmla (a 2 x 8 by 8 x 2 int8 matrix product
  /// into a 2 x 2 int32 tile per instruction).
  I8mm,
  /// AArch64 +dotprod: sdot (s8 x s8, 4 products per i32 lane).
  DotProd,
  /// No dot-product instruction: the reference loops are kept.
  None,
};

/// "amx", "avx512-vnni", "avx-vnni", "avx2", "i8mm", "dotprod", "none".
llvm::StringRef stringifyIntDotKernel(IntDotKernel kernel);
/// The inverse of stringifyIntDotKernel.
std::optional<IntDotKernel> parseIntDotKernel(llvm::StringRef name);
/// Checks the value of a kernel option (`auto` or a kernel name); the error
/// reads "unknown <what> 'x' (expected auto, avx512-vnni, ... or none)".
llvm::Error checkIntDotKernelName(llvm::StringRef name,
                                  llvm::StringRef what = "kernel");

struct CPUFeatures {
  enum class Arch { X86_64, AArch64 };
  Arch arch = Arch::X86_64;
  bool avx2 = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vnni = false;
  bool avxvnni = false;
  bool dotprod = false;
  bool i8mm = false;
  /// amx-int8 (with amx-tile), honoured on Linux only: the kernel asks the
  /// kernel for the tile state with arch_prctl.
  bool amxInt8 = false;

  /// From an llc-style triple ("x86_64-unknown-linux-gnu",
  /// "aarch64-linux-gnu") and feature string ("+avx512vnni,-avx2"; features
  /// qcomp does not use are accepted and ignored). Implied features are
  /// added: avx512vnni and avxvnni imply avx2, avx512vnni and avx512bw imply
  /// avx512f, i8mm does not imply dotprod. amx-int8 is kept only for a
  /// Linux triple.
  /// Errors name an unknown architecture or a malformed feature.
  static llvm::Expected<CPUFeatures> parse(llvm::StringRef triple,
                                           llvm::StringRef features);

  /// The best kernel these features allow; with `tiles` false, the best
  /// vector one (not amx, whose 32-row blocks waste most of their work on
  /// a few rows).
  IntDotKernel getBestIntDotKernel(bool tiles = true) const;
  /// True when `kernel` can run on these features.
  bool supports(IntDotKernel kernel) const;
  /// f32 lanes of the widest vector registers these features give: 16
  /// (AVX-512), 8 (AVX2), else 4 (SSE, NEON).
  unsigned getFloatLanes() const;
  /// The number of vector registers: 32 with AVX-512 or on AArch64, else
  /// 16.
  unsigned getVectorRegisters() const;
};

/// The host's triple and the features qcomp uses, in the syntax parse
/// reads ("+avx2,+avx512vnni"). amx-int8 is reported only when the
/// operating system grants this process the tile state. For drivers only.
std::string getHostTriple();
std::string getHostCPUFeatures();

} // namespace mlir::qcomp

#endif // QCOMP_TARGET_CPU_CPUFEATURES_H
