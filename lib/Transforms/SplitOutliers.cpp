//===- SplitOutliers.cpp - LLM.int8() outlier splitting ---------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qc-split-outliers (see the pass description in Passes.td): splits a linear
// layer Y = X W along K into a matmul over the normal input channels, which
// qc-quantize makes int8, and a float matmul (`qc.skip`) over the outlier
// channels, accumulated onto the first. In static mode the outlier set comes
// from the channel maxima of the input's calibration statistics and both X
// and W are re-packed at compile time; in dynamic mode a run-time mask
// zeroes the outlier columns of one copy of X and the normal columns of
// another, and W is used by both matmuls.
//
//===----------------------------------------------------------------------===//

#include "ChannelScaling.h"
#include "Quantizer.h"
#include "WeightConstants.h"
#include "qcomp/Support/Format.h"
#include "qcomp/Transforms/LayerNames.h"
#include "qcomp/Transforms/Passes.h"
#include "qcomp/Transforms/Stats.h"
#include "qcomp/Transforms/Weights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#define DEBUG_TYPE "qc-split-outliers"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCSPLITOUTLIERSPASS
#include "qcomp/Transforms/Passes.h.inc"

namespace {
struct SplitOutliersPass : impl::QCSplitOutliersPassBase<SplitOutliersPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  void splitStatic(linalg::MatmulOp op, const std::string &name);
  void splitDynamic(linalg::MatmulOp op, const std::string &name);
};
} // namespace
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

/// At most this many channel indices are listed in a remark.
static constexpr size_t kMaxListedChannels = 16;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// True when `op` is a linear layer this pass splits: an f32 2-D
/// `linalg.matmul` on tensors with the default indexing maps, a zero init and
/// a weight (computed from constants alone) as rhs, not marked `qc.skip`.
static bool isLinearLayer(linalg::MatmulOp op) {
  if (!op.hasPureTensorSemantics() || op->hasAttr(quantizer::kSkipAttrName))
    return false;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || type.getRank() != 2 || !type.getElementType().isF32())
      return false;
  }
  auto lhsType = cast<RankedTensorType>(op.getInputs()[0].getType());
  return !ShapedType::isDynamic(lhsType.getShape().back()) &&
         quantizer::isPlainMatmul(op) && isWeight(op.getInputs()[1]);
}

/// True when `op` is the first half of a layer this pass already split: its
/// only user is a `qc.skip` matmul accumulating onto it.
static bool isAlreadySplit(linalg::MatmulOp op) {
  if (!op->getResult(0).hasOneUse())
    return false;
  auto user = dyn_cast<linalg::MatmulOp>(*op->getResult(0).getUsers().begin());
  return user && user->hasAttr(quantizer::kSkipAttrName) &&
         user.getDpsInits()[0] == op->getResult(0);
}

/// `indices` (ascending) as "[i, j, ...]", at most kMaxListedChannels.
static std::string formatChannels(ArrayRef<int64_t> indices) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(indices.take_front(kMaxListedChannels), os);
  if (indices.size() > kMaxListedChannels)
    os << ", ... (" << indices.size() - kMaxListedChannels << " more)";
  os << "]";
  return text;
}

/// Columns `indices` (ascending) of the M x K tensor `x` (M = `rows`), one
/// `tensor.extract_slice` per run of consecutive columns, concatenated along
/// K when there are several runs:
///
///   %r0 = tensor.extract_slice %x[0, 0] [M, 2] [1, 1]
///   %r1 = tensor.extract_slice %x[0, 3] [M, 1] [1, 1]
///   %g = tensor.concat dim(1) %r0, %r1 : (...) -> tensor<Mx3xf32>
static Value gatherColumns(OpBuilder &b, Location loc, Value x,
                           OpFoldResult rows, ArrayRef<int64_t> indices) {
  SmallVector<Value> runs;
  for (size_t begin = 0; begin < indices.size();) {
    size_t end = begin + 1;
    while (end < indices.size() && indices[end] == indices[end - 1] + 1)
      ++end;
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0),
                                         b.getIndexAttr(indices[begin])};
    SmallVector<OpFoldResult> sizes = {rows, b.getIndexAttr(end - begin)};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    runs.push_back(
        tensor::ExtractSliceOp::create(b, loc, x, offsets, sizes, strides));
    begin = end;
  }
  if (runs.size() == 1)
    return runs.front();
  return tensor::ConcatOp::create(b, loc, /*dim=*/1, runs);
}

/// Rows `indices` of the K x N weight `w` as a new constant:
///
///   %w = arith.constant dense<[[...], ...]> : tensor<kxNxf32>
static Value gatherRows(OpBuilder &b, Location loc, const FloatConstant &w,
                        ArrayRef<int64_t> indices) {
  int64_t n = w.shape[1];
  std::vector<float> values;
  values.reserve(indices.size() * n);
  for (int64_t row : indices)
    values.insert(values.end(), w.values.begin() + row * n,
                  w.values.begin() + (row + 1) * n);
  auto type =
      RankedTensorType::get({(int64_t)indices.size(), n}, b.getF32Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<float>(values)));
}

/// Builds the two matmuls of a split layer in place of `op` and replaces it:
///
///   %yn = linalg.matmul ins(%xn, %wn) outs(%zero_init)        (op's loc)
///   %y = linalg.matmul {qc.skip = "the outlier channels of 'NAME', ..."}
///          ins(%xo, %wo) outs(%yn)  loc("NAME.outliers")
///
/// The first keeps op's discardable attributes (a front end's scheme
/// choice) except its statistics, which move to %y (the same tensor as op's
/// result).
static void replaceBySplit(linalg::MatmulOp op, const std::string &name,
                           Value xn, Value wn, Value xo, Value wo) {
  OpBuilder b(op);
  Location outlierLoc =
      NameLoc::get(b.getStringAttr(name + ".outliers"), op->getLoc());
  auto normal = linalg::MatmulOp::create(b, op->getLoc(), ValueRange{xn, wn},
                                         op.getDpsInits());
  for (NamedAttribute attr : op->getDiscardableAttrs())
    if (attr.getName() != kStatsAttrName)
      normal->setAttr(attr.getName(), attr.getValue());
  auto outliers = linalg::MatmulOp::create(b, outlierLoc, ValueRange{xo, wo},
                                           ValueRange{normal->getResult(0)});
  outliers->setAttr(quantizer::kSkipAttrName,
                    b.getStringAttr("the outlier channels of '" + name +
                                    "', computed in float by "
                                    "qc-split-outliers"));
  Value rhs = op.getInputs()[1];
  quantizer::replaceKeepingStats(op->getResult(0), outliers->getResult(0));
  op->erase();
  if (Operation *def = rhs.getDefiningOp())
    eraseDeadConstantChain(def);
}

//===----------------------------------------------------------------------===//
// Static mode
//===----------------------------------------------------------------------===//

void SplitOutliersPass::splitStatic(linalg::MatmulOp op,
                                    const std::string &name) {
  auto notSplit = [&](const llvm::Twine &reason) {
    op->emitRemark() << "layer '" << name << "' is not split: " << reason;
  };
  Value x = op.getInputs()[0];
  int64_t k = cast<RankedTensorType>(x.getType()).getShape().back();
  qc::StatsAttr stats = getValueStats(x);
  if (!stats)
    return notSplit("its input has no calibration statistics");
  if (!stats.getChannelAbsmax() || stats.getChannelAxis() != 1 ||
      (int64_t)stats.getChannelAbsmax().size() != k)
    return notSplit("its input has no per-channel statistics along K");
  ArrayRef<double> absMax = stats.getChannelAbsmax().asArrayRef();

  // Channels by decreasing maximum (ties: lower index first).
  SmallVector<int64_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return absMax[a] > absMax[b]; });
  size_t count;
  if (topK > 0)
    count = std::min<size_t>(topK, k);
  else
    count = llvm::count_if(absMax, [&](double m) { return m > threshold; });
  if (count == 0)
    return;
  auto limit = (size_t)std::floor(maxFraction * (double)k);
  if (limit == 0)
    return notSplit("max-fraction=" + formatDouble(maxFraction) +
                    " allows no float channel out of " + llvm::Twine(k));
  if (count > limit) {
    op->emitRemark() << "layer '" << name
                     << "': max-fraction=" << formatDouble(maxFraction)
                     << " keeps " << limit << " of its " << count
                     << " outlier channels";
    count = limit;
  }
  if ((int64_t)count == k)
    return notSplit("all " + llvm::Twine(k) + " channels are outliers");
  FailureOr<FloatConstant> weight = evaluateFloatConstant(op.getInputs()[1]);
  if (failed(weight))
    return notSplit("its weight cannot be evaluated at compile time");

  SmallVector<int64_t> outliers(order.begin(), order.begin() + count);
  llvm::sort(outliers);
  llvm::BitVector isOutlier(k);
  for (int64_t j : outliers)
    isOutlier.set(j);
  SmallVector<int64_t> normal;
  for (int64_t j = 0; j < k; ++j)
    if (!isOutlier[j])
      normal.push_back(j);
  LLVM_DEBUG(llvm::dbgs() << DEBUG_TYPE ": " << name << ": "
                          << formatChannels(outliers) << "\n");
  op->emitRemark() << "layer '" << name << "': " << count << " of " << k
                   << " channels in float ("
                   << llvm::formatv("{0:F1}", 100.0 * count / k).str()
                   << "% of K): " << formatChannels(outliers);

  OpBuilder b(op);
  Location loc = op->getLoc();
  OpFoldResult rows = tensor::getMixedSize(b, loc, x, 0);
  Value xn = gatherColumns(b, loc, x, rows, normal);
  Value xo = gatherColumns(b, loc, x, rows, outliers);
  Value wn = gatherRows(b, loc, *weight, normal);
  Value wo = gatherRows(b, loc, *weight, outliers);
  (void)setValueStats(xn, selectChannelStats(stats, normal));
  (void)setValueStats(xo, selectChannelStats(stats, outliers));
  replaceBySplit(op, name, xn, wn, xo, wo);
}

//===----------------------------------------------------------------------===//
// Dynamic mode
//===----------------------------------------------------------------------===//

/// Masks the M x K tensor `x` by the columns whose absolute maximum exceeds
/// `threshold`, at run time; returns (normal part, outlier part):
///
///   %m0 = linalg.fill ins(%false) outs(tensor.empty(K) : tensor<Kxi1>)
///   %m = linalg.generic {reduction over rows} ins(%x) outs(%m0) {
///     %o = (%v > t) | (%v < -t)
///     yield %acc | %o }
///   %xn, %xo = linalg.generic {elementwise} ins(%x, %m[j]) {
///     yield select(%mj, 0, %v), select(%mj, %v, 0) }
///
/// Ordered comparisons: a NaN never marks its column.
static std::pair<Value, Value> maskOutliers(OpBuilder &b, Location loc, Value x,
                                            double threshold) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  Value empty = tensor::EmptyOp::create(b, loc, sizes[1], b.getI1Type());
  Value falseValue = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
  Value init = linalg::FillOp::create(b, loc, falseValue, empty).getResult(0);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap column = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
  float t = threshold;
  auto mask = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
      ArrayRef<AffineMap>{identity, column},
      ArrayRef<utils::IteratorType>{utils::IteratorType::reduction,
                                    utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value hi = arith::ConstantOp::create(nb, nloc, nb.getF32FloatAttr(t));
        Value lo = arith::ConstantOp::create(nb, nloc, nb.getF32FloatAttr(-t));
        Value above = arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OGT,
                                            args[0], hi);
        Value below = arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OLT,
                                            args[0], lo);
        Value outlier = arith::OrIOp::create(nb, nloc, above, below);
        Value acc = arith::OrIOp::create(nb, nloc, args[1], outlier);
        linalg::YieldOp::create(nb, nloc, acc);
      });

  Value normalInit = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  Value outlierInit = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  auto split = linalg::GenericOp::create(
      b, loc, TypeRange{xType, xType}, ValueRange{x, mask.getResult(0)},
      ValueRange{normalInit, outlierInit},
      ArrayRef<AffineMap>{identity, column, identity, identity},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                    utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value zero = arith::ConstantOp::create(nb, nloc, nb.getF32FloatAttr(0));
        Value normal =
            arith::SelectOp::create(nb, nloc, args[1], zero, args[0]);
        Value outlier =
            arith::SelectOp::create(nb, nloc, args[1], args[0], zero);
        linalg::YieldOp::create(nb, nloc, ValueRange{normal, outlier});
      });
  return {split.getResult(0), split.getResult(1)};
}

void SplitOutliersPass::splitDynamic(linalg::MatmulOp op,
                                     const std::string &name) {
  op->emitRemark() << "layer '" << name << "': channels with max |x| > "
                   << formatDouble(threshold)
                   << " are detected per call and computed in float";
  OpBuilder b(op);
  Value x = op.getInputs()[0], w = op.getInputs()[1];
  auto [xn, xo] = maskOutliers(b, op->getLoc(), x, threshold);
  if (qc::StatsAttr stats = getValueStats(x))
    (void)setValueStats(xn, clampStats(stats, -threshold, threshold));
  replaceBySplit(op, name, xn, w, xo, w);
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

void SplitOutliersPass::runOnOperation() {
  func::FuncOp func = getOperation();
  auto fail = [&](const llvm::Twine &message) {
    func.emitError() << "qc-split-outliers: " << message;
    signalPassFailure();
  };
  if (!(threshold > 0.0) || !std::isfinite(threshold))
    return fail("threshold must be positive and finite, got " +
                formatDouble(threshold));
  if (!(maxFraction > 0.0 && maxFraction <= 1.0))
    return fail("max-fraction must be in (0, 1], got " +
                formatDouble(maxFraction));
  bool dynamic = mode == "dynamic";
  if (!dynamic && mode != "static")
    return fail("unknown mode '" + mode + "' (expected static or dynamic)");
  if (dynamic && topK > 0)
    return fail("top-k selects channels from calibration and needs "
                "mode=static");

  LayerNamer namer(func);
  SmallVector<linalg::MatmulOp> layers;
  func.walk([&](linalg::MatmulOp op) {
    if (isLinearLayer(op) && !isAlreadySplit(op))
      layers.push_back(op);
  });
  for (linalg::MatmulOp op : layers) {
    std::string name = namer.getName(op);
    if (dynamic)
      splitDynamic(op, name);
    else
      splitStatic(op, name);
  }
}
