#!/usr/bin/env python3
"""Writes charnn_0.1.0_gru.safetensors and charnn_0.1.0_predictions.json: a checkpoint written
by charnn 0.1.0 (checkpoint format 1) and the probabilities 0.1.0 gives for a few names, so the
tests can prove that later versions load it and predict the same.

Run by hand against a 0.1.0 build (commit 7995049 made the committed files):
    git worktree add /tmp/v010 7995049 && (cd /tmp/v010 && swift build -c release --product charnn)
    CHARNN_LIBRARY=/tmp/v010/.build/release/libcharnn.so PYTHONPATH=/tmp/v010/bindings/python \
        python3 make_010_checkpoint.py path/to/data/names
"""

import json
import os
import sys

import charnn

here = os.path.dirname(os.path.abspath(__file__))
data = charnn.Dataset.from_directory(sys.argv[1])
train, _ = data.split(0.1, seed=0)
model = charnn.Model(train.labels, kind="gru", hidden_size=16, num_layers=2, seed=3)
model.fit(train, epochs=1, batch_size=64, lr=0.01, seed=0)
model.save(os.path.join(here, "charnn_0.1.0_gru.safetensors"))
# ASCII, Latin with diacritics (transliterated), punctuation, and a character 0.1.0 dropped.
names = ["Mike", "Qin", "Slaveya", "Ślusàrski", "O'Neil-Smith", "Nguyễn", "Müller", "Rafaj1"]


def probabilities(name):
    by_label = dict(model.predict(name, k=len(model.labels)))
    return [float(by_label[label]) for label in model.labels]


predictions = {name: probabilities(name) for name in names}
with open(os.path.join(here, "charnn_0.1.0_predictions.json"), "w", encoding="utf-8") as f:
    json.dump(predictions, f, ensure_ascii=False, indent=0, sort_keys=True)
print(f"{len(names)} names predicted", file=sys.stderr)
