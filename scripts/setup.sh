#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Installs the Debian packages qcomp needs (only those missing), then
# configures and builds qcomp in build/. Idempotent: a second run with
# everything present only re-runs ninja.
#
#   scripts/setup.sh            install + configure + build
#   scripts/setup.sh --no-build install only
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${QCOMP_BUILD_DIR:-$root/build}"

packages=(
  # LLVM/MLIR 22: libraries, mlir-tblgen/mlir-runner, lit and FileCheck
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  # build tools
  cmake ninja-build g++ lld ccache
  # the LLVM OpenMP runtime threaded kernels run on
  libomp-dev
  # unit tests
  libgtest-dev
  # ONNX import (libonnx's generated protobuf classes), .npz (zlib)
  libonnx-dev libprotobuf-dev zlib1g-dev
  # ONNX's own backend node tests (conformance), and the Python packages the
  # seeded example/test-data generators use (run with /usr/bin/python3)
  libonnx-testdata python3-onnx python3-numpy
  # AArch64 code: cross-compiled, linked and run under QEMU by the tests
  qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  # the oneDNN peer of bench/GemmBench.cpp (optional in CMake: without it
  # the benchmark prints '-' for oneDNN)
  libdnnl-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--no-build" ]; then exit 0; fi

if [ ! -f "$build_dir/build.ninja" ]; then
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  linker=()
  if command -v ld.lld >/dev/null; then linker=(-DLLVM_USE_LINKER=lld); fi
  cmake -G Ninja -S "$root" -B "$build_dir" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH=/usr/lib/llvm-22 \
    "${launcher[@]}" "${linker[@]}"
fi
ninja -C "$build_dir"
