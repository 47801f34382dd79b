//===- ChannelScaling.cpp - Fold per-channel factors into producers -------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "ChannelScaling.h"

#include "Quantizer.h"
#include "WeightConstants.h"
#include "qcomp/Transforms/Stats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::qcomp;

bool qcomp::isChannelView(Operation *op) {
  if (!op || !isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op))
    return false;
  auto source = cast<RankedTensorType>(op->getOperand(0).getType());
  auto result = cast<RankedTensorType>(op->getResult(0).getType());
  if (source.getRank() == 0 || result.getRank() == 0 ||
      ShapedType::isDynamic(source.getShape().back()) ||
      source.getShape().back() != result.getShape().back())
    return false;
  // The last group must map the last dimension alone onto the last one.
  SmallVector<ReassociationIndices> groups =
      isa<tensor::ExpandShapeOp>(op)
          ? cast<tensor::ExpandShapeOp>(op).getReassociationIndices()
          : cast<tensor::CollapseShapeOp>(op).getReassociationIndices();
  return !groups.empty() && groups.back().size() == 1;
}

/// True when `value` is a float matmul `X W` with a constant W of K x N, the
/// default indexing maps and a zero init.
static bool isConstantLinear(linalg::MatmulOp op) {
  return quantizer::isPlainMatmul(op) &&
         succeeded(evaluateFloatConstant(op.getInputs()[1]));
}

FailureOr<ChannelScalingPlan> ChannelScalingPlan::build(Value value) {
  ChannelScalingPlan plan;
  if (!plan.planValue(value, /*requireOneUse=*/false))
    return failure();
  return plan;
}

bool ChannelScalingPlan::planValue(Value value, bool requireOneUse) {
  if (requireOneUse && !value.hasOneUse())
    return false;
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() == 0 || !type.getElementType().isF32() ||
      ShapedType::isDynamic(type.getShape().back()))
    return false;
  Operation *def = value.getDefiningOp();
  if (!def)
    return false;
  values.push_back(value);
  if (isChannelView(def))
    return planValue(def->getOperand(0), /*requireOneUse=*/true);
  if (!producer)
    producer = def;
  if (auto matmul = dyn_cast<linalg::MatmulOp>(def)) {
    if (!isConstantLinear(matmul))
      return false;
    constants.push_back({matmul, 1, ConstantKind::Columns});
    return true;
  }
  auto generic = dyn_cast<linalg::GenericOp>(def);
  if (!generic || generic->getNumResults() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !generic.getIndexingMapsArray().back().isIdentity())
    return false;
  Block *body = generic.getBody();
  if (!body->getArgument(body->getNumArguments() - 1).use_empty())
    return false;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  return planScalar(generic, yield.getValues()[0]);
}

bool ChannelScalingPlan::isChannelVectorInput(Operation *op,
                                              Value scalar) const {
  auto generic = cast<linalg::GenericOp>(op);
  auto arg = dyn_cast<BlockArgument>(scalar);
  if (!arg || arg.getOwner() != generic.getBody() || !arg.hasOneUse() ||
      arg.getArgNumber() >= generic.getNumDpsInputs())
    return false;
  OpOperand *input = generic.getDpsInputOperand(arg.getArgNumber());
  AffineMap map = generic.getMatchingIndexingMap(input);
  unsigned rank = generic.getNumLoops();
  if (map.getNumResults() != 1 ||
      map.getResult(0) != getAffineDimExpr(rank - 1, op->getContext()))
    return false;
  FailureOr<FloatConstant> constant = evaluateFloatConstant(input->get());
  auto resultType = cast<RankedTensorType>(generic->getResult(0).getType());
  return succeeded(constant) && constant->shape.size() == 1 &&
         constant->shape[0] == resultType.getShape().back();
}

/// Plans dividing the scalar `scalar` computed in the body of `op` by the
/// factor of the current channel: x * g (divide g, a per-channel constant,
/// or x), a + b (both), -a, a / c (a), max(a, 0) (a).
bool ChannelScalingPlan::planScalar(Operation *op, Value scalar) {
  auto generic = cast<linalg::GenericOp>(op);
  size_t numConstants = constants.size(), numValues = values.size();
  auto attempt = [&](auto plan) {
    if (plan())
      return true;
    constants.truncate(numConstants);
    values.truncate(numValues);
    return false;
  };
  if (isChannelVectorInput(op, scalar)) {
    auto arg = cast<BlockArgument>(scalar);
    constants.push_back(
        {op, generic.getDpsInputOperand(arg.getArgNumber())->getOperandNumber(),
         ConstantKind::Vector});
    return true;
  }
  if (auto arg = dyn_cast<BlockArgument>(scalar)) {
    if (arg.getOwner() != generic.getBody() || !arg.hasOneUse() ||
        arg.getArgNumber() >= generic.getNumDpsInputs())
      return false;
    OpOperand *input = generic.getDpsInputOperand(arg.getArgNumber());
    if (!generic.getMatchingIndexingMap(input).isIdentity())
      return false;
    return planValue(input->get(), /*requireOneUse=*/true);
  }
  Operation *def = scalar.getDefiningOp();
  if (!def || def->getBlock() != generic.getBody() || !scalar.hasOneUse())
    return false;
  if (isa<arith::MulFOp>(def)) {
    Value lhs = def->getOperand(0), rhs = def->getOperand(1);
    if (isChannelVectorInput(op, rhs))
      return planScalar(op, rhs);
    if (isChannelVectorInput(op, lhs))
      return planScalar(op, lhs);
    return attempt([&] { return planScalar(op, lhs); }) ||
           attempt([&] { return planScalar(op, rhs); });
  }
  if (isa<arith::AddFOp, arith::SubFOp>(def))
    return attempt([&] {
      return planScalar(op, def->getOperand(0)) &&
             planScalar(op, def->getOperand(1));
    });
  if (isa<arith::NegFOp>(def))
    return planScalar(op, def->getOperand(0));
  if (isa<arith::DivFOp>(def))
    return planScalar(op, def->getOperand(0));
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(def)) {
    // ReLU: max(a / s, 0) = max(a, 0) / s for s > 0.
    Value lhs = def->getOperand(0), rhs = def->getOperand(1);
    if (matchPattern(rhs, m_AnyZeroFloat()))
      return planScalar(op, lhs);
    if (matchPattern(lhs, m_AnyZeroFloat()))
      return planScalar(op, rhs);
  }
  return false;
}

void ChannelScalingPlan::apply(llvm::ArrayRef<float> divisors) const {
  for (const ConstantOperand &constant : constants) {
    OpOperand &operand = constant.op->getOpOperand(constant.operandNumber);
    FailureOr<FloatConstant> value = evaluateFloatConstant(operand.get());
    assert(succeeded(value) && "planned on a constant");
    size_t channels = divisors.size();
    for (auto [i, element] : llvm::enumerate(value->values))
      element = static_cast<float>(static_cast<double>(element) /
                                   divisors[i % channels]);
    auto type = cast<RankedTensorType>(operand.get().getType());
    OpBuilder b(constant.op);
    Value replacement = arith::ConstantOp::create(
        b, operand.get().getLoc(),
        DenseElementsAttr::get(type, llvm::ArrayRef<float>(value->values)));
    Operation *old = operand.get().getDefiningOp();
    operand.set(replacement);
    if (old)
      eraseDeadConstantChain(old);
  }
  for (Value value : values) {
    qc::StatsAttr stats = getValueStats(value);
    if (!stats)
      continue;
    int64_t axis = cast<RankedTensorType>(value.getType()).getRank() - 1;
    std::vector<double> wide(divisors.begin(), divisors.end());
    (void)setValueStats(value, divideChannelStats(stats, axis, wide));
  }
}

void qcomp::eraseDeadConstantChain(Operation *op) {
  if (!isOpTriviallyDead(op))
    return;
  llvm::SmallVector<Operation *> operands;
  for (Value operand : op->getOperands())
    if (Operation *def = operand.getDefiningOp())
      operands.push_back(def);
  op->erase();
  for (Operation *def : operands)
    eraseDeadConstantChain(def);
}
