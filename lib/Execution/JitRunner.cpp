//===- JitRunner.cpp - Compile and run a function with the JIT ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The calling convention: the function gets `llvm.emit_c_interface` and its
// tensor results become out-parameters (buffer-results-to-out-params), so
// `_mlir_ciface_<f>` takes one pointer to a memref descriptor per input and
// per output:
//
//   struct { T *allocated, *aligned; int64_t offset, sizes[R], strides[R]; }
//
// The descriptors point into HostTensor buffers; the packed wrapper the
// ExecutionEngine generates is called with pointers to those pointers.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Execution/JitRunner.h"
#include "qcomp/Dialect/QC/IR/QCDialect.h"
#include "qcomp/Execution/PassManagerHook.h"
#include "qcomp/Pipelines/Pipelines.h"
#include "qcomp/Target/CPU/CPUFeatures.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"

using namespace mlir;
using namespace mlir::qcomp;
using llvm::createStringError;

std::string TensorSignature::describe() const {
  std::string result;
  llvm::raw_string_ostream os(result);
  os << "'" << name << "' " << getElementTypeName(elementType) << "[";
  llvm::interleave(shape, os, "x");
  os << "]";
  return result;
}

JitFunction::~JitFunction() = default;

/// The host element type of a tensor element type, using the `qcomp.dtype`
/// attribute (if any) to tell unsigned from signless integers.
static std::optional<HostElementType> getHostType(Type type,
                                                  DictionaryAttr attrs) {
  if (attrs)
    if (auto dtype = attrs.getAs<StringAttr>(qc::kDTypeAttrName))
      return parseElementTypeName(dtype.getValue());
  if (auto quantized = dyn_cast<quant::QuantizedType>(type)) {
    unsigned width = quantized.getStorageTypeIntegralWidth();
    bool isSigned = quantized.isSigned();
    if (width == 8)
      return isSigned ? HostElementType::I8 : HostElementType::U8;
    if (width == 16)
      return isSigned ? HostElementType::I16 : HostElementType::U16;
    if (width == 32)
      return isSigned ? HostElementType::I32 : HostElementType::U32;
    return std::nullopt;
  }
  if (type.isF32())
    return HostElementType::F32;
  if (type.isF64())
    return HostElementType::F64;
  if (type.isInteger(1))
    return HostElementType::Bool;
  if (auto integer = dyn_cast<IntegerType>(type)) {
    bool isUnsigned = integer.isUnsigned();
    switch (integer.getWidth()) {
    case 8:
      return isUnsigned ? HostElementType::U8 : HostElementType::I8;
    case 16:
      return isUnsigned ? HostElementType::U16 : HostElementType::I16;
    case 32:
      return isUnsigned ? HostElementType::U32 : HostElementType::I32;
    case 64:
      return isUnsigned ? HostElementType::U64 : HostElementType::I64;
    default:
      return std::nullopt;
    }
  }
  return std::nullopt;
}

/// Describes the arguments or results of `func`.
static LogicalResult getSignatures(func::FuncOp func, TypeRange types,
                                   bool results,
                                   std::vector<TensorSignature> &signatures) {
  for (auto [i, type] : llvm::enumerate(types)) {
    DictionaryAttr attrs =
        results ? func.getResultAttrDict(i) : func.getArgAttrDict(i);
    const char *kind = results ? "result" : "argument";
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || !tensorType.hasStaticShape())
      return func.emitError() << kind << " " << i << " has type " << type
                              << "; only statically shaped tensors can be "
                                 "passed to and from the JIT";
    std::optional<HostElementType> elementType =
        getHostType(tensorType.getElementType(), attrs);
    if (!elementType)
      return func.emitError()
             << kind << " " << i << " has unsupported element type "
             << tensorType.getElementType();
    TensorSignature signature;
    signature.elementType = *elementType;
    signature.shape.assign(tensorType.getShape().begin(),
                           tensorType.getShape().end());
    StringAttr name =
        attrs ? attrs.getAs<StringAttr>(qc::kNameAttrName) : nullptr;
    signature.name = name ? name.str() : llvm::formatv("{0}{1}", kind, i).str();
    signatures.push_back(std::move(signature));
  }
  return success();
}

LogicalResult
qcomp::getFunctionSignatures(func::FuncOp func,
                             std::vector<TensorSignature> &inputs,
                             std::vector<TensorSignature> &outputs) {
  return success(
      succeeded(getSignatures(func, func.getArgumentTypes(), false, inputs)) &&
      succeeded(getSignatures(func, func.getResultTypes(), true, outputs)));
}

/// Initializes LLVM's native target once per process.
static void initializeNativeTarget() {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
}

void qcomp::prepareEntryPoint(func::FuncOp func) {
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    func.setArgAttrs(i, ArrayRef<NamedAttribute>{});
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    func.setResultAttrs(i, ArrayRef<NamedAttribute>{});
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(func.getContext()));
}

llvm::StringRef qcomp::getOpenMPRuntimePath() { return QCOMP_OPENMP_RUNTIME; }

llvm::Expected<std::unique_ptr<JitFunction>>
JitFunction::compile(ModuleOp module, const JitOptions &options) {
  if (!options.cpuFeatures.empty() && options.threads != 1 &&
      !llvm::sys::fs::exists(getOpenMPRuntimePath()))
    return createStringError(
        "running on " + llvm::Twine(options.threads) +
        " threads needs the LLVM OpenMP runtime, which qcomp was "
        "configured without (install libomp-dev and reconfigure, or use "
        "one thread)");
  auto func = module.lookupSymbol<func::FuncOp>(options.functionName);
  if (!func || func.isExternal())
    return createStringError("the module has no function @" +
                             options.functionName + " to run");
  std::unique_ptr<JitFunction> result(new JitFunction());
  if (failed(getFunctionSignatures(func, result->inputs, result->outputs)))
    return createStringError("cannot call @" + options.functionName);
  prepareEntryPoint(func);

  PassManager pm(module.getContext());
  if (options.cpuFeatures.empty()) {
    ReferenceToLLVMOptions pipelineOptions;
    pipelineOptions.resultsToOutParams = true;
    buildReferenceToLLVMPipeline(pm, pipelineOptions);
  } else {
    CPUToLLVMOptions pipelineOptions;
    pipelineOptions.resultsToOutParams = true;
    pipelineOptions.triple = getHostTriple();
    pipelineOptions.features = options.cpuFeatures;
    pipelineOptions.kernel = options.kernel;
    pipelineOptions.tileRows = options.tileRows;
    pipelineOptions.tileVectors = options.tileVectors;
    pipelineOptions.threads = options.threads;
    buildCPUToLLVMPipeline(pm, pipelineOptions);
  }
  if (failed(applyPassManagerHook(pm)) || failed(pm.run(module)))
    return createStringError("lowering @" + options.functionName +
                             " to LLVM failed");

  initializeNativeTarget();
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  registerOpenMPDialectTranslation(*module.getContext());
  // The host's target machine, for the optimizer as for code generation:
  // without it the loop vectorizer has no vector registers to cost and
  // leaves loops (a kernel's A packing, say) scalar.
  auto machineBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return machineBuilder.takeError();
  auto machine = machineBuilder->createTargetMachine();
  if (!machine)
    return machine.takeError();
  // `transformer` is a function_ref: keep the callable alive here.
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                machine->get());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  llvm::SmallVector<llvm::StringRef> libs;
  // memref.copy of strided views calls into MLIR's C runner utilities.
  if (llvm::sys::fs::exists(QCOMP_MLIR_C_RUNNER_UTILS))
    libs.push_back(QCOMP_MLIR_C_RUNNER_UTILS);
  if (!options.cpuFeatures.empty() && options.threads != 1)
    libs.push_back(getOpenMPRuntimePath());
  engineOptions.sharedLibPaths = libs;
  auto engine =
      ExecutionEngine::create(module, engineOptions, std::move(*machine));
  if (!engine)
    return engine.takeError();
  result->engine = std::move(*engine);
  if (!options.symbols.empty()) {
    llvm::StringMap<void *> symbols = options.symbols;
    result->engine->registerSymbols(
        [symbols](llvm::orc::MangleAndInterner interner) {
          llvm::orc::SymbolMap map;
          for (const auto &entry : symbols)
            map[interner(entry.getKey())] = {
                llvm::orc::ExecutorAddr::fromPtr(entry.getValue()),
                llvm::JITSymbolFlags::Exported};
          return map;
        });
  }
  // Looking the entry point up compiles the module (the JIT compiles on
  // the first lookup), so that the first call is not also the compilation.
  auto entry =
      result->engine->lookupPacked("_mlir_ciface_" + options.functionName);
  if (!entry)
    return entry.takeError();
  result->packedEntry = *entry;
  return result;
}

/// A memref descriptor over `tensor`'s buffer, as int64 words.
static std::vector<int64_t> makeDescriptor(HostTensor &tensor) {
  static_assert(sizeof(void *) == sizeof(int64_t), "64-bit hosts only");
  int64_t rank = tensor.getRank();
  std::vector<int64_t> words(3 + 2 * rank);
  auto address = reinterpret_cast<int64_t>(tensor.data());
  words[0] = address;
  words[1] = address;
  words[2] = 0;
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    words[3 + d] = tensor.getShape()[d];
    words[3 + rank + d] = stride;
    stride *= tensor.getShape()[d];
  }
  return words;
}

llvm::Expected<std::unique_ptr<JitCall>>
JitFunction::bind(llvm::ArrayRef<HostTensor> args) {
  if (args.size() != inputs.size())
    return createStringError(llvm::formatv(
        "the function takes {0} inputs, got {1}", inputs.size(), args.size()));
  std::unique_ptr<JitCall> call(new JitCall());
  call->function = packedEntry;
  call->numInputs = inputs.size();
  // The compiled code may reuse input buffers in place: give it copies.
  for (auto [arg, signature] : llvm::zip(args, inputs)) {
    if (arg.getElementType() != signature.elementType ||
        arg.getShape() != llvm::ArrayRef(signature.shape))
      return createStringError("input " + signature.describe() + " got " +
                               arg.describe());
    call->buffers.push_back(arg);
  }
  for (const TensorSignature &signature : outputs)
    call->buffers.emplace_back(signature.elementType, signature.shape);
  // Every vector is complete before pointers into it are taken.
  for (HostTensor &buffer : call->buffers)
    call->descriptors.push_back(makeDescriptor(buffer));
  for (std::vector<int64_t> &descriptor : call->descriptors)
    call->descriptorPointers.push_back(descriptor.data());
  for (void *&pointer : call->descriptorPointers)
    call->packedArgs.push_back(&pointer);
  return call;
}

std::vector<HostTensor> JitCall::takeOutputs() {
  return std::vector<HostTensor>(
      std::make_move_iterator(buffers.begin() + numInputs),
      std::make_move_iterator(buffers.end()));
}

llvm::Expected<std::vector<HostTensor>>
JitFunction::run(llvm::ArrayRef<HostTensor> args) {
  auto call = bind(args);
  if (!call)
    return call.takeError();
  (*call)->call();
  return (*call)->takeOutputs();
}
