/// Unicode to ASCII, the way Python's `unidecode` does it: 'Ślusàrski' → 'Slusarski', 'ß' → 'ss',
/// 'Æ' → 'AE', 'Иванов' → 'Ivanov', 'Ελληνικά' → 'Ellenika', '김' → 'gim', '東京' → 'Dong Jing '.
///
/// Covers the scripts of the Basic Multilingual Plane that `unidecode` transliterates: Latin
/// (Latin-1 Supplement, Extended-A to -C and Additional, IPA, phonetic extensions), combining
/// marks (dropped, so decomposed input works), Greek, Cyrillic, Armenian, Hebrew, Arabic, Syriac,
/// Thaana, the Indic scripts (Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu,
/// Kannada, Malayalam, Sinhala), Thai, Lao, Tibetan, Myanmar, Georgian, Ethiopic, Cherokee,
/// Canadian syllabics, Ogham, Runic, Khmer, Mongolian, Hangul (jamo and syllables), Hiragana,
/// Katakana, Bopomofo, Han (CJK Unified Ideographs and Extension A: the Mandarin reading,
/// capitalised, followed by a space), Yi, fullwidth and other compatibility forms, and the
/// punctuation and symbol blocks `unidecode` has (general punctuation, currency, letterlike,
/// number forms, arrows, enclosed alphanumerics, box drawing, Braille, CJK punctuation...).
///
/// Equal to `unidecode` on Latin-1 Supplement and Latin Extended-A and -B, and on every character
/// of the names and words data sets but 15 Han characters whose `unidecode` reading no
/// permissive source gives (the tests prove both against a fixture; the table's generator,
/// tools/make_transliteration_table.py, lists its sources). A character outside those scripts,
/// an unassigned code point or a private-use one has no transliteration: `toASCII` returns nil
/// and the caller decides (the data loader skips such names and reports them). Characters that
/// carry no sound of their own (combining marks, joiners, an Arabic alef) give "".
enum Transliteration {
    /// The ASCII spelling of `text`, or nil when a character has no known transliteration.
    static func toASCII(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard append(scalar, to: &out) else { return nil }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The ASCII spelling of one scalar, or nil when it has none.
    static func toASCII(_ scalar: Unicode.Scalar) -> String? {
        var out: [UInt8] = []
        guard append(scalar, to: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the ASCII spelling of `scalar` to `out`; false (and nothing appended) when it has
    /// none. Allocation-free apart from `out` growing.
    static func append(_ scalar: Unicode.Scalar, to out: inout [UInt8]) -> Bool {
        spell(scalar) { out.append(contentsOf: $0) }
    }

    /// Calls `body` with the pieces of the ASCII spelling of `scalar` (in the table, in place);
    /// false (and no call) when it has none.
    @inline(__always)
    static func spell(_ scalar: Unicode.Scalar, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            var byte = UInt8(value)
            withUnsafePointer(to: &byte) { body(UnsafeBufferPointer(start: $0, count: 1)) }
            return true
        }
        let syllable = value &- 0xAC00
        if syllable < 11172 {
            // Hangul syllables are algorithmic: leading consonant, vowel, trailing consonant.
            let leading = Int(syllable / 588), vowel = Int(syllable % 588 / 28), trailing = Int(syllable % 28)
            spellString(Int(TransliterationTable.hangulLeading[leading]), body)
            spellString(Int(TransliterationTable.hangulVowel[vowel]), body)
            spellString(Int(TransliterationTable.hangulTrailing[trailing]), body)
            return true
        }
        // The last run starting at or before `value` (binary search).
        let ranges = TransliterationTable.ranges
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) >> 1
            if ranges[middle].first <= value { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return false }
        let run = ranges[low - 1]
        guard value <= run.last else { return false }
        let entry = Int(run.base + (value - run.first))
        let entries = TransliterationTable.entries.utf8Start
        let id = digit(entries[2 * entry]) * 91 + digit(entries[2 * entry + 1])
        guard id != TransliterationTable.noString else { return false }
        spellString(id, body)
        return true
    }

    /// Calls `body` with string `id` of the table's pool (nothing for an empty string).
    @inline(__always)
    private static func spellString(_ id: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let start = stringStart(id), end = stringStart(id + 1)
        if start == end { return }
        body(UnsafeBufferPointer(start: TransliterationTable.pool.utf8Start + start, count: end - start))
    }

    @inline(__always)
    private static func stringStart(_ id: Int) -> Int {
        let starts = TransliterationTable.starts.utf8Start + 3 * id
        return (digit(starts[0]) * 91 + digit(starts[1])) * 91 + digit(starts[2])
    }

    /// A base-91 digit of the table: '#' ... '~' without the backslash stand for 0 ... 90.
    @inline(__always)
    private static func digit(_ byte: UInt8) -> Int {
        Int(byte) - 0x23 - (byte > 0x5C ? 1 : 0)
    }
}
