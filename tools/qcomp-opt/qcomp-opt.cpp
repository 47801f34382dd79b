//===- qcomp-opt.cpp - qcomp's opt-like driver ------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs any qcomp or upstream pass on .mlir files, like mlir-opt, with the qc
// dialect and qcomp's passes and pipelines registered.
//
//===----------------------------------------------------------------------===//

#include "qcomp/InitAllDialects.h"
#include "qcomp/InitAllPasses.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::qcomp::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::qcomp::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "qcomp optimizer driver\n", registry));
}
