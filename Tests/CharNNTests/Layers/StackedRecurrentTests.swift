import Testing
@testable import CharNN

/// The GRU and LSTM options (embedding input, both directions, pooling heads, dropout) against
/// PyTorch, against their own op-by-op form and against finite differences.
@Suite struct StackedRecurrentTests {
    struct Options: CustomStringConvertible, Sendable {
        var kind = ModelKind.gru
        var embedding = 0
        var bidirectional = false
        var layers = 2
        var pooling = Pooling.last
        var dropout: Float = 0
        var ngrams: NgramOptions? = nil
        var description: String {
            "\(kind) emb \(embedding) bi \(bidirectional) L\(layers) \(pooling) p \(dropout)"
                + (ngrams.map { " ngrams \($0.buckets)×\($0.dimension)" } ?? "")
        }
    }

    static func model(_ o: Options, hidden: Int, classes: Int, seed: UInt64 = 5) throws -> Model {
        var config = ModelConfig(kind: o.kind, hiddenSize: hidden, layers: o.layers, seed: seed)
        (config.embeddingSize, config.bidirectional, config.pooling, config.dropout) = (
            o.embedding, o.bidirectional, o.pooling, o.dropout
        )
        config.ngrams = o.ngrams
        return try Model(config: config, labels: (0..<classes).map { "L\($0)" })
    }

    /// Loss and gradients of the fused path (gradients zeroed first), with given dropout masks.
    static func fused(_ model: Model, _ names: [[Int]], _ targets: [Int], masks: DropoutMasks? = nil) -> Float {
        for p in model.parameters { p.zeroGrad() }
        let batch = SequenceBatch(names.map { $0.map(UInt16.init)[...] })
        let rowTargets = (0..<batch.size).map { Int32(targets[batch.source($0)]) }
        return model.network.lossAndGradients(
            batch, targets: rowTargets, initialHidden: nil, arena: Arena(), dropout: masks)
    }

    static let configurations: [Options] = [ModelKind.gru, .lstm].flatMap { kind in
        [
            Options(kind: kind, embedding: 4, bidirectional: true, layers: 2, pooling: .last),
            Options(kind: kind, embedding: 0, bidirectional: true, layers: 3, pooling: .mean),
            Options(kind: kind, embedding: 3, bidirectional: false, layers: 2, pooling: .max),
            Options(kind: kind, embedding: 6, bidirectional: true, layers: 1, pooling: .max),
            Options(kind: kind, embedding: 5, bidirectional: false, layers: 1, pooling: .mean),
            Options(
                kind: kind, embedding: 4, bidirectional: true, layers: 2, pooling: .last,
                ngrams: NgramOptions(buckets: 37, dimension: 5, minimum: 1, maximum: 4)),
            Options(
                kind: kind, embedding: 0, bidirectional: false, layers: 1, pooling: .max,
                ngrams: NgramOptions(buckets: 50, dimension: 3, minimum: 2, maximum: 3)),
        ]
    }

    /// Fused (batched, padded) and op-by-op (one name at a time) agree on loss, every gradient
    /// and the logits, at a small size (one core) and at one where a team of cores shares the
    /// units unevenly.
    @Test(arguments: configurations, [9, 68])
    func fusedEqualsOpByOp(options: Options, hidden: Int) throws {
        let model = try Self.model(options, hidden: hidden, classes: 7)
        let names = [[3, 1, 4, 1, 5, 9, 2, 6], [5, 3], [58, 0, 26, 52], [7], [2, 7, 1, 8, 2], [4, 4, 4, 4]]
        let targets = [0, 6, 2, 1, 3, 5]
        let fusedLoss = Self.fused(model, names, targets)
        let fusedGrads = RecurrentLayerTests.gradients(model)
        let graphLoss = try RecurrentLayerTests.graph(model, names, targets)
        #expect(abs(fusedLoss - graphLoss) < 1e-5, "\(options): loss \(fusedLoss) vs \(graphLoss)")
        for p in model.parameters {
            expectClose(fusedGrads[p.name], p.grad, "\(options) grad \(p.name)")
            #expect(p.grad.scalars.contains { $0 != 0 }, "\(options): \(p.name) has no gradient at all")
        }
        let logits = Self.logits(model, names)
        for (i, name) in names.enumerated() {
            let single = try model.network.graphLogits(Graph(), tokens: name, initialHidden: nil).value
            expectClose(Tensor([1, 7], Array(logits[i * 7..<(i + 1) * 7])), single, "\(options) logits \(i)")
        }
    }

    /// Inference logits in the callers' order.
    static func logits(_ model: Model, _ names: [[Int]]) -> [Float] {
        let batch = SequenceBatch(names.map { $0.map(UInt16.init)[...] })
        let C = model.labels.count, arena = Arena()
        let rowLogits = arena.allocate(names.count * C)
        model.network.logits(batch, initialHidden: nil, arena: arena, into: rowLogits)
        var out = [Float](repeating: 0, count: names.count * C)
        for r in 0..<batch.size { for j in 0..<C { out[batch.source(r) * C + j] = rowLogits[r * C + j] } }
        return out
    }

    /// Masks that drop a fixed pattern (every third value, scaled by 1/(1 − p) elsewhere): a
    /// loss that is a plain function of the weights, for finite differences.
    static func patternMasks(_ p: Float) -> DropoutMasks {
        DropoutMasks { site, mask, count in
            for i in 0..<count { mask[i] = (i + site) % 3 == 0 ? 0 : 1 / (1 - p) }
        }
    }

    /// The fused path alone against central differences, dropout masks included.
    @Test(
        arguments: configurations.map { o -> Options in
            var o = o; o.dropout = 0.3; return o
        })
    func fusedGradientsMatchFiniteDifferences(options: Options) throws {
        let model = try Self.model(options, hidden: 4, classes: 3, seed: 11)
        let names = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]], targets = [2, 0, 1, 1]
        let masks = Self.patternMasks(options.dropout)
        _ = Self.fused(model, names, targets, masks: masks)
        let analytic = RecurrentLayerTests.gradients(model)
        // Max pooling is not smooth where two steps tie: a smaller step keeps clear of the kinks.
        let epsilon: Float = options.pooling == .max ? 1e-3 : 1e-2
        for p in model.parameters {
            for i in stride(from: 0, to: p.count, by: max(1, p.count / 30)) {
                let saved = p.values[i]
                p.values[i] = saved + epsilon
                let plus = Double(Self.fused(model, names, targets, masks: masks))
                p.values[i] = saved - epsilon
                let minus = Double(Self.fused(model, names, targets, masks: masks))
                p.values[i] = saved
                let numeric = (plus - minus) / (2 * Double(epsilon))
                let a = Double(analytic[p.name]!.scalars[i])
                #expect(abs(a - numeric) < 2e-3 + 1e-2 * abs(numeric), "\(options) \(p.name)[\(i)]: \(a) vs \(numeric)")
            }
        }
    }

    /// PyTorch (nn.Embedding, nn.GRU/nn.LSTM with bidirectional=True, pooling, the same dropout
    /// masks): logits without dropout, and the loss and every gradient with the masks.
    @Test func matchesPyTorch() throws {
        let fixture = try TorchFixture("recurrent_options")
        let cases = try #require(fixture.object["cases"] as? [[String: Any]])
        #expect(cases.count == 10)
        for entry in cases {
            let f = TorchFixture(object: entry)
            var o = Options()
            let kindName = try #require(entry["kind"] as? String),
                poolingName = try #require(entry["pooling"] as? String)
            o.kind = try #require(ModelKind(rawValue: kindName))
            o.embedding = try f.int("embedding_size")
            o.bidirectional = try #require(entry["bidirectional"] as? Bool)
            o.layers = try f.int("num_layers")
            o.pooling = try #require(Pooling(rawValue: poolingName))
            o.dropout = Float(try f.double("dropout"))
            if let buckets = entry["ngram_buckets"] as? Int {
                o.ngrams = NgramOptions(
                    buckets: buckets, dimension: try f.int("ngram_dim"), minimum: try f.int("ngram_min"),
                    maximum: try f.int("ngram_max"))
            }
            let (H, C) = (try f.int("hidden_size"), try f.int("classes"))
            var config = ModelConfig(kind: o.kind, hiddenSize: H, layers: o.layers)
            (config.embeddingSize, config.bidirectional, config.pooling, config.dropout) = (
                o.embedding, o.bidirectional, o.pooling, o.dropout
            )
            config.ngrams = o.ngrams
            let model = try Model(config: config, labels: (0..<C).map { "L\($0)" })
            let parameters = TorchFixture(object: try #require(entry["parameters"] as? [String: Any]))
            let gradients = TorchFixture(object: try #require(entry["gradients"] as? [String: Any]))
            #expect(model.parameters.count == parameters.object.count, "\(o): parameter count")
            for p in model.parameters { try p.assign(try parameters.tensor(p.name)) }
            let names = try #require(entry["tokens"] as? [[Int]]), targets = try f.ints("targets")

            expectClose(Tensor([names.count, C], Self.logits(model, names)), try f.tensor("logits"), "\(o) logits")

            // The fixture's masks, per name, placed in the batch's rows (longest first).
            let batch = SequenceBatch(names.map { $0.map(UInt16.init)[...] })
            let layerMasks = try #require(entry["layer_masks"] as? [[Any]]).map { name in
                try name.map { m in try TorchFixture(object: ["m": m]).tensor("m") }
            }
            let headMasks = try #require(entry["head_masks"] as? [Any]).map {
                try TorchFixture(object: ["m": $0]).tensor("m")
            }
            let W = (o.bidirectional ? 2 : 1) * H, FW = W + (o.ngrams?.dimension ?? 0)
            let masks = DropoutMasks { site, mask, count in
                if site == o.layers {
                    for r in 0..<batch.size {
                        for j in 0..<FW { mask[r * FW + j] = headMasks[batch.source(r)].scalars[j] }
                    }
                    return
                }
                mask.update(repeating: 1, count: count)
                for t in 0..<batch.steps {
                    for r in 0..<batch.active(t) {
                        let given = layerMasks[batch.source(r)][site - 1]
                        for j in 0..<W { mask[(t * batch.size + r) * W + j] = given.scalars[t * W + j] }
                    }
                }
            }
            let loss = Self.fused(model, names, targets, masks: masks)
            #expect(abs(loss - Float(try f.double("loss"))) < 1e-5, "\(o): loss \(loss)")
            for p in model.parameters { expectClose(p.grad, try gradients.tensor(p.name), "\(o) grad \(p.name)") }
        }
    }

    /// Dropout is off at inference: the logits are the op-by-op network's without masks, and
    /// training-mode passes with different seeds differ.
    @Test func dropoutOnlyInTraining() throws {
        let model = try Self.model(
            Options(embedding: 4, bidirectional: true, layers: 2, pooling: .mean, dropout: 0.5), hidden: 6, classes: 3)
        let names = [[1, 2, 3], [4, 5]], targets = [0, 2]
        let logits = Self.logits(model, names)
        let single = try model.network.graphLogits(Graph(), tokens: names[0], initialHidden: nil).value
        expectClose(Tensor([1, 3], Array(logits[0..<3])), single, "inference logits")
        let a = Self.fused(model, names, targets, masks: .random(probability: 0.5, seed: 1))
        let again = Self.fused(model, names, targets, masks: .random(probability: 0.5, seed: 1))
        let b = Self.fused(model, names, targets, masks: .random(probability: 0.5, seed: 2))
        #expect(a == again, "the same seed gives the same masks")
        #expect(a != b, "another seed draws other masks")
    }

    /// A random mask keeps about 1 − p of the values, each scaled by 1/(1 − p).
    @Test func randomMasksKeepTheRightShare() {
        var mask = [Float](repeating: -1, count: 20_000)
        mask.withUnsafeMutableBufferPointer {
            DropoutMasks.random(probability: 0.3, seed: 9).fill(1, $0.baseAddress!, $0.count)
        }
        let kept = mask.filter { $0 != 0 }
        #expect(Set(kept).count == 1 && abs(kept[0] - 1 / 0.7) < 1e-6)
        #expect(abs(Double(kept.count) / 20_000 - 0.7) < 0.015)
    }

    /// PyTorch's names and shapes: `embedding.weight`, `_reverse` directions whose upper layers
    /// read 2H, `fc` reading directions·H.
    @Test func parametersHavePyTorchNamesAndShapes() throws {
        let model = try Self.model(
            Options(kind: .lstm, embedding: 8, bidirectional: true, layers: 2), hidden: 6, classes: 4)
        let shapes = model.parameters.map { "\($0.name) \($0.shape.dims)" }
        #expect(shapes.first == "embedding.weight [59, 8]")
        #expect(shapes.contains("lstm.weight_ih_l0_reverse [24, 8]") && shapes.contains("lstm.weight_ih_l1 [24, 12]"))
        #expect(shapes.last == "fc.bias [4]" && shapes.contains("fc.weight [4, 12]"))
        #expect(model.parameters.map(\.name) == model.config.parameterShapes(inputSize: 59, classes: 4).map(\.0))
    }

    /// The n-gram buckets are FNV-1a hashes of the framed tokens (the fixture script computes the
    /// same in Python): "ab" with n = 1...2 is a, b, <a, ab, b>.
    @Test func ngramBucketsAreTheDocumentedHashes() {
        var rng = Xoshiro256(seed: 1)
        let bag = NgramBag(buckets: 1 << 20, dimension: 2, minimum: 1, maximum: 2, using: &rng)
        var ids: [Int] = []
        bag.forEachBucket(2, token: { [UInt16(0), 1][$0] }) { ids.append($0) }
        func fnv(_ symbols: [UInt16]) -> Int {
            var h: UInt32 = 2_166_136_261
            for s in symbols { h = (h ^ UInt32(s & 0xFF)) &* 16_777_619; h = (h ^ UInt32(s >> 8)) &* 16_777_619 }
            return Int(h % (1 << 20))
        }
        #expect(ids == [fnv([0]), fnv([1]), fnv([0xFFFE, 0]), fnv([0, 1]), fnv([1, 0xFFFF])])
        #expect(bag.maxCount(length: 2) >= ids.count)
    }

    /// Only a training pass marks the n-gram rows it touches: the validation of a training run
    /// scores batches on many threads at once and must not write to the training's row set.
    @Test func inferenceDoesNotMarkTouchedRows() throws {
        var options = Options(embedding: 0, layers: 1)
        options.ngrams = NgramOptions(buckets: 97, dimension: 4)
        let model = try Self.model(options, hidden: 5, classes: 3)
        let touched = try #require(model.parameters.first { $0.name == "ngrams.weight" }?.touchedRows)
        touched.start()
        defer { touched.stop() }
        _ = Self.logits(model, [[1, 2, 3], [4, 5]])
        #expect(touched.rows.isEmpty)
        _ = Self.fused(model, [[1, 2, 3], [4, 5]], [0, 1])
        #expect(!touched.rows.isEmpty)
    }

    /// Hidden size 0 is the n-gram bag alone: fused equals op by op, PyTorch's layout has only
    /// `ngrams.weight` and `fc`.
    @Test func theBagAlone() throws {
        var options = Options(embedding: 0, layers: 1)
        options.ngrams = NgramOptions(buckets: 61, dimension: 6, minimum: 1, maximum: 5)
        let model = try Self.model(options, hidden: 0, classes: 4)
        #expect(model.parameters.map(\.name) == ["ngrams.weight", "fc.weight", "fc.bias"])
        let names = [[3, 1, 4], [5], [9, 2, 6, 5]], targets = [0, 3, 2]
        let fusedLoss = Self.fused(model, names, targets)
        let fusedGrads = RecurrentLayerTests.gradients(model)
        let graphLoss = try RecurrentLayerTests.graph(model, names, targets)
        #expect(abs(fusedLoss - graphLoss) < 1e-5)
        for p in model.parameters { expectClose(fusedGrads[p.name], p.grad, "bag alone grad \(p.name)") }
        var config = ModelConfig(kind: .gru, hiddenSize: 0)
        #expect(throws: CharNNError.self) { try config.validate() }  // no bag: nothing to read
        config.ngrams = NgramOptions()
        config.bidirectional = true
        #expect(throws: CharNNError.self) { try config.validate() }  // nothing to run both ways
    }

    @Test func recipesValidateAndScaleTheirEpochs() throws {
        for recipe in Recipe.allCases { try recipe.modelConfig.validate() }
        #expect(Recipe.fast.modelConfig.hiddenSize == 0 && Recipe.best.modelConfig.bidirectional)
        #expect(Recipe.best.trainingConfig(rows: 16_000).epochs == 10)
        #expect(Recipe.best.trainingConfig(rows: 137_000).epochs == 3)
        #expect(Recipe.best.trainingConfig(rows: 100_000).epochs == 5)
        #expect(Recipe.best.trainingConfig(rows: 0).epochs == 10)
        #expect(Recipe.fast.trainingConfig(rows: 1_000_000).epochs == 5)
        #expect(Recipe.best.trainingConfig(rows: 1).validationFraction == 0.1)
    }

    /// Finite weights whose sums overflow (what the checkpoint fuzzer made of an Elman model) give
    /// `.diverged` naming the text, never NaN probabilities; huge but finite logits still give
    /// probabilities that sum to 1.
    @Test(arguments: [ModelKind.elman, .gru])
    func extremeWeightsGiveAnErrorOrTrueProbabilities(kind: ModelKind) throws {
        let model = try Model(config: ModelConfig(kind: kind, hiddenSize: 4, layers: 1), labels: ["a", "b", "c"])
        let head = try #require(model.parameters.last { $0.name.hasSuffix(".weight") })
        for value: Float in [3e38, 1e37] {
            try head.assign(Tensor(repeating: value, shape: head.shape))
            do {
                let p = try model.probabilities("abc")
                #expect(p.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "\(kind) \(value): \(p)")
                #expect(abs(p.reduce(0, +) - 1) < 1e-5, "\(kind) \(value): \(p)")
            } catch {
                #expect(error.kind == .diverged && error.message.contains("not finite"), "\(error)")
            }
        }
        // Every weight at the limit: the Elman cell's output adds a one-hot column, a bias and
        // a positive state, all 3e38: +inf for every label, an error rather than a guess.
        guard kind == .elman else { return }
        for p in model.parameters { try p.assign(Tensor(repeating: 3e38, shape: p.shape)) }
        #expect(
            throws: CharNNError(
                .diverged,
                "the model's scores for text 0 are not finite: its weights are so large that its sums overflow (a damaged or hand-made checkpoint?)"
            )
        ) {
            try model.predict("abc")
        }
    }

    @Test func badOptionsAreRefused() {
        var config = ModelConfig(kind: .gru)
        config.dropout = 1
        #expect(throws: CharNNError.self) { try config.validate() }
        config.dropout = -0.1
        #expect(throws: CharNNError.self) { try config.validate() }
        config.dropout = 0
        config.embeddingSize = -1
        #expect(throws: CharNNError.self) { try config.validate() }
        config.embeddingSize = 0
        config.ngrams = NgramOptions(buckets: 0)
        #expect(throws: CharNNError.self) { try config.validate() }
        config.ngrams = NgramOptions(minimum: 4, maximum: 5)
        #expect(throws: CharNNError.self) { try config.validate() }
        config.ngrams = NgramOptions(buckets: NgramBag.maxBuckets + 1)
        #expect(throws: CharNNError.self) { try config.validate() }
        var elman = ModelConfig(kind: .elman)
        elman.bidirectional = true
        #expect(throws: CharNNError.self) { try elman.validate() }
    }
}
