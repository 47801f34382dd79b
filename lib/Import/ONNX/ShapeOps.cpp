//===- ShapeOps.cpp - ONNX shape and data-movement operators --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Operators that move or describe data without arithmetic, on static shapes:
//
//   Reshape, Squeeze, Unsqueeze, Flatten -> tensor.collapse_shape/expand_shape
//   Transpose                            -> linalg.transpose
//   Concat                               -> tensor.concat
//   Split, Slice (steps > 0)             -> tensor.extract_slice
//   Slice (a step < 0)                   -> tensor.extract_slice, then a
//                                           reversing linalg.generic
//   Gather, constant scalar or           -> tensor.extract_slice
//           consecutive indices
//   Gather, other indices,               -> linalg.generic { tensor.extract }
//   GatherElements, GatherND
//   Expand                               -> linalg.broadcast
//   Shape, Size, ConstantOfShape, Range  -> arith.constant
//
// Inputs that determine a result shape (Reshape's shape, Slice's starts and
// ends, Unsqueeze's axes, ...) must be known at import time. To make the
// shape computations of exported models (Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape) known, every operator here whose data inputs are all
// compile-time constants and whose result is small is folded into an
// arith.constant recorded with NodeImporter::setConstantOutput.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"
#include "TensorProtoUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qcomp::onnx_import;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Results with at most this many elements are folded when their data inputs
/// are constants (shape computations are a handful of int64s), ...
static constexpr int64_t kMaxFoldedElements = 256;
/// ... and the constants they are computed from have at most this many.
static constexpr int64_t kMaxFoldedSourceElements = 4096;

/// "[2, 3, 4]", for diagnostics.
static std::string formatList(llvm::ArrayRef<int64_t> values) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(values, os);
  os << "]";
  return text;
}

static int64_t getNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Row-major strides of a static shape.
static llvm::SmallVector<int64_t> getStrides(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = (int64_t)shape.size() - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

static int64_t linearize(llvm::ArrayRef<int64_t> index,
                         llvm::ArrayRef<int64_t> strides) {
  int64_t offset = 0;
  for (auto [i, s] : llvm::zip_equal(index, strides))
    offset += i * s;
  return offset;
}

/// The compile-time value of input `i` if it has one small enough to fold
/// from (a splat of any size is); else null.
static DenseElementsAttr getFoldableInput(NodeImporter &node, unsigned i) {
  DenseElementsAttr attr = node.lookupConstantInput(i);
  if (!attr ||
      (!attr.isSplat() && attr.getNumElements() > kMaxFoldedSourceElements))
    return nullptr;
  return attr;
}

static bool isFoldableResult(llvm::ArrayRef<int64_t> shape) {
  return getNumElements(shape) <= kMaxFoldedElements;
}

/// Folds a data movement: the result element at each multi-index `index` of
/// `resultShape` is the element of `source` at linear offset
/// `sourceOffset(index)`.
static DenseElementsAttr
foldMove(DenseElementsAttr source, llvm::ArrayRef<int64_t> resultShape,
         llvm::function_ref<int64_t(llvm::ArrayRef<int64_t>)> sourceOffset) {
  auto type = RankedTensorType::get(resultShape, source.getElementType());
  if (source.isSplat())
    return DenseElementsAttr::get(type, source.getSplatValue<Attribute>());
  llvm::SmallVector<Attribute> elements(source.getValues<Attribute>());
  llvm::SmallVector<Attribute> result;
  int64_t n = type.getNumElements();
  result.reserve(n);
  llvm::SmallVector<int64_t> index(resultShape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    result.push_back(elements[sourceOffset(index)]);
    for (int64_t d = (int64_t)resultShape.size() - 1; d >= 0; --d) {
      if (++index[d] < resultShape[d])
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(type, result);
}

/// Normalizes each of `axes` against `rank` (negative axes count from the
/// end); fails on an out-of-range or repeated axis.
static FailureOr<llvm::SmallVector<int64_t>>
normalizeAxes(NodeImporter &node, llvm::ArrayRef<int64_t> axes, int64_t rank,
              llvm::StringRef what = "axis") {
  llvm::SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    // normalizeAxis accepts axis 0 of a rank-0 tensor (for reductions).
    if (rank == 0) {
      node.emitError() << what << " " << axis << " is out of range for rank 0";
      return failure();
    }
    FailureOr<int64_t> normalized = node.normalizeAxis(axis, rank, what);
    if (failed(normalized))
      return failure();
    if (llvm::is_contained(result, *normalized)) {
      node.emitError() << what << " " << axis << " is repeated in "
                       << formatList(axes);
      return failure();
    }
    result.push_back(*normalized);
  }
  return result;
}

/// The one axis attribute of a node whose input has rank >= 1.
static FailureOr<int64_t> getAxisAttr(NodeImporter &node, int64_t rank,
                                      int64_t defaultValue) {
  int64_t axis = node.getIntAttr("axis", defaultValue);
  if (rank == 0) {
    node.emitError() << "input must have rank >= 1";
    return failure();
  }
  return node.normalizeAxis(axis, rank);
}

/// A constant 1-D integer input (shape, axes, starts, ...).
static FailureOr<llvm::SmallVector<int64_t>>
getConstantVector(NodeImporter &node, unsigned i, llvm::StringRef what) {
  FailureOr<llvm::SmallVector<int64_t>> values = node.getConstantInts(i, what);
  if (failed(values))
    return failure();
  if (node.getInputType(i).getRank() != 1) {
    node.emitError() << what << " (input " << i << ") must be a 1-D tensor, "
                     << "got " << node.getInputType(i);
    return failure();
  }
  return values;
}

/// Binds output 0 to input 0 reshaped to `shape` (same element count),
/// folded when the input is a small constant.
static LogicalResult bindReshaped(NodeImporter &node,
                                  llvm::ArrayRef<int64_t> shape) {
  RankedTensorType inputType = node.getInputType(0);
  int32_t dataType = node.getInputDataType(0);
  DenseElementsAttr constant = getFoldableInput(node, 0);
  if (constant && isFoldableResult(shape)) {
    node.setConstantOutput(0,
                           constant.reshape(RankedTensorType::get(
                               shape, inputType.getElementType())),
                           dataType);
    return success();
  }
  node.setOutput(0, reshapeTensor(node.b, node.loc, node.getInput(0), shape),
                 dataType);
  return success();
}

/// tensor.extract_slice with static offsets, sizes and strides:
///   tensor.extract_slice %x[1, 0] [2, 2] [1, 3]
///       : tensor<4x5xf32> to tensor<2x2xf32>
/// The result drops size-1 dimensions when `resultShape` (rank-reducing)
/// says so; a slice of everything is `input` itself.
static Value extractSlice(
    OpBuilder &b, Location loc, Value input, llvm::ArrayRef<int64_t> offsets,
    llvm::ArrayRef<int64_t> sizes, llvm::ArrayRef<int64_t> strides,
    std::optional<llvm::ArrayRef<int64_t>> resultShape = std::nullopt) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getShape() == sizes &&
      llvm::all_of(offsets, [](int64_t o) { return o == 0; }))
    return reshapeTensor(b, loc, input, resultShape.value_or(sizes));
  auto attrs = [&](llvm::ArrayRef<int64_t> values) {
    return llvm::to_vector(llvm::map_range(
        values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); }));
  };
  auto resultType =
      RankedTensorType::get(resultShape.value_or(sizes), type.getElementType());
  return tensor::ExtractSliceOp::create(
      b, loc, resultType, input, attrs(offsets), attrs(sizes), attrs(strides));
}

//===----------------------------------------------------------------------===//
// Reshape, Squeeze, Unsqueeze, Flatten
//===----------------------------------------------------------------------===//

static LogicalResult importReshape(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 2)))
    return failure();
  bool allowZero =
      node.getOpsetVersion() >= 14 && node.getIntAttr("allowzero", 0) != 0;
  FailureOr<llvm::SmallVector<int64_t>> requested =
      getConstantVector(node, 1, "shape");
  if (failed(requested))
    return failure();
  RankedTensorType inputType = node.getInputType(0);
  llvm::ArrayRef<int64_t> inputShape = inputType.getShape();

  llvm::SmallVector<int64_t> shape;
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (auto [i, d] : llvm::enumerate(*requested)) {
    if (d == -1) {
      if (inferred)
        return node.emitError()
               << "shape " << formatList(*requested) << " has more than one -1";
      if (allowZero && llvm::is_contained(*requested, 0))
        return node.emitError() << "shape " << formatList(*requested)
                                << " has both 0 and -1 with allowzero=1";
      inferred = i;
      shape.push_back(-1);
      continue;
    }
    if (d < -1)
      return node.emitError() << "shape " << formatList(*requested)
                              << " has invalid dimension " << d;
    if (d == 0 && !allowZero) {
      // 0 copies the input's dimension at the same position.
      if ((int64_t)i >= inputType.getRank())
        return node.emitError()
               << "shape " << formatList(*requested) << " copies dimension "
               << i << " (0), which the input " << inputType << " lacks";
      d = inputShape[i];
    }
    shape.push_back(d);
    known *= d;
  }
  int64_t numElements = inputType.getNumElements();
  if (inferred) {
    if (known == 0 || numElements % known != 0)
      return node.emitError()
             << "cannot infer the -1 of shape " << formatList(*requested)
             << " for input " << inputType;
    shape[*inferred] = numElements / known;
  } else if (known != numElements) {
    return node.emitError()
           << "cannot reshape " << inputType << " (" << numElements
           << " elements) to " << formatList(shape);
  }
  return bindReshaped(node, shape);
}

/// The axes of Squeeze / Unsqueeze: an attribute before opset 13, an
/// optional constant input since. Null when absent.
static FailureOr<std::optional<llvm::SmallVector<int64_t>>>
getSqueezeAxes(NodeImporter &node) {
  if (node.getOpsetVersion() < 13) {
    if (failed(node.checkNumInputs(1, 1)))
      return failure();
    return node.getIntsAttr("axes");
  }
  if (failed(node.checkNumInputs(1, 2)))
    return failure();
  if (!node.hasInput(1))
    return std::optional<llvm::SmallVector<int64_t>>();
  FailureOr<llvm::SmallVector<int64_t>> axes =
      getConstantVector(node, 1, "axes");
  if (failed(axes))
    return failure();
  return std::optional<llvm::SmallVector<int64_t>>(*axes);
}

static LogicalResult importSqueeze(NodeImporter &node) {
  auto axes = getSqueezeAxes(node);
  if (failed(axes))
    return failure();
  llvm::ArrayRef<int64_t> inputShape = node.getInputShape(0);
  int64_t rank = inputShape.size();
  llvm::SmallVector<int64_t> squeezed;
  if (*axes) {
    FailureOr<llvm::SmallVector<int64_t>> normalized =
        normalizeAxes(node, **axes, rank);
    if (failed(normalized))
      return failure();
    for (int64_t axis : *normalized)
      if (inputShape[axis] != 1)
        return node.emitError()
               << "cannot squeeze axis " << axis << " of size "
               << inputShape[axis] << " in " << node.getInputType(0);
    squeezed = *normalized;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      if (inputShape[d] == 1)
        squeezed.push_back(d);
  }
  llvm::SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(squeezed, d))
      shape.push_back(inputShape[d]);
  return bindReshaped(node, shape);
}

static LogicalResult importUnsqueeze(NodeImporter &node) {
  auto axes = getSqueezeAxes(node);
  if (failed(axes))
    return failure();
  if (!*axes)
    return node.emitError() << "axes are missing";
  llvm::ArrayRef<int64_t> inputShape = node.getInputShape(0);
  int64_t rank = inputShape.size() + (*axes)->size();
  FailureOr<llvm::SmallVector<int64_t>> normalized =
      normalizeAxes(node, **axes, rank);
  if (failed(normalized))
    return failure();
  llvm::SmallVector<int64_t> shape;
  const int64_t *next = inputShape.begin();
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(llvm::is_contained(*normalized, d) ? 1 : *next++);
  return bindReshaped(node, shape);
}

static LogicalResult importFlatten(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  llvm::ArrayRef<int64_t> inputShape = node.getInputShape(0);
  int64_t rank = inputShape.size();
  // Unlike other axes, Flatten's may equal the rank (all in the outer
  // dimension).
  int64_t axis = node.getIntAttr("axis", 1);
  if (axis < -rank || axis > rank)
    return node.emitError()
           << "axis " << axis << " is out of range for rank " << rank
           << " (Flatten accepts [-" << rank << ", " << rank << "])";
  if (axis < 0)
    axis += rank;
  return bindReshaped(node, {getNumElements(inputShape.take_front(axis)),
                             getNumElements(inputShape.drop_front(axis))});
}

//===----------------------------------------------------------------------===//
// Transpose, Expand
//===----------------------------------------------------------------------===//

static LogicalResult importTranspose(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  RankedTensorType inputType = node.getInputType(0);
  int64_t rank = inputType.getRank();
  llvm::SmallVector<int64_t> perm;
  if (std::optional<llvm::SmallVector<int64_t>> attr =
          node.getIntsAttr("perm")) {
    perm = *attr;
  } else {
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  }
  llvm::SmallVector<bool> seen(rank, false);
  bool valid = (int64_t)perm.size() == rank;
  for (int64_t p : perm) {
    valid &= p >= 0 && p < rank && !seen[p];
    if (valid)
      seen[p] = true;
  }
  if (!valid)
    return node.emitError()
           << "perm " << formatList(perm)
           << " is not a permutation of the dimensions of " << inputType;
  llvm::SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(inputType.getDimSize(p));

  int32_t dataType = node.getInputDataType(0);
  if (DenseElementsAttr constant = getFoldableInput(node, 0);
      constant && isFoldableResult(shape)) {
    llvm::SmallVector<int64_t> strides = getStrides(inputType.getShape());
    node.setConstantOutput(0,
                           foldMove(constant, shape,
                                    [&](llvm::ArrayRef<int64_t> index) {
                                      int64_t offset = 0;
                                      for (auto [i, p] : llvm::enumerate(perm))
                                        offset += index[i] * strides[p];
                                      return offset;
                                    }),
                           dataType);
    return success();
  }
  node.setOutput(0, transposeTensor(node.b, node.loc, node.getInput(0), perm),
                 dataType);
  return success();
}

static LogicalResult importExpand(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 2)))
    return failure();
  FailureOr<llvm::SmallVector<int64_t>> requested =
      getConstantVector(node, 1, "shape");
  if (failed(requested))
    return failure();
  RankedTensorType inputType = node.getInputType(0);
  if (llvm::any_of(*requested, [](int64_t d) { return d < 0; }))
    return node.emitError()
           << "shape " << formatList(*requested) << " has a negative dimension";
  // Both ways: a 1 in `shape` keeps the input's dimension.
  FailureOr<llvm::SmallVector<int64_t>> shape =
      broadcastShapes({inputType.getShape(), *requested});
  if (failed(shape))
    return node.emitError() << "cannot expand " << inputType << " to shape "
                            << formatList(*requested);

  int32_t dataType = node.getInputDataType(0);
  if (DenseElementsAttr constant = getFoldableInput(node, 0);
      constant && isFoldableResult(*shape)) {
    int64_t offset = shape->size() - inputType.getRank();
    llvm::SmallVector<int64_t> strides = getStrides(inputType.getShape());
    node.setConstantOutput(
        0,
        foldMove(constant, *shape,
                 [&](llvm::ArrayRef<int64_t> index) {
                   int64_t result = 0;
                   for (int64_t d = 0; d < inputType.getRank(); ++d)
                     if (inputType.getDimSize(d) != 1)
                       result += index[offset + d] * strides[d];
                   return result;
                 }),
        dataType);
    return success();
  }
  node.setOutput(0, broadcastTensor(node.b, node.loc, node.getInput(0), *shape),
                 dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// Concat, Split
//===----------------------------------------------------------------------===//

static LogicalResult importConcat(NodeImporter &node) {
  if (node.getNumInputs() == 0)
    return node.emitError() << "expected at least 1 input, got 0";
  if (!node.hasAttr("axis"))
    return node.emitError() << "missing attribute 'axis'";
  int32_t dataType = node.getInputDataType(0);
  RankedTensorType firstType = node.getInputType(0);
  int64_t rank = firstType.getRank();
  FailureOr<int64_t> axis = getAxisAttr(node, rank, 0);
  if (failed(axis))
    return failure();

  llvm::SmallVector<int64_t> shape(firstType.getShape());
  shape[*axis] = 0;
  for (unsigned i = 0; i < node.getNumInputs(); ++i) {
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
    if (node.getInputDataType(i) != dataType)
      return node.emitError()
             << "inputs have different element types ("
             << getDataTypeName(dataType) << " and "
             << getDataTypeName(node.getInputDataType(i)) << ")";
    RankedTensorType type = node.getInputType(i);
    bool compatible = type.getRank() == rank;
    for (int64_t d = 0; compatible && d < rank; ++d)
      compatible = d == *axis || type.getDimSize(d) == shape[d];
    if (!compatible)
      return node.emitError()
             << "input " << i << " " << type << " does not match input 0 "
             << firstType << " outside axis " << *axis;
    shape[*axis] += type.getDimSize(*axis);
  }

  // Constants (the pieces of a shape) fold.
  llvm::SmallVector<DenseElementsAttr> constants;
  for (unsigned i = 0; i < node.getNumInputs(); ++i)
    constants.push_back(getFoldableInput(node, i));
  if (isFoldableResult(shape) &&
      llvm::all_of(constants, [](DenseElementsAttr c) { return !!c; })) {
    // Which input holds each position along the axis, and where.
    llvm::SmallVector<std::pair<unsigned, int64_t>> sources;
    for (unsigned i = 0; i < node.getNumInputs(); ++i)
      for (int64_t k = 0; k < node.getInputType(i).getDimSize(*axis); ++k)
        sources.push_back({i, k});
    llvm::SmallVector<llvm::SmallVector<Attribute>> elements;
    for (DenseElementsAttr c : constants)
      elements.emplace_back(c.getValues<Attribute>());
    llvm::SmallVector<Attribute> result;
    llvm::SmallVector<int64_t> index(rank, 0);
    for (int64_t n = 0, e = getNumElements(shape); n < e; ++n) {
      auto [input, k] = sources[index[*axis]];
      llvm::SmallVector<int64_t> sourceIndex(index);
      sourceIndex[*axis] = k;
      result.push_back(elements[input][linearize(
          sourceIndex, getStrides(node.getInputShape(input)))]);
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++index[d] < shape[d])
          break;
        index[d] = 0;
      }
    }
    node.setConstantOutput(
        0,
        DenseElementsAttr::get(
            RankedTensorType::get(shape, firstType.getElementType()), result),
        dataType);
    return success();
  }

  // Inputs empty along the axis contribute nothing.
  llvm::SmallVector<Value> inputs;
  for (unsigned i = 0; i < node.getNumInputs(); ++i)
    if (node.getInputType(i).getDimSize(*axis) != 0)
      inputs.push_back(node.getInput(i));
  Value result;
  if (inputs.empty())
    result = createEmpty(node.b, node.loc, shape, firstType.getElementType());
  else if (inputs.size() == 1)
    result = inputs.front();
  else
    result = tensor::ConcatOp::create(node.b, node.loc, *axis, inputs);
  node.setOutput(0, result, dataType);
  return success();
}

static LogicalResult importSplit(NodeImporter &node) {
  int64_t opset = node.getOpsetVersion();
  if (failed(node.checkNumInputs(1, opset >= 13 ? 2 : 1)))
    return failure();
  RankedTensorType inputType = node.getInputType(0);
  FailureOr<int64_t> axis = getAxisAttr(node, inputType.getRank(), 0);
  if (failed(axis))
    return failure();
  int64_t dim = inputType.getDimSize(*axis);
  int64_t numOutputs = node.getNumOutputs();

  // Part sizes: the `split` input (opset 13+) or attribute (before), else
  // equal parts; opset 18 names their number in `num_outputs` and lets the
  // last one be smaller.
  llvm::SmallVector<int64_t> sizes;
  bool hasNumOutputs = opset >= 18 && node.hasAttr("num_outputs");
  if (opset >= 13 && node.hasInput(1)) {
    if (hasNumOutputs)
      return node.emitError()
             << "the 'split' input and the 'num_outputs' attribute are "
                "mutually exclusive";
    FailureOr<llvm::SmallVector<int64_t>> split =
        getConstantVector(node, 1, "split");
    if (failed(split))
      return failure();
    sizes = *split;
  } else if (std::optional<llvm::SmallVector<int64_t>> split =
                 opset < 13 ? node.getIntsAttr("split") : std::nullopt) {
    sizes = *split;
  } else if (hasNumOutputs) {
    int64_t parts = node.getIntAttr("num_outputs", numOutputs);
    if (parts != numOutputs)
      return node.emitError() << "num_outputs is " << parts << " but the node "
                              << "has " << numOutputs << " outputs";
    int64_t chunk = parts > 0 ? (dim + parts - 1) / parts : 0;
    if (parts == 0 || chunk * (parts - 1) > dim)
      return node.emitError() << "cannot split dimension " << dim << " of axis "
                              << *axis << " into " << parts << " parts";
    sizes.assign(parts - 1, chunk);
    sizes.push_back(dim - chunk * (parts - 1));
  } else {
    if (numOutputs == 0 || dim % numOutputs != 0)
      return node.emitError()
             << "dimension " << dim << " of axis " << *axis
             << " does not split evenly into " << numOutputs << " outputs";
    sizes.assign(numOutputs, dim / numOutputs);
  }
  if ((int64_t)sizes.size() != numOutputs)
    return node.emitError()
           << "split " << formatList(sizes) << " has " << sizes.size()
           << " parts for " << numOutputs << " outputs";
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 0)
      return node.emitError()
             << "split " << formatList(sizes) << " has a negative size";
    total += size;
  }
  if (total != dim)
    return node.emitError()
           << "split " << formatList(sizes) << " sums to " << total
           << ", not to dimension " << dim << " of axis " << *axis;

  int32_t dataType = node.getInputDataType(0);
  DenseElementsAttr constant = getFoldableInput(node, 0);
  llvm::SmallVector<int64_t> strides = getStrides(inputType.getShape());
  int64_t offset = 0;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    llvm::SmallVector<int64_t> offsets(inputType.getRank(), 0);
    offsets[*axis] = offset;
    llvm::SmallVector<int64_t> shape(inputType.getShape());
    shape[*axis] = size;
    offset += size;
    if (!node.hasOutput(i))
      continue;
    if (constant && isFoldableResult(shape)) {
      node.setConstantOutput(i,
                             foldMove(constant, shape,
                                      [&](llvm::ArrayRef<int64_t> index) {
                                        return linearize(index, strides) +
                                               offsets[*axis] * strides[*axis];
                                      }),
                             dataType);
      continue;
    }
    llvm::SmallVector<int64_t> unitStrides(inputType.getRank(), 1);
    node.setOutput(i,
                   extractSlice(node.b, node.loc, node.getInput(0), offsets,
                                shape, unitStrides),
                   dataType);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

/// Reverses `input` along `dims`:
///   linalg.generic {indexing_maps = [(d0, d1) -> (d0, 4 - d1),
///                                    (d0, d1) -> (d0, d1)]} { linalg.yield }
static Value reverseTensor(OpBuilder &b, Location loc, Value input,
                           llvm::ArrayRef<int64_t> dims) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  MLIRContext *context = b.getContext();
  llvm::SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr dim = getAffineDimExpr(d, context);
    exprs.push_back(
        llvm::is_contained(dims, d)
            ? getAffineConstantExpr(type.getDimSize(d) - 1, context) - dim
            : dim);
  }
  llvm::SmallVector<AffineMap> maps{
      AffineMap::get(rank, 0, exprs, context),
      AffineMap::getMultiDimIdentityMap(rank, context)};
  llvm::SmallVector<utils::IteratorType> iterators(
      rank, utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, type.getShape(), type.getElementType());
  return linalg::GenericOp::create(
             b, loc, type, input, init, maps, iterators,
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc, args[0]);
             })
      .getResult(0);
}

static LogicalResult importSlice(NodeImporter &node) {
  RankedTensorType inputType = node.getInputType(0);
  int64_t rank = inputType.getRank();
  llvm::SmallVector<int64_t> starts, ends, axes, steps;
  if (node.getOpsetVersion() < 10) {
    // Slice-1: attributes, no steps.
    if (failed(node.checkNumInputs(1, 1)))
      return failure();
    std::optional<llvm::SmallVector<int64_t>> startsAttr =
        node.getIntsAttr("starts");
    std::optional<llvm::SmallVector<int64_t>> endsAttr =
        node.getIntsAttr("ends");
    if (!startsAttr || !endsAttr)
      return node.emitError() << "missing attribute '"
                              << (startsAttr ? "ends" : "starts") << "'";
    starts = *startsAttr;
    ends = *endsAttr;
    if (std::optional<llvm::SmallVector<int64_t>> axesAttr =
            node.getIntsAttr("axes"))
      axes = *axesAttr;
    else
      axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
    steps.assign(starts.size(), 1);
  } else {
    if (failed(node.checkNumInputs(3, 5)))
      return failure();
    FailureOr<llvm::SmallVector<int64_t>> values =
        getConstantVector(node, 1, "starts");
    if (failed(values))
      return failure();
    starts = *values;
    if (failed(values = getConstantVector(node, 2, "ends")))
      return failure();
    ends = *values;
    if (node.hasInput(3)) {
      if (failed(values = getConstantVector(node, 3, "axes")))
        return failure();
      axes = *values;
    } else {
      axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
    }
    if (node.hasInput(4)) {
      if (failed(values = getConstantVector(node, 4, "steps")))
        return failure();
      steps = *values;
    } else {
      steps.assign(starts.size(), 1);
    }
  }
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return node.emitError()
           << "starts " << formatList(starts) << ", ends " << formatList(ends)
           << ", axes " << formatList(axes) << " and steps "
           << formatList(steps) << " must have the same length";
  FailureOr<llvm::SmallVector<int64_t>> normalized =
      normalizeAxes(node, axes, rank);
  if (failed(normalized))
    return failure();

  // Per dimension: the first element read, the count and the step.
  llvm::SmallVector<int64_t> first(rank, 0), sizes(inputType.getShape()),
      strides(rank, 1);
  for (auto [axis, start, end, step] :
       llvm::zip_equal(*normalized, starts, ends, steps)) {
    int64_t dim = inputType.getDimSize(axis);
    if (step == 0)
      return node.emitError() << "step of axis " << axis << " is 0";
    // ONNX's clamping: negative positions count from the end; a positive
    // step reads [start, end) within [0, dim], a negative one (end, start]
    // within [-1, dim - 1].
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    int64_t distance;
    if (dim == 0) {
      start = end = distance = 0;
    } else if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      distance = end - start;
    } else {
      start = std::clamp<int64_t>(start, 0, std::max<int64_t>(dim - 1, 0));
      end = std::clamp<int64_t>(end, -1, dim - 1);
      distance = start - end;
    }
    // |step| without overflowing on INT64_MIN; the count rounds up.
    int64_t magnitude = step > 0 ? step
                                 : (step == std::numeric_limits<int64_t>::min()
                                        ? std::numeric_limits<int64_t>::max()
                                        : -step);
    int64_t size = distance <= 0 ? 0 : 1 + (distance - 1) / magnitude;
    first[axis] = size == 0 ? 0 : start;
    sizes[axis] = size;
    strides[axis] = size <= 1 ? 1 : step;
  }

  int32_t dataType = node.getInputDataType(0);
  if (DenseElementsAttr constant = getFoldableInput(node, 0);
      constant && isFoldableResult(sizes)) {
    llvm::SmallVector<int64_t> inputStrides = getStrides(inputType.getShape());
    node.setConstantOutput(0,
                           foldMove(constant, sizes,
                                    [&](llvm::ArrayRef<int64_t> index) {
                                      int64_t offset = 0;
                                      for (int64_t d = 0; d < rank; ++d)
                                        offset +=
                                            (first[d] + index[d] * strides[d]) *
                                            inputStrides[d];
                                      return offset;
                                    }),
                           dataType);
    return success();
  }

  // A negative step reads the same elements as a positive one from the last
  // element read, reversed.
  llvm::SmallVector<int64_t> offsets(first), positiveStrides(strides);
  llvm::SmallVector<int64_t> reversed;
  for (int64_t d = 0; d < rank; ++d) {
    if (strides[d] > 0)
      continue;
    offsets[d] = first[d] + (sizes[d] - 1) * strides[d];
    positiveStrides[d] = -strides[d];
    reversed.push_back(d);
  }
  Value result = extractSlice(node.b, node.loc, node.getInput(0), offsets,
                              sizes, positiveStrides);
  if (!reversed.empty())
    result = reverseTensor(node.b, node.loc, result, reversed);
  node.setOutput(0, result, dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

/// An ONNX index (i32 or i64) into a dimension of `size` as an `index`:
/// negative ones count from the end, and out-of-range ones (invalid ONNX)
/// are clamped to [0, size - 1] so that the generated code never reads out
/// of bounds:
///   %i = arith.index_cast %v ; %w = arith.select (%i < 0), %i + size, %i
///   %r = arith.maxsi (arith.minsi %w, size - 1), 0
static Value wrapIndex(OpBuilder &b, Location loc, Value value, int64_t size) {
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value sizeValue = arith::ConstantIndexOp::create(b, loc, size);
  Value last = arith::ConstantIndexOp::create(b, loc, size - 1);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  Value wrapped = arith::SelectOp::create(
      b, loc, negative, arith::AddIOp::create(b, loc, index, sizeValue), index);
  return arith::MaxSIOp::create(
      b, loc, arith::MinSIOp::create(b, loc, wrapped, last), zero);
}

/// Gather with runtime indices: each result element reads the data through
/// its (wrapped, clamped) index:
///   linalg.generic {indexing_maps = [(d0, d1) -> (d0), (d0, d1) -> (d0, d1)]}
///       ins(%indices) outs(%empty) {
///   ^bb0(%i: i64, %out: f32):
///     %k = arith.index_cast %i ; wrap negative, clamp to [0, size - 1]
///     %v = tensor.extract %data[%k, linalg.index 1]
///     linalg.yield %v
///   }
/// Out-of-range indices are invalid ONNX; clamping them keeps the generated
/// code from reading out of bounds. Indices known to be in [0, size) are
/// used as they are.
static Value buildGather(OpBuilder &b, Location loc, Value data, Value indices,
                         int64_t axis, llvm::ArrayRef<int64_t> resultShape,
                         bool inRange = false) {
  auto dataType = cast<RankedTensorType>(data.getType());
  auto indicesType = cast<RankedTensorType>(indices.getType());
  int64_t rank = resultShape.size();
  int64_t q = indicesType.getRank();
  int64_t axisSize = dataType.getDimSize(axis);
  MLIRContext *context = b.getContext();
  llvm::SmallVector<AffineExpr> indexExprs;
  for (int64_t d = 0; d < q; ++d)
    indexExprs.push_back(getAffineDimExpr(axis + d, context));
  llvm::SmallVector<AffineMap> maps{
      AffineMap::get(rank, 0, indexExprs, context),
      AffineMap::getMultiDimIdentityMap(rank, context)};
  llvm::SmallVector<utils::IteratorType> iterators(
      rank, utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, resultShape, dataType.getElementType());
  return linalg::GenericOp::create(
             b, loc, init.getType(), indices, init, maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value wrapped = inRange ? arith::IndexCastOp::create(
                                             nb, nl, nb.getIndexType(), args[0])
                                       : wrapIndex(nb, nl, args[0], axisSize);
               llvm::SmallVector<Value> coords;
               for (int64_t d = 0; d < dataType.getRank(); ++d) {
                 if (d == axis)
                   coords.push_back(wrapped);
                 else
                   coords.push_back(linalg::IndexOp::create(
                       nb, nl, d < axis ? d : d - 1 + q));
               }
               Value element = tensor::ExtractOp::create(nb, nl, data, coords);
               linalg::YieldOp::create(nb, nl, element);
             })
      .getResult(0);
}

static LogicalResult importGather(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 2)))
    return failure();
  int32_t indicesDataType = node.getInputDataType(1);
  if (indicesDataType != onnx::TensorProto::INT32 &&
      indicesDataType != onnx::TensorProto::INT64)
    return node.emitError() << "indices must be INT32 or INT64, got "
                            << getDataTypeName(indicesDataType);
  RankedTensorType dataType = node.getInputType(0);
  RankedTensorType indicesType = node.getInputType(1);
  FailureOr<int64_t> axis = getAxisAttr(node, dataType.getRank(), 0);
  if (failed(axis))
    return failure();
  int64_t axisSize = dataType.getDimSize(*axis);
  llvm::SmallVector<int64_t> shape(dataType.getShape().take_front(*axis));
  llvm::append_range(shape, indicesType.getShape());
  llvm::append_range(shape, dataType.getShape().drop_front(*axis + 1));
  if (axisSize == 0 && indicesType.getNumElements() != 0)
    return node.emitError()
           << "cannot gather from axis " << *axis << " of size 0";

  int32_t onnxDataType = node.getInputDataType(0);
  OpBuilder &b = node.b;
  Location loc = node.loc;
  DenseElementsAttr constantIndices = node.lookupConstantInput(1);
  if (!constantIndices ||
      constantIndices.getNumElements() > kMaxFoldedSourceElements) {
    node.setOutput(
        0,
        buildGather(b, loc, node.getInput(0), node.getInput(1), *axis, shape),
        onnxDataType);
    return success();
  }

  // Constant indices are checked and wrapped here.
  llvm::SmallVector<int64_t> indices;
  for (const APInt &value : constantIndices.getValues<APInt>()) {
    int64_t index = value.getSExtValue();
    if (index < -axisSize || index >= axisSize)
      return node.emitError()
             << "index " << index << " is out of range for axis " << *axis
             << " of size " << axisSize;
    indices.push_back(index < 0 ? index + axisSize : index);
  }
  if (DenseElementsAttr data = getFoldableInput(node, 0);
      data && isFoldableResult(shape)) {
    llvm::SmallVector<int64_t> strides = getStrides(dataType.getShape());
    llvm::SmallVector<int64_t> indexStrides =
        getStrides(indicesType.getShape());
    int64_t q = indicesType.getRank();
    node.setConstantOutput(
        0,
        foldMove(
            data, shape,
            [&](llvm::ArrayRef<int64_t> index) {
              int64_t offset = 0;
              for (int64_t d = 0; d < dataType.getRank(); ++d) {
                int64_t coord;
                if (d < *axis)
                  coord = index[d];
                else if (d > *axis)
                  coord = index[d - 1 + q];
                else
                  coord =
                      indices[linearize(index.slice(*axis, q), indexStrides)];
                offset += coord * strides[d];
              }
              return offset;
            }),
        onnxDataType);
    return success();
  }

  // Consecutive indices read one slice, reshaped to the result (a scalar
  // index drops the axis: a rank-reducing slice).
  bool consecutive = !indices.empty();
  for (size_t k = 1; k < indices.size(); ++k)
    consecutive &= indices[k] == indices[0] + (int64_t)k;
  if (consecutive) {
    llvm::SmallVector<int64_t> offsets(dataType.getRank(), 0);
    offsets[*axis] = indices[0];
    llvm::SmallVector<int64_t> sizes(dataType.getShape());
    sizes[*axis] = indices.size();
    llvm::SmallVector<int64_t> strides(dataType.getRank(), 1);
    if (indicesType.getRank() == 0) {
      node.setOutput(0,
                     extractSlice(b, loc, node.getInput(0), offsets, sizes,
                                  strides, llvm::ArrayRef<int64_t>(shape)),
                     onnxDataType);
      return success();
    }
    Value slice =
        extractSlice(b, loc, node.getInput(0), offsets, sizes, strides);
    node.setOutput(0, reshapeTensor(b, loc, slice, shape), onnxDataType);
    return success();
  }
  // Other constant indices: the generic on the wrapped indices.
  auto wrappedType =
      RankedTensorType::get(indicesType.getShape(), b.getIntegerType(64));
  Value wrapped = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(wrappedType, llvm::ArrayRef(indices)));
  node.setOutput(0,
                 buildGather(b, loc, node.getInput(0), wrapped, *axis, shape,
                             /*inRange=*/true),
                 onnxDataType);
  return success();
}

/// Checks that input `i` holds INT32 or INT64 indices.
static LogicalResult checkIndices(NodeImporter &node, unsigned i) {
  int32_t dataType = node.getInputDataType(i);
  if (dataType == onnx::TensorProto::INT32 ||
      dataType == onnx::TensorProto::INT64)
    return success();
  return node.emitError() << "indices must be INT32 or INT64, got "
                          << getDataTypeName(dataType);
}

/// GatherElements: out[i, j] = data[i, wrap(indices[i, j])] (axis 1), a
/// linalg.generic over the indices with tensor.extract of the data.
static LogicalResult importGatherElements(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 2)) || failed(checkIndices(node, 1)))
    return failure();
  RankedTensorType dataType = node.getInputType(0);
  RankedTensorType indicesType = node.getInputType(1);
  int64_t rank = dataType.getRank();
  FailureOr<int64_t> axis = getAxisAttr(node, rank, 0);
  if (failed(axis))
    return failure();
  if (indicesType.getRank() != rank)
    return node.emitError() << "indices " << indicesType
                            << " must have the rank of data " << dataType;
  int64_t axisSize = dataType.getDimSize(*axis);
  if (axisSize == 0 && indicesType.getNumElements() != 0)
    return node.emitError()
           << "cannot gather from axis " << *axis << " of size 0";
  OpBuilder &b = node.b;
  Location loc = node.loc;
  Value data = node.getInput(0);
  MLIRContext *context = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  llvm::SmallVector<utils::IteratorType> iterators(
      rank, utils::IteratorType::parallel);
  Value init =
      createEmpty(b, loc, indicesType.getShape(), dataType.getElementType());
  Value result =
      linalg::GenericOp::create(
          b, loc, init.getType(), node.getInput(1), init,
          llvm::ArrayRef<AffineMap>{identity, identity}, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            llvm::SmallVector<Value> coords;
            for (int64_t d = 0; d < rank; ++d)
              coords.push_back(d == *axis ? wrapIndex(nb, nl, args[0], axisSize)
                                          : linalg::IndexOp::create(nb, nl, d));
            linalg::YieldOp::create(
                nb, nl,
                tensor::ExtractOp::create(nb, nl, data, coords).getResult());
          })
          .getResult(0);
  node.setOutput(0, result, node.getInputDataType(0));
  return success();
}

/// GatherND: each index tuple indices[..., :] (after `batch_dims` shared
/// leading dimensions) selects a slice of the data. A linalg.generic over the
/// result, no inputs; its body reads the tuple with tensor.extract:
///   %k0 = tensor.extract %indices[linalg.index 0, 0] ... wrap each
///   %v = tensor.extract %data[%k0, %k1, linalg.index 1]
static LogicalResult importGatherND(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 2)) || failed(checkIndices(node, 1)))
    return failure();
  RankedTensorType dataType = node.getInputType(0);
  RankedTensorType indicesType = node.getInputType(1);
  int64_t r = dataType.getRank(), q = indicesType.getRank();
  int64_t batchDims =
      node.getOpsetVersion() >= 12 ? node.getIntAttr("batch_dims", 0) : 0;
  if (r < 1 || q < 1)
    return node.emitError() << "data and indices must have rank >= 1";
  if (batchDims < 0 || batchDims >= std::min(r, q))
    return node.emitError() << "batch_dims " << batchDims << " must be in [0, "
                            << std::min(r, q) << ")";
  for (int64_t d = 0; d < batchDims; ++d)
    if (dataType.getDimSize(d) != indicesType.getDimSize(d))
      return node.emitError()
             << "batch dimension " << d << " differs: " << dataType << " and "
             << indicesType;
  int64_t k = indicesType.getShape().back();
  if (k < 1 || k > r - batchDims)
    return node.emitError()
           << "index tuples of length " << k << " do not fit data " << dataType
           << " with batch_dims " << batchDims;
  llvm::SmallVector<int64_t> shape(indicesType.getShape().drop_back());
  llvm::append_range(shape, dataType.getShape().drop_front(batchDims + k));
  for (int64_t j = 0; j < k; ++j)
    if (dataType.getDimSize(batchDims + j) == 0 && getNumElements(shape) != 0)
      return node.emitError() << "cannot gather from dimension "
                              << batchDims + j << " of size 0";

  OpBuilder &b = node.b;
  Location loc = node.loc;
  Value data = node.getInput(0), indices = node.getInput(1);
  int64_t rank = shape.size();
  MLIRContext *context = b.getContext();
  llvm::SmallVector<utils::IteratorType> iterators(
      rank, utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, shape, dataType.getElementType());
  Value result =
      linalg::GenericOp::create(
          b, loc, init.getType(), ValueRange{}, init,
          llvm::ArrayRef<AffineMap>{
              AffineMap::getMultiDimIdentityMap(rank, context)},
          iterators,
          [&](OpBuilder &nb, Location nl, ValueRange) {
            // Result dims: indices' q - 1 leading ones, then the data's
            // dimensions after the tuple.
            llvm::SmallVector<Value> loops;
            for (int64_t d = 0; d < rank; ++d)
              loops.push_back(linalg::IndexOp::create(nb, nl, d));
            llvm::SmallVector<Value> coords(loops.begin(),
                                            loops.begin() + batchDims);
            llvm::SmallVector<Value> tuple(loops.begin(),
                                           loops.begin() + q - 1);
            tuple.push_back(nullptr);
            for (int64_t j = 0; j < k; ++j) {
              tuple.back() = arith::ConstantIndexOp::create(nb, nl, j);
              Value value = tensor::ExtractOp::create(nb, nl, indices, tuple);
              coords.push_back(
                  wrapIndex(nb, nl, value, dataType.getDimSize(batchDims + j)));
            }
            coords.append(loops.begin() + q - 1, loops.end());
            linalg::YieldOp::create(
                nb, nl,
                tensor::ExtractOp::create(nb, nl, data, coords).getResult());
          })
          .getResult(0);
  node.setOutput(0, result, node.getInputDataType(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Shape, ConstantOfShape, Range
//===----------------------------------------------------------------------===//

static LogicalResult importShape(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  llvm::ArrayRef<int64_t> inputShape = node.getInputShape(0);
  int64_t rank = inputShape.size();
  int64_t start = 0, end = rank;
  if (node.getOpsetVersion() >= 15) {
    start = node.getIntAttr("start", 0);
    end = node.getIntAttr("end", rank);
  }
  // Negative positions count from the end; both clamp to [0, rank].
  auto clampPosition = [&](int64_t position) {
    return std::clamp<int64_t>(position < 0 ? position + rank : position, 0,
                               rank);
  };
  start = clampPosition(start);
  end = std::max(start, clampPosition(end));
  llvm::ArrayRef<int64_t> dims = inputShape.slice(start, end - start);
  auto type =
      RankedTensorType::get({(int64_t)dims.size()}, node.b.getIntegerType(64));
  node.setConstantOutput(0, DenseElementsAttr::get(type, dims),
                         onnx::TensorProto::INT64);
  return success();
}

/// Size: the number of elements, an int64 scalar.
static LogicalResult importSize(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  auto type = RankedTensorType::get({}, node.b.getIntegerType(64));
  node.setConstantOutput(
      0,
      DenseElementsAttr::get(
          type, llvm::ArrayRef<int64_t>(node.getInputType(0).getNumElements())),
      onnx::TensorProto::INT64);
  return success();
}

static LogicalResult importConstantOfShape(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  FailureOr<llvm::SmallVector<int64_t>> shape =
      getConstantVector(node, 0, "shape");
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
    return node.emitError()
           << "shape " << formatList(*shape) << " has a negative dimension";

  // The fill value: a one-element tensor attribute, float32 0 by default.
  int32_t dataType = onnx::TensorProto::FLOAT;
  Attribute value = node.b.getF32FloatAttr(0.0f);
  if (const onnx::AttributeProto *attr = node.findAttr("value")) {
    const onnx::TensorProto &proto = attr->t();
    dataType = proto.data_type();
    Type elementType = getElementType(node.getContext(), dataType);
    if (!elementType)
      return node.unsupported("value of type " + getDataTypeName(dataType));
    llvm::Expected<mlir::qcomp::HostTensor> tensor =
        convertTensorProto(proto, "value");
    if (!tensor)
      return node.emitError() << llvm::toString(tensor.takeError());
    if (tensor->getNumElements() != 1)
      return node.emitError() << "value must have exactly one element, got "
                              << tensor->getNumElements();
    auto scalarType = RankedTensorType::get({1}, elementType);
    if (elementType.isInteger(1)) {
      value = node.b.getBoolAttr(tensor->data<uint8_t>()[0] != 0);
    } else {
      llvm::ArrayRef<char> raw(static_cast<const char *>(tensor->data()),
                               tensor->getByteSize());
      value = DenseElementsAttr::getFromRawBuffer(scalarType, raw)
                  .getSplatValue<Attribute>();
    }
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(value).getType());
  if (isFoldableResult(*shape)) {
    node.setConstantOutput(0, DenseElementsAttr::get(type, value), dataType);
    return success();
  }
  // Large fills are computed, not stored.
  Value scalar =
      arith::ConstantOp::create(node.b, node.loc, cast<TypedAttr>(value));
  node.setOutput(0, createFilled(node.b, node.loc, *shape, scalar), dataType);
  return success();
}

static LogicalResult importRange(NodeImporter &node) {
  if (failed(node.checkNumInputs(3, 3)))
    return failure();
  int32_t dataType = node.getInputDataType(0);
  for (unsigned i = 1; i < 3; ++i)
    if (node.getInputDataType(i) != dataType)
      return node.emitError() << "start, limit and delta have different "
                                 "element types";
  static const char *names[] = {"start", "limit", "delta"};
  for (unsigned i = 0; i < 3; ++i)
    if (node.getInputType(i).getNumElements() != 1)
      return node.emitError() << names[i] << " must be a scalar";
  Type elementType = node.getInputType(0).getElementType();
  // The count is ceil((limit - start) / delta), at least 0.
  constexpr int64_t kMaxElements = int64_t(1) << 24;
  if (isFloatDataType(dataType)) {
    double operands[3];
    for (unsigned i = 0; i < 3; ++i) {
      FailureOr<llvm::SmallVector<double>> v =
          node.getConstantFloats(i, names[i]);
      if (failed(v))
        return failure();
      operands[i] = v->front();
    }
    auto [start, limit, delta] = operands;
    if (delta == 0)
      return node.emitError() << "delta is 0";
    double count = std::ceil((limit - start) / delta);
    if (!(count <= (double)kMaxElements))
      return node.unsupported("Range of more than " +
                              llvm::Twine(kMaxElements) + " elements");
    int64_t n = std::max<int64_t>(0, (int64_t)count);
    llvm::SmallVector<Attribute> values;
    for (int64_t i = 0; i < n; ++i)
      values.push_back(FloatAttr::get(elementType, start + i * delta));
    node.setConstantOutput(
        0,
        DenseElementsAttr::get(RankedTensorType::get({n}, elementType), values),
        dataType);
    return success();
  }
  if (dataType != onnx::TensorProto::INT16 &&
      dataType != onnx::TensorProto::INT32 &&
      dataType != onnx::TensorProto::INT64)
    return node.unsupported("element type " + getDataTypeName(dataType));
  int64_t operands[3];
  for (unsigned i = 0; i < 3; ++i) {
    FailureOr<llvm::SmallVector<int64_t>> v = node.getConstantInts(i, names[i]);
    if (failed(v))
      return failure();
    operands[i] = v->front();
  }
  auto [start, limit, delta] = operands;
  if (delta == 0)
    return node.emitError() << "delta is 0";
  // Exactly, in 128 bits: limit - start may overflow int64.
  llvm::APInt distance = llvm::APInt(128, limit, /*isSigned=*/true) -
                         llvm::APInt(128, start, /*isSigned=*/true);
  llvm::APInt count = llvm::APIntOps::RoundingSDiv(
      distance, llvm::APInt(128, delta, /*isSigned=*/true),
      llvm::APInt::Rounding::UP);
  if (count.sgt(kMaxElements))
    return node.unsupported("Range of more than " + llvm::Twine(kMaxElements) +
                            " elements");
  int64_t n = std::max<int64_t>(0, count.getSExtValue());
  unsigned width = elementType.getIntOrFloatBitWidth();
  llvm::SmallVector<APInt> values;
  for (int64_t i = 0; i < n; ++i) {
    // Wrapping arithmetic: every value lies between start and limit, but
    // i * delta alone may not fit.
    uint64_t value = (uint64_t)start + (uint64_t)i * (uint64_t)delta;
    values.push_back(APInt(64, value).trunc(width));
  }
  node.setConstantOutput(
      0,
      DenseElementsAttr::get(RankedTensorType::get({n}, elementType), values),
      dataType);
  return success();
}

void mlir::qcomp::onnx_import::registerShapeOps(OpImporterTable &table) {
  table["Reshape"] = importReshape;
  table["Transpose"] = importTranspose;
  table["Concat"] = importConcat;
  table["Split"] = importSplit;
  table["Slice"] = importSlice;
  table["Gather"] = importGather;
  table["GatherElements"] = importGatherElements;
  table["GatherND"] = importGatherND;
  table["Squeeze"] = importSqueeze;
  table["Unsqueeze"] = importUnsqueeze;
  table["Flatten"] = importFlatten;
  table["Expand"] = importExpand;
  table["Shape"] = importShape;
  table["Size"] = importSize;
  table["ConstantOfShape"] = importConstantOfShape;
  table["Range"] = importRange;
}
