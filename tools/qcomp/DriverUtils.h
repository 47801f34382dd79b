//===- DriverUtils.h - Helpers of the qcomp driver --------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TOOLS_QCOMP_DRIVERUTILS_H
#define QCOMP_TOOLS_QCOMP_DRIVERUTILS_H

#include "qcomp/Execution/JitRunner.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Error.h"

namespace mlir::qcomp {

/// Prints "qcomp: error: <message>" and returns 1.
int reportError(const llvm::Twine &message);
int reportError(llvm::Error error);

/// Prints the context's diagnostics as `<file>: error: <message>`, adding the
/// op's name location (an ONNX node) when the message does not name it.
class DiagnosticPrinter {
public:
  explicit DiagnosticPrinter(MLIRContext &context);
  ~DiagnosticPrinter();

private:
  MLIRContext &context;
  DiagnosticEngine::HandlerID id;
};

/// Reads `--input` values (`name=file` or `file`) and orders the tensors as
/// the function's inputs.
llvm::Expected<std::vector<HostTensor>>
bindInputs(llvm::ArrayRef<TensorSignature> inputs,
           llvm::ArrayRef<std::string> flags);

/// "min -1.5 max 3 mean 0.25" (or the values themselves when few).
std::string summarizeTensor(const HostTensor &tensor);

/// A value name usable as a file name ('/' and ':' replaced by '_').
std::string sanitizeFileName(llvm::StringRef name);

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
public:
  explicit ProgressBar(llvm::StringRef label) : label(label.str()) {}
  void update(unsigned done, unsigned total);
  /// Erases the bar (before other output).
  void clear();

private:
  std::string label;
  bool drawn = false;
};

} // namespace mlir::qcomp

#endif // QCOMP_TOOLS_QCOMP_DRIVERUTILS_H
