#!/usr/bin/env python3
"""The PyTorch side of the benchmarks: the article's code ("Building RNNs from scratch with
PyTorch", Jake Tae) with its protocol, on the same stratified split charnn uses (the split
comes from the charnn binding, so both sides train and test on the same names).

Each case prints one JSON line: train seconds, µs per training name, test accuracy, eval µs
per name, peak RSS.

    python3 bench/torch_reference.py CASE [--data DIR] [--epochs N] [--limit N] [--threads N]

CASE: elman (the article's MyRNN loop, batch 1, clip 1), gru (nn.GRU 2 layers + Linear, batch 1),
gru-batch (padded and packed batches, --batch), predict (single-name latency and batched
throughput of a GRU).
"""

import argparse
import json
import os
import random
import resource
import string
import time

import torch
import torch.nn as nn

import charnn

VOCAB = string.ascii_letters + " .,:;-'"


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(data_dir, limit):
    data = charnn.Dataset.from_directory(data_dir)
    train, test = data.split(test_size=0.1, seed=0)
    labels = data.labels
    encode = lambda name: [VOCAB.index(c) for c in charnn_ascii(name)]
    train_set = [(encode(n), labels.index(l)) for n, l in train]
    test_set = [(encode(n), labels.index(l)) for n, l in test]
    if limit:
        random.Random(0).shuffle(train_set)
        train_set = train_set[:limit]
    return train_set, test_set, labels


def charnn_ascii(name):
    """The name as charnn reads it (its transliteration), so both sides see the same letters."""
    return "".join(VOCAB[i] for i in charnn.nn.name_to_indices(name))


def name_to_tensor(indices):
    """The article's name_to_tensor: [length, 1, 59] one-hot."""
    tensor = torch.zeros(len(indices), 1, len(VOCAB))
    for t, i in enumerate(indices):
        tensor[t][0][i] = 1
    return tensor


class MyRNN(nn.Module):
    """The article's hand-written RNN, verbatim."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.in2hidden = nn.Linear(input_size + hidden_size, hidden_size)
        self.in2output = nn.Linear(input_size + hidden_size, output_size)

    def forward(self, x, hidden_state):
        combined = torch.cat((x, hidden_state), 1)
        hidden = torch.sigmoid(self.in2hidden(combined))
        output = self.in2output(combined)
        return output, hidden

    def init_hidden(self):
        return nn.init.kaiming_uniform_(torch.empty(1, self.hidden_size))


class GRUModel(nn.Module):
    """The article's GRU: nn.GRU(59, 256, 2) and a Linear on the last output."""

    def __init__(self, num_layers, hidden_size, output_size):
        super().__init__()
        self.gru = nn.GRU(input_size=len(VOCAB), hidden_size=hidden_size, num_layers=num_layers)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        output, hidden = self.gru(x)
        return self.fc(output[-1])


def accuracy(predict, test_set):
    started = time.monotonic()
    with torch.no_grad():
        correct = sum(int(predict(indices).argmax().item() == label) for indices, label in test_set)
    seconds = time.monotonic() - started
    return correct / len(test_set), seconds / len(test_set) * 1e6


def train_elman(train_set, test_set, labels, epochs):
    model = MyRNN(len(VOCAB), 256, len(labels))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = [(name_to_tensor(i), torch.tensor([l])) for i, l in train_set]
    started = time.monotonic()
    for _ in range(epochs):
        random.shuffle(data)
        for name, label in data:
            hidden_state = model.init_hidden()
            for char in name:
                output, hidden_state = model(char, hidden_state)
            loss = criterion(output, label)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1)
            optimizer.step()
    seconds = time.monotonic() - started

    def predict(indices):
        hidden_state = model.init_hidden()
        for char in name_to_tensor(indices):
            output, hidden_state = model(char, hidden_state)
        return output

    return seconds, accuracy(predict, test_set)


def train_gru(train_set, test_set, labels, epochs):
    model = GRUModel(2, 256, len(labels))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = [(name_to_tensor(i), torch.tensor([l])) for i, l in train_set]
    started = time.monotonic()
    for _ in range(epochs):
        random.shuffle(data)
        for name, label in data:
            output = model(name)
            loss = criterion(output, label)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    seconds = time.monotonic() - started
    return seconds, accuracy(lambda indices: model(name_to_tensor(indices)), test_set)


def padded_batch(batch):
    """One-hot [max_len, batch, 59] sorted by length (for pack_padded_sequence), lengths, labels."""
    batch = sorted(batch, key=lambda item: -len(item[0]))
    lengths = [len(i) for i, _ in batch]
    x = torch.zeros(lengths[0], len(batch), len(VOCAB))
    for b, (indices, _) in enumerate(batch):
        x[torch.arange(len(indices)), b, torch.tensor(indices)] = 1
    return x, torch.tensor(lengths), torch.tensor([l for _, l in batch])


def train_gru_batches(train_set, test_set, labels, epochs, batch_size, lr):
    model = GRUModel(2, 256, len(labels))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def forward(x, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths)
        _, hidden = model.gru(packed)
        return model.fc(hidden[-1])  # the last layer's state after each name's last letter

    data = list(train_set)
    started = time.monotonic()
    for _ in range(epochs):
        random.shuffle(data)
        for start in range(0, len(data), batch_size):
            x, lengths, y = padded_batch(data[start : start + batch_size])
            loss = criterion(forward(x, lengths), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    seconds = time.monotonic() - started
    eval_started = time.monotonic()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(test_set), 256):
            x, lengths, y = padded_batch(test_set[start : start + 256])
            correct += int((forward(x, lengths).argmax(1) == y).sum())
    eval_us = (time.monotonic() - eval_started) / len(test_set) * 1e6
    return seconds, (correct / len(test_set), eval_us)


def predict_latency(test_set, labels, count):
    """Single-name prediction latency of a (trained or not, the work is the same) 2-layer GRU,
    and batched inference throughput."""
    model = GRUModel(2, 256, len(labels)).eval()
    names = [indices for indices, _ in test_set][:count]
    times = []
    with torch.no_grad():
        for indices in names[:50]:
            torch.softmax(model(name_to_tensor(indices)), 1)
        for indices in names:
            started = time.perf_counter()
            torch.softmax(model(name_to_tensor(indices)), 1).topk(3)
            times.append((time.perf_counter() - started) * 1e6)
        started = time.perf_counter()
        x, lengths, _ = padded_batch([(i, 0) for i in names])
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths)
        _, hidden = model.gru(packed)
        torch.softmax(model.fc(hidden[-1]), 1).topk(3)
        batched = (time.perf_counter() - started) / len(names) * 1e6
    times.sort()
    return {
        "predict_p50_us": times[len(times) // 2],
        "predict_p99_us": times[int(len(times) * 0.99)],
        "batched_us_per_name": batched,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=["elman", "gru", "gru-batch", "predict"])
    parser.add_argument("--data", default="data/names")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="train on this many names only (quick runs)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    random.seed(0)
    train_set, test_set, labels = load(args.data, args.limit)
    result = {"impl": "pytorch", "case": args.case, "threads": args.threads, "torch": torch.__version__}
    if args.case == "predict":
        result.update(predict_latency(test_set, labels, len(test_set)))
    else:
        if args.case == "elman":
            seconds, (acc, eval_us) = train_elman(train_set, test_set, labels, args.epochs)
        elif args.case == "gru":
            seconds, (acc, eval_us) = train_gru(train_set, test_set, labels, args.epochs)
        else:
            seconds, (acc, eval_us) = train_gru_batches(train_set, test_set, labels, args.epochs, args.batch, args.lr)
            result["batch"] = args.batch
            result["lr"] = args.lr
        result.update(
            {
                "epochs": args.epochs,
                "train_names": len(train_set),
                "train_seconds": round(seconds, 3),
                "us_per_name": round(seconds / (args.epochs * len(train_set)) * 1e6, 1),
                "test_accuracy": round(acc, 4),
                "eval_us_per_name": round(eval_us, 1),
            }
        )
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
