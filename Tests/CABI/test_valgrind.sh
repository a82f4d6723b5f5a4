#!/usr/bin/env bash
# A C user's program runs clean under valgrind with the flags README.md documents ("Running your
# program under valgrind"), using the suppression file `make install` puts in
# PREFIX/share/charnn/charnn.supp: Tests/CABI/valgrind_client.c trains with the worker pool
# running, predicts, frees everything and calls charnn_shutdown(); valgrind must exit 0. And the
# check can fail: the same program without its last charnn_shutdown() (the pool's threads still
# alive at exit) must be reported, and so must the clean run without the suppression file.
# Usage: test_valgrind.sh PREFIX CLIENT (the client built against PREFIX). Skipped without valgrind.
set -uo pipefail
prefix=$1 client=$2
supp="$prefix/share/charnn/charnn.supp"
if ! command -v valgrind >/dev/null; then
    echo "test_valgrind: valgrind not installed: skipped (apt-get install valgrind)"
    exit 0
fi
[ -f "$supp" ] || { echo "test_valgrind: $supp not installed" >&2; exit 1; }
# The documented flags (possibly-lost blocks count as errors: valgrind's default), and a pool
# of two threads whose jobs go parallel even for this small model.
flags=(--leak-check=full --error-exitcode=1)
export CHARNN_NUM_THREADS=2 CHARNN_PARALLEL_MIN_STEP_WORK=1 CHARNN_CONTENTION_BACKOFF=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() { # expected-status description valgrind-arguments...
    local expected=$1 what=$2
    shift 2
    valgrind "$@" >"$log" 2>&1
    local status=$?
    if [ "$expected" = 0 ] && [ $status -ne 0 ]; then
        cat "$log" >&2
        echo "test_valgrind: $what: valgrind exited $status, wanted 0" >&2
        exit 1
    elif [ "$expected" != 0 ] && [ $status -ne 1 ]; then
        cat "$log" >&2
        echo "test_valgrind: $what: valgrind exited $status, wanted 1 (errors reported)" >&2
        exit 1
    fi
    echo "test_valgrind: $what: exit $status, as wanted ($(grep -E 'ERROR SUMMARY' "$log" | sed 's/^==[0-9]*== //'))"
}

run 0 "valgrind ${flags[*]} --suppressions=$supp $client" "${flags[@]}" --suppressions="$supp" "$client"
run 1 "the same without the last charnn_shutdown()" "${flags[@]}" --suppressions="$supp" "$client" no-shutdown
grep -q "pthread_create" "$log" || { cat "$log" >&2; echo "test_valgrind: no pool thread reported" >&2; exit 1; }
run 1 "the same without --suppressions" "${flags[@]}" "$client"
