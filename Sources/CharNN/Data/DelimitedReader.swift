/// Which column holds a field: by header name, or by 0-based index.
public enum ColumnSelector: Sendable, Equatable, CustomStringConvertible {
    /// The column at this 0-based position.
    case index(Int)
    /// The column whose header is this name (the file needs a header row).
    case name(String)

    /// Parses a command-line or C string: all decimal digits (and a value that fits an `Int`) is
    /// `.index`, anything else `.name`. So a header column whose name is all digits can only be
    /// chosen by constructing `.name` directly.
    /// - Parameter text: A column name or a 0-based index in decimal.
    public init(parsing text: String) {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(text)
        {
            self = .index(value)
        } else {
            self = .name(text)
        }
    }

    /// The index in decimal or the name as given: `init(parsing:)` reads it back.
    public var description: String {
        switch self {
        case .index(let index): "\(index)"
        case .name(let name): name
        }
    }

    /// How messages name the column: `column 2`, `column 'language'`.
    var quoted: String {
        switch self {
        case .index(let index): "column \(index)"
        case .name(let name): "column '\(name)'"
        }
    }
}

/// The layout of a delimited training file: the delimiter, whether a header row names the
/// columns, and which columns hold the text and the label.
public struct DelimitedFormat: Sendable, Equatable {
    /// `UInt8(ascii: ",")` or `UInt8(ascii: "\t")`; any ASCII byte but `"`, CR, LF and NUL.
    public var delimiter: UInt8
    /// Whether the first (non-blank) record names the columns.
    public var hasHeader: Bool
    /// The column of the texts.
    public var textColumn: ColumnSelector
    /// The column of the labels.
    public var labelColumn: ColumnSelector

    /// A layout; the defaults are `csv`'s.
    /// - Parameters:
    ///   - delimiter: The field separator, an ASCII byte other than `"`, CR, LF and NUL.
    ///   - hasHeader: Whether the first non-blank record names the columns (needed to select by name).
    ///   - textColumn: The column of the texts.
    ///   - labelColumn: The column of the labels.
    public init(
        delimiter: UInt8 = UInt8(ascii: ","), hasHeader: Bool = true,
        textColumn: ColumnSelector = .index(0), labelColumn: ColumnSelector = .index(1)
    ) {
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.textColumn = textColumn
        self.labelColumn = labelColumn
    }

    /// Comma-separated, with a header, text in column 0 and label in column 1.
    public static let csv = DelimitedFormat()
    /// Tab-separated, with a header, text in column 0 and label in column 1.
    public static let tsv = DelimitedFormat(delimiter: UInt8(ascii: "\t"))
}

/// A strict, fast reader of delimited text (CSV, TSV) with one (text, label) example per row.
///
/// The grammar is RFC 4180's, with what real files contain:
/// - UTF-8, with or without a byte-order mark (skipped). Records end at LF or CRLF; a CR
///   right before an LF (or at the very end of the input) belongs to the line end, any other
///   CR is an ordinary byte. A last record without a line end is a record.
/// - A field that starts with `"` is quoted: it runs to the next lone `"`, `""` inside it is
///   one quote, and it may hold delimiters, CR and LF (the record then spans several lines;
///   line numbers still count physical lines). It is kept verbatim. Blanks (spaces, and tabs
///   when the delimiter is not a tab) may stand before the opening and after the closing
///   quote; anything else after a closing quote rejects the row ("text after a closing quote").
/// - An unquoted field runs to the next delimiter or line end; blanks around it are trimmed.
///   A `"` inside it (after its first non-blank byte) is kept literally, as Python's `csv` module does:
///   `5'10" tall` reads as written.
/// - TSV is the same grammar with a tab as the delimiter: quotes are honoured the same way.
/// - Blank records (empty lines, or lines of blanks only) are not data: they are skipped
///   silently, before the header too. Skipped lines still count for line numbers.
///
/// With `hasHeader`, the first record names the columns; a `.name` selector must match
/// exactly one header field (bytewise). Every data record must have the header's number of
/// fields; without a header, the first record's. The two selected fields are the only ones
/// decoded: the other columns' contents are not looked at beyond the NUL and length checks.
///
/// Rows that cannot be used are reported through `reject` and parsing goes on: a wrong field
/// count ("3 fields, expected 2"), a NUL byte anywhere in the record ("contains a NUL byte"),
/// text after a closing quote, any field longer than `maxFieldBytes` (scanned past, never
/// copied), a selected field that is not valid UTF-8, an empty text or label field. When a row
/// has several faults the field count is reported first, then the first fault met in the
/// record, then UTF-8, then emptiness.
///
/// What makes the rest of the file unreadable throws `.invalidData` naming `source:line`: an
/// unterminated quoted field (the line its quote opened on), a header that is damaged or
/// lacks a selected column, a selector beyond the columns, text and label in the same column,
/// a file with no records or a header but no rows, a `.name` selector without a header.
/// A delimiter that cannot work throws `.invalidArgument`.
enum DelimitedReader {
    /// The longest field accepted (bytes); longer ones reject their row.
    static let maxFieldBytes = 1 << 16

    /// Parses `bytes` (a whole file; `source` is its name for messages, e.g. the path).
    /// Calls `row(line, text, label)` for each accepted data row, in file order, and
    /// `reject(line, reason)` for each row that cannot be used, then goes on.
    /// `line` is the 1-based physical line where the record starts.
    /// Throws `CharNNError.invalidData("<source>:<line>: <why>")` for what makes the rest of the file unreadable.
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, source: String, format: DelimitedFormat,
        row: (_ line: Int, _ text: String, _ label: String) -> Void,
        reject: (_ line: Int, _ reason: String) -> Void
    ) throws(CharNNError) {
        let delimiter = format.delimiter
        guard delimiter < 0x80, delimiter != quote, delimiter != lf, delimiter != cr, delimiter != 0 else {
            throw .invalidArgument(
                "the delimiter must be an ASCII character other than '\"', CR, LF and NUL (got byte \(delimiter))")
        }
        if !format.hasHeader {
            for selector in [format.textColumn, format.labelColumn] {
                if case .name = selector {
                    throw .invalidData("\(source): \(selector.quoted) is selected by name, which needs a header row")
                }
            }
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { throw .invalidData("\(source): the file is empty") }
        var start = 0
        if bytes.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }

        var scanner = Scanner(base: base, count: bytes.count, position: start, delimiter: delimiter, source: source)
        let (first, width, wantText, wantLabel) = try readFirstRecord(&scanner, format: format, source: source)

        var sawRow = false
        if !format.hasHeader {
            sawRow = true
            scanner.emit(first, width: width, row: row, reject: reject)
        }
        while scanner.position < scanner.count {
            let record = try scanner.nextRecord(wantText, wantLabel)
            if record.isBlank { continue }
            sawRow = true
            scanner.emit(record, width: width, row: row, reject: reject)
        }
        if !sawRow { throw .invalidData("\(source): the file has a header but no rows") }
    }

    /// The first non-blank record (the header, or the first data row), the row width every
    /// row must have, and the text and label columns it selects.
    private static func readFirstRecord(_ scanner: inout Scanner, format: DelimitedFormat, source: String)
        throws(CharNNError) -> (first: Record, width: Int, text: Int, label: Int)
    {
        var first: Record
        scanner.collecting = format.hasHeader
        var wantText = -1, wantLabel = -1
        if case .index(let index) = format.textColumn, !format.hasHeader { wantText = index }
        if case .index(let index) = format.labelColumn, !format.hasHeader { wantLabel = index }
        repeat {
            guard scanner.position < scanner.count else { throw .invalidData("\(source): the file is empty") }
            scanner.collected.removeAll(keepingCapacity: true)
            first = try scanner.nextRecord(wantText, wantLabel)
        } while first.isBlank
        scanner.collecting = false

        let width: Int
        if format.hasHeader {
            let names = try headerNames(first, &scanner)
            width = names.count
            wantText = try resolve(format.textColumn, names: names, line: first.line, source: source)
            wantLabel = try resolve(format.labelColumn, names: names, line: first.line, source: source)
        } else {
            width = first.fieldCount
            for selector in [format.textColumn, format.labelColumn] {
                guard case .index(let index) = selector, index >= 0, index < width else {
                    throw .invalidData(
                        "\(source):\(first.line): \(selector.quoted) is out of range: the first row has \(width) field\(width == 1 ? "" : "s")"
                    )
                }
            }
        }
        guard wantText != wantLabel else {
            throw .invalidData("\(source):\(first.line): the text and label are the same column (\(wantText))")
        }
        return (first, width, wantText, wantLabel)
    }

    // MARK: - Header

    /// The header's field names; throws when the header itself is damaged.
    private static func headerNames(_ header: Record, _ scanner: inout Scanner) throws(CharNNError) -> [String] {
        let prefix = "\(scanner.source):\(header.line): the header row"
        if let reason = header.problem.reason { throw .invalidData("\(prefix): \(reason)") }
        var names: [String] = []
        names.reserveCapacity(scanner.collected.count)
        for (column, span) in scanner.collected.enumerated() {
            guard let name = scanner.string(span) else {
                throw .invalidData("\(prefix): column \(column) is not valid UTF-8")
            }
            names.append(name)
        }
        return names
    }

    /// The column index `selector` names in a header of `names`.
    private static func resolve(
        _ selector: ColumnSelector, names: [String], line: Int,
        source: String
    ) throws(CharNNError) -> Int {
        let shown =
            names.count <= 20
            ? names.joined(separator: ", ")
            : names.prefix(20).joined(separator: ", ") + ", … (\(names.count) in all)"
        switch selector {
        case .index(let index):
            guard index >= 0, index < names.count else {
                throw .invalidData(
                    "\(source):\(line): \(selector.quoted) is out of range: the header has \(names.count) column\(names.count == 1 ? "" : "s") (\(shown))"
                )
            }
            return index
        case .name(let name):
            let matches = names.indices.filter { names[$0].utf8.elementsEqual(name.utf8) }
            guard let match = matches.first else {
                throw .invalidData("\(source):\(line): no column named '\(name)' (columns: \(shown))")
            }
            guard matches.count == 1 else {
                throw .invalidData(
                    "\(source):\(line): \(matches.count) columns are named '\(name)' (columns \(matches.map(String.init).joined(separator: ", ")))"
                )
            }
            return match
        }
    }

    // MARK: - UTF-8

    /// `bytes` as a string, or nil when they are not valid UTF-8. (The standard library's
    /// `String(validating:as:)` runs unspecialized here, a few times slower than this.)
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard isValidUTF8(bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `bytes` is well-formed UTF-8 (Unicode 15, table 3-7): no stray continuation
    /// bytes, overlong forms, surrogates, values past U+10FFFF or truncated sequences.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return true }
        var i = 0
        while i < n {
            while i &+ 8 <= n,
                UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & (ones &* 0x80) == 0
            { i &+= 8 }
            guard i < n else { break }
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            @inline(__always) func continuation(_ k: Int) -> UInt8? {
                i + k < n && bytes[i + k] & 0xC0 == 0x80 ? bytes[i + k] : nil
            }
            switch lead {
            case 0xC2...0xDF:
                guard continuation(1) != nil else { return false }
                i += 2
            case 0xE0...0xEF:
                guard let b1 = continuation(1), continuation(2) != nil,
                    !(lead == 0xE0 && b1 < 0xA0), !(lead == 0xED && b1 > 0x9F)
                else { return false }
                i += 3
            case 0xF0...0xF4:
                guard let b1 = continuation(1), continuation(2) != nil, continuation(3) != nil,
                    !(lead == 0xF0 && b1 < 0x90), !(lead == 0xF4 && b1 > 0x8F)
                else { return false }
                i += 4
            default:
                return false
            }
        }
        return true
    }

    // MARK: - Scanning

    private static let quote = UInt8(ascii: "\"")
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D

    /// 0x01 in every byte of a word.
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let quoteWord = UInt64(quote) &* ones
    private static let lfWord = UInt64(lf) &* ones

    /// The bytes of `word` equal to the byte repeated in `pattern` (0x80 in each), exact up to
    /// and including the lowest match, which is all `skip` looks at.
    @inline(__always)
    private static func matches(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
        let x = word ^ pattern
        return (x &- ones) & ~x & (ones &* 0x80)
    }

    /// Skips, eight bytes at a time, bytes that are neither NUL nor one of the two repeated in
    /// `a` and `b`: returns the first index holding one, or (near the end, fewer than eight
    /// bytes left) an index the caller's byte-at-a-time loop must go on from.
    @inline(__always)
    private static func skip(
        _ base: UnsafePointer<UInt8>, from index: Int, count: Int,
        to a: UInt64, _ b: UInt64
    ) -> Int {
        var i = index
        while i &+ 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let found = matches(word, a) | matches(word, b) | matches(word, 0)
            if found != 0 { return i &+ found.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        return i
    }

    /// Where a field's content lies in the input: `start..<end`, holding `escapes` doubled quotes.
    struct Span {
        var start = 0
        var end = 0
        var escapes = 0
        var quoted = false
        /// The field's length once doubled quotes are undone.
        var length: Int { end - start - escapes }
    }

    /// The first fault found in a record while scanning it.
    enum Problem: Equatable {
        case none
        case nulByte
        case textAfterQuote
        case tooLong(Int)

        var reason: String? {
            switch self {
            case .none: nil
            case .nulByte: "contains a NUL byte"
            case .textAfterQuote: "text after a closing quote"
            case .tooLong(let length): "field of \(length) bytes; at most \(DelimitedReader.maxFieldBytes)"
            }
        }
    }

    /// One record: its first line, how many fields it has, the two wanted fields.
    struct Record {
        var line: Int
        var fieldCount = 0
        var text = Span()
        var label = Span()
        var problem = Problem.none
        /// Whether the record is a single empty unquoted field (an empty or all-blank line).
        var isBlank = false

        @inline(__always)
        mutating func note(_ problem: Problem) {
            if self.problem == .none { self.problem = problem }
        }
    }

    struct Scanner {
        let base: UnsafePointer<UInt8>
        let count: Int
        var position: Int
        /// The 1-based physical line at `position`.
        var line = 1
        let delimiter: UInt8
        let source: String
        /// The delimiter in every byte of a word.
        let delimiterWord: UInt64
        /// When set, every field's span is appended to `collected` (for the header).
        var collecting = false
        var collected: [Span] = []
        /// Reused to undo doubled quotes.
        var scratch: [UInt8] = []

        init(base: UnsafePointer<UInt8>, count: Int, position: Int, delimiter: UInt8, source: String) {
            self.base = base
            self.count = count
            self.position = position
            self.delimiter = delimiter
            self.source = source
            delimiterWord = UInt64(delimiter) &* DelimitedReader.ones
        }

        @inline(__always)
        func isBlank(_ byte: UInt8) -> Bool { (byte == 0x20 || byte == 0x09) && byte != delimiter }

        /// Scans an unquoted stretch from `index` to the next delimiter or LF (or the end),
        /// noting NUL bytes; returns where it stopped.
        @inline(__always)
        func scanUnquoted(from index: Int, _ record: inout Record) -> Int {
            var i = index
            while true {
                i = DelimitedReader.skip(base, from: i, count: count, to: delimiterWord, DelimitedReader.lfWord)
                guard i < count else { return count }
                let byte = base[i]
                if byte == delimiter || byte == DelimitedReader.lf { return i }
                if byte == 0 { record.note(.nulByte) }
                i += 1
            }
        }

        /// Reads the record at `position` and moves past it (and its line end). Keeps the spans
        /// of fields `wantText` and `wantLabel` (and all when `collecting`).
        mutating func nextRecord(_ wantText: Int, _ wantLabel: Int) throws(CharNNError) -> Record {
            let quote = DelimitedReader.quote, lf = DelimitedReader.lf, cr = DelimitedReader.cr
            var record = Record(line: line)
            var i = position
            var field = 0
            var firstIsEmpty = false
            while true {
                var span = Span()
                while i < count && isBlank(base[i]) { i += 1 }
                if i < count && base[i] == quote {
                    let openLine = line
                    i += 1
                    span.start = i
                    span.quoted = true
                    while true {
                        i = DelimitedReader.skip(
                            base, from: i, count: count, to: DelimitedReader.quoteWord, DelimitedReader.lfWord)
                        guard i < count else {
                            throw .invalidData(
                                "\(source):\(openLine): unterminated quoted field (the quote opened on this line is never closed)"
                            )
                        }
                        let byte = base[i]
                        if byte == quote {
                            if i + 1 < count && base[i + 1] == quote { span.escapes += 1; i += 2; continue }
                            break
                        }
                        if byte == lf { line += 1 } else if byte == 0 { record.note(.nulByte) }
                        i += 1
                    }
                    span.end = i
                    i += 1
                    while i < count && isBlank(base[i]) { i += 1 }
                    if i < count && base[i] == cr && (i + 1 == count || base[i + 1] == lf) { i += 1 }
                    if i < count && base[i] != delimiter && base[i] != lf {
                        record.note(.textAfterQuote)
                        i = scanUnquoted(from: i, &record)
                    }
                } else {
                    span.start = i
                    i = scanUnquoted(from: i, &record)
                    var end = i
                    if end > span.start && base[end - 1] == cr && (i == count || base[i] == lf) { end -= 1 }
                    while end > span.start && isBlank(base[end - 1]) { end -= 1 }
                    span.end = end
                    if field == 0 { firstIsEmpty = end == span.start }
                }
                if span.length > DelimitedReader.maxFieldBytes { record.note(.tooLong(span.length)) }
                if field == wantText { record.text = span }
                if field == wantLabel { record.label = span }
                if collecting { collected.append(span) }
                field += 1
                if i < count && base[i] == delimiter { i += 1; continue }
                if i < count { line += 1; i += 1 }  // the LF
                break
            }
            position = i
            record.fieldCount = field
            record.isBlank = field == 1 && firstIsEmpty && record.problem == .none
            return record
        }

        /// The field's text with doubled quotes undone, or nil when it is not valid UTF-8.
        mutating func string(_ span: Span) -> String? {
            if span.escapes == 0 {
                return DelimitedReader.string(
                    UnsafeBufferPointer(start: base + span.start, count: span.end - span.start))
            }
            scratch.removeAll(keepingCapacity: true)
            var i = span.start
            while i < span.end {
                let byte = base[i]
                scratch.append(byte)
                i += byte == DelimitedReader.quote ? 2 : 1
            }
            return scratch.withUnsafeBufferPointer { DelimitedReader.string($0) }
        }

        /// Hands a data record to `row`, or its fault to `reject`.
        mutating func emit(
            _ record: Record, width: Int,
            row: (_ line: Int, _ text: String, _ label: String) -> Void,
            reject: (_ line: Int, _ reason: String) -> Void
        ) {
            if record.fieldCount != width {
                reject(record.line, "\(record.fieldCount) field\(record.fieldCount == 1 ? "" : "s"), expected \(width)")
                return
            }
            if let reason = record.problem.reason { reject(record.line, reason); return }
            guard let text = string(record.text), let label = string(record.label) else {
                reject(record.line, "not valid UTF-8")
                return
            }
            if text.isEmpty { reject(record.line, "empty text field"); return }
            if label.isEmpty { reject(record.line, "empty label field"); return }
            row(record.line, text, label)
        }
    }
}
