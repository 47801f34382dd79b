//===- DriverUtils.cpp - Helpers of the qcomp driver ----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Execution/Calibrate.h"
#include "qcomp/Import/TensorFiles.h"
#include "qcomp/Target/CPU/CPUFeatures.h"

#include "mlir/Support/FileUtilities.h"
#include "qcomp/Transforms/QuantizeSchemes.h"
#include "qcomp/Transforms/Smoothing.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/WithColor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

cl::OptionCategory &qcomp::getDriverCategory() {
  static cl::OptionCategory category("qcomp options");
  return category;
}

//===----------------------------------------------------------------------===//
// Options shared by commands
//===----------------------------------------------------------------------===//

KernelFlags::KernelFlags(cl::SubCommand &command, llvm::StringRef kernelHelp)
    : kernel("kernel", cl::desc(kernelHelp), cl::value_desc("name"),
             cl::init("auto"), cl::sub(command), cl::cat(getDriverCategory())),
      threads("threads",
              cl::desc("Threads the matmul kernels run on (0: all "
                       "cores, through the LLVM OpenMP runtime; 1: the "
                       "calling thread only, no OpenMP)"),
              cl::value_desc("N"), cl::init(0), cl::sub(command),
              cl::cat(getDriverCategory())) {}

llvm::Error KernelFlags::validate() const {
  return checkIntDotKernelName(kernel, "--kernel");
}

CompileFlags::CompileFlags(cl::SubCommand &command)
    : outputPath("o",
                 cl::desc("Output: .o (object), .so (shared library), .s "
                          "(assembly), .ll (LLVM IR) or .mlir (the LLVM "
                          "dialect)"),
                 cl::value_desc("file"), cl::sub(command),
                 cl::cat(getDriverCategory())),
      headerPath("header",
                 cl::desc("The C header (default: the output with .h; "
                          "'none' for no header)"),
                 cl::value_desc("file"), cl::sub(command),
                 cl::cat(getDriverCategory())),
      triple("mtriple", cl::desc("Target triple (default: the host's)"),
             cl::value_desc("triple"), cl::sub(command),
             cl::cat(getDriverCategory())),
      cpuName("mcpu",
              cl::desc("Target CPU (default: the host's when compiling for "
                       "the host, else generic)"),
              cl::value_desc("name"), cl::sub(command),
              cl::cat(getDriverCategory())),
      features("mattr",
               cl::desc("Target features, +a,-b (default: the host's when "
                        "compiling for the host); +avx512vnni, +avxvnni, "
                        "+avx2, +i8mm, +dotprod choose the integer matmul "
                        "kernel"),
               cl::value_desc("features"), cl::sub(command),
               cl::cat(getDriverCategory())),
      kernelFlags(command, "Integer matmul kernel: auto (the best the "
                           "features allow), avx512-vnni, avx-vnni, avx2, "
                           "i8mm, dotprod, or none (the reference loops, f32 "
                           "matmuls included)") {}

llvm::Expected<CompileOptions> CompileFlags::getOptions() const {
  CompileOptions options;
  if (outputPath.empty())
    return llvm::createStringError("no output file: give -o out.{o,so,s,ll,"
                                   "mlir}");
  llvm::StringRef extension = llvm::sys::path::extension(outputPath);
  if (extension == ".o")
    options.kind = OutputKind::Object;
  else if (extension == ".so")
    options.kind = OutputKind::SharedLibrary;
  else if (extension == ".s")
    options.kind = OutputKind::Assembly;
  else if (extension == ".ll")
    options.kind = OutputKind::LLVMIR;
  else if (extension == ".mlir")
    options.kind = OutputKind::MLIR;
  else
    return llvm::createStringError("-o " + outputPath +
                                   ": unknown output kind (expected .o, .so, "
                                   ".s, .ll or .mlir)");
  std::string host = getHostTriple();
  options.triple = triple.empty() ? host : triple.getValue();
  bool forHost =
      llvm::Triple(options.triple).getArch() == llvm::Triple(host).getArch();
  options.cpu = !cpuName.empty() ? cpuName.getValue()
                : forHost        ? llvm::sys::getHostCPUName().str()
                                 : "generic";
  options.features = features.getNumOccurrences() ? features.getValue()
                     : forHost                    ? getHostCPUFeatures()
                                                  : "";
  options.kernel = kernelFlags.getKernel();
  options.threads = kernelFlags.getThreads();
  if (llvm::Error err = kernelFlags.validate())
    return std::move(err);
  if (auto cpu = CPUFeatures::parse(options.triple, options.features); !cpu)
    return cpu.takeError();
  return options;
}

llvm::Expected<std::string>
CompileFlags::write(ModuleOp module, const CompileOptions &options) const {
  llvm::SmallString<128> header(headerPath);
  if (header.empty()) {
    header = outputPath;
    llvm::sys::path::replace_extension(header, ".h");
  }
  std::string headerText;
  if (headerPath != "none") {
    llvm::SmallString<128> guard("QCOMP_");
    guard += llvm::sys::path::stem(header);
    guard += "_H";
    for (char &c : guard)
      c = llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
    auto text = getCHeader(module, guard, options.threads);
    if (!text)
      return text.takeError();
    headerText = std::move(*text);
  }

  std::string error;
  if (options.kind == OutputKind::SharedLibrary) {
    // The object in a temporary file, then linked into the library.
    llvm::SmallString<128> objectPath;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "qcomp-compile", "o", objectPath))
      return llvm::createStringError("cannot create a temporary object "
                                     "file: " +
                                     ec.message());
    llvm::FileRemover removeObject(objectPath);
    auto object = openOutputFile(objectPath, &error);
    if (!object)
      return llvm::createStringError(error);
    if (llvm::Error err = compileModule(module, options, object->os()))
      return std::move(err);
    object->keep();
    object->os().close();
    if (llvm::Error err = linkSharedLibrary(objectPath, outputPath, options))
      return std::move(err);
  } else {
    auto output = openOutputFile(outputPath, &error);
    if (!output)
      return llvm::createStringError(error);
    if (llvm::Error err = compileModule(module, options, output->os()))
      return std::move(err);
    output->keep();
  }
  if (headerText.empty())
    return std::string();
  auto headerFile = openOutputFile(header, &error);
  if (!headerFile)
    return llvm::createStringError(error);
  headerFile->os() << headerText;
  headerFile->keep();
  return header.str().str();
}

std::string qcomp::describeThreads(unsigned threads) {
  if (threads == 0)
    return "all threads";
  return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

ModelLoadingOptions::ModelLoadingOptions(cl::SubCommand &command)
    : inputShapes("input-shape",
                  cl::desc("Bind the shape of an ONNX graph input: "
                           "name=1x3x224x224 (repeatable)"),
                  cl::value_desc("name=shape"), cl::sub(command),
                  cl::cat(getDriverCategory())),
      functionName(
          "func-name", cl::desc("Name of the imported / executed function"),
          cl::init("main"), cl::sub(command), cl::cat(getDriverCategory())) {}

llvm::Expected<ONNXImportOptions>
ModelLoadingOptions::getImportOptions() const {
  ONNXImportOptions options;
  options.functionName = functionName;
  for (const std::string &binding : inputShapes)
    if (llvm::Error err = parseInputShapeBinding(binding, options))
      return std::move(err);
  return options;
}

/// "Quantization scheme: w8a8, ... (default w8a8)", from qc-quantize's list.
static llvm::StringRef getSchemeDescription() {
  static const std::string description =
      "Quantization scheme: " + llvm::join(getQuantizeSchemeNames(), ", ") +
      " (default w8a8)";
  return description;
}

QuantizationFlags::QuantizationFlags(cl::SubCommand &command)
    : scheme("scheme", cl::desc(getSchemeDescription()), cl::value_desc("name"),
             cl::init("w8a8"), cl::sub(command), cl::cat(getDriverCategory())),
      quantizeOptions(
          "quantize-options",
          cl::desc("More qc-quantize options, in pass-option syntax: "
                   "\"range-method=percentile layer-bits=fc=8\" (see "
                   "qcomp-opt --help); they come last and win"),
          cl::value_desc("options"), cl::sub(command),
          cl::cat(getDriverCategory())),
      calibPath("calib",
                cl::desc("Calibration table (qcomp calibrate --calib-out); "
                         "without it the model is calibrated on --data. "
                         "qcomp MODEL also takes a directory of samples"),
                cl::value_desc("table.json"), cl::sub(command),
                cl::cat(getDriverCategory())),
      exclude("exclude",
              cl::desc("Layers to keep float: names or glob patterns"),
              cl::value_desc("a,b"), cl::CommaSeparated, cl::sub(command),
              cl::cat(getDriverCategory())),
      keepFirst("keep-first",
                cl::desc("Keep the first N quantizable layers float"),
                cl::value_desc("N"), cl::init(0), cl::sub(command),
                cl::cat(getDriverCategory())),
      keepLast("keep-last",
               cl::desc("Keep the last N quantizable layers float"),
               cl::value_desc("N"), cl::init(0), cl::sub(command),
               cl::cat(getDriverCategory())),
      noPropagate("no-propagate",
                  cl::desc("Do not run qc-propagate-scales after qc-quantize"),
                  cl::init(false), cl::sub(command),
                  cl::cat(getDriverCategory())),
      observedOps("observe",
                  cl::desc("Whose activations calibration observes: matmul, "
                           "conv, all (default: matmul,conv); must match the "
                           "table given with --calib"),
                  cl::CommaSeparated, cl::sub(command),
                  cl::cat(getDriverCategory())),
      smooth("smooth",
             cl::desc("SmoothQuant before quantizing (qc-smooth): migrate "
                      "activation outliers into the weights with strength "
                      "alpha in [0, 1] (default 0.5), or 'auto' to search "
                      "alpha per layer on the calibration samples"),
             cl::value_desc("alpha"), cl::ValueOptional, cl::sub(command),
             cl::cat(getDriverCategory())),
      smoothData("smooth-data",
                 cl::desc("Samples the --smooth=auto search runs on "
                          "(default: the --data calibration samples)"),
                 cl::value_desc("dir"), cl::sub(command),
                 cl::cat(getDriverCategory())),
      splitOutliers(
          "split-outliers",
          cl::desc("LLM.int8() outlier splitting before quantizing "
                   "(qc-split-outliers): input channels whose calibrated "
                   "max |x| exceeds the threshold (default 6) are computed "
                   "in float"),
          cl::value_desc("threshold"), cl::ValueOptional, cl::sub(command),
          cl::cat(getDriverCategory())),
      splitOptions("split-options",
                   cl::desc("More qc-split-outliers options, in pass-option "
                            "syntax: \"max-fraction=0.1 mode=dynamic\""),
                   cl::value_desc("options"), cl::sub(command),
                   cl::cat(getDriverCategory())) {}

llvm::Error QuantizationFlags::validate() const {
  llvm::ArrayRef<llvm::StringRef> schemes = getQuantizeSchemeNames();
  if (!llvm::is_contained(schemes, llvm::StringRef(scheme)))
    return llvm::createStringError("unknown scheme '" + scheme + "' (known: " +
                                   llvm::join(schemes, ", ") + ")");
  if (!smooth.empty())
    if (auto alpha = parseSmoothAlpha(smooth); !alpha)
      return llvm::createStringError("--smooth: " +
                                     llvm::toString(alpha.takeError()));
  double value;
  if (!splitOutliers.empty() &&
      (llvm::StringRef(splitOutliers).getAsDouble(value) || !(value > 0.0) ||
       !std::isfinite(value)))
    return llvm::createStringError("--split-outliers: the threshold must be "
                                   "a positive number, got '" +
                                   splitOutliers + "'");
  return llvm::Error::success();
}

bool QuantizationFlags::anyGiven() const {
  return scheme.getNumOccurrences() || quantizeOptions.getNumOccurrences() ||
         calibPath.getNumOccurrences() || exclude.getNumOccurrences() ||
         keepFirst.getNumOccurrences() || keepLast.getNumOccurrences() ||
         noPropagate.getNumOccurrences() || observedOps.getNumOccurrences() ||
         smooth.getNumOccurrences() || smoothData.getNumOccurrences() ||
         splitOutliers.getNumOccurrences() || splitOptions.getNumOccurrences();
}

std::string QuantizationFlags::getPassOptions() const {
  std::string options = "scheme=" + scheme;
  if (!exclude.empty())
    options += " exclude=" + llvm::join(exclude, ",");
  if (keepFirst)
    options += " keep-first=" + std::to_string(keepFirst);
  if (keepLast)
    options += " keep-last=" + std::to_string(keepLast);
  if (!llvm::StringRef(quantizeOptions).trim().empty())
    options += " " + llvm::StringRef(quantizeOptions).trim().str();
  return options;
}

/// The value of a flag with an optional value: `fallback` when given
/// without one.
static std::string getOptionalValue(const cl::opt<std::string> &flag,
                                    llvm::StringRef fallback) {
  return flag.empty() ? fallback.str() : flag.getValue();
}

std::string QuantizationFlags::describeRewrites() const {
  std::string description;
  if (smooth.getNumOccurrences())
    description = "smooth=" + getOptionalValue(smooth, "0.5");
  if (splitOutliers.getNumOccurrences())
    description += (description.empty() ? "" : " ") +
                   ("split-outliers=" + getOptionalValue(splitOutliers, "6"));
  return description;
}

llvm::Expected<QuantizeModelOptions>
QuantizationFlags::getModelOptions(llvm::StringRef passOptions,
                                   llvm::StringRef calibrationData) const {
  QuantizeModelOptions options;
  options.quantizeOptions = passOptions.str();
  options.propagateScales = !noPropagate;
  options.observedOps.assign(observedOps.begin(), observedOps.end());
  if (smooth.getNumOccurrences()) {
    options.smoothAlpha = getOptionalValue(smooth, "0.5");
    options.smoothSamples =
        smoothData.empty() ? calibrationData.str() : smoothData.getValue();
    if (*options.smoothAlpha == "auto" && options.smoothSamples.empty())
      return llvm::createStringError(
          "--smooth=auto searches alpha on calibration samples: give "
          "--smooth-data DIR (with --calib there are none)");
  } else if (smoothData.getNumOccurrences()) {
    return llvm::createStringError("--smooth-data is only used by "
                                   "--smooth=auto");
  }
  if (splitOutliers.getNumOccurrences()) {
    options.splitOutliersOptions =
        "threshold=" + getOptionalValue(splitOutliers, "6");
    if (!llvm::StringRef(splitOptions).trim().empty())
      *options.splitOutliersOptions +=
          " " + llvm::StringRef(splitOptions).trim().str();
  } else if (splitOptions.getNumOccurrences()) {
    return llvm::createStringError("--split-options needs --split-outliers");
  }
  return options;
}

llvm::Expected<CalibrationTable>
QuantizationFlags::getTable(ModuleOp floatModule, llvm::StringRef dataDirectory,
                            unsigned maxSamples) const {
  if (hasTable())
    return CalibrationTable::read(calibPath);
  if (!calibPath.empty())
    dataDirectory = calibPath.getValue();
  OwningOpRef<ModuleOp> copy = floatModule.clone();
  CalibrationOptions options;
  options.observedOps.assign(observedOps.begin(), observedOps.end());
  options.maxSamples = maxSamples;
  ProgressBar progress("calibrating");
  options.progress = [&](unsigned done, unsigned total) {
    progress.update(done, total);
  };
  options.warn = [&](const std::string &message) {
    progress.clear();
    reportWarning(message);
  };
  auto table = calibrate(*copy, dataDirectory, options);
  progress.clear();
  return table;
}

llvm::Expected<QuantizationFlags::Quantized>
QuantizationFlags::quantize(ModuleOp floatModule, llvm::StringRef dataDirectory,
                            unsigned maxSamples) const {
  std::string samples = getCalibrationDirectory();
  if (samples.empty() && !hasTable())
    samples = dataDirectory.str();
  auto table = getTable(floatModule, samples, maxSamples);
  if (!table)
    return table.takeError();
  Quantized result;
  result.passOptions = getPassOptions();
  auto modelOptions = getModelOptions(result.passOptions, samples);
  if (!modelOptions)
    return modelOptions.takeError();
  FloatLayerCollector collector(*floatModule.getContext(),
                                /*dropOtherRemarks=*/true);
  auto quantized = quantizeModel(floatModule, *table, *modelOptions);
  if (!quantized)
    return quantized.takeError();
  result.module = std::move(*quantized);
  result.floatLayers = collector.getLayers();
  return result;
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

int qcomp::reportError(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "qcomp") << message << "\n";
  return 1;
}

int qcomp::reportError(llvm::Error error) {
  return reportError(llvm::toString(std::move(error)));
}

void qcomp::reportWarning(const llvm::Twine &message) {
  llvm::WithColor::warning(llvm::errs(), "qcomp") << message << "\n";
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

FloatLayerCollector::FloatLayerCollector(MLIRContext &context,
                                         bool dropOtherRemarks)
    : context(context) {
  id = context.getDiagEngine().registerHandler(
      [this, dropOtherRemarks](Diagnostic &diag) -> LogicalResult {
        if (diag.getSeverity() != DiagnosticSeverity::Remark)
          return failure();
        std::string message = diag.str();
        llvm::StringRef text(message);
        constexpr llvm::StringLiteral separator = "' stays float: ";
        size_t split = text.find(separator);
        if (!text.starts_with("layer '") || split == llvm::StringRef::npos)
          return success(dropOtherRemarks);
        std::string layer = text.slice(7, split).str();
        std::string reason = text.drop_front(split + separator.size()).str();
        if (!llvm::any_of(layers, [&](const auto &entry) {
              return entry.first == layer;
            }))
          layers.emplace_back(std::move(layer), std::move(reason));
        return success();
      });
}

FloatLayerCollector::~FloatLayerCollector() {
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

std::string qcomp::formatNumber(double value) {
  std::string result;
  llvm::raw_string_ostream(result) << llvm::format("%g", value);
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

void ProgressBar::show(llvm::StringRef text) {
  if (!llvm::errs().is_displayed())
    return;
  llvm::errs() << "\r\x1b[K" << label << ": " << text;
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
