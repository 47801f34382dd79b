//===- AttachStats.cpp - Calibration statistics onto observed values ------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Reads a calibration table and turns each qc.observe into a #qc.stats on the
// observed value (see Stats.h for where it is stored), removing the observer.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Transforms/Passes.h"

#include "qcomp/Calibration/CalibrationTable.h"
#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Transforms/Stats.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCATTACHSTATSPASS
#include "qcomp/Transforms/Passes.h.inc"

namespace {
struct AttachStatsPass : impl::QCAttachStatsPassBase<AttachStatsPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

void AttachStatsPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (tablePath.empty()) {
    module.emitError() << "qc-attach-stats needs a calibration table "
                          "(table=<path>)";
    return signalPassFailure();
  }
  llvm::Expected<CalibrationTable> table = CalibrationTable::read(tablePath);
  if (!table) {
    module.emitError() << llvm::toString(table.takeError());
    return signalPassFailure();
  }
  if (failed(attachStats(module, *table, allowMissing, tablePath)))
    signalPassFailure();
}
