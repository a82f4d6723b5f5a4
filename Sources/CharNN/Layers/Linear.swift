/// A fully connected layer in PyTorch's layout: y = x·Wᵀ + b, W [out, in], b [out],
/// initialised like `torch.nn.Linear` (weights and bias uniform in ±1/√in).
struct Linear {
    let weight: Parameter
    let bias: Parameter

    init(name: String, inputs: Int, outputs: Int, using rng: inout Xoshiro256) {
        let bound = 1 / Float(inputs).squareRoot()
        let shapes = Self.parameterShapes(name: name, inputs: inputs, outputs: outputs)
        weight = Parameter(name: shapes[0].name, .uniform(shapes[0].shape, bound: bound, using: &rng))
        bias = Parameter(name: shapes[1].name, .uniform(shapes[1].shape, bound: bound, using: &rng))
    }

    /// The PyTorch names and shapes of `parameters`, without making them: `<name>.weight`
    /// [out, in], `<name>.bias` [out]. What the layer makes, and what a checkpoint must hold.
    static func parameterShapes(name: String, inputs: Int, outputs: Int) -> [(name: String, shape: Shape)] {
        [(name + ".weight", Shape(outputs, inputs)), (name + ".bias", Shape(outputs))]
    }

    var inputs: Int { weight.shape[1] }
    var outputs: Int { weight.shape[0] }
    var parameters: [Parameter] { [weight, bias] }

    /// The op-by-op form, on an autodiff graph.
    func callAsFunction(_ x: Variable) throws(CharNNError) -> Variable {
        try x.linear(x.graph.parameter(weight), bias: x.graph.parameter(bias))
    }

    /// y[:, outputs] = x[rows×in]·W[outputs]ᵀ + b[outputs]: the fused layers' forward, for the
    /// output rows a team member owns.
    func forward(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, outputs: Range<Int>) {
        let (n, k) = (self.outputs, inputs)
        guard !outputs.isEmpty else { return }
        for r in 0..<rows {
            (y + r * n + outputs.lowerBound).update(from: bias.values + outputs.lowerBound, count: outputs.count)
        }
        Kernels.gemmNT(
            m: rows, n: outputs.count, k: k, a: x, lda: k, b: weight.values + outputs.lowerBound * k, ldb: k,
            c: y + outputs.lowerBound, ldc: n, accumulate: true)
    }

    /// Given dy [rows×out]: dW[outputs] += dy[:, outputs]ᵀ·x, db[outputs] += Σ dy, and this
    /// member's share of dx = dy·W into `partialDx` ([rows×in], zeros when it owns no output).
    func backward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, rows: Int, outputs: Range<Int>,
        partialDx: UnsafeMutablePointer<Float>
    ) {
        let (n, k) = (self.outputs, inputs)
        guard !outputs.isEmpty else { return partialDx.update(repeating: 0, count: rows * k) }
        Kernels.gemmTN(
            m: outputs.count, n: k, k: rows, a: dy + outputs.lowerBound, lda: n, b: x, ldb: k,
            c: weight.grads + outputs.lowerBound * k, ldc: k, accumulate: true)
        for r in 0..<rows {
            Kernels.axpy(1, dy + r * n + outputs.lowerBound, bias.grads + outputs.lowerBound, outputs.count)
        }
        Kernels.gemmNN(
            m: rows, n: k, k: outputs.count, a: dy + outputs.lowerBound, lda: n,
            b: weight.values + outputs.lowerBound * k, ldb: k, c: partialDx, ldc: k, accumulate: false)
    }
}
