#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes a qc.matmul test module with seeded random operands.

    int-matmul.py M N K [--seed S] [--unsigned] [--a-zp Z] [--w-zp Z]
                  [--result i32|f32|q8|q8-fixed] [--bias] [--per-channel]
                  [--weight-bits 8|4|2] [--dynamic per_row|per_tensor]

@main computes the int32 accumulator of qc.matmul A x W (A: M x K, W: K x N
constant weights, both quantized with the given zero points) and prints it
with printMemrefI32. With --entry A_FILE the module has @gemm(A) -> C
instead (for qcomp compile and Inputs/run-gemm.c) and A's bytes go to
A_FILE. Running it through the reference and the CPU pipelines
must print the same numbers: the kernels are checked bit for bit against
the reference lowering, on shapes that are not multiples of their tiles.

--result picks what qc.matmul returns, i.e. the epilogue the reference
lowering puts after the accumulation (and the kernels fuse): the int32
accumulators (default), dequantized f32 (printed as its bits), or a
requantized i8 (float or fixed-point rescale, printed widened). --bias adds
an int32 bias per column, --per-channel gives W one scale per column.
--weight-bits 4 or 2 stores W as qc.quantize does for int4 / int2 weights:
signed fields packed along N into bytes (first field in the low bits) behind
qc.unpack.
--dynamic makes A float (M x K f32, seeded) quantized at run time by
qc.dynamic_quantize, symmetric int8, one scale per row or for all of A; the
matmul takes that scale (lhs_scale) and returns f32, printed as its bits.
"""

import argparse
import random


def dense(rows, cols, lo, hi, rng):
    return "[" + ", ".join(
        "[" + ", ".join(str(rng.randint(lo, hi)) for _ in range(cols)) + "]"
        for _ in range(rows)) + "]"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("m", type=int)
    parser.add_argument("n", type=int)
    parser.add_argument("k", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--unsigned", action="store_true",
                        help="u8 activations (default i8)")
    parser.add_argument("--a-zp", type=int, default=0)
    parser.add_argument("--w-zp", type=int, default=0)
    parser.add_argument("--result", default="i32",
                        choices=["i32", "f32", "q8", "q8-fixed"])
    parser.add_argument("--bias", action="store_true")
    parser.add_argument("--per-channel", action="store_true")
    parser.add_argument("--weight-bits", type=int, default=8,
                        choices=[8, 4, 2])
    parser.add_argument("--dynamic", choices=["per_row", "per_tensor"])
    parser.add_argument("--entry", metavar="A_FILE",
                        help="emit @gemm(A) -> C for qcomp compile instead, "
                        "and write A's bytes to A_FILE")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    m, n, k = args.m, args.n, args.k
    if args.unsigned:
        a_type, a_lo, a_hi = "u8", 0, 255
    else:
        a_type, a_lo, a_hi = "i8", -128, 127
    print(f"!a = !quant.uniform<{a_type}:f32, 0.5:{args.a_zp}>")
    bits = args.weight_bits
    w_hi = (1 << (bits - 1)) - 1
    w_storage = f"i{bits}<{-w_hi}:{w_hi}>"
    if args.per_channel:
        scales = ", ".join(f"{0.01 * rng.randint(1, 50)}:{args.w_zp}"
                           for _ in range(n))
        print(f"!w = !quant.uniform<{w_storage}:f32:1, {{{scales}}}>")
    else:
        print(f"!w = !quant.uniform<{w_storage}:f32, 0.25:{args.w_zp}>")
    # About 40 levels per standard deviation of the result.
    print(f"!y = !quant.uniform<i8:f32, {round(17 * k ** 0.5, 2)}:-7>")
    if args.dynamic:
        # Floats exact in f32 (multiples of 1/64), rows of different ranges.
        a_values = [[rng.randint(-640, 640) / 64 * (1 + i % 3)
                     for _ in range(k)] for i in range(m)]
    else:
        a_values = [[rng.randint(a_lo, a_hi) for _ in range(k)]
                    for _ in range(m)]
    a_text = "[" + ", ".join(
        "[" + ", ".join(map(str, row)) + "]" for row in a_values) + "]"
    if args.entry and args.dynamic:
        parser.error("--entry takes integer activations only")
    if args.entry:
        with open(args.entry, "wb") as f:
            f.write(bytes(v & 0xFF for row in a_values for v in row))
        print(f"func.func @gemm(%ac: tensor<{m}x{k}xi8>) -> "
              f"tensor<{m}x{n}xi32> {{")
    else:
        print("func.func private @printMemrefI32(memref<*xi32>)")
        print("func.func @main() {")
        a_element = "f32" if args.dynamic else "i8"
        print(f"  %ac = arith.constant dense<{a_text}> : "
              f"tensor<{m}x{k}x{a_element}>")
    if args.dynamic:
        scale_type = f"tensor<{m}xf32>" if args.dynamic == "per_row" \
            else "tensor<f32>"
        print(f"  %a, %s = qc.dynamic_quantize %ac {args.dynamic} : "
              f"tensor<{m}x{k}xf32> to tensor<{m}x{k}xi8>, {scale_type}")
        a_operand_type = f"tensor<{m}x{k}xi8>"
    else:
        print(f"  %a = quant.scast %ac : tensor<{m}x{k}xi8> to "
              f"tensor<{m}x{k}x!a>")
        a_operand_type = f"tensor<{m}x{k}x!a>"
    if bits == 8:
        print(f"  %wc = arith.constant dense<{dense(k, n, -127, 127, rng)}> "
              f": tensor<{k}x{n}xi8>")
        print(f"  %w = quant.scast %wc : tensor<{k}x{n}xi8> to "
              f"tensor<{k}x{n}x!w>")
    else:
        # The full signed range of the fields, -2^(B-1) included.
        per_byte = 8 // bits
        nb = (n + per_byte - 1) // per_byte
        rows = []
        for _ in range(k):
            fields = [rng.randint(-w_hi - 1, w_hi) for _ in range(n)]
            fields += [0] * (nb * per_byte - n)
            row = []
            for j in range(nb):
                byte = 0
                for r in range(per_byte):
                    byte |= (fields[j * per_byte + r] & ((1 << bits) - 1)) \
                        << (bits * r)
                row.append(byte - 256 if byte > 127 else byte)
            rows.append("[" + ", ".join(map(str, row)) + "]")
        print(f"  %wc = arith.constant dense<[{', '.join(rows)}]> "
              f": tensor<{k}x{nb}xi8>")
        print(f"  %w = qc.unpack %wc : tensor<{k}x{nb}xi8> to "
              f"tensor<{k}x{n}x!w>")
    bias = ""
    if args.bias:
        print(f"  %bias = arith.constant dense<{dense(1, n, -5000, 5000, rng)[1:-1]}> "
              f": tensor<{n}xi32>")
        bias = f" bias(%bias : tensor<{n}xi32>)"
    if args.dynamic:
        args.result = "f32"
        bias += f" lhs_scale(%s : {scale_type})"
    result_type = {"i32": "i32", "f32": "f32", "q8": "!y",
                   "q8-fixed": "!y"}[args.result]
    fixed = " fixed_point" if args.result == "q8-fixed" else ""
    mn = f"{m}x{n}"
    print(f"  %r = qc.matmul %a, %w{bias} acc(i32){fixed} : "
          f"{a_operand_type}, tensor<{k}x{n}x!w> -> "
          f"tensor<{mn}x{result_type}>")
    # The values as int32, bit for bit.
    if args.result == "i32":
        print(f"  %y = tensor.cast %r : tensor<{mn}xi32> to tensor<{mn}xi32>")
    elif args.result == "f32":
        print(f"  %y = arith.bitcast %r : tensor<{mn}xf32> to tensor<{mn}xi32>")
    else:
        print(f"  %r8 = quant.scast %r : tensor<{mn}x!y> to tensor<{mn}xi8>")
        print(f"  %y = arith.extsi %r8 : tensor<{mn}xi8> to tensor<{mn}xi32>")
    if args.entry:
        print(f"  return %y : tensor<{m}x{n}xi32>")
        print("}")
        return
    print(f"  %b = bufferization.to_buffer %y : tensor<{m}x{n}xi32> to "
          f"memref<{m}x{n}xi32>")
    print(f"  %u = memref.cast %b : memref<{m}x{n}xi32> to memref<*xi32>")
    print("  call @printMemrefI32(%u) : (memref<*xi32>) -> ()")
    print("  return")
    print("}")


if __name__ == "__main__":
    main()
