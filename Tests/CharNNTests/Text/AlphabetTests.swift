import Testing
@testable import CharNN

@Suite struct AlphabetTests {
    @Test func articleAlphabetIndices() {
        let a = Alphabet.article
        #expect(a.count == 59)
        #expect(!a.hasUnknown && a.unknownIndex == nil)
        #expect(a.index(of: "a") == 0)
        #expect(a.index(of: "z") == 25)
        #expect(a.index(of: "A") == 26)
        #expect(a.index(of: "Z") == 51)
        #expect(a.index(of: " ") == 52)
        #expect(a.index(of: "'") == 58)
        #expect(a.index(of: "1") == nil)
        #expect(a.index(of: "é") == nil)
        #expect(a.string == "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'")
        #expect(a.normalization == .article)
    }

    @Test func articleEncodingTransliteratesAndCountsWhatItDrops() {
        let a = Alphabet.article
        #expect(a.encode("Żak").tokens == [51, 0, 10])
        let (tokens, counts) = a.encode("Rafaj1")
        #expect(tokens == [43, 0, 5, 0, 9])  // '1' dropped, as 0.1.0 did at prediction
        #expect(counts.unknown == 1 && counts.firstUnknown == "1" && counts.untransliterable == 0)
        let privateUse = a.encode("a\u{E000}b")
        #expect(privateUse.tokens == [0, 1] && privateUse.counts.untransliterable == 1)
    }

    @Test func explicitAlphabetMapsTheRestToUnknown() throws {
        let a = try Alphabet(explicit: "абв", normalization: TextNormalization(form: .nfc))
        #expect(a.count == 4 && a.unknownIndex == 3)
        let (tokens, counts) = a.encode("вбаг")
        #expect(tokens == [2, 1, 0, 3])
        #expect(counts.unknown == 1 && counts.firstUnknown == "г")
        #expect(a.symbol(at: 3) == "<unk>" && a.symbol(at: 0) == "а")
    }

    @Test func learnedAlphabetIsOrderedByCountThenCodePoint() {
        let a = Alphabet(learningFrom: ["bba", "cab", "dé"], minCount: 1, normalization: TextNormalization(form: .nfc))
        #expect(a.symbols.map(String.init) == ["b", "a", "c", "d", "é"])
        let capped = Alphabet(
            learningFrom: ["bba", "cab", "dé"], minCount: 2, normalization: TextNormalization(form: .nfc))
        #expect(capped.symbols.map(String.init) == ["b", "a"])
        let top = Alphabet(
            learningFrom: ["bba", "cab", "dé"], maxSymbols: 1, normalization: TextNormalization(form: .nfc))
        #expect(top.symbols.map(String.init) == ["b"] && top.count == 2)
        // The order never depends on the input's order.
        let shuffled = Alphabet(learningFrom: ["dé", "cab", "bba"], normalization: TextNormalization(form: .nfc))
        #expect(shuffled == a)
    }

    @Test func composedAndDecomposedInputEncodeTheSame() {
        for form in [TextNormalization.Form.nfc, .nfkc] {
            let norm = TextNormalization(form: form)
            let a = Alphabet(learningFrom: ["Ślusàrski Müller"], normalization: norm)
            let composed = a.encode("Ślusàrski Müller")
            let decomposed = a.encode("S\u{301}lusa\u{300}rski Mu\u{308}ller")
            #expect(composed == decomposed, "\(form)")
            #expect(composed.counts.unknown == 0)
        }
        // Without normalisation they differ: the option matters.
        let raw = Alphabet(learningFrom: ["Ślusàrski"], normalization: TextNormalization(form: .none))
        #expect(raw.encode("S\u{301}lusarski").counts.unknown > 0)
    }

    @Test func caseFoldingAndNFKC() {
        let folded = TextNormalization(form: .nfkc, caseFold: true)
        let a = Alphabet(learningFrom: ["strasse"], normalization: folded)
        #expect(a.encode("STRAẞE").counts.unknown == 0)  // ẞ folds to ss
        #expect(a.encode("Ｓｔｒａｓｓｅ").tokens == a.encode("strasse").tokens)  // full-width letters
        let translit = TextNormalization(form: .nfc, caseFold: true, transliterate: true)
        let b = Alphabet(learningFrom: ["zhukov"], normalization: translit)
        #expect(b.encode("Жуков").tokens == b.encode("zhukov").tokens)
    }

    @Test func rejectsBadAlphabets() {
        let plain = TextNormalization()
        #expect(throws: CharNNError.self) { try Alphabet(explicit: "", normalization: plain) }
        #expect(throws: CharNNError.self) { try Alphabet(explicit: "abca", normalization: plain) }
        #expect(throws: CharNNError.self) { try Alphabet(explicit: "ab\u{0}", normalization: plain) }
        #expect(throws: CharNNError.self) { try TextConfig(alphabet: .learned(minCount: 0)).validate() }
        #expect(throws: CharNNError.self) { try TextConfig(alphabet: .learned(maxSymbols: 70_000)).validate() }
    }

    @Test func defaultsFollowTheAlphabet() {
        #expect(TextConfig().normalization == .article)
        let learned = TextConfig(alphabet: .learned())
        #expect(learned.normalization == TextNormalization(form: .nfc, caseFold: false, transliterate: false))
    }
}
