//===- CalibrationTable.h - Calibration statistics on disk ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The calibration table maps the id of each observed tensor (the `id` of its
// qc.observe) to its statistics (TensorStatsRecord) and reads and writes them
// as versioned JSON:
//
//   {
//     "format": "qcomp-calibration",
//     "version": 1,
//     "tensors": [
//       {"id": "mlp.fc1.input", "count": 32, "min": -1.5, "max": 4,
//        "non_finite": 0, "channel_axis": 1, "channel_absmax": [1.5, 4],
//        "hist_min": -2, "hist_max": 6, "histogram": [3, 0, 9, 20]},
//       ...
//     ]
//   }
//
// Tensors appear sorted by id (byte-wise), one per line, with their fields in
// the order above. "id", "count", "min", "max" and "non_finite" are
// required; "channel_axis" and "channel_absmax" appear together (the latter
// possibly empty when nothing was observed), as do "hist_min", "hist_max"
// and a non-empty "histogram", which are absent when no finite value was
// seen. Doubles are printed with the fewest digits that read back as the same
// double, so parsing and printing a table reproduces it byte for byte.
//
// Records are plain data: run selectRange on them directly, or rebuild a
// TensorStatistics with TensorStatistics::fromRecord to keep observing.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_CALIBRATION_CALIBRATIONTABLE_H
#define QCOMP_CALIBRATION_CALIBRATIONTABLE_H

#include "qcomp/Calibration/TensorStatistics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>

namespace mlir::qcomp {

class CalibrationTable {
public:
  /// The value of the "format" field.
  static constexpr llvm::StringLiteral kFormatName = "qcomp-calibration";
  /// The "version" this code reads and writes.
  static constexpr int64_t kFormatVersion = 1;

  using TensorMap = std::map<std::string, TensorStatsRecord>;

  /// Adds or replaces the statistics of tensor `id`. Fails (leaving the
  /// table unchanged) on an empty id or a record verifyTensorStatsRecord
  /// rejects.
  llvm::Error set(llvm::StringRef id, TensorStatsRecord record);
  /// Same for TensorStatistics (exported with toRecord).
  llvm::Error set(llvm::StringRef id, const TensorStatistics &stats);

  /// The statistics of `id`, or null.
  const TensorStatsRecord *lookup(llvm::StringRef id) const;

  /// All tensors, sorted by id.
  const TensorMap &getTensors() const { return tensors; }
  size_t size() const { return tensors.size(); }
  bool empty() const { return tensors.empty(); }

  /// The JSON text described above, ending with a newline.
  std::string toJSON() const;

  /// Parses and validates a table; errors start with `nameForErrors` and name
  /// the tensor (by id, or by index when it has no usable id) and the field.
  static llvm::Expected<CalibrationTable> parse(llvm::StringRef text,
                                                llvm::StringRef nameForErrors);

  /// Writes toJSON() to `path` (through a temporary file renamed into
  /// place; "-" is stdout).
  llvm::Error write(llvm::StringRef path) const;
  /// Reads and parses the table in `path`.
  static llvm::Expected<CalibrationTable> read(llvm::StringRef path);

private:
  TensorMap tensors;
};

} // namespace mlir::qcomp

#endif // QCOMP_CALIBRATION_CALIBRATIONTABLE_H
