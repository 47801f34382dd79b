//===- QCBase.td - qc dialect definition -------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The qc dialect and the type constraints its ops share. Quantized tensors are
// ordinary ranked tensors of upstream `!quant.uniform` element types; qc only
// adds what the upstream quant dialect lacks.
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_DIALECT_QC_IR_QCBASE_TD
#define QCOMP_DIALECT_QC_IR_QCBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def QC_Dialect : Dialect {
  let name = "qc";
  let cppNamespace = "::mlir::qc";
  let summary = "Quantization ops and attributes for the qcomp compiler";
  let description = [{
    The `qc` dialect carries a float model through quantization: it marks the
    activations to observe during calibration (`qc.observe`), holds the
    statistics and the chosen scheme as attributes (`#qc.stats`,
    `#qc.scheme`), and expresses quantized computation on tensors whose
    element type is upstream MLIR's `!quant.uniform` (`qc.quantize`,
    `qc.dequantize`, `qc.requantize`, `qc.dynamic_quantize`, `qc.unpack`,
    `qc.matmul`, `qc.batch_matmul`, `qc.conv2d`).

    Every op has exact semantics, stated in its description: rounding is
    round-half-to-even and results saturate to the storage range, as ONNX
    `QuantizeLinear` specifies. `qc-lower-to-linalg` implements those
    semantics literally and is the correctness oracle for the fast kernels.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Registers the attributes (defined next to their storage classes).
    void registerAttributes();
  }];
}

class QC_Op<string mnemonic, list<Trait> traits = []>
    : Op<QC_Dialect, mnemonic, traits>;

class QC_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<QC_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def QC_QuantizedElementType : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType, "
          "::mlir::quant::UniformQuantizedPerAxisType, "
          "::mlir::quant::UniformQuantizedSubChannelType>($_self)">,
    "uniform quantized type">;

def QC_QuantizedTensor : RankedTensorOf<[QC_QuantizedElementType]> {
  let summary = "ranked tensor of uniform quantized values";
}

def QC_FloatTensor : RankedTensorOf<[AnyFloat]> {
  let summary = "ranked tensor of floating-point values";
}

def QC_IntegerTensor : RankedTensorOf<[AnyInteger]> {
  let summary = "ranked tensor of integers";
}

def QC_QuantizedOrIntegerTensor
    : RankedTensorOf<[QC_QuantizedElementType, AnyInteger]> {
  let summary = "ranked tensor of uniform quantized values or integers";
}

def QC_QuantizedOrFloatTensor
    : RankedTensorOf<[QC_QuantizedElementType, AnyFloat]>;

def QC_MatmulResultTensor
    : RankedTensorOf<[QC_QuantizedElementType, AnyFloat, AnySignlessInteger]> {
  let summary = "quantized, float or accumulator-typed tensor";
}

#endif // QCOMP_DIALECT_QC_IR_QCBASE_TD
