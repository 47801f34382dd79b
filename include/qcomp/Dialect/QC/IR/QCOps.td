//===- QCOps.td - qc dialect operations --------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Operations of the qc dialect. Each description states the exact arithmetic
// (f32 operations, rounding, saturation) that qc-lower-to-linalg implements
// and that every faster lowering must reproduce bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_DIALECT_QC_IR_QCOPS_TD
#define QCOMP_DIALECT_QC_IR_QCOPS_TD

include "qcomp/Dialect/QC/IR/QCBase.td"
include "qcomp/Dialect/QC/IR/QCAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// qc.observe
//===----------------------------------------------------------------------===//

def QC_ObserveOp : QC_Op<"observe",
    [SameOperandsAndResultType, MemoryEffects<[MemWrite]>]> {
  let summary = "Identity that records a tensor's statistics during calibration";
  let description = [{
    Returns its input unchanged. When the model is compiled for calibration,
    each execution adds the input's values to the statistics kept under `id`
    (min, max, per-channel absolute maximum along `channel_axis`, histogram);
    in every other lowering the op is erased. `id` names the observed tensor
    stably across runs and is the key of the calibration table. The op has a
    write effect so that it is neither hoisted, merged nor removed as dead.

    ```mlir
    %y = qc.observe %x id "mlp.fc1.input" channel_axis 1 : tensor<4x16xf32>
    ```
  }];
  let arguments = (ins QC_FloatTensor:$input, StrAttr:$id,
                       OptionalAttr<I64Attr>:$channel_axis);
  let results = (outs QC_FloatTensor:$result);
  let assemblyFormat = [{
    $input `id` $id (`channel_axis` $channel_axis^)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// qc.quantize
//===----------------------------------------------------------------------===//

def QC_QuantizeOp : QC_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Quantizes a float tensor with static parameters";
  let description = [{
    Converts each element x of `input` to the quantized result type, whose
    scale s and zero point z are those of x's position (per tensor, per axis
    or per block):

        q = saturate(round_half_to_even(x / s) + z)

    computed in f32 (s rounded to f32; `x / s` an f32 division; the zero point
    added in f32), then clamped to the storage range [qmin, qmax] of the result
    type (its explicit range if it has one). NaN becomes z (real 0); +Inf and
    -Inf saturate to qmax and qmin. This matches ONNX `QuantizeLinear`.
    Storage types are at most 16 bits wide so that the bounds are exact in f32.
    Quantizing a constant folds to a constant of the storage type at compile
    time with exactly the same arithmetic.

    ```mlir
    %q = qc.quantize %x : tensor<4x8xf32> to tensor<4x8x!quant.uniform<i8:f32, 0.05:-3>>
    ```
  }];
  let arguments = (ins QC_FloatTensor:$input);
  let results = (outs QC_QuantizedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// qc.dequantize
//===----------------------------------------------------------------------===//

def QC_DequantizeOp : QC_Op<"dequantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Converts a quantized tensor back to float";
  let description = [{
    Converts each element q of `input` to its real value

        x = f32(q - z) * s

    where s and z are the scale and zero point of q's position; `q - z` is
    exact in 64-bit integers, its conversion to f32 rounds to nearest even,
    and the product is an f32 multiplication (s rounded to f32). This matches
    ONNX `DequantizeLinear`. The result element type is the expressed type of
    the input's quantized type.

    ```mlir
    %x = qc.dequantize %q : tensor<8x!quant.uniform<u8:f32, 0.1:128>> to tensor<8xf32>
    ```
  }];
  let arguments = (ins QC_QuantizedTensor:$input);
  let results = (outs QC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// qc.requantize
//===----------------------------------------------------------------------===//

def QC_RequantizeOp : QC_Op<"requantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Rescales a quantized tensor into another quantized type";
  let description = [{
    Maps each element q (scale s_in, zero point z_in) to the result type
    (scale s_out, zero point z_out) without going through float tensors.
    With M = s_in / s_out (computed in double):

    - float mode (default): `saturate(round_half_to_even(f32(q - z_in) *
      f32(M)) + z_out)`, all in f32 as in `qc.quantize`;
    - `fixed_point`: M is decomposed into a 31-bit multiplier m in
      [2^30, 2^31) and a shift e with M ~= m * 2^(e-31); then
      `saturate(((q - z_in) * m + 2^(n-1)) >> n + z_out)` with n = 31 - e,
      a 64-bit product and an arithmetic shift (round to nearest, ties
      towards +infinity). This is the integer-only path of TFLite-style
      kernels.

    Requantizing to the input's own type is the identity in both modes and
    folds away.

    ```mlir
    %r = qc.requantize %q : tensor<16x!quant.uniform<i8:f32, 0.1>> to tensor<16x!quant.uniform<i8:f32, 0.2:5>>
    %f = qc.requantize %q fixed_point : tensor<16x!quant.uniform<i8:f32, 0.1>> to tensor<16x!quant.uniform<u8:f32, 0.3:128>>
    ```
  }];
  let arguments = (ins QC_QuantizedTensor:$input, UnitAttr:$fixed_point);
  let results = (outs QC_QuantizedTensor:$result);
  let assemblyFormat = [{
    $input (`fixed_point` $fixed_point^)? attr-dict `:` type($input) `to`
    type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// qc.dynamic_quantize
//===----------------------------------------------------------------------===//

def QC_DynamicQuantizeOp : QC_Op<"dynamic_quantize", [Pure]> {
  let summary = "Quantizes a float tensor with parameters computed at run time";
  let description = [{
    Computes quantization parameters from the values of `input` at run time,
    either once for the whole tensor (`per_tensor`, `scale` has rank 0) or
    once per row, i.e. per token, over the last dimension (`per_row`, `scale`
    has the input's shape without its last dimension), and quantizes with
    them. The storage type is the result's integer element type: signless
    `iN` is signed, `uiN` unsigned.

    - symmetric (no `zero_point` result; signed storage only):
      `s = max|x| / qmax`;
    - asymmetric (a `zero_point` result): with rmin = min(0, min x) and
      rmax = max(0, max x), `s = (rmax - rmin) / (qmax - qmin)` and
      `z = saturate(round_half_to_even(qmin - rmin / s))`, the formula of ONNX
      `DynamicQuantizeLinear`.

    All in f32; NaN elements are ignored when reducing. A group whose range
    is zero (all zeros) gets s = 1; s is clamped below at the smallest normal
    f32. The elements are then quantized exactly as by `qc.quantize`.

    ```mlir
    %q, %s = qc.dynamic_quantize %x per_row : tensor<4x64xf32> to tensor<4x64xi8>, tensor<4xf32>
    %u, %t, %z = qc.dynamic_quantize %x per_tensor : tensor<4x64xf32> to tensor<4x64xui8>, tensor<f32>, tensor<ui8>
    ```
  }];
  let arguments = (ins QC_FloatTensor:$input, QC_Granularity:$granularity);
  let results = (outs QC_IntegerTensor:$result, QC_FloatTensor:$scale,
                      Optional<QC_IntegerTensor>:$zero_point);
  let assemblyFormat = [{
    $input $granularity attr-dict `:` type($input) `to` type($result) `,`
    type($scale) (`,` type($zero_point)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when the op computes a zero point (asymmetric quantization).
    bool isAsymmetric() { return static_cast<bool>(getZeroPoint()); }
  }];
}

//===----------------------------------------------------------------------===//
// qc.unpack
//===----------------------------------------------------------------------===//

def QC_UnpackOp : QC_Op<"unpack", [Pure]> {
  let summary = "Expands sub-byte integers packed in bytes into a quantized tensor";
  let description = [{
    Reads the 2- or 4-bit storage values of the quantized result from
    `input`, a tensor of bytes (signless `i8`) in which they are packed along
    the last dimension: with b the storage width (4 for `i4`/`u4`, 2 for
    `i2`/`u2`) and R = 8 / b values per byte,

        field(j)  = (input[..., j floordiv R] >> (b * (j mod R))) & (2^b - 1)
        result[..., j] = sext_b(field(j))   (signed storage)
                         field(j)           (unsigned storage)

    so the first value of a byte sits in its lowest bits (the ONNX `int4`
    layout). All dimensions but the last are the same; the last dimension of
    `input` is ceil(n * b / 8) for a last result dimension n, both static.
    When n is not a multiple of R, the unused high fields of the last byte
    are ignored. The values are taken as they are: the packer must keep them
    in the storage range of the result type when it is narrower than the
    full b-bit range (e.g. `i4<-7:7>`).

    ```mlir
    %w = qc.unpack %packed : tensor<32x8xi8> to tensor<32x16x!quant.uniform<i4:f32:1, {0.01, ...}>>
    ```
  }];
  let arguments = (ins QC_IntegerTensor:$input);
  let results = (outs QC_QuantizedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// qc.smooth
//===----------------------------------------------------------------------===//

def QC_SmoothOp : QC_Op<"smooth", [Pure, SameOperandsAndResultType]> {
  let summary = "Divides each channel of the last dimension by a constant factor";
  let description = [{
    The activation side of SmoothQuant when the factor cannot be folded into
    the producer (see `qc-smooth`):

        result[..., j] = input[..., j] / scales[j]      (f32 division)

    `scales` has one positive finite factor per element of the last
    dimension, which must be static. The lowering fuses it into a following
    `qc.quantize`, so the division costs no extra pass over memory.

    ```mlir
    %y = qc.smooth %x by [2.0, 0.5, 1.0] : tensor<8x3xf32>
    ```
  }];
  let arguments = (ins QC_FloatTensor:$input, DenseF32ArrayAttr:$scales);
  let results = (outs QC_FloatTensor:$result);
  let assemblyFormat = "$input `by` $scales attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// qc.matmul / qc.batch_matmul
//===----------------------------------------------------------------------===//

class QC_MatmulLikeOp<string mnemonic, string shapes, string rowShape,
                      string example>
    : QC_Op<mnemonic, [Pure, AttrSizedOperandSegments]> {
  let description = [{
    Multiplies `lhs` (}] # shapes # [{) by quantized `rhs` in integer
    arithmetic:

        acc[..., m, n] = sum_k (lhs[..., m, k] - z_l) * (rhs[..., k, n] - z_r[n])
                         + bias[n]

    in the accumulator type `acc` (i32 or i64). `lhs` is quantized per tensor;
    `rhs` per tensor, per axis along its last (N) dimension, or per group
    along K (below). The optional `bias` is a 1-D tensor of N
    accumulator-typed values at scale s_l * s_r[n] and zero point 0. The
    result type says what is returned:

    - the accumulator type: `acc` itself;
    - a float type: `f32(acc) * f32(s_l * s_r[n])` (dequantized; the product
      of the scales is taken in double and rounded to f32);
    - a quantized type (scale s_o[n], zero point z_o[n], per tensor or per
      axis along N): `acc` requantized with M[n] = s_l * s_r[n] / s_o[n]
      exactly as `qc.requantize` does, in float mode or `fixed_point`.

    Dynamic activation scale: with `lhs_scale`, `lhs` is a plain signless
    integer tensor (signed storage, zero point z_l = 0), as
    `qc.dynamic_quantize` produces it, whose scale is known only at run time.
    `lhs_scale` is an f32 tensor of rank 0 (one scale for all of lhs) or of
    lhs's shape without its last dimension (one scale per row: }] # rowShape
    # [{).
    The result must then be f32, there is no bias, and

        result[..., m, n] = f32(acc[..., m, n]) * (lhs_scale[..., m] * f32(s_r[n]))

    where the product of the two scales is an f32 multiplication, taken
    first (lhs_scale[..., m] stands for the single scale of rank 0).

    Group-wise weights: `rhs` may have a sub-channel quantized type
    (`!quant.uniform<i4:f32:{0:32, 1:1}, {{...}, ...}>` for K x N) with a
    block size G along K (rhs dimension -2; G divides K) and 1 along N (or
    one block spanning N), so that rows k of group g = k floordiv G have
    scale s_r[g, n] and zero point z_r[g, n]. The reduction is then split
    into K / G groups, each summed exactly in the accumulator type:

        acc_g[..., m, n] = sum_{k = g*G}^{g*G + G - 1}
                             (lhs[..., m, k] - z_l) * (rhs[..., k, n] - z_r[g, n])

    and the groups are combined in f32, adding the terms in increasing order
    of g to an initial 0.0:

        y[..., m, n] = sum_g f32(acc_g[..., m, n]) * f32(s_l * s_r[g, n])

    (with `lhs_scale`, each term is
    `f32(acc_g[..., m, n]) * (lhs_scale[..., m] * f32(s_r[g, n]))`). The
    result is y for a float result type; a quantized result (per tensor or
    per axis along N) quantizes y exactly as `qc.quantize` does. An integer
    result, a bias and `fixed_point` are not allowed with group-wise weights.

    The verifier proves that a sum of products cannot overflow the
    accumulator for the static reduction size (K, or G for group-wise
    weights) and the storage ranges of both operands (for an integer lhs,
    the full range of its type), and rejects the op otherwise. The bias is
    added to that exact sum; keeping it in range is the producer's
    responsibility.

    ```mlir
    }] # example # [{
    ```
  }];
  let arguments = (ins QC_QuantizedOrIntegerTensor:$lhs,
                       QC_QuantizedTensor:$rhs,
                       Optional<QC_FloatTensor>:$lhs_scale,
                       Optional<QC_IntegerTensor>:$bias,
                       TypeAttrOf<AnySignlessInteger>:$acc,
                       UnitAttr:$fixed_point);
  let results = (outs QC_MatmulResultTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`lhs_scale` `(` $lhs_scale^ `:` type($lhs_scale) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)? `acc` `(` $acc `)`
    (`fixed_point` $fixed_point^)? attr-dict `:` type($lhs) `,` type($rhs)
    `->` type($result)
  }];
  let builders = [
    // Without a run-time lhs scale.
    OpBuilder<(ins "Type":$result, "Value":$lhs, "Value":$rhs, "Value":$bias,
                   "Type":$acc, CArg<"bool", "false">:$fixed_point), [{
      build($_builder, $_state, result, lhs, rhs, /*lhs_scale=*/Value(), bias,
            ::llvm::cast<IntegerType>(acc), fixed_point);
    }]>
  ];
  let hasVerifier = 1;
}

def QC_MatmulOp : QC_MatmulLikeOp<"matmul", "M x K; rhs K x N", "[M]", [{
    %y = qc.matmul %a, %w bias(%b : tensor<16xi32>) acc(i32)
        : tensor<4x32x!quant.uniform<u8:f32, 0.02:128>>,
          tensor<32x16x!quant.uniform<i8<-127:127>:f32:1, {0.01, ...}>>
        -> tensor<4x16x!quant.uniform<i8:f32, 0.05:-3>>
    %q, %s = qc.dynamic_quantize %x per_row
        : tensor<4x32xf32> to tensor<4x32xi8>, tensor<4xf32>
    %z = qc.matmul %q, %w lhs_scale(%s : tensor<4xf32>) acc(i32)
        : tensor<4x32xi8>,
          tensor<32x16x!quant.uniform<i8<-127:127>:f32:1, {0.01, ...}>>
        -> tensor<4x16xf32>
    %g = qc.matmul %a, %v acc(i32)
        : tensor<4x64x!quant.uniform<u8:f32, 0.02:128>>,
          tensor<64x16x!quant.uniform<i4:f32:{0:32, 1:1}, {{0.1, ...}, {0.2, ...}}>>
        -> tensor<4x16xf32>
  }]> {
  let summary = "Integer matrix multiplication of quantized tensors";
}

def QC_BatchMatmulOp : QC_MatmulLikeOp<"batch_matmul",
    "B x M x K; rhs B x K x N, the same B", "[B, M]", [{
    %y = qc.batch_matmul %q, %k acc(i32)
        : tensor<8x16x64x!quant.uniform<i8:f32, 0.02>>,
          tensor<8x64x16x!quant.uniform<i8:f32, 0.03>>
        -> tensor<8x16x16xf32>
    %z = qc.batch_matmul %p, %k lhs_scale(%s : tensor<8x16xf32>) acc(i32)
        : tensor<8x16x64xi8>, tensor<8x64x16x!quant.uniform<i8:f32, 0.03>>
        -> tensor<8x16x16xf32>
  }]> {
  let summary = "Batched integer matrix multiplication of quantized tensors";
}

//===----------------------------------------------------------------------===//
// qc.conv2d
//===----------------------------------------------------------------------===//

def QC_Conv2DOp : QC_Op<"conv2d", [Pure]> {
  let summary = "Integer 2-D convolution of quantized tensors (NCHW, FCHW)";
  let description = [{
    Convolves quantized `input` (N x C x H x W) with quantized `filter`
    (F x C/groups x KH x KW) in integer arithmetic, with the conventions of
    `qc.matmul`:

        acc[n, f, oh, ow] =
            sum_{c, kh, kw} (xp[n, g*Cg + c, oh*sh + kh*dh, ow*sw + kw*dw] - z_x)
                            * (filter[f, c, kh, kw] - z_w[f])
            + bias[f]

    in the accumulator type `acc` (i32 or i64), where Cg = C / groups, the
    group of output channel f is g = f floordiv (F / groups), `strides` =
    [sh, sw], `dilations` = [dh, dw], and xp is `input` padded with
    `pads` = [top, left, bottom, right] rows and columns whose values are the
    input zero point z_x, so that padded positions contribute 0 (as in ONNX
    `ConvInteger` and `QLinearConv`). The result has the spatial size

        OH = floor((H + top + bottom - dh*(KH-1) - 1) / sh) + 1

    (OW likewise with W, left, right, dw, KW, sw). `strides` and `dilations`
    default to [1, 1], `pads` to [0, 0, 0, 0], `groups` to 1; defaults are
    omitted when printing.

    `input` is quantized per tensor; `filter` per tensor or per axis along
    its output-channel dimension 0 (F). The optional `bias` is a 1-D tensor
    of F accumulator-typed values at scale s_x * s_w[f] and zero point 0.
    The result type says what is returned, exactly as for `qc.matmul`, with
    the output channel f (result dimension 1) in the role of the column n:

    - the accumulator type: `acc` itself;
    - a float type: `f32(acc) * f32(s_x * s_w[f])` (dequantized);
    - a quantized type (scale s_o[f], zero point z_o[f], per tensor or per
      axis along dimension 1): `acc` requantized with
      M[f] = s_x * s_w[f] / s_o[f] exactly as `qc.requantize` does, in float
      mode or `fixed_point`.

    The verifier proves that the sum of K = C/groups * KH * KW products
    cannot overflow the accumulator for the storage ranges of both operands,
    and rejects the op otherwise. The filter and the input channel count must
    be static; N, H and W may be dynamic.

    ```mlir
    %y = qc.conv2d %x, %w bias(%b : tensor<8xi32>) strides [2, 2]
        pads [1, 1, 1, 1] acc(i32)
        : tensor<1x3x8x8x!quant.uniform<u8:f32, 0.02:128>>,
          tensor<8x3x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.01, ...}>>
        -> tensor<1x8x4x4x!quant.uniform<u8:f32, 0.1:10>>
    %z = qc.conv2d %x, %v groups 3 acc(i32)
        : tensor<1x3x8x8x!quant.uniform<u8:f32, 0.02:128>>,
          tensor<6x1x3x3x!quant.uniform<i8:f32, 0.01>>
        -> tensor<1x6x6x6xf32>
    ```
  }];
  let arguments = (ins QC_QuantizedTensor:$input, QC_QuantizedTensor:$filter,
                       Optional<QC_IntegerTensor>:$bias,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$groups,
                       TypeAttrOf<AnySignlessInteger>:$acc,
                       UnitAttr:$fixed_point);
  let results = (outs QC_MatmulResultTensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`strides` $strides^)? (`pads` $pads^)? (`dilations` $dilations^)?
    (`groups` $groups^)? `acc` `(` $acc `)` (`fixed_point` $fixed_point^)?
    attr-dict `:` type($input) `,` type($filter) `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // QCOMP_DIALECT_QC_IR_QCOPS_TD
