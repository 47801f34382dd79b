# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# lit configuration of qcomp's regression tests (FileCheck tests of passes and
# dialect, and end-to-end tests that run the generated code).

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QCOMP"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".onnxtxt", ".c"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qcomp_obj_root, "test")
config.excludes = ["Inputs", "Unit", "conformance", "consumer", "compare.py", "CMakeLists.txt",
                   "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%qcomp_src_root", config.qcomp_src_root))
config.substitutions.append(("%qcomp_obj_root", config.qcomp_obj_root))
# The mlir-opt dialect and pass plugin (tools/qcomp-plugin).
config.substitutions.append(
    ("%qcomp_plugin",
     os.path.join(config.qcomp_obj_root, "lib", "QCompPlugin" + config.llvm_shlib_ext)))
config.substitutions.append(
    ("%mlir_runner_utils",
     os.path.join(config.mlir_lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(
    ("%mlir_c_runner_utils",
     os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils.so")))

# Debian's python3 with python3-onnx and python3-numpy (the first python3 on a
# PATH may be another interpreter without them).
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(
    ("%onnx_from_text",
     os.path.join(config.qcomp_src_root, "utils", "onnx-from-text.py")))
config.substitutions.append(("%onnx_node_dir",
                             "/usr/share/libonnx-testdata/data/node"))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.qcomp_tools_dir, config.llvm_tools_dir]
tools = [
    "qcomp-opt",
    "qcomp",
    "qcomp-onnx-test",
    "qcomp-capi-test",
    # Debian's own mlir-opt, for the plugin tests (qcomp's is qcomp-opt).
    ToolSubst("mlir-opt", unresolved="fatal"),
    ToolSubst("mlir-runner", unresolved="fatal"),
    ToolSubst("mlir-translate", unresolved="fatal"),
    ToolSubst("llc", unresolved="fatal"),
    ToolSubst("not", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The host's integer dot-product instructions, for the end-to-end tests that
# run the CPU kernels (the assembly tests need none of them).
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = set()
        for line in cpuinfo:
            if line.startswith("flags"):
                flags.update(line.split(":", 1)[1].split())
except OSError:
    flags = set()
for flag, feature in [("avx2", "host-avx2"), ("avx512f", "host-avx512f"),
                      ("avx512_vnni", "host-avx512vnni"),
                      ("avx_vnni", "host-avxvnni")]:
    if flag in flags:
        config.available_features.add(feature)
# AMX needs the operating system's permission for the tile state as well.
if "amx_int8" in flags:
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA = 158, 0x1023, 18
        if libc.syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM,
                        XFEATURE_XTILEDATA) == 0:
            config.available_features.add("host-amx")
    except (OSError, AttributeError):
        pass

# Cross compilation to AArch64, run under QEMU (Debian's qemu-user and
# gcc-aarch64-linux-gnu, installed by scripts/setup.sh).
import shutil
if shutil.which("qemu-aarch64") and shutil.which("aarch64-linux-gnu-gcc"):
    config.available_features.add("aarch64-qemu")
config.substitutions.append(("%cc", shutil.which("cc") or "cc"))
config.substitutions.append(
    ("%qemu_aarch64", "qemu-aarch64 -cpu max -L /usr/aarch64-linux-gnu"))

# The LLVM OpenMP runtime threaded kernels link against (%omp_link) and the
# JIT loads.
if config.openmp_runtime_dir:
    config.available_features.add("openmp")
    config.substitutions.append(
        ("%omp_link", "-L{0} -lomp -Wl,-rpath,{0}".format(
            config.openmp_runtime_dir)))
    config.substitutions.append(
        ("%omp_runtime", os.path.join(config.openmp_runtime_dir, "libomp.so")))
config.substitutions.append(
    ("%llvm_readelf", os.path.join(config.llvm_tools_dir, "llvm-readelf")))

# test/integration: a project configured against the installed package, with
# this build's CMake, generator, compiler, launcher (ccache) and linker, and
# without optimization (it only has to link and run).
config.substitutions.append(("%cmake", config.cmake_command))
consumer_flags = [
    "-G", '"%s"' % config.cmake_generator,
    "-DCMAKE_MAKE_PROGRAM=%s" % config.cmake_make_program,
    "-DCMAKE_C_COMPILER=%s" % config.cmake_c_compiler,
    "-DCMAKE_CXX_COMPILER=%s" % config.cmake_cxx_compiler,
    "-DCMAKE_BUILD_TYPE=",
]
if config.cmake_cxx_compiler_launcher:
    consumer_flags.append(
        "-DCMAKE_CXX_COMPILER_LAUNCHER=%s" % config.cmake_cxx_compiler_launcher)
    consumer_flags.append(
        "-DCMAKE_C_COMPILER_LAUNCHER=%s" % config.cmake_cxx_compiler_launcher)
if config.llvm_use_linker:
    consumer_flags.append(
        "-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=%s" % config.llvm_use_linker)
config.substitutions.append(("%consumer_cmake_flags", " ".join(consumer_flags)))
