/// The symbols a model reads, each with a fixed index, and how raw text becomes them. A value
/// type; checkpoints store it, so a model always encodes text exactly as it was trained.
///
/// - `article`: the article's `ascii_letters + " .,:;-'"` (59 symbols: 'a' → 0, 'A' → 26,
///   ' ' → 52) after transliteration; no `<unk>`: a data set skips a text with another
///   character, prediction drops the character (0.1.0's behaviour).
/// - `learned` and `explicit`: any Unicode scalars, then `<unk>` (the last index), which every
///   other character becomes.
public struct Alphabet: Sendable {
    /// The most symbols an alphabet holds, `<unk>` included (token indices are 16-bit).
    public static let maxSize = 65_535
    /// How `<unk>` is shown.
    public static let unknownSymbol = "<unk>"

    /// Where the symbols come from: the article's 59 (`article`), learned from training data
    /// (`learned`), or given (`explicit`).
    public enum Kind: String, Sendable, CaseIterable { case article, learned, explicit }

    /// Where the symbols come from.
    public let kind: Kind
    /// The symbols in index order, without `<unk>`.
    public let symbols: [Unicode.Scalar]
    /// How text is normalised before it is read.
    public let normalization: TextNormalization
    /// index of an ASCII scalar, or -1.
    private let asciiIndex: [Int32]
    private let otherIndex: [UInt32: UInt16]

    /// The article's 59 symbols.
    public static let articleSymbols = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'"
    /// The article's alphabet and text path (0.1.0's vocabulary).
    public static let article = try! Alphabet(kind: .article, symbols: articleSymbols, normalization: .article)

    /// The article's symbols with another normalisation.
    /// - Parameter normalization: How text is normalised before it is read.
    public static func article(normalization: TextNormalization) -> Alphabet {
        normalization == .article
            ? article
            : try! Alphabet(kind: .article, symbols: articleSymbols, normalization: normalization)
    }

    /// An alphabet of the given symbols in that order, each scalar once (`<unk>` follows unless
    /// the kind is `article`). Throws `.invalidArgument` for no symbols, a repeat, a NUL or too many.
    init(kind: Kind, symbols: String, normalization: TextNormalization) throws(CharNNError) {
        try self.init(kind: kind, scalars: Array(symbols.unicodeScalars), normalization: normalization)
    }

    init(kind: Kind, scalars: [Unicode.Scalar], normalization: TextNormalization) throws(CharNNError) {
        guard !scalars.isEmpty || kind == .learned else {
            throw .invalidArgument("an alphabet needs at least one symbol")
        }
        let limit = kind == .article ? Self.maxSize : Self.maxSize - 1
        guard scalars.count <= limit else {
            throw .invalidArgument("\(scalars.count) symbols; an alphabet holds at most \(limit)")
        }
        var ascii = [Int32](repeating: -1, count: 128)
        var other: [UInt32: UInt16] = [:]
        for (position, scalar) in scalars.enumerated() {
            guard scalar.value != 0 else { throw .invalidArgument("alphabet symbol \(position) is NUL") }
            let isNew: Bool
            if scalar.isASCII {
                isNew = ascii[Int(scalar.value)] < 0
                ascii[Int(scalar.value)] = Int32(position)
            } else {
                isNew = other.updateValue(UInt16(position), forKey: scalar.value) == nil
            }
            guard isNew else { throw .invalidArgument("alphabet symbol \(Self.show(scalar)) appears twice") }
        }
        self.kind = kind
        self.symbols = scalars
        self.normalization = normalization
        asciiIndex = ascii
        otherIndex = other
    }

    /// An explicit alphabet: the scalars of `symbols`, in that order, then `<unk>`.
    /// - Parameters:
    ///   - symbols: Each Unicode scalar once.
    ///   - normalization: How text is normalised before it is read.
    /// - Throws: `.invalidArgument` for no symbols, a repeat, a NUL or more than `maxSize` − 1.
    public init(explicit symbols: String, normalization: TextNormalization) throws(CharNNError) {
        try self.init(kind: .explicit, symbols: symbols, normalization: normalization)
    }

    /// An alphabet learned from `texts`: every scalar (as `normalization` leaves it) seen at
    /// least `minCount` times, the most frequent first, ties by code point, capped at
    /// `maxSymbols`; then `<unk>`. The order depends only on the counts, never on hashing.
    /// - Parameters:
    ///   - texts: The training texts.
    ///   - minCount: The fewest occurrences a scalar needs to be kept.
    ///   - maxSymbols: The most symbols kept (nil: no cap below `maxSize` − 1).
    ///   - normalization: How text is normalised before it is counted and read.
    /// - Complexity: O(total size of `texts`) plus sorting the distinct scalars.
    public init<Texts: Sequence>(
        learningFrom texts: Texts, minCount: Int = 1, maxSymbols: Int? = nil,
        normalization: TextNormalization
    ) where Texts.Element == String {
        var counts: [UInt32: Int] = [:]
        var asciiCounts = [Int](repeating: 0, count: 128)
        for text in texts {
            Self.forEachScalar(of: text, normalization) { scalar in
                guard let scalar, scalar.value != 0 else { return }
                if scalar.isASCII { asciiCounts[Int(scalar.value)] += 1 } else { counts[scalar.value, default: 0] += 1 }
            }
        }
        for (value, n) in asciiCounts.enumerated() where n > 0 { counts[UInt32(value)] = n }
        var kept = counts.filter { $0.value >= max(1, minCount) }.sorted {
            $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
        }
        kept = Array(kept.prefix(min(maxSymbols ?? Int.max, Self.maxSize - 1)))
        try! self.init(kind: .learned, scalars: kept.map { Unicode.Scalar($0.key)! }, normalization: normalization)
    }

    /// Symbols including `<unk>`: the model's input size.
    public var count: Int { symbols.count + (hasUnknown ? 1 : 0) }
    /// Whether the alphabet has `<unk>` (every kind but `article`).
    public var hasUnknown: Bool { kind != .article }
    /// `<unk>`'s index, the last one; nil for the article's alphabet.
    public var unknownIndex: Int? { hasUnknown ? symbols.count : nil }
    /// The symbols as one string, in index order, without `<unk>`.
    public var string: String { var s = ""; s.unicodeScalars.append(contentsOf: symbols); return s }

    /// The index of a scalar, or nil when the alphabet lacks it.
    @inline(__always)
    func index(of scalar: Unicode.Scalar) -> Int? {
        if scalar.isASCII {
            let i = asciiIndex[Int(scalar.value)]
            return i >= 0 ? Int(i) : nil
        }
        return otherIndex[scalar.value].map(Int.init)
    }

    /// The symbol at `index` for display (`<unk>` for the last index of a learned alphabet).
    func symbol(at index: Int) -> String {
        index == unknownIndex ? Self.unknownSymbol : String(Character(symbols[index]))
    }

    static func show(_ scalar: Unicode.Scalar) -> String {
        scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value)
            ? "'\(scalar)'" : "U+\(String(scalar.value, radix: 16, uppercase: true))"
    }
}

extension Alphabet: Equatable {
    /// Two alphabets are equal when they encode every text the same way: same kind, symbols and
    /// normalisation.
    public static func == (a: Alphabet, b: Alphabet) -> Bool {
        a.kind == b.kind && a.symbols == b.symbols && a.normalization == b.normalization
    }
}

// MARK: Encoding

extension Alphabet {
    /// What encoding one text met besides its tokens.
    package struct EncodingCounts: Sendable, Equatable {
        /// Characters the alphabet lacks (after normalisation): `<unk>`, or dropped by `article`.
        package var unknown = 0
        /// Of those, characters that have no ASCII transliteration (transliteration on).
        package var untransliterable = 0
        /// The first character the alphabet lacks (nil for one without a transliteration).
        package var firstUnknown: Unicode.Scalar?
    }

    /// Appends the tokens of `text` to `tokens`: normalised, folded, transliterated, then each
    /// scalar's index. A character the alphabet lacks becomes `<unk>`, or is left out by the
    /// article's alphabet; either way it is counted.
    @discardableResult
    func encode(_ text: String, appendingTo tokens: inout [UInt16]) -> EncodingCounts {
        var counts = EncodingCounts()
        Self.forEachScalar(of: text, normalization) { append($0, to: &tokens, &counts) }
        return counts
    }

    /// One scalar as read (nil: no transliteration) to its token, or counted as unknown.
    @inline(__always)
    private func append(_ scalar: Unicode.Scalar?, to tokens: inout [UInt16], _ counts: inout EncodingCounts) {
        if let scalar, let i = index(of: scalar) {
            tokens.append(UInt16(i))
            return
        }
        counts.unknown += 1
        if let scalar {
            if counts.firstUnknown == nil { counts.firstUnknown = scalar }
        } else {
            counts.untransliterable += 1
        }
        if let unknown = unknownIndex { tokens.append(UInt16(unknown)) }
    }

    /// Why a data set cannot use a text this alphabet encoded to `tokenCount` tokens meeting
    /// `counts`, or nil: the one rule for loading, splitting and re-encoding data.
    func problem(with counts: EncodingCounts, tokenCount: Int) -> SkipReason? {
        if !hasUnknown && counts.untransliterable > 0 { return .noTransliteration }
        if !hasUnknown, let first = counts.firstUnknown { return .outOfVocabulary(first) }
        if tokenCount == 0 { return normalization.transliterate ? .noTransliteration : .nothingToRead }
        if tokenCount > NameDataset.maxSymbols { return .tooManySymbols(tokenCount) }
        return nil
    }

    /// The tokens of `text` alone.
    package func encode(_ text: String) -> (tokens: [UInt16], counts: EncodingCounts) {
        var tokens: [UInt16] = []
        let counts = encode(text, appendingTo: &tokens)
        return (tokens, counts)
    }

    /// `encode(_:appendingTo:)` on UTF-8 bytes (a data set's stored text): ASCII is read in
    /// place, anything else through a String.
    @discardableResult
    func encode(utf8 bytes: UnsafeBufferPointer<UInt8>, appendingTo tokens: inout [UInt16]) -> EncodingCounts {
        var any: UInt8 = 0
        for byte in bytes { any |= byte }
        if any < 0x80 {
            var counts = EncodingCounts()
            Self.forEachASCII(bytes, normalization) { append($0, to: &tokens, &counts) }
            return counts
        }
        return encode(String(decoding: bytes, as: UTF8.self), appendingTo: &tokens)
    }

    /// Calls `body` with every scalar of `text` as the alphabet reads it, in order: nil for a
    /// character without a transliteration when transliteration is on.
    @inline(__always)
    static func forEachScalar(of text: String, _ normalization: TextNormalization, _ body: (Unicode.Scalar?) -> Void) {
        if UnicodeNormalization.isKnownASCII(text) {
            var text = text
            text.withUTF8 { forEachASCII($0, normalization, body) }
            return
        }
        let prepared = normalization.prepared(text)
        guard normalization.transliterate else {
            for scalar in prepared.unicodeScalars { body(scalar) }
            return
        }
        for scalar in prepared.unicodeScalars {
            // Folding applies to what transliteration writes too ('Ж' → "Zh" → "zh").
            let spelled = Transliteration.spell(scalar) { forEachASCII($0, normalization, body) }
            if !spelled { body(nil) }
        }
    }

    /// ASCII needs no normalisation or transliteration; folding it is lowercasing.
    @inline(__always)
    static func forEachASCII(
        _ bytes: UnsafeBufferPointer<UInt8>, _ normalization: TextNormalization,
        _ body: (Unicode.Scalar?) -> Void
    ) {
        for byte in bytes {
            body(Unicode.Scalar(normalization.caseFold && byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte))
        }
    }
}
