extension NameDataset {
    /// Loads a directory of `<Label>.txt` files, UTF-8, one name per line: the PyTorch tutorial's
    /// layout. Labels are the file names sorted bytewise (so indices never depend on the file
    /// system's order). CRLF line ends, a byte-order mark and trailing blanks are tolerated,
    /// empty lines skipped, hidden and non-`.txt` entries ignored. Texts `textConfig`'s alphabet
    /// cannot encode (the article's, which has no `<unk>`) are skipped and listed in `skipped`.
    ///
    /// ```swift
    /// let names = try NameDataset.load(directory: "data/names")   // 20,074 names, 18 labels
    /// ```
    /// - Parameters:
    ///   - directory: The directory of label files.
    ///   - textConfig: The alphabet (built how) and the text normalisation; the article's by default.
    /// - Throws: `.io` for a missing or unreadable directory or file, `.invalidData` (naming the
    ///   file, and the line for bad UTF-8) when there is no label file, a label file holds no
    ///   name, or a line is not UTF-8.
    /// - Complexity: O(size of the files), one pass.
    public static func load(directory: String, textConfig: TextConfig = .article) throws(CharNNError) -> NameDataset {
        guard !directory.isEmpty else { throw .invalidArgument("the data directory path is empty") }
        guard FileSystem.isDirectory(directory) else {
            // Let opendir say why (missing, not a directory, no permission).
            _ = try FileSystem.listDirectory(directory)
            throw .io("'\(directory)' is not a directory")
        }
        let files = try FileSystem.listDirectory(directory).filter {
            !$0.hasPrefix(".") && $0.hasSuffix(".txt") && $0.count > 4
                && FileSystem.isRegularFile(directory + "/" + $0)
        }
        guard !files.isEmpty else {
            throw .invalidData("no label files (<Label>.txt) in '\(directory)'")
        }
        var builder = DatasetBuilder(textConfig: textConfig, fixedLabels: files.map { String($0.dropLast(4)) })
        for (label, file) in files.enumerated() {
            let path = directory + "/" + file
            let lines = try readLines(path)
            guard !lines.isEmpty else { throw .invalidData("label file '\(path)' has no names") }
            let source = builder.addSource(file)
            for (lineNumber, name) in lines {
                try builder.add(name, labelIndex: Int32(label), at: .init(source: source, line: UInt32(lineNumber)))
            }
        }
        return try builder.build(describing: "'\(directory)'")
    }

    /// The non-empty lines of a UTF-8 text file with their 1-based line numbers, line ends and
    /// trailing blanks removed.
    static func readLines(_ path: String) throws(CharNNError) -> [(Int, String)] {
        var bytes = try FileSystem.readFile(path, limit: 1 << 30)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var lines: [(Int, String)] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            while let last = line.last, last == 0x0D || last == 0x20 || last == 0x09 { line = line.dropLast() }
            if line.isEmpty { continue }
            guard let text = String(validating: line, as: UTF8.self) else {
                throw .invalidData("'\(path)' line \(lineNumber) is not valid UTF-8")
            }
            lines.append((lineNumber, text))
        }
        return lines
    }
}
