"""Recipes: tested settings for classifying short strings of your own, from the library.

``charnn.recipe("best", rows=len(train))`` gives the keyword arguments of :class:`Model` and
:meth:`Model.fit` that ``charnn train --recipe best`` uses (the library holds them:
``charnn_model_config_recipe`` and ``charnn_train_config_recipe``)::

    data = charnn.Dataset.load("names/", alphabet="learned")
    train, test = data.split(0.1, seed=0)
    model = charnn.Model(train, recipe="best")
    model.fit(train, recipe="best")          # or: model.fit(train, **charnn.recipe("best", len(train)).fit)
"""

import ctypes
from dataclasses import dataclass
from typing import Any, Dict, Optional

from . import _lib
from ._core import check, lib
from .errors import InvalidArgumentError
from .model import KINDS, OPTIMIZERS, POOLINGS, SCHEDULES

RECIPES = {"fast": 1, "best": 2}
# The C values back to the names Model and fit take.
_KINDS, _POOLINGS = {v: k for k, v in KINDS.items()}, {v: k for k, v in POOLINGS.items()}
_OPTIMIZERS, _SCHEDULES = {v: k for k, v in OPTIMIZERS.items()}, {v: k for k, v in SCHEDULES.items()}


@dataclass(frozen=True)
class Recipe:
    """A recipe's settings: ``model`` for :class:`Model`, ``fit`` for :meth:`Model.fit`."""

    name: str
    model: Dict[str, Any]
    fit: Dict[str, Any]


def _code(name: str) -> int:
    if name not in RECIPES:
        raise InvalidArgumentError(f"recipe must be one of {sorted(RECIPES)}, not {name!r}")
    return RECIPES[name]


def model_config(name: str, config: Optional[_lib.ModelConfig] = None) -> _lib.ModelConfig:
    """The recipe's charnn_model_config (filled by the library)."""
    if config is None:
        config = _lib.ModelConfig()
        lib.charnn_model_config_init(ctypes.byref(config))
    check(lib.charnn_model_config_recipe(ctypes.byref(config), _code(name)))
    return config


def recipe(name: str, rows: int = 0) -> Recipe:
    """The settings of recipe ``name`` (``"fast"`` or ``"best"``) for a training set of ``rows``
    texts (the best recipe's epochs depend on it)."""
    if not isinstance(rows, int) or rows < 0:
        raise InvalidArgumentError(f"rows must be a non-negative int, not {rows!r}")
    m = model_config(name)
    t = _lib.TrainConfig()
    lib.charnn_train_config_init(ctypes.byref(t))
    check(lib.charnn_train_config_recipe(ctypes.byref(t), _code(name), rows))
    model = {
        "kind": _KINDS[m.kind],
        "hidden_size": m.hidden_size,
        "num_layers": m.num_layers,
        "embedding_size": m.embedding_size,
        "bidirectional": bool(m.bidirectional),
        "pooling": _POOLINGS[m.pooling],
        "dropout": round(float(m.dropout), 6),
        "ngrams": m.ngram_buckets or None,
        "ngram_dim": m.ngram_dim,
        "ngram_min": m.ngram_min,
        "ngram_max": m.ngram_max,
    }
    fit = {
        "epochs": t.epochs,
        "batch_size": t.batch_size,
        "optimizer": _OPTIMIZERS[t.optimizer],
        "lr": round(float(t.learning_rate), 9),
        "weight_decay": round(float(t.weight_decay), 9),
        "schedule": _SCHEDULES[t.schedule],
        "warmup": float(t.warmup_fraction),
        "label_smoothing": round(float(t.label_smoothing), 6),
        "validation": float(t.validation_fraction) or None,
        "patience": t.patience,
        "restore_best": bool(t.restore_best),
    }
    return Recipe(name, model, fit)
