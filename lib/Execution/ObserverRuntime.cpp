//===- ObserverRuntime.cpp - Where JIT-compiled observers report ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "ObserverRuntime.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::qcomp;

static thread_local ObserverCollector *activeCollector = nullptr;

namespace {
/// MLIR's unranked memref as passed by the C interface, and the ranked
/// descriptor it points to: {allocated, aligned, offset, sizes[r],
/// strides[r]}.
struct UnrankedMemRef {
  int64_t rank;
  void *descriptor;
};
struct RankedPrefix {
  float *allocated;
  float *aligned;
  int64_t offset;
};
} // namespace

extern "C" void _mlir_ciface_qcomp_observe_f32(int64_t index,
                                               UnrankedMemRef *tensor) {
  if (!activeCollector || !tensor || !tensor->descriptor)
    return;
  auto *prefix = static_cast<RankedPrefix *>(tensor->descriptor);
  auto *sizes = reinterpret_cast<int64_t *>(prefix + 1);
  llvm::ArrayRef<int64_t> shape(sizes, tensor->rank);
  llvm::ArrayRef<int64_t> strides(sizes + tensor->rank, tensor->rank);
  activeCollector->observe(index, prefix->aligned + prefix->offset, shape,
                           strides);
}

ObserverCollector::ObserverCollector(std::vector<Observer> observers,
                                     unsigned numBins)
    : observers(std::move(observers)) {
  for (const Observer &observer : this->observers)
    statistics.emplace_back(observer.channelAxis, numBins);
}

const char *ObserverCollector::getEntryPointName() {
  return "_mlir_ciface_qcomp_observe_f32";
}

void *ObserverCollector::getEntryPointAddress() {
  return reinterpret_cast<void *>(&_mlir_ciface_qcomp_observe_f32);
}

void ObserverCollector::observe(int64_t index, const float *data,
                                llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<int64_t> strides) {
  if (!error.empty())
    return;
  if (index < 0 || index >= (int64_t)statistics.size()) {
    error = llvm::formatv("observer index {0} out of range", index).str();
    return;
  }
  // Gather strided views into a dense row-major buffer.
  int64_t n = 1;
  bool dense = true;
  for (int64_t d = shape.size() - 1, expected = 1; d >= 0; --d) {
    if (shape[d] != 1 && strides[d] != expected)
      dense = false;
    expected *= shape[d];
    n *= shape[d];
  }
  const float *values = data;
  if (!dense) {
    scratch.resize(n);
    llvm::SmallVector<int64_t> position(shape.size(), 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t offset = 0;
      for (size_t d = 0; d < shape.size(); ++d)
        offset += position[d] * strides[d];
      scratch[i] = data[offset];
      for (int64_t d = shape.size() - 1; d >= 0; --d) {
        if (++position[d] < shape[d])
          break;
        position[d] = 0;
      }
    }
    values = scratch.data();
  }
  if (llvm::Error err = statistics[index].observe(values, shape))
    error = "observer '" + observers[index].id +
            "': " + llvm::toString(std::move(err));
}

llvm::Error ObserverCollector::takeError() {
  if (error.empty())
    return llvm::Error::success();
  std::string message = std::move(error);
  error.clear();
  return llvm::createStringError(message);
}

ObserverCollector::Activation::Activation(ObserverCollector &collector)
    : previous(activeCollector) {
  activeCollector = &collector;
}

ObserverCollector::Activation::~Activation() { activeCollector = previous; }
