#!/usr/bin/env bash
# libcharnn.so's dispatcher: which build it loads, and that it fails cleanly (statuses and a
# message, never a crash) when it cannot load one.
#
# usage: test_dispatch.sh LIBDIR PROBE
#   LIBDIR  the folder with libcharnn.so and its builds (libcharnn-portable.so, and on x86-64
#           libcharnn-x86-64-v3.so); PROBE  Tests/CABI/dispatch_probe.c, linked without an rpath.
set -uo pipefail
lib="$(cd "$1" && pwd)"
probe="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0

# run DIR [VAR=value...]: the probe against DIR's libcharnn.so, with the environment given.
run() {
    local dir="$1"; shift
    env -u CHARNN_CPU "$@" LD_LIBRARY_PATH="$dir" "$probe" 2>&1
    local status=$?
    [ $status -eq 0 ] || echo "probe exit status $status"
}

# expect NAME OUTPUT LINE...: every LINE (a grep -E pattern) is in OUTPUT.
expect() {
    local name="$1" output="$2"; shift 2
    checks=$((checks + 1))
    for line in "$@"; do
        if ! grep -qE -- "$line" <<<"$output"; then
            failures=$((failures + 1))
            echo "test_dispatch: $name: no line matching '$line' in:" >&2
            sed 's/^/    /' <<<"$output" >&2
            return
        fi
    done
    echo "test_dispatch: $name: ok"
}

x86=0
[ -e "$lib/libcharnn-x86-64-v3.so" ] && x86=1
out="$(run "$lib")"
if grep -q "cpu_x86_64_v3=1" <<<"$out" && [ $x86 = 1 ]; then fast=x86-64-v3; else fast=portable; fi
expect "default: the $fast build" "$out" "^variant=$fast$" "^status=0 " "^error=$"
expect "auto: the $fast build" "$(run "$lib" CHARNN_CPU=auto)" "^variant=$fast$" "^status=0 "
expect "CHARNN_CPU=portable" "$(run "$lib" CHARNN_CPU=portable)" "^variant=portable$" "^status=0 " "^error=$"
expect "CHARNN_CPU=bogus is refused" "$(run "$lib" CHARNN_CPU=bogus)" "^variant=none$" \
    "^status=11 \(internal error\)" "^error=.*CHARNN_CPU=bogus is not a choice" "^version=[0-9.]+ abi=[0-9]+$"

# The dispatcher alone: nothing to load, every call an error naming the missing file.
mkdir -p "$tmp/alone" && cp "$lib/libcharnn.so" "$tmp/alone/"
expect "no build beside the dispatcher" "$(run "$tmp/alone")" "^variant=none$" "^status=11 \(internal error\)" \
    "^error=.*cannot load $tmp/alone/libcharnn-portable.so" "^version=[0-9.]+ abi=[0-9]+$"

# Found through a symbolic link to the dispatcher: the builds are beside the file it points to.
mkdir -p "$tmp/link" && ln -s "$lib/libcharnn.so" "$tmp/link/libcharnn.so"
expect "through a symbolic link" "$(run "$tmp/link")" "^variant=$fast$" "^status=0 "

if [ $x86 = 1 ]; then
    # The fast build missing: auto falls back to the portable one.
    mkdir -p "$tmp/portable-only" && cp "$lib/libcharnn.so" "$lib/libcharnn-portable.so" "$tmp/portable-only/"
    expect "no x86-64-v3 build: portable" "$(run "$tmp/portable-only")" "^variant=portable$" "^status=0 "
    # A file that is not the build its name says is refused, and auto falls back.
    mkdir -p "$tmp/impostor" && cp "$lib/libcharnn.so" "$lib/libcharnn-portable.so" "$tmp/impostor/"
    cp "$lib/libcharnn-portable.so" "$tmp/impostor/libcharnn-x86-64-v3.so"
    expect "an impostor x86-64-v3 build: portable" "$(run "$tmp/impostor")" "^variant=portable$" "^status=0 "
    if [ $fast = x86-64-v3 ]; then
        expect "CHARNN_CPU=x86-64-v3 refuses the impostor" "$(run "$tmp/impostor" CHARNN_CPU=x86-64-v3)" \
            "^variant=none$" "^status=11 " "^error=.*libcharnn-x86-64-v3.so is the portable build, not x86-64-v3"
        expect "CHARNN_CPU=x86-64-v3" "$(run "$lib" CHARNN_CPU=x86-64-v3)" "^variant=x86-64-v3$" "^status=0 "
    else
        expect "CHARNN_CPU=x86-64-v3 on a CPU without it is refused" "$(run "$lib" CHARNN_CPU=x86-64-v3)" \
            "^variant=none$" "^status=11 " "^error=.*CHARNN_CPU=x86-64-v3, but this CPU lacks"
    fi
fi

echo "test_dispatch: $checks checks, $failures failed"
[ $failures -eq 0 ]
