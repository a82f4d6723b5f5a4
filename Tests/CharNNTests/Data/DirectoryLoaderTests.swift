import Testing
@testable import CharNN

@Suite struct DirectoryLoaderTests {
    /// Runs `body` on a fresh directory holding `files` (name → contents).
    func withDirectory(_ files: [String: [UInt8]], _ body: (String) throws -> Void) throws {
        let dir = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeDirectory(dir) }
        for (name, bytes) in files { try TestSupport.write(bytes: bytes, to: dir + "/" + name) }
        try body(dir)
    }

    func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    func expectError(
        _ kind: CharNNError.Kind, containing fragments: [String],
        _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            try body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch let error as CharNNError {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(
                    error.message.contains(fragment), "'\(error.message)' lacks '\(fragment)'",
                    sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func labelsAreSortedFileNamesAndLinesAreCleaned() throws {
        try withDirectory([
            "Polish.txt": text("Żak\r\nNowak  \n\n  \nŚlusàrski\t\n"),
            "English.txt": text("\u{FEFF}Smith\nJones"),
            "notes.md": text("not a label"),
            ".hidden.txt": text("Hidden"),
        ]) { dir in
            let data = try NameDataset.load(directory: dir)
            #expect(data.labelNames == ["English", "Polish"])
            #expect(data.count == 5)
            #expect(data.allTexts == ["Smith", "Jones", "Żak", "Nowak", "Ślusàrski"])
            #expect(data.labels == [0, 0, 1, 1, 1])
            #expect(data.encodedText(2) == "Zak")
            #expect(data.encodedText(4) == "Slusarski")
            #expect(data.labelCounts == [2, 3])
            #expect(data.skipped.isEmpty)
        }
    }

    @Test func namesOutsideTheVocabularyAreSkippedWithTheirLine() throws {
        try withDirectory(["Czech.txt": text("Maxa/B\nNovak\nRafaj1\nPe\u{E000}trov\n")]) { dir in
            let data = try NameDataset.load(directory: dir)
            #expect(data.allTexts == ["Novak"])
            #expect(data.skipped.map(\.location) == ["Czech.txt:1", "Czech.txt:3", "Czech.txt:4"])
            #expect(
                data.skipped.map(\.reason) == [
                    .outOfVocabulary("/"), .outOfVocabulary("1"), .noTransliteration,
                ])
        }
    }

    @Test func missingDirectory() {
        expectError(.io, containing: ["/no/such/dir", "No such file"]) {
            _ = try NameDataset.load(directory: "/no/such/dir")
        }
        expectError(.invalidArgument, containing: ["empty"]) { _ = try NameDataset.load(directory: "") }
    }

    @Test func aFileIsNotADirectory() throws {
        try withDirectory(["English.txt": text("Smith")]) { dir in
            expectError(.io, containing: ["English.txt"]) {
                _ = try NameDataset.load(directory: dir + "/English.txt")
            }
        }
    }

    @Test func noLabelFiles() throws {
        try withDirectory(["readme.md": text("x"), ".x.txt": text("y")]) { dir in
            expectError(.invalidData, containing: ["no label files", dir]) {
                _ = try NameDataset.load(directory: dir)
            }
        }
    }

    @Test func emptyLabelFile() throws {
        try withDirectory(["English.txt": text("Smith"), "Greek.txt": text("\n \r\n")]) { dir in
            expectError(.invalidData, containing: ["Greek.txt", "no names"]) {
                _ = try NameDataset.load(directory: dir)
            }
        }
    }

    @Test func invalidUTF8NamesFileAndLine() throws {
        try withDirectory(["German.txt": text("Müller\nSchmidt\n") + [0x4D, 0xFC, 0x6C, 0x0A]]) { dir in
            expectError(.invalidData, containing: ["German.txt", "line 3", "UTF-8"]) {
                _ = try NameDataset.load(directory: dir)
            }
        }
    }

    @Test func unreadableFile() throws {
        try withDirectory(["English.txt": text("Smith")]) { dir in
            // A directory named like a label file is not a regular file: it is ignored, and with
            // no other file the directory has no labels.
            TestSupport.removeDirectory(dir + "/English.txt")
            try TestSupport.makeDirectory(dir + "/English.txt")
            expectError(.invalidData, containing: ["no label files"]) { _ = try NameDataset.load(directory: dir) }
        }
    }

    @Test func fromMemory() throws {
        let data = try NameDataset(
            names: ["Smith", "Żak", "Rafaj1", ""], labels: [0, 1, 1, 0],
            labelNames: ["English", "Polish"])
        #expect(data.count == 2)
        #expect(data.encodedText(1) == "Zak")
        #expect(data.skipped.map(\.location) == ["name 2", "name 3"])
        #expect(throws: CharNNError.self) { try NameDataset(names: ["a"], labels: [], labelNames: ["x"]) }
        #expect(throws: CharNNError.self) { try NameDataset(names: ["a"], labels: [2], labelNames: ["x"]) }
        #expect(throws: CharNNError.self) { try NameDataset(names: ["a"], labels: [0], labelNames: []) }
        #expect(throws: CharNNError.self) { try NameDataset(names: ["a"], labels: [0], labelNames: ["x", "x"]) }
    }

    /// The tutorial's data: 20,074 lines, 4 skipped, 18 labels in file-name order.
    @Test(.enabled(if: TestSupport.realDataDirectory != nil, "needs data/names (make data)"))
    func theTutorialData() throws {
        let data = try NameDataset.load(directory: TestSupport.realDataDirectory!)
        #expect(data.labelCount == 18)
        #expect(data.labelNames.first == "Arabic" && data.labelNames.last == "Vietnamese")
        #expect(data.count == 20_070)
        #expect(data.skipped.map(\.text) == ["Maxa/B", "Rafaj1", "Urbanek1", "Whitmire1"])
    }
}
