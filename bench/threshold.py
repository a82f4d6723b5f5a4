#!/usr/bin/env python3
"""Measures where a team of threads starts to pay: `charnn-bench threshold` trains (batch 1) and
predicts (one name at a time) an Elman cell and a 1-layer GRU at hidden sizes 64…512, once on
one thread and once on two with the team threshold and the contention backoff off
(CHARNN_PARALLEL_MIN_STEP_WORK=0, CHARNN_CONTENTION_BACKOFF=0),
alternating the two for --rounds rounds; prints the medians and the speed-up of two threads
against the multiply-adds per character between two barriers (`step work`).

    python3 bench/threshold.py [--data DIR] [--names N] [--rounds N]

`make bench-threshold` runs it. ParallelPolicy.teamMinimumStepWork is set from its result: the
smallest step work from which two threads are clearly faster for both training and prediction.
Run it on an idle machine: a busy one makes two threads look worse than they are.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `make bench-threshold` builds it for the CPU variant the dispatcher picks here and says where.
BENCH = Path(os.environ.get("CHARNN_BENCH_BIN") or ROOT / ".build" / "release" / "charnn-bench")


def measure(threads, data, names):
    env = {**os.environ, "CHARNN_NUM_THREADS": str(threads)}
    if threads > 1:
        env["CHARNN_PARALLEL_MIN_STEP_WORK"] = "0"
        env["CHARNN_CONTENTION_BACKOFF"] = "0"
    out = subprocess.run(
        [str(BENCH), "threshold", data, str(names)], env=env, capture_output=True, text=True, check=True
    )
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "names"))
    parser.add_argument("--names", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs = {1: [], 2: []}
    for r in range(args.rounds):
        for threads in (1, 2) if r % 2 == 0 else (2, 1):
            print(f"threshold: round {r + 1}, {threads} thread(s)", file=sys.stderr, flush=True)
            runs[threads].append(measure(threads, args.data, args.names))

    def median(threads, i, key):
        return statistics.median(run[i][key] for run in runs[threads])

    print(
        "| kind | hidden | step work | train 1 thread | train 2 threads | speed-up "
        "| predict 1 thread | predict 2 threads | speed-up |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for i, row in enumerate(runs[1][0]):
        t1, t2 = median(1, i, "train_us"), median(2, i, "train_us")
        p1, p2 = median(1, i, "predict_us"), median(2, i, "predict_us")
        print(
            f"| {row['kind']} | {row['hidden']} | {row['step_work']:,} | {t1:.1f} µs | {t2:.1f} µs | {t1 / t2:.2f}× "
            f"| {p1:.1f} µs | {p2:.1f} µs | {p1 / p2:.2f}× |"
        )


if __name__ == "__main__":
    main()
