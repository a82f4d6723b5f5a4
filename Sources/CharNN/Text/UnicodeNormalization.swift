/// Unicode normal forms and case folding without Foundation or ICU.
///
/// - NFC: a quick check over the scalars (generated tables: combining classes, NFC_Quick_Check
///   and the primary composite pairs) finds almost every text already in NFC, which is returned
///   as it is, without a copy. A text that fails it and has no scalar with a canonical
///   decomposition (decomposed text, NFD: the usual case) is reordered and composed from the
///   tables. The rest (precomposed letters mixed with marks to reorder, singletons, Hangul
///   syllables followed by jamo, ...) goes to the standard library's own normaliser
///   (`String._withNFCCodeUnits`, the one behind String comparison), with one fix: it does not
///   reorder U+0F73, U+0F75 and U+0F81 (starters that decompose to marks) after a mark of a
///   higher class, so those are decomposed before it runs.
/// - NFKC: NFC of the text with each scalar replaced by its full compatibility decomposition
///   (a generated table of every code point whose NFKD differs from its NFD). That is NFKC:
///   each piece is fully decomposed, and NFC reorders and composes across the pieces.
/// - Case folding: Python's `str.casefold()` (CaseFolding.txt, status C + F), per scalar.
///
/// All three agree with Python's `unicodedata` and `str.casefold()` on every assigned code point
/// (alone, decomposed and in context) and on the words and names data (see the tests).
///
/// The tables are Unicode 14.0 (Python 3.11's `unicodedata`); the standard library may know a
/// newer Unicode. The two differ only on characters assigned after 14.0: those always take the
/// standard library's path for NFC, and have no compatibility or folding mapping here.
///
/// All three return their argument itself (no new storage) when nothing changes, and read ASCII
/// without a table.
enum UnicodeNormalization {
    /// Canonical composition (NFC).
    static func nfc(_ text: String) -> String {
        if isKnownASCII(text) || withUTF8(text, { isNormalized($0, compatibility: false) }) { return text }
        return normalized(text, compatibility: false)
    }

    /// Compatibility composition (NFKC): ﬁ → fi, ² → 2, full-width Ａ → A, ㌀ → アパート, composed.
    static func nfkc(_ text: String) -> String {
        if isKnownASCII(text) || withUTF8(text, { isNormalized($0, compatibility: true) }) { return text }
        return normalized(text, compatibility: true)
    }

    /// Full Unicode case folding (CaseFolding.txt status C + F), as Python's str.casefold():
    /// ß → ss, Σ/ς → σ.
    static func caseFold(_ text: String) -> String {
        withUTF8(text, caseFolded) ?? text
    }

    // MARK: - Quick check

    /// Whether `utf8` is certainly in NFC (NFKC with `compatibility`): the quick check of UAX #15,
    /// with its "maybe" answers settled where that is cheap (a composable mark or vowel sign after
    /// a starter that has no decomposition: only the pair table decides). False sends the text to
    /// the full algorithm, so it may err only that way.
    static func isNormalized(_ utf8: UnsafeBufferPointer<UInt8>, compatibility: Bool) -> Bool {
        let n = utf8.count
        var i = 0
        // ASCII prefix: always normalised.
        while i < n && utf8[i] < 0x80 { i += 1 }
        if i == n { return true }
        var lastClass: UInt32 = 0
        // The last starter and whether it has a canonical decomposition; none before the first.
        var starter: UInt32 = i > 0 ? UInt32(utf8[i - 1]) : 0
        var starterState: StarterState = i > 0 ? .plain : .none
        while i < n {
            let b = utf8[i]
            if b < 0x80 {
                i += 1
                lastClass = 0
                starter = UInt32(b)
                starterState = .plain
                continue
            }
            let scalar = UTF8Decoding.decode(utf8, at: &i)
            let properties = UnicodeProperties(scalar)
            if compatibility && properties.hasCompatibilityDecomposition { return false }
            let combiningClass = properties.combiningClass
            if combiningClass != 0 && lastClass > combiningClass { return false }
            switch properties.quickCheck {
            case 0:
                break
            case 1:
                // Unblocked from the last starter: nothing between them, or only marks of a lower
                // class (they are in canonical order, so the previous one has the highest).
                if starterState != .none && (lastClass == 0 || lastClass < combiningClass) {
                    if starterState == .decomposes || composes(starter, scalar) { return false }
                }
            default:
                return false
            }
            if combiningClass == 0 {
                starter = scalar
                starterState = properties.hasCanonicalDecomposition ? .decomposes : .plain
            }
            lastClass = combiningClass
        }
        return true
    }

    private enum StarterState { case none, plain, decomposes }

    /// The primary composite of <first, second>, if there is one.
    static func composition(_ first: UInt32, _ second: UInt32) -> UInt32? {
        // Hangul: leading consonant + vowel, and LV syllable + trailing consonant (arithmetic).
        if first &- 0x1100 < 19 && second &- 0x1161 < 21 {
            return 0xAC00 + ((first - 0x1100) * 21 + (second - 0x1161)) * 28
        }
        if first &- 0xAC00 < 11172 && (first - 0xAC00) % 28 == 0 && second &- 0x11A8 < 27 {
            return first + (second - 0x11A7)
        }
        let pairs = TableReader(UnicodeTables.compositionPairs, width: 6)
        guard let index = pairs.find(UInt64(first) << 18 | UInt64(second), in: 0..<pairs.count) else { return nil }
        return TableReader(UnicodeTables.compositions, width: 3)[index]
    }

    static func composes(_ first: UInt32, _ second: UInt32) -> Bool { composition(first, second) != nil }

    // MARK: - Full algorithms

    /// NFC (NFKC with `compatibility`) of a text that failed the quick check.
    static func normalized(_ text: String, compatibility: Bool) -> String {
        let prepared = withUTF8(text, { decomposed($0, compatibility: compatibility) }) ?? text
        return withUTF8(prepared, composedFromDecomposed) ?? composed(prepared)
    }

    /// NFC by the standard library's normaliser (the one behind String comparison).
    static func composed(_ text: String) -> String {
        // NFC is at most three times as long as its input in UTF-8 (UAX #15).
        let capacity = text.utf8.count * 3
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var count = 0
            text._withNFCCodeUnits { byte in
                if count < capacity { buffer[count] = byte }
                count += 1
            }
            precondition(count <= capacity, "NFC longer than 3x its input")
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// NFC from the tables alone, for a text in which no scalar has a canonical decomposition
    /// (decomposed text, NFD, the usual reason to fail the quick check): canonical reordering,
    /// then canonical composition (UAX #15). Nil when some scalar has a canonical decomposition
    /// or is unassigned in the tables' Unicode version: the standard library does those.
    static func composedFromDecomposed(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: utf8.count) { buffer -> String? in
            // Each scalar with its combining class in bits 21...28 and, in bit 29, whether it may
            // compose with a preceding scalar (NFC_Quick_Check "maybe"; no other scalar can).
            var count = 0
            var i = 0
            while i < utf8.count {
                let scalar = UTF8Decoding.decode(utf8, at: &i)
                var combiningClass: UInt32 = 0, maybe: UInt32 = 0
                if scalar >= 0x80 {
                    let properties = UnicodeProperties(scalar)
                    if properties.hasCanonicalDecomposition || properties.quickCheck == 2 { return nil }
                    combiningClass = properties.combiningClass
                    maybe = properties.quickCheck
                }
                // Canonical ordering: a mark moves before the marks of a higher class (stable).
                var j = count
                if combiningClass != 0 {
                    while j > 0 && buffer[j - 1] >> 21 & 0xFF > combiningClass { buffer[j] = buffer[j - 1]; j -= 1 }
                }
                buffer[j] = maybe << 29 | combiningClass << 21 | scalar
                count += 1
            }
            // Composition: each scalar joins the last starter unless blocked, by a starter or by
            // a mark of the same or a higher class between them.
            var written = 0
            var starter = -1
            var length = 0  // UTF-8 bytes of the result
            for k in 0..<count {
                let packed = buffer[k]
                let scalar = packed & 0x1F_FFFF, combiningClass = packed >> 21 & 0xFF
                if packed >> 29 != 0 && starter >= 0
                    && (written - 1 == starter || buffer[written - 1] >> 21 & 0xFF < combiningClass),
                    let composite = composition(buffer[starter] & 0x1F_FFFF, scalar)
                {
                    length += UTF8Decoding.length(composite) - UTF8Decoding.length(buffer[starter] & 0x1F_FFFF)
                    buffer[starter] = composite  // a primary composite is a starter
                    continue
                }
                if combiningClass == 0 { starter = written }
                buffer[written] = packed
                written += 1
                length += UTF8Decoding.length(scalar)
            }
            return String(unsafeUninitializedCapacity: length) { out in
                var o = 0
                for k in 0..<written { UTF8Decoding.encode(buffer[k] & 0x1F_FFFF, into: out, at: &o) }
                return o
            }
        }
    }

    /// The text made ready for the standard library's NFC: with `compatibility`, every scalar
    /// that has a compatibility decomposition replaced by its NFKD; and the starters whose
    /// decomposition begins with a non-starter (U+0F73, U+0F75, U+0F81) replaced by it, as the
    /// standard library does not reorder them after a mark of a higher class. Nil when nothing
    /// is replaced.
    static func decomposed(_ utf8: UnsafeBufferPointer<UInt8>, compatibility: Bool) -> String? {
        let records = TableReader(UnicodeTables.compatibilityRecords, width: 3)
        let scalars = TableReader(UnicodeTables.compatibilityScalars, width: 3)
        var result: String?
        var copied = 0  // bytes of utf8 already in result
        var i = 0
        let n = utf8.count
        while i < n {
            if utf8[i] < 0x80 { i += 1; continue }
            let start = i
            let scalar = UTF8Decoding.decode(utf8, at: &i)
            var replacement: Range<UInt32>?
            var leading: (UInt32, UInt32, UInt32)?
            let properties = UnicodeProperties(scalar)
            if compatibility && properties.hasCompatibilityDecomposition,
                let record = records.find(pairKey: scalar)
            {
                replacement = records[2 * record + 1]..<records[2 * record + 3]
            } else if properties.hasCanonicalDecomposition && properties.quickCheck == 2 {
                leading = UnicodeTables.leadingNonStarterDecompositions.first { $0.0 == scalar }
            }
            guard replacement != nil || leading != nil else { continue }
            if result == nil { result = String(); result!.reserveCapacity(n + 16) }
            result!.append(String(decoding: UnsafeBufferPointer(rebasing: utf8[copied..<start]), as: UTF8.self))
            if let replacement {
                for k in replacement { result!.unicodeScalars.append(Unicode.Scalar(scalars[Int(k)])!) }
            } else if let leading {
                result!.unicodeScalars.append(Unicode.Scalar(leading.1)!)
                result!.unicodeScalars.append(Unicode.Scalar(leading.2)!)
            }
            copied = i
        }
        guard var text = result else { return nil }
        text.append(String(decoding: UnsafeBufferPointer(rebasing: utf8[copied..<n]), as: UTF8.self))
        return text
    }

    /// `str.casefold()` of the text; nil when it changes nothing.
    static func caseFolded(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        let records = TableReader(UnicodeTables.caseFoldingRecords, width: 3)
        let scalars = TableReader(UnicodeTables.caseFoldingScalars, width: 3)
        // Pass 1: the first change, and the folded length.
        let n = utf8.count
        var i = 0
        while i < n {
            let b = utf8[i]
            if b < 0x80 {
                if b &- 0x41 < 26 { break }
                i += 1
                continue
            }
            var next = i
            if UnicodeProperties(UTF8Decoding.decode(utf8, at: &next)).changesWhenCaseFolded { break }
            i = next
        }
        if i == n { return nil }
        let firstChange = i
        var length = firstChange
        while i < n {
            let b = utf8[i]
            if b < 0x80 { length += 1; i += 1; continue }
            let start = i
            let scalar = UTF8Decoding.decode(utf8, at: &i)
            if UnicodeProperties(scalar).changesWhenCaseFolded, let record = records.find(pairKey: scalar) {
                for k in records[2 * record + 1]..<records[2 * record + 3] {
                    length += UTF8Decoding.length(scalars[Int(k)])
                }
            } else {
                length += i - start
            }
        }
        // Pass 2: write it.
        return String(unsafeUninitializedCapacity: length) { out in
            _ = out.initialize(fromContentsOf: UnsafeBufferPointer(rebasing: utf8[..<firstChange]))
            var o = firstChange
            var i = firstChange
            while i < n {
                let b = utf8[i]
                if b < 0x80 {
                    out[o] = b &- 0x41 < 26 ? b | 0x20 : b
                    o += 1; i += 1
                    continue
                }
                let start = i
                let scalar = UTF8Decoding.decode(utf8, at: &i)
                if UnicodeProperties(scalar).changesWhenCaseFolded, let record = records.find(pairKey: scalar) {
                    for k in records[2 * record + 1]..<records[2 * record + 3] {
                        UTF8Decoding.encode(scalars[Int(k)], into: out, at: &o)
                    }
                } else {
                    for k in start..<i { out[o] = utf8[k]; o += 1 }
                }
            }
            return o
        }
    }

    /// `body` over the text's UTF-8, in place (every native String is contiguous UTF-8).
    @inline(__always)
    static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        text.utf8Span.span.withUnsafeBufferPointer(body)
    }

    /// Whether the text is known to be ASCII without reading it: a flag that every String made
    /// by validating UTF-8 (literals, decoding, reading files) carries.
    @inline(__always)
    static func isKnownASCII(_ text: String) -> Bool {
        text.utf8Span.isKnownASCII
    }
}

// MARK: - Tables

/// The generated properties of one code point (see UnicodeTables.palette).
struct UnicodeProperties {
    let bits: UInt32

    @inline(__always)
    init(_ codePoint: UInt32) {
        let top = TableReader(UnicodeTables.trieTop, width: 2)
        let middle = TableReader(UnicodeTables.trieMiddle, width: 2)
        let leaves = TableReader(UnicodeTables.trieLeaves, width: 2)
        let leafBits = UInt32(UnicodeTables.leafBits), middleBits = UInt32(UnicodeTables.middleBits)
        let m = top[Int(codePoint >> (leafBits + middleBits))]
        let l = middle[Int(m << middleBits | (codePoint >> leafBits) & (1 << middleBits - 1))]
        let p = leaves[Int(l << leafBits | codePoint & (1 << leafBits - 1))]
        bits = TableReader(UnicodeTables.palette, width: 3)[Int(p)]
    }

    var combiningClass: UInt32 { bits & 0xFF }
    /// NFC_Quick_Check: 0 yes, 1 maybe, 2 no (or unassigned in the tables' Unicode version).
    var quickCheck: UInt32 { bits >> 8 & 3 }
    var hasCanonicalDecomposition: Bool { bits & 1 << 10 != 0 }
    var hasCompatibilityDecomposition: Bool { bits & 1 << 11 != 0 }
    var changesWhenCaseFolded: Bool { bits & 1 << 12 != 0 }
    var scriptIndex: Int { Int(bits >> 13) }
}

/// Fixed-width numbers in a generated table: `width` 6-bit digits each, stored as '0' + digit.
struct TableReader {
    let base: UnsafePointer<UInt8>
    let width: Int
    /// Numbers in the table.
    let count: Int

    @inline(__always)
    init(_ table: StaticString, width: Int) {
        base = table.utf8Start
        self.width = width
        count = table.utf8CodeUnitCount / width
    }

    @inline(__always)
    subscript(index: Int) -> UInt32 {
        let p = base + index * width
        var value: UInt32 = 0
        for k in 0..<width { value = value << 6 | UInt32(p[k] &- 0x30) }
        return value
    }

    /// Numbers as wide as the table's (up to 60 bits).
    @inline(__always)
    func wide(_ index: Int) -> UInt64 {
        let p = base + index * width
        var value: UInt64 = 0
        for k in 0..<width { value = value << 6 | UInt64(p[k] &- 0x30) }
        return value
    }

    /// The index of `key` in a sorted table, by binary search.
    func find(_ key: UInt64, in range: Range<Int>) -> Int? {
        var low = range.lowerBound, high = range.upperBound
        while low < high {
            let mid = (low + high) / 2
            let value = wide(mid)
            if value == key { return mid }
            if value < key { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// In a table of (code point, offset) pairs ending in a sentinel pair: the pair of `key`.
    func find(pairKey key: UInt32) -> Int? {
        var low = 0, high = count / 2 - 1
        while low < high {
            let mid = (low + high) / 2
            let value = self[2 * mid]
            if value == key { return mid }
            if value < key { low = mid + 1 } else { high = mid }
        }
        return nil
    }
}

/// UTF-8 of valid text (a String's), by hand: the decoding loops above stay allocation-free.
enum UTF8Decoding {
    /// The scalar at `i` (a lead byte), moving `i` past it.
    @inline(__always)
    static func decode(_ utf8: UnsafeBufferPointer<UInt8>, at i: inout Int) -> UInt32 {
        let b0 = UInt32(utf8[i])
        if b0 < 0x80 { i += 1; return b0 }
        if b0 < 0xE0 {
            defer { i += 2 }
            return (b0 & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F)
        }
        if b0 < 0xF0 {
            defer { i += 3 }
            return (b0 & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F)
        }
        defer { i += 4 }
        return (b0 & 0x07) << 18 | UInt32(utf8[i + 1] & 0x3F) << 12 | UInt32(utf8[i + 2] & 0x3F) << 6
            | UInt32(utf8[i + 3] & 0x3F)
    }

    @inline(__always)
    static func length(_ scalar: UInt32) -> Int {
        scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : scalar < 0x10000 ? 3 : 4
    }

    @inline(__always)
    static func encode(_ scalar: UInt32, into out: UnsafeMutableBufferPointer<UInt8>, at o: inout Int) {
        switch length(scalar) {
        case 1:
            out[o] = UInt8(scalar)
        case 2:
            out[o] = UInt8(0xC0 | scalar >> 6)
            out[o + 1] = UInt8(0x80 | scalar & 0x3F)
        case 3:
            out[o] = UInt8(0xE0 | scalar >> 12)
            out[o + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[o + 2] = UInt8(0x80 | scalar & 0x3F)
        default:
            out[o] = UInt8(0xF0 | scalar >> 18)
            out[o + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[o + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[o + 3] = UInt8(0x80 | scalar & 0x3F)
        }
        o += length(scalar)
    }
}
