/// Collects rows from any source (a directory, a delimited file, memory), then labels and
/// encodes them in one place: the only code that decides whether a row is kept.
struct DatasetBuilder {
    let textConfig: TextConfig
    /// Label names fixed in advance (a directory's files, or a list given with indices); nil
    /// when they are the distinct labels seen, sorted.
    let fixedLabels: [String]?

    private var texts = TextStore()
    private var labels: [Int32] = []
    /// Keyed by the label's bytes: labels are compared bytewise, never by canonical equivalence.
    private var labelIDs: [[UInt8]: Int32] = [:]
    private var labelsSeen: [String] = []
    /// Where each collected row came from, for messages about rows skipped while encoding:
    /// its line, and the source it belongs to (sources come one after another, so the first
    /// row of each is enough).
    private var lines: [UInt32] = []
    private var sources: [String] = []
    private var sourceFirstRows: [Int] = []
    private var skipped: [(Location, SkippedRow)] = []

    /// A row's origin: a source (file name, or a prefix like "name ") and a line or index.
    struct Location: Comparable {
        var source: UInt32
        var line: UInt32
        static func < (a: Location, b: Location) -> Bool { (a.source, a.line) < (b.source, b.line) }
    }

    init(textConfig: TextConfig, fixedLabels: [String]? = nil) {
        self.textConfig = textConfig
        self.fixedLabels = fixedLabels
    }

    /// Registers a source; "name " or "row " (ending in a space) number rows after it, a file
    /// name is followed by ":line".
    mutating func addSource(_ name: String) -> UInt32 {
        sources.append(name)
        sourceFirstRows.append(labels.count)
        return UInt32(sources.count - 1)
    }

    /// Room for `rows` rows (a file's line count) of `textBytes` in all, so the arrays are
    /// allocated once.
    mutating func reserveRows(_ rows: Int, textBytes: Int) {
        labels.reserveCapacity(rows)
        lines.reserveCapacity(rows)
        texts.reserve(rows: rows, bytes: textBytes)
    }

    /// The location of collected row `row`.
    private func location(ofRow row: Int) -> Location {
        var source = sourceFirstRows.count - 1
        while source > 0 && sourceFirstRows[source] > row { source -= 1 }
        return Location(source: UInt32(source), line: lines[row])
    }

    private func describe(_ location: Location) -> String {
        let source = sources[Int(location.source)]
        return source.hasSuffix(" ") ? source + String(location.line) : "\(source):\(location.line)"
    }

    /// Why `text` cannot be a row whatever the alphabet, or nil.
    private static func problem(with text: String) -> SkipReason? {
        if text.isEmpty { return .emptyText }
        if text.utf8.count > NameDataset.maxTextBytes { return .tooLong(text.utf8.count) }
        if text.utf8.contains(0) { return .containsNUL }
        return nil
    }

    /// Adds a row labelled by name.
    mutating func add(_ text: String, label: String, at location: Location) throws(CharNNError) {
        // A row left out must not bring its label in: the text is checked first.
        if let reason = Self.problem(with: text) {
            return reject(location, text: reason == .emptyText ? text : nil, reason)
        }
        guard !label.isEmpty else { return reject(location, text: text, .emptyLabel) }
        guard !label.utf8.contains(0) else { return reject(location, text: nil, .containsNUL) }
        let id: Int32
        let key = Array(label.utf8)
        if let known = labelIDs[key] {
            id = known
        } else {
            // The cap applies to the labels that keep rows (checked in `build`); this bound only
            // keeps a file of a million distinct labels from holding them all.
            guard labelsSeen.count < Int(Int32.max) else {
                throw .invalidData("\(describe(location)): too many distinct labels")
            }
            id = Int32(labelsSeen.count)
            labelIDs[key] = id
            labelsSeen.append(label)
        }
        try add(text, labelIndex: id, at: location)
    }

    /// Adds a row labelled by index (into `fixedLabels`, or into the labels seen so far).
    mutating func add(_ text: String, labelIndex: Int32, at location: Location) throws(CharNNError) {
        if let reason = Self.problem(with: text) {
            return reject(location, text: reason == .emptyText ? text : nil, reason)
        }
        guard texts.utf8.count + text.utf8.count <= TextStore.maxBytes else {
            throw .invalidData("\(describe(location)): the texts exceed \(TextStore.maxBytes) bytes in all")
        }
        precondition(Int(location.source) == sources.count - 1, "rows are added source after source")
        texts.append(text)
        labels.append(labelIndex)
        lines.append(location.line)
    }

    mutating func reject(_ location: Location, text: String?, _ reason: SkipReason) {
        skipped.append((location, SkippedRow(location: describe(location), text: text, reason: reason)))
    }

    /// Labels sorted, alphabet made (learned from these texts when asked), every text encoded.
    /// Throws `.invalidData` naming `what` when no row is left.
    func build(describing what: String) throws(CharNNError) -> NameDataset {
        // Labels: the fixed list, or the distinct labels sorted bytewise.
        var labelNames = fixedLabels ?? labelsSeen
        var rowLabels = labels
        if fixedLabels == nil {
            labelNames.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            var rank = [Int32](repeating: 0, count: labelsSeen.count)
            for (newIndex, name) in labelNames.enumerated() { rank[Int(labelIDs[Array(name.utf8)]!)] = Int32(newIndex) }
            for i in rowLabels.indices { rowLabels[i] = rank[Int(rowLabels[i])] }
        }
        let texts = self.texts
        let alphabet = try textConfig.makeAlphabet(learningFrom: (0..<texts.count).lazy.map { texts[$0] })

        // Every text is encoded once to see that the alphabet can read it; the tokens are not
        // kept (training encodes each batch as it goes).
        var kept: [UInt32] = []
        var listing = false  // set at the first row left out: from then on kept rows are listed
        var keptLabels: [Int32] = []
        keptLabels.reserveCapacity(rowLabels.count)
        var scratch: [UInt16] = []
        var skipped = self.skipped
        for i in 0..<texts.count {
            scratch.removeAll(keepingCapacity: true)
            let counts = texts.withBytes(i) { alphabet.encode(utf8: $0, appendingTo: &scratch) }
            if let reason = alphabet.problem(with: counts, tokenCount: scratch.count) {
                let location = location(ofRow: i)
                skipped.append((location, SkippedRow(location: describe(location), text: texts[i], reason: reason)))
                if !listing { kept = Array(0..<UInt32(i)); listing = true }  // rows 0..<i were all kept
                continue
            }
            if listing { kept.append(UInt32(i)) }
            keptLabels.append(rowLabels[i])
        }
        // Labels come from rows: one whose rows were all left out is no label (a directory's
        // label files are its labels whatever they hold).
        if fixedLabels == nil {
            var used = [Bool](repeating: false, count: labelNames.count)
            for label in keptLabels { used[Int(label)] = true }
            if used.contains(false) {
                var newIndex = [Int32](repeating: -1, count: labelNames.count)
                var next: Int32 = 0
                for i in used.indices where used[i] { newIndex[i] = next; next += 1 }
                labelNames = labelNames.indices.filter { used[$0] }.map { labelNames[$0] }
                for i in keptLabels.indices { keptLabels[i] = newIndex[Int(keptLabels[i])] }
            }
        }
        // Reported in source order, whichever step left a row out.
        skipped.sort { $0.0 < $1.0 }
        guard labelNames.count <= NameDataset.maxLabels else {
            throw .invalidData("\(what) has \(labelNames.count) labels; at most \(NameDataset.maxLabels)")
        }
        guard !keptLabels.isEmpty || fixedLabels != nil else {
            let first = skipped.first.map { " (the first: \($0.1))" } ?? ""
            throw .invalidData("\(what) has no usable row: \(skipped.count) skipped\(first)")
        }
        try NameDataset.checkLabelNames(labelNames)
        return NameDataset(
            labelNames: labelNames, alphabet: alphabet, textConfig: textConfig, store: texts,
            rows: listing ? kept : nil, labels: keptLabels,
            skipped: skipped.map(\.1))
    }
}
