//===- CalibrationTable.cpp - Calibration statistics on disk --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Implements the JSON form of the calibration table. Printing goes through
// llvm::json::OStream with numbers formatted here (shortest round-trip
// doubles) so that the layout and the field order are fixed; parsing uses
// llvm::json::parse and then checks every field, reporting the first problem
// with the file name, the tensor and the field.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Calibration/CalibrationTable.h"
#include "qcomp/Support/Format.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

using namespace mlir::qcomp;

//===----------------------------------------------------------------------===//
// Table
//===----------------------------------------------------------------------===//

llvm::Error CalibrationTable::set(llvm::StringRef id,
                                  TensorStatsRecord record) {
  if (id.empty())
    return llvm::createStringError("tensor id must not be empty");
  if (!llvm::json::isUTF8(id))
    return llvm::createStringError("tensor id '" + id + "' is not valid UTF-8");
  if (llvm::Error error = verifyTensorStatsRecord(record))
    return llvm::createStringError("tensor '" + id +
                                   "': " + llvm::toString(std::move(error)));
  // JSON cannot tell -0 from 0 once printed; store what a reader would get.
  record.min += 0.0;
  record.max += 0.0;
  record.histMin += 0.0;
  record.histMax += 0.0;
  tensors[id.str()] = std::move(record);
  return llvm::Error::success();
}

llvm::Error CalibrationTable::set(llvm::StringRef id,
                                  const TensorStatistics &stats) {
  return set(id, stats.toRecord());
}

const TensorStatsRecord *CalibrationTable::lookup(llvm::StringRef id) const {
  auto it = tensors.find(id.str());
  return it == tensors.end() ? nullptr : &it->second;
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

static void printDouble(llvm::json::OStream &json, double value) {
  json.rawValue(formatDouble(value));
}

static void printRecord(llvm::raw_ostream &os, llvm::StringRef id,
                        const TensorStatsRecord &record) {
  llvm::json::OStream json(os);
  json.object([&] {
    json.attribute("id", id);
    json.attribute("count", record.count);
    json.attributeBegin("min");
    printDouble(json, record.min);
    json.attributeEnd();
    json.attributeBegin("max");
    printDouble(json, record.max);
    json.attributeEnd();
    json.attribute("non_finite", record.nonFinite);
    if (record.channelAxis) {
      json.attribute("channel_axis", *record.channelAxis);
      json.attributeArray("channel_absmax", [&] {
        for (double value : record.channelAbsMax)
          printDouble(json, value);
      });
    }
    if (record.hasHistogram()) {
      json.attributeBegin("hist_min");
      printDouble(json, record.histMin);
      json.attributeEnd();
      json.attributeBegin("hist_max");
      printDouble(json, record.histMax);
      json.attributeEnd();
      json.attributeArray("histogram", [&] {
        for (int64_t bin : record.histogram)
          json.value(bin);
      });
    }
  });
}

std::string CalibrationTable::toJSON() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "{\n  \"format\": \"" << kFormatName
     << "\",\n  \"version\": " << kFormatVersion << ",\n  \"tensors\": [";
  for (auto [i, entry] : llvm::enumerate(tensors)) {
    os << (i == 0 ? "\n    " : ",\n    ");
    printRecord(os, entry.first, entry.second);
  }
  os << (tensors.empty() ? "]\n}\n" : "\n  ]\n}\n");
  return text;
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {
/// Reads the fields of one JSON object, prefixing errors with `where`.
class FieldReader {
public:
  FieldReader(const llvm::json::Object &object, std::string where)
      : object(object), where(std::move(where)) {}

  llvm::Error error(const llvm::Twine &message) const {
    return llvm::createStringError(where + ": " + message);
  }

  /// Fails on a key outside `known`.
  llvm::Error checkKnown(llvm::ArrayRef<llvm::StringRef> known) const {
    // Report unknown keys in sorted order so the message is deterministic.
    std::vector<std::string> unknown;
    for (const auto &entry : object)
      if (!llvm::is_contained(known, llvm::StringRef(entry.first)))
        unknown.push_back(entry.first.str());
    if (unknown.empty())
      return llvm::Error::success();
    llvm::sort(unknown);
    return error("unknown field '" + unknown.front() + "'");
  }

  bool has(llvm::StringRef key) const { return object.get(key) != nullptr; }

  llvm::Expected<const llvm::json::Value *> getRequired(llvm::StringRef key) {
    const llvm::json::Value *value = object.get(key);
    if (!value)
      return error("missing field '" + key + "'");
    return value;
  }

  llvm::Expected<int64_t> getInteger(llvm::StringRef key) {
    llvm::Expected<const llvm::json::Value *> value = getRequired(key);
    if (!value)
      return value.takeError();
    std::optional<int64_t> integer = (*value)->getAsInteger();
    if (!integer)
      return error("field '" + key + "' must be an integer");
    return *integer;
  }

  llvm::Expected<double> getNumber(llvm::StringRef key) {
    llvm::Expected<const llvm::json::Value *> value = getRequired(key);
    if (!value)
      return value.takeError();
    std::optional<double> number = (*value)->getAsNumber();
    if (!number)
      return error("field '" + key + "' must be a number");
    return *number + 0.0;
  }

  llvm::Expected<std::string> getString(llvm::StringRef key) {
    llvm::Expected<const llvm::json::Value *> value = getRequired(key);
    if (!value)
      return value.takeError();
    std::optional<llvm::StringRef> string = (*value)->getAsString();
    if (!string)
      return error("field '" + key + "' must be a string");
    return string->str();
  }

  llvm::Expected<const llvm::json::Array *> getArray(llvm::StringRef key) {
    llvm::Expected<const llvm::json::Value *> value = getRequired(key);
    if (!value)
      return value.takeError();
    const llvm::json::Array *array = (*value)->getAsArray();
    if (!array)
      return error("field '" + key + "' must be an array");
    return array;
  }

  llvm::Expected<std::vector<double>> getNumberArray(llvm::StringRef key) {
    llvm::Expected<const llvm::json::Array *> array = getArray(key);
    if (!array)
      return array.takeError();
    std::vector<double> result;
    result.reserve((*array)->size());
    for (auto [i, element] : llvm::enumerate(**array)) {
      std::optional<double> number = element.getAsNumber();
      if (!number)
        return error("field '" + key +
                     "' must be an array of numbers; "
                     "element " +
                     llvm::Twine(i) + " is not a number");
      result.push_back(*number + 0.0);
    }
    return result;
  }

  llvm::Expected<std::vector<int64_t>> getIntegerArray(llvm::StringRef key) {
    llvm::Expected<const llvm::json::Array *> array = getArray(key);
    if (!array)
      return array.takeError();
    std::vector<int64_t> result;
    result.reserve((*array)->size());
    for (auto [i, element] : llvm::enumerate(**array)) {
      std::optional<int64_t> integer = element.getAsInteger();
      if (!integer)
        return error("field '" + key +
                     "' must be an array of integers; "
                     "element " +
                     llvm::Twine(i) + " is not an integer");
      result.push_back(*integer);
    }
    return result;
  }

private:
  const llvm::json::Object &object;
  std::string where;
};
} // namespace

/// Assigns `value` to `target` or returns its error from the enclosing
/// function.
#define QCOMP_ASSIGN_OR_RETURN(target, expr)                                   \
  do {                                                                         \
    auto qcompValueOrError = (expr);                                           \
    if (!qcompValueOrError)                                                    \
      return qcompValueOrError.takeError();                                    \
    target = std::move(*qcompValueOrError);                                    \
  } while (false)

/// Parses one element of "tensors" into `id` and `record`.
static llvm::Error parseTensor(const llvm::json::Value &value, size_t index,
                               llvm::StringRef name, std::string &id,
                               TensorStatsRecord &record) {
  std::string where = (name + ": tensor #" + llvm::Twine(index)).str();
  const llvm::json::Object *object = value.getAsObject();
  if (!object)
    return llvm::createStringError(where + ": must be an object");
  FieldReader idReader(*object, where);
  QCOMP_ASSIGN_OR_RETURN(id, idReader.getString("id"));
  if (id.empty())
    return idReader.error("field 'id' must not be empty");

  FieldReader reader(*object, (name + ": tensor '" + id + "'").str());
  if (llvm::Error error = reader.checkKnown(
          {"id", "count", "min", "max", "non_finite", "channel_axis",
           "channel_absmax", "hist_min", "hist_max", "histogram"}))
    return error;
  QCOMP_ASSIGN_OR_RETURN(record.count, reader.getInteger("count"));
  QCOMP_ASSIGN_OR_RETURN(record.min, reader.getNumber("min"));
  QCOMP_ASSIGN_OR_RETURN(record.max, reader.getNumber("max"));
  QCOMP_ASSIGN_OR_RETURN(record.nonFinite, reader.getInteger("non_finite"));

  if (reader.has("channel_axis") != reader.has("channel_absmax"))
    return reader.error(
        "fields 'channel_axis' and 'channel_absmax' must appear together");
  if (reader.has("channel_axis")) {
    int64_t axis;
    QCOMP_ASSIGN_OR_RETURN(axis, reader.getInteger("channel_axis"));
    record.channelAxis = axis;
    QCOMP_ASSIGN_OR_RETURN(record.channelAbsMax,
                           reader.getNumberArray("channel_absmax"));
  }

  bool hasMin = reader.has("hist_min"), hasMax = reader.has("hist_max"),
       hasBins = reader.has("histogram");
  if (hasMin != hasMax || hasMin != hasBins)
    return reader.error("fields 'hist_min', 'hist_max' and 'histogram' must "
                        "appear together");
  if (hasBins) {
    QCOMP_ASSIGN_OR_RETURN(record.histMin, reader.getNumber("hist_min"));
    QCOMP_ASSIGN_OR_RETURN(record.histMax, reader.getNumber("hist_max"));
    QCOMP_ASSIGN_OR_RETURN(record.histogram,
                           reader.getIntegerArray("histogram"));
    if (record.histogram.empty())
      return reader.error("field 'histogram' must not be empty");
  }
  if (llvm::Error error = verifyTensorStatsRecord(record))
    return reader.error(llvm::toString(std::move(error)));
  return llvm::Error::success();
}

llvm::Expected<CalibrationTable>
CalibrationTable::parse(llvm::StringRef text, llvm::StringRef nameForErrors) {
  llvm::Expected<llvm::json::Value> root = llvm::json::parse(text);
  if (!root)
    return llvm::createStringError(
        nameForErrors + ": invalid JSON: " + llvm::toString(root.takeError()));
  const llvm::json::Object *object = root->getAsObject();
  if (!object)
    return llvm::createStringError(
        nameForErrors + ": a calibration table must be a JSON object");
  FieldReader reader(*object, nameForErrors.str());
  if (llvm::Error error = reader.checkKnown({"format", "version", "tensors"}))
    return std::move(error);

  std::string format;
  QCOMP_ASSIGN_OR_RETURN(format, reader.getString("format"));
  if (format != kFormatName)
    return reader.error("field 'format' must be \"" + kFormatName +
                        "\", got \"" + format + "\"");
  int64_t version;
  QCOMP_ASSIGN_OR_RETURN(version, reader.getInteger("version"));
  if (version != kFormatVersion)
    return reader.error("unsupported version " + llvm::Twine(version) +
                        " (this qcomp reads version " +
                        llvm::Twine(kFormatVersion) + ")");
  const llvm::json::Array *tensorArray;
  QCOMP_ASSIGN_OR_RETURN(tensorArray, reader.getArray("tensors"));

  CalibrationTable table;
  for (auto [index, value] : llvm::enumerate(*tensorArray)) {
    std::string id;
    TensorStatsRecord record;
    if (llvm::Error error =
            parseTensor(value, index, nameForErrors, id, record))
      return std::move(error);
    if (table.tensors.count(id))
      return reader.error("tensor '" + id + "' appears more than once");
    table.tensors.emplace(std::move(id), std::move(record));
  }
  return table;
}

#undef QCOMP_ASSIGN_OR_RETURN

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

llvm::Error CalibrationTable::write(llvm::StringRef path) const {
  std::string text = toJSON();
  llvm::Error error = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << text;
    return llvm::Error::success();
  });
  if (error)
    return llvm::createStringError("cannot write calibration table '" + path +
                                   "': " + llvm::toString(std::move(error)));
  return llvm::Error::success();
}

llvm::Expected<CalibrationTable> CalibrationTable::read(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError("cannot read calibration table '" + path +
                                   "': " + buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}
