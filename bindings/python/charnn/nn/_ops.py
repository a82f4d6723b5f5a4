"""Making tensors, and the differentiable ops (like ``torch`` and ``torch.nn.functional``)."""

from __future__ import annotations

import ctypes
from typing import Any, List, Optional, Sequence, Union

from .._core import check, encode, lib
from ._graph import _next_seed, default_graph
from ._tensor import VOCABULARY, Tensor, _as_tensor, _binary, _graph_of, _indices, _made, _shape_array, _flatten, _unary
from ..errors import InvalidArgumentError


def tensor(data: Any, requires_grad: bool = False) -> Tensor:
    """A tensor holding ``data`` (a number, nested lists or a numpy array) on the current graph.
    With ``requires_grad``, backward computes its gradient (for gradient checks)."""
    dims, values = _flatten(data)
    return _made(
        lib.charnn_tensor_create,
        default_graph(),
        _shape_array(dims),
        len(dims),
        (ctypes.c_float * len(values))(*values),
        1 if requires_grad else 0,
    )


def zeros(*shape: int) -> Tensor:
    """Zeros of ``shape`` on the current graph."""
    return _made(lib.charnn_tensor_create, default_graph(), _shape_array(shape), len(shape), None, 0)


def uniform(*shape: int, low: float, high: float, seed: Optional[int] = None) -> Tensor:
    """Uniform in [low, high) on the current graph."""
    return _made(
        lib.charnn_tensor_create_uniform, default_graph(), _shape_array(shape), len(shape), low, high, _next_seed(seed)
    )


def kaiming_uniform(*shape: int, seed: Optional[int] = None) -> Tensor:
    """``torch.nn.init.kaiming_uniform_`` with its defaults on a new tensor: uniform in
    ±sqrt(6 / shape[-1]). The article's ``init_hidden``."""
    return _made(
        lib.charnn_tensor_create_kaiming_uniform, default_graph(), _shape_array(shape), len(shape), _next_seed(seed)
    )


def one_hot(indices: Union[int, Sequence[int]], depth: int) -> Tensor:
    """One-hot rows ``[len(indices), depth]``."""
    array, n = _indices(indices, "indices")
    return _made(lib.charnn_op_one_hot, default_graph(), array, n, depth)


def name_to_indices(name: str) -> List[int]:
    """A name's symbol indices in the 59-symbol vocabulary, after transliteration to ASCII."""
    capacity = 4 * len(name) + 8
    indices, length = (ctypes.c_int32 * capacity)(), ctypes.c_size_t()
    check(lib.charnn_vocabulary_encode(encode(name, "name"), indices, capacity, ctypes.byref(length)))
    return list(indices[: length.value])


def letter_to_tensor(letter: Union[int, str]) -> Tensor:
    """The article's ``letter_to_tensor``: a one-hot ``[1, 59]`` row (from a letter or its index)."""
    index = VOCABULARY.index(letter) if isinstance(letter, str) else letter
    return one_hot([index], len(VOCABULARY))


# -- ops -------------------------------------------------------------------------------------


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b``: [m, k] x [k, n]."""
    return _binary(lib.charnn_op_matmul, a, b)


def linear(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``torch.nn.functional.linear``: x Wᵀ + b."""
    x, weight = _as_tensor(x, "x"), _as_tensor(weight, "weight")
    return _made(
        lib.charnn_op_linear,
        _graph_of(x, weight),
        x._handle,
        weight._handle,
        None if bias is None else _as_tensor(bias, "bias")._handle,
    )


def cat(tensors: Sequence[Tensor], dim: int = 1) -> Tensor:
    """``torch.cat`` along the columns (dim 1 / -1) of rank-2 tensors."""
    if dim not in (1, -1):
        raise InvalidArgumentError("charnn concatenates along the columns only (dim=1)")
    tensors = list(tensors)
    if not tensors:
        raise InvalidArgumentError("cat needs at least one tensor")
    result = _as_tensor(tensors[0], "tensors[0]")
    for t in tensors[1:]:
        result = _binary(lib.charnn_op_concat, result, t)
    return result


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``torch.narrow`` along the columns: ``x[:, start:start + length]``."""
    if dim not in (1, -1):
        raise InvalidArgumentError("charnn slices along the columns only (dim=1)")
    x = _as_tensor(x, "x")
    return _made(lib.charnn_op_slice, _graph_of(x), x._handle, start, length)


def sigmoid(x: Tensor) -> Tensor:
    return _unary(lib.charnn_op_sigmoid, x)


def tanh(x: Tensor) -> Tensor:
    return _unary(lib.charnn_op_tanh, x)


def relu(x: Tensor) -> Tensor:
    return _unary(lib.charnn_op_relu, x)


def exp(x: Tensor) -> Tensor:
    return _unary(lib.charnn_op_exp, x)


def log(x: Tensor) -> Tensor:
    return _unary(lib.charnn_op_log, x)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log-softmax over the last dimension."""
    if dim not in (-1, len(_as_tensor(x, "x").shape) - 1):
        raise InvalidArgumentError("charnn's log_softmax runs over the last dimension")
    return _unary(lib.charnn_op_log_softmax, x)


def cross_entropy(logits: Tensor, target: Union[int, Sequence[int]]) -> Tensor:
    """``torch.nn.functional.cross_entropy`` with integer targets, mean over the batch."""
    logits = _as_tensor(logits, "logits")
    array, n = _indices(target, "target")
    return _made(lib.charnn_op_cross_entropy, _graph_of(logits), logits._handle, array, n)


def embedding(indices: Union[int, Sequence[int]], table: Tensor) -> Tensor:
    """``torch.nn.functional.embedding``: rows of ``table``."""
    table = _as_tensor(table, "table")
    array, n = _indices(indices, "indices")
    return _made(lib.charnn_op_embedding, _graph_of(table), table._handle, array, n)
