"""The binding's defaults are the library's: Model's and fit's signatures show what
charnn_model_config_init and charnn_train_config_init fill in, charnn.nn's optimizers what
charnn_adam_config_init and charnn_sgd_config_init do (read at import, never repeated)."""

import ctypes
import inspect
import re

import charnn
from charnn import _defaults, _lib, nn
from charnn.model import HIDDEN_INITS, KINDS, OPTIMIZERS, POOLINGS, SCHEDULES


def c_config(cls, init):
    config = cls()
    getattr(charnn._c, init)(ctypes.byref(config))
    return config


def defaults(function):
    return {
        name: p.default
        for name, p in inspect.signature(function).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def close(a, b):
    return abs(a - b) <= 1e-7 * max(abs(a), abs(b), 1e-30)


def test_model_defaults_are_the_c_ones():
    c = c_config(_lib.ModelConfig, "charnn_model_config_init")
    d = defaults(charnn.Model.__init__)
    assert KINDS[d["kind"]] == c.kind and d["hidden_size"] == c.hidden_size
    assert (d["num_layers"] or 0) == c.num_layers and HIDDEN_INITS[d["hidden_init"]] == c.hidden_init
    assert d["seed"] == c.seed and d["embedding_size"] == c.embedding_size
    assert int(d["bidirectional"]) == c.bidirectional and POOLINGS[d["pooling"]] == c.pooling
    assert close(d["dropout"], c.dropout) and (d["ngrams"] or 0) == c.ngram_buckets
    assert (d["ngram_dim"], d["ngram_min"], d["ngram_max"]) == (c.ngram_dim, c.ngram_min, c.ngram_max)
    # The article's model, as documented: a 2-layer GRU of 256 (the kind's default layers).
    assert (d["kind"], d["hidden_size"], d["num_layers"]) == ("gru", 256, None)
    # The signature the docstring shows is the real one.
    shown = re.search(r"``Model\(labels, (.*?)\)``", charnn.Model.__doc__).group(1)
    for name, value in (item.split("=") for item in shown.split(", ")):
        assert repr(d[name]) == value.replace('"', "'"), name


def test_fit_defaults_are_the_c_ones():
    c = c_config(_lib.TrainConfig, "charnn_train_config_init")
    d = defaults(charnn.Model.fit)
    assert d["epochs"] == c.epochs and d["batch_size"] == c.batch_size and OPTIMIZERS[d["optimizer"]] == c.optimizer
    for name, field in [
        ("lr", "learning_rate"),
        ("weight_decay", "weight_decay"),
        ("momentum", "momentum"),
        ("eps", "epsilon"),
        ("min_lr", "min_learning_rate"),
        ("gamma", "gamma"),
        ("plateau_factor", "plateau_factor"),
        ("label_smoothing", "label_smoothing"),
    ]:
        assert close(d[name], getattr(c, field)), name
    assert close(d["betas"][0], c.beta1) and close(d["betas"][1], c.beta2)
    assert (d["clip"] or 0.0) == c.clip_norm and d["seed"] == c.seed and int(d["shuffle"]) == c.shuffle
    assert d["report_every"] == c.report_every and (d["validation"] or 0.0) == c.validation_fraction
    assert d["patience"] == c.patience and int(d["restore_best"]) == c.restore_best
    assert SCHEDULES[d["schedule"]] == c.schedule and d["warmup"] == c.warmup_steps and c.warmup_fraction == 0
    assert d["step_size"] == c.step_size and d["plateau_patience"] == c.plateau_patience
    assert d["class_weight"] is None and c.class_weights == 0
    # The article's protocol, as documented: 2 epochs of batch 1, Adam at 1e-3.
    assert (d["epochs"], d["batch_size"], d["optimizer"], d["lr"]) == (2, 1, "adam", 1e-3)
    assert d["betas"] == (0.9, 0.999) and d["eps"] == 1e-8  # the shortest decimals, as the header writes them


def test_optimizer_defaults_are_the_c_ones():
    adam = c_config(_lib.AdamConfig, "charnn_adam_config_init")
    d = defaults(nn.Adam.__init__)
    assert close(d["lr"], adam.learning_rate) and close(d["eps"], adam.epsilon)
    assert close(d["betas"][0], adam.beta1) and close(d["betas"][1], adam.beta2)
    assert d["weight_decay"] == adam.weight_decay and int(d["decoupled"]) == adam.decoupled
    sgd = c_config(_lib.SgdConfig, "charnn_sgd_config_init")
    d = defaults(nn.SGD.__init__)
    assert d["momentum"] == sgd.momentum and d["weight_decay"] == sgd.weight_decay
    assert close(sgd.learning_rate, 1e-3) and ctypes.sizeof(sgd) == sgd.struct_size


def test_float32_gives_the_shortest_decimal():
    assert _defaults.float32(ctypes.c_float(1e-3).value) == 1e-3
    assert _defaults.float32(ctypes.c_float(0.999).value) == 0.999
    assert _defaults.float32(0.0) == 0.0 and _defaults.float32(0.5) == 0.5
