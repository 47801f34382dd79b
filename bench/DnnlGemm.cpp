//===- DnnlGemm.cpp - oneDNN's int8 matmul, the benchmark's peer ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Sets up the int8 matmul of qcomp-bench-gemm as a oneDNN 2.x user with a
// quantized layer would: a matmul primitive of u8 or s8 activations by
// constant s8 weights into s8, requantized by a fixed output scale, with
// the activations' and the result's zero points given at run time
// (DNNL_ARG_ATTR_ZERO_POINTS); the weights in the layout oneDNN asks for
// (format `any`), reordered into it once at creation. Only the primitive's
// execute is timed, by the caller.
//
// Without VNNI (AVX2 only) oneDNN 2.6's int8 matmul is gemm:jit on
// vpmaddubsw, whose pairs of u8 x s8 products saturate to int16: with
// u8 activations over 0..255 and weights over -127..127 most int32 sums
// are not exact (s8 activations are shifted into u8 first); they are when
// the weights fit in 7 bits or the activations in 0..127. The timing does
// not depend on the values, so the operands are random over their full
// ranges, like qcomp's (whose AVX2 kernel is exact).
//
// oneDNN's CPU engine threads with the runtime it was built for: Debian's
// libdnnl2 uses OpenMP (libgomp), whose thread count the calling thread
// sets with omp_set_num_threads before the primitive is created.
//
//===----------------------------------------------------------------------===//

#include "DnnlGemm.h"

#include "llvm/Support/FormatVariadic.h"

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

#include <iterator>
#include <vector>

#if DNNL_VERSION_MAJOR != 2
#error "bench/DnnlGemm.cpp is written against oneDNN 2.x's C API"
#endif
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#endif

using namespace qcomp_bench;

/// Success, or an error naming the oneDNN call and its status.
static llvm::Error check(dnnl_status_t status, const char *call) {
  if (status == dnnl_success)
    return llvm::Error::success();
  return llvm::createStringError(
      llvm::formatv("{0} failed: {1}", call, dnnl_status2str(status)).str());
}

/// Makes the calling thread run oneDNN's primitives on `threads` threads.
static llvm::Error setThreads(unsigned threads) {
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
  omp_set_num_threads((int)threads);
  if (omp_get_max_threads() == (int)threads)
    return llvm::Error::success();
  return llvm::createStringError(
      llvm::formatv("OpenMP runs {0} threads instead of {1}",
                    omp_get_max_threads(), threads)
          .str());
#elif DNNL_CPU_RUNTIME == DNNL_RUNTIME_SEQ
  if (threads == 1)
    return llvm::Error::success();
  return llvm::createStringError("oneDNN is built sequential: 1 thread only");
#else
  return llvm::createStringError(
      "oneDNN's CPU runtime is neither OpenMP nor sequential: its thread "
      "count cannot be set here");
#endif
}

struct DnnlMatmul::Handles {
  dnnl_engine_t engine = nullptr;
  dnnl_stream_t stream = nullptr;
  dnnl_primitive_attr_t attr = nullptr;
  dnnl_primitive_desc_t matmulDesc = nullptr;
  dnnl_primitive_t matmul = nullptr;
  dnnl_memory_t src = nullptr, weights = nullptr, dst = nullptr;
  dnnl_memory_t srcZeroPoint = nullptr, dstZeroPoint = nullptr;
  std::vector<uint8_t> srcData, weightsData, dstData;
  // The run-time zero points, read through srcZeroPoint / dstZeroPoint.
  int32_t srcZeroPointValue = 0, dstZeroPointValue = 0;
  std::string implementation;

  ~Handles() {
    for (dnnl_memory_t memory : {src, weights, dst, srcZeroPoint, dstZeroPoint})
      if (memory)
        dnnl_memory_destroy(memory);
    if (matmul)
      dnnl_primitive_destroy(matmul);
    if (matmulDesc)
      dnnl_primitive_desc_destroy(matmulDesc);
    if (attr)
      dnnl_primitive_attr_destroy(attr);
    if (stream)
      dnnl_stream_destroy(stream);
    if (engine)
      dnnl_engine_destroy(engine);
  }
};

DnnlMatmul::DnnlMatmul() : handles(std::make_unique<Handles>()) {}
DnnlMatmul::~DnnlMatmul() = default;

/// Reorders the K x N row-major s8 `data` into the layout of `layout` (the
/// primitive's weights), into a new memory `result` over `storage`.
static llvm::Error
reorderWeights(dnnl_engine_t engine, dnnl_stream_t stream, int64_t k, int64_t n,
               std::vector<uint8_t> &data, const dnnl_memory_desc_t *layout,
               std::vector<uint8_t> &storage, dnnl_memory_t &result) {
  dnnl_dims_t dims = {k, n};
  dnnl_memory_desc_t plainDesc;
  if (auto error = check(
          dnnl_memory_desc_init_by_tag(&plainDesc, 2, dims, dnnl_s8, dnnl_ab),
          "dnnl_memory_desc_init_by_tag"))
    return error;
  storage.assign(dnnl_memory_desc_get_size(layout), 0);
  if (auto error =
          check(dnnl_memory_create(&result, layout, engine, storage.data()),
                "dnnl_memory_create"))
    return error;
  dnnl_memory_t plain = nullptr;
  dnnl_primitive_desc_t reorderDesc = nullptr;
  dnnl_primitive_t reorder = nullptr;
  llvm::Error error =
      check(dnnl_memory_create(&plain, &plainDesc, engine, data.data()),
            "dnnl_memory_create");
  if (!error)
    error = check(dnnl_reorder_primitive_desc_create(&reorderDesc, &plainDesc,
                                                     engine, layout, engine,
                                                     /*attr=*/nullptr),
                  "dnnl_reorder_primitive_desc_create");
  if (!error)
    error = check(dnnl_primitive_create(&reorder, reorderDesc),
                  "dnnl_primitive_create (reorder)");
  if (!error) {
    dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, plain}, {DNNL_ARG_TO, result}};
    error = check(dnnl_primitive_execute(reorder, stream, 2, args),
                  "dnnl_primitive_execute (reorder)");
  }
  if (!error)
    error = check(dnnl_stream_wait(stream), "dnnl_stream_wait");
  if (reorder)
    dnnl_primitive_destroy(reorder);
  if (reorderDesc)
    dnnl_primitive_desc_destroy(reorderDesc);
  if (plain)
    dnnl_memory_destroy(plain);
  return error;
}

/// A run-time zero point: a one-element s32 memory over `value`.
static llvm::Error createZeroPoint(dnnl_engine_t engine, int32_t &value,
                                   dnnl_memory_t &result) {
  dnnl_dims_t dims = {1};
  dnnl_memory_desc_t desc;
  if (auto error =
          check(dnnl_memory_desc_init_by_tag(&desc, 1, dims, dnnl_s32, dnnl_a),
                "dnnl_memory_desc_init_by_tag"))
    return error;
  return check(dnnl_memory_create(&result, &desc, engine, &value),
               "dnnl_memory_create");
}

llvm::Expected<std::unique_ptr<DnnlMatmul>>
DnnlMatmul::create(const DnnlMatmulConfig &config, std::mt19937 &rng) {
  if (auto error = setThreads(config.threads))
    return std::move(error);
  std::unique_ptr<DnnlMatmul> result(new DnnlMatmul());
  Handles &h = *result->handles;
  const int64_t m = config.m, n = config.n, k = config.k;
  if (auto error = check(dnnl_engine_create(&h.engine, dnnl_cpu, 0),
                         "dnnl_engine_create"))
    return std::move(error);
  if (auto error = check(
          dnnl_stream_create(&h.stream, h.engine, dnnl_stream_default_flags),
          "dnnl_stream_create"))
    return std::move(error);

  dnnl_dims_t srcDims = {m, k}, weightsDims = {k, n}, dstDims = {m, n};
  dnnl_memory_desc_t srcDesc, anyWeightsDesc, dstDesc;
  dnnl_data_type_t srcType = config.unsignedSrc ? dnnl_u8 : dnnl_s8;
  if (auto error = check(
          dnnl_memory_desc_init_by_tag(&srcDesc, 2, srcDims, srcType, dnnl_ab),
          "dnnl_memory_desc_init_by_tag"))
    return std::move(error);
  if (auto error =
          check(dnnl_memory_desc_init_by_tag(&anyWeightsDesc, 2, weightsDims,
                                             dnnl_s8, dnnl_format_tag_any),
                "dnnl_memory_desc_init_by_tag"))
    return std::move(error);
  if (auto error = check(
          dnnl_memory_desc_init_by_tag(&dstDesc, 2, dstDims, dnnl_s8, dnnl_ab),
          "dnnl_memory_desc_init_by_tag"))
    return std::move(error);
  dnnl_matmul_desc_t matmulOp;
  if (auto error =
          check(dnnl_matmul_desc_init(&matmulOp, &srcDesc, &anyWeightsDesc,
                                      /*bias_desc=*/nullptr, &dstDesc),
                "dnnl_matmul_desc_init"))
    return std::move(error);

  // Per-tensor (mask 0) output scale, known at creation; the zero points
  // are DNNL_RUNTIME_S32_VAL here and given to each execute.
  if (auto error =
          check(dnnl_primitive_attr_create(&h.attr), "dnnl_primitive_attr"))
    return std::move(error);
  const float scale = config.outputScale;
  if (auto error =
          check(dnnl_primitive_attr_set_output_scales(h.attr, 1, 0, &scale),
                "dnnl_primitive_attr_set_output_scales"))
    return std::move(error);
  const int32_t runtimeZeroPoint = DNNL_RUNTIME_S32_VAL;
  for (int arg : {DNNL_ARG_SRC, DNNL_ARG_DST})
    if (auto error = check(dnnl_primitive_attr_set_zero_points(
                               h.attr, arg, 1, 0, &runtimeZeroPoint),
                           "dnnl_primitive_attr_set_zero_points"))
      return std::move(error);
  if (auto error = check(dnnl_primitive_desc_create(&h.matmulDesc, &matmulOp,
                                                    h.attr, h.engine,
                                                    /*hint=*/nullptr),
                         "dnnl_primitive_desc_create (matmul)"))
    return std::move(error);
  const char *implementation = nullptr;
  if (dnnl_primitive_desc_query(h.matmulDesc, dnnl_query_impl_info_str, 0,
                                &implementation) == dnnl_success &&
      implementation)
    h.implementation = implementation;
  if (auto error = check(dnnl_primitive_create(&h.matmul, h.matmulDesc),
                         "dnnl_primitive_create (matmul)"))
    return std::move(error);

  // Random operands: activations over their whole range, weights in
  // [-127, 127] like qcomp's.
  std::uniform_int_distribution<int> bytes(0, 255), weights(-127, 127);
  h.srcData.resize(m * k);
  for (uint8_t &value : h.srcData)
    value = (uint8_t)bytes(rng);
  std::vector<uint8_t> plainWeights(k * n);
  for (uint8_t &value : plainWeights)
    value = (uint8_t)(int8_t)weights(rng);
  h.dstData.assign(m * n, 0);
  if (auto error = check(
          dnnl_memory_create(&h.src, &srcDesc, h.engine, h.srcData.data()),
          "dnnl_memory_create"))
    return std::move(error);
  if (auto error = check(
          dnnl_memory_create(&h.dst, &dstDesc, h.engine, h.dstData.data()),
          "dnnl_memory_create"))
    return std::move(error);
  const dnnl_memory_desc_t *weightsDesc =
      dnnl_primitive_desc_query_md(h.matmulDesc, dnnl_query_weights_md, 0);
  if (!weightsDesc)
    return llvm::createStringError("the matmul has no weights descriptor");
  if (auto error = reorderWeights(h.engine, h.stream, k, n, plainWeights,
                                  weightsDesc, h.weightsData, h.weights))
    return std::move(error);
  h.srcZeroPointValue = config.srcZeroPoint;
  h.dstZeroPointValue = config.dstZeroPoint;
  if (auto error =
          createZeroPoint(h.engine, h.srcZeroPointValue, h.srcZeroPoint))
    return std::move(error);
  if (auto error =
          createZeroPoint(h.engine, h.dstZeroPointValue, h.dstZeroPoint))
    return std::move(error);
  return std::move(result);
}

llvm::Error DnnlMatmul::execute() {
  Handles &h = *handles;
  dnnl_exec_arg_t args[] = {
      {DNNL_ARG_SRC, h.src},
      {DNNL_ARG_WEIGHTS, h.weights},
      {DNNL_ARG_DST, h.dst},
      {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, h.srcZeroPoint},
      {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, h.dstZeroPoint},
  };
  if (auto error = check(
          dnnl_primitive_execute(h.matmul, h.stream, std::size(args), args),
          "dnnl_primitive_execute (matmul)"))
    return error;
  return check(dnnl_stream_wait(h.stream), "dnnl_stream_wait");
}

llvm::StringRef DnnlMatmul::getImplementation() const {
  return handles->implementation;
}

llvm::Error qcomp_bench::setDnnlMaxIsa(llvm::StringRef isa) {
  dnnl_cpu_isa_t max = dnnl_cpu_isa_all;
  if (isa == "avx512-vnni")
    max = dnnl_cpu_isa_avx512_core_vnni;
  else if (isa == "avx-vnni")
    max = dnnl_cpu_isa_avx2_vnni;
  else if (isa == "avx2")
    max = dnnl_cpu_isa_avx2;
  else if (isa != "all")
    return llvm::createStringError(
        "unknown oneDNN ISA cap '%s' (expected all, avx512-vnni, avx-vnni or "
        "avx2)",
        isa.str().c_str());
  return check(dnnl_set_max_cpu_isa(max), "dnnl_set_max_cpu_isa");
}

std::string qcomp_bench::getDnnlDescription() {
  const dnnl_version_t *version = dnnl_version();
  const char *runtime = version->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP"
                        : version->cpu_runtime == DNNL_RUNTIME_SEQ
                            ? "sequential"
                        : version->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB"
                                                                   : "other";
  return llvm::formatv("oneDNN {0}.{1}.{2} ({3} runtime, CPU ISA {4})",
                       version->major, version->minor, version->patch, runtime,
                       dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()))
      .str();
}
