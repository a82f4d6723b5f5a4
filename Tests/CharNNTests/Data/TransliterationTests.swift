import Testing
@testable import CharNN

@Suite struct TransliterationTests {
    /// The Han characters of the data sets whose `unidecode` reading no permissive source gives
    /// (see tools/make_transliteration_table.py, HAN_EXCEPTIONS): 仮 伝 価 冒 囲 戻 払 携 械 汉 繋
    /// 艘 触 适 骤.
    static let hanExceptions: Set<String> = [
        "4EEE", "4F1D", "4FA1", "5192", "56F2", "623B", "6255", "643A", "68B0", "6C49", "7E4B",
        "8258", "89E6", "9002", "9AA4",
    ]

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

    /// One word of each of the scripts the data sets are written in (and Thai), as unidecode
    /// writes it.
    @Test func otherScripts() {
        #expect(Transliteration.toASCII("Иванов") == "Ivanov")
        #expect(Transliteration.toASCII("Юлия Щербакова") == "Iuliia Shcherbakova")
        #expect(Transliteration.toASCII("Ελληνικά") == "Ellenika")
        #expect(Transliteration.toASCII("김") == "gim")
        #expect(Transliteration.toASCII("한국어") == "hangugeo")
        #expect(Transliteration.toASCII("東京") == "Dong Jing ")
        #expect(Transliteration.toASCII("こんにちは") == "konnichiha")
        #expect(Transliteration.toASCII("カタカナ") == "katakana")
        #expect(Transliteration.toASCII("العربية") == "l`rby@")
        #expect(Transliteration.toASCII("עברית") == "`bryt")
        #expect(Transliteration.toASCII("हिन्दी") == "hindii")
        #expect(Transliteration.toASCII("ภาษาไทย") == "phaasaaaithy")
        #expect(Transliteration.toASCII("Ｆｕｌｌ") == "Full")
        #expect(Transliteration.toASCII("Հայաստան") == "Hayastan")
        #expect(Transliteration.toASCII("ｶﾀｶﾅ") == "katakana")
    }

    @Test func asciiPassesThroughAndUncoveredCodePointsAreNil() {
        #expect(Transliteration.toASCII("O'Neill-Smith, Jr.") == "O'Neill-Smith, Jr.")
        #expect(Transliteration.toASCII("") == "")
        #expect(Transliteration.toASCII(Unicode.Scalar(0xE000)!) == nil)  // private use
        #expect(Transliteration.toASCII(Unicode.Scalar(0x0378)!) == nil)  // unassigned (Greek)
        #expect(Transliteration.toASCII(Unicode.Scalar(0xFFFF)!) == nil)  // noncharacter
        #expect(Transliteration.toASCII(Unicode.Scalar(0x1F600)!) == nil)  // emoji, not covered
        #expect(Transliteration.toASCII("Ivan\u{E000}") == nil)
        // A character that carries no sound of its own is covered and gives "".
        #expect(Transliteration.toASCII("\u{200D}") == "")
        #expect(Transliteration.toASCII("ا") == "")
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

    /// Every distinct non-ASCII code point of the names and words data equals unidecode's answer,
    /// but the 15 Han exceptions, which are transliterated (with another reading).
    @Test func equalsUnidecodeOnTheDataSetCodePoints() throws {
        let oracle = try #require(try TestSupport.loadJSON("unidecode_oracle.json") as? [String: Any])
        let codePoints = try #require(oracle["data_code_points"] as? [String: String])
        #expect(codePoints.count > 4000)
        var mismatches: [String] = []
        var differing: Set<String> = []
        for (hex, expected) in codePoints {
            let scalar = try #require(UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init))
            let got = Transliteration.toASCII(scalar)
            guard got != expected else { continue }
            differing.insert(hex)
            if !Self.hanExceptions.contains(hex) || got == nil {
                mismatches.append("U+\(hex) \(Character(scalar)): expected '\(expected)', got '\(got ?? "nil")'")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.sorted())")
        #expect(differing.isSubset(of: Self.hanExceptions))
        #expect(
            differing.count == Self.hanExceptions.count,
            "exceptions now equal: \(Self.hanExceptions.subtracting(differing).sorted())")
    }

    /// The first 20 non-ASCII words of each language of the words data equal unidecode's answer.
    @Test func equalsUnidecodeOnTheWordsSample() throws {
        let oracle = try #require(try TestSupport.loadJSON("unidecode_oracle.json") as? [String: Any])
        let words = try #require(oracle["words"] as? [[String]])
        #expect(words.count > 700)
        var mismatches: [String] = []
        for pair in words where Transliteration.toASCII(pair[0]) != pair[1] {
            mismatches.append("\(pair[0]): expected '\(pair[1])', got '\(Transliteration.toASCII(pair[0]) ?? "nil")'")
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// Every covered code point gives printable ASCII (or nothing), and the table's runs are in
    /// order, so the binary search finds them.
    @Test func tableIsWellFormed() {
        let ranges = TransliterationTable.ranges
        for i in ranges.indices {
            #expect(ranges[i].first <= ranges[i].last)
            if i > 0 {
                #expect(ranges[i - 1].last < ranges[i].first)
                #expect(ranges[i].base == ranges[i - 1].base + (ranges[i - 1].last - ranges[i - 1].first + 1))
            }
        }
        var covered = 0
        var bad: [String] = []
        for value in UInt32(0x80)..<0x10000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            var out: [UInt8] = []
            if Transliteration.append(scalar, to: &out) {
                covered += 1
                if !out.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { bad.append("U+\(String(value, radix: 16))") }
            } else if !out.isEmpty {
                bad.append("U+\(String(value, radix: 16)) appended on failure")
            }
        }
        #expect(bad.isEmpty, "\(bad.prefix(20))")
        #expect(covered > 45_000)
    }
}
