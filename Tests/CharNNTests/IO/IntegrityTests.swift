import Testing

@testable import CharNN

/// Issue 18: every checkpoint carries CRC-32C checksums of its header and of its data, and a
/// damaged byte anywhere in the file is refused.
@Suite struct IntegrityTests {
    @Test func crc32cMatchesKnownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720 (iSCSI), appendix B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        #expect(CRC32C.checksum(bytes[20...], continuing: CRC32C.checksum(bytes[..<20])) == CRC32C.checksum(bytes))
        #expect(CRC32C.hex(0xE306_9283) == "e3069283")
        #expect(CRC32C.hex(0x0000_00AB) == "000000ab")
    }

    func model() throws -> Model {
        try Model(config: ModelConfig(kind: .gru, hiddenSize: 4, layers: 1, seed: 3), labels: ["Arabic", "Czech"])
    }

    func loadError(_ bytes: [UInt8]) -> CharNNError? {
        do {
            _ = try Model.load(bytes: bytes, source: "flipped.safetensors")
            return nil
        } catch { return error }
    }

    @Test func savedCheckpointsCarryTheFieldsAndLoad() throws {
        let bytes = try model().checkpointBytes()
        #expect(bytes.count == (try model().checkpointSize()))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"integrity\":\"crc32c\""))
        #expect(text.contains("\"data_crc32c\":\""))
        #expect(text.contains("\"header_crc32c\":\""))
        let loaded = try Model.load(bytes: bytes)
        #expect(loaded.labels == ["Arabic", "Czech"])
        #expect(try loaded.checkpointBytes() == bytes)
        // Parsed, the fields are checked and dropped: the metadata is the model's own.
        let file = try SafeTensors.parse(bytes, source: "x")
        #expect(file.metadata("integrity") == nil && file.metadata("header_crc32c") == nil)
    }

    @Test func aRenamedLabelIsRefusedAsADamagedHeader() throws {
        var bytes = try model().checkpointBytes()
        let at = Array(String(decoding: bytes, as: UTF8.self).utf8).firstRange(of: Array("Arabic".utf8))!.lowerBound
        bytes[at + 5] = UInt8(ascii: "X")
        let error = try #require(loadError(bytes))
        #expect(error.kind == .invalidCheckpoint)
        #expect(error.message.contains("the header is damaged"), "\(error.message)")
    }

    @Test func aFlippedWeightIsRefusedAsDamagedWeights() throws {
        var bytes = try model().checkpointBytes()
        bytes[bytes.count - 3] ^= 0x01
        let error = try #require(loadError(bytes))
        #expect(error.kind == .invalidCheckpoint)
        #expect(error.message.contains("the weights are damaged"), "\(error.message)")
    }

    @Test func everySingleByteFlipIsRefused() throws {
        let bytes = try model().checkpointBytes()
        var generator = SplitMix(seed: 18)
        for _ in 0..<200 {
            var flipped = bytes
            let at = Int(generator.next() % UInt64(bytes.count))
            flipped[at] ^= UInt8(1 + generator.next() % 255)
            let error = loadError(flipped)
            #expect(error?.kind == .invalidCheckpoint, "a flip at byte \(at) of \(bytes.count) loaded")
        }
        // And every bit of the header, exhaustively.
        let headerEnd = 8 + (Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16)
        for at in 0..<headerEnd {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[at] ^= UInt8(1 << bit)
                #expect(loadError(flipped)?.kind == .invalidCheckpoint, "bit \(bit) of byte \(at) loaded")
            }
        }
    }

    @Test func incompleteOrUnknownIntegrityIsRefused() throws {
        let good = try model().checkpoint()
        let bytes = good.serialized()
        func replacing(_ from: String, _ to: String) -> [UInt8] {
            let text = String(decoding: bytes, as: UTF8.self)
            precondition(from.utf8.count == to.utf8.count)
            let range = Array(text.utf8).firstRange(of: Array(from.utf8))!
            var out = bytes
            out.replaceSubrange(range, with: Array(to.utf8))
            return out
        }
        // A damaged key: the other two fields remain.
        let renamedKey = try #require(loadError(replacing("\"integrity\"", "\"integritx\"")))
        #expect(renamedKey.message.contains("the header is damaged"), "\(renamedKey.message)")
        // An unknown algorithm in a file whose header checksum is right (a future charnn's).
        var future = good
        future.metadata.append(("integrity", "xxhash"))
        let unknown = try #require(loadError(serializedKeepingAlgorithm(future)))
        #expect(unknown.message.contains("unknown integrity algorithm 'xxhash'"), "\(unknown.message)")
    }

    /// `file` serialized with the integrity fields, `integrity` set to what the metadata says
    /// and the header checksum recomputed over it.
    func serializedKeepingAlgorithm(_ file: SafeTensors) -> [UInt8] {
        let algorithm = file.metadata("integrity")!
        var out = file.serialized()
        let text = Array(String(decoding: out, as: UTF8.self).utf8)
        let range = text.firstRange(of: Array("\"integrity\":\"crc32c\"".utf8))!
        let replacement = Array("\"integrity\":\"\(algorithm)\"".utf8)
        precondition(replacement.count == range.count)
        out.replaceSubrange(range, with: replacement)
        let headerEnd = 8 + (Int(out[0]) | Int(out[1]) << 8 | Int(out[2]) << 16)
        let at = SafeTensors.headerChecksumValueOffset(out, headerEnd: headerEnd)!
        out.replaceSubrange(at..<(at + 8), with: SafeTensors.headerChecksumPlaceholder)
        out.replaceSubrange(at..<(at + 8), with: Array(CRC32C.hex(CRC32C.checksum(out[..<headerEnd])).utf8))
        return out
    }

    @Test func checkpointsWithoutTheFieldsStillLoad() throws {
        let old = try model().checkpoint().serialized(integrity: false)
        let loaded = try Model.load(bytes: old)
        #expect(loaded.labels == ["Arabic", "Czech"])
    }
}

/// A small seeded generator for the flips.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
