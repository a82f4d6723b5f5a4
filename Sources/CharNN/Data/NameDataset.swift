/// Texts with their labels and the alphabet that reads them: the data every trainer, evaluator
/// and split works on. A value type. Stored compactly: the texts back to back as UTF-8 in one
/// store that splits and subsets share (they hold row numbers into it), and no token arrays:
/// a text is encoded when a batch needs it (a fraction of a microsecond, against milliseconds
/// of training per batch), so a million short rows take about as much memory as their file.
public struct NameDataset: Sendable {
    /// Label names in index order (a directory's file names without `.txt`, or the distinct
    /// labels of a file or list, sorted bytewise).
    public let labelNames: [String]
    /// How the texts are read.
    public let alphabet: Alphabet
    /// What the alphabet was made from; a split relearns a learned alphabet from its train part.
    public let textConfig: TextConfig
    /// Every text of the load this data set came from.
    let store: TextStore
    /// This data set's examples as rows of `store`; nil: all of them, in order.
    private(set) var rows: [UInt32]?
    /// The label index of each example.
    public private(set) var labels: [Int32]
    /// Rows left out, each with where it came from and why.
    public let skipped: [SkippedRow]

    /// The number of examples.
    public var count: Int { labels.count }
    /// Whether there are no examples.
    public var isEmpty: Bool { labels.isEmpty }
    /// The number of labels (`labelNames.count`), whether or not each has examples.
    public var labelCount: Int { labelNames.count }

    init(
        labelNames: [String], alphabet: Alphabet, textConfig: TextConfig, store: TextStore, rows: [UInt32]?,
        labels: [Int32], skipped: [SkippedRow]
    ) {
        self.labelNames = labelNames
        self.alphabet = alphabet
        self.textConfig = textConfig
        self.store = store
        self.rows = rows
        self.labels = labels
        self.skipped = skipped
    }

    @inline(__always) func storeRow(_ i: Int) -> Int { rows.map { Int($0[i]) } ?? i }

    /// Example `i`'s text as given (before normalisation).
    /// - Parameter i: An index in `0..<count`.
    /// - Complexity: O(length of the text): it is decoded from the shared UTF-8 store.
    public func text(_ i: Int) -> String { store[storeRow(i)] }
    /// Every text, in order.
    /// - Complexity: O(total size of the texts); it allocates them all: for small data.
    public var allTexts: [String] { (0..<count).map(text) }

    /// Appends example i's tokens to `tokens` (what training and evaluation read).
    @inline(__always) @discardableResult
    func appendTokens(of i: Int, to tokens: inout [UInt16]) -> Alphabet.EncodingCounts {
        store.withBytes(storeRow(i)) { alphabet.encode(utf8: $0, appendingTo: &tokens) }
    }

    /// The tokens of example i.
    func tokens(of i: Int) -> [UInt16] { alphabet.encode(text(i)).tokens }

    /// The symbols the model sees for example i, joined (`<unk>` shown as such).
    func encodedText(_ i: Int) -> String {
        tokens(of: i).map { alphabet.symbol(at: Int($0)) }.joined()
    }

    /// Characters of the texts the alphabet lacks (read as `<unk>`).
    /// - Complexity: O(total size of the texts): every call encodes every text.
    public var unknownCharacters: Int {
        var scratch: [UInt16] = []
        var unknown = 0
        for i in 0..<count {
            scratch.removeAll(keepingCapacity: true)
            unknown += appendTokens(of: i, to: &scratch).unknown
        }
        return unknown
    }

    /// How many examples each label has, in label order.
    /// - Complexity: O(`count`).
    public var labelCounts: [Int] {
        var counts = [Int](repeating: 0, count: labelNames.count)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// The most labels a data set may have.
    public static let maxLabels = 65_535
    /// The longest text a data set takes, in UTF-8 bytes (a CSV field's limit too); a longer
    /// one is skipped and listed.
    public static let maxTextBytes = DelimitedReader.maxFieldBytes
    /// The most symbols a text may read as (after normalisation and transliteration), at
    /// training as at prediction: a longer one is skipped and listed (its activations would
    /// take memory in proportion).
    public static let maxSymbols = 1024

    static func checkLabelNames(_ labelNames: [String]) throws(CharNNError) {
        guard !labelNames.isEmpty else { throw .invalidArgument("a data set needs at least one label") }
        guard labelNames.count <= maxLabels else {
            throw .invalidArgument("\(labelNames.count) labels; at most \(maxLabels)")
        }
        var seen = Set<[UInt8]>()  // bytewise: "é" and "e\u{301}" are two labels
        for (i, name) in labelNames.enumerated() {
            guard !name.isEmpty else { throw .invalidArgument("label name \(i) is empty") }
            guard !name.utf8.contains(0) else { throw .invalidArgument("label name \(i) contains a NUL character") }
            guard seen.insert(Array(name.utf8)).inserted else {
                throw .invalidArgument("label name '\(name)' appears twice")
            }
        }
    }

    /// The examples at `indices`, in that order; labels, alphabet, skipped rows and the text
    /// store are shared.
    /// - Parameter indices: Indices in `0..<count`; one may repeat.
    /// - Returns: A data set of `indices`' length.
    /// - Complexity: O(number of indices): 8 bytes per example, the texts are not copied.
    public func subset(_ indices: some Sequence<Int>) -> NameDataset {
        var out = NameDataset(
            labelNames: labelNames, alphabet: alphabet, textConfig: textConfig, store: store,
            rows: [], labels: [], skipped: skipped)
        for i in indices {
            out.rows!.append(UInt32(storeRow(i)))
            out.labels.append(labels[i])
        }
        return out
    }

    /// The same examples read with another alphabet. Throws `.invalidArgument` when some text
    /// has nothing that alphabet can read, or (the article's, which has no `<unk>`) a character
    /// it lacks.
    func encoded(with other: Alphabet, textConfig newConfig: TextConfig? = nil) throws(CharNNError) -> NameDataset {
        var scratch: [UInt16] = []
        var unreadable: [(Int, SkipReason)] = []
        for i in 0..<count {
            scratch.removeAll(keepingCapacity: true)
            let counts = store.withBytes(storeRow(i)) { other.encode(utf8: $0, appendingTo: &scratch) }
            if let reason = other.problem(with: counts, tokenCount: scratch.count) { unreadable.append((i, reason)) }
        }
        if let (first, reason) = unreadable.first {
            throw .invalidArgument(
                "\(unreadable.count) of the \(count) texts cannot be read with the model's \(other.kind.rawValue) alphabet (the first: '\(text(first))': \(reason))"
            )
        }
        return NameDataset(
            labelNames: labelNames, alphabet: other, textConfig: newConfig ?? textConfig, store: store,
            rows: rows, labels: labels, skipped: skipped)
    }

    /// The same examples with `names` as the label list (every label of this data set must be
    /// in it): how a separately loaded test file meets a model's labels.
    func relabeled(to names: [String]) throws(CharNNError) -> NameDataset {
        guard !names.elementsEqual(labelNames, by: { $0.utf8.elementsEqual($1.utf8) }) else { return self }
        var position: [[UInt8]: Int32] = [:]
        for (i, name) in names.enumerated() { position[Array(name.utf8)] = Int32(i) }
        var mapping: [Int32] = []
        for name in labelNames {
            guard let target = position[Array(name.utf8)] else {
                throw .invalidArgument("the data's label '\(name)' is not one of the model's \(names.count) labels")
            }
            mapping.append(target)
        }
        return NameDataset(
            labelNames: names, alphabet: alphabet, textConfig: textConfig, store: store, rows: rows,
            labels: labels.map { mapping[Int($0)] }, skipped: skipped)
    }

    /// The same examples read with `alphabet` (learned from the same normalisation, so every
    /// text stays readable: no check needed).
    func relearned(_ alphabet: Alphabet) -> NameDataset {
        NameDataset(
            labelNames: labelNames, alphabet: alphabet, textConfig: textConfig, store: store, rows: rows,
            labels: labels, skipped: skipped)
    }
}

// MARK: Skipped rows

/// Why a row was left out of a data set.
public enum SkipReason: Sendable, Equatable, CustomStringConvertible {
    /// A character has no ASCII transliteration (the article's alphabet, transliteration on).
    case noTransliteration
    /// The article's alphabet lacks this character (after transliteration).
    case outOfVocabulary(Unicode.Scalar)
    /// The text is empty.
    case emptyText
    /// The label is empty.
    case emptyLabel
    /// The text or the label holds a NUL character.
    case containsNUL
    /// Nothing is left to read once normalised (only marks that transliterate to nothing, say).
    case nothingToRead
    /// The text has this many UTF-8 bytes, more than `NameDataset.maxTextBytes`.
    case tooLong(Int)
    /// The text reads as this many symbols, more than `NameDataset.maxSymbols`.
    case tooManySymbols(Int)
    /// The row itself is malformed (from the CSV/TSV reader: "3 fields, expected 2").
    case malformed(String)

    /// The reason in words, as the C ABI and the command-line tool print it.
    public var description: String {
        switch self {
        case .noTransliteration: return "a character has no ASCII transliteration"
        case .outOfVocabulary(let scalar): return "\(Alphabet.show(scalar)) is not in the vocabulary"
        case .emptyText: return "the text is empty"
        case .emptyLabel: return "the label is empty"
        case .containsNUL: return "contains a NUL character"
        case .nothingToRead: return "no character is left to read after normalisation"
        case .tooLong(let bytes): return "the text is \(bytes) bytes; at most \(NameDataset.maxTextBytes)"
        case .tooManySymbols(let n): return "the text reads as \(n) symbols; at most \(NameDataset.maxSymbols)"
        case .malformed(let why): return why
        }
    }
}

/// A row left out of a data set.
public struct SkippedRow: Sendable, Equatable, CustomStringConvertible {
    /// Where it came from: "Czech.txt:12" for a file, "name 7" or "row 7" for a list.
    public let location: String
    /// Its text, when the row had one.
    public let text: String?
    /// Why it was left out.
    public let reason: SkipReason

    /// A one-line account: where, the text when there was one, and why.
    public var description: String {
        guard let text else { return "\(location): \(reason)" }
        let shown =
            text.unicodeScalars.count > 60
            ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(60))) + "…" : text
        return "\(location): '\(shown)': \(reason)"
    }
}

// MARK: Storage

/// Strings back to back as UTF-8 with 32-bit offsets: two allocations for any number of texts.
struct TextStore: Sendable {
    private(set) var utf8: [UInt8] = []
    private(set) var starts: [UInt32] = [0]

    var count: Int { starts.count - 1 }

    subscript(i: Int) -> String {
        String(decoding: utf8[Int(starts[i])..<Int(starts[i + 1])], as: UTF8.self)
    }

    func bytes(_ i: Int) -> ArraySlice<UInt8> { utf8[Int(starts[i])..<Int(starts[i + 1])] }

    /// Text i's UTF-8 bytes in place.
    @inline(__always)
    func withBytes<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        utf8.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[Int(starts[i])..<Int(starts[i + 1])])) }
    }

    mutating func reserve(rows: Int, bytes: Int) {
        starts.reserveCapacity(rows + 1)
        utf8.reserveCapacity(bytes)
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { utf8.append(contentsOf: $0) }
        starts.append(UInt32(utf8.count))
    }

    /// Texts of at most 4 GiB in all (32-bit offsets).
    static let maxBytes = Int(UInt32.max)
}
