"""Modules, the loss, gradient clipping and the optimizers (like ``torch.nn`` and ``torch.optim``)."""

from __future__ import annotations

import ctypes
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

from .. import _defaults, _lib
from .._core import Handle, ProcessLocal, check, handle_of, lib
from ._ops import cross_entropy, linear
from ._tensor import Parameter, Tensor
from ..errors import ArgumentTypeError


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
        bound = 1 / in_features**0.5
        self.weight = Parameter.uniform(out_features, in_features, low=-bound, high=bound, seed=seed)
        self.bias = (
            Parameter.uniform(out_features, low=-bound, high=bound, seed=None if seed is None else seed + 1)
            if bias
            else None
        )

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
            raise ArgumentTypeError(f"expected charnn.nn.Parameter, got {type(p).__name__}")
    return (ctypes.c_void_p * max(len(params), 1))(*[p._handle for p in params]), len(params)


def clip_grad_norm_(parameters: Iterable[Parameter], max_norm: float) -> float:
    """``torch.nn.utils.clip_grad_norm_``: returns the total norm before clipping."""
    array, n = _parameter_array(parameters)
    norm = ctypes.c_float()
    check(lib.charnn_parameters_clip_grad_norm(array, n, max_norm, ctypes.byref(norm)))
    return norm.value


class Optimizer(Handle, ProcessLocal):
    """Base of :class:`Adam`, :class:`AdamW` and :class:`SGD` (a ``charnn_optimizer``). Freed
    (not its parameters) by :meth:`close`, a ``with`` block or garbage collection."""

    _free_name = "charnn_optimizer_free"

    def __init__(self, handle: int, parameters: List[Parameter]) -> None:
        super().__init__(handle)
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


_ADAM, _SGD = _defaults.ADAM, _defaults.SGD  # charnn_adam_config_init's and charnn_sgd_config_init's


class Adam(Optimizer):
    """``torch.optim.Adam`` (``decoupled=True`` is ``AdamW``); the defaults are
    ``charnn_adam_config_init``'s, PyTorch's."""

    def __init__(
        self,
        parameters: Iterable[Parameter],
        lr: float = _ADAM["learning_rate"],
        betas: Tuple[float, float] = (_ADAM["beta1"], _ADAM["beta2"]),
        eps: float = _ADAM["epsilon"],
        weight_decay: float = _ADAM["weight_decay"],
        decoupled: bool = bool(_ADAM["decoupled"]),
    ) -> None:
        params = list(parameters)
        array, n = _parameter_array(params)
        config = _lib.AdamConfig()
        lib.charnn_adam_config_init(ctypes.byref(config))
        config.learning_rate, (config.beta1, config.beta2), config.epsilon = lr, betas, eps
        config.weight_decay, config.decoupled = weight_decay, 1 if decoupled else 0
        out = ctypes.c_void_p()
        check(lib.charnn_optimizer_create_adam(array, n, ctypes.byref(config), ctypes.byref(out)))
        super().__init__(handle_of(out), params)


class AdamW(Adam):
    """``torch.optim.AdamW``: Adam with decoupled weight decay (default 0.01, PyTorch's AdamW
    default; charnn's Adam config has none of its own)."""

    def __init__(
        self,
        parameters: Iterable[Parameter],
        lr: float = _ADAM["learning_rate"],
        betas: Tuple[float, float] = (_ADAM["beta1"], _ADAM["beta2"]),
        eps: float = _ADAM["epsilon"],
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(parameters, lr, betas, eps, weight_decay, decoupled=True)


class SGD(Optimizer):
    """``torch.optim.SGD`` with momentum and weight decay."""

    def __init__(
        self,
        parameters: Iterable[Parameter],
        lr: float,
        momentum: float = _SGD["momentum"],
        weight_decay: float = _SGD["weight_decay"],
    ) -> None:
        params = list(parameters)
        array, n = _parameter_array(params)
        config = _lib.SgdConfig()
        lib.charnn_sgd_config_init(ctypes.byref(config))
        config.learning_rate, config.momentum, config.weight_decay = lr, momentum, weight_decay
        out = ctypes.c_void_p()
        check(lib.charnn_optimizer_create_sgd(array, n, ctypes.byref(config), ctypes.byref(out)))
        super().__init__(handle_of(out), params)
