#!/usr/bin/env bash
# libFuzzer harnesses (Tests/Fuzz/fuzz_*.c) against the C ABI.
#   tools/fuzz.sh smoke LIBDIR OUT   every committed seed and regression, then FUZZ_SMOKE_RUNS
#                                    mutations each, against the regular library in LIBDIR
#   tools/fuzz.sh full LIBDIR OUT    each harness for FUZZ_SECONDS on an instrumented library
# Environment: FUZZERS (the harness names), FUZZ_CC (clang), FUZZ_SMOKE_RUNS, FUZZ_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="$1" libdir="$2" out="$3"
FUZZERS="${FUZZERS:-checkpoint dataset predict api delimited}"
FUZZ_CC="${FUZZ_CC:-clang}"
mkdir -p "$out"
for f in $FUZZERS; do
    "$FUZZ_CC" -g -O1 -fuse-ld=bfd -fsanitize=fuzzer,address -Iinclude "Tests/Fuzz/fuzz_$f.c" \
        -L"$libdir" -lcharnn -Wl,-rpath,"$libdir" -o "$out/fuzz_$f"
    mkdir -p "$out/corpus-$f"
    log="$out/$f.log"
    if [ "$mode" = smoke ]; then
        ASAN_OPTIONS=detect_leaks=0 "$out/fuzz_$f" -runs="${FUZZ_SMOKE_RUNS:-20000}" -seed=1 \
            -artifact_prefix="$out/crash-$f-" "$out/corpus-$f" "Tests/Fuzz/corpus/$f" >"$log" 2>&1 \
            || { tail -30 "$log"; exit 1; }
        echo "fuzz-smoke: fuzz_$f: $(grep -o 'DONE.*' "$log")"
    else
        echo "== fuzz_$f for ${FUZZ_SECONDS:-60} s"
        status=0
        ASAN_OPTIONS=detect_leaks=1 "$out/fuzz_$f" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 \
            -artifact_prefix="$out/crash-$f-" "$out/corpus-$f" "Tests/Fuzz/corpus/$f" >"$log" 2>&1 || status=$?
        grep -E "INITED|DONE|number_of_executed_units|ERROR|SUMMARY|Test unit written" "$log" || true
        [ "$status" -eq 0 ] || { echo "fuzz_$f found a bug: copy the crash file into Tests/Fuzz/corpus/$f as a regression"; exit 1; }
    fi
done
