//===- qcomp-capi.c - qcomp's C API from C --------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A C program on libQCompCAPI.so alone: registers the dialects, builds,
// inspects and parses #qc.stats and #qc.scheme (and a !quant.uniform type
// through upstream's quant C API), and quantizes a module with
// qcomp-quantize-pipeline, by qcompBuildQuantizePipeline and as a textual
// pipeline.
//
//===----------------------------------------------------------------------===//

// RUN: qcomp-capi-test 2>&1 | FileCheck %s
// The checks follow the order of main(): first the dialect handle.
// CHECK: dialect: qc

#include "qcomp-c/Dialects.h"
#include "qcomp-c/Passes.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/Dialect/Quant.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void printToStderr(MlirStringRef text, void *userData) {
  (void)userData;
  fwrite(text.data, 1, text.length, stderr);
}

static MlirLogicalResult printDiagnostic(MlirDiagnostic diagnostic,
                                         void *userData) {
  (void)userData;
  fprintf(stderr, "diagnostic: ");
  mlirDiagnosticPrint(diagnostic, printToStderr, NULL);
  fprintf(stderr, "\n");
  return mlirLogicalResultSuccess();
}

static void printAttribute(const char *what, MlirAttribute attr) {
  fprintf(stderr, "%s: ", what);
  mlirAttributePrint(attr, printToStderr, NULL);
  fprintf(stderr, "\n");
}

#define CHECK_TRUE(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "FAILED: %s (line %d)\n", #cond, __LINE__);              \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static void testStats(MlirContext ctx) {
  fprintf(stderr, "@stats\n");
  double absMax[] = {1.0, 9.0, 0.5};
  MlirAttribute stats = qcompStatsAttrGet(ctx, -2.0, 9.0, 8, 1, 3, absMax);
  // CHECK-LABEL: @stats
  // CHECK: built: #qc.stats<min = -2.000000e+00, max = 9.000000e+00, count = 8,
  // channel_axis = 1, channel_absmax =
  // [1.000000e+00, 9.000000e+00, 5.000000e-01]>
  printAttribute("built", stats);
  CHECK_TRUE(qcompAttributeIsAStats(stats));
  CHECK_TRUE(!qcompAttributeIsAScheme(stats));
  // CHECK: min -2 max 9 count 8 axis 1 channels 3 [1] 9 non-finite 0
  fprintf(stderr,
          "min %g max %g count %lld axis %lld channels %ld [1] %g "
          "non-finite %lld\n",
          qcompStatsAttrGetMin(stats), qcompStatsAttrGetMax(stats),
          (long long)qcompStatsAttrGetCount(stats),
          (long long)qcompStatsAttrGetChannelAxis(stats),
          (long)qcompStatsAttrGetNumChannels(stats),
          qcompStatsAttrGetChannelAbsMax(stats, 1),
          (long long)qcompStatsAttrGetNonFinite(stats));

  // The parsed form is the same attribute.
  MlirAttribute parsed = mlirAttributeParseGet(
      ctx, mlirStringRefCreateFromCString(
               "#qc.stats<min = -2.0, max = 9.0, count = 8, channel_axis = 1, "
               "channel_absmax = [1.0, 9.0, 0.5]>"));
  CHECK_TRUE(mlirAttributeEqual(stats, parsed));

  // Without channels there is no axis.
  MlirAttribute plain = qcompStatsAttrGet(ctx, 0.0, 1.0, 4, 0, 0, NULL);
  // CHECK: plain: #qc.stats<min = 0.000000e+00, max = 1.000000e+00, count = 4>
  // CHECK: axis -1 channels 0
  printAttribute("plain", plain);
  fprintf(stderr, "axis %lld channels %ld\n",
          (long long)qcompStatsAttrGetChannelAxis(plain),
          (long)qcompStatsAttrGetNumChannels(plain));

  // The verifier's message, and a null attribute.
  // CHECK: diagnostic: min must not exceed max, got min 3.000000e+00 >
  // max 1.000000e+00
  MlirAttribute bad = qcompStatsAttrGet(ctx, 3.0, 1.0, 4, 0, 0, NULL);
  CHECK_TRUE(mlirAttributeIsNull(bad));
  // CHECK: invalid stats: null
  fprintf(stderr, "invalid stats: null\n");
}

static void testScheme(MlirContext ctx) {
  fprintf(stderr, "@scheme\n");
  // CHECK-LABEL: @scheme
  // CHECK: built: #qc.scheme<bits = 4, granularity = per_group, group_size =
  // 128>
  MlirAttribute scheme =
      qcompSchemeAttrGet(ctx, 4, QcompGranularityPerGroup, 128, true, false);
  printAttribute("built", scheme);
  CHECK_TRUE(qcompAttributeIsAScheme(scheme));
  // CHECK: bits 4 granularity 3 group 128 symmetric 1 dynamic 0
  fprintf(stderr, "bits %u granularity %d group %lld symmetric %d dynamic %d\n",
          qcompSchemeAttrGetBits(scheme),
          (int)qcompSchemeAttrGetGranularity(scheme),
          (long long)qcompSchemeAttrGetGroupSize(scheme),
          qcompSchemeAttrGetSymmetric(scheme),
          qcompSchemeAttrIsDynamic(scheme));
  MlirAttribute dynamic =
      qcompSchemeAttrGet(ctx, 8, QcompGranularityPerRow, 0, false, true);
  // CHECK: dynamic: #qc.scheme<bits = 8, granularity = per_row, symmetric =
  // false, mode = dynamic>
  printAttribute("dynamic", dynamic);
  CHECK_TRUE(mlirAttributeEqual(
      dynamic, mlirAttributeParseGet(
                   ctx, mlirStringRefCreateFromCString(
                            "#qc.scheme<bits = 8, granularity = per_row, "
                            "symmetric = false, mode = dynamic>"))));
  // CHECK: diagnostic: bits must be between 2 and 16, got 1
  MlirAttribute bad =
      qcompSchemeAttrGet(ctx, 1, QcompGranularityPerTensor, 0, true, false);
  CHECK_TRUE(mlirAttributeIsNull(bad));
  // CHECK: invalid scheme: null
  fprintf(stderr, "invalid scheme: null\n");
}

static void testQuantizedType(MlirContext ctx) {
  fprintf(stderr, "@quant_type\n");
  // CHECK-LABEL: @quant_type
  // CHECK: tensor<2x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  MlirType i8 = mlirIntegerTypeGet(ctx, 8);
  MlirType element =
      mlirUniformQuantizedTypeGet(mlirQuantizedTypeGetSignedFlag(), i8,
                                  mlirF32TypeGet(ctx), 0.05, -3, -128, 127);
  int64_t shape[] = {2, 4};
  MlirType tensor =
      mlirRankedTensorTypeGet(2, shape, element, mlirAttributeGetNull());
  mlirTypePrint(tensor, printToStderr, NULL);
  fprintf(stderr, "\n");
}

static const char *kModule =
    "func.func @linear(%x: tensor<2x4xf32> {qc.stats = #qc.stats<min = -2.0, "
    "max = 9.0, count = 8>}) -> tensor<2x3xf32> {\n"
    "  %w = arith.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], "
    "[-0.25, 0.75, 1.0], [0.125, -0.5, 0.5]]> : tensor<4x3xf32>\n"
    "  %zero = arith.constant 0.0 : f32\n"
    "  %e = tensor.empty() : tensor<2x3xf32>\n"
    "  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> "
    "tensor<2x3xf32>\n"
    "  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) "
    "outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>\n"
    "  return %y : tensor<2x3xf32>\n"
    "}\n";

/// Parses kModule, runs `pm` on it and prints the result.
static void runOnModule(MlirContext ctx, MlirPassManager pm) {
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  CHECK_TRUE(!mlirModuleIsNull(module));
  MlirOperation op = mlirModuleGetOperation(module);
  CHECK_TRUE(mlirLogicalResultIsSuccess(mlirPassManagerRunOnOp(pm, op)));
  mlirOperationPrint(op, printToStderr, NULL);
  fprintf(stderr, "\n");
  mlirModuleDestroy(module);
}

static void testPipeline(MlirContext ctx) {
  fprintf(stderr, "@pipeline\n");
  // CHECK-LABEL: @pipeline
  // CHECK: qc.quantize
  // CHECK: qc.matmul
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  CHECK_TRUE(mlirLogicalResultIsSuccess(qcompBuildQuantizePipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString("scheme=w8a8"), printToStderr, NULL)));
  runOnModule(ctx, pm);
  mlirPassManagerDestroy(pm);

  // CHECK: bad qcomp-quantize-pipeline options 'bogus=1': {{.*}}bogus
  pm = mlirPassManagerCreate(ctx);
  CHECK_TRUE(mlirLogicalResultIsFailure(qcompBuildQuantizePipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString("bogus=1"), printToStderr, NULL)));
  mlirPassManagerDestroy(pm);
}

static void testTextualPipeline(MlirContext ctx) {
  fprintf(stderr, "@textual\n");
  // CHECK-LABEL: @textual
  // CHECK-NOT: qc.quantize
  // CHECK: qc.dequantize
  // CHECK: linalg.matmul
  qcompRegisterAllPasses();
  qcompRegisterAllPasses(); // twice is harmless
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  CHECK_TRUE(mlirLogicalResultIsSuccess(mlirOpPassManagerAddPipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString("qcomp-quantize-pipeline{scheme=w8a16}"),
      printToStderr, NULL)));
  runOnModule(ctx, pm);
  mlirPassManagerDestroy(pm);
}

int main(void) {
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  qcompRegisterAllDialects(registry);
  MlirContext ctx = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);
  mlirContextAttachDiagnosticHandler(ctx, printDiagnostic, NULL, NULL);

  // The handle loads qc; its namespace is "qc".
  MlirDialectHandle qc = mlirGetDialectHandle__qc__();
  MlirStringRef ns = mlirDialectHandleGetNamespace(qc);
  fprintf(stderr, "dialect: %.*s\n", (int)ns.length, ns.data);
  mlirDialectHandleLoadDialect(qc, ctx);

  testStats(ctx);
  testScheme(ctx);
  testQuantizedType(ctx);
  testPipeline(ctx);
  testTextualPipeline(ctx);

  mlirContextDestroy(ctx);
  // CHECK: done
  fprintf(stderr, "done\n");
  return 0;
}
