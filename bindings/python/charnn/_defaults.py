"""The defaults of Model, Model.fit and charnn.nn's optimizers, read at import from the library's
_init functions (charnn_model_config_init, charnn_train_config_init, charnn_adam_config_init,
charnn_sgd_config_init): the one place they are set. The binding never repeats 256, "gru" or
1e-3; tests/test_defaults.py checks the signatures against the C structs."""

from __future__ import annotations

import ctypes
import struct
from typing import Any, Dict, Mapping

from . import _lib
from ._core import lib


def float32(value: float) -> float:
    """A C float as the shortest decimal that reads back as the same float (1e-3, not
    0.0010000000474974513), as the header writes it."""
    for digits in range(1, 10):
        shorter = float(f"{value:.{digits}g}")
        if struct.unpack("f", struct.pack("f", shorter))[0] == value:
            return shorter
    return value


def _config(cls: Any, init: str) -> Dict[str, Any]:
    config = cls()
    getattr(lib, init)(ctypes.byref(config))
    return {
        name: float32(getattr(config, name)) if kind is ctypes.c_float else getattr(config, name)
        for name, kind in cls._fields_
        if name != "struct_size"
    }


#: charnn_model_config_init's fields, by C name.
MODEL = _config(_lib.ModelConfig, "charnn_model_config_init")
#: charnn_train_config_init's fields, by C name.
TRAIN = _config(_lib.TrainConfig, "charnn_train_config_init")
#: charnn_adam_config_init's fields.
ADAM = _config(_lib.AdamConfig, "charnn_adam_config_init")
#: charnn_sgd_config_init's fields.
SGD = _config(_lib.SgdConfig, "charnn_sgd_config_init")


def name_of(value: int, names: Mapping[Any, int]) -> Any:
    """The Python name of a C enum value (KINDS, OPTIMIZERS, ...)."""
    for name, code in names.items():
        if code == value:
            return name
    raise ValueError(f"the library's default {value} has no name in {dict(names)}")
