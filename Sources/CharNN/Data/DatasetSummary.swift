/// What a data set holds, for a user meeting their data: sizes, balance, repeats, scripts.
public struct DatasetSummary: Sendable, Equatable {
    /// Examples in the data set.
    public var rows = 0
    /// Rows left out while loading (`NameDataset.skipped`).
    public var skipped = 0
    /// Examples per label, in label order.
    public var classCounts: [(label: String, count: Int)] = []
    /// Rows whose text and label repeat an earlier row.
    public var duplicates = 0
    /// Distinct texts that appear with more than one label.
    public var conflicts = 0
    /// Rows per writing system (each row counted once, by its most frequent script).
    public var scripts: [(script: String, rows: Int)] = []
    /// Characters as the alphabet reads them (after normalisation and transliteration).
    public var characters = 0
    /// Of those, characters the alphabet lacks (read as `<unk>`).
    public var unknownCharacters = 0
    /// The alphabet the counts were made with.
    public var alphabet: Alphabet

    /// Equal when the JSON forms are equal.
    public static func == (a: DatasetSummary, b: DatasetSummary) -> Bool { a.json == b.json }

    /// One JSON object (the C ABI's `charnn_dataset_summary`).
    public var json: String {
        JSON.object([
            ("rows", .number(Double(rows))),
            ("skipped", .number(Double(skipped))),
            ("classes", .number(Double(classCounts.count))),
            ("class_counts", .object(classCounts.map { ($0.label, .number(Double($0.count))) })),
            ("duplicates", .number(Double(duplicates))),
            ("conflicts", .number(Double(conflicts))),
            ("scripts", .object(scripts.map { ($0.script, .number(Double($0.rows))) })),
            ("characters", .number(Double(characters))),
            ("unknown_characters", .number(Double(unknownCharacters))),
            (
                "alphabet",
                .object([
                    ("kind", .string(alphabet.kind.rawValue)),
                    ("size", .number(Double(alphabet.count))),
                    ("normalize", .string(alphabet.normalization.form.rawValue)),
                    ("case_fold", .bool(alphabet.normalization.caseFold)),
                    ("transliterate", .bool(alphabet.normalization.transliterate)),
                ])
            ),
        ]).serialized
    }
}

extension NameDataset {
    /// Counts over every example (one pass; a hash set of the texts for repeats).
    public var summary: DatasetSummary {
        var summary = DatasetSummary(alphabet: alphabet)
        summary.rows = count
        summary.skipped = skipped.count
        summary.classCounts = zip(labelNames, labelCounts).map { ($0, $1) }
        // Texts are compared bytewise (two spellings of "é" are two texts, as they may encode apart).
        var labelOfText: [ArraySlice<UInt8>: Int32] = [:]
        var conflicting = Set<ArraySlice<UInt8>>()
        var seen = Set<TextAndLabel>()
        var scriptRows: [Script: Int] = [:]
        var scratch: [UInt16] = []
        for i in 0..<count {
            let bytes = store.bytes(storeRow(i))
            let text = String(decoding: bytes, as: UTF8.self)
            scratch.removeAll(keepingCapacity: true)
            let counts = appendTokens(of: i, to: &scratch)
            // The article's alphabet drops what it lacks: those count as read characters too.
            summary.characters += scratch.count + (alphabet.hasUnknown ? 0 : counts.unknown)
            summary.unknownCharacters += counts.unknown
            if !seen.insert(TextAndLabel(text: bytes, label: labels[i])).inserted { summary.duplicates += 1 }
            if let first = labelOfText.updateValue(labels[i], forKey: bytes), first != labels[i] {
                conflicting.insert(bytes)
            }
            scriptRows[Script.of(text), default: 0] += 1
        }
        summary.conflicts = conflicting.count
        summary.scripts = scriptRows.sorted {
            $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue
        }
        .map { ($0.key.rawValue, $0.value) }
        return summary
    }

    private struct TextAndLabel: Hashable {
        let text: ArraySlice<UInt8>
        let label: Int32
    }
}
