//===- qcomp-onnx-test.cpp - Run ONNX backend node tests --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs ONNX's own backend node tests (Debian's libonnx-testdata:
// <dir>/test_<name>/model.onnx with test_data_set_*/input_*.pb and
// output_*.pb) through qcomp: import, JIT-compile, run every data set and
// compare with the expected outputs (floats within rtol/atol as ONNX's
// backend tests do, integers exactly). Prints one line per test and ends
// with "N passed, N failed"; exits non-zero when any test failed.
//
// Many tests feed shapes, axes, split sizes, scales or zero points as graph
// inputs; qcomp compiles static shapes and static quantization parameters,
// so when the importer says an input must be a constant, the test is
// re-imported with that input bound to the data set's value
// (ONNXImportOptions::constantInputs), as a user would bind it.
//
//   qcomp-onnx-test --node-dir /usr/share/libonnx-testdata/data/node \
//       --list test/ONNX/conformance-tests.txt
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/JitRunner.h"
#include "qcomp/Import/ONNX/ONNXImporter.h"
#include "qcomp/Import/ONNX/ONNXTensor.h"
#include "qcomp/InitAllDialects.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <set>

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

static cl::opt<std::string>
    nodeDir("node-dir", cl::desc("Directory holding the test_* directories"),
            cl::init("/usr/share/libonnx-testdata/data/node"));
static cl::list<std::string>
    listFiles("list", cl::desc("File naming one test per line ('#' comments); "
                               "repeatable"));
static cl::list<std::string> testNames(cl::Positional,
                                       cl::desc("[test names...]"));
static cl::opt<double>
    relTolerance("rtol", cl::desc("Relative float tolerance"), cl::init(1e-3));
static cl::opt<double>
    absTolerance("atol", cl::desc("Absolute float tolerance"), cl::init(1e-7));
static cl::opt<bool> verbose("v", cl::desc("Print passing tests too"));

/// The files `<dir>/<prefix>_<i>.pb` for i = 0, 1, ... in order.
static std::vector<std::string> listIndexed(llvm::StringRef dir,
                                            llvm::StringRef prefix) {
  std::vector<std::string> files;
  for (unsigned i = 0;; ++i) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, prefix + "_" + llvm::Twine(i) + ".pb");
    if (!llvm::sys::fs::exists(path))
      return files;
    files.push_back(std::string(path));
  }
}

namespace {
/// The inputs and expected outputs of one test_data_set_* directory.
struct DataSet {
  std::string name;
  std::vector<HostTensor> inputs, expected;
  std::vector<std::string> inputNames;
};
} // namespace

static llvm::Expected<DataSet> readDataSet(llvm::StringRef directory) {
  DataSet set;
  set.name = llvm::sys::path::filename(directory).str();
  for (const std::string &file : listIndexed(directory, "input")) {
    std::string name;
    auto tensor = readONNXTensorFile(file, &name);
    if (!tensor)
      return tensor.takeError();
    set.inputs.push_back(std::move(*tensor));
    set.inputNames.push_back(name);
  }
  for (const std::string &file : listIndexed(directory, "output")) {
    auto tensor = readONNXTensorFile(file);
    if (!tensor)
      return tensor.takeError();
    set.expected.push_back(std::move(*tensor));
  }
  return set;
}

/// Imports, compiles and runs `modelPath` on one data set. The inputs named
/// in `bound` are bound as constants (ONNX's tests feed shapes, axes, scales
/// and zero points as graph inputs; a static-shape compiler needs them at
/// compile time). Returns "" on success, else the reason; `wanted` receives
/// the graph inputs the importer asked to be constants.
static std::string runDataSet(llvm::StringRef modelPath, const DataSet &set,
                              const std::set<std::string> &bound,
                              std::set<std::string> &wanted) {
  DialectRegistry registry;
  qcomp::registerAllDialects(registry);
  MLIRContext context(registry);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    std::string message = diag.str();
    diagnostics += (diagnostics.empty() ? "" : "; ") + message;
    // "<what> (input i, '<name>') must be a constant ..."
    llvm::StringRef rest(message);
    size_t end = rest.find("') must be a constant");
    if (end != llvm::StringRef::npos) {
      size_t begin = rest.take_front(end).rfind(", '");
      if (begin != llvm::StringRef::npos)
        wanted.insert(rest.slice(begin + 3, end).str());
    }
    return success();
  });

  ONNXImportOptions options;
  std::vector<HostTensor> inputs;
  for (auto [tensor, name] : llvm::zip(set.inputs, set.inputNames)) {
    if (bound.count(name))
      options.constantInputs[name] = tensor;
    else
      inputs.push_back(tensor);
  }
  OwningOpRef<ModuleOp> module =
      importONNXModelFile(modelPath, &context, options);
  if (!module)
    return "import: " + diagnostics;
  auto function = JitFunction::compile(*module, JitOptions());
  if (!function)
    return "compile: " + diagnostics + " " +
           llvm::toString(function.takeError());
  auto outputs = (*function)->run(inputs);
  if (!outputs)
    return "run: " + llvm::toString(outputs.takeError());
  if (outputs->size() != set.expected.size())
    return "expected " + std::to_string(set.expected.size()) +
           " outputs, got " + std::to_string(outputs->size());
  for (size_t i = 0; i < set.expected.size(); ++i)
    if (auto mismatch = compareTensors((*outputs)[i], set.expected[i],
                                       relTolerance, absTolerance))
      return set.name + " output " + std::to_string(i) + ": " + *mismatch;
  return "";
}

/// Runs one test; returns an empty string on success, else the reason.
static std::string runTest(llvm::StringRef name) {
  llvm::SmallString<256> testDir(nodeDir);
  llvm::sys::path::append(testDir, name);
  llvm::SmallString<256> modelPath(testDir);
  llvm::sys::path::append(modelPath, "model.onnx");
  if (!llvm::sys::fs::exists(modelPath))
    return "no such test: " + std::string(modelPath);

  std::error_code ec;
  std::vector<std::string> dataSets;
  for (llvm::sys::fs::directory_iterator it(testDir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_"))
      dataSets.push_back(it->path());
  llvm::sort(dataSets);
  if (dataSets.empty())
    return "no test_data_set_* directory";

  for (const std::string &directory : dataSets) {
    auto set = readDataSet(directory);
    if (!set)
      return llvm::toString(set.takeError());
    // Bind the inputs the importer asks for, one round per request.
    std::set<std::string> bound;
    std::string failure;
    for (unsigned round = 0; round <= set->inputs.size(); ++round) {
      std::set<std::string> wanted;
      failure = runDataSet(modelPath, *set, bound, wanted);
      size_t before = bound.size();
      for (const std::string &name : wanted)
        if (llvm::is_contained(set->inputNames, name))
          bound.insert(name);
      if (failure.empty() || bound.size() == before)
        break;
    }
    if (!failure.empty())
      return failure;
  }
  return "";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "ONNX backend node test runner\n");

  std::vector<std::string> tests(testNames.begin(), testNames.end());
  for (const std::string &listFile : listFiles) {
    auto buffer = llvm::MemoryBuffer::getFile(listFile);
    if (!buffer) {
      llvm::errs() << listFile << ": " << buffer.getError().message() << "\n";
      return 2;
    }
    llvm::SmallVector<llvm::StringRef> lines;
    (*buffer)->getBuffer().split(lines, '\n');
    for (llvm::StringRef line : lines) {
      line = line.split('#').first.trim();
      if (!line.empty())
        tests.push_back(line.str());
    }
  }
  unsigned passed = 0, failed = 0;
  for (const std::string &test : tests) {
    std::string failure = runTest(test);
    if (failure.empty()) {
      ++passed;
      if (verbose)
        llvm::outs() << "PASS " << test << "\n";
    } else {
      ++failed;
      llvm::outs() << "FAIL " << test << ": " << failure << "\n";
    }
    llvm::outs().flush();
  }
  llvm::outs() << passed << " passed, " << failed << " failed\n";
  return failed ? 1 : 0;
}
