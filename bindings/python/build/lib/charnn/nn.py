"""charnn.nn: the low-level API, shaped like torch so the article's code reads the same.

Tensors are made on a graph (one per thread by default) and released together when a training
step ends; parameters live on until they are garbage-collected::

    from charnn import nn

    class MyRNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.hidden_size = hidden_size
            self.in2hidden = nn.Linear(input_size + hidden_size, hidden_size)
            self.in2output = nn.Linear(input_size + hidden_size, output_size)

        def forward(self, x, hidden_state):
            combined = nn.cat((x, hidden_state), 1)
            hidden = nn.sigmoid(self.in2hidden(combined))
            output = self.in2output(combined)
            return output, hidden

        def init_hidden(self):
            return nn.kaiming_uniform(1, self.hidden_size)

    model = MyRNN(59, 256, 18)
    optimizer = nn.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for name, label in data:
        with nn.step():                       # tensors of this step are released at its end
            hidden = model.init_hidden()
            for letter in nn.name_to_indices(name):
                output, hidden = model(nn.letter_to_tensor(letter), hidden)
            loss = criterion(output, label)
            optimizer.zero_grad()
            loss.backward()
            nn.clip_grad_norm_(model.parameters(), 1)
            optimizer.step()

Every op runs in libcharnn (reverse-mode autodiff on its tape); Python only holds handles.
"""
from __future__ import annotations

import ctypes
import random
import threading
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from . import _lib
from ._core import check, encode, lib
from .errors import DivergedError, InvalidArgumentError

VOCABULARY = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'"
Shape = Tuple[int, ...]

# -- graphs ----------------------------------------------------------------------------------


class Graph:
    """A tape of recorded ops (``charnn_graph``). Tensors made on it live until :meth:`reset`."""

    def __init__(self) -> None:
        out = ctypes.c_void_p()
        check(lib.charnn_graph_create(ctypes.byref(out)))
        self._handle = out.value
        self._recording = True

    def reset(self) -> None:
        """Releases every tensor made on this graph (they become unusable)."""
        check(lib.charnn_graph_reset(self._handle))

    @property
    def recording(self) -> bool:
        """Whether ops record what backward needs (False inside :func:`no_grad`)."""
        return self._recording

    @recording.setter
    def recording(self, enabled: bool) -> None:
        check(lib.charnn_graph_set_recording(self._handle, 1 if enabled else 0))
        self._recording = bool(enabled)

    def __del__(self) -> None:
        try:
            lib.charnn_graph_free(self._handle)
        except Exception:
            pass


_local = threading.local()


def default_graph() -> Graph:
    """This thread's graph, where tensors are made unless a :func:`step` names another."""
    graph = getattr(_local, "graph", None)
    if graph is None:
        graph = _local.graph = Graph()
    return graph


@contextmanager
def step(graph: Optional[Graph] = None) -> Iterator[Graph]:
    """One training step: tensors made inside are released together when it ends."""
    graph = graph or default_graph()
    previous = getattr(_local, "graph", None)
    _local.graph = graph
    try:
        yield graph
    finally:
        graph.reset()
        _local.graph = previous if previous is not None else graph


@contextmanager
def no_grad() -> Iterator[None]:
    """Like ``torch.no_grad()``: ops record nothing to differentiate."""
    graph = default_graph()
    saved = graph.recording
    graph.recording = False
    try:
        yield
    finally:
        graph.recording = saved


_seeds = random.Random(0)


def manual_seed(seed: int) -> None:
    """Seeds the random initialisations made without an explicit seed (like ``torch.manual_seed``)."""
    _seeds.seed(seed)


def _next_seed(seed: Optional[int]) -> int:
    return _seeds.getrandbits(64) if seed is None else seed


# -- tensors ---------------------------------------------------------------------------------


def _shape_array(shape: Sequence[int]) -> "ctypes.Array[ctypes.c_int64]":
    shape = tuple(shape)
    for d in shape:
        if not isinstance(d, int) or isinstance(d, bool):
            raise TypeError(f"shape dimensions must be int, got {type(d).__name__}")
    return (ctypes.c_int64 * max(len(shape), 1))(*shape)


def _flatten(data: Any) -> Tuple[Shape, List[float]]:
    """Nested lists (or a numpy array, or a number) as (shape, flat values)."""
    if hasattr(data, "shape") and hasattr(data, "ravel"):
        return tuple(int(d) for d in data.shape), [float(v) for v in data.ravel().tolist()]
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return (), [float(data)]
    if not isinstance(data, (list, tuple)) or not data:
        raise TypeError("tensor data must be a number, a numpy array or non-empty nested lists")
    parts = [_flatten(item) for item in data]
    if any(shape != parts[0][0] for shape, _ in parts):
        raise ValueError("nested lists of tensor data must be rectangular")
    return (len(parts),) + parts[0][0], [v for _, values in parts for v in values]


class Tensor:
    """A value recorded on a graph: an op's result, an input or a constant. Immutable; valid
    until its graph is reset (then any use raises :class:`charnn.InvalidArgumentError`)."""

    __slots__ = ("_handle", "_graph", "__weakref__")

    def __init__(self, handle: int, graph: Optional[Graph]) -> None:
        self._handle = handle
        self._graph = graph

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

    def _read(self, function) -> List[float]:
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
    def grad(self) -> Optional[List[Any]]:
        """The gradient from the last backward as nested lists, or None when there is none."""
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
            check(lib.charnn_backward(graph._handle, self._handle))
        else:
            _, values = _flatten(gradient)
            check(lib.charnn_backward_seeded(graph._handle, self._handle, (ctypes.c_float * len(values))(*values),
                                             len(values)))

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
        return sigmoid(self)

    def tanh(self) -> "Tensor":
        return tanh(self)

    def relu(self) -> "Tensor":
        return relu(self)

    def exp(self) -> "Tensor":
        return exp(self)

    def log(self) -> "Tensor":
        return log(self)

    def sum(self) -> "Tensor":
        return _unary(lib.charnn_op_sum, self)

    def mean(self) -> "Tensor":
        return _unary(lib.charnn_op_mean, self)

    def log_softmax(self, dim: int = -1) -> "Tensor":
        return log_softmax(self, dim)


def _nest(values: List[float], shape: Shape) -> Any:
    if not shape:
        return values[0]
    if len(shape) == 1:
        return values
    step_size = len(values) // shape[0]
    return [_nest(values[i * step_size:(i + 1) * step_size], shape[1:]) for i in range(shape[0])]


class Parameter(Tensor):
    """A trainable tensor (``charnn_parameter``): long-lived, usable on any graph, its gradient
    accumulating over backward passes until :meth:`zero_grad`."""

    __slots__ = ()

    def __init__(self, data: Any = None, shape: Optional[Sequence[int]] = None) -> None:
        if data is not None:
            dims, values = _flatten(data)
            array = (ctypes.c_float * len(values))(*values)
        elif shape is not None:
            dims, array = tuple(shape), None
        else:
            raise TypeError("Parameter needs data or a shape")
        out = ctypes.c_void_p()
        check(lib.charnn_parameter_new(_shape_array(dims), len(dims), array, ctypes.byref(out)))
        super().__init__(out.value, None)

    @classmethod
    def uniform(cls, *shape: int, low: float, high: float, seed: Optional[int] = None) -> "Parameter":
        """A parameter uniform in [low, high)."""
        out = ctypes.c_void_p()
        check(lib.charnn_parameter_uniform(_shape_array(shape), len(shape), low, high, _next_seed(seed),
                                           ctypes.byref(out)))
        p = cls.__new__(cls)
        Tensor.__init__(p, out.value, None)
        return p

    def copy_(self, data: Any) -> None:
        """Overwrites the values (same number of elements)."""
        _, values = _flatten(data)
        check(lib.charnn_tensor_write(self._handle, (ctypes.c_float * len(values))(*values), len(values)))

    def zero_grad(self) -> None:
        """Sets the gradient to zero."""
        array = (ctypes.c_void_p * 1)(self._handle)
        check(lib.charnn_zero_grad(array, 1))

    def __del__(self) -> None:
        try:
            lib.charnn_tensor_free(self._handle)
        except Exception:
            pass


def _graph_of(*tensors: Tensor) -> Graph:
    for t in tensors:
        if t._graph is not None:
            return t._graph
    return default_graph()


def _made(function, graph: Graph, *args) -> Tensor:
    out = ctypes.c_void_p()
    check(function(graph._handle, *args, ctypes.byref(out)))
    return Tensor(out.value, graph)


def _as_tensor(x: Any, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a charnn.nn.Tensor, not {type(x).__name__}")
    return x


def _binary(function, a: Tensor, b: Tensor) -> Tensor:
    a, b = _as_tensor(a, "a"), _as_tensor(b, "b")
    return _made(function, _graph_of(a, b), a._handle, b._handle)


def _unary(function, x: Tensor) -> Tensor:
    x = _as_tensor(x, "x")
    return _made(function, _graph_of(x), x._handle)


def _indices(values: Union[int, Sequence[int]], name: str) -> Tuple["ctypes.Array[ctypes.c_int32]", int]:
    values = [values] if isinstance(values, int) else list(values)
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError(f"{name} must be int(s), got {type(v).__name__}")
    return (ctypes.c_int32 * max(len(values), 1))(*values), len(values)


# -- making tensors --------------------------------------------------------------------------


def tensor(data: Any, requires_grad: bool = False) -> Tensor:
    """A tensor holding ``data`` (a number, nested lists or a numpy array) on the current graph.
    With ``requires_grad``, backward computes its gradient (for gradient checks)."""
    dims, values = _flatten(data)
    return _made(lib.charnn_tensor_new, default_graph(), _shape_array(dims), len(dims),
                 (ctypes.c_float * len(values))(*values), 1 if requires_grad else 0)


def zeros(*shape: int) -> Tensor:
    """Zeros of ``shape`` on the current graph."""
    return _made(lib.charnn_tensor_new, default_graph(), _shape_array(shape), len(shape), None, 0)


def uniform(*shape: int, low: float, high: float, seed: Optional[int] = None) -> Tensor:
    """Uniform in [low, high) on the current graph."""
    return _made(lib.charnn_tensor_uniform, default_graph(), _shape_array(shape), len(shape), low, high,
                 _next_seed(seed))


def kaiming_uniform(*shape: int, seed: Optional[int] = None) -> Tensor:
    """``torch.nn.init.kaiming_uniform_`` with its defaults on a new tensor: uniform in
    ±sqrt(6 / shape[-1]). The article's ``init_hidden``."""
    return _made(lib.charnn_tensor_kaiming_uniform, default_graph(), _shape_array(shape), len(shape),
                 _next_seed(seed))


def one_hot(indices: Union[int, Sequence[int]], depth: int) -> Tensor:
    """One-hot rows ``[len(indices), depth]``."""
    array, n = _indices(indices, "indices")
    return _made(lib.charnn_op_one_hot, default_graph(), array, n, depth)


def name_to_indices(name: str) -> List[int]:
    """A name's symbol indices in the 59-symbol vocabulary, after transliteration to ASCII."""
    capacity = 4 * len(name) + 8
    indices, length = (ctypes.c_int32 * capacity)(), ctypes.c_size_t()
    check(lib.charnn_encode_name(encode(name, "name"), indices, capacity, ctypes.byref(length)))
    return list(indices[:length.value])


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
    return _made(lib.charnn_op_linear, _graph_of(x, weight), x._handle, weight._handle,
                 None if bias is None else _as_tensor(bias, "bias")._handle)


def cat(tensors: Sequence[Tensor], dim: int = 1) -> Tensor:
    """``torch.cat`` along the columns (dim 1 / -1) of rank-2 tensors."""
    if dim not in (1, -1):
        raise ValueError("charnn concatenates along the columns only (dim=1)")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat needs at least one tensor")
    result = _as_tensor(tensors[0], "tensors[0]")
    for t in tensors[1:]:
        result = _binary(lib.charnn_op_concat, result, t)
    return result


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``torch.narrow`` along the columns: ``x[:, start:start + length]``."""
    if dim not in (1, -1):
        raise ValueError("charnn slices along the columns only (dim=1)")
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
        raise ValueError("charnn's log_softmax runs over the last dimension")
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


# -- modules, losses, optimizers -------------------------------------------------------------


class Module:
    """Like ``torch.nn.Module``: parameters are found in attributes (and sub-modules), and
    calling the module calls :meth:`forward`."""

    def parameters(self) -> List[Parameter]:
        """Every parameter of this module and its sub-modules, in attribute order."""
        found: List[Parameter] = []
        for value in vars(self).values():
            if isinstance(value, Parameter):
                found.append(value)
            elif isinstance(value, Module):
                found.extend(value.parameters())
        return found

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError

    def __call__(self, *args: Any) -> Any:
        return self.forward(*args)


class Linear(Module):
    """``torch.nn.Linear`` with its default initialisation (uniform in ±1/sqrt(in_features))."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, seed: Optional[int] = None) -> None:
        bound = 1 / in_features ** 0.5
        self.weight = Parameter.uniform(out_features, in_features, low=-bound, high=bound, seed=seed)
        self.bias = Parameter.uniform(out_features, low=-bound, high=bound,
                                      seed=None if seed is None else seed + 1) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return linear(x, self.weight, self.bias)


class CrossEntropyLoss:
    """``torch.nn.CrossEntropyLoss()``: logits and integer target(s), mean over the batch."""

    def __call__(self, logits: Tensor, target: Union[int, Sequence[int]]) -> Tensor:
        return cross_entropy(logits, target)


def _parameter_array(parameters: Iterable[Parameter]) -> Tuple["ctypes.Array[ctypes.c_void_p]", int]:
    params = list(parameters)
    for p in params:
        if not isinstance(p, Parameter):
            raise TypeError(f"expected charnn.nn.Parameter, got {type(p).__name__}")
    return (ctypes.c_void_p * max(len(params), 1))(*[p._handle for p in params]), len(params)


def clip_grad_norm_(parameters: Iterable[Parameter], max_norm: float) -> float:
    """``torch.nn.utils.clip_grad_norm_``: returns the total norm before clipping."""
    array, n = _parameter_array(parameters)
    norm = ctypes.c_float()
    check(lib.charnn_clip_grad_norm(array, n, max_norm, ctypes.byref(norm)))
    return norm.value


class Optimizer:
    """Base of :class:`Adam`, :class:`AdamW` and :class:`SGD` (a ``charnn_optimizer``)."""

    def __init__(self, handle: int, parameters: List[Parameter]) -> None:
        self._handle = handle
        self._parameters = parameters  # kept alive while the optimizer updates them

    def step(self) -> None:
        """One update from the current gradients. Raises :class:`charnn.DivergedError` when a
        weight would become NaN or infinite (those weights keep their values)."""
        check(lib.charnn_optimizer_step(self._handle))

    def zero_grad(self) -> None:
        """Sets the parameters' gradients to zero."""
        check(lib.charnn_optimizer_zero_grad(self._handle))

    def set_lr(self, lr: float) -> None:
        """Changes the learning rate."""
        check(lib.charnn_optimizer_set_learning_rate(self._handle, lr))

    def __del__(self) -> None:
        try:
            lib.charnn_optimizer_free(self._handle)
        except Exception:
            pass


class Adam(Optimizer):
    """``torch.optim.Adam`` (``decoupled=True`` is ``AdamW``)."""

    def __init__(self, parameters: Iterable[Parameter], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled: bool = False) -> None:
        params = list(parameters)
        array, n = _parameter_array(params)
        config = _lib.AdamConfig()
        lib.charnn_adam_config_init(ctypes.byref(config))
        config.learning_rate, (config.beta1, config.beta2), config.epsilon = lr, betas, eps
        config.weight_decay, config.decoupled = weight_decay, 1 if decoupled else 0
        out = ctypes.c_void_p()
        check(lib.charnn_optimizer_adam(array, n, ctypes.byref(config), ctypes.byref(out)))
        super().__init__(out.value, params)


class AdamW(Adam):
    """``torch.optim.AdamW``: Adam with decoupled weight decay (default 0.01, as in PyTorch)."""

    def __init__(self, parameters: Iterable[Parameter], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(parameters, lr, betas, eps, weight_decay, decoupled=True)


class SGD(Optimizer):
    """``torch.optim.SGD`` with momentum and weight decay."""

    def __init__(self, parameters: Iterable[Parameter], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        params = list(parameters)
        array, n = _parameter_array(params)
        out = ctypes.c_void_p()
        check(lib.charnn_optimizer_sgd(array, n, lr, momentum, weight_decay, ctypes.byref(out)))
        super().__init__(out.value, params)


__all__ = [
    "Graph", "default_graph", "step", "no_grad", "manual_seed", "Tensor", "Parameter", "tensor", "zeros", "uniform",
    "kaiming_uniform", "one_hot", "name_to_indices", "letter_to_tensor", "matmul", "linear", "cat", "narrow",
    "sigmoid", "tanh", "relu", "exp", "log", "log_softmax", "cross_entropy", "embedding", "Module", "Linear",
    "CrossEntropyLoss", "clip_grad_norm_", "Optimizer", "Adam", "AdamW", "SGD", "VOCABULARY", "DivergedError",
]
