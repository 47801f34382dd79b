//===- TensorFiles.cpp - Read input tensors from files --------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Import/TensorFiles.h"
#include "qcomp/Import/ONNX/ONNXTensor.h"
#include "qcomp/Runtime/NpyIO.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::qcomp;
using llvm::createStringError;

llvm::Expected<std::vector<NamedTensor>>
qcomp::readTensorFile(llvm::StringRef path) {
  llvm::StringRef extension = llvm::sys::path::extension(path);
  std::string stem = llvm::sys::path::stem(path).str();
  std::vector<NamedTensor> result;
  if (extension == ".npz") {
    auto members = readNpz(path);
    if (!members)
      return members.takeError();
    return std::move(*members);
  }
  if (extension == ".npy") {
    auto tensor = readNpy(path);
    if (!tensor)
      return tensor.takeError();
    result.emplace_back(stem, std::move(*tensor));
    return result;
  }
  if (extension == ".pb") {
    auto tensor = readONNXTensorFile(path);
    if (!tensor)
      return tensor.takeError();
    result.emplace_back("", std::move(*tensor));
    return result;
  }
  return createStringError(
      path + ": unknown tensor file type (expected .npy, .npz or .pb)");
}

llvm::Expected<std::vector<HostTensor>>
qcomp::bindTensorsToInputs(llvm::ArrayRef<std::string> inputNames,
                           std::vector<NamedTensor> provided) {
  std::vector<std::optional<HostTensor>> slots(inputNames.size());
  std::vector<HostTensor> unnamed;
  for (NamedTensor &named : provided) {
    if (named.first.empty()) {
      unnamed.push_back(std::move(named.second));
      continue;
    }
    auto it = llvm::find(inputNames, named.first);
    if (it == inputNames.end()) {
      std::string known;
      llvm::raw_string_ostream os(known);
      llvm::interleave(inputNames, os, ", ");
      return createStringError(
          "'" + named.first +
          "' is not an input of the model (inputs: " + known + ")");
    }
    size_t index = it - inputNames.begin();
    if (slots[index])
      return createStringError("input '" + named.first +
                               "' is given more than once");
    slots[index] = std::move(named.second);
  }
  auto next = unnamed.begin();
  std::vector<HostTensor> result;
  for (auto [name, slot] : llvm::zip(inputNames, slots)) {
    if (!slot) {
      if (next == unnamed.end())
        return createStringError("no tensor given for input '" + name + "'");
      slot = std::move(*next++);
    }
    result.push_back(std::move(*slot));
  }
  if (next != unnamed.end())
    return createStringError(
        llvm::formatv("{0} tensors given for a model with {1} inputs",
                      provided.size(), inputNames.size()));
  return result;
}
