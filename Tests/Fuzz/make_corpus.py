#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz harnesses (run by hand, with the charnn binding
importable: `make python`, then `PYTHONPATH=bindings/python python3 Tests/Fuzz/make_corpus.py`).

checkpoint/: a small valid checkpoint of each kind; dataset/: a few directories as the harness
encodes them; predict/: names in several scripts; api/: short programs for fuzz_api.c.

The seeds of the text features (format-2 checkpoints with learned and explicit alphabets, and
delimited/ for fuzz_delimited.c) are written by make_corpus_text.c, a C program against the
staged library (its header says how to run it).
"""

import os
import struct

import charnn

HERE = os.path.dirname(os.path.abspath(__file__))


def write(kind, name, data):
    with open(os.path.join(HERE, "corpus", kind, name), "wb") as f:
        f.write(data)


for kind in ("elman", "gru", "lstm"):
    with charnn.Model(["A", "B", "C"], kind=kind, hidden_size=4, seed=1) as model:
        path = os.path.join(HERE, "corpus", "checkpoint", f"{kind}.safetensors")
        model.save(path)
        if kind != "elman":  # format 4: int8 matrices and their scales
            with model.quantize() as small:
                small.save(os.path.join(HERE, "corpus", "checkpoint", f"{kind}_int8.safetensors"))


def record(label_file, contents):
    return bytes([1 if label_file else 0]) + struct.pack("<H", len(contents)) + contents


write("dataset", "two_labels", record(True, b"Smith\nJones\n") + record(True, "Żak\r\nNowak  \n".encode()))
write("dataset", "skipped", record(True, b"Maxa/B\nRafaj1\nNovak\n") + record(False, b"ignored"))
write("dataset", "bad_utf8", record(True, b"Alexiou\nPapa\xffs\n"))
write("dataset", "empty", record(True, b"\n\n  \n"))
write("dataset", "memory_names", b"Jake\x00\x01Qin\x00\x02bad1\x00\x00")

write("predict", "ascii", b"Jake")
write("predict", "latin", "Ślusàrski".encode())
write("predict", "many", b"Mike\nQin\nSlaveya\n123\n")
write("predict", "cyrillic", "Иван".encode())
write("predict", "invalid_utf8", b"ab\xfe\xff")

# fuzz_api programs: opcode bytes and their arguments (see fuzz_api.c).
write(
    "api",
    "train_predict",
    bytes(
        [
            0,
            10,
            0,
            1,
            2,
            0,
            1,
            0,
            0,
            3,
            0,
            3,
            1,
            1,
            8,
            2,
            0,
            0,
            0,
            0,
            5,
            1,
            4,
            0,
            10,
            1,
            0,
            0,
            0,
            4,
            0,
            3,
            3,
            6,
            0,
            0,
            1,
            9,
            22,
            0,
            3,
            1,
        ]
    ),
)
write("api", "free_then_use", bytes([0, 4, 0, 1, 2, 3, 0, 3, 0, 2, 0, 4, 0, 0, 3, 7, 0, 100, 1, 2]))
write(
    "api",
    "graph_ops",
    bytes(
        [
            9,
            0,
            10,
            1,
            2,
            1,
            0,
            2,
            0,
            1,
            1,
            10,
            2,
            3,
            1,
            0,
            2,
            1,
            0,
            0,
            11,
            0,
            0,
            1,
            2,
            2,
            12,
            0,
            2,
            3,
            0,
            1,
            2,
            3,
            13,
            0,
            3,
            14,
            0,
            20,
            2,
            64,
            64,
            4,
        ]
    ),
)
write("api", "optimizers", bytes([10, 1, 1, 1, 0, 1, 0, 0, 0, 15, 0, 0, 0, 0, 2, 0, 16, 0, 17, 0, 16, 0, 23, 2, 1]))
print("corpus written")
