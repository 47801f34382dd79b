//===- Passes.td - qcomp conversion passes -----------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_CONVERSION_PASSES_TD
#define QCOMP_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCLowerToLinalgPass : Pass<"qc-lower-to-linalg", "ModuleOp"> {
  let summary = "Reference lowering of qc ops to integer linalg on tensors";
  let description = [{
    Lowers every `qc` op to `linalg.generic`/`linalg.fill`, `arith`, `math` and
    `tensor` ops on tensors of the storage integer types, implementing the
    exact semantics stated in each op's description (f32 arithmetic,
    round-half-to-even, saturation). Quantized tensor types become their
    storage types everywhere, including function signatures, `quant.scast`
    becomes a no-op, and `qc.observe` is erased (its input is forwarded).
    The lowering favours obviously-correct code over speed: it is the
    oracle that the fast kernels are tested against.

    Integer matmuls are computed as the raw product of the storage values in
    the accumulator type, corrected for zero points with row and column sums:

        sum_k (a - za)(b - zb) = sum_k a*b - zb * rowsum(a) - za * colsum(b)
                                 + K * za * zb

    Before:
    ```mlir
    %q = qc.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:1>>
    ```
    After:
    ```mlir
    %e = tensor.empty() : tensor<4xi8>
    %q = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xi8>) {
    ^bb0(%in: f32, %out: i8):
      %d = arith.divf %in, %scale : f32
      %r = math.roundeven %d : f32
      ...  // + zero point, clamp, NaN -> zero point
      %i = arith.fptosi %c : f32 to i8
      linalg.yield %i : i8
    } -> tensor<4xi8>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def QCLowerObserversToRuntimePass
    : Pass<"qc-lower-observers-to-runtime", "ModuleOp"> {
  let summary = "Turn qc.observe into calls of the calibration runtime";
  let description = [{
    Compiles a model for calibration: each `qc.observe` becomes a call that
    hands the tensor to the runtime, which accumulates its statistics, and
    its uses take the observed value directly. Observers are numbered in
    program order; the call passes that number and the tensor as an unranked
    memref, and the module records the ids in that order in its
    `qc.observer_ids` attribute, so the runtime can name what it measured:

    ```mlir
    %y = qc.observe %x id "fc1:output" channel_axis 1 : tensor<4x16xf32>
    ```
    becomes
    ```mlir
    %m = bufferization.to_buffer %x read_only : tensor<4x16xf32> to memref<4x16xf32>
    %u = memref.cast %m : memref<4x16xf32> to memref<*xf32>
    %c0 = arith.constant 0 : i64
    func.call @qcomp_observe_f32(%c0, %u) : (i64, memref<*xf32>) -> ()
    ```
    with `func.func private @qcomp_observe_f32(i64, memref<*xf32>)
    attributes {llvm.emit_c_interface}` declared, whose C entry point is
    `_mlir_ciface_qcomp_observe_f32(int64_t, UnrankedMemRefType<float> *)`.
    Channel axes are not passed: the runtime is configured with them from
    the observers before the run. Only f32 tensors can be observed.
  }];
  let options = [
    Option<"callee", "callee", "std::string", /*default=*/"\"qcomp_observe_f32\"",
           "Name of the runtime function the observers call">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def QCWriteResultsInPlacePass
    : Pass<"qc-write-results-in-place", "func::FuncOp"> {
  let summary = "Compute results in their out-parameters instead of copying "
                "them there";
  let description = [{
    Runs after `buffer-results-to-out-params`, which turns each returned
    buffer into an out-parameter the function copies its result into:

    ```mlir
    func.func @f(%x: memref<4xf32>, %out: memref<4xf32>) {
      %y = memref.alloc() : memref<4xf32>
      linalg.generic ... outs(%y : memref<4xf32>)
      memref.copy %y, %out : memref<4xf32> to memref<4xf32>
      return
    }
    ```

    When the copied buffer is a static `memref.alloc` of the out-parameter's
    type in the function's entry block, the out-parameter is used by nothing
    but the copy, and after the copy the buffer is only read by further
    copies (a value returned twice), the allocation is replaced by the
    out-parameter and the copy goes: the result is computed where the
    caller wants it, and an M x N copy per call is saved. (Upstream's own
    `hoist-static-allocs` does this too but fails when one buffer is
    returned twice.) Out-parameters are assumed not to alias the inputs,
    as the generated C headers state.
  }];
}

def QCLowerFloatMatmulToCPUPass
    : Pass<"qc-lower-float-matmul-to-cpu", "ModuleOp"> {
  let summary = "f32 matmuls with constant weights to register-tiled FMA kernels";
  let description = [{
    Runs on buffers, as `qc-lower-int-matmul-to-cpu` does, on the f32
    matmuls of a float model (or of the layers a quantized one keeps in
    float): a `linalg.matmul`, or a `linalg.generic` computing
    `C[i, j] += A[i, k] * B[k, j]` (B also as `B[j, k]`, a transposed
    weight), of f32 operands with static shapes, whose B is a constant
    global (a weight), or a buffer a `linalg.transpose` fills from one and
    only the matmul reads (ONNX Gemm's transB, as the importer writes it:
    the transpose then goes too). Each becomes

    - B packed at compile time into panels of NR column vectors,
      `Bp[N/(NR L)][K][NR L]` (L f32 lanes per vector: 16 with AVX-512, 8
      with AVX2, 4 on SSE and NEON), zero-padded, as a new constant global;
    - an `MR x NR` tile of `vector<L x f32>` accumulators over K (default
      6 x 4 with 32 vector registers, 6 x 2 with 16), each step one
      element of A broadcast and one `llvm.intr.fmuladd` (an FMA where the
      target has one) per accumulator, A read in place;
    - each vector added into C where it lies, the padded rows left out and
      the last vector of a row masked; or, as for the integer kernels, the
      matmul's elementwise consumer (a bias, a ReLU) computed on it and
      stored into the consumer's output (`fuse-epilogue`);
    - the column blocks an `scf.parallel` loop for matmuls of at least
      `parallel-min-macs` multiply-adds.

    The sums are taken in the reference's order along K, each step fused
    where the target has FMA: results differ from the reference loops by
    rounding only. Matmuls with a non-constant B, dynamic shapes or other
    element types keep their loops, with a remark when they are f32.
  }];
  let options = [
    Option<"triple", "triple", "std::string",
           /*default=*/"\"x86_64-unknown-linux-gnu\"",
           "Target triple (x86_64-* or aarch64-*)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features as llc's -mattr: +avx512f, +avx2, ... (the "
           "vector width)">,
    Option<"tileRows", "tile-rows", "unsigned", /*default=*/"0",
           "Rows of A per register tile (MR, at most M; 0: 6)">,
    Option<"tileVectors", "tile-vectors", "unsigned", /*default=*/"0",
           "Vectors of columns per register tile (NR; 0: 4 with 32 vector "
           "registers, 2 with 16)">,
    Option<"parallelMinMacs", "parallel-min-macs", "int64_t",
           /*default=*/"4194304",
           "Emit the column blocks as a parallel loop only for matmuls of at "
           "least this many multiply-adds (M N K)">,
    Option<"fuseEpilogue", "fuse-epilogue", "bool", /*default=*/"true",
           "Compute the matmul's elementwise consumer (bias, ReLU) on the "
           "accumulator vectors in the kernel">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def QCLowerIntMatmulToCPUPass
    : Pass<"qc-lower-int-matmul-to-cpu", "ModuleOp"> {
  let summary = "Integer matmuls with constant weights to CPU dot-product kernels";
  let description = [{
    Runs on buffers (after bufferization and deallocation; the kernel frees
    the buffers it allocates): rewrites each integer matmul the
    reference lowering produced, a `linalg.generic` computing
    `C[i, j] += ext(A[i, k]) * ext(B[k, j])` from i8 operands into an i32
    accumulator, whose B is a constant global (a weight), into a
    register-tiled kernel that uses the CPU's integer dot-product
    instruction. The result is bit-identical to the reference (every kernel
    computes the exact int32 sum, with the same wrap-around), so the
    zero-point corrections and the epilogue of the reference lowering stay
    as they are.

    - B is packed at compile time into the layout the kernel reads,
      panels of NR column vectors, `Bp[N/(NR L)][K/G][NR][L][G]` (L int32
      lanes per vector, G products per lane): a tile reads one contiguous
      stream of its NR operands per K step. Padded with zeros to whole
      tiles, as a new constant global.
    - int4 and int2 weights (B an `i4` / `i2` buffer filled by the
      reference lowering of `qc.unpack` from a constant global of packed
      bytes) are read at compile time and stored in `Bp` at their own
      width: each kernel operand of V int8 values takes V / 2 (V / 4) bytes,
      byte i holding the values i, i + V/2 (i, i + V/4, ...) in its nibbles
      (bit pairs). After each vector load two shifts per part,
      `(x << (8 - B (r + 1))) >>s (8 - B)`, and a concatenation widen them
      to int8 in registers: the weights take half (a quarter) of the memory
      and bandwidth int8 ones do, and the unpacking loop and its buffer go.
    - A is read in one of three ways, a row's G consecutive values
      broadcast to all lanes: in place, when K is a multiple of G and the
      instruction takes A's bytes as they are (u8 for `vpdpbusd`, s8 for
      `sdot`), or for `vpdpbusd` and a signed A with 8-bit weights, as
      the instruction's signed operand against B + 128 packed as its
      unsigned one (the accumulators of row i start at
      `-128 * rowsum(A_i)`, summed once per call); else each tile's MR
      rows are shifted / widened into a
      zero-padded `MR x Kp` buffer of its column block just before the
      tile (every thread packs its own rows, no buffer of A's size); with
      a fused prologue, or for `i8mm`, A is packed once into a zero-padded
      `Mp x Kp` buffer, for `i8mm` with its rows interleaved in pairs,
      `Ap[M/2][K/8][2][8]`, the operand `smmla` multiplies by a `[2][8]`
      block of `Bp`.
    - An `MR x NR` tile of vector accumulators runs over K (starting at the
      shift's correction, when there is one) and each vector is added into
      C where it lies: rows beyond M are not stored, and the last vector of
      a row is stored masked when N is not a multiple of L.
    - Fused epilogue: when the int32 result is a fresh buffer read only by
      one elementwise `linalg.generic` (the reference lowering's
      zero-point corrections, bias, requantization with saturation, ReLU
      or dequantization; its other operands per row, per column or
      scalars), that generic's body is computed on each accumulator vector
      of the tile, as it leaves the registers, and stored into the
      generic's output as above; the int32 matrix is never stored.
      Otherwise (also when that output is A's buffer) a remark says why.
    - Fused prologue: when A is a fresh buffer written by one elementwise
      `linalg.generic` and read only by the matmul (the reference lowering
      of `qc.dynamic_quantize`: round, add the zero point, saturate, from
      the float activations and the per-row or per-tensor scale), the A
      packing loop computes that body from the generic's inputs, then
      shifts and widens it for the kernel: the int8 A is never written.
      Otherwise a remark says why.
    - The column blocks (outer loop) write disjoint columns: for matmuls of
      at least `parallel-min-macs` multiply-adds they are an `scf.parallel`
      loop, which `qcomp-cpu-to-llvm-pipeline{threads=N}` maps to OpenMP.

    Kernels (`kernel=auto` takes the best the target's features allow):

    | kernel | instruction | L x G | operands |
    |---|---|---|---|
    | `amx` | `tdpbssd` / `tdpbusd` tiles (x86 AMX-INT8, Linux) | 16 x 16 tiles of 64 products | s8 or u8 A by s8 B as they are (see below) |
    | `avx512-vnni` | `vpdpbusd` zmm | 16 x 4 | u8 x s8: a signed A is read in place against B + 128 (the accumulators start at `-128 * rowsum(A)`), or, when K is not a multiple of 4 or B is int4 / int2, shifted by +128 (xor 0x80) with the accumulators starting at `-128 * colsum(B)`, a compile-time constant |
    | `avx-vnni` | `vpdpbusd` ymm | 8 x 4 | as above |
    | `avx2` | `vpmaddwd` ymm | 8 x 2 | A and B widened to i16: exact for every value, no int16 saturation (`vpmaddubsw` could saturate) |
    | `i8mm` | `smmla` / `usmmla` (AArch64) | 2 x 8, 2 rows | a 2 x 8 block of A by an 8 x 2 block of B into a 2 x 2 int32 tile; s8 or u8 A (`usmmla`); a one-row A takes `sdot` when the target has dotprod |
    | `dotprod` | `sdot` (AArch64) | 4 x 4 | s8 x s8 (an unsigned A is left to the reference loops) |
    | `none` | | | nothing changes |

    The `amx` kernel works on tiles instead of vectors: B is packed as
    `Bp[Np/16][Kp/4][16][4]` (int4 / int2 weights widened to int8), A is
    read in place when M is a multiple of 32 and K of 64, else copied (or
    computed by the fused prologue) into a zero-padded `Mp x Kp` buffer
    (by blocks of rows on the threads for large matmuls), and each block of
    32 x 32 results is a 2 x 2 of accumulator tiles held in tile registers
    over K, stored to a 32 x 32 int32 buffer of its column block whose rows
    go through the fused epilogue (16-lane AVX-512 vectors). The module gets
    a constructor that asks Linux for the AMX tile state (arch_prctl
    `ARCH_REQ_XCOMP_PERM`). `auto` takes it for matmuls of at least 16 rows
    of A and the best vector kernel for fewer (whose vectors waste less of
    their work than 32-row blocks do: at 8 rows avx512-vnni is faster).

    Matmuls with a non-constant B (activation x activation), dynamic shapes,
    unsigned weights or a sub-byte B not unpacked from a constant keep the
    reference loops, with a remark naming the reason.
  }];
  let options = [
    Option<"triple", "triple", "std::string",
           /*default=*/"\"x86_64-unknown-linux-gnu\"",
           "Target triple (x86_64-* or aarch64-*)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features as llc's -mattr: +avx2,+avx512vnni,+avxvnni, "
           "+amx-int8, +dotprod, +i8mm, ...">,
    Option<"kernel", "kernel", "std::string", /*default=*/"\"auto\"",
           "auto (the best the features allow), amx, avx512-vnni, "
           "avx-vnni, avx2, i8mm, dotprod or none">,
    Option<"tileRows", "tile-rows", "unsigned", /*default=*/"0",
           "Rows of A per register tile (MR; at most M, rounded up to the "
           "instruction's rows; 0 with tile-vectors 0: the kernel's default, "
           "8 for i8mm, 6 x 4 or 8 x 3 for avx512-vnni (8 x 3 when it pads the "
           "matmul to 8% less work or more), 4 otherwise)">,
    Option<"tileVectors", "tile-vectors", "unsigned", /*default=*/"0",
           "Vectors of columns per register tile (NR; 0: the kernel's "
           "default, 4 for 32 vector registers, 2 for 16)">,
    Option<"parallelMinMacs", "parallel-min-macs", "int64_t",
           /*default=*/"4194304",
           "Emit the column blocks as a parallel loop (threads, when the "
           "pipeline maps it to OpenMP) only for matmuls of at least this "
           "many multiply-adds (M N K); smaller ones are a sequential loop, "
           "cheaper than waking threads">,
    Option<"fuseEpilogue", "fuse-epilogue", "bool", /*default=*/"true",
           "Compute the matmul's elementwise consumer (zero-point "
           "corrections, bias, requantization, ReLU, dequantization) on "
           "the accumulator vectors in the kernel">,
    Option<"fusePrologue", "fuse-prologue", "bool", /*default=*/"true",
           "Compute the elementwise producer of A (dynamic activation "
           "quantization) in the kernel's A packing, from its inputs">,
    Option<"emulateDotProduct", "emulate-dot-product", "bool",
           /*default=*/"false",
           "Compute each dot-product instruction with portable vector "
           "arithmetic instead (same packing, shift and correction): tests "
           "a kernel on a machine without its instruction">
  ];
  let dependentDialects = [
    "::mlir::amx::AMXDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // QCOMP_CONVERSION_PASSES_TD
