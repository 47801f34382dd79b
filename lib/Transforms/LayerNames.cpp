//===- LayerNames.cpp - Stable names of the ops of a model ----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qcomp/Transforms/LayerNames.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"

using namespace mlir;
using namespace mlir::qcomp;

std::optional<std::string> qcomp::getLocationName(Location loc) {
  if (auto nameLoc = dyn_cast<NameLoc>(loc)) {
    if (!nameLoc.getName().getValue().empty())
      return nameLoc.getName().str();
    return getLocationName(nameLoc.getChildLoc());
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto name = getLocationName(inner))
        return name;
  return std::nullopt;
}

LayerNamer::LayerNamer(Operation *scope) {
  llvm::StringMap<unsigned> counters;
  scope->walk([&](Operation *op) {
    indices[op] = counters[op->getName().getStringRef()]++;
  });
}

std::string LayerNamer::getName(Operation *op) const {
  if (std::optional<std::string> name = getLocationName(op->getLoc()))
    return *name;
  return (op->getName().getStringRef() + "_" + llvm::Twine(indices.lookup(op)))
      .str();
}
