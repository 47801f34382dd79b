//===- NpyIO.h - NumPy .npy and .npz files ----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Reads and writes HostTensors as NumPy .npy files (format versions 1.0, 2.0
// and 3.0; little-endian numeric and bool dtypes, C order) and .npz archives
// (zip files of .npy members, stored or deflated, with zip64 records).
//
// Writing is deterministic: .npy headers are laid out byte for byte as
// numpy.save lays them out, and .npz archives are stored (uncompressed) zips,
// as numpy.savez writes them, with a fixed 1980-01-01 00:00 timestamp.
//
// Every error names the file (or the archive and member) and the problem,
// e.g. "x.npy: unsupported dtype '<c8'"; corrupt or truncated input is an
// error, never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_RUNTIME_NPYIO_H
#define QCOMP_RUNTIME_NPYIO_H

#include "qcomp/Runtime/HostTensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace mlir::qcomp {

/// Reads the .npy file at `path`.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);

/// Parses the contents of a .npy file; `nameForErrors` starts every error
/// message.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes,
                                    llvm::StringRef nameForErrors);

/// Writes `t` to `path` as a .npy file (the bytes of serializeNpy).
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &t);

/// The bytes numpy.save writes for `t`: a version 1.0 header (2.0 only if
/// the header does not fit in 65535 bytes) padded with spaces and '\n' so
/// that the data starts at a multiple of 64 bytes, then the little-endian,
/// row-major data.
std::string serializeNpy(const HostTensor &t);

/// Reads the .npz archive at `path`: one (name, tensor) pair per member, in
/// archive order, with the ".npy" suffix removed from the name. Members may
/// be stored or deflated; their CRC-32s are checked.
llvm::Expected<std::vector<std::pair<std::string, HostTensor>>>
readNpz(llvm::StringRef path);

/// Writes `members` to `path` as a .npz archive of stored (uncompressed)
/// members "<name>.npy", in the given order, as numpy.savez does. Names must
/// be non-empty and distinct.
llvm::Error
writeNpz(llvm::StringRef path,
         llvm::ArrayRef<std::pair<std::string, HostTensor>> members);

} // namespace mlir::qcomp

#endif // QCOMP_RUNTIME_NPYIO_H
