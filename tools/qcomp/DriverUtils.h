//===- DriverUtils.h - Helpers of the qcomp driver --------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What the commands of the driver share: error reporting, the diagnostic
// printer, the options every model-loading or quantizing command takes
// (each command instantiates them for its own cl::SubCommand), and the
// collection of qc-quantize's "stays float" remarks.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TOOLS_QCOMP_DRIVERUTILS_H
#define QCOMP_TOOLS_QCOMP_DRIVERUTILS_H

#include "qcomp/Calibration/CalibrationTable.h"
#include "qcomp/Execution/CompileModel.h"
#include "qcomp/Execution/JitRunner.h"
#include "qcomp/Execution/QuantizeModel.h"
#include "qcomp/Import/ONNX/ONNXImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"

#include <string>
#include <utility>
#include <vector>

namespace mlir::qcomp {

//===----------------------------------------------------------------------===//
// Commands
//===----------------------------------------------------------------------===//

/// One `qcomp <name>` command. Each lives in its own <Name>Command.cpp, with
/// its options as file-local statics registered with its subcommand.
struct DriverCommand {
  llvm::cl::SubCommand &subCommand;
  int (*run)(MLIRContext &context);
};

DriverCommand getImportCommand();
DriverCommand getRunCommand();
DriverCommand getCalibrateCommand();
DriverCommand getQuantizeCommand();
DriverCommand getCompareCommand();
DriverCommand getSensitivityCommand();
DriverCommand getCompileCommand();
DriverCommand getBenchCommand();
/// `qcomp MODEL --calib ... -o out`: every step in one command.
DriverCommand getMainCommand();

/// The category of every qcomp option (the only one --help shows).
llvm::cl::OptionCategory &getDriverCategory();

//===----------------------------------------------------------------------===//
// Options shared by commands
//===----------------------------------------------------------------------===//

/// --input-shape and --func-name, for a command that loads a model.
class ModelLoadingOptions {
public:
  explicit ModelLoadingOptions(llvm::cl::SubCommand &command);

  /// The ONNX import options the flags describe; errors name the flag.
  llvm::Expected<ONNXImportOptions> getImportOptions() const;
  const std::string &getFunctionName() const { return functionName; }

private:
  llvm::cl::list<std::string> inputShapes;
  llvm::cl::opt<std::string> functionName;
};

/// --kernel and --threads, for a command that generates the integer matmul
/// kernels.
class KernelFlags {
public:
  KernelFlags(llvm::cl::SubCommand &command, llvm::StringRef kernelHelp);

  /// Checks the kernel name (an error listing the known ones).
  llvm::Error validate() const;
  const std::string &getKernel() const { return kernel; }
  /// 0: all cores.
  unsigned getThreads() const { return threads; }

private:
  llvm::cl::opt<std::string> kernel;
  llvm::cl::opt<unsigned> threads;
};

/// -o, --header, --mtriple, --mcpu, --mattr, --kernel and --threads, for a
/// command that compiles a model ahead of time.
class CompileFlags {
public:
  explicit CompileFlags(llvm::cl::SubCommand &command);

  /// The compile options the flags describe (the output kind from -o's
  /// extension; the host's triple, CPU and features by default); errors
  /// name the flag.
  llvm::Expected<CompileOptions> getOptions() const;
  /// Compiles `module` (lowering it in place) to -o, and writes the C
  /// header (unless --header none). Returns the header's path, or "".
  llvm::Expected<std::string> write(ModuleOp module,
                                    const CompileOptions &options) const;
  const std::string &getOutputPath() const { return outputPath; }

private:
  llvm::cl::opt<std::string> outputPath, headerPath, triple, cpuName, features;
  KernelFlags kernelFlags;
};

/// "1 thread", "2 threads", "all threads" (0).
std::string describeThreads(unsigned threads);

/// --scheme, --quantize-options, --calib, --exclude, --keep-first,
/// --keep-last, --no-propagate, --observe, --smooth[=alpha],
/// --smooth-data, --split-outliers[=threshold] and --split-options, for a
/// command that quantizes a model in-process.
class QuantizationFlags {
public:
  explicit QuantizationFlags(llvm::cl::SubCommand &command);

  /// Checks the scheme name (an error listing the known ones).
  llvm::Error validate() const;
  /// True when any of the flags appears on the command line.
  bool anyGiven() const;
  /// The qc-quantize options: "scheme=S exclude=... keep-first=N
  /// keep-last=N" followed by --quantize-options.
  std::string getPassOptions() const;
  /// quantizeModel's options with `passOptions` as the qc-quantize options.
  /// `calibrationData` is the --data directory calibration runs on (empty
  /// with --calib): alpha=auto searches on it unless --smooth-data is given.
  llvm::Expected<QuantizeModelOptions>
  getModelOptions(llvm::StringRef passOptions,
                  llvm::StringRef calibrationData) const;
  /// "smooth=0.5 split-outliers=6" for the flags given, else empty (for
  /// summaries).
  std::string describeRewrites() const;
  /// The calibration table: --calib when given, else the statistics of
  /// `floatModule` (a copy is instrumented) over the samples of
  /// `dataDirectory`.
  llvm::Expected<CalibrationTable> getTable(ModuleOp floatModule,
                                            llvm::StringRef dataDirectory,
                                            unsigned maxSamples) const;
  /// A model quantized in-process by these flags: `floatModule`
  /// calibrated on `dataDirectory` (or on --calib when it is a directory),
  /// or --calib's table read, then quantizeModel with alpha=auto searching
  /// on the same samples. The quantize summary's remarks are collected as
  /// the layers kept float; other remarks are dropped.
  struct Quantized {
    OwningOpRef<ModuleOp> module;
    /// The qc-quantize options (getPassOptions).
    std::string passOptions;
    /// (layer, reason) of each layer kept float.
    std::vector<std::pair<std::string, std::string>> floatLayers;
  };
  llvm::Expected<Quantized> quantize(ModuleOp floatModule,
                                     llvm::StringRef dataDirectory,
                                     unsigned maxSamples) const;
  const std::string &getScheme() const { return scheme; }
  /// True when --calib names a table (a file).
  bool hasTable() const {
    return !calibPath.empty() && !llvm::sys::fs::is_directory(calibPath);
  }
  /// --calib when it names a directory of samples (qcomp MODEL --calib
  /// DIR), else "".
  std::string getCalibrationDirectory() const {
    return hasTable() ? std::string() : calibPath.getValue();
  }

private:
  llvm::cl::opt<std::string> scheme;
  llvm::cl::opt<std::string> quantizeOptions;
  llvm::cl::opt<std::string> calibPath;
  llvm::cl::list<std::string> exclude;
  llvm::cl::opt<unsigned> keepFirst;
  llvm::cl::opt<unsigned> keepLast;
  llvm::cl::opt<bool> noPropagate;
  llvm::cl::list<std::string> observedOps;
  llvm::cl::opt<std::string> smooth;
  llvm::cl::opt<std::string> smoothData;
  llvm::cl::opt<std::string> splitOutliers;
  llvm::cl::opt<std::string> splitOptions;
};

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

/// Prints "qcomp: error: <message>" and returns 1.
int reportError(const llvm::Twine &message);
int reportError(llvm::Error error);
/// Prints "qcomp: warning: <message>".
void reportWarning(const llvm::Twine &message);

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

/// While alive, takes qc-quantize's remarks "layer 'X' stays float: <reason>"
/// out of the context's diagnostics and keeps them; other remarks are
/// dropped too when `dropOtherRemarks`, else passed on (to the
/// DiagnosticPrinter). Errors and warnings always pass on.
class FloatLayerCollector {
public:
  FloatLayerCollector(MLIRContext &context, bool dropOtherRemarks);
  ~FloatLayerCollector();

  /// (layer, reason), in the order reported, each layer once.
  const std::vector<std::pair<std::string, std::string>> &getLayers() const {
    return layers;
  }
  void clear() { layers.clear(); }

private:
  MLIRContext &context;
  DiagnosticEngine::HandlerID id;
  std::vector<std::pair<std::string, std::string>> layers;
};

//===----------------------------------------------------------------------===//
// Inputs and output
//===----------------------------------------------------------------------===//

/// Reads `--input` values (`name=file` or `file`) and orders the tensors as
/// the function's inputs.
llvm::Expected<std::vector<HostTensor>>
bindInputs(llvm::ArrayRef<TensorSignature> inputs,
           llvm::ArrayRef<std::string> flags);

/// "min -1.5 max 3 mean 0.25" (or the values themselves when few).
std::string summarizeTensor(const HostTensor &tensor);

/// A number as the user wrote it: "12", "11.25", "1e+06" (printf's %g).
std::string formatNumber(double value);

/// A value name usable as a file name ('/' and ':' replaced by '_').
std::string sanitizeFileName(llvm::StringRef name);

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
public:
  explicit ProgressBar(llvm::StringRef label) : label(label.str()) {}
  void update(unsigned done, unsigned total);
  /// Shows `text` after the label instead of a bar.
  void show(llvm::StringRef text);
  /// Erases the bar (before other output).
  void clear();

private:
  std::string label;
  bool drawn = false;
};

} // namespace mlir::qcomp

#endif // QCOMP_TOOLS_QCOMP_DRIVERUTILS_H
