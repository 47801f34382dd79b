//===- CompileModel.h - Ahead-of-time compilation to machine code -*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `qcomp compile`: lowers a module (float or quantized) through
// qcomp-cpu-to-llvm-pipeline for a target given as llc gives it (triple,
// CPU, features), translates it to LLVM IR, optimizes it and emits an
// object file, assembly, LLVM IR or the LLVM dialect, plus a C header that
// declares each public function: the `_mlir_ciface_` entry point on memref
// descriptors and a `qcomp_<name>` wrapper on plain pointers (results are
// written through caller-allocated buffers of the static shapes the header
// states).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_EXECUTION_COMPILEMODEL_H
#define QCOMP_EXECUTION_COMPILEMODEL_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::qcomp {

enum class OutputKind { Object, SharedLibrary, Assembly, LLVMIR, MLIR };

struct CompileOptions {
  /// llc's -mtriple, -mcpu and -mattr. The features also choose the
  /// integer matmul kernel.
  std::string triple;
  std::string cpu = "generic";
  std::string features;
  /// The kernel (auto: the best the features allow; none: reference loops).
  std::string kernel = "auto";
  /// Threads of the integer matmul kernels: 1 (no OpenMP), N, or 0 (the
  /// OpenMP runtime's default, all cores). Other values than 1 make code
  /// that calls the LLVM OpenMP runtime (link with -lomp; a shared library
  /// for the host records it with its run path).
  unsigned threads = 1;
  OutputKind kind = OutputKind::Object;
  /// LLVM optimization level, 0-3.
  unsigned optLevel = 3;
};

/// The C header for the public functions of `module` (before lowering):
/// their memref descriptor types, entry points and plain-pointer wrappers.
/// `guard` names the include guard; the opening comment says how to link
/// code compiled with `threads`. Errors name a function whose signature
/// has no C form (dynamic shapes, unsupported element types).
llvm::Expected<std::string> getCHeader(ModuleOp module, llvm::StringRef guard,
                                       unsigned threads = 1);

/// Lowers `module` in place and writes the chosen output to `os`. Errors
/// name the target or the pass that failed (passes report through the
/// context's diagnostics too). A SharedLibrary is written as an object
/// file here; linkSharedLibrary makes the library of it.
llvm::Error compileModule(ModuleOp module, const CompileOptions &options,
                          llvm::raw_pwrite_stream &os);

/// Links the object file `objectPath` compiled with `options` into the
/// shared library `outputPath`: for the host with `cc`, against the math
/// library and (with threads) the LLVM OpenMP runtime with its run path;
/// for another target with ld.lld, the symbols of those libraries left to
/// the program that loads it.
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef outputPath,
                              const CompileOptions &options);

} // namespace mlir::qcomp

#endif // QCOMP_EXECUTION_COMPILEMODEL_H
