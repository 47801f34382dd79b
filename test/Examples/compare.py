# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""compare.py ACTUAL.npy EXPECTED.npy [rtol] [atol]: exit 1 unless allclose."""
import sys

import numpy as np

actual, expected = np.load(sys.argv[1]), np.load(sys.argv[2])
rtol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4
atol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5
if actual.shape != expected.shape or actual.dtype != expected.dtype:
    sys.exit("expected %s %s, got %s %s" % (expected.dtype, expected.shape,
                                            actual.dtype, actual.shape))
if not np.allclose(actual, expected, rtol=rtol, atol=atol):
    error = np.abs(actual.astype(np.float64) - expected).max()
    sys.exit("max abs difference %g exceeds rtol=%g atol=%g" % (error, rtol, atol))
print("match: max abs difference %g" % np.abs(actual.astype(np.float64) - expected).max())
