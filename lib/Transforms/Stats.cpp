//===- Stats.cpp - Calibration statistics attached to values --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Transforms/Stats.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qcomp;

qc::StatsAttr qcomp::getValueStats(Value value) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (!func || arg.getOwner() != &func.getBody().front())
      return nullptr;
    return func.getArgAttrOfType<qc::StatsAttr>(arg.getArgNumber(),
                                                kStatsAttrName);
  }
  auto result = cast<OpResult>(value);
  auto array = result.getOwner()->getAttrOfType<ArrayAttr>(kStatsAttrName);
  if (!array || result.getResultNumber() >= array.size())
    return nullptr;
  return dyn_cast<qc::StatsAttr>(array[result.getResultNumber()]);
}

LogicalResult qcomp::setValueStats(Value value, qc::StatsAttr stats) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (!func || arg.getOwner() != &func.getBody().front())
      return failure();
    func.setArgAttr(arg.getArgNumber(), kStatsAttrName, stats);
    return success();
  }
  auto result = cast<OpResult>(value);
  Operation *op = result.getOwner();
  Builder b(op->getContext());
  llvm::SmallVector<Attribute> entries(op->getNumResults(), b.getUnitAttr());
  if (auto array = op->getAttrOfType<ArrayAttr>(kStatsAttrName))
    for (auto [i, entry] : llvm::enumerate(array.getValue()))
      if (i < entries.size())
        entries[i] = entry;
  entries[result.getResultNumber()] = stats;
  op->setAttr(kStatsAttrName, b.getArrayAttr(entries));
  return success();
}

qc::StatsAttr qcomp::getStatsAttr(MLIRContext *context,
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

TensorStatsRecord qcomp::getStatsRecord(qc::StatsAttr stats) {
  TensorStatsRecord record;
  record.count = stats.getCount();
  record.min = stats.getMin().convertToDouble();
  record.max = stats.getMax().convertToDouble();
  record.nonFinite = stats.getNonFinite();
  record.channelAxis = stats.getChannelAxis();
  if (stats.getChannelAbsmax())
    record.channelAbsMax.assign(stats.getChannelAbsmax().asArrayRef().begin(),
                                stats.getChannelAbsmax().asArrayRef().end());
  if (stats.getHistMin() && stats.getHistMax() &&
      !stats.getHistogram().empty()) {
    record.histMin = stats.getHistMin()->convertToDouble();
    record.histMax = stats.getHistMax()->convertToDouble();
    record.histogram.assign(stats.getHistogram().begin(),
                            stats.getHistogram().end());
  }
  return record;
}

qc::StatsAttr qcomp::divideChannelStats(qc::StatsAttr stats, int64_t axis,
                                         llvm::ArrayRef<double> divisors) {
  TensorStatsRecord record = getStatsRecord(stats);
  record.histogram.clear();
  record.histMin = record.histMax = 0.0;
  if (divisors.empty())
    return getStatsAttr(stats.getContext(), record);
  double minDivisor = *llvm::min_element(divisors);
  double maxDivisor = *llvm::max_element(divisors);
  // x_j / s_j lies between the old bounds divided by the extreme factors.
  double lo = record.min >= 0 ? record.min / maxDivisor
                              : record.min / minDivisor;
  double hi = record.max >= 0 ? record.max / minDivisor
                              : record.max / maxDivisor;
  if (record.channelAxis == axis &&
      record.channelAbsMax.size() == divisors.size()) {
    double absMax = 0.0;
    for (auto [channel, divisor] :
         llvm::zip_equal(record.channelAbsMax, divisors)) {
      channel /= divisor;
      absMax = std::max(absMax, channel);
    }
    lo = std::max(lo, -absMax);
    hi = std::min(hi, absMax);
  }
  record.min = std::min(lo, hi);
  record.max = std::max(lo, hi);
  return getStatsAttr(stats.getContext(), record);
}

qc::StatsAttr qcomp::selectChannelStats(qc::StatsAttr stats,
                                        llvm::ArrayRef<int64_t> keep) {
  TensorStatsRecord record = getStatsRecord(stats);
  record.histogram.clear();
  record.histMin = record.histMax = 0.0;
  std::vector<double> kept;
  double absMax = 0.0;
  for (int64_t channel : keep) {
    kept.push_back(record.channelAbsMax[channel]);
    absMax = std::max(absMax, kept.back());
  }
  record.channelAbsMax = std::move(kept);
  double lo = std::max(record.min, -absMax);
  double hi = std::min(record.max, absMax);
  record.min = std::min(lo, hi);
  record.max = std::max(lo, hi);
  return getStatsAttr(stats.getContext(), record);
}

qc::StatsAttr qcomp::clampStats(qc::StatsAttr stats, double lo, double hi) {
  TensorStatsRecord record = getStatsRecord(stats);
  record.histogram.clear();
  record.histMin = record.histMax = 0.0;
  double bound = std::max(std::fabs(lo), std::fabs(hi));
  for (double &channel : record.channelAbsMax)
    channel = std::min(channel, bound);
  double newMin = std::clamp(record.min, lo, hi);
  double newMax = std::clamp(record.max, lo, hi);
  record.min = newMin;
  record.max = newMax;
  return getStatsAttr(stats.getContext(), record);
}

LogicalResult qcomp::attachStats(ModuleOp module, const CalibrationTable &table,
                                 bool allowMissing, llvm::StringRef source) {
  llvm::SmallVector<qc::ObserveOp> observers;
  module.walk([&](qc::ObserveOp op) { observers.push_back(op); });
  bool anyFailed = false;
  for (qc::ObserveOp op : observers) {
    const TensorStatsRecord *record = table.lookup(op.getId());
    Value input = op.getInput();
    if (!record) {
      if (!allowMissing) {
        op.emitError() << "no statistics for observer '" << op.getId()
                       << "' in " << source;
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
      if (failed(
              setValueStats(input, getStatsAttr(op->getContext(), *record)))) {
        op.emitError() << "cannot attach statistics to this value";
        anyFailed = true;
        continue;
      }
    }
    op.getResult().replaceAllUsesWith(input);
    op.erase();
  }
  return failure(anyFailed);
}
