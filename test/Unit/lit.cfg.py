# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Runs qcomp's GoogleTest binaries (build/unittests/**/*Tests) under lit, so
# that one lit run counts both the FileCheck tests and every unit test.

import os

import lit.formats

config.name = "QCOMP-Unit"
config.suffixes = []
config.test_source_root = os.path.join(config.qcomp_obj_root, "unittests")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
