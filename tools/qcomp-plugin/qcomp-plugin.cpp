//===- qcomp-plugin.cpp - qcomp's dialect and pass plugin -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The entry points upstream mlir-opt looks up in a plugin:
//
//   mlir-opt --load-dialect-plugin=QCompPlugin.so   registers the qc dialect;
//   mlir-opt --load-pass-plugin=QCompPlugin.so      registers qcomp's passes
//                                                   and qcomp-*-pipelines.
//
// Both live in this one module, loaded once however often it is named.
// Passes registered by a plugin are not command-line flags of mlir-opt
// (those are fixed before plugins load): name them in --pass-pipeline.
//
//===----------------------------------------------------------------------===//

#include "qcomp/InitAllDialects.h"
#include "qcomp/InitAllPasses.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

#include <mutex>

using namespace mlir;

/// Registers qcomp's passes and pipelines once (registering a pipeline
/// twice is an error).
static void registerPassesOnce() {
  static std::once_flag once;
  std::call_once(once, [] { qcomp::registerQCompPasses(); });
}

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QComp", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            qcomp::registerQCompDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QCompPasses", LLVM_VERSION_STRING,
          registerPassesOnce};
}
