#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes a qc.matmul test module with seeded random operands.

    int-matmul.py M N K [--seed S] [--unsigned] [--a-zp Z] [--w-zp Z]

@main computes the int32 accumulator of qc.matmul A x W (A: M x K, W: K x N
constant weights, both quantized with the given zero points) and prints it
with printMemrefI32. With --entry A_FILE the module has @gemm(A) -> C
instead (for qcomp compile and Inputs/run-gemm.c) and A's bytes go to
A_FILE. Running it through the reference and the CPU pipelines
must print the same numbers: the kernels are checked bit for bit against
the reference lowering, on shapes that are not multiples of their tiles.
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
    print(f"!w = !quant.uniform<i8<-127:127>:f32, 0.25:{args.w_zp}>")
    a_values = [[rng.randint(a_lo, a_hi) for _ in range(k)] for _ in range(m)]
    a_text = "[" + ", ".join(
        "[" + ", ".join(map(str, row)) + "]" for row in a_values) + "]"
    if args.entry:
        with open(args.entry, "wb") as f:
            f.write(bytes(v & 0xFF for row in a_values for v in row))
        print(f"func.func @gemm(%ac: tensor<{m}x{k}xi8>) -> "
              f"tensor<{m}x{n}xi32> {{")
    else:
        print("func.func private @printMemrefI32(memref<*xi32>)")
        print("func.func @main() {")
        print(f"  %ac = arith.constant dense<{a_text}> : tensor<{m}x{k}xi8>")
    print(f"  %a = quant.scast %ac : tensor<{m}x{k}xi8> to tensor<{m}x{k}x!a>")
    print(f"  %wc = arith.constant dense<{dense(k, n, -127, 127, rng)}> "
          f": tensor<{k}x{n}xi8>")
    print(f"  %w = quant.scast %wc : tensor<{k}x{n}xi8> to tensor<{k}x{n}x!w>")
    print(f"  %y = qc.matmul %a, %w acc(i32) : tensor<{m}x{k}x!a>, "
          f"tensor<{k}x{n}x!w> -> tensor<{m}x{n}xi32>")
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
