#!/usr/bin/env bash
# Builds libcharnn.so as it ships, into build/lib (CHARNN_LIB_DIR=dir for another folder):
#   libcharnn-portable.so   the core for the architecture's baseline   (scratch path .build)
#   libcharnn-x86-64-v3.so  the core with AVX2 + FMA kernels, x86-64 only (.build-x86-64-v3)
#   libcharnn.so            the C dispatcher programs link against: it loads one of the two, from
#                           its own folder, when the process first calls it (tools/dispatch).
# The three go together: install them into one folder. `make lib` and the Python package's
# setup.py both run this. Each variant has its own scratch path, so rebuilding is incremental.
#
# Environment: SWIFT (default swift), CC (default cc), PYTHON (default python3),
# CHARNN_VARIANTS (default: "portable x86-64-v3" on x86-64, "portable" elsewhere).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${CHARNN_LIB_DIR:-$root/build/lib}"
SWIFT="${SWIFT:-swift}"
CC="${CC:-cc}"
PYTHON="${PYTHON:-python3}"
case "$(uname -m)" in
    x86_64 | amd64) default_variants="portable x86-64-v3" ;;
    *) default_variants="portable" ;;
esac
variants="${CHARNN_VARIANTS:-$default_variants}"

scratch_path() {
    if [ "$1" = portable ]; then echo "$root/.build"; else echo "$root/.build-$1"; fi
}

mkdir -p "$out" "$root/build/dispatch"
cd "$root"
for variant in $variants; do
    scratch="$(scratch_path "$variant")"
    echo "build_lib.sh: the $variant build: CHARNN_CPU=$variant $SWIFT build -c release --product charnn --scratch-path $scratch"
    # CC is the dispatcher's compiler; SwiftPM would take it for its C targets too (they need its clang).
    env -u CC CHARNN_CPU="$variant" "$SWIFT" build -c release --product charnn --scratch-path "$scratch"
    install -m 0755 "$scratch/release/libcharnn.so" "$out/libcharnn-$variant.so"
done

# The dispatcher: forwarders generated from the header, compiled for the baseline (it must run
# on every CPU: it is what decides). -z defs: nothing left unresolved; the version script
# exports charnn_* only.
"$PYTHON" tools/dispatch/gen_dispatch.py include/charnn.h "$root/build/dispatch" --cc "$CC"
echo "build_lib.sh: the dispatcher: $out/libcharnn.so"
# It forwards the deprecated names too: their warnings are for callers, not for it.
$CC -std=c11 -O2 -fPIC -shared -Wall -Wextra -Werror -DCHARNN_NO_DEPRECATION_WARNINGS -Iinclude -I"$root/build/dispatch" \
    tools/dispatch/dispatch.c -o "$out/libcharnn.so" \
    -Wl,-soname,libcharnn.so -Wl,--version-script=Sources/CharNNExports/charnn.map -Wl,-z,defs -ldl -pthread
