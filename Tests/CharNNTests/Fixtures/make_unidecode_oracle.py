#!/usr/bin/env python3
"""Writes unidecode_oracle.json: Python unidecode's answers, the oracle charnn's transliteration
is tested against (charnn's table itself is built from other sources; see
tools/make_transliteration_table.py).

Holds
  code_points       every code point of Latin-1 Supplement, Latin Extended-A and Latin Extended-B;
  names             every distinct line of the names data that is not plain ASCII (`unidecode`
                    of the whole line);
  data_code_points  every distinct non-ASCII code point of the names and the words data;
  words             the first 20 words that are not plain ASCII of each language of the words
                    data, with their `unidecode`.
Run by hand: `pip install unidecode` (1.4.0), then from anywhere
    python3 make_unidecode_oracle.py [NAMES_DIR [WORDS_DIR]]
NAMES_DIR and WORDS_DIR default to ../shared/data/names and ../shared/data/words, relative to
the repository's root.
"""

import json
import os
import sys

import unidecode
from importlib.metadata import version

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "..", "..", ".."))
names_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data", "names")
words_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "..", "shared", "data", "words")
WORDS_PER_LANGUAGE = 20


def data_files(folder):
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".txt")]


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def non_ascii(text):
    return any(ord(c) > 127 for c in text)


code_points = {f"{cp:04X}": unidecode.unidecode(chr(cp)) for cp in range(0x80, 0x250)}
names = set()
data_chars = set()
for path in data_files(names_dir):
    for line in lines(path):
        if non_ascii(line):
            names.add(line.rstrip())
            data_chars.update(c for c in line if ord(c) > 127)
words = []
for path in data_files(words_dir):
    sample = []
    for line in lines(path):
        data_chars.update(c for c in line if ord(c) > 127)
        if non_ascii(line) and len(sample) < WORDS_PER_LANGUAGE:
            sample.append(line)
    words += [[w, unidecode.unidecode(w)] for w in sample]
oracle = {
    "unidecode_version": version("unidecode"),
    "code_points": code_points,
    "names": [[n, unidecode.unidecode(n)] for n in sorted(names)],
    "data_code_points": {f"{ord(c):04X}": unidecode.unidecode(c) for c in sorted(data_chars)},
    "words": words,
}
with open(os.path.join(here, "unidecode_oracle.json"), "w", encoding="utf-8") as f:
    json.dump(oracle, f, ensure_ascii=False, indent=0, sort_keys=True)
print(
    f"{len(code_points)} code points, {len(names)} names, {len(data_chars)} data code points, {len(words)} words",
    file=sys.stderr,
)
