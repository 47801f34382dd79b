//===- CPUFeatures.cpp - The CPU a kernel is generated for ----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Target/CPU/CPUFeatures.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace mlir;
using namespace mlir::qcomp;

llvm::StringRef qcomp::stringifyIntDotKernel(IntDotKernel kernel) {
  switch (kernel) {
  case IntDotKernel::Amx:
    return "amx";
  case IntDotKernel::Avx512Vnni:
    return "avx512-vnni";
  case IntDotKernel::AvxVnni:
    return "avx-vnni";
  case IntDotKernel::Avx2:
    return "avx2";
  case IntDotKernel::I8mm:
    return "i8mm";
  case IntDotKernel::DotProd:
    return "dotprod";
  case IntDotKernel::None:
    return "none";
  }
  llvm_unreachable("unknown kernel");
}

std::optional<IntDotKernel> qcomp::parseIntDotKernel(llvm::StringRef name) {
  for (IntDotKernel kernel :
       {IntDotKernel::Amx, IntDotKernel::Avx512Vnni, IntDotKernel::AvxVnni,
        IntDotKernel::Avx2, IntDotKernel::I8mm, IntDotKernel::DotProd,
        IntDotKernel::None})
    if (stringifyIntDotKernel(kernel) == name)
      return kernel;
  return std::nullopt;
}

llvm::Error qcomp::checkIntDotKernelName(llvm::StringRef name,
                                         llvm::StringRef what) {
  if (name == "auto" || parseIntDotKernel(name))
    return llvm::Error::success();
  std::string choices = "auto";
  for (IntDotKernel kernel :
       {IntDotKernel::Amx, IntDotKernel::Avx512Vnni, IntDotKernel::AvxVnni,
        IntDotKernel::Avx2, IntDotKernel::I8mm, IntDotKernel::DotProd})
    choices += ", " + stringifyIntDotKernel(kernel).str();
  return llvm::createStringError("unknown " + what + " '" + name +
                                 "' (expected " + choices + " or none)");
}

llvm::Expected<CPUFeatures> CPUFeatures::parse(llvm::StringRef triple,
                                               llvm::StringRef features) {
  CPUFeatures result;
  llvm::Triple parsed(triple);
  if (parsed.getArch() == llvm::Triple::x86_64)
    result.arch = Arch::X86_64;
  else if (parsed.getArch() == llvm::Triple::aarch64)
    result.arch = Arch::AArch64;
  else
    return llvm::createStringError("unsupported target triple '" + triple +
                                   "' (expected x86_64-* or aarch64-*)");
  llvm::SmallVector<llvm::StringRef> parts;
  features.split(parts, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (llvm::StringRef part : parts) {
    part = part.trim();
    if (part.size() < 2 || (part[0] != '+' && part[0] != '-'))
      return llvm::createStringError("malformed CPU feature '" + part +
                                     "' (expected +name or -name)");
    bool enable = part[0] == '+';
    llvm::StringRef name = part.drop_front();
    bool *flag = llvm::StringSwitch<bool *>(name)
                     .Case("avx2", &result.avx2)
                     .Case("avx512f", &result.avx512f)
                     .Case("avx512bw", &result.avx512bw)
                     .Case("avx512vnni", &result.avx512vnni)
                     .Case("avxvnni", &result.avxvnni)
                     .Case("dotprod", &result.dotprod)
                     .Case("i8mm", &result.i8mm)
                     .Case("amx-int8", &result.amxInt8)
                     .Default(nullptr);
    if (flag)
      *flag = enable;
  }
  if (result.arch == Arch::X86_64) {
    result.dotprod = result.i8mm = false;
    if (!parsed.isOSLinux())
      result.amxInt8 = false;
    if (result.avx512vnni || result.avxvnni)
      result.avx2 = true;
    if (result.avx512vnni || result.avx512bw)
      result.avx512f = result.avx2 = true;
  } else {
    result.avx2 = result.avx512f = result.avx512bw = result.avx512vnni =
        result.avxvnni = result.amxInt8 = false;
  }
  return result;
}

bool CPUFeatures::supports(IntDotKernel kernel) const {
  switch (kernel) {
  case IntDotKernel::Amx:
    return arch == Arch::X86_64 && amxInt8 && avx512f;
  case IntDotKernel::Avx512Vnni:
    return arch == Arch::X86_64 && avx512vnni;
  case IntDotKernel::AvxVnni:
    return arch == Arch::X86_64 && (avxvnni || avx512vnni);
  case IntDotKernel::Avx2:
    return arch == Arch::X86_64 && avx2;
  case IntDotKernel::I8mm:
    return arch == Arch::AArch64 && i8mm;
  case IntDotKernel::DotProd:
    return arch == Arch::AArch64 && dotprod;
  case IntDotKernel::None:
    return true;
  }
  llvm_unreachable("unknown kernel");
}

unsigned CPUFeatures::getFloatLanes() const {
  if (arch == Arch::X86_64 && avx512f)
    return 16;
  if (arch == Arch::X86_64 && avx2)
    return 8;
  return 4;
}

unsigned CPUFeatures::getVectorRegisters() const {
  return arch == Arch::AArch64 || avx512f ? 32 : 16;
}

IntDotKernel CPUFeatures::getBestIntDotKernel(bool tiles) const {
  for (IntDotKernel kernel :
       {IntDotKernel::Amx, IntDotKernel::Avx512Vnni, IntDotKernel::AvxVnni,
        IntDotKernel::Avx2, IntDotKernel::I8mm, IntDotKernel::DotProd})
    if ((tiles || kernel != IntDotKernel::Amx) && supports(kernel))
      return kernel;
  return IntDotKernel::None;
}

/// Asks Linux for this process's permission to use the AMX tile data
/// (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA): false where it is
/// refused or unknown, and off Linux / x86-64.
static bool requestAmxTileState() {
#if defined(__linux__) && defined(__x86_64__)
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
  return false;
#endif
}

std::string qcomp::getHostTriple() {
  return llvm::sys::getDefaultTargetTriple();
}

std::string qcomp::getHostCPUFeatures() {
  llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
  std::string result;
  for (llvm::StringRef name : {"avx2", "avx512f", "avx512bw", "avx512vnni",
                               "avxvnni", "dotprod", "i8mm", "amx-int8"}) {
    auto it = host.find(name);
    if (it == host.end())
      continue;
    bool enabled = it->second;
    if (name == "amx-int8" && enabled)
      enabled = requestAmxTileState();
    result += (result.empty() ? "" : ",") + std::string(enabled ? "+" : "-") +
              name.str();
  }
  return result;
}
