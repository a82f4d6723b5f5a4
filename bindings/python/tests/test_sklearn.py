"""charnn.sklearn.CharRNNClassifier: scikit-learn's estimator contract, kept with scikit-learn
installed and without it (a copy of the module loaded with scikit-learn hidden), and its use in
clone, Pipeline, cross_val_score and GridSearchCV when scikit-learn is installed."""

import importlib.util
import inspect
import sys
import warnings

import pytest

import charnn

from conftest import LABELS, generated_names

np = pytest.importorskip("numpy")
import charnn.sklearn as charnn_sklearn  # noqa: E402 (needs NumPy)


def _standalone_module():
    """charnn/sklearn.py loaded again as its own module while scikit-learn cannot be imported."""
    hidden = {name: module for name, module in sys.modules.items() if name == "sklearn" or name.startswith("sklearn.")}
    try:
        for name in hidden:
            sys.modules[name] = None
        sys.modules["sklearn"] = None
        spec = importlib.util.spec_from_file_location("charnn._sklearn_standalone", charnn_sklearn.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name in set(hidden) | {"sklearn"}:
            del sys.modules[name]
        sys.modules.update(hidden)
    assert not module.HAVE_SKLEARN
    return module


STANDALONE = _standalone_module()


@pytest.fixture(params=["installed", "standalone"])
def module(request):
    """The module as imported (scikit-learn's bases when it is installed) and without scikit-learn."""
    return charnn_sklearn if request.param == "installed" else STANDALONE


@pytest.fixture(scope="module")
def data():
    X, y = generated_names(300)
    X_test, y_test = generated_names(90, seed=9)
    return X, [LABELS[i] for i in y], X_test, [LABELS[i] for i in y_test]


@pytest.fixture(scope="module")
def fitted(data):
    X, y, _, _ = data
    return charnn_sklearn.CharRNNClassifier().fit(X, y)


# -- the contract, with and without scikit-learn ---------------------------------------------


def test_fit_predict_and_predict_proba(module, data):
    X, y, X_test, y_test = data
    clf = module.CharRNNClassifier()
    assert clf.fit(X, y) is clf
    assert clf.classes_.tolist() == LABELS and clf.classes_.dtype.kind == "U"
    assert isinstance(clf.model_, charnn.Model) and clf.model_.labels == LABELS
    assert clf.n_iter_ == 5 and len(clf.history_) == 5 and clf.train_result_.epochs_completed == 5  # fast recipe
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3) and proba.dtype == np.float64
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-12) and (proba >= 0).all()
    predicted = clf.predict(X_test)
    assert predicted.tolist() == clf.classes_[proba.argmax(axis=1)].tolist()
    assert (predicted == np.array(y_test)).mean() > 0.9
    # Columns follow classes_: the model's own probabilities, label by label.
    for row, text in zip(proba[:5], X_test[:5]):
        expected = dict(clf.model_.predict(text, k=3))
        assert row == pytest.approx([expected[c] for c in clf.classes_], abs=1e-5)
    assert np.allclose(np.exp(clf.predict_log_proba(X_test[:5])), proba[:5])
    assert clf.predict_proba([]).shape == (0, 3) and clf.predict([]).shape == (0,)


def test_score_is_the_mean_accuracy(module, data):
    X, y, X_test, y_test = data
    clf = module.CharRNNClassifier(epochs=1, lr=1e-3)  # barely trained: it makes mistakes
    clf.fit(X, y)
    predicted = clf.predict(X_test)
    accuracy = float((predicted == np.array(y_test)).mean())
    assert clf.score(X_test, y_test) == pytest.approx(accuracy)
    weights = np.arange(len(X_test), dtype=float)
    assert clf.score(X_test, y_test, sample_weight=weights) == pytest.approx(
        np.average(predicted == np.array(y_test), weights=weights)
    )


def test_params_round_trip_for_every_constructor_argument(module):
    cls = module.CharRNNClassifier
    names = [p.name for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    assert all(
        p.kind is p.KEYWORD_ONLY for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"
    )
    clf = cls()
    params = clf.get_params()
    assert sorted(params) == sorted(names)
    assert params["recipe"] == "fast" and params["alphabet"] == "learned" and params["progress"] is False
    expected = set(module.MODEL_PARAMS) | set(module.FIT_PARAMS) | set(module.TEXT_PARAMS)
    expected |= {"recipe", "class_weight", "seed", "progress"}
    assert set(names) == expected
    for i, name in enumerate(names):  # a distinct value for each: no argument is lost or mixed up
        marker = ("marker", i)
        assert clf.set_params(**{name: marker}) is clf
        assert clf.get_params()[name] == marker and getattr(clf, name) == marker
    assert cls(**params).get_params() == params
    assert repr(cls(epochs=3, recipe=None)) in (
        "CharRNNClassifier(epochs=3, recipe=None)",
        "CharRNNClassifier(recipe=None, epochs=3)",
    )
    with pytest.raises(ValueError, match="Invalid parameter 'hidden'"):
        clf.set_params(hidden=3)
    # __init__ stores what it is given; fit is where values are checked.
    odd = cls(kind="nonsense", epochs=-1)
    assert odd.kind == "nonsense" and odd.epochs == -1
    with pytest.raises(ValueError, match="kind must be one of"):
        odd.fit(["abc", "pqr"], ["a", "b"])
    assert not hasattr(odd, "model_")


def test_explicit_arguments_override_the_recipe(module, data):
    X, y, _, _ = data
    fast = module.CharRNNClassifier(epochs=2, ngram_max=3).fit(X, y)
    assert fast.n_iter_ == 2
    assert fast.model_.ngrams == {"buckets": 131072, "dim": 64, "min": 1, "max": 3}  # the rest: the recipe's
    assert fast.model_.hidden_size == 0
    best = module.CharRNNClassifier(recipe="best", hidden_size=8, epochs=2, validation=0).fit(X, y)
    assert best.model_.hidden_size == 8 and best.model_.bidirectional and best.model_.pooling == "max"
    assert best.n_iter_ == 2 and best.train_result_.best_epoch == 0  # validation=0: none, though "best" has one
    held_out = module.CharRNNClassifier(recipe="best", hidden_size=8, epochs=2).fit(X, y)
    assert held_out.train_result_.best_epoch in (1, 2)  # the recipe's 10% validation split
    plain = module.CharRNNClassifier(
        recipe=None, kind="gru", hidden_size=8, num_layers=1, epochs=1, batch_size=32, lr=1e-2
    ).fit(X, y)
    assert plain.model_.ngrams is None and plain.model_.hidden_size == 8 and plain.n_iter_ == 1
    again = module.CharRNNClassifier(
        recipe=None, kind="gru", hidden_size=8, num_layers=1, epochs=1, batch_size=32, lr=1e-2
    ).fit(X, y)
    assert np.array_equal(again.predict_proba(X[:20]), plain.predict_proba(X[:20]))  # seeded
    # NumPy scalars from a parameter grid work as Python's.
    grid = module.CharRNNClassifier(epochs=np.int64(1), lr=np.float32(0.01), seed=np.uint8(3)).fit(X, y)
    assert grid.n_iter_ == 1


def test_labels_keep_their_values_and_dtype(module, data):
    X, y, X_test, y_test = data
    codes = [{"Early": 10, "Late": 20, "Upper": 30}[label] for label in y]
    clf = module.CharRNNClassifier().fit(X, np.array(codes, dtype=np.int64))
    assert clf.classes_.tolist() == [10, 20, 30] and clf.classes_.dtype == np.int64
    assert clf.model_.labels == ["10", "20", "30"]
    predicted = clf.predict(X_test)
    assert predicted.dtype == np.int64 and set(predicted.tolist()) <= {10, 20, 30}
    assert clf.score(X_test, [{"Early": 10, "Late": 20, "Upper": 30}[label] for label in y_test]) > 0.9
    weighted = module.CharRNNClassifier(epochs=1, class_weight={30: 2.0}).fit(X, codes)
    assert weighted.n_iter_ == 1
    with pytest.raises(ValueError, match="class_weight names 40"):
        module.CharRNNClassifier(class_weight={40: 2.0}).fit(X, codes)
    balanced = module.CharRNNClassifier(epochs=1, class_weight="balanced").fit(X, y)
    assert balanced.n_iter_ == 1
    floats = module.CharRNNClassifier(epochs=1).fit(X, [float(c) for c in codes])
    assert floats.classes_.tolist() == [10.0, 20.0, 30.0] and floats.predict(X[:3]).dtype == np.float64


def test_not_fitted(module):
    clf = module.CharRNNClassifier()
    for method in (clf.predict, clf.predict_proba):
        with pytest.raises(module.NotFittedError, match="not fitted"):
            method(["abc"])
    assert issubclass(module.NotFittedError, ValueError) and issubclass(module.NotFittedError, AttributeError)
    if module.HAVE_SKLEARN:
        from sklearn.exceptions import NotFittedError

        assert module.NotFittedError is NotFittedError


def test_bad_inputs(module, data, fitted):
    X, y, _, _ = data
    clf = module.CharRNNClassifier(epochs=1)
    with pytest.raises(ValueError, match="must be 1-D"):
        clf.fit(np.array([X, X]).T, y)  # two columns
    with pytest.raises(ValueError, match="2-D input"):
        clf.fit([[text] for text in X], y)
    with pytest.raises(TypeError, match="not a single str"):
        clf.fit("abc", y)
    with pytest.raises(TypeError, match=r"X\[1\] is int"):
        clf.fit(["abc", 3, "pqr"], ["a", "b", "a"])
    with pytest.raises(TypeError, match=r"X\[0\] is NoneType"):
        clf.fit([None, "pqr"], ["a", "b"])
    with pytest.raises(TypeError, match="bytes"):
        clf.fit([b"abc", b"pqr"], ["a", "b"])
    with pytest.raises(ValueError, match="300 samples but y has 299"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X, ["Early"] * len(X))
    with pytest.raises(ValueError, match="continuous"):
        clf.fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="missing"):
        clf.fit(["abc", "pqr", "abd"], ["a", None, "b"])
    with pytest.raises(ValueError, match="0 samples"):
        clf.fit([], [])
    with pytest.raises(ValueError, match="must be 1-D"):
        fitted.predict(np.array([X[:4], X[:4]]).T)
    with pytest.raises(TypeError, match=r"X\[0\] is float"):
        fitted.predict_proba([1.5])
    with pytest.raises(charnn.InvalidArgumentError, match="1"):
        fitted.predict(["abc", ""])  # nothing to read: the library names the text


def test_a_single_column_is_read_as_the_texts(fitted, data):
    _, _, X_test, _ = data
    column = np.array(X_test, dtype=object).reshape(-1, 1)
    assert fitted.predict(column).tolist() == fitted.predict(X_test).tolist()


def test_pandas_input(fitted, data):
    pd = pytest.importorskip("pandas")
    X, y, X_test, _ = data
    frame = pd.DataFrame({"text": X, "label": y})
    clf = charnn_sklearn.CharRNNClassifier().fit(frame["text"], frame["label"])
    assert (
        clf.predict(pd.Series(X_test, index=range(100, 100 + len(X_test)))).tolist() == fitted.predict(X_test).tolist()
    )
    assert clf.predict(frame[["text"]]).shape == (len(X),)  # one column
    with pytest.raises(ValueError, match="must be 1-D"):
        clf.predict(frame)


def test_unreadable_training_texts_are_left_out_with_a_warning(module, data):
    X, y, _, _ = data
    with pytest.warns(UserWarning, match="1 of 301 texts were left out"):
        clf = module.CharRNNClassifier(epochs=1).fit(X + [""], y + ["Early"])
    assert clf.classes_.tolist() == LABELS
    with pytest.raises(ValueError, match="none of the 2 texts can be read"):
        module.CharRNNClassifier(alphabet="article").fit(["@@", "##"], ["a", "b"])


def test_fit_again_starts_over_and_releases_the_old_model(module, data):
    X, y, _, _ = data
    clf = module.CharRNNClassifier(epochs=1).fit(X, y)
    first = clf.model_
    clf.fit(X[:100], [str(i % 2) for i in range(100)])
    assert clf.model_ is not first and first.closed
    assert clf.classes_.tolist() == ["0", "1"] and clf.n_iter_ == 1


def test_partial_fit_continues_one_epoch_at_a_time(module, data):
    X, y, X_test, y_test = data
    clf = module.CharRNNClassifier()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X[:100], y[:100])
    clf.partial_fit(X[:150], y[:150], classes=LABELS)
    model = clf.model_
    assert clf.classes_.tolist() == LABELS and clf.n_iter_ == 1 and len(clf.history_) == 1
    for _ in range(4):
        clf.partial_fit(X[150:], y[150:])
    assert clf.model_ is model and clf.n_iter_ == 5 and len(clf.history_) == 5
    assert clf.score(X_test, y_test) > 0.9
    clf.partial_fit(X[:10], y[:10], classes=list(reversed(LABELS)))  # the same classes: fine
    with pytest.raises(ValueError, match="differ from those of the first call"):
        clf.partial_fit(X[:10], y[:10], classes=["Early", "Late"])
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(["abc"], ["Middle"])
    after_fit = module.CharRNNClassifier(epochs=1).fit(X, y).partial_fit(X[:50], y[:50])
    assert after_fit.n_iter_ == 2


# -- scikit-learn itself ----------------------------------------------------------------------


def lowercase(texts):
    return [text.lower() for text in texts]


@pytest.fixture(scope="module")
def sklearn():
    return pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def names(names_dir):
    """1,500 of the tutorial's names, stratified over its 18 languages."""
    data = charnn.Dataset.from_directory(names_dir)
    rows = list(data.sample(1500, seed=0, stratified=True))
    return np.array([text for text, _ in rows]), np.array([label for _, label in rows])


def test_sklearn_sees_a_classifier_of_strings(sklearn):
    from sklearn.base import is_classifier

    clf = charnn_sklearn.CharRNNClassifier()
    assert isinstance(clf, sklearn.base.BaseEstimator) and is_classifier(clf)
    if hasattr(sklearn.utils, "get_tags"):  # scikit-learn 1.6 and later
        tags = sklearn.utils.get_tags(clf)
        assert tags.input_tags.string and not tags.input_tags.two_d_array
        assert tags.estimator_type == "classifier"
    assert repr(charnn_sklearn.CharRNNClassifier(epochs=3)) == "CharRNNClassifier(epochs=3)"


def test_clone_gives_an_unfitted_copy_with_equal_params(sklearn, fitted):
    from sklearn.base import clone

    original = charnn_sklearn.CharRNNClassifier(
        recipe="best", hidden_size=16, class_weight={"Early": 2.0}, validation=0.2, progress="plain"
    )
    copy = clone(original)
    assert copy is not original and copy.get_params() == original.get_params()
    assert copy.class_weight is not original.class_weight
    refitted = clone(fitted)
    assert not hasattr(refitted, "model_") and not hasattr(refitted, "classes_")
    assert refitted.get_params() == fitted.get_params()


def test_pipeline(sklearn, data):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y, X_test, y_test = data
    pipeline = make_pipeline(FunctionTransformer(lowercase), charnn_sklearn.CharRNNClassifier())
    pipeline.fit(X, y)
    assert pipeline.classes_.tolist() == LABELS
    model = pipeline[-1].model_
    assert "K" not in model.text_config["symbols"] and "k" in model.text_config["symbols"]  # it saw lowercase
    assert pipeline.score(X_test, y_test) > 0.9
    assert pipeline.predict_proba(X_test).shape == (len(X_test), 3)
    assert pipeline.get_params()["charrnnclassifier__recipe"] == "fast"


def test_cross_val_score(sklearn, names):
    from sklearn.model_selection import cross_val_score

    X, y = names
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning from the classifier or scikit-learn
        scores = cross_val_score(charnn_sklearn.CharRNNClassifier(), X, y, cv=3)
    assert scores.shape == (3,)
    assert (scores > 0.4).all(), scores  # 18 languages from 1,000 names each time; chance is 0.06


def test_grid_search(sklearn, names):
    from sklearn.model_selection import GridSearchCV

    X, y = names
    search = GridSearchCV(charnn_sklearn.CharRNNClassifier(), {"epochs": [1, 5]}, cv=3)
    search.fit(X, y)
    assert search.best_params_ in ({"epochs": 1}, {"epochs": 5})
    assert list(search.cv_results_["param_epochs"]) == [1, 5]
    assert search.best_estimator_.n_iter_ == search.best_params_["epochs"]
    assert search.best_score_ > 0.4
    assert search.predict(X[:5]).shape == (5,) and search.predict_proba(X[:5]).shape == (5, 18)


def test_charnn_exports_the_classifier_lazily():
    import subprocess

    code = "import sys, charnn; print('sklearn' in sys.modules, 'charnn.sklearn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split() == [
        "False",
        "False",
    ]  # import charnn stays light
    assert charnn.CharRNNClassifier is charnn_sklearn.CharRNNClassifier
    assert charnn.sklearn is charnn_sklearn
    with pytest.raises(AttributeError, match="no attribute 'Classifier'"):
        charnn.Classifier


def test_a_fitted_classifier_pickles_and_deep_copies_by_value(fitted, data):
    import copy
    import pickle

    _, _, X_test, _ = data
    expected = fitted.predict_proba(X_test)
    for twin in (pickle.loads(pickle.dumps(fitted)), copy.deepcopy(fitted)):
        assert twin.model_._handle != fitted.model_._handle
        assert list(twin.classes_) == list(fitted.classes_)
        assert np.allclose(twin.predict_proba(X_test), expected)
        del twin
    assert np.allclose(fitted.predict_proba(X_test), expected)  # the original outlives its copies


def test_parallel_cross_validation_sends_fitted_estimators_between_processes(sklearn, names):
    # return_estimator=True brings every fold's fitted classifier back from the worker processes.
    from sklearn.model_selection import cross_validate

    X, y = names
    result = cross_validate(charnn_sklearn.CharRNNClassifier(epochs=1), X, y, cv=2, n_jobs=2, return_estimator=True)
    assert (result["test_score"] > 0.3).all(), result["test_score"]
    for estimator, score in zip(result["estimator"], result["test_score"]):
        assert 0 <= estimator.score(X[:50], y[:50]) <= 1 and estimator.predict(X[:3]).shape == (3,)
