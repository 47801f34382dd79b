//===- PropagateScales.h - Scale propagation patterns -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The rewrite patterns behind qc-propagate-scales, for passes and pipelines
// that want them in their own greedy rewrite.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_LIB_TRANSFORMS_PROPAGATESCALES_H
#define QCOMP_LIB_TRANSFORMS_PROPAGATESCALES_H

namespace mlir {
class RewritePatternSet;

namespace qcomp {

/// Adds the patterns of qc-propagate-scales to `patterns`: quantize pushed
/// backwards and dequantize forwards through value-preserving ops, ReLU and
/// clamp folded into storage ranges, quantize(dequantize) and quantized
/// contraction results, requantize chains. With `fixedPoint`, the
/// requantizations it creates use the fixed-point multiplier and shift.
void populatePropagateScalesPatterns(RewritePatternSet &patterns,
                                     bool fixedPoint = false);

} // namespace qcomp
} // namespace mlir

#endif // QCOMP_LIB_TRANSFORMS_PROPAGATESCALES_H
