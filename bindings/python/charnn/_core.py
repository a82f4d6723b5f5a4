"""The loaded library, status checking and the base of handle classes."""

from __future__ import annotations

import ctypes
from typing import Any, Optional, Type, TypeVar

from . import _lib
from .errors import ArgumentTypeError, ClosedError, InternalError, InvalidArgumentError, error_for

lib = _lib.load()
_H = TypeVar("_H", bound="Handle")


def check(status: int) -> None:
    """Raises the exception for a non-OK status, with charnn_last_error()'s message."""
    if status != 0:
        message = lib.charnn_last_error()
        raise error_for(status, message.decode("utf-8", "replace") if message else "")


def encode(text: Any, what: str) -> bytes:
    """A str argument as NUL-free UTF-8, or a clear TypeError / InvalidArgumentError."""
    if isinstance(text, (bytes, bytearray)):
        raise ArgumentTypeError(f"{what} must be str, not {type(text).__name__} (decode it first)")
    if not isinstance(text, str):
        raise ArgumentTypeError(f"{what} must be str, not {type(text).__name__}")
    if "\0" in text:
        raise InvalidArgumentError(f"{what} contains a NUL character")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidArgumentError(f"{what} is not valid Unicode: {error}") from None


def path_bytes(path: Any, what: str = "path") -> bytes:
    """A path-like argument for the C library."""
    try:
        import os

        fs = os.fspath(path)
    except TypeError:
        raise ArgumentTypeError(f"{what} must be a str or os.PathLike, not {type(path).__name__}") from None
    return fs if isinstance(fs, bytes) else encode(fs, what)


def string_array(strings: Any, what: str) -> "ctypes.Array[ctypes.c_char_p]":
    """A list of str as a C array of char *."""
    if isinstance(strings, (str, bytes)):
        raise ArgumentTypeError(f"{what} must be a list of str, not a single {type(strings).__name__}")
    items = [encode(s, f"{what}[{i}]") for i, s in enumerate(strings)]
    return (ctypes.c_char_p * max(len(items), 1))(*items)


def handle_of(out: ctypes.c_void_p) -> int:
    """The pointer a create call wrote into ``out`` after returning OK (never NULL then)."""
    if out.value is None:
        raise InternalError("the library returned OK with a NULL handle")
    return out.value


class ProcessLocal:
    """Refuses copy and pickle: the object holds a C pointer valid in this process only, and a
    second Python object on the same pointer would free it when collected."""

    __slots__ = ()

    def __reduce_ex__(self, protocol: Any) -> Any:
        kind = f"{type(self).__module__}.{type(self).__qualname__}"
        raise TypeError(f"a {kind} cannot be copied or pickled: it holds a C object of this process")


class Handle:
    """A C handle: closed once (idempotently) by close(), a with block, or garbage collection,
    which release it with the C function named by ``_free_name``. A class whose handles the
    library owns elsewhere (a graph's tensors) leaves ``_free_name`` empty: closing one only
    stops this object from using it. Every handle class of the binding derives from this one.

    ``cls._wrap(pointer)`` makes an object of a handle class around a pointer a C function
    returned (a load, a split): the one way to adopt an existing handle."""

    __slots__ = ("_pointer", "__weakref__")
    _free_name = ""

    def __init__(self, pointer: int) -> None:
        self._pointer: Optional[int] = pointer

    @classmethod
    def _wrap(cls: Type[_H], pointer: int) -> _H:
        """An object of this class owning `pointer`, without running its constructor."""
        obj = cls.__new__(cls)
        Handle.__init__(obj, pointer)
        return obj

    @property
    def _handle(self) -> int:
        if self._pointer is None:
            raise ClosedError(f"this {type(self).__name__} is closed")
        return self._pointer

    @property
    def closed(self) -> bool:
        """Whether close() has been called."""
        return self._pointer is None

    def close(self) -> None:
        """Releases the C object. Safe to call more than once."""
        pointer, self._pointer = getattr(self, "_pointer", None), None
        if pointer is not None and self._free_name and lib is not None:
            getattr(lib, self._free_name)(pointer)

    def __enter__(self: _H) -> _H:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to release into
            pass
