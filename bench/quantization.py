#!/usr/bin/env python3
"""int8 models against their float originals: accuracy on the test splits, size, evaluation speed.

    python3 bench/quantization.py [--names DIR] [--words DIR] [--gru FILE] [--rounds N]

For each model: the stratified 10 % test split with seed 0 (`Dataset.split`, the split `charnn
train` makes), the float model and `model.quantize()` evaluated on it (top-1 accuracy, the
difference in points), the size of both checkpoints, and `evaluate` µs per test row for both,
alternated over N rounds (medians). The models:
- the article's 2-layer GRU on names (`--gru`, default build/gru.safetensors from `make demo`);
- `charnn train DATA --recipe fast` and `--recipe best` on names and on words, trained here
  with the tool (the recipes' settings were chosen on validation splits, never these tests).
Nothing is tuned on the test splits: quantization has no setting. One JSON line per model, then
a Markdown table. Never part of `make test`; `make bench-quantization` runs it.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bindings" / "python"))

import charnn  # noqa: E402


def train_recipe(data_dir: str, recipe: str, out: str) -> None:
    command = [str(ROOT / "build" / "bin" / "charnn"), "train", data_dir, "--recipe", recipe, "--quiet", "--out", out]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"charnn train failed: {result.stderr}")


def evaluate_seconds(model: "charnn.Model", test: "charnn.Dataset") -> float:
    started = time.perf_counter()
    model.evaluate(test)
    return time.perf_counter() - started


def measure(label: str, data: str, path: str, test: "charnn.Dataset", rounds: int) -> dict:
    with charnn.Model.load(path) as model, model.quantize() as small:
        float_accuracy = model.evaluate(test).accuracy
        int8_accuracy = small.evaluate(test).accuracy
        times: dict = {"float": [], "int8": []}
        for round_ in range(rounds):  # alternated: the machine's load drifts
            for name, m in (
                (("float", model), ("int8", small)) if round_ % 2 == 0 else (("int8", small), ("float", model))
            ):
                times[name].append(evaluate_seconds(m, test))
        return {
            "data": data,
            "model": label,
            "test_rows": len(test),
            "float_accuracy": float_accuracy,
            "int8_accuracy": int8_accuracy,
            "delta_points": (int8_accuracy - float_accuracy) * 100,
            "float_bytes": len(model.to_bytes()),
            "int8_bytes": len(small.to_bytes()),
            "float_eval_us": statistics.median(times["float"]) / len(test) * 1e6,
            "int8_eval_us": statistics.median(times["int8"]) / len(test) * 1e6,
            "threads": os.environ.get("CHARNN_NUM_THREADS", "default"),
            "cpu_variant": charnn.cpu_variant(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", default=str(ROOT / "data" / "names"))
    parser.add_argument("--words", default=str(ROOT.parent / "shared" / "data" / "words"))
    parser.add_argument("--gru", default=str(ROOT / "build" / "gru.safetensors"))
    parser.add_argument("--recipes", nargs="*", default=["fast", "best"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--out", default=str(ROOT / "bench" / f"results_quantization_{time.strftime('%Y-%m-%d')}.jsonl")
    )
    args = parser.parse_args()
    print(f"# load average at start: {os.getloadavg()}", flush=True)
    rows = []
    if os.path.exists(args.gru):
        with charnn.Dataset.load(args.names) as names:
            _, test = names.split(0.1, seed=0)
            rows.append(measure("article GRU (2×256, one-hot)", "names", args.gru, test, args.rounds))
            print(json.dumps(rows[-1]), flush=True)
    else:
        print(f"# {args.gru} is missing (make demo trains it): the article's GRU is skipped", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for data_dir in (args.names, args.words):
            data = Path(data_dir).name
            with charnn.Dataset.load(data_dir, alphabet="learned") as dataset:
                _, test = dataset.split(0.1, seed=0)
                for recipe in args.recipes:
                    path = os.path.join(tmp, f"{data}-{recipe}.safetensors")
                    train_recipe(data_dir, recipe, path)
                    rows.append(measure(f"--recipe {recipe}", data, path, test, args.rounds))
                    print(json.dumps(rows[-1]), flush=True)
    print(f"# load average at end: {os.getloadavg()}")
    with open(args.out, "w") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
    print("\n| data | model | float accuracy | int8 accuracy | change | checkpoint | evaluate µs/row float → int8 |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        size = f"{r['float_bytes'] / 1e6:.2f} → {r['int8_bytes'] / 1e6:.2f} MB"
        speed = f"{r['float_eval_us']:.1f} → {r['int8_eval_us']:.1f}"
        print(
            f"| {r['data']} | {r['model']} | {r['float_accuracy'] * 100:.2f} % | {r['int8_accuracy'] * 100:.2f} % "
            f"| {r['delta_points']:+.2f} pt | {size} | {speed} |"
        )
    print(f"\nwrote {args.out}; {re.sub(r'[()]', '', str(os.getloadavg()))} load average")


if __name__ == "__main__":
    main()
