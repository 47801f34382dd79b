/*===- qcomp-c-consumer.c - A C program on the installed C API ------------===*\
|*                                                                            *|
|* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/* Links the installed libQCompCAPI.so only: parses a float module with
 * statistics, quantizes it with qcompBuildQuantizePipeline and prints it. */

#include "qcomp-c/Dialects.h"
#include "qcomp-c/Passes.h"

#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#include <stdio.h>

static void print(MlirStringRef text, void *userData) {
  (void)userData;
  fwrite(text.data, 1, text.length, stdout);
}

static const char *kModule =
    "func.func @linear(%x: tensor<2x4xf32> {qc.stats = #qc.stats<min = -2.0, "
    "max = 9.0, count = 8>}) -> tensor<2x3xf32> {\n"
    "  %w = arith.constant dense<0.5> : tensor<4x3xf32>\n"
    "  %zero = arith.constant 0.0 : f32\n"
    "  %e = tensor.empty() : tensor<2x3xf32>\n"
    "  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> "
    "tensor<2x3xf32>\n"
    "  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) "
    "outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>\n"
    "  return %y : tensor<2x3xf32>\n"
    "}\n";

int main(void) {
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  qcompRegisterAllDialects(registry);
  MlirContext ctx = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);

  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  if (mlirModuleIsNull(module))
    return 1;
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  if (mlirLogicalResultIsFailure(qcompBuildQuantizePipeline(
          mlirPassManagerGetAsOpPassManager(pm),
          mlirStringRefCreateFromCString("scheme=w8a8"), print, NULL)))
    return 1;
  if (mlirLogicalResultIsFailure(
          mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module))))
    return 1;
  mlirOperationPrint(mlirModuleGetOperation(module), print, NULL);
  printf("\n");
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
  return 0;
}
