#!/usr/bin/env python3
"""The contention case of the benchmark suite (issue 13): default threads against one, on a busy machine.

Each workload runs with CHARNN_NUM_THREADS=1 and with the default (the variable removed),
alternated over --rounds rounds (the order rotates each round), under each condition:

    idle    nothing else running                busy2   next to two busy-loop processes
    busy1   next to one busy-loop process       pair    two copies at once (the mean of the two)

and prints the medians and default ÷ one thread as a Markdown table. Target: at most 1.25× under
busy1, busy2 and pair; at most 1× idle. Workloads: charnn_bench's elman, gru, gru-batch64 and
predict (p50 and predict_many), the binding's Model.fit (python-elman), and, when torch imports in
--python, bench/torch_reference.py elman and gru with 1 or os.cpu_count() threads to match (a
second table gives charnn's speed-up over PyTorch per condition, default threads on both sides).

    python3 bench/contention.py [--data DIR] [--bin DIR] [--python PY] [--library SO]
        [--baseline-bin DIR] [--baseline-library SO] [--rounds N] [--workloads elman,gru,...] [--conditions
        idle,busy1,busy2,pair]
        [--no-torch] [--timeout S] [--json OUT] [--label TEXT] [--readme]

--bin (a directory with charnn_bench) and --library (a libcharnn.so for the Python runs; default
$CHARNN_LIBRARY, else what the binding finds) measure another build, e.g. a baseline;
--baseline-bin and --baseline-library add a second build to the same rounds ("before" columns). A run that
takes longer than --timeout seconds is killed and shown as >timeout. The busy loops are killed
however the script ends. --readme puts the tables between <!-- contention --> and
<!-- /contention --> in bench/README.md.
"""

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import last_json  # bench/run.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "build" / "bin"
VENV_PYTHON = ROOT / "build" / "venv" / "bin" / "python"
WORKLOADS = ["elman", "torch-elman", "gru", "torch-gru", "gru-batch64", "predict", "python-elman"]
CONDITIONS = {"idle": "idle", "busy1": "1 busy", "busy2": "2 busy", "pair": "2 trainings"}
SETTINGS = ["1 thread", "default"]  # alternated in this order, A/B/A/B
BEFORE = "before: "  # prefix of the settings of --baseline-bin (the build before a change)
BUSY_LOOP = [sys.executable, "-c", "while True: pass"]
# Names per run and the per-run timeout (s), small enough that the whole matrix takes about 25
# minutes on a 2-core VM even when the default thread count collapses (10-300× slower) under load,
# 10-15 when it does not.
LIMITS = {"elman": "1000", "gru": "200", "batch": "2000", "predict": "500"}
TIMEOUT = 120

# µs per name of the binding's Model.fit: the Elman protocol of charnn_bench (batch 1, Adam lr
# 1e-3, clip 1) on the same stratified subset as `charnn_bench --limit`.
PYTHON_ELMAN = """
import json, sys, time, charnn
data = charnn.Dataset.from_directory(sys.argv[1])
train, _ = data.split(test_size=0.1, seed=0)
limit = int(sys.argv[2])
if limit and limit < len(train):
    _, train = train.split(test_size=limit / len(train), seed=0)
model = charnn.Model(data.labels, kind="elman")
started = time.perf_counter()
model.fit(train, epochs=1, batch_size=1, lr=1e-3, clip=1.0, progress=False)
seconds = time.perf_counter() - started
print(json.dumps({"impl": "charnn-python", "library": charnn.library_version(), "train_names": len(train),
                  "train_seconds": round(seconds, 3), "us_per_name": round(seconds / len(train) * 1e6, 1)}))
"""


def machine_cpu_seconds(loops):
    """CPU seconds used so far by everything on the machine except this script, its finished
    children and the busy loops: user + nice + system + irq + softirq from /proc/stat, less those."""
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in open("/proc/stat").readline().split()[1:8])
    mine = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    loops_ticks = sum(
        sum(int(f) for f in open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()[11:13]) for p in loops
    )
    return (user + nice + system + irq + softirq - loops_ticks) / tick - sum(r.ru_utime + r.ru_stime for r in mine)


def run(command, env, timeout, copies=1):
    """Runs `copies` copies of command at once; the last JSON line of each, or {"timeout": True}
    or {"error": ...}. Every copy is killed on the way out, whatever happens."""
    shown = " ".join("<snippet>" if "\n" in str(c) else str(c) for c in command)
    print("  $ " + (f"{copies}× " if copies > 1 else "") + shown, file=sys.stderr, flush=True)
    processes = [
        subprocess.Popen(
            [str(c) for c in command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for _ in range(copies)
    ]
    deadline, results = time.monotonic() + timeout, []
    try:
        for process in processes:
            try:
                out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                results.append({"timeout": True})
                continue
            try:
                results.append(last_json(out) if process.returncode == 0 else {"error": err.strip()[-500:]})
            except (IndexError, ValueError):
                results.append({"error": "no JSON line in: " + (out + err).strip()[-500:]})
            if "error" in results[-1]:
                print(f"contention: {command[0]} failed: {results[-1]['error']}", file=sys.stderr)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return results


@contextlib.contextmanager
def busy_loops(count):
    """`count` busy-loop processes for the duration of the block; always killed afterwards."""
    loops = []
    try:
        for _ in range(count):
            loops.append(subprocess.Popen(BUSY_LOOP, stdin=subprocess.DEVNULL))
        if loops:
            print(f"contention: started busy loops {[p.pid for p in loops]}", file=sys.stderr, flush=True)
            time.sleep(0.5)
        yield loops
    finally:
        for process in loops:
            process.kill()
        for process in loops:
            process.wait()
        if loops:
            print(f"contention: killed busy loops {[p.pid for p in loops]}", file=sys.stderr, flush=True)


def commands(args, has_torch):
    """workload -> (command(threads, bin), {table row: JSON key}); threads is 1 or None (the
    default), bin the directory holding charnn_bench."""
    c = lambda *extra: lambda threads, bin: [bin / "charnn_bench", *extra]
    torch = lambda case, limit: (
        lambda threads, bin: [
            args.python,
            ROOT / "bench" / "torch_reference.py",
            case,
            "--data",
            args.data,
            "--epochs",
            "1",
            "--limit",
            limit,
            "--threads",
            threads or os.cpu_count() or 1,
        ]
    )
    table = {
        "elman": (
            c("train", "elman", args.data, "--epochs", "1", "--limit", args.elman_limit),
            {"elman": "us_per_name"},
        ),
        "gru": (c("train", "gru", args.data, "--epochs", "1", "--limit", args.gru_limit), {"gru": "us_per_name"}),
        "gru-batch64": (
            c("train", "gru", args.data, "--epochs", "1", "--batch", "64", "--lr", "3e-3", "--limit", args.batch_limit),
            {"gru-batch64": "us_per_name"},
        ),
        "predict": (
            c("predict", args.data, "--count", args.predict_count),
            {"predict (p50)": "predict_p50_us", "predict_many": "batched_us_per_name"},
        ),
        "python-elman": (
            lambda threads, bin: [args.python, "-c", PYTHON_ELMAN, args.data, args.elman_limit],
            {"python-elman": "us_per_name"},
        ),
    }
    if has_torch:
        table["torch-elman"] = (torch("elman", args.elman_limit), {"PyTorch elman": "us_per_name"})
        table["torch-gru"] = (torch("gru", args.gru_limit), {"PyTorch gru": "us_per_name"})
    return table


def value(results, key):
    """The mean over the copies; inf for a timeout, nan for a failure."""
    if any("timeout" in r for r in results):
        return math.inf
    if any("error" in r or key not in r for r in results):
        return math.nan
    return statistics.fmean(r[key] for r in results)


def median(values):
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else math.nan


def show(v):
    return ">timeout" if v == math.inf else "failed" if math.isnan(v) else f"{v:.1f}"


def summarise(measurements):
    """Per table row and condition (in the order they ran, grouped by row): the medians, their
    ratio, and whether it meets the target; the same for the baseline build when it ran."""
    rows = {}
    for m in measurements:
        row = rows.setdefault((m["row"], m["condition"]), {"other": []})
        row.setdefault(m["threads"], []).append(m["value"])
        row["other"].append(m["other_cores"])
    order = list(dict.fromkeys(row for row, _ in rows))
    summary = []
    for (row, condition), values in sorted(rows.items(), key=lambda item: order.index(item[0][0])):
        target = 1.0 if condition == "idle" else 1.25
        entry = {"row": row, "condition": condition, "target": target, "other_cores": max(values["other"])}
        for prefix in ("", BEFORE):
            one, default = median(values.get(prefix + "1 thread", [])), median(values.get(prefix + "default", []))
            ratio = default / one if math.isfinite(one) and one > 0 and not math.isnan(default) else math.nan
            met = "—" if row.startswith("PyTorch") or math.isnan(ratio) else "yes" if ratio <= target else "**no**"
            key = "before_" if prefix else ""
            entry.update({key + "one_thread": one, key + "default": default, key + "ratio": ratio, key + "met": met})
        summary.append(entry)
    return summary


def tables(summary):
    before = any(not math.isnan(s.get("before_default", math.nan)) for s in summary)
    ratio = lambda r: "∞" if r == math.inf else "—" if math.isnan(r) else f"{r:.2f}×"
    head = (
        ["workload", "condition"]
        + (["before: 1 thread", "before: default", "before: ratio"] if before else [])
        + [
            "1 thread (µs/name)",
            "default (µs/name)",
            "default ÷ 1 thread",
            "target met",
            "other processes (cores, at most)",
        ]
    )
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for s in summary:
        cells = [s["row"], CONDITIONS[s["condition"]]]
        if before:
            cells += [show(s["before_one_thread"]), show(s["before_default"]), ratio(s["before_ratio"])]
        cells += [show(s["one_thread"]), show(s["default"]), ratio(s["ratio"]), s["met"], f"{s['other_cores']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    default = {(s["row"], s["condition"]): s["default"] for s in summary}
    versus = []
    for condition, label in CONDITIONS.items():
        pairs = [
            (default.get((case, condition)), default.get((f"PyTorch {case}", condition))) for case in ("elman", "gru")
        ]
        if all(c is None or t is None for c, t in pairs):
            continue
        cells = [
            "— | — | —"
            if c is None or t is None
            else f"{show(c)} | {show(t)} | " + (f"{t / c:.1f}×" if math.isfinite(c) and math.isfinite(t) else "—")
            for c, t in pairs
        ]
        versus.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(
        lines
        + (
            [
                "",
                "charnn against PyTorch, default threads on both sides (µs per name; ratio: how "
                "many times faster charnn is):",
                "",
                "| condition | elman: charnn | elman: PyTorch | "
                "PyTorch ÷ charnn | gru: charnn | gru: PyTorch | PyTorch ÷ charnn |",
                "|---|---|---|---|---|---|---|",
            ]
            + versus
            if versus
            else []
        )
    )


def measure(args, table, workloads, conditions, base):
    """Every run of the matrix: one measurement per table row, condition, thread setting and round."""
    measurements = []
    for condition in conditions:
        with busy_loops({"busy1": 1, "busy2": 2}.get(condition, 0)) as loops:
            for workload in workloads:
                command, rows = table[workload]
                torch = workload.startswith("torch")
                settings = SETTINGS + ([BEFORE + t for t in SETTINGS] if args.baseline_bin and not torch else [])
                for round_ in range(1, (args.torch_rounds if torch else args.rounds) + 1):
                    # Rotate the order every round so no setting always runs first or last.
                    for threads in settings[round_ % len(settings) :] + settings[: round_ % len(settings)]:
                        if any(p.poll() is not None for p in loops):
                            raise SystemExit("contention: a busy loop died")
                        one = threads.endswith("1 thread")
                        env = dict(base, **({"CHARNN_NUM_THREADS": "1"} if one else {}))
                        bin = args.bin
                        if threads.startswith(BEFORE):
                            bin = args.baseline_bin
                            if args.baseline_library:
                                env["CHARNN_LIBRARY"] = str(Path(args.baseline_library).resolve())
                        cpu, wall = machine_cpu_seconds(loops), time.monotonic()
                        results = run(
                            command("1" if one else None, bin), env, args.timeout, 2 if condition == "pair" else 1
                        )
                        other = (machine_cpu_seconds(loops) - cpu) / (time.monotonic() - wall)
                        for row, key in rows.items():
                            v = value(results, key)
                            measurements.append(
                                {
                                    "row": row,
                                    "workload": workload,
                                    "condition": condition,
                                    "threads": threads,
                                    "round": round_,
                                    "value": v,
                                    "other_cores": round(other, 2),
                                    "results": results,
                                }
                            )
                            print(
                                f"contention: {row}, {CONDITIONS[condition]}, {threads}, round {round_}: "
                                f"{show(v)} µs/name",
                                file=sys.stderr,
                                flush=True,
                            )
                        if other > 0.2:
                            print(
                                f"contention: warning: other processes used {other:.2f} cores during that run",
                                file=sys.stderr,
                                flush=True,
                            )
    return measurements


def describe(args, measurements, minutes):
    """The line above the tables: when, where, what was measured and what else ran."""
    found = lambda key: next((r[key] for m in measurements for r in m["results"] if key in r), None)
    version = found("library") or re.search(
        r'CHARNN_VERSION_STRING "([^"]+)"', (ROOT / "include" / "charnn.h").read_text()
    ).group(1)
    cpu = next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor()
    )
    others = [m["other_cores"] for m in measurements] or [0.0]
    return (
        f"Measured {datetime.date.today().isoformat()} on {cpu}, {os.cpu_count()} cores "
        f"({platform.system()} {platform.release()}); charnn {version}"
        + (f", PyTorch {found('torch')}" if found("torch") else "")
        + (f"; {args.label}" if args.label else "")
        + f". Median of {args.rounds} rounds ({args.torch_rounds} for PyTorch), one thread and default "
        + ("(and the same two of the baseline build, 'before') " if args.baseline_bin else "")
        + "alternated. What else was running: nothing (idle), one or two `while True: pass` processes "
        "(1 busy, 2 busy), or a second copy of the same workload (2 trainings, the mean of the two); "
        f"besides, other processes used {statistics.fmean(others):.2f} cores on average during the runs "
        f"({max(others):.2f} at most). The matrix took {minutes:.0f} minutes."
    )


def write_readme(text):
    readme = ROOT / "bench" / "README.md"
    old = readme.read_text()
    start, end = "<!-- contention -->", "<!-- /contention -->"
    if start not in old or end not in old:
        raise SystemExit(f"contention: {readme} has no {start} … {end} markers")
    readme.write_text(old[: old.index(start)] + f"{start}\n{text}\n{end}" + old[old.index(end) + len(end) :])
    print(f"contention: wrote {readme}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "names"))
    parser.add_argument("--bin", default=str(BIN), help="the directory holding charnn_bench")
    parser.add_argument("--python", default=str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable)
    parser.add_argument(
        "--library",
        default=os.environ.get("CHARNN_LIBRARY"),
        help="libcharnn.so for the Python runs (sets CHARNN_LIBRARY)",
    )
    parser.add_argument(
        "--baseline-bin",
        help="a charnn_bench directory of the build before a change, "
        "measured in the same rounds (alternated with this build) as 'before'",
    )
    parser.add_argument("--baseline-library", help="that build's libcharnn.so, for the Python runs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--torch-rounds",
        type=int,
        default=1,
        help="rounds for PyTorch (its start-up and test-set evaluation take ~15 s a run)",
    )
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="torch-* run only if torch imports")
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds before one run is killed")
    parser.add_argument("--elman-limit", default=LIMITS["elman"], help="names for elman, python-elman, torch-elman")
    parser.add_argument("--gru-limit", default=LIMITS["gru"], help="names for gru and torch-gru")
    parser.add_argument("--batch-limit", default=LIMITS["batch"], help="names for gru-batch64")
    parser.add_argument("--predict-count", default=LIMITS["predict"], help="names for predict")
    parser.add_argument("--json", help="write every measurement here")
    parser.add_argument("--label", default="", help="a note kept with the results (e.g. the build measured)")
    parser.add_argument("--readme", action="store_true", help="write the tables into bench/README.md")
    args = parser.parse_args()
    args.data, args.bin = Path(args.data).resolve(), Path(args.bin).resolve()
    args.baseline_bin = Path(args.baseline_bin).resolve() if args.baseline_bin else None
    workloads, conditions = args.workloads.split(","), args.conditions.split(",")
    for name in workloads + conditions:
        if name not in WORKLOADS and name not in CONDITIONS:
            raise SystemExit(f"contention: unknown workload or condition {name}")
    # So that the finally blocks kill the busy loops on Ctrl-C (even if SIGINT came in ignored), kill and hang-up.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda number, _: sys.exit(128 + number))

    base = {k: v for k, v in os.environ.items() if k != "CHARNN_NUM_THREADS"}
    if args.library:
        base["CHARNN_LIBRARY"] = str(Path(args.library).resolve())
    if subprocess.run([args.python, "-c", "import charnn"], env=base, capture_output=True).returncode:
        base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "bindings" / "python"), base.get("PYTHONPATH")]))
    has_torch = (
        not args.no_torch and not subprocess.run([args.python, "-c", "import torch"], capture_output=True).returncode
    )
    if not has_torch and not args.no_torch:
        print(f"contention: PyTorch is not installed for {args.python}: charnn only", file=sys.stderr)
    table = commands(args, has_torch)

    started = time.monotonic()
    try:
        measurements = measure(args, table, [w for w in workloads if w in table], conditions, base)
    except KeyboardInterrupt:
        raise SystemExit("contention: interrupted")
    minutes = (time.monotonic() - started) / 60
    summary = summarise(measurements)
    text = describe(args, measurements, minutes) + "\n\n" + tables(summary)
    print(text)
    if args.json:
        clean = lambda v: ("timeout" if v == math.inf else None if math.isnan(v) else v) if isinstance(v, float) else v
        Path(args.json).write_text(
            json.dumps(
                {
                    "label": args.label,
                    "date": datetime.datetime.now().isoformat(timespec="seconds"),
                    "argv": sys.argv[1:],
                    "bin": str(args.bin),
                    "library": args.library,
                    "python": args.python,
                    "minutes": round(minutes, 1),
                    "summary": [{k: clean(v) for k, v in s.items()} for s in summary],
                    "measurements": [{k: clean(v) for k, v in m.items()} for m in measurements],
                },
                indent=1,
            )
            + "\n"
        )
        print(f"contention: wrote {args.json}", file=sys.stderr)
    if args.readme:
        write_readme(text)


if __name__ == "__main__":
    main()
