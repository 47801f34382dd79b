#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Builds a binary .onnx model from ONNX's textual syntax (onnx.parser).

Lines starting with '//' (lit RUN/CHECK lines) are ignored, so a lit test can
hold its model as text:

    // RUN: %python %onnx_from_text %s -o %t.onnx && qcomp import %t.onnx ...
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[2,3] x) => (float[2,3] y) { y = Relu(x) }

Options: --no-check skips onnx.checker (to build deliberately invalid models);
--truncate N writes only the first N bytes (a corrupt file).
"""
import argparse
import sys

import onnx
import onnx.parser


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("input")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--truncate", type=int, default=None)
    args = parser.parse_args()
    with open(args.input) as f:
        text = "".join(line for line in f
                       if not line.lstrip().startswith("//"))
    model = onnx.parser.parse_model(text)
    if not args.no_check:
        onnx.checker.check_model(model)
    data = model.SerializeToString()
    if args.truncate is not None:
        data = data[:args.truncate]
    with open(args.output, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    sys.exit(main())
