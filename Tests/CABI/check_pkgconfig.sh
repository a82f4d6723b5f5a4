#!/usr/bin/env bash
# The installed charnn.pc points at the installed header and library. Usage: check_pkgconfig.sh PREFIX
set -euo pipefail
prefix=$1
if ! command -v pkg-config >/dev/null; then
    echo "check_pkgconfig: pkg-config not installed; checked the file's fields only"
    grep -q "^prefix=$prefix\$" "$prefix/lib/pkgconfig/charnn.pc"
    exit 0
fi
[ "$(pkg-config --cflags charnn | sed "s/ *$//")" = "-I$prefix/include" ] || { echo "check_pkgconfig: bad cflags: $(pkg-config --cflags charnn)" >&2; exit 1; }
[ "$(pkg-config --libs charnn | sed "s/ *$//")" = "-L$prefix/lib -lcharnn" ] || { echo "check_pkgconfig: bad libs: $(pkg-config --libs charnn)" >&2; exit 1; }
[ "$(pkg-config --modversion charnn)" = "$(sed -n 's/^#define CHARNN_VERSION_STRING "\(.*\)"/\1/p' "$prefix/include/charnn.h")" ] \
    || { echo "check_pkgconfig: version differs from the header" >&2; exit 1; }
echo "check_pkgconfig: charnn.pc $(pkg-config --modversion charnn): $(pkg-config --cflags --libs charnn)"
