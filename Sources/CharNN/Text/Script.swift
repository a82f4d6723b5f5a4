/// The writing system a scalar belongs to, for data summaries ("rows per script").
///
/// From the generated tables (tools/make_unicode_tables.py): the scripts named here agree with
/// Unicode's Script property (Scripts.txt) on every code point assigned in the tables' Unicode
/// version, except that combining marks are `common` (as Script=Inherited is in spirit: a mark
/// takes the script of its base). Letters of the scripts not named here are `other`, as are
/// unassigned and private-use code points.
enum Script: String, Sendable, CaseIterable {
    // The order is the generator's SCRIPTS list: the tables store each scalar's case index.
    case latin, cyrillic, greek, armenian, georgian, hebrew, arabic, devanagari, bengali, gurmukhi, gujarati,
        oriya, tamil, telugu, kannada, malayalam, sinhala, thai, lao, tibetan, myanmar, ethiopic, khmer,
        hangul, hiragana, katakana, han, common, other

    /// Cases by table index (`allCases` builds a new array at every call).
    static let byIndex: [Script] = Array(allCases)

    /// The script of one scalar (`common`: digits, punctuation, spaces, symbols shared by scripts).
    static func of(_ scalar: Unicode.Scalar) -> Script {
        byIndex[UnicodeProperties(scalar.value).scriptIndex]
    }

    /// The script of a text: the most frequent non-common script among its scalars (ties: first
    /// seen); `common` when it has none.
    static func of(_ text: String) -> Script {
        byIndex[UnicodeNormalization.withUTF8(text, dominantScriptIndex)]
    }

    private static let latinIndex = Script.latin.tableIndex
    private static let commonIndex = Script.common.tableIndex

    /// The table index of this case.
    var tableIndex: Int { Script.allCases.firstIndex(of: self)! }

    private static func dominantScriptIndex(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        let latin = latinIndex, common = commonIndex
        // The ASCII prefix: its letters are Latin, the rest common. All-ASCII text ends here.
        var asciiLetters = 0
        var i = 0
        let n = utf8.count
        while i < n {
            let b = utf8[i]
            if b >= 0x80 { break }
            if (b | 0x20) &- 0x61 < 26 { asciiLetters += 1 }
            i += 1
        }
        if i == n { return asciiLetters > 0 ? latin : common }
        // Counts (0..<32) and order of first sighting (32..<64) per script index, on the stack.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * 32) { table -> Int in
            table.initialize(repeating: 0)
            var order = 0
            if asciiLetters > 0 { table[latin] = asciiLetters; table[32 + latin] = order; order += 1 }
            while i < n {
                var index: Int
                let b = utf8[i]
                if b < 0x80 {
                    i += 1
                    guard (b | 0x20) &- 0x61 < 26 else { continue }
                    index = latin
                } else {
                    let scalar = UTF8Decoding.decode(utf8, at: &i)
                    index = UnicodeProperties(scalar).scriptIndex
                    if index == common { continue }
                }
                if table[index] == 0 { table[32 + index] = order; order += 1 }
                table[index] += 1
            }
            var best = common, bestCount = 0, bestOrder = Int.max
            for index in 0..<Script.byIndex.count where table[index] > 0 {
                if table[index] > bestCount || (table[index] == bestCount && table[32 + index] < bestOrder) {
                    best = index; bestCount = table[index]; bestOrder = table[32 + index]
                }
            }
            return best
        }
    }
}
