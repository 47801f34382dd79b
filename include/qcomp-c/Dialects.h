//===- Dialects.h - C API for the qc dialect ----------------------*- C -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The qc dialect from C, in the style of upstream's mlir-c: its dialect
// handle, a registration of everything qcomp's tools load, and the
// #qc.stats and #qc.scheme attributes (build, inspect; parse them with
// mlirAttributeParseGet). Quantized tensor types are upstream's
// !quant.uniform, built with mlir-c/Dialect/Quant.h, which libQCompCAPI
// also exports. Link libQCompCAPI.so (qcomp::QCompCAPI) only: it carries
// upstream's IR, pass and quant C API, on Debian's libMLIR.so.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_C_DIALECTS_H
#define QCOMP_C_DIALECTS_H

#include "mlir-c/IR.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// mlirGetDialectHandle__qc__(): insert or load the qc dialect.
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(QC, qc);

/// Registers the qc dialect, every upstream dialect and every upstream
/// interface extension in `registry` (what qcomp-opt registers; the
/// pipelines need the extensions, e.g. bufferization's external models).
MLIR_CAPI_EXPORTED void qcompRegisterAllDialects(MlirDialectRegistry registry);

//===----------------------------------------------------------------------===//
// #qc.stats
//===----------------------------------------------------------------------===//

/// Whether `attr` is a #qc.stats.
MLIR_CAPI_EXPORTED bool qcompAttributeIsAStats(MlirAttribute attr);

/// #qc.stats<min = `min`, max = `max`, count = `count`>, with the absolute
/// maximum of each of `numChannels` channels along `channelAxis` when
/// `numChannels` > 0 (`channelAxis` is ignored otherwise). Returns a null
/// attribute, with the verifier's diagnostic emitted on the context, when
/// the statistics are inconsistent.
MLIR_CAPI_EXPORTED MlirAttribute qcompStatsAttrGet(
    MlirContext context, double min, double max, int64_t count,
    int64_t channelAxis, intptr_t numChannels, const double *channelAbsMax);

MLIR_CAPI_EXPORTED double qcompStatsAttrGetMin(MlirAttribute attr);
MLIR_CAPI_EXPORTED double qcompStatsAttrGetMax(MlirAttribute attr);
MLIR_CAPI_EXPORTED int64_t qcompStatsAttrGetCount(MlirAttribute attr);
/// The channel axis, or -1 when there are no per-channel statistics.
MLIR_CAPI_EXPORTED int64_t qcompStatsAttrGetChannelAxis(MlirAttribute attr);
/// The number of per-channel maxima (0 when there are none).
MLIR_CAPI_EXPORTED intptr_t qcompStatsAttrGetNumChannels(MlirAttribute attr);
MLIR_CAPI_EXPORTED double qcompStatsAttrGetChannelAbsMax(MlirAttribute attr,
                                                         intptr_t pos);
MLIR_CAPI_EXPORTED int64_t qcompStatsAttrGetNonFinite(MlirAttribute attr);

//===----------------------------------------------------------------------===//
// #qc.scheme
//===----------------------------------------------------------------------===//

/// Which elements share one scale and zero point (qc::Granularity).
typedef enum QcompGranularity {
  QcompGranularityPerTensor = 0,
  QcompGranularityPerChannel = 1,
  QcompGranularityPerRow = 2,
  QcompGranularityPerGroup = 3,
} QcompGranularity;

/// Whether `attr` is a #qc.scheme.
MLIR_CAPI_EXPORTED bool qcompAttributeIsAScheme(MlirAttribute attr);

/// #qc.scheme<bits = `bits`, granularity = ..., group_size = `groupSize`,
/// symmetric = `symmetric`, mode = dynamic if `dynamic` else static>.
/// Returns a null attribute, with the verifier's diagnostic emitted on the
/// context, for an invalid combination.
MLIR_CAPI_EXPORTED MlirAttribute qcompSchemeAttrGet(
    MlirContext context, unsigned bits, QcompGranularity granularity,
    int64_t groupSize, bool symmetric, bool dynamic);

MLIR_CAPI_EXPORTED unsigned qcompSchemeAttrGetBits(MlirAttribute attr);
MLIR_CAPI_EXPORTED QcompGranularity
qcompSchemeAttrGetGranularity(MlirAttribute attr);
MLIR_CAPI_EXPORTED int64_t qcompSchemeAttrGetGroupSize(MlirAttribute attr);
MLIR_CAPI_EXPORTED bool qcompSchemeAttrGetSymmetric(MlirAttribute attr);
MLIR_CAPI_EXPORTED bool qcompSchemeAttrIsDynamic(MlirAttribute attr);

#ifdef __cplusplus
}
#endif

#endif // QCOMP_C_DIALECTS_H
