//===- PropagateScales.cpp - Carry scales through value-preserving ops ----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Lets quantized integers flow through the ops of a float program that do not
// change values (reshapes, transposes, slices, concatenation, padding,
// max-pooling, ReLU/clamp), so that qc-quantize's dequantize / quantize pairs
// disappear wherever nothing between them computes. The rewrites are greedy
// patterns:
//
//   - qc.quantize is pushed backwards through value-preserving ops, and a
//     ReLU/clamp in front of it becomes a narrower storage range;
//   - qc.dequantize is pushed forwards through the same ops;
//   - qc.quantize(qc.dequantize(x)) becomes x or a qc.requantize, and a
//     qc.quantize of a contraction's float result makes the contraction
//     return the quantized type;
//   - requantize chains fold into one requantize.
//
// Max-pooling and padding cannot hold !quant.uniform elements (their bodies
// are arith ops), so on quantized tensors they are rebuilt on the storage
// integers between two quant.scast.
//
//===----------------------------------------------------------------------===//

#include "PropagateScales.h"
#include "qcomp/Transforms/Passes.h"

#include "qcomp/Dialect/QC/IR/QCOps.h"
#include "qcomp/Quant/QuantMath.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Debug.h"

#include <cstring>

#define DEBUG_TYPE "qc-propagate-scales"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCPROPAGATESCALESPASS
#include "qcomp/Transforms/Passes.h.inc"

namespace {
struct PropagateScalesPass
    : impl::QCPropagateScalesPassBase<PropagateScalesPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace
} // namespace mlir::qcomp

using namespace mlir;
using namespace mlir::qcomp;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// `type` (a ranked tensor) with element type `elementType`.
static RankedTensorType withElementType(Type type, Type elementType) {
  return cast<RankedTensorType>(type).clone(elementType);
}

/// The storage range of `qtype`, including an explicit narrower range.
static StorageRange getRange(quant::QuantizedType qtype) {
  return {qtype.getStorageTypeMin(), qtype.getStorageTypeMax()};
}

/// True when `op`, built detached from any block, passes its verifier. The
/// verifier's diagnostics are swallowed: they are expected when a rewrite
/// tries a type the op does not accept. To leave other diagnostics (and
/// other threads') alone, the op carries a marker location while verified.
static bool verifiesSilently(Operation *op) {
  MLIRContext *ctx = op->getContext();
  Location original = op->getLoc();
  Location marker =
      NameLoc::get(StringAttr::get(ctx, "qc-propagate-scales.trial"), original);
  op->setLoc(marker);
  bool valid;
  {
    ScopedDiagnosticHandler silence(ctx, [&](Diagnostic &diag) {
      return success(diag.getLocation() == marker);
    });
    valid = succeeded(verify(op, /*verifyRecursively=*/false));
  }
  op->setLoc(original);
  return valid;
}

/// Inserts `op`, built detached, at the rewriter's insertion point when it
/// verifies; destroys it otherwise.
static LogicalResult insertIfValid(PatternRewriter &rewriter, Operation *op) {
  if (!verifiesSilently(op)) {
    LLVM_DEBUG(llvm::dbgs()
               << DEBUG_TYPE << ": verifier rejects " << *op << "\n");
    op->erase();
    return failure();
  }
  rewriter.insert(op);
  return success();
}

/// The float value of a scalar or splat constant, if `value` is one.
static std::optional<float> getConstantFloat(Value value) {
  FloatAttr scalar;
  if (matchPattern(value, m_Constant(&scalar)) && scalar.getType().isF32())
    return scalar.getValue().convertToFloat();
  DenseFPElementsAttr splat;
  if (matchPattern(value, m_Constant(&splat)) && splat.isSplat() &&
      splat.getElementType().isF32())
    return splat.getSplatValue<APFloat>().convertToFloat();
  return std::nullopt;
}

/// The fill value of a max-pooling init: `linalg.fill` of a constant scalar
/// or a splat constant.
static std::optional<float> getFillValue(Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return getConstantFloat(fill.getInputs()[0]);
  return getConstantFloat(init);
}

/// `qtype` when it can cross an op that maps each of its dimensions to
/// another by `mapAxis`, else null. Tensor and linalg ops keep their element
/// type, so a per-axis type crosses only when its axis keeps its index (the
/// dimension it names is not merged, split, sliced, concatenated, pooled or
/// moved); per-tensor types always cross, sub-channel types never.
static quant::QuantizedType
keepAxis(quant::QuantizedType qtype,
         function_ref<std::optional<int64_t>(int64_t)> mapAxis) {
  if (isa<quant::UniformQuantizedType>(qtype))
    return qtype;
  auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(qtype);
  if (!perAxis)
    return {};
  int64_t axis = perAxis.getQuantizedDimension();
  return mapAxis(axis) == axis ? qtype : quant::QuantizedType();
}

/// True for a static dimension of size 1.
static bool isUnitDim(int64_t size) { return size == 1; }

/// For a reshape with reassociation `groups` between a collapsed shape and
/// the `expanded` shape: the expanded dimension that carries collapsed
/// dimension `dim`, i.e. the only non-unit dimension of its group (the first
/// one if all are unit). None when several are not unit.
static std::optional<int64_t>
collapsedToExpanded(ArrayRef<ReassociationIndices> groups,
                    ArrayRef<int64_t> expanded, int64_t dim) {
  std::optional<int64_t> found;
  for (int64_t d : groups[dim]) {
    if (isUnitDim(expanded[d]))
      continue;
    if (found)
      return std::nullopt;
    found = d;
  }
  return found ? found : std::optional<int64_t>(groups[dim].front());
}

/// The inverse of collapsedToExpanded: the collapsed dimension whose group
/// holds expanded dimension `dim`, when all other dimensions of that group
/// are unit.
static std::optional<int64_t>
expandedToCollapsed(ArrayRef<ReassociationIndices> groups,
                    ArrayRef<int64_t> expanded, int64_t dim) {
  for (auto [index, group] : llvm::enumerate(groups)) {
    if (!llvm::is_contained(group, dim))
      continue;
    for (int64_t d : group)
      if (d != dim && !isUnitDim(expanded[d]))
        return std::nullopt;
    return static_cast<int64_t>(index);
  }
  return std::nullopt;
}

/// True when `slice` takes dimension `dim` of its source whole.
static bool takesWholeDim(tensor::ExtractSliceOp slice, int64_t dim) {
  std::optional<int64_t> offset =
      getConstantIntValue(slice.getMixedOffsets()[dim]);
  std::optional<int64_t> size = getConstantIntValue(slice.getMixedSizes()[dim]);
  std::optional<int64_t> stride =
      getConstantIntValue(slice.getMixedStrides()[dim]);
  int64_t sourceSize = slice.getSourceType().getDimSize(dim);
  return offset == 0 && stride == 1 && size &&
         !ShapedType::isDynamic(sourceSize) && *size == sourceSize;
}

/// A closed interval of reals.
struct RealRange {
  double lo, hi;
  bool covers(const RealRange &other) const {
    return lo <= other.lo && hi >= other.hi;
  }
};

/// The reals a tensor of `qtype` (rank `rank`) represents: its storage range
/// [qmin, qmax] dequantized, (q - z) * s. With several scales, the interval
/// every element can represent (`intersect`) or any element can (union).
static std::optional<RealRange> getRealRange(quant::QuantizedType qtype,
                                             unsigned rank, bool intersect) {
  FailureOr<qc::QuantParamLayout> layout = qc::getQuantParamLayout(qtype, rank);
  if (failed(layout))
    return std::nullopt;
  std::optional<RealRange> result;
  for (auto [scale, zeroPoint] :
       llvm::zip(layout->scales, layout->zeroPoints)) {
    RealRange range{(qtype.getStorageTypeMin() - zeroPoint) * scale,
                    (qtype.getStorageTypeMax() - zeroPoint) * scale};
    if (!result)
      result = range;
    else if (intersect)
      result = RealRange{std::max(result->lo, range.lo),
                         std::min(result->hi, range.hi)};
    else
      result = RealRange{std::min(result->lo, range.lo),
                         std::max(result->hi, range.hi)};
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Value-preserving ops
//===----------------------------------------------------------------------===//
//
// The ops the patterns move quantization across, described by three
// functions: which operands carry the values, how a quantized element type
// maps from the result to those operands (backward) and from them to the
// result (forward), and how the op is rebuilt on quantized operands.

namespace {
enum class Direction { Backward, Forward };
} // namespace

/// True for the ops quantization is moved across.
static bool isValuePreserving(Operation *op) {
  return isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
             tensor::ExtractSliceOp, tensor::ConcatOp, tensor::PadOp,
             linalg::TransposeOp, linalg::PoolingNchwMaxOp>(op);
}

/// The operands of value-preserving op `op` that carry the values (the
/// others are sizes, offsets, the pooling window shape or the init).
static SmallVector<OpOperand *> getDataOperands(Operation *op) {
  if (isa<tensor::ConcatOp>(op))
    return llvm::map_to_vector(op->getOpOperands(),
                               [](OpOperand &operand) { return &operand; });
  return {&op->getOpOperand(0)};
}

/// The quantized element type of `op`'s data operands for result element
/// type `qtype` (backward), or of its result for data operands of element
/// type `qtype` (forward); null when the type cannot cross `op` (see
/// keepAxis; padding needs a per-tensor type, max-pooling signed storage).
static quant::QuantizedType
mapElementType(Operation *op, quant::QuantizedType qtype, Direction direction) {
  bool backward = direction == Direction::Backward;
  return llvm::TypeSwitch<Operation *, quant::QuantizedType>(op)
      .Case([&](tensor::CollapseShapeOp reshape) {
        auto groups = reshape.getReassociationIndices();
        ArrayRef<int64_t> src = reshape.getSrcType().getShape();
        return keepAxis(qtype, [&](int64_t axis) {
          return backward ? collapsedToExpanded(groups, src, axis)
                          : expandedToCollapsed(groups, src, axis);
        });
      })
      .Case([&](tensor::ExpandShapeOp reshape) {
        auto groups = reshape.getReassociationIndices();
        ArrayRef<int64_t> res = reshape.getResultType().getShape();
        return keepAxis(qtype, [&](int64_t axis) {
          return backward ? expandedToCollapsed(groups, res, axis)
                          : collapsedToExpanded(groups, res, axis);
        });
      })
      .Case([&](linalg::TransposeOp transpose) {
        ArrayRef<int64_t> perm = transpose.getPermutation();
        // Result dimension i is input dimension perm[i].
        return keepAxis(qtype, [&](int64_t axis) -> std::optional<int64_t> {
          if (backward)
            return perm[axis];
          return llvm::find(perm, axis) - perm.begin();
        });
      })
      .Case([&](tensor::ExtractSliceOp slice) {
        llvm::SmallBitVector dropped = slice.getDroppedDims();
        int64_t sourceRank = slice.getSourceType().getRank();
        return keepAxis(qtype, [&](int64_t axis) -> std::optional<int64_t> {
          // Source dimension s is result dimension s - (dropped before s).
          int64_t resultDim = 0;
          for (int64_t s = 0; s < sourceRank; ++s) {
            if (dropped.test(s))
              continue;
            if ((backward ? resultDim : s) == axis)
              return takesWholeDim(slice, s)
                         ? std::optional<int64_t>(backward ? s : resultDim)
                         : std::nullopt;
            ++resultDim;
          }
          return std::nullopt;
        });
      })
      .Case([&](tensor::ConcatOp concat) {
        int64_t dim = concat.getDim();
        return keepAxis(qtype, [&](int64_t axis) -> std::optional<int64_t> {
          if (axis == dim)
            return std::nullopt;
          return axis;
        });
      })
      .Case([&](linalg::PoolingNchwMaxOp) {
        // Max commutes with a monotonic map per (n, c); signed storage only
        // (the integer pooling compares signed).
        if (!qtype.isSigned())
          return quant::QuantizedType();
        return keepAxis(qtype, [&](int64_t axis) -> std::optional<int64_t> {
          if (axis > 1)
            return std::nullopt;
          return axis;
        });
      })
      .Case([&](tensor::PadOp) {
        // One padding value: per tensor only.
        return isa<quant::UniformQuantizedType>(qtype) ? qtype
                                                       : quant::QuantizedType();
      })
      .Default([](Operation *) { return quant::QuantizedType(); });
}

/// The storage value that max-pooling or padding `op` uses on quantized
/// operands of element type `qtype` in place of its float init or padding
/// value; none for the other ops. Fails when that value cannot be exact:
///
/// - backward, qc.quantize(op(y)) = op'(qc.quantize(y)) holds for any
///   constant c when c is replaced by qc.quantize(c), since quantization is
///   monotonic (max commutes) and elementwise (padding commutes);
/// - forward, op(qc.dequantize(x)) = qc.dequantize(op'(x)) needs a storage
///   value q with dequantize(q) == c bit for bit, except for the max-pooling
///   init -inf, which is neutral for max and is replaced by qmin (every
///   window holds at least one input element).
static FailureOr<std::optional<int64_t>>
getStorageConstant(Operation *op, quant::QuantizedType qtype,
                   Direction direction) {
  bool backward = direction == Direction::Backward;
  StorageRange range = getRange(qtype);
  if (auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(op)) {
    std::optional<float> init = getFillValue(pool.getOutputs()[0]);
    if (!init)
      return failure();
    if (std::isinf(*init) && *init < 0)
      return std::optional<int64_t>(range.min);
    auto perTensor = dyn_cast<quant::UniformQuantizedType>(qtype);
    if (!backward || !perTensor)
      return failure();
    return std::optional<int64_t>(
        quantizeValue(*init, static_cast<float>(perTensor.getScale()),
                      perTensor.getZeroPoint(), range));
  }
  if (auto pad = dyn_cast<tensor::PadOp>(op)) {
    Value padding = pad.getConstantPaddingValue();
    std::optional<float> value =
        padding ? getConstantFloat(padding) : std::nullopt;
    auto perTensor = dyn_cast<quant::UniformQuantizedType>(qtype);
    if (!value || !perTensor)
      return failure();
    auto scale = static_cast<float>(perTensor.getScale());
    int64_t q = quantizeValue(*value, scale, perTensor.getZeroPoint(), range);
    if (!backward) {
      float back = dequantizeValue(q, scale, perTensor.getZeroPoint());
      if (std::memcmp(&back, &*value, sizeof(float)) != 0)
        return failure();
    }
    return std::optional<int64_t>(q);
  }
  return std::optional<int64_t>();
}

/// Reinterprets a quantized tensor as its storage integers or back:
///   %s = quant.scast %v : tensor<4x!quant.uniform<i8:f32, 0.1>> to
///   tensor<4xi8>
static Value storageCast(OpBuilder &b, Location loc, Value value, Type type) {
  return quant::StorageCastOp::create(b, loc, type, value);
}

/// An `iN` constant of the storage type of `qtype`.
static Value createStorageConstant(OpBuilder &b, Location loc,
                                   quant::QuantizedType qtype, int64_t value) {
  auto storage = cast<IntegerType>(qtype.getStorageType());
  APInt bits(storage.getWidth(), static_cast<uint64_t>(value),
             /*isSigned=*/qtype.isSigned(), /*implicitTrunc=*/true);
  return arith::ConstantOp::create(b, loc, IntegerAttr::get(storage, bits));
}

/// Rebuilds value-preserving `op` on `data`, quantized tensors that replace
/// its data operands, so that it returns element type `resultType`.
/// `storageConstant` is the init (max-pooling) or padding value on storage
/// integers. Returns the new result.
///
/// Reshapes, slices and concatenation are cloned with new types; a
/// transpose gets a quantized `tensor.empty` init. Max-pooling and padding
/// work on the storage integers (!q a quantized type with i8 storage):
///   %s = quant.scast %data : tensor<1x4x8x8x!q> to tensor<1x4x8x8xi8>
///   %c = arith.constant -128 : i8
///   %i = linalg.fill ins(%c : i8) outs(%e : tensor<1x4x4x4xi8>) -> ...
///   %p = linalg.pooling_nchw_max ins(%s, %window : ...) outs(%i : ...) -> ...
///   %r = quant.scast %p : tensor<1x4x4x4xi8> to tensor<1x4x4x4x!q>
static Value rebuildOnQuantized(PatternRewriter &rewriter, Operation *op,
                                ValueRange data,
                                quant::QuantizedType resultType,
                                std::optional<int64_t> storageConstant) {
  Location loc = op->getLoc();
  Type newResultType = withElementType(op->getResult(0).getType(), resultType);
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
          tensor::ExtractSliceOp, tensor::ConcatOp>(op)) {
    IRMapping mapping;
    for (auto [operand, value] : llvm::zip(getDataOperands(op), data))
      mapping.map(operand->get(), value);
    Operation *clone = rewriter.clone(*op, mapping);
    rewriter.modifyOpInPlace(
        clone, [&] { clone->getResult(0).setType(newResultType); });
    return clone->getResult(0);
  }
  if (auto transpose = dyn_cast<linalg::TransposeOp>(op)) {
    ArrayRef<int64_t> perm = transpose.getPermutation();
    SmallVector<OpFoldResult> inputSizes =
        tensor::getMixedSizes(rewriter, loc, data[0]);
    SmallVector<OpFoldResult> sizes =
        llvm::map_to_vector(perm, [&](int64_t d) { return inputSizes[d]; });
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes, resultType);
    return linalg::TransposeOp::create(rewriter, loc, data[0], init, perm)
        .getResult()[0];
  }
  auto storageOf = [&](Type type) {
    return withElementType(type, resultType.getStorageType());
  };
  if (auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(op)) {
    Value input =
        storageCast(rewriter, loc, data[0], storageOf(data[0].getType()));
    Value oldInit = pool.getOutputs()[0];
    Value empty = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, oldInit),
        resultType.getStorageType());
    Value lowest =
        createStorageConstant(rewriter, loc, resultType, *storageConstant);
    Value init =
        linalg::FillOp::create(rewriter, loc, lowest, empty).getResult(0);
    auto pooled = linalg::PoolingNchwMaxOp::create(
        rewriter, loc, TypeRange{init.getType()},
        ValueRange{input, pool.getInputs()[1]}, ValueRange{init},
        pool.getStrides(), pool.getDilations());
    return storageCast(rewriter, loc, pooled.getResult(0), newResultType);
  }
  auto pad = cast<tensor::PadOp>(op);
  Value source =
      storageCast(rewriter, loc, data[0], storageOf(data[0].getType()));
  Value padding =
      createStorageConstant(rewriter, loc, resultType, *storageConstant);
  Value padded = tensor::PadOp::create(
      rewriter, loc, storageOf(pad.getResultType()), source,
      pad.getMixedLowPad(), pad.getMixedHighPad(), padding, pad.getNofold());
  return storageCast(rewriter, loc, padded, newResultType);
}

//===----------------------------------------------------------------------===//
// ReLU / clamp
//===----------------------------------------------------------------------===//

/// Bounds of an elementwise clamp `min(max(x, lo), hi)` (either may be
/// absent, in either order).
struct ClampBounds {
  std::optional<float> lo, hi;
};

/// The float value of clamp bound `bound` in the body of `generic`: a
/// constant (inside or outside the body) or the block argument of a splat
/// constant input other than the clamped one.
static std::optional<float> getBound(linalg::GenericOp generic, Value bound) {
  if (auto arg = dyn_cast<BlockArgument>(bound)) {
    if (arg.getOwner() != generic.getBody() || arg.getArgNumber() == 0 ||
        arg.getArgNumber() >= generic.getNumDpsInputs())
      return std::nullopt;
    return getConstantFloat(generic.getDpsInputs()[arg.getArgNumber()]);
  }
  return getConstantFloat(bound);
}

/// Matches ReLU, ReLU6 and clamp as the importer writes them: an all-parallel
/// `linalg.generic` whose first input and output have identity maps, whose
/// other inputs are splat constants, and whose body yields a chain of at most
/// one `arith.maximumf` (lower bound) and one `arith.minimumf` (upper bound)
/// of the first input with constants. Only the NaN-propagating
/// maximumf/minimumf qualify: a NaN input stays NaN and quantizes to the
/// zero point, as the narrowed quantize does.
static std::optional<ClampBounds> matchClamp(linalg::GenericOp generic) {
  if (generic.getNumDpsInits() != 1 || generic.getNumDpsInputs() < 1 ||
      generic.getNumResults() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return std::nullopt;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (!maps.front().isIdentity() || !maps.back().isIdentity())
    return std::nullopt;
  Block *body = generic.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (yield.getNumOperands() != 1)
    return std::nullopt;
  ClampBounds bounds;
  Value current = yield.getOperand(0);
  unsigned chainOps = 0;
  while (current != body->getArgument(0)) {
    Operation *def = current.getDefiningOp();
    if (!def || def->getBlock() != body ||
        !isa<arith::MaximumFOp, arith::MinimumFOp>(def))
      return std::nullopt;
    Value lhs = def->getOperand(0), rhs = def->getOperand(1);
    // The operand that leads back to the input continues the chain; the
    // other must be a constant bound.
    std::optional<float> bound = getBound(generic, rhs);
    Value next = lhs;
    if (!bound) {
      bound = getBound(generic, lhs);
      next = rhs;
    }
    if (!bound)
      return std::nullopt;
    std::optional<float> &slot =
        isa<arith::MaximumFOp>(def) ? bounds.lo : bounds.hi;
    if (slot)
      return std::nullopt;
    slot = bound;
    current = next;
    ++chainOps;
  }
  // Nothing else may be computed in the body (constants aside).
  for (Operation &op : body->without_terminator())
    if (!isa<arith::ConstantOp, arith::MaximumFOp, arith::MinimumFOp>(op))
      return std::nullopt;
  if (chainOps == 0)
    return std::nullopt;
  return bounds;
}

/// Collects `value` and the results of the reshapes and slices that carry
/// it on, transitively, into `values`, when every use accepts a new element
/// type: qc ops that take any quantized type (contractions, requantize,
/// dequantize) and quant.scast to storage. Fails on any other use (a
/// function return, a concatenation whose operands must agree, ...).
static bool collectRetypableValues(Value value,
                                   SmallVectorImpl<Value> &values) {
  values.push_back(value);
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (isa<qc::MatmulOp, qc::BatchMatmulOp, qc::Conv2DOp, qc::RequantizeOp,
            qc::DequantizeOp, quant::StorageCastOp>(user))
      continue;
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
            tensor::ExtractSliceOp>(user) &&
        use.getOperandNumber() == 0) {
      if (!collectRetypableValues(user->getResult(0), values))
        return false;
      continue;
    }
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {

/// qc.quantize(qc.dequantize(x)) is x when the types agree, else one
/// qc.requantize of x (!a, !b two quantized types):
///   %f = qc.dequantize %x : tensor<8x!a> to tensor<8xf32>
///   %q = qc.quantize %f : tensor<8xf32> to tensor<8x!b>
/// becomes
///   %q = qc.requantize %x : tensor<8x!a> to tensor<8x!b>
struct QuantizeOfDequantize : OpRewritePattern<qc::QuantizeOp> {
  QuantizeOfDequantize(MLIRContext *ctx, bool fixedPoint)
      : OpRewritePattern(ctx), fixedPoint(fixedPoint) {}
  bool fixedPoint;

  LogicalResult matchAndRewrite(qc::QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto dequantize = op.getInput().getDefiningOp<qc::DequantizeOp>();
    if (!dequantize)
      return rewriter.notifyMatchFailure(op, "input is not a dequantize");
    Value x = dequantize.getInput();
    if (x.getType() == op.getResult().getType()) {
      rewriter.replaceOp(op, x);
      return success();
    }
    OpBuilder detached(op.getContext());
    auto requantize = qc::RequantizeOp::create(
        detached, op.getLoc(), op.getResult().getType(), x, fixedPoint);
    rewriter.setInsertionPoint(op);
    if (failed(insertIfValid(rewriter, requantize)))
      return rewriter.notifyMatchFailure(
          op, "no requantize between these types (granularities differ)");
    rewriter.replaceOp(op, requantize.getResult());
    return success();
  }
};

/// A contraction whose float result is only quantized (to one type) returns
/// that type itself:
///   %y = qc.matmul %a, %w acc(i32) : ... -> tensor<4x16xf32>
///   %q = qc.quantize %y : tensor<4x16xf32> to tensor<4x16x!q>
/// becomes
///   %q = qc.matmul %a, %w acc(i32) : ... -> tensor<4x16x!q>
/// The op keeps its attributes (float-mode requantization unless it had
/// `fixed_point`); when its verifier rejects the quantized result (an axis
/// other than the output channel, a form that only returns float) nothing
/// changes.
struct QuantizeContractionResult : OpRewritePattern<qc::QuantizeOp> {
  QuantizeContractionResult(MLIRContext *ctx, bool fixedPoint)
      : OpRewritePattern(ctx), fixedPoint(fixedPoint) {}
  bool fixedPoint;

  LogicalResult matchAndRewrite(qc::QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    Operation *contraction = op.getInput().getDefiningOp();
    if (!isa_and_nonnull<qc::MatmulOp, qc::BatchMatmulOp, qc::Conv2DOp>(
            contraction))
      return rewriter.notifyMatchFailure(op, "input is not a qc contraction");
    Value result = op.getInput();
    Type type = op.getResult().getType();
    for (Operation *user : result.getUsers()) {
      auto quantize = dyn_cast<qc::QuantizeOp>(user);
      if (!quantize || quantize.getResult().getType() != type)
        return rewriter.notifyMatchFailure(
            op, "the float result has uses other than quantizes to one type");
    }
    Operation *clone = contraction->clone();
    clone->getResult(0).setType(type);
    if (fixedPoint)
      clone->setAttr("fixed_point", rewriter.getUnitAttr());
    rewriter.setInsertionPoint(contraction);
    if (failed(insertIfValid(rewriter, clone)))
      return rewriter.notifyMatchFailure(
          op, "the contraction cannot return this quantized type");
    for (Operation *user : llvm::make_early_inc_range(result.getUsers()))
      rewriter.replaceOp(user, clone->getResult(0));
    rewriter.eraseOp(contraction);
    return success();
  }
};

/// qc.quantize(V(y)) = V'(qc.quantize(y)) for a value-preserving op V whose
/// result is only quantized (to one type); every data operand of V is
/// quantized with the (axis-mapped) result type:
///   %r = tensor.collapse_shape %y [[0, 1]] : tensor<4x16xf32> into ...
///   %q = qc.quantize %r : tensor<64xf32> to tensor<64x!q>
/// becomes
///   %yq = qc.quantize %y : tensor<4x16xf32> to tensor<4x16x!q>
///   %q = tensor.collapse_shape %yq [[0, 1]] : ... into tensor<64x!q>
struct PushQuantizeBackward : OpRewritePattern<qc::QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(qc::QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    Operation *def = op.getInput().getDefiningOp();
    if (!def || !isValuePreserving(def))
      return rewriter.notifyMatchFailure(op, "input is not value-preserving");
    Type type = op.getResult().getType();
    for (Operation *user : def->getResult(0).getUsers()) {
      auto quantize = dyn_cast<qc::QuantizeOp>(user);
      if (!quantize || quantize.getResult().getType() != type)
        return rewriter.notifyMatchFailure(
            op, "the float value has uses other than quantizes to one type");
    }
    quant::QuantizedType resultType = qc::getQuantizedElementType(type);
    quant::QuantizedType operandType =
        mapElementType(def, resultType, Direction::Backward);
    if (!operandType)
      return rewriter.notifyMatchFailure(
          op, "the quantized type cannot cross this op");
    FailureOr<std::optional<int64_t>> storageConstant =
        getStorageConstant(def, operandType, Direction::Backward);
    if (failed(storageConstant))
      return rewriter.notifyMatchFailure(
          op, "the init or padding value is not a constant");

    rewriter.setInsertionPoint(def);
    SmallVector<Value> data;
    for (OpOperand *operand : getDataOperands(def))
      data.push_back(qc::QuantizeOp::create(
          rewriter, op.getLoc(),
          withElementType(operand->get().getType(), operandType),
          operand->get()));
    Value result =
        rebuildOnQuantized(rewriter, def, data, resultType, *storageConstant);
    for (Operation *user :
         llvm::make_early_inc_range(def->getResult(0).getUsers()))
      rewriter.replaceOp(user, result);
    return success();
  }
};

/// V(qc.dequantize(x)) = qc.dequantize(V'(x)) for a value-preserving op V;
/// a concatenation needs all its operands dequantized from one type:
///   %f = qc.dequantize %x : tensor<4x16x!q> to tensor<4x16xf32>
///   %r = tensor.collapse_shape %f [[0, 1]] : ... into tensor<64xf32>
/// becomes
///   %c = tensor.collapse_shape %x [[0, 1]] : ... into tensor<64x!q>
///   %r = qc.dequantize %c : tensor<64x!q> to tensor<64xf32>
template <typename OpTy>
struct PushDequantizeForward : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> data;
    quant::QuantizedType operandType;
    for (OpOperand *operand : getDataOperands(op)) {
      auto dequantize =
          operand->get().template getDefiningOp<qc::DequantizeOp>();
      if (!dequantize)
        return rewriter.notifyMatchFailure(op, "operand is not a dequantize");
      quant::QuantizedType qtype =
          qc::getQuantizedElementType(dequantize.getInput().getType());
      if (operandType && qtype != operandType)
        return rewriter.notifyMatchFailure(
            op, "operands are dequantized from different types");
      operandType = qtype;
      data.push_back(dequantize.getInput());
    }
    quant::QuantizedType resultType =
        mapElementType(op, operandType, Direction::Forward);
    if (!resultType)
      return rewriter.notifyMatchFailure(
          op, "the quantized type cannot cross this op");
    FailureOr<std::optional<int64_t>> storageConstant =
        getStorageConstant(op, operandType, Direction::Forward);
    if (failed(storageConstant))
      return rewriter.notifyMatchFailure(
          op, "the init or padding value has no exact storage value");
    Value result =
        rebuildOnQuantized(rewriter, op, data, resultType, *storageConstant);
    rewriter.replaceOpWithNewOp<qc::DequantizeOp>(
        op, op->getResult(0).getType(), result);
    return success();
  }
};

/// ReLU, ReLU6 and clamp before a per-tensor qc.quantize fold into the
/// storage range: quantization is monotonic, so
///   qc.quantize(clamp(y, lo, hi)) : T = qc.quantize(y) : T'
/// where T' narrows T's range [qmin, qmax] to [q(lo), q(hi)] (q = the
/// quantization to T, qcomp::quantizeValue). Requires q(lo) <= z <= q(hi)
/// (the zero point must stay in range) and q(lo) < q(hi). Every use of the
/// quantize must accept T' (see collectRetypableValues); the reshapes and
/// slices between it and those uses are retyped along.
/// With !t = !quant.uniform<i8:f32, 0.05:-3>:
///   %r = linalg.generic ins(%y ...) { arith.maximumf %in, %zero }  // ReLU
///   %q = qc.quantize %r : tensor<4xf32> to tensor<4x!t>
/// becomes
///   %q = qc.quantize %y : tensor<4xf32> to tensor<4x!t2>
/// with !t2 = !quant.uniform<i8<-3:127>:f32, 0.05:-3>.
struct FoldClampIntoRange : OpRewritePattern<qc::QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(qc::QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto generic = op.getInput().getDefiningOp<linalg::GenericOp>();
    if (!generic)
      return rewriter.notifyMatchFailure(op, "input is not a linalg.generic");
    std::optional<ClampBounds> bounds = matchClamp(generic);
    if (!bounds)
      return rewriter.notifyMatchFailure(op, "input is not a ReLU or clamp");
    auto qtype = dyn_cast<quant::UniformQuantizedType>(
        qc::getQuantizedElementType(op.getResult().getType()));
    if (!qtype)
      return rewriter.notifyMatchFailure(op, "result is not per tensor");
    auto scale = static_cast<float>(qtype.getScale());
    int64_t zeroPoint = qtype.getZeroPoint();
    StorageRange range = getRange(qtype);
    int64_t lo = bounds->lo
                     ? quantizeValue(*bounds->lo, scale, zeroPoint, range)
                     : range.min;
    int64_t hi = bounds->hi
                     ? quantizeValue(*bounds->hi, scale, zeroPoint, range)
                     : range.max;
    if (!(lo <= zeroPoint && zeroPoint <= hi && lo < hi))
      return rewriter.notifyMatchFailure(
          op, "the clamped range does not contain the zero point");
    SmallVector<Value> retyped;
    if (!collectRetypableValues(op.getResult(), retyped))
      return rewriter.notifyMatchFailure(
          op, "a use needs the quantized type unchanged");
    auto narrowed = quant::UniformQuantizedType::get(
        qtype.getFlags(), qtype.getStorageType(), qtype.getExpressedType(),
        qtype.getScale(), zeroPoint, lo, hi);
    rewriter.modifyOpInPlace(
        op, [&] { op.getInputMutable().assign(generic.getDpsInputs()[0]); });
    for (Value value : retyped)
      rewriter.modifyOpInPlace(value.getDefiningOp(), [&] {
        value.setType(withElementType(value.getType(), narrowed));
      });
    return success();
  }
};

/// Two requantizes in a row become one (from the first input straight to
/// the last type) when the intermediate saturation is redundant: the
/// intermediate type's real range covers that of the input or of the result
/// (so a ReLU folded into a narrower range is never dropped). Not bit-exact:
/// it removes the intermediate rounding. The result uses fixed-point
/// arithmetic when either did (and the combined multiplier allows it):
///   %a = qc.requantize %x : ... to tensor<8x!quant.uniform<i8:f32, 0.2>>
///   %b = qc.requantize %a : ... to tensor<8x!quant.uniform<i8:f32, 0.3>>
/// becomes
///   %b = qc.requantize %x : ... to tensor<8x!quant.uniform<i8:f32, 0.3>>
struct FoldRequantizeChain : OpRewritePattern<qc::RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(qc::RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<qc::RequantizeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a requantize");
    Value x = inner.getInput();
    unsigned rank = op.getResult().getType().getRank();
    auto realRange = [&](Value value, bool intersect) {
      return getRealRange(qc::getQuantizedElementType(value.getType()), rank,
                          intersect);
    };
    std::optional<RealRange> mid = realRange(inner.getResult(), true);
    std::optional<RealRange> in = realRange(x, false);
    std::optional<RealRange> out = realRange(op.getResult(), false);
    if (!mid || !in || !out || (!mid->covers(*in) && !mid->covers(*out)))
      return rewriter.notifyMatchFailure(
          op, "the intermediate type saturates values that pass the others");
    if (x.getType() == op.getResult().getType()) {
      rewriter.replaceOp(op, x);
      return success();
    }
    OpBuilder detached(op.getContext());
    auto fused = qc::RequantizeOp::create(
        detached, op.getLoc(), op.getResult().getType(), x,
        op.getFixedPoint() || inner.getFixedPoint());
    rewriter.setInsertionPoint(op);
    if (failed(insertIfValid(rewriter, fused)))
      return rewriter.notifyMatchFailure(
          op, "no single requantize between the outer types");
    rewriter.replaceOp(op, fused.getResult());
    return success();
  }
};

} // namespace

void mlir::qcomp::populatePropagateScalesPatterns(RewritePatternSet &patterns,
                                                  bool fixedPoint) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<QuantizeOfDequantize, QuantizeContractionResult>(ctx,
                                                                fixedPoint);
  patterns.add<PushQuantizeBackward, FoldClampIntoRange, FoldRequantizeChain,
               PushDequantizeForward<tensor::ExpandShapeOp>,
               PushDequantizeForward<tensor::CollapseShapeOp>,
               PushDequantizeForward<tensor::ExtractSliceOp>,
               PushDequantizeForward<tensor::ConcatOp>,
               PushDequantizeForward<tensor::PadOp>,
               PushDequantizeForward<linalg::TransposeOp>,
               PushDequantizeForward<linalg::PoolingNchwMaxOp>>(ctx);
  // Quantizing a constant (e.g. a constant operand of a concatenation) folds.
  qc::QuantizeOp::getCanonicalizationPatterns(patterns, ctx);
}

void PropagateScalesPass::runOnOperation() {
  RewritePatternSet patterns(&getContext());
  populatePropagateScalesPatterns(patterns, fixedPoint);
  if (failed(applyPatternsGreedily(getOperation(), std::move(patterns)))) {
    getOperation().emitError("qc-propagate-scales did not converge");
    signalPassFailure();
  }
}
