#!/usr/bin/env python3
"""Writes torch_training.json: what PyTorch computes for the training options charnn matches.

- cross-entropy with label smoothing and class weights (F.cross_entropy(weight=, label_smoothing=),
  reduction "mean"): loss and gradient with respect to the logits, for several settings;
- learning rates step by step: linear warm-up then cosine annealing (SequentialLR of LambdaLR
  and CosineAnnealingLR), StepLR stepped per epoch, ReduceLROnPlateau fed a given loss series.

Run by hand where torch is installed (`pip install torch`):
    python3 make_training_fixtures.py
`make test` reads the committed JSON file and needs no torch.
"""

import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(2024)


def flat(x):
    return [float(v) for v in x.detach().to(torch.float64).reshape(-1).tolist()]


def loss_cases():
    rows, classes = 6, 5
    logits = torch.randn(rows, classes, dtype=torch.float64) * 3
    logits[5] = torch.tensor([80.0, -80.0, 10.0, -30.0, 79.5], dtype=torch.float64)  # extreme: log-space needed
    targets = torch.tensor([0, 4, 2, 2, 1, 1])
    weights = torch.tensor([0.5, 2.0, 1.0, 0.0, 3.0], dtype=torch.float64)  # label 3 weighs 0
    cases = []
    for smoothing, weighted in [(0.1, False), (0.0, True), (0.25, True), (1.0, False), (0.3, True)]:
        x = logits.clone().requires_grad_(True)
        loss = F.cross_entropy(x, targets, weight=weights if weighted else None, label_smoothing=smoothing)
        loss.backward()
        cases.append(
            {
                "label_smoothing": smoothing,
                "weights": flat(weights) if weighted else None,
                "loss": float(loss.detach()),
                "grad": flat(x.grad),
            }
        )
    return {"rows": rows, "classes": classes, "logits": flat(logits), "targets": targets.tolist(), "cases": cases}


def rates_per_step(optimizer, scheduler, steps, step_scheduler):
    out = []
    for t in range(steps):
        out.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        step_scheduler(t)
    return out


def cosine_with_warmup(base, floor, warmup, total):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    warm = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: min(1.0, (t + 1) / warmup))
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=floor)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cosine], milestones=[warmup])
    rates = rates_per_step(opt, sched, total, lambda t: sched.step())
    return {"base": base, "min": floor, "warmup": warmup, "total": total, "rates": rates}


def cosine_plain(base, floor, total):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total, eta_min=floor)
    return {
        "base": base,
        "min": floor,
        "warmup": 0,
        "total": total,
        "rates": rates_per_step(opt, sched, total, lambda t: sched.step()),
    }


def step_lr(base, step_size, gamma, epochs, steps_per_epoch):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)

    def after(t):
        if (t + 1) % steps_per_epoch == 0:
            sched.step()

    return {
        "base": base,
        "step_size": step_size,
        "gamma": gamma,
        "epochs": epochs,
        "steps_per_epoch": steps_per_epoch,
        "rates": rates_per_step(opt, sched, epochs * steps_per_epoch, after),
    }


def plateau(base, factor, patience, floor, losses):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt,
        mode="min",
        factor=factor,
        patience=patience,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=floor,
        eps=1e-8,
    )
    rates = []  # the rate of each epoch: the first before any loss, then after each
    for loss in losses:
        rates.append(opt.param_groups[0]["lr"])
        sched.step(loss)
    return {"base": base, "factor": factor, "patience": patience, "min": floor, "losses": losses, "rates": rates}


def main():
    fixture = {
        "torch": torch.__version__,
        "loss": loss_cases(),
        "cosine": [
            cosine_with_warmup(0.01, 1e-4, 5, 23),
            cosine_with_warmup(1e-3, 0.0, 2, 10),
            cosine_plain(0.1, 0.001, 12),
        ],
        "step": [step_lr(0.05, 2, 0.5, 7, 3), step_lr(1e-3, 1, 0.1, 4, 2)],
        "plateau": [
            plateau(0.1, 0.5, 1, 0.01, [1.0, 0.9, 0.95, 0.9, 0.91, 0.89995, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2]),
            plateau(1e-3, 0.1, 0, 0.0, [2.0, 2.0, 1.0, 1.5, 1.5, 1.5]),
        ],
    }
    path = os.path.join(HERE, "torch_training.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print("wrote", path)


if __name__ == "__main__":
    main()
