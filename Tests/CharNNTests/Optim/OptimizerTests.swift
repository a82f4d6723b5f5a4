import Testing
@testable import CharNN

/// Adam, AdamW, SGD and gradient clipping against PyTorch (three steps each, the same start and
/// gradients), to 1e-6.
@Suite struct OptimizerTests {
    func run(_ name: String, _ make: (Parameter) throws -> any Optimizer) throws {
        let f = try TorchFixture("optimizers")
        let grads = try #require(f.object["grads"] as? [[String: Any]])
        let expected = try #require(f.object[name] as? [[String: Any]])
        let p = Parameter(name: "p", try f.tensor("start"))
        let optimizer = try make(p)
        for (step, grad) in grads.enumerated() {
            let g = try TorchFixture.tensor(grad)
            for i in 0..<p.count { p.grads[i] = g.scalars[i] }
            optimizer.step()
            expectClose(p.value, try TorchFixture.tensor(expected[step]), tolerance: 1e-6, "\(name) step \(step + 1)")
        }
    }

    @Test func adam() throws { try run("adam") { try Adam([$0], learningRate: 1e-2) } }
    @Test func adamWithWeightDecay() throws {
        try run("adam_wd") { try Adam([$0], learningRate: 1e-2, weightDecay: 0.1) }
    }
    @Test func adamW() throws {
        try run("adamw") { try Adam([$0], learningRate: 1e-2, weightDecay: 0.1, decoupledWeightDecay: true) }
    }
    @Test func sgdWithMomentum() throws {
        try run("sgd_momentum") { try SGD([$0], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) }
    }

    @Test func clipGradNormReturnsTheNormAndScales() throws {
        let f = try TorchFixture("optimizers")
        let before = try #require(f.object["clip_before"] as? [[String: Any]]).map(TorchFixture.tensor)
        let after = try #require(f.object["clip_after"] as? [[String: Any]]).map(TorchFixture.tensor)
        let params = before.map { Parameter(.zeros($0.shape)) }
        for (p, g) in zip(params, before) { for i in 0..<p.count { p.grads[i] = g.scalars[i] } }
        let norm = clipGradientNorm(params, maxNorm: 1)
        #expect(abs(Double(norm) - (try f.double("clip_norm"))) < 1e-5)
        for (p, expected) in zip(params, after) { expectClose(p.grad, expected, tolerance: 1e-6) }
        // Below the limit nothing changes.
        let small = Parameter(.zeros(Shape(2)))
        small.grads[0] = 0.3; small.grads[1] = 0.4
        #expect(abs(clipGradientNorm([small], maxNorm: 1) - 0.5) < 1e-7)
        #expect(small.grad.scalars == [0.3, 0.4])
    }

    /// An update that would make a weight infinite is not applied, and the step says so.
    @Test func nonFiniteUpdatesKeepTheOldWeights() throws {
        for make in [
            { try Adam([$0], learningRate: 1, weightDecay: 1e6) as any Optimizer },
            { try SGD([$0], learningRate: 1e6) as any Optimizer },
        ] as [(Parameter) throws -> any Optimizer] {
            let p = Parameter(Tensor([9], [3e38, 1, 2, 3, 4, 5, 6, 7, -3e38]))
            for i in 0..<9 { p.grads[i] = 1e35 }
            p.grads[1] = 0
            let optimizer = try make(p)
            #expect(optimizer.step() == false)
            #expect(p.value.scalars[0] == 3e38 && p.value.scalars[8] == -3e38)
            #expect(p.value.scalars.allSatisfy { $0.isFinite })
        }
    }

    /// Plain Adam (no decay, no clipping: its own fast pass) with a NaN gradient in one lane of
    /// the first 8 and one in the tail: those weights and moments stay, the others update.
    @Test func plainAdamKeepsTheLanesWithNaNGradients() throws {
        let p = Parameter(Tensor([10], (0..<10).map { Float($0) }))
        for i in 0..<10 { p.grads[i] = 0.5 }
        p.grads[3] = .nan
        p.grads[9] = .nan
        let optimizer = try Adam([p], learningRate: 0.1)
        #expect(optimizer.step() == false)
        let w = p.value.scalars
        #expect(w[3] == 3 && w[9] == 9)
        for i in [0, 1, 2, 4, 5, 6, 7, 8] { #expect(abs(w[i] - (Float(i) - 0.1)) < 1e-6, "weight \(i): \(w[i])") }
        #expect(optimizer.step() == false)  // the kept moments are still finite: lane 3 stays put again
        #expect(p.value.scalars[3] == 3)
    }

    /// A step with a gradient scale (how clipping is applied) equals a step on gradients
    /// scaled beforehand, bit for bit, with and without weight decay.
    @Test(arguments: [Float(0), 0.01])
    func scaledStepEqualsStepOnScaledGradients(weightDecay: Float) throws {
        let values = (0..<21).map { Float($0) * 0.37 - 3 }, grads = (0..<21).map { Float($0 % 5) * 0.21 - 0.4 }
        let a = Parameter(Tensor([21], values)), b = Parameter(Tensor([21], values))
        let (first, second) = (try Adam([a], weightDecay: weightDecay), try Adam([b], weightDecay: weightDecay))
        for _ in 0..<3 {
            for i in 0..<21 { (a.grads[i], b.grads[i]) = (grads[i], grads[i] * 0.25) }
            _ = first.step(gradientScale: 0.25, zeroingGradients: true)
            second.step()
        }
        #expect(a.value == b.value)
        #expect(a.grad.scalars.allSatisfy { $0 == 0 })
    }

    @Test func badHyperParametersAreRefused() {
        let p = Parameter(.zeros(Shape(2)))
        #expect(throws: CharNNError.self) { try Adam([p], learningRate: -1) }
        #expect(throws: CharNNError.self) { try Adam([p], learningRate: .nan) }
        #expect(throws: CharNNError.self) { try Adam([p], beta1: 1) }
        #expect(throws: CharNNError.self) { try Adam([p], epsilon: 0) }
        #expect(throws: CharNNError.self) { try SGD([p], learningRate: 0.1, momentum: 1) }
        #expect(throws: CharNNError.self) { try SGD([p], learningRate: 0.1, weightDecay: -0.5) }
    }
}

extension TorchFixture {
    static func tensor(_ entry: [String: Any]) throws -> Tensor {
        let shape = try #require(entry["shape"] as? [Int])
        let data = try #require(entry["data"] as? [Double])
        return Tensor(shape, data.map(Float.init))
    }
}
