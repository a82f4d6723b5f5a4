import Testing
@testable import CharNN

/// The autodiff ops against values and gradients PyTorch computed (Fixtures/make_torch_fixtures.py).
@Suite struct TorchFixtureTests {
    @Test func linear() throws {
        let f = try TorchFixture("linear")
        let g = Graph()
        let (x, w, b) = (g.input(try f.tensor("x")), g.input(try f.tensor("weight")), g.input(try f.tensor("bias")))
        let y = try x.linear(w, bias: b)
        expectClose(try y.value, try f.tensor("y"), "y")
        try g.backward(y, seed: try f.tensor("seed"))
        expectClose(try x.grad, try f.tensor("grad_x"), "grad x")
        expectClose(try w.grad, try f.tensor("grad_weight"), "grad weight")
        expectClose(try b.grad, try f.tensor("grad_bias"), "grad bias")
    }

    @Test func logSoftmaxAndCrossEntropy() throws {
        let f = try TorchFixture("cross_entropy")
        let g = Graph()
        let logits = g.input(try f.tensor("logits"))
        let logProbs = try logits.logSoftmax()
        expectClose(try logProbs.value, try f.tensor("log_softmax"), "log_softmax")
        try g.backward(logProbs, seed: try f.tensor("seed"))
        expectClose(try logits.grad, try f.tensor("grad_log_softmax"), "grad of log_softmax")

        g.reset()
        let logits2 = g.input(try f.tensor("logits"))
        let loss = try logits2.crossEntropy(targets: try f.ints("targets"))
        #expect(abs(Double(try loss.item) - (try f.double("loss"))) < 1e-5)
        try g.backward(loss)
        expectClose(try logits2.grad, try f.tensor("grad_logits"), "grad of cross-entropy")
    }

    @Test func sigmoidAndTanh() throws {
        let f = try TorchFixture("sigmoid_tanh")
        for (op, key) in [("sigmoid", "sigmoid"), ("tanh", "tanh")] {
            let g = Graph()
            let x = g.input(try f.tensor("x"))
            let y = op == "sigmoid" ? try x.sigmoid() : try x.tanh()
            expectClose(try y.value, try f.tensor(key), key)
            try g.backward(y, seed: try f.tensor("seed_" + key))
            expectClose(try x.grad, try f.tensor("grad_" + key), "grad \(key)")
        }
    }

    @Test func concat() throws {
        let f = try TorchFixture("concat")
        let g = Graph()
        let (a, b) = (g.input(try f.tensor("a")), g.input(try f.tensor("b")))
        let y = try a.concat(b)
        expectClose(try y.value, try f.tensor("y"), "y")
        try g.backward(y, seed: try f.tensor("seed"))
        expectClose(try a.grad, try f.tensor("grad_a"), "grad a")
        expectClose(try b.grad, try f.tensor("grad_b"), "grad b")
    }

    /// The article's `MyRNN` unrolled over "Jake", op by op, with parameters: output, loss and
    /// every gradient equal PyTorch's.
    @Test func elmanUnrolled() throws {
        let f = try TorchFixture("elman_unrolled")
        let params = try ["in2hidden.weight", "in2hidden.bias", "in2output.weight", "in2output.bias"]
            .map { Parameter(name: $0, try f.tensor($0)) }
        let vocabulary = Alphabet.article.count
        let g = Graph()
        let h0 = g.input(try f.tensor("h0"))
        var hidden = h0
        var output: Variable? = nil
        for token in try f.ints("tokens") {
            let combined = try g.oneHot([token], depth: vocabulary).concat(hidden)
            hidden = try combined.linear(g.parameter(params[0]), bias: g.parameter(params[1])).sigmoid()
            output = try combined.linear(g.parameter(params[2]), bias: g.parameter(params[3]))
        }
        let loss = try output!.crossEntropy(targets: [try f.int("target")])
        expectClose(try output!.value, try f.tensor("output"), "output")
        #expect(abs(Double(try loss.item) - (try f.double("loss"))) < 1e-5)
        try g.backward(loss)
        for p in params { expectClose(p.grad, try f.tensor("grad_" + p.name), "grad \(p.name)") }
        expectClose(try h0.grad, try f.tensor("grad_h0"), "grad h0")
    }
}
