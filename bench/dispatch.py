#!/usr/bin/env python3
"""What libcharnn.so's dispatcher costs on the fast path, and how much slower the portable build is.

usage: dispatch.py --bench build/bin/dispatch_bench --lib build/stage/lib --data data/names
                   [--processes 5] [--out bench/results_dispatch_DATE.jsonl] [--args '...']

Runs bench/dispatch_bench.c --processes times (CHARNN_NUM_THREADS=1). Each run measures, in one
process, the dispatcher (libcharnn.so, which loads the fast build), that same build called
directly, and the portable build, alternating them call by call (see the C file). Appends every
line to --out with the run's number, the date and the CPU, then prints the medians over runs and
the two comparisons: dispatcher against direct (its cost) and portable against direct.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

LABELS = {
    "call": "call, charnn_abi_version (ns)",
    "handle_call": "call on a handle, charnn_model_label_count (ns)",
    "predict_elman32": "predict one name, Elman hidden 32 (µs, p50)",
    "predict_gru256": "predict one name, GRU 2×256 (µs, p50)",
    "train_gru64_epoch": "train 1 epoch, GRU 64, 1000 names, batch 16 (s)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", required=True)
    parser.add_argument("--lib", required=True, help="the folder with libcharnn.so and its builds")
    parser.add_argument("--data", required=True)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument(
        "--out",
        default=os.path.join(
            os.path.dirname(os.path.abspath(__file__)), f"results_dispatch_{datetime.date.today().isoformat()}.jsonl"
        ),
    )
    parser.add_argument("--args", default="", help="more arguments for dispatch_bench (e.g. '--rounds 96')")
    args = parser.parse_args()

    machine = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            machine = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        pass
    env = {**{k: v for k, v in os.environ.items() if k != "CHARNN_CPU"}, "CHARNN_NUM_THREADS": "1"}
    medians = {}  # (measure, side) -> [median per run]
    units, variant = {}, ""
    with open(args.out, "a") as out:
        for run in range(args.processes):
            result = subprocess.run(
                [args.bench, args.lib, args.data, *args.args.split()], env=env, capture_output=True, text=True
            )
            if result.returncode != 0:
                print(f"dispatch.py: {args.bench}: {result.stderr.strip()}", file=sys.stderr)
                return 1
            for line in result.stdout.splitlines():
                row = json.loads(line)
                row.update(run=run, date=datetime.date.today().isoformat(), cpu=machine)
                out.write(json.dumps(row) + "\n")
                medians.setdefault((row["measure"], row["side"]), []).append(row["median"])
                units[row["measure"]] = row["unit"]
                if row["side"] == "direct":
                    variant = row["variant"]
            print(f"run {run + 1}/{args.processes} done", file=sys.stderr)

    def m(measure, side):
        return statistics.median(medians[(measure, side)])

    print(f"\nmedians over {args.processes} runs, one thread, {machine}; fast build: {variant}\n")
    print(f"| | dispatcher | {variant} direct | dispatcher cost | portable direct | portable vs {variant} |")
    print("|---|---:|---:|---:|---:|---:|")
    for measure in LABELS:
        if (measure, "direct") not in medians:
            continue
        d, f, p = m(measure, "dispatcher"), m(measure, "direct"), m(measure, "portable")
        print(
            f"| {LABELS[measure]} | {d:.4g} | {f:.4g} | {d - f:+.2g} ({(d / f - 1) * 100:+.1f} %) | {p:.4g} | "
            f"{(p / f - 1) * 100:+.0f} % |"
        )
    print(f"\nevery run's lines appended to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
