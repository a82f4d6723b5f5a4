/// Where training data comes from, besides a directory of `<Label>.txt` files.
public enum DataFormat: String, Sendable, CaseIterable {
    /// A directory: `directory`; a file ending in `.tsv` or `.tab`: `tsv`; any other file: `csv`.
    case auto
    /// A directory of `<Label>.txt` files, one text per line (`NameDataset.load(directory:textConfig:)`).
    case directory
    /// A comma-separated file (RFC 4180 quoting).
    case csv
    /// A tab-separated file (the same quoting rules).
    case tsv

    /// What `auto` means for `path`.
    static func detect(_ path: String) -> DataFormat {
        if FileSystem.isDirectory(path) { return .directory }
        let lower = path.lowercased()
        return lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") ? .tsv : .csv
    }
}

extension NameDataset {
    /// Loads a directory or a CSV/TSV file.
    /// - Parameters:
    ///   - path: A directory of `<Label>.txt` files, or a delimited file.
    ///   - format: How to read `path`; `.auto` picks by what it is (a directory, or a file's extension).
    ///   - delimited: For a delimited file, which columns hold the text and the label and whether a
    ///     header row names them; its delimiter is set from the format.
    ///   - textConfig: The alphabet (built how) and the text normalisation.
    /// - Returns: The data set, with the rows that could not be used in `skipped`.
    /// - Throws: `.io` when `path` cannot be read; `.invalidData` naming file:line for malformed
    ///   data; `.invalidArgument` for a bad `textConfig`.
    /// - Complexity: O(size of the data), one pass; memory about the size of the texts.
    public static func load(
        path: String, format: DataFormat = .auto, delimited: DelimitedFormat = .csv,
        textConfig: TextConfig = .article
    ) throws(CharNNError) -> NameDataset {
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

    /// Loads a delimited file: RFC 4180 quoting, UTF-8 with or without a byte-order mark, LF or
    /// CRLF line ends.
    /// - Parameters:
    ///   - path: The file.
    ///   - format: The delimiter, the header row and the columns of the text and the label.
    ///   - textConfig: The alphabet (built how) and the text normalisation.
    /// - Returns: The data set. Rows that cannot be used are listed in `skipped` with file:line and why.
    /// - Throws: `.io` when the file cannot be read; `.invalidData` naming file:line for a file with
    ///   no usable row, a column that does not exist or an unterminated quote.
    /// - Complexity: O(size of the file), one pass.
    public static func load(
        delimitedFile path: String, format: DelimitedFormat,
        textConfig: TextConfig = .article
    ) throws(CharNNError) -> NameDataset {
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
            try DelimitedReader.read(
                buffer, source: path, format: format,
                row: { line, text, label in
                    guard failure == nil else { return }
                    do throws(CharNNError) {
                        try builder.add(text, label: label, at: .init(source: source, line: UInt32(clamping: line)))
                    } catch {
                        failure = error
                    }
                },
                reject: { line, reason in
                    builder.reject(.init(source: source, line: UInt32(clamping: line)), text: nil, .malformed(reason))
                })
        }
        if let failure { throw failure }
        return try builder.build(describing: "'\(path)'")
    }

    /// A data set from texts and label names in memory. Labels are the distinct names, sorted
    /// bytewise; rows with an empty text or label are skipped and listed ("row 3: the label is empty").
    /// - Parameters:
    ///   - texts: One text per example.
    ///   - labels: One label name per example, as many as `texts`.
    ///   - textConfig: The alphabet (built how) and the text normalisation.
    /// - Throws: `.invalidArgument` when the counts differ; `.invalidData` when no row is usable or
    ///   there are more than `maxLabels` labels.
    /// - Complexity: O(total size of the texts) plus sorting the distinct labels.
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
    /// - Parameters:
    ///   - names: One text per example.
    ///   - labels: One index into `labelNames` per example.
    ///   - labelNames: The label names, in index order.
    ///   - textConfig: The alphabet (built how) and the text normalisation.
    /// - Throws: `.invalidArgument` for counts that differ, an index out of range, or repeated or
    ///   empty label names; `.invalidData` when no row is usable.
    public init(names: [String], labels: [Int], labelNames: [String], textConfig: TextConfig = .article)
        throws(CharNNError)
    {
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
