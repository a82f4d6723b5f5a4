"""charnn's exceptions: one per C status, all carrying the library's message."""

from __future__ import annotations

from typing import Dict, Type


class Error(Exception):
    """Base of every charnn error. `status` is the C status code, `message` the library's
    explanation (what charnn_last_error() said)."""

    status: int = -1

    def __init__(self, message: str, status: int = -1) -> None:
        super().__init__(message)
        self.message = message
        if status != -1:
            self.status = status


class InvalidArgumentError(Error, ValueError):
    """An argument was unusable: a size, a value out of range, a name with no readable character."""

    status = 1


class ArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument of the wrong type (a list where a str is expected, a float for an int): both
    an :class:`InvalidArgumentError` and a ``TypeError``."""


class IndexOutOfRangeError(InvalidArgumentError, IndexError):
    """An index or mask that does not fit the dataset: both an :class:`InvalidArgumentError`
    and an ``IndexError``."""


class InvalidHandleError(Error):
    """A handle the library does not know (freed, or of another kind)."""

    status = 2


class ClosedError(Error, ValueError):
    """The object was closed; it cannot be used any more."""


class ShapeMismatchError(Error, ValueError):
    """Tensors whose shapes do not fit an operation."""

    status = 3


class FileError(Error, OSError):
    """A file or directory could not be read or written (CHARNN_IO_ERROR); also an ``OSError``."""

    status = 4


#: The 0.1 name of :class:`FileError`, kept as an alias. Not in ``__all__``: ``from charnn
#: import *`` must not shadow the builtin ``IOError``.
IOError = FileError  # noqa: A001


class InvalidDataError(Error, ValueError):
    """A data directory or file is malformed (no label files, an empty file, bad UTF-8)."""

    status = 5


class InvalidCheckpointError(Error, ValueError):
    """A checkpoint is truncated, mis-typed or inconsistent."""

    status = 6


class DivergedError(Error, ArithmeticError):
    """Training produced a NaN or infinite loss, gradient or weight; the weights are the last finite ones."""

    status = 7


class CancelledError(Error):
    """The progress callback stopped training (the model keeps what it learned)."""

    status = 8


class BusyError(Error):
    """The model is in use by an operation that excludes this one (training vs. predicting)."""

    status = 9


class BufferTooSmallError(Error):
    """A buffer was too small for a result (an internal matter of the binding)."""

    status = 10


class InternalError(Error):
    """A bug in charnn; please report it with the message."""

    status = 11


BY_STATUS: Dict[int, Type[Error]] = {
    cls.status: cls
    for cls in (
        InvalidArgumentError,
        InvalidHandleError,
        ShapeMismatchError,
        FileError,
        InvalidDataError,
        InvalidCheckpointError,
        DivergedError,
        CancelledError,
        BusyError,
        BufferTooSmallError,
        InternalError,
    )
}


def error_for(status: int, message: str) -> Error:
    """The exception for a C status, with the library's message."""
    cls = BY_STATUS.get(status, Error)
    return cls(message, status)
