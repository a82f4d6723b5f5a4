"""charnn.Model: creation, training (learning, callbacks, Ctrl-C, progress bars), evaluation,
prediction, checkpoints, and every error path."""

import math
import os
import signal
import threading

import pytest

import charnn

from conftest import LABELS


@pytest.mark.parametrize("kind,layers", [("elman", 1), ("gru", 2), ("lstm", 2)])
def test_create_and_describe(kind, layers):
    with charnn.Model(LABELS, kind=kind, hidden_size=8, seed=3) as model:
        assert (model.kind, model.hidden_size, model.num_layers, model.seed) == (kind, 8, layers, 3)
        assert model.hidden_init == ("kaiming" if kind == "elman" else "zeros")
        assert model.labels == LABELS
        assert model.parameter_count > 0
        assert kind in repr(model)


def test_bad_model_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        charnn.Model(LABELS, kind="transformer")
    with pytest.raises(charnn.InvalidArgumentError, match="hidden size 0"):
        charnn.Model(LABELS, hidden_size=0)
    with pytest.raises(charnn.InvalidArgumentError, match="one layer"):
        charnn.Model(LABELS, kind="elman", num_layers=2)
    with pytest.raises(charnn.InvalidArgumentError, match="zero state"):
        charnn.Model(LABELS, kind="gru", hidden_init="kaiming")
    with pytest.raises(ValueError, match="hidden_init"):
        charnn.Model(LABELS, hidden_init="ones")
    with pytest.raises(TypeError):
        charnn.Model(LABELS, hidden_size="big")
    with pytest.raises(charnn.InvalidArgumentError, match="at least one label"):
        charnn.Model([])
    with pytest.raises(TypeError):
        charnn.Model("ABC")


@pytest.mark.parametrize("kind", ["elman", "gru", "lstm"])
def test_fit_learns(split, kind):
    train, test = split
    model = charnn.Model(LABELS, kind=kind, hidden_size=24, seed=4)
    before = model.evaluate(test).accuracy
    result = model.fit(train, epochs=12, batch_size=8, lr=2e-2, progress=False)
    after = model.evaluate(test)
    assert result.epochs_completed == 12 and result.steps_taken == 12 * 30 and not result.stopped_early
    assert after.accuracy >= 0.95, (before, after.accuracy)
    assert math.isfinite(result.last_epoch_loss)


def test_same_seed_same_model(split):
    train, test = split

    def run(seed):
        model = charnn.Model(LABELS, kind="gru", hidden_size=8, num_layers=1, seed=1)
        model.fit(train, epochs=1, batch_size=4, seed=seed, progress=False)
        return model.predict_many(["abc", "pqr", "KL-M"], k=3)

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_callback_sees_progress_and_can_stop(split, trained):
    train, _ = split
    seen = []

    def callback(p):
        seen.append(p)
        return len(seen) < 3

    result = trained.fit(train, epochs=2, batch_size=10, callback=callback, report_every=5, progress=False)
    assert result.stopped_early and result.steps_taken == 15 and result.epochs_completed == 0
    assert [p.step for p in seen] == [5, 10, 15]
    assert all(p.steps == 24 and p.epochs == 2 and math.isfinite(p.loss) for p in seen)
    assert trained.predict("abcd")[0][0] == "Early"  # still usable


def test_an_exception_in_the_callback_stops_training_and_propagates(split):
    train, _ = split
    model = charnn.Model(LABELS, kind="elman", hidden_size=8)

    def callback(p):
        raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError, match="from the callback"):
        model.fit(train, callback=callback, progress=False)
    assert len(model.predict("abc")) == 3


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_stops_cleanly_and_keeps_the_model(split):
    train, _ = split
    model = charnn.Model(LABELS, kind="gru", hidden_size=8, num_layers=1)
    calls = []

    def callback(p):
        calls.append(p.step)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C does

    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt, match="keeps what it learned"):
        model.fit(train, epochs=3, batch_size=8, callback=callback, report_every=1, progress=False)
    assert len(calls) <= 4  # stopped within a step or two of the signal, not after 3 epochs
    assert signal.getsignal(signal.SIGINT) is handler  # the caller's handler is back
    assert len(model.predict("abc")) == 3


def test_predicting_from_the_training_callback_is_busy(split):
    train, _ = split
    model = charnn.Model(LABELS, kind="gru", hidden_size=8, num_layers=1)
    errors = []

    def callback(p):
        try:
            model.predict("abc")
        except charnn.BusyError as error:
            errors.append(error)
        return False

    model.fit(train, callback=callback, progress=False)
    assert len(errors) == 1 and errors[0].status == 9 and "training" in errors[0].message


def test_plain_progress_bar(split, capsys):
    train, _ = split
    model = charnn.Model(LABELS, kind="elman", hidden_size=8)
    model.fit(train, epochs=1, batch_size=16, progress="plain")
    err = capsys.readouterr().err
    assert "epoch 1/1 [" in err and "15/15" in err and "loss" in err


def test_tqdm_progress_bar(split, capsys):
    pytest.importorskip("tqdm")
    train, _ = split
    model = charnn.Model(LABELS, kind="elman", hidden_size=8)
    model.fit(train, epochs=2, batch_size=16, progress="tqdm")
    err = capsys.readouterr().err
    assert "30/30" in err and "epoch 2/2" in err


def test_no_progress_bar(split, capsys):
    train, _ = split
    charnn.Model(LABELS, kind="elman", hidden_size=8).fit(train, epochs=1, batch_size=16, progress=False)
    assert capsys.readouterr().err == ""


def test_fit_argument_errors(split):
    train, _ = split
    model = charnn.Model(LABELS, kind="elman", hidden_size=8)
    with pytest.raises(TypeError, match="charnn.Dataset"):
        model.fit([("abc", "Early")])
    with pytest.raises(ValueError, match="optimizer"):
        model.fit(train, optimizer="lbfgs")
    with pytest.raises(charnn.InvalidArgumentError, match="learning_rate is -1"):
        model.fit(train, lr=-1, progress=False)
    with pytest.raises(ValueError, match="clip must be positive"):
        model.fit(train, clip=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(train, batch_size=0)
    with pytest.raises(TypeError, match="callback must be callable"):
        model.fit(train, callback=3)
    other = charnn.Dataset(["abc"], [0], ["X", "Y", "Z"])
    with pytest.raises(charnn.InvalidArgumentError, match="labels"):
        model.fit(other, progress=False)
    with pytest.raises(charnn.InvalidArgumentError, match="labels"):
        model.evaluate(other)


def test_evaluation(trained, split):
    _, test = split
    result = trained.evaluate(test)
    assert result.labels == LABELS
    confusion = [[int(c) for c in row] for row in result.confusion]
    assert sum(map(sum, confusion)) == len(test)
    correct = sum(1 for name, label in test if trained.predict(name, k=1)[0][0] == label)
    assert result.accuracy == pytest.approx(correct / len(test))
    for i, row in enumerate(confusion):
        assert result.per_class_accuracy[i] == pytest.approx(row[i] / sum(row))
        assert sum(result.normalized_confusion[i]) == pytest.approx(1)
    partial = trained.evaluate(charnn.Dataset(["abc"], [0], LABELS))
    assert math.isnan(partial.per_class_accuracy[2])


def test_confusion_is_a_numpy_array_when_numpy_is_installed(trained, split):
    np = pytest.importorskip("numpy")
    result = trained.evaluate(split[1])
    assert isinstance(result.confusion, np.ndarray) and result.confusion.shape == (3, 3)
    assert result.confusion.dtype == np.int64


def test_predict(trained):
    top = trained.predict("abcd", k=5)
    assert [label for label, _ in top][0] == "Early" and len(top) == 3
    assert sum(p for _, p in top) == pytest.approx(1, abs=1e-5)
    assert all(a[1] >= b[1] for a, b in zip(top, top[1:]))
    assert trained.predict("ab1cd", k=1) == trained.predict("abcd", k=1)
    assert trained.predict("àbçd", k=2) == trained.predict("abcd", k=2)
    many = trained.predict_many(["abc", "pqrs", "KL-MN"], k=2)
    assert [row[0][0] for row in many] == ["Early", "Late", "Upper"]
    for name, row in zip(["abc", "pqrs", "KL-MN"], many):
        single = trained.predict(name, k=2)
        assert [l for l, _ in row] == [l for l, _ in single]
        assert [p for _, p in row] == pytest.approx([p for _, p in single], abs=1e-6)
    assert trained.predict_many([], k=1) == []


def test_predict_errors(trained):
    for bad in ("", "123", "😀★"):  # (Cyrillic is transliterated: "Иван" reads as "Ivan")
        with pytest.raises(charnn.InvalidArgumentError, match="no character the model can read"):
            trained.predict(bad)
    with pytest.raises(charnn.InvalidArgumentError, match="longer than 1024"):
        trained.predict("a" * 2000)
    with pytest.raises(ValueError, match="k must be in"):
        trained.predict("abc", k=0)
    with pytest.raises(TypeError, match="name must be str"):
        trained.predict(42)
    with pytest.raises(TypeError):
        trained.predict(b"abc")
    with pytest.raises(charnn.InvalidArgumentError, match="name 1"):
        trained.predict_many(["abc", "999"])
    with pytest.raises(TypeError):
        trained.predict_many("abc")


@pytest.mark.parametrize("kind", ["elman", "gru", "lstm"])
def test_save_and_load(tmp_path, kind):
    model = charnn.Model(LABELS, kind=kind, hidden_size=6, seed=8)
    path = tmp_path / "model.safetensors"
    model.save(path)
    loaded = charnn.Model.load(str(path))
    assert (loaded.kind, loaded.hidden_size, loaded.labels, loaded.seed) == (kind, 6, LABELS, 8)
    for name in ("Mike", "Qin", "Ślusàrski"):
        assert loaded.predict(name) == model.predict(name)
    assert os.listdir(tmp_path) == ["model.safetensors"]


def test_from_bytes(tmp_path, trained):
    path = tmp_path / "m.safetensors"
    trained.save(path)
    copy = charnn.Model.from_bytes(path.read_bytes())
    assert copy.predict("abcd") == trained.predict("abcd")
    with pytest.raises(charnn.InvalidCheckpointError, match="memory"):
        charnn.Model.from_bytes(b"\x00" * 12)
    with pytest.raises(TypeError):
        charnn.Model.from_bytes("not bytes")


def test_checkpoint_errors(tmp_path, trained):
    with pytest.raises(charnn.FileError, match="No such file"):
        charnn.Model.load(tmp_path / "missing.safetensors")
    with pytest.raises(charnn.FileError):
        trained.save(tmp_path / "no" / "dir" / "model.safetensors")
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(charnn.InvalidCheckpointError, match="garbage.safetensors"):
        charnn.Model.load(garbage)
    good = tmp_path / "good.safetensors"
    trained.save(good)
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(good.read_bytes()[:-10])
    with pytest.raises(charnn.InvalidCheckpointError, match="truncated"):
        charnn.Model.load(truncated)


def test_checkpoint_loads_in_pytorch(tmp_path, trained):
    torch = pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    import json
    from safetensors import safe_open

    path = tmp_path / "gru.safetensors"
    trained.save(path)
    vocabulary = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'"

    class Classifier(torch.nn.Module):
        def __init__(self, hidden, layers, classes):
            super().__init__()
            self.gru = torch.nn.GRU(len(vocabulary), hidden, layers)
            self.fc = torch.nn.Linear(hidden, classes)

        def forward(self, name):
            x = torch.zeros(len(name), 1, len(vocabulary))
            for t, ch in enumerate(name):
                x[t, 0, vocabulary.index(ch)] = 1
            output, _ = self.gru(x)
            return self.fc(output[-1])

    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
    model = Classifier(int(meta["hidden_size"]), int(meta["num_layers"]), len(json.loads(meta["labels"])))
    model.load_state_dict(safetensors_torch.load_file(str(path)))
    with torch.no_grad():
        for name in ("abc", "pqrs", "KL-MN"):
            expected = torch.softmax(model(name), 1)[0].tolist()
            got = dict(trained.predict(name, k=3))
            assert [got[label] for label in LABELS] == pytest.approx(expected, abs=1e-5)


def test_closed_models_refuse_use():
    model = charnn.Model(LABELS, kind="elman", hidden_size=4)
    model.close()
    model.close()
    for use in (
        lambda: model.predict("abc"),
        lambda: model.labels,
        lambda: model.save("x"),
        lambda: model.predict_many(["abc"]),
    ):
        with pytest.raises(charnn.ClosedError):
            use()
    with charnn.Model(LABELS, kind="elman", hidden_size=4) as scoped:
        scoped.predict("abc")
    assert scoped.closed and "closed" in repr(scoped)


def test_many_threads_predict_the_same(trained):
    names = ["abc", "pqrs", "KL-MN", "hgf"] * 50
    expected = [trained.predict(n, k=1)[0][0] for n in names]
    results = [None] * 8

    def work(i):
        results[i] = [trained.predict(n, k=1)[0][0] for n in names]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_the_article_protocol_learns_the_tutorial_data(names_dir):
    data = charnn.Dataset.from_directory(names_dir)
    train, test = data.split(test_size=0.1, seed=0)
    model = charnn.Model(data.labels, kind="gru", hidden_size=32, num_layers=1)
    model.fit(train, epochs=1, batch_size=32, lr=5e-3, progress=False)
    assert model.evaluate(test).accuracy > 0.6


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_quantize(split, kind, tmp_path):
    train, test = split
    with charnn.Model(LABELS, kind=kind, hidden_size=32, seed=2) as model:
        model.fit(train, epochs=1, batch_size=16, progress=False)
        with model.quantize() as small:
            assert small.is_quantized and not model.is_quantized
            assert "int8 weights" in repr(small)
            # Close to the float model on the test split, and about 4x smaller on disk.
            assert abs(small.evaluate(test).accuracy - model.evaluate(test).accuracy) < 0.05
            for name in ["Mike", "Qin", "Nakamura"]:
                float_scores = dict(model.predict(name, k=len(LABELS)))
                for label, p in small.predict(name, k=len(LABELS)):
                    assert abs(p - float_scores[label]) < 0.02
            assert len(small.to_bytes()) * 3 < len(model.to_bytes())
            # Saved, loaded and pickled by value, still int8 and the same predictions.
            small.save(tmp_path / "small.safetensors")
            with charnn.Model.load(tmp_path / "small.safetensors") as loaded:
                assert loaded.is_quantized
                assert loaded.predict_many(["Mike", "Qin"], k=2) == small.predict_many(["Mike", "Qin"], k=2)
            with pytest.raises(charnn.InvalidArgumentError, match="cannot be trained"):
                small.fit(train, epochs=1, progress=False)
            with pytest.raises(charnn.InvalidArgumentError, match="already quantized"):
                small.quantize()


def test_quantize_refuses_elman():
    with charnn.Model(LABELS, kind="elman", hidden_size=8) as model:
        with pytest.raises(charnn.InvalidArgumentError, match="GRU and LSTM"):
            model.quantize()
