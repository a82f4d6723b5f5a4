"""Model.evaluate's metrics: top-k accuracy, per-label precision/recall/F1/support, macro and
weighted averages, the confusion matrix and report(), against a plain recomputation from the
model's own predictions and, when it is installed, scikit-learn."""

import math

import pytest

import charnn

from conftest import LABELS, generated_names

#: The model knows a fourth label that the data never has.
MODEL_LABELS = LABELS + ["Spare"]


@pytest.fixture(scope="module")
def confused():
    """A briefly trained GRU over four labels, and overlapping test data: it makes mistakes."""
    names, labels = generated_names(240, seed=3)
    # Mix the pools so that some names of one label look like another's.
    names = [name if i % 4 else name[:1] + names[(i + 1) % len(names)][1:] for i, name in enumerate(names)]
    data = charnn.Dataset(names, labels, LABELS)
    train, test = data.split(0.3, seed=4)
    model = charnn.Model(MODEL_LABELS, kind="gru", hidden_size=8, num_layers=1, seed=5)
    model.fit(train, epochs=1, batch_size=16, lr=1e-2, progress=False)
    return model, test


def truth_and_predictions(model, data, k):
    """(true label, top-k labels) for every name of data, from predict_many."""
    pairs = list(data)
    top = model.predict_many([name for name, _ in pairs], k=k)
    return [label for _, label in pairs], [[label for label, _ in row] for row in top]


def recomputed(labels, y_true, y_pred):
    """Precision, recall, F1, support per label with zero_division=0, and the present labels."""
    out = {}
    for name in labels:
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == p == name)
        support = sum(1 for t in y_true if t == name)
        predicted = sum(1 for p in y_pred if p == name)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[name] = (precision, recall, f1, support, predicted)
    return out


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_metrics_match_a_recomputation(confused, k):
    model, test = confused
    result = model.evaluate(test, k=k)
    y_true, top = truth_and_predictions(model, test, k)
    y_pred = [row[0] for row in top]
    assert result.k == k and result.total == len(test) == len(y_true)
    assert result.accuracy == pytest.approx(sum(t == p for t, p in zip(y_true, y_pred)) / len(y_true), abs=1e-12)
    assert result.top_k_accuracy == pytest.approx(sum(t in row for t, row in zip(y_true, top)) / len(y_true), abs=1e-12)
    assert result.correct == sum(t == p for t, p in zip(y_true, y_pred))
    expected = recomputed(MODEL_LABELS, y_true, y_pred)
    for name, (precision, recall, f1, support, predicted) in expected.items():
        assert result.precision[name] == pytest.approx(precision, abs=1e-12)
        assert result.recall[name] == pytest.approx(recall, abs=1e-12)
        assert result.f1[name] == pytest.approx(f1, abs=1e-12)
        assert (result.support[name], result.predicted[name]) == (support, predicted)
    present = [name for name, v in expected.items() if v[3] or v[4]]
    assert result.present_labels == present
    assert ("Spare" in present) == (result.predicted["Spare"] > 0)
    assert result.macro_f1 == pytest.approx(sum(expected[n][2] for n in present) / len(present), abs=1e-12)
    assert result.macro_precision == pytest.approx(sum(expected[n][0] for n in present) / len(present), abs=1e-12)
    assert result.macro_recall == pytest.approx(sum(expected[n][1] for n in present) / len(present), abs=1e-12)
    assert result.weighted_f1 == pytest.approx(sum(v[2] * v[3] for v in expected.values()) / len(y_true), abs=1e-12)
    assert result.weighted_recall == pytest.approx(result.accuracy, abs=1e-12)
    index = {name: i for i, name in enumerate(MODEL_LABELS)}
    confusion = [[0] * 4 for _ in range(4)]
    for t, p in zip(y_true, y_pred):
        confusion[index[t]][index[p]] += 1
    assert [[int(c) for c in row] for row in result.confusion] == confusion
    assert result.confusion_entries == sorted(
        (i, j, c) for i, row in enumerate(confusion) for j, c in enumerate(row) if c
    )
    if k == 4:
        assert result.top_k_accuracy == 1


def test_the_data_makes_mistakes(confused):
    """So the comparisons above are not all ones and zeros."""
    model, test = confused
    result = model.evaluate(test)
    assert 0.4 < result.accuracy < 1
    assert len(result.confusion_entries) > 3


def test_against_scikit_learn(confused):
    metrics = pytest.importorskip("sklearn.metrics")
    model, test = confused
    for k in (1, 2):
        result = model.evaluate(test, k=k)
        y_true, top = truth_and_predictions(model, test, k)
        y_pred = [row[0] for row in top]
        precision, recall, f1, support = metrics.precision_recall_fscore_support(
            y_true, y_pred, labels=MODEL_LABELS, zero_division=0
        )
        for i, name in enumerate(MODEL_LABELS):
            assert result.precision[name] == pytest.approx(precision[i], abs=1e-12)
            assert result.recall[name] == pytest.approx(recall[i], abs=1e-12)
            assert result.f1[name] == pytest.approx(f1[i], abs=1e-12)
            assert result.support[name] == support[i]
        assert result.macro_f1 == pytest.approx(
            metrics.f1_score(y_true, y_pred, average="macro", zero_division=0), abs=1e-12
        )
        assert result.weighted_f1 == pytest.approx(
            metrics.f1_score(y_true, y_pred, average="weighted", zero_division=0), abs=1e-12
        )
        assert result.accuracy == pytest.approx(metrics.accuracy_score(y_true, y_pred), abs=1e-12)
        assert (result.confusion == metrics.confusion_matrix(y_true, y_pred, labels=MODEL_LABELS)).all()
        if k == 1:
            expected = metrics.classification_report(y_true, y_pred, labels=result.present_labels, zero_division=0)
            assert result.report() == expected


def test_scikit_learn_on_a_label_never_predicted_and_one_without_names(trained):
    """Only "Early" names, so "Late" and "Upper" have no support; they count in the macro
    average only if predicted."""
    metrics = pytest.importorskip("sklearn.metrics")
    data = charnn.Dataset(["abc", "abcd", "hgfe", "pqrs"], [0, 0, 0, 0], LABELS)
    result = trained.evaluate(data, k=2)
    y_true, top = truth_and_predictions(trained, data, 1)
    y_pred = [row[0] for row in top]
    assert result.macro_f1 == pytest.approx(metrics.f1_score(y_true, y_pred, average="macro", zero_division=0))
    assert result.present_labels == sorted(set(y_true + y_pred), key=LABELS.index)


def test_labels_without_names_and_never_predicted(trained):
    data = charnn.Dataset(["abc", "abcd", "hgfe"], [0, 0, 0], LABELS)
    result = trained.evaluate(data)
    assert result.support == {"Early": 3, "Late": 0, "Upper": 0}
    assert result.recall["Late"] == 0 and result.precision["Upper"] == 0 and result.f1["Upper"] == 0
    assert math.isnan(result.per_class_accuracy[1]) and math.isnan(result.per_class_accuracy[2])
    assert not any(math.isnan(v) for d in (result.precision, result.recall, result.f1) for v in d.values())
    if result.accuracy == 1:
        assert result.present_labels == ["Early"] and result.macro_f1 == 1


def test_k_is_checked(trained, split):
    _, test = split
    for k in (0, 4, 2**40):
        with pytest.raises(charnn.InvalidArgumentError, match="k"):
            trained.evaluate(test, k=k)
    with pytest.raises(ValueError):
        trained.evaluate(test, k=-1)
    with pytest.raises(TypeError, match="k must be an int"):
        trained.evaluate(test, k="2")
    with pytest.raises(TypeError, match="k must be an int"):
        trained.evaluate(test, k=True)
    assert trained.evaluate(test, k=3).top_k_accuracy == 1
    with pytest.raises(TypeError, match="data must be a charnn.Dataset"):
        trained.evaluate([("abc", "Early")])


def test_backward_compatible_fields(trained, split):
    _, test = split
    result = trained.evaluate(test)
    assert isinstance(result, charnn.Evaluation) and result.labels == LABELS
    assert result.top_k_accuracy == result.accuracy and result.k == 1
    rows = [[int(c) for c in row] for row in result.confusion]
    assert result.per_class_accuracy == [row[i] / sum(row) for i, row in enumerate(rows)]
    assert [list(map(float, row)) for row in result.normalized_confusion][0][0] == pytest.approx(
        rows[0][0] / sum(rows[0])
    )
    assert "accuracy" in repr(result) and "macro-F1" in repr(result)


def test_confusion_is_numpy_with_numpy(trained, split):
    np = pytest.importorskip("numpy")
    result = trained.evaluate(split[1])
    assert isinstance(result.confusion, np.ndarray) and result.confusion.dtype == np.int64
    assert result.confusion.shape == (3, 3) and result.confusion.sum() == result.total


def test_report(confused):
    model, test = confused
    result = model.evaluate(test, k=2)
    report = result.report()
    lines = report.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    for name in result.present_labels:
        row = next(line for line in lines if line.split()[:1] == [name])
        assert row.split()[1:] == [
            f"{result.precision[name]:.2f}",
            f"{result.recall[name]:.2f}",
            f"{result.f1[name]:.2f}",
            str(result.support[name]),
        ]
    assert any(line.split() == ["accuracy", f"{result.accuracy:.2f}", str(result.total)] for line in lines)
    assert any(
        line.split() == ["top-2", "accuracy", f"{result.top_k_accuracy:.2f}", str(result.total)] for line in lines
    )
    assert any(line.split()[:2] == ["macro", "avg"] for line in lines)
    assert lines[-1].split()[:2] == ["weighted", "avg"]
    assert "Spare" in result.report(all_labels=True)
    assert ("Spare" in report) == (result.predicted["Spare"] > 0)
    assert result.report(digits=4).count(f"{result.macro_f1:.4f}") >= 1


def test_evaluate_on_a_closed_model_or_dataset(split):
    model = charnn.Model(LABELS, hidden_size=4, num_layers=1)
    _, test = split
    model.close()
    with pytest.raises(charnn.ClosedError):
        model.evaluate(test)


def test_fields_are_typed():
    import typing

    np = pytest.importorskip("numpy")
    import numpy.typing

    fields = typing.get_type_hints(charnn.Evaluation)
    assert fields["accuracy"] is float and fields["macro_f1"] is float and fields["labels"] == typing.List[str]
    assert (
        fields["support"] == typing.Dict[str, int]
        and fields["confusion_entries"] == typing.List[typing.Tuple[int, int, int]]
    )
    confusion = typing.get_type_hints(charnn.Evaluation.confusion.fget, localns={"numpy": np})["return"]
    assert typing.get_args(confusion) == (typing.List[typing.List[int]], numpy.typing.NDArray[np.int64])
    normalized = typing.get_type_hints(charnn.Evaluation.normalized_confusion.fget, localns={"numpy": np})["return"]
    assert typing.get_args(normalized) == (typing.List[typing.List[float]], numpy.typing.NDArray[np.float64])
