//===- Passes.td - qcomp quantization passes ---------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TRANSFORMS_PASSES_TD
#define QCOMP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCInsertObserversPass : Pass<"qc-insert-observers", "func::FuncOp"> {
  let summary = "Wrap the activations of quantizable ops in qc.observe";
  let description = [{
    Marks each activation tensor that a quantizable op reads or produces with
    a `qc.observe`, so that a calibration run records its statistics.
    Quantizable ops are the linalg contractions and convolutions
    (`linalg.matmul`, `linalg.batch_matmul`, `linalg.conv_*`, ...); operands
    that are constants (weights) are not activations and are skipped. Every
    use of an observed value is rewired to the observer's result, and a value
    read by several ops is observed once.

    Ids are stable across runs and readable: a function argument is named by
    its `qc.name` (`x`), an op result by the op's name location, i.e. the
    ONNX node name (`fc1`), else by the op name and its position
    (`linalg.matmul_0`), with `#<n>` appended for results other than the
    first and `.<k>` to make repeated names unique. `channel_axis` is the
    dimension the consumer reduces over (K of a matmul lhs, C of a
    convolution input) or the output channel of a result (N, F).

    Before:
    ```mlir
    %y = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%z : tensor<4x16xf32>) -> tensor<4x16xf32>
    ```
    After:
    ```mlir
    %xo = qc.observe %x id "x" channel_axis 1 : tensor<4x8xf32>
    %y = linalg.matmul ins(%xo, %w : ...) outs(%z : ...) -> tensor<4x16xf32>
    %yo = qc.observe %y id "fc1" channel_axis 1 : tensor<4x16xf32>
    ```
  }];
  let options = [
    Option<"observeInputs", "inputs", "bool", /*default=*/"true",
           "Observe the activation operands of quantizable ops">,
    Option<"observeOutputs", "outputs", "bool", /*default=*/"true",
           "Observe the results of quantizable ops">,
    ListOption<"opKinds", "ops", "std::string",
               "Kinds of ops whose activations are observed: matmul "
               "(matmul, batch_matmul and their transposed forms), conv "
               "(linalg.conv_*, linalg.depthwise_conv_*), all (every op "
               "with a float tensor result). Default: matmul,conv">
  ];
  let dependentDialects = ["::mlir::qc::QCDialect"];
}

def QCAttachStatsPass : Pass<"qc-attach-stats", "ModuleOp"> {
  let summary = "Attach calibration statistics to observed values";
  let description = [{
    Reads a calibration table (the versioned JSON written by
    `qcomp calibrate`), and for each `qc.observe` attaches the statistics
    recorded under its id as a `#qc.stats` to the observed value, then
    removes the observer. The statistics of a value live on its definition:
    the `qc.stats` argument attribute of a function argument, or the
    `qc.stats` attribute of the defining op (an array with one entry per
    result, `unit` for results without statistics).

    An observer whose id the table lacks is an error, unless
    `allow-missing` is set (then it is removed without statistics).

    Before:
    ```mlir
    %xo = qc.observe %x id "x" : tensor<4x8xf32>
    ```
    After:
    ```mlir
    func.func @f(%x: tensor<4x8xf32> {qc.stats = #qc.stats<min = -1.0, max = 2.5, count = 16>}) ...
    ```
  }];
  let options = [
    Option<"tablePath", "table", "std::string", /*default=*/"",
           "Path of the calibration table (JSON)">,
    Option<"allowMissing", "allow-missing", "bool", /*default=*/"false",
           "Remove observers that the table has no statistics for instead "
           "of failing">
  ];
  let dependentDialects = ["::mlir::qc::QCDialect"];
}

def QCSmoothPass : Pass<"qc-smooth", "func::FuncOp"> {
  let summary = "SmoothQuant: move activation outliers into the weights";
  let description = [{
    Rebalances each linear layer `Y = X W` (`linalg.matmul` with a constant
    weight W of K x N, reached through the importer's transposes and
    reshapes) whose activation X has per-channel calibration statistics
    (`#qc.stats` with `channel_absmax` along K, attached by
    `qc-attach-stats`):

        s_j = max|X_j|^alpha / max|W_j|^(1 - alpha)      (j < K)
        X' = X / s,  W' = diag(s) W,  so X' W' = X W

    A few channels of X with values 20-100x the rest (the outliers of large
    transformers) would otherwise set the scale of a per-tensor activation
    quantization; after smoothing, X' is flat and the weight rows absorb the
    factor, where per-channel weight quantization tolerates it. `s_j` is 1
    for a channel that was never non-zero in X or W, and is clamped to
    [`min-scale`, 1 / `min-scale`].

    The division by s costs nothing at run time when it folds into the
    producer of X (seen through reshapes that keep the last dimension):

    - a normalization whose last step multiplies by a per-channel constant
      and adds one (LayerNorm's gamma and beta, RMSNorm's weight): both are
      divided by s;
    - a preceding linear layer (a `linalg.matmul` with a constant weight and
      a zero init, optionally followed by a per-channel constant bias add,
      optionally through ReLU, which commutes with a positive factor): its
      weight columns and bias are divided by s.

    When several layers read the same producer (the Q, K and V projections
    of a LayerNorm; gate and up projections), they share one s computed
    from the maxima over all of them (the channel maxima of each X, the row
    maxima of every W). A producer with any other reader is not folded
    into.

    Otherwise the pass inserts `qc.smooth` on the layer's input, which the
    lowering fuses into the following `qc.quantize` (unless
    `standalone=false`, which leaves such layers unchanged).

    The statistics of X' (and of every rescaled value with statistics) are
    updated: channel maxima divide by s, min and max are bounded from them,
    and the histogram, which cannot be rescaled per channel, is dropped.

    `alpha=auto` takes each layer's alpha from its `qc.smooth_alpha`
    attribute, set by the driver's search (the alpha of 0, 0.1, ..., 1 that
    minimises the layer's W8A8 output error on the calibration samples, or
    `"none"` when no alpha beats leaving the layer unchanged), and 0.5 where
    there is none. Layers with a constant weight but no channel
    statistics are left unchanged, with a remark.

    In float, smoothing is exact up to rounding: only the order of a
    multiplication and a division changes.

    Before:
    ```mlir
    %x = linalg.generic ... ins(%n, %gamma, %beta ...) // n * gamma + beta
    %y = linalg.matmul ins(%x, %w : tensor<8x32xf32>, tensor<32x16xf32>) ...
    ```
    After: `%gamma`, `%beta` divided by s and `%w` multiplied by s, row-wise.
  }];
  let options = [
    Option<"alpha", "alpha", "std::string", /*default=*/"\"0.5\"",
           "Migration strength in [0, 1] (0: no change of X, 1: X flat), or "
           "'auto' for the per-layer qc.smooth_alpha attributes">,
    Option<"minScale", "min-scale", "double", /*default=*/"1e-5",
           "Smallest smoothing factor (the largest is its inverse)">,
    Option<"standalone", "standalone", "bool", /*default=*/"true",
           "Insert qc.smooth where the factor cannot be folded into a "
           "producer (false: leave such layers unchanged)">
  ];
  let dependentDialects = ["::mlir::qc::QCDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def QCSplitOutliersPass : Pass<"qc-split-outliers", "func::FuncOp"> {
  let summary = "LLM.int8(): compute a matmul's outlier channels in float";
  let description = [{
    Splits each linear layer `Y = X W` (`linalg.matmul` with a constant
    weight W of K x N) along K into a matmul over the normal channels, which
    `qc-quantize` then makes int8, and an f32 matmul over the few outlier
    channels of X, which stays float (`qc.skip`), accumulated onto the
    first:

        Y = X[:, normal] W[normal, :] + X[:, outliers] W[outliers, :]

    `mode=static` (the default) fixes the outlier set at compile time from
    calibration: the channels j of X whose `channel_absmax` exceeds
    `threshold`, or the `top-k` largest when `top-k` > 0, at most
    `max-fraction` of K (the largest). The activation columns are gathered
    with `tensor.extract_slice` + `tensor.concat` and the weight rows are
    re-packed into two constants, so the int8 matmul has K - k channels and
    no float copy of its weights remains. The statistics of the normal
    columns keep their channel maxima, and min and max are bounded by them,
    so the int8 activation scale no longer sees the outliers.

    `mode=dynamic` detects outlier columns at run time, per call, as
    bitsandbytes does: a column whose absolute maximum over the rows of X
    exceeds `threshold` is outlier. Both matmuls then run over all K
    channels on masked copies of X (outlier columns zeroed in one, normal
    columns in the other), and W is kept in float as well as in int8. Its
    cost: one pass over X for the column maxima, two masked copies of X, and
    an f32 matmul as large as the original layer (so more work than the
    float model), for robustness to outliers that calibration did not see.
    The statistics of the normal part are clamped to [-threshold,
    threshold].

    Layers whose input has no per-channel statistics (static mode), or no
    channel over the threshold, are unchanged (with a remark for the
    former).

    Run it after `qc-smooth`: what is still an outlier after smoothing is
    split.
  }];
  let options = [
    Option<"threshold", "threshold", "double", /*default=*/"6.0",
           "A channel is an outlier when its absolute maximum exceeds this">,
    Option<"topK", "top-k", "unsigned", /*default=*/"0",
           "Split the k channels with the largest maxima instead "
           "(static mode; 0: use threshold)">,
    Option<"maxFraction", "max-fraction", "double", /*default=*/"0.25",
           "At most this fraction of K is computed in float (the largest "
           "channels are kept)">,
    Option<"mode", "mode", "std::string", /*default=*/"\"static\"",
           "static: outlier set from calibration; dynamic: detected per "
           "call at run time">
  ];
  let dependentDialects = ["::mlir::qc::QCDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def QCQuantizePass : Pass<"qc-quantize", "func::FuncOp"> {
  let summary = "Rewrite float matmuls and convolutions into qc ops on quantized tensors";
  let description = [{
    Rewrites each quantizable float op into its integer counterpart:
    `linalg.matmul` into `qc.matmul`, `linalg.batch_matmul` (including
    attention's activation x activation products) into `qc.batch_matmul`,
    `linalg.conv_2d_nchw_fchw` and grouped/depthwise
    `linalg.conv_2d_ngchw_gfchw` into `qc.conv2d`. Weights (operands computed
    from constants alone, possibly transposed or reshaped) are quantized at
    compile time into integer constants; 4- and 2-bit weights are stored
    packed and expanded by `qc.unpack`. No float copy of a quantized weight
    remains.

    Activations are quantized

    - statically from the `#qc.stats` calibration attached by
      `qc-attach-stats` (`qc.quantize` with a scale and zero point chosen by
      `range-method`), or
    - dynamically at run time (`qc.dynamic_quantize`, per tensor or per row
      (token)), or
    - not at all (weight-only schemes: the weights are dequantized and the
      float op is kept).

    A constant bias added right after a matmul (Gemm / linear layer) or a
    convolution is folded into the op as int32 at scale s_a * s_w. The
    quantized op returns float (the dequantized accumulator), so everything
    that is not quantized stays float; `qc-propagate-scales` then lets the
    integers flow on where they can. Operands that are already dequantized
    quantized values (ONNX QDQ models) keep their given types, with or
    without statistics.

    Named schemes (weights / activations):

    | scheme        | weights                      | activations             |
    |---------------|------------------------------|-------------------------|
    | `w8a8`        | int8 symmetric, per channel  | int8 static, asymmetric |
    | `w8a8-dynamic`| int8 symmetric, per channel  | int8 dynamic, per row   |
    | `w4a8`        | int4 symmetric, per channel  | int8 static, asymmetric |
    | `w8a16`       | int8 symmetric, per channel  | float                   |
    | `w4a16`       | int4 symmetric, per group 128| float                   |
    | `w2a16`       | int2 asymmetric, per group 64| float                   |

    The other options override parts of the scheme. A front end chooses per
    op with attributes: `qc.weight_scheme = #qc.scheme<...>` and
    `qc.activation_scheme = #qc.scheme<...>` override the pass options for
    that op, and `qc.skip` keeps it float.

    Layers are named as in calibration: the op's name location (the ONNX
    node name), else `<op name>_<index>`. An op stays float (with a remark
    saying why) when it is excluded, when its weight is not constant and its
    activations have no statistics under a static scheme, or when its
    accumulator could overflow.

    Before:
    ```mlir
    %y = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%z : tensor<4x16xf32>) -> tensor<4x16xf32>
    ```
    After (w8a8):
    ```mlir
    %xq = qc.quantize %x : tensor<4x8xf32> to tensor<4x8x!quant.uniform<i8:f32, 0.0157:-1>>
    %wc = arith.constant dense<...> : tensor<8x16xi8>
    %wq = quant.scast %wc : tensor<8x16xi8> to tensor<8x16x!quant.uniform<i8<-127:127>:f32:1, {...}>>
    %y = qc.matmul %xq, %wq acc(i32) : ... -> tensor<4x16xf32>
    ```
  }];
  let options = [
    Option<"scheme", "scheme", "std::string", /*default=*/"\"w8a8\"",
           "Named scheme: w8a8, w8a8-dynamic, w4a8, w8a16, w4a16, w2a16">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"0",
           "Weight width 8, 4 or 2 (0: the scheme's)">,
    Option<"weightGranularity", "weight-granularity", "std::string",
           /*default=*/"\"\"",
           "per-tensor, per-channel (output channel) or per-group (groups "
           "along K) (empty: the scheme's)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"0",
           "Elements of K per weight group for per-group (0: the scheme's)">,
    Option<"weightSymmetric", "weight-symmetric", "std::string",
           /*default=*/"\"\"",
           "true or false: symmetric weights (empty: the scheme's)">,
    Option<"weightRange", "weight-range", "std::string", /*default=*/"\"auto\"",
           "How each weight group's range is chosen: absmax, mse (the "
           "clipped range of least squared error), or auto (mse at 2 bits "
           "and for 4-bit groups of at least 64 weights, else absmax)">,
    Option<"activations", "activations", "std::string", /*default=*/"\"\"",
           "static, dynamic or none (weight-only) (empty: the scheme's)">,
    Option<"activationGranularity", "activation-granularity", "std::string",
           /*default=*/"\"\"",
           "per-tensor or per-row (dynamic only) (empty: the scheme's)">,
    Option<"activationSymmetric", "activation-symmetric", "std::string",
           /*default=*/"\"\"",
           "true or false: symmetric activations (empty: the scheme's)">,
    Option<"rangeMethod", "range-method", "std::string", /*default=*/"\"minmax\"",
           "How static activation ranges are chosen from the statistics: "
           "minmax, percentile, entropy or mse">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "The percentile kept by range-method=percentile">,
    Option<"activationProducts", "activation-products", "bool",
           /*default=*/"true",
           "Quantize batch matmuls of two activations (attention's QK^T and "
           "PV)">,
    ListOption<"exclude", "exclude", "std::string",
               "Layers kept float: names or glob patterns (fc*, "
               "layer.?.attn)">,
    ListOption<"only", "only", "std::string",
               "Quantize only these layers (names or glob patterns)">,
    Option<"keepFirst", "keep-first", "unsigned", /*default=*/"0",
           "Keep the first N quantizable layers float">,
    Option<"keepLast", "keep-last", "unsigned", /*default=*/"0",
           "Keep the last N quantizable layers float">,
    ListOption<"layerBits", "layer-bits", "std::string",
               "Per-layer weight widths, name=bits (bits 8, 4, 2, or 0 to "
               "keep the layer float)">
  ];
  let dependentDialects = ["::mlir::qc::QCDialect",
                           "::mlir::quant::QuantDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def QCPropagateScalesPass : Pass<"qc-propagate-scales", "func::FuncOp"> {
  let summary = "Carry quantization parameters through value-preserving ops";
  let description = [{
    Moves quantization across ops that do not change values, so that the
    integers flow on without a dequantize/quantize pair, in the manner of
    TFLite's quantization driver. Greedy rewrites, each local:

    - `qc.quantize(qc.dequantize(x))` becomes `x` for the same type, else
      `qc.requantize x` (when the two types have a requantize, i.e. share
      their granularity or one is per tensor).
    - `qc.quantize` of the float result of `qc.matmul`, `qc.batch_matmul` or
      `qc.conv2d` (every use of that result being a quantize to one type)
      makes the op return the quantized type directly, keeping its
      attributes; nothing changes when the op's verifier rejects the
      quantized result (a run-time `lhs_scale`, an axis other than the
      output channel).
    - `qc.quantize` is pushed backwards through value-preserving ops whose
      result has no other use than quantizes to one type:
      `tensor.expand_shape` / `tensor.collapse_shape`, `linalg.transpose`,
      `tensor.extract_slice`, `tensor.concat` (every operand is quantized
      with the result type: one scale for all operands; operands that were
      dequantized from another type become requantizes by the first rule),
      `tensor.pad` with a constant value and `linalg.pooling_nchw_max` with
      a constant init (`linalg.fill` of -inf), whose padding value and init
      become their quantized values. Max-pooling and padding cannot hold
      `!quant.uniform` elements, so they are rebuilt on the storage integers
      between two `quant.scast` (max-pooling for signed storage only).
    - `qc.dequantize` is pushed forwards through the same ops
      (`tensor.concat` only when all operands are dequantized from one
      type; `tensor.pad` only when its value is exactly representable, e.g.
      0; max-pooling only with a -inf init, which becomes qmin).
    - ReLU, ReLU6 and clamp (an elementwise `linalg.generic` yielding
      `arith.maximumf` / `arith.minimumf` of its input with constants) in
      front of a per-tensor `qc.quantize` fold into its storage range:
      `qc.quantize(clamp(y, lo, hi)) : !quant.uniform<i8:f32, s:z>` becomes
      `qc.quantize(y) : !quant.uniform<i8<ql:qh>:f32, s:z>` with
      ql = max(qmin, q(lo)), qh = min(qmax, q(hi)), q the quantization to the
      original type (ReLU: ql = z). Only when z stays in [ql, qh] and every
      use of the quantize accepts the narrower type (qc contractions,
      requantize, dequantize, `quant.scast`, through reshapes and slices,
      which are retyped along).
    - Requantize chains fold into one requantize (fixed-point when either
      was) when the intermediate type's real range covers that of the input
      or of the result, so a folded ReLU is never dropped.
    - Dequantizes left without uses are erased.

    Per-axis types cross an op only when their axis keeps its index (tensor
    and linalg ops keep their element type): not through a transpose that
    moves the axis, nor a reshape, slice, concatenation or pooling along it.
    Sub-channel types do not cross.

    Exactness. Moving quantize and dequantize across reshapes, transposes,
    slices, concatenation and padding, and folding ReLU/clamp, compute
    exactly the same integers (quantization is elementwise and monotonic,
    NaN maps to the zero point on both sides). Pushing a quantize backwards
    through max-pooling is exact for NaN-free inputs (float max-pooling
    propagates a NaN, integer max-pooling cannot). Three rewrites replace a
    dequantize-then-quantize by a single rescale by s_in / s_out, the
    arithmetic of `qc.requantize` and of a quantized contraction result,
    which can differ by one step where the value lands next to a rounding
    tie: `qc.quantize(qc.dequantize(x))` between different types, a
    contraction returning the quantized type, and requantize chain folding
    (which also removes the intermediate rounding).

    Propagation stops at ops that change values (add, exp, reductions,
    layer norm, ...): those keep float operands between explicit dequantize
    / quantize, and so does a value with float uses besides the quantize.

    Before:
    ```mlir
    %y = qc.matmul %a, %w acc(i32) : ... -> tensor<4x16xf32>
    %r = tensor.collapse_shape %y [[0, 1]] : tensor<4x16xf32> into tensor<64xf32>
    %q = qc.quantize %r : tensor<64xf32> to tensor<64x!quant.uniform<i8:f32, 0.1>>
    ```
    After:
    ```mlir
    %y = qc.matmul %a, %w acc(i32) : ... -> tensor<4x16x!quant.uniform<i8:f32, 0.1>>
    %q = tensor.collapse_shape %y [[0, 1]] : tensor<4x16x!quant.uniform<i8:f32, 0.1>> into tensor<64x!quant.uniform<i8:f32, 0.1>>
    ```
  }];
  let options = [
    Option<"fixedPoint", "fixed-point", "bool", /*default=*/"false",
           "Requantize (in the requantizations and quantized contraction "
           "results the pass creates) with a fixed-point multiplier and "
           "shift instead of an f32 rescale">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::qc::QCDialect",
                           "::mlir::quant::QuantDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // QCOMP_TRANSFORMS_PASSES_TD
