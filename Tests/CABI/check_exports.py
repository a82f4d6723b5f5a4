#!/usr/bin/env python3
"""The library exports exactly the functions the header declares: no more, no fewer.

Every symbol `nm -D --defined-only` lists counts, whatever its kind (functions, data, Swift type
metadata, witness tables, weak or unique symbols) and its binding: the linker may leave a symbol
the version script made local in .dynsym (gold does), where it still shows and costs a lookup
entry. Only the version script's own version nodes (absolute symbols named like `CHARNN_1`) are
not symbols of the library's.

usage: check_exports.py include/charnn.h path/to/libcharnn.so [charnn.map]
"""

import re
import subprocess
import sys

header, library = sys.argv[1], sys.argv[2]
version_script = sys.argv[3] if len(sys.argv) > 3 else "Sources/CharNNExports/charnn.map"
text = open(header).read()
text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments
declared = set(re.findall(r"\b(charnn_[a-z0-9_]+)\s*\(", text))
declared -= set(re.findall(r"\(\s*\*\s*(charnn_[a-z0-9_]+)\s*\)", text))  # function-pointer typedefs

script = re.sub(r"/\*.*?\*/", "", open(version_script).read(), flags=re.S)
version_nodes = set(re.findall(r"(?:^|[};])\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\{", script))

nm = subprocess.run(["nm", "-D", "--defined-only", library], check=True, capture_output=True, text=True).stdout
exported = set()
for line in nm.splitlines():
    parts = line.split()
    if not parts:
        continue
    kind, name = (parts[-2], parts[-1]) if len(parts) >= 2 else ("?", parts[-1])
    name = name.split("@")[0]  # charnn_x@@CHARNN_1: the symbol, not its version
    if kind == "A" and name in version_nodes:
        continue
    exported.add(name)

missing, extra = sorted(declared - exported), sorted(exported - declared)
if missing or extra:
    print(f"check_exports: missing from {library}: {missing}", file=sys.stderr)
    print(f"check_exports: exported but not declared in {header}: {extra}", file=sys.stderr)
    sys.exit(1)
print(f"check_exports: {len(declared)} functions declared in {header}; {library} defines those and nothing else")
