//===- ConvPoolOps.cpp - ONNX convolution and pooling ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Conv, MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool on NC...
// tensors. Convolutions become linalg named ops, so that the quantization
// passes find them by name; explicit or automatic padding is a tensor.pad in
// front of them:
//
//   Conv 2-D, group = 1  -> linalg.conv_2d_nchw_fchw
//   Conv 2-D, group = G  -> expand X to NxGx(C/G)xHxW and W to Gx(M/G)x...,
//                           linalg.conv_2d_ngchw_gfchw, collapse the result
//   Conv 1-D             -> linalg.conv_1d_ncw_fcw (group > 1: the 2-D
//                           grouped form with a unit height)
//   Conv 3-D, group = 1  -> linalg.conv_3d_ncdhw_fcdhw
//   bias B               -> linalg.generic adding B[c] to every output
//
//   MaxPool              -> tensor.pad with -inf, linalg.pooling_nchw_max
//                           (pooling_ncw_max in 1-D)
//   AveragePool          -> tensor.pad with 0, linalg.pooling_nchw_sum,
//                           divided by the number of counted elements of each
//                           window (a compile-time constant)
//
// Pooling cases without a named op (3-D, unsigned MaxPool) are a
// linalg.generic with the same indexing maps as the named ops.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::qcomp::onnx_import;

static std::string formatList(llvm::ArrayRef<int64_t> values) {
  std::string result = "[";
  for (auto [i, v] : llvm::enumerate(values))
    result += (i ? ", " : "") + std::to_string(v);
  return result + "]";
}

/// Reads an attribute holding one positive value per spatial dimension
/// (strides, dilations), defaulting to ones.
static FailureOr<llvm::SmallVector<int64_t>>
getPerDimAttr(NodeImporter &node, llvm::StringRef name, int64_t rank) {
  std::optional<llvm::SmallVector<int64_t>> values = node.getIntsAttr(name);
  if (!values)
    return llvm::SmallVector<int64_t>(rank, 1);
  if ((int64_t)values->size() != rank) {
    node.emitError() << "'" << name << "' has " << values->size()
                     << " values, expected " << rank
                     << " (one per spatial dimension)";
    return failure();
  }
  if (llvm::any_of(*values, [](int64_t v) { return v <= 0; })) {
    node.emitError() << "'" << name << "' must be positive, got "
                     << formatList(*values);
    return failure();
  }
  return *values;
}

/// Computes the window geometry from the spatial input sizes, the kernel
/// and the node's strides, dilations (when `readDilations`), pads, auto_pad
/// and ceil_mode (when `readCeilMode`) attributes. Output sizes follow the
/// ONNX operator definitions: with ceil_mode a last window that would start
/// in the end padding is dropped.
static FailureOr<WindowGeometry>
computeWindowGeometry(NodeImporter &node, llvm::ArrayRef<int64_t> inputSizes,
                      llvm::ArrayRef<int64_t> kernel, bool readDilations,
                      bool readCeilMode) {
  int64_t rank = kernel.size();
  WindowGeometry geometry;
  geometry.kernel.assign(kernel.begin(), kernel.end());
  FailureOr<llvm::SmallVector<int64_t>> strides =
      getPerDimAttr(node, "strides", rank);
  if (failed(strides))
    return failure();
  geometry.strides = *strides;
  geometry.dilations.assign(rank, 1);
  if (readDilations) {
    FailureOr<llvm::SmallVector<int64_t>> dilations =
        getPerDimAttr(node, "dilations", rank);
    if (failed(dilations))
      return failure();
    geometry.dilations = *dilations;
  }
  int64_t ceilMode = readCeilMode ? node.getIntAttr("ceil_mode", 0) : 0;
  if (ceilMode != 0 && ceilMode != 1) {
    node.emitError() << "'ceil_mode' must be 0 or 1, got " << ceilMode;
    return failure();
  }

  std::string autoPad = node.getStringAttr("auto_pad", "NOTSET");
  std::optional<llvm::SmallVector<int64_t>> pads = node.getIntsAttr("pads");
  if (pads) {
    if ((int64_t)pads->size() != 2 * rank) {
      node.emitError() << "'pads' has " << pads->size() << " values, expected "
                       << 2 * rank << " (begin and end per spatial dimension)";
      return failure();
    }
    if (llvm::any_of(*pads, [](int64_t p) { return p < 0; })) {
      (void)node.unsupported("negative pads " + formatList(*pads));
      return failure();
    }
    if (autoPad != "NOTSET" &&
        llvm::any_of(*pads, [](int64_t p) { return p != 0; })) {
      node.emitError() << "'pads' cannot be used together with auto_pad '"
                       << autoPad << "'";
      return failure();
    }
  }
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER") {
    (void)node.unsupported(
        "auto_pad value '" + autoPad +
        "' (expected NOTSET, SAME_UPPER, SAME_LOWER or VALID)");
    return failure();
  }

  for (int64_t d = 0; d < rank; ++d) {
    int64_t in = inputSizes[d], stride = geometry.strides[d];
    int64_t extent = (kernel[d] - 1) * geometry.dilations[d] + 1;
    int64_t begin = 0, end = 0, out = 0;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      out = llvm::divideCeil(in, stride);
      int64_t total = std::max<int64_t>(0, (out - 1) * stride + extent - in);
      begin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    } else {
      if (autoPad == "NOTSET" && pads) {
        begin = (*pads)[d];
        end = (*pads)[d + rank];
      }
      int64_t span = in + begin + end - extent;
      if (span < 0) {
        node.emitError() << "window of extent " << extent
                         << " does not fit into spatial dimension " << d
                         << " of size " << in << " padded by " << begin
                         << " and " << end;
        return failure();
      }
      out = (ceilMode ? llvm::divideCeil(span, stride) : span / stride) + 1;
      if (ceilMode && (out - 1) * stride >= in + begin)
        --out; // The last window would start in the end padding.
    }
    geometry.padsBegin.push_back(begin);
    geometry.padsEnd.push_back(end);
    geometry.padHigh.push_back(
        std::max<int64_t>(0, (out - 1) * stride + extent - in - begin));
    geometry.outputShape.push_back(out);
  }
  return geometry;
}

/// Pads the spatial dimensions of an NC... tensor with `padValue`:
///   %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
///     tensor.yield %padValue }
static Value padSpatial(OpBuilder &b, Location loc, Value input,
                        const WindowGeometry &geometry, Value padValue) {
  if (!geometry.hasPadding())
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  llvm::SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
      high(2, b.getIndexAttr(0));
  llvm::SmallVector<int64_t> shape(type.getShape().take_front(2));
  for (int64_t d = 0; d < geometry.getRank(); ++d) {
    low.push_back(b.getIndexAttr(geometry.padsBegin[d]));
    high.push_back(b.getIndexAttr(geometry.padHigh[d]));
    shape.push_back(type.getDimSize(d + 2) + geometry.padsBegin[d] +
                    geometry.padHigh[d]);
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(b, loc, resultType, input, low, high, padValue);
}

/// The N x C x <output spatial> shape of a pooling result.
static llvm::SmallVector<int64_t>
getPoolResultShape(llvm::ArrayRef<int64_t> inputShape,
                   const WindowGeometry &geometry) {
  llvm::SmallVector<int64_t> shape(inputShape.take_front(2));
  shape.append(geometry.outputShape);
  return shape;
}

/// A windowed reduction over an already padded NC... input, for the cases
/// without a linalg named op; the same maps as linalg.pooling_nchw_*:
///   linalg.generic {indexing_maps = [
///       (n, c, o0, o1, k0, k1) -> (n, c, o0 * s0 + k0 * d0,
///                                  o1 * s1 + k1 * d1),
///       (n, c, o0, o1, k0, k1) -> (k0, k1),  // tensor.empty window
///       (n, c, o0, o1, k0, k1) -> (n, c, o0, o1)],
///     iterator_types = [parallel x 4, reduction x 2]} { combine }
static Value buildGenericPool(OpBuilder &b, Location loc, Value padded,
                              Value init, const WindowGeometry &geometry,
                              ElementwiseBodyFn combine) {
  MLIRContext *context = b.getContext();
  int64_t rank = geometry.getRank();
  int64_t numLoops = 2 + 2 * rank;
  llvm::SmallVector<AffineExpr> inputExprs{getAffineDimExpr(0, context),
                                           getAffineDimExpr(1, context)};
  llvm::SmallVector<AffineExpr> windowExprs, outputExprs = inputExprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr out = getAffineDimExpr(2 + d, context);
    AffineExpr window = getAffineDimExpr(2 + rank + d, context);
    inputExprs.push_back(out * geometry.strides[d] +
                         window * geometry.dilations[d]);
    windowExprs.push_back(window);
    outputExprs.push_back(out);
  }
  llvm::SmallVector<AffineMap> maps{
      AffineMap::get(numLoops, 0, inputExprs, context),
      AffineMap::get(numLoops, 0, windowExprs, context),
      AffineMap::get(numLoops, 0, outputExprs, context)};
  llvm::SmallVector<utils::IteratorType> iterators(
      2 + rank, utils::IteratorType::parallel);
  iterators.append(rank, utils::IteratorType::reduction);
  Type elementType = cast<RankedTensorType>(init.getType()).getElementType();
  Value window = createEmpty(b, loc, geometry.kernel, elementType);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{padded, window}, init, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = combine(nested, nestedLoc, {args[0], args[2]});
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

/// A pooling named op `PoolOp` (linalg.pooling_nchw_max, ...) over the padded
/// input with the geometry's strides and dilations.
template <typename PoolOp>
static Value buildNamedPool(OpBuilder &b, Location loc, Value padded,
                            Value init, const WindowGeometry &geometry) {
  Type elementType = cast<RankedTensorType>(init.getType()).getElementType();
  Value window = createEmpty(b, loc, geometry.kernel, elementType);
  return PoolOp::create(b, loc, TypeRange{init.getType()},
                        ValueRange{padded, window}, ValueRange{init},
                        b.getI64TensorAttr(geometry.strides),
                        b.getI64TensorAttr(geometry.dilations))
      .getResult(0);
}

/// Checks that the pooled input is N x C x D1 ... with 1 to 3 spatial
/// dimensions and returns its spatial rank.
static FailureOr<int64_t> getSpatialRank(NodeImporter &node, unsigned input) {
  int64_t rank = node.getInputType(input).getRank();
  if (rank < 3) {
    node.emitError() << "input must be N x C x D1 x ... (rank >= 3), got "
                     << node.getInputType(input);
    return failure();
  }
  if (rank > 5) {
    (void)node.unsupported(llvm::Twine(rank - 2) +
                           "-D spatial input (1-D to 3-D supported)");
    return failure();
  }
  return rank - 2;
}

/// Reads the required kernel_shape attribute of a pooling operator.
static FailureOr<llvm::SmallVector<int64_t>>
getPoolKernel(NodeImporter &node, int64_t spatialRank) {
  std::optional<llvm::SmallVector<int64_t>> kernel =
      node.getIntsAttr("kernel_shape");
  if (!kernel) {
    node.emitError() << "missing attribute 'kernel_shape'";
    return failure();
  }
  if ((int64_t)kernel->size() != spatialRank) {
    node.emitError() << "'kernel_shape' has " << kernel->size()
                     << " values, expected " << spatialRank;
    return failure();
  }
  if (llvm::any_of(*kernel, [](int64_t k) { return k <= 0; })) {
    node.emitError() << "'kernel_shape' must be positive, got "
                     << formatList(*kernel);
    return failure();
  }
  return *kernel;
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

/// Adds the per-output-channel bias B to an N x M x ... tensor:
///   linalg.generic {indexing_maps = [(n, m, h, w) -> (n, m, h, w),
///                                    (n, m, h, w) -> (m), ...]} { addf }
static Value addChannelBias(OpBuilder &b, Location loc, Value input,
                            Value bias) {
  auto type = cast<RankedTensorType>(input.getType());
  MLIRContext *context = b.getContext();
  int64_t rank = type.getRank();
  AffineMap channel =
      AffineMap::get(rank, 0, getAffineDimExpr(1, context), context);
  return buildMappedGeneric(
      b, loc, ValueRange{input, bias},
      {AffineMap::getMultiDimIdentityMap(rank, context), channel},
      type.getShape(), type.getElementType(),
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::AddFOp::create(nb, nl, args[0], args[1]);
      });
}

FailureOr<ConvGeometry>
mlir::qcomp::onnx_import::readConvGeometry(NodeImporter &node,
                                           unsigned filterIndex) {
  FailureOr<int64_t> spatialRank = getSpatialRank(node, 0);
  if (failed(spatialRank))
    return failure();
  int64_t rank = *spatialRank;
  llvm::ArrayRef<int64_t> xShape = node.getInputShape(0);
  llvm::ArrayRef<int64_t> wShape = node.getInputShape(filterIndex);
  if ((int64_t)wShape.size() != rank + 2)
    return node.emitError()
           << "W must be M x C/group x k1 ... of rank " << rank + 2 << ", got "
           << node.getInputType(filterIndex);

  int64_t group = node.getIntAttr("group", 1);
  int64_t channels = xShape[1], filters = wShape[0];
  if (group <= 0 || channels % group != 0 || filters % group != 0)
    return node.emitError()
           << "'group' " << group << " must divide the " << channels
           << " input and " << filters << " output channels";
  if (wShape[1] != channels / group)
    return node.emitError()
           << "W has " << wShape[1] << " input channels per group, expected "
           << channels / group << " (" << channels << " channels in " << group
           << " groups)";
  llvm::ArrayRef<int64_t> kernel = wShape.drop_front(2);
  if (llvm::any_of(kernel, [](int64_t k) { return k <= 0; }))
    return node.emitError()
           << "W has an empty kernel: " << node.getInputType(filterIndex);
  if (std::optional<llvm::SmallVector<int64_t>> kernelShape =
          node.getIntsAttr("kernel_shape");
      kernelShape && llvm::ArrayRef<int64_t>(*kernelShape) != kernel)
    return node.emitError()
           << "'kernel_shape' " << formatList(*kernelShape)
           << " differs from W's spatial shape " << formatList(kernel);
  FailureOr<WindowGeometry> window = computeWindowGeometry(
      node, xShape.drop_front(2), kernel, /*readDilations=*/true,
      /*readCeilMode=*/false);
  if (failed(window))
    return failure();
  return ConvGeometry{group, *window};
}

static LogicalResult importConv(NodeImporter &node) {
  if (failed(node.checkNumInputs(2, 3)))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  int32_t dataType = node.getInputDataType(0);
  if (!isFloatDataType(dataType))
    return node.unsupported("element type " + getDataTypeName(dataType) +
                            " (float32 or float64 expected; integer "
                            "convolutions are ConvInteger or QLinearConv)");
  for (unsigned i = 1; i < 3; ++i)
    if (node.hasInput(i) && node.getInputDataType(i) != dataType)
      return node.emitError() << (i == 1 ? "W" : "B") << " has element type "
                              << getDataTypeName(node.getInputDataType(i))
                              << ", X has " << getDataTypeName(dataType);
  FailureOr<ConvGeometry> conv = readConvGeometry(node, 1);
  if (failed(conv))
    return failure();
  const WindowGeometry *geometry = &conv->window;
  int64_t group = conv->group, rank = geometry->getRank();
  llvm::ArrayRef<int64_t> xShape = node.getInputShape(0);
  int64_t channels = xShape[1], filters = node.getInputShape(1)[0];
  llvm::ArrayRef<int64_t> kernel = geometry->kernel;
  if (node.hasInput(2) &&
      node.getInputShape(2) != llvm::ArrayRef<int64_t>{filters})
    return node.emitError() << "B must have shape [" << filters << "], got "
                            << node.getInputType(2);
  if (rank == 3 && group != 1)
    return node.unsupported("Conv with group " + llvm::Twine(group) +
                            " on 3-D input (grouped convolution is "
                            "supported in 1-D and 2-D)");

  Type elementType = node.getInputType(0).getElementType();
  Value zero = createScalarConstant(b, loc, elementType, 0.0);
  Value x = padSpatial(b, loc, node.getInput(0), *geometry, zero);
  Value w = node.getInput(1);
  llvm::SmallVector<int64_t> resultShape{xShape[0], filters};
  resultShape.append(geometry->outputShape);
  llvm::SmallVector<int64_t> strides = geometry->strides;
  llvm::SmallVector<int64_t> dilations = geometry->dilations;

  Value result;
  if (group == 1 && rank == 1) {
    Value init = createFilled(b, loc, resultShape, zero);
    result = linalg::Conv1DNcwFcwOp::create(b, loc, TypeRange{init.getType()},
                                            ValueRange{x, w}, ValueRange{init},
                                            b.getI64TensorAttr(strides),
                                            b.getI64TensorAttr(dilations))
                 .getResult(0);
  } else if (group == 1 && rank == 2) {
    Value init = createFilled(b, loc, resultShape, zero);
    result = linalg::Conv2DNchwFchwOp::create(
                 b, loc, TypeRange{init.getType()}, ValueRange{x, w},
                 ValueRange{init}, b.getI64TensorAttr(strides),
                 b.getI64TensorAttr(dilations))
                 .getResult(0);
  } else if (group == 1 && rank == 3) {
    Value init = createFilled(b, loc, resultShape, zero);
    result = linalg::Conv3DNcdhwFcdhwOp::create(
                 b, loc, TypeRange{init.getType()}, ValueRange{x, w},
                 ValueRange{init}, b.getI64TensorAttr(strides),
                 b.getI64TensorAttr(dilations))
                 .getResult(0);
  } else {
    // Grouped: N x G x C/G x H x W input, G x M/G x C/G x kH x kW filter,
    // N x G x M/G x OH x OW result. A 1-D convolution gets a unit height.
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t height = rank == 2 ? xType.getDimSize(2) : 1;
    int64_t width = xType.getDimSize(rank + 1);
    int64_t kernelHeight = rank == 2 ? kernel[0] : 1;
    int64_t outHeight = rank == 2 ? geometry->outputShape[0] : 1;
    if (rank == 1) {
      strides.insert(strides.begin(), 1);
      dilations.insert(dilations.begin(), 1);
    }
    Value groupedX = reshapeTensor(
        b, loc, x, {xShape[0], group, channels / group, height, width});
    Value groupedW = reshapeTensor(b, loc, w,
                                   {group, filters / group, channels / group,
                                    kernelHeight, kernel.back()});
    Value init = createFilled(b, loc,
                              {xShape[0], group, filters / group, outHeight,
                               geometry->outputShape.back()},
                              zero);
    Value grouped =
        linalg::Conv2DNgchwGfchwOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{groupedX, groupedW},
            ValueRange{init}, b.getI64TensorAttr(strides),
            b.getI64TensorAttr(dilations))
            .getResult(0);
    result = reshapeTensor(b, loc, grouped, resultShape);
  }
  if (node.hasInput(2))
    result = addChannelBias(b, loc, result, node.getInput(2));
  node.setOutput(0, result, dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// MaxPool, AveragePool
//===----------------------------------------------------------------------===//

static LogicalResult importMaxPool(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  if (node.hasOutput(1))
    return node.unsupported("output 'Indices' of MaxPool (only Y can be "
                            "computed)");
  OpBuilder &b = node.b;
  Location loc = node.loc;
  int32_t dataType = node.getInputDataType(0);
  bool isUnsigned = dataType == onnx::TensorProto::UINT8;
  if (!isFloatDataType(dataType) && dataType != onnx::TensorProto::INT8 &&
      !isUnsigned)
    return node.unsupported("element type " + getDataTypeName(dataType) +
                            " (float32, float64, int8 or uint8 expected)");
  // storage_order only lays out Indices, which is never computed.
  int64_t storageOrder = node.getIntAttr("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return node.emitError()
           << "'storage_order' must be 0 or 1, got " << storageOrder;
  FailureOr<int64_t> spatialRank = getSpatialRank(node, 0);
  if (failed(spatialRank))
    return failure();
  FailureOr<llvm::SmallVector<int64_t>> kernel =
      getPoolKernel(node, *spatialRank);
  if (failed(kernel))
    return failure();
  bool sinceOpset10 = node.getOpsetVersion() >= 10;
  FailureOr<WindowGeometry> geometry = computeWindowGeometry(
      node, node.getInputShape(0).drop_front(2), *kernel,
      /*readDilations=*/sinceOpset10, /*readCeilMode=*/sinceOpset10);
  if (failed(geometry))
    return failure();

  Type elementType = node.getInputType(0).getElementType();
  Value lowest = createLowestValue(b, loc, elementType, isUnsigned);
  Value padded = padSpatial(b, loc, node.getInput(0), *geometry, lowest);
  Value init = createFilled(
      b, loc, getPoolResultShape(node.getInputShape(0), *geometry), lowest);
  Value result;
  if (*spatialRank == 2 && !isUnsigned) {
    result = buildNamedPool<linalg::PoolingNchwMaxOp>(b, loc, padded, init,
                                                      *geometry);
  } else if (*spatialRank == 1 && !isUnsigned) {
    result = buildNamedPool<linalg::PoolingNcwMaxOp>(b, loc, padded, init,
                                                     *geometry);
  } else {
    bool isFloat = isFloatDataType(dataType);
    result = buildGenericPool(
        b, loc, padded, init, *geometry,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          if (isFloat)
            return arith::MaximumFOp::create(nb, nl, args[0], args[1]);
          if (isUnsigned)
            return arith::MaxUIOp::create(nb, nl, args[0], args[1]);
          return arith::MaxSIOp::create(nb, nl, args[0], args[1]);
        });
  }
  node.setOutput(0, result, dataType);
  return success();
}

/// The number of elements AveragePool counts in each window, per spatial
/// dimension and output position (the count of a window is their product):
/// the window clipped to the input, or to the input plus the operator's
/// padding with count_include_pad (padding added only to fit ceil_mode
/// windows never counts).
static llvm::SmallVector<llvm::SmallVector<int64_t>>
getWindowCounts(llvm::ArrayRef<int64_t> inputSizes,
                const WindowGeometry &geometry, bool countIncludePad) {
  llvm::SmallVector<llvm::SmallVector<int64_t>> counts(geometry.getRank());
  for (int64_t d = 0; d < geometry.getRank(); ++d) {
    int64_t lo = countIncludePad ? -geometry.padsBegin[d] : 0;
    int64_t hi = inputSizes[d] + (countIncludePad ? geometry.padsEnd[d] : 0);
    for (int64_t o = 0; o < geometry.outputShape[d]; ++o) {
      int64_t start = o * geometry.strides[d] - geometry.padsBegin[d];
      int64_t end = start + geometry.kernel[d];
      counts[d].push_back(
          std::max<int64_t>(0, std::min(end, hi) - std::max(start, lo)));
    }
  }
  return counts;
}

static LogicalResult importAveragePool(NodeImporter &node) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  int32_t dataType = node.getInputDataType(0);
  if (!isFloatDataType(dataType))
    return node.unsupported("element type " + getDataTypeName(dataType) +
                            " (float32 or float64 expected)");
  int64_t countIncludePad = node.getIntAttr("count_include_pad", 0);
  if (countIncludePad != 0 && countIncludePad != 1)
    return node.emitError()
           << "'count_include_pad' must be 0 or 1, got " << countIncludePad;
  FailureOr<int64_t> spatialRank = getSpatialRank(node, 0);
  if (failed(spatialRank))
    return failure();
  FailureOr<llvm::SmallVector<int64_t>> kernel =
      getPoolKernel(node, *spatialRank);
  if (failed(kernel))
    return failure();
  llvm::ArrayRef<int64_t> inputShape = node.getInputShape(0);
  FailureOr<WindowGeometry> geometry = computeWindowGeometry(
      node, inputShape.drop_front(2), *kernel, /*readDilations=*/false,
      /*readCeilMode=*/node.getOpsetVersion() >= 10);
  if (failed(geometry))
    return failure();

  Type elementType = node.getInputType(0).getElementType();
  Value zero = createScalarConstant(b, loc, elementType, 0.0);
  Value padded = padSpatial(b, loc, node.getInput(0), *geometry, zero);
  llvm::SmallVector<int64_t> resultShape =
      getPoolResultShape(inputShape, *geometry);
  Value init = createFilled(b, loc, resultShape, zero);
  Value sum;
  if (*spatialRank == 2)
    sum = buildNamedPool<linalg::PoolingNchwSumOp>(b, loc, padded, init,
                                                   *geometry);
  else if (*spatialRank == 1)
    sum = buildNamedPool<linalg::PoolingNcwSumOp>(b, loc, padded, init,
                                                  *geometry);
  else
    sum = buildGenericPool(
        b, loc, padded, init, *geometry,
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::AddFOp::create(nb, nl, args[0], args[1]);
        });

  // Divide by the number of counted elements: the product of the
  // dimensions' counts, a scalar for the dimensions where every window
  // counts the same, a rank-1 constant for the others:
  //   linalg.generic ins(%sum, %countsH : tensor<NxCxHxW>, tensor<H>)
  //     {maps = [(n, c, h, w) -> (n, c, h, w), (n, c, h, w) -> (h), ...]}
  //     { %d = arith.mulf %uniform, %countH ; arith.divf %s, %d }
  llvm::SmallVector<llvm::SmallVector<int64_t>> counts = getWindowCounts(
      inputShape.drop_front(2), *geometry, countIncludePad == 1);
  MLIRContext *context = b.getContext();
  int64_t rank = resultShape.size();
  llvm::SmallVector<Value> inputs{sum};
  llvm::SmallVector<AffineMap> maps{
      AffineMap::getMultiDimIdentityMap(rank, context)};
  int64_t uniform = 1;
  for (auto [d, dimCounts] : llvm::enumerate(counts)) {
    if (llvm::all_equal(dimCounts)) {
      uniform *= dimCounts.front();
      continue;
    }
    llvm::SmallVector<Attribute> values;
    for (int64_t count : dimCounts)
      values.push_back(b.getFloatAttr(elementType, (double)count));
    auto countType =
        RankedTensorType::get({(int64_t)dimCounts.size()}, elementType);
    inputs.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(countType, values)));
    maps.push_back(
        AffineMap::get(rank, 0, getAffineDimExpr(2 + d, context), context));
  }
  Value uniformValue;
  if (uniform != 1 || inputs.size() == 1)
    uniformValue = createScalarConstant(b, loc, elementType, uniform);
  Value result = buildMappedGeneric(
      b, loc, inputs, maps, resultShape, elementType,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value divisor = uniformValue;
        for (Value count : args.drop_front())
          divisor =
              divisor
                  ? arith::MulFOp::create(nb, nl, divisor, count).getResult()
                  : count;
        return arith::DivFOp::create(nb, nl, args[0], divisor);
      });
  node.setOutput(0, result, dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// GlobalAveragePool, GlobalMaxPool
//===----------------------------------------------------------------------===//

/// Reduces all spatial dimensions of an N x C x D1 ... tensor, keeping them
/// as size 1: linalg.reduce, then tensor.expand_shape to N x C x 1 ....
static LogicalResult importGlobalPool(NodeImporter &node, bool isMax) {
  if (failed(node.checkNumInputs(1, 1)))
    return failure();
  OpBuilder &b = node.b;
  Location loc = node.loc;
  int32_t dataType = node.getInputDataType(0);
  if (!isFloatDataType(dataType))
    return node.unsupported("element type " + getDataTypeName(dataType) +
                            " (float32 or float64 expected)");
  RankedTensorType type = node.getInputType(0);
  if (type.getRank() < 3)
    return node.emitError() << "input must be N x C x D1 x ... (rank >= 3), "
                            << "got " << type;
  llvm::SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t d = 2; d < type.getRank(); ++d) {
    axes.push_back(d);
    count *= type.getDimSize(d);
  }
  Type elementType = type.getElementType();
  Value init = isMax ? createLowestValue(b, loc, elementType, false)
                     : createScalarConstant(b, loc, elementType, 0.0);
  Value result = buildReduction(
      b, loc, node.getInput(0), axes, init,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        if (isMax)
          return arith::MaximumFOp::create(nb, nl, args[0], args[1]);
        return arith::AddFOp::create(nb, nl, args[0], args[1]);
      });
  if (!isMax) {
    auto reducedType = cast<RankedTensorType>(result.getType());
    Value divisor = createScalarConstant(b, loc, elementType, count);
    result = buildElementwise(
        b, loc, result, reducedType.getShape(), elementType,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::DivFOp::create(nb, nl, args[0], divisor);
        });
  }
  result =
      reshapeTensor(b, loc, result, getKeptDimsShape(type.getShape(), axes));
  node.setOutput(0, result, dataType);
  return success();
}

void mlir::qcomp::onnx_import::registerConvPoolOps(OpImporterTable &table) {
  table["Conv"] = importConv;
  table["MaxPool"] = importMaxPool;
  table["AveragePool"] = importAveragePool;
  table["GlobalAveragePool"] = [](NodeImporter &node) {
    return importGlobalPool(node, /*isMax=*/false);
  };
  table["GlobalMaxPool"] = [](NodeImporter &node) {
    return importGlobalPool(node, /*isMax=*/true);
  };
}
