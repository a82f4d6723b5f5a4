import Testing
@testable import CharNN

@Suite struct CheckpointTests {
    func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        let dir = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeDirectory(dir) }
        try body(dir)
    }

    func expectCheckpointError(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation)
    {
        do {
            _ = try Model.load(bytes: bytes, source: "bad.safetensors")
            Issue.record("expected a checkpoint error containing '\(fragment)'", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == .invalidCheckpoint, "\(error.message)", sourceLocation: sourceLocation)
            #expect(
                error.message.contains(fragment), "'\(error.message)' lacks '\(fragment)'",
                sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [ModelKind.elman, .gru, .lstm])
    func roundTripPredictsExactlyTheSame(kind: ModelKind) throws {
        try withTemporaryDirectory { dir in
            let model = try Model(
                config: ModelConfig(kind: kind, hiddenSize: 12, seed: 5), labels: ["Zeta", "Éta", "Theta"])
            let path = dir + "/model.safetensors"
            try model.save(to: path)
            let loaded = try Model.load(from: path)
            #expect(loaded.config == model.config)
            #expect(loaded.labels == model.labels)
            #expect(loaded.alphabet == model.alphabet)
            for (a, b) in zip(model.parameters, loaded.parameters) {
                #expect(a.name == b.name)
                #expect(a.value == b.value)
            }
            for name in ["Mike", "Qin", "Ślusàrski", "O'Neil"] {
                #expect(try model.probabilities(name) == loaded.probabilities(name))
            }
            // Saving again over the same path replaces the file and leaves no temporary behind.
            try loaded.save(to: path)
            #expect(try FileSystem.listDirectory(dir) == ["model.safetensors"])
        }
    }

    /// A GRU written by PyTorch (`safetensors.torch.save_file`) loads and predicts what
    /// PyTorch predicted.
    @Test func readsAPyTorchCheckpoint() throws {
        let model = try Model.load(from: TestSupport.fixture("torch_gru_checkpoint.safetensors"))
        let f = try TorchFixture("gru_checkpoint")
        #expect(model.labels == ["Alpha", "Beta", "Gamma"])
        #expect(model.config.kind == .gru && model.config.hiddenSize == 6 && model.config.layers == 2)
        let names = try #require(f.object["names"] as? [String])
        let expected = try #require(f.object["probabilities"] as? [[String: Any]]).map(TorchFixture.tensor)
        for (name, probabilities) in zip(names, expected) {
            expectClose(Tensor([3], try model.probabilities(name)), probabilities, tolerance: 1e-6, name)
        }
    }

    @Test func saveErrorsLeaveTheOldFile() throws {
        try withTemporaryDirectory { dir in
            let model = try Model(config: ModelConfig(kind: .elman, hiddenSize: 4), labels: ["A", "B"])
            #expect(throws: CharNNError.self) { try model.save(to: dir + "/missing/dir/model.safetensors") }
            #expect(throws: CharNNError.self) { try model.save(to: "") }
            let path = dir + "/m.safetensors"
            try model.save(to: path)
            let before = try FileSystem.readFile(path)
            // A directory where the file should go: the rename fails, the directory stays.
            try TestSupport.makeDirectory(dir + "/taken.safetensors")
            #expect(throws: CharNNError.self) { try model.save(to: dir + "/taken.safetensors") }
            #expect(try FileSystem.readFile(path) == before)
            #expect(try FileSystem.listDirectory(dir).sorted() == ["m.safetensors", "taken.safetensors"])
        }
    }

    @Test func missingAndNonFiles() throws {
        #expect(throws: CharNNError.self) { try Model.load(from: "/no/such/model.safetensors") }
        #expect(throws: CharNNError.self) { try Model.load(from: "/tmp") }
        #expect(throws: CharNNError.self) { try Model.load(from: "") }
    }

    /// A corpus of broken checkpoints, each refused with a message naming the problem.
    @Test func corruptedCheckpointsAreRefusedClearly() throws {
        let model = try Model(config: ModelConfig(kind: .gru, hiddenSize: 3, layers: 1), labels: ["A", "B"])
        let good = model.checkpoint()
        // Without the integrity fields: the header is forged by hand below, and each forgery must
        // reach the check it is about rather than the checksum.
        let bytes = good.serialized(integrity: false)

        expectCheckpointError([], "too short")
        expectCheckpointError(Array(bytes.prefix(5)), "too short")
        expectCheckpointError(Array(bytes.prefix(40)), "does not fit")
        expectCheckpointError(Array(bytes.dropLast(4)), "truncated")
        expectCheckpointError(bytes + [0, 0, 0, 0], "after the last tensor")
        var hugeHeader = bytes
        for i in 0..<8 { hugeHeader[i] = 0xFF }
        expectCheckpointError(hugeHeader, "over the format's limit")
        var notJSON = bytes
        notJSON[8] = UInt8(ascii: "[")
        expectCheckpointError(notJSON, "not a JSON object")

        func edited(_ edit: (inout SafeTensors) -> Void) -> [UInt8] {
            var file = good
            edit(&file)
            return file.serialized()
        }
        func setMeta(_ key: String, _ value: String?) -> [UInt8] {
            edited { file in
                file.metadata.removeAll { $0.0 == key }
                if let value { file.metadata.append((key, value)) }
            }
        }
        expectCheckpointError(setMeta("format", nil), "no 'format'")
        expectCheckpointError(setMeta("format", "other"), "not 'charnn'")
        expectCheckpointError(setMeta("format_version", "5"), "format version 5")
        expectCheckpointError(setMeta("format_version", "2"), "no 'alphabet'")
        expectCheckpointError(setMeta("model_kind", "transformer"), "unknown model_kind")
        expectCheckpointError(setMeta("hidden_size", "-3"), "hidden_size")
        expectCheckpointError(setMeta("hidden_size", "4"), "has shape")
        expectCheckpointError(setMeta("hidden_size", "100000"), "hidden size 100000")
        expectCheckpointError(setMeta("num_layers", "2"), "tensors")
        expectCheckpointError(setMeta("labels", "[\"A\"]"), "num_classes")
        expectCheckpointError(setMeta("labels", "{"), "labels")
        expectCheckpointError(setMeta("labels", "[\"A\", \"A\"]"), "appears twice")
        expectCheckpointError(setMeta("vocabulary", "abc"), "input_size")
        expectCheckpointError(setMeta("vocabulary", "aab"), "vocabulary")
        expectCheckpointError(edited { $0.tensors.removeLast() }, "tensors")
        expectCheckpointError(edited { $0.tensors[0].name = "gru.weight_xx_l0" }, "missing tensor 'gru.weight_ih_l0'")
        expectCheckpointError(edited { $0.tensors[1].tensor.scalars[0] = .nan }, "NaN")
        expectCheckpointError(edited { $0.tensors[2].tensor = .zeros(Shape(2, 2)) }, "has shape")

        // Header fields of the wrong type, rewritten by hand.
        func rewriteHeader(_ from: String, _ to: String) -> [UInt8] {
            let headerSize = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
            var header = String(decoding: bytes[8..<(8 + headerSize)], as: UTF8.self)
            header = header.replacingOccurrences(of: from, with: to)
            var out: [UInt8] = []
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            return out + Array(header.utf8) + bytes[(8 + headerSize)...]
        }
        expectCheckpointError(rewriteHeader("\"F32\"", "\"F16\""), "dtype F16")
        expectCheckpointError(rewriteHeader("\"dtype\"", "\"dtypo\""), "no dtype")
        expectCheckpointError(rewriteHeader("\"shape\":[9,", "\"shape\":[-9,"), "dimension")
        expectCheckpointError(rewriteHeader("\"data_offsets\":[0,", "\"data_offsets\":[4,"), "bytes")
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = "", rest = self[...]
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
