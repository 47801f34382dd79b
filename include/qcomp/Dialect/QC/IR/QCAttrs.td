//===- QCAttrs.td - qc dialect attributes ------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Attributes and enums of the qc dialect: calibration statistics of a value
// (#qc.stats) and how a tensor is to be quantized (#qc.scheme).
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_DIALECT_QC_IR_QCATTRS_TD
#define QCOMP_DIALECT_QC_IR_QCATTRS_TD

include "qcomp/Dialect/QC/IR/QCBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def QC_Granularity : I32EnumAttr<"Granularity",
    "which elements share one scale and zero point", [
      I32EnumAttrCase<"PerTensor", 0, "per_tensor">,
      I32EnumAttrCase<"PerChannel", 1, "per_channel">,
      I32EnumAttrCase<"PerRow", 2, "per_row">,
      I32EnumAttrCase<"PerGroup", 3, "per_group">
    ]> {
  let cppNamespace = "::mlir::qc";
}

def QC_ScaleMode : I32EnumAttr<"ScaleMode",
    "when the quantization parameters are chosen", [
      I32EnumAttrCase<"Static", 0, "static">,
      I32EnumAttrCase<"Dynamic", 1, "dynamic">
    ]> {
  let cppNamespace = "::mlir::qc";
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

// Doubles are held as APFloat (LLVM's hashing has no hash_value(double)).
def QC_DoubleParameter : APFloatParameter<"a double"> {
  let parser = "::mlir::qc::detail::parseAPFloat($_parser)";
  let printer = "$_printer.printFloat($_self)";
}

class QC_BoolParameter : AttrOrTypeParameter<"bool", "true or false"> {
  let parser = "::mlir::qc::detail::parseBool($_parser)";
  let printer = "$_printer << ($_self ? \"true\" : \"false\")";
}

def QC_DefaultTrueParameter : QC_BoolParameter {
  let defaultValue = "true";
}

def QC_OptionalDoubleParameter
    : OptionalParameter<"std::optional<::llvm::APFloat>", "an optional double"> {
  let parser = "::mlir::qc::detail::parseOptionalAPFloat($_parser)";
  let printer = "$_printer.printFloat(*$_self)";
  let comparator = "::mlir::qc::detail::bitwiseEqual($_lhs, $_rhs)";
}

def QC_OptionalDoubleArrayParameter
    : OptionalParameter<"::mlir::DenseF64ArrayAttr", "a list of doubles"> {
  let parser = "::mlir::qc::detail::parseDoubleArray($_parser)";
  let printer = "::mlir::qc::detail::printBracketedList($_printer, $_self.asArrayRef())";
}

class QC_OptionalBracketedArrayParameter<string elt>
    : OptionalArrayRefParameter<elt> {
  let parser = "::mlir::qc::detail::parseBracketedList<" # elt # ">($_parser)";
  let printer = "::mlir::qc::detail::printBracketedList($_printer, $_self)";
}

//===----------------------------------------------------------------------===//
// #qc.stats
//===----------------------------------------------------------------------===//

def QC_StatsAttr : QC_Attr<"Stats", "stats"> {
  let summary = "Calibration statistics of one tensor";
  let description = [{
    What calibration measured for one activation tensor over `count` samples:
    the global `min` and `max`; optionally the absolute maximum of each
    channel along `channel_axis` (the channel a consumer reduces over, used by
    SmoothQuant and outlier splitting); optionally a histogram of `histogram`
    bins spanning [`hist_min`, `hist_max`] uniformly; and the number of NaN or
    infinite elements seen (`non_finite`), which are excluded from the other
    statistics.

    ```mlir
    #qc.stats<min = -1.5, max = 4.0, count = 32>
    #qc.stats<min = -1.5, max = 4.0, count = 32, channel_axis = 1,
              channel_absmax = [1.5, 4.0, 0.25],
              hist_min = -1.5, hist_max = 4.0, histogram = [3, 0, 9, 20]>
    ```
  }];
  let parameters = (ins
    QC_DoubleParameter:$min,
    QC_DoubleParameter:$max,
    "int64_t":$count,
    OptionalParameter<"std::optional<int64_t>">:$channel_axis,
    QC_OptionalDoubleArrayParameter:$channel_absmax,
    QC_OptionalDoubleParameter:$hist_min,
    QC_OptionalDoubleParameter:$hist_max,
    QC_OptionalBracketedArrayParameter<"int64_t">:$histogram,
    DefaultValuedParameter<"int64_t", "0">:$non_finite
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// #qc.scheme
//===----------------------------------------------------------------------===//

def QC_SchemeAttr : QC_Attr<"Scheme", "scheme"> {
  let summary = "How one tensor is quantized";
  let description = [{
    A quantization scheme for one tensor: the storage width in `bits`
    (2 to 16), the `granularity` of its scales (`per_tensor`, `per_channel`
    along the output channel, `per_row` (one scale per token, dynamic only),
    or `per_group` of `group_size` consecutive elements along the reduction
    dimension), whether the range is `symmetric` (zero point 0), and whether
    the parameters are chosen at compile time from calibration (`static`) or
    computed at run time (`dynamic`).

    ```mlir
    #qc.scheme<bits = 8, granularity = per_channel>
    #qc.scheme<bits = 4, granularity = per_group, group_size = 128>
    #qc.scheme<bits = 8, granularity = per_row, symmetric = false, mode = dynamic>
    ```
  }];
  let parameters = (ins
    "unsigned":$bits,
    EnumParameter<QC_Granularity>:$granularity,
    DefaultValuedParameter<"int64_t", "0">:$group_size,
    QC_DefaultTrueParameter:$symmetric,
    DefaultValuedParameter<"::mlir::qc::ScaleMode",
                           "::mlir::qc::ScaleMode::Static">:$mode
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // QCOMP_DIALECT_QC_IR_QCATTRS_TD
