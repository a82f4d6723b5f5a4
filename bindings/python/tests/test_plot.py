"""The confusion-matrix figure."""

import sys

import pytest

import charnn

from conftest import LABELS


def test_plot_writes_a_png(trained, split, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "confusion.png"
    figure = charnn.plot_confusion_matrix(trained.evaluate(split[1]), path, title="GRU")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == LABELS


def test_plot_from_a_matrix(tmp_path):
    pytest.importorskip("matplotlib")
    charnn.plot_confusion_matrix([[3, 1], [0, 4]], tmp_path / "m.png", labels=["A", "B"])
    with pytest.raises(ValueError, match="square"):
        charnn.plot_confusion_matrix([[1, 2, 3], [4, 5, 6]], labels=["A", "B"])


def test_plot_without_matplotlib_says_so(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        charnn.plot_confusion_matrix([[1]], labels=["A"])
