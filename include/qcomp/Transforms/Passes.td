//===- Passes.td - qcomp quantization passes ---------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QCOMP_TRANSFORMS_PASSES_TD
#define QCOMP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCInsertObserversPass : Pass<"qc-insert-observers", "func::FuncOp"> {
  let summary = "Wrap the activations of quantizable ops in qc.observe";
  let description = [{
    Marks each activation tensor that a quantizable op reads or produces with
    a `qc.observe`, so that a calibration run records its statistics.
    Quantizable ops are the linalg contractions and convolutions
    (`linalg.matmul`, `linalg.batch_matmul`, `linalg.conv_*`, ...); operands
    that are constants (weights) are not activations and are skipped. Every
    use of an observed value is rewired to the observer's result, and a value
    read by several ops is observed once.

    Ids are stable across runs and readable: a function argument is named by
    its `qc.name` (`x`), an op result by the op's name location, i.e. the
    ONNX node name (`fc1`), else by the op name and its position
    (`linalg.matmul_0`), with `#<n>` appended for results other than the
    first and `.<k>` to make repeated names unique. `channel_axis` is the
    dimension the consumer reduces over (K of a matmul lhs, C of a
    convolution input) or the output channel of a result (N, F).

    Before:
    ```mlir
    %y = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%z : tensor<4x16xf32>) -> tensor<4x16xf32>
    ```
    After:
    ```mlir
    %xo = qc.observe %x id "x" channel_axis 1 : tensor<4x8xf32>
    %y = linalg.matmul ins(%xo, %w : ...) outs(%z : ...) -> tensor<4x16xf32>
    %yo = qc.observe %y id "fc1" channel_axis 1 : tensor<4x16xf32>
    ```
  }];
  let options = [
    Option<"observeInputs", "inputs", "bool", /*default=*/"true",
           "Observe the activation operands of quantizable ops">,
    Option<"observeOutputs", "outputs", "bool", /*default=*/"true",
           "Observe the results of quantizable ops">,
    ListOption<"opKinds", "ops", "std::string",
               "Kinds of ops whose activations are observed: matmul "
               "(matmul, batch_matmul and their transposed forms), conv "
               "(linalg.conv_*, linalg.depthwise_conv_*), all (every op "
               "with a float tensor result). Default: matmul,conv">
  ];
  let dependentDialects = ["::mlir::qc::QCDialect"];
}

def QCAttachStatsPass : Pass<"qc-attach-stats", "ModuleOp"> {
  let summary = "Attach calibration statistics to observed values";
  let description = [{
    Reads a calibration table (the versioned JSON written by
    `qcomp calibrate`), and for each `qc.observe` attaches the statistics
    recorded under its id as a `#qc.stats` to the observed value, then
    removes the observer. The statistics of a value live on its definition:
    the `qc.stats` argument attribute of a function argument, or the
    `qc.stats` attribute of the defining op (an array with one entry per
    result, `unit` for results without statistics).

    An observer whose id the table lacks is an error, unless
    `allow-missing` is set (then it is removed without statistics).

    Before:
    ```mlir
    %xo = qc.observe %x id "x" : tensor<4x8xf32>
    ```
    After:
    ```mlir
    func.func @f(%x: tensor<4x8xf32> {qc.stats = #qc.stats<min = -1.0, max = 2.5, count = 16>}) ...
    ```
  }];
  let options = [
    Option<"tablePath", "table", "std::string", /*default=*/"",
           "Path of the calibration table (JSON)">,
    Option<"allowMissing", "allow-missing", "bool", /*default=*/"false",
           "Remove observers that the table has no statistics for instead "
           "of failing">
  ];
  let dependentDialects = ["::mlir::qc::QCDialect"];
}

#endif // QCOMP_TRANSFORMS_PASSES_TD
