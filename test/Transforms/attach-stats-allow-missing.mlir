// RUN: qcomp-opt %s --qc-attach-stats="table=%S/Inputs/calibration-table.json allow-missing=true" | FileCheck %s

// With allow-missing, an observer the table does not know is removed without
// statistics, and the known ones still get theirs.
// CHECK-LABEL: func.func @missing
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3xf32> {qc.name = "x", qc.stats = #qc.stats<min = -1.000000e+00, max = 1.500000e+00, count = 4>}
// CHECK-SAME:     %[[Z:[^:]+]]: tensor<2x3xf32>)
// CHECK-NOT:     qc.observe
// CHECK:         %[[S:.+]] = arith.addf %[[X]], %[[Z]]
// CHECK-NOT:     qc.stats
// CHECK:         return %[[S]]
func.func @missing(%x: tensor<2x3xf32> {qc.name = "x"}, %z: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %xo = qc.observe %x id "x" : tensor<2x3xf32>
  %zo = qc.observe %z id "unknown" : tensor<2x3xf32>
  %s = arith.addf %xo, %zo : tensor<2x3xf32>
  return %s : tensor<2x3xf32>
}
