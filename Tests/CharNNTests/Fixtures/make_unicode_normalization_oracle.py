#!/usr/bin/env python3
"""Writes unicode_normalization_oracle.json: Python's answers for UnicodeNormalizationTests.

Python's `unicodedata.normalize` (NFC, NFKC) and `str.casefold()` (Python 3.11: Unicode 14.0.0)
on
  * hand-picked hard cases (Hangul, ligatures, compatibility forms, singletons, canonical
    reordering, Greek and Turkish casing, Vietnamese),
  * every distinct non-ASCII scalar of the words and names data sets, in NFD,
  * up to 300 words per script of both data sets (a fixed random sample), in NFD.
Each case is [input, NFC, NFKC, casefold(input), casefold(NFC)], where any field but the first
is null when it equals the field before it (most scalars change in none). Strings with a code point that
Unicode 14.0 does not assign are left out (the standard library's newer Unicode may treat them
differently); their number is recorded.

Run from the package root (standard library only):
    python3 Tests/CharNNTests/Fixtures/make_unicode_normalization_oracle.py [DATA_ROOT]
DATA_ROOT (default /work/shared/data) holds words/*.txt and names/*.txt.
"""

import glob
import json
import os
import random
import sys
import unicodedata as ud

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
PER_SCRIPT = 300

HARD = [
    # Hangul: syllables, conjoining jamo (LV, LVT), compatibility jamo, halfwidth.
    "한국어",
    "\u1112\u1161\u11ab",
    "\u1100\u1161",
    "\uac00\u11a8",
    "\u1100\u1161\u11a8\u11a8",
    "\u3131\u314f",
    "\uffa1",
    "\u1100\u0301\u1161",
    # Ligatures and compatibility forms.
    "ﬁle",
    "ﬃ",
    "ﬆ",
    "x²",
    "H₂O",
    "½",
    "Ａｂｃ１２３",
    "ｶﾞ",
    "ｱﾟ",
    "㌀",
    "㍿",
    "㎏",
    "™",
    "…",
    "ǅ",
    "Ǆ",
    "\u00a0",
    "\u2003",
    "ℌ",
    "𝐀𝐁",
    "①",
    "⑴",
    "ſ",
    "ẛ",
    "\ufdfa",
    "\u0f77",
    # Singletons and the two Ångström signs.
    "\u212b",
    "\u00c5",
    "A\u030a",
    "\u2126",
    "\u212a",
    "\u0340",
    "\u0343",
    "\u0374",
    "\u037e",
    # Canonical reordering and blocking.
    "a\u0323\u0302",
    "a\u0302\u0323",
    "\u1ea1\u0302",
    "\u00e0\u0323",
    "a\u0301\u0301",
    "a\u0305\u0300",
    "a\u0300\u0305",
    "e\u0301\u0316",
    "\u0304\u0f73",
    "x\u0301\u0f73",
    "\u0f73\u0f73",
    "\u0301a",
    "\u0958",
    "\u0915\u093c",
    "\u09cb",
    "\u09c7\u09be",
    "\u0bca",
    "\u0bc6\u0bbe",
    "\u0dda",
    # Casing: ǰ, ΐ, final sigma, Turkish dotted and dotless i, ß, ẞ, ŉ, ﬀ, ᾳ, Cherokee.
    "ǰ",
    "J\u030c",
    "ΐ",
    "ΰ",
    "ΣΑΣ",
    "σας",
    "Σ",
    "ς",
    "İstanbul",
    "ıi",
    "İ",
    "Straße",
    "STRASSE",
    "ẞ",
    "ŉ",
    "ﬀ",
    "ᾳ",
    "ᾼ",
    "ᾈ",
    "\u0345",
    "ᏸ",
    "Ꭰ",
    "µ",
    "K",
    "ǈ",
    "Ǳ",
    # Vietnamese (stacked marks).
    "Tiếng Việt",
    "Nguyễn",
    "phở",
    "Đặng",
    "ỡ",
    "Ử",
    # Mixed scripts, ASCII, empty.
    "Ωmega Ünïcödé",
    "ÀÉÎÕÜ",
    "ABC def",
    "",
]


def assigned(text: str) -> bool:
    return all(ud.category(c) != "Cn" for c in text)


def case(text: str):
    nfc = ud.normalize("NFC", text)
    fields = [text, nfc, ud.normalize("NFKC", text), text.casefold(), nfc.casefold()]
    return [fields[0]] + [None if fields[k] == fields[k - 1] else fields[k] for k in range(1, 5)]


def script(word: str) -> str:
    """The script of a word's first letter, for sampling: the first word of its name."""
    for c in word:
        if ud.category(c).startswith("L"):
            name = ud.name(c, "")
            if name.startswith("CJK"):
                return "HAN"
            return name.split(" ")[0]
    return "NONE"


def main():
    words = set()
    for path in sorted(
        glob.glob(os.path.join(DATA, "words", "*.txt")) + glob.glob(os.path.join(DATA, "names", "*.txt"))
    ):
        with open(path, encoding="utf-8") as f:
            words.update(line.strip() for line in f if line.strip())
    skipped = 0
    cases = []
    for text in HARD:
        cases.append(case(text))
    scalars = sorted({c for w in words for c in w if ord(c) >= 0x80})
    for c in scalars:
        if assigned(c):
            cases.append(case(ud.normalize("NFD", c)))
        else:
            skipped += 1
    by_script = {}
    for w in sorted(words):
        if not w.isascii():
            by_script.setdefault(script(w), []).append(w)
    rng = random.Random(0)
    for name in sorted(by_script):
        sample = by_script[name]
        if len(sample) > PER_SCRIPT:
            sample = rng.sample(sample, PER_SCRIPT)
        for w in sample:
            if assigned(w):
                cases.append(case(ud.normalize("NFD", w)))
            else:
                skipped += 1
    oracle = {
        "python": "%d.%d.%d" % sys.version_info[:3],
        "unicode": ud.unidata_version,
        "fields": ["input", "nfc", "nfkc", "casefold", "casefold_of_nfc"],
        "null": "equal to the field before it",
        "skipped_unassigned": skipped,
        "scripts_sampled": {k: min(len(v), PER_SCRIPT) for k, v in sorted(by_script.items())},
        "cases": cases,
    }
    out = os.path.join(HERE, "unicode_normalization_oracle.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(oracle, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(
        "%d cases (%d hard, %d scalars), %d skipped, %d bytes"
        % (len(cases), len(HARD), len(scalars), skipped, os.path.getsize(out))
    )


if __name__ == "__main__":
    main()
