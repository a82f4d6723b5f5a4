#!/usr/bin/env python3
"""Scale: a generated CSV of a million rows and 126 classes, loaded, encoded and split, then a
model trained on it and used to predict, timing each step and the memory it takes.

    python3 bench/scale.py [--words DIR] [--rows N] [--out FILE]

Rows are words of the words data set (`../shared/data/words`, 12 scripts) labelled
"<language>-<length mod 3>", so there are 42 × 3 = 126 classes. The issue's targets: a million
rows load, encode and split in 2 s or less, with memory within about twice the text's size;
training and prediction work at that size. Each step runs in a fresh process (through the
Python binding, whose calls are single C calls), so its peak memory is its own: the table
reports the growth of the process's peak resident memory (VmHWM) over its size before loading.
Run by hand (`make bench-scale`), never by the tests.
"""

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(words_dir: Path, rows: int, out: Path) -> None:
    entries = []
    for file in sorted(words_dir.glob("*.txt")):
        language = file.stem
        with open(file, encoding="utf-8") as f:
            entries += [(line.strip(), language) for line in f if line.strip()]
    rng = random.Random(0)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("text,label\n")
        for _ in range(rows):
            word, language = entries[rng.randrange(len(entries))]
            quoted = '"' + word.replace('"', '""') + '"' if any(c in word for c in ',"\n') else word
            f.write(f"{quoted},{language}-{len(word) % 3}\n")


STEP = r"""
import json, sys, time
import charnn

def peak_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

path, step = sys.argv[1], sys.argv[2]
before = peak_kib()
t0 = time.perf_counter()
data = charnn.Dataset.from_csv(path, alphabet="learned")
t1 = time.perf_counter()
train, test = data.split(0.1, seed=0)
t2 = time.perf_counter()
result = {"rows": len(data), "classes": len(data.labels), "load_s": t1 - t0, "split_s": t2 - t1,
          "peak_growth_kib": peak_kib() - before}
if step == "train":
    model = charnn.Model(train, kind="gru", hidden_size=64, num_layers=1, seed=0)
    t3 = time.perf_counter()
    model.fit(train, epochs=1, batch_size=256, lr=3e-3, progress=False)
    t4 = time.perf_counter()
    evaluation = model.evaluate(test)
    t5 = time.perf_counter()
    result.update(train_s=t4 - t3, train_rows_per_s=len(train) / (t4 - t3), evaluate_s=t5 - t4,
                  predict_us_per_row=(t5 - t4) / len(test) * 1e6, test_accuracy=evaluation.accuracy)
print(json.dumps(result))
"""


def run_step(python: str, csv: Path, step: str) -> dict:
    out = subprocess.run([python, "-c", STEP, str(csv), step], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"scale: the {step} step failed:\n{out.stdout}{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", default=str(ROOT.parent / "shared" / "data" / "words"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", default=str(ROOT / "build" / "scale.csv"))
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    csv = Path(args.out)
    csv.parent.mkdir(parents=True, exist_ok=True)
    if not csv.exists() or sum(1 for _ in open(csv, encoding="utf-8")) != args.rows + 1:
        generate(Path(args.words), args.rows, csv)
    size = csv.stat().st_size
    print(f"scale: {csv} holds {args.rows:,} rows, {size / 1e6:.1f} MB", file=sys.stderr)

    loads = [run_step(args.python, csv, "load") for _ in range(args.repeats)]
    median = sorted(loads, key=lambda r: r["load_s"] + r["split_s"])[len(loads) // 2]
    trained = run_step(args.python, csv, "train")
    print(f"rows {median['rows']:,}, classes {median['classes']}, file {size / 1e6:.1f} MB")
    print(
        f"load + encode (learned alphabet): {median['load_s']:.2f} s, split (relearns): {median['split_s']:.2f} s "
        f"(median of {args.repeats}; all: {[round(r['load_s'] + r['split_s'], 2) for r in loads]})"
    )
    print(
        f"peak memory growth: {median['peak_growth_kib'] / 1024:.1f} MiB = "
        f"{median['peak_growth_kib'] * 1024 / size:.2f}x the file"
    )
    print(
        f"train 1 epoch (GRU hidden 64, batch 256): {trained['train_s']:.1f} s "
        f"({trained['train_rows_per_s']:,.0f} rows/s); evaluate {trained['evaluate_s']:.1f} s "
        f"({trained['predict_us_per_row']:.1f} µs/row); test accuracy {trained['test_accuracy'] * 100:.2f} %"
    )


if __name__ == "__main__":
    main()
