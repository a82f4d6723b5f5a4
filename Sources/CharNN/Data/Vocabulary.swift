/// The symbols a model reads, each with a fixed index: the article's `ascii_letters + " .,:;-'"`
/// (59 symbols: 'a' → 0, 'A' → 26, ' ' → 52). A value type; checkpoints store it, so a model
/// always encodes names exactly as it was trained.
public struct Vocabulary: Equatable, Sendable {
    /// The symbols in index order, as ASCII bytes.
    public let symbols: [UInt8]
    /// index[byte] = position in `symbols`, or -1.
    private let index: [Int16]

    /// The article's 59-symbol vocabulary.
    public static let standard = try! Vocabulary(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'")

    /// A vocabulary of distinct printable ASCII symbols (space included), in index order.
    public init(_ symbols: String) throws(CharNNError) {
        var index = [Int16](repeating: -1, count: 128)
        let bytes = Array(symbols.utf8)
        guard !bytes.isEmpty else { throw .invalidArgument("a vocabulary needs at least one symbol") }
        for (position, byte) in bytes.enumerated() {
            guard byte >= 0x20 && byte < 0x7F else {
                throw .invalidArgument("vocabulary symbol \(position) is not printable ASCII")
            }
            guard index[Int(byte)] < 0 else {
                throw .invalidArgument("vocabulary symbol '\(Character(Unicode.Scalar(byte)))' appears twice")
            }
            index[Int(byte)] = Int16(position)
        }
        self.symbols = bytes
        self.index = index
    }

    public var count: Int { symbols.count }
    public var string: String { String(decoding: symbols, as: UTF8.self) }

    /// The index of an ASCII byte, or nil when it is not in the vocabulary.
    @inline(__always)
    public func index(of byte: UInt8) -> Int? {
        byte < 128 && index[Int(byte)] >= 0 ? Int(index[Int(byte)]) : nil
    }

    /// The indices of an ASCII string's bytes, or the first byte that is not in the vocabulary.
    public func encode(ascii: String) -> Result<[UInt8], OutOfVocabulary> {
        var tokens: [UInt8] = []
        tokens.reserveCapacity(ascii.utf8.count)
        for byte in ascii.utf8 {
            guard let i = index(of: byte) else { return .failure(OutOfVocabulary(byte: byte)) }
            tokens.append(UInt8(i))
        }
        return .success(tokens)
    }

    /// Transliterates raw Unicode text and encodes it: the path every name takes into a model.
    public func encode(_ text: String) -> Result<[UInt8], EncodingFailure> {
        guard let ascii = Transliteration.toASCII(text) else { return .failure(.noTransliteration) }
        switch encode(ascii: ascii) {
        case .success(let tokens): return .success(tokens)
        case .failure(let bad): return .failure(.outOfVocabulary(bad.byte))
        }
    }

    public struct OutOfVocabulary: Error, Sendable { public let byte: UInt8 }

    /// Why a name cannot be encoded.
    public enum EncodingFailure: Error, Equatable, Sendable, CustomStringConvertible {
        /// A character has no ASCII transliteration.
        case noTransliteration
        /// After transliteration, this ASCII byte is not a symbol of the vocabulary.
        case outOfVocabulary(UInt8)

        public var description: String {
            switch self {
            case .noTransliteration: return "a character has no ASCII transliteration"
            case .outOfVocabulary(let byte):
                let shown = byte >= 0x20 && byte < 0x7F
                    ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
                return "\(shown) is not in the vocabulary"
            }
        }
    }
}
