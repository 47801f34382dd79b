//===- Quantize.cpp - Float matmuls and convolutions to qc ops ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-quantize: rewrites linalg matmuls, batch matmuls and 2-D convolutions
// into qc.matmul / qc.batch_matmul / qc.conv2d on quantized operands (see the
// pass description in Passes.td). This file holds the pass and its options;
// the rewriting is the Quantizer (Quantizer.h): per op, decide whether and
// how it is quantized (scheme, exclusions), quantize its activation operands
// (static from #qc.stats, or dynamic), quantize its constant weights at
// compile time, fold a following constant bias, and replace it by the qc op,
// whose result is float. An op that stays float gets a remark saying why.
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCQUANTIZEPASS
#include "qcomp/Transforms/Passes.h.inc"
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;
using namespace mlir::qcomp::quantizer;

namespace {
struct QuantizePass : qcomp::impl::QCQuantizePassBase<QuantizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto fail = [&](llvm::Error error) {
      func.emitError() << "qc-quantize: " << llvm::toString(std::move(error));
      signalPassFailure();
    };
    llvm::Expected<OpScheme> scheme = getNamedScheme(this->scheme);
    if (!scheme)
      return fail(scheme.takeError());
    SchemeOverrides overrides;
    overrides.weightBits = weightBits;
    overrides.weightGranularity = weightGranularity;
    overrides.groupSize = groupSize;
    overrides.weightSymmetric = weightSymmetric;
    overrides.weightRange = weightRange;
    overrides.activations = activations;
    overrides.activationGranularity = activationGranularity;
    overrides.activationSymmetric = activationSymmetric;
    if (llvm::Error error = applyOverrides(*scheme, overrides))
      return fail(std::move(error));
    RangeOptions rangeOptions;
    std::optional<RangeMethod> method = parseRangeMethod(rangeMethod);
    if (!method)
      return fail(llvm::createStringError(
          "unknown range-method '" + rangeMethod +
          "' (expected minmax, percentile, entropy or mse)"));
    rangeOptions.method = *method;
    rangeOptions.percentile = percentile;
    QCQuantizePassOptions options;
    options.only.assign(only.begin(), only.end());
    options.exclude.assign(exclude.begin(), exclude.end());
    options.keepFirst = keepFirst;
    options.keepLast = keepLast;
    options.layerBits.assign(layerBits.begin(), layerBits.end());
    options.activationProducts = activationProducts;
    Quantizer quantizer(func, options, *scheme, rangeOptions);
    if (failed(quantizer.run()))
      signalPassFailure();
  }
};
} // namespace
