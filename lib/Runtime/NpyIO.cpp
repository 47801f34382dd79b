//===- NpyIO.cpp - NumPy .npy and .npz files ------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A .npy file is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), a
// little-endian header length (2 bytes in 1.0, 4 bytes otherwise), a header
// that is a Python dict literal with the keys 'descr', 'fortran_order' and
// 'shape', padded so that the data starts at a multiple of 64 bytes, and the
// raw data. The header is parsed here by a small parser for the Python
// literals that can appear in it, never evaluated.
//
// A .npz file is a zip archive of .npy members. It is read through its central
// directory (with zip64 records where sizes or offsets do not fit in 32 bits);
// members may be stored or deflated (inflated with zlib), and their CRC-32s
// are checked. Archives are written with stored members, like numpy.savez.
//
// All sizes and offsets read from a file are bounds-checked before use, so
// corrupt or truncated input yields an llvm::Error naming the file, never an
// out-of-bounds read or an unbounded allocation.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Runtime/NpyIO.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>

using namespace mlir::qcomp;
using llvm::StringRef;

/// Returns the error "<name>: <message>".
static llvm::Error fail(const llvm::Twine &name, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + message);
}

/// Reads the whole file at `path`.
static llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readFile(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(path, "cannot read file: " + buffer.getError().message());
  return std::move(*buffer);
}

/// Closes `os` and reports any error it met while opening or writing. The
/// stream's error is cleared so that its destructor does not abort.
static llvm::Error closeOutput(llvm::raw_fd_ostream &os, StringRef path) {
  os.close();
  if (!os.has_error())
    return llvm::Error::success();
  std::error_code ec = os.error();
  os.clear_error();
  return fail(path, "cannot write file: " + ec.message());
}

//===----------------------------------------------------------------------===//
// Element data in little-endian byte order
//===----------------------------------------------------------------------===//

/// Reverses the bytes of each `itemSize`-byte element of `data`.
static void swapElementBytes(char *data, size_t byteSize, unsigned itemSize) {
  if (itemSize == 1)
    return;
  for (size_t i = 0; i + itemSize <= byteSize; i += itemSize)
    std::reverse(data + i, data + i + itemSize);
}

/// Calls `fn` on consecutive pieces of the tensor's data in little-endian
/// byte order (one piece holding the buffer itself on little-endian hosts).
static void forEachLittleEndianChunk(const HostTensor &t,
                                     llvm::function_ref<void(StringRef)> fn) {
  const char *data = static_cast<const char *>(t.data());
  size_t size = t.getByteSize();
  if (size == 0)
    return;
  if (llvm::sys::IsLittleEndianHost) {
    fn(StringRef(data, size));
    return;
  }
  unsigned itemSize = getElementByteSize(t.getElementType());
  constexpr size_t kChunk = 1 << 16; // a multiple of every element size
  std::string chunk;
  for (size_t pos = 0; pos < size; pos += kChunk) {
    chunk.assign(data + pos, std::min(kChunk, size - pos));
    swapElementBytes(chunk.data(), chunk.size(), itemSize);
    fn(chunk);
  }
}

/// CRC-32 (as zip computes it) of `bytes`, continuing from `crc`.
static uint32_t updateCrc32(uint32_t crc, StringRef bytes) {
  return crc32_z(crc, reinterpret_cast<const Bytef *>(bytes.data()),
                 bytes.size());
}

//===----------------------------------------------------------------------===//
// dtype descriptors
//===----------------------------------------------------------------------===//

/// The descr numpy writes for `type` ("<f4", "|u1", "|b1", ...).
static std::string getDescr(HostElementType type) {
  char kind = 'i';
  switch (type) {
  case HostElementType::F32:
  case HostElementType::F64:
    kind = 'f';
    break;
  case HostElementType::U8:
  case HostElementType::U16:
  case HostElementType::U32:
  case HostElementType::U64:
    kind = 'u';
    break;
  case HostElementType::Bool:
    kind = 'b';
    break;
  case HostElementType::I8:
  case HostElementType::I16:
  case HostElementType::I32:
  case HostElementType::I64:
    break;
  }
  unsigned size = getElementByteSize(type);
  std::string descr;
  descr += size == 1 ? '|' : '<';
  descr += kind;
  descr += std::to_string(size);
  return descr;
}

/// Maps a descr string ("<f4", "=i8", "|b1", "u2", ...) to an element type.
static llvm::Expected<HostElementType> parseDescr(StringRef descr,
                                                  StringRef name) {
  StringRef rest = descr;
  char order = '=';
  if (!rest.empty() && StringRef("<>=|").contains(rest.front())) {
    order = rest.front();
    rest = rest.drop_front();
  }
  std::optional<HostElementType> type;
  if (rest.size() >= 2) {
    char kind = rest.front();
    unsigned size = 0;
    if (!rest.drop_front().getAsInteger(10, size)) {
      if (kind == 'f' && size == 4)
        type = HostElementType::F32;
      else if (kind == 'f' && size == 8)
        type = HostElementType::F64;
      else if (kind == 'i' && size == 1)
        type = HostElementType::I8;
      else if (kind == 'u' && size == 1)
        type = HostElementType::U8;
      else if (kind == 'i' && size == 2)
        type = HostElementType::I16;
      else if (kind == 'u' && size == 2)
        type = HostElementType::U16;
      else if (kind == 'i' && size == 4)
        type = HostElementType::I32;
      else if (kind == 'u' && size == 4)
        type = HostElementType::U32;
      else if (kind == 'i' && size == 8)
        type = HostElementType::I64;
      else if (kind == 'u' && size == 8)
        type = HostElementType::U64;
      else if (kind == 'b' && size == 1)
        type = HostElementType::Bool;
    }
  }
  if (!type)
    return fail(name, "unsupported dtype '" + descr + "'");
  // The byte order of one-byte types is irrelevant; for wider types only
  // little-endian ('<', or '=' native on the little-endian hosts numpy files
  // come from) is supported.
  if (getElementByteSize(*type) > 1) {
    if (order == '>')
      return fail(name, "big-endian dtype '" + descr + "' is not supported");
    if (order == '|')
      return fail(name, "unsupported dtype '" + descr +
                            "' (byte order '|' is only valid for one-byte "
                            "types)");
  }
  return *type;
}

//===----------------------------------------------------------------------===//
// Python literals in .npy headers
//===----------------------------------------------------------------------===//

namespace {
/// A Python literal as it can appear in a .npy header.
struct PyLiteral {
  enum class Kind { String, Bool, None, Int, Tuple, List, Dict };
  Kind kind = Kind::None;
  /// The literal's source text, for messages.
  StringRef text;
  std::string string;
  bool boolean = false;
  int64_t integer = 0;
  /// Tuple and List elements; for a Dict, keys and values alternately.
  std::vector<PyLiteral> elements;
};

/// Parses the literals numpy writes with repr() and reads back with
/// ast.literal_eval: strings, ints (with Python 2's 'L' suffix), True, False,
/// None, tuples, lists and dicts of those.
class PyLiteralParser {
public:
  explicit PyLiteralParser(StringRef text) : text(text) {}

  /// Parses `text` as one literal surrounded by whitespace. On failure,
  /// returns false and sets the message returned by getError().
  bool parse(PyLiteral &result) {
    skipSpace();
    if (!parseValue(result, /*depth=*/0))
      return false;
    skipSpace();
    if (pos != text.size())
      return error("unexpected '" + text.substr(pos, 1) +
                   "' after the dict at offset " + llvm::Twine(pos));
    return true;
  }

  StringRef getError() const { return message; }

private:
  static constexpr unsigned kMaxDepth = 32;

  bool error(const llvm::Twine &msg) {
    message = msg.str();
    return false;
  }

  bool atEnd() const { return pos >= text.size(); }
  char peek() const { return atEnd() ? '\0' : text[pos]; }

  void skipSpace() {
    while (!atEnd() && llvm::isSpace(text[pos]))
      ++pos;
  }

  bool expectChar(char c, StringRef context) {
    skipSpace();
    if (peek() != c)
      return error(llvm::Twine("expected '") + llvm::Twine(c) + "' " + context +
                   " at offset " + llvm::Twine(pos));
    ++pos;
    return true;
  }

  bool parseValue(PyLiteral &out, unsigned depth) {
    if (depth > kMaxDepth)
      return error("literals nested too deeply");
    skipSpace();
    size_t start = pos;
    bool ok = parseValueImpl(out, depth);
    out.text = text.slice(start, pos);
    return ok;
  }

  bool parseValueImpl(PyLiteral &out, unsigned depth) {
    char c = peek();
    if (c == '\'' || c == '"')
      return parseString(out);
    if (c == '(' || c == '[')
      return parseSequence(out, depth);
    if (c == '{')
      return parseDict(out, depth);
    if (c == '-' || c == '+' || llvm::isDigit(c))
      return parseInt(out);
    if (llvm::isAlpha(c) || c == '_') {
      size_t start = pos;
      while (!atEnd() && (llvm::isAlnum(text[pos]) || text[pos] == '_'))
        ++pos;
      StringRef word = text.slice(start, pos);
      // A string prefix as in u'<f4'.
      if ((word == "u" || word == "U") && (peek() == '\'' || peek() == '"'))
        return parseString(out);
      if (word == "True" || word == "False") {
        out.kind = PyLiteral::Kind::Bool;
        out.boolean = word == "True";
        return true;
      }
      if (word == "None") {
        out.kind = PyLiteral::Kind::None;
        return true;
      }
      return error("unexpected name '" + word + "' at offset " +
                   llvm::Twine(start));
    }
    if (atEnd())
      return error("unexpected end of header");
    return error("unexpected '" + text.substr(pos, 1) + "' at offset " +
                 llvm::Twine(pos));
  }

  bool parseString(PyLiteral &out) {
    char quote = text[pos++];
    out.kind = PyLiteral::Kind::String;
    while (!atEnd() && text[pos] != quote) {
      if (text[pos] == '\\' && pos + 1 < text.size())
        ++pos;
      out.string += text[pos++];
    }
    if (atEnd())
      return error("unterminated string");
    ++pos;
    return true;
  }

  bool parseInt(PyLiteral &out) {
    size_t start = pos;
    if (peek() == '-' || peek() == '+')
      ++pos;
    size_t digits = pos;
    while (!atEnd() && llvm::isDigit(text[pos]))
      ++pos;
    if (pos == digits)
      return error("expected digits at offset " + llvm::Twine(digits));
    StringRef number = text.slice(start, pos);
    if (number.front() == '+')
      number = number.drop_front();
    // Python 2 wrote longs as "3L".
    if (peek() == 'L' || peek() == 'l')
      ++pos;
    out.kind = PyLiteral::Kind::Int;
    if (number.getAsInteger(10, out.integer))
      return error("integer " + number + " is out of range");
    return true;
  }

  /// A tuple "(a, b)" / "(a,)" / "()", a parenthesized value "(a)", or a list
  /// "[a, b]".
  bool parseSequence(PyLiteral &out, unsigned depth) {
    char close = text[pos] == '(' ? ')' : ']';
    out.kind = close == ')' ? PyLiteral::Kind::Tuple : PyLiteral::Kind::List;
    ++pos;
    bool trailingComma = false;
    for (;;) {
      skipSpace();
      if (peek() == close)
        break;
      out.elements.emplace_back();
      if (!parseValue(out.elements.back(), depth + 1))
        return false;
      skipSpace();
      trailingComma = peek() == ',';
      if (!trailingComma)
        break;
      ++pos;
    }
    if (!expectChar(close,
                    close == ')' ? "or ',' in a tuple" : "or ',' in a list"))
      return false;
    // "(a)" is just `a`.
    if (close == ')' && out.elements.size() == 1 && !trailingComma) {
      PyLiteral inner = std::move(out.elements.front());
      out = std::move(inner);
    }
    return true;
  }

  bool parseDict(PyLiteral &out, unsigned depth) {
    out.kind = PyLiteral::Kind::Dict;
    ++pos;
    for (;;) {
      skipSpace();
      if (peek() == '}')
        break;
      out.elements.emplace_back();
      if (!parseValue(out.elements.back(), depth + 1))
        return false;
      if (!expectChar(':', "after a dict key"))
        return false;
      out.elements.emplace_back();
      if (!parseValue(out.elements.back(), depth + 1))
        return false;
      skipSpace();
      if (peek() != ',')
        break;
      ++pos;
    }
    return expectChar('}', "or ',' in a dict");
  }

  StringRef text;
  size_t pos = 0;
  std::string message;
};
} // namespace

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

static constexpr char kNpyMagic[] = "\x93NUMPY";
static constexpr size_t kNpyMagicSize = sizeof(kNpyMagic) - 1;
static constexpr uint64_t kNpyAlign = 64;
/// numpy pads the header of an array of shape (n, ...) with 21 - len(str(n))
/// extra spaces so that the header can be rewritten in place as n grows.
static constexpr size_t kGrowthAxisMaxDigits = 21;

/// Formats `shape` as a Python tuple: "()", "(3,)", "(2, 3)".
static std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string result = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0)
      result += ", ";
    result += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    result += ",";
  result += ")";
  return result;
}

/// The magic, version, header length and padded header numpy.save writes for
/// `t`, up to and including the '\n' that precedes the data.
static std::string buildNpyHeader(const HostTensor &t) {
  llvm::ArrayRef<int64_t> shape = t.getShape();
  std::string dict =
      "{'descr': '" + getDescr(t.getElementType()) +
      "', 'fortran_order': False, 'shape': " + formatShape(shape) + ", }";
  if (!shape.empty()) {
    size_t digits = std::to_string(shape.front()).size();
    if (digits < kGrowthAxisMaxDigits)
      dict.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  // Version 1.0 stores the header length in 2 bytes, 2.0 in 4.
  uint64_t headerLen = dict.size() + 1; // + '\n'
  uint8_t major = 1;
  uint64_t prefixSize = kNpyMagicSize + 2 + 2;
  uint64_t padding = kNpyAlign - (prefixSize + headerLen) % kNpyAlign;
  if (headerLen + padding > 0xFFFF) {
    major = 2;
    prefixSize = kNpyMagicSize + 2 + 4;
    padding = kNpyAlign - (prefixSize + headerLen) % kNpyAlign;
  }
  uint64_t paddedLen = headerLen + padding;

  std::string result(kNpyMagic, kNpyMagicSize);
  result += static_cast<char>(major);
  result += '\0';
  for (unsigned i = 0, e = major == 1 ? 2 : 4; i < e; ++i)
    result += static_cast<char>((paddedLen >> (8 * i)) & 0xFF);
  result += dict;
  result.append(padding, ' ');
  result += '\n';
  return result;
}

llvm::Expected<HostTensor> mlir::qcomp::parseNpy(StringRef bytes,
                                                 StringRef name) {
  // Magic and version.
  if (!bytes.starts_with(StringRef(kNpyMagic, kNpyMagicSize))) {
    if (StringRef(kNpyMagic, kNpyMagicSize).starts_with(bytes))
      return fail(name, "file is truncated (" + llvm::Twine(bytes.size()) +
                            " bytes, no complete .npy magic)");
    return fail(name, "not a .npy file (bad magic)");
  }
  if (bytes.size() < kNpyMagicSize + 2)
    return fail(name, "file is truncated (no format version)");
  auto major = static_cast<uint8_t>(bytes[kNpyMagicSize]);
  auto minor = static_cast<uint8_t>(bytes[kNpyMagicSize + 1]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return fail(name, "unsupported .npy format version " +
                          llvm::Twine(unsigned(major)) + "." +
                          llvm::Twine(unsigned(minor)));

  // Header length and header.
  size_t lenSize = major == 1 ? 2 : 4;
  size_t prefixSize = kNpyMagicSize + 2 + lenSize;
  if (bytes.size() < prefixSize)
    return fail(name, "file is truncated (no header length)");
  const char *lenPtr = bytes.data() + kNpyMagicSize + 2;
  uint64_t headerLen = major == 1 ? llvm::support::endian::read16le(lenPtr)
                                  : llvm::support::endian::read32le(lenPtr);
  if (bytes.size() - prefixSize < headerLen)
    return fail(name, "file is truncated (header of " + llvm::Twine(headerLen) +
                          " bytes, file has " +
                          llvm::Twine(bytes.size() - prefixSize) +
                          " bytes after the header length)");
  StringRef header = bytes.substr(prefixSize, headerLen);
  StringRef data = bytes.substr(prefixSize + headerLen);

  PyLiteral dict;
  PyLiteralParser parser(header);
  if (!parser.parse(dict))
    return fail(name, "bad header: " + parser.getError());
  if (dict.kind != PyLiteral::Kind::Dict)
    return fail(name, "bad header: not a dict");

  // The three keys, each exactly once, in any order.
  const PyLiteral *descr = nullptr, *fortranOrder = nullptr, *shape = nullptr;
  for (size_t i = 0; i + 1 < dict.elements.size(); i += 2) {
    const PyLiteral &key = dict.elements[i];
    const PyLiteral &value = dict.elements[i + 1];
    const PyLiteral **slot = nullptr;
    if (key.kind == PyLiteral::Kind::String) {
      if (key.string == "descr")
        slot = &descr;
      else if (key.string == "fortran_order")
        slot = &fortranOrder;
      else if (key.string == "shape")
        slot = &shape;
    }
    if (!slot)
      return fail(name, "bad header: unexpected key " + key.text);
    if (*slot)
      return fail(name, "bad header: duplicate key " + key.text);
    *slot = &value;
  }
  if (!descr)
    return fail(name, "bad header: no 'descr' key");
  if (!fortranOrder)
    return fail(name, "bad header: no 'fortran_order' key");
  if (!shape)
    return fail(name, "bad header: no 'shape' key");

  // Element type.
  if (descr->kind != PyLiteral::Kind::String)
    return fail(name, "unsupported dtype " + descr->text);
  llvm::Expected<HostElementType> type = parseDescr(descr->string, name);
  if (!type)
    return type.takeError();

  // Layout.
  if (fortranOrder->kind != PyLiteral::Kind::Bool)
    return fail(name, "bad header: 'fortran_order' must be True or False, "
                      "got " +
                          fortranOrder->text);
  if (fortranOrder->boolean)
    return fail(name, "fortran_order arrays are not supported");

  // Shape and data size.
  if (shape->kind != PyLiteral::Kind::Tuple)
    return fail(name,
                "bad header: 'shape' must be a tuple, got " + shape->text);
  // Sizes are computed as HostTensor computes them (the product of the
  // dimensions in order, times the element size), rejecting any overflow.
  llvm::SmallVector<int64_t> dims;
  int64_t itemSize = getElementByteSize(*type);
  int64_t numElements = 1;
  bool overflow = false;
  for (const PyLiteral &dim : shape->elements) {
    if (dim.kind != PyLiteral::Kind::Int || dim.integer < 0)
      return fail(name, "bad header: 'shape' must hold non-negative "
                        "integers, got " +
                            shape->text);
    dims.push_back(dim.integer);
    overflow |= llvm::MulOverflow(numElements, dim.integer, numElements);
  }
  int64_t signedByteSize = 0;
  overflow |= llvm::MulOverflow(numElements, itemSize, signedByteSize);
  if (overflow)
    return fail(name, "shape " + shape->text + " is too large");
  auto byteSize = static_cast<uint64_t>(signedByteSize);
  if (data.size() < byteSize)
    return fail(name, "file is truncated (shape " + shape->text + " of '" +
                          descr->string + "' needs " + llvm::Twine(byteSize) +
                          " data bytes, file has " + llvm::Twine(data.size()) +
                          ")");
  if (data.size() > byteSize)
    return fail(name, "data length mismatch (shape " + shape->text + " of '" +
                          descr->string + "' needs " + llvm::Twine(byteSize) +
                          " data bytes, file has " + llvm::Twine(data.size()) +
                          ")");

  HostTensor tensor(*type, dims);
  if (byteSize != 0) {
    char *out = static_cast<char *>(tensor.data());
    std::memcpy(out, data.data(), byteSize);
    if (llvm::sys::IsBigEndianHost)
      swapElementBytes(out, byteSize, itemSize);
    // numpy reads any non-zero byte as True; HostTensor holds 0 or 1.
    if (*type == HostElementType::Bool)
      for (uint64_t i = 0; i < byteSize; ++i)
        out[i] = out[i] != 0;
  }
  return std::move(tensor);
}

llvm::Expected<HostTensor> mlir::qcomp::readNpy(StringRef path) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string mlir::qcomp::serializeNpy(const HostTensor &t) {
  std::string result = buildNpyHeader(t);
  result.reserve(result.size() + t.getByteSize());
  forEachLittleEndianChunk(t, [&](StringRef chunk) { result += chunk; });
  return result;
}

llvm::Error mlir::qcomp::writeNpy(StringRef path, const HostTensor &t) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail(path, "cannot open file for writing: " + ec.message());
  os << buildNpyHeader(t);
  forEachLittleEndianChunk(t, [&](StringRef chunk) { os << chunk; });
  return closeOutput(os, path);
}

//===----------------------------------------------------------------------===//
// .npz (zip)
//===----------------------------------------------------------------------===//

namespace {
namespace zip {
constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndSize = 22;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflated = 8;
constexpr uint16_t kFlagEncrypted = 0x0001;
constexpr uint16_t kFlagUtf8 = 0x0800;
constexpr uint32_t kMax32 = 0xFFFFFFFF;
constexpr uint16_t kMax16 = 0xFFFF;
/// "Version needed to extract": 2.0 (stored) and 4.5 (zip64).
constexpr uint16_t kVersionDefault = 20;
constexpr uint16_t kVersionZip64 = 45;
/// "Version made by": Unix (3) in the high byte, so that the high half of
/// the external attributes holds Unix permissions.
constexpr uint16_t kMadeByUnix = 3 << 8;
/// A regular file with permissions rw-r--r--.
constexpr uint32_t kExternalAttrs = 0100644u << 16;
/// MS-DOS date of 1980-01-01 ((year - 1980) << 9 | month << 5 | day), time 0.
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr uint16_t kDosTime = 0;
/// deflate never compresses by more than 1032:1; a larger claimed ratio is a
/// corrupt (or malicious) size that must not be allocated.
constexpr uint64_t kMaxDeflateRatio = 1032;

/// One central directory entry.
struct Entry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressedSize = 0;
  uint64_t uncompressedSize = 0;
  uint64_t localHeaderOffset = 0;
};
} // namespace zip
} // namespace

static uint16_t read16(StringRef bytes, uint64_t offset) {
  return llvm::support::endian::read16le(bytes.data() + offset);
}
static uint32_t read32(StringRef bytes, uint64_t offset) {
  return llvm::support::endian::read32le(bytes.data() + offset);
}
static uint64_t read64(StringRef bytes, uint64_t offset) {
  return llvm::support::endian::read64le(bytes.data() + offset);
}

static void append16(std::string &out, uint16_t v) {
  for (unsigned i = 0; i < 2; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
static void append32(std::string &out, uint32_t v) {
  for (unsigned i = 0; i < 4; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
static void append64(std::string &out, uint64_t v) {
  for (unsigned i = 0; i < 8; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

/// True if [offset, offset + size) lies within `bytes`.
static bool inBounds(StringRef bytes, uint64_t offset, uint64_t size) {
  return offset <= bytes.size() && size <= bytes.size() - offset;
}

/// Replaces the 32-bit sizes and offset of `entry` that are 0xFFFFFFFF by
/// their 64-bit values from the zip64 extra field in `extra`.
static llvm::Error applyZip64Extra(zip::Entry &entry, StringRef extra,
                                   StringRef path) {
  while (extra.size() >= 4) {
    uint16_t id = read16(extra, 0);
    uint16_t size = read16(extra, 2);
    if (extra.size() - 4 < size)
      break; // A malformed trailing field; zip tools ignore it too.
    StringRef field = extra.substr(4, size);
    extra = extra.drop_front(4 + size);
    if (id != zip::kZip64ExtraId)
      continue;
    // The field holds, in this order, only the values whose 32-bit
    // counterparts are 0xFFFFFFFF.
    uint64_t pos = 0;
    for (uint64_t *value : {&entry.uncompressedSize, &entry.compressedSize,
                            &entry.localHeaderOffset}) {
      if (*value != zip::kMax32)
        continue;
      if (!inBounds(field, pos, 8))
        return fail(path, "member '" + entry.name +
                              "' has a truncated zip64 extra field");
      *value = read64(field, pos);
      pos += 8;
    }
    return llvm::Error::success();
  }
  return llvm::Error::success();
}

/// Reads the central directory of the zip archive `bytes`.
static llvm::Expected<std::vector<zip::Entry>>
readCentralDirectory(StringRef bytes, StringRef path) {
  // The end of central directory record is the last 22 bytes, unless the
  // archive has a comment (at most 65535 bytes) after it.
  if (bytes.size() < zip::kEndSize)
    return fail(path, "not a zip archive (file is too short)");
  std::optional<uint64_t> endPos;
  uint64_t lowest = bytes.size() > zip::kEndSize + zip::kMax16
                        ? bytes.size() - zip::kEndSize - zip::kMax16
                        : 0;
  for (uint64_t pos = bytes.size() - zip::kEndSize;; --pos) {
    if (read32(bytes, pos) == zip::kEndSig &&
        pos + zip::kEndSize + read16(bytes, pos + 20) <= bytes.size()) {
      endPos = pos;
      break;
    }
    if (pos == lowest)
      break;
  }
  if (!endPos)
    return fail(path, "not a zip archive (no end of central directory record)");
  uint64_t numEntries = read16(bytes, *endPos + 10);
  uint64_t cdSize = read32(bytes, *endPos + 12);
  uint64_t cdOffset = read32(bytes, *endPos + 16);

  // A zip64 end record, found through the locator right before the end
  // record, holds the values that do not fit in the 16/32-bit fields.
  uint64_t cdLimit = *endPos;
  if (*endPos >= zip::kZip64LocatorSize &&
      read32(bytes, *endPos - zip::kZip64LocatorSize) ==
          zip::kZip64LocatorSig) {
    uint64_t locator = *endPos - zip::kZip64LocatorSize;
    uint64_t zip64End = read64(bytes, locator + 8);
    if (!inBounds(bytes, zip64End, zip::kZip64EndSize) ||
        zip64End + zip::kZip64EndSize > locator ||
        read32(bytes, zip64End) != zip::kZip64EndSig)
      return fail(path, "bad zip64 end of central directory record");
    numEntries = read64(bytes, zip64End + 32);
    cdSize = read64(bytes, zip64End + 40);
    cdOffset = read64(bytes, zip64End + 48);
    cdLimit = zip64End;
  } else if (numEntries == zip::kMax16 || cdSize == zip::kMax32 ||
             cdOffset == zip::kMax32) {
    return fail(path, "zip64 end of central directory record is missing");
  }
  if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset)
    return fail(path, "central directory is truncated");

  StringRef cd = bytes.substr(cdOffset, cdSize);
  std::vector<zip::Entry> entries;
  entries.reserve(
      std::min<uint64_t>(numEntries, cdSize / zip::kCentralHeaderSize));
  uint64_t pos = 0;
  for (uint64_t i = 0; i < numEntries; ++i) {
    if (!inBounds(cd, pos, zip::kCentralHeaderSize))
      return fail(path, "central directory is truncated");
    if (read32(cd, pos) != zip::kCentralHeaderSig)
      return fail(path, "bad central directory entry " + llvm::Twine(i));
    zip::Entry entry;
    entry.flags = read16(cd, pos + 8);
    entry.method = read16(cd, pos + 10);
    entry.crc = read32(cd, pos + 16);
    entry.compressedSize = read32(cd, pos + 20);
    entry.uncompressedSize = read32(cd, pos + 24);
    uint64_t nameLen = read16(cd, pos + 28);
    uint64_t extraLen = read16(cd, pos + 30);
    uint64_t commentLen = read16(cd, pos + 32);
    entry.localHeaderOffset = read32(cd, pos + 42);
    pos += zip::kCentralHeaderSize;
    if (!inBounds(cd, pos, nameLen + extraLen + commentLen))
      return fail(path, "central directory is truncated");
    entry.name = cd.substr(pos, nameLen).str();
    if (llvm::Error err =
            applyZip64Extra(entry, cd.substr(pos + nameLen, extraLen), path))
      return std::move(err);
    pos += nameLen + extraLen + commentLen;
    entries.push_back(std::move(entry));
  }
  return std::move(entries);
}

/// Inflates the raw deflate stream `in` into exactly `size` bytes.
static llvm::Expected<std::string>
inflateRaw(StringRef in, uint64_t size, StringRef path, StringRef member) {
  std::string out(size, '\0');
  z_stream stream;
  std::memset(&stream, 0, sizeof(stream));
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
    return fail(path, "member '" + member +
                          "' cannot be inflated (inflateInit2 failed)");
  // zlib requires non-null buffers even when they are empty.
  char dummy = 0;
  auto *inBegin = reinterpret_cast<Bytef *>(
      const_cast<char *>(in.empty() ? &dummy : in.data()));
  const Bytef *inEnd = inBegin + in.size();
  auto *outBegin = reinterpret_cast<Bytef *>(out.empty() ? &dummy : &out[0]);
  const Bytef *outEnd = outBegin + size;
  stream.next_in = inBegin;
  stream.next_out = outBegin;
  int ret = Z_OK;
  // avail_in/avail_out are 32-bit: feed and drain in pieces.
  do {
    stream.avail_in =
        static_cast<uInt>(std::min<uint64_t>(inEnd - stream.next_in, UINT_MAX));
    stream.avail_out = static_cast<uInt>(
        std::min<uint64_t>(outEnd - stream.next_out, UINT_MAX));
    ret = inflate(&stream, Z_NO_FLUSH);
  } while (ret == Z_OK);
  const Bytef *inStop = stream.next_in;
  const Bytef *outStop = stream.next_out;
  const char *zmsg = stream.msg;
  inflateEnd(&stream);
  if (ret == Z_BUF_ERROR && inStop == inEnd)
    return fail(path, "member '" + member +
                          "' is truncated (deflate stream ends early)");
  if (ret == Z_BUF_ERROR)
    return fail(path, "member '" + member +
                          "' is corrupt (inflates to more than its declared " +
                          llvm::Twine(size) + " bytes)");
  if (ret != Z_STREAM_END)
    return fail(path, "member '" + member + "' is corrupt (inflate: " +
                          (zmsg ? zmsg : "error " + std::to_string(ret)) + ")");
  if (outStop != outEnd)
    return fail(path, "member '" + member + "' is corrupt (inflates to " +
                          llvm::Twine(uint64_t(outStop - outBegin)) +
                          " bytes, declared " + llvm::Twine(size) + ")");
  return std::move(out);
}

llvm::Expected<std::vector<std::pair<std::string, HostTensor>>>
mlir::qcomp::readNpz(StringRef path) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
  StringRef bytes = (*buffer)->getBuffer();
  llvm::Expected<std::vector<zip::Entry>> entries =
      readCentralDirectory(bytes, path);
  if (!entries)
    return entries.takeError();

  std::vector<std::pair<std::string, HostTensor>> result;
  for (const zip::Entry &entry : *entries) {
    StringRef name = entry.name;
    // Directories hold no arrays.
    if (name.ends_with("/") && entry.uncompressedSize == 0)
      continue;
    // Errors about the member itself read "x.npz: member 'a.npy' is ...";
    // errors inside its .npy contents "x.npz: member 'a.npy': ...".
    std::string member = ("member '" + name + "'").str();
    auto memberError = [&](const llvm::Twine &message) {
      return fail(path, member + " " + message);
    };

    if (entry.flags & zip::kFlagEncrypted)
      return memberError("is encrypted");
    uint64_t local = entry.localHeaderOffset;
    if (!inBounds(bytes, local, zip::kLocalHeaderSize))
      return memberError("is truncated (no local header)");
    if (read32(bytes, local) != zip::kLocalHeaderSig)
      return memberError("has a bad local header");
    // The local name and extra field may differ in length from the central
    // ones (numpy writes a zip64 extra field only in the local header).
    uint64_t dataPos = local + zip::kLocalHeaderSize +
                       read16(bytes, local + 26) + read16(bytes, local + 28);
    if (!inBounds(bytes, dataPos, entry.compressedSize))
      return memberError("is truncated");
    StringRef raw = bytes.substr(dataPos, entry.compressedSize);

    std::string inflated;
    StringRef contents;
    if (entry.method == zip::kMethodStored) {
      if (entry.compressedSize != entry.uncompressedSize)
        return memberError(
            "is corrupt (stored with " + llvm::Twine(entry.compressedSize) +
            " bytes, declared " + llvm::Twine(entry.uncompressedSize) + ")");
      contents = raw;
    } else if (entry.method == zip::kMethodDeflated) {
      if (entry.uncompressedSize / zip::kMaxDeflateRatio > raw.size())
        return memberError(
            "is corrupt (declares " + llvm::Twine(entry.uncompressedSize) +
            " bytes inflated from " + llvm::Twine(raw.size()) + ")");
      llvm::Expected<std::string> out =
          inflateRaw(raw, entry.uncompressedSize, path, name);
      if (!out)
        return out.takeError();
      inflated = std::move(*out);
      contents = inflated;
    } else {
      return memberError("uses unsupported compression method " +
                         llvm::Twine(entry.method));
    }

    uint32_t crc = updateCrc32(0, contents);
    if (crc != entry.crc)
      return memberError("has a bad CRC-32 (computed 0x" +
                         llvm::utohexstr(crc) + ", archive says 0x" +
                         llvm::utohexstr(entry.crc) + ")");

    llvm::Expected<HostTensor> tensor =
        parseNpy(contents, (path + ": " + member).str());
    if (!tensor)
      return tensor.takeError();
    name.consume_back(".npy");
    result.emplace_back(name.str(), std::move(*tensor));
  }
  return std::move(result);
}

llvm::Error mlir::qcomp::writeNpz(
    StringRef path,
    llvm::ArrayRef<std::pair<std::string, HostTensor>> members) {
  llvm::StringSet<> seen;
  for (const auto &[name, tensor] : members) {
    if (name.empty())
      return fail(path, "member name is empty");
    if (name.size() + 4 > zip::kMax16)
      return fail(path, "member name '" + name + "' is too long");
    if (!seen.insert(name).second)
      return fail(path, "duplicate member name '" + name + "'");
  }

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail(path, "cannot open file for writing: " + ec.message());

  std::string centralDir;
  uint64_t offset = 0;
  for (const auto &[name, tensor] : members) {
    std::string fileName = name + ".npy";
    std::string npyHeader = buildNpyHeader(tensor);
    uint64_t size = npyHeader.size() + tensor.getByteSize();
    uint32_t crc = updateCrc32(0, npyHeader);
    forEachLittleEndianChunk(
        tensor, [&](StringRef chunk) { crc = updateCrc32(crc, chunk); });
    bool sizeIs64 = size >= zip::kMax32;
    bool offsetIs64 = offset >= zip::kMax32;
    bool ascii =
        llvm::all_of(fileName, [](char c) { return llvm::isASCII(c); });
    uint16_t flags = ascii ? 0 : zip::kFlagUtf8;
    uint16_t version =
        sizeIs64 || offsetIs64 ? zip::kVersionZip64 : zip::kVersionDefault;
    uint32_t size32 = sizeIs64 ? zip::kMax32 : static_cast<uint32_t>(size);

    // Local header; the zip64 extra field holds both sizes when they do not
    // fit.
    std::string local;
    append32(local, zip::kLocalHeaderSig);
    append16(local, version);
    append16(local, flags);
    append16(local, zip::kMethodStored);
    append16(local, zip::kDosTime);
    append16(local, zip::kDosDate);
    append32(local, crc);
    append32(local, size32);
    append32(local, size32);
    append16(local, fileName.size());
    append16(local, sizeIs64 ? 4 + 16 : 0);
    local += fileName;
    if (sizeIs64) {
      append16(local, zip::kZip64ExtraId);
      append16(local, 16);
      append64(local, size);
      append64(local, size);
    }
    os << local << npyHeader;
    forEachLittleEndianChunk(tensor, [&](StringRef chunk) { os << chunk; });

    // Central directory entry.
    std::string extra;
    if (sizeIs64) {
      append64(extra, size);
      append64(extra, size);
    }
    if (offsetIs64)
      append64(extra, offset);
    if (!extra.empty()) {
      std::string field;
      append16(field, zip::kZip64ExtraId);
      append16(field, extra.size());
      extra = field + extra;
    }
    append32(centralDir, zip::kCentralHeaderSig);
    append16(centralDir, zip::kMadeByUnix | version);
    append16(centralDir, version);
    append16(centralDir, flags);
    append16(centralDir, zip::kMethodStored);
    append16(centralDir, zip::kDosTime);
    append16(centralDir, zip::kDosDate);
    append32(centralDir, crc);
    append32(centralDir, size32);
    append32(centralDir, size32);
    append16(centralDir, fileName.size());
    append16(centralDir, extra.size());
    append16(centralDir, 0); // comment length
    append16(centralDir, 0); // disk number
    append16(centralDir, 0); // internal attributes
    append32(centralDir, zip::kExternalAttrs);
    append32(centralDir,
             offsetIs64 ? zip::kMax32 : static_cast<uint32_t>(offset));
    centralDir += fileName;
    centralDir += extra;

    offset += local.size() + size;
  }

  uint64_t cdOffset = offset;
  uint64_t cdSize = centralDir.size();
  uint64_t numEntries = members.size();
  std::string end;
  if (numEntries >= zip::kMax16 || cdOffset >= zip::kMax32 ||
      cdSize >= zip::kMax32) {
    uint64_t zip64End = cdOffset + cdSize;
    append32(end, zip::kZip64EndSig);
    append64(end, zip::kZip64EndSize - 12); // size of the rest of the record
    append16(end, zip::kMadeByUnix | zip::kVersionZip64);
    append16(end, zip::kVersionZip64);
    append32(end, 0); // this disk
    append32(end, 0); // disk of the central directory
    append64(end, numEntries);
    append64(end, numEntries);
    append64(end, cdSize);
    append64(end, cdOffset);
    append32(end, zip::kZip64LocatorSig);
    append32(end, 0); // disk of the zip64 end record
    append64(end, zip64End);
    append32(end, 1); // number of disks
  }
  append32(end, zip::kEndSig);
  append16(end, 0); // this disk
  append16(end, 0); // disk of the central directory
  append16(end, std::min<uint64_t>(numEntries, zip::kMax16));
  append16(end, std::min<uint64_t>(numEntries, zip::kMax16));
  append32(end, std::min<uint64_t>(cdSize, zip::kMax32));
  append32(end, std::min<uint64_t>(cdOffset, zip::kMax32));
  append16(end, 0); // comment length
  os << centralDir << end;
  return closeOutput(os, path);
}
