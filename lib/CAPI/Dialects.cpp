//===- Dialects.cpp - C API for the qc dialect ----------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The qc dialect handle, the all-dialects registration and the #qc.stats /
// #qc.scheme builders and getters of qcomp-c/Dialects.h. Builders go
// through getChecked: invalid parameters give the verifier's diagnostic and
// a null attribute, never an assertion.
//
//===----------------------------------------------------------------------===//

#include "qcomp-c/Dialects.h"

#include "qcomp/Dialect/QC/IR/QCAttrs.h"
#include "qcomp/Dialect/QC/IR/QCDialect.h"
#include "qcomp/InitAllDialects.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/IR/Location.h"

using namespace mlir;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(QC, qc, qc::QCDialect)

void qcompRegisterAllDialects(MlirDialectRegistry registry) {
  qcomp::registerAllDialects(*unwrap(registry));
}

/// Emits a builder's verifier errors at an unknown location of `context`.
static auto getErrorEmitter(MLIRContext *context) {
  return [context] { return emitError(UnknownLoc::get(context)); };
}

//===----------------------------------------------------------------------===//
// #qc.stats
//===----------------------------------------------------------------------===//

bool qcompAttributeIsAStats(MlirAttribute attr) {
  return isa<qc::StatsAttr>(unwrap(attr));
}

MlirAttribute qcompStatsAttrGet(MlirContext context, double min, double max,
                                int64_t count, int64_t channelAxis,
                                intptr_t numChannels,
                                const double *channelAbsMax) {
  MLIRContext *ctx = unwrap(context);
  std::optional<int64_t> axis;
  DenseF64ArrayAttr absMax;
  if (numChannels > 0) {
    axis = channelAxis;
    absMax = DenseF64ArrayAttr::get(
        ctx, llvm::ArrayRef<double>(channelAbsMax, numChannels));
  }
  return wrap(qc::StatsAttr::getChecked(
      getErrorEmitter(ctx), ctx, llvm::APFloat(min), llvm::APFloat(max), count,
      axis, absMax, std::nullopt, std::nullopt, {}, /*non_finite=*/0));
}

double qcompStatsAttrGetMin(MlirAttribute attr) {
  return cast<qc::StatsAttr>(unwrap(attr)).getMin().convertToDouble();
}

double qcompStatsAttrGetMax(MlirAttribute attr) {
  return cast<qc::StatsAttr>(unwrap(attr)).getMax().convertToDouble();
}

int64_t qcompStatsAttrGetCount(MlirAttribute attr) {
  return cast<qc::StatsAttr>(unwrap(attr)).getCount();
}

int64_t qcompStatsAttrGetChannelAxis(MlirAttribute attr) {
  auto stats = cast<qc::StatsAttr>(unwrap(attr));
  return stats.getChannelAbsmax() ? stats.getChannelAxis().value_or(-1) : -1;
}

intptr_t qcompStatsAttrGetNumChannels(MlirAttribute attr) {
  DenseF64ArrayAttr absMax =
      cast<qc::StatsAttr>(unwrap(attr)).getChannelAbsmax();
  return absMax ? absMax.size() : 0;
}

double qcompStatsAttrGetChannelAbsMax(MlirAttribute attr, intptr_t pos) {
  return cast<qc::StatsAttr>(unwrap(attr)).getChannelAbsmax()[pos];
}

int64_t qcompStatsAttrGetNonFinite(MlirAttribute attr) {
  return cast<qc::StatsAttr>(unwrap(attr)).getNonFinite();
}

//===----------------------------------------------------------------------===//
// #qc.scheme
//===----------------------------------------------------------------------===//

static_assert(static_cast<int>(QcompGranularityPerTensor) ==
                      static_cast<int>(qc::Granularity::PerTensor) &&
                  static_cast<int>(QcompGranularityPerChannel) ==
                      static_cast<int>(qc::Granularity::PerChannel) &&
                  static_cast<int>(QcompGranularityPerRow) ==
                      static_cast<int>(qc::Granularity::PerRow) &&
                  static_cast<int>(QcompGranularityPerGroup) ==
                      static_cast<int>(qc::Granularity::PerGroup),
              "QcompGranularity must mirror qc::Granularity");

bool qcompAttributeIsAScheme(MlirAttribute attr) {
  return isa<qc::SchemeAttr>(unwrap(attr));
}

MlirAttribute qcompSchemeAttrGet(MlirContext context, unsigned bits,
                                 QcompGranularity granularity,
                                 int64_t groupSize, bool symmetric,
                                 bool dynamic) {
  MLIRContext *ctx = unwrap(context);
  std::optional<qc::Granularity> kind =
      qc::symbolizeGranularity(static_cast<uint32_t>(granularity));
  if (!kind) {
    emitError(UnknownLoc::get(ctx))
        << "unknown granularity " << static_cast<int>(granularity);
    return MlirAttribute{nullptr};
  }
  return wrap(qc::SchemeAttr::getChecked(
      getErrorEmitter(ctx), ctx, bits, *kind, groupSize, symmetric,
      dynamic ? qc::ScaleMode::Dynamic : qc::ScaleMode::Static));
}

unsigned qcompSchemeAttrGetBits(MlirAttribute attr) {
  return cast<qc::SchemeAttr>(unwrap(attr)).getBits();
}

QcompGranularity qcompSchemeAttrGetGranularity(MlirAttribute attr) {
  return static_cast<QcompGranularity>(
      cast<qc::SchemeAttr>(unwrap(attr)).getGranularity());
}

int64_t qcompSchemeAttrGetGroupSize(MlirAttribute attr) {
  return cast<qc::SchemeAttr>(unwrap(attr)).getGroupSize();
}

bool qcompSchemeAttrGetSymmetric(MlirAttribute attr) {
  return cast<qc::SchemeAttr>(unwrap(attr)).getSymmetric();
}

bool qcompSchemeAttrIsDynamic(MlirAttribute attr) {
  return cast<qc::SchemeAttr>(unwrap(attr)).getMode() == qc::ScaleMode::Dynamic;
}
