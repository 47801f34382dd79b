//===- TensorFiles.h - Read input tensors from files ------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Reading the tensors users feed to a model: NumPy `.npy`, `.npz` archives
// (one member per input) and serialized ONNX TensorProtos (`.pb`, the format
// of ONNX's own test data), and binding them to a function's inputs.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_IMPORT_TENSORFILES_H
#define QCOMP_IMPORT_TENSORFILES_H

#include "qcomp/Runtime/HostTensor.h"

#include "llvm/Support/Error.h"

#include <map>

namespace mlir::qcomp {

/// A named tensor read from a file.
using NamedTensor = std::pair<std::string, HostTensor>;

/// Reads `path` by extension: `.npy` and `.pb` give one tensor (named after
/// the file stem, or the TensorProto's name), `.npz` one per member.
llvm::Expected<std::vector<NamedTensor>> readTensorFile(llvm::StringRef path);

/// Orders `provided` by `inputNames`: tensors named after an input go there;
/// unnamed ones (empty name) fill the remaining inputs in order. Errors name
/// the missing, unknown or duplicate input.
llvm::Expected<std::vector<HostTensor>>
bindTensorsToInputs(llvm::ArrayRef<std::string> inputNames,
                    std::vector<NamedTensor> provided);

} // namespace mlir::qcomp

#endif // QCOMP_IMPORT_TENSORFILES_H
