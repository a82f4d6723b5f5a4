"""charnn: character-level recurrent networks (the article's Elman cell, GRU, LSTM) through
charnn's C library, with ctypes.

>>> import charnn
>>> data = charnn.Dataset.from_directory("data/names")
>>> train, test = data.split(test_size=0.1, seed=0)
>>> model = charnn.Model(data.labels, kind="gru")
>>> model.fit(train)                                  # the article's protocol
>>> model.evaluate(test).accuracy
>>> model.predict("Slaveya", k=3)

Your own data, in any script: ``Dataset.from_csv("data.csv", text_column="name",
label_column="language", alphabet="learned")`` (or ``from_tsv``, ``load``, ``from_pandas``),
then ``Model(data)`` reads the alphabet learned from it.

The library is loaded on import from ``$CHARNN_LIBRARY`` (only there when it is set), the
installed package, the source tree's build folders, ``$LD_LIBRARY_PATH`` or the system;
:data:`library_path` says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _lib
from ._core import lib as _c
from .dataset import Dataset
from .errors import (
    BufferTooSmallError,
    BusyError,
    CancelledError,
    ClosedError,
    DivergedError,
    Error,
    InternalError,
    InvalidArgumentError,
    InvalidCheckpointError,
    InvalidDataError,
    InvalidHandleError,
    FileError,
    ShapeMismatchError,
    ArgumentTypeError,
    IndexOutOfRangeError,
)
from .errors import IOError  # noqa: F401, A004 - the 0.1 name of FileError; not in __all__
from ._lib import ABIVersionError, LibraryNotFoundError
from .metrics import Evaluation
from .model import Model, Prediction, TrainProgress, TrainResult
from .model import EpochRecord
from .plot import plot_confusion_matrix
from . import nn, text


def _version() -> str:
    """The package's version: include/charnn.h's CHARNN_VERSION_STRING, as setup.py wrote it to
    charnn/_version.py; in a source tree never installed, the header's itself."""
    try:
        from ._version import version  # type: ignore[import-not-found, unused-ignore]

        return str(version)
    except ImportError:
        pass
    import re
    from pathlib import Path

    for root in Path(__file__).resolve().parents:
        header = root / "include" / "charnn.h"
        if header.is_file():
            match = re.search(r'^#define CHARNN_VERSION_STRING "([^"]+)"', header.read_text(), flags=re.M)
            if match:
                return match.group(1)
    try:
        from importlib.metadata import version as installed_version

        return installed_version("charnn")
    except Exception:
        return "0+unknown"


__version__: str = _version()

#: The path of the loaded libcharnn.so.
library_path: str = _lib.loaded_path
#: The ABI version of the loaded library.
abi_version: int = _c.charnn_abi_version()


def library_version() -> str:
    """The loaded library's version string, e.g. ``"0.4.0"``."""
    return str(_c.charnn_version_string().decode())


def cpu_variant() -> str:
    """Which build of the core the library runs: ``"x86-64-v3"`` (AVX2 + FMA kernels) or
    ``"portable"``. libcharnn.so chooses by the CPU when the process first calls it;
    ``CHARNN_CPU=portable`` in the environment (set before ``import charnn``) forces the portable one."""
    return str(_c.charnn_cpu_variant().decode())


def shutdown() -> None:
    """Joins the library's worker threads (``charnn_shutdown``), for a leak checker looking at
    the process's exit. Only while no other thread is in a charnn call; later calls start the
    threads again when they need them."""
    _c.charnn_shutdown()


__all__ = [
    "nn",
    "text",
    "Dataset",
    "Model",
    "Evaluation",
    "Prediction",
    "TrainProgress",
    "TrainResult",
    "plot_confusion_matrix",
    "library_version",
    "library_path",
    "abi_version",
    "cpu_variant",
    "shutdown",
    "Error",
    "InvalidArgumentError",
    "InvalidHandleError",
    "ClosedError",
    "ShapeMismatchError",
    "FileError",
    "ArgumentTypeError",
    "IndexOutOfRangeError",
    "InvalidDataError",
    "InvalidCheckpointError",
    "DivergedError",
    "CancelledError",
    "BusyError",
    "BufferTooSmallError",
    "InternalError",
    "LibraryNotFoundError",
    "ABIVersionError",
]
__all__ += ["EpochRecord"]
from .recipes import Recipe, recipe  # noqa: E402

__all__ += ["Recipe", "recipe"]

if TYPE_CHECKING:
    from . import sklearn  # noqa: F401 (loaded lazily at run time)
    from .sklearn import CharRNNClassifier  # noqa: F401


def __getattr__(name: str) -> Any:
    """``charnn.CharRNNClassifier`` (and ``charnn.sklearn``) load NumPy and scikit-learn, so only
    when first used: ``import charnn`` stays light."""
    if name in ("CharRNNClassifier", "sklearn"):
        import importlib

        module = importlib.import_module(".sklearn", __name__)
        return module if name == "sklearn" else module.CharRNNClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
