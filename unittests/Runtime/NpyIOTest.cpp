//===- NpyIOTest.cpp - Tests for .npy/.npz reading and writing ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Checks NpyIO against bytes that numpy 1.24 and Python's zipfile wrote (the
// expression that produced each fixture is in the comment above it): parsing
// them, producing numpy's exact .npy bytes, producing the exact .npz bytes
// Python's zipfile writes for the same fields, round trips of every element
// type (scalars and empty tensors included), and one case per error, with
// corrupt and truncated input that must be reported, never crash.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Runtime/NpyIO.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

using namespace mlir::qcomp;
using llvm::StringRef;

namespace {

//===----------------------------------------------------------------------===//
// Fixtures generated with numpy 1.24.2 (octal escapes; '?' as \077).
//===----------------------------------------------------------------------===//

// np.save(np.arange(6, dtype=np.float32).reshape(2, 3))
const char kF32Arange2x3[] =
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'shape': "
    "(2, 3), }                                                          \012"
    "\000\000\000\000\000\000\200\077\000\000\000@\000\000@@\000\000\200@\000"
    "\000\240@";

// np.save(np.array(3.5))
const char kF64Scalar[] =
    "\223NUMPY\001\000v\000{'descr': '<f8', 'fortran_order': False, 'shape': "
    "(), }                                                              \012"
    "\000\000\000\000\000\000\014@";

// np.save(np.array([True, False, True]))
const char kBool3[] =
    "\223NUMPY\001\000v\000{'descr': '|b1', 'fortran_order': False, 'shape': "
    "(3,), }                                                            \012"
    "\001\000\001";

// np.save(np.zeros((0, 4), dtype=np.int16))
const char kI16Empty0x4[] =
    "\223NUMPY\001\000v\000{'descr': '<i2', 'fortran_order': False, 'shape': "
    "(0, 4), }                                                          \012";

// np.lib.format.write_array(f, np.arange(3, dtype=np.int8), version=(2, 0))
const char kI8Version2[] =
    "\223NUMPY\002\000t\000\000\000{'descr': '|i1', 'fortran_order': False, '"
    "shape': (3,), }                                                         "
    " \012\000\001\002";

// np.lib.format.write_array(f, np.arange(3, dtype=np.int8), version=(3, 0))
const char kI8Version3[] =
    "\223NUMPY\003\000t\000\000\000{'descr': '|i1', 'fortran_order': False, '"
    "shape': (3,), }                                                         "
    " \012\000\001\002";

// np.save(np.arange(3, dtype='>i4'))
const char kBigEndianI4[] =
    "\223NUMPY\001\000v\000{'descr': '>i4', 'fortran_order': False, 'shape': "
    "(3,), }                                                            \012"
    "\000\000\000\000\000\000\000\001\000\000\000\002";

// np.save(np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)))
const char kFortranI4[] =
    "\223NUMPY\001\000v\000{'descr': '<i4', 'fortran_order': True, 'shape': ("
    "2, 3), }                                                           \012"
    "\000\000\000\000\003\000\000\000\001\000\000\000\004\000\000\000\002\000"
    "\000\000\005\000\000\000";

// np.save(np.zeros((1, 100) + (1,) * 12, dtype=np.float32)): the header
// ends on a 64-byte boundary, so numpy pads it with 64 more spaces
const char kAligned14D[] =
    "\223NUMPY\001\000\266\000{'descr': '<f4', 'fortran_order': False, 'shape"
    "': (1, 100, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), }                      "
    "                                                              \012\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
    "\000\000\000";

// np.save(float32 [[-1.5, 0.0], [0.1, inf]])
const char kDtypeF32[] =
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'shape': "
    "(2, 2), }                                                          \012"
    "\000\000\300\277\000\000\000\000\315\314\314=\000\000\200\177";

// np.save(float64 [-2.25, 0.0, 0.1, -inf])
const char kDtypeF64[] =
    "\223NUMPY\001\000v\000{'descr': '<f8', 'fortran_order': False, 'shape': "
    "(4,), }                                                            \012"
    "\000\000\000\000\000\000\002\300\000\000\000\000\000\000\000\000\232\231"
    "\231\231\231\231\271\077\000\000\000\000\000\000\360\377";

// np.save(int8 [[[-128, -1]], [[0, 127]]] (shape (2, 1, 2)))
const char kDtypeI8[] =
    "\223NUMPY\001\000v\000{'descr': '|i1', 'fortran_order': False, 'shape': "
    "(2, 1, 2), }                                                       \012"
    "\200\377\000\177";

// np.save(uint8 [[0, 1, 128, 255]])
const char kDtypeU8[] =
    "\223NUMPY\001\000v\000{'descr': '|u1', 'fortran_order': False, 'shape': "
    "(1, 4), }                                                          \012"
    "\000\001\200\377";

// np.save(int16 [-32768, -2, 3, 32767])
const char kDtypeI16[] =
    "\223NUMPY\001\000v\000{'descr': '<i2', 'fortran_order': False, 'shape': "
    "(4,), }                                                            \012"
    "\000\200\376\377\003\000\377\177";

// np.save(uint16 [[0, 1], [40000, 65535]])
const char kDtypeU16[] =
    "\223NUMPY\001\000v\000{'descr': '<u2', 'fortran_order': False, 'shape': "
    "(2, 2), }                                                          \012"
    "\000\000\001\000@\234\377\377";

// np.save(int32 [-2**31, -5, 6, 2**31 - 1])
const char kDtypeI32[] =
    "\223NUMPY\001\000v\000{'descr': '<i4', 'fortran_order': False, 'shape': "
    "(4,), }                                                            \012"
    "\000\000\000\200\373\377\377\377\006\000\000\000\377\377\377\177";

// np.save(uint32 [0, 7, 3000000000, 2**32 - 1])
const char kDtypeU32[] =
    "\223NUMPY\001\000v\000{'descr': '<u4', 'fortran_order': False, 'shape': "
    "(4,), }                                                            \012"
    "\000\000\000\000\007\000\000\000\000^\320\262\377\377\377\377";

// np.save(int64 [-2**63, -9, 10, 2**63 - 1])
const char kDtypeI64[] =
    "\223NUMPY\001\000v\000{'descr': '<i8', 'fortran_order': False, 'shape': "
    "(4,), }                                                            \012"
    "\000\000\000\000\000\000\000\200\367\377\377\377\377\377\377\377\012\000"
    "\000\000\000\000\000\000\377\377\377\377\377\377\377\177";

// np.save(uint64 [0, 11, 10**19, 2**64 - 1])
const char kDtypeU64[] =
    "\223NUMPY\001\000v\000{'descr': '<u8', 'fortran_order': False, 'shape': "
    "(4,), }                                                            \012"
    "\000\000\000\000\000\000\000\000\013\000\000\000\000\000\000\000\000\000"
    "\350\211\004#\307\212\377\377\377\377\377\377\377\377";

// np.save(bool [[True, False], [False, True]])
const char kDtypeBool[] =
    "\223NUMPY\001\000v\000{'descr': '|b1', 'fortran_order': False, 'shape': "
    "(2, 2), }                                                          \012"
    "\001\000\000\001";

// np.save(int32 scalar -7)
const char kDtypeI32Scalar[] =
    "\223NUMPY\001\000v\000{'descr': '<i4', 'fortran_order': False, 'shape': "
    "(), }                                                              \012"
    "\371\377\377\377";

// np.save(uint16 zeros((3, 0, 2)))
const char kDtypeU16Empty3x0x2[] =
    "\223NUMPY\001\000v\000{'descr': '<u2', 'fortran_order': False, 'shape': "
    "(3, 0, 2), }                                                       \012";

// np.save(float64 zeros((1234567890, 0)))
const char kDtypeF64Empty1234567890x0[] =
    "\223NUMPY\001\000v\000{'descr': '<f8', 'fortran_order': False, 'shape': "
    "(1234567890, 0), }                                                 \012";

// np.savez(f, a=np.arange(3, dtype=np.int32),
//          b=np.array([[1.5, -2.0]]))
const char kNpzStored[] =
    "PK\003\004\024\000\000\000\000\000\000\000!\000\002\354\275\251\214\000"
    "\000\000\214\000\000\000\005\000\024\000a.npy\001\000\020\000\214\000"
    "\000\000\000\000\000\000\214\000\000\000\000\000\000\000\223NUMPY\001"
    "\000v\000{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }      "
    "                                                      \012\000\000\000"
    "\000\001\000\000\000\002\000\000\000PK\003\004\024\000\000\000\000\000"
    "\000\000!\000u\330\261~\220\000\000\000\220\000\000\000\005\000\024\000b"
    ".npy\001\000\020\000\220\000\000\000\000\000\000\000\220\000\000\000\000"
    "\000\000\000\223NUMPY\001\000v\000{'descr': '<f8', 'fortran_order': Fals"
    "e, 'shape': (1, 2), }                                                   "
    "       \012\000\000\000\000\000\000\370\077\000\000\000\000\000\000\000"
    "\300PK\001\002\024\003\024\000\000\000\000\000\000\000!\000\002\354\275"
    "\251\214\000\000\000\214\000\000\000\005\000\000\000\000\000\000\000\000"
    "\000\000\000\200\001\000\000\000\000a.npyPK\001\002\024\003\024\000\000"
    "\000\000\000\000\000!\000u\330\261~\220\000\000\000\220\000\000\000\005"
    "\000\000\000\000\000\000\000\000\000\000\000\200\001\303\000\000\000b.np"
    "yPK\005\006\000\000\000\000\002\000\002\000f\000\000\000\212\001\000\000"
    "\000\000";

// np.savez_compressed(f, x=(np.arange(100) % 7).astype(np.uint8),
//                     y=np.array(7, dtype=np.uint16))
const char kNpzDeflated[] =
    "PK\003\004\024\000\000\000\010\000\000\000!\000D\265\230\006O\000\000"
    "\000\344\000\000\000\005\000\024\000x.npy\001\000\020\000\344\000\000"
    "\000\000\000\000\000O\000\000\000\000\000\000\000\233\354\027\352\033"
    "\020\311\310P\306P\255\236\222Z\234\\\244n\245\240^Sj\250\256\243\240"
    "\236\226_TR\224\230\027\237_\224\222\012\022wK\314)N\005\212\027g$\026"
    "\244\002\371\032\206\006\006:\232:\012\265\012d\003.\006F&f\026V6\232R"
    "\000PK\003\004\024\000\000\000\010\000\000\000!\000\352\206T\220D\000"
    "\000\000\202\000\000\000\005\000\024\000y.npy\001\000\020\000\202\000"
    "\000\000\000\000\000\000D\000\000\000\000\000\000\000\233\354\027\352"
    "\033\020\311\310P\306P\255\236\222Z\234\\\244n\245\240nSj\244\256\243"
    "\240\236\226_TR\224\230\027\237_\224\222\012\022wK\314)N\005\212\027g$"
    "\026\244\002\371\032\232:\012\265\012\024\001.v\006\000PK\001\002\024"
    "\003\024\000\000\000\010\000\000\000!\000D\265\230\006O\000\000\000\344"
    "\000\000\000\005\000\000\000\000\000\000\000\000\000\000\000\200\001\000"
    "\000\000\000x.npyPK\001\002\024\003\024\000\000\000\010\000\000\000!\000"
    "\352\206T\220D\000\000\000\202\000\000\000\005\000\000\000\000\000\000"
    "\000\000\000\000\000\200\001\206\000\000\000y.npyPK\005\006\000\000\000"
    "\000\002\000\002\000f\000\000\000\001\001\000\000\000\000";

// A zip64 archive built with struct.pack: member z.npy = np.save(np.array(
// [10, -20], dtype=np.int64)); central sizes/offset 0xFFFFFFFF + zip64 extra
// field, end record 0xFFFF/0xFFFFFFFF + zip64 end record and locator
const char kNpzZip64[] =
    "PK\003\004-\000\000\000\000\000\000\000!\000q\346\260G\377\377\377\377"
    "\377\377\377\377\005\000\024\000z.npy\001\000\020\000\220\000\000\000"
    "\000\000\000\000\220\000\000\000\000\000\000\000\223NUMPY\001\000v\000{'"
    "descr': '<i8', 'fortran_order': False, 'shape': (2,), }                 "
    "                                           \012\012\000\000\000\000\000"
    "\000\000\354\377\377\377\377\377\377\377PK\001\002-\003-\000\000\000\000"
    "\000\000\000!\000q\346\260G\377\377\377\377\377\377\377\377\005\000\034"
    "\000\000\000\000\000\000\000\000\000\244\201\377\377\377\377z.npy\001"
    "\000\030\000\220\000\000\000\000\000\000\000\220\000\000\000\000\000\000"
    "\000\000\000\000\000\000\000\000\000PK\006\006,\000\000\000\000\000\000"
    "\000-\003-\000\000\000\000\000\000\000\000\000\001\000\000\000\000\000"
    "\000\000\001\000\000\000\000\000\000\000O\000\000\000\000\000\000\000"
    "\307\000\000\000\000\000\000\000PK\006\007\000\000\000\000\026\001\000"
    "\000\000\000\000\000\001\000\000\000PK\005\006\000\000\000\000\377\377"
    "\377\377\377\377\377\377\377\377\377\377\000\000";

// zipfile: member c.npy = np.save(np.array([5, 6], dtype=np.uint8)),
// archive comment 'qcomp test'
const char kNpzWithComment[] =
    "PK\003\004\024\000\000\000\000\000\243 C*\177\003d<\202\000\000\000\202"
    "\000\000\000\005\000\000\000c.npy\223NUMPY\001\000v\000{'descr': '|u1', "
    "'fortran_order': False, 'shape': (2,), }                                "
    "                            \012\005\006PK\001\002\024\003\024\000\000"
    "\000\000\000\243 C*\177\003d<\202\000\000\000\202\000\000\000\005\000"
    "\000\000\000\000\000\000\000\000\000\000\200\001\000\000\000\000c.npyPK"
    "\005\006\000\000\000\000\001\000\001\0003\000\000\000\245\000\000\000"
    "\012\000qcomp test";

// zipfile.ZipFile.writestr of ZipInfo(name + '.npy', date_time=(1980, 1, 1,
// 0, 0, 0)), create_system=3, create_version=extract_version=20,
// external_attr=0o100644 << 16, data np.save(a) for a = int32 [1, 2, 3],
// '\u00fc' = np.array(-0.5), e = np.zeros((0,), dtype=np.uint8)
const char kNpzExpectedWrite[] =
    "PK\003\004\024\000\000\000\000\000\000\000!\000\353\300+\004\214\000\000"
    "\000\214\000\000\000\005\000\000\000a.npy\223NUMPY\001\000v\000{'descr':"
    " '<i4', 'fortran_order': False, 'shape': (3,), }                        "
    "                                    \012\001\000\000\000\002\000\000\000"
    "\003\000\000\000PK\003\004\024\000\000\010\000\000\000\000!\000Pm*\204"
    "\210\000\000\000\210\000\000\000\006\000\000\000\303\274.npy\223NUMPY"
    "\001\000v\000{'descr': '<f8', 'fortran_order': False, 'shape': (), }    "
    "                                                          \012\000\000"
    "\000\000\000\000\340\277PK\003\004\024\000\000\000\000\000\000\000!\000"
    "\000B\365\236\200\000\000\000\200\000\000\000\005\000\000\000e.npy\223NU"
    "MPY\001\000v\000{'descr': '|u1', 'fortran_order': False, 'shape': (0,), "
    "}                                                            \012PK\001"
    "\002\024\003\024\000\000\000\000\000\000\000!\000\353\300+\004\214\000"
    "\000\000\214\000\000\000\005\000\000\000\000\000\000\000\000\000\000\000"
    "\244\201\000\000\000\000a.npyPK\001\002\024\003\024\000\000\010\000\000"
    "\000\000!\000Pm*\204\210\000\000\000\210\000\000\000\006\000\000\000\000"
    "\000\000\000\000\000\000\000\244\201\257\000\000\000\303\274.npyPK\001"
    "\002\024\003\024\000\000\000\000\000\000\000!\000\000B\365\236\200\000"
    "\000\000\200\000\000\000\005\000\000\000\000\000\000\000\000\000\000\000"
    "\244\201[\001\000\000e.npyPK\005\006\000\000\000\000\003\000\003\000\232"
    "\000\000\000\376\001\000\000\000\000";

// zipfile: ok.npy = np.save(np.array([1], dtype=np.uint8)), bad.npy = b'hello'
const char kNpzBadMember[] =
    "PK\003\004\024\000\000\000\000\000\000\000!\000{\262\246\300\201\000\000"
    "\000\201\000\000\000\006\000\000\000ok.npy\223NUMPY\001\000v\000{'descr'"
    ": '|u1', 'fortran_order': False, 'shape': (1,), }                       "
    "                                     \012\001PK\003\004\024\000\000\000"
    "\000\000\000\000!\000\206\246\0206\005\000\000\000\005\000\000\000\007"
    "\000\000\000bad.npyhelloPK\001\002\024\003\024\000\000\000\000\000\000"
    "\000!\000{\262\246\300\201\000\000\000\201\000\000\000\006\000\000\000"
    "\000\000\000\000\000\000\000\000\200\001\000\000\000\000ok.npyPK\001\002"
    "\024\003\024\000\000\000\000\000\000\000!\000\206\246\0206\005\000\000"
    "\000\005\000\000\000\007\000\000\000\000\000\000\000\000\000\000\000\200"
    "\001\245\000\000\000bad.npyPK\005\006\000\000\000\000\002\000\002\000i"
    "\000\000\000\317\000\000\000\000\000";

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The bytes of a fixture (its NULs included, the terminating one excluded).
template <size_t N>
StringRef bytesOf(const char (&literal)[N]) {
  return StringRef(literal, N - 1);
}

/// The message of a failed Expected, or "" (and a test failure) on success.
template <typename T>
std::string errorOf(llvm::Expected<T> value) {
  if (value)
    return "";
  return llvm::toString(value.takeError());
}

std::string errorOf(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : "";
}

/// A tensor of `type` and `shape` holding `values` (of the matching C type).
template <typename T>
HostTensor makeTensor(HostElementType type, llvm::ArrayRef<int64_t> shape,
                      llvm::ArrayRef<T> values) {
  HostTensor t(type, shape);
  EXPECT_EQ(t.getByteSize(), values.size() * sizeof(T));
  if (!values.empty())
    std::memcpy(t.data(), values.data(), values.size() * sizeof(T));
  return t;
}

/// Checks type, shape and values of `t`.
template <typename T>
void expectTensor(const HostTensor &t, HostElementType type,
                  llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<T> values) {
  EXPECT_EQ(t.getElementType(), type);
  EXPECT_EQ(t.getShape(), shape);
  ASSERT_EQ(t.getNumElements(), static_cast<int64_t>(values.size()));
  ASSERT_EQ(t.getByteSize(), values.size() * sizeof(T));
  for (size_t i = 0; i < values.size(); ++i) {
    T actual;
    std::memcpy(&actual, t.data<char>() + i * sizeof(T), sizeof(T));
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(values[i])) {
        EXPECT_TRUE(std::isnan(actual)) << "element " << i;
        continue;
      }
    }
    EXPECT_EQ(actual, values[i]) << "element " << i;
  }
}

/// Two tensors have the same type, shape and bytes.
void expectSameTensor(const HostTensor &actual, const HostTensor &expected) {
  EXPECT_EQ(actual.getElementType(), expected.getElementType());
  EXPECT_EQ(actual.getShape(), expected.getShape());
  ASSERT_EQ(actual.getByteSize(), expected.getByteSize());
  EXPECT_EQ(StringRef(actual.data<char>(), actual.getByteSize()),
            StringRef(expected.data<char>(), expected.getByteSize()));
}

/// A .npy file with the given header dict (no padding) and data, written
/// here independently of NpyIO.
std::string makeNpy(StringRef dict, StringRef data, unsigned major = 1) {
  std::string result = "\x93NUMPY";
  result += static_cast<char>(major);
  result += '\0';
  uint32_t len = dict.size() + 1;
  for (unsigned i = 0, e = major == 1 ? 2 : 4; i < e; ++i)
    result += static_cast<char>((len >> (8 * i)) & 0xFF);
  result += dict;
  result += '\n';
  result += data;
  return result;
}

uint32_t readLE32(StringRef bytes, size_t offset) {
  uint32_t v = 0;
  for (unsigned i = 0; i < 4; ++i)
    v |= uint32_t(uint8_t(bytes[offset + i])) << (8 * i);
  return v;
}

void writeLE(std::string &bytes, size_t offset, uint64_t v, unsigned size) {
  for (unsigned i = 0; i < size; ++i)
    bytes[offset + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

/// Offset of the first central directory entry of a zip without a comment.
size_t centralDirOffset(StringRef zip) {
  return readLE32(zip, zip.size() - 22 + 16);
}

/// One tensor of every element type in each of several shapes (scalar,
/// empty, 1-D, 3-D), filled with a byte pattern (0/1 for bool).
std::vector<std::pair<std::string, HostTensor>> allTypesAndShapes() {
  const HostElementType types[] = {
      HostElementType::F32, HostElementType::F64, HostElementType::I8,
      HostElementType::U8,  HostElementType::I16, HostElementType::U16,
      HostElementType::I32, HostElementType::U32, HostElementType::I64,
      HostElementType::U64, HostElementType::Bool};
  const std::vector<int64_t> shapes[] = {{}, {0}, {5}, {2, 3, 4}, {3, 0, 2}};
  std::vector<std::pair<std::string, HostTensor>> result;
  unsigned seed = 1;
  for (HostElementType type : types) {
    for (const std::vector<int64_t> &shape : shapes) {
      HostTensor t(type, shape);
      auto *data = t.data<uint8_t>();
      for (size_t i = 0; i < t.getByteSize(); ++i) {
        seed = seed * 1103515245u + 12345u;
        data[i] = type == HostElementType::Bool ? (seed >> 16) & 1
                                                : (seed >> 16) & 0xFF;
      }
      std::string name = getElementTypeName(type).str() + "_rank" +
                         std::to_string(shape.size()) + "_n" +
                         std::to_string(t.getNumElements());
      result.emplace_back(name, std::move(t));
    }
  }
  return result;
}

/// A fresh directory for files, removed after the test.
class NpyIOFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::error_code ec =
        llvm::sys::fs::createUniqueDirectory("qcomp-npyio", dir);
    ASSERT_FALSE(ec) << ec.message();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string path(StringRef name) const {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }

  std::string writeFile(StringRef name, StringRef bytes) const {
    std::string p = path(name);
    std::error_code ec;
    llvm::raw_fd_ostream os(p, ec);
    EXPECT_FALSE(ec) << ec.message();
    os << bytes;
    return p;
  }

  static std::string readFile(StringRef p) {
    auto buffer = llvm::MemoryBuffer::getFile(p, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    EXPECT_TRUE(bool(buffer)) << p.str();
    return buffer ? (*buffer)->getBuffer().str() : "";
  }

  llvm::SmallString<128> dir;
};

} // namespace

//===----------------------------------------------------------------------===//
// Parsing numpy's .npy files
//===----------------------------------------------------------------------===//

TEST(NpyIOTest, ParsesNumpyFloat32Matrix) {
  llvm::Expected<HostTensor> t = parseNpy(bytesOf(kF32Arange2x3), "x.npy");
  ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
  expectTensor<float>(*t, HostElementType::F32, {2, 3},
                      {0.f, 1.f, 2.f, 3.f, 4.f, 5.f});
}

TEST(NpyIOTest, ParsesNumpyScalar) {
  llvm::Expected<HostTensor> t = parseNpy(bytesOf(kF64Scalar), "x.npy");
  ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
  EXPECT_EQ(t->getRank(), 0);
  expectTensor<double>(*t, HostElementType::F64, {}, {3.5});
}

TEST(NpyIOTest, ParsesNumpyBoolVector) {
  llvm::Expected<HostTensor> t = parseNpy(bytesOf(kBool3), "x.npy");
  ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
  expectTensor<uint8_t>(*t, HostElementType::Bool, {3}, {1, 0, 1});
}

TEST(NpyIOTest, ParsesNumpyEmptyArray) {
  llvm::Expected<HostTensor> t = parseNpy(bytesOf(kI16Empty0x4), "x.npy");
  ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
  expectTensor<int16_t>(*t, HostElementType::I16, {0, 4}, {});
}

TEST(NpyIOTest, ParsesFormatVersions2And3) {
  for (StringRef bytes : {bytesOf(kI8Version2), bytesOf(kI8Version3)}) {
    llvm::Expected<HostTensor> t = parseNpy(bytes, "x.npy");
    ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
    expectTensor<int8_t>(*t, HostElementType::I8, {3}, {0, 1, 2});
  }
}

TEST(NpyIOTest, ParsesHeaderKeysInAnyOrderWithSpaces) {
  // Keys reordered, double quotes, spaces and newlines, a Python 2 long.
  std::string bytes =
      makeNpy("{ \"shape\" : ( 2L , ) ,\n 'fortran_order':False,"
              "'descr' :\t'<i2' }  ",
              StringRef("\x01\x00\xfe\xff", 4));
  llvm::Expected<HostTensor> t = parseNpy(bytes, "x.npy");
  ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
  expectTensor<int16_t>(*t, HostElementType::I16, {2}, {1, -2});
}

TEST(NpyIOTest, AcceptsNativeAndIrrelevantByteOrders) {
  // '=' is native (little-endian) order; a one-byte type has no byte order,
  // so '<', '>' and '|' all mean the same; no byte order character at all
  // is native too.
  struct Case {
    const char *descr;
    HostElementType type;
  } cases[] = {{"=f4", HostElementType::F32},
               {"f4", HostElementType::F32},
               {"<u1", HostElementType::U8},
               {">i1", HostElementType::I8},
               {"=b1", HostElementType::Bool}};
  for (const Case &c : cases) {
    unsigned size = getElementByteSize(c.type);
    std::string data(size, '\0');
    data[0] = 1;
    std::string bytes = makeNpy(std::string("{'descr': '") + c.descr +
                                    "', 'fortran_order': False, "
                                    "'shape': (), }",
                                data);
    llvm::Expected<HostTensor> t = parseNpy(bytes, "x.npy");
    ASSERT_TRUE(bool(t)) << c.descr << ": " << llvm::toString(t.takeError());
    EXPECT_EQ(t->getElementType(), c.type) << c.descr;
    EXPECT_EQ(StringRef(t->data<char>(), size), data) << c.descr;
  }
}

TEST(NpyIOTest, NormalizesBoolBytes) {
  // numpy reads any non-zero byte as True; HostTensor keeps 0 or 1.
  std::string bytes =
      makeNpy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
              StringRef("\x00\x02\xff", 3));
  llvm::Expected<HostTensor> t = parseNpy(bytes, "x.npy");
  ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
  expectTensor<uint8_t>(*t, HostElementType::Bool, {3}, {0, 1, 1});
}

//===----------------------------------------------------------------------===//
// Every element type against numpy's bytes, both directions
//===----------------------------------------------------------------------===//

namespace {
struct DtypeCase {
  const char *name;
  StringRef numpyBytes;
  HostTensor tensor;
};

std::vector<DtypeCase> dtypeCases() {
  constexpr float kInfF = std::numeric_limits<float>::infinity();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<DtypeCase> cases;
  cases.push_back({"f32", bytesOf(kDtypeF32),
                   makeTensor<float>(HostElementType::F32, {2, 2},
                                     {-1.5f, 0.0f, 0.1f, kInfF})});
  cases.push_back({"f64", bytesOf(kDtypeF64),
                   makeTensor<double>(HostElementType::F64, {4},
                                      {-2.25, 0.0, 0.1, -kInf})});
  cases.push_back(
      {"i8", bytesOf(kDtypeI8),
       makeTensor<int8_t>(HostElementType::I8, {2, 1, 2}, {-128, -1, 0, 127})});
  cases.push_back(
      {"u8", bytesOf(kDtypeU8),
       makeTensor<uint8_t>(HostElementType::U8, {1, 4}, {0, 1, 128, 255})});
  cases.push_back(
      {"i16", bytesOf(kDtypeI16),
       makeTensor<int16_t>(HostElementType::I16, {4}, {-32768, -2, 3, 32767})});
  cases.push_back({"u16", bytesOf(kDtypeU16),
                   makeTensor<uint16_t>(HostElementType::U16, {2, 2},
                                        {0, 1, 40000, 65535})});
  cases.push_back({"i32", bytesOf(kDtypeI32),
                   makeTensor<int32_t>(HostElementType::I32, {4},
                                       {INT32_MIN, -5, 6, INT32_MAX})});
  cases.push_back({"u32", bytesOf(kDtypeU32),
                   makeTensor<uint32_t>(HostElementType::U32, {4},
                                        {0u, 7u, 3000000000u, UINT32_MAX})});
  cases.push_back({"i64", bytesOf(kDtypeI64),
                   makeTensor<int64_t>(HostElementType::I64, {4},
                                       {INT64_MIN, -9, 10, INT64_MAX})});
  cases.push_back(
      {"u64", bytesOf(kDtypeU64),
       makeTensor<uint64_t>(HostElementType::U64, {4},
                            {0u, 11u, 10000000000000000000u, UINT64_MAX})});
  cases.push_back(
      {"bool", bytesOf(kDtypeBool),
       makeTensor<uint8_t>(HostElementType::Bool, {2, 2}, {1, 0, 0, 1})});
  cases.push_back({"i32 scalar", bytesOf(kDtypeI32Scalar),
                   makeTensor<int32_t>(HostElementType::I32, {}, {-7})});
  cases.push_back({"u16 empty", bytesOf(kDtypeU16Empty3x0x2),
                   makeTensor<uint16_t>(HostElementType::U16, {3, 0, 2}, {})});
  cases.push_back(
      {"f64 empty, 10-digit dim", bytesOf(kDtypeF64Empty1234567890x0),
       makeTensor<double>(HostElementType::F64, {1234567890, 0}, {})});
  cases.push_back({"f32 2x3", bytesOf(kF32Arange2x3),
                   makeTensor<float>(HostElementType::F32, {2, 3},
                                     {0.f, 1.f, 2.f, 3.f, 4.f, 5.f})});
  cases.push_back({"f64 scalar", bytesOf(kF64Scalar),
                   makeTensor<double>(HostElementType::F64, {}, {3.5})});
  cases.push_back({"bool 3", bytesOf(kBool3),
                   makeTensor<uint8_t>(HostElementType::Bool, {3}, {1, 0, 1})});
  cases.push_back({"i16 0x4", bytesOf(kI16Empty0x4),
                   makeTensor<int16_t>(HostElementType::I16, {0, 4}, {})});
  cases.push_back({"aligned 14-D", bytesOf(kAligned14D),
                   HostTensor(HostElementType::F32,
                              {1, 100, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})});
  return cases;
}
} // namespace

TEST(NpyIOTest, ParsesEveryDtypeAsNumpyWritesIt) {
  for (const DtypeCase &c : dtypeCases()) {
    SCOPED_TRACE(c.name);
    llvm::Expected<HostTensor> t = parseNpy(c.numpyBytes, "x.npy");
    ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
    expectSameTensor(*t, c.tensor);
  }
}

TEST(NpyIOTest, SerializesEveryDtypeExactlyAsNumpy) {
  for (const DtypeCase &c : dtypeCases()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(serializeNpy(c.tensor), c.numpyBytes.str());
  }
}

TEST(NpyIOTest, SerializedDataStartsOnA64ByteBoundary) {
  // kAligned14D: magic + version + length (10) + dict + 20 growth spaces +
  // '\n' is exactly 128 bytes; numpy still pads, to 192.
  std::string bytes = serializeNpy(HostTensor(
      HostElementType::F32, {1, 100, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
  ASSERT_EQ(bytes.size(), 192u + 400u);
  EXPECT_EQ(uint8_t(bytes[8]), 182);
  EXPECT_EQ(bytes[9], 0);
  EXPECT_EQ(bytes[191], '\n');
  EXPECT_EQ(bytes[190], ' ');
}

TEST(NpyIOTest, SerializesHugeHeadersAsVersion2) {
  // numpy switches to format 2.0 when the header length does not fit in
  // 16 bits: 30000 dimensions of size 1 need about 90000 header bytes.
  std::vector<int64_t> shape(30000, 1);
  HostTensor t(HostElementType::I32, shape);
  *t.data<int32_t>() = 42;
  std::string bytes = serializeNpy(t);
  ASSERT_GT(bytes.size(), 12u);
  EXPECT_EQ(bytes[6], 2);
  EXPECT_EQ(bytes[7], 0);
  uint32_t headerLen = readLE32(bytes, 8);
  EXPECT_GT(headerLen, 0xFFFFu);
  EXPECT_EQ((12 + headerLen) % 64, 0u);
  EXPECT_EQ(bytes.size(), 12 + headerLen + 4);
  llvm::Expected<HostTensor> back = parseNpy(bytes, "x.npy");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  expectSameTensor(*back, t);
}

//===----------------------------------------------------------------------===//
// Round trips through files
//===----------------------------------------------------------------------===//

TEST_F(NpyIOFileTest, RoundTripsEveryDtypeAndShapeThroughNpy) {
  for (const auto &[name, tensor] : allTypesAndShapes()) {
    SCOPED_TRACE(name);
    std::string p = path(name + ".npy");
    ASSERT_EQ(errorOf(writeNpy(p, tensor)), "");
    EXPECT_EQ(readFile(p), serializeNpy(tensor));
    llvm::Expected<HostTensor> back = readNpy(p);
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
    expectSameTensor(*back, tensor);
  }
}

TEST_F(NpyIOFileTest, RoundTripsEveryDtypeAndShapeThroughNpz) {
  std::vector<std::pair<std::string, HostTensor>> members = allTypesAndShapes();
  std::string p = path("all.npz");
  ASSERT_EQ(errorOf(writeNpz(p, members)), "");
  auto back = readNpz(p);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  ASSERT_EQ(back->size(), members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    SCOPED_TRACE(members[i].first);
    EXPECT_EQ((*back)[i].first, members[i].first);
    expectSameTensor((*back)[i].second, members[i].second);
  }
}

TEST_F(NpyIOFileTest, RoundTripsAnEmptyNpz) {
  std::string p = path("empty.npz");
  ASSERT_EQ(errorOf(writeNpz(p, {})), "");
  // Just the 22-byte end of central directory record.
  EXPECT_EQ(readFile(p), StringRef("PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                   "\0\0",
                                   22));
  auto back = readNpz(p);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_TRUE(back->empty());
}

TEST_F(NpyIOFileTest, WritesNpzExactlyAsPythonZipfile) {
  std::vector<std::pair<std::string, HostTensor>> members;
  members.emplace_back(
      "a", makeTensor<int32_t>(HostElementType::I32, {3}, {1, 2, 3}));
  members.emplace_back("\xc3\xbc", // u-umlaut: a UTF-8 name
                       makeTensor<double>(HostElementType::F64, {}, {-0.5}));
  members.emplace_back("e", HostTensor(HostElementType::U8, {0}));
  std::string p1 = path("1.npz"), p2 = path("2.npz");
  ASSERT_EQ(errorOf(writeNpz(p1, members)), "");
  ASSERT_EQ(errorOf(writeNpz(p2, members)), "");
  std::string written = readFile(p1);
  EXPECT_EQ(written, bytesOf(kNpzExpectedWrite).str());
  // Deterministic: a second write gives the same bytes.
  EXPECT_EQ(readFile(p2), written);
}

//===----------------------------------------------------------------------===//
// Reading archives numpy and zipfile wrote
//===----------------------------------------------------------------------===//

TEST_F(NpyIOFileTest, ReadsNumpySavez) {
  auto members = readNpz(writeFile("x.npz", bytesOf(kNpzStored)));
  ASSERT_TRUE(bool(members)) << llvm::toString(members.takeError());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].first, "a");
  expectTensor<int32_t>((*members)[0].second, HostElementType::I32, {3},
                        {0, 1, 2});
  EXPECT_EQ((*members)[1].first, "b");
  expectTensor<double>((*members)[1].second, HostElementType::F64, {1, 2},
                       {1.5, -2.0});
}

TEST_F(NpyIOFileTest, ReadsNumpySavezCompressed) {
  auto members = readNpz(writeFile("x.npz", bytesOf(kNpzDeflated)));
  ASSERT_TRUE(bool(members)) << llvm::toString(members.takeError());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].first, "x");
  std::vector<uint8_t> x;
  for (int i = 0; i < 100; ++i)
    x.push_back(i % 7);
  expectTensor<uint8_t>((*members)[0].second, HostElementType::U8, {100}, x);
  EXPECT_EQ((*members)[1].first, "y");
  expectTensor<uint16_t>((*members)[1].second, HostElementType::U16, {}, {7});
}

TEST_F(NpyIOFileTest, ReadsZip64Records) {
  auto members = readNpz(writeFile("x.npz", bytesOf(kNpzZip64)));
  ASSERT_TRUE(bool(members)) << llvm::toString(members.takeError());
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].first, "z");
  expectTensor<int64_t>((*members)[0].second, HostElementType::I64, {2},
                        {10, -20});
}

TEST_F(NpyIOFileTest, ReadsArchiveWithComment) {
  auto members = readNpz(writeFile("x.npz", bytesOf(kNpzWithComment)));
  ASSERT_TRUE(bool(members)) << llvm::toString(members.takeError());
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].first, "c");
  expectTensor<uint8_t>((*members)[0].second, HostElementType::U8, {2}, {5, 6});
}

//===----------------------------------------------------------------------===//
// .npy errors
//===----------------------------------------------------------------------===//

TEST(NpyIOTest, RejectsUnsupportedDtypes) {
  for (StringRef descr : {"<c8", "<f2", "|S3", "<U1", "|O", "<i3", "", "<"}) {
    std::string bytes = makeNpy(
        ("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (), }")
            .str(),
        "");
    EXPECT_EQ(errorOf(parseNpy(bytes, "x.npy")),
              ("x.npy: unsupported dtype '" + descr + "'").str());
  }
  // Structured dtypes are lists.
  std::string bytes = makeNpy("{'descr': [('a', '<f4')], 'fortran_order': "
                              "False, 'shape': (), }",
                              "1234");
  EXPECT_EQ(errorOf(parseNpy(bytes, "x.npy")),
            "x.npy: unsupported dtype [('a', '<f4')]");
  // '|' (no byte order) is not meaningful for a four-byte type.
  bytes = makeNpy("{'descr': '|f4', 'fortran_order': False, 'shape': (), }",
                  "1234");
  EXPECT_EQ(errorOf(parseNpy(bytes, "x.npy")),
            "x.npy: unsupported dtype '|f4' (byte order '|' is only valid for "
            "one-byte types)");
}

TEST(NpyIOTest, RejectsBigEndian) {
  EXPECT_EQ(errorOf(parseNpy(bytesOf(kBigEndianI4), "x.npy")),
            "x.npy: big-endian dtype '>i4' is not supported");
}

TEST(NpyIOTest, RejectsFortranOrder) {
  EXPECT_EQ(errorOf(parseNpy(bytesOf(kFortranI4), "x.npy")),
            "x.npy: fortran_order arrays are not supported");
}

TEST(NpyIOTest, RejectsBadMagic) {
  std::string bytes = bytesOf(kF32Arange2x3).str();
  bytes[5] = 'Z';
  EXPECT_EQ(errorOf(parseNpy(bytes, "x.npy")),
            "x.npy: not a .npy file (bad magic)");
  EXPECT_EQ(errorOf(parseNpy("PK\x03\x04 not numpy", "x.npy")),
            "x.npy: not a .npy file (bad magic)");
}

TEST(NpyIOTest, RejectsUnsupportedVersion) {
  std::string bytes = bytesOf(kF32Arange2x3).str();
  bytes[6] = 4;
  EXPECT_EQ(errorOf(parseNpy(bytes, "x.npy")),
            "x.npy: unsupported .npy format version 4.0");
  bytes[6] = 1;
  bytes[7] = 1;
  EXPECT_EQ(errorOf(parseNpy(bytes, "x.npy")),
            "x.npy: unsupported .npy format version 1.1");
}

TEST(NpyIOTest, RejectsBadHeaders) {
  struct Case {
    const char *dict;
    const char *error;
  } cases[] = {
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), ",
       "bad header: unexpected end of header"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x",
       "bad header: unexpected 'x' after the dict at offset 56"},
      {"{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}",
       "bad header: expected ':' after a dict key at offset 9"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}",
       "bad header: expected '}' or ',' in a dict at offset 17"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,",
       "bad header: unexpected end of header"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
       "bad header: expected ')' or ',' in a tuple at offset 53"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
       "bad header: unexpected key 'x'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), "
       "'descr': '<f4'}",
       "bad header: duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False}",
       "bad header: no 'shape' key"},
      {"{'fortran_order': False, 'shape': (1,)}", "bad header: no 'descr' key"},
      {"{'descr': '<f4', 'shape': (1,)}", "bad header: no 'fortran_order' key"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
       "bad header: 'fortran_order' must be True or False, got 0"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [1]}",
       "bad header: 'shape' must be a tuple, got [1]"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1)}",
       "bad header: 'shape' must be a tuple, got (1)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
       "bad header: 'shape' must hold non-negative integers, got (-1,)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ('1',)}",
       "bad header: 'shape' must hold non-negative integers, got ('1',)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(99999999999999999999,)}",
       "bad header: integer 99999999999999999999 is out of range"},
      {"{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}",
       "bad header: unexpected name 'false' at offset 34"},
      {"['descr', '<f4']", "bad header: not a dict"},
      {"", "bad header: unexpected end of header"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "((((((((((((((((((((((((((((((((((((1,),),),),),),),),),),),),),),),),"
       "),),),),),),),),),),),),),),),),),),),)}",
       "bad header: literals nested too deeply"},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(errorOf(parseNpy(makeNpy(c.dict, "abcd"), "x.npy")),
              std::string("x.npy: ") + c.error)
        << c.dict;
  }
}

TEST(NpyIOTest, RejectsTooLargeShapes) {
  std::string bytes = makeNpy("{'descr': '<f8', 'fortran_order': False, "
                              "'shape': (4294967296, 4294967296), }",
                              "");
  EXPECT_EQ(errorOf(parseNpy(bytes, "x.npy")),
            "x.npy: shape (4294967296, 4294967296) is too large");
  bytes = makeNpy("{'descr': '<f8', 'fortran_order': False, "
                  "'shape': (2305843009213693952,), }",
                  "");
  EXPECT_EQ(errorOf(parseNpy(bytes, "x.npy")),
            "x.npy: shape (2305843009213693952,) is too large");
}

TEST(NpyIOTest, RejectsDataLengthMismatch) {
  std::string bytes = bytesOf(kF32Arange2x3).str() + "xxxx";
  EXPECT_EQ(errorOf(parseNpy(bytes, "x.npy")),
            "x.npy: data length mismatch (shape (2, 3) of '<f4' needs 24 "
            "data bytes, file has 28)");
}

TEST(NpyIOTest, RejectsEveryTruncation) {
  StringRef full = bytesOf(kF32Arange2x3);
  EXPECT_EQ(errorOf(parseNpy(full.drop_back(4), "x.npy")),
            "x.npy: file is truncated (shape (2, 3) of '<f4' needs 24 data "
            "bytes, file has 20)");
  EXPECT_EQ(errorOf(parseNpy(full.take_front(100), "x.npy")),
            "x.npy: file is truncated (header of 118 bytes, file has 90 bytes "
            "after the header length)");
  EXPECT_EQ(errorOf(parseNpy("", "x.npy")),
            "x.npy: file is truncated (0 bytes, no complete .npy magic)");
  for (size_t n = 0; n < full.size(); ++n) {
    std::string error = errorOf(parseNpy(full.take_front(n), "x.npy"));
    EXPECT_TRUE(StringRef(error).starts_with("x.npy: file is truncated"))
        << n << ": " << error;
  }
}

TEST(NpyIOTest, SurvivesEveryByteCorruption) {
  // Each single-byte corruption is either still a valid file (a changed
  // value or padding) or an error; never a crash.
  for (StringRef fixture : {bytesOf(kF32Arange2x3), bytesOf(kI8Version2)}) {
    for (size_t i = 0; i < fixture.size(); ++i) {
      for (uint8_t mask : {0x01, 0x20, 0xFF}) {
        std::string bytes = fixture.str();
        bytes[i] = static_cast<char>(bytes[i] ^ mask);
        llvm::Expected<HostTensor> t = parseNpy(bytes, "x.npy");
        if (t) {
          // Versions 2.0 and 3.0 differ only in the header's encoding.
          EXPECT_TRUE(i > 9 || (i == 6 && mask == 0x01)) << i;
        } else {
          EXPECT_TRUE(
              StringRef(llvm::toString(t.takeError())).starts_with("x.npy: "));
        }
      }
    }
  }
}

TEST_F(NpyIOFileTest, MissingFilesNameThePath) {
  std::string p = path("missing.npy");
  std::string error = errorOf(readNpy(p));
  EXPECT_TRUE(StringRef(error).starts_with(p + ": cannot read file: "))
      << error;
  EXPECT_NE(error.find("o such file"), std::string::npos) << error;
  p = path("missing.npz");
  error = errorOf(readNpz(p));
  EXPECT_TRUE(StringRef(error).starts_with(p + ": cannot read file: "))
      << error;
}

TEST_F(NpyIOFileTest, UnwritablePathsNameThePath) {
  std::string p = path("no-such-dir/x.npy");
  HostTensor t(HostElementType::F32, {2});
  std::string error = errorOf(writeNpy(p, t));
  EXPECT_TRUE(StringRef(error).starts_with(p + ": cannot open file for "
                                               "writing: "))
      << error;
  p = path("no-such-dir/x.npz");
  error = errorOf(writeNpz(p, {{"t", t}}));
  EXPECT_TRUE(StringRef(error).starts_with(p + ": cannot open file for "
                                               "writing: "))
      << error;
}

TEST_F(NpyIOFileTest, ReadNpyErrorsNameThePath) {
  std::string p = writeFile("fortran.npy", bytesOf(kFortranI4));
  EXPECT_EQ(errorOf(readNpy(p)),
            p + ": fortran_order arrays are not supported");
}

//===----------------------------------------------------------------------===//
// .npz errors
//===----------------------------------------------------------------------===//

TEST_F(NpyIOFileTest, RejectsBadCrc) {
  // Flip the last data byte of a.npy (its local header is 30 bytes + the
  // 5-byte name + a 20-byte zip64 extra field, the .npy file 140 bytes). The
  // CRC-32s are Python's zlib.crc32 of the original and the changed member.
  std::string bytes = bytesOf(kNpzStored).str();
  bytes[55 + 139] ^= 0x01;
  std::string p = writeFile("x.npz", bytes);
  EXPECT_EQ(errorOf(readNpz(p)),
            p + ": member 'a.npy' has a bad CRC-32 (computed 0xDEBADC94, "
                "archive says 0xA9BDEC02)");
}

TEST_F(NpyIOFileTest, RejectsTruncatedMembers) {
  // Claim a.npy is 0x10000 bytes, more than the archive holds.
  std::string bytes = bytesOf(kNpzStored).str();
  size_t cd = centralDirOffset(bytes);
  writeLE(bytes, cd + 20, 0x10000, 4);
  writeLE(bytes, cd + 24, 0x10000, 4);
  std::string p = writeFile("x.npz", bytes);
  EXPECT_EQ(errorOf(readNpz(p)), p + ": member 'a.npy' is truncated");
}

TEST_F(NpyIOFileTest, RejectsTruncatedDeflateStreams) {
  // Claim x.npy's deflate stream is 10 bytes shorter than it is.
  std::string bytes = bytesOf(kNpzDeflated).str();
  size_t cd = centralDirOffset(bytes);
  writeLE(bytes, cd + 20, readLE32(bytes, cd + 20) - 10, 4);
  std::string p = writeFile("x.npz", bytes);
  EXPECT_EQ(errorOf(readNpz(p)),
            p + ": member 'x.npy' is truncated (deflate stream ends early)");
}

TEST_F(NpyIOFileTest, RejectsWrongInflatedSize) {
  std::string bytes = bytesOf(kNpzDeflated).str();
  size_t cd = centralDirOffset(bytes);
  // x.npy inflates from 79 to 228 bytes.
  writeLE(bytes, cd + 24, 227, 4);
  std::string p = writeFile("x.npz", bytes);
  EXPECT_EQ(errorOf(readNpz(p)),
            p + ": member 'x.npy' is corrupt (inflates to more than its "
                "declared 227 bytes)");
  writeLE(bytes, cd + 24, 229, 4);
  p = writeFile("y.npz", bytes);
  EXPECT_EQ(errorOf(readNpz(p)),
            p + ": member 'x.npy' is corrupt (inflates to 228 bytes, "
                "declared 229)");
  // An impossible compression ratio is refused before allocating.
  writeLE(bytes, cd + 24, 0xFFFFFFF0u, 4);
  p = writeFile("z.npz", bytes);
  EXPECT_EQ(errorOf(readNpz(p)),
            p + ": member 'x.npy' is corrupt (declares 4294967280 bytes "
                "inflated from 79)");
}

TEST_F(NpyIOFileTest, RejectsUnsupportedCompression) {
  std::string bytes = bytesOf(kNpzStored).str();
  writeLE(bytes, centralDirOffset(bytes) + 10, 12, 2); // bzip2
  std::string p = writeFile("x.npz", bytes);
  EXPECT_EQ(errorOf(readNpz(p)),
            p + ": member 'a.npy' uses unsupported compression method 12");
}

TEST_F(NpyIOFileTest, RejectsBadMembers) {
  std::string p = writeFile("x.npz", bytesOf(kNpzBadMember));
  EXPECT_EQ(errorOf(readNpz(p)),
            p + ": member 'bad.npy': not a .npy file (bad magic)");
}

TEST_F(NpyIOFileTest, RejectsNonZipFiles) {
  std::string p = writeFile("npy.npz", bytesOf(kF32Arange2x3));
  EXPECT_EQ(errorOf(readNpz(p)),
            p + ": not a zip archive (no end of central directory record)");
  p = writeFile("short.npz", "PK");
  EXPECT_EQ(errorOf(readNpz(p)), p + ": not a zip archive (file is too short)");
}

TEST_F(NpyIOFileTest, RejectsEveryTruncatedArchive) {
  StringRef full = bytesOf(kNpzStored);
  for (size_t n = 0; n < full.size(); ++n) {
    std::string p = writeFile("x.npz", full.take_front(n));
    EXPECT_FALSE(errorOf(readNpz(p)).empty()) << n;
  }
  // Cutting the archive inside the central directory.
  std::string p =
      writeFile("x.npz", full.take_front(centralDirOffset(full)).str() +
                             full.take_back(22).str());
  EXPECT_EQ(errorOf(readNpz(p)), p + ": central directory is truncated");
}

TEST_F(NpyIOFileTest, SurvivesEveryByteCorruptionOfArchives) {
  // Every single-byte corruption of a stored, a deflated and a zip64 archive
  // either still reads (e.g. a changed comment or timestamp) or is an error
  // naming the archive.
  for (StringRef fixture :
       {bytesOf(kNpzStored), bytesOf(kNpzDeflated), bytesOf(kNpzZip64)}) {
    for (size_t i = 0; i < fixture.size(); ++i) {
      std::string bytes = fixture.str();
      bytes[i] = static_cast<char>(bytes[i] ^ 0xFF);
      std::string p = writeFile("x.npz", bytes);
      auto members = readNpz(p);
      if (!members) {
        EXPECT_TRUE(StringRef(llvm::toString(members.takeError()))
                        .starts_with(p + ": "));
      }
    }
  }
}

TEST_F(NpyIOFileTest, RejectsBadMemberNames) {
  HostTensor t(HostElementType::F32, {1});
  std::string p = path("x.npz");
  EXPECT_EQ(errorOf(writeNpz(p, {{"a", t}, {"b", t}, {"a", t}})),
            p + ": duplicate member name 'a'");
  EXPECT_EQ(errorOf(writeNpz(p, {{"", t}})), p + ": member name is empty");
}
