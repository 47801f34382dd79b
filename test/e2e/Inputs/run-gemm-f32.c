/* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * As run-gemm.c, for the @gemm of float-matmul.py --entry: reads A (M x K
 * f32) from argv[1] and prints the result's bits, one int32 per line.
 */
#include "gemm.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  const int64_t a_shape[] = QCOMP_GEMM_ARG0_SHAPE;
  const int64_t c_shape[] = QCOMP_GEMM_RESULT0_SHAPE;
  size_t a_size = (size_t)(a_shape[0] * a_shape[1]);
  size_t c_size = (size_t)(c_shape[0] * c_shape[1]);
  float *a = malloc(a_size * sizeof(float));
  int32_t *c = malloc(c_size * sizeof(int32_t));
  FILE *file = argc > 1 ? fopen(argv[1], "rb") : NULL;
  if (!a || !c || !file || fread(a, sizeof(float), a_size, file) != a_size) {
    fprintf(stderr, "run-gemm-f32: cannot read %zu floats of A\n", a_size);
    return 1;
  }
  fclose(file);
  qcomp_gemm(a, c);
  for (size_t i = 0; i < c_size; ++i)
    printf("%d\n", c[i]);
  free(a);
  free(c);
  return 0;
}
