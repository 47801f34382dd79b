//===- CPUFeaturesTest.cpp - Target features to kernels -------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Target/CPU/CPUFeatures.h"

#include "gtest/gtest.h"

using namespace mlir::qcomp;

namespace {

CPUFeatures parse(llvm::StringRef triple, llvm::StringRef features) {
  auto cpu = CPUFeatures::parse(triple, features);
  EXPECT_TRUE(static_cast<bool>(cpu)) << llvm::toString(cpu.takeError());
  return cpu ? *cpu : CPUFeatures();
}

TEST(CPUFeaturesTest, ImpliedFeatures) {
  CPUFeatures vnni = parse("x86_64-unknown-linux-gnu", "+avx512vnni");
  EXPECT_TRUE(vnni.avx2);
  EXPECT_TRUE(vnni.avx512f);
  EXPECT_EQ(vnni.getBestIntDotKernel(), IntDotKernel::Avx512Vnni);
  CPUFeatures avxVnni = parse("x86_64-unknown-linux-gnu", "+avxvnni");
  EXPECT_TRUE(avxVnni.avx2);
  EXPECT_FALSE(avxVnni.avx512f);
  EXPECT_EQ(avxVnni.getBestIntDotKernel(), IntDotKernel::AvxVnni);
  // x86 features mean nothing on AArch64, and the other way round.
  CPUFeatures arm = parse("aarch64-linux-gnu", "+avx512f,+i8mm");
  EXPECT_FALSE(arm.avx512f);
  EXPECT_TRUE(arm.i8mm);
  EXPECT_FALSE(arm.dotprod);
  EXPECT_FALSE(parse("x86_64-unknown-linux-gnu", "+dotprod").dotprod);
}

TEST(CPUFeaturesTest, Amx) {
  CPUFeatures amx = parse("x86_64-unknown-linux-gnu", "+avx512vnni,+amx-int8");
  EXPECT_TRUE(amx.supports(IntDotKernel::Amx));
  EXPECT_EQ(amx.getBestIntDotKernel(), IntDotKernel::Amx);
  // The vector kernel for the matmuls amx leaves.
  EXPECT_EQ(amx.getBestIntDotKernel(/*tiles=*/false), IntDotKernel::Avx512Vnni);
  // The epilogue needs AVX-512; the tile state is asked of Linux only.
  EXPECT_FALSE(parse("x86_64-unknown-linux-gnu", "+avx2,+amx-int8")
                   .supports(IntDotKernel::Amx));
  CPUFeatures darwin = parse("x86_64-apple-darwin", "+avx512vnni,+amx-int8");
  EXPECT_FALSE(darwin.amxInt8);
  EXPECT_EQ(darwin.getBestIntDotKernel(), IntDotKernel::Avx512Vnni);
  EXPECT_FALSE(parse("aarch64-linux-gnu", "+amx-int8").amxInt8);
  EXPECT_EQ(parseIntDotKernel("amx"), IntDotKernel::Amx);
  EXPECT_EQ(stringifyIntDotKernel(IntDotKernel::Amx), "amx");
}

TEST(CPUFeaturesTest, LaterFeaturesWin) {
  CPUFeatures cpu = parse("x86_64-unknown-linux-gnu", "+avx2,-avx2");
  EXPECT_FALSE(cpu.avx2);
  EXPECT_EQ(cpu.getBestIntDotKernel(), IntDotKernel::None);
}

TEST(CPUFeaturesTest, FloatLanesAndRegisters) {
  CPUFeatures avx512 = parse("x86_64-unknown-linux-gnu", "+avx512f");
  EXPECT_EQ(avx512.getFloatLanes(), 16u);
  EXPECT_EQ(avx512.getVectorRegisters(), 32u);
  CPUFeatures avx2 = parse("x86_64-unknown-linux-gnu", "+avx2");
  EXPECT_EQ(avx2.getFloatLanes(), 8u);
  EXPECT_EQ(avx2.getVectorRegisters(), 16u);
  CPUFeatures sse = parse("x86_64-unknown-linux-gnu", "");
  EXPECT_EQ(sse.getFloatLanes(), 4u);
  EXPECT_EQ(sse.getVectorRegisters(), 16u);
  CPUFeatures neon = parse("aarch64-linux-gnu", "");
  EXPECT_EQ(neon.getFloatLanes(), 4u);
  EXPECT_EQ(neon.getVectorRegisters(), 32u);
}

TEST(CPUFeaturesTest, Errors) {
  auto triple = CPUFeatures::parse("riscv64", "");
  ASSERT_FALSE(static_cast<bool>(triple));
  EXPECT_EQ(llvm::toString(triple.takeError()),
            "unsupported target triple 'riscv64' (expected x86_64-* or "
            "aarch64-*)");
  auto malformed = CPUFeatures::parse("x86_64-unknown-linux-gnu", "avx2");
  ASSERT_FALSE(static_cast<bool>(malformed));
  EXPECT_EQ(llvm::toString(malformed.takeError()),
            "malformed CPU feature 'avx2' (expected +name or -name)");
}

} // namespace
