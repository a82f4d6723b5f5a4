"""charnn.Model: create, train, evaluate, predict, save and load."""

from __future__ import annotations

import ctypes
import functools
import inspect
import math
import os
import signal
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar, Union, cast

from . import _defaults, _lib
from .metrics import Evaluation, evaluate as _evaluate
from ._core import Handle, check, encode, handle_of, lib, path_bytes, string_array
from .dataset import Dataset
from .errors import ArgumentTypeError, CancelledError, InvalidArgumentError
from .progress import Bar, ProgressOption, make_bar
from .text import describe, is_default, text_config

if TYPE_CHECKING:
    from .recipes import Recipe

KINDS = {"elman": 0, "gru": 1, "lstm": 2}
HIDDEN_INITS = {None: 0, "kaiming": 1, "zeros": 2}
POOLINGS = {"last": 0, "mean": 1, "max": 2}
OPTIMIZERS = {"adam": 0, "adamw": 1, "sgd": 2}
SCHEDULES = {"constant": 0, "cosine": 1, "step": 2, "plateau": 3}
CLASS_WEIGHTS_NONE, CLASS_WEIGHTS_BALANCED, CLASS_WEIGHTS_EXPLICIT = 0, 1, 2

# The defaults of Model and fit are the library's (charnn_model_config_init and
# charnn_train_config_init fill them), in the binding's terms.
_M, _T = _defaults.MODEL, _defaults.TRAIN

#: A top-k prediction: (label, probability).
Prediction = Tuple[str, float]


@dataclass(frozen=True)
class TrainProgress:
    """Where training is, as passed to a ``fit`` callback."""

    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float
    running_loss: float
    #: The learning rate this step used.
    learning_rate: float = float("nan")
    #: True at an epoch's last step (always reported, whatever ``report_every``).
    epoch_end: bool = False
    #: At an epoch's end with validation: the mean cross-entropy (no smoothing, no weights) and
    #: the accuracy on the validation set; NaN otherwise.
    validation_loss: float = float("nan")
    validation_accuracy: float = float("nan")


@dataclass(frozen=True)
class EpochRecord:
    """One epoch of a ``fit`` call's history."""

    epoch: int
    #: The mean training loss of the epoch.
    loss: float
    #: The learning rate of the epoch's last step.
    learning_rate: float
    #: Validation loss and accuracy after the epoch (NaN without validation).
    validation_loss: float = float("nan")
    validation_accuracy: float = float("nan")


@dataclass(frozen=True)
class TrainResult:
    """What a ``fit`` call did."""

    epochs_completed: int
    steps_taken: int
    last_loss: float
    last_epoch_loss: float
    #: True when the callback or Ctrl-C stopped training early.
    stopped_early: bool
    #: Every completed epoch, in order (also ``model.history`` after ``fit``).
    history: List[EpochRecord] = field(default_factory=list)
    #: The 1-based epoch of the lowest validation loss (0 without validation); with
    #: ``restore_best`` the model ends with its weights.
    best_epoch: int = 0
    best_validation_loss: float = float("nan")
    best_validation_accuracy: float = float("nan")
    #: True when early stopping (``patience``) ended training.
    early_stopped: bool = False


def _check_int(value: Any, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ArgumentTypeError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise InvalidArgumentError(f"{name} must be in [{low}, {high}], got {value}")
    return value


def _check_float(value: Any, name: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ArgumentTypeError(f"{name} must be a number, not {type(value).__name__}")
    return float(value)


def _recipe(name: str, rows: int = 0) -> "Recipe":
    from .recipes import recipe  # noqa: PLC0415 (recipes imports this module)

    return recipe(name, rows)


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _recipe_applied(settings: Callable[[str, Dict[str, Any]], Dict[str, Any]]) -> Callable[[_Method], _Method]:
    """A method taking ``recipe=``: called with a recipe, it gets the recipe's settings
    (``settings(name, arguments given)``) with every argument the caller passed on top, whatever
    its value (an argument equal to its default, such as ``epochs=2``, still changes the recipe).
    The method keeps its signature for type checkers."""

    def decorate(method: _Method) -> _Method:
        signature = inspect.signature(method)

        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            given = dict(signature.bind(self, *args, **kwargs).arguments)
            name = given.pop("recipe", None)
            if name is None:
                return method(self, *args, **kwargs)
            del given["self"]
            return method(self, **{**settings(name, given), **given})

        return cast(_Method, wrapper)

    return decorate


class Model(Handle):
    """A recurrent text classifier: the article's Elman cell, a GRU or an LSTM.

    ``Model(labels, kind="gru", hidden_size=256, num_layers=None, hidden_init=None, seed=0)``
    mirrors ``charnn_model_config``: ``num_layers`` defaults to 1 for ``"elman"`` and 2 for
    ``"gru"``/``"lstm"``; ``hidden_init`` (``"kaiming"`` or ``"zeros"``) defaults to the
    article's kaiming-uniform state for the Elman cell and zeros otherwise.

    The GRU and LSTM take more (keyword only): ``embedding_size`` (0: one-hot characters),
    ``bidirectional``, ``pooling`` (``"last"``, ``"mean"``, ``"max"``), ``dropout`` (training
    only), and ``ngrams`` (hash buckets of a bag of character n-grams beside the recurrent
    features, fastText's idea; None or 0: none) with ``ngram_dim``, ``ngram_min``, ``ngram_max``.
    Values out of range raise :class:`charnn.InvalidArgumentError` naming the problem.
    :func:`charnn.recipe` (or ``recipe=``) gives tested settings (``"fast"``, ``"best"``) for all of these.

    How it reads text (stored in its checkpoint, so it always reads as it was trained):

    - ``Model(dataset, ...)``: the dataset's labels and alphabet: the usual way to start on your
      own data, and the only way to a ``"learned"`` alphabet (load the dataset with
      ``alphabet="learned"``);
    - ``Model(labels, ..., alphabet="explicit", symbols="abc…")`` or other text options
      (keyword only: ``alphabet`` ``"article"``/``"explicit"``, ``symbols``, ``normalize``,
      ``casefold``, ``transliterate``, as for :class:`Dataset`); with a dataset, text options
      replace its alphabet (keeping its labels);
    - ``Model(labels)``: the article's 59 ASCII symbols after transliteration (0.1.0's model).

    Predictions and evaluations may run from many threads at once; training needs the model to
    itself (:class:`charnn.BusyError` otherwise). Release it with :meth:`close`, a ``with``
    block or garbage collection.
    """

    _free_name = "charnn_model_free"
    #: The last :meth:`fit` call's epochs (:class:`EpochRecord`), None before any.
    history: Optional[List[EpochRecord]] = None

    @_recipe_applied(lambda name, given: _recipe(name).model)
    def __init__(
        self,
        labels: Union[Sequence[str], Dataset],
        kind: str = _defaults.name_of(_M["kind"], KINDS),
        hidden_size: int = _M["hidden_size"],
        num_layers: Optional[int] = _M["num_layers"] or None,
        hidden_init: Optional[str] = _defaults.name_of(_M["hidden_init"], HIDDEN_INITS),
        seed: int = _M["seed"],
        *,
        alphabet: Optional[str] = None,
        symbols: Optional[str] = None,
        normalize: Optional[str] = None,
        casefold: bool = False,
        transliterate: Optional[bool] = None,
        embedding_size: int = _M["embedding_size"],
        bidirectional: bool = bool(_M["bidirectional"]),
        pooling: str = _defaults.name_of(_M["pooling"], POOLINGS),
        dropout: float = _M["dropout"],
        ngrams: Optional[int] = _M["ngram_buckets"] or None,
        ngram_dim: int = _M["ngram_dim"],
        ngram_min: int = _M["ngram_min"],
        ngram_max: int = _M["ngram_max"],
        recipe: Optional[str] = None,
    ) -> None:
        if kind not in KINDS:
            raise InvalidArgumentError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
        if hidden_init not in HIDDEN_INITS:
            raise InvalidArgumentError(f"hidden_init must be 'kaiming', 'zeros' or None, not {hidden_init!r}")
        config = _lib.ModelConfig()
        lib.charnn_model_config_init(ctypes.byref(config))
        config.kind = KINDS[kind]
        config.hidden_size = _check_int(hidden_size, "hidden_size", -(2**31), 2**31 - 1)  # the library checks the range
        config.num_layers = 0 if num_layers is None else _check_int(num_layers, "num_layers", 1, 2**31 - 1)
        config.hidden_init = HIDDEN_INITS[hidden_init]
        config.seed = _check_int(seed, "seed", 0, 2**64 - 1)
        if pooling not in POOLINGS:
            raise InvalidArgumentError(f"pooling must be one of {sorted(POOLINGS)}, not {pooling!r}")
        # Only the types and int32 here: the library checks the ranges (InvalidArgumentError, naming the field).
        int32 = (-(2**31), 2**31 - 1)
        config.embedding_size = _check_int(embedding_size, "embedding_size", *int32)
        config.bidirectional = 1 if bidirectional else 0
        config.pooling = POOLINGS[pooling]
        config.dropout = _check_float(dropout, "dropout")
        config.ngram_buckets = 0 if ngrams is None else _check_int(ngrams, "ngrams", *int32)
        config.ngram_dim = _check_int(ngram_dim, "ngram_dim", *int32)
        config.ngram_min = _check_int(ngram_min, "ngram_min", *int32)
        config.ngram_max = _check_int(ngram_max, "ngram_max", *int32)
        options = dict(
            alphabet="article" if alphabet is None else alphabet,
            symbols=symbols,
            normalize=normalize,
            casefold=casefold,
            transliterate=transliterate,
        )
        text_given = alphabet is not None or not is_default(options)
        if text_given and isinstance(options["alphabet"], str) and options["alphabet"].lower() == "learned":
            where = (
                "the dataset's alphabet is used when no text option is given"
                if isinstance(labels, Dataset)
                else "pass a Dataset instead of label names"
            )
            raise InvalidArgumentError(
                "alphabet='learned' is learned from data: load the data with alphabet='learned', "
                f"then create the model with Model(dataset) ({where})"
            )
        text = text_config(**options) if text_given else None
        out = ctypes.c_void_p()
        if isinstance(labels, Dataset):
            if text is None:
                check(lib.charnn_model_create_for_dataset(ctypes.byref(config), labels._handle, ctypes.byref(out)))
                super().__init__(handle_of(out))
                return
            labels = labels.labels
        labels = list(labels) if not isinstance(labels, str) else labels
        if text is None:
            check(
                lib.charnn_model_create(
                    ctypes.byref(config), string_array(labels, "labels"), len(labels), ctypes.byref(out)
                )
            )
        else:
            check(
                lib.charnn_model_create_with_text(
                    ctypes.byref(config),
                    ctypes.byref(text),
                    string_array(labels, "labels"),
                    len(labels),
                    ctypes.byref(out),
                )
            )
        super().__init__(handle_of(out))

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Model":
        """Reads a checkpoint written by :meth:`save`. Raises :class:`charnn.FileError` when it
        cannot be read and :class:`charnn.InvalidCheckpointError` (naming the problem) when it
        is truncated, mis-typed or inconsistent."""
        out = ctypes.c_void_p()
        check(lib.charnn_model_load(path_bytes(path), ctypes.byref(out)))
        return cls._wrap(handle_of(out))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Model":
        """A model from the bytes of a checkpoint (``open(path, "rb").read()``, a resource, a
        download), validated like :meth:`load`."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ArgumentTypeError(f"data must be bytes, not {type(data).__name__}")
        buffer = bytes(data)
        out = ctypes.c_void_p()
        check(lib.charnn_model_load_memory(buffer, len(buffer), ctypes.byref(out)))
        return cls._wrap(handle_of(out))

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes a safetensors checkpoint with PyTorch's tensor names (``safetensors.torch`` +
        ``load_state_dict`` read it). Atomic: a failure leaves any previous file intact."""
        check(lib.charnn_model_save(self._handle, path_bytes(path)))

    def to_bytes(self) -> bytes:
        """The checkpoint :meth:`save` writes, as bytes (``charnn_model_save_memory``):
        :meth:`from_bytes` reads them back. Raises :class:`charnn.BusyError` while the model
        trains and :class:`charnn.ClosedError` once it is closed."""
        size = ctypes.c_size_t()
        check(lib.charnn_model_save_memory(self._handle, None, 0, ctypes.byref(size)))
        buffer = ctypes.create_string_buffer(size.value)
        check(lib.charnn_model_save_memory(self._handle, buffer, len(buffer), ctypes.byref(size)))
        return buffer.raw

    def __reduce__(self) -> Tuple[Any, ...]:
        """Pickling, ``copy.copy`` and ``copy.deepcopy`` go by value, through :meth:`to_bytes`:
        the copy is a model of its own (its own weights, freed on its own), and a pickle loads
        in another process (multiprocessing, joblib). Other attributes (``history``) come along,
        deep-copied by ``copy.deepcopy``. A closed model raises :class:`charnn.ClosedError`, one
        that is training :class:`charnn.BusyError`."""
        state = {key: value for key, value in self.__dict__.items() if key != "_pointer"}
        return type(self).from_bytes, (self.to_bytes(),), state or None

    # -- description ---------------------------------------------------------------------

    def _config(self) -> _lib.ModelConfig:
        config = _lib.ModelConfig()
        lib.charnn_model_config_init(ctypes.byref(config))
        check(lib.charnn_model_get_config(self._handle, ctypes.byref(config)))
        return config

    @property
    def kind(self) -> str:
        """``"elman"``, ``"gru"`` or ``"lstm"``."""
        return {v: k for k, v in KINDS.items()}[self._config().kind]

    @property
    def hidden_size(self) -> int:
        """The width of the hidden state."""
        return int(self._config().hidden_size)

    @property
    def num_layers(self) -> int:
        """Stacked recurrent layers (1 for the Elman cell)."""
        return int(self._config().num_layers)

    @property
    def hidden_init(self) -> str:
        """``"kaiming"`` or ``"zeros"``."""
        return "kaiming" if self._config().hidden_init == 1 else "zeros"

    @property
    def embedding_size(self) -> int:
        """Numbers per symbol of the input embedding (0: one-hot characters)."""
        return int(self._config().embedding_size)

    @property
    def bidirectional(self) -> bool:
        """Whether every layer reads both ways."""
        return bool(self._config().bidirectional)

    @property
    def pooling(self) -> str:
        """What the head reads: ``"last"``, ``"mean"`` or ``"max"``."""
        return {v: k for k, v in POOLINGS.items()}[self._config().pooling]

    @property
    def dropout(self) -> float:
        """The dropout probability used in training."""
        return float(self._config().dropout)

    @property
    def ngrams(self) -> Optional[Dict[str, int]]:
        """The n-gram bag (``buckets``, ``dim``, ``min``, ``max``), or None."""
        c = self._config()
        if c.ngram_buckets == 0:
            return None
        return {"buckets": c.ngram_buckets, "dim": c.ngram_dim, "min": c.ngram_min, "max": c.ngram_max}

    @property
    def seed(self) -> int:
        """The seed of the initial weights (and of the Elman cell's per-name hidden states at inference)."""
        return int(self._config().seed)

    @property
    def labels(self) -> List[str]:
        """The labels the model predicts, in index order."""
        self._handle  # a closed model refuses even what it could remember
        cached = getattr(self, "_labels", None)
        if cached is not None:
            return list(cached)
        count = ctypes.c_size_t()
        check(lib.charnn_model_label_count(self._handle, ctypes.byref(count)))
        names = []
        for i in range(count.value):
            out = ctypes.c_char_p()
            check(lib.charnn_model_label_name(self._handle, i, ctypes.byref(out)))
            names.append((out.value or b"").decode("utf-8"))
        self._labels = names  # fixed at creation: ask the library once
        return list(names)

    @property
    def text_config(self) -> Dict[str, Any]:
        """How the model reads text: ``{"alphabet": "article" | "learned" | "explicit",
        "normalize": "none" | "nfc" | "nfkc", "casefold": bool, "transliterate": bool,
        "symbols": str}``, ``symbols`` being its alphabet in index order, without ``<unk>``."""
        config = _lib.TextConfig()
        lib.charnn_text_config_init(ctypes.byref(config))
        check(lib.charnn_model_get_text_config(self._handle, ctypes.byref(config)))
        return describe(config)

    @property
    def alphabet_size(self) -> int:
        """The number of symbols the model reads (its input size), ``<unk>`` included."""
        out = ctypes.c_size_t()
        check(lib.charnn_model_alphabet_size(self._handle, ctypes.byref(out)))
        return out.value

    def encode(self, text: str) -> Tuple[List[int], int]:
        """``text`` as the model reads it: (its symbol indices, how many characters the alphabet
        lacks). Those become ``<unk>`` (the last index) with a learned or explicit alphabet and
        are dropped by the article's, as :meth:`predict` does."""
        data = encode(text, "text")
        length, unknown = ctypes.c_size_t(), ctypes.c_size_t()
        capacity = 2 * len(text) + 16
        indices = (ctypes.c_int32 * capacity)()
        status = lib.charnn_model_encode(
            self._handle, data, indices, capacity, ctypes.byref(length), ctypes.byref(unknown)
        )
        if status == 10:  # CHARNN_BUFFER_TOO_SMALL: now we know the length
            capacity = max(length.value, 1)
            indices = (ctypes.c_int32 * capacity)()
            status = lib.charnn_model_encode(
                self._handle, data, indices, capacity, ctypes.byref(length), ctypes.byref(unknown)
            )
        check(status)
        return list(indices[: length.value]), unknown.value

    def quantize(self) -> "Model":
        """An int8 copy of this GRU or LSTM (``charnn_model_quantize``): each weight matrix
        quantized per row (w ≈ q · scale, q in −127…127), biases and the head kept float. It
        predicts and evaluates faster, saves a checkpoint about 4× smaller, and cannot be trained
        (train this model, then quantize again). This model is unchanged. Raises
        :class:`charnn.InvalidArgumentError` for an Elman model or one already quantized."""
        out = ctypes.c_void_p()
        check(lib.charnn_model_quantize(self._handle, ctypes.byref(out)))
        return type(self)._wrap(handle_of(out))

    @property
    def is_quantized(self) -> bool:
        """Whether the model holds int8 weights (:meth:`quantize`, or a quantized checkpoint)."""
        out = ctypes.c_int()
        check(lib.charnn_model_is_quantized(self._handle, ctypes.byref(out)))
        return bool(out.value)

    @property
    def parameter_count(self) -> int:
        """The number of trainable weights."""
        out = ctypes.c_size_t()
        check(lib.charnn_model_parameter_count(self._handle, ctypes.byref(out)))
        return out.value

    def __repr__(self) -> str:
        if self.closed:
            return "<charnn.Model (closed)>"
        return (
            f"<charnn.Model {self.kind}: hidden {self.hidden_size}, {self.num_layers} layer(s), "
            f"{len(self.labels)} labels, {self.text_config['alphabet']} alphabet of {self.alphabet_size} symbols, "
            f"{self.parameter_count} {'int8 ' if self.is_quantized else ''}weights>"
        )

    # -- training ------------------------------------------------------------------------

    @_recipe_applied(
        lambda name, given: _recipe(name, len(given["train"]) if isinstance(given.get("train"), Dataset) else 0).fit
    )
    def fit(
        self,
        train: Dataset,
        epochs: int = _T["epochs"],
        batch_size: int = _T["batch_size"],
        lr: float = _T["learning_rate"],
        optimizer: str = _defaults.name_of(_T["optimizer"], OPTIMIZERS),
        clip: Optional[float] = _T["clip_norm"] or None,
        seed: int = _T["seed"],
        weight_decay: float = _T["weight_decay"],
        momentum: float = _T["momentum"],
        betas: Tuple[float, float] = (_T["beta1"], _T["beta2"]),
        eps: float = _T["epsilon"],
        shuffle: bool = bool(_T["shuffle"]),
        progress: ProgressOption = True,
        callback: Optional[Callable[[TrainProgress], Optional[bool]]] = None,
        report_every: int = _T["report_every"],
        *,
        validation: Union[None, float, Dataset] = _T["validation_fraction"] or None,
        patience: int = _T["patience"],
        restore_best: bool = bool(_T["restore_best"]),
        schedule: str = _defaults.name_of(_T["schedule"], SCHEDULES),
        warmup: Union[int, float] = _T["warmup_steps"],
        min_lr: float = _T["min_learning_rate"],
        step_size: int = _T["step_size"],
        gamma: float = _T["gamma"],
        plateau_factor: float = _T["plateau_factor"],
        plateau_patience: int = _T["plateau_patience"],
        label_smoothing: float = _T["label_smoothing"],
        class_weight: Union[None, str, Dict[str, float], Sequence[float]] = None,
        recipe: Optional[str] = None,
    ) -> TrainResult:
        """Trains on ``train``. Its labels are matched to the model's by name (each must be one
        of the model's; it may lack some) and its texts are read with the model's alphabet,
        whatever the dataset was loaded with. Defaults are the article's protocol:
        2 epochs (``epochs`` ≥ 1), batch 1, Adam lr 1e-3, no clipping (the article clips its Elman cell to 1:
        ``clip=1``), no validation, a constant learning rate, plain cross-entropy.

        ``progress``: True (tqdm in a notebook or on a terminal when it is installed, else the
        plain bar, which off a terminal writes one line per epoch and no carriage returns),
        ``"plain"``, ``"tqdm"``, ``"auto"`` (as True) or False; with validation it shows the validation accuracy
        after every epoch. ``callback(progress)`` is called every ``report_every`` steps and at
        every epoch's end with a :class:`TrainProgress`; returning ``False`` stops training
        after that step. Ctrl-C also stops it cleanly after the current step and then raises
        ``KeyboardInterrupt``; either way the model keeps what it learned (its best epoch's
        weights with validation and ``restore_best``).

        Validation, early stopping (``charnn_train_config`` has the details):

        - ``validation``: a share of ``train`` in (0, 1) held out (stratified, seeded by
          ``seed``; it never trains), a :class:`Dataset`, or None. After every epoch the model
          is scored on it (mean cross-entropy and accuracy, as :meth:`evaluate` would); the
          epoch of the lowest validation loss is the best one.
        - ``patience``: stop after this many epochs without a lower validation loss (0: never).
        - ``restore_best``: end with the best epoch's weights (default True; with validation).

        Learning rate: ``schedule`` ``"constant"``, ``"cosine"`` (down to ``min_lr`` over all
        steps after the warm-up), ``"step"`` (× ``gamma`` every ``step_size`` epochs) or
        ``"plateau"`` (× ``plateau_factor`` after more than ``plateau_patience`` epochs without
        a lower validation loss, down to ``min_lr``: PyTorch's ``ReduceLROnPlateau``);
        ``warmup``: a linear warm-up over an int number of steps, or a float share of all steps
        in [0, 1). ``optimizer="adamw"`` with ``weight_decay`` is AdamW.

        Loss: ``label_smoothing`` (PyTorch's ``cross_entropy(label_smoothing=)``) and
        ``class_weight``: None, ``"balanced"`` (n_samples / (n_classes · count), as
        scikit-learn), a dict ``{label: weight}`` (labels not in it weigh 1) or one weight per
        label of the model in its order (PyTorch's ``cross_entropy(weight=)``).

        ``recipe`` (``"fast"`` or ``"best"``): the recipe's training for ``train``'s size
        (:func:`charnn.recipe`); the arguments given change it (``epochs=2`` included).

        Returns a :class:`TrainResult` whose ``history`` lists every epoch (also kept as
        ``model.history``).

        Raises :class:`charnn.DivergedError` when a loss, gradient or weight becomes NaN or
        infinite (the weights stay the last finite ones), :class:`charnn.BusyError` when the
        model is in use, :class:`charnn.InvalidArgumentError` for bad settings.
        """
        if not isinstance(train, Dataset):
            raise ArgumentTypeError(f"train must be a charnn.Dataset, not {type(train).__name__}")
        if progress not in (True, False, "plain", "tqdm", "auto"):
            raise InvalidArgumentError(f"progress must be True, False, 'plain', 'tqdm' or 'auto', not {progress!r}")
        if callback is not None and not callable(callback):
            raise ArgumentTypeError("callback must be callable")
        config = _lib.TrainConfig()
        lib.charnn_train_config_init(ctypes.byref(config))
        _set_optimizer(
            config,
            epochs,
            batch_size,
            optimizer,
            lr,
            betas,
            eps,
            weight_decay,
            momentum,
            clip,
            seed,
            shuffle,
            report_every,
        )
        validation_set = _set_validation(config, validation, patience, restore_best)
        _set_schedule(config, schedule, step_size, gamma, plateau_factor, plateau_patience, min_lr, warmup)
        config.label_smoothing = _check_float(label_smoothing, "label_smoothing")
        weights = self._class_weights(class_weight)  # a ctypes array that must outlive the call
        _set_class_weights(config, class_weight, weights)

        rows = len(train)
        if config.validation_fraction > 0 and rows >= 2:
            rows -= min(rows - 1, math.ceil(config.validation_fraction * rows))
        steps = math.ceil(rows / batch_size) * epochs
        relay = _ProgressRelay(
            make_bar(steps, "auto" if progress is True else progress) if progress else None, callback
        )
        # The C function pointer must stay alive while the library may call it: this local does.
        config.progress = _lib.PROGRESS_FN(relay)
        status, result = self._train(train, validation_set, config, relay)
        if relay.raised:
            raise relay.raised[0]
        stopped = status == CancelledError.status
        if not stopped:
            check(status)
        self.history = relay.history
        if relay.interrupted.is_set():
            raise KeyboardInterrupt(
                f"training stopped after {result.steps_taken} steps; the model keeps what it learned"
            )
        return TrainResult(
            result.epochs_completed,
            result.steps_taken,
            result.last_loss,
            result.last_epoch_loss,
            stopped,
            relay.history,
            result.best_epoch,
            result.best_validation_loss,
            result.best_validation_accuracy,
            bool(result.early_stopped),
        )

    def _train(
        self, train: Dataset, validation: Optional[Dataset], config: _lib.TrainConfig, relay: "_ProgressRelay"
    ) -> Tuple[int, _lib.TrainResult]:
        """The C training call, with Ctrl-C turned into a clean stop (on the main thread) and the
        progress bar closed however it ends: its status and result."""
        previous_handler = None
        if threading.current_thread() is threading.main_thread():
            previous_handler = signal.signal(signal.SIGINT, lambda *_: relay.interrupted.set())
        result = _lib.TrainResult(struct_size=ctypes.sizeof(_lib.TrainResult))
        try:
            if validation is not None:
                status = lib.charnn_model_train_with_validation(
                    self._handle, train._handle, validation._handle, ctypes.byref(config), ctypes.byref(result)
                )
            else:
                status = lib.charnn_model_train(self._handle, train._handle, ctypes.byref(config), ctypes.byref(result))
        finally:
            if previous_handler is not None:
                signal.signal(signal.SIGINT, previous_handler)
            if relay.bar is not None:
                relay.bar.close()
        return int(status), result

    def _class_weights(self, class_weight: Any) -> Optional[Any]:
        """``class_weight`` as a ctypes float array in the model's label order, or None for
        none or "balanced" (the library computes those)."""
        if class_weight is None or class_weight == "balanced":
            return None
        labels = self.labels
        if isinstance(class_weight, str):
            raise InvalidArgumentError(
                f"class_weight must be None, 'balanced', a dict or a sequence, not {class_weight!r}"
            )
        if isinstance(class_weight, dict):
            unknown = [label for label in class_weight if label not in labels]
            if unknown:
                raise InvalidArgumentError(f"class_weight names {unknown[0]!r}, which is not one of the model's labels")
            values = [_check_float(class_weight.get(label, 1.0), f"class_weight[{label!r}]") for label in labels]
        else:
            values = [_check_float(w, "class_weight") for w in class_weight]
            if len(values) != len(labels):
                raise InvalidArgumentError(f"class_weight has {len(values)} values; the model has {len(labels)} labels")
        return (ctypes.c_float * len(values))(*values)

    # -- evaluation and prediction ---------------------------------------------------------

    def evaluate(self, data: Dataset, k: int = 1) -> Evaluation:
        """Accuracy, top-``k`` accuracy, per-label precision, recall, F1 and support, macro and
        weighted averages and the confusion matrix on ``data`` (labels matched by name, texts
        read with the model's alphabet): a :class:`charnn.Evaluation`. ``k`` is 1 to the label
        count. Raises :class:`charnn.InvalidArgumentError` for a label the model lacks (naming
        it), an empty dataset or a ``k`` out of range."""
        if not isinstance(data, Dataset):
            raise ArgumentTypeError(f"data must be a charnn.Dataset, not {type(data).__name__}")
        return _evaluate(self._handle, data._handle, self.labels, k)

    def predict(self, name: str, k: int = 3) -> List[Prediction]:
        """The ``k`` most likely labels of ``name`` with their probabilities, most likely first.
        The name is read as the model was trained (:attr:`text_config`): characters outside its
        alphabet become ``<unk>``, or are dropped by the article's alphabet (:meth:`encode`
        counts them). Raises :class:`charnn.InvalidArgumentError` when nothing readable is left."""
        k = _check_int(k, "k", 1, 2**20)
        labels = self.labels
        indices, probabilities, count = (ctypes.c_int32 * k)(), (ctypes.c_float * k)(), ctypes.c_size_t()
        check(
            lib.charnn_model_predict(self._handle, encode(name, "name"), k, indices, probabilities, ctypes.byref(count))
        )
        return [(labels[indices[i]], float(probabilities[i])) for i in range(count.value)]

    def predict_many(self, names: Sequence[str], k: int = 3) -> List[List[Prediction]]:
        """:meth:`predict` for many names in one batched call (far faster than a loop)."""
        k = _check_int(k, "k", 1, 2**20)
        names = list(names) if not isinstance(names, str) else names
        array = string_array(names, "names")
        n = len(names)
        indices, probabilities = (ctypes.c_int32 * max(n * k, 1))(), (ctypes.c_float * max(n * k, 1))()
        check(lib.charnn_model_predict_many(self._handle, array, n, k, indices, probabilities))
        labels = self.labels
        return [
            [(labels[indices[i * k + j]], float(probabilities[i * k + j])) for j in range(k) if indices[i * k + j] >= 0]
            for i in range(n)
        ]


def _set_optimizer(
    config: _lib.TrainConfig,
    epochs: int,
    batch_size: int,
    optimizer: str,
    lr: float,
    betas: Tuple[float, float],
    eps: float,
    weight_decay: float,
    momentum: float,
    clip: Optional[float],
    seed: int,
    shuffle: bool,
    report_every: int,
) -> None:
    """fit's steps and optimizer settings into ``config``, each checked."""
    if optimizer not in OPTIMIZERS:
        raise InvalidArgumentError(f"optimizer must be one of {sorted(OPTIMIZERS)}, not {optimizer!r}")
    config.epochs = _check_int(epochs, "epochs", 1, 2**31 - 1)
    config.batch_size = _check_int(batch_size, "batch_size", 1, 2**31 - 1)
    config.optimizer = OPTIMIZERS[optimizer]
    config.learning_rate = _check_float(lr, "lr")
    config.beta1, config.beta2 = (_check_float(b, "betas") for b in betas)
    config.epsilon = _check_float(eps, "eps")
    config.weight_decay = _check_float(weight_decay, "weight_decay")
    config.momentum = _check_float(momentum, "momentum")
    config.clip_norm = 0.0 if clip is None else _check_float(clip, "clip")
    if clip is not None and not clip > 0:
        raise InvalidArgumentError(f"clip must be positive (or None for no clipping), got {clip}")
    config.seed = _check_int(seed, "seed", 0, 2**64 - 1)
    config.shuffle = 1 if shuffle else 0
    config.report_every = _check_int(report_every, "report_every", 1, 2**31 - 1)


def _set_validation(
    config: _lib.TrainConfig, validation: Union[None, float, Dataset], patience: int, restore_best: bool
) -> Optional[Dataset]:
    """fit's validation settings into ``config``: the validation Dataset when one is given."""
    validation_set: Optional[Dataset] = None
    if isinstance(validation, Dataset):
        validation_set = validation
    elif validation is not None:
        fraction = _check_float(validation, "validation")
        if not 0 < fraction < 1:
            raise InvalidArgumentError(f"validation must be a share in (0, 1), a Dataset or None, got {validation!r}")
        config.validation_fraction = fraction
    config.patience = _check_int(patience, "patience", 0, 2**31 - 1)
    config.restore_best = 1 if restore_best else 0
    return validation_set


def _set_schedule(
    config: _lib.TrainConfig,
    schedule: str,
    step_size: int,
    gamma: float,
    plateau_factor: float,
    plateau_patience: int,
    min_lr: float,
    warmup: Union[int, float],
) -> None:
    """fit's learning-rate schedule and warm-up into ``config``."""
    if schedule not in SCHEDULES:
        raise InvalidArgumentError(f"schedule must be one of {sorted(SCHEDULES)}, not {schedule!r}")
    config.schedule = SCHEDULES[schedule]
    config.step_size = _check_int(step_size, "step_size", -(2**31), 2**31 - 1)
    config.gamma = _check_float(gamma, "gamma")
    config.plateau_factor = _check_float(plateau_factor, "plateau_factor")
    config.plateau_patience = _check_int(plateau_patience, "plateau_patience", -(2**31), 2**31 - 1)
    config.min_learning_rate = _check_float(min_lr, "min_lr")
    if isinstance(warmup, bool) or not isinstance(warmup, (int, float)):
        raise ArgumentTypeError(
            f"warmup must be an int (steps) or a float in [0, 1) (a share of all steps), not {warmup!r}"
        )
    if isinstance(warmup, int):
        config.warmup_steps = _check_int(warmup, "warmup", 0, 2**31 - 1)
    elif 0 <= warmup < 1:
        config.warmup_fraction = warmup
    else:
        raise InvalidArgumentError(
            f"warmup as a float is a share of all steps in [0, 1), got {warmup}; give an int for a number of steps"
        )


def _set_class_weights(config: _lib.TrainConfig, class_weight: Any, weights: Optional[Any]) -> None:
    """The class weights into ``config``: none, balanced (computed by the library) or ``weights``."""
    if weights is None:
        config.class_weights = CLASS_WEIGHTS_BALANCED if class_weight == "balanced" else CLASS_WEIGHTS_NONE
    else:
        config.class_weights = CLASS_WEIGHTS_EXPLICIT
        config.class_weight_values = ctypes.cast(weights, ctypes.POINTER(ctypes.c_float))
        config.class_weight_count = len(weights)


class _ProgressRelay:
    """The progress callback fit hands to C: records each epoch, moves the bar, calls the user's
    callback, and asks C to stop (returns 1) when that callback returns False, on Ctrl-C, or when
    anything raised (the exception is kept for fit to raise: none may cross into C)."""

    def __init__(self, bar: Optional[Bar], callback: Optional[Callable[[TrainProgress], Optional[bool]]]) -> None:
        self.bar = bar
        self.callback = callback
        self.interrupted = threading.Event()
        self.raised: List[BaseException] = []
        self.history: List[EpochRecord] = []

    def __call__(self, pointer: Any, _user_data: Any) -> int:
        try:
            p = pointer.contents
            state = TrainProgress(
                p.epoch,
                p.epochs,
                p.step,
                p.steps,
                p.loss,
                p.running_loss,
                p.learning_rate,
                bool(p.epoch_end),
                p.validation_loss,
                p.validation_accuracy,
            )
            if state.epoch_end:
                self.history.append(
                    EpochRecord(
                        state.epoch,
                        state.running_loss,
                        state.learning_rate,
                        state.validation_loss,
                        state.validation_accuracy,
                    )
                )
            if self.bar is not None:
                self.bar.update(
                    state.epoch,
                    state.epochs,
                    state.step,
                    state.steps,
                    state.loss,
                    force=state.epoch_end,
                    validation_accuracy=state.validation_accuracy if state.epoch_end else None,
                )
            if self.callback is not None and self.callback(state) is False:
                return 1
            return 1 if self.interrupted.is_set() else 0
        except BaseException as error:  # never let an exception cross into C
            self.raised.append(error)
            return 1
