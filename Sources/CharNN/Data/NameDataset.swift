/// Names with their labels, encoded for a model: the data every trainer, evaluator and split
/// works on. A value type (copy-on-write arrays underneath): splitting or subsetting never
/// changes the original.
public struct NameDataset: Sendable {
    /// Label names in index order (for a directory: the file names without `.txt`, sorted).
    public let labelNames: [String]
    public let vocabulary: Vocabulary
    /// The names as given (before transliteration), one per example.
    public private(set) var names: [String]
    /// The label index of each example.
    public private(set) var labels: [Int]
    /// Every example's tokens back to back; example i is tokens[tokenStarts[i] ..< tokenStarts[i + 1]].
    public private(set) var tokens: [UInt8]
    public private(set) var tokenStarts: [Int]
    /// Names that could not be encoded with the vocabulary, and why.
    public let skipped: [SkippedName]

    /// A name left out of a data set.
    public struct SkippedName: Sendable, Equatable, CustomStringConvertible {
        public let name: String
        public let label: Int
        /// Where it came from: "Czech.txt:12" for a file, "name 7" for a list.
        public let location: String
        public let reason: Vocabulary.EncodingFailure

        public var description: String { "\(location): '\(name)': \(reason)" }
    }

    public var count: Int { labels.count }
    public var isEmpty: Bool { labels.isEmpty }
    public var labelCount: Int { labelNames.count }

    /// The tokens of example i.
    @inline(__always)
    public func tokens(of i: Int) -> ArraySlice<UInt8> { tokens[tokenStarts[i]..<tokenStarts[i + 1]] }

    /// The ASCII text the model sees for example i.
    public func asciiName(_ i: Int) -> String {
        String(decoding: tokens(of: i).map { vocabulary.symbols[Int($0)] }, as: UTF8.self)
    }

    /// How many examples each label has.
    public var labelCounts: [Int] {
        var counts = [Int](repeating: 0, count: labelNames.count)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// A data set from names and label indices in memory. Names that cannot be encoded are
    /// skipped and listed in `skipped`, like the directory loader does.
    public init(names: [String], labels: [Int], labelNames: [String],
                vocabulary: Vocabulary = .standard) throws(CharNNError) {
        guard names.count == labels.count else {
            throw .invalidArgument("\(names.count) names but \(labels.count) labels")
        }
        try Self.checkLabelNames(labelNames)
        var builder = Builder(labelNames: labelNames, vocabulary: vocabulary)
        for (i, (name, label)) in zip(names, labels).enumerated() {
            guard label >= 0 && label < labelNames.count else {
                throw .invalidArgument("label \(label) of name \(i) is not in 0..<\(labelNames.count)")
            }
            builder.add(name, label: label, location: "name \(i)")
        }
        self = builder.build()
    }

    fileprivate init(labelNames: [String], vocabulary: Vocabulary, names: [String], labels: [Int],
                     tokens: [UInt8], tokenStarts: [Int], skipped: [SkippedName]) {
        self.labelNames = labelNames
        self.vocabulary = vocabulary
        self.names = names
        self.labels = labels
        self.tokens = tokens
        self.tokenStarts = tokenStarts
        self.skipped = skipped
    }

    static func checkLabelNames(_ labelNames: [String]) throws(CharNNError) {
        guard !labelNames.isEmpty else { throw .invalidArgument("a data set needs at least one label") }
        var seen = Set<String>()
        for (i, name) in labelNames.enumerated() {
            guard !name.isEmpty else { throw .invalidArgument("label name \(i) is empty") }
            guard seen.insert(name).inserted else { throw .invalidArgument("label name '\(name)' appears twice") }
        }
    }

    /// The examples at `indices`, in that order (labels, vocabulary and skipped names kept).
    public func subset(_ indices: some Sequence<Int>) -> NameDataset {
        var out = NameDataset(labelNames: labelNames, vocabulary: vocabulary, names: [], labels: [],
                              tokens: [], tokenStarts: [0], skipped: skipped)
        for i in indices {
            out.names.append(names[i])
            out.labels.append(labels[i])
            out.tokens.append(contentsOf: tokens(of: i))
            out.tokenStarts.append(out.tokens.count)
        }
        return out
    }

    /// Accumulates encoded names; the one place a name is cleaned, encoded or skipped.
    struct Builder {
        let labelNames: [String]
        let vocabulary: Vocabulary
        var names: [String] = []
        var labels: [Int] = []
        var tokens: [UInt8] = []
        var tokenStarts: [Int] = [0]
        var skipped: [SkippedName] = []

        mutating func add(_ name: String, label: Int, location: String) {
            switch vocabulary.encode(name) {
            case .success(let encoded) where !encoded.isEmpty:
                names.append(name)
                labels.append(label)
                tokens.append(contentsOf: encoded)
                tokenStarts.append(tokens.count)
            case .success:
                // Transliterates to nothing (only combining marks, say): no character to read.
                skipped.append(SkippedName(name: name, label: label, location: location, reason: .noTransliteration))
            case .failure(let reason):
                skipped.append(SkippedName(name: name, label: label, location: location, reason: reason))
            }
        }

        func build() -> NameDataset {
            NameDataset(labelNames: labelNames, vocabulary: vocabulary, names: names, labels: labels,
                        tokens: tokens, tokenStarts: tokenStarts, skipped: skipped)
        }
    }
}
