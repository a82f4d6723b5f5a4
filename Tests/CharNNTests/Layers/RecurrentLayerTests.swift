import Testing
@testable import CharNN

/// The fused GRU, LSTM and Elman layers against PyTorch and against their own op-by-op form.
@Suite struct RecurrentLayerTests {
    /// A model of `kind` whose parameters are set from a fixture (or random, seeded).
    static func model(
        _ kind: ModelKind, hidden: Int, layers: Int? = nil, classes: Int,
        fixture: TorchFixture? = nil, seed: UInt64 = 7
    ) throws -> Model {
        let config = ModelConfig(kind: kind, hiddenSize: hidden, layers: layers, hiddenInit: .zeros, seed: seed)
        let model = try Model(config: config, labels: (0..<classes).map { "L\($0)" })
        if let fixture {
            for p in model.parameters { try p.assign(try fixture.tensor(p.name)) }
        }
        return model
    }

    /// Loss and gradients of the fused path on a whole batch (zeroing gradients first).
    static func fused(_ model: Model, _ names: [[Int]], _ targets: [Int], initialHidden: [Float]? = nil) -> Float {
        for p in model.parameters { p.zeroGrad() }
        let batch = SequenceBatch(names.map { $0.map(UInt16.init)[...] })
        let arena = Arena()
        // The batch puts the longest names first: targets and initial states follow its rows.
        let rowTargets = (0..<batch.size).map { Int32(targets[batch.source($0)]) }
        let H = model.config.hiddenSize
        let rowHidden = initialHidden.map { h in
            (0..<batch.size).flatMap { h[batch.source($0) * H..<(batch.source($0) + 1) * H] }
        }
        return rowHidden.map { h in
            h.withUnsafeBufferPointer {
                model.network.lossAndGradients(batch, targets: rowTargets, initialHidden: $0.baseAddress, arena: arena)
            }
        } ?? model.network.lossAndGradients(batch, targets: rowTargets, initialHidden: nil, arena: arena)
    }

    /// The same on the op-by-op graph, one name at a time, each loss weighted 1/batch.
    static func graph(_ model: Model, _ names: [[Int]], _ targets: [Int], initialHidden: [Float]? = nil) throws -> Float
    {
        for p in model.parameters { p.zeroGrad() }
        let g = Graph()
        var total: Float = 0
        let H = model.config.hiddenSize
        for (i, (name, target)) in zip(names, targets).enumerated() {
            g.reset()
            let h0 = initialHidden.map { Tensor([1, H], Array($0[i * H..<(i + 1) * H])) }
            let loss = try model.network.graphLogits(g, tokens: name, initialHidden: h0).crossEntropy(targets: [target])
            total += try loss.item / Float(names.count)
            try g.backward(loss, seed: .scalar(1 / Float(names.count)))
        }
        return total
    }

    static func gradients(_ model: Model) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.grad) })
    }

    @Test(arguments: ["gru", "lstm"])
    func matchesPyTorch(kind: String) throws {
        let f = try TorchFixture(kind)
        let model = try Self.model(
            ModelKind(rawValue: kind)!, hidden: try f.int("hidden_size"),
            layers: try f.int("num_layers"), classes: try f.int("classes"), fixture: f)
        let names = try #require(f.object["tokens"] as? [[Int]])
        let targets = try f.ints("targets")
        let expectedLoss = Float(try f.double("loss"))

        let fusedLoss = Self.fused(model, names, targets)
        #expect(abs(fusedLoss - expectedLoss) < 1e-5, "fused loss \(fusedLoss) vs \(expectedLoss)")
        for p in model.parameters { expectClose(p.grad, try f.tensor("grad_" + p.name), "fused grad \(p.name)") }

        let graphLoss = try Self.graph(model, names, targets)
        #expect(abs(graphLoss - expectedLoss) < 1e-5, "graph loss \(graphLoss) vs \(expectedLoss)")
        for p in model.parameters { expectClose(p.grad, try f.tensor("grad_" + p.name), "graph grad \(p.name)") }

        // Logits of each name, batched with padding, equal PyTorch's one-name-at-a-time logits.
        let batch = SequenceBatch(names.map { $0.map(UInt16.init)[...] })
        let arena = Arena()
        let C = model.labels.count
        let logits = arena.allocate(names.count * C)
        model.network.logits(batch, initialHidden: nil, arena: arena, into: logits)
        // Row r of the batch holds name batch.source(r) (longest first): put them back in order.
        var ordered = [Float](repeating: 0, count: names.count * C)
        for r in 0..<batch.size { for j in 0..<C { ordered[batch.source(r) * C + j] = logits[r * C + j] } }
        expectClose(Tensor([names.count, C], ordered), try f.tensor("logits"), "logits")
    }

    /// Fused and op-by-op paths agree on loss and every gradient to 1e-5, for every kind, on a
    /// batch whose names have different lengths (padding and masking), with random weights.
    @Test(arguments: [ModelKind.elman, .gru, .lstm])
    func fusedEqualsOpByOp(kind: ModelKind) throws {
        let model = try Self.model(kind, hidden: 9, layers: kind == .elman ? 1 : 3, classes: 5)
        let names = [[3, 1, 4, 1, 5, 9, 2, 6], [5, 3], [58, 0, 26, 52], [7], [2, 7, 1, 8, 2]]
        let targets = [0, 4, 2, 1, 3]
        var rng = Xoshiro256(seed: 3)
        let h0: [Float]? = kind == .elman ? (0..<(names.count * 9)).map { _ in rng.nextFloat(in: -0.8, 0.8) } : nil
        let fusedLoss = Self.fused(model, names, targets, initialHidden: h0)
        let fusedGrads = Self.gradients(model)
        let graphLoss = try Self.graph(model, names, targets, initialHidden: h0)
        #expect(abs(fusedLoss - graphLoss) < 1e-5)
        for p in model.parameters {
            expectClose(fusedGrads[p.name], p.grad, "\(kind) grad \(p.name)")
            #expect(p.grad.scalars.contains { $0 != 0 }, "\(p.name) has no gradient at all")
        }
    }

    /// The same on sizes where the fused passes run as a team of cores (each owning a share of
    /// the units, meeting at barriers): uneven shares (68 units), three layers, padding.
    @Test(arguments: [ModelKind.elman, .gru, .lstm])
    func teamPassesEqualOpByOp(kind: ModelKind) throws {
        let hidden = 68
        let model = try Self.model(kind, hidden: hidden, layers: kind == .elman ? 1 : 3, classes: 19)
        let names = [[3, 1, 4, 1, 5, 9, 2, 6, 5, 3], [5, 3], [58, 0, 26, 52, 7, 7], [7], [2, 7, 1, 8, 2, 8, 1, 8]]
        let targets = [0, 18, 2, 1, 3]
        var rng = Xoshiro256(seed: 4)
        let h0: [Float]? = kind == .elman ? (0..<(names.count * hidden)).map { _ in rng.nextFloat(in: -0.8, 0.8) } : nil
        let fusedLoss = Self.fused(model, names, targets, initialHidden: h0)
        let fusedGrads = Self.gradients(model)
        let graphLoss = try Self.graph(model, names, targets, initialHidden: h0)
        #expect(abs(fusedLoss - graphLoss) < 1e-5)
        for p in model.parameters { expectClose(fusedGrads[p.name], p.grad, "\(kind) grad \(p.name)") }
        // Inference through the team equals one name at a time through the graph.
        let batch = SequenceBatch(names.map { $0.map(UInt16.init)[...] })
        let arena = Arena()
        let rowLogits = arena.allocate(names.count * 19)
        let rowHidden = h0.map { h in
            (0..<batch.size).flatMap { h[batch.source($0) * hidden..<(batch.source($0) + 1) * hidden] }
        }
        rowHidden.map { h in
            h.withUnsafeBufferPointer {
                model.network.logits(batch, initialHidden: $0.baseAddress, arena: arena, into: rowLogits)
            }
        }
            ?? model.network.logits(batch, initialHidden: nil, arena: arena, into: rowLogits)
        let logits = arena.allocate(names.count * 19)
        for r in 0..<batch.size { (logits + batch.source(r) * 19).update(from: rowLogits + r * 19, count: 19) }
        for (i, name) in names.enumerated() {
            let g = Graph()
            let single = try model.network.graphLogits(
                g, tokens: name,
                initialHidden: h0.map { Tensor([1, hidden], Array($0[i * hidden..<(i + 1) * hidden])) }
            ).value
            expectClose(
                Tensor([1, 19], Array(UnsafeBufferPointer(start: logits + i * 19, count: 19))), single, "logits \(i)")
        }
    }

    /// The fused path alone against finite differences (in case both paths shared a mistake).
    @Test(arguments: [ModelKind.elman, .gru, .lstm])
    func fusedGradientsMatchFiniteDifferences(kind: ModelKind) throws {
        let model = try Self.model(kind, hidden: 4, layers: kind == .elman ? 1 : 2, classes: 3, seed: 11)
        let names = [[1, 2, 3], [4, 5], [6, 7, 8, 9]], targets = [2, 0, 1]
        _ = Self.fused(model, names, targets)
        let analytic = Self.gradients(model)
        let epsilon: Float = 1e-2
        for p in model.parameters {
            // Every element of the small tensors, a stride through the large ones.
            for i in stride(from: 0, to: p.count, by: max(1, p.count / 40)) {
                let saved = p.values[i]
                p.values[i] = saved + epsilon
                let plus = Double(Self.fused(model, names, targets))
                p.values[i] = saved - epsilon
                let minus = Double(Self.fused(model, names, targets))
                p.values[i] = saved
                let numeric = (plus - minus) / (2 * Double(epsilon))
                let a = Double(analytic[p.name]!.scalars[i])
                #expect(abs(a - numeric) < 2e-3 + 1e-2 * abs(numeric), "\(kind) \(p.name)[\(i)]: \(a) vs \(numeric)")
            }
        }
    }

    /// The article's cell: its output reads the hidden state before the last update, so the
    /// last character's update never matters, and a one-letter name reads the initial state.
    @Test func elmanOutputUsesTheStateBeforeTheUpdate() throws {
        let model = try Self.model(.elman, hidden: 6, classes: 3)
        let cell = try #require(model.network as? ElmanCell)
        let g = Graph()
        let h0 = Tensor([1, 6], [0.1, -0.2, 0.3, -0.4, 0.5, -0.6])
        let y = try cell.graphLogits(g, tokens: [4], initialHidden: h0).value
        let direct = try g.oneHot([4], depth: 59).concat(g.constant(h0)).linear(
            g.parameter(cell.in2output.weight),
            bias: g.parameter(cell.in2output.bias)
        ).value
        expectClose(y, direct, tolerance: 1e-6)
    }
}

@Suite struct SequenceBatchTests {
    @Test func rowsAreLongestFirstWithTheirSourcesAndActiveCounts() {
        let names: [[UInt16]] = [[1, 2], [3, 4, 5, 6], [7], [8, 9, 10, 11], [12, 13]]
        var batch = SequenceBatch(names.map { $0[...] })
        #expect(batch.size == 5 && batch.steps == 4)
        #expect((0..<5).map(batch.source) == [1, 3, 0, 4, 2])  // stable among equal lengths
        #expect((0..<5).map(batch.length) == [4, 4, 2, 2, 1])
        #expect((0..<4).map(batch.active) == [5, 4, 2, 2])
        #expect(batch.token(0, 0) == 3 && batch.token(3, 1) == 11 && batch.token(1, 3) == 13)
        #expect(!batch.isRectangular)
        batch.fill(count: 2) { [[1, 2], [3, 4]][$0][...] }
        #expect(batch.isRectangular && (0..<2).map(batch.active) == [2, 2])
    }
}
