#!/usr/bin/env python3
"""charnn's recipes against fastText with character n-grams, on the same split, in one run.

    python3 bench/recipes.py [--data DIR ...] [--rounds N] [--threads T]

For each data set (default: the names and words data): the stratified 10 % test split with
seed 0 (`Dataset.split`, the split `charnn train` makes); fastText 0.9.2 (`pip install
fasttext-wheel`) trained on the other 90 % with the words data README's configuration
(supervised, character n-grams 2..5, dim 64, 25 epochs, T threads; one token per text; the
training file shuffled), and again with lr 0.5 (better on a validation split); then
`charnn train DATA --recipe fast` and `--recipe best` (T threads). Rounds alternate the tools;
each line is one JSON object (tool, data, round, test accuracy, training seconds, µs per
prediction where measured), then a summary with medians. Training time is the tools' own
training (fastText's train_supervised call; charnn's "trained in" line, which includes the
best recipe's per-epoch validation). The accuracy of the recipes was never tuned on these
test splits (choices were made on validation splits carved from the training data).
Never part of `make test`; `make bench-recipes` runs it.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import charnn

ROOT = Path(__file__).resolve().parent.parent


def fasttext_run(train, test, threads, lr):
    import fasttext  # noqa: PLC0415 (optional dependency)

    # fastText reads its file in order and does not shuffle, and a split lists its rows label by
    # label: shuffled (seeded), it is 1 to 20 points more accurate.
    train = list(train)
    random.Random(0).shuffle(train)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "train.txt")
        with open(path, "w", encoding="utf-8") as f:
            for text, label in train:
                # One token per text: spaces would split it into words (names rarely have one).
                f.write(f"__label__{label} {text.replace(' ', '_')}\n")
        start = time.perf_counter()
        model = fasttext.train_supervised(path, minn=2, maxn=5, dim=64, epoch=25, lr=lr, thread=threads, verbose=0)
        trained = time.perf_counter() - start
    texts = [text.replace(" ", "_") + "\n" for text, _ in test]
    start = time.perf_counter()
    # The low-level call: fasttext 0.9.2's predict() breaks with NumPy 2 (np.array(copy=False)).
    predicted = [model.f.predict(t, 1, 0.0, "strict")[0][1][len("__label__") :] for t in texts]
    per_prediction = (time.perf_counter() - start) / len(texts) * 1e6
    accuracy = sum(p == label for p, (_, label) in zip(predicted, test)) / len(test)
    return {"accuracy": accuracy, "train_s": trained, "predict_us": per_prediction}


def charnn_run(data_dir, recipe, threads, test_rows):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "model.safetensors")
        command = [str(ROOT / "build" / "bin" / "charnn"), "train", data_dir, "--recipe", recipe, "--out", out]
        result = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, "CHARNN_NUM_THREADS": str(threads)}
        )
        if result.returncode != 0:
            raise SystemExit(f"charnn failed: {result.stderr}")
        split = re.search(r"stratified split (\d+) train / (\d+) test", result.stdout)
        if not split or int(split.group(2)) != test_rows:
            raise SystemExit(
                f"charnn's split differs from the binding's ({split and split.group(0)} vs {test_rows} test rows)"
            )
        trained = float(re.search(r"trained in ([0-9.]+) s", result.stdout).group(1))
        accuracy = float(re.search(r"test accuracy: ([0-9.]+)%", result.stdout).group(1)) / 100
        best = re.search(r"best epoch (\d+)", result.stdout)
        epochs = re.search(r"trained in [0-9.]+ s \((\d+) epochs?", result.stdout)
    return {
        "accuracy": accuracy,
        "train_s": trained,
        "epochs": int(epochs.group(1)) if epochs else None,
        "best_epoch": int(best.group(1)) if best else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", nargs="+", default=[str(ROOT / "data" / "names"), str(ROOT.parent / "shared" / "data" / "words")]
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--recipes", nargs="+", default=["fast", "best"])
    args = parser.parse_args()
    rows = []
    for data_dir in args.data:
        name = Path(data_dir).name
        dataset = charnn.Dataset.load(data_dir, alphabet="learned")
        train, test = dataset.split(0.1, seed=0)
        train, test = list(train), list(test)
        for round_ in range(1, args.rounds + 1):
            runs = [
                (
                    "fastText (README: 2..5-grams, dim 64, 25 epochs, lr 0.1)",
                    lambda: fasttext_run(train, test, args.threads, 0.1),
                ),
                (
                    "fastText lr 0.5 (its best on a validation split)",
                    lambda: fasttext_run(train, test, args.threads, 0.5),
                ),
            ]
            runs += [
                (f"charnn --recipe {r}", lambda r=r: charnn_run(data_dir, r, args.threads, len(test)))
                for r in args.recipes
            ]
            # Alternate the order from round to round (the machine's load drifts).
            for tool, run in runs if round_ % 2 else runs[::-1]:
                row = {"data": name, "tool": tool, "round": round_, **run()}
                rows.append(row)
                print(json.dumps(row), flush=True)
    print("\n| data | tool | test accuracy (median) | training s (median) | rounds |")
    print("|---|---|---|---|---|")
    for key in dict.fromkeys((r["data"], r["tool"]) for r in rows):
        picked = [r for r in rows if (r["data"], r["tool"]) == key]
        accuracy = statistics.median(r["accuracy"] for r in picked) * 100
        seconds = statistics.median(r["train_s"] for r in picked)
        print(f"| {key[0]} | {key[1]} | {accuracy:.2f} % | {seconds:.1f} | {len(picked)} |")


if __name__ == "__main__":
    sys.exit(main())
