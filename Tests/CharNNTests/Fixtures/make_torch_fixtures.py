#!/usr/bin/env python3
"""Writes the PyTorch fixtures the Swift tests match charnn against (to 1e-5, or 1e-6 for Adam).

Each fixture is a small JSON file: the inputs, weights, outputs and gradients PyTorch computes.
Run by hand where torch is installed (`pip install torch`):
    python3 make_torch_fixtures.py              # every fixture
    python3 make_torch_fixtures.py NAME ...     # only these (e.g. recurrent_options)
`make test` reads the committed JSON files and needs no torch.
"""

import json
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'"
torch.manual_seed(1234)


def t(x):
    """A tensor as {"shape": [...], "data": [flat, row-major]}."""
    x = x.detach().to(torch.float32).contiguous()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


def write(name, obj):
    with open(os.path.join(HERE, f"torch_{name}.json"), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print("wrote", name)


def linear():
    x, w, b = leaf(3, 5), leaf(4, 5), leaf(4)
    y = F.linear(x, w, b)
    seed = torch.randn_like(y)
    y.backward(seed)
    write(
        "linear",
        {
            "x": t(x),
            "weight": t(w),
            "bias": t(b),
            "y": t(y),
            "seed": t(seed),
            "grad_x": t(x.grad),
            "grad_weight": t(w.grad),
            "grad_bias": t(b.grad),
        },
    )


def log_softmax_cross_entropy():
    logits = leaf(4, 6, scale=3.0)
    targets = torch.tensor([0, 5, 2, 2])
    log_probs = F.log_softmax(logits, dim=1)
    seed = torch.randn_like(log_probs)
    (grad_ls,) = torch.autograd.grad(log_probs, logits, seed)
    loss = F.cross_entropy(logits, targets)
    loss.backward()
    write(
        "cross_entropy",
        {
            "logits": t(logits),
            "targets": targets.tolist(),
            "log_softmax": t(log_probs),
            "seed": t(seed),
            "grad_log_softmax": t(grad_ls),
            "loss": float(loss.detach()),
            "grad_logits": t(logits.grad),
        },
    )


def sigmoid_tanh():
    x = leaf(2, 7, scale=2.0)
    s, th = torch.sigmoid(x), torch.tanh(x)
    seed_s, seed_t = torch.randn_like(s), torch.randn_like(th)
    (gs,) = torch.autograd.grad(s, x, seed_s)
    (gt,) = torch.autograd.grad(th, x, seed_t)
    write(
        "sigmoid_tanh",
        {
            "x": t(x),
            "sigmoid": t(s),
            "tanh": t(th),
            "seed_sigmoid": t(seed_s),
            "seed_tanh": t(seed_t),
            "grad_sigmoid": t(gs),
            "grad_tanh": t(gt),
        },
    )


def concat():
    a, b = leaf(2, 3), leaf(2, 4)
    y = torch.cat((a, b), 1)
    seed = torch.randn_like(y)
    y.backward(seed)
    write("concat", {"a": t(a), "b": t(b), "y": t(y), "seed": t(seed), "grad_a": t(a.grad), "grad_b": t(b.grad)})


class MyRNN(torch.nn.Module):
    """The article's Elman cell, verbatim in its maths."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.in2hidden = torch.nn.Linear(input_size + hidden_size, hidden_size)
        self.in2output = torch.nn.Linear(input_size + hidden_size, output_size)

    def forward(self, x, hidden_state):
        combined = torch.cat((x, hidden_state), 1)
        hidden = torch.sigmoid(self.in2hidden(combined))
        output = self.in2output(combined)
        return output, hidden


def elman_unrolled():
    hidden_size, classes, name, target = 8, 5, "Jake", 3
    model = MyRNN(len(VOCAB), hidden_size, classes)
    h0 = torch.nn.init.kaiming_uniform_(torch.empty(1, hidden_size)).requires_grad_(True)
    hidden = h0
    for ch in name:
        x = torch.zeros(1, len(VOCAB))
        x[0, VOCAB.index(ch)] = 1
        output, hidden = model(x, hidden)
    loss = F.cross_entropy(output, torch.tensor([target]))
    loss.backward()
    write(
        "elman_unrolled",
        {
            "hidden_size": hidden_size,
            "classes": classes,
            "name": name,
            "tokens": [VOCAB.index(c) for c in name],
            "target": target,
            "h0": t(h0),
            "output": t(output),
            "loss": float(loss.detach()),
            "grad_h0": t(h0.grad),
            **{k: t(v) for k, v in model.state_dict().items()},
            **{"grad_" + k: t(p.grad) for k, p in model.named_parameters()},
        },
    )


class RecurrentClassifier(torch.nn.Module):
    """nn.GRU or nn.LSTM on one-hot characters, then Linear(hidden, classes) on the last output."""

    def __init__(self, kind, hidden_size, num_layers, classes):
        super().__init__()
        cell = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
        setattr(self, kind, cell(len(VOCAB), hidden_size, num_layers))
        self.kind = kind
        self.fc = torch.nn.Linear(hidden_size, classes)

    def forward(self, name):
        x = torch.zeros(len(name), 1, len(VOCAB))
        for t, ch in enumerate(name):
            x[t, 0, VOCAB.index(ch)] = 1
        output, _ = getattr(self, self.kind)(x)
        return self.fc(output[-1])


def recurrent(kind):
    """A 2-layer GRU/LSTM on a batch of names of different lengths: logits of each name, the
    mean cross-entropy of the batch and every parameter's gradient."""
    hidden_size, classes = 5, 4
    names, targets = ["Jake", "Qin", "Fernando", "O'Neil"], [3, 0, 2, 1]
    model = RecurrentClassifier(kind, hidden_size, 2, classes)
    logits = torch.cat([model(n) for n in names])
    loss = F.cross_entropy(logits, torch.tensor(targets))
    loss.backward()
    write(
        kind,
        {
            "hidden_size": hidden_size,
            "num_layers": 2,
            "classes": classes,
            "names": names,
            "tokens": [[VOCAB.index(c) for c in n] for n in names],
            "targets": targets,
            "logits": t(logits),
            "loss": float(loss.detach()),
            **{k: t(v) for k, v in model.state_dict().items()},
            **{"grad_" + k: t(p.grad) for k, p in model.named_parameters()},
        },
    )


def cell_step(kind, x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One step of nn.GRU's or nn.LSTM's cell, written out (so dropout masks can go between layers)."""
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    if kind == "gru":
        (ri, zi, ni), (rh, zh, nh) = gi.chunk(3, -1), gh.chunk(3, -1)
        r, z = torch.sigmoid(ri + rh), torch.sigmoid(zi + zh)
        n = torch.tanh(ni + r * nh)
        return (1 - z) * n + z * h, c
    i, f, g, o = (gi + gh).chunk(4, -1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def ngram_buckets(tokens, buckets, minimum, maximum):
    """charnn's n-gram buckets: FNV-1a over the framed tokens (16-bit little-endian; begin and
    end markers 0xFFFE and 0xFFFF), n from minimum to maximum, a lone marker skipped."""
    framed = [0xFFFE] + list(tokens) + [0xFFFF]
    ids = []
    for n in range(minimum, maximum + 1):
        for start in range(0, len(framed) - n + 1):
            if n == 1 and (start == 0 or start == len(framed) - 1):
                continue
            h = 2166136261
            for s in framed[start : start + n]:
                h = ((h ^ (s & 0xFF)) * 16777619) & 0xFFFFFFFF
                h = ((h ^ (s >> 8)) * 16777619) & 0xFFFFFFFF
            ids.append(h % buckets)
    return ids


class OptionsClassifier(torch.nn.Module):
    """charnn's GRU/LSTM options in PyTorch's modules and names: an optional nn.Embedding, a
    (bi)directional stack, a head on the last states or the outputs pooled over time."""

    def __init__(self, kind, hidden_size, num_layers, classes, embedding_size, bidirectional, pooling, ngrams=None):
        super().__init__()
        if embedding_size:
            self.embedding = torch.nn.Embedding(len(VOCAB), embedding_size)
        cell = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
        inputs = embedding_size or len(VOCAB)
        setattr(self, kind, cell(inputs, hidden_size, num_layers, bidirectional=bidirectional))
        self.kind, self.layers, self.hidden = kind, num_layers, hidden_size
        self.directions, self.pooling, self.ngram_options = 2 if bidirectional else 1, pooling, ngrams
        if ngrams:
            self.ngrams = torch.nn.EmbeddingBag(ngrams[0], ngrams[1], mode="mean")
        self.fc = torch.nn.Linear(self.directions * hidden_size + (ngrams[1] if ngrams else 0), classes)

    def bag(self, tokens):
        buckets, _, minimum, maximum = self.ngram_options
        return self.ngrams(torch.tensor([ngram_buckets(tokens, buckets, minimum, maximum)]))[0]

    def inputs(self, tokens):
        if hasattr(self, "embedding"):
            return self.embedding(torch.tensor(tokens))
        return F.one_hot(torch.tensor(tokens), len(VOCAB)).float()

    def forward(self, tokens, masks=None):
        """One name; masks: {"layers": [mask of layer l's input, l >= 1], "head": mask} or None."""
        rnn, x = getattr(self, self.kind), self.inputs(tokens)
        for l in range(self.layers):
            if l > 0 and masks:
                x = x * masks["layers"][l - 1]
            outputs, finals = [], []
            for d in range(self.directions):
                suffix = "_reverse" if d else ""
                weights = [getattr(rnn, f"{n}_l{l}{suffix}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
                h = c = torch.zeros(self.hidden)
                steps = range(len(tokens)) if d == 0 else reversed(range(len(tokens)))
                out = [None] * len(tokens)
                for t in steps:
                    h, c = cell_step(self.kind, x[t], h, c, *weights)
                    out[t] = h
                outputs.append(torch.stack(out))
                finals.append(h)
            x = torch.cat(outputs, -1)
        if self.pooling == "last":
            features = torch.cat(finals)
        elif self.pooling == "mean":
            features = x.mean(0)
        else:
            features = x.max(0).values
        if self.ngram_options:
            features = torch.cat([features, self.bag(tokens)])
        if masks:
            features = features * masks["head"]
        return self.fc(features)

    def module_forward(self, tokens):
        """The same through nn.GRU/nn.LSTM itself (checks the written-out cells)."""
        output, state = getattr(self, self.kind)(self.inputs(tokens).unsqueeze(1))
        h_n = state[0] if self.kind == "lstm" else state
        if self.pooling == "last":
            features = torch.cat([h_n[-self.directions + d, 0] for d in range(self.directions)])
        elif self.pooling == "mean":
            features = output[:, 0].mean(0)
        else:
            features = output[:, 0].max(0).values
        if self.ngram_options:
            features = torch.cat([features, self.bag(tokens)])
        return self.fc(features)


def recurrent_options():
    """Bidirectional GRU/LSTM, embedding input, pooling heads and dropout masks given explicitly:
    logits without dropout, and with the masks the mean cross-entropy and every gradient."""
    names, targets = ["Jake", "Qin", "Fernando", "O'Neil", "Li"], [3, 0, 2, 1, 0]
    p = 0.25
    cases = []
    for kind in ("gru", "lstm"):
        for embedding_size, bidirectional, layers, pooling, ngrams in [
            (4, True, 2, "last", None),
            (0, True, 1, "mean", None),
            (3, False, 2, "max", None),
            (5, True, 2, "max", None),
            (4, True, 2, "mean", (41, 3, 1, 5)),
        ]:
            torch.manual_seed(len(cases) + 99)
            hidden, classes = 5, 4
            model = OptionsClassifier(kind, hidden, layers, classes, embedding_size, bidirectional, pooling, ngrams)
            tokens = [[VOCAB.index(ch) for ch in n] for n in names]
            width = model.directions * hidden
            head_width = width + (ngrams[1] if ngrams else 0)
            logits = torch.stack([model(tok) for tok in tokens])
            reference = torch.stack([model.module_forward(tok) for tok in tokens])
            assert torch.allclose(logits, reference, atol=1e-6), "written-out cells differ from nn." + kind
            masks = [
                {
                    "layers": [(torch.rand(len(tok), width) >= p).float() / (1 - p) for _ in range(layers - 1)],
                    "head": (torch.rand(head_width) >= p).float() / (1 - p),
                }
                for tok in tokens
            ]
            train_logits = torch.stack([model(tok, m) for tok, m in zip(tokens, masks)])
            loss = F.cross_entropy(train_logits, torch.tensor(targets))
            loss.backward()
            cases.append(
                {
                    "kind": kind,
                    "embedding_size": embedding_size,
                    "bidirectional": bidirectional,
                    "num_layers": layers,
                    "pooling": pooling,
                    "hidden_size": hidden,
                    "classes": classes,
                    "dropout": p,
                    **(
                        {
                            "ngram_buckets": ngrams[0],
                            "ngram_dim": ngrams[1],
                            "ngram_min": ngrams[2],
                            "ngram_max": ngrams[3],
                        }
                        if ngrams
                        else {}
                    ),
                    "tokens": tokens,
                    "targets": targets,
                    "logits": t(logits),
                    "loss": float(loss.detach()),
                    "layer_masks": [[t(x) for x in m["layers"]] for m in masks],
                    "head_masks": [t(m["head"]) for m in masks],
                    "parameters": {k: t(v) for k, v in model.state_dict().items()},
                    "gradients": {k: t(v.grad) for k, v in model.named_parameters()},
                }
            )
    write("recurrent_options", {"cases": cases})


def optimizers():
    """Three steps of Adam, AdamW (weight decay 0.1), SGD with momentum and weight decay, and
    clip_grad_norm_, from the same start and the same gradient sequence."""
    start = torch.randn(3, 5)
    grads = [torch.randn(3, 5) * s for s in (1.0, 0.01, 3.0)]
    out = {"start": t(start), "grads": [t(g) for g in grads]}
    setups = {
        "adam": lambda p: torch.optim.Adam([p], lr=1e-2),
        "adam_wd": lambda p: torch.optim.Adam([p], lr=1e-2, weight_decay=0.1),
        "adamw": lambda p: torch.optim.AdamW([p], lr=1e-2, weight_decay=0.1),
        "sgd_momentum": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01),
    }
    for name, make in setups.items():
        p = start.clone().requires_grad_(True)
        opt = make(p)
        steps = []
        for g in grads:
            p.grad = g.clone()
            opt.step()
            steps.append(t(p))
        out[name] = steps
    a, b = torch.randn(4, 3, requires_grad=True), torch.randn(6, requires_grad=True)
    a.grad, b.grad = torch.randn(4, 3) * 2, torch.randn(6) * 2
    out["clip_before"] = [t(a.grad), t(b.grad)]
    norm = torch.nn.utils.clip_grad_norm_([a, b], 1.0)
    out["clip_norm"] = float(norm)
    out["clip_after"] = [t(a.grad), t(b.grad)]
    write("optimizers", out)


def gru_checkpoint():
    """A GRU saved by PyTorch with safetensors and charnn's metadata, and the probabilities
    PyTorch gives for a few names: charnn must load the file and agree."""
    from safetensors.torch import save_file

    labels = ["Alpha", "Beta", "Gamma"]
    model = RecurrentClassifier("gru", 6, 2, len(labels))
    metadata = {
        "format": "charnn",
        "format_version": "1",
        "model_kind": "gru",
        "input_size": str(len(VOCAB)),
        "hidden_size": "6",
        "num_layers": "2",
        "num_classes": "3",
        "hidden_init": "zeros",
        "seed": "0",
        "labels": json.dumps(labels),
        "vocabulary": VOCAB,
    }
    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()},
        os.path.join(HERE, "torch_gru_checkpoint.safetensors"),
        metadata=metadata,
    )
    names = ["Mike", "Qin", "Slaveya"]
    with torch.no_grad():
        probabilities = [t(torch.softmax(model(n), 1)[0]) for n in names]
    write("gru_checkpoint", {"names": names, "probabilities": probabilities, "labels": labels})


ALL = [
    linear,
    log_softmax_cross_entropy,
    sigmoid_tanh,
    concat,
    elman_unrolled,
    lambda: recurrent("gru"),
    lambda: recurrent("lstm"),
    optimizers,
    gru_checkpoint,
    recurrent_options,
]

if __name__ == "__main__":
    if len(sys.argv) > 1:
        for name in sys.argv[1:]:
            globals()[name]()
    else:
        for make in ALL:
            make()
