import Testing
@testable import CharNN

@Suite struct TransliterationTests {
    @Test func examplesFromTheIssue() {
        #expect(Transliteration.toASCII("Ślusàrski") == "Slusarski")
        #expect(Transliteration.toASCII("ß") == "ss")
        #expect(Transliteration.toASCII("Æ") == "AE")
        #expect(Transliteration.toASCII("ł") == "l")
        #expect(Transliteration.toASCII("Ø") == "O")
        #expect(Transliteration.toASCII("To The First\u{A0}Page") == "To The First Page")
    }

    @Test func decomposedInputDropsCombiningMarks() {
        // 'S' + COMBINING ACUTE ACCENT, 'a' + COMBINING GRAVE ACCENT
        #expect(Transliteration.toASCII("S\u{301}lusa\u{300}rski") == "Slusarski")
    }

    @Test func asciiPassesThroughAndUncoveredScriptsAreNil() {
        #expect(Transliteration.toASCII("O'Neill-Smith, Jr.") == "O'Neill-Smith, Jr.")
        #expect(Transliteration.toASCII("Иванов") == nil)
        #expect(Transliteration.toASCII("李") == nil)
        #expect(Transliteration.toASCII("") == "")
    }

    /// Every code point of Latin-1 Supplement, Latin Extended-A and -B equals unidecode's answer.
    @Test func equalsUnidecodeOnLatinRanges() throws {
        let oracle = try #require(try TestSupport.loadJSON("unidecode_oracle.json") as? [String: Any])
        let codePoints = try #require(oracle["code_points"] as? [String: String])
        #expect(codePoints.count == 0x250 - 0x80)
        var mismatches: [String] = []
        for (hex, expected) in codePoints {
            let scalar = try #require(UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init))
            let got = Transliteration.toASCII(scalar)
            if got != expected { mismatches.append("U+\(hex): expected '\(expected)', got '\(got ?? "nil")'") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.sorted())")
    }

    /// Every non-ASCII line of the tutorial's data equals unidecode's answer.
    @Test func equalsUnidecodeOnTheDataSetNames() throws {
        let oracle = try #require(try TestSupport.loadJSON("unidecode_oracle.json") as? [String: Any])
        let names = try #require(oracle["names"] as? [[String]])
        #expect(names.count > 100)
        for pair in names {
            #expect(Transliteration.toASCII(pair[0]) == pair[1], "\(pair[0])")
        }
    }
}
