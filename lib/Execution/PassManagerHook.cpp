//===- PassManagerHook.cpp - Driver access to the library's pass managers -===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/PassManagerHook.h"

using namespace mlir;
using namespace mlir::qcomp;

static PassManagerHook &getHook() {
  static PassManagerHook hook;
  return hook;
}

void qcomp::setPassManagerHook(PassManagerHook hook) {
  getHook() = std::move(hook);
}

LogicalResult qcomp::applyPassManagerHook(PassManager &pm) {
  const PassManagerHook &hook = getHook();
  return hook ? hook(pm) : success();
}
