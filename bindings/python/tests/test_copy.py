"""Pickling and copying (issue 16): a Model goes by value, through its checkpoint bytes; a Dataset
copies by value and refuses pickling. Before, all of them copied the raw C handle: collecting the
copy freed the original's model or dataset."""

import copy
import gc
import multiprocessing
import pickle

import pytest

import charnn

from conftest import LABELS, generated_names

NAMES = ["abcd", "pqrs", "KL-MN", "hhh", "Żak"]


def predictions(model):
    return model.predict_many(NAMES, k=3)


@pytest.fixture
def fitted():
    names, labels = generated_names(120)
    with (
        charnn.Dataset(names, labels, LABELS) as data,
        charnn.Model(LABELS, kind="gru", hidden_size=8, num_layers=1, seed=4) as model,
    ):
        model.fit(data, epochs=2, batch_size=8, lr=2e-2, progress=False)
        yield model


COPIERS = {
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
    **{
        f"pickle{p}": (lambda p: lambda m: pickle.loads(pickle.dumps(m, protocol=p)))(p)
        for p in range(pickle.HIGHEST_PROTOCOL + 1)
    },
}


@pytest.mark.parametrize("how", sorted(COPIERS))
def test_model_copies_by_value(fitted, how):
    expected = predictions(fitted)
    duplicate = COPIERS[how](fitted)
    assert type(duplicate) is charnn.Model and duplicate is not fitted
    assert duplicate._pointer != fitted._pointer
    assert predictions(duplicate) == expected
    assert duplicate.to_bytes() == fitted.to_bytes()
    # Collecting the copy leaves the original working (it used to free the shared handle).
    del duplicate
    gc.collect()
    assert predictions(fitted) == expected
    # And closing the original leaves a copy working.
    other = COPIERS[how](fitted)
    fitted.close()
    assert predictions(other) == expected
    other.close()


def test_copy_keeps_its_weights_while_the_original_trains(fitted):
    before, weights = predictions(fitted), fitted.to_bytes()
    best = copy.deepcopy(fitted)
    names, labels = generated_names(90, seed=7)
    with charnn.Dataset(names, labels, LABELS) as more:
        fitted.fit(more, epochs=2, batch_size=4, lr=5e-2, progress=False)
    assert fitted.to_bytes() != weights
    assert best.to_bytes() == weights and predictions(best) == before
    # Training the copy leaves the original alone too.
    after = fitted.to_bytes()
    with charnn.Dataset(names, labels, LABELS) as more:
        best.fit(more, epochs=1, batch_size=4, lr=5e-2, progress=False)
    assert fitted.to_bytes() == after


def test_history_comes_along(fitted):
    assert fitted.history and len(fitted.history) == 2
    deep = copy.deepcopy(fitted)
    assert deep.history is not fitted.history
    # repr: without validation the records hold NaN, which equals nothing once unpickled.
    assert repr(deep.history) == repr(fitted.history)
    assert repr(pickle.loads(pickle.dumps(fitted)).history) == repr(fitted.history)
    fresh = charnn.Model(LABELS, hidden_size=4, num_layers=1)
    assert copy.deepcopy(fresh).history is None and "history" not in copy.copy(fresh).__dict__


def test_to_bytes_is_the_checkpoint_file(tmp_path, fitted):
    path = tmp_path / "m.safetensors"
    fitted.save(path)
    data = fitted.to_bytes()
    assert isinstance(data, bytes) and data == path.read_bytes()
    assert predictions(charnn.Model.from_bytes(data)) == predictions(fitted)


@pytest.mark.parametrize(
    "options",
    [
        dict(kind="elman", hidden_size=6),
        dict(kind="lstm", hidden_size=6, num_layers=2, embedding_size=4, bidirectional=True, pooling="max"),
        dict(kind="gru", hidden_size=0, ngrams=64, ngram_dim=4),
        dict(
            kind="gru",
            hidden_size=6,
            num_layers=1,
            alphabet="explicit",
            symbols="abcdefghpqrstuvwKLMNO-",
            casefold=True,
        ),
    ],
)
def test_every_kind_round_trips(options):
    with charnn.Model(LABELS, seed=9, **options) as model:
        again = pickle.loads(pickle.dumps(model))
        assert again.to_bytes() == model.to_bytes()
        assert (again.kind, again.hidden_size, again.text_config) == (model.kind, model.hidden_size, model.text_config)
        assert predictions(again) == predictions(model)


def test_closed_model_refuses():
    model = charnn.Model(LABELS, hidden_size=4, num_layers=1)
    model.close()
    for attempt in (
        model.to_bytes,
        lambda: pickle.dumps(model),
        lambda: copy.copy(model),
        lambda: copy.deepcopy(model),
    ):
        with pytest.raises(charnn.ClosedError, match="closed"):
            attempt()


def test_copy_while_training_is_busy(fitted):
    names, labels = generated_names(60)
    seen = []

    def callback(progress):
        for attempt in (fitted.to_bytes, lambda: copy.deepcopy(fitted), lambda: pickle.dumps(fitted)):
            try:
                attempt()
                seen.append(None)
            except charnn.BusyError as error:
                seen.append(type(error))

    with charnn.Dataset(names, labels, LABELS) as data:
        fitted.fit(data, epochs=1, batch_size=20, lr=1e-2, progress=False, callback=callback)
    assert seen and set(seen) == {charnn.BusyError}
    assert predictions(copy.deepcopy(fitted)) == predictions(fitted)


def _predict_in_child(model):
    """Runs in a spawned process: the model arrives pickled, predicts, and goes back pickled."""
    return predictions(model), model


def test_multiprocessing_spawn(fitted):
    expected = predictions(fitted)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_predict_in_child, [fitted, fitted])
    for got, returned in results:
        assert got == expected
        assert returned.to_bytes() == fitted.to_bytes()
    assert predictions(fitted) == expected


def test_joblib(fitted):
    joblib = pytest.importorskip("joblib")
    expected = predictions(fitted)
    results = joblib.Parallel(n_jobs=2)(joblib.delayed(_predict_in_child)(fitted) for _ in range(2))
    assert [got for got, _ in results] == [expected, expected]
    assert predictions(fitted) == expected


# -- datasets ------------------------------------------------------------------------------


def _same_dataset(a, b):
    assert list(a) == list(b)
    assert a.labels == b.labels and a.skipped == b.skipped and a.label_counts == b.label_counts
    assert a.summary() == b.summary()


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy])
def test_dataset_copies_by_value(copier):
    # Skipped rows (digits the article's alphabet lacks) and a label with no example.
    names, labels = generated_names(60)
    names += ["abc1", "pq2"]
    labels += [0, 1]
    original = charnn.Dataset(names, labels, LABELS + ["Unused"])
    assert len(original.skipped) == 2 and original.label_counts["Unused"] == 0
    duplicate = copier(original)
    assert type(duplicate) is charnn.Dataset and duplicate._pointer != original._pointer
    _same_dataset(duplicate, original)
    del duplicate
    gc.collect()
    assert len(original) == 60
    other = copier(original)
    expected = list(original)
    original.close()
    assert list(other) == expected


def test_dataset_copy_keeps_a_learned_alphabet():
    texts = ["Straße", "İstanbul", "東京", "Ἀθῆναι", "Dvořák", "Øresund"] * 3
    labels = ["de", "tr", "ja", "el", "cs", "da"] * 3
    with charnn.Dataset(texts, labels, alphabet="learned", normalize="nfkc", casefold=True, min_count=2) as original:
        duplicate = copy.deepcopy(original)
        _same_dataset(duplicate, original)
        with (
            charnn.Model(original, hidden_size=4, num_layers=1) as a,
            charnn.Model(duplicate, hidden_size=4, num_layers=1) as b,
        ):
            assert a.text_config == b.text_config and a.to_bytes() == b.to_bytes()
        for x, y in zip(original.split(0.5, seed=3), duplicate.split(0.5, seed=3)):
            _same_dataset(x, y)


def test_dataset_copy_keeps_python_attributes():
    names, labels = generated_names(30)
    original = charnn.Dataset(names, labels, LABELS)
    original.note = ["mine"]
    assert copy.copy(original).note is original.note
    deep = copy.deepcopy(original)
    assert deep.note == ["mine"] and deep.note is not original.note


def test_dataset_refuses_pickling(small):
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError, match="cannot be pickled.*Dataset.load"):
            pickle.dumps(small, protocol=protocol)
    assert len(small) == 300


def test_closed_dataset_refuses_copying():
    names, labels = generated_names(30)
    data = charnn.Dataset(names, labels, LABELS)
    data.close()
    for copier in (copy.copy, copy.deepcopy):
        with pytest.raises(charnn.ClosedError):
            copier(data)


# charnn.nn's objects hold C pointers too: copying the pointer would let the copy free the
# original's object. Parameters copy by value (so copy.deepcopy of a module works); graphs,
# optimizers and graph tensors refuse.
def test_nn_parameters_copy_by_value_and_modules_deepcopy():
    from charnn import nn

    layer = nn.Linear(3, 2)
    twin = copy.deepcopy(layer)
    assert twin.weight.tolist() == layer.weight.tolist() and twin.weight._handle != layer.weight._handle
    del layer
    gc.collect()
    assert len(twin.weight.tolist()) == 2  # the copy's weights are its own
    p = nn.Parameter([[1.0, 2.0]])
    q = copy.copy(p)
    q.copy_([[5.0, 6.0]])
    assert p.tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize("make", ["graph", "optimizer", "tensor"])
def test_nn_handles_refuse_copy_and_pickle(make):
    from charnn import nn

    p = nn.Parameter([[1.0, 2.0]])
    obj = {"graph": nn.Graph, "optimizer": lambda: nn.SGD([p], lr=0.1), "tensor": lambda: p * p}[make]()
    for attempt in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match="cannot be copied or pickled"):
            attempt(obj)
