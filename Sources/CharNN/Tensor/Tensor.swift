/// A dense Float32 tensor, contiguous and row-major: a value type (copy-on-write storage) used
/// to move data in and out of parameters, graphs and models.
package struct Tensor: Equatable, Sendable, CustomStringConvertible {
    package let shape: Shape
    package var scalars: [Float] {
        didSet { precondition(scalars.count == shape.count, "a tensor's element count cannot change") }
    }

    /// A tensor from untrusted data: the element count must match the shape.
    package init(shape: Shape, scalars: [Float]) throws(CharNNError) {
        guard scalars.count == shape.count else {
            throw .shape("shape \(shape) needs \(shape.count) values, got \(scalars.count)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor from dimensions and values known to agree (tests, literals). Traps otherwise.
    package init(_ dims: [Int], _ scalars: [Float]) {
        do { self = try Tensor(shape: Shape(validating: dims), scalars: scalars) } catch {
            preconditionFailure(error.message)
        }
    }

    package init(repeating value: Float, shape: Shape) {
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.count)
    }

    package static func zeros(_ shape: Shape) -> Tensor { Tensor(repeating: 0, shape: shape) }

    package static func scalar(_ value: Float) -> Tensor { Tensor(repeating: value, shape: .scalar) }

    /// Uniform in [-bound, bound): PyTorch's default initialisation of `Linear`, `GRU` and
    /// `LSTM` weights uses bound 1/√fan_in.
    package static func uniform(_ shape: Shape, bound: Float, using rng: inout Xoshiro256) -> Tensor {
        uniform(shape, low: -bound, high: bound, using: &rng)
    }

    /// Uniform in [low, high).
    package static func uniform(_ shape: Shape, low: Float, high: Float, using rng: inout Xoshiro256) -> Tensor {
        var t = zeros(shape)
        for i in t.scalars.indices { t.scalars[i] = rng.nextFloat(in: low, high) }
        return t
    }

    /// Standard normal values (Box–Muller): `nn.Embedding`'s initialisation.
    package static func normal(_ shape: Shape, using rng: inout Xoshiro256) -> Tensor {
        var t = zeros(shape)
        for i in t.scalars.indices {
            let u = 1 - rng.nextUnitFloat()  // in (0, 1]: log stays finite
            t.scalars[i] = (-2 * Math.log(u)).squareRoot() * Math.cos(2 * .pi * rng.nextUnitFloat())
        }
        return t
    }

    /// `torch.nn.init.kaiming_uniform_` with its defaults (a = 0, fan_in, leaky_relu): uniform
    /// in ±√2·√(3/fan_in) = ±√(6/fan_in), fan_in being the last dimension. The article draws
    /// its Elman cell's hidden state this way for every name.
    package static func kaimingUniform(_ shape: Shape, using rng: inout Xoshiro256) -> Tensor {
        uniform(shape, bound: (6 / Float(shape.last)).squareRoot(), using: &rng)
    }

    package subscript(row: Int, col: Int) -> Float {
        scalars[row * shape.cols + col]
    }

    package var description: String { "Tensor(\(shape), \(scalars.prefix(8))\(shape.count > 8 ? "…" : ""))" }
}
