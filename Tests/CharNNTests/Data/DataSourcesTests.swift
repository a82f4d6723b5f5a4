import Testing
@testable import CharNN

/// Data from delimited files and memory, learned alphabets through splits, summaries, and
/// models that read any script.
@Suite struct DataSourcesTests {
    func withFile(_ name: String, _ contents: String, _ body: (String) throws -> Void) throws {
        let dir = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeDirectory(dir) }
        try TestSupport.write(contents, to: dir + "/" + name)
        try body(dir + "/" + name)
    }

    static let learned = TextConfig(alphabet: .learned())

    @Test func csvRowsLabelsAndSkippedRowsWithTheirLines() throws {
        let csv =
            "\u{FEFF}word,lang\r\nпривет,ru\r\n\"hello, world\",en\r\nγεια,el\r\nbad row\r\n,en\r\nκαλά,\r\nсобака,ru\r\n"
        try withFile("words.csv", csv) { path in
            let data = try NameDataset.load(
                path: path, delimited: DelimitedFormat(textColumn: .name("word"), labelColumn: .name("lang")),
                textConfig: Self.learned)
            #expect(data.labelNames == ["el", "en", "ru"])
            #expect(data.allTexts == ["привет", "hello, world", "γεια", "собака"])
            #expect(data.labels == [2, 1, 0, 2])
            #expect(data.skipped.map(\.location) == ["words.csv:5", "words.csv:6", "words.csv:7"])
            #expect(data.skipped[1].description.contains("empty"), "\(data.skipped[1])")
            #expect(data.alphabet.kind == .learned && data.alphabet.hasUnknown)
            #expect(data.unknownCharacters == 0)
            let summary = data.summary
            #expect(summary.rows == 4 && summary.skipped == 3 && summary.classCounts.map(\.count) == [1, 1, 2])
        }
    }

    @Test func tsvByIndexWithoutHeader() throws {
        try withFile("data.tsv", "ru\tИванов\nen\tSmith\n") { path in
            let data = try NameDataset.load(
                path: path, delimited: DelimitedFormat(hasHeader: false, textColumn: .index(1), labelColumn: .index(0)),
                textConfig: Self.learned)
            #expect(data.allTexts == ["Иванов", "Smith"] && data.labelNames == ["en", "ru"])
        }
    }

    @Test func aMissingColumnOrAnEmptyFileIsAnError() throws {
        try withFile("a.csv", "text,label\nx,y\n") { path in
            #expect(throws: CharNNError.self) {
                try NameDataset.load(path: path, delimited: DelimitedFormat(textColumn: .name("word")))
            }
        }
        try withFile("empty.csv", "") { path in
            do throws(CharNNError) { _ = try NameDataset.load(path: path); Issue.record("expected an error") } catch {
                #expect(error.kind == .invalidData && error.message.contains("empty.csv"))
            }
        }
        try withFile("allbad.csv", "text,label\n,x\ny,\n") { path in
            do throws(CharNNError) { _ = try NameDataset.load(path: path); Issue.record("expected an error") } catch {
                #expect(error.kind == .invalidData && error.message.contains("no usable row"), "\(error.message)")
            }
        }
    }

    @Test func labelsFromMemoryAreAnyStringsSorted() throws {
        let data = try NameDataset(
            texts: ["东京", "서울", "Paris", "", "Berlin"], labels: ["城市", "도시", "ville", "x", "Stadt"],
            textConfig: Self.learned)
        #expect(data.labelNames == ["Stadt", "ville", "城市", "도시"])
        #expect(data.count == 4 && data.skipped.map(\.location) == ["row 3"])
    }

    /// A label whose only rows were left out is no label (the article's alphabet skips "O'Brien1").
    @Test func aLabelWithNoRowLeftIsNoLabel() throws {
        let data = try NameDataset(texts: ["Smith", "O'Brien1", "Jones"], labels: ["English", "Irish", "English"])
        #expect(data.labelNames == ["English"] && data.labels == [0, 0])
        #expect(data.skipped.map(\.location) == ["row 1"])
    }

    /// A huge line in a label file is listed, not trained on.
    @Test func anOverlongTextIsSkipped() throws {
        let dir = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeDirectory(dir) }
        try TestSupport.write(
            "Smith\n" + String(repeating: "a", count: 200_000) + "\nJones\n", to: dir + "/English.txt")
        let data = try NameDataset.load(directory: dir)
        #expect(data.allTexts == ["Smith", "Jones"])
        #expect(data.skipped.map(\.description) == ["English.txt:2: the text is 200000 bytes; at most 65536"])
        // Within the byte limit but past the symbols a model reads (東 transliterates to "Dong "):
        // skipped at load as prediction would refuse it.
        let han = try NameDataset(
            texts: ["ok", String(repeating: "東", count: 300)], labels: ["a", "b"],
            textConfig: TextConfig(alphabet: .learned(), transliterate: true))
        #expect(han.count == 1 && han.skipped.map(\.location) == ["row 1"])
        #expect(han.skipped.first?.reason == .tooManySymbols(1500))
        #expect(han.skipped.first?.description.hasSuffix("the text reads as 1500 symbols; at most 1024") == true)
    }

    /// Labels are compared bytewise: two spellings of "é" are two labels.
    @Test func labelsAreBytewise() throws {
        let data = try NameDataset(texts: ["a", "b"], labels: ["\u{E9}", "e\u{301}"], textConfig: Self.learned)
        #expect(data.labelCount == 2)
        #expect(data.summary.duplicates == 0)
    }

    /// The label cap counts labels that keep rows, not those of rows left out.
    @Test func theLabelCapCountsKeptLabels() throws {
        let texts = Array(repeating: "123", count: 65_536) + ["abc"]
        let labels = (0...65_536).map { $0 == 65_536 ? "ok" : "L\($0)" }
        let data = try NameDataset(texts: texts, labels: labels)
        #expect(data.labelNames == ["ok"] && data.count == 1 && data.skipped.count == 65_536)
    }

    /// Characters and unknown characters count the same units: symbols as the alphabet reads them.
    @Test func summaryCountsSymbolsRead() throws {
        let data = try NameDataset(
            texts: ["東京", "xy"], labels: ["a", "b"],
            textConfig: TextConfig(alphabet: .explicit("xyz"), transliterate: true))
        let summary = data.summary
        #expect(summary.characters == "Dong Jing ".count + 2)
        #expect(summary.unknownCharacters == "Dong Jing ".count)
    }

    /// An article alphabet with symbols 0.1.0 could not read is written as format 2 and reloads.
    @Test func nonASCIIArticleSymbolsRoundTrip() throws {
        let alphabet = try Alphabet(kind: .article, symbols: "éab", normalization: .article)
        let model = try Model(
            config: ModelConfig(kind: .gru, hiddenSize: 4, layers: 1), labels: ["x", "y"], alphabet: alphabet)
        let dir = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeDirectory(dir) }
        try model.save(to: dir + "/m.safetensors")
        #expect(try Model.load(from: dir + "/m.safetensors").alphabet == alphabet)
    }

    /// Evaluation counts are sparse; the dense matrix and the pair counts agree.
    @Test func evaluationCountsAreSparse() throws {
        let data = try NameDataset(
            texts: ["aa", "bb", "cc", "ab"], labels: ["A", "B", "C", "A"], textConfig: Self.learned)
        let model = try Model(
            config: ModelConfig(kind: .gru, hiddenSize: 8, layers: 1), labels: data.labelNames, alphabet: data.alphabet)
        let evaluation = try model.evaluate(data)
        let matrix = evaluation.confusion
        for i in 0..<3 { for j in 0..<3 { #expect(matrix[i][j] == evaluation.count(trueLabel: i, predicted: j)) } }
        #expect(evaluation.total == 4 && matrix.joined().reduce(0, +) == 4)
        #expect(evaluation.correct == (0..<3).reduce(0) { $0 + matrix[$1][$1] })
    }

    @Test func manyLabels() throws {
        let n = 70_000
        let texts = (0..<n).map { "t\($0)" }
        #expect(throws: CharNNError.self) { try NameDataset(texts: texts, labels: texts, textConfig: Self.learned) }
        let data = try NameDataset(
            texts: Array(texts.prefix(65_535)), labels: Array(texts.prefix(65_535)), textConfig: Self.learned)
        #expect(data.labelCount == 65_535)
    }

    /// A split relearns the alphabet from its train part: a character only the test part has
    /// is `<unk>` there, never a symbol.
    @Test func splitLearnsTheAlphabetFromTheTrainPartOnly() throws {
        var texts: [String] = [], labels: [String] = []
        for i in 0..<40 { texts.append(i % 2 == 0 ? "ab" : "cd"); labels.append(i % 2 == 0 ? "x" : "y") }
        texts[7] = "cdЖ"  // one rare character
        let data = try NameDataset(texts: texts, labels: labels, textConfig: Self.learned)
        #expect(data.alphabet.index(of: "Ж") != nil)
        for seed in UInt64(0)..<8 {
            let (train, test) = try data.stratifiedSplit(testFraction: 0.25, seed: seed)
            #expect(train.alphabet == test.alphabet)
            let inTest = test.allTexts.contains("cdЖ")
            #expect((train.alphabet.index(of: "Ж") == nil) == inTest)
            if inTest { #expect(test.unknownCharacters == 1) }
        }
    }

    @Test func modelsReadOtherScriptsAndKeepTheirAlphabetInTheCheckpoint() throws {
        let words: [(String, String)] = [
            ("собака", "ru"), ("кошка", "ru"), ("молоко", "ru"), ("γάτα", "el"), ("σκύλος", "el"),
            ("γάλα", "el"), ("猫", "zh"), ("狗", "zh"), ("牛奶", "zh"), ("고양이", "ko"), ("개", "ko"), ("우유", "ko"),
        ]
        let data = try NameDataset(
            texts: words.map(\.0), labels: words.map(\.1), textConfig: TextConfig(alphabet: .learned(), caseFold: true))
        let model = try Model(
            config: ModelConfig(kind: .gru, hiddenSize: 16, layers: 1, seed: 1), labels: data.labelNames,
            alphabet: data.alphabet)
        var training = TrainingConfig()
        (training.epochs, training.batchSize, training.learningRate) = (60, 4, 0.02)
        try model.train(on: data, config: training)
        #expect(try model.evaluate(data).accuracy == 1)
        // Decomposed input reads as composed (NFC), unseen characters as <unk>, counted.
        let (tokens, counts) = try Model.encodeForInference("γα\u{301}τα€", alphabet: model.alphabet)
        #expect(tokens.last == UInt16(model.alphabet.unknownIndex!) && counts.unknown == 1)
        #expect(try model.predict("γα\u{301}τα")[0].label == "el")

        let dir = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeDirectory(dir) }
        try model.save(to: dir + "/m.safetensors")
        let loaded = try Model.load(from: dir + "/m.safetensors")
        #expect(loaded.alphabet == model.alphabet)
        #expect(loaded.alphabet.normalization == TextNormalization(form: .nfc, caseFold: true, transliterate: false))
        for word in ["собака", "猫", "Γάτα", "unknown ☃"] {
            #expect(try loaded.probabilities(word) == model.probabilities(word))
        }
    }

    /// A test file loaded on its own (its own learned alphabet, fewer labels) is read with the
    /// model's alphabet and labels.
    @Test func evaluationReencodesAndRelabels() throws {
        let train = try NameDataset(
            texts: ["aa", "bb", "cc", "ab"], labels: ["A", "B", "C", "A"], textConfig: Self.learned)
        let model = try Model(
            config: ModelConfig(kind: .gru, hiddenSize: 8, layers: 1), labels: train.labelNames,
            alphabet: train.alphabet)
        let test = try NameDataset(texts: ["bbz", "cc"], labels: ["B", "C"], textConfig: Self.learned)
        #expect(test.alphabet != model.alphabet)
        let evaluation = try model.evaluate(test)
        #expect(evaluation.total == 2 && evaluation.labels == ["A", "B", "C"])
        let stranger = try NameDataset(texts: ["aa"], labels: ["Z"], textConfig: Self.learned)
        do throws(CharNNError) { _ = try model.evaluate(stranger); Issue.record("expected an error") } catch {
            #expect(error.kind == .invalidArgument && error.message.contains("'Z'"))
        }
        // The article's alphabet has no <unk>: data it cannot read is refused, not dropped.
        let article = try Model(config: ModelConfig(kind: .gru, hiddenSize: 8, layers: 1), labels: ["A", "B", "C"])
        let unreadable = try NameDataset(texts: ["a\u{E000}"], labels: ["A"], textConfig: Self.learned)
        #expect(throws: CharNNError.self) { try article.evaluate(unreadable) }
    }

    /// Checkpoints written by 0.1.0 (format 1) load and predict what 0.1.0 predicted.
    @Test func a010CheckpointPredictsAsBefore() throws {
        let model = try Model.load(from: TestSupport.fixture("charnn_0.1.0_gru.safetensors"))
        #expect(model.alphabet == .article)
        let expected = try #require(try TestSupport.loadJSON("charnn_0.1.0_predictions.json") as? [String: [Double]])
        #expect(expected.count >= 5)
        for (name, probabilities) in expected {
            let got = try model.probabilities(name)
            #expect(got.count == probabilities.count)
            for (a, b) in zip(got, probabilities) { #expect(abs(Double(a) - b) <= 1e-6, "\(name)") }
        }
        // Saving it again writes format 1, as 0.1.0 did.
        let dir = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeDirectory(dir) }
        try model.save(to: dir + "/again.safetensors")
        let file = try SafeTensors.parse(try FileSystem.readFile(dir + "/again.safetensors"), source: "again")
        #expect(file.metadata("format_version") == "1" && file.metadata("alphabet") == nil)
    }
}
