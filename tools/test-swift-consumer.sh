#!/usr/bin/env bash
# Uses charnn the way another Swift package would: by version, from a git repository.
#
# What is tested is the working tree as it is now, uncommitted edits included: its files (those
# git tracks, plus new ones it does not ignore) are copied into a fresh repository under a
# temporary directory, committed there and tagged with the version of include/charnn.h. The
# package in Tests/SwiftConsumer then depends on it with
#     .package(url: "file://<tmp>/charnn", from: "<version>")
# and is built (debug: the build dominates, the run is a fraction of a second) and run. A second
# target of it must fail to compile: it names declarations charnn keeps to its own targets.
#
# Environment: SWIFT (default swift), CHARNN_CONSUMER_SCRATCH (a build folder to keep between
# runs; default: inside the temporary directory, removed at the end).
set -euo pipefail

swift=${SWIFT:-swift}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(sed -n 's/^#define CHARNN_VERSION_STRING "\(.*\)"/\1/p' "$root/include/charnn.h")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "test-swift-consumer: no version in include/charnn.h" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/charnn-consumer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
scratch=${CHARNN_CONSUMER_SCRATCH:-$tmp/build}

# The snapshot: tracked and untracked-but-not-ignored files that exist (a file deleted in the
# working tree is left out, as a commit of the tree would leave it out).
mkdir "$tmp/charnn"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$tmp/charnn"
git -C "$tmp/charnn" init -q
git -C "$tmp/charnn" add -A
git -C "$tmp/charnn" -c user.name=charnn -c user.email=charnn@localhost -c commit.gpgsign=false \
    commit -q -m "snapshot of $root for the Swift consumer test"
git -C "$tmp/charnn" -c tag.gpgsign=false tag "$version"
echo "test-swift-consumer: $root snapshot tagged $version at file://$tmp/charnn"

mkdir "$tmp/consumer"
cp -R "$root/Tests/SwiftConsumer/Sources" "$tmp/consumer/"
sed -e "s|@CHARNN_URL@|file://$tmp/charnn|" -e "s|@CHARNN_VERSION@|$version|" \
    "$root/Tests/SwiftConsumer/Package.swift.in" > "$tmp/consumer/Package.swift"

build=("$swift" build --package-path "$tmp/consumer" --scratch-path "$scratch" --disable-dependency-cache)
"${build[@]}" --product charnn-consumer
resolved=$(sed -n 's/.*"version" *: *"\(.*\)".*/\1/p' "$tmp/consumer/Package.resolved")
[[ $resolved == "$version" ]] || { echo "test-swift-consumer: resolved charnn $resolved, not $version" >&2; exit 1; }
"$scratch/debug/charnn-consumer"

# The boundary of the public API: each use of a package-level declaration is an error.
if "${build[@]}" --product surface-check >"$tmp/surface.log" 2>&1; then
    echo "test-swift-consumer: surface-check compiled: package declarations leak to clients" >&2; exit 1
fi
for name in Graph Tensor Xoshiro256 spinPause; do
    grep -q "cannot find '$name' in scope" "$tmp/surface.log" || {
        cat "$tmp/surface.log" >&2
        echo "test-swift-consumer: surface-check did not fail on '$name' being out of scope" >&2; exit 1
    }
done
echo "test-swift-consumer: Graph, Tensor, Xoshiro256 and spinPause are out of a client's reach"
