// y = x @ I in f32: the reference of compare.test's hand-computed case.
func.func @main(%x: tensor<1x2xf32> {qc.name = "x"}) -> (tensor<1x2xf32> {qc.name = "y"}) {
  %w = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%init : tensor<1x2xf32>) -> tensor<1x2xf32> loc("mm")
  return %y : tensor<1x2xf32>
}
