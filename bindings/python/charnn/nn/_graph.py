"""Graphs (tapes), training steps, no_grad and the seeds of random initialisation."""

from __future__ import annotations

import ctypes
import random
import threading
from contextlib import contextmanager
from typing import Iterator, Optional

from .._core import Handle, ProcessLocal, check, handle_of, lib


class Graph(Handle, ProcessLocal):
    """A tape of recorded ops (``charnn_graph``). Tensors made on it live until :meth:`reset`;
    :meth:`close` (or a ``with`` block, or garbage collection) frees it and them."""

    _free_name = "charnn_graph_free"

    def __init__(self) -> None:
        out = ctypes.c_void_p()
        check(lib.charnn_graph_create(ctypes.byref(out)))
        super().__init__(handle_of(out))
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
