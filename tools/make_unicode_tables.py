#!/usr/bin/env python3
"""Writes Sources/CharNN/Text/UnicodeTables.swift: the data behind UnicodeNormalization (NFC and
NFKC quick checks, compatibility decompositions, full case folding) and Script.

Source: Python's own `unicodedata` and `str.casefold()` (Python 3.11: Unicode 14.0.0), nothing
else, so the output depends only on the Python version. Run by hand from the package root and
commit the output:

    python3 tools/make_unicode_tables.py

What is generated (see UnicodeTables.swift for how Swift reads it):
  * A three-stage trie giving every code point a palette entry of 18 bits: canonical combining
    class (8), NFC quick check (2: yes, maybe, no; code points unassigned in this Unicode version
    count as "no" so that the standard library, which may know a newer Unicode, decides them),
    "has a canonical decomposition", "NFKD differs from NFD", "changes under casefold()" and the
    script (5).
  * The primary composite pairs and their composites (for the quick check's "maybe" answers
    and for composing decomposed text).
  * The starters whose canonical decomposition begins with a non-starter (U+0F73, U+0F75,
    U+0F81), which the standard library's NFC mishandles.
  * For every code point whose NFKD differs from its NFD: its full NFKD.
  * For every code point whose casefold() differs from itself: its casefold() (status C + F).

Every number is written as fixed-width groups of 6-bit digits, each digit one byte '0' + value
('0'...'o'), in raw string literals: StaticString data that sits in .rodata, is read in place
with no decoding step and compiles in a moment (large array literals do not).

Scripts: Python has no Script property, so the script of a code point comes from its name (the
first word of "CYRILLIC SMALL LETTER A", "CJK UNIFIED IDEOGRAPH-4E00", "HANGUL SYLLABLE GA", ...)
with the exceptions in SCRIPT_EXCEPTIONS, which bring it in line with Unicode's Scripts.txt for the
scripts charnn names (checked against the `regex` package's Script property: equal on every code
point assigned in 14.0 for those 27 scripts; the remaining differences, about 0.8 %, are common
versus other for punctuation and digits of scripts charnn does not name). Combining marks (categories Mn, Mc, Me)
are `common`, as are digits,
punctuation, symbols and spaces that no script owns; letters of scripts charnn does not name, and
unassigned or private-use code points, are `other`.
"""

import os
import re
import sys
import unicodedata as ud

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "CharNN", "Text", "UnicodeTables.swift")

# The order of Script's cases in Sources/CharNN/Text/Script.swift.
SCRIPTS = [
    "latin",
    "cyrillic",
    "greek",
    "armenian",
    "georgian",
    "hebrew",
    "arabic",
    "devanagari",
    "bengali",
    "gurmukhi",
    "gujarati",
    "oriya",
    "tamil",
    "telugu",
    "kannada",
    "malayalam",
    "sinhala",
    "thai",
    "lao",
    "tibetan",
    "myanmar",
    "ethiopic",
    "khmer",
    "hangul",
    "hiragana",
    "katakana",
    "han",
    "common",
    "other",
]
SCRIPT_INDEX = {s: i for i, s in enumerate(SCRIPTS)}

# Name prefixes of Han characters and of Han punctuation that Scripts.txt gives to Han.
HAN_PREFIXES = (
    "CJK UNIFIED IDEOGRAPH",
    "CJK COMPATIBILITY IDEOGRAPH",
    "CJK RADICAL",
    "KANGXI RADICAL",
    "IDEOGRAPHIC ITERATION MARK",
    "VERTICAL IDEOGRAPHIC ITERATION MARK",
    "IDEOGRAPHIC NUMBER ZERO",
    "HANGZHOU NUMERAL",
    "OLD CHINESE ITERATION MARK",
)
# Characters named after a script that Scripts.txt nevertheless calls Common (shared punctuation).
SHARED_PREFIXES = (
    "KATAKANA-HIRAGANA ",
    "HALFWIDTH KATAKANA-HIRAGANA ",
    "KATAKANA MIDDLE DOT",
    "HALFWIDTH KATAKANA MIDDLE DOT",
    "HALFWIDTH KATAKANA VOICED SOUND MARK",
    "HALFWIDTH KATAKANA SEMI-VOICED SOUND MARK",
    "SQUARED KATAKANA ",
    "ARABIC COMMA",
    "ARABIC SEMICOLON",
    "ARABIC QUESTION MARK",
    "ARABIC NUMBER MARK ABOVE",
    "ARABIC END OF AYAH",
    "ARABIC DISPUTED END OF AYAH",
    "DEVANAGARI DANDA",
    "DEVANAGARI DOUBLE DANDA",
    "GREEK QUESTION MARK",
    "GREEK ANO TELEIA",
    "GREEK NUMERAL SIGN",
    "GREEK DIALYTIKA TONOS",
    "GEORGIAN PARAGRAPH SEPARATOR",
    "THAI CURRENCY SYMBOL BAHT",
    "LATIN CROSS",
    "IDEOGRAPHIC CLOSING MARK",
    "PARENTHESIZED LATIN",
    "CIRCLED LATIN",
    "SQUARED LATIN",
    "NEGATIVE CIRCLED LATIN",
    "NEGATIVE SQUARED LATIN",
)
# ... and single characters so named (a prefix would take in their relatives).
SHARED_NAMES = {"ARABIC TATWEEL", "MODIFIER LETTER GLOTTAL STOP"}
# Decorations in front of a script's name ("FULLWIDTH LATIN CAPITAL LETTER A").
DECORATIONS = (
    "FULLWIDTH ",
    "HALFWIDTH ",
    "CIRCLED ",
    "PARENTHESIZED ",
    "SQUARED ",
    "SQUARE ",
    "SUPERSCRIPT ",
    "SUBSCRIPT ",
)
# Where the name says nothing (or the wrong thing) about the script; from Scripts.txt.
SCRIPT_EXCEPTIONS = [
    ("HENTAIGANA ", "hiragana"),
    ("SQUARE HIRAGANA ", "hiragana"),
    ("EXTENDED ARABIC-INDIC ", "arabic"),
    ("AFGHANI SIGN", "arabic"),
    ("ROMAN NUMERAL ", "latin"),
    ("SMALL ROMAN NUMERAL ", "latin"),
    ("RUMI ", "arabic"),
    ("RIAL SIGN", "arabic"),
    ("OLD CHINESE HOOK MARK", "han"),
    ("MODIFIER LETTER CAPITAL BARRED B", "latin"),
    ("MODIFIER LETTER CAPITAL REVERSED N", "latin"),
    ("MODIFIER LETTER SMALL CAPITAL AA", "latin"),
    ("MODIFIER LETTER SUPERSCRIPT ", "latin"),
    ("MODIFIER LETTER GLOTTAL STOP WITH STROKE", "latin"),
    ("FEMININE ORDINAL INDICATOR", "latin"),
    ("MASCULINE ORDINAL INDICATOR", "latin"),
    ("KELVIN SIGN", "latin"),
    ("ANGSTROM SIGN", "latin"),
    ("TURNED CAPITAL F", "latin"),
    ("TURNED SMALL F", "latin"),
    ("OHM SIGN", "greek"),
    ("NOMISMA SIGN", "greek"),
    ("SLAVONIC ASTERISK", "cyrillic"),
    ("RIGHT-FACING ARMENIAN ETERNITY SIGN", "armenian"),
    ("LEFT-FACING ARMENIAN ETERNITY SIGN", "armenian"),
    ("PARENTHESIZED KOREAN CHARACTER ", "hangul"),
    ("CIRCLED KOREAN CHARACTER ", "hangul"),
    ("MICRO SIGN", "common"),
]
# The squared katakana words U+3300...U+3357 (SQUARE APAATO ...) are Katakana in Scripts.txt.
SQUARED_KATAKANA_WORDS = range(0x3300, 0x3358)


def script_words():
    """First words of the names of letters: the names of scripts ('SYRIAC', 'BRAILLE' aside)."""
    words = set()
    for cp in range(0x110000):
        ch = chr(cp)
        m = re.match(r"([A-Z]+)[A-Z ]*? (?:CAPITAL |SMALL )?(?:LETTER|SYLLABLE|CHARACTER|IDEOGRAPH)\b", ud.name(ch, ""))
        if m and ud.category(ch).startswith("L"):
            words.add(m.group(1))
    return words - {
        "MODIFIER",
        "FULLWIDTH",
        "HALFWIDTH",
        "CIRCLED",
        "PARENTHESIZED",
        "SQUARED",
        "MATHEMATICAL",
        "SMALL",
        "CAPITAL",
        "NEGATIVE",
        "OLD",
        "SQUARE",
        "VERTICAL",
    }


WORDS = None
NAMED = {s.upper(): s for s in SCRIPTS if s not in ("han", "common", "other")}


def script_of(cp: int) -> str:
    global WORDS
    if WORDS is None:
        WORDS = script_words()
    ch = chr(cp)
    cat = ud.category(ch)
    if cat.startswith("M"):
        return "common"
    if cat in ("Cn", "Cs", "Co"):
        return "other"
    if cp in SQUARED_KATAKANA_WORDS:
        return "katakana"
    name = ud.name(ch, "")
    for prefix, script in SCRIPT_EXCEPTIONS:
        if name.startswith(prefix):
            return script
    if name.startswith(HAN_PREFIXES):
        return "han"
    if name.startswith(SHARED_PREFIXES) or name in SHARED_NAMES:
        return "common"
    rest = name
    for d in DECORATIONS:
        if rest.startswith(d):
            rest = rest[len(d) :]
            break
    first = re.split(r"[ -]", rest)[0]
    if first in NAMED:
        return NAMED[first]
    if cat.startswith("L") and name.startswith("MODIFIER LETTER "):
        # A superscript letter belongs to the script of the letter it raises (ʰ: h, ᵝ: β).
        d = ud.decomposition(ch)
        if d.startswith(("<super>", "<sub>")) and len(d.split()) == 2:
            return script_of(int(d.split()[1], 16))
        for script in ("LATIN", "GREEK", "CYRILLIC"):
            for form in ("{} {}", "{} LETTER {}"):
                tail = name[len("MODIFIER LETTER ") :]
                tail = re.sub(r"^(SMALL|CAPITAL) (.*)$", r"\1 LETTER \2", tail)
                try:
                    ud.lookup(form.format(script, tail))
                    return script.lower()
                except KeyError:
                    pass
        return "common"
    if first in WORDS:
        return "other"
    if cat.startswith("L"):
        # Letterlike and mathematical letters (𝐀, ℂ) are Common; letters of unnamed scripts are not.
        return "common" if ud.decomposition(ch).startswith("<font>") else "other"
    return "common"


def primary_composites():
    """(first, second) -> composite, for every canonical pair that NFC recomposes."""
    pairs = {}
    for cp in range(0x110000):
        ch = chr(cp)
        d = ud.decomposition(ch)
        if d and not d.startswith("<"):
            parts = [int(x, 16) for x in d.split()]
            if len(parts) == 2 and ud.normalize("NFC", ch) == ch:
                pairs[tuple(parts)] = cp
    return pairs


def main():
    print("Unicode", ud.unidata_version, file=sys.stderr)
    pairs = primary_composites()
    maybe = {second for (_, second) in pairs}
    maybe |= set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V and T jamo

    palette, values = {}, []
    compat, folds = {}, {}
    for cp in range(0x110000):
        ch = chr(cp)
        cat = ud.category(ch)
        unassigned = cat in ("Cn", "Cs")
        ccc = ud.combining(ch)
        nfd = ud.normalize("NFD", ch)
        nfkd = ud.normalize("NFKD", ch)
        if unassigned or ud.normalize("NFC", ch) != ch:
            qc = 2
        elif cp in maybe:
            qc = 1
        else:
            qc = 0
        has_compat = nfkd != nfd
        if has_compat:
            compat[cp] = nfkd
        folded = ch.casefold()
        if folded != ch:
            folds[cp] = folded
        bits = (
            ccc
            | qc << 8
            | (nfd != ch) << 10
            | has_compat << 11
            | (folded != ch) << 12
            | SCRIPT_INDEX[script_of(cp)] << 13
        )
        values.append(palette.setdefault(bits, len(palette)))
    assert len(palette) < 4096 and max(palette) < 1 << 18

    # Three stages: cp >> 9 -> middle block (32 entries) -> leaf block (16 entries) -> palette.
    leaf_bits, middle_bits = 4, 5
    leaves, leaf_ids = {}, []
    for start in range(0, 0x110000, 1 << leaf_bits):
        leaf_ids.append(leaves.setdefault(tuple(values[start : start + (1 << leaf_bits)]), len(leaves)))
    middles, middle_ids = {}, []
    for start in range(0, len(leaf_ids), 1 << middle_bits):
        middle_ids.append(middles.setdefault(tuple(leaf_ids[start : start + (1 << middle_bits)]), len(middles)))
    assert len(leaves) < 4096 and len(middles) < 4096

    def records(mapping):
        """Sorted (code point, offset) records with a sentinel, and the pool of mapped scalars."""
        keys, pool = [], []
        for cp in sorted(mapping):
            keys.append((cp, len(pool)))
            pool.extend(ord(c) for c in mapping[cp])
        keys.append((0x3FFFF, len(pool)))
        assert all(k < 1 << 18 and o < 1 << 18 for k, o in keys) and max(pool) < 1 << 18
        return [v for k in keys for v in k], pool

    compat_records, compat_pool = records(compat)
    fold_records, fold_pool = records(folds)
    composition_pairs = [v for (first, second) in sorted(pairs) for v in (first, second)]
    composites = [pairs[pair] for pair in sorted(pairs)]
    assert max(composition_pairs + composites) < 1 << 18

    # Starters whose canonical decomposition begins with a non-starter (Tibetan vowel signs): the
    # standard library's NFC treats them as segment boundaries and so fails to reorder them after
    # a mark of a higher class; UnicodeNormalization decomposes them itself first.
    leading_non_starters = []
    for cp in range(0x110000):
        nfd = ud.normalize("NFD", chr(cp))
        if nfd != chr(cp) and ud.combining(chr(cp)) == 0 and ud.combining(nfd[0]) != 0:
            assert len(nfd) == 2
            leading_non_starters.append((cp, ord(nfd[0]), ord(nfd[1])))

    max_fold_growth = max(len(folds[cp].encode()) / len(chr(cp).encode()) for cp in folds)
    assert max_fold_growth <= 3

    out = []
    w = out.append
    w("// swift-format-ignore-file: generated tables, one long line each")
    w(
        "// Generated by tools/make_unicode_tables.py from Python %s's unicodedata and str.casefold()"
        % ".".join(map(str, sys.version_info[:2]))
    )
    w("// (Unicode %s). Do not edit by hand: change the script and run" % ud.unidata_version)
    w("// `python3 tools/make_unicode_tables.py` from the package root.")
    w("//")
    w("// Every table is a string of 6-bit digits, one byte each ('0' + value, so '0'...'o'); a number")
    w("// is a fixed-width, big-endian group of them. The strings are read in place (`utf8Start`).")
    w("")
    w("enum UnicodeTables {")
    w("    /// The Unicode version of this data.")
    w('    static let unicodeVersion = "%s"' % ud.unidata_version)
    w("")
    w("    /// Trie shape: a code point's top bits pick a middle block, its next `middleBits` bits an")
    w("    /// entry of that block (a leaf block), its low `leafBits` bits an entry of the leaf.")
    w("    static let leafBits = %d" % leaf_bits)
    w("    static let middleBits = %d" % middle_bits)
    w("")
    w("    /// %d entries of 2 digits: cp >> %d -> middle block." % (len(middle_ids), leaf_bits + middle_bits))
    emit(w, "trieTop", middle_ids, 2)
    w("    /// %d middle blocks of %d entries of 2 digits -> leaf block." % (len(middles), 1 << middle_bits))
    emit(w, "trieMiddle", [v for block in middles for v in block], 2)
    w("    /// %d leaf blocks of %d entries of 2 digits -> palette entry." % (len(leaves), 1 << leaf_bits))
    emit(w, "trieLeaves", [v for block in leaves for v in block], 2)
    w(
        "    /// %d palette entries of 3 digits (18 bits): canonical combining class (bits 0-7), NFC quick"
        % len(palette)
    )
    w("    /// check (8-9: 0 yes, 1 maybe, 2 no or unassigned), has a canonical decomposition (10), NFKD")
    w("    /// differs from NFD (11), changes when case folded (12), index of the Script case (13-17).")
    emit(w, "palette", list(palette), 3)
    w("    /// %d primary composite pairs (first, second) of 3 + 3 digits, sorted: the pairs that NFC" % len(pairs))
    w("    /// composes (Hangul aside, which is arithmetic).")
    emit(w, "compositionPairs", composition_pairs, 3)
    w("    /// The primary composite of each pair in compositionPairs, 3 digits each.")
    emit(w, "compositions", composites, 3)
    w("    /// Starters whose canonical decomposition (here) begins with a non-starter: the standard")
    w("    /// library's NFC does not reorder them after a mark of a higher class, so they are")
    w("    /// decomposed before it runs.")
    w("    static let leadingNonStarterDecompositions: [(UInt32, UInt32, UInt32)] = [")
    w("        " + ", ".join("(0x%04X, 0x%04X, 0x%04X)" % t for t in leading_non_starters) + ",")
    w("    ]")
    w("")
    w("    /// %d records (code point, offset into compatibilityScalars) of 3 + 3 digits, sorted, and" % len(compat))
    w("    /// a sentinel: the full NFKD of each code point whose NFKD differs from its NFD.")
    emit(w, "compatibilityRecords", compat_records, 3)
    w("    /// %d scalars of 3 digits." % len(compat_pool))
    emit(w, "compatibilityScalars", compat_pool, 3)
    w("    /// %d records (code point, offset into caseFoldingScalars) of 3 + 3 digits, sorted, and a" % len(folds))
    w("    /// sentinel: str.casefold() of each code point that it changes (CaseFolding.txt C + F).")
    emit(w, "caseFoldingRecords", fold_records, 3)
    w("    /// %d scalars of 3 digits." % len(fold_pool))
    emit(w, "caseFoldingScalars", fold_pool, 3)
    w("}")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(
        "palette %d, leaves %d, middles %d, pairs %d, compat %d (%d scalars), folds %d (%d scalars)"
        % (
            len(palette),
            len(leaves),
            len(middles),
            len(pairs),
            len(compat),
            len(compat_pool),
            len(folds),
            len(fold_pool),
        ),
        file=sys.stderr,
    )


def emit(w, name, numbers, width):
    text = "".join(digits(n, width) for n in numbers)
    w("    static var %s: StaticString {" % name)
    w('        #"""')
    for i in range(0, len(text), 96):
        line = text[i : i + 96]
        w("        " + line + ("\\#" if i + 96 < len(text) else ""))
    w('        """#')
    w("    }")
    w("")


def digits(n: int, width: int) -> str:
    assert 0 <= n < 1 << (6 * width)
    return "".join(chr(0x30 + (n >> (6 * (width - 1 - k)) & 63)) for k in range(width))


if __name__ == "__main__":
    main()
