#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Sets up and builds qcomp, then runs the main job on the bundled examples:
#  0. qcomp MODEL --calib DIR -o model.o on the example transformer: import,
#     calibrate, quantize, measure and compile in one command, with its
#     summary; then examples/c/run_model.c links the object and runs it;
#  1. generates the seeded example models (examples/generate.py: an MLP, a
#     small CNN, a transformer block and one with outlier channels, with
#     calibration and held-out
#     samples) into build/examples;
#  2. JIT-runs each model and compares its output with the float64 NumPy
#     reference;
#  3. calibrates each model on its samples (build/examples/*/calibration.json);
#  4. quantizes each model (W8A8, and W4A8 for the transformer), runs the
#     quantized model and reports its accuracy on the held-out samples
#     (SQNR per output and per layer);
#  5. quantizes the transformer with outlier channels naively, with
#     SmoothQuant and with LLM.int8() outlier splitting, and compares each;
#  6. times the W8A8 transformer with the reference loops and with this
#     CPU's integer matmul kernels;
#  7. runs examples/quantized_matmul.mlir, a float matmul and its W8A8
#     version, through the reference pipeline.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${QCOMP_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
qcomp="$build_dir/bin/qcomp"
examples="$build_dir/examples"

echo
echo "== examples/generate.py $examples"
/usr/bin/python3 "$root/examples/generate.py" "$examples"

dir="$examples/transformer"
echo
echo "== qcomp $dir/model.onnx --calib $dir/calib --eval $dir/eval -o $dir/model.o"
"$qcomp" "$dir/model.onnx" --calib "$dir/calib" --eval "$dir/eval" \
  -o "$dir/model.o"
omp=/usr/lib/llvm-14/lib
echo
echo "== cc examples/c/run_model.c $dir/model.o -lm -lomp && run_model"
cc -I"$dir" "$root/examples/c/run_model.c" "$dir/model.o" -lm \
  -L"$omp" -lomp -Wl,-rpath,"$omp" -o "$dir/run_model"
/usr/bin/python3 -c "import numpy as np; np.load('$dir/input.npy').astype(np.float32).tofile('$dir/input.f32')"
"$dir/run_model" "$dir/input.f32" "$dir/output.f32"

for model in mlp cnn transformer; do
  dir="$examples/$model"
  echo
  echo "== qcomp run $dir/model.onnx --input $dir/input.npy"
  "$qcomp" run "$dir/model.onnx" --input "$dir/input.npy" \
    --output-dir "$dir/out" --repeat 5
  out=$(ls "$dir/out"/*.npy)
  /usr/bin/python3 "$root/test/Examples/compare.py" "$out" "$dir/expected.npy"
  echo
  echo "== qcomp calibrate $dir/model.onnx --data $dir/calib"
  "$qcomp" calibrate "$dir/model.onnx" --data "$dir/calib" \
    --calib-out "$dir/calibration.json"
  echo
  echo "== qcomp quantize $dir/model.onnx --calib $dir/calibration.json --scheme w8a8"
  "$qcomp" quantize "$dir/model.onnx" --calib "$dir/calibration.json" \
    --scheme w8a8 -o "$dir/model.w8a8.mlir"
  "$qcomp" run "$dir/model.w8a8.mlir" --input "$dir/input.npy" \
    --output-dir "$dir/out-w8a8" --repeat 5
  echo
  echo "== qcomp compare $dir/model.onnx $dir/model.w8a8.mlir --data $dir/eval --per-layer"
  "$qcomp" compare "$dir/model.onnx" "$dir/model.w8a8.mlir" --data "$dir/eval" \
    --per-layer --min-sqnr 30
done

dir="$examples/transformer"
echo
echo "== qcomp compare $dir/model.onnx --scheme w4a8 (quantized in process)"
"$qcomp" compare "$dir/model.onnx" --calib "$dir/calibration.json" \
  --data "$dir/eval" --scheme w4a8

dir="$examples/transformer_outliers"
echo
echo "== qcomp calibrate $dir/model.onnx (a few channels 20-100x the rest)"
"$qcomp" calibrate "$dir/model.onnx" --data "$dir/calib" \
  --calib-out "$dir/calibration.json"
for flags in "" "--smooth" "--smooth=auto --smooth-data $dir/calib" \
  "--split-outliers"; do
  echo
  echo "== qcomp compare $dir/model.onnx --scheme w8a8 $flags"
  # shellcheck disable=SC2086
  "$qcomp" compare "$dir/model.onnx" --calib "$dir/calibration.json" \
    --data "$dir/eval" --scheme w8a8 $flags
done

dir="$examples/transformer"
echo
echo "== qcomp run $dir/model.w8a8.mlir: reference loops, then this CPU's kernels"
"$qcomp" run "$dir/model.w8a8.mlir" --input "$dir/input.npy" --repeat 20 \
  --kernel none | tail -n 1
"$qcomp" run "$dir/model.w8a8.mlir" --input "$dir/input.npy" --repeat 20 |
  tail -n 1

example="$root/examples/quantized_matmul.mlir"
lib=/usr/lib/llvm-22/lib
echo
echo "== qcomp-opt $example --qcomp-reference-to-llvm-pipeline | mlir-runner"
"$build_dir/bin/qcomp-opt" "$example" --qcomp-reference-to-llvm-pipeline |
  /usr/lib/llvm-22/bin/mlir-runner -e main -entry-point-result=void \
    -shared-libs="$lib/libmlir_runner_utils.so,$lib/libmlir_c_runner_utils.so" |
  awk '/^Unranked/ { n++; print (n == 1 ? "float32 reference:" : "W8A8 (u8 x i8 -> i32 -> u8), dequantized:"); next } { print }'
