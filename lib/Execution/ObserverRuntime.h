//===- ObserverRuntime.h - Where JIT-compiled observers report --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The C entry point that qc-lower-observers-to-runtime's calls reach,
//
//   void _mlir_ciface_qcomp_observe_f32(int64_t index,
//                                       UnrankedMemRefType<float> *tensor);
//
// and the collector it feeds: one TensorStatistics per observer index. A
// collector is made active on the calling thread for the duration of a run.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_EXECUTION_OBSERVERRUNTIME_H
#define QCOMP_LIB_EXECUTION_OBSERVERRUNTIME_H

#include "qcomp/Calibration/TensorStatistics.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::qcomp {

class ObserverCollector {
public:
  struct Observer {
    std::string id;
    int64_t channelAxis = -1;
  };

  ObserverCollector(std::vector<Observer> observers, unsigned numBins);

  /// The C symbol name and address to give the JIT.
  static const char *getEntryPointName();
  static void *getEntryPointAddress();

  /// Records one tensor for observer `index` (called from compiled code).
  void observe(int64_t index, const float *data, llvm::ArrayRef<int64_t> shape,
               llvm::ArrayRef<int64_t> strides);

  /// The first error an observation hit (channel mismatch, bad index), once.
  llvm::Error takeError();

  llvm::ArrayRef<Observer> getObservers() const { return observers; }
  const TensorStatistics &getStatistics(size_t index) const {
    return statistics[index];
  }

  /// Makes `collector` receive the observations of this thread while alive.
  class Activation {
  public:
    explicit Activation(ObserverCollector &collector);
    ~Activation();

  private:
    ObserverCollector *previous;
  };

private:
  std::vector<Observer> observers;
  std::vector<TensorStatistics> statistics;
  std::string error;
  std::vector<float> scratch;
};

} // namespace mlir::qcomp

#endif // QCOMP_LIB_EXECUTION_OBSERVERRUNTIME_H
