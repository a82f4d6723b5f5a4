#!/usr/bin/env bash
# Sanitizers, before each release (about 10 minutes from scratch): the Swift suites under
# AddressSanitizer and ThreadSanitizer; the C ABI test and the C examples under ASan + UBSan; the
# names example under valgrind (one thread, on a tenth of the names).
#   tools/sanitize.sh STAGE BUILD DATA
# Environment: SWIFT, FUZZ_CC (clang), DEMO_NAMES.
set -euo pipefail
cd "$(dirname "$0")/.."
stage="$1" build="$2" data="$3"
SWIFT="${SWIFT:-swift}" CC="${FUZZ_CC:-clang}"
names="${DEMO_NAMES:-Mike Qin Slaveya Jake Fernando Demirkan}"
train=(--model gru --epochs 1 --hidden 16 --batch 64)  # small and quick
asan=(-g -O1 -fuse-ld=bfd -fsanitize=address,undefined -fno-sanitize-recover=undefined -I"$stage/include")
link=(-L"$stage/lib" -lcharnn -lm -Wl,-rpath,"$stage/lib")

LSAN_OPTIONS=suppressions="$PWD/Tests/Sanitizers/lsan.supp" "$SWIFT" test -c debug --sanitize=address --scratch-path .build-asan
"$SWIFT" test -c debug --sanitize=thread --scratch-path .build-tsan

mkdir -p "$build/bin"
"$CC" "${asan[@]}" Tests/CABI/main.c Tests/CABI/test_*.c -lpthread "${link[@]}" -o "$build/bin/abi_test_asan"
CHARNN_DATA="$data" ASAN_OPTIONS=detect_leaks=1 "$build/bin/abi_test_asan"
for example in names elman_from_scratch; do
    "$CC" "${asan[@]}" "examples/c/$example.c" "${link[@]}" -o "$build/bin/${example}_asan"
done
ASAN_OPTIONS=detect_leaks=1 "$build/bin/names_asan" train "$data" "${train[@]}" --out "$build/sanitize.safetensors"
# shellcheck disable=SC2086  # the names are words
ASAN_OPTIONS=detect_leaks=1 "$build/bin/names_asan" predict "$build/sanitize.safetensors" $names
ASAN_OPTIONS=detect_leaks=1 "$build/bin/elman_from_scratch_asan" "$data" --epochs 1 --hidden 16

if ! command -v valgrind >/dev/null; then
    echo "valgrind not installed: the examples ran under ASan only (apt-get install valgrind)"
    exit 0
fi
vg=(valgrind --quiet --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --suppressions=valgrind/charnn.supp)
export CHARNN_NUM_THREADS=1
"${vg[@]}" "$build/bin/names" train "$data" "${train[@]}" --test-size 0.9 --out "$build/sanitize.safetensors"
# shellcheck disable=SC2086
"${vg[@]}" "$build/bin/names" predict "$build/sanitize.safetensors" $names
