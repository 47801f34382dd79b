//===- DriverUtils.cpp - Helpers of the qcomp driver ----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Import/TensorFiles.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
using namespace mlir::qcomp;

int qcomp::reportError(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "qcomp") << message << "\n";
  return 1;
}

int qcomp::reportError(llvm::Error error) {
  return reportError(llvm::toString(std::move(error)));
}

/// The file of a location and the innermost name (ONNX node) on the way.
static void describeLocation(Location loc, std::string &file,
                             std::string &name) {
  if (auto fileLoc = dyn_cast<FileLineColLoc>(loc)) {
    file = fileLoc.getFilename().str();
    if (fileLoc.getLine() != 0)
      file += llvm::formatv(":{0}:{1}", fileLoc.getLine(), fileLoc.getColumn());
  } else if (auto nameLoc = dyn_cast<NameLoc>(loc)) {
    if (name.empty())
      name = nameLoc.getName().str();
    describeLocation(nameLoc.getChildLoc(), file, name);
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations()) {
      describeLocation(inner, file, name);
      if (!file.empty())
        return;
    }
  } else if (auto callSite = dyn_cast<CallSiteLoc>(loc)) {
    describeLocation(callSite.getCallee(), file, name);
  }
}

static void printDiagnostic(Diagnostic &diag, llvm::raw_ostream &os) {
  std::string file, name;
  describeLocation(diag.getLocation(), file, name);
  std::string message = diag.str();
  os << (file.empty() ? "qcomp" : file) << ": ";
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    llvm::WithColor(os, llvm::HighlightColor::Error) << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    llvm::WithColor(os, llvm::HighlightColor::Warning) << "warning: ";
    break;
  case DiagnosticSeverity::Note:
    llvm::WithColor(os, llvm::HighlightColor::Note) << "note: ";
    break;
  case DiagnosticSeverity::Remark:
    llvm::WithColor(os, llvm::HighlightColor::Remark) << "remark: ";
    break;
  }
  os << message;
  if (!name.empty() && !llvm::StringRef(message).contains("'" + name + "'"))
    os << " (at '" << name << "')";
  os << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note, os);
}

DiagnosticPrinter::DiagnosticPrinter(MLIRContext &context) : context(context) {
  id = context.getDiagEngine().registerHandler([](Diagnostic &diag) {
    printDiagnostic(diag, llvm::errs());
    return success();
  });
}

DiagnosticPrinter::~DiagnosticPrinter() {
  context.getDiagEngine().eraseHandler(id);
}

llvm::Expected<std::vector<HostTensor>>
qcomp::bindInputs(llvm::ArrayRef<TensorSignature> inputs,
                  llvm::ArrayRef<std::string> flags) {
  std::vector<NamedTensor> provided;
  for (llvm::StringRef flag : flags) {
    auto [name, path] = flag.split('=');
    if (!flag.contains('='))
      std::swap(name, path);
    auto tensors = readTensorFile(path);
    if (!tensors)
      return tensors.takeError();
    // A single tensor from a .npy/.pb takes the name given on the command
    // line (or binds by position); .npz members keep their own names.
    if (tensors->size() == 1 && !path.ends_with(".npz"))
      (*tensors)[0].first = name.str();
    for (NamedTensor &tensor : *tensors)
      provided.push_back(std::move(tensor));
  }
  std::vector<std::string> names;
  for (const TensorSignature &input : inputs)
    names.push_back(input.name);
  return bindTensorsToInputs(names, std::move(provided));
}

std::string qcomp::summarizeTensor(const HostTensor &tensor) {
  std::string result;
  llvm::raw_string_ostream os(result);
  int64_t n = tensor.getNumElements();
  if (n <= 8) {
    os << "[";
    for (int64_t i = 0; i < n; ++i)
      os << (i ? ", " : "") << llvm::format("%g", tensor.getAsDouble(i));
    os << "]";
    return result;
  }
  double lo = tensor.getAsDouble(0), hi = lo, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = tensor.getAsDouble(i);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  os << llvm::format("min %g max %g mean %g", lo, hi, sum / n);
  return result;
}

std::string qcomp::sanitizeFileName(llvm::StringRef name) {
  std::string result = name.str();
  for (char &c : result)
    if (c == '/' || c == ':' || c == '\\')
      c = '_';
  return result.empty() ? "output" : result;
}

void ProgressBar::update(unsigned done, unsigned total) {
  if (!llvm::errs().is_displayed() || total == 0)
    return;
  constexpr unsigned width = 30;
  unsigned filled = done * width / total;
  llvm::errs() << "\r" << label << " [" << std::string(filled, '#')
               << std::string(width - filled, '.') << "] " << done << "/"
               << total;
  llvm::errs().flush();
  drawn = true;
}

void ProgressBar::clear() {
  if (!drawn)
    return;
  llvm::errs() << "\r\x1b[K";
  llvm::errs().flush();
  drawn = false;
}
