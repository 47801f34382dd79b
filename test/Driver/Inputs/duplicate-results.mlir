// Functions whose results share a value, for run-duplicate-results.test. All
// of them are in one module: the JIT lowers every function of the module,
// so each must compile for any of them to run.

// One computed tensor (an allocation of its own) returned twice.
func.func @same(%x: tensor<2x2xf32> {qc.name = "x"})
    -> (tensor<2x2xf32> {qc.name = "a"}, tensor<2x2xf32> {qc.name = "b"}) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %x : tensor<2x2xf32>, tensor<2x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y, %y : tensor<2x2xf32>, tensor<2x2xf32>
}

// The argument, twice, around a computed value.
func.func @argument(%x: tensor<2x2xf32> {qc.name = "x"})
    -> (tensor<2x2xf32> {qc.name = "a"}, tensor<2x2xf32> {qc.name = "b"},
        tensor<2x2xf32> {qc.name = "c"}) {
  %y = arith.addf %x, %x : tensor<2x2xf32>
  return %x, %y, %x : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}

// A constant, twice.
func.func @constant(%x: tensor<2x2xf32> {qc.name = "x"})
    -> (tensor<2x2xf32> {qc.name = "a"}, tensor<2x2xf32> {qc.name = "b"},
        tensor<2x2xf32> {qc.name = "c"}) {
  %c = arith.constant dense<[[1.0, -1.0], [0.5, 2.0]]> : tensor<2x2xf32>
  %y = arith.mulf %x, %c : tensor<2x2xf32>
  return %c, %y, %c : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}

// Two different values here that qc-lower-to-linalg makes one (the storage
// cast of a quantized tensor is its storage tensor).
func.func @storage(%x: tensor<2x2xf32> {qc.name = "x"})
    -> (tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01>> {qc.name = "q"},
        tensor<2x2xi8> {qc.name = "s"}) {
  %q = qc.quantize %x : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01>>
  %s = quant.scast %q : tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01>> to tensor<2x2xi8>
  return %q, %s : tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01>>, tensor<2x2xi8>
}
