"""The confusion-matrix figure of the PyTorch tutorial, with matplotlib."""

from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence, Union

from .errors import InvalidArgumentError


def plot_confusion_matrix(
    evaluation: Any,
    path: Optional[Union[str, "os.PathLike[str]"]] = None,
    labels: Optional[Sequence[str]] = None,
    normalize: bool = True,
    title: Optional[str] = None,
) -> Any:
    """Draws a confusion matrix like the PyTorch tutorial's figure (rows: true label, columns:
    predicted, each row normalised) and saves it as a PNG when ``path`` is given.

    ``evaluation`` is a :class:`charnn.Evaluation` or a square matrix of counts (then pass
    ``labels``). Returns the matplotlib ``Figure``. Needs matplotlib (``pip install
    matplotlib``); raises ImportError saying so otherwise. Uses no GUI backend, so it works on
    servers and in tests.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plot_confusion_matrix needs matplotlib: pip install matplotlib") from None
    if hasattr(evaluation, "confusion"):
        matrix: List[List[float]] = [[int(c) for c in row] for row in evaluation.confusion]
        labels = list(labels) if labels is not None else list(evaluation.labels)
    else:
        matrix = [[float(c) for c in row] for row in evaluation]
        if labels is None:
            labels = [str(i) for i in range(len(matrix))]
        labels = list(labels)
    if any(len(row) != len(matrix) for row in matrix) or len(labels) != len(matrix):
        raise InvalidArgumentError("the confusion matrix must be square with one label per row")
    if normalize:
        matrix = [[c / sum(row) if sum(row) else 0.0 for c in row] for row in matrix]

    size = max(4.0, 0.45 * len(labels) + 2)
    figure = Figure(figsize=(size, size))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(111)
    image = axes.matshow(matrix, cmap="viridis")
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    axes.set_xticks(range(len(labels)))
    axes.set_yticks(range(len(labels)))
    axes.set_xticklabels(labels, rotation=90)
    axes.set_yticklabels(labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.xaxis.set_label_position("top")
    if title:
        axes.set_title(title, pad=40)
    figure.tight_layout()
    if path is not None:
        figure.savefig(os.fspath(path), dpi=100)
    return figure
