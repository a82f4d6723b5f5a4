#!/usr/bin/env python3
"""The library exports exactly the functions the header declares: no more, no fewer.

usage: check_exports.py include/charnn.h path/to/libcharnn.so
"""

import re
import subprocess
import sys

header, library = sys.argv[1], sys.argv[2]
text = open(header).read()
text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments
declared = set(re.findall(r"\b(charnn_[a-z0-9_]+)\s*\(", text))
declared -= set(re.findall(r"\(\s*\*\s*(charnn_[a-z0-9_]+)\s*\)", text))  # function-pointer typedefs

nm = subprocess.run(["nm", "-D", "--defined-only", library], check=True, capture_output=True, text=True).stdout
# Upper-case types are global symbols; gold also lists local ones (lower case) in .dynsym.
exported = {parts[2] for parts in (line.split() for line in nm.splitlines()) if len(parts) == 3 and parts[1].isupper()}

missing, extra = sorted(declared - exported), sorted(exported - declared)
if missing or extra:
    print(f"check_exports: missing from {library}: {missing}", file=sys.stderr)
    print(f"check_exports: exported but not declared in {header}: {extra}", file=sys.stderr)
    sys.exit(1)
print(f"check_exports: {len(declared)} functions declared in {header}, the same {len(exported)} exported")
