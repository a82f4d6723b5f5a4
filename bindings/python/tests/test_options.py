"""The GRU/LSTM options of Model (embedding_size, bidirectional, pooling, dropout, the n-gram bag)
and the recipes (charnn.recipe, Model(recipe=), Model.fit(recipe=))."""

import math

import pytest

import charnn

from conftest import LABELS, generated_names

NAMES = ["abcfe", "pqrsw", "KL-MON", "Mike", "Qin", "a"]

OPTIONS = [
    dict(kind="gru", bidirectional=True),
    dict(kind="lstm", bidirectional=True, num_layers=2),
    dict(kind="gru", embedding_size=6),
    dict(kind="lstm", pooling="mean"),
    dict(kind="gru", pooling="max"),
    dict(kind="gru", num_layers=2, dropout=0.25),
    dict(kind="lstm", ngrams=300, ngram_dim=5, ngram_min=2, ngram_max=4),
    dict(
        kind="gru",
        embedding_size=5,
        bidirectional=True,
        num_layers=2,
        pooling="max",
        dropout=0.1,
        ngrams=256,
        ngram_dim=6,
    ),
]

BEST_MODEL = {
    "kind": "gru",
    "hidden_size": 64,
    "num_layers": 1,
    "embedding_size": 32,
    "bidirectional": True,
    "pooling": "max",
    "dropout": 0.0,
    "ngrams": 1 << 17,
    "ngram_dim": 64,
    "ngram_min": 1,
    "ngram_max": 5,
}
# The fast recipe is the n-gram bag alone (hidden size 0).
FAST_MODEL = {**BEST_MODEL, "hidden_size": 0, "embedding_size": 0, "bidirectional": False, "pooling": "last"}


@pytest.fixture
def data():
    names, labels = generated_names(300, seed=4)
    with charnn.Dataset(names, labels, LABELS) as dataset:
        yield dataset


def test_defaults_have_no_options():
    model = charnn.Model(LABELS, hidden_size=8)
    assert model.embedding_size == 0 and model.bidirectional is False and model.pooling == "last"
    assert model.dropout == 0.0 and model.ngrams is None
    elman = charnn.Model(LABELS, kind="elman", hidden_size=8)
    assert elman.pooling == "last" and elman.ngrams is None and not elman.bidirectional


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_properties_and_save_load_round_trip(options, data, tmp_path):
    model = charnn.Model(LABELS, hidden_size=8, seed=3, **options)
    assert model.kind == options["kind"] and model.hidden_size == 8
    assert model.num_layers == options.get("num_layers", 2 if options["kind"] != "elman" else 1)
    assert model.embedding_size == options.get("embedding_size", 0)
    assert model.bidirectional is options.get("bidirectional", False)
    assert model.pooling == options.get("pooling", "last")
    assert model.dropout == pytest.approx(options.get("dropout", 0.0))
    if "ngrams" in options:
        assert model.ngrams == {
            "buckets": options["ngrams"],
            "dim": options.get("ngram_dim", 64),
            "min": options.get("ngram_min", 1),
            "max": options.get("ngram_max", 5),
        }
    else:
        assert model.ngrams is None
    with pytest.raises(AttributeError):
        model.pooling = "mean"  # read-only

    model.fit(data, epochs=1, batch_size=16, lr=1e-2, seed=2, progress=False)
    path = tmp_path / "options.safetensors"
    model.save(path)
    loaded = charnn.Model.load(path)
    for name in (
        "kind",
        "hidden_size",
        "num_layers",
        "embedding_size",
        "bidirectional",
        "pooling",
        "dropout",
        "ngrams",
        "seed",
        "labels",
        "parameter_count",
    ):
        assert getattr(loaded, name) == getattr(model, name), name
    assert loaded.predict_many(NAMES, k=3) == model.predict_many(NAMES, k=3)
    for name in NAMES:
        assert loaded.predict(name, k=3) == model.predict(name, k=3)
    assert loaded.evaluate(data).accuracy == model.evaluate(data).accuracy


def test_options_change_the_weights():
    plain = charnn.Model(LABELS, hidden_size=8, num_layers=1)
    both = charnn.Model(LABELS, hidden_size=8, num_layers=1, bidirectional=True)
    bag = charnn.Model(LABELS, hidden_size=8, num_layers=1, ngrams=10, ngram_dim=3)
    assert both.parameter_count > plain.parameter_count
    # The bag's table (10 x 3) and the 3 more inputs of each label's row of fc.
    assert bag.parameter_count == plain.parameter_count + 10 * 3 + 3 * 3


def test_bad_values_are_refused():
    def refused(match, **options):
        with pytest.raises(charnn.InvalidArgumentError, match=match):
            charnn.Model(LABELS, hidden_size=8, num_layers=1, **options)

    refused("pooling must be one of", pooling="diagonal")
    refused("dropout 1.0 is not in", dropout=1.0)
    refused("dropout -0.5 is not in", dropout=-0.5)
    refused("dropout nan", dropout=float("nan"))
    refused("embedding size 5000", embedding_size=5000)
    refused("embedding_size is -1", embedding_size=-1)
    refused("n-gram lengths 4", ngrams=64, ngram_min=4)
    refused("n-gram lengths 1...9", ngrams=64, ngram_max=9)
    refused("n-gram lengths 3...2", ngrams=64, ngram_min=3, ngram_max=2)
    refused("n-gram lengths 0", ngrams=64, ngram_min=0)
    refused("n-gram dimension 0", ngrams=64, ngram_dim=0)
    refused("n-gram buckets", ngrams=(1 << 24) + 1)
    refused("ngram_buckets is -1", ngrams=-1)
    refused("Elman cell is the article's", kind="elman", bidirectional=True)
    refused("Elman cell is the article's", kind="elman", pooling="max")
    refused("Elman cell is the article's", kind="elman", ngrams=16)
    with pytest.raises(TypeError):
        charnn.Model(LABELS, hidden_size=8, dropout="0.1")
    with pytest.raises(TypeError):
        charnn.Model(LABELS, hidden_size=8, embedding_size=2.5)


def test_zero_ngrams_is_no_bag():
    # As in C (ngram_buckets 0) and the tool (--ngrams 0); with a recipe, the way to drop its bag.
    assert charnn.Model(LABELS, hidden_size=8, ngrams=0).ngrams is None
    assert charnn.Model(LABELS, recipe="best", ngrams=0).ngrams is None


def test_recipe_contents():
    fast = charnn.recipe("fast")
    assert isinstance(fast, charnn.Recipe) and fast.name == "fast"
    assert fast.model == FAST_MODEL
    assert fast.fit == {
        "epochs": 5,
        "batch_size": 64,
        "optimizer": "adamw",
        "lr": 0.01,
        "weight_decay": 0.001,
        "schedule": "cosine",
        "warmup": pytest.approx(0.05),
        "label_smoothing": 0.1,
        "validation": None,
        "patience": 0,
        "restore_best": True,
    }
    best = charnn.recipe("best", rows=16000)
    assert best.name == "best" and best.model == BEST_MODEL and best.fit["lr"] == 0.003
    assert {k: v for k, v in best.fit.items() if k not in ("epochs", "validation", "patience", "lr")} == {
        k: v for k, v in fast.fit.items() if k not in ("epochs", "validation", "patience", "lr")
    }
    assert best.fit["validation"] == pytest.approx(0.1) and best.fit["patience"] == 3 and best.fit["restore_best"]
    # best: min(10, max(3, 500000 // rows)) epochs; fast: 5 whatever the rows.
    for rows, epochs in [(0, 10), (16000, 10), (60000, 8), (100000, 5), (10**6, 3), (2**63, 3)]:
        assert charnn.recipe("best", rows).fit["epochs"] == epochs, rows
        assert charnn.recipe("fast", rows).fit["epochs"] == 5, rows
    with pytest.raises(Exception):
        fast.name = "best"  # frozen


def test_recipe_errors(data):
    with pytest.raises(charnn.InvalidArgumentError, match="recipe must be one of"):
        charnn.recipe("nope")
    with pytest.raises(charnn.InvalidArgumentError, match="rows"):
        charnn.recipe("best", rows=-1)
    with pytest.raises(charnn.InvalidArgumentError, match="rows"):
        charnn.recipe("best", rows="10")
    with pytest.raises(charnn.InvalidArgumentError, match="recipe must be one of"):
        charnn.Model(LABELS, recipe="nope")
    model = charnn.Model(LABELS, hidden_size=8, num_layers=1)
    with pytest.raises(charnn.InvalidArgumentError, match="recipe must be one of"):
        model.fit(data, recipe="nope", progress=False)


def test_model_recipe_and_overrides():
    model = charnn.Model(LABELS, recipe="fast", seed=5)
    for name, value in FAST_MODEL.items():
        got = (
            model.ngrams["buckets"]
            if name == "ngrams"
            else model.ngrams[name[6:]]
            if name.startswith("ngram_")
            else getattr(model, name)
        )
        assert got == value, name
    assert model.seed == 5
    # The same as spelling the recipe out.
    spelled = charnn.Model(LABELS, seed=5, **charnn.recipe("fast").model)
    assert spelled.parameter_count == model.parameter_count
    assert spelled.predict_many(NAMES) == model.predict_many(NAMES)
    # Arguments with other than their defaults change it; the rest stays the recipe's.
    changed = charnn.Model(LABELS, recipe="best", kind="lstm", hidden_size=16, pooling="mean", ngram_dim=8)
    assert (changed.kind, changed.hidden_size, changed.pooling) == ("lstm", 16, "mean")
    assert changed.ngrams == {"buckets": 1 << 17, "dim": 8, "min": 1, "max": 5}
    assert changed.embedding_size == 32 and changed.bidirectional and changed.num_layers == 1
    # An argument given with its default value changes the recipe too (it was given).
    back = charnn.Model(LABELS, recipe="best", bidirectional=False, pooling="last", ngrams=None, num_layers=None)
    assert not back.bidirectional and back.pooling == "last" and back.ngrams is None and back.num_layers == 2
    assert back.embedding_size == 32 and back.hidden_size == 64
    # Positional arguments count as given.
    positional = charnn.Model(LABELS, "lstm", 24, recipe="best")
    assert (positional.kind, positional.hidden_size, positional.pooling) == ("lstm", 24, "max")
    with pytest.raises(charnn.InvalidArgumentError, match="Elman cell"):
        charnn.Model(LABELS, recipe="best", kind="elman")


def test_fit_with_the_fast_recipe(data):
    # The recipe's model on the dataset's alphabet (its table shrunk to stay quick), trained the fast way.
    model = charnn.Model(data, recipe="fast", ngrams=4096, seed=1)
    result = model.fit(data, recipe="fast", progress=False)
    assert result.epochs_completed == 5 and result.steps_taken == 5 * 5  # batches of 64 over 300 names
    assert result.best_epoch == 0 and math.isnan(result.best_validation_loss)
    rates = [r.learning_rate for r in result.history]
    assert rates[0] > rates[1] > rates[2] >= 0  # the cosine schedule
    assert rates[0] <= 1e-2 + 1e-9
    assert model.evaluate(data).accuracy > 0.8


def test_fit_recipe_overrides(data):
    model = charnn.Model(data, recipe="best", ngrams=1024, hidden_size=16, seed=1)
    seen = []
    result = model.fit(data, recipe="best", epochs=2, validation=0.2, lr=1e-2, callback=seen.append, progress=False)
    # Two epochs of batches of 64 over the 240 names validation leaves.
    assert result.epochs_completed == 2 and result.steps_taken == 2 * 4
    assert 1 <= result.best_epoch <= 2 and not math.isnan(result.best_validation_loss)
    assert seen[0].learning_rate < 1e-2  # warm-up first
    assert max(p.learning_rate for p in seen) == pytest.approx(1e-2)
    # Given positionally, and equal to fit's default (2), epochs still overrides the recipe's 10.
    again = charnn.Model(data, recipe="best", ngrams=1024, hidden_size=8, seed=1).fit(
        data, 2, recipe="best", progress=False
    )
    assert again.epochs_completed == 2 and again.steps_taken == 2 * 5  # 270 names train, batches of 64
    # The best recipe without overrides on the same data: up to 10 epochs with validation.
    other = charnn.Model(data, recipe="best", ngrams=1024, hidden_size=8, seed=1)
    full = other.fit(data, recipe="best", progress=False)
    assert 1 <= full.epochs_completed <= 10 and full.best_epoch >= 1
    assert all(not math.isnan(r.validation_loss) for r in full.history)


def test_fit_recipe_on_a_subset_of_real_data(names_dir):
    data = charnn.Dataset.load(names_dir, alphabet="learned")
    train, test = data.split(0.1, seed=0)
    small = train[:2000]
    model = charnn.Model(small, recipe="fast", ngrams=1 << 12)
    result = model.fit(small, recipe="fast", progress=False)
    assert result.epochs_completed == 5 and result.steps_taken == 5 * math.ceil(2000 / 64)
    assert model.evaluate(test[:500]).accuracy > 0.3
