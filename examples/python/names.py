#!/usr/bin/env python3
"""The article end to end through charnn's Python binding: load and split the names data, train
the hand-written Elman cell and the 2-layer GRU with the article's protocol, print accuracy,
write the confusion matrices as PNG files, and predict the article's example names.

    python3 examples/python/names.py [DATA_DIR] [--out DIR] [--models elman,gru]

Needs `pip install ./bindings/python` (or CHARNN_LIBRARY pointing at libcharnn.so with
bindings/python on PYTHONPATH). matplotlib is optional (for the figures).
"""

import argparse
import time
from pathlib import Path
from typing import Any, Dict

import charnn

EXAMPLES = ["Mike", "Qin", "Slaveya", "Jake", "Fernando", "Demirkan"]
# The article's protocol: 2 epochs, batch 1, Adam lr 1e-3; its Elman cell clips the gradient norm to 1.
PROTOCOL: Dict[str, Dict[str, Dict[str, Any]]] = {
    "elman": dict(model=dict(kind="elman", hidden_size=256), fit=dict(clip=1.0)),
    "gru": dict(model=dict(kind="gru", hidden_size=256, num_layers=2), fit=dict()),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default="data/names")
    parser.add_argument("--out", default="build", help="where to write checkpoints and figures")
    parser.add_argument("--models", default="elman,gru")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    data = charnn.Dataset.from_directory(args.data)
    print(f"{len(data)} names in {len(data.labels)} languages; skipped: {data.skipped}")
    train, test = data.split(test_size=0.1, seed=0)
    print(f"stratified split: {len(train)} train, {len(test)} test")

    for kind in args.models.split(","):
        setup = PROTOCOL[kind]
        with charnn.Model(data.labels, **setup["model"]) as model:
            print(f"\n{kind}: {model.parameter_count} weights")
            started = time.monotonic()
            model.fit(train, epochs=2, batch_size=1, lr=1e-3, **setup["fit"])
            seconds = time.monotonic() - started
            result = model.evaluate(test)
            print(f"trained in {seconds:.1f} s ({seconds / (2 * len(train)) * 1e6:.0f} µs per name)")
            print(f"test accuracy: {result.accuracy:.2%}")
            try:
                figure = out / f"confusion_{kind}.png"
                charnn.plot_confusion_matrix(result, figure, title=f"{kind}: {result.accuracy:.1%}")
                print(f"confusion matrix: {figure}")
            except ImportError as error:
                print(f"no figure ({error})")
            model.save(out / f"{kind}.safetensors")
            for name in EXAMPLES:
                top = ", ".join(f"{label} ({p:.1%})" for label, p in model.predict(name, k=3))
                print(f"  {name}: {top}")


if __name__ == "__main__":
    main()
