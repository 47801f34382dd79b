//===- PassManagerHook.h - Driver access to the library's pass managers ---===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The execution library builds its own pass managers (calibration,
// quantizeModel, the JIT, compileModule). A driver that wants to see what
// they do (IR printing, the textual pipeline) sets one hook, which every
// one of them calls before it runs.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_EXECUTION_PASSMANAGERHOOK_H
#define QCOMP_EXECUTION_PASSMANAGERHOOK_H

#include "mlir/Pass/PassManager.h"

#include <functional>

namespace mlir::qcomp {

/// Called with each pass manager before it runs; a failure stops it.
using PassManagerHook = std::function<LogicalResult(PassManager &)>;

/// Sets (or with an empty function clears) the process-wide hook.
void setPassManagerHook(PassManagerHook hook);

/// Calls the hook on `pm`, if there is one.
LogicalResult applyPassManagerHook(PassManager &pm);

} // namespace mlir::qcomp

#endif // QCOMP_EXECUTION_PASSMANAGERHOOK_H
