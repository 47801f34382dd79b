//===- ONNXImporter.cpp - ONNX model to MLIR ------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Parses a ModelProto, checks its opsets, and walks the graph in order (ONNX
// requires nodes to be topologically sorted): graph inputs become function
// arguments, initializers constants, each node is handed to the importer
// registered for its op type, and graph outputs are returned. Shapes are
// computed by the operator importers from their operands; the shapes a model
// declares for its outputs are checked against them.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Import/ONNX/ONNXImporter.h"
#include "NodeImporter.h"
#include "TensorProtoUtils.h"
#include "qcomp/Import/ONNX/ONNXTensor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "qcomp/Dialect/QC/IR/QCDialect.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace mlir::qcomp;
using namespace mlir::qcomp::onnx_import;

/// The opsets of the default domain this importer understands. Operators are
/// imported with the semantics of the model's opset; ONNX 1.12 goes to 17.
static constexpr int64_t kMinOpset = 7;
static constexpr int64_t kMaxOpset = 18;

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

NodeImporter::NodeImporter(const onnx::NodeProto &node, int64_t opsetVersion,
                           llvm::StringMap<ImportedValue> &values,
                           llvm::StringMap<DenseElementsAttr> &constants,
                           OpBuilder &builder, Location loc)
    : b(builder), loc(loc), node(node), opsetVersion(opsetVersion),
      values(values), constants(constants) {}

bool NodeImporter::hasInput(unsigned i) const {
  return i < getNumInputs() && !node.input(i).empty();
}

Value NodeImporter::getInput(unsigned i) const {
  return values.lookup(node.input(i)).value;
}

RankedTensorType NodeImporter::getInputType(unsigned i) const {
  return cast<RankedTensorType>(getInput(i).getType());
}

int32_t NodeImporter::getInputDataType(unsigned i) const {
  return values.lookup(node.input(i)).dataType;
}

FailureOr<DenseElementsAttr>
NodeImporter::getConstantInput(unsigned i, llvm::StringRef what) {
  if (!hasInput(i)) {
    emitError() << what << " (input " << i << ") is missing";
    return failure();
  }
  auto it = constants.find(node.input(i));
  if (it == constants.end()) {
    emitError() << what << " (input " << i << ", '" << node.input(i)
                << "') must be a constant (an initializer, a Constant node "
                   "or computed from them at import time)";
    return failure();
  }
  return it->second;
}

DenseElementsAttr NodeImporter::lookupConstantInput(unsigned i) const {
  if (!hasInput(i))
    return nullptr;
  return constants.lookup(node.input(i));
}

FailureOr<llvm::SmallVector<int64_t>>
NodeImporter::getConstantInts(unsigned i, llvm::StringRef what) {
  FailureOr<DenseElementsAttr> attr = getConstantInput(i, what);
  if (failed(attr))
    return failure();
  if (!isa<IntegerType>(attr->getElementType())) {
    emitError() << what << " (input " << i << ") must be an integer tensor";
    return failure();
  }
  bool isUnsigned = isUnsignedDataType(getInputDataType(i));
  llvm::SmallVector<int64_t> result;
  for (const APInt &v : attr->getValues<APInt>())
    result.push_back(isUnsigned ? (int64_t)v.getZExtValue() : v.getSExtValue());
  return result;
}

FailureOr<llvm::SmallVector<double>>
NodeImporter::getConstantFloats(unsigned i, llvm::StringRef what) {
  FailureOr<DenseElementsAttr> attr = getConstantInput(i, what);
  if (failed(attr))
    return failure();
  if (!isa<FloatType>(attr->getElementType())) {
    emitError() << what << " (input " << i << ") must be a float tensor";
    return failure();
  }
  llvm::SmallVector<double> result;
  for (const APFloat &v : attr->getValues<APFloat>())
    result.push_back(v.convertToDouble());
  return result;
}

LogicalResult NodeImporter::checkNumInputs(unsigned min, unsigned max) {
  unsigned n = getNumInputs();
  if (n >= min && n <= max)
    return success();
  InFlightDiagnostic diag = emitError() << "expected ";
  if (min == max)
    diag << min;
  else
    diag << min << " to " << max;
  diag << " inputs, got " << n;
  return failure();
}

const onnx::AttributeProto *NodeImporter::findAttr(llvm::StringRef name) {
  for (const onnx::AttributeProto &attr : node.attribute()) {
    if (attr.name() == name) {
      readAttributes.insert(attr.name());
      return &attr;
    }
  }
  return nullptr;
}

int64_t NodeImporter::getIntAttr(llvm::StringRef name, int64_t defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->i() : defaultValue;
}

float NodeImporter::getFloatAttr(llvm::StringRef name, float defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->f() : defaultValue;
}

std::string NodeImporter::getStringAttr(llvm::StringRef name,
                                        llvm::StringRef defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<llvm::SmallVector<int64_t>>
NodeImporter::getIntsAttr(llvm::StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return std::nullopt;
  return llvm::SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<llvm::SmallVector<float>>
NodeImporter::getFloatsAttr(llvm::StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return std::nullopt;
  return llvm::SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

llvm::SmallVector<std::string> NodeImporter::getUnreadAttributes() const {
  llvm::SmallVector<std::string> result;
  for (const onnx::AttributeProto &attr : node.attribute())
    if (!readAttributes.count(attr.name()))
      result.push_back(attr.name());
  return result;
}

bool NodeImporter::hasOutput(unsigned i) const {
  return i < getNumOutputs() && !node.output(i).empty();
}

void NodeImporter::setOutput(unsigned i, Value value, int32_t dataType) {
  if (hasOutput(i))
    values[node.output(i)] = ImportedValue{value, dataType};
}

void NodeImporter::setConstantOutput(unsigned i, DenseElementsAttr value,
                                     int32_t dataType) {
  if (!hasOutput(i))
    return;
  setOutput(i, arith::ConstantOp::create(b, loc, value), dataType);
  constants[node.output(i)] = value;
}

InFlightDiagnostic NodeImporter::emitError() {
  return mlir::emitError(loc)
         << "node '" << getName() << "' (" << getOpType() << "): ";
}

LogicalResult NodeImporter::unsupported(const llvm::Twine &what) {
  emitError() << "unsupported " << what;
  return failure();
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank,
                                               llvm::StringRef what) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    emitError() << what << " " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

namespace {
class GraphImporter {
public:
  GraphImporter(MLIRContext *context, llvm::StringRef fileName,
                const ONNXImportOptions &options)
      : context(context), fileName(fileName.str()), options(options),
        fileLoc(FileLineColLoc::get(context, fileName, 0, 0)) {
    registerElementwiseOps(importers);
    registerMatMulOps(importers);
    registerShapeOps(importers);
    registerConvPoolOps(importers);
    registerNormalizationOps(importers);
    registerReductionOps(importers);
    registerQuantOps(importers);
  }

  OwningOpRef<ModuleOp> import(const onnx::ModelProto &model);

private:
  InFlightDiagnostic emitError() { return mlir::emitError(fileLoc); }
  LogicalResult checkOpsets(const onnx::ModelProto &model);
  FailureOr<RankedTensorType> getInputType(const onnx::ValueInfoProto &info,
                                           int32_t &dataType);
  LogicalResult importConstant(OpBuilder &b, llvm::StringRef name,
                               const HostTensor &tensor, int32_t dataType);
  LogicalResult importInitializer(OpBuilder &b, const onnx::TensorProto &proto);
  LogicalResult importConstantNode(OpBuilder &b, const onnx::NodeProto &node,
                                   Location loc);
  LogicalResult importNode(OpBuilder &b, const onnx::NodeProto &node);

  MLIRContext *context;
  std::string fileName;
  const ONNXImportOptions &options;
  Location fileLoc;
  int64_t opsetVersion = 0;
  OpImporterTable importers;
  llvm::StringMap<ImportedValue> values;
  llvm::StringMap<DenseElementsAttr> constants;
  unsigned numResources = 0;
};
} // namespace

LogicalResult GraphImporter::checkOpsets(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    if (!opset.domain().empty() && opset.domain() != "ai.onnx")
      continue; // Checked per node: only nodes of other domains are errors.
    opsetVersion = opset.version();
  }
  if (opsetVersion == 0)
    return emitError() << "model does not import the default ONNX opset";
  if (opsetVersion < kMinOpset || opsetVersion > kMaxOpset)
    return emitError() << "unsupported ONNX opset " << opsetVersion
                       << " (supported: " << kMinOpset << " to " << kMaxOpset
                       << ")";
  return success();
}

FailureOr<RankedTensorType>
GraphImporter::getInputType(const onnx::ValueInfoProto &info,
                            int32_t &dataType) {
  if (!info.type().has_tensor_type())
    return emitError() << "graph input '" << info.name() << "' is not a tensor";
  const onnx::TypeProto::Tensor &tensorType = info.type().tensor_type();
  dataType = tensorType.elem_type();
  Type elementType = getElementType(context, dataType);
  if (!elementType)
    return emitError() << "graph input '" << info.name()
                       << "' has unsupported element type "
                       << getDataTypeName(dataType);
  auto bound = options.inputShapes.find(info.name());
  if (bound != options.inputShapes.end())
    return RankedTensorType::get(bound->second, elementType);
  if (!tensorType.has_shape())
    return emitError() << "graph input '" << info.name()
                       << "' has no shape; bind one with --input-shape "
                       << info.name() << "=...";
  llvm::SmallVector<int64_t> shape;
  for (const onnx::TensorShapeProto::Dimension &dim :
       tensorType.shape().dim()) {
    if (!dim.has_dim_value() || dim.dim_value() < 0)
      return emitError() << "graph input '" << info.name()
                         << "' has symbolic dimension '" << dim.dim_param()
                         << "'; bind its shape with --input-shape "
                         << info.name() << "=...";
    shape.push_back(dim.dim_value());
  }
  return RankedTensorType::get(shape, elementType);
}

/// The elements of `tensor` as an attribute of element type `elementType`
/// (bools one per byte in the tensor, bit values in the attribute).
static DenseElementsAttr createConstantAttr(const HostTensor &tensor,
                                            Type elementType) {
  auto type = RankedTensorType::get(tensor.getShape(), elementType);
  if (elementType.isInteger(1)) {
    llvm::SmallVector<bool> bits;
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      bits.push_back(tensor.data<uint8_t>()[i] != 0);
    return DenseElementsAttr::get(type, bits);
  }
  llvm::ArrayRef<char> raw(static_cast<const char *>(tensor.data()),
                           tensor.getByteSize());
  return DenseElementsAttr::getFromRawBuffer(type, raw);
}

LogicalResult GraphImporter::importInitializer(OpBuilder &b,
                                               const onnx::TensorProto &proto) {
  llvm::Expected<HostTensor> tensor = convertTensorProto(proto, fileName);
  if (!tensor)
    return emitError() << llvm::toString(tensor.takeError());
  return importConstant(b, proto.name(), *tensor, proto.data_type());
}

LogicalResult GraphImporter::importConstant(OpBuilder &b, llvm::StringRef name,
                                            const HostTensor &hostValue,
                                            int32_t dataType) {
  const HostTensor *tensor = &hostValue;
  Type elementType = getElementType(context, dataType);
  DenseElementsAttr attr = createConstantAttr(*tensor, elementType);
  Location loc = NameLoc::get(b.getStringAttr(name), fileLoc);
  Value value;
  if (tensor->getNumElements() > options.resourceThreshold &&
      !elementType.isInteger(1)) {
    // Large weights go into a dense_resource blob instead of textual IR.
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        llvm::ArrayRef<char>(static_cast<const char *>(tensor->data()),
                             tensor->getByteSize()),
        alignof(uint64_t));
    auto resource = DenseResourceElementsAttr::get(
        attr.getType(), "onnx_" + std::to_string(numResources++),
        std::move(blob));
    value = arith::ConstantOp::create(b, loc, resource);
  } else {
    value = arith::ConstantOp::create(b, loc, attr);
  }
  values[name] = ImportedValue{value, dataType};
  constants[name] = attr;
  return success();
}

LogicalResult GraphImporter::importConstantNode(OpBuilder &b,
                                                const onnx::NodeProto &node,
                                                Location loc) {
  auto error = [&]() {
    return mlir::emitError(loc) << "node '" << node.name() << "' (Constant): ";
  };
  if (node.attribute_size() != 1 || node.output_size() != 1)
    return error() << "expected exactly one value attribute and one output";
  const onnx::AttributeProto &attr = node.attribute(0);
  onnx::TensorProto proto;
  if (attr.name() == "value") {
    proto = attr.t();
  } else if (attr.name() == "value_float") {
    proto.set_data_type(onnx::TensorProto::FLOAT);
    proto.add_float_data(attr.f());
  } else if (attr.name() == "value_floats") {
    proto.set_data_type(onnx::TensorProto::FLOAT);
    proto.add_dims(attr.floats_size());
    for (float f : attr.floats())
      proto.add_float_data(f);
  } else if (attr.name() == "value_int") {
    proto.set_data_type(onnx::TensorProto::INT64);
    proto.add_int64_data(attr.i());
  } else if (attr.name() == "value_ints") {
    proto.set_data_type(onnx::TensorProto::INT64);
    proto.add_dims(attr.ints_size());
    for (int64_t i : attr.ints())
      proto.add_int64_data(i);
  } else {
    return error() << "unsupported attribute '" << attr.name() << "'";
  }
  proto.set_name(node.output(0));
  Type elementType = getElementType(context, proto.data_type());
  if (!elementType)
    return error() << "unsupported element type "
                   << getDataTypeName(proto.data_type());
  return importInitializer(b, proto);
}

LogicalResult GraphImporter::importNode(OpBuilder &b,
                                        const onnx::NodeProto &node) {
  Location loc = NameLoc::get(
      b.getStringAttr(node.name().empty() ? node.op_type() : node.name()),
      fileLoc);
  auto error = [&]() {
    return mlir::emitError(loc)
           << "node '" << node.name() << "' (" << node.op_type() << "): ";
  };
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return error() << "unsupported operator domain '" << node.domain() << "'";
  for (const std::string &input : node.input())
    if (!input.empty() && !values.count(input))
      return error() << "input '" << input << "' is not defined before use";
  if (node.op_type() == "Constant")
    return importConstantNode(b, node, loc);

  auto it = importers.find(node.op_type());
  if (it == importers.end())
    return error() << "unsupported operator '" << node.op_type() << "'";
  NodeImporter importer(node, opsetVersion, values, constants, b, loc);
  if (failed(it->second(importer)))
    return failure();
  llvm::SmallVector<std::string> unread = importer.getUnreadAttributes();
  if (!unread.empty())
    return error() << "unsupported attribute '" << unread.front() << "'";
  for (int i = 0, e = node.output_size(); i < e; ++i)
    if (!node.output(i).empty() && !values.count(node.output(i)))
      return error() << "output " << i << " ('" << node.output(i)
                     << "') is not supported";
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::import(const onnx::ModelProto &model) {
  if (failed(checkOpsets(model)))
    return nullptr;
  const onnx::GraphProto &graph = model.graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  OpBuilder b(context);
  b.setInsertionPointToEnd(module->getBody());

  // Arguments: graph inputs that are not initializers.
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &init : graph.initializer())
    initializerNames.insert(init.name());
  llvm::SmallVector<Type> argTypes;
  llvm::SmallVector<int32_t> argDataTypes;
  llvm::SmallVector<std::string> argNames;
  llvm::SmallVector<std::pair<std::string, int32_t>> frozenInputs;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue;
    if (options.constantInputs.count(input.name())) {
      int32_t dataType = input.type().tensor_type().elem_type();
      std::optional<HostElementType> hostType = getHostElementType(dataType);
      const HostTensor &value = options.constantInputs.at(input.name());
      if (!hostType || *hostType != value.getElementType()) {
        emitError() << "the value bound to input '" << input.name() << "' is "
                    << value.describe() << ", the input is "
                    << getDataTypeName(dataType);
        return nullptr;
      }
      frozenInputs.emplace_back(input.name(), dataType);
      continue;
    }
    int32_t dataType = 0;
    FailureOr<RankedTensorType> type = getInputType(input, dataType);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argDataTypes.push_back(dataType);
    argNames.push_back(input.name());
  }
  for (const auto &binding : options.constantInputs)
    if (!llvm::any_of(frozenInputs, [&](const auto &frozen) {
          return frozen.first == binding.first;
        })) {
      emitError() << "a constant is bound to '" << binding.first
                  << "', which is not a graph input";
      return nullptr;
    }
  for (const auto &binding : options.inputShapes)
    if (!llvm::is_contained(argNames, binding.getKey().str())) {
      emitError() << "--input-shape names '" << binding.getKey()
                  << "', which is not a graph input";
      return nullptr;
    }

  auto func = func::FuncOp::create(
      b, fileLoc, options.functionName,
      FunctionType::get(context, argTypes, /*results=*/{}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = ImportedValue{entry->getArgument(i), argDataTypes[i]};
    func.setArgAttr(i, qc::kNameAttrName, b.getStringAttr(name));
    if (isUnsignedDataType(argDataTypes[i]))
      func.setArgAttr(i, qc::kDTypeAttrName,
                      b.getStringAttr(getElementTypeName(
                          *getHostElementType(argDataTypes[i]))));
  }

  for (const onnx::TensorProto &init : graph.initializer())
    if (failed(importInitializer(b, init)))
      return nullptr;
  for (const auto &[name, dataType] : frozenInputs)
    if (failed(
            importConstant(b, name, options.constantInputs.at(name), dataType)))
      return nullptr;
  for (const onnx::NodeProto &node : graph.node())
    if (failed(importNode(b, node)))
      return nullptr;

  llvm::SmallVector<Value> results;
  llvm::SmallVector<int32_t> resultDataTypes;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end()) {
      emitError() << "graph output '" << output.name()
                  << "' is not produced by any node";
      return nullptr;
    }
    // Check the declared shape and type against what the importer computed.
    auto type = cast<RankedTensorType>(it->second.value.getType());
    if (output.type().has_tensor_type()) {
      const onnx::TypeProto::Tensor &declared = output.type().tensor_type();
      if (declared.elem_type() != 0 &&
          declared.elem_type() != it->second.dataType) {
        emitError() << "graph output '" << output.name() << "' is declared "
                    << getDataTypeName(declared.elem_type())
                    << " but computed as "
                    << getDataTypeName(it->second.dataType);
        return nullptr;
      }
      if (declared.has_shape()) {
        bool mismatch = declared.shape().dim_size() != type.getRank();
        for (int d = 0; !mismatch && d < declared.shape().dim_size(); ++d) {
          const auto &dim = declared.shape().dim(d);
          mismatch =
              dim.has_dim_value() && dim.dim_value() != type.getDimSize(d);
        }
        if (mismatch) {
          emitError() << "graph output '" << output.name()
                      << "' has declared shape that differs from the computed "
                      << type;
          return nullptr;
        }
      }
    }
    results.push_back(it->second.value);
    resultDataTypes.push_back(it->second.dataType);
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setFunctionType(
      FunctionType::get(context, argTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, qc::kNameAttrName, b.getStringAttr(output.name()));
  for (auto [i, dataType] : llvm::enumerate(resultDataTypes))
    if (isUnsignedDataType(dataType))
      func.setResultAttr(
          i, qc::kDTypeAttrName,
          b.getStringAttr(getElementTypeName(*getHostElementType(dataType))));
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

llvm::Error mlir::qcomp::parseInputShapeBinding(llvm::StringRef text,
                                                ONNXImportOptions &options) {
  auto [name, dims] = text.split('=');
  if (name.empty() || !text.contains('='))
    return llvm::createStringError("--input-shape expects name=DxDx..., got '" +
                                   text + "'");
  llvm::SmallVector<int64_t> shape;
  if (!dims.empty() && dims != "scalar") {
    llvm::SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef part : parts) {
      int64_t d;
      if (part.getAsInteger(10, d) || d < 0)
        return llvm::createStringError("--input-shape '" + text +
                                       "': bad dimension '" + part + "'");
      shape.push_back(d);
    }
  }
  options.inputShapes[name] = shape;
  return llvm::Error::success();
}

OwningOpRef<ModuleOp>
mlir::qcomp::importONNXModel(llvm::StringRef bytes, llvm::StringRef bufferName,
                             MLIRContext *context,
                             const ONNXImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(context, bufferName, 0, 0);
  onnx::ModelProto model;
  if (bytes.size() > INT_MAX ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(fileLoc) << "not a valid ONNX model (truncated or corrupt "
                          "protobuf)";
    return nullptr;
  }
  if (!model.has_graph()) {
    emitError(fileLoc) << "ONNX model has no graph";
    return nullptr;
  }
  context->loadDialect<arith::ArithDialect, func::FuncDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       tensor::TensorDialect, quant::QuantDialect,
                       qc::QCDialect>();
  GraphImporter importer(context, bufferName, options);
  return importer.import(model);
}

OwningOpRef<ModuleOp>
mlir::qcomp::importONNXModelFile(llvm::StringRef path, MLIRContext *context,
                                 const ONNXImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read file: " << buffer.getError().message();
    return nullptr;
  }
  return importONNXModel((*buffer)->getBuffer(), path, context, options);
}
