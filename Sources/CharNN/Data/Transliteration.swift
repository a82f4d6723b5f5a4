/// Unicode to ASCII, the way Python's `unidecode` does it for the scripts surnames are written
/// in: 'Ślusàrski' → 'Slusarski', 'ß' → 'ss', 'Æ' → 'AE', 'ł' → 'l', 'Ø' → 'O'.
///
/// Covers Latin-1 Supplement, Latin Extended-A and -B (equal to `unidecode` there, which the
/// tests prove against a fixture), combining diacritical marks (dropped, so decomposed input
/// works), Latin Extended Additional and General Punctuation. A character outside those ranges
/// has no transliteration: `toASCII` returns nil and the caller decides (the data loader skips
/// such names and reports them).
public enum Transliteration {
    /// The ASCII spelling of `text`, or nil when a character has no known transliteration.
    public static func toASCII(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard append(scalar, to: &out) else { return nil }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The ASCII spelling of one scalar, or nil when it has none.
    public static func toASCII(_ scalar: Unicode.Scalar) -> String? {
        var out: [UInt8] = []
        guard append(scalar, to: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    static func append(_ scalar: Unicode.Scalar, to out: inout [UInt8]) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            out.append(UInt8(value))
            return true
        }
        var base = 0
        for range in TransliterationTable.ranges {
            if value < range.first { return false }
            if value <= range.last {
                let entry = base + Int(value - range.first)
                let start = Int(TransliterationTable.offsets[entry])
                let end = Int(TransliterationTable.offsets[entry + 1])
                TransliterationTable.pool.withUTF8Buffer { pool in
                    out.append(contentsOf: pool[start..<end])
                }
                return true
            }
            base += Int(range.last - range.first) + 1
        }
        return false
    }
}
