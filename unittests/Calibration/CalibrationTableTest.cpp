//===- CalibrationTableTest.cpp - Tests for the calibration table ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Checks the JSON form of the calibration table: the exact text of a small
// table (written out by hand), byte-identical parse/print round trips with
// doubles that need all 17 digits, the sorted tensor order, every
// validation error, files, and that range selection and further observation
// work on a loaded table.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Calibration/CalibrationTable.h"

#include "qcomp/Calibration/RangeSelection.h"
#include "qcomp/Calibration/TensorStatistics.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace mlir::qcomp;

namespace {

void expectSuccess(llvm::Error error) {
  if (error)
    ADD_FAILURE() << "unexpected error: " << llvm::toString(std::move(error));
}

CalibrationTable expectTable(llvm::Expected<CalibrationTable> table) {
  if (!table) {
    ADD_FAILURE() << "unexpected error: " << llvm::toString(table.takeError());
    return CalibrationTable();
  }
  return std::move(*table);
}

std::pair<double, double>
expectRange(llvm::Expected<std::pair<double, double>> range) {
  if (!range) {
    ADD_FAILURE() << "unexpected error: " << llvm::toString(range.takeError());
    return {0, 0};
  }
  return *range;
}

std::string parseError(llvm::StringRef text) {
  llvm::Expected<CalibrationTable> table =
      CalibrationTable::parse(text, "t.json");
  if (table) {
    ADD_FAILURE() << "expected an error parsing:\n" << text.str();
    return "";
  }
  return llvm::toString(table.takeError());
}

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// A table entry around one tensor, for error tests.
std::string tableWith(llvm::StringRef tensor) {
  return "{\"format\": \"qcomp-calibration\", \"version\": 1, \"tensors\": [" +
         tensor.str() + "]}";
}

TensorStatsRecord smallRecord() {
  TensorStatsRecord record;
  record.count = 32;
  record.min = -1.5;
  record.max = 4.0;
  record.nonFinite = 1;
  record.channelAxis = 1;
  record.channelAbsMax = {1.5, 4.0, 0.25};
  record.histMin = -2;
  record.histMax = 6;
  record.histogram = {3, 0, 9, 20};
  return record;
}

TEST(CalibrationTableTest, ExactText) {
  CalibrationTable table;
  expectSuccess(table.set("mlp.fc1.input", smallRecord()));
  TensorStatsRecord plain;
  plain.count = 2;
  plain.min = 0.1;
  plain.max = 0.1;
  plain.histMin = 0.09375;
  plain.histMax = 0.125;
  plain.histogram = {0, 2};
  expectSuccess(table.set("embed \"q\"", plain));
  TensorStatsRecord empty; // never observed
  expectSuccess(table.set("z", empty));
  EXPECT_EQ(
      table.toJSON(),
      "{\n"
      "  \"format\": \"qcomp-calibration\",\n"
      "  \"version\": 1,\n"
      "  \"tensors\": [\n"
      "    {\"id\":\"embed \\\"q\\\"\",\"count\":2,\"min\":0.1,\"max\":0.1,"
      "\"non_finite\":0,\"hist_min\":0.09375,\"hist_max\":0.125,"
      "\"histogram\":[0,2]},\n"
      "    {\"id\":\"mlp.fc1.input\",\"count\":32,\"min\":-1.5,\"max\":4,"
      "\"non_finite\":1,\"channel_axis\":1,\"channel_absmax\":[1.5,4,0.25],"
      "\"hist_min\":-2,\"hist_max\":6,\"histogram\":[3,0,9,20]},\n"
      "    {\"id\":\"z\",\"count\":0,\"min\":0,\"max\":0,\"non_finite\":0}\n"
      "  ]\n"
      "}\n");
  EXPECT_EQ(CalibrationTable().toJSON(),
            "{\n  \"format\": \"qcomp-calibration\",\n  \"version\": 1,\n"
            "  \"tensors\": []\n}\n");
}

TEST(CalibrationTableTest, TensorsAreSortedById) {
  CalibrationTable table;
  for (const char *id : {"b", "a.b", "B", "a", "b"})
    expectSuccess(table.set(id, TensorStatsRecord()));
  EXPECT_EQ(table.size(), 4u);
  std::string json = table.toJSON();
  size_t upperB = json.find("\"id\":\"B\""), a = json.find("\"id\":\"a\""),
         ab = json.find("\"id\":\"a.b\""), b = json.find("\"id\":\"b\"");
  ASSERT_NE(upperB, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_LT(upperB, a);
  EXPECT_LT(a, ab);
  EXPECT_LT(ab, b);
}

TEST(CalibrationTableTest, RoundTripIsExact) {
  CalibrationTable table;
  // Statistics as observed, with awkward f32 values, NaN and channels.
  TensorStatistics stats(/*channelAxis=*/0);
  std::vector<float> values = {0.1f,
                               -1.0f / 3,
                               1e-38f,
                               3.4e38f,
                               std::numeric_limits<float>::quiet_NaN(),
                               -2.7182817f,
                               1e-45f,
                               123456.79f};
  expectSuccess(stats.observe(values.data(), {2, 4}));
  expectSuccess(table.set("observed", stats));
  // Doubles that need all 17 significant digits, subnormals and extremes.
  TensorStatsRecord record;
  record.count = 7;
  record.min = -1.7976931348623157e308;
  record.max = 0.30000000000000004;
  record.nonFinite = 9007199254740993; // 2^53 + 1: not exact as a double
  record.channelAxis = 3;
  record.channelAbsMax = {1.0 / 3,
                          4.9406564584124654e-324,
                          2.2250738585072014e-308,
                          1e23,
                          0.1 + 0.2,
                          5e-324};
  record.histMin = -1e300;
  record.histMax = 2.5e-310;
  record.histogram = {std::numeric_limits<int64_t>::max(), 0, 1};
  expectSuccess(table.set("extreme", record));

  std::string first = table.toJSON();
  CalibrationTable parsed = expectTable(CalibrationTable::parse(first, "a"));
  EXPECT_EQ(parsed.toJSON(), first);
  ASSERT_EQ(parsed.size(), 2u);
  const TensorStatsRecord *loaded = parsed.lookup("extreme");
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(*loaded, record);
  EXPECT_TRUE(sameBits(loaded->max, 0.30000000000000004));
  for (size_t i = 0; i < record.channelAbsMax.size(); ++i)
    EXPECT_TRUE(sameBits(loaded->channelAbsMax[i], record.channelAbsMax[i]))
        << i;
  EXPECT_EQ(loaded->nonFinite, 9007199254740993);
  EXPECT_EQ(*parsed.lookup("observed"), stats.toRecord());
  EXPECT_EQ(parsed.lookup("missing"), nullptr);
  // Shortest round-trip digits, not %.17g noise.
  EXPECT_NE(first.find("\"max\":0.30000000000000004"), std::string::npos);
  EXPECT_NE(first.find("0.3333333333333333,"), std::string::npos);
}

TEST(CalibrationTableTest, NegativeZeroIsStoredAsZero) {
  TensorStatsRecord record;
  record.min = -0.0;
  record.max = 0.0;
  CalibrationTable table;
  expectSuccess(table.set("x", record));
  EXPECT_FALSE(std::signbit(table.lookup("x")->min));
  std::string json = table.toJSON();
  EXPECT_EQ(json.find("-0"), std::string::npos);
  EXPECT_EQ(expectTable(CalibrationTable::parse(json, "x")).toJSON(), json);
}

TEST(CalibrationTableTest, SetRejectsInvalidRecords) {
  CalibrationTable table;
  TensorStatsRecord bad;
  bad.min = 1;
  bad.max = 0;
  llvm::Error error = table.set("x", bad);
  ASSERT_TRUE(static_cast<bool>(error));
  EXPECT_EQ(llvm::toString(std::move(error)),
            "tensor 'x': min must not exceed max, got min 1 > max 0");
  error = table.set("", TensorStatsRecord());
  EXPECT_EQ(llvm::toString(std::move(error)), "tensor id must not be empty");
  EXPECT_TRUE(table.empty());
}

TEST(CalibrationTableTest, ParseErrors) {
  const std::string valid =
      "{\"id\": \"x\", \"count\": 1, \"min\": 0, \"max\": 1, "
      "\"non_finite\": 0";
  // Sanity: the base entry parses.
  expectTable(CalibrationTable::parse(tableWith(valid + "}"), "t.json"));

  EXPECT_EQ(parseError("{\"format\": "),
            "t.json: invalid JSON: [1:11, byte=11]: Unexpected EOF");
  EXPECT_EQ(parseError("[]"),
            "t.json: a calibration table must be a JSON object");
  EXPECT_EQ(parseError("{\"format\": \"onnx\", \"version\": 1, "
                       "\"tensors\": []}"),
            "t.json: field 'format' must be \"qcomp-calibration\", got "
            "\"onnx\"");
  EXPECT_EQ(parseError("{\"version\": 1, \"tensors\": []}"),
            "t.json: missing field 'format'");
  EXPECT_EQ(parseError("{\"format\": \"qcomp-calibration\", \"version\": 2, "
                       "\"tensors\": []}"),
            "t.json: unsupported version 2 (this qcomp reads version 1)");
  EXPECT_EQ(parseError("{\"format\": \"qcomp-calibration\", \"version\": "
                       "\"1\", \"tensors\": []}"),
            "t.json: field 'version' must be an integer");
  EXPECT_EQ(parseError("{\"format\": \"qcomp-calibration\", \"version\": 1}"),
            "t.json: missing field 'tensors'");
  EXPECT_EQ(parseError("{\"format\": \"qcomp-calibration\", \"version\": 1, "
                       "\"tensors\": {}}"),
            "t.json: field 'tensors' must be an array");
  EXPECT_EQ(parseError("{\"format\": \"qcomp-calibration\", \"version\": 1, "
                       "\"tensors\": [], \"extra\": 0}"),
            "t.json: unknown field 'extra'");

  EXPECT_EQ(parseError(tableWith("3")), "t.json: tensor #0: must be an object");
  EXPECT_EQ(parseError(tableWith("{\"count\": 1}")),
            "t.json: tensor #0: missing field 'id'");
  EXPECT_EQ(parseError(tableWith(valid + "}, {\"id\": 5}")),
            "t.json: tensor #1: field 'id' must be a string");
  EXPECT_EQ(parseError(tableWith(valid + "}, " + valid + "}")),
            "t.json: tensor 'x' appears more than once");
  EXPECT_EQ(
      parseError(tableWith(
          "{\"id\": \"x\", \"count\": 1, \"min\": 0, \"non_finite\": 0}")),
      "t.json: tensor 'x': missing field 'max'");
  EXPECT_EQ(parseError(tableWith(
                "{\"id\": \"x\", \"count\": 1.5, \"min\": 0, \"max\": 1, "
                "\"non_finite\": 0}")),
            "t.json: tensor 'x': field 'count' must be an integer");
  EXPECT_EQ(parseError(tableWith(
                "{\"id\": \"x\", \"count\": 1, \"min\": \"0\", \"max\": 1, "
                "\"non_finite\": 0}")),
            "t.json: tensor 'x': field 'min' must be a number");
  EXPECT_EQ(parseError(tableWith(valid + ", \"mean\": 0.5}")),
            "t.json: tensor 'x': unknown field 'mean'");
  EXPECT_EQ(parseError(tableWith(
                "{\"id\": \"x\", \"count\": 1, \"min\": 2, \"max\": 1, "
                "\"non_finite\": 0}")),
            "t.json: tensor 'x': min must not exceed max, got min 2 > max 1");

  EXPECT_EQ(parseError(tableWith(valid + ", \"channel_axis\": 1}")),
            "t.json: tensor 'x': fields 'channel_axis' and 'channel_absmax' "
            "must appear together");
  EXPECT_EQ(parseError(tableWith(valid + ", \"channel_axis\": 1, "
                                         "\"channel_absmax\": [1, \"2\"]}")),
            "t.json: tensor 'x': field 'channel_absmax' must be an array of "
            "numbers; element 1 is not a number");
  EXPECT_EQ(parseError(tableWith(valid + ", \"channel_axis\": -1, "
                                         "\"channel_absmax\": [1]}")),
            "t.json: tensor 'x': channel_axis must be non-negative, got -1");

  const std::string bounds = ", \"hist_min\": 0, \"hist_max\": 2";
  EXPECT_EQ(parseError(tableWith(valid + ", \"hist_min\": 0}")),
            "t.json: tensor 'x': fields 'hist_min', 'hist_max' and "
            "'histogram' must appear together");
  EXPECT_EQ(parseError(tableWith(valid + bounds + ", \"histogram\": 4}")),
            "t.json: tensor 'x': field 'histogram' must be an array");
  EXPECT_EQ(parseError(tableWith(valid + bounds + ", \"histogram\": []}")),
            "t.json: tensor 'x': field 'histogram' must not be empty");
  EXPECT_EQ(
      parseError(tableWith(valid + bounds + ", \"histogram\": [1, 1.5]}")),
      "t.json: tensor 'x': field 'histogram' must be an array of integers; "
      "element 1 is not an integer");
  EXPECT_EQ(parseError(tableWith(valid + bounds + ", \"histogram\": [1, -1]}")),
            "t.json: tensor 'x': histogram bin 1 must be non-negative, got -1");
  EXPECT_EQ(parseError(tableWith(valid + ", \"hist_min\": 2, \"hist_max\": 2, "
                                         "\"histogram\": [1]}")),
            "t.json: tensor 'x': hist_min and hist_max must be finite with "
            "hist_min < hist_max, got [2, 2]");
}

TEST(CalibrationTableTest, FilesAndLoadedStatistics) {
  // Statistics observed in two halves; the second half is observed after a
  // write/read cycle, which must give the same result as observing it all
  // before writing.
  std::vector<float> firstHalf, secondHalf;
  for (int i = 0; i < 600; ++i) {
    float value = static_cast<float>(std::cos(i * 0.11) * (1 + i % 13));
    (i < 300 ? firstHalf : secondHalf).push_back(value);
  }
  secondHalf[17] = 40.0f; // forces a re-binning after the reload
  TensorStatistics partial(/*channelAxis=*/1), whole(/*channelAxis=*/1);
  expectSuccess(partial.observe(firstHalf.data(), {30, 10}));
  expectSuccess(whole.observe(firstHalf.data(), {30, 10}));
  expectSuccess(whole.observe(secondHalf.data(), {30, 10}));

  CalibrationTable table;
  expectSuccess(table.set("act", partial));
  expectSuccess(table.set("whole", whole));

  llvm::SmallString<128> directory;
  ASSERT_FALSE(
      llvm::sys::fs::createUniqueDirectory("qcomp-calibration", directory));
  llvm::SmallString<128> path = directory;
  llvm::sys::path::append(path, "table.json");
  expectSuccess(table.write(path));
  CalibrationTable loaded = expectTable(CalibrationTable::read(path));
  EXPECT_EQ(loaded.toJSON(), table.toJSON());

  // Range selection on the loaded record equals that on the statistics.
  const TensorStatsRecord *record = loaded.lookup("whole");
  ASSERT_NE(record, nullptr);
  for (RangeMethod method : {RangeMethod::MinMax, RangeMethod::Percentile,
                             RangeMethod::Entropy, RangeMethod::MSE}) {
    RangeOptions options;
    options.method = method;
    EXPECT_EQ(expectRange(selectRange(*record, options)),
              expectRange(selectRange(whole, options)))
        << getRangeMethodName(method).str();
  }

  // Observation continues on the loaded statistics, bit for bit.
  llvm::Expected<TensorStatistics> resumed =
      TensorStatistics::fromRecord(*loaded.lookup("act"));
  ASSERT_TRUE(static_cast<bool>(resumed))
      << llvm::toString(resumed.takeError());
  expectSuccess(resumed->observe(secondHalf.data(), {30, 10}));
  EXPECT_EQ(resumed->toRecord(), whole.toRecord());

  llvm::SmallString<128> missing = directory;
  llvm::sys::path::append(missing, "missing.json");
  llvm::Expected<CalibrationTable> notThere = CalibrationTable::read(missing);
  ASSERT_FALSE(static_cast<bool>(notThere));
  std::string message = llvm::toString(notThere.takeError());
  EXPECT_EQ(message.rfind("cannot read calibration table '" +
                              std::string(missing.str()) + "': ",
                          0),
            0u)
      << message;

  // Errors name the file.
  llvm::SmallString<128> broken = directory;
  llvm::sys::path::append(broken, "broken.json");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(broken, ec);
    ASSERT_FALSE(ec);
    os << "{\"format\": \"qcomp-calibration\", \"version\": 7, "
          "\"tensors\": []}";
  }
  llvm::Expected<CalibrationTable> wrongVersion =
      CalibrationTable::read(broken);
  ASSERT_FALSE(static_cast<bool>(wrongVersion));
  EXPECT_EQ(llvm::toString(wrongVersion.takeError()),
            std::string(broken.str()) +
                ": unsupported version 7 (this qcomp reads version 1)");

  llvm::sys::fs::remove_directories(directory);
}

} // namespace
