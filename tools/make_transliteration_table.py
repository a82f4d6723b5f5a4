#!/usr/bin/env python3
"""Writes Sources/CharNN/Data/TransliterationTable.swift: Unicode -> ASCII for the scripts charnn
transliterates (the Basic Multilingual Plane blocks Python's `unidecode` has tables for, plus
CJK Extension A).

Sources, all permissively licensed (no GPL table is read or copied; Python's `unidecode`, GPL-2,
is only the test oracle, in Tests/CharNNTests/Fixtures/make_unidecode_oracle.py):
  1. Python's `unicodedata` (PSF licence; its data is the Unicode Character Database, Unicode
     licence): NFKD decompositions (a letter with diacritics -> base letter + combining marks,
     which are dropped; fullwidth and compatibility forms -> their plain letters), general
     categories (what is assigned, what is a mark) and character names. Names give the
     romanisation of the syllabaries and abugidas: HANGUL SYLLABLE GAG -> 'gag' (and the jamo of
     the algorithmic Hangul syllables), HIRAGANA LETTER KA -> 'ka', DEVANAGARI LETTER TTA -> 'tt',
     YI SYLLABLE IT -> 'it', GREEK SMALL LETTER PHI -> 'ph'.
  2. anyascii (ISC licence, `pip install anyascii`) for what neither the decomposition nor the
     name rules give ('ß' -> 'ss', 'ł' -> 'l', Cyrillic, Armenian, Georgian, Thai, symbols...).
     anyascii writes a lone capital digraph in title case ('Æ' -> 'Ae'); when the character's
     Unicode name spells it as a capital of several letters (LATIN CAPITAL LETTER AE), the
     capitals are kept ('AE'), which is how the name reads in running capitals.
  3. Unicode's Unihan database and Blocks.txt (Unicode licence, a permissive MIT-style licence),
     from Debian's `unicode-data` package (/usr/share/unicode, `apt-get install unicode-data`,
     Unicode 15.0). Blocks.txt gives the covered blocks' ranges. Unihan_Readings.txt gives Han:
     the kMandarin reading without its tone mark, capitalised and followed by a space
     ('東' -> 'Dong '); where kMandarin gives two readings (mainland, then Taiwan), the last.
     Unihan_Variants.txt only serves to check HAN_READINGS (below).
  4. The rules below, written for charnn: SCRIPT_LETTERS (the romanisation of a letter by the
     core of its Unicode name, applied to every letter of the script whose name has that core:
     Greek, Cyrillic, Hebrew, Arabic), the name rules of script_rule (Indic scripts, kana, Thai
     vowels, Hangul, Yi, classical Greek), OVERRIDES (conventional ASCII spellings of single
     characters that the rules get otherwise) and HAN_READINGS (Han characters whose
     conventional reading is another reading that Unihan lists for the character or one of its
     variants: kHanyuPinyin, kXHC1983, kHanyuPinlu, kMandarin, or the Korean/Japanese reading of
     a character with no Chinese one; the generator checks that Unihan lists each of them).

Charnn promises equality with `unidecode` on the Latin-1 Supplement and Latin Extended-A/-B and
on every character of the names and words data sets, except the Han characters listed in
HAN_EXCEPTIONS (their `unidecode` reading is no reading that Unihan gives for them); the tests
check it against a committed oracle.

Layout of the output (all data in a few StaticString literals, so the file compiles fast):
  ranges   covered runs of code points (first, last, base): run i's entries start at `base`;
  entries  one string id per code point, two digits of base 91 each (see `digit`);
  starts   string i is pool[starts[i] ..< starts[i + 1]], three base-91 digits per start;
  pool     the distinct ASCII transliterations, concatenated;
  hangul*  string ids of the leading consonants, vowels and trailing consonants of the
           algorithmic Hangul syllables U+AC00...U+D7A3 (not in `ranges`).

Run by hand (Python 3.11, whose `unicodedata` is Unicode 14.0; `pip install anyascii==0.3.3`;
`apt-get install unicode-data`); the output is committed, and its header names the versions used.
"""

import bz2
import os
import sys
import unicodedata as ud
from importlib.metadata import version

from anyascii import anyascii

UNIHAN_READINGS = "/usr/share/unicode/Unihan_Readings.txt.bz2"
UNIHAN_VARIANTS = "/usr/share/unicode/Unihan_Variants.txt.bz2"
BLOCKS = "/usr/share/unicode/Blocks.txt"

# The ranges charnn covered before the other scripts: Latin-1 Supplement, Latin Extended-A and -B
# (the promise: equal to unidecode), combining diacritical marks (decomposed input), Latin
# Extended Additional (Vietnamese) and General Punctuation. Their derivation is unchanged.
LATIN_RANGES = [(0x0080, 0x024F), (0x0300, 0x036F), (0x1E00, 0x1EFF), (0x2000, 0x206F)]

# Blocks covered (Unicode block names, BMP only): those unidecode transliterates at least one
# character of, plus CJK Unified Ideographs Extension A (Han like the main block).
COVERED_BLOCKS = [
    "Latin-1 Supplement",
    "Latin Extended-A",
    "Latin Extended-B",
    "IPA Extensions",
    "Spacing Modifier Letters",
    "Combining Diacritical Marks",
    "Greek and Coptic",
    "Cyrillic",
    "Armenian",
    "Hebrew",
    "Arabic",
    "Syriac",
    "Thaana",
    "Devanagari",
    "Bengali",
    "Gurmukhi",
    "Gujarati",
    "Oriya",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
    "Sinhala",
    "Thai",
    "Lao",
    "Tibetan",
    "Myanmar",
    "Georgian",
    "Hangul Jamo",
    "Ethiopic",
    "Cherokee",
    "Unified Canadian Aboriginal Syllabics",
    "Ogham",
    "Runic",
    "Khmer",
    "Mongolian",
    "Phonetic Extensions",
    "Phonetic Extensions Supplement",
    "Latin Extended Additional",
    "Greek Extended",
    "General Punctuation",
    "Superscripts and Subscripts",
    "Currency Symbols",
    "Letterlike Symbols",
    "Number Forms",
    "Arrows",
    "Mathematical Operators",
    "Miscellaneous Technical",
    "Enclosed Alphanumerics",
    "Box Drawing",
    "Block Elements",
    "Geometric Shapes",
    "Miscellaneous Symbols",
    "Dingbats",
    "Miscellaneous Mathematical Symbols-A",
    "Braille Patterns",
    "Miscellaneous Mathematical Symbols-B",
    "Supplemental Mathematical Operators",
    "Latin Extended-C",
    "Supplemental Punctuation",
    "CJK Symbols and Punctuation",
    "Hiragana",
    "Katakana",
    "Bopomofo",
    "Hangul Compatibility Jamo",
    "Bopomofo Extended",
    "Enclosed CJK Letters and Months",
    "CJK Compatibility",
    "CJK Unified Ideographs Extension A",
    "CJK Unified Ideographs",
    "Yi Syllables",
    "Yi Radicals",
    "Hangul Syllables",
    "CJK Compatibility Ideographs",
    "Alphabetic Presentation Forms",
    "CJK Compatibility Forms",
    "Small Form Variants",
    "Halfwidth and Fullwidth Forms",
    "Specials",
]
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3

# Conventional ASCII spellings of single characters that the rules below get otherwise.
OVERRIDES = {
    # Latin-1 and Latin Extended-A/-B symbols and rare letters (before the other scripts).
    0x00A2: "C/",
    0x00A3: "PS",
    0x00A4: "$?",
    0x00A5: "Y=",
    0x00A7: "SS",
    0x00A8: '"',
    0x00A9: "(c)",
    0x00AE: "(r)",
    0x00AF: "-",
    0x00B4: "'",
    0x00B7: "*",
    0x00B8: ",",
    0x00BC: " 1/4",
    0x00BD: " 1/2",
    0x00BE: " 3/4",
    0x00D7: "x",
    0x0138: "k",
    0x018D: "d",
    0x018E: "3",
    0x018F: "@",
    0x0195: "hv",
    0x01A2: "OI",
    0x01A3: "oi",
    0x01A6: "YR",
    0x01B1: "Y",
    0x01B8: "ZH",
    0x01B9: "zh",
    0x01BB: "2",
    0x01C0: "|",
    0x01C1: "||",
    0x01C2: "|=",
    0x01C3: "!",
    0x01DD: "@",
    0x01F6: "HV",
    0x0241: "",
    0x0242: "",
    0x0245: "^",
    0x024A: "q",
    # Bengali khanda ta (a form of ta with no vowel of its own) is left out, like the virama.
    0x09CE: "",
}

# Per script: the romanisation of a letter by the core of its Unicode name (the name without
# script, case, "LETTER", "FINAL" and "WITH ..."). Letters of the script whose core is not listed
# fall through to the general rules (name rules of the script, then anyascii).
SCRIPT_LETTERS = {
    # Classical romanisation of Greek: beta b, eta e, upsilon u, phi ph, chi kh.
    "GREEK": {"BETA": "b", "ETA": "e", "UPSILON": "u", "PHI": "ph", "CHI": "kh"},
    # Cyrillic as the Library of Congress writes Russian without its diacritics and ligature
    # ties: short i i, yu iu, ya ia, io io.
    # Ukrainian and Macedonian letters as their names spell them: yi, gje, kje, ie with grave.
    "CYRILLIC": {
        "SHORT I": "i",
        "YU": "iu",
        "YA": "ia",
        "IO": "io",
        "YI": "yi",
        "GJE": "gj",
        "KJE": "kj",
        "IE WITH GRAVE": "ie",
    },
    # Hebrew: alef 'A', qof 'k'; the letters that carry a diacritic in scholarly romanisation (het, tet, tsadi,
    # shin, kaf as kh) in capitals; bet and pe without their spirant reading; ayin as '`'.
    "HEBREW": {
        "ALEF": "A",
        "QOF": "k",
        "BET": "b",
        "HET": "H",
        "TET": "T",
        "KAF": "KH",
        "AYIN": "`",
        "PE": "p",
        "TSADI": "TS",
        "SHIN": "SH",
    },
    # Arabic: the emphatic letters (dotted in scholarly romanisation) as capitals.
    "ARABIC": {
        "HAH": "H",
        "SAD": "S",
        "DAD": "D",
        "TAH": "T",
        "ZAH": "Z",
        "GHAIN": "G",
        "WAW WITH HAMZA ABOVE": "w'",
        "YEH WITH HAMZA ABOVE": "y'",
        "ALEF WITH HAMZA ABOVE": "'",
        "ALEF WITH MADDA ABOVE": "a",
        "TTEH": "tt",
        "DDAL": "dd",
        "RREH": "rr",
        "NOON GHUNNA": "N",
        "KEHEH": "kh",
        "JEH": "j",
        "YEH BARREE": "y",
        # Alef and hamza carry no consonant; teh marbuta and alef maksura as signs.
        "ALEF": "",
        "HAMZA": "",
        "TEH MARBUTA": "@",
        "TEH MARBUTA GOAL": "@",
        "ALEF MAKSURA": "~",
    },
}

GREEK_LETTERS = {
    "ALPHA",
    "BETA",
    "GAMMA",
    "DELTA",
    "EPSILON",
    "ZETA",
    "ETA",
    "THETA",
    "IOTA",
    "KAPPA",
    "LAMDA",
    "MU",
    "NU",
    "XI",
    "OMICRON",
    "PI",
    "RHO",
    "SIGMA",
    "TAU",
    "UPSILON",
    "PHI",
    "CHI",
    "PSI",
    "OMEGA",
}

INDIC_SCRIPTS = (
    "DEVANAGARI",
    "BENGALI",
    "GURMUKHI",
    "GUJARATI",
    "ORIYA",
    "TAMIL",
    "TELUGU",
    "KANNADA",
    "MALAYALAM",
    "SINHALA",
)
INDIC_VOWELS = {"A", "AA", "I", "II", "U", "UU", "E", "EE", "AI", "O", "OO", "AU"}

# Han characters whose conventional reading is not Unihan's (last) kMandarin reading but another
# reading that Unihan lists for the character or for one of its variants (kSimplifiedVariant,
# kSemanticVariant, ...): mostly the readings older Unihan releases gave first ('了' liao, '什'
# shi), and for Japanese-only characters with no Chinese reading their Korean or Japanese one
# ('匂' nay, '枠' waku). The generator checks that Unihan lists each of them.
HAN_READINGS = {
    0x4E48: "yao",
    0x4E86: "liao",
    0x4EC0: "shi",
    0x4EF7: "jie",
    0x4F3C: "si",
    0x4F5B: "fo",
    0x52D2: "le",
    0x5302: "nay",
    0x5361: "qia",
    0x5382: "han",
    0x53F6: "xie",
    0x5446: "ai",
    0x5462: "ni",
    0x54E6: "e",
    0x5561: "pei",
    0x5594: "wo",
    0x55EF: "ng",
    0x5662: "yu",
    0x574F: "pi",
    0x5B81: "zhu",
    0x5BE7: "zhu",
    0x5DEE: "chai",
    0x5E7F: "yan",
    0x60CA: "liang",
    0x62D3: "tuo",
    0x62EC: "gua",
    0x62F6: "zan",
    0x671D: "zhao",
    0x672F: "zhu",
    0x67A0: "waku",
    0x67FB: "cha",
    0x6803: "hoy",
    0x6841: "hang",
    0x6D01: "ji",
    0x6E0B: "shibui",
    0x719F: "shou",
    0x722A: "zhua",
    0x72A0: "ikenie",
    0x7363: "swu",
    0x764C: "yan",
    0x7740: "zhao",
    0x79BB: "chi",
    0x79CD: "chong",
    0x7D9A: "sok",
    0x7E04: "nawa",
    0x8133: "noy",
    0x820E: "yadoru",
    0x8449: "xie",
    0x8457: "zhu",
    0x8AB0: "shui",
    0x8C01: "shui",
    0x8EFD: "qing",
    0x8FBC: "ip",
    0x8FD8: "huan",
    0x9244: "tie",
    0x9577: "chang",
    0x957F: "chang",
}

# The Han characters of the data sets where charnn and unidecode differ: unidecode's reading is
# none that Unihan lists for the character or its variants, so no permissive source gives it.
# (Not used here; the tests name the same 15.)
HAN_EXCEPTIONS = (
    0x4EEE,
    0x4F1D,
    0x4FA1,
    0x5192,
    0x56F2,
    0x623B,
    0x6255,
    0x643A,
    0x68B0,
    0x6C49,
    0x7E4B,
    0x8258,
    0x89E6,
    0x9002,
    0x9AA4,  # 仮 伝 価 冒 囲 戻 払 携 械 汉 繋 艘 触 适 骤
)


def strip_marks(s: str) -> str:
    return "".join(c for c in ud.normalize("NFD", s) if not ud.combining(c))


def latin(cp: int) -> str:
    """The derivation of the ranges charnn covered first (unchanged)."""
    if cp in OVERRIDES:
        return OVERRIDES[cp]
    ch = chr(cp)
    base = "".join(c for c in ud.normalize("NFKD", ch) if not ud.combining(c))
    if base and all(ord(c) < 128 for c in base):
        return base
    out = anyascii(ch)
    # The letter's own name, without its marks: EZH WITH CARON reads as EZH.
    name = ud.name(ud.normalize("NFD", ch)[0], "")
    if (
        ud.category(ch) == "Lu"
        and len(out) > 1
        and out[0].isupper()
        and out[1:].islower()
        and name.split(" ")[-1].endswith(out.upper())
    ):
        out = out.upper()
    if name.startswith(("LATIN CAPITAL LETTER", "LATIN CAPITAL LIGATURE")) and out.upper() in name.split():
        out = out.upper()
    return out


def load_unihan(*files) -> dict:
    fields = {}
    for path in files:
        with bz2.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.startswith("U+"):
                    cp, key, value = line.rstrip("\n").split("\t")
                    fields.setdefault(key, {})[int(cp[2:], 16)] = value
    return fields


UNIHAN = load_unihan(UNIHAN_READINGS, UNIHAN_VARIANTS)


def han_readings(cp: int) -> set:
    """Every reading Unihan lists for a Han character, tone marks removed, lower case."""
    out = set()
    for key in ("kMandarin", "kHanyuPinlu", "kKorean", "kJapaneseKun", "kJapaneseOn"):
        for r in UNIHAN.get(key, {}).get(cp, "").split():
            out.add(strip_marks(r.split("(")[0]).lower())
    for key in ("kHanyuPinyin", "kXHC1983", "kTGHZ2013"):
        for entry in UNIHAN.get(key, {}).get(cp, "").split():
            for r in entry.split(":")[-1].split(","):
                out.add(strip_marks(r).lower())
    return out


def han_variants(cp: int) -> list:
    keys = ("kSimplifiedVariant", "kTraditionalVariant", "kSemanticVariant", "kSpecializedSemanticVariant", "kZVariant")
    return [int(v.split("<")[0][2:], 16) for key in keys for v in UNIHAN.get(key, {}).get(cp, "").split()]


def han(cp: int):
    if cp in HAN_READINGS:
        reading = HAN_READINGS[cp]
        assert reading in han_readings(cp) or any(reading in han_readings(v) for v in han_variants(cp)), (
            hex(cp),
            reading,
        )
    else:
        mandarin = UNIHAN.get("kMandarin", {}).get(cp)
        if not mandarin:
            return None
        reading = strip_marks(mandarin.split()[-1])
    return reading.capitalize() + " "


def name_core(name: str, script: str) -> str:
    core = name[len(script) + 1 :] if name.startswith(script + " ") else name
    for prefix in ("CAPITAL LETTER ", "SMALL LETTER ", "LETTER ", "CAPITAL ", "SMALL "):
        if core.startswith(prefix):
            core = core[len(prefix) :]
            break
    if core.startswith("FINAL "):
        core = core[len("FINAL ") :]
    return core


def indic(name: str, script: str):
    core = name[len(script) + 1 :]
    for prefix, kind in (("LETTER ", "letter"), ("VOWEL SIGN ", "vowel"), ("SIGN ", "sign")):
        if core.startswith(prefix):
            core, part = core[len(prefix) :], kind
            break
    else:
        part = None
    if part == "sign":
        return {"CANDRABINDU": "N", "ANUSVARA": "N", "VISARGA": "H", "VIRAMA": "", "NUKTA": "'", "AVAGRAHA": "'"}.get(
            core
        )
    if part is None:
        return {"OM": "AUM", "DANDA": " / ", "DOUBLE DANDA": " // "}.get(core)
    words = core.split()
    if words[0] == "VOCALIC":
        return "".join(words[1:])  # VOCALIC R -> 'R'
    if words[0] == "CANDRA" and len(words) == 2:
        return words[1].lower() + "N"  # CANDRA O -> 'oN'
    if words[0] == "SHORT" and len(words) == 2:
        return words[1].lower()
    if len(words) != 1:
        return None
    if part == "vowel" or core in INDIC_VOWELS:
        return core.lower()
    if core.endswith("A"):
        return core[:-1].lower()  # a consonant with its inherent vowel: TTHA -> 'tth'
    return None


KANA_HEPBURN = {"si": "shi", "zi": "zi", "ti": "chi", "tu": "tsu"}


def kana(name: str):
    words = name.split()
    if "LETTER" not in words:
        return None
    syllable = words[-1].lower()
    return KANA_HEPBURN.get(syllable, syllable)


def hangul_jamo_names():
    """Short names of the modern jamo, from the names of the Hangul syllables."""

    def syllable(l, v, t):
        return ud.name(chr(HANGUL_FIRST + (l * 21 + v) * 28 + t))[len("HANGUL SYLLABLE ") :]

    leading = [syllable(l, 0, 0)[:-1] for l in range(19)]  # minus the vowel A
    vowels = [syllable(11, v, 0) for v in range(21)]  # after IEUNG, which has no sound
    trailing = [""] + [syllable(11, 0, t)[1:] for t in range(1, 28)]  # minus the vowel A
    return [s.lower() for s in leading], [s.lower() for s in vowels], [s.lower() for s in trailing]


LEADING, VOWELS, TRAILING = hangul_jamo_names()


def script_rule(ch: str, name: str):
    script = next((s for s in SCRIPT_LETTERS if name.startswith(s + " ")), None)
    if script:
        core = name_core(name, script)
        letters = SCRIPT_LETTERS[script]
        romanised = letters.get(core)
        if romanised is None and " WITH " in core:
            romanised = letters.get(core.split(" WITH ")[0])
        if romanised is not None:
            return romanised.capitalize() if ud.category(ch) == "Lu" else romanised
    if script == "GREEK" and ud.category(ch) in ("Lu", "Ll"):
        # The 24 letters of the classical alphabet: the first letter of the name (theta, psi: two).
        core = name_core(name, "GREEK")
        if core not in GREEK_LETTERS:
            return None
        out = core[:2].lower() if core in ("THETA", "PSI") else core[0].lower()
        return out.capitalize() if ud.category(ch) == "Lu" else out
    if name.endswith("ITERATION MARK"):
        return '"'  # a ditto mark
    if name.endswith("PROLONGED SOUND MARK"):
        return "-"
    for s in INDIC_SCRIPTS:
        if name.startswith(s + " "):
            return indic(name, s)
    if name.startswith(("HIRAGANA ", "KATAKANA ")):
        return kana(name)
    if name.startswith("HANGUL SYLLABLE "):
        return name[len("HANGUL SYLLABLE ") :].lower()
    if name.startswith(("HANGUL CHOSEONG ", "HANGUL JUNGSEONG ", "HANGUL JONGSEONG ")):
        return JAMO.get(ord(ch))
    if name.startswith("YI SYLLABLE "):
        return name[len("YI SYLLABLE ") :].lower()
    if name.startswith("THAI CHARACTER SARA "):
        return name.split()[3].lower()  # the vowel: SARA AA -> 'aa', SARA AI MAIMALAI -> 'ai'
    return None


def jamo_table():
    """Modern jamo (U+1100...) by the syllable-name short names."""
    table = {}
    for i, s in enumerate(LEADING):
        table[0x1100 + i] = s
    for i, s in enumerate(VOWELS):
        table[0x1161 + i] = s
    for i, s in enumerate(TRAILING[1:]):
        table[0x11A8 + i] = s
    return table


JAMO = jamo_table()


def is_han(cp: int) -> bool:
    return 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF


def derive(cp: int):
    """The ASCII transliteration of a code point, or None when it has none."""
    if any(lo <= cp <= hi for lo, hi in LATIN_RANGES):
        return latin(cp)
    if cp in OVERRIDES:
        return OVERRIDES[cp]
    ch = chr(cp)
    category = ud.category(ch)
    if category in ("Cn", "Co", "Cs"):
        return None
    if is_han(cp):
        return han(cp)
    name = ud.name(ch, "")
    out = script_rule(ch, name)
    if out is not None:
        return out
    decomposed = ud.normalize("NFKD", ch)
    if decomposed != ch:
        parts = []
        for c in decomposed:
            if ud.combining(c) or ud.category(c) == "Mn":
                continue
            if ord(c) < 128:
                parts.append(c)
                continue
            part = derive(ord(c))
            if part is None:
                parts = None
                break
            parts.append(part)
        if parts is not None and (parts or category.startswith("M")):
            return "".join(parts)
    if category.startswith("M") or category in ("Cf", "Cc"):
        return anyascii(ch) if category == "Mc" else ""
    out = anyascii(ch)
    if not out or (out.startswith(":") and out.endswith(":") and len(out) > 2):
        return None  # unknown to anyascii, or an emoji's short name
    if category == "Lu" and len(out) > 1 and out[1:].isupper() and out.isalpha():
        out = out.capitalize()
    return out


def covered_ranges():
    blocks = {}
    with open(BLOCKS) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                span, name = line.split(";")
                lo, hi = (int(x, 16) for x in span.split(".."))
                blocks[name.strip()] = (lo, hi)
    ranges = sorted(blocks[name] for name in COVERED_BLOCKS)
    return ranges


def transliterations():
    """{code point: ASCII} for every covered code point (Hangul syllables apart)."""
    out = {}
    for lo, hi in covered_ranges():
        for cp in range(lo, hi + 1):
            if HANGUL_FIRST <= cp <= HANGUL_LAST:
                continue
            text = derive(cp)
            if text is not None:
                assert all(32 <= ord(c) < 127 for c in text), (hex(cp), text)
                out[cp] = text
    return out


# Base-91 digits: the printable ASCII characters '#' ... '~' without the backslash.
def digit(value: int) -> str:
    assert 0 <= value < 91
    byte = 0x23 + value
    return chr(byte + 1 if byte >= 0x5C else byte)


def digits(value: int, width: int) -> str:
    out = ""
    for _ in range(width):
        out = digit(value % 91) + out
        value //= 91
    assert value == 0
    return out


def swift_string(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def multiline(s: str, indent: str, width: int = 96) -> list:
    """A Swift multi-line string literal of s (no backslashes or quotes in s), lines joined."""
    chunks = [s[i : i + width] for i in range(0, len(s), width)]
    # Each line but the last ends in a backslash: the line break is not part of the string.
    return [f'{indent}"""'] + [indent + c + "\\" for c in chunks[:-1]] + [indent + chunks[-1], f'{indent}"""']


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.normpath(os.path.join(here, "..", "Sources", "CharNN", "Data", "TransliterationTable.swift"))
    table = transliterations()
    strings, ids = [], {}

    def string_id(text: str) -> int:
        if text not in ids:
            ids[text] = len(strings)
            strings.append(text)
        return ids[text]

    # Runs: split the covered code points where more than GAP in a row have no transliteration.
    gap = 16
    cps = sorted(table)
    runs = []
    for cp in cps:
        if runs and cp - runs[-1][1] <= gap:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    hangul = [[string_id(s) for s in part] for part in (LEADING, VOWELS, TRAILING)]
    entries_ids = []
    for lo, hi in runs:
        for cp in range(lo, hi + 1):
            entries_ids.append(string_id(table[cp]) if cp in table else None)
    none = len(strings)
    assert none < 91 * 91
    entries = "".join(digits(none if i is None else i, 2) for i in entries_ids)
    pool, starts = "", []
    for s in strings:
        starts.append(len(pool))
        pool += s
    starts.append(len(pool))
    assert len(pool) < 91**3
    starts_text = "".join(digits(s, 3) for s in starts)

    lines = [
        "// swift-format-ignore-file: generated tables, one long line each",
        "// Generated by tools/make_transliteration_table.py from Unicode's character data",
        f"// (decompositions and names: Python's unicodedata {ud.unidata_version}), Unihan readings",
        f"// (Unicode licence; Debian's unicode-data) and anyascii {version('anyascii')} (ISC).",
        "// Do not edit by hand; change the script and run it again.",
        "",
        "enum TransliterationTable {",
        "    /// Covered runs of code points (inclusive), in order; run i's entries start at `base`.",
        "    static let ranges: [(first: UInt32, last: UInt32, base: UInt32)] = [",
    ]
    base = 0
    for lo, hi in runs:
        lines.append(f"        (0x{lo:04X}, 0x{hi:04X}, {base}),")
        base += hi - lo + 1
    lines += [
        "    ]",
        "",
        "    /// The string id of a code point with no transliteration (a gap inside a run).",
        f"    static let noString = {none}",
        "",
        "    /// String ids of the Hangul syllables' leading consonants, vowels and trailing consonants",
        "    /// (U+AC00 + (leading * 21 + vowel) * 28 + trailing).",
        f"    static let hangulLeading: [UInt16] = [{', '.join(map(str, hangul[0]))}]",
        f"    static let hangulVowel: [UInt16] = [{', '.join(map(str, hangul[1]))}]",
        f"    static let hangulTrailing: [UInt16] = [{', '.join(map(str, hangul[2]))}]",
        "",
        "    /// One string id per code point of the runs, two base-91 digits each (`digit`).",
        "    static let entries: StaticString =",
    ]
    lines += multiline(entries, "        ")
    lines += [
        "",
        "    /// Where string i starts in `pool` (it ends where string i + 1 starts), three base-91",
        "    /// digits each.",
        "    static let starts: StaticString =",
    ]
    lines += multiline(starts_text, "        ")
    # The pool may hold quotes and backslashes: one ordinary literal on one line.
    lines += ["", "    static let pool: StaticString =", f'        "{swift_string(pool)}"', "}", ""]
    with open(target, "w") as f:
        f.write("\n".join(lines))
    print(
        f"wrote {target}: {len(table) + 11172} code points ({len(table)} in {len(runs)} runs "
        f"+ 11172 Hangul syllables), {len(strings)} distinct strings, {len(pool)} bytes of "
        f"ASCII",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
