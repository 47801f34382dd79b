//===- QuantizeScheme.cpp - What qc-quantize does to one op ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "QuantizeScheme.h"
#include "qcomp/Transforms/QuantizeSchemes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::qcomp;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string OpScheme::describe() const {
  std::string text = "w" + std::to_string(weights.bits);
  text += activations.mode == ActivationMode::None ? "a16" : "a8";
  switch (weights.granularity) {
  case WeightGranularity::PerTensor:
    text += " (weights per tensor";
    break;
  case WeightGranularity::PerChannel:
    text += " (weights per channel";
    break;
  case WeightGranularity::PerGroup:
    text += " (weights per group of " + std::to_string(weights.groupSize);
    break;
  }
  text += weights.symmetric ? ", symmetric" : ", asymmetric";
  if (activations.mode == ActivationMode::Static)
    text += activations.symmetric ? "; activations static symmetric"
                                  : "; activations static asymmetric";
  else if (activations.mode == ActivationMode::Dynamic)
    text += activations.perRow ? "; activations dynamic per row"
                               : "; activations dynamic per tensor";
  return text + ")";
}

llvm::ArrayRef<llvm::StringRef> qcomp::getQuantizeSchemeNames() {
  // getNamedScheme accepts these and defines each of them.
  static const llvm::StringRef names[] = {"w8a8",  "w8a8-dynamic", "w4a8",
                                          "w8a16", "w4a16",        "w2a16"};
  return names;
}

llvm::Expected<OpScheme> qcomp::getNamedScheme(llvm::StringRef name) {
  // Only the listed names are accepted, so that the list cannot miss one.
  llvm::ArrayRef<llvm::StringRef> names = getQuantizeSchemeNames();
  if (!llvm::is_contained(names, name))
    return makeError("unknown scheme '" + name + "' (expected " +
                     llvm::join(names.drop_back(), ", ") + " or " +
                     names.back() + ")");
  OpScheme scheme;
  WeightScheme &w = scheme.weights;
  ActivationScheme &a = scheme.activations;
  if (name == "w8a8") {
  } else if (name == "w8a8-dynamic") {
    a.mode = ActivationMode::Dynamic;
    a.perRow = true;
    a.symmetric = true;
  } else if (name == "w4a8") {
    w.bits = 4;
  } else if (name == "w8a16") {
    a.mode = ActivationMode::None;
  } else if (name == "w4a16") {
    w.bits = 4;
    w.granularity = WeightGranularity::PerGroup;
    w.groupSize = 128;
    a.mode = ActivationMode::None;
  } else if (name == "w2a16") {
    w.bits = 2;
    w.granularity = WeightGranularity::PerGroup;
    w.groupSize = 64;
    w.symmetric = false;
    a.mode = ActivationMode::None;
  } else {
    llvm_unreachable("a name of getQuantizeSchemeNames without a scheme");
  }
  return scheme;
}

static llvm::Expected<bool> parseBool(llvm::StringRef option,
                                      llvm::StringRef value) {
  if (value == "true" || value == "1")
    return true;
  if (value == "false" || value == "0")
    return false;
  return makeError(option + " must be true or false, not '" + value + "'");
}

static llvm::Error setWeightBits(WeightScheme &w, unsigned bits) {
  if (bits != 8 && bits != 4 && bits != 2)
    return makeError("weight bits must be 8, 4 or 2, not " + llvm::Twine(bits));
  w.bits = bits;
  return llvm::Error::success();
}

llvm::Error qcomp::applyOverrides(OpScheme &scheme,
                                  const SchemeOverrides &overrides) {
  WeightScheme &w = scheme.weights;
  ActivationScheme &a = scheme.activations;
  if (overrides.weightBits)
    if (llvm::Error error = setWeightBits(w, overrides.weightBits))
      return error;
  if (!overrides.weightGranularity.empty()) {
    std::optional<WeightGranularity> granularity =
        llvm::StringSwitch<std::optional<WeightGranularity>>(
            overrides.weightGranularity)
            .Case("per-tensor", WeightGranularity::PerTensor)
            .Case("per-channel", WeightGranularity::PerChannel)
            .Case("per-group", WeightGranularity::PerGroup)
            .Default(std::nullopt);
    if (!granularity)
      return makeError("weight-granularity must be per-tensor, per-channel "
                       "or per-group, not '" +
                       overrides.weightGranularity + "'");
    w.granularity = *granularity;
    if (w.granularity == WeightGranularity::PerGroup && w.groupSize == 0)
      w.groupSize = 128;
  }
  if (overrides.groupSize < 0)
    return makeError("group-size must be positive");
  if (overrides.groupSize > 0)
    w.groupSize = overrides.groupSize;
  if (!overrides.weightSymmetric.empty()) {
    llvm::Expected<bool> value =
        parseBool("weight-symmetric", overrides.weightSymmetric);
    if (!value)
      return value.takeError();
    w.symmetric = *value;
  }
  if (!overrides.weightRange.empty()) {
    std::optional<WeightRange> range =
        llvm::StringSwitch<std::optional<WeightRange>>(overrides.weightRange)
            .Case("auto", WeightRange::Auto)
            .Case("absmax", WeightRange::AbsMax)
            .Case("mse", WeightRange::MSE)
            .Default(std::nullopt);
    if (!range)
      return makeError("weight-range must be auto, absmax or mse, not '" +
                       overrides.weightRange + "'");
    w.range = *range;
  }
  if (!overrides.activations.empty()) {
    std::optional<ActivationMode> mode =
        llvm::StringSwitch<std::optional<ActivationMode>>(overrides.activations)
            .Case("static", ActivationMode::Static)
            .Case("dynamic", ActivationMode::Dynamic)
            .Case("none", ActivationMode::None)
            .Default(std::nullopt);
    if (!mode)
      return makeError("activations must be static, dynamic or none, not '" +
                       overrides.activations + "'");
    if (*mode == ActivationMode::Dynamic && a.mode != ActivationMode::Dynamic) {
      a.symmetric = true;
      a.perRow = true;
    }
    if (*mode == ActivationMode::Static)
      a.perRow = false;
    a.mode = *mode;
  }
  if (!overrides.activationGranularity.empty()) {
    if (overrides.activationGranularity == "per-row")
      a.perRow = true;
    else if (overrides.activationGranularity == "per-tensor")
      a.perRow = false;
    else
      return makeError("activation-granularity must be per-tensor or "
                       "per-row, not '" +
                       overrides.activationGranularity + "'");
  }
  if (!overrides.activationSymmetric.empty()) {
    llvm::Expected<bool> value =
        parseBool("activation-symmetric", overrides.activationSymmetric);
    if (!value)
      return value.takeError();
    a.symmetric = *value;
  }
  if (a.perRow && a.mode == ActivationMode::Static)
    return makeError("per-row activations need activations=dynamic (static "
                     "activation scales are per tensor)");
  if (a.mode == ActivationMode::Dynamic && !a.symmetric)
    return makeError("dynamic activations are symmetric (their zero point "
                     "would be a run-time value); drop "
                     "activation-symmetric=false");
  if (w.granularity == WeightGranularity::PerGroup && w.groupSize <= 0)
    return makeError("per-group weights need group-size > 0");
  return llvm::Error::success();
}

llvm::Error qcomp::applyWeightSchemeAttr(OpScheme &scheme,
                                         qc::SchemeAttr attr) {
  WeightScheme &w = scheme.weights;
  if (attr.getMode() != qc::ScaleMode::Static)
    return makeError("weights are quantized at compile time: "
                     "qc.weight_scheme must be static");
  if (llvm::Error error = setWeightBits(w, attr.getBits()))
    return error;
  switch (attr.getGranularity()) {
  case qc::Granularity::PerTensor:
    w.granularity = WeightGranularity::PerTensor;
    break;
  case qc::Granularity::PerChannel:
    w.granularity = WeightGranularity::PerChannel;
    break;
  case qc::Granularity::PerGroup:
    w.granularity = WeightGranularity::PerGroup;
    w.groupSize = attr.getGroupSize();
    break;
  case qc::Granularity::PerRow:
    return makeError("qc.weight_scheme cannot be per_row (weights are per "
                     "tensor, per channel or per group)");
  }
  w.symmetric = attr.getSymmetric();
  return llvm::Error::success();
}

llvm::Error qcomp::applyActivationSchemeAttr(OpScheme &scheme,
                                             qc::SchemeAttr attr) {
  ActivationScheme &a = scheme.activations;
  if (attr.getBits() != 8)
    return makeError("activations are quantized to 8 bits, not " +
                     llvm::Twine(attr.getBits()));
  a.symmetric = attr.getSymmetric();
  switch (attr.getGranularity()) {
  case qc::Granularity::PerTensor:
    a.perRow = false;
    break;
  case qc::Granularity::PerRow:
    a.perRow = true;
    break;
  default:
    return makeError("qc.activation_scheme must be per_tensor or per_row");
  }
  a.mode = attr.getMode() == qc::ScaleMode::Dynamic ? ActivationMode::Dynamic
                                                    : ActivationMode::Static;
  if (a.perRow && a.mode == ActivationMode::Static)
    return makeError("per_row activations must be dynamic");
  if (a.mode == ActivationMode::Dynamic && !a.symmetric)
    return makeError("dynamic activations must be symmetric");
  return llvm::Error::success();
}
