"""scikit-learn's estimator interface: :class:`CharRNNClassifier`.

>>> from charnn.sklearn import CharRNNClassifier
>>> clf = CharRNNClassifier().fit(names, languages)      # the "fast" recipe: seconds
>>> clf.predict(["Slaveya", "Nakamura"])
>>> clf.predict_proba(["Slaveya"])                       # columns in clf.classes_ order
>>> cross_val_score(CharRNNClassifier(), names, languages, cv=5)

It needs NumPy. With scikit-learn installed the class is a ``BaseEstimator`` and a
``ClassifierMixin`` (``clone``, ``Pipeline``, ``GridSearchCV``, ``cross_val_score`` and tags
work, and predicting before ``fit`` raises ``sklearn.exceptions.NotFittedError``); without it the
class keeps the same contract on its own (``get_params``, ``set_params``, ``score``, and
:class:`NotFittedError` here).
"""

from __future__ import annotations

import inspect
import math
import numbers
import warnings
from typing import TYPE_CHECKING, Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from ._core import check, lib, string_array
from .dataset import Dataset
from .errors import ArgumentTypeError, InvalidArgumentError
from .model import EpochRecord, Model, TrainResult
from .progress import ProgressOption

if TYPE_CHECKING:
    import numpy.typing

try:  # scikit-learn has no type information (hence the ignores)
    from sklearn.base import BaseEstimator as _SklearnBase  # type: ignore
    from sklearn.base import ClassifierMixin as _SklearnClassifier
    from sklearn.exceptions import NotFittedError as _SklearnNotFittedError  # type: ignore
    from sklearn.utils.multiclass import check_classification_targets as _check_targets  # type: ignore

    HAVE_SKLEARN = True
except ImportError:  # the class works without scikit-learn, keeping its contract itself
    HAVE_SKLEARN = False

__all__ = ["CharRNNClassifier", "NotFittedError", "HAVE_SKLEARN"]

#: The keyword arguments of :class:`charnn.Model` and :meth:`charnn.Model.fit` the classifier
#: takes; None leaves each to the recipe (or, without one, to Model's and fit's defaults).
MODEL_PARAMS = (
    "kind",
    "hidden_size",
    "num_layers",
    "hidden_init",
    "embedding_size",
    "bidirectional",
    "pooling",
    "dropout",
    "ngrams",
    "ngram_dim",
    "ngram_min",
    "ngram_max",
)
FIT_PARAMS = (
    "epochs",
    "batch_size",
    "lr",
    "optimizer",
    "weight_decay",
    "momentum",
    "clip",
    "schedule",
    "warmup",
    "min_lr",
    "step_size",
    "gamma",
    "plateau_factor",
    "plateau_patience",
    "label_smoothing",
    "validation",
    "patience",
    "restore_best",
)
#: How texts are read: :class:`charnn.Dataset`'s text options, passed as they are.
TEXT_PARAMS = ("alphabet", "symbols", "normalize", "casefold", "transliterate", "min_count", "max_symbols")


class _StandaloneNotFittedError(ValueError, AttributeError):
    """Predicting before ``fit`` (scikit-learn's ``NotFittedError`` when it is installed)."""


#: Raised by predicting before ``fit``: scikit-learn's ``NotFittedError`` when it is installed
#: (a ValueError and an AttributeError either way).
NotFittedError: type = _SklearnNotFittedError if HAVE_SKLEARN else _StandaloneNotFittedError


class _StandaloneEstimator:
    """scikit-learn's estimator contract without scikit-learn: parameters are the keyword
    arguments of ``__init__``, stored unchanged."""

    _estimator_type = "classifier"

    @classmethod
    def _get_param_names(cls) -> List[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        """The constructor's arguments as given (``deep`` is accepted for scikit-learn's sake:
        there are no nested estimators)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> Any:
        """Sets constructor arguments by name and returns the estimator; an unknown name raises
        ValueError, as in scikit-learn."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise InvalidArgumentError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. Valid parameters are: {valid!r}."
                )
            setattr(self, name, value)
        return self

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """The mean accuracy of :meth:`predict` on ``X`` against ``y`` (weighted by
        ``sample_weight`` when given), as scikit-learn's ``ClassifierMixin.score``."""
        predicted = self.predict(X)  # type: ignore[attr-defined]
        truth = _labels_array(y, len(predicted))
        return float(np.average(predicted == truth, weights=sample_weight))

    def __repr__(self) -> str:
        defaults = {name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()}
        changed = [
            f"{name}={value!r}" for name, value in self.get_params().items() if not _same(value, defaults.get(name))
        ]
        return f"{type(self).__name__}({', '.join(changed)})"


def _same(a: Any, b: Any) -> bool:
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # e.g. arrays: not a default
        return False


if HAVE_SKLEARN:
    _Bases: Tuple[type, ...] = (_SklearnClassifier, _SklearnBase)
else:
    _Bases = (_StandaloneEstimator,)


class CharRNNClassifier(*_Bases):  # type: ignore[misc]
    """A scikit-learn classifier of short strings (names, words, product codes, …) by charnn's
    character-level networks: ``fit(X, y)`` with ``X`` a 1-D list, array or pandas Series of
    str (one text per sample) and ``y`` any labels (str, ints, …).

    ``recipe`` (default ``"fast"``): :func:`charnn.recipe`'s tested settings, model and training.
    ``"fast"`` is fastText's model (a bag of hashed character 1–5-grams, no recurrent layer;
    5 epochs of AdamW, cosine schedule): on the tutorial's 18,066 training names it fits in
    about 2 s and scores 86.06 % on the 10 % test split, above fastText's 85 %, hence the
    default. ``"best"`` adds a bidirectional GRU over the characters and trains up to 10 epochs
    with a 10 % validation split and early stopping: 86.45 % there, in about 16 s (on the
    42-language words data it does worse than ``"fast"``). ``None``: no recipe: Model's and
    fit's own defaults (the PyTorch tutorial's 2-layer GRU of 256, 2 epochs of batch 1: slow;
    set what you need). The fast recipe is tuned for thousands of texts and more; on a few
    hundred, fewer epochs or ``recipe="best"`` may do better (``GridSearchCV`` finds out).

    Every other model and training argument defaults to None, which means "the recipe's value"
    (or Model's/fit's default without a recipe); any value given replaces the recipe's:
    ``CharRNNClassifier(epochs=10)`` is the fast recipe trained for 10 epochs. They are
    :class:`charnn.Model`'s ``kind``, ``hidden_size``, ``num_layers``, ``hidden_init``,
    ``embedding_size``, ``bidirectional``, ``pooling``, ``dropout``, ``ngrams`` (hash buckets;
    0 turns the n-gram bag off), ``ngram_dim``, ``ngram_min``, ``ngram_max``, and
    :meth:`charnn.Model.fit`'s ``epochs``, ``batch_size``, ``lr``, ``optimizer``,
    ``weight_decay``, ``momentum``, ``clip``, ``schedule``, ``warmup``, ``min_lr``,
    ``step_size``, ``gamma``, ``plateau_factor``, ``plateau_patience``, ``label_smoothing``,
    ``validation`` (a share of the training texts held out to pick the best epoch; 0 for none,
    which also turns off the recipe's early stopping), ``patience`` and ``restore_best``. ``class_weight``: None,
    ``"balanced"``, a dict
    ``{class: weight}`` keyed by the values of ``y`` (classes not in it weigh 1) or one weight
    per class in ``classes_`` order.

    How texts are read (:class:`charnn.Dataset`'s options): ``alphabet="learned"`` (every
    character of the training texts, then ``<unk>`` for characters never seen), ``symbols``,
    ``normalize``, ``casefold``, ``transliterate``, ``min_count``, ``max_symbols``.

    ``seed`` (an int, scikit-learn's ``random_state``) seeds the initial weights, the shuffling and
    any validation split: the same data and seed give the same model. ``progress``: fit's
    progress bar (False by default, as scikit-learn's estimators are quiet).

    Fitted attributes: ``classes_`` (the sorted distinct labels, values and dtype of ``y`` as
    ``numpy.unique`` gives them), ``model_`` (the trained :class:`charnn.Model`, its labels
    ``str`` of the classes, or ``"class 0"``, ``"class 1"``, … when those would collide), ``train_result_`` (fit's
    :class:`charnn.TrainResult`),
    ``history_`` (its epochs) and ``n_iter_`` (epochs run). ``n_features_in_`` is not set:
    the input is text, not a feature matrix (as for scikit-learn's text vectorizers).

    :meth:`partial_fit` trains one more epoch on new data (the classes are fixed on the first
    call); see its notes. A text the model cannot read at all (an empty string, or only
    characters an ``"article"`` alphabet drops) or longer than 1024 symbols makes
    ``predict``/``predict_proba`` raise :class:`charnn.InvalidArgumentError` naming it; in
    ``fit`` such a row is left out with a warning.
    """

    #: Set by fit: the classes, the trained model, fit's result, its epochs, and how many ran.
    classes_: "numpy.typing.NDArray[Any]"
    model_: Model
    train_result_: TrainResult
    history_: List[EpochRecord]
    n_iter_: int

    def __init__(
        self,
        *,
        recipe: Optional[Literal["fast", "best"]] = "fast",
        kind: Optional[str] = None,
        hidden_size: Optional[int] = None,
        num_layers: Optional[int] = None,
        hidden_init: Optional[str] = None,
        embedding_size: Optional[int] = None,
        bidirectional: Optional[bool] = None,
        pooling: Optional[str] = None,
        dropout: Optional[float] = None,
        ngrams: Optional[int] = None,
        ngram_dim: Optional[int] = None,
        ngram_min: Optional[int] = None,
        ngram_max: Optional[int] = None,
        epochs: Optional[int] = None,
        batch_size: Optional[int] = None,
        lr: Optional[float] = None,
        optimizer: Optional[str] = None,
        weight_decay: Optional[float] = None,
        momentum: Optional[float] = None,
        clip: Optional[float] = None,
        schedule: Optional[str] = None,
        warmup: Union[None, int, float] = None,
        min_lr: Optional[float] = None,
        step_size: Optional[int] = None,
        gamma: Optional[float] = None,
        plateau_factor: Optional[float] = None,
        plateau_patience: Optional[int] = None,
        label_smoothing: Optional[float] = None,
        class_weight: Union[None, str, Mapping[Any, float], Sequence[float]] = None,
        validation: Optional[float] = None,
        patience: Optional[int] = None,
        restore_best: Optional[bool] = None,
        alphabet: str = "learned",
        symbols: Optional[str] = None,
        normalize: Optional[str] = None,
        casefold: bool = False,
        transliterate: Optional[bool] = None,
        min_count: int = 1,
        max_symbols: Optional[int] = None,
        seed: int = 0,
        progress: ProgressOption = False,
    ) -> None:
        # scikit-learn's rule: store the arguments unchanged; fit checks them.
        self.recipe = recipe
        self.kind = kind
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.hidden_init = hidden_init
        self.embedding_size = embedding_size
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.dropout = dropout
        self.ngrams = ngrams
        self.ngram_dim = ngram_dim
        self.ngram_min = ngram_min
        self.ngram_max = ngram_max
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.clip = clip
        self.schedule = schedule
        self.warmup = warmup
        self.min_lr = min_lr
        self.step_size = step_size
        self.gamma = gamma
        self.plateau_factor = plateau_factor
        self.plateau_patience = plateau_patience
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight
        self.validation = validation
        self.patience = patience
        self.restore_best = restore_best
        self.alphabet = alphabet
        self.symbols = symbols
        self.normalize = normalize
        self.casefold = casefold
        self.transliterate = transliterate
        self.min_count = min_count
        self.max_symbols = max_symbols
        self.seed = seed
        self.progress = progress

    # -- scikit-learn's hooks ------------------------------------------------------------

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc, unused-ignore]
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        return tags

    def _more_tags(self) -> Dict[str, Any]:  # scikit-learn before 1.6
        return {"X_types": ["string"]}

    # -- training ------------------------------------------------------------------------

    def fit(self, X: Any, y: Any) -> "CharRNNClassifier":
        """Learns the classes of ``y`` (``classes_``) and trains a new model on the texts ``X``
        (any earlier fit is forgotten). Returns the classifier."""
        texts = _texts(X, "X")
        if not texts:
            raise InvalidArgumentError("X holds 0 samples: fit needs at least one text per class")
        labels = _labels_array(y, len(texts))
        classes, indices = np.unique(labels, return_inverse=True)
        if len(classes) < 2:
            raise InvalidArgumentError(
                f"fit needs samples of at least 2 classes; y has only {len(classes)}: {classes.tolist()!r}"
            )
        names = _label_names(classes)
        with self._dataset(texts, indices.ravel().tolist(), names) as data:
            model = Model(data, **self._model_arguments())
            try:
                result = model.fit(data, **self._fit_arguments(classes, names))
            except BaseException:
                model.close()
                raise
        self._set_fitted(model, classes, names, result)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> "CharRNNClassifier":
        """Trains one epoch on ``X``, ``y``, continuing the model of earlier calls (or of
        :meth:`fit`). The first call needs ``classes`` (every label ``y`` will ever hold, as for
        scikit-learn's ``SGDClassifier``) and creates the model, its ``"learned"`` alphabet
        from this first batch's texts (characters first seen later read as ``<unk>``); later
        calls may repeat ``classes`` but not change them, and ``y`` must stay within them.

        Every call is one epoch of the training settings with a constant learning rate ``lr``:
        the schedule, warm-up, validation and early stopping belong to a whole training run,
        which a stream of batches does not have, so they are ignored here. Each call starts its
        optimizer afresh (Adam's moment estimates are not kept between calls: the library keeps
        them only within one training run), and each call costs the optimizer's set-up (tens of
        milliseconds with the recipes' 8 million n-gram weights). On the tutorial's names, five
        passes over the 18,066 training names reached 85.3 % test accuracy in batches of 500
        (185 calls, 15 s), 85.5 % in batches of 2,000 and 86.7 % in batches of 6,000, against
        86.1 % for one :meth:`fit` of the fast recipe."""
        texts = _texts(X, "X")
        labels = _labels_array(y, len(texts))
        fitted = self.__sklearn_is_fitted__()
        if not fitted:
            if classes is None:
                raise InvalidArgumentError(
                    "classes must be passed on the first call to partial_fit (every label y will ever hold)"
                )
            known = np.unique(_labels_array(classes, None, "classes"))
            if len(known) < 2:
                raise InvalidArgumentError(f"partial_fit needs at least 2 classes, got {known.tolist()!r}")
        else:
            known = self.classes_
            if classes is not None and not _equal_classes(np.unique(_labels_array(classes, None, "classes")), known):
                raise InvalidArgumentError(
                    f"classes {np.unique(np.asarray(classes)).tolist()!r} differ from those of the "
                    f"first call to partial_fit or fit: {known.tolist()!r}"
                )
        if not texts:
            raise InvalidArgumentError("X holds 0 samples")
        indices = _class_indices(labels, known)
        names = _label_names(known) if not fitted else self._label_names_
        with self._dataset(texts, indices, names) as data:
            model = self.model_ if fitted else Model(data, **self._model_arguments())
            arguments = self._fit_arguments(known, names)
            arguments.update(epochs=1, schedule="constant", warmup=0, validation=None, patience=0)
            try:
                result = model.fit(data, **arguments)
            except BaseException:
                if not fitted:
                    model.close()
                raise
        self._set_fitted(model, known, names, result, continued=fitted)
        return self

    def _dataset(self, texts: List[str], indices: List[int], names: List[str]) -> Dataset:
        options = {name: _plain(getattr(self, name)) for name in TEXT_PARAMS}
        data = Dataset(texts, indices, names, **options)
        skipped = data.skipped
        if skipped:
            if len(data) == 0:
                data.close()
                raise InvalidArgumentError(
                    f"none of the {len(texts)} texts can be read with alphabet={self.alphabet!r} "
                    f"(the first: {skipped[0]})"
                )
            warnings.warn(
                f"{len(skipped)} of {len(texts)} texts were left out of training, the first: {skipped[0]}",
                UserWarning,
                stacklevel=3,
            )
        return data

    def _model_arguments(self) -> Dict[str, Any]:
        arguments: Dict[str, Any] = {
            name: _plain(getattr(self, name)) for name in MODEL_PARAMS if getattr(self, name) is not None
        }
        arguments["seed"] = _plain(self.seed)
        if self.recipe is not None:
            arguments["recipe"] = self.recipe
        return arguments

    def _fit_arguments(self, classes: Any, names: List[str]) -> Dict[str, Any]:
        arguments: Dict[str, Any] = {
            name: _plain(getattr(self, name)) for name in FIT_PARAMS if getattr(self, name) is not None
        }
        if isinstance(arguments.get("validation"), Dataset):
            raise ArgumentTypeError(
                "validation must be a share of the training texts in (0, 1), 0 or None, not a Dataset"
            )
        if "validation" in arguments and not arguments["validation"]:
            arguments["validation"] = None  # 0 or False: none, whatever the recipe says
            arguments.setdefault("patience", 0)  # nor the recipe's early stopping, which needs it
        if self.class_weight is not None:
            arguments["class_weight"] = _class_weights(self.class_weight, classes, names)
        arguments["seed"] = _plain(self.seed)
        arguments["progress"] = _plain(self.progress)
        if self.recipe is not None:
            arguments["recipe"] = self.recipe
        return arguments

    def _set_fitted(
        self, model: Model, classes: Any, names: List[str], result: TrainResult, continued: bool = False
    ) -> None:
        previous = getattr(self, "model_", None)
        if previous is not None and previous is not model:
            previous.close()
        self.model_ = model
        self.classes_ = classes
        self._label_names_ = list(names)
        # The model's labels are the class names in classes_ order; map by name all the same.
        position = {name: i for i, name in enumerate(names)}
        self._columns_ = np.array([position[label] for label in model.labels], dtype=np.intp)
        self.train_result_ = result
        if continued:
            self.history_ = list(getattr(self, "history_", [])) + list(result.history)
            self.n_iter_ = int(getattr(self, "n_iter_", 0)) + result.epochs_completed
        else:
            self.history_ = list(result.history)
            self.n_iter_ = result.epochs_completed

    # -- prediction ----------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def predict_proba(self, X: Any) -> "numpy.typing.NDArray[np.float64]":
        """The probability of every class for each text: an array of shape
        ``(len(X), len(classes_))``, columns in ``classes_`` order, rows summing to 1. One
        batched call into the library for all texts."""
        self._check_fitted()
        texts = _texts(X, "X")
        n, k = len(texts), len(self.classes_)
        probabilities = np.zeros((n, k), dtype=np.float64)
        if n == 0:
            return probabilities
        import ctypes  # noqa: PLC0415

        # charnn_model_predict_many with k = every label: each row holds all of them, by rank.
        ranked = np.empty((n, k), dtype=np.int32)
        scores = np.empty((n, k), dtype=np.float32)
        check(
            lib.charnn_model_predict_many(
                self.model_._handle,
                string_array(texts, "X"),
                n,
                k,
                ranked.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
                scores.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
            )
        )
        rows = np.repeat(np.arange(n), k).reshape(n, k)
        probabilities[rows, self._columns_[ranked]] = scores
        # float32 softmax rounding: renormalise so every row sums to 1 in float64
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return probabilities

    def predict_log_proba(self, X: Any) -> "numpy.typing.NDArray[np.float64]":
        """``log(predict_proba(X))``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> "numpy.typing.NDArray[Any]":
        """The most likely class of each text: an array of values from ``classes_``."""
        probabilities = self.predict_proba(X)
        predicted: "numpy.typing.NDArray[Any]" = self.classes_[np.argmax(probabilities, axis=1)]
        return predicted


# -- input checks ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """NumPy scalars (from a parameter grid such as ``np.arange(1, 4)``) as Python's, which
    Model and fit check for."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, float):
        return float(value)
    if isinstance(value, np.str_):
        return str(value)
    return value


def _texts(X: Any, what: str) -> List[str]:
    """X as a list of str: 1-D (a list, tuple, array, Series) or a single column."""
    if isinstance(X, (str, bytes)):
        raise ArgumentTypeError(
            f"{what} must be a 1-D sequence of str (one text per sample), not a single "
            f"{type(X).__name__}: wrap it in a list"
        )
    ndim = getattr(X, "ndim", None)
    shape = getattr(X, "shape", None)
    if ndim is not None and ndim != 1:
        if ndim == 2 and shape is not None and shape[1] == 1:  # one column: take it
            X = X.iloc[:, 0] if hasattr(X, "iloc") else X[:, 0]
            if hasattr(X, "toarray"):  # a sparse column
                raise ArgumentTypeError(f"{what} must be texts (str), not a sparse matrix")
        else:
            raise InvalidArgumentError(
                f"{what} must be 1-D: one text per sample (a list, a 1-D array or a pandas Series), "
                f"got an array of shape {tuple(shape) if shape is not None else ndim}; "
                "pass the text column alone (df['text'] or X[:, 0])"
            )
    try:
        items = list(X)
    except TypeError:
        raise ArgumentTypeError(f"{what} must be a 1-D sequence of str, not {type(X).__name__}") from None
    for i, item in enumerate(items):
        if not isinstance(item, str):
            if isinstance(item, (list, tuple, np.ndarray)):
                raise InvalidArgumentError(
                    f"{what} must be 1-D: one text per sample, but {what}[{i}] is a "
                    f"{type(item).__name__} (2-D input); pass the text column alone"
                )
            raise ArgumentTypeError(
                f"{what} must hold str (one text per sample); {what}[{i}] is {type(item).__name__} {item!r}"
            )
    return [str(item) for item in items]  # numpy.str_ to str


def _labels_array(y: Any, count: Optional[int], what: str = "y") -> "numpy.typing.NDArray[Any]":
    """y as a 1-D NumPy array of labels, checked for length, missing values and continuous
    values (scikit-learn's check_classification_targets when it is installed)."""
    if isinstance(y, (str, bytes)):
        raise ArgumentTypeError(f"{what} must be a 1-D sequence of labels, not a single {type(y).__name__}")
    if hasattr(y, "to_numpy"):  # pandas
        y = y.to_numpy()
    if isinstance(y, (list, tuple)):
        _check_missing(y, what)
        if len({isinstance(label, str) for label in y}) > 1:
            raise InvalidArgumentError(f"Mix of label input types (string and number) in {what}: use one type")
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        if HAVE_SKLEARN:
            from sklearn.utils.validation import column_or_1d  # type: ignore

            labels = column_or_1d(labels, warn=True)
        else:
            labels = labels.ravel()
    if labels.ndim != 1:
        raise InvalidArgumentError(f"{what} must be 1-D (one label per sample), got shape {labels.shape}")
    if count is not None and len(labels) != count:
        raise InvalidArgumentError(f"X has {count} samples but {what} has {len(labels)} labels")
    if labels.dtype.kind in "fO":
        _check_missing(labels.tolist(), what)
    if labels.dtype.kind == "f" and not np.all(np.mod(labels, 1) == 0):
        raise InvalidArgumentError(
            f"Unknown label type: continuous. {what} holds non-integral numbers: a classifier needs discrete labels"
        )
    if HAVE_SKLEARN and len(labels):
        _check_targets(labels)
    return labels


def _check_missing(labels: Sequence[Any], what: str) -> None:
    for i, label in enumerate(labels):
        if label is None or (isinstance(label, float) and math.isnan(label)) or type(label).__name__ == "NAType":
            raise InvalidArgumentError(f"{what}[{i}] is missing ({label!r}): drop or fill those rows first")


def _class_indices(labels: Any, classes: Any) -> List[int]:
    """Each label's index in the sorted classes; a label not among them raises ValueError."""
    position = np.searchsorted(classes, labels)
    inside = position < len(classes)
    found = np.zeros(len(labels), dtype=bool)
    found[inside] = classes[position[inside]] == labels[inside]
    if not found.all():
        unknown = np.unique(labels[~found])
        raise InvalidArgumentError(f"y holds labels not among the classes {classes.tolist()!r}: {unknown.tolist()!r}")
    return [int(i) for i in position]


def _equal_classes(a: Any, b: Any) -> bool:
    return len(a) == len(b) and bool(np.all(a == b))


def _label_names(classes: Any) -> List[str]:
    """The model's label names: str of each class when they are distinct, non-empty and NUL
    free (so the model reads well on its own), else "class 0", "class 1", …"""
    names = [str(c) for c in classes.tolist()]
    if len(set(names)) == len(names) and all(name and "\0" not in name for name in names):
        return names
    return [f"class {i}" for i in range(len(names))]


def _class_weights(class_weight: Any, classes: Any, names: List[str]) -> Union[str, Dict[str, float], List[float]]:
    """class_weight keyed by classes_ values (or in their order), as fit's by label name."""
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise InvalidArgumentError(
                f"class_weight must be None, 'balanced', a dict or a sequence, not {class_weight!r}"
            )
        return class_weight
    if isinstance(class_weight, Mapping):
        values = classes.tolist()
        weights = {}
        for key, weight in class_weight.items():
            matches = [i for i, value in enumerate(values) if value == key]
            if not matches:
                raise InvalidArgumentError(f"class_weight names {key!r}, which is not one of the classes {values!r}")
            if not isinstance(weight, numbers.Real):
                raise ArgumentTypeError(f"class_weight[{key!r}] must be a number, not {type(weight).__name__}")
            weights[names[matches[0]]] = float(weight)
        return weights
    values = list(class_weight)
    if len(values) != len(names):
        raise InvalidArgumentError(f"class_weight has {len(values)} values; there are {len(names)} classes")
    return [float(w) for w in values]
