//===- QCAttrs.cpp - qc dialect attributes ----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Parameter parsing/printing and verifiers of #qc.stats and #qc.scheme.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Dialect/QC/IR/QCAttrs.h"
#include "qcomp/Dialect/QC/IR/QCDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qc;

#include "qcomp/Dialect/QC/IR/QCEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qcomp/Dialect/QC/IR/QCAttrs.cpp.inc"

void QCDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qcomp/Dialect/QC/IR/QCAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Parameter parsers and printers
//===----------------------------------------------------------------------===//

FailureOr<double> qc::detail::parseDouble(AsmParser &parser) {
  double value;
  if (parser.parseFloat(value))
    return failure();
  return value;
}

FailureOr<APFloat> qc::detail::parseAPFloat(AsmParser &parser) {
  FailureOr<double> value = parseDouble(parser);
  if (failed(value))
    return failure();
  return APFloat(*value);
}

FailureOr<std::optional<APFloat>>
qc::detail::parseOptionalAPFloat(AsmParser &parser) {
  FailureOr<APFloat> value = parseAPFloat(parser);
  if (failed(value))
    return failure();
  return std::optional<APFloat>(*value);
}

bool qc::detail::bitwiseEqual(const std::optional<APFloat> &lhs,
                              const std::optional<APFloat> &rhs) {
  if (lhs.has_value() != rhs.has_value())
    return false;
  return !lhs || lhs->bitwiseIsEqual(*rhs);
}

FailureOr<DenseF64ArrayAttr> qc::detail::parseDoubleArray(AsmParser &parser) {
  FailureOr<SmallVector<double>> values = parseBracketedList<double>(parser);
  if (failed(values))
    return failure();
  return DenseF64ArrayAttr::get(parser.getContext(), *values);
}

void qc::detail::printDouble(AsmPrinter &printer, double value) {
  // APFloat prints the shortest form that reads back to the same bits.
  printer.printFloat(llvm::APFloat(value));
}

FailureOr<bool> qc::detail::parseBool(AsmParser &parser) {
  if (succeeded(parser.parseOptionalKeyword("true")))
    return true;
  if (succeeded(parser.parseOptionalKeyword("false")))
    return false;
  return parser.emitError(parser.getCurrentLocation(),
                          "expected 'true' or 'false'");
}

template <typename T>
FailureOr<SmallVector<T>> qc::detail::parseBracketedList(AsmParser &parser) {
  SmallVector<T> values;
  auto parseElement = [&]() -> ParseResult {
    if constexpr (std::is_same_v<T, double>) {
      FailureOr<double> value = parseDouble(parser);
      if (failed(value))
        return failure();
      values.push_back(*value);
    } else {
      T value;
      if (parser.parseInteger(value))
        return failure();
      values.push_back(value);
    }
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                     parseElement))
    return failure();
  return values;
}

template FailureOr<SmallVector<double>>
qc::detail::parseBracketedList<double>(AsmParser &);
template FailureOr<SmallVector<int64_t>>
qc::detail::parseBracketedList<int64_t>(AsmParser &);

void qc::detail::printBracketedList(AsmPrinter &printer,
                                    ArrayRef<double> values) {
  printer << '[';
  llvm::interleaveComma(values, printer,
                        [&](double value) { printDouble(printer, value); });
  printer << ']';
}

void qc::detail::printBracketedList(AsmPrinter &printer,
                                    ArrayRef<int64_t> values) {
  printer << '[';
  llvm::interleaveComma(values, printer);
  printer << ']';
}

//===----------------------------------------------------------------------===//
// StatsAttr
//===----------------------------------------------------------------------===//

LogicalResult StatsAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                APFloat minAttr, APFloat maxAttr, int64_t count,
                                std::optional<int64_t> channelAxis,
                                DenseF64ArrayAttr channelAbsmaxAttr,
                                std::optional<APFloat> histMinAttr,
                                std::optional<APFloat> histMaxAttr,
                                ArrayRef<int64_t> histogram,
                                int64_t nonFinite) {
  double min = minAttr.convertToDouble(), max = maxAttr.convertToDouble();
  ArrayRef<double> channelAbsmax;
  if (channelAbsmaxAttr)
    channelAbsmax = channelAbsmaxAttr.asArrayRef();
  std::optional<double> histMin, histMax;
  if (histMinAttr)
    histMin = histMinAttr->convertToDouble();
  if (histMaxAttr)
    histMax = histMaxAttr->convertToDouble();
  if (!std::isfinite(min) || !std::isfinite(max))
    return emitError() << "min and max must be finite, got [" << min << ", "
                       << max << "]";
  if (min > max)
    return emitError() << "min must not exceed max, got min " << min
                       << " > max " << max;
  if (count < 0)
    return emitError() << "count must be non-negative, got " << count;
  if (nonFinite < 0)
    return emitError() << "non_finite must be non-negative, got " << nonFinite;
  if (channelAxis.has_value() != !channelAbsmax.empty())
    return emitError()
           << "channel_axis and channel_absmax must be given together";
  if (channelAxis && *channelAxis < 0)
    return emitError() << "channel_axis must be non-negative, got "
                       << *channelAxis;
  for (auto [i, value] : llvm::enumerate(channelAbsmax))
    if (!std::isfinite(value) || value < 0)
      return emitError() << "channel_absmax of channel " << i
                         << " must be finite and non-negative, got " << value;
  bool hasBounds = histMin.has_value() && histMax.has_value();
  if ((histMin.has_value() || histMax.has_value() || !histogram.empty()) &&
      (!hasBounds || histogram.empty()))
    return emitError()
           << "histogram, hist_min and hist_max must be given together";
  if (hasBounds && !(*histMin < *histMax))
    return emitError() << "hist_min must be less than hist_max, got ["
                       << *histMin << ", " << *histMax << "]";
  for (auto [i, bin] : llvm::enumerate(histogram))
    if (bin < 0)
      return emitError() << "histogram bin " << i
                         << " must be non-negative, got " << bin;
  return success();
}

//===----------------------------------------------------------------------===//
// SchemeAttr
//===----------------------------------------------------------------------===//

LogicalResult SchemeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 unsigned bits, Granularity granularity,
                                 int64_t groupSize, bool symmetric,
                                 ScaleMode mode) {
  if (bits < 2 || bits > 16)
    return emitError() << "bits must be between 2 and 16, got " << bits;
  if (granularity == Granularity::PerGroup && groupSize <= 0)
    return emitError() << "per_group granularity needs a positive group_size, "
                          "got "
                       << groupSize;
  if (granularity != Granularity::PerGroup && groupSize != 0)
    return emitError() << "group_size is only meaningful with per_group "
                          "granularity, got "
                       << stringifyGranularity(granularity);
  if (mode == ScaleMode::Dynamic && granularity != Granularity::PerTensor &&
      granularity != Granularity::PerRow)
    return emitError() << "dynamic scales are per_tensor or per_row, got "
                       << stringifyGranularity(granularity);
  if (mode == ScaleMode::Static && granularity == Granularity::PerRow)
    return emitError() << "per_row scales are computed at run time; use "
                          "mode = dynamic";
  return success();
}
