"""Tensors and parameters: handles to values on a graph, and the helpers ops are made with."""

from __future__ import annotations

import ctypes
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from .._core import Handle, ProcessLocal, check, handle_of, lib
from ..errors import ArgumentTypeError, InvalidArgumentError
from ._graph import Graph, _next_seed, default_graph

VOCABULARY = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'"
Shape = Tuple[int, ...]


def _shape_array(shape: Sequence[int]) -> "ctypes.Array[ctypes.c_int64]":
    shape = tuple(shape)
    for d in shape:
        if not isinstance(d, int) or isinstance(d, bool):
            raise ArgumentTypeError(f"shape dimensions must be int, got {type(d).__name__}")
    return (ctypes.c_int64 * max(len(shape), 1))(*shape)


def _flatten(data: Any) -> Tuple[Shape, List[float]]:
    """Nested lists (or a numpy array, or a number) as (shape, flat values)."""
    if hasattr(data, "shape") and hasattr(data, "ravel"):
        return tuple(int(d) for d in data.shape), [float(v) for v in data.ravel().tolist()]
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return (), [float(data)]
    if not isinstance(data, (list, tuple)) or not data:
        raise ArgumentTypeError("tensor data must be a number, a numpy array or non-empty nested lists")
    parts = [_flatten(item) for item in data]
    if any(shape != parts[0][0] for shape, _ in parts):
        raise InvalidArgumentError("nested lists of tensor data must be rectangular")
    return (len(parts),) + parts[0][0], [v for _, values in parts for v in values]


class Tensor(Handle, ProcessLocal):
    """A value recorded on a graph: an op's result, an input or a constant. Immutable; valid
    until its graph is reset (then any use raises :class:`charnn.InvalidArgumentError`). The
    graph owns it: closing it (or collecting it) frees nothing."""

    __slots__ = ("_graph",)

    def __init__(self, handle: int, graph: Optional[Graph]) -> None:
        super().__init__(handle)
        self._graph = graph

    @classmethod
    def _wrap(cls, pointer: int, graph: Optional[Graph] = None) -> Any:
        """Handle._wrap, with the graph that owns the tensor (None: a parameter)."""
        tensor = super()._wrap(pointer)
        tensor._graph = graph
        return tensor

    # reading

    @property
    def shape(self) -> Shape:
        """The dimensions, like ``torch.Size``."""
        dims, rank = (ctypes.c_int64 * 4)(), ctypes.c_size_t()
        check(lib.charnn_tensor_shape(self._handle, dims, 4, ctypes.byref(rank)))
        return tuple(dims[i] for i in range(rank.value))

    def numel(self) -> int:
        """The number of elements."""
        n = 1
        for d in self.shape:
            n *= d
        return n

    def _read(self, function: Callable[..., int]) -> List[float]:
        n = self.numel()
        values = (ctypes.c_float * n)()
        check(function(self._handle, values, n))
        return list(values)

    def tolist(self) -> Any:
        """The values as nested lists."""
        return _nest(self._read(lib.charnn_tensor_read), self.shape)

    def numpy(self) -> Any:
        """The values as a numpy array (needs numpy)."""
        import numpy as np

        return np.array(self._read(lib.charnn_tensor_read), dtype=np.float32).reshape(self.shape)

    def item(self) -> float:
        """The value of a one-element tensor."""
        out = ctypes.c_float()
        check(lib.charnn_tensor_item(self._handle, ctypes.byref(out)))
        return out.value

    @property
    def grad(self) -> Any:
        """The gradient from the last backward as nested lists (as :meth:`tolist`), or None
        when there is none."""
        n = self.numel()
        values = (ctypes.c_float * n)()
        status = lib.charnn_tensor_read_grad(self._handle, values, n)
        if status == InvalidArgumentError.status and b"has no gradient" in (lib.charnn_last_error() or b""):
            return None
        check(status)
        return _nest(list(values), self.shape)

    def backward(self, gradient: Optional[Any] = None) -> None:
        """Backpropagates from this tensor: a loss, or any tensor with ``gradient`` flowing into
        it (like ``torch.Tensor.backward``). Parameters accumulate their gradients."""
        graph = self._graph or default_graph()
        if gradient is None:
            check(lib.charnn_graph_backward(graph._handle, self._handle))
        else:
            _, values = _flatten(gradient)
            check(
                lib.charnn_graph_backward_seeded(
                    graph._handle, self._handle, (ctypes.c_float * len(values))(*values), len(values)
                )
            )

    def __repr__(self) -> str:
        try:
            return f"tensor({self.tolist()})"
        except Exception as error:  # a tensor of a reset graph
            return f"<charnn.nn.Tensor: {error}>"

    # arithmetic, like torch

    def __add__(self, other: "Tensor") -> "Tensor":
        return _binary(lib.charnn_op_add, self, other)

    def __sub__(self, other: "Tensor") -> "Tensor":
        return _binary(lib.charnn_op_sub, self, other)

    def __mul__(self, other: "Tensor") -> "Tensor":
        return _binary(lib.charnn_op_mul, self, other)

    def __matmul__(self, other: "Tensor") -> "Tensor":
        return _binary(lib.charnn_op_matmul, self, other)

    def sigmoid(self) -> "Tensor":
        return _unary(lib.charnn_op_sigmoid, self)

    def tanh(self) -> "Tensor":
        return _unary(lib.charnn_op_tanh, self)

    def relu(self) -> "Tensor":
        return _unary(lib.charnn_op_relu, self)

    def exp(self) -> "Tensor":
        return _unary(lib.charnn_op_exp, self)

    def log(self) -> "Tensor":
        return _unary(lib.charnn_op_log, self)

    def sum(self) -> "Tensor":
        return _unary(lib.charnn_op_sum, self)

    def mean(self) -> "Tensor":
        return _unary(lib.charnn_op_mean, self)

    def log_softmax(self, dim: int = -1) -> "Tensor":
        from ._ops import log_softmax  # the ops build on this module

        return log_softmax(self, dim)


def _nest(values: List[float], shape: Shape) -> Any:
    if not shape:
        return values[0]
    if len(shape) == 1:
        return values
    step_size = len(values) // shape[0]
    return [_nest(values[i * step_size : (i + 1) * step_size], shape[1:]) for i in range(shape[0])]


class Parameter(Tensor):
    """A trainable tensor (``charnn_parameter``): long-lived, usable on any graph, its gradient
    accumulating over backward passes until :meth:`zero_grad`. Freed by :meth:`close`, a
    ``with`` block or garbage collection."""

    __slots__ = ()
    _free_name = "charnn_tensor_free"

    def __init__(self, data: Any = None, shape: Optional[Sequence[int]] = None) -> None:
        if data is not None:
            dims, values = _flatten(data)
            array = (ctypes.c_float * len(values))(*values)
        elif shape is not None:
            dims, array = tuple(shape), None
        else:
            raise ArgumentTypeError("Parameter needs data or a shape")
        out = ctypes.c_void_p()
        check(lib.charnn_parameter_create(_shape_array(dims), len(dims), array, ctypes.byref(out)))
        super().__init__(handle_of(out), None)

    @classmethod
    def uniform(cls, *shape: int, low: float, high: float, seed: Optional[int] = None) -> "Parameter":
        """A parameter uniform in [low, high)."""
        out = ctypes.c_void_p()
        check(
            lib.charnn_parameter_create_uniform(
                _shape_array(shape), len(shape), low, high, _next_seed(seed), ctypes.byref(out)
            )
        )
        parameter: Parameter = cls._wrap(handle_of(out))
        return parameter

    def __copy__(self) -> "Parameter":
        """A new parameter with the same values (no gradient): ``copy.deepcopy(module)`` works."""
        return Parameter(self.tolist())

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Parameter":
        return self.__copy__()

    def copy_(self, data: Any) -> None:
        """Overwrites the values (same number of elements)."""
        _, values = _flatten(data)
        check(lib.charnn_tensor_write(self._handle, (ctypes.c_float * len(values))(*values), len(values)))

    def zero_grad(self) -> None:
        """Sets the gradient to zero."""
        array = (ctypes.c_void_p * 1)(self._handle)
        check(lib.charnn_parameters_zero_grad(array, 1))


def _graph_of(*tensors: Tensor) -> Graph:
    for t in tensors:
        if t._graph is not None:
            return t._graph
    return default_graph()


def _made(function: Callable[..., int], graph: Graph, *args: Any) -> Tensor:
    out = ctypes.c_void_p()
    check(function(graph._handle, *args, ctypes.byref(out)))
    return Tensor(handle_of(out), graph)


def _as_tensor(x: Any, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise ArgumentTypeError(f"{name} must be a charnn.nn.Tensor, not {type(x).__name__}")
    return x


def _binary(function: Callable[..., int], a: Tensor, b: Tensor) -> Tensor:
    a, b = _as_tensor(a, "a"), _as_tensor(b, "b")
    return _made(function, _graph_of(a, b), a._handle, b._handle)


def _unary(function: Callable[..., int], x: Tensor) -> Tensor:
    x = _as_tensor(x, "x")
    return _made(function, _graph_of(x), x._handle)


def _indices(values: Union[int, Sequence[int]], name: str) -> Tuple["ctypes.Array[ctypes.c_int32]", int]:
    values = [values] if isinstance(values, int) else list(values)
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool):
            raise ArgumentTypeError(f"{name} must be int(s), got {type(v).__name__}")
    return (ctypes.c_int32 * max(len(values), 1))(*values), len(values)
