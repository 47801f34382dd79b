#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Runs qc.matmul modules through the reference and the CPU pipelines and
checks that they print the same int32 accumulators, bit for bit.

    compare-kernels.py --qcomp-opt P --runner P --libs a.so,b.so
                       [--generator int-matmul.py|float-matmul.py]
                       --pipeline NAME=PIPELINE ... -- SHAPE ...

SHAPE is M,N,K[,options of the generator separated by ':'], e.g.
7,13,29 or 5,9,17:--unsigned:--a-zp=130. For each shape and pipeline the
script prints "MxNxK NAME: identical (E elements) by the kernel" (or "by
the loops" when the pipeline left the matmul to the reference loops: no
packed weights in its output), or the first difference and exits 1.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, stdin=None):
    result = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd[:2])} failed:\n{result.stderr}")
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--qcomp-opt", required=True)
    parser.add_argument("--runner", required=True)
    parser.add_argument("--libs", required=True)
    parser.add_argument("--pipeline", action="append", default=[])
    parser.add_argument("--generator", default="int-matmul.py",
                        help="the script in Inputs/ that writes the module")
    parser.add_argument("shapes", nargs="+")
    args = parser.parse_args()
    pipelines = [p.split("=", 1) for p in args.pipeline]
    failed = False
    for shape in args.shapes:
        parts = shape.split(":")
        m, n, k = parts[0].split(",")
        module = run([sys.executable, os.path.join(HERE, args.generator),
                      m, n, k] + parts[1:])

        def execute(pipeline):
            lowered = run([args.qcomp_opt, "-",
                           f"--pass-pipeline=builtin.module({pipeline})"],
                          module)
            out = run([args.runner, "-e", "main", "-entry-point-result=void",
                       f"-shared-libs={args.libs}"], lowered)
            lines = [line for line in out.splitlines() if "base@" not in line]
            return lines, "__qc_packed_rhs" in lowered

        reference, _ = execute("qcomp-reference-to-llvm-pipeline")
        elements = sum(len(re.findall(r"-?\d+", line)) for line in reference)
        label = f"{m}x{n}x{k}" + "".join(" " + p for p in parts[1:])
        for name, pipeline in pipelines:
            actual, kernel = execute(pipeline)
            if actual == reference:
                by = "the kernel" if kernel else "the loops"
                print(f"{label} {name}: identical ({elements} elements) by {by}")
                continue
            failed = True
            for i, (a, r) in enumerate(zip(actual, reference)):
                if a != r:
                    print(f"{label} {name}: line {i} differs:\n  {a[:200]}\n"
                          f"  reference: {r[:200]}")
                    break
            else:
                print(f"{label} {name}: {len(actual)} lines, reference "
                      f"{len(reference)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
