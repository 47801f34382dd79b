#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Sets up and builds qcomp, then compiles the bundled example
# (examples/quantized_matmul.mlir: a float matmul and its W8A8 version)
# through the reference pipeline and runs it with mlir-runner.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${QCOMP_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"

example="$root/examples/quantized_matmul.mlir"
lib=/usr/lib/llvm-22/lib
echo
echo "== qcomp-opt $example --qcomp-reference-to-llvm-pipeline | mlir-runner"
"$build_dir/bin/qcomp-opt" "$example" --qcomp-reference-to-llvm-pipeline |
  /usr/lib/llvm-22/bin/mlir-runner -e main -entry-point-result=void \
    -shared-libs="$lib/libmlir_runner_utils.so,$lib/libmlir_c_runner_utils.so" |
  awk '/^Unranked/ { n++; print (n == 1 ? "float32 reference:" : "W8A8 (u8 x i8 -> i32 -> u8), dequantized:"); next } { print }'
