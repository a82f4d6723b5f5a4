import Testing
@testable import CharNN

/// Checkpoint format 3: the GRU/LSTM options (embedding, bidirectional, pooling, dropout, the
/// n-gram bag) in the metadata, read back into the same model; bad values refused by name; and
/// models without options still written as formats 1 and 2, as 0.2.0 wrote them.
@Suite struct OptionsCheckpointTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var kind: ModelKind
        var embedding = 0
        var bidirectional = false
        var layers = 1
        var pooling = Pooling.last
        var dropout: Float = 0
        var ngrams: NgramOptions? = nil

        var testDescription: String {
            "\(kind) emb \(embedding) bi \(bidirectional) L\(layers) \(pooling) p \(dropout)"
                + (ngrams.map { " ngrams \($0.buckets)" } ?? "")
        }

        var config: ModelConfig {
            var c = ModelConfig(kind: kind, hiddenSize: 6, layers: layers, seed: 9)
            (c.embeddingSize, c.bidirectional, c.pooling, c.dropout, c.ngrams) = (
                embedding, bidirectional, pooling, dropout, ngrams
            )
            return c
        }
    }

    static let cases: [Case] = [
        Case(kind: .gru, bidirectional: true),
        Case(kind: .lstm, bidirectional: true, layers: 2),
        Case(kind: .gru, embedding: 5),
        Case(kind: .lstm, pooling: .mean),
        Case(kind: .gru, pooling: .max),
        Case(kind: .gru, layers: 2, dropout: 0.3),
        Case(kind: .lstm, ngrams: NgramOptions(buckets: 97, dimension: 4, minimum: 2, maximum: 4)),
        Case(
            kind: .gru, embedding: 7, bidirectional: true, layers: 2, pooling: .max, dropout: 0.1,
            ngrams: NgramOptions(buckets: 256, dimension: 8, minimum: 1, maximum: 5)),
    ]

    static let labels = ["Zeta", "Éta", "Theta"]
    static let names = ["Mike", "Qin", "Ślusàrski", "O'Neil", "a"]

    func logits(_ model: Model, _ name: String) throws -> Tensor {
        try model.network.graphLogits(Graph(), tokens: model.encode(name).map(Int.init), initialHidden: nil).value
    }

    /// The names and shapes a checkpoint must hold (`ModelConfig.parameterShapes`, from each
    /// layer's `parameterShapes`) are exactly the parameters the layers make, in order: for every
    /// option case, the Elman cell, both kinds' defaults and the n-gram bag alone.
    @Test func describedParametersAreTheOnesMade() throws {
        var configs = Self.cases.map(\.config)
        configs += [
            ModelConfig(kind: .elman, hiddenSize: 5), ModelConfig(kind: .gru, hiddenSize: 4),
            ModelConfig(kind: .lstm, hiddenSize: 4, layers: 3),
        ]
        var bag = ModelConfig(kind: .gru, hiddenSize: 0, layers: 1)
        bag.ngrams = NgramOptions(buckets: 33, dimension: 3)
        configs.append(bag)
        for config in configs {
            let model = try Model(config: config, labels: Self.labels)
            let made = model.parameters.map { "\($0.name) \($0.shape.dims)" }
            let described = config.parameterShapes(inputSize: model.alphabet.count, classes: Self.labels.count)
                .map { "\($0.0) \($0.1.dims)" }
            #expect(made == described, "\(config)")
            #expect(
                model.parameters.reduce(0) { $0 + $1.count }
                    == config.parameterCount(inputSize: model.alphabet.count, classes: Self.labels.count))
        }
    }

    @Test(arguments: cases)
    func roundTripIsFormat3AndPredictsTheSame(c: Case) throws {
        let dir = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeDirectory(dir) }
        let model = try Model(config: c.config, labels: Self.labels)
        let path = dir + "/options.safetensors"
        try model.save(to: path)

        let file = try SafeTensors.parse(try FileSystem.readFile(path), source: "options")
        #expect(file.metadata("format_version") == "3")
        #expect(file.metadata("embedding_size") == String(c.embedding))
        #expect(file.metadata("bidirectional") == (c.bidirectional ? "true" : "false"))
        #expect(file.metadata("pooling") == c.pooling.rawValue)
        #expect(file.metadata("dropout").flatMap(Float.init) == c.dropout)
        if let ngrams = c.ngrams {
            #expect(file.metadata("ngram_buckets") == String(ngrams.buckets))
            #expect(file.metadata("ngram_dim") == String(ngrams.dimension))
            #expect(file.metadata("ngram_min") == String(ngrams.minimum))
            #expect(file.metadata("ngram_max") == String(ngrams.maximum))
        } else {
            #expect(["ngram_buckets", "ngram_dim", "ngram_min", "ngram_max"].allSatisfy { file.metadata($0) == nil })
        }

        let loaded = try Model.load(from: path)
        #expect(loaded.config == model.config)
        #expect(loaded.labels == model.labels && loaded.alphabet == model.alphabet)
        #expect(loaded.parameters.map(\.name) == model.parameters.map(\.name))
        for (a, b) in zip(model.parameters, loaded.parameters) { #expect(a.value == b.value, "\(a.name)") }
        for name in Self.names {
            #expect(try logits(loaded, name) == logits(model, name), "\(name)")
            #expect(try loaded.probabilities(name) == model.probabilities(name), "\(name)")
        }
        #expect(try loaded.predict(Self.names) == model.predict(Self.names))
        // And from memory, the same.
        let again = try Model.load(bytes: try FileSystem.readFile(path))
        #expect(again.config == model.config)
    }

    /// A model without the options keeps the format 0.2.0 wrote: 1 for the article's alphabet, 2
    /// for another, and none of the format-3 keys.
    @Test(arguments: [ModelKind.elman, .gru, .lstm])
    func modelsWithoutOptionsKeepFormats1And2(kind: ModelKind) throws {
        let plain = try Model(config: ModelConfig(kind: kind, hiddenSize: 5), labels: Self.labels)
        let file = plain.checkpoint()
        #expect(file.metadata("format_version") == "1")
        let format3Keys = [
            "embedding_size", "bidirectional", "pooling", "dropout", "ngram_buckets", "ngram_dim",
            "ngram_min", "ngram_max",
        ]
        #expect(format3Keys.allSatisfy { file.metadata($0) == nil })

        let learned = try Alphabet(
            learningFrom: ["abc", "xyz"],
            normalization: TextNormalization(form: .nfc, caseFold: false, transliterate: false))
        let other = try Model(config: ModelConfig(kind: kind, hiddenSize: 5), labels: Self.labels, alphabet: learned)
        let file2 = other.checkpoint()
        #expect(file2.metadata("format_version") == "2")
        #expect(format3Keys.allSatisfy { file2.metadata($0) == nil })
    }

    /// A format-3 file with a bad option value: refused with a message naming the field.
    @Test func badOptionValuesAreRefusedClearly() throws {
        let model = try Model(config: Self.cases.last!.config, labels: Self.labels)
        let good = model.checkpoint()
        func setMeta(_ key: String, _ value: String?) -> [UInt8] {
            var file = good
            file.metadata.removeAll { $0.0 == key }
            if let value { file.metadata.append((key, value)) }
            return file.serialized()
        }
        func expectError(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                _ = try Model.load(bytes: bytes, source: "bad.safetensors")
                Issue.record("expected a checkpoint error containing '\(fragment)'", sourceLocation: sourceLocation)
            } catch {
                #expect(error.kind == .invalidCheckpoint, "\(error.message)", sourceLocation: sourceLocation)
                #expect(error.message.contains("'bad.safetensors'"), "\(error.message)", sourceLocation: sourceLocation)
                #expect(
                    error.message.contains(fragment), "'\(error.message)' lacks '\(fragment)'",
                    sourceLocation: sourceLocation)
            }
        }
        // The file as written loads.
        #expect(try Model.load(bytes: good.serialized()).config == model.config)

        expectError(setMeta("pooling", "diagonal"), "metadata 'pooling' is not one of [\"last\", \"mean\", \"max\"]")
        expectError(setMeta("pooling", nil), "metadata has no 'pooling'")
        expectError(setMeta("bidirectional", "yes"), "metadata 'bidirectional' is not true or false")
        expectError(setMeta("bidirectional", "1"), "metadata 'bidirectional' is not true or false")
        expectError(setMeta("bidirectional", nil), "metadata has no 'bidirectional'")
        expectError(setMeta("dropout", "lots"), "metadata 'dropout' is not a number")
        expectError(setMeta("dropout", "1"), "dropout 1.0 is not in [0, 1)")
        expectError(setMeta("dropout", "-0.5"), "dropout -0.5 is not in [0, 1)")
        expectError(setMeta("dropout", "nan"), "is not in [0, 1)")
        expectError(setMeta("dropout", "inf"), "is not in [0, 1)")
        expectError(setMeta("dropout", nil), "metadata has no 'dropout'")
        expectError(setMeta("embedding_size", "-1"), "metadata 'embedding_size' is not a non-negative integer")
        expectError(setMeta("embedding_size", "5000"), "embedding size 5000 is not in 0...4096")
        expectError(setMeta("embedding_size", "6"), "has shape")
        expectError(setMeta("ngram_min", "4"), "n-gram lengths 4...5")
        expectError(setMeta("ngram_max", "9"), "n-gram lengths 1...9")
        expectError(setMeta("ngram_buckets", "0"), "n-gram buckets 0")
        expectError(setMeta("ngram_dim", nil), "metadata has no 'ngram_dim'")
        // Without its bag metadata the file's ngrams.weight is one tensor too many.
        expectError(setMeta("ngram_buckets", nil), "tensors")
        // An earlier format ignores the option keys, so the tensors do not match what it describes.
        expectError(setMeta("format_version", "2"), "tensors")
        // The Elman cell has no options, even in a format-3 file.
        let learned = try Alphabet(learningFrom: ["abc", "xyz"], normalization: TextNormalization(form: .nfc))
        let elman = try Model(config: ModelConfig(kind: .elman, hiddenSize: 4), labels: Self.labels, alphabet: learned)
            .checkpoint()
        #expect(elman.metadata("format_version") == "2")
        var forged = elman
        forged.metadata[1].1 = "3"
        forged.metadata += [("embedding_size", "0"), ("bidirectional", "true"), ("pooling", "last"), ("dropout", "0")]
        expectError(forged.serialized(), "the Elman cell is the article's")
        // ... and a format-3 file whose options are all the defaults reads as the plain model.
        var plain = elman
        plain.metadata[1].1 = "3"
        plain.metadata += [("embedding_size", "0"), ("bidirectional", "false"), ("pooling", "last"), ("dropout", "0")]
        #expect(try Model.load(bytes: plain.serialized()).config.isClassicShape)
    }
}
