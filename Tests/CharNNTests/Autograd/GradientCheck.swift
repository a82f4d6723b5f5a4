import Testing
@testable import CharNN

/// Finite-difference gradient checking.
///
/// The checked function is f(inputs) = Σ seed ⊙ build(inputs), summed in Double, with a random
/// seed so every output element matters. The analytic gradient comes from
/// `Graph.backward(output, seed:)`; the numeric one from central differences
/// (f(x + ε) − f(x − ε)) / 2ε for every input element. In Float32 with ε = 1e-2 both the
/// rounding and the truncation error stay near 1e-4, so the tolerance below (2e-3 + 1 %) passes
/// right gradients and fails wrong ones, which are off by the order of the gradient itself.
enum GradientCheck {
    struct Mismatch: CustomStringConvertible {
        let input: Int, element: Int
        let analytic: Float, numeric: Double
        var description: String { "input \(input)[\(element)]: analytic \(analytic), numeric \(numeric)" }
    }

    static func run(
        inputs: [Tensor], epsilon: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 1e-2,
        seed: UInt64 = 99, build: (Graph, [Variable]) throws -> Variable
    ) throws -> [Mismatch] {
        let graph = Graph()
        let variables = inputs.map { graph.input($0) }
        let output = try build(graph, variables)
        var rng = Xoshiro256(seed: seed)
        let seedTensor = Tensor.uniform(output.shape, bound: 1, using: &rng)
        try graph.backward(output, seed: seedTensor)
        let analytic = try variables.map { try #require(try $0.grad) }

        func f(_ values: [Tensor]) throws -> Double {
            let g = Graph()
            let y = try build(g, values.map { g.input($0) }).value
            return zip(y.scalars, seedTensor.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }

        var mismatches: [Mismatch] = []
        for (i, input) in inputs.enumerated() {
            for e in 0..<input.scalars.count {
                var plus = inputs, minus = inputs
                plus[i].scalars[e] += epsilon
                minus[i].scalars[e] -= epsilon
                let numeric = (try f(plus) - f(minus)) / (2 * Double(epsilon))
                let a = analytic[i].scalars[e]
                if abs(Double(a) - numeric) > atol + rtol * abs(numeric) {
                    mismatches.append(Mismatch(input: i, element: e, analytic: a, numeric: numeric))
                }
            }
        }
        return mismatches
    }

    /// Random values in ±scale, kept at least `margin` away from 0 (for relu's kink and log).
    static func random(
        _ dims: Int..., scale: Float = 1, margin: Float = 0, positive: Bool = false,
        seed: UInt64
    ) -> Tensor {
        var rng = Xoshiro256(seed: seed)
        var t = Tensor.zeros(Shape(validatingOrTrap: dims))
        for j in t.scalars.indices {
            var v = rng.nextFloat(in: margin, scale)
            if !positive && rng.nextUnitFloat() < 0.5 { v = -v }
            t.scalars[j] = v
        }
        return t
    }
}

extension Shape {
    init(validatingOrTrap dims: [Int]) { self = try! Shape(validating: dims) }
}
