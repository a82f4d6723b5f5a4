#!/usr/bin/env python3
"""charnn against ONNX Runtime (ORT) for inference on the article's 2-layer GRU, in one run.

    python3 bench/onnx_runtime.py [--library LIB] [--charnn-model PATH] [--quantized PATH]
        [--data DIR] [--words DIR] [--rounds N] [--stream-lines N] [--bin DIR] [--out FILE]

The trained checkpoint (PyTorch names and layout) is exported twice by hand with onnx.helper:
as two ONNX GRU ops with `sequence_lens` (padding cannot change a name's result: Y_h is each
name's state at its own length) and as an unrolled graph of MatMuls per length (the form
`quantize_dynamic` can quantize; padded steps are masked). ORT's fp32 predictions are checked
against torch's on the test split first. Then, in rounds that alternate the sides (each side a
fresh process, so CHARNN_NUM_THREADS applies): single-name latency, batches of 128 sorted by
length, batches of 128 in test order, for charnn (default threads, 1 thread; `--quantized`
adds "charnn int8") and every ORT variant with intra_op 1 and 2. Last, a stream of lines from
the words data through `charnn predict` and through ORT. One JSON line per measurement goes to
--out, medians and a Markdown table of ratios to stdout. `make bench-onnx` runs it.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
BATCH = 128
HIDDEN = 256
GATES = 3 * HIDDEN
WARMUP = 50
# ORT variants: (name, graph, quantization). reduce_range keeps weights in 7 bits (for CPUs
# without VNNI, where u8*s8 products could saturate); QUInt8 is the other weight type.
ORT_VARIANTS = [
    ("gru-op fp32", "gru", None),
    ("gru-op int8", "gru", {"weight_type": "QInt8", "reduce_range": False}),
    ("unrolled fp32", "unrolled", None),
    ("unrolled int8 QInt8", "unrolled", {"weight_type": "QInt8", "reduce_range": False}),
    ("unrolled int8 QUInt8", "unrolled", {"weight_type": "QUInt8", "reduce_range": False}),
    ("unrolled int8 QInt8 reduce_range", "unrolled", {"weight_type": "QInt8", "reduce_range": True}),
]
ORT_THREADS = [1, 2]


# -- work and bytes: the bound --------------------------------------------------------------


def multiply_adds(mean_length: float, vocab: int, labels: int) -> float:
    """Useful multiply-adds per name: layer 0's W_hh and the gather of W_ih's columns (one-hot
    input), layer 1's W_ih and W_hh, per character; the head once."""
    per_char = GATES * HIDDEN + GATES + 2 * GATES * HIDDEN
    return mean_length * per_char + labels * HIDDEN


def weight_bytes(vocab: int, labels: int, bytes_per_weight: float) -> float:
    count = GATES * (vocab + HIDDEN) + GATES * 2 * HIDDEN + 4 * GATES + labels * (HIDDEN + 1)
    return count * bytes_per_weight


def gflops(us_per_name: float, macs: float) -> float:
    return 2 * macs / (us_per_name * 1e3)


# -- the ONNX graphs ----------------------------------------------------------------------


def load_weights(path: str) -> Dict[str, Any]:
    from safetensors.numpy import load_file

    return load_file(path)


def onnx_gates(rows: Any) -> Any:
    """PyTorch stacks the gates r, z, n; ONNX's GRU wants z, r, h."""
    import numpy as np

    r, z, n = np.split(rows, 3, axis=0)
    return np.concatenate([z, r, n], axis=0)


def gru_op_model(w: Dict[str, Any], vocab: int) -> Any:
    """Two ONNX GRU ops (linear_before_reset=1 is PyTorch's GRU) with sequence_lens, and a
    MatMul + Add head on the top layer's Y_h."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    inits, nodes = [], []
    for layer in (0, 1):
        names = [f"W{layer}", f"R{layer}", f"B{layer}"]
        bias = np.concatenate([onnx_gates(w[f"gru.bias_ih_l{layer}"]), onnx_gates(w[f"gru.bias_hh_l{layer}"])])
        for name, array in zip(
            names, (onnx_gates(w[f"gru.weight_ih_l{layer}"]), onnx_gates(w[f"gru.weight_hh_l{layer}"]), bias)
        ):
            inits.append(numpy_helper.from_array(array[None].astype(np.float32), name))
        source = "X" if layer == 0 else "Y0s"
        outputs = ["Y0", ""] if layer == 0 else ["", "H1"]
        nodes.append(
            helper.make_node(
                "GRU", [source, *names, "L"], outputs, hidden_size=HIDDEN, linear_before_reset=1, name=f"gru{layer}"
            )
        )
        if layer == 0:
            nodes.append(helper.make_node("Squeeze", ["Y0", "axis1"], ["Y0s"]))
    inits += [
        numpy_helper.from_array(np.array([1], np.int64), "axis1"),
        numpy_helper.from_array(np.array([0], np.int64), "axis0"),
        numpy_helper.from_array(np.ascontiguousarray(w["fc.weight"].T), "fcW"),
        numpy_helper.from_array(w["fc.bias"], "fcB"),
    ]
    nodes += [
        helper.make_node("Squeeze", ["H1", "axis0"], ["H"]),
        helper.make_node("MatMul", ["H", "fcW"], ["HW"]),
        helper.make_node("Add", ["HW", "fcB"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        "charnn_gru",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", "B", vocab]),
            helper.make_tensor_value_info("L", TensorProto.INT32, ["B"]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["B", w["fc.bias"].shape[0]])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


class Unroller:
    """Builds the unrolled GRU: each step's MatMuls, Sigmoids and Tanh as separate nodes, so
    quantize_dynamic (which knows MatMul, not GRU) can turn every weight product into int8."""

    def __init__(self) -> None:
        self.nodes: List[Any] = []
        self.count = 0

    def op(self, kind: str, inputs: Sequence[str], outputs: int = 1, **attrs: Any) -> Any:
        from onnx import helper

        names = [f"{kind.lower()}{self.count}_{i}" for i in range(outputs)]
        self.count += 1
        self.nodes.append(helper.make_node(kind, list(inputs), names, **attrs))
        return names[0] if outputs == 1 else names

    def layer(self, xw: str, steps: int, layer: int, h: str) -> List[str]:
        """xw: [T, B, 768] (input projection + b_ih, precomputed for all steps)."""
        states = []
        for t in range(steps):
            x = self.op("Gather", [xw, f"t{t}"], axis=0)
            gh = self.op("Add", [self.op("MatMul", [h, f"Whh{layer}"]), f"bhh{layer}"])
            xr, xz, xn = self.op("Split", [x], 3, axis=1, num_outputs=3)
            hr, hz, hn = self.op("Split", [gh], 3, axis=1, num_outputs=3)
            r = self.op("Sigmoid", [self.op("Add", [xr, hr])])
            z = self.op("Sigmoid", [self.op("Add", [xz, hz])])
            n = self.op("Tanh", [self.op("Add", [xn, self.op("Mul", [r, hn])])])
            new = self.op("Add", [n, self.op("Mul", [z, self.op("Sub", [h, n])])])
            # Padded steps (mask 0) keep the state, so a name ends at its own length.
            m = self.op("Gather", ["M", f"t{t}"], axis=0)
            h = self.op("Add", [h, self.op("Mul", [m, self.op("Sub", [new, h])])])
            states.append(h)
        return states


def unrolled_model(w: Dict[str, Any], vocab: int, steps: int) -> Any:
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    u = Unroller()
    batch = u.op("Slice", [u.op("Shape", ["X"]), "one", "two"])
    h0 = u.op("ConstantOfShape", [u.op("Concat", [batch, "hidden"], axis=0)])
    xw0 = u.op("Add", [u.op("MatMul", ["X", "Wih0"]), "bih0"])
    states = u.layer(xw0, steps, 0, h0)
    stacked = u.op("Concat", [u.op("Unsqueeze", [s, "zero"]) for s in states], axis=0)
    xw1 = u.op("Add", [u.op("MatMul", [stacked, "Wih1"]), "bih1"])
    top = u.layer(xw1, steps, 1, h0)[-1]
    u.nodes.append(helper.make_node("MatMul", [top, "fcW"], ["HW"]))
    u.nodes.append(helper.make_node("Add", ["HW", "fcB"], ["logits"]))
    inits = [numpy_helper.from_array(np.array(t, np.int64), f"t{t}") for t in range(steps)]
    inits += [
        numpy_helper.from_array(np.array([v], np.int64), name)
        for name, v in (("one", 1), ("two", 2), ("hidden", HIDDEN), ("zero", 0))
    ]
    for layer in (0, 1):
        for kind in ("ih", "hh"):
            weight = np.ascontiguousarray(w[f"gru.weight_{kind}_l{layer}"].T)
            inits.append(numpy_helper.from_array(weight, f"W{kind}{layer}"))
            inits.append(numpy_helper.from_array(w[f"gru.bias_{kind}_l{layer}"], f"b{kind}{layer}"))
    inits += [
        numpy_helper.from_array(np.ascontiguousarray(w["fc.weight"].T), "fcW"),
        numpy_helper.from_array(w["fc.bias"], "fcB"),
    ]
    graph = helper.make_graph(
        u.nodes,
        f"charnn_gru_unrolled_{steps}",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, [steps, "B", vocab]),
            helper.make_tensor_value_info("M", TensorProto.FLOAT, [steps, "B", 1]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["B", w["fc.bias"].shape[0]])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def quantize(source: Path, target: Path, options: Dict[str, Any]) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Its advice to run shape inference first is printed once per file (one per length here).
    logging.getLogger().setLevel(logging.ERROR)
    quantize_dynamic(
        str(source), str(target), weight_type=QuantType[options["weight_type"]], reduce_range=options["reduce_range"]
    )


def op_types(path: Path) -> Dict[str, int]:
    import onnx

    counts: Dict[str, int] = {}
    for node in onnx.load(str(path)).graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return counts


def export_models(weights: Dict[str, Any], vocab: int, lengths: Sequence[int], folder: Path) -> Dict[str, Any]:
    """Every ORT variant's files: {variant: path} for the GRU-op graph, {variant: {T: path}}
    for the unrolled one; and what quantize_dynamic did to the GRU op."""
    import onnx

    files: Dict[str, Any] = {}
    notes: Dict[str, Any] = {}
    gru_path = folder / "gru.onnx"
    onnx.save(gru_op_model(weights, vocab), str(gru_path))
    unrolled = {}
    for steps in lengths:
        unrolled[steps] = folder / f"unrolled_{steps}.onnx"
        onnx.save(unrolled_model(weights, vocab, steps), str(unrolled[steps]))
    for name, graph, options in ORT_VARIANTS:
        if graph == "gru":
            if options is None:
                files[name] = str(gru_path)
                continue
            target = folder / f"gru_{options['weight_type']}.onnx"
            quantize(gru_path, target, options)
            types = op_types(target)
            notes[name] = {"op_types": types, "gru_quantized": "GRU" not in types}
            files[name] = str(target)
        elif options is None:
            files[name] = {t: str(p) for t, p in unrolled.items()}
        else:
            tag = options["weight_type"] + ("_rr" if options["reduce_range"] else "")
            files[name] = {}
            for steps, source in unrolled.items():
                target = folder / f"unrolled_{steps}_{tag}.onnx"
                quantize(source, target, options)
                files[name][steps] = str(target)
            notes[name] = {"op_types_T8": op_types(Path(files[name][max(s for s in unrolled if s <= 8)]))}
    return {"files": files, "notes": notes}


# -- the test split, shared by every process ------------------------------------------------


def test_split(data: str) -> Dict[str, Any]:
    """The test names, their labels and their indices in the article's vocabulary, read the
    way bench/torch_reference.py reads them (charnn's transliteration and split)."""
    import charnn
    import torch_reference

    dataset = charnn.Dataset.from_directory(data)
    _, test = dataset.split(test_size=0.1, seed=0)
    _, encoded, labels = torch_reference.load(data, 0)
    return {
        "names": [name for name, _ in test],
        "indices": [indices for indices, _ in encoded],
        "labels": [label for _, label in encoded],
        "label_names": labels,
        "vocab": torch_reference.VOCAB,
    }


def torch_logits(weights_path: str, split: Dict[str, Any]) -> Any:
    """torch's logits for each test name alone (the article's eval loop, zero initial state)."""
    import torch
    import torch_reference
    from safetensors.torch import load_file

    model = torch_reference.GRUModel(2, HIDDEN, len(split["label_names"]))
    model.load_state_dict(load_file(weights_path))
    model.eval()
    with torch.no_grad():
        rows = [model(torch_reference.name_to_tensor(indices))[0] for indices in split["indices"]]
    return torch.stack(rows).numpy()


# -- ORT side -----------------------------------------------------------------------------


def one_hot(chunk: Sequence[Sequence[int]], vocab: int) -> Tuple[Any, Any]:
    """Padded one-hot [T, B, vocab] and lengths [B]."""
    import numpy as np

    lengths = np.array([len(i) for i in chunk], np.int32)
    x = np.zeros((int(lengths.max()), len(chunk), vocab), np.float32)
    for b, indices in enumerate(chunk):
        x[np.arange(len(indices)), b, indices] = 1
    return x, lengths


class OrtRunner:
    """One variant's sessions (one per length for the unrolled graph; warm() makes them)."""

    def __init__(self, files: Any, threads: int, vocab: int) -> None:
        import onnxruntime as ort

        self.options = ort.SessionOptions()
        self.options.intra_op_num_threads = threads
        self.options.inter_op_num_threads = 1
        self.options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self.files, self.vocab = files, vocab
        self.sessions: Dict[int, Any] = {}
        self.unrolled = isinstance(files, dict)

    def warm(self, items: Sequence[Sequence[int]]) -> None:
        """Makes every length's session and runs each once, so none is made inside a timing."""
        for steps in sorted({len(i) for i in items}):
            self.predict([next(i for i in items if len(i) == steps)])

    def session(self, steps: int) -> Any:
        import onnxruntime as ort

        key = steps if self.unrolled else 0
        if key not in self.sessions:
            path = self.files[str(steps)] if self.unrolled else self.files
            self.sessions[key] = ort.InferenceSession(path, self.options, providers=["CPUExecutionProvider"])
        return self.sessions[key]

    def logits(self, chunk: Sequence[Sequence[int]]) -> Any:
        import numpy as np

        x, lengths = one_hot(chunk, self.vocab)
        if not self.unrolled:
            return self.session(0).run(None, {"X": x, "L": lengths})[0]
        mask = (np.arange(x.shape[0])[:, None] < lengths[None, :]).astype(np.float32)[:, :, None]
        return self.session(x.shape[0]).run(None, {"X": x, "M": mask})[0]

    def predict(self, chunk: Sequence[Sequence[int]]) -> List[int]:
        return self.logits(chunk).argmax(1).tolist()


def chunks(order: Sequence[int], size: int) -> Iterator[List[int]]:
    for start in range(0, len(order), size):
        yield list(order[start : start + size])


def percentile(times: List[float], q: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * q))]


def time_single(predict: Any, items: Sequence[Any]) -> Dict[str, float]:
    for item in items[:WARMUP]:
        predict(item)
    times = []
    for item in items:
        started = time.perf_counter()
        predict(item)
        times.append((time.perf_counter() - started) * 1e6)
    return {"p50_us": percentile(times, 0.5), "p99_us": percentile(times, 0.99)}


def time_batches(predict_chunk: Any, items: Sequence[Any], order: Sequence[int]) -> Tuple[float, List[int]]:
    """µs per name over batches of 128 in `order`, and the predictions in test order."""
    predict_chunk([items[i] for i in order[:BATCH]])  # warm-up
    predictions = [0] * len(items)
    started = time.perf_counter()
    for chunk in chunks(order, BATCH):
        for i, p in zip(chunk, predict_chunk([items[i] for i in chunk])):
            predictions[i] = p
    return (time.perf_counter() - started) / len(items) * 1e6, predictions


def sorted_order(split: Dict[str, Any]) -> List[int]:
    return sorted(range(len(split["indices"])), key=lambda i: len(split["indices"][i]))


def cases(single: Any, batch: Any, items: Sequence[Any], split: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    yield {"case": "single", **time_single(single, items)}
    us, predictions = time_batches(batch, items, sorted_order(split))
    yield {"case": "batch128-sorted", "us_per_name": us, "predictions": predictions}
    us, _ = time_batches(batch, items, list(range(len(items))))
    yield {"case": "batch128-test-order", "us_per_name": us}


def ort_worker(args: argparse.Namespace, split: Dict[str, Any], models: Dict[str, Any]) -> None:
    import onnxruntime as ort

    if args.stream_file:
        runner = OrtRunner(models["files"]["gru-op fp32"], args.threads, len(split["vocab"]))
        emit({"side": "ort", "variant": "gru-op fp32", "threads": args.threads, **ort_stream(args, runner)})
        return
    for name, _, _ in ORT_VARIANTS:
        runner = OrtRunner(models["files"][name], args.threads, len(split["vocab"]))
        runner.warm(split["indices"])
        base = {"side": "ort", "variant": name, "threads": args.threads, "onnxruntime": ort.__version__}
        for result in cases(lambda i: runner.predict([i]), runner.predict, split["indices"], split):
            emit({**base, **result})


def charnn_encoder() -> Any:
    """The line in the article's vocabulary as charnn reads it (its transliteration, what
    bench/torch_reference.py's charnn_ascii does), so ORT gets the same letters as the tool;
    [] when nothing is readable."""
    import charnn.nn

    def encode(line: str) -> List[int]:
        try:
            return charnn.nn.name_to_indices(line) if line.strip() else []
        except charnn.Error:
            return []

    return encode


def ort_stream(args: argparse.Namespace, runner: OrtRunner) -> Dict[str, Any]:
    """Read, encode, sort each chunk of 16,384 lines by length, run batches of 128; the time
    includes reading and encoding (as the tool's does), which is also reported alone."""
    encode = charnn_encoder()
    runner.predict([[0]])
    lines = skipped = 0
    encoding = 0.0
    started = time.perf_counter()
    with open(args.stream_file, encoding="utf-8") as stream:
        while True:
            encode_started = time.perf_counter()
            block = [encode(line.rstrip("\n")) for _, line in zip(range(args.stream_chunk), stream)]
            encoding += time.perf_counter() - encode_started
            if not block:
                break
            lines += len(block)
            readable = sorted((i for i in block if i), key=len)
            skipped += len(block) - len(readable)
            for start in range(0, len(readable), BATCH):
                runner.predict(readable[start : start + BATCH])
    seconds = time.perf_counter() - started
    return {
        "case": "stream",
        "lines": lines,
        "errors": skipped,
        "seconds": seconds,
        "read_encode_seconds": encoding,
        "lines_per_s": lines / seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak RSS since its exec (VmHWM). getrusage's ru_maxrss would carry the
    parent's peak across fork and exec (the orchestrator's, torch loaded)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- charnn side --------------------------------------------------------------------------


def charnn_worker(args: argparse.Namespace, split: Dict[str, Any]) -> None:
    import charnn

    model = charnn.Model.load(args.model_path)
    dataset = charnn.Dataset.from_directory(args.data)
    _, test = dataset.split(test_size=0.1, seed=0)
    if model.labels != split["label_names"]:
        raise SystemExit(f"onnx_runtime: the model's labels {model.labels} are not the data's")
    label_index = {label: i for i, label in enumerate(split["label_names"])}

    def batch(names: Sequence[str]) -> List[int]:
        return [label_index[p[0][0]] for p in model.predict_many(names, k=1)]

    base = {"side": args.side_name, "variant": Path(args.model_path).name, "threads": args.threads or "default"}
    for result in cases(lambda name: model.predict(name, k=1), batch, split["names"], split):
        emit({**base, **result})
    emit({**base, "case": "evaluate", "accuracy": model.evaluate(test).accuracy, "hidden_init": model.hidden_init})
    charnn.shutdown()


# -- the stream through the charnn tool ---------------------------------------------------


def words_lines(words: str) -> Iterator[str]:
    """The words data's lines round robin over its languages (files in name order), cycled."""
    files = [path.read_text(encoding="utf-8").splitlines() for path in sorted(Path(words).glob("*.txt"))]
    longest = max(len(lines) for lines in files)
    row = [lines[i] for i in range(longest) for lines in files if i < len(lines) and lines[i].strip()]
    while True:
        yield from row


def write_stream(words: str, count: int, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for _, line in zip(range(count), words_lines(words)):
            out.write(line + "\n")


def charnn_stream(args: argparse.Namespace, model: str, threads: Optional[int], path: Path) -> Dict[str, Any]:
    """`charnn predict MODEL < file > /dev/null`: wall seconds and the tool's peak RSS, from
    GNU time when present. Not getrusage: Linux carries a process's peak RSS across exec, so a
    child forked from this process (torch loaded) would report this process's size."""
    env = {**os.environ, "CHARNN_LIBRARY": args.library, "LD_LIBRARY_PATH": str(Path(args.library).parent)}
    env.pop("CHARNN_NUM_THREADS", None)
    if threads:
        env["CHARNN_NUM_THREADS"] = str(threads)
    gnu_time = Path("/usr/bin/time")
    with open(path, "rb") as stdin, tempfile.TemporaryFile() as stderr, tempfile.NamedTemporaryFile("r") as rss:
        command = [str(Path(args.bin) / "charnn"), "predict", model]
        if gnu_time.exists():
            command = [str(gnu_time), "-f", "%M", "-o", rss.name] + command
        started = time.perf_counter()
        exit_code = subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, stderr=stderr, env=env).returncode
        seconds = time.perf_counter() - started
        stderr.seek(0)
        messages = stderr.read().decode("utf-8", "replace").splitlines()
        peak = float(rss.read().split()[-1]) / 1024 if gnu_time.exists() else None
    return {
        "case": "stream",
        "lines": args.stream_lines,
        # The tool warns about dropped characters (the line is still predicted); other lines are errors.
        "warnings": sum("lacks" in m for m in messages),
        "errors": sum("lacks" not in m for m in messages),
        "exit_code": exit_code,
        "seconds": seconds,
        "lines_per_s": args.stream_lines / seconds,
        "peak_rss_mb": peak,
    }


# -- orchestration ------------------------------------------------------------------------


def emit(record: Dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def worker_command(args: argparse.Namespace, shared: Path, side: Dict[str, Any]) -> List[str]:
    command = [sys.executable, __file__, "--worker", side["kind"], "--shared", str(shared), "--data", args.data]
    command += ["--library", args.library, "--threads", str(side["threads"] or 0)]
    if side["kind"] == "charnn":
        command += ["--model-path", side["model"], "--side-name", side["name"]]
    if side.get("stream_file"):
        command += ["--stream-file", side["stream_file"], "--stream-chunk", str(args.stream_chunk)]
    return command


def run_worker(args: argparse.Namespace, shared: Path, side: Dict[str, Any]) -> List[Dict[str, Any]]:
    env = {**os.environ, "CHARNN_LIBRARY": args.library}
    env.pop("CHARNN_NUM_THREADS", None)
    if side["kind"] == "charnn" and side["threads"]:
        env["CHARNN_NUM_THREADS"] = str(side["threads"])
    print(f"onnx_runtime: {side['name']} threads={side['threads'] or 'default'}", file=sys.stderr, flush=True)
    result = subprocess.run(worker_command(args, shared, side), capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"onnx_runtime: worker failed:\n{result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def sides(args: argparse.Namespace) -> List[Dict[str, Any]]:
    charnn_models = [("charnn", args.charnn_model)] + ([("charnn int8", args.quantized)] if args.quantized else [])
    listed = [
        {"kind": "charnn", "name": name, "model": model, "threads": threads}
        for name, model in charnn_models
        for threads in (None, 1)
    ]
    # Alternate: charnn, ORT, charnn, ORT... within each round.
    ort = [{"kind": "ort", "name": "ort", "threads": threads} for threads in ORT_THREADS]
    order = []
    for i in range(max(len(listed), len(ort))):
        order += listed[i : i + 1] + ort[i : i + 1]
    return order


def annotate(record: Dict[str, Any], split: Dict[str, Any], reference: Any, macs: float) -> None:
    """Accuracy and agreement with torch from the predictions; GFLOP/s next to each µs."""
    predictions = record.pop("predictions", None)
    if predictions is not None:
        labels, torch_top = split["labels"], reference.argmax(1).tolist()
        record["accuracy"] = sum(p == y for p, y in zip(predictions, labels)) / len(labels)
        record["agrees_with_torch"] = sum(p == t for p, t in zip(predictions, torch_top)) / len(labels)
    for key in ("us_per_name", "p50_us", "p99_us"):
        if key in record:
            record[key.replace("us", "gflops")] = gflops(record[key], macs)
    record["macs_per_name"] = macs


def median_records(records: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    groups: Dict[Tuple[Any, ...], List[Dict[str, Any]]] = {}
    for r in records:
        groups.setdefault((r["side"], r["variant"], str(r["threads"]), r["case"]), []).append(r)
    out = []
    for group in groups.values():
        merged = dict(group[0], round="median", rounds=len(group))
        for key, value in group[0].items():
            if isinstance(value, float):
                merged[key] = statistics.median(g[key] for g in group)
        out.append(merged)
    return out


def best(medians: List[Dict[str, Any]], side: str, case: str, key: str, int8: Optional[bool]) -> Optional[Dict]:
    rows = [
        m
        for m in medians
        if m["side"] == side
        and m["case"] == case
        and key in m
        and (int8 is None or ("int8" in m["variant"]) == int8)
        and not (side == "ort" and m["variant"] == "gru-op int8")  # its GRU stays fp32
    ]
    return min(rows, key=lambda m: m[key]) if rows else None


def label(row: Optional[Dict[str, Any]]) -> str:
    return f"{row['variant']}, {row['threads']} thr" if row else "—"


def table(medians: List[Dict[str, Any]], has_int8: bool) -> str:
    lines = ["| measure | charnn (best) | ORT (best) | ORT / charnn |", "|---|---|---|---|"]
    measures = [("single p50", "single", "p50_us"), ("single p99", "single", "p99_us")]
    measures += [("batch 128 sorted", "batch128-sorted", "us_per_name")]
    measures += [("batch 128 test order", "batch128-test-order", "us_per_name")]
    # Without a charnn int8 checkpoint, ORT's int8 is set against charnn's fp32.
    pairs = [
        ("fp32", "charnn", False),
        ("int8", "charnn int8", True) if has_int8 else ("ORT int8 vs charnn fp32", "charnn", True),
    ]
    for precision, charnn_side, int8 in pairs:
        for name, case, key in measures:
            c = best(medians, charnn_side, case, key, None)
            o = best(medians, "ort", case, key, int8)
            gf = key.replace("us", "gflops")
            cell = lambda r: f"{r[key]:.1f} µs ({r[gf]:.2f} GFLOP/s; {label(r)})" if r else "—"  # noqa: E731
            ratio = f"{o[key] / c[key]:.2f}×" if c and o else "—"
            lines.append(f"| {precision}: {name}, µs/name | {cell(c)} | {cell(o)} | {ratio} |")
    stream = {m["side"]: m for m in medians if m["case"] == "stream"}
    if "charnn" in stream and "ort" in stream:
        c, o = stream["charnn"], stream["ort"]
        rss = f"{c['peak_rss_mb']:.0f} MB" if c["peak_rss_mb"] else "RSS unknown"
        lines.append(
            f"| stream {c['lines']:,} lines, lines/s (higher is better) | {c['lines_per_s']:,.0f} ({c['errors']:,} "
            f"errors, {c['warnings']:,} dropped-character warnings, {rss}) | "
            f"{o['lines_per_s']:,.0f} ({o['errors']:,} unreadable, {o['peak_rss_mb']:.0f} MB, "
            f"{o['read_encode_seconds']:.1f} s of it reading and encoding) | "
            f"{c['lines_per_s'] / o['lines_per_s']:.2f}× |"
        )
    return "\n".join(lines)


def accuracy_table(medians: List[Dict[str, Any]]) -> str:
    lines = [
        "| side | variant | threads | from | test accuracy | top-1 agrees with torch |",
        "|---|---|---|---|---|---|",
    ]
    for m in medians:
        if "accuracy" in m:
            source = "model.evaluate" if m["case"] == "evaluate" else "batches of 128"
            agree = f"{m['agrees_with_torch'] * 100:.2f} %" if "agrees_with_torch" in m else ""
            lines.append(
                f"| {m['side']} | {m['variant']} | {m['threads']} | {source} | {m['accuracy'] * 100:.2f} % | {agree} |"
            )
    return "\n".join(lines)


def all_table(medians: List[Dict[str, Any]]) -> str:
    lines = ["| side | variant | threads | single p50 | single p99 | sorted µs/name | test order µs/name |"]
    lines.append("|---|---|---|---|---|---|---|")
    rows: Dict[Tuple[str, str, str], Dict[str, float]] = {}
    for m in medians:
        row = rows.setdefault((m["side"], m["variant"], str(m["threads"])), {})
        for key in ("p50_us", "p99_us"):
            if key in m:
                row[key] = m[key]
        if "us_per_name" in m:
            row[m["case"]] = m["us_per_name"]
    for (side, variant, threads), row in rows.items():
        cells = [row.get(k) for k in ("p50_us", "p99_us", "batch128-sorted", "batch128-test-order")]
        if any(c is not None for c in cells):
            text = " | ".join(f"{c:.1f}" if c is not None else "" for c in cells)
            lines.append(f"| {side} | {variant} | {threads} | {text} |")
    return "\n".join(lines)


def environment(args: argparse.Namespace) -> Dict[str, Any]:
    import onnxruntime
    import torch

    import charnn

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
    return {
        "case": "environment",
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "platform": f"{platform.system()} {platform.release()}",
        "charnn_library": args.library,
        "charnn_version": charnn.library_version(),
        "charnn_cpu_variant": charnn.cpu_variant(),
        "onnxruntime": onnxruntime.__version__,
        "torch": torch.__version__,
        "rounds": args.rounds,
        "loadavg_start": os.getloadavg(),
    }


def prepare(args: argparse.Namespace, shared: Path) -> Tuple[Dict[str, Any], Any, Dict[str, Any]]:
    split = test_split(args.data)
    weights = load_weights(args.charnn_model)
    lengths = sorted({len(i) for i in split["indices"]})
    started = time.perf_counter()
    models = export_models(weights, len(split["vocab"]), lengths, shared)
    models["files"] = {
        k: ({str(t): p for t, p in v.items()} if isinstance(v, dict) else v) for k, v in models["files"].items()
    }
    models["export_seconds"] = time.perf_counter() - started
    (shared / "split.json").write_text(json.dumps(split))
    (shared / "models.json").write_text(json.dumps(models))
    return split, torch_logits(args.charnn_model, split), models


def check_ort(split: Dict[str, Any], reference: Any, models: Dict[str, Any]) -> Dict[str, Any]:
    """ORT's fp32 logits (both graphs, padded batches) against torch's, name by name."""
    import numpy as np

    checks: Dict[str, Any] = {"case": "check-against-torch"}
    for name in ("gru-op fp32", "unrolled fp32"):
        runner = OrtRunner(models["files"][name], 1, len(split["vocab"]))
        logits = np.zeros_like(reference)
        order = sorted_order(split)
        for chunk in chunks(order, BATCH):
            logits[chunk] = runner.logits([split["indices"][i] for i in chunk])
        same = float((logits.argmax(1) == reference.argmax(1)).mean())
        checks[name] = {"max_abs_logit_diff": float(np.abs(logits - reference).max()), "same_top1": same}
    return checks


def orchestrate(args: argparse.Namespace) -> None:
    out = Path(args.out or ROOT / "bench" / f"results_onnx_{datetime.date.today().isoformat()}.jsonl")
    env_record = environment(args)
    records: List[Dict[str, Any]] = [env_record]
    run_started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="charnn-ort-") as folder:
        shared = Path(folder)
        split, reference, models = prepare(args, shared)
        check = check_ort(split, reference, models)
        check["gru_op_sequence_lens"] = "ONNX GRU with sequence_lens (Y_h at each name's own length)"
        check["h0"] = "zeros on every side (ORT and torch); charnn: the checkpoint's hidden_init"
        records += [check, {"case": "quantization", "export_seconds": models["export_seconds"], **models["notes"]}]
        print(json.dumps(check), file=sys.stderr)
        mean_length = statistics.mean(len(i) for i in split["indices"])
        vocab, labels = len(split["vocab"]), len(split["label_names"])
        macs = multiply_adds(mean_length, vocab, labels)
        measured = []
        for round_ in range(args.rounds):
            for side in sides(args):
                for record in run_worker(args, shared, side):
                    record["round"] = round_
                    quantized = "int8" in record["side"] or "int8" in record["variant"]
                    annotate(record, split, reference, macs)
                    record["weight_bytes"] = weight_bytes(vocab, labels, 1 if quantized else 4)
                    measured.append(record)
        if args.stream_lines:
            measured += stream_runs(args, shared, split)
    medians = median_records(measured)
    records += measured + medians
    summary = {
        "case": "summary",
        "loadavg_end": os.getloadavg(),
        "seconds": time.perf_counter() - run_started,
        "mean_test_length": mean_length,
        "macs_per_name": macs,
        "weight_bytes_fp32": weight_bytes(vocab, labels, 4),
    }
    records.append(summary)
    with open(out, "w") as file:
        for record in records:
            file.write(json.dumps(record) + "\n")
    print(report(env_record, summary, check, models, medians, args))
    print(f"\nonnx_runtime: wrote {out}", file=sys.stderr)


def stream_runs(args: argparse.Namespace, shared: Path, split: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The stream once per side (a million lines take minutes): charnn's tool, then ORT."""
    path = shared / "stream.txt"
    write_stream(args.words, args.stream_lines, path)
    encode = charnn_encoder()
    sample = [len(encode(line.rstrip("\n"))) for _, line in zip(range(100_000), open(path, encoding="utf-8"))]
    macs = multiply_adds(statistics.mean(n for n in sample if n), len(split["vocab"]), len(split["label_names"]))
    records = []
    for model, name in [(args.charnn_model, "charnn")] + ([(args.quantized, "charnn int8")] if args.quantized else []):
        print(f"onnx_runtime: stream {name}", file=sys.stderr, flush=True)
        record = {"side": name, "variant": Path(model).name, "threads": "default"}
        records.append({**record, **charnn_stream(args, model, None, path)})
    side = {"kind": "ort", "name": "ort stream", "threads": 2, "stream_file": str(path)}
    records += [r for r in run_worker(args, shared, side) if r["case"] == "stream"]
    for r in records:
        r["us_per_line"] = r["seconds"] / r["lines"] * 1e6
        r["gflops_readable"] = gflops(r["seconds"] / (r["lines"] - r["errors"]) * 1e6, macs)
        r["round"] = 0
    return records


def report(env: Dict, summary: Dict, check: Dict, models: Dict, medians: List[Dict], args: argparse.Namespace) -> str:
    gru_note = models["notes"].get("gru-op int8", {})
    quantized = "quantized" if gru_note.get("gru_quantized") else "not quantized (only the head's MatMul is)"
    agreement = "; ".join(
        f"{name}: top-1 the same for {v['same_top1'] * 100:.2f} % of names, logits within {v['max_abs_logit_diff']:.1e}"
        for name, v in check.items()
        if isinstance(v, dict)
    )
    h0 = next((m["hidden_init"] for m in medians if m["case"] == "evaluate" and "hidden_init" in m), "?")
    return "\n\n".join(
        [
            f"charnn {env['charnn_version']} ({env['charnn_cpu_variant']}) against onnxruntime {env['onnxruntime']} "
            f"(torch {env['torch']}) on {env['cpu']}, {env['cores']} cores, {env['date']}; medians of "
            f"{args.rounds} rounds; load average {env['loadavg_start'][0]:.2f} at start, "
            f"{summary['loadavg_end'][0]:.2f} at end; {summary['seconds']:.0f} s in all. Threads: charnn default "
            f"(CHARNN_NUM_THREADS unset) and 1; ORT intra_op 1 and 2, inter_op 1.",
            f"Work per name: {summary['macs_per_name'] / 1e6:.2f} M multiply-adds (mean test length "
            f"{summary['mean_test_length']:.2f}); weights {summary['weight_bytes_fp32'] / 1e6:.2f} MB fp32. "
            f"Batches: ORT's GRU op gets padded one-hot [T, 128, V] with sequence_lens, the unrolled graph a mask. "
            f"Initial state: zeros for ORT (torch's); charnn: the checkpoint's hidden_init ({h0}). "
            f"ORT fp32 against torch on the test split: {agreement}. "
            f"quantize_dynamic on the GRU-op graph: GRU op {quantized}.",
            table(medians, bool(args.quantized)),
            accuracy_table(medians),
            all_table(medians),
        ]
    )


def worker(args: argparse.Namespace) -> None:
    shared = Path(args.shared)
    split = json.loads((shared / "split.json").read_text())
    if args.worker == "charnn":
        charnn_worker(args, split)
    else:
        ort_worker(args, split, json.loads((shared / "models.json").read_text()))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", default=str(ROOT / "build" / "lib" / "libcharnn.so"))
    parser.add_argument("--charnn-model", default=str(ROOT / "build" / "gru.safetensors"))
    parser.add_argument("--quantized", help="a second charnn checkpoint, measured as 'charnn int8'")
    parser.add_argument("--data", default=str(ROOT / "data" / "names"))
    parser.add_argument("--words", default=str(ROOT / "data" / "words"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stream-lines", type=int, default=1_000_000, help="0 skips the stream")
    parser.add_argument("--stream-chunk", type=int, default=16_384)
    parser.add_argument("--bin", default=str(ROOT / "build" / "bin"))
    parser.add_argument("--out")
    # Internal: one side's measurements in a process of its own.
    parser.add_argument("--worker", choices=["charnn", "ort"], help=argparse.SUPPRESS)
    parser.add_argument("--shared", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--model-path", help=argparse.SUPPRESS)
    parser.add_argument("--side-name", default="charnn", help=argparse.SUPPRESS)
    parser.add_argument("--stream-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.library = str(Path(args.library).resolve())
    return args


def main() -> None:
    args = parse()
    # The binding reads CHARNN_LIBRARY when it is imported.
    os.environ["CHARNN_LIBRARY"] = args.library
    sys.path.insert(0, str(ROOT / "bindings" / "python"))
    sys.path.insert(0, str(ROOT / "bench"))
    if args.worker:
        worker(args)
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
