import Foundation
import Testing
@testable import CharNN

@Suite struct DelimitedReaderTests {
    struct Row: Equatable, CustomStringConvertible {
        var line: Int
        var text: String
        var label: String
        init(_ line: Int, _ text: String, _ label: String) { (self.line, self.text, self.label) = (line, text, label) }
        var description: String { "\(line): \(text.debugDescription) \(label.debugDescription)" }
        /// Bytewise, not by canonical equivalence.
        static func == (a: Row, b: Row) -> Bool {
            a.line == b.line && a.text.utf8.elementsEqual(b.text.utf8) && a.label.utf8.elementsEqual(b.label.utf8)
        }
    }

    struct Reject: Equatable, CustomStringConvertible {
        var line: Int
        var reason: String
        init(_ line: Int, _ reason: String) { (self.line, self.reason) = (line, reason) }
        var description: String { "\(line): \(reason)" }
    }

    func read(
        _ bytes: [UInt8], _ format: DelimitedFormat = .csv,
        source: String = "t.csv"
    ) throws(CharNNError) -> (rows: [Row], rejects: [Reject]) {
        var rows: [Row] = [], rejects: [Reject] = []
        let result: Result<Void, CharNNError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(CharNNError) in
                try DelimitedReader.read(
                    buffer, source: source, format: format,
                    row: { rows.append(Row($0, $1, $2)) },
                    reject: { rejects.append(Reject($0, $1)) })
            }
        }
        try result.get()
        return (rows, rejects)
    }

    func read(
        _ text: String, _ format: DelimitedFormat = .csv,
        source: String = "t.csv"
    ) throws(CharNNError) -> (rows: [Row], rejects: [Reject]) {
        try read(Array(text.utf8), format, source: source)
    }

    func expectError(
        _ message: String, kind: CharNNError.Kind = .invalidData, exact: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected an error: \(message)", sourceLocation: sourceLocation)
        } catch let error as CharNNError {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
            if exact {
                #expect(error.message == message, sourceLocation: sourceLocation)
            } else {
                #expect(
                    error.message.contains(message), "'\(error.message)' lacks '\(message)'",
                    sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Plain files, selection

    @Test func plainCSVWithHeader() throws {
        let r = try read("word,language\nSmith,English\nNowak,Polish\n")
        #expect(r.rows == [Row(2, "Smith", "English"), Row(3, "Nowak", "Polish")])
        #expect(r.rejects.isEmpty)
    }

    @Test func selectionByNameAndByIndex() throws {
        let file = "id,language,word\n1,English,Smith\n2,Polish,Żak\n"
        let byName = DelimitedFormat(textColumn: .name("word"), labelColumn: .name("language"))
        #expect(try read(file, byName).rows == [Row(2, "Smith", "English"), Row(3, "Żak", "Polish")])
        let byIndex = DelimitedFormat(textColumn: .index(2), labelColumn: .index(1))
        #expect(try read(file, byIndex).rows == [Row(2, "Smith", "English"), Row(3, "Żak", "Polish")])
        let mixed = DelimitedFormat(textColumn: .name("word"), labelColumn: .index(0))
        #expect(try read(file, mixed).rows == [Row(2, "Smith", "1"), Row(3, "Żak", "2")])
    }

    @Test func withoutHeaderTheFirstRecordIsData() throws {
        let format = DelimitedFormat(hasHeader: false, textColumn: .index(1), labelColumn: .index(0))
        let r = try read("English,Smith\nPolish,Nowak,extra\nCzech,Novák", format)
        #expect(r.rows == [Row(1, "Smith", "English"), Row(3, "Novák", "Czech")])
        #expect(r.rejects == [Reject(2, "3 fields, expected 2")])
    }

    @Test func columnSelectorParsing() {
        #expect(ColumnSelector(parsing: "0") == .index(0))
        #expect(ColumnSelector(parsing: "12") == .index(12))
        #expect(ColumnSelector(parsing: "language") == .name("language"))
        #expect(ColumnSelector(parsing: "-1") == .name("-1"))
        #expect(ColumnSelector(parsing: "1a") == .name("1a"))
        #expect(ColumnSelector(parsing: "") == .name(""))
        #expect(ColumnSelector(parsing: "99999999999999999999999") == .name("99999999999999999999999"))
        #expect(ColumnSelector(parsing: "٣") == .name("٣"))  // only ASCII digits make an index
        #expect(ColumnSelector.index(3).description == "3")
        #expect(ColumnSelector.name("word").description == "word")
        #expect(DelimitedFormat.csv.delimiter == UInt8(ascii: ","))
        #expect(DelimitedFormat.tsv.delimiter == UInt8(ascii: "\t"))
        #expect(
            DelimitedFormat.tsv.hasHeader && DelimitedFormat.tsv.textColumn == .index(0)
                && DelimitedFormat.tsv.labelColumn == .index(1))
    }

    // MARK: - Line ends, BOM, blanks

    @Test func byteOrderMarkAndCRLF() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("word,lang\r\nSmith,English\r\nNowak,Polish".utf8)
        let byName = DelimitedFormat(textColumn: .name("word"), labelColumn: .name("lang"))
        let r = try read(bytes, byName)
        #expect(r.rows == [Row(2, "Smith", "English"), Row(3, "Nowak", "Polish")])
        #expect(r.rejects.isEmpty)
    }

    @Test func crAtTheEndOfTheInputEndsTheLineAndALoneCRIsData() throws {
        #expect(try read("a,b\r\nSmith,English\r").rows == [Row(2, "Smith", "English")])
        #expect(try read("a,b\nSmi\rth,Eng\rlish\n").rows == [Row(2, "Smi\rth", "Eng\rlish")])
        #expect(try read("a,b\nSmith,\"English\"\r").rows == [Row(2, "Smith", "English")])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let r = try read("\n  \r\nword,lang\n\n\nSmith,English\n \t \n\r\nNowak,Polish\n\n")
        #expect(r.rows == [Row(6, "Smith", "English"), Row(9, "Nowak", "Polish")])
        #expect(r.rejects.isEmpty)
    }

    @Test func unquotedFieldsAreTrimmedQuotedOnesKeptVerbatim() throws {
        let r = try read("a,b\n  Smith \t,\tEnglish  \r\n\" Nowak \", \" Polish\"  \n")
        #expect(r.rows == [Row(2, "Smith", "English"), Row(3, " Nowak ", " Polish")])
        #expect(r.rejects.isEmpty)
    }

    // MARK: - Quotes

    @Test func quotedFieldsHoldDelimitersQuotesAndNewlines() throws {
        let file = #"""
            text,label\#r
            "Smith, John",English\#r
            "He said ""hi""","A ""B"""\#r
            "two\#r
            lines",X\#r
            "three

            lines","and
            two"\#r
            last,row
            """#
        let r = try read(file)
        #expect(
            r.rows == [
                Row(2, "Smith, John", "English"),
                Row(3, "He said \"hi\"", "A \"B\""),
                Row(4, "two\r\nlines", "X"),
                Row(6, "three\n\nlines", "and\ntwo"),
                Row(10, "last", "row"),
            ])
        #expect(r.rejects.isEmpty)
    }

    @Test func quotedNewlinesKeepRejectLineNumbersRight() throws {
        let r = try read("a,b\n\"x\ny\",\"\n\"\nok,1,extra\n\"p\nq\",\"\"\nfine,2\n")
        #expect(r.rows == [Row(2, "x\ny", "\n"), Row(8, "fine", "2")])
        #expect(r.rejects == [Reject(5, "3 fields, expected 2"), Reject(6, "empty label field")])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsKeptLiterally() throws {
        let r = try read("a,b\n5'10\" tall,x\nab\"c\"d,y\nO\"Neil, \"Irish\"\n")
        #expect(r.rows == [Row(2, "5'10\" tall", "x"), Row(3, "ab\"c\"d", "y"), Row(4, "O\"Neil", "Irish")])
        #expect(r.rejects.isEmpty)
    }

    @Test func textAfterAClosingQuoteRejectsTheRow() throws {
        let r = try read(
            "a,b\n\"Smith\"x,English\n\"ok\"  ,\"fine\" \t\nz,\"q\"\"\"w\n\"lead\"\"\"tail\",y\nlast,row\n")
        #expect(r.rows == [Row(3, "ok", "fine"), Row(6, "last", "row")])
        #expect(
            r.rejects == [
                Reject(2, "text after a closing quote"), Reject(4, "text after a closing quote"),
                Reject(5, "text after a closing quote"),
            ])
    }

    @Test func unterminatedQuoteThrowsNamingTheLineItOpenedOn() {
        expectError("data.csv:4: unterminated quoted field (the quote opened on this line is never closed)") {
            _ = try read("a,b\nx,y\n\"multi\nline\",\"never\nclosed,z\nmore\n", source: "data.csv")
        }
        expectError("t.csv:2: unterminated quoted field", exact: false) { _ = try read("a,b\nx,\"") }
        expectError("t.csv:1: unterminated quoted field", exact: false) { _ = try read("\"a,b\n") }
        // A doubled quote at the very end is an escaped quote, not a closing one.
        expectError("t.csv:2: unterminated quoted field", exact: false) { _ = try read("a,b\nx,\"abc\"\"") }
    }

    // MARK: - TSV

    @Test func tsvUsesTheSameGrammarWithTabs() throws {
        let file =
            "word\tlanguage\nSmith, John\tEnglish\n\"tab\there\"\t\"quoted \"\"x\"\"\"\n  spaced  \t Polish \na\tb\tc\n"
        let r = try read(file, .tsv, source: "t.tsv")
        #expect(
            r.rows == [
                Row(2, "Smith, John", "English"), Row(3, "tab\there", "quoted \"x\""),
                Row(4, "spaced", "Polish"),
            ])
        #expect(r.rejects == [Reject(5, "3 fields, expected 2")])
        // An empty field between tabs is a field (tabs are not blanks when they delimit).
        #expect(try read("a\tb\n\tX\n", .tsv).rejects == [Reject(2, "empty text field")])
    }

    // MARK: - Rejected rows

    @Test func raggedRowsAreRejected() throws {
        let r = try read("a,b\nx,y,z\nlonely\nx,y,\nfine,row\n,\n")
        #expect(r.rows == [Row(5, "fine", "row")])
        #expect(
            r.rejects == [
                Reject(2, "3 fields, expected 2"), Reject(3, "1 field, expected 2"),
                Reject(4, "3 fields, expected 2"), Reject(6, "empty text field"),
            ])
    }

    @Test func emptyTextOrLabelIsRejected() throws {
        let r = try read("a,b\n,English\nSmith,\n\"\",x\ny,\"\"\n   ,x\nok,1\n")
        #expect(r.rows == [Row(7, "ok", "1")])
        #expect(
            r.rejects == [
                Reject(2, "empty text field"), Reject(3, "empty label field"),
                Reject(4, "empty text field"), Reject(5, "empty label field"),
                Reject(6, "empty text field"),
            ])
    }

    @Test func aNulByteAnywhereInTheRecordRejectsIt() throws {
        let bytes = Array("a,b,c\nSm\0ith,x,y\nok,x,\0\n\"q\0\",x,y\n\0\nfine,x,y\n".utf8)
        let r = try read(bytes)
        #expect(r.rows == [Row(6, "fine", "x")])
        #expect(
            r.rejects == [
                Reject(2, "contains a NUL byte"), Reject(3, "contains a NUL byte"),
                Reject(4, "contains a NUL byte"), Reject(5, "1 field, expected 3"),
            ])
    }

    @Test func invalidUTF8InASelectedFieldIsRejected() throws {
        var bytes = Array("a,b,c\n".utf8)
        bytes += [0x53, 0x80, 0x74] + Array(",x,y\n".utf8)  // stray continuation byte
        bytes += Array("ok,".utf8) + [0xC0, 0xAF] + Array(",y\n".utf8)  // overlong '/'
        bytes += Array("\"".utf8) + [0xED, 0xA0, 0x80] + Array("\",x,y\n".utf8)  // a surrogate
        bytes += Array("fine,x,".utf8) + [0xFF] + Array("\n".utf8)  // an unused column is not decoded
        bytes += Array("end,".utf8) + [0xE6, 0x97]  // truncated at the end of the file
        let r = try read(bytes)
        #expect(r.rows == [Row(5, "fine", "x")])
        #expect(
            r.rejects == [
                Reject(2, "not valid UTF-8"), Reject(3, "not valid UTF-8"),
                Reject(4, "not valid UTF-8"), Reject(6, "2 fields, expected 3"),
            ])
        let lastRow = try read(Array(bytes.dropLast(2)) + Array("x,y".utf8))
        #expect(lastRow.rows.last == Row(6, "end", "x"))
    }

    @Test func anOverlongFieldIsRejectedAndTheNextRowRead() throws {
        let limit = DelimitedReader.maxFieldBytes
        var bytes = Array("a,b\nfirst,1\n".utf8)
        bytes += Array(repeating: UInt8(ascii: "x"), count: 200_000) + Array(",2\n".utf8)
        bytes += Array("\"".utf8) + Array(repeating: UInt8(ascii: "y"), count: 150_000) + Array("\n\"\"\",3\n".utf8)
        bytes += Array("ok,".utf8) + Array(repeating: UInt8(ascii: "z"), count: limit + 1) + Array("\n".utf8)
        bytes += Array(repeating: UInt8(ascii: "w"), count: limit) + Array(",4\n".utf8)
        bytes += Array("next,5\n".utf8)
        let r = try read(bytes)
        #expect(
            r.rejects == [
                Reject(3, "field of 200000 bytes; at most 65536"),
                Reject(4, "field of 150002 bytes; at most 65536"),
                Reject(6, "field of \(limit + 1) bytes; at most \(limit)"),
            ])
        try #require(r.rows.count == 3)
        #expect(r.rows[0] == Row(2, "first", "1"))
        #expect(r.rows[1] == Row(7, String(repeating: "w", count: limit), "4"))
        #expect(r.rows[2] == Row(8, "next", "5"))
    }

    /// The scanner skips eight bytes at a time: special bytes at every offset of a word, and in
    /// the last few bytes of the input, must all be seen.
    @Test func specialBytesAreFoundAtEveryOffset() throws {
        for k in 0..<20 {
            let x = String(repeating: "x", count: k), y = String(repeating: "y", count: 19 - k)
            for end in ["\n", "\r\n", ""] {
                let file = "a,b\n\(x)1,\(y)2\n\"\(x)\"\"\(y)\",\"\(y)\n\(x)\"\n\(x)\u{0}\(y),3\n\(x)\(y),z\(x)" + end
                let r = try read(file)
                #expect(
                    r.rows == [Row(2, x + "1", y + "2"), Row(3, x + "\"" + y, y + "\n" + x), Row(6, x + y, "z" + x)],
                    "k = \(k), end = \(end.debugDescription)")
                #expect(r.rejects == [Reject(5, "contains a NUL byte")], "k = \(k)")
            }
            expectError("t.csv:2: unterminated quoted field", exact: false) { _ = try read("a,b\nq,\"\(x)\"\"\(y)") }
        }
    }

    // MARK: - Fatal errors

    @Test func emptyFiles() {
        expectError("e.csv: the file is empty") { _ = try read([], source: "e.csv") }
        expectError("e.csv: the file is empty") { _ = try read([0xEF, 0xBB, 0xBF], source: "e.csv") }
        expectError("e.csv: the file is empty") { _ = try read("\n\r\n  \n\n", source: "e.csv") }
        let noHeader = DelimitedFormat(hasHeader: false)
        expectError("e.csv: the file is empty") { _ = try read("\n\n", noHeader, source: "e.csv") }
    }

    @Test func headerButNoRows() {
        expectError("h.csv: the file has a header but no rows") { _ = try read("word,language\n", source: "h.csv") }
        expectError("h.csv: the file has a header but no rows") { _ = try read("word,language", source: "h.csv") }
        expectError("h.csv: the file has a header but no rows") {
            _ = try read("word,language\r\n\r\n \n", source: "h.csv")
        }
    }

    @Test func onlyRejectedRowsIsNotAnError() throws {
        let r = try read("a,b\nx\n")
        #expect(r.rows.isEmpty)
        #expect(r.rejects == [Reject(2, "1 field, expected 2")])
    }

    @Test func headerSelectionErrors() throws {
        let lang = DelimitedFormat(textColumn: .name("word"), labelColumn: .name("lang"))
        expectError("names.csv:1: no column named 'lang' (columns: word, language)") {
            _ = try read("word,language\nSmith,English\n", lang, source: "names.csv")
        }
        // The header's line is the first non-blank one.
        expectError("names.csv:3: no column named 'lang' (columns: word, language)") {
            _ = try read("\n\nword,language\nSmith,English\n", lang, source: "names.csv")
        }
        expectError("n.csv:1: 2 columns are named 'lang' (columns 1, 2)") {
            _ = try read("word,lang,lang\nx,y,z\n", lang, source: "n.csv")
        }
        expectError("n.csv:1: column 2 is out of range: the header has 2 columns (word, language)") {
            _ = try read("word,language\nSmith,English\n", DelimitedFormat(labelColumn: .index(2)), source: "n.csv")
        }
        expectError("n.csv:1: column -1 is out of range", exact: false) {
            _ = try read("word,language\nSmith,English\n", DelimitedFormat(textColumn: .index(-1)), source: "n.csv")
        }
        expectError("n.csv:1: the text and label are the same column (0)") {
            _ = try read(
                "word,language\nSmith,English\n",
                DelimitedFormat(textColumn: .name("word"), labelColumn: .index(0)), source: "n.csv")
        }
        // Names match bytewise, quoted header fields are unquoted first.
        let quoted = DelimitedFormat(textColumn: .name("the word"), labelColumn: .name("a \"b\""))
        #expect(try read("\"the word\",\"a \"\"b\"\"\"\nx,y\n", quoted).rows == [Row(2, "x", "y")])
        expectError("no column named 'Word'", exact: false) {
            _ = try read("word,lang\nx,y\n", DelimitedFormat(textColumn: .name("Word"), labelColumn: .name("lang")))
        }
    }

    @Test func withoutHeaderErrors() {
        let noHeader = DelimitedFormat(hasHeader: false, labelColumn: .index(3))
        expectError("n.csv:2: column 3 is out of range: the first row has 2 fields") {
            _ = try read("\nSmith,English\nx,y,z,w\n", noHeader, source: "n.csv")
        }
        let byName = DelimitedFormat(hasHeader: false, textColumn: .index(0), labelColumn: .name("lang"))
        expectError("n.csv: column 'lang' is selected by name, which needs a header row") {
            _ = try read("Smith,English\n", byName, source: "n.csv")
        }
        // Checked before the contents: an empty file does not hide it.
        expectError("needs a header row", exact: false) { _ = try read("", byName, source: "n.csv") }
    }

    @Test func aDamagedHeaderIsFatal() {
        expectError("h.csv:1: the header row: contains a NUL byte") {
            _ = try read(Array("wo\0rd,x\na,b\n".utf8), source: "h.csv")
        }
        expectError("h.csv:2: the header row: text after a closing quote") {
            _ = try read("\n\"word\"s,x\na,b\n", source: "h.csv")
        }
        expectError("h.csv:1: the header row: column 1 is not valid UTF-8") {
            _ = try read(Array("word,".utf8) + [0xFE] + Array("\na,b\n".utf8), source: "h.csv")
        }
    }

    @Test func aDelimiterThatCannotWorkIsAnArgumentError() throws {
        for delimiter: UInt8 in [UInt8(ascii: "\""), 0x0A, 0x0D, 0, 0xC3] {
            expectError("the delimiter must be", kind: .invalidArgument, exact: false) {
                _ = try read("a,b\n", DelimitedFormat(delimiter: delimiter))
            }
        }
        // Any other ASCII byte works; blanks are then trimmed only when they are not the delimiter.
        #expect(try read("a;b\n x ; y \n", DelimitedFormat(delimiter: UInt8(ascii: ";"))).rows == [Row(2, "x", "y")])
        #expect(try read("a b\n\tx y\t\n", DelimitedFormat(delimiter: 0x20)).rows == [Row(2, "x", "y")])
    }

    // MARK: - Round trip

    /// Random records (quotes, delimiters, CR, LF, blanks, non-ASCII, empty fields), written
    /// with proper quoting, LF or CRLF line ends, blank lines between them, read back exactly.
    @Test(arguments: 0..<40) func randomRecordsRoundTrip(seed: UInt64) throws {
        var rng = Xoshiro256(seed: seed &* 7919 &+ 1)
        let pieces = [
            "a", "Z", "x", "7", "é", "ß", "Ł", "日本", "🙂", "e\u{301}", "\u{FEFF}", ",", "\t", ";", "\"",
            "\"\"", "\n", "\r\n", "\r", " ", "'", "\\",
        ]
        let delimiter: UInt8 = Bool.random(using: &rng) ? UInt8(ascii: ",") : UInt8(ascii: "\t")
        let hasHeader = Bool.random(using: &rng)
        let columns = Int.random(in: 2...4, using: &rng)
        let textIndex = Int.random(in: 0..<columns, using: &rng)
        var labelIndex = Int.random(in: 0..<columns - 1, using: &rng)
        if labelIndex >= textIndex { labelIndex += 1 }
        let byName = hasHeader && Bool.random(using: &rng)
        let format = DelimitedFormat(
            delimiter: delimiter, hasHeader: hasHeader,
            textColumn: byName ? .name("col \(textIndex)") : .index(textIndex),
            labelColumn: byName ? .name("col \(labelIndex)") : .index(labelIndex))

        func randomField() -> String {
            (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
        }
        func write(_ field: String) -> [UInt8] {
            let bytes = Array(field.utf8)
            let needsQuotes =
                bytes.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || [0x20, 0x09].contains(bytes.first) || [0x20, 0x09].contains(bytes.last)
                || bytes.starts(with: [0xEF, 0xBB, 0xBF])  // else a file's first field would lose it
            guard needsQuotes || Int.random(in: 0..<4, using: &rng) == 0 else { return bytes }
            var out: [UInt8] = [0x22]
            for byte in bytes { out.append(byte); if byte == 0x22 { out.append(0x22) } }
            return out + [0x22]
        }

        var file: [UInt8] = Bool.random(using: &rng) ? [0xEF, 0xBB, 0xBF] : []
        var line = 1
        var expectedRows: [Row] = [], expectedRejects: [Reject] = []
        func writeRecord(_ fields: [String], last: Bool) {
            for (i, field) in fields.enumerated() {
                if i > 0 { file.append(delimiter) }
                file += write(field)
            }
            if !last || Bool.random(using: &rng) { file += Bool.random(using: &rng) ? [0x0D, 0x0A] : [0x0A] }
            for _ in 0..<(Int.random(in: 0..<5, using: &rng) == 0 ? Int.random(in: 1...2, using: &rng) : 0) where !last
            {
                file += [[0x0A], [0x0D, 0x0A], [0x20, 0x0A]].randomElement(using: &rng)!
            }
        }
        func linesSoFar() -> Int { file.count(where: { $0 == 0x0A }) + 1 }
        if hasHeader { writeRecord((0..<columns).map { "col \($0)" }, last: false) }
        let count = Int.random(in: 1...60, using: &rng)
        for n in 0..<count {
            let fields = (0..<columns).map { _ in randomField() }
            line = linesSoFar()
            if fields[textIndex].isEmpty {
                expectedRejects.append(Reject(line, "empty text field"))
            } else if fields[labelIndex].isEmpty {
                expectedRejects.append(Reject(line, "empty label field"))
            } else {
                expectedRows.append(Row(line, fields[textIndex], fields[labelIndex]))
            }
            writeRecord(fields, last: n == count - 1)
        }

        let r = try read(file, format)
        #expect(r.rows == expectedRows)
        #expect(r.rejects == expectedRejects)
    }

    // MARK: - Timing, by hand

    /// Not a test: `CHARNN_BENCH_CSV=1 swift test --skip-build -c release -Xswiftc -enable-testing
    /// --scratch-path /tmp/csv-build --filter DelimitedReaderTests/timing` prints the parse
    /// time of one million rows of about 20 bytes.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CHARNN_BENCH_CSV"] != nil, "set CHARNN_BENCH_CSV=1"))
    func timing() throws {
        let languages = ["English", "Polish", "Czech", "Vietnamese", "Japanese", "Russian", "Greek", "Irish"]
        var bytes = Array("word,language\n".utf8)
        bytes.reserveCapacity(22_000_000)
        for i in 0..<1_000_000 {
            bytes += "Name\(i % 99_991)x,\(languages[i & 7])\n".utf8
        }
        var best = Duration.seconds(100)
        var checksum = 0
        for _ in 0..<5 {
            let clock = ContinuousClock()
            var rows = 0
            let elapsed = try clock.measure {
                try bytes.withUnsafeBufferPointer { buffer throws(CharNNError) in
                    try DelimitedReader.read(
                        buffer, source: "bench.csv", format: .csv,
                        row: { _, text, label in
                            rows += 1; checksum &+= text.utf8.count &+ label.utf8.count
                        },
                        reject: { _, _ in })
                }
            }
            #expect(rows == 1_000_000)
            best = min(best, elapsed)
        }
        let ms = Double(best.components.attoseconds) / 1e15 + Double(best.components.seconds) * 1e3
        print(
            "DelimitedReader: 1,000,000 rows, \(bytes.count) bytes: best of 5 \(ms) ms (\(Double(bytes.count) / ms / 1e3) MB/s), checksum \(checksum)"
        )
    }
}
