import Testing
@testable import CharNN

/// Scalar-by-scalar equality: String's `==` is canonical equivalence, which would hide a wrong
/// normal form.
private func same(_ a: String, _ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }

private func hex(_ s: String) -> String {
    s.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
}

/// The address of a String's UTF-8 storage: equal addresses mean no copy was made.
private func storage(_ s: String) -> UnsafeRawPointer? {
    s.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
}

/// Python's answers (Tests/CharNNTests/Fixtures/make_unicode_normalization_oracle.py).
private struct Oracle {
    /// input, NFC, NFKC, casefold(input), casefold(NFC)
    var cases: [[String]] = []

    init() throws {
        let object = try #require(try TestSupport.loadJSON("unicode_normalization_oracle.json") as? [String: Any])
        let raw = try #require(object["cases"] as? [[Any]])
        for row in raw {
            var fields = [try #require(row[0] as? String)]
            // A null field equals the field before it.
            for k in 1..<5 { fields.append(row[k] as? String ?? fields[k - 1]) }
            cases.append(fields)
        }
    }
}

@Suite struct UnicodeNormalizationTests {
    @Test func examplesFromTheAPI() {
        #expect(same(UnicodeNormalization.nfkc("ﬁ"), "fi"))
        #expect(same(UnicodeNormalization.nfkc("x²"), "x2"))
        #expect(same(UnicodeNormalization.nfkc("Ａ"), "A"))
        #expect(same(UnicodeNormalization.nfkc("㌀"), "アパート"))
        #expect(UnicodeNormalization.nfkc("㌀").unicodeScalars.count == 4)  // パ composed
        #expect(same(UnicodeNormalization.caseFold("ß"), "ss"))
        #expect(same(UnicodeNormalization.caseFold("Σ"), "σ"))
        #expect(same(UnicodeNormalization.caseFold("ς"), "σ"))
        #expect(same(UnicodeNormalization.caseFold("İ"), "i\u{307}"))
        #expect(same(UnicodeNormalization.caseFold("ǰ"), "j\u{30C}"))
        #expect(same(UnicodeNormalization.caseFold("ΐ"), "\u{3B9}\u{308}\u{301}"))
        #expect(same(UnicodeNormalization.nfc("\u{212B}"), "\u{C5}"))  // ANGSTROM SIGN -> Å
        #expect(same(UnicodeNormalization.nfc("A\u{30A}"), "\u{C5}"))
        #expect(same(UnicodeNormalization.nfc("e\u{301}"), "\u{E9}"))
        #expect(same(UnicodeNormalization.nfc("\u{1112}\u{1161}\u{11AB}"), "한"))
        // Canonical reordering: dot below (220) before circumflex (230) either way.
        #expect(same(UnicodeNormalization.nfc("a\u{323}\u{302}"), "\u{1EAD}"))
        #expect(same(UnicodeNormalization.nfc("a\u{302}\u{323}"), "\u{1EAD}"))
        #expect(same(UnicodeNormalization.nfc("Vie\u{302}\u{323}t"), "Việt"))
        // The standard library alone gets these wrong (U+0F73 is a starter that decomposes to marks).
        #expect(same(UnicodeNormalization.nfc("x\u{301}\u{F73}"), "x\u{F71}\u{F72}\u{301}"))
        #expect(same(UnicodeNormalization.nfc(""), ""))
        #expect(same(UnicodeNormalization.caseFold(""), ""))
    }

    @Test func composedAndDecomposedInputReadTheSame() throws {
        let pairs: [(String, String)] = [
            ("\u{E9}", "e\u{301}"), ("Ångström", "A\u{30A}ngstro\u{308}m"),
            ("한국어", "\u{1112}\u{1161}\u{11AB}\u{1100}\u{116E}\u{11A8}\u{110B}\u{1165}"),
            ("Nguyễn", "Nguye\u{302}\u{303}n"), ("ǰ", "j\u{30C}"), ("ΐ", "\u{3B9}\u{308}\u{301}"), ("ガ", "カ\u{3099}"),
            ("Śląsk", "S\u{301}la\u{328}sk"), ("ốự", "o\u{302}\u{301}u\u{31B}\u{323}"),
        ]
        for (composed, decomposed) in pairs {
            #expect(same(UnicodeNormalization.nfc(composed), UnicodeNormalization.nfc(decomposed)), "\(composed)")
            #expect(same(UnicodeNormalization.nfkc(composed), UnicodeNormalization.nfkc(decomposed)), "\(composed)")
            #expect(same(UnicodeNormalization.nfc(decomposed), composed), "\(composed)")
        }
        // Every oracle input (in NFD) against its NFC form.
        var mismatches: [String] = []
        for c in try Oracle().cases {
            if !same(UnicodeNormalization.nfc(c[0]), UnicodeNormalization.nfc(c[1])) {
                mismatches.append("NFC \(hex(c[0]))")
            }
            if !same(UnicodeNormalization.nfkc(c[0]), UnicodeNormalization.nfkc(c[1])) {
                mismatches.append("NFKC \(hex(c[0]))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(50))")
    }

    /// NFC, NFKC and casefold equal Python's (unicodedata, Unicode 14.0) on the whole oracle:
    /// hard cases, every non-ASCII scalar of the words and names data, 300 words per script.
    @Test func equalsPythonOnTheOracle() throws {
        let cases = try Oracle().cases
        #expect(cases.count > 5000)
        // The fixture keeps its NFD inputs decomposed (JSON reading must not normalise them).
        #expect(cases.contains { $0[0].unicodeScalars.count > $0[1].unicodeScalars.count })
        var mismatches: [String] = []
        for c in cases {
            let checks = [
                ("nfc", UnicodeNormalization.nfc(c[0]), c[1]),
                ("nfkc", UnicodeNormalization.nfkc(c[0]), c[2]),
                ("casefold", UnicodeNormalization.caseFold(c[0]), c[3]),
                ("casefold of NFC", UnicodeNormalization.caseFold(c[1]), c[4]),
            ]
            for (name, got, expected) in checks where !same(got, expected) {
                mismatches.append("\(name)(\(hex(c[0]))): got \(hex(got)), expected \(hex(expected))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(50))")
    }

    @Test func unchangedTextIsReturnedWithoutACopy() {
        let ascii = "A plain ASCII line, long enough to live on the heap."
        let nfc = "Ελληνικά, русский, 日本語, और हिन्दी, বাংলা, தமிழ் — already in NFC."
        let folded = "ελληνικά, русский, ქართული: nothing to fold here."
        #expect(storage(ascii) != nil && storage(nfc) != nil)
        #expect(storage(UnicodeNormalization.nfc(ascii)) == storage(ascii))
        #expect(storage(UnicodeNormalization.nfkc(ascii)) == storage(ascii))
        #expect(storage(UnicodeNormalization.nfc(nfc)) == storage(nfc))
        #expect(storage(UnicodeNormalization.caseFold(folded)) == storage(folded))
        let lower = ascii.lowercased()
        #expect(storage(UnicodeNormalization.caseFold(lower)) == storage(lower))
        #expect(same(UnicodeNormalization.caseFold(ascii), ascii.lowercased()))
        #expect(same(UnicodeNormalization.caseFold("ABC xyz 123"), "abc xyz 123"))
    }

    @Test func scriptsOfTheWordsData() {
        let examples: [(String, Script)] = [
            ("hello", .latin), ("Zażółć", .latin), ("привет", .cyrillic), ("ελληνικά", .greek),
            ("مرحبا", .arabic), ("שלום", .hebrew), ("नमस्ते", .devanagari), ("বাংলা", .bengali),
            ("தமிழ்", .tamil), ("漢字", .han), ("ひらがな", .hiragana), ("カタカナ", .katakana),
            ("한국어", .hangul),
        ]
        for (text, script) in examples {
            #expect(Script.of(text) == script, "\(text)")
            #expect(Script.of(text.unicodeScalars.first!) == script, "\(text)")
        }
    }

    @Test func scriptRules() {
        #expect(Script.of("") == .common)
        #expect(Script.of("123 ,.!") == .common)
        #expect(Script.of("\u{301}") == .common)  // a combining mark
        #expect(Script.of(Unicode.Scalar(0x0301)!) == .common)
        #expect(Script.of(Unicode.Scalar(0x30FC)!) == .common)  // ー is shared by kana
        #expect(Script.of("コーヒー") == .katakana)
        #expect(Script.of("Tokyo 東京") == .latin)  // 5 Latin letters against 2 Han
        #expect(Script.of("東京 ab") == .han)  // a tie: the first seen
        #expect(Script.of("ab 東京") == .latin)
        #expect(Script.of("ᏣᎳᎩ") == .other)  // Cherokee: a script not named
        #expect(Script.of("日本語のテキスト") == .katakana)  // 3 Han, 1 hiragana, 4 katakana
        #expect(Script.allCases.count == 29)
        #expect(UnicodeTables.unicodeVersion == "14.0.0")
    }
}
