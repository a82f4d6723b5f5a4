import Testing
@testable import CharNN

/// Every differentiable op, and compositions of them, against finite differences.
@Suite struct GradientCheckTests {
    typealias G = GradientCheck

    func check(
        _ inputs: [Tensor], _ build: (Graph, [Variable]) throws -> Variable,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let mismatches = try G.run(inputs: inputs, build: build)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))", sourceLocation: sourceLocation)
    }

    @Test func matmul() throws {
        try check([G.random(3, 4, seed: 1), G.random(4, 5, seed: 2)]) { _, v in try v[0].matmul(v[1]) }
    }

    @Test func linearWithAndWithoutBias() throws {
        try check([G.random(2, 6, seed: 3), G.random(4, 6, seed: 4), G.random(4, seed: 5)]) { _, v in
            try v[0].linear(v[1], bias: v[2])
        }
        try check([G.random(1, 9, seed: 6), G.random(3, 9, seed: 7)]) { _, v in try v[0].linear(v[1]) }
    }

    @Test func addSubMulSameShapeAndBroadcastRow() throws {
        for op in 0..<3 {
            let apply: (Variable, Variable) throws -> Variable = { a, b in
                op == 0 ? try a + b : op == 1 ? try a - b : try a * b
            }
            try check([G.random(3, 5, seed: 8), G.random(3, 5, seed: 9)]) { _, v in try apply(v[0], v[1]) }
            try check([G.random(3, 5, seed: 10), G.random(5, seed: 11)]) { _, v in try apply(v[0], v[1]) }
            try check([G.random(4, 3, seed: 12), G.random(1, 3, seed: 13)]) { _, v in try apply(v[0], v[1]) }
        }
        // The same variable on both sides: x·x has gradient 2x.
        try check([G.random(2, 3, seed: 14)]) { _, v in try v[0] * v[0] }
    }

    @Test func concatAndSlice() throws {
        try check([G.random(2, 3, seed: 15), G.random(2, 4, seed: 16)]) { _, v in try v[0].concat(v[1]) }
        try check([G.random(3, 8, seed: 17)]) { _, v in try v[0].slice(columns: 2..<6) }
    }

    @Test func elementwise() throws {
        try check([G.random(3, 4, scale: 3, seed: 18)]) { _, v in try v[0].sigmoid() }
        try check([G.random(3, 4, scale: 2, seed: 19)]) { _, v in try v[0].tanh() }
        try check([G.random(3, 4, scale: 2, margin: 0.1, seed: 20)]) { _, v in try v[0].relu() }
        try check([G.random(3, 4, scale: 1.5, seed: 21)]) { _, v in try v[0].exp() }
        try check([G.random(3, 4, scale: 3, margin: 0.5, positive: true, seed: 22)]) { _, v in try v[0].log() }
    }

    @Test func reductions() throws {
        try check([G.random(3, 4, seed: 23)]) { _, v in try v[0].sum() }
        try check([G.random(2, 2, 3, seed: 24)]) { _, v in try v[0].mean() }
    }

    @Test func logSoftmaxAndCrossEntropy() throws {
        try check([G.random(3, 6, scale: 3, seed: 25)]) { _, v in try v[0].logSoftmax() }
        try check([G.random(4, 5, scale: 3, seed: 26)]) { _, v in try v[0].crossEntropy(targets: [0, 4, 2, 2]) }
        try check([G.random(7, scale: 3, seed: 27)]) { _, v in try v[0].crossEntropy(targets: [3]) }
    }

    @Test func embedding() throws {
        try check([G.random(6, 4, seed: 28)]) { g, v in try g.embedding(v[0], indices: [5, 0, 5, 2]) }
    }

    /// The article's Elman cell: combined = [x, h], h' = σ(W_h·combined + b_h), y = W_o·combined + b_o.
    @Test func elmanStep() throws {
        let (inputs, hidden, outputs) = (6, 5, 3)
        try check([
            G.random(1, hidden, seed: 30), G.random(hidden, inputs + hidden, seed: 31),
            G.random(hidden, seed: 32), G.random(outputs, inputs + hidden, seed: 33), G.random(outputs, seed: 34),
        ]) { g, v in
            let x = try g.oneHot([4], depth: inputs)
            let combined = try x.concat(v[0])
            let h = try combined.linear(v[1], bias: v[2]).sigmoid()
            let y = try combined.linear(v[3], bias: v[4])
            return try y.concat(h)
        }
    }

    /// One step of PyTorch's GRU equations, with stacked [r, z, n] weights sliced by gate.
    @Test func gruStep() throws {
        let (inputs, hidden) = (4, 3)
        try check([
            G.random(2, inputs, seed: 40), G.random(2, hidden, seed: 41),
            G.random(3 * hidden, inputs, seed: 42), G.random(3 * hidden, hidden, seed: 43),
            G.random(3 * hidden, seed: 44), G.random(3 * hidden, seed: 45),
        ]) { _, v in
            try Self.gruStep(x: v[0], h: v[1], wih: v[2], whh: v[3], bih: v[4], bhh: v[5], hidden: hidden)
        }
    }

    static func gruStep(
        x: Variable, h: Variable, wih: Variable, whh: Variable, bih: Variable, bhh: Variable,
        hidden H: Int
    ) throws -> Variable {
        let gi = try x.linear(wih, bias: bih), gh = try h.linear(whh, bias: bhh)
        let r = try (gi.slice(columns: 0..<H) + gh.slice(columns: 0..<H)).sigmoid()
        let z = try (gi.slice(columns: H..<2 * H) + gh.slice(columns: H..<2 * H)).sigmoid()
        let n = try (gi.slice(columns: 2 * H..<3 * H) + r * gh.slice(columns: 2 * H..<3 * H)).tanh()
        return try n + z * (h - n)  // (1 − z)·n + z·h
    }

    /// Five Elman steps unrolled, the loss on the last output: backpropagation through time,
    /// with the weights used at every step.
    @Test func fiveStepUnrolledSequence() throws {
        let (inputs, hidden, outputs) = (5, 4, 3)
        try check([
            G.random(1, hidden, seed: 50), G.random(hidden, inputs + hidden, seed: 51),
            G.random(hidden, seed: 52), G.random(outputs, inputs + hidden, seed: 53),
            G.random(outputs, seed: 54),
        ]) { g, v in
            var h = v[0]
            var y: Variable? = nil
            for token in [0, 3, 1, 4, 2] {
                let combined = try g.oneHot([token], depth: inputs).concat(h)
                y = try combined.linear(v[3], bias: v[4])
                h = try combined.linear(v[1], bias: v[2]).sigmoid()
            }
            return try y!.crossEntropy(targets: [1])
        }
    }

    /// Gradients reach parameters through `Graph.parameter` and accumulate over uses.
    @Test func parametersAccumulateAcrossUsesAndCalls() throws {
        let w = Parameter(name: "w", G.random(2, 3, seed: 60))
        let x = G.random(1, 3, seed: 61)
        let g = Graph()
        func loss() throws -> Variable {
            let wv = g.parameter(w)
            return try g.constant(x).linear(wv).add(g.constant(x).linear(g.parameter(w))).sum()
        }
        try g.backward(try loss())
        // d/dW Σ 2·(x·Wᵀ) = 2·x broadcast over rows.
        let expected = Tensor([2, 3], (0..<2).flatMap { _ in x.scalars.map { 2 * $0 } })
        expectClose(w.grad, expected, tolerance: 1e-6)
        g.reset()
        try g.backward(try loss())
        expectClose(w.grad, Tensor([2, 3], expected.scalars.map { 2 * $0 }), tolerance: 1e-6)
        w.zeroGrad()
        #expect(w.grad.scalars.allSatisfy { $0 == 0 })
    }
}
