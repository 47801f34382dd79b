#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes an f32 matmul test module with seeded operands whose products and
sums are exact in f32.

    float-matmul.py M N K [--seed S] [--transposed] [--bias-relu]
                    [--entry A_FILE]

@main computes linalg.matmul A x W (A: M x K, W: K x N constant weights;
with --transposed W is stored N x K and read through a transposed map, as
ONNX Gemm's transB) and prints the result's bits with printMemrefI32;
--bias-relu adds a bias per column and a ReLU, the epilogue the float
kernel fuses. Every value is a multiple of 1/8 in [-2, 2]: products are
multiples of 1/64 of at most 4 and every partial sum, for K up to 2^16, is
exact in f32, so any order of the additions, fused or not, gives the same
bits and the kernel is checked against the reference loops bit for bit.
With --entry A_FILE the module has @gemm(A) -> bits instead (for qcomp
compile and Inputs/run-gemm-f32.c) and A's f32 values go to A_FILE.
"""

import argparse
import random
import struct


def values(rows, cols, rng):
    return [[rng.randint(-16, 16) / 8 for _ in range(cols)]
            for _ in range(rows)]


def text(matrix):
    return "[" + ", ".join(
        "[" + ", ".join(repr(v) for v in row) + "]" for row in matrix) + "]"


def dense(rows, cols, rng):
    return text(values(rows, cols, rng))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("m", type=int)
    parser.add_argument("n", type=int)
    parser.add_argument("k", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--transposed", action="store_true")
    parser.add_argument("--bias-relu", action="store_true")
    parser.add_argument("--entry", metavar="A_FILE",
                        help="emit @gemm(A) -> bits for qcomp compile "
                        "instead, and write A's f32 values to A_FILE")
    args = parser.parse_args()
    m, n, k = args.m, args.n, args.k
    rng = random.Random(args.seed)
    mk, kn, mn = f"{m}x{k}", f"{k}x{n}", f"{m}x{n}"
    print("#a = affine_map<(i, j, k) -> (i, k)>")
    print("#b = affine_map<(i, j, k) -> (j, k)>")
    print("#c = affine_map<(i, j, k) -> (i, j)>")
    print("#id = affine_map<(i, j) -> (i, j)>")
    print("#col = affine_map<(i, j) -> (j)>")
    a = values(m, k, rng)
    if args.entry:
        with open(args.entry, "wb") as f:
            f.write(b"".join(struct.pack("<f", v) for row in a for v in row))
        print(f"func.func @gemm(%a: tensor<{mk}xf32>) -> tensor<{mn}xi32> {{")
    else:
        print("func.func private @printMemrefI32(memref<*xi32>)")
        print("func.func @main() {")
        print(f"  %a = arith.constant dense<{text(a)}> : tensor<{mk}xf32>")
    print("  %zero = arith.constant 0.0 : f32")
    print(f"  %e = tensor.empty() : tensor<{mn}xf32>")
    print(f"  %i = linalg.fill ins(%zero : f32) outs(%e : tensor<{mn}xf32>) "
          f"-> tensor<{mn}xf32>")
    if args.transposed:
        print(f"  %w = arith.constant dense<{dense(n, k, rng)}> : "
              f"tensor<{n}x{k}xf32>")
        print("  %y = linalg.generic {indexing_maps = [#a, #b, #c], "
              "iterator_types = [\"parallel\", \"parallel\", \"reduction\"]} "
              f"ins(%a, %w : tensor<{mk}xf32>, tensor<{n}x{k}xf32>) "
              f"outs(%i : tensor<{mn}xf32>) {{")
        print("  ^bb0(%x: f32, %v: f32, %acc: f32):")
        print("    %p = arith.mulf %x, %v : f32")
        print("    %s = arith.addf %acc, %p : f32")
        print("    linalg.yield %s : f32")
        print(f"  }} -> tensor<{mn}xf32>")
    else:
        print(f"  %w = arith.constant dense<{dense(k, n, rng)}> : "
              f"tensor<{kn}xf32>")
        print(f"  %y = linalg.matmul ins(%a, %w : tensor<{mk}xf32>, "
              f"tensor<{kn}xf32>) outs(%i : tensor<{mn}xf32>) -> "
              f"tensor<{mn}xf32>")
    result = "%y"
    if args.bias_relu:
        print(f"  %bias = arith.constant dense<{dense(1, n, rng)[1:-1]}> : "
              f"tensor<{n}xf32>")
        print(f"  %o = tensor.empty() : tensor<{mn}xf32>")
        print("  %r = linalg.generic {indexing_maps = [#id, #col, #id], "
              "iterator_types = [\"parallel\", \"parallel\"]} "
              f"ins(%y, %bias : tensor<{mn}xf32>, tensor<{n}xf32>) "
              f"outs(%o : tensor<{mn}xf32>) {{")
        print("  ^bb0(%v: f32, %b: f32, %out: f32):")
        print("    %s = arith.addf %v, %b : f32")
        print("    %t = arith.maximumf %s, %zero : f32")
        print("    linalg.yield %t : f32")
        print(f"  }} -> tensor<{mn}xf32>")
        result = "%r"
    print(f"  %bits = arith.bitcast {result} : tensor<{mn}xf32> to "
          f"tensor<{mn}xi32>")
    if args.entry:
        print(f"  return %bits : tensor<{mn}xi32>")
        print("}")
        return
    print(f"  %buf = bufferization.to_buffer %bits : tensor<{mn}xi32> to "
          f"memref<{mn}xi32>")
    print(f"  %u = memref.cast %buf : memref<{mn}xi32> to memref<*xi32>")
    print("  call @printMemrefI32(%u) : (memref<*xi32>) -> ()")
    print("  return")
    print("}")


if __name__ == "__main__":
    main()
