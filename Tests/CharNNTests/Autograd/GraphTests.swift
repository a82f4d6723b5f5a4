import Testing
@testable import CharNN

@Suite struct GraphTests {
    func expectError(
        _ kind: CharNNError.Kind, _ fragment: String, _ body: () throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            try body()
            Issue.record("expected an error containing '\(fragment)'", sourceLocation: sourceLocation)
        } catch let error as CharNNError {
            #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
            #expect(
                error.message.contains(fragment), "'\(error.message)' lacks '\(fragment)'",
                sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func shapeErrorsAreClear() {
        let g = Graph()
        let a = g.constant(.zeros(Shape(2, 3))), b = g.constant(.zeros(Shape(4, 5)))
        expectError(.shapeMismatch, "matmul: cannot multiply [2, 3] by [4, 5]") { _ = try a.matmul(b) }
        expectError(.shapeMismatch, "linear: input [2, 3] does not fit weight [4, 5]") { _ = try a.linear(b) }
        expectError(.shapeMismatch, "add: shapes [2, 3] and [4, 5]") { _ = try a + b }
        expectError(.shapeMismatch, "concat") { _ = try a.concat(b) }
        expectError(.shapeMismatch, "slice: columns 2..<5") { _ = try a.slice(columns: 2..<5) }
        expectError(.shapeMismatch, "cross_entropy: 2 rows of logits but 1 targets") {
            _ = try a.crossEntropy(targets: [0])
        }
        expectError(.invalidArgument, "target 1 is 3") { _ = try a.crossEntropy(targets: [0, 3]) }
        expectError(.invalidArgument, "index 0 is -1") { _ = try g.embedding(a, indices: [-1]) }
        expectError(.invalidArgument, "index 1 is 9") { _ = try g.oneHot([1, 9], depth: 5) }
        let bias = g.constant(.zeros(Shape(3)))
        expectError(.shapeMismatch, "bias [3] does not fit weight [4, 5]") {
            _ = try g.constant(.zeros(Shape(1, 5))).linear(b, bias: bias)
        }
    }

    @Test func staleAndForeignVariablesAreRefused() {
        let g = Graph(), other = Graph()
        let a = g.constant(.zeros(Shape(2, 2)))
        let c = other.constant(.zeros(Shape(2, 2)))
        expectError(.invalidArgument, "another graph") { _ = try a + c }
        g.reset()
        expectError(.invalidArgument, "before the graph was reset") { _ = try a.sigmoid() }
        expectError(.invalidArgument, "before the graph was reset") { _ = try a.value }
    }

    @Test func backwardNeedsAScalarOrASeed() throws {
        let g = Graph()
        let x = g.input(.zeros(Shape(2, 2)))
        let y = try x.tanh()
        expectError(.shapeMismatch, "give a seed gradient") { try g.backward(y) }
        expectError(.shapeMismatch, "seed of shape [3]") { try g.backward(y, seed: .zeros(Shape(3))) }
        let c = try g.constant(.zeros(Shape(2))).sum()
        expectError(.invalidArgument, "does not depend on anything") { try g.backward(c) }
    }

    @Test func noGradModeRecordsNothing() throws {
        let w = Parameter(name: "w", Tensor([1, 2], [1, 2]))
        let g = Graph()
        let y = try g.withoutRecording { () throws(CharNNError) -> Variable in
            try g.constant(Tensor([1, 2], [3, 4])).linear(g.parameter(w)).sum()
        }
        #expect(try y.item == 11)
        expectError(.invalidArgument, "does not depend on anything") { try g.backward(y) }
        #expect(w.grad.scalars == [0, 0])
        #expect(g.isRecording)
    }

    /// The article's Elman step, many times over: after the first steps the graph creates no
    /// buffer and its tape keeps its capacity, so steady-state training allocates nothing.
    @Test func steadyStateStepsAllocateNoBuffers() throws {
        var rng = Xoshiro256(seed: 1)
        let (inputs, hidden, outputs) = (59, 64, 18)
        let w1 = Parameter(Tensor.uniform(Shape(hidden, inputs + hidden), bound: 0.1, using: &rng))
        let b1 = Parameter(Tensor.zeros(Shape(hidden)))
        let w2 = Parameter(Tensor.uniform(Shape(outputs, inputs + hidden), bound: 0.1, using: &rng))
        let b2 = Parameter(Tensor.zeros(Shape(outputs)))
        let g = Graph()
        var buffersAfterWarmUp = 0, capacityAfterWarmUp = 0
        for step in 0..<50 {
            g.reset()
            var h = g.constant(Tensor.kaimingUniform(Shape(1, hidden), using: &rng))
            var y: Variable? = nil
            // Long names first, so the warm-up sees the largest step.
            for token in 0..<(step < 3 ? 12 : 3 + step % 8) {
                let combined = try g.oneHot([token], depth: inputs).concat(h)
                y = try combined.linear(g.parameter(w2), bias: g.parameter(b2))
                h = try combined.linear(g.parameter(w1), bias: g.parameter(b1)).sigmoid()
            }
            try g.backward(try y!.crossEntropy(targets: [step % outputs]))
            if step == 3 {
                buffersAfterWarmUp = g.buffersCreated
                capacityAfterWarmUp = g.tapeCapacity
            }
        }
        #expect(buffersAfterWarmUp > 0)
        #expect(g.buffersCreated == buffersAfterWarmUp)
        #expect(g.tapeCapacity == capacityAfterWarmUp)
    }

    @Test func arenaMergesChunksAfterGrowing() {
        let arena = Arena(initialCapacity: 16)
        for _ in 0..<10 { _ = arena.allocate(100) }
        let created = arena.buffersCreated
        #expect(created > 1)
        arena.reset()
        #expect(arena.buffersCreated == created + 1)
        for _ in 0..<10 { _ = arena.allocate(100) }
        arena.reset()
        #expect(arena.buffersCreated == created + 1)
    }
}
