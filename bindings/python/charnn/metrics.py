"""charnn.Evaluation: what ``Model.evaluate`` measures, read from a ``charnn_metrics`` handle."""

from __future__ import annotations

import ctypes
import math
from typing import Any, Dict, List, Optional, TYPE_CHECKING, Tuple, Union

from ._core import check, handle_of, lib
from .errors import ArgumentTypeError, BufferTooSmallError, InvalidArgumentError

if TYPE_CHECKING:
    import numpy
    import numpy.typing

#: ``Evaluation.confusion``: a NumPy int64 array when NumPy is installed, else a list of lists.
ConfusionMatrix = Union[List[List[int]], "numpy.typing.NDArray[numpy.int64]"]
#: ``Evaluation.normalized_confusion``: a NumPy float64 array when NumPy is installed, else lists.
NormalizedConfusionMatrix = Union[List[List[float]], "numpy.typing.NDArray[numpy.float64]"]

#: charnn.h's CHARNN_AVERAGE_* values.
_MACRO, _WEIGHTED = 0, 1


class Evaluation:
    """How a model did on a dataset (``Model.evaluate(data, k)``).

    - ``accuracy``: the share of names predicted right (top-1); ``top_k_accuracy``: the share
      whose true label is among the ``k`` most likely (equal to ``accuracy`` for ``k = 1``);
    - per label, as dicts keyed by label name in the model's label order: ``precision``,
      ``recall``, ``f1``, ``support`` (its names in the data) and ``predicted`` (names predicted
      as it);
    - ``macro_precision``, ``macro_recall``, ``macro_f1``: plain means over the *present*
      labels (``present_labels``: those with names in the data or predicted at least once),
      as scikit-learn's ``f1_score(y_true, y_pred, average="macro")`` computes them;
      ``weighted_precision``, ``weighted_recall``, ``weighted_f1``: means weighted by support;
    - ``confusion[i][j]``: names of label ``i`` predicted as ``j`` (a NumPy int64 array when
      NumPy is installed, else a list of lists; built on first use, labels² numbers), and
      ``confusion_entries``: its non-zero cells as ``(true index, predicted index, count)``,
      a list as long as the data at most, whatever the label count;
    - ``per_class_accuracy`` (0.1's list, NaN for a label with no names) and
      ``normalized_confusion`` as before; :meth:`report` a text table like scikit-learn's
      ``classification_report``.

    Conventions are scikit-learn's with ``zero_division=0``: a label never predicted has
    precision 0, a label with no names recall 0, F1 is 0 when both are; nothing is NaN except
    ``per_class_accuracy``'s labels without names.
    """

    labels: List[str]
    k: int
    total: int
    accuracy: float
    top_k_accuracy: float
    precision: Dict[str, float]
    recall: Dict[str, float]
    f1: Dict[str, float]
    support: Dict[str, int]
    predicted: Dict[str, int]
    macro_precision: float
    macro_recall: float
    macro_f1: float
    weighted_precision: float
    weighted_recall: float
    weighted_f1: float
    confusion_entries: List[Tuple[int, int, int]]

    def __init__(
        self,
        labels: List[str],
        k: int,
        total: int,
        accuracy: float,
        top_k_accuracy: float,
        classes: List[Tuple[float, float, float, int, int]],
        macro: Tuple[float, float, float],
        weighted: Tuple[float, float, float],
        entries: List[Tuple[int, int, int]],
    ) -> None:
        self.labels = list(labels)
        self.k = k
        self.total = total
        self.accuracy = accuracy
        self.top_k_accuracy = top_k_accuracy
        self.precision = {name: c[0] for name, c in zip(labels, classes)}
        self.recall = {name: c[1] for name, c in zip(labels, classes)}
        self.f1 = {name: c[2] for name, c in zip(labels, classes)}
        self.support = {name: c[3] for name, c in zip(labels, classes)}
        self.predicted = {name: c[4] for name, c in zip(labels, classes)}
        self.macro_precision, self.macro_recall, self.macro_f1 = macro
        self.weighted_precision, self.weighted_recall, self.weighted_f1 = weighted
        self.confusion_entries = list(entries)
        self._confusion: Optional[ConfusionMatrix] = None

    @classmethod
    def _from_handle(cls, handle: int, labels: List[str]) -> "Evaluation":
        """Reads everything from a live charnn_metrics handle (the caller frees it)."""
        size, i64, f64 = ctypes.c_size_t(), ctypes.c_int64(), ctypes.c_double()
        check(lib.charnn_metrics_k(handle, ctypes.byref(size)))
        k = size.value
        check(lib.charnn_metrics_total(handle, ctypes.byref(i64)))
        total = i64.value
        check(lib.charnn_metrics_accuracy(handle, ctypes.byref(f64)))
        accuracy = f64.value
        check(lib.charnn_metrics_top_k_accuracy(handle, ctypes.byref(f64)))
        top_k = f64.value
        p, r, f = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        support, predicted = ctypes.c_int64(), ctypes.c_int64()
        classes = []
        for i in range(len(labels)):
            check(
                lib.charnn_metrics_class(
                    handle,
                    i,
                    ctypes.byref(p),
                    ctypes.byref(r),
                    ctypes.byref(f),
                    ctypes.byref(support),
                    ctypes.byref(predicted),
                )
            )
            classes.append((p.value, r.value, f.value, support.value, predicted.value))
        averages = []
        for average in (_MACRO, _WEIGHTED):
            check(lib.charnn_metrics_average(handle, average, ctypes.byref(p), ctypes.byref(r), ctypes.byref(f), None))
            averages.append((p.value, r.value, f.value))
        count = ctypes.c_size_t()
        status = lib.charnn_metrics_confusion_entries(handle, None, None, None, 0, ctypes.byref(count))
        if status != BufferTooSmallError.status:  # the answer we asked for, unless there are no cells
            check(status)
        n = count.value
        true_labels, predicted_labels = (ctypes.c_int32 * max(n, 1))(), (ctypes.c_int32 * max(n, 1))()
        counts = (ctypes.c_int64 * max(n, 1))()
        check(lib.charnn_metrics_confusion_entries(handle, true_labels, predicted_labels, counts, n, None))
        entries = [(true_labels[i], predicted_labels[i], counts[i]) for i in range(n)]
        return cls(labels, k, total, accuracy, top_k, classes, averages[0], averages[1], entries)

    # -- derived ---------------------------------------------------------------------------

    @property
    def correct(self) -> int:
        """Names predicted right (top-1)."""
        return sum(count for t, p, count in self.confusion_entries if t == p)

    @property
    def present_labels(self) -> List[str]:
        """The labels with names in the data or predicted at least once: those macro averages
        run over (scikit-learn's ``unique_labels(y_true, y_pred)``)."""
        return [name for name in self.labels if self.support[name] or self.predicted[name]]

    @property
    def per_class_accuracy(self) -> List[float]:
        """For each label in order, the share of its names predicted right (its recall); NaN
        for a label with no names in the data."""
        return [self.recall[name] if self.support[name] else math.nan for name in self.labels]

    @property
    def confusion(self) -> ConfusionMatrix:
        """``confusion[i][j]``: names of label ``i`` predicted as ``j`` (rows true, columns
        predicted, in ``labels`` order): a NumPy int64 array when NumPy is installed, else a
        list of lists. Built on first use from ``confusion_entries`` (labels² numbers: with tens
        of thousands of labels use ``confusion_entries``)."""
        if self._confusion is None:
            n = len(self.labels)
            try:
                import numpy as np

                matrix: Any = np.zeros((n, n), dtype=np.int64)
            except ImportError:
                matrix = [[0] * n for _ in range(n)]
            for t, p, count in self.confusion_entries:
                matrix[t][p] = count
            self._confusion = matrix
        return self._confusion

    @property
    def normalized_confusion(self) -> NormalizedConfusionMatrix:
        """Every row divided by its total (rows of labels with no names stay zero)."""
        rows = [list(map(int, row)) for row in self.confusion]
        normalized = [[c / sum(row) if sum(row) else 0.0 for c in row] for row in rows]
        try:
            import numpy as np

            return np.array(normalized)
        except ImportError:
            return normalized

    def report(self, digits: int = 2, all_labels: bool = False) -> str:
        """A text table like scikit-learn's ``classification_report(y_true, y_pred)``: a row per
        present label (every label with ``all_labels``), then accuracy (and top-k accuracy when
        k > 1), macro and weighted averages."""
        names = self.labels if all_labels else self.present_labels
        headings = ["weighted avg"] + ([f"top-{self.k} accuracy"] if self.k > 1 else [])
        width = max([len(name) for name in names] + [len(h) for h in headings] + [digits])
        headers = ["precision", "recall", "f1-score", "support"]
        lines = ["{:>{width}s} ".format("", width=width) + "".join(" {:>9}".format(h) for h in headers), ""]
        row = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}"
        for name in names:
            lines.append(
                row.format(
                    name,
                    self.precision[name],
                    self.recall[name],
                    self.f1[name],
                    self.support[name],
                    width=width,
                    digits=digits,
                )
            )
        lines.append("")
        share = "{:>{width}s} " + " {:>9}" * 2 + " {:>9.{digits}f}" + " {:>9}"
        lines.append(share.format("accuracy", "", "", self.accuracy, self.total, width=width, digits=digits))
        if self.k > 1:
            lines.append(
                share.format(
                    f"top-{self.k} accuracy", "", "", self.top_k_accuracy, self.total, width=width, digits=digits
                )
            )
        lines.append(
            row.format(
                "macro avg",
                self.macro_precision,
                self.macro_recall,
                self.macro_f1,
                self.total,
                width=width,
                digits=digits,
            )
        )
        lines.append(
            row.format(
                "weighted avg",
                self.weighted_precision,
                self.weighted_recall,
                self.weighted_f1,
                self.total,
                width=width,
                digits=digits,
            )
        )
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        top_k = f", top-{self.k} accuracy {self.top_k_accuracy:.4f}" if self.k > 1 else ""
        return (
            f"<charnn.Evaluation of {self.total} names: accuracy {self.accuracy:.4f}{top_k}, "
            f"macro-F1 {self.macro_f1:.4f} over {len(self.present_labels)} of {len(self.labels)} labels>"
        )


def evaluate(model_handle: int, data_handle: int, labels: List[str], k: Any) -> Evaluation:
    """charnn_model_evaluate_metrics, read into an Evaluation, the handle freed."""
    if not isinstance(k, int) or isinstance(k, bool):
        raise ArgumentTypeError(f"k must be an int, not {type(k).__name__}")
    if k < 0 or k >= 2**64:
        raise InvalidArgumentError(f"k must be between 1 and the model's {len(labels)} labels, got {k}")
    out = ctypes.c_void_p()
    check(lib.charnn_model_evaluate_metrics(model_handle, data_handle, k, ctypes.byref(out)))
    try:
        return Evaluation._from_handle(handle_of(out), labels)
    finally:
        lib.charnn_metrics_free(out.value)
