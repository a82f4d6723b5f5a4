#!/usr/bin/env bash
# No illegal instruction on a CPU without AVX: the names example and the charnn tool run under
# qemu-x86_64 -cpu Nehalem (2008: up to SSE4.2), where libcharnn.so's dispatcher must pick the
# portable build. Then, to show the check can fail: the x86-64-v3 build, forced with
# CHARNN_CPU=x86-64-v3, must be refused with a message (not run), and loaded directly (no
# dispatcher) it must die of SIGILL.
#
# usage: test_qemu.sh STAGE BIN DATA [QEMU_CPU]
#   STAGE  the `make stage` prefix (lib/ holds libcharnn.so and its builds); BIN  build/bin with
#   names and charnn; DATA  the names data (a small slice of it is used; without it, made-up names).
# Installs Debian's qemu-user when qemu-x86_64 is missing and it can (root or sudo without a
# password); otherwise, or off x86-64, it says why and skips (exit status 0).
set -uo pipefail
stage="$1" bin="$2" data="$3" cpu="${4:-Nehalem}"

skip() { echo "test-qemu: SKIPPED: $*"; exit 0; }

[ "$(uname -m)" = x86_64 ] || skip "the x86-64 builds are checked on x86-64 hosts only (this is $(uname -m))"
[ -e "$stage/lib/libcharnn-x86-64-v3.so" ] || skip "no x86-64-v3 build in $stage/lib"
if ! command -v qemu-x86_64 >/dev/null; then
    command -v apt-get >/dev/null || skip "qemu-x86_64 is not installed and there is no apt-get to install qemu-user with"
    if [ "$(id -u)" = 0 ]; then apt=(apt-get)
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then apt=(sudo apt-get)
    else skip "qemu-x86_64 is not installed, and installing qemu-user needs root or sudo (apt-get install qemu-user)"; fi
    echo "test-qemu: installing qemu-user (${apt[*]} install -y qemu-user)"
    log="$(mktemp)"
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q qemu-user >"$log" 2>&1; then
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -q >>"$log" 2>&1
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q qemu-user >>"$log" 2>&1 || {
            tail -5 "$log"; rm -f "$log"; skip "apt-get could not install qemu-user"; }
    fi
    rm -f "$log"
    command -v qemu-x86_64 >/dev/null || skip "qemu-user installed no qemu-x86_64"
fi
qemu=(qemu-x86_64 -cpu "$cpu")
echo "test-qemu: $(qemu-x86_64 --version | head -1), -cpu $cpu"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { failures=$((failures + 1)); echo "test-qemu: FAILED: $*" >&2; }

# A small job: 100 names of each language (qemu runs the kernels some 10-50 times slower).
mkdir -p "$tmp/names"
if [ -d "$data" ] && ls "$data"/*.txt >/dev/null 2>&1; then
    for file in "$data"/*.txt; do head -n 100 "$file" >"$tmp/names/$(basename "$file")"; done
else
    echo "test-qemu: no names data in $data: made-up names"
    for language in Alpha Beta Gamma; do
        for i in $(seq 1 100); do echo "${language:0:2}$(printf '%x' $((i * 2654435761 % 65536)))"; done >"$tmp/names/$language.txt"
    done
fi
export CHARNN_NUM_THREADS=1  # qemu-user runs threads too, but one is quicker to emulate
train=(train "$tmp/names" --epochs 2 --hidden 32 --layers 1 --batch 32 --test-size 0.25 --seed 7)

# 1. The dispatcher on the old CPU: the portable build; each model trains, then predicts.
version="$(env -u CHARNN_CPU "${qemu[@]}" "$bin/charnn" --version 2>&1)"
status=$?
echo "test-qemu: charnn --version under -cpu $cpu: $version"
[ $status -eq 0 ] && grep -q "cpu portable" <<<"$version" || fail "charnn --version did not report the portable build (status $status)"
for model in elman gru lstm; do
    started=$SECONDS
    env -u CHARNN_CPU "${qemu[@]}" "$bin/names" "${train[@]}" --model $model --out "$tmp/$model.safetensors" \
        >"$tmp/train.log" 2>&1
    status=$?
    if [ $status -ne 0 ] || ! grep -q "test accuracy:" "$tmp/train.log"; then
        tail -20 "$tmp/train.log" >&2; fail "names train --model $model under -cpu $cpu exited with status $status"
        continue
    fi
    env -u CHARNN_CPU "${qemu[@]}" "$bin/names" predict "$tmp/$model.safetensors" Mike Qin Slaveya >"$tmp/predict.log" 2>&1
    status=$?
    if [ $status -ne 0 ]; then cat "$tmp/predict.log" >&2; fail "names predict ($model) under -cpu $cpu exited with status $status"
    else echo "test-qemu: names train + predict, $model, under -cpu $cpu: $(grep "test accuracy:" "$tmp/train.log");" \
        "$(head -1 "$tmp/predict.log") ($((SECONDS - started)) s)"; fi
done

# 2. CHARNN_CPU=x86-64-v3 on that CPU: refused with a message, an ordinary error exit, no signal.
CHARNN_CPU=x86-64-v3 "${qemu[@]}" "$bin/names" "${train[@]}" --model gru --out "$tmp/forced.safetensors" >"$tmp/forced.log" 2>&1
status=$?
if [ $status -ge 128 ] || [ $status -eq 0 ] || ! grep -q "CHARNN_CPU=x86-64-v3, but this CPU lacks" "$tmp/forced.log"; then
    cat "$tmp/forced.log" >&2; fail "CHARNN_CPU=x86-64-v3 under -cpu $cpu: status $status, not a clean refusal"
else
    echo "test-qemu: CHARNN_CPU=x86-64-v3 under -cpu $cpu is refused (status $status): $(grep -o "this CPU lacks [^;]*" "$tmp/forced.log" | head -1)"
fi

# 3. Without the dispatcher (the x86-64-v3 build as libcharnn.so, found first through
# LD_LIBRARY_PATH), the same job must die of an illegal instruction: what the dispatcher prevents.
mkdir -p "$tmp/raw" && cp "$stage/lib/libcharnn-x86-64-v3.so" "$tmp/raw/libcharnn.so"
(LD_LIBRARY_PATH="$tmp/raw" exec "${qemu[@]}" "$bin/names" "${train[@]}" --model gru --out "$tmp/raw.safetensors") \
    >"$tmp/raw.log" 2>&1
status=$?
if [ $status -eq 132 ] || grep -q "Illegal instruction" "$tmp/raw.log"; then
    echo "test-qemu: the x86-64-v3 build without the dispatcher under -cpu $cpu: SIGILL (status $status), as expected"
else
    tail -5 "$tmp/raw.log" >&2; fail "the x86-64-v3 build loaded directly under -cpu $cpu did not die of SIGILL (status $status): this test cannot tell"
fi

# 4. A CPU with AVX2 (-cpu max): the dispatcher takes the x86-64-v3 build there.
version="$(env -u CHARNN_CPU qemu-x86_64 -cpu max "$bin/charnn" --version 2>&1)"
if grep -q "cpu x86-64-v3" <<<"$version"; then
    echo "test-qemu: charnn --version under -cpu max: $version"
else
    fail "under -cpu max the dispatcher did not pick x86-64-v3: $version"
fi

[ $failures -eq 0 ] && echo "test-qemu: ok" || { echo "test-qemu: $failures failed"; exit 1; }
