/// Where training data comes from, besides a directory of `<Label>.txt` files.
public enum DataFormat: String, Sendable, CaseIterable {
    /// A directory: `directory`; a file ending in `.tsv` or `.tab`: `tsv`; any other file: `csv`.
    case auto
    case directory
    case csv
    case tsv

    /// What `auto` means for `path`.
    static func detect(_ path: String) -> DataFormat {
        if FileSystem.isDirectory(path) { return .directory }
        let lower = path.lowercased()
        return lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") ? .tsv : .csv
    }
}

extension NameDataset {
    /// Loads a directory or a CSV/TSV file. For a delimited file, `delimited` says which columns
    /// hold the text and the label and whether a header row names them (its delimiter is set
    /// from the format).
    public static func load(path: String, format: DataFormat = .auto, delimited: DelimitedFormat = .csv,
                            textConfig: TextConfig = .article) throws(CharNNError) -> NameDataset {
        guard !path.isEmpty else { throw .invalidArgument("the data path is empty") }
        let resolved = format == .auto ? DataFormat.detect(path) : format
        switch resolved {
        case .directory, .auto: return try load(directory: path, textConfig: textConfig)
        case .csv, .tsv:
            var columns = delimited
            columns.delimiter = resolved == .tsv ? UInt8(ascii: "\t") : UInt8(ascii: ",")
            return try load(delimitedFile: path, format: columns, textConfig: textConfig)
        }
    }

    /// Loads a delimited file (see `DelimitedReader` for the rules). Rows that cannot be used
    /// are listed in `skipped` with file:line and why; a file with no usable row, a column that
    /// does not exist or an unterminated quote throws `.invalidData` naming file:line.
    public static func load(delimitedFile path: String, format: DelimitedFormat,
                            textConfig: TextConfig = .article) throws(CharNNError) -> NameDataset {
        guard !path.isEmpty else { throw .invalidArgument("the data path is empty") }
        guard !FileSystem.isDirectory(path) else { throw .io("'\(path)' is a directory, not a delimited file") }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var builder = DatasetBuilder(textConfig: textConfig)
        let source = builder.addSource(name)
        var failure: CharNNError?
        // The file's bytes are let go before the rows are encoded (memory peaks once).
        try FileSystem.readFile(path, limit: TextStore.maxBytes).withUnsafeBufferPointer { buffer throws(CharNNError) in
            // Sized up front, the arrays never grow by doubling (which holds old and new copies
            // at once): at most one row per line, and the texts are at most the file less a
            // delimiter, a line end and a label byte per row.
            var lines = 1
            for byte in buffer where byte == 0x0A { lines += 1 }
            builder.reserveRows(lines, textBytes: max(0, buffer.count - 3 * (lines - 1)))
            try DelimitedReader.read(buffer, source: path, format: format, row: { line, text, label in
                guard failure == nil else { return }
                do throws(CharNNError) { try builder.add(text, label: label, at: .init(source: source, line: UInt32(clamping: line))) } catch {
                    failure = error
                }
            }, reject: { line, reason in
                builder.reject(.init(source: source, line: UInt32(clamping: line)), text: nil, .malformed(reason))
            })
        }
        if let failure { throw failure }
        return try builder.build(describing: "'\(path)'")
    }

    /// A data set from texts and label names in memory (Python lists, NumPy arrays, pandas
    /// Series). Labels are the distinct names, sorted bytewise; rows with an empty text or label
    /// are skipped and listed ("row 3: the label is empty").
    public init(texts: [String], labels: [String], textConfig: TextConfig = .article) throws(CharNNError) {
        guard texts.count == labels.count else {
            throw .invalidArgument("\(texts.count) texts but \(labels.count) labels")
        }
        var builder = DatasetBuilder(textConfig: textConfig)
        let source = builder.addSource("row ")
        for i in texts.indices {
            try builder.add(texts[i], label: labels[i], at: .init(source: source, line: UInt32(clamping: i)))
        }
        self = try builder.build(describing: "the list")
    }

    /// A data set from texts and label indices into `labelNames` (the 0.1.0 call). Texts that
    /// cannot be encoded are skipped and listed in `skipped` ("name 7: …").
    public init(names: [String], labels: [Int], labelNames: [String], textConfig: TextConfig = .article) throws(CharNNError) {
        guard names.count == labels.count else {
            throw .invalidArgument("\(names.count) names but \(labels.count) labels")
        }
        try Self.checkLabelNames(labelNames)
        var builder = DatasetBuilder(textConfig: textConfig, fixedLabels: labelNames)
        let source = builder.addSource("name ")
        for (i, (name, label)) in zip(names, labels).enumerated() {
            guard label >= 0 && label < labelNames.count else {
                throw .invalidArgument("label \(label) of name \(i) is not in 0..<\(labelNames.count)")
            }
            try builder.add(name, labelIndex: Int32(label), at: .init(source: source, line: UInt32(clamping: i)))
        }
        self = try builder.build(describing: "the list")
    }
}
