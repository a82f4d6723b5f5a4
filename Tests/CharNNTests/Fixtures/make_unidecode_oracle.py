#!/usr/bin/env python3
"""Writes unidecode_oracle.json: Python unidecode's answers, the oracle charnn's transliteration
is tested against (charnn's table itself is built from other sources; see
tools/make_transliteration_table.py).

Holds every code point of Latin-1 Supplement, Latin Extended-A and Latin Extended-B, and every
distinct line of the names data that is not plain ASCII (`unidecode` of the whole line).
Run by hand: `pip install unidecode`, then
    python3 make_unidecode_oracle.py [path/to/data/names]
"""
import json
import os
import sys

import unidecode
from importlib.metadata import version

here = os.path.dirname(os.path.abspath(__file__))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "..", "data", "names")

code_points = {f"{cp:04X}": unidecode.unidecode(chr(cp)) for cp in range(0x80, 0x250)}
names = set()
for file in sorted(os.listdir(data)):
    if file.endswith(".txt"):
        with open(os.path.join(data, file), encoding="utf-8") as f:
            names.update(line.rstrip() for line in f if any(ord(c) > 127 for c in line))
oracle = {
    "unidecode_version": version("unidecode"),
    "code_points": code_points,
    "names": [[n, unidecode.unidecode(n)] for n in sorted(names)],
}
with open(os.path.join(here, "unidecode_oracle.json"), "w", encoding="utf-8") as f:
    json.dump(oracle, f, ensure_ascii=False, indent=0, sort_keys=True)
print(f"{len(code_points)} code points, {len(names)} names", file=sys.stderr)
