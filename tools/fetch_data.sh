#!/usr/bin/env bash
# The tutorial's names data in DATA (default data/names), checked against tools/names-data.sha256.
# DATA already holding the 18 verified files: nothing to do. data/names missing but
# ../shared/data/names beside the project (as CI has): a link to it. Otherwise data/names is
# fetched from the tutorial's archive. With --verify (make data) an existing DATA must verify;
# without it (make check-data) any existing DATA is taken as it is (your own data).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DATA:-data/names}"
DATA_URL="${DATA_URL:-https://download.pytorch.org/tutorial/data.zip}"
SUMS="$PWD/tools/names-data.sha256"

if [ ! -e "$DATA" ] && [ "$DATA" = data/names ] && [ -d ../shared/data/names ]; then
    echo "data: linking data/names to ../shared/data/names"
    mkdir -p data
    ln -s ../../shared/data/names data/names
fi
if [ -d "$DATA" ] && (cd "$DATA" && sha256sum --quiet -c "$SUMS") >/dev/null 2>&1; then
    [ "${1:-}" != --verify ] || echo "data: $DATA already holds the 18 verified files"
    exit 0
fi
if [ -d "$DATA" ] && [ "${1:-}" != --verify ]; then
    exit 0  # someone else's data (make demo DATA=dir): theirs to vouch for
fi
if [ "$DATA" != data/names ]; then
    echo "data: $DATA does not hold the tutorial's 18 files (checked against $SUMS)" >&2
    exit 1
fi
command -v curl >/dev/null || { echo "data: curl is needed to fetch $DATA_URL" >&2; exit 1; }
command -v unzip >/dev/null || { echo "data: unzip is needed (apt-get install unzip)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "data: fetching $DATA_URL"
if ! curl -fsSL --retry 2 --connect-timeout 15 -o "$tmp/data.zip" "$DATA_URL"; then
    echo "data: cannot download $DATA_URL." >&2
    echo "      Get data.zip from the PyTorch tutorial 'Classifying Names with a Character-Level RNN'," >&2
    echo "      unpack its data/names/ folder into ./data/names, or point the Makefile at a copy: make demo DATA=dir" >&2
    exit 1
fi
unzip -q "$tmp/data.zip" 'data/names/*' -d "$tmp"
(cd "$tmp/data/names" && sha256sum --quiet -c "$SUMS") || { echo "data: the downloaded files do not match $SUMS" >&2; exit 1; }
mkdir -p data
rm -rf data/names
mv "$tmp/data/names" data/names
echo "data: data/names holds the 18 verified files"
