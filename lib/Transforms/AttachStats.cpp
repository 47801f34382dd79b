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

/// The #qc.stats equivalent of a table record.
static qc::StatsAttr toStatsAttr(MLIRContext *context,
                                 const TensorStatsRecord &record) {
  // A tensor never observed has a channel axis but no channel maxima;
  // #qc.stats takes both or neither.
  DenseF64ArrayAttr channelAbsMax;
  std::optional<int64_t> channelAxis;
  if (!record.channelAbsMax.empty()) {
    channelAbsMax = DenseF64ArrayAttr::get(context, record.channelAbsMax);
    channelAxis = record.channelAxis;
  }
  std::optional<llvm::APFloat> histMin, histMax;
  if (record.hasHistogram()) {
    histMin = llvm::APFloat(record.histMin);
    histMax = llvm::APFloat(record.histMax);
  }
  return qc::StatsAttr::get(context, llvm::APFloat(record.min),
                            llvm::APFloat(record.max), record.count,
                            channelAxis, channelAbsMax, histMin, histMax,
                            record.histogram, record.nonFinite);
}

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

  llvm::SmallVector<qc::ObserveOp> observers;
  module.walk([&](qc::ObserveOp op) { observers.push_back(op); });
  bool anyFailed = false;
  for (qc::ObserveOp op : observers) {
    const TensorStatsRecord *record = table->lookup(op.getId());
    Value input = op.getInput();
    if (!record) {
      if (!allowMissing) {
        op.emitError() << "no statistics for observer '" << op.getId()
                       << "' in " << tablePath;
        anyFailed = true;
        continue;
      }
    } else {
      if (record->channelAxis && op.getChannelAxis() &&
          *record->channelAxis != (int64_t)*op.getChannelAxis()) {
        op.emitError() << "statistics of '" << op.getId()
                       << "' were collected along channel axis "
                       << *record->channelAxis << ", the observer uses axis "
                       << *op.getChannelAxis();
        anyFailed = true;
        continue;
      }
      auto type = cast<RankedTensorType>(input.getType());
      if (record->channelAxis &&
          (*record->channelAxis >= type.getRank() ||
           (int64_t)record->channelAbsMax.size() !=
               type.getDimSize(*record->channelAxis)) &&
          !record->channelAbsMax.empty()) {
        op.emitError() << "statistics of '" << op.getId() << "' have "
                       << record->channelAbsMax.size()
                       << " channels, which does not match " << type;
        anyFailed = true;
        continue;
      }
      if (failed(setValueStats(input, toStatsAttr(&getContext(), *record)))) {
        op.emitError() << "cannot attach statistics to this value";
        anyFailed = true;
        continue;
      }
    }
    op.getResult().replaceAllUsesWith(input);
    op.erase();
  }
  if (anyFailed)
    signalPassFailure();
}
