// y = x @ I with x quantized to i8 at scale 0.5 (zero point 0) and I at
// scale 1: y = roundeven(x / 0.5) * 0.5. compare.test computes its error
// against compare-float.mlir by hand.
func.func @main(%x: tensor<1x2xf32> {qc.name = "x"}) -> (tensor<1x2xf32> {qc.name = "y"}) {
  %xq = qc.quantize %x : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 0.5>> loc("mm")
  %wc = arith.constant dense<[[1, 0], [0, 1]]> : tensor<2x2xi8>
  %wq = quant.scast %wc : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8:f32, 1.0>>
  %y = qc.matmul %xq, %wq acc(i32) : tensor<1x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x!quant.uniform<i8:f32, 1.0>> -> tensor<1x2xf32> loc("mm")
  return %y : tensor<1x2xf32>
}
