//===- Calibrate.cpp - Run a model over samples to collect stats ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/Calibrate.h"

#include "ObserverRuntime.h"
#include "qcomp/Execution/PassManagerHook.h"

#include "qcomp/Conversion/Passes.h"
#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Import/TensorFiles.h"
#include "qcomp/Runtime/NpyIO.h"
#include "qcomp/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::qcomp;
using llvm::createStringError;

/// Checks a tensor read for `input` against the function's signature.
static llvm::Error checkInput(const HostTensor &tensor,
                              const TensorSignature &input,
                              llvm::StringRef source) {
  if (tensor.getElementType() == input.elementType &&
      tensor.getShape() == llvm::ArrayRef(input.shape))
    return llvm::Error::success();
  return createStringError(source + ": input " + input.describe() + " got " +
                           tensor.describe());
}

/// Samples from one .npz per sample.
static llvm::Expected<std::vector<Sample>>
readNpzSamples(llvm::ArrayRef<std::string> files,
               llvm::ArrayRef<TensorSignature> inputs, unsigned maxSamples) {
  std::vector<std::string> names;
  for (const TensorSignature &input : inputs)
    names.push_back(input.name);
  std::vector<Sample> samples;
  for (const std::string &file : files) {
    if (maxSamples && samples.size() >= maxSamples)
      break;
    auto members = readNpz(file);
    if (!members)
      return members.takeError();
    auto bound = bindTensorsToInputs(names, std::move(*members));
    if (!bound)
      return createStringError(file + ": " + llvm::toString(bound.takeError()));
    for (auto [tensor, input] : llvm::zip(*bound, inputs))
      if (llvm::Error err = checkInput(tensor, input, file))
        return std::move(err);
    samples.push_back(Sample{file, std::move(*bound)});
  }
  return samples;
}

/// Samples from one <input>.npy per input, stacked along dimension 0.
static llvm::Expected<std::vector<Sample>>
readStackedSamples(llvm::StringRef directory,
                   llvm::ArrayRef<TensorSignature> inputs,
                   unsigned maxSamples) {
  std::vector<HostTensor> stacks;
  int64_t numSamples = -1;
  for (const TensorSignature &input : inputs) {
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, input.name + ".npy");
    if (!llvm::sys::fs::exists(path))
      return createStringError(path + ": missing (no sample data for input '" +
                               input.name + "')");
    auto tensor = readNpy(path);
    if (!tensor)
      return tensor.takeError();
    int64_t count;
    if (tensor->getShape() == llvm::ArrayRef(input.shape) &&
        tensor->getElementType() == input.elementType) {
      count = 1;
    } else if (tensor->getElementType() == input.elementType &&
               tensor->getRank() == (int64_t)input.shape.size() + 1 &&
               tensor->getShape().drop_front() == llvm::ArrayRef(input.shape)) {
      count = tensor->getShape()[0];
    } else {
      return createStringError(
          path + ": expected " +
          llvm::StringRef(getElementTypeName(input.elementType)) +
          " data of shape [N, " +
          llvm::join(
              llvm::map_range(input.shape,
                              [](int64_t d) { return std::to_string(d); }),
              ", ") +
          "] (or one sample of the input's shape), got " + tensor->describe());
    }
    if (numSamples >= 0 && count != numSamples)
      return createStringError(
          llvm::formatv("{0}: {1} samples, but the other inputs have {2}", path,
                        count, numSamples));
    numSamples = count;
    stacks.push_back(std::move(*tensor));
  }
  if (maxSamples && numSamples > maxSamples)
    numSamples = maxSamples;
  std::vector<Sample> samples;
  for (int64_t i = 0; i < numSamples; ++i) {
    Sample sample;
    sample.name = llvm::formatv("{0}[{1}]", directory, i).str();
    for (auto [stack, input] : llvm::zip(stacks, inputs)) {
      HostTensor tensor(input.elementType, input.shape);
      std::memcpy(tensor.data(),
                  static_cast<const char *>(stack.data()) +
                      i * tensor.getByteSize(),
                  tensor.getByteSize());
      sample.inputs.push_back(std::move(tensor));
    }
    samples.push_back(std::move(sample));
  }
  return samples;
}

llvm::Expected<std::vector<Sample>>
qcomp::readSamples(llvm::StringRef directory,
                   llvm::ArrayRef<TensorSignature> inputs,
                   unsigned maxSamples) {
  if (!llvm::sys::fs::is_directory(directory))
    return createStringError(directory + ": not a directory");
  std::error_code ec;
  std::vector<std::string> npzFiles;
  bool hasNpy = false;
  for (llvm::sys::fs::directory_iterator it(directory, ec), end;
       it != end && !ec; it.increment(ec)) {
    llvm::StringRef path = it->path();
    if (path.ends_with(".npz"))
      npzFiles.push_back(path.str());
    hasNpy |= path.ends_with(".npy");
  }
  if (ec)
    return createStringError(directory + ": " + ec.message());
  llvm::sort(npzFiles);
  llvm::Expected<std::vector<Sample>> samples =
      !npzFiles.empty() ? readNpzSamples(npzFiles, inputs, maxSamples)
      : hasNpy          ? readStackedSamples(directory, inputs, maxSamples)
                        : std::vector<Sample>();
  if (samples && samples->empty())
    return createStringError(
        directory + ": no samples (expected one .npz per sample, or one "
                    "<input>.npy per model input)");
  return samples;
}

/// The first non-finite element of a float input, as "input 'x' element 3".
static std::optional<std::string>
findNonFinite(const Sample &sample, llvm::ArrayRef<TensorSignature> inputs) {
  for (auto [tensor, input] : llvm::zip(sample.inputs, inputs)) {
    if (!isFloatElementType(tensor.getElementType()))
      continue;
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      if (!std::isfinite(tensor.getAsDouble(i)))
        return llvm::formatv("input '{0}' element {1} is {2}", input.name, i,
                             tensor.getAsDouble(i))
            .str();
  }
  return std::nullopt;
}

llvm::Expected<CalibrationTable>
qcomp::calibrate(ModuleOp module, llvm::StringRef directory,
                 const CalibrationOptions &options) {
  // Instrument: observers on the activations, in program order.
  PassManager pm(module.getContext());
  QCInsertObserversPassOptions observerOptions;
  observerOptions.opKinds.assign(options.observedOps.begin(),
                                 options.observedOps.end());
  pm.addNestedPass<func::FuncOp>(createQCInsertObserversPass(observerOptions));
  if (failed(applyPassManagerHook(pm)) || failed(pm.run(module)))
    return createStringError("inserting observers failed");
  std::vector<ObserverCollector::Observer> observers;
  module.walk([&](qc::ObserveOp op) {
    std::optional<uint64_t> axis = op.getChannelAxis();
    observers.push_back({op.getId().str(), axis ? (int64_t)*axis : -1});
  });
  if (observers.empty())
    return createStringError("the model has no activations to observe (no "
                             "matmul or convolution; try observing all ops)");
  PassManager lowerObservers(module.getContext());
  lowerObservers.addPass(createQCLowerObserversToRuntimePass());
  if (failed(applyPassManagerHook(lowerObservers)) ||
      failed(lowerObservers.run(module)))
    return createStringError("lowering observers failed");

  JitOptions jitOptions;
  jitOptions.symbols[ObserverCollector::getEntryPointName()] =
      ObserverCollector::getEntryPointAddress();
  auto function = JitFunction::compile(module, jitOptions);
  if (!function)
    return function.takeError();
  auto samples =
      readSamples(directory, (*function)->getInputs(), options.maxSamples);
  if (!samples)
    return samples.takeError();

  ObserverCollector collector(std::move(observers), options.numBins);
  unsigned done = 0, used = 0;
  for (const Sample &sample : *samples) {
    if (std::optional<std::string> bad =
            findNonFinite(sample, (*function)->getInputs())) {
      if (options.nonFinite == NonFinitePolicy::Fail)
        return createStringError(sample.name + ": " + *bad +
                                 " (use --non-finite=skip or keep)");
      if (options.nonFinite == NonFinitePolicy::Skip) {
        if (options.warn)
          options.warn(sample.name + ": skipped, " + *bad);
        if (options.progress)
          options.progress(++done, samples->size());
        continue;
      }
    }
    {
      ObserverCollector::Activation active(collector);
      auto outputs = (*function)->run(sample.inputs);
      if (!outputs)
        return createStringError(sample.name + ": " +
                                 llvm::toString(outputs.takeError()));
    }
    if (llvm::Error err = collector.takeError())
      return createStringError(sample.name + ": " +
                               llvm::toString(std::move(err)));
    ++used;
    if (options.progress)
      options.progress(++done, samples->size());
  }
  if (used == 0)
    return createStringError(directory + ": every sample was skipped");

  CalibrationTable table;
  for (auto [index, observer] : llvm::enumerate(collector.getObservers()))
    if (llvm::Error err =
            table.set(observer.id, collector.getStatistics(index)))
      return std::move(err);
  return table;
}
