//===- LayerNames.h - Stable names of the ops of a model --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// How the passes name a layer, so that calibration ids, exclusion patterns,
// remarks and per-layer reports agree: the op's name location (the ONNX node
// name), else `<op name>_<index>`, the index counting the ops of that name in
// the function in program order.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TRANSFORMS_LAYERNAMES_H
#define QCOMP_TRANSFORMS_LAYERNAMES_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <string>

namespace mlir::qcomp {

/// The first non-empty name location in `loc` (looking into fused
/// locations), if any.
std::optional<std::string> getLocationName(Location loc);

/// Names the ops of one function (or any region-holding op).
class LayerNamer {
public:
  explicit LayerNamer(Operation *scope);

  /// The op's name location, else `<op name>_<index>`.
  std::string getName(Operation *op) const;

private:
  llvm::DenseMap<Operation *, unsigned> indices;
};

} // namespace mlir::qcomp

#endif // QCOMP_TRANSFORMS_LAYERNAMES_H
