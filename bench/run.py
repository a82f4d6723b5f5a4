#!/usr/bin/env python3
"""The benchmark suite: each case runs charnn (through its C ABI, or its Python binding) and then
PyTorch (bench/torch_reference.py, the article's code) on the same machine, one after the other,
with the same number of threads; prints the ratios against the targets and writes the results
table into bench/README.md.

    python3 bench/run.py [--data DIR] [--quick] [--cases elman,gru,...] [--python PYTHON]

`make bench` runs it with the virtual environment of `make bench-deps` (which installs torch).
Without torch, the charnn side runs alone and the table says so. --quick trains on 2,000 names
for one epoch (to try things out; the README table comes from full runs).
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "build" / "bin"
CASES = ["elman", "gru", "gru-batch32", "gru-batch64", "recipe", "predict", "ops-c", "ops-python"]
# Run on request only (--cases contention, or `make bench-contention`).
EXTRA_CASES = ["contention"]


def run(command, env=None):
    print("  $ " + " ".join(str(c) for c in command), file=sys.stderr, flush=True)
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=ROOT
    )
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise SystemExit(f"bench: {command[0]} failed")
    return result.stdout


def last_json(output):
    return json.loads([line for line in output.splitlines() if line.startswith("{")][-1])


def example_timing(output):
    """µs per name and accuracy from the from-scratch examples' last lines."""
    us = float(re.search(r"\(([0-9.]+) µs per name", output).group(1))
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)%", output).group(1)) / 100
    return {"us_per_name": us, "test_accuracy": accuracy}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "names"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--python", default=sys.executable, help="a Python with charnn (and torch) installed")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite bench/README.md")
    args = parser.parse_args()
    threads = os.cpu_count() or 1
    env = {"CHARNN_NUM_THREADS": str(threads)}
    has_torch = subprocess.run([args.python, "-c", "import torch"], capture_output=True).returncode == 0
    if not has_torch:
        print(
            f"bench: PyTorch is not installed for {args.python}: running the charnn side only "
            "(`make bench-deps` installs it)",
            file=sys.stderr,
        )
    quick = ["--limit", "2000", "--epochs", "1"] if args.quick else []
    torch_ref = [args.python, ROOT / "bench" / "torch_reference.py"]
    rows = []

    def torch(case, *extra):
        if not has_torch:
            return None
        return last_json(run(torch_ref + [case, "--data", args.data, "--threads", str(threads), *extra]))

    for case in args.cases.split(","):
        print(f"bench: {case}", file=sys.stderr, flush=True)
        if case in ("elman", "gru"):
            c = last_json(run([BIN / "charnn_bench", "train", case, args.data, *quick], env))
            rows.append((case, c, torch(case, *quick)))
        elif case.startswith("gru-batch"):
            batch = case[len("gru-batch") :]
            epochs = ["--epochs", "1"]
            limit = ["--limit", "4000"] if args.quick else []
            c = last_json(
                run(
                    [
                        BIN / "charnn_bench",
                        "train",
                        "gru",
                        args.data,
                        "--batch",
                        batch,
                        "--lr",
                        "3e-3",
                        *epochs,
                        *limit,
                    ],
                    env,
                )
            )
            rows.append((case, c, torch("gru-batch", "--batch", batch, "--lr", "3e-3", *epochs, *limit)))
        elif case == "recipe":
            epochs = "2" if args.quick else "12"
            c = last_json(
                run(
                    [
                        BIN / "charnn_bench",
                        "train",
                        "gru",
                        args.data,
                        "--batch",
                        "64",
                        "--lr",
                        "3e-3",
                        "--epochs",
                        epochs,
                    ],
                    env,
                )
            )
            rows.append((case, c, None))
        elif case == "predict":
            c = last_json(run([BIN / "charnn_bench", "predict", args.data], env))
            rows.append((case, c, torch("predict")))
        elif case == "ops-c":
            c = example_timing(
                run([BIN / "elman_from_scratch", args.data] + (["--epochs", "1"] if args.quick else []), env)
            )
            rows.append((case, c, None))
        elif case == "ops-python":
            out = run(
                [args.python, ROOT / "examples" / "python" / "elman_from_scratch.py", args.data]
                + (["--epochs", "1"] if args.quick else []),
                env,
            )
            rows.append((case, example_timing(out), None))
        elif case == "contention":
            # Not in the default cases (it takes 5-15 minutes): its own tables, one thread against
            # the default next to busy processes, go to bench/README.md's "Next to other work".
            print(
                run(
                    [sys.executable, ROOT / "bench" / "contention.py", "--data", args.data, "--python", args.python]
                    + ([] if args.no_readme else ["--readme"])
                    + (["--rounds", "1"] if args.quick else [])
                )
            )
            continue
        else:
            raise SystemExit(f"bench: unknown case {case}")
        for line in (rows[-1][1], rows[-1][2]):
            if line:
                print(json.dumps(line), flush=True)

    report(rows, args, threads, has_torch)


def ratio(a, b):
    return b / a if a and b else None


def report(rows, args, threads, has_torch):
    by_case = {case: (c, t) for case, c, t in rows}
    torch_elman = (by_case.get("elman") or (None, None))[1]
    lines = []

    def line(name, charnn_value, torch_value, unit, target, better="lower", digits=1):
        if charnn_value is None:
            return
        r = (
            (ratio(charnn_value, torch_value) if better == "lower" else ratio(torch_value, charnn_value))
            if torch_value
            else None
        )
        met = "" if r is None or target is None else ("yes" if r >= target else "**no**")
        lines.append(
            f"| {name} | {charnn_value:.{digits}f} {unit} | "
            + (f"{torch_value:.{digits}f} {unit}" if torch_value is not None else "—")
            + " | "
            + (f"{r:.1f}×" if r else "—")
            + " | "
            + (f"≥ {target}×" if target else "")
            + f" | {met} |"
        )

    for case in ("elman", "gru"):
        if case in by_case:
            c, t = by_case[case]
            target = 30 if case == "elman" else 10
            line(f"{case}: training, µs per name", c["us_per_name"], t and t["us_per_name"], "µs", target)
            line(
                f"{case}: test accuracy",
                c["test_accuracy"] * 100,
                t and t["test_accuracy"] * 100,
                "%",
                None,
                "higher",
                2,
            )
            line(f"{case}: peak RSS", c["peak_rss_mb"], t and t["peak_rss_mb"], "MB", 10)
    for case in ("gru-batch32", "gru-batch64"):
        if case in by_case:
            c, t = by_case[case]
            line(
                f"GRU batch {case[9:]}: training, µs per name (one epoch)",
                c["us_per_name"],
                t and t["us_per_name"],
                "µs",
                1 if case == "gru-batch64" else None,
            )
            line(
                f"GRU batch {case[9:]}: test accuracy after one epoch",
                c["test_accuracy"] * 100,
                t and t["test_accuracy"] * 100,
                "%",
                None,
                "higher",
                2,
            )
    if "recipe" in by_case:
        c = by_case["recipe"][0]
        lines.append(
            f"| recipe: GRU, batch 64, Adam lr 3e-3, {c['epochs']} epochs | {c['test_accuracy'] * 100:.2f} % "
            f"in {c['train_seconds']:.0f} s | | | ≥ 83 % | {'yes' if c['test_accuracy'] >= 0.83 else '**no**'} |"
        )
    if "predict" in by_case:
        c, t = by_case["predict"]
        line("GRU: predict one name, p50", c["predict_p50_us"], t and t["predict_p50_us"], "µs", 5)
        line("GRU: predict one name, p99", c["predict_p99_us"], t and t["predict_p99_us"], "µs", None)
        line("GRU: predict_many, µs per name", c["batched_us_per_name"], t and t["batched_us_per_name"], "µs", 1)
    for case, label in (("ops-c", "op by op through the C API"), ("ops-python", "op by op from Python (charnn.nn)")):
        if case in by_case:
            c = by_case[case][0]
            line(
                f"Elman {label}: µs per name",
                c["us_per_name"],
                torch_elman and torch_elman["us_per_name"],
                "µs",
                10 if case == "ops-c" else None,
            )
            line(f"Elman {label}: test accuracy", c["test_accuracy"] * 100, None, "%", None, "higher", 2)

    table = "\n".join(["| measure | charnn | PyTorch | ratio | target | met |", "|---|---|---|---|---|---|"] + lines)
    print("\n" + table)
    if args.quick or args.no_readme:
        return
    cpu = next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor()
    )
    torch_version = next((t["torch"] for _, _, t in rows if t and "torch" in t), "not installed")
    readme = ROOT / "bench" / "README.md"
    text = readme.read_text() if readme.exists() else ""
    start, end = "<!-- results -->", "<!-- /results -->"
    block = (
        f"{start}\nMeasured {datetime.date.today().isoformat()} on {cpu}, {threads} cores "
        f"({platform.system()} {platform.release()}); charnn {version()} and PyTorch {torch_version}, "
        f"{threads} threads each, one after the other. Full protocol (2 epochs over 18,063 names; "
        f"batch cases one epoch).\n\n{table}\n{end}"
    )
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += "\n" + block + "\n"
    readme.write_text(text)
    print(f"\nbench: wrote {readme}", file=sys.stderr)


def version():
    header = (ROOT / "include" / "charnn.h").read_text()
    return re.search(r'CHARNN_VERSION_STRING "([^"]+)"', header).group(1)


if __name__ == "__main__":
    main()
