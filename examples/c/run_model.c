/* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * Runs a model compiled by qcomp from C: the @main of a model with one
 * float32 input and one float32 output (the bundled transformer or MLP),
 * through the plain-pointer wrapper of the header qcomp writes next to the
 * object (model.h, found with -I):
 *
 *   qcomp build/examples/transformer/model.onnx \
 *       --calib build/examples/transformer/calib -o model.o
 *   cc -I. examples/c/run_model.c model.o -lm \
 *       -L/usr/lib/llvm-14/lib -lomp -Wl,-rpath,/usr/lib/llvm-14/lib -o
 * run_model
 *   ./run_model input.f32 output.f32
 *
 * reads the input's raw float32 values (row-major) from argv[1], writes the
 * output's to argv[2] and prints its first values.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

static size_t count(const int64_t *shape, size_t rank) {
  size_t n = 1;
  for (size_t i = 0; i < rank; ++i)
    n *= (size_t)shape[i];
  return n;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s input.f32 output.f32\n", argv[0]);
    return 2;
  }
  const int64_t in_shape[] = QCOMP_MAIN_ARG0_SHAPE;
  const int64_t out_shape[] = QCOMP_MAIN_RESULT0_SHAPE;
  size_t in_size = count(in_shape, sizeof in_shape / sizeof *in_shape);
  size_t out_size = count(out_shape, sizeof out_shape / sizeof *out_shape);
  float *input = malloc(in_size * sizeof(float));
  float *output = malloc(out_size * sizeof(float));
  FILE *file = fopen(argv[1], "rb");
  if (!input || !output || !file ||
      fread(input, sizeof(float), in_size, file) != in_size) {
    fprintf(stderr, "run_model: cannot read %zu floats from %s\n", in_size,
            argv[1]);
    return 1;
  }
  fclose(file);

  qcomp_main(input, output);

  file = fopen(argv[2], "wb");
  if (!file || fwrite(output, sizeof(float), out_size, file) != out_size) {
    fprintf(stderr, "run_model: cannot write %s\n", argv[2]);
    return 1;
  }
  fclose(file);
  printf("output[0..3] = %g %g %g %g (%zu values)\n", output[0], output[1],
         output[2], output[3], out_size);
  free(input);
  free(output);
  return 0;
}
