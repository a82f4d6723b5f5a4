#!/usr/bin/env python3
"""Writes the PyTorch fixtures the Swift tests match charnn against (to 1e-5, or 1e-6 for Adam).

Each fixture is a small JSON file: the inputs, weights, outputs and gradients PyTorch computes.
Run by hand where torch is installed (`pip install torch`):
    python3 make_torch_fixtures.py
`make test` reads the committed JSON files and needs no torch.
"""
import json
import os

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
    write("linear", {"x": t(x), "weight": t(w), "bias": t(b), "y": t(y), "seed": t(seed),
                     "grad_x": t(x.grad), "grad_weight": t(w.grad), "grad_bias": t(b.grad)})


def log_softmax_cross_entropy():
    logits = leaf(4, 6, scale=3.0)
    targets = torch.tensor([0, 5, 2, 2])
    log_probs = F.log_softmax(logits, dim=1)
    seed = torch.randn_like(log_probs)
    (grad_ls,) = torch.autograd.grad(log_probs, logits, seed)
    loss = F.cross_entropy(logits, targets)
    loss.backward()
    write("cross_entropy", {"logits": t(logits), "targets": targets.tolist(), "log_softmax": t(log_probs),
                            "seed": t(seed), "grad_log_softmax": t(grad_ls), "loss": float(loss.detach()),
                            "grad_logits": t(logits.grad)})


def sigmoid_tanh():
    x = leaf(2, 7, scale=2.0)
    s, th = torch.sigmoid(x), torch.tanh(x)
    seed_s, seed_t = torch.randn_like(s), torch.randn_like(th)
    (gs,) = torch.autograd.grad(s, x, seed_s)
    (gt,) = torch.autograd.grad(th, x, seed_t)
    write("sigmoid_tanh", {"x": t(x), "sigmoid": t(s), "tanh": t(th), "seed_sigmoid": t(seed_s),
                           "seed_tanh": t(seed_t), "grad_sigmoid": t(gs), "grad_tanh": t(gt)})


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
    write("elman_unrolled", {
        "hidden_size": hidden_size, "classes": classes, "name": name, "tokens": [VOCAB.index(c) for c in name],
        "target": target, "h0": t(h0), "output": t(output), "loss": float(loss.detach()), "grad_h0": t(h0.grad),
        **{k: t(v) for k, v in model.state_dict().items()},
        **{"grad_" + k: t(p.grad) for k, p in model.named_parameters()},
    })


if __name__ == "__main__":
    linear()
    log_softmax_cross_entropy()
    sigmoid_tanh()
    concat()
    elman_unrolled()
