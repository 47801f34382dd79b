//===- QuantOps.cpp - ONNX operators (to be filled) ---------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace mlir::qcomp::onnx_import;

void mlir::qcomp::onnx_import::registerQuantOps(OpImporterTable &table) {}
