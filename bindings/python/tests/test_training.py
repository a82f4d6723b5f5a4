"""Model.fit for real data: validation (a share or a Dataset), early stopping with the best weights
restored, learning-rate schedules, label smoothing, class weights, history, progress bars."""

import math

import pytest

import charnn

from conftest import LABELS, generated_names


@pytest.fixture
def data():
    names, labels = generated_names(300, seed=3)
    with charnn.Dataset(names, labels, LABELS) as dataset:
        yield dataset


@pytest.fixture
def misleading():
    """The same texts with every label moved on by one: its loss rises as the model learns."""
    names, labels = generated_names(300, seed=3)
    with charnn.Dataset(names, [(label + 1) % 3 for label in labels], LABELS) as dataset:
        yield dataset


def gru(seed=1):
    return charnn.Model(LABELS, kind="gru", hidden_size=12, num_layers=1, seed=seed)


def test_defaults_have_no_validation(data):
    result = gru().fit(data, epochs=2, batch_size=8, lr=2e-2, progress=False)
    assert result.best_epoch == 0 and not result.early_stopped
    assert math.isnan(result.best_validation_loss) and math.isnan(result.best_validation_accuracy)
    assert [r.epoch for r in result.history] == [1, 2]
    assert all(math.isnan(r.validation_loss) for r in result.history)
    assert result.history[-1].loss == pytest.approx(result.last_epoch_loss)
    assert all(r.learning_rate == pytest.approx(2e-2) for r in result.history)


def test_validation_share_holds_out_and_reports(data):
    seen = []
    model = gru()
    result = model.fit(data, epochs=3, batch_size=8, lr=2e-2, validation=0.2, progress=False, callback=seen.append)
    assert result.steps_taken == 3 * 30  # 240 of the 300 names train
    ends = [p for p in seen if p.epoch_end]
    assert len(ends) == 3 and all(p.step == p.steps for p in ends)
    assert all(math.isnan(p.validation_accuracy) for p in seen if not p.epoch_end)
    assert [r.validation_accuracy for r in result.history] == [p.validation_accuracy for p in ends]
    assert model.history == result.history
    assert 1 <= result.best_epoch <= 3
    best = result.history[result.best_epoch - 1]
    assert best.validation_loss == pytest.approx(result.best_validation_loss)
    assert best.validation_accuracy == result.best_validation_accuracy
    assert result.history[-1].validation_accuracy > 0.9


def test_early_stopping_restores_the_best_epoch(data, misleading):
    model = gru()
    result = model.fit(data, epochs=40, batch_size=8, lr=2e-2, validation=misleading, patience=2, progress=False)
    assert result.early_stopped and result.epochs_completed < 40
    assert result.best_epoch == result.epochs_completed - 2
    assert model.evaluate(misleading).accuracy == result.best_validation_accuracy
    losses = [r.validation_loss for r in result.history]
    assert min(losses) == pytest.approx(result.best_validation_loss)

    kept = gru()
    last = kept.fit(
        data, epochs=40, batch_size=8, lr=2e-2, validation=misleading, patience=2, restore_best=False, progress=False
    )
    assert kept.evaluate(misleading).accuracy == last.history[-1].validation_accuracy


def test_schedules_set_the_rate(data, misleading):
    seen = []
    gru().fit(
        data,
        epochs=2,
        batch_size=30,
        lr=0.01,
        schedule="cosine",
        warmup=4,
        min_lr=1e-3,
        progress=False,
        callback=seen.append,
    )
    rates = [p.learning_rate for p in seen]
    assert len(rates) == 20
    for t, rate in enumerate(rates):
        k = max(0, t - 4)
        expected = 1e-3 + (0.01 - 1e-3) * (1 + math.cos(math.pi * k / 16)) / 2
        expected *= min(1, (t + 1) / 4)
        assert rate == pytest.approx(expected, rel=1e-6)

    step = gru().fit(data, epochs=3, batch_size=30, lr=0.01, schedule="step", step_size=1, gamma=0.5, progress=False)
    assert [r.learning_rate for r in step.history] == pytest.approx([0.01, 0.005, 0.0025])

    share = []
    gru().fit(data, epochs=2, batch_size=30, lr=0.01, warmup=0.25, progress=False, callback=share.append)
    assert share[0].learning_rate == pytest.approx(0.01 / 5) and share[4].learning_rate == pytest.approx(0.01)

    plateau = gru().fit(
        data,
        epochs=3,
        batch_size=8,
        lr=0.01,
        validation=misleading,
        schedule="plateau",
        plateau_factor=0.5,
        plateau_patience=0,
        progress=False,
    )
    assert plateau.history[0].learning_rate == pytest.approx(0.01)
    assert plateau.history[-1].learning_rate < 0.01


def test_class_weights_and_smoothing(data):
    early = gru()
    early.fit(
        data, epochs=3, batch_size=1, lr=2e-2, class_weight={"Early": 1.0, "Late": 0.0, "Upper": 0.0}, progress=False
    )
    confusion = early.evaluate(data).confusion
    assert sum(int(row[0]) for row in confusion) > 290  # everything is "Early"

    listed = gru()
    listed.fit(data, epochs=1, batch_size=8, class_weight=[1.0, 0.0, 0.0], progress=False)
    as_dict = gru()
    as_dict.fit(data, epochs=1, batch_size=8, class_weight={"Late": 0.0, "Upper": 0.0}, progress=False)  # Early: 1
    assert listed.predict("abcde") == as_dict.predict("abcde")

    uniform = gru()
    uniform.fit(data, epochs=3, batch_size=8, lr=2e-2, label_smoothing=1.0, progress=False)
    assert max(p for _, p in uniform.predict("abcdef", k=3)) < 0.4

    balanced = gru()
    balanced.fit(data, epochs=1, batch_size=8, class_weight="balanced", label_smoothing=0.1, progress=False)
    plain = gru()
    plain.fit(data, epochs=1, batch_size=8, progress=False)
    assert balanced.predict("abcdef") != plain.predict("abcdef")


def test_everything_seeded_is_reproducible(data):
    def run():
        model = gru()
        result = model.fit(
            data,
            epochs=3,
            batch_size=8,
            lr=2e-2,
            validation=0.1,
            patience=2,
            schedule="cosine",
            warmup=0.1,
            label_smoothing=0.05,
            class_weight="balanced",
            optimizer="adamw",
            weight_decay=0.01,
            progress=False,
        )
        return result, model.predict("KL-MNO", k=3)

    assert run() == run()


def test_progress_bars_show_validation_accuracy(data, capsys):
    gru().fit(data, epochs=2, batch_size=16, validation=0.2, progress="plain")
    err = capsys.readouterr().err
    assert err.count("val acc") == 2 and "epoch 1/2" in err and "epoch 2/2" in err
    pytest.importorskip("tqdm")
    gru().fit(data, epochs=2, batch_size=16, validation=0.2, progress="tqdm")
    assert "val_acc" in capsys.readouterr().err


def test_progress_is_typed_as_its_literal_values(data):
    import typing

    hints = typing.get_type_hints(charnn.Model.fit)
    assert hints["progress"] == typing.Literal[True, False, "plain", "tqdm", "auto"]
    assert typing.get_args(hints["progress"]) == (True, False, "plain", "tqdm", "auto")
    assert hints["return"] is charnn.TrainResult
    with pytest.raises(ValueError, match="progress must be True, False, 'plain', 'tqdm' or 'auto'"):
        gru().fit(data, progress="fancy")


def test_bad_training_options(data, misleading):
    model = gru()
    with pytest.raises(ValueError, match="schedule must be one of"):
        model.fit(data, schedule="linear")
    with pytest.raises(ValueError, match="validation must be a share"):
        model.fit(data, validation=1.5)
    with pytest.raises(TypeError, match="validation"):
        model.fit(data, validation="10%")
    with pytest.raises(TypeError, match="warmup"):
        model.fit(data, warmup="5")
    with pytest.raises(ValueError, match="warmup as a float"):
        model.fit(data, warmup=1.5)
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(data, class_weight="inverse")
    with pytest.raises(ValueError, match="'Middle'"):
        model.fit(data, class_weight={"Middle": 2.0})
    with pytest.raises(ValueError, match="2 values"):
        model.fit(data, class_weight=[1.0, 2.0])
    with pytest.raises(charnn.InvalidArgumentError, match="patience 2 needs validation"):
        model.fit(data, patience=2, progress=False)
    with pytest.raises(charnn.InvalidArgumentError, match="label_smoothing"):
        model.fit(data, label_smoothing=2.0, progress=False)
    with pytest.raises(charnn.InvalidArgumentError, match="min_learning_rate"):
        model.fit(data, lr=1e-3, min_lr=1e-2, schedule="cosine", progress=False)
    with pytest.raises(charnn.InvalidArgumentError, match="class_weight_values\\[1\\]"):
        model.fit(data, class_weight=[1.0, -1.0, 1.0], progress=False)
    with pytest.raises(charnn.InvalidArgumentError, match="gamma"):
        model.fit(data, schedule="step", gamma=0.0, progress=False)
    with pytest.raises(charnn.InvalidArgumentError, match="plateau_factor"):
        model.fit(data, schedule="plateau", plateau_factor=2.0, progress=False)
