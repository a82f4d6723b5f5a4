import Testing

@testable import CharNN

/// int8 models (`Model.quantized()`): the per-row quantization, predictions close to the float
/// model's, checkpoint format 4 read back bit for bit, bad files and misuse refused; and the
/// forward-only pass's prepared weights (packed panels, input table) against the training pass.
@Suite struct QuantizationTests {
    static let labels = ["Zeta", "Éta", "Theta"]
    static let names = [
        "Mike", "Qin", "Ślusàrski", "O'Neil", "a", "Dostoevsky", "Nakamura", "Schmidt", "Abbascia", "Yi",
        "Rodriguez", "Kowalski", "Tanaka", "Smith", "Zhang", "Papadopoulos", "Nguyen", "Kim", "MacDonald", "Rossi",
    ]

    static let configs: [ModelConfig] = {
        func config(_ kind: ModelKind, _ change: (inout ModelConfig) -> Void = { _ in }) -> ModelConfig {
            var c = ModelConfig(kind: kind, hiddenSize: 40, layers: 2, seed: 3)
            change(&c)
            return c
        }
        return [
            config(.gru), config(.lstm),
            config(.gru) { $0.embeddingSize = 12 },
            config(.gru) { ($0.bidirectional, $0.pooling) = (true, .mean) },
            config(.lstm) { ($0.embeddingSize, $0.bidirectional, $0.pooling) = (9, true, .max) },
            config(.gru) { $0.ngrams = NgramOptions(buckets: 97, dimension: 8, minimum: 1, maximum: 3) },
            config(.gru) { ($0.hiddenSize, $0.layers) = (20, 1) },  // units not a multiple of 16
        ]
    }()

    @Test func rowsQuantizeToTheNearestStepOfTheirScale() {
        let w: [Float] = [0.5, -1.0, 0.25, 0.0, 0, 0, 0, 0, 3, 2.9, -0.01, 1.5]
        let q = w.withUnsafeBufferPointer { QuantizedMatrix(quantizing: $0.baseAddress!, rows: 3, cols: 4) }
        #expect(q.scales == [1.0 / 127, 0, 3.0 / 127])
        #expect(Array(q.values[0..<4]) == [64, -127, 32, 0])  // 63.5: ties go to even
        #expect(Array(q.values[4..<8]) == [0, 0, 0, 0])
        #expect(q.values[8] == 127 && q.values[9] == 123 && q.values[10] == 0 && q.values[11] == 64)
        for (x, y) in zip(w, q.dequantized) {
            #expect(abs(x - y) <= 3.0 / 127 / 2 * 1.0001)
        }
        #expect(!q.values.contains(-128))
    }

    /// The int8 model scores close to the float model it came from (activations and weights each
    /// off by at most half a step per row), and its batched and single predictions agree.
    @Test(arguments: configs)
    func quantizedModelPredictsCloseToTheFloatOne(config: ModelConfig) throws {
        let model = try Model(config: config, labels: Self.labels)
        let int8 = try model.quantized()
        #expect(int8.isQuantized && !model.isQuantized)
        #expect(int8.parameterCount == model.parameterCount)
        let batched = try int8.scoresForTest(Self.names)
        for (i, name) in Self.names.enumerated() {
            let float = try model.probabilities(name), quantized = try int8.probabilities(name)
            for (a, b) in zip(float, quantized) { #expect(abs(a - b) < 0.02, "\(name)") }
            for (a, b) in zip(quantized, batched[i]) { #expect(abs(a - b) < 1e-5, "\(name)") }
        }
    }

    @Test(arguments: configs)
    func checkpointIsFormat4AndReadsBackBitForBit(config: ModelConfig) throws {
        let float = try Model(config: config, labels: Self.labels)
        let model = try float.quantized()
        let bytes = try model.checkpointBytes()
        #expect(bytes.count == (try model.checkpointSize()))
        let file = try SafeTensors.parse(bytes, source: "q")
        #expect(file.metadata("format_version") == "4" && file.metadata("quantization") == "int8")
        #expect(!file.int8Tensors.isEmpty)
        #expect(file.int8Tensors.allSatisfy { file.tensor($0.name + "_scale") != nil })
        #expect(file.tensor("fc.weight") != nil && file.int8Tensor("fc.weight") == nil)

        let loaded = try Model.load(bytes: bytes)
        #expect(loaded.isQuantized && loaded.config == model.config)
        #expect(loaded.quantization == model.quantization)
        #expect(try loaded.checkpointBytes() == bytes)
        for name in Self.names { #expect(try loaded.probabilities(name) == model.probabilities(name)) }
        #expect(try loaded.predict(Self.names) == model.predict(Self.names))
    }

    /// About 4× smaller: the article's GRU shape (one-hot 57, hidden 256, 2 layers, 18 labels).
    @Test func theArticlesGRUIsAboutFourTimesSmaller() throws {
        let model = try Model(
            config: ModelConfig(kind: .gru, hiddenSize: 256, layers: 2), labels: (0..<18).map { "L\($0)" })
        let ratio = Double(try model.checkpointSize()) / Double(try model.quantized().checkpointSize())
        #expect(ratio > 3.5 && ratio < 4, "\(ratio)")
    }

    @Test func misuseIsRefusedClearly() throws {
        let elman = try Model(config: ModelConfig(kind: .elman, hiddenSize: 8), labels: Self.labels)
        #expect(
            throws: CharNNError.invalidArgument(
                "int8 quantization is for GRU and LSTM models; the Elman cell stays float")
        ) { try elman.quantized() }
        let int8 = try Model(config: ModelConfig(kind: .gru, hiddenSize: 8), labels: Self.labels).quantized()
        #expect(throws: CharNNError.invalidArgument("the model is already quantized")) { try int8.quantized() }
        let data = try NameDataset(names: ["abc", "xyz"], labels: [0, 1], labelNames: Self.labels)
        #expect(
            throws: CharNNError.invalidArgument(
                "a quantized model cannot be trained: train the float model, then quantize it")
        ) {
            try int8.train(on: data)
        }
    }

    /// A quantized checkpoint with a value or field out of its contract is refused, naming it.
    @Test func damagedQuantizedCheckpointsAreRefused() throws {
        let model = try Model(config: ModelConfig(kind: .gru, hiddenSize: 8), labels: Self.labels).quantized()
        let good = model.checkpoint()
        func refused(_ change: (inout SafeTensors) -> Void) -> String? {
            var file = good
            change(&file)
            do {
                _ = try Model.load(bytes: file.serialized(), source: "q")
                return nil
            } catch { return error.message }
        }
        let name = "gru.weight_hh_l0"
        let index = good.int8Tensors.firstIndex { $0.name == name }!
        #expect(refused { $0.int8Tensors[index].values[3] = -128 }?.contains("holds −128") == true)
        let scale = good.tensors.firstIndex { $0.name == name + "_scale" }!
        #expect(
            refused {
                $0.tensors[scale].tensor = try! Tensor(shape: Shape(24), scalars: [Float](repeating: -1, count: 24))
            }?
            .contains("negative") == true)
        #expect(refused { $0.tensors.remove(at: scale) }?.contains("tensors") == true)
        let kept = good.metadata.filter { $0.0 != "quantization" }
        #expect(refused { $0.metadata = kept + [("quantization", "int4")] }?.contains("'int8'") == true)
        #expect(refused { $0.metadata = kept }?.contains("quantization") == true)
        // An I8 tensor where the format keeps F32 (the head), and F32 where it keeps I8.
        #expect(
            refused {
                let fc = $0.tensors.firstIndex { $0.name == "fc.weight" }!
                let shape = $0.tensors[fc].tensor.shape
                $0.tensors.remove(at: fc)
                $0.int8Tensors.append(("fc.weight", shape, [Int8](repeating: 1, count: shape.count)))
            } != nil)
        #expect(
            refused {
                let (n, shape, values) = $0.int8Tensors.remove(at: index)
                $0.tensors.append((n, try! Tensor(shape: shape, scalars: values.map(Float.init))))
            }?.contains("I8") == true)
    }

    /// The forward-only pass (weights packed once, the first layer's input as a table) gives the
    /// training pass's logits: bit for bit from one-hot input, where both run the same kernels
    /// in the same order, and to rounding from an embedding (whose product is made once for the
    /// table instead of per batch).
    @Test(arguments: configs)
    func preparedForwardMatchesTheTrainingForward(config: ModelConfig) throws {
        let model = try Model(config: config, labels: Self.labels)
        var batch = SequenceBatch()
        let tokens = try Self.names.map { try model.encode($0)[...] }
        batch.fill(count: tokens.count) { tokens[$0] }
        let arena = Arena()
        let C = Self.labels.count
        let trained = arena.allocate(batch.size * C), inferred = arena.allocate(batch.size * C)
        _ = model.network.forward(
            batch, initialHidden: nil, arena: arena, logits: trained, training: true, dropout: nil)
        model.network.logits(batch, initialHidden: nil, arena: arena, into: inferred)
        for i in 0..<batch.size * C {
            if config.embeddingSize == 0 {
                #expect(trained[i] == inferred[i], "\(i)")
            } else {
                #expect(abs(trained[i] - inferred[i]) <= 1e-5 * max(1, abs(trained[i])), "\(i)")
            }
        }
    }

    /// Training drops the prepared weights: a prediction after more training reads the new weights.
    @Test func trainingRebuildsThePreparedWeights() throws {
        let model = try Model(config: ModelConfig(kind: .gru, hiddenSize: 16, layers: 2), labels: Self.labels)
        let before = try model.probabilities("Qin")  // builds them
        let data = try NameDataset(
            names: ["abc", "xyz", "qin", "mike"], labels: [0, 1, 2, 0], labelNames: Self.labels)
        var config = TrainingConfig()
        config.epochs = 3
        try model.train(on: data, config: config)
        let after = try model.probabilities("Qin")
        #expect(after != before)
        #expect(try Model.load(bytes: model.checkpointBytes()).probabilities("Qin") == after)
    }
}

extension Model {
    /// Batched probabilities, one row per name (what `predict(_:top:)` ranks).
    fileprivate func scoresForTest(_ names: [String]) throws -> [[Float]] {
        let tokens = try names.map { try encode($0)[...] }
        let flat = try reading { () throws(CharNNError) -> [Float] in try scores(tokens) }
        let C = labels.count
        return (0..<names.count).map { Array(flat[$0 * C..<($0 + 1) * C]) }
    }
}
