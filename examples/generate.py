#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Generates qcomp's example models and their data from a fixed seed.

    /usr/bin/python3 examples/generate.py OUT_DIR

writes, for each example (mlp, cnn, transformer, transformer_outliers,
qdq_mlp):

    OUT_DIR/<name>/model.onnx      the float model (weights drawn from the seed)
    OUT_DIR/<name>/input.npy       one input
    OUT_DIR/<name>/expected.npy    the model's output for it, computed here in
                                   float64 NumPy (an independent reference)
    OUT_DIR/<name>/calib/s*.npz    16 calibration samples, one per file
    OUT_DIR/<name>/eval/s*.npz     8 held-out samples for accuracy reports

Everything is deterministic: the same command writes the same bytes. Only
Debian's python3-onnx and python3-numpy are needed.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20261125
NUM_CALIBRATION_SAMPLES = 16
NUM_EVALUATION_SAMPLES = 8


def initializer(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def weights(rng, shape, fan_in):
    return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)


# --- numpy reference operators (float64) ---------------------------------

def conv2d(x, w, b, stride=1, pad=0, groups=1):
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((n, f, oh, ow))
    fg = f // groups
    for g in range(groups):
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(oh):
            for j in range(ow):
                patch = xs[:, :, i * stride:i * stride + kh,
                           j * stride:j * stride + kw]
                out[:, g * fg:(g + 1) * fg, i, j] = np.einsum(
                    "nchw,fchw->nf", patch, w[g * fg:(g + 1) * fg])
    return out + b.reshape(1, -1, 1, 1)


def maxpool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def layernorm(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def erf(x):
    from math import erf as scalar_erf
    return np.vectorize(scalar_erf)(x)


# --- a multi-layer perceptron ----------------------------------------------

def make_mlp(rng):
    sizes = [256, 128, 64, 10]
    ws = [weights(rng, (n, k), k) for k, n in zip(sizes, sizes[1:])]
    bs = [(0.1 * rng.standard_normal(n)).astype(np.float32) for n in sizes[1:]]
    nodes, inits, x = [], [], "x"
    for i, (w, b) in enumerate(zip(ws, bs), start=1):
        out = "h%d" % i if i < len(ws) else "logits"
        nodes.append(helper.make_node("Gemm", [x, "w%d" % i, "b%d" % i], [out],
                                      name="fc%d" % i, transB=1))
        inits += [initializer("w%d" % i, w), initializer("b%d" % i, b)]
        if i < len(ws):
            nodes.append(helper.make_node("Relu", [out], [out + "_relu"],
                                          name="relu%d" % i))
            x = out + "_relu"
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 256])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [4, 10])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="qcomp-examples")

    def reference(x):
        h = x.astype(np.float64)
        for i, (w, b) in enumerate(zip(ws, bs)):
            h = h @ w.T.astype(np.float64) + b
            if i < len(ws) - 1:
                h = np.maximum(h, 0)
        return h

    def sample():
        return {"x": rng.standard_normal((4, 256)).astype(np.float32)}

    return model, reference, sample


# --- a pre-quantized (QDQ) linear layer ---------------------------------------

def make_qdq_mlp(rng):
    """x -> QuantizeLinear/DequantizeLinear (int8, given scale) -> MatMul with
    an int8 weight behind DequantizeLinear (per output channel) -> + bias ->
    Relu, as QAT tools and ONNX Runtime's quantizer export linear layers."""
    k, n = 64, 32
    x_scale, x_zero = np.float32(0.03), np.int8(-5)
    w = weights(rng, (k, n), k)
    w_scale = (np.abs(w).max(axis=0) / 127).astype(np.float32)
    w_q = np.clip(np.rint(w / w_scale), -127, 127).astype(np.int8)
    b = (0.1 * rng.standard_normal(n)).astype(np.float32)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero"], ["x_q"],
                         name="x_quant"),
        helper.make_node("DequantizeLinear", ["x_q", "x_scale", "x_zero"],
                         ["x_dq"], name="x_dequant"),
        helper.make_node("DequantizeLinear", ["w_q", "w_scale", "w_zero"],
                         ["w_dq"], name="w_dequant", axis=1),
        helper.make_node("MatMul", ["x_dq", "w_dq"], ["mm"], name="fc"),
        helper.make_node("Add", ["mm", "b"], ["y_pre"], name="fc_bias"),
        helper.make_node("Relu", ["y_pre"], ["y"], name="relu"),
    ]
    inits = [numpy_helper.from_array(np.array(x_scale), "x_scale"),
             numpy_helper.from_array(np.array(x_zero), "x_zero"),
             numpy_helper.from_array(w_q, "w_q"),
             numpy_helper.from_array(w_scale, "w_scale"),
             numpy_helper.from_array(np.zeros(n, np.int8), "w_zero"),
             initializer("b", b)]
    graph = helper.make_graph(
        nodes, "qdq_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, n])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="qcomp-examples")

    def reference(x):
        q = np.clip(np.rint(x.astype(np.float64) / x_scale) + x_zero, -128, 127)
        xd = (q - x_zero) * np.float64(x_scale)
        wd = w_q.astype(np.float64) * w_scale.astype(np.float64)
        return np.maximum(xd @ wd + b, 0)

    def sample():
        return {"x": rng.standard_normal((4, k)).astype(np.float32)}

    return model, reference, sample


# --- a small CNN -----------------------------------------------------------

def make_cnn(rng):
    w1 = weights(rng, (8, 3, 3, 3), 27)
    b1 = (0.1 * rng.standard_normal(8)).astype(np.float32)
    w2 = weights(rng, (16, 4, 3, 3), 36)
    b2 = (0.1 * rng.standard_normal(16)).astype(np.float32)
    wf = weights(rng, (10, 16), 16)
    bf = (0.1 * rng.standard_normal(10)).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["image", "w1", "b1"], ["c1"], name="conv1",
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2",
                         pads=[1, 1, 1, 1], strides=[2, 2], group=2),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "wf", "bf"], ["logits"], name="fc",
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax",
                         axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                       [1, 3, 16, 16])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])],
        [initializer("w1", w1), initializer("b1", b1), initializer("w2", w2),
         initializer("b2", b2), initializer("wf", wf), initializer("bf", bf)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="qcomp-examples")

    def reference(image):
        x = image.astype(np.float64)
        x = maxpool2(np.maximum(conv2d(x, w1, b1, pad=1), 0))
        x = np.maximum(conv2d(x, w2, b2, stride=2, pad=1, groups=2), 0)
        x = x.mean(axis=(2, 3))
        return softmax(x @ wf.T.astype(np.float64) + bf)

    def sample():
        return {"image": rng.standard_normal((1, 3, 16, 16)).astype(np.float32)}

    return model, reference, sample


# --- one transformer encoder block ------------------------------------------

# The outlier channels of transformer_outliers and their LayerNorm gains, in
# the 20-100x range reported for OPT and LLaMA (Dettmers et al. 2022, Xiao et
# al. 2023). The weight rows reading them are scaled down by sqrt(gain), so
# the channels matter to the output without drowning the others.
OUTLIER_CHANNELS = {5: 20.0, 19: 40.0, 42: 70.0, 58: 100.0}


def make_transformer(rng, seq=8, dim=32, heads=2, hidden=64, outliers=None):
    """One pre-LN encoder block. With `outliers` ({channel: gain}), both
    LayerNorm gains carry the outlier channels, so the inputs of the Q, K, V
    and first FFN projections have a few channels 20-100x the rest."""
    head_dim = dim // heads
    p = {}
    for name in ["wq", "wk", "wv", "wo"]:
        p[name] = weights(rng, (dim, dim), dim)
    for name in ["bq", "bk", "bv", "bo"]:
        p[name] = (0.02 * rng.standard_normal(dim)).astype(np.float32)
    p["w1"] = weights(rng, (dim, hidden), dim)
    p["b1"] = (0.02 * rng.standard_normal(hidden)).astype(np.float32)
    p["w2"] = weights(rng, (hidden, dim), hidden)
    p["b2"] = (0.02 * rng.standard_normal(dim)).astype(np.float32)
    for name in ["ln1_g", "ln2_g"]:
        p[name] = (1 + 0.1 * rng.standard_normal(dim)).astype(np.float32)
    for name in ["ln1_b", "ln2_b"]:
        p[name] = (0.1 * rng.standard_normal(dim)).astype(np.float32)
    for channel, gain in (outliers or {}).items():
        for name in ["ln1_g", "ln2_g"]:
            p[name][channel] *= gain
        for name in ["wq", "wk", "wv", "w1"]:
            p[name][channel, :] /= np.float32(np.sqrt(gain))
    consts = {
        "heads_shape": np.array([1, seq, heads, head_dim], dtype=np.int64),
        "model_shape": np.array([1, seq, dim], dtype=np.int64),
    }
    scalars = {"scale": np.float32(np.sqrt(head_dim)), "half": np.float32(0.5),
               "one": np.float32(1.0), "sqrt2": np.float32(np.sqrt(2.0))}

    def mm(x, w, b, out):
        return [helper.make_node("MatMul", [x, w], [out + "_mm"], name=out),
                helper.make_node("Add", [out + "_mm", b], [out],
                                 name=out + "_bias")]

    n = []
    n.append(helper.make_node("LayerNormalization", ["tokens", "ln1_g", "ln1_b"],
                              ["ln1"], name="ln1", axis=-1, epsilon=1e-5))
    n += mm("ln1", "wq", "bq", "q") + mm("ln1", "wk", "bk", "k") + \
        mm("ln1", "wv", "bv", "v")
    for t in ["q", "k", "v"]:
        n.append(helper.make_node("Reshape", [t, "heads_shape"], [t + "_h"],
                                  name=t + "_split_heads"))
    n.append(helper.make_node("Transpose", ["q_h"], ["q_t"], perm=[0, 2, 1, 3],
                              name="q_t"))
    n.append(helper.make_node("Transpose", ["k_h"], ["k_t"], perm=[0, 2, 3, 1],
                              name="k_t"))
    n.append(helper.make_node("Transpose", ["v_h"], ["v_t"], perm=[0, 2, 1, 3],
                              name="v_t"))
    n.append(helper.make_node("MatMul", ["q_t", "k_t"], ["scores"],
                              name="scores"))
    n.append(helper.make_node("Div", ["scores", "scale"], ["scaled"],
                              name="scale"))
    n.append(helper.make_node("Softmax", ["scaled"], ["attn"], axis=-1,
                              name="softmax"))
    n.append(helper.make_node("MatMul", ["attn", "v_t"], ["ctx"], name="ctx"))
    n.append(helper.make_node("Transpose", ["ctx"], ["ctx_t"], perm=[0, 2, 1, 3],
                              name="ctx_t"))
    n.append(helper.make_node("Reshape", ["ctx_t", "model_shape"], ["ctx_m"],
                              name="merge_heads"))
    n += mm("ctx_m", "wo", "bo", "attn_out")
    n.append(helper.make_node("Add", ["tokens", "attn_out"], ["res1"],
                              name="residual1"))
    n.append(helper.make_node("LayerNormalization", ["res1", "ln2_g", "ln2_b"],
                              ["ln2"], name="ln2", axis=-1, epsilon=1e-5))
    n += mm("ln2", "w1", "b1", "fc1")
    # GELU as opset 17 models spell it: 0.5 x (1 + erf(x / sqrt(2))).
    n.append(helper.make_node("Div", ["fc1", "sqrt2"], ["g_div"], name="gelu_div"))
    n.append(helper.make_node("Erf", ["g_div"], ["g_erf"], name="gelu_erf"))
    n.append(helper.make_node("Add", ["g_erf", "one"], ["g_add"], name="gelu_add"))
    n.append(helper.make_node("Mul", ["fc1", "g_add"], ["g_mul"], name="gelu_mul"))
    n.append(helper.make_node("Mul", ["g_mul", "half"], ["gelu"], name="gelu"))
    n += mm("gelu", "w2", "b2", "fc2")
    n.append(helper.make_node("Add", ["res1", "fc2"], ["output"],
                              name="residual2"))
    inits = [initializer(k, v) for k, v in p.items()]
    inits += [numpy_helper.from_array(v, k) for k, v in consts.items()]
    inits += [initializer(k, np.array(v)) for k, v in scalars.items()]
    graph = helper.make_graph(
        n, "transformer_block",
        [helper.make_tensor_value_info("tokens", TensorProto.FLOAT,
                                       [1, seq, dim])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                       [1, seq, dim])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="qcomp-examples")

    def reference(tokens):
        f = {k: v.astype(np.float64) for k, v in p.items()}
        x = tokens.astype(np.float64)
        h = layernorm(x, f["ln1_g"], f["ln1_b"])
        q, k, v = (h @ f["w" + t] + f["b" + t] for t in "qkv")
        split = lambda t: t.reshape(1, seq, heads, head_dim).transpose(0, 2, 1, 3)
        att = softmax(split(q) @ split(k).transpose(0, 1, 3, 2) / np.sqrt(head_dim))
        ctx = (att @ split(v)).transpose(0, 2, 1, 3).reshape(1, seq, dim)
        res1 = x + ctx @ f["wo"] + f["bo"]
        h = layernorm(res1, f["ln2_g"], f["ln2_b"]) @ f["w1"] + f["b1"]
        h = 0.5 * h * (1 + erf(h / np.sqrt(2)))
        return res1 + h @ f["w2"] + f["b2"]

    def sample():
        return {"tokens": rng.standard_normal((1, seq, dim)).astype(np.float32)}

    return model, reference, sample


def write_example(out_dir, name, make):
    rng = np.random.default_rng([SEED, sum(map(ord, name))])
    model, reference, sample = make(rng)
    onnx.checker.check_model(model)
    directory = os.path.join(out_dir, name)
    os.makedirs(os.path.join(directory, "calib"), exist_ok=True)
    os.makedirs(os.path.join(directory, "eval"), exist_ok=True)
    with open(os.path.join(directory, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    inputs = sample()
    (input_name, value), = inputs.items()
    np.save(os.path.join(directory, "input.npy"), value)
    np.save(os.path.join(directory, "expected.npy"),
            reference(value).astype(np.float32))
    for i in range(NUM_CALIBRATION_SAMPLES):
        np.savez(os.path.join(directory, "calib", "s%02d.npz" % i), **sample())
    for i in range(NUM_EVALUATION_SAMPLES):
        np.savez(os.path.join(directory, "eval", "s%02d.npz" % i), **sample())


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    write_example(out_dir, "mlp", make_mlp)
    write_example(out_dir, "cnn", make_cnn)
    write_example(out_dir, "transformer", make_transformer)
    write_example(out_dir, "transformer_outliers",
                  lambda rng: make_transformer(rng, seq=16, dim=64, heads=4,
                                               hidden=256,
                                               outliers=OUTLIER_CHANNELS))
    write_example(out_dir, "qdq_mlp", make_qdq_mlp)


if __name__ == "__main__":
    main()
