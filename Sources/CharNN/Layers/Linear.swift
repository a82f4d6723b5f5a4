/// A fully connected layer in PyTorch's layout: y = x·Wᵀ + b, W [out, in], b [out],
/// initialised like `torch.nn.Linear` (weights and bias uniform in ±1/√in).
public struct Linear {
    public let weight: Parameter
    public let bias: Parameter

    public init(name: String, inputs: Int, outputs: Int, using rng: inout Xoshiro256) {
        let bound = 1 / Float(inputs).squareRoot()
        weight = Parameter(name: name + ".weight", .uniform(Shape(outputs, inputs), bound: bound, using: &rng))
        bias = Parameter(name: name + ".bias", .uniform(Shape(outputs), bound: bound, using: &rng))
    }

    public var inputs: Int { weight.shape[1] }
    public var outputs: Int { weight.shape[0] }
    public var parameters: [Parameter] { [weight, bias] }

    /// The op-by-op form, on an autodiff graph.
    public func callAsFunction(_ x: Variable) throws(CharNNError) -> Variable {
        try x.linear(x.graph.parameter(weight), bias: x.graph.parameter(bias))
    }

    /// y[rows×out] = x[rows×in]·Wᵀ + b (the fused layers' forward).
    func forward(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        let (n, k) = (outputs, inputs)
        for r in 0..<rows { (y + r * n).update(from: bias.values, count: n) }
        Kernels.gemmNT(m: rows, n: n, k: k, a: x, lda: k, b: weight.values, ldb: k, c: y, ldc: n, accumulate: true)
    }

    /// Given dy [rows×out]: dW += dyᵀ·x, db += Σ dy, and dx = dy·W when asked.
    func backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, rows: Int,
                  dx: UnsafeMutablePointer<Float>?) {
        let (n, k) = (outputs, inputs)
        Kernels.gemmTN(m: n, n: k, k: rows, a: dy, lda: n, b: x, ldb: k, c: weight.grads, ldc: k, accumulate: true)
        for r in 0..<rows { Kernels.axpy(1, dy + r * n, bias.grads, n) }
        if let dx {
            Kernels.gemmNN(m: rows, n: k, k: n, a: dy, lda: n, b: weight.values, ldb: k, c: dx, ldc: k, accumulate: false)
        }
    }
}
