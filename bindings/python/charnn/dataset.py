"""charnn.Dataset: texts with labels, from a directory, a CSV/TSV file, Python lists, NumPy
arrays or pandas Series."""

from __future__ import annotations

import ctypes
import json
import operator
import os
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from . import _lib
from ._core import Handle, check, handle_of, lib, path_bytes, string_array
from .errors import ArgumentTypeError, IndexOutOfRangeError, InvalidArgumentError
from .text import TEXT_OPTION_DEFAULTS, is_default, label_column, text_column, text_config

FORMATS = {"auto": 0, "directory": 1, "csv": 2, "tsv": 3}
PathLike = Union[str, "os.PathLike[str]"]


def _column(value: Any, name: str) -> Optional[bytes]:
    """A column argument (an int index or a header name) as charnn_data_config's C string."""
    if value is None:
        return None
    if isinstance(value, str):
        if not value:
            raise InvalidArgumentError(f"{name} must be a column index or a non-empty header name, not ''")
        if "\0" in value:
            raise InvalidArgumentError(f"{name} contains a NUL character")
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be a column index (int) or a header name (str), not {value!r}")
    try:
        index = operator.index(value)
    except TypeError:
        raise InvalidArgumentError(
            f"{name} must be a column index (int) or a header name (str), not {type(value).__name__}"
        ) from None
    if index < 0:
        raise InvalidArgumentError(f"{name} must be a 0-based column index, got {index}")
    return str(index).encode()


class Dataset(Handle):
    """Texts with their labels, encoded for charnn's models.

    Create one from a file or directory (:meth:`load`, :meth:`from_csv`, :meth:`from_tsv`,
    :meth:`from_directory`: the PyTorch tutorial's ``data/names`` layout), from pandas
    (:meth:`from_pandas`) or from Python lists or NumPy arrays:

    - ``Dataset(texts, labels)`` with label strings (any non-empty strings; labels are the
      distinct ones, sorted);
    - ``Dataset(texts, labels, label_names)`` with labels as indices into ``label_names`` or as
      names from it (0.1.0's form: the labels are ``label_names``, in that order).

    Every constructor takes the text options (keyword only) that say how texts are read:
    ``alphabet`` (``"article"``, the default: the article's 59 ASCII symbols after
    transliteration, texts it cannot encode are skipped; ``"learned"``: every character of the
    data, then ``<unk>``, with ``min_count`` and ``max_symbols``; ``"explicit"``: the characters
    of ``symbols``, then ``<unk>``), ``normalize`` (None, ``"none"``, ``"nfc"``, ``"nfkc"``),
    ``casefold`` and ``transliterate`` (see :func:`charnn.text.text_config`). A model trains and
    evaluates with its own alphabet whatever the dataset's; the dataset's decides what is
    skipped, the alphabet a model created from it (``Model(dataset)``) reads, and what
    :meth:`summary` counts as unknown.

    Rows that cannot be used are listed in :attr:`skipped`. A dataset is immutable; it holds a C
    handle released by :meth:`close`, a ``with`` block or garbage collection.

    ``copy.copy`` and ``copy.deepcopy`` give a dataset of its own with the same rows, labels (in
    the same order), alphabet, text options and :attr:`skipped` list (a :meth:`subset` of every
    row). Pickling is refused with a ``TypeError``: the C API cannot rebuild a dataset exactly
    elsewhere (its skipped list, or how a learned alphabet was learned), so pass what it was made
    from instead (the file's path, or the texts and labels) and load it in the other process.
    """

    _free_name = "charnn_dataset_free"

    def __init__(
        self,
        names: Sequence[str],
        labels: Sequence[Union[int, str]],
        label_names: Optional[Sequence[str]] = None,
        *,
        alphabet: str = "article",
        symbols: Optional[str] = None,
        normalize: Optional[str] = None,
        casefold: bool = False,
        transliterate: Optional[bool] = None,
        min_count: int = 1,
        max_symbols: Optional[int] = None,
    ) -> None:
        options = dict(
            alphabet=alphabet,
            symbols=symbols,
            normalize=normalize,
            casefold=casefold,
            transliterate=transliterate,
            min_count=min_count,
            max_symbols=max_symbols,
        )
        if isinstance(names, str):
            raise ArgumentTypeError("names must be a list of str, not a str")
        if isinstance(labels, str):
            raise ArgumentTypeError("labels must be a list of labels, not a str")
        config = text_config(**options)
        texts = text_column(names, "names")
        labels = _label_list(labels)
        if len(texts) != len(labels):
            raise InvalidArgumentError(f"{len(texts)} names but {len(labels)} labels")
        out = ctypes.c_void_p()
        if label_names is None:
            if not all(isinstance(label, str) for label in labels):
                raise ArgumentTypeError("without label_names, labels must be label names (str)")
            check(
                lib.charnn_dataset_from_strings(
                    string_array(texts, "names"),
                    string_array(labels, "labels"),
                    len(texts),
                    ctypes.byref(config),
                    ctypes.byref(out),
                )
            )
            super().__init__(handle_of(out))
            return
        if isinstance(label_names, str):
            raise ArgumentTypeError("label_names must be a list of str, not a str")
        label_names = [str(n) if type(n).__name__ == "str_" else n for n in label_names]
        index = {name: i for i, name in enumerate(label_names)}
        indices = []
        for i, label in enumerate(labels):
            if isinstance(label, str):
                if label not in index:
                    raise InvalidArgumentError(f"label '{label}' of name {i} is not in label_names")
                indices.append(index[label])
            else:
                if not -(2**31) <= label < 2**31:
                    raise InvalidArgumentError(f"label {label} of name {i} is out of range")
                indices.append(label)
        index_array = (ctypes.c_int32 * max(len(indices), 1))(*indices)
        if is_default(options):
            check(
                lib.charnn_dataset_from_memory(
                    string_array(texts, "names"),
                    index_array,
                    len(texts),
                    string_array(label_names, "label_names"),
                    len(label_names),
                    ctypes.byref(out),
                )
            )
        else:
            check(
                lib.charnn_dataset_from_memory_with_text(
                    string_array(texts, "names"),
                    index_array,
                    len(texts),
                    string_array(label_names, "label_names"),
                    len(label_names),
                    ctypes.byref(config),
                    ctypes.byref(out),
                )
            )
        super().__init__(handle_of(out))

    @classmethod
    def from_directory(
        cls,
        path: PathLike,
        *,
        alphabet: str = "article",
        symbols: Optional[str] = None,
        normalize: Optional[str] = None,
        casefold: bool = False,
        transliterate: Optional[bool] = None,
        min_count: int = 1,
        max_symbols: Optional[int] = None,
    ) -> "Dataset":
        """Loads a directory of ``<Label>.txt`` files (UTF-8, one name per line); labels are the
        file names sorted. Raises :class:`charnn.FileError` for a missing or unreadable directory,
        :class:`charnn.InvalidDataError` for no label files, an empty one or bad UTF-8 (naming
        the file and line). The text options are the class's."""
        options: Dict[str, Any] = dict(
            alphabet=alphabet,
            symbols=symbols,
            normalize=normalize,
            casefold=casefold,
            transliterate=transliterate,
            min_count=min_count,
            max_symbols=max_symbols,
        )
        if not is_default(options):
            return cls.load(path, format="directory", **options)
        out = ctypes.c_void_p()
        check(lib.charnn_dataset_load_dir(path_bytes(path), ctypes.byref(out)))
        return cls._wrap(handle_of(out))

    @classmethod
    def load(
        cls,
        path: PathLike,
        format: str = "auto",
        *,
        text_column: Union[int, str, None] = 0,
        label_column: Union[int, str, None] = 1,
        header: bool = True,
        alphabet: str = "article",
        symbols: Optional[str] = None,
        normalize: Optional[str] = None,
        casefold: bool = False,
        transliterate: Optional[bool] = None,
        min_count: int = 1,
        max_symbols: Optional[int] = None,
    ) -> "Dataset":
        """Loads training data from a directory of ``<Label>.txt`` files or a CSV/TSV file.

        ``format``: ``"auto"`` (a directory, a ``.tsv``/``.tab`` file as TSV, any other file as
        CSV), ``"directory"``, ``"csv"`` or ``"tsv"``. For CSV/TSV (UTF-8 with or without a BOM,
        LF or CRLF, RFC 4180 quoting: quoted fields may hold delimiters, quotes and line
        breaks): ``text_column`` and ``label_column`` are 0-based indices (int) or header names
        (str; a name of digits only is read as an index), ``header`` says whether the first row
        names the columns. The text options are the class's.

        Rows that cannot be used (a wrong number of fields, an empty text or label, bad UTF-8,
        a text the article's alphabet cannot encode) are listed in :attr:`skipped` with
        ``file:line`` and why. Raises :class:`charnn.FileError` for a missing or unreadable path,
        :class:`charnn.InvalidDataError` (naming ``file:line``) for an empty file, a column that
        does not exist, an unterminated quote or no usable row, and
        :class:`charnn.InvalidArgumentError` for a bad option (naming it).
        """
        if not isinstance(format, str) or format.lower() not in FORMATS:
            raise InvalidArgumentError(f"format must be 'auto', 'directory', 'csv' or 'tsv', not {format!r}")
        data = _lib.DataConfig()
        lib.charnn_data_config_init(ctypes.byref(data))
        data.format = FORMATS[format.lower()]
        if not isinstance(header, bool) and type(header).__name__ != "bool_":
            raise InvalidArgumentError(f"header must be True or False, not {header!r}")
        data.header = 1 if header else 0
        data.text_column = _column(text_column, "text_column")
        data.label_column = _column(label_column, "label_column")
        text = text_config(
            alphabet=alphabet,
            symbols=symbols,
            normalize=normalize,
            casefold=casefold,
            transliterate=transliterate,
            min_count=min_count,
            max_symbols=max_symbols,
        )
        out = ctypes.c_void_p()
        check(lib.charnn_dataset_load(path_bytes(path), ctypes.byref(data), ctypes.byref(text), ctypes.byref(out)))
        return cls._wrap(handle_of(out))

    @classmethod
    def from_csv(
        cls,
        path: PathLike,
        *,
        text_column: Union[int, str, None] = 0,
        label_column: Union[int, str, None] = 1,
        header: bool = True,
        **text_options: Any,
    ) -> "Dataset":
        """Loads a comma-separated file: :meth:`load` with ``format="csv"`` (whatever the file's
        extension). ``text_options``: ``alphabet``, ``symbols``, ``normalize``, ``casefold``,
        ``transliterate``, ``min_count``, ``max_symbols``."""
        _check_text_options(text_options)
        return cls.load(path, "csv", text_column=text_column, label_column=label_column, header=header, **text_options)

    @classmethod
    def from_tsv(
        cls,
        path: PathLike,
        *,
        text_column: Union[int, str, None] = 0,
        label_column: Union[int, str, None] = 1,
        header: bool = True,
        **text_options: Any,
    ) -> "Dataset":
        """Loads a tab-separated file: :meth:`load` with ``format="tsv"`` (the same quoting as CSV)."""
        _check_text_options(text_options)
        return cls.load(path, "tsv", text_column=text_column, label_column=label_column, header=header, **text_options)

    @classmethod
    def from_pandas(cls, texts: Any, labels: Any, **text_options: Any) -> "Dataset":
        """A dataset from two columns: pandas Series (``df["text"]``, ``df["label"]``), NumPy
        arrays or any iterables. Texts must be str; labels may be str or integers (a class id
        ``3`` becomes the label ``"3"``). A missing value (None, NaN, ``pd.NA``) raises
        :class:`charnn.InvalidArgumentError` naming its row (and the Series' index): drop or
        fill those rows first (``df.dropna(subset=[...])``). ``text_options`` as for :meth:`load`.
        Labels are the distinct labels, sorted; rows with an empty text or label are listed in
        :attr:`skipped` (``"row 7: the label is empty"``)."""
        _check_text_options(text_options)
        config = text_config(**text_options)
        text_list = text_column(texts, "texts")
        label_list = label_column(labels, "labels", integers=False)
        if len(text_list) != len(label_list):
            raise InvalidArgumentError(f"{len(text_list)} texts but {len(label_list)} labels")
        out = ctypes.c_void_p()
        check(
            lib.charnn_dataset_from_strings(
                string_array(text_list, "texts"),
                string_array(label_list, "labels"),
                len(text_list),
                ctypes.byref(config),
                ctypes.byref(out),
            )
        )
        return cls._wrap(handle_of(out))

    def _size(self, function: Callable[..., int]) -> int:
        out = ctypes.c_size_t()
        check(function(self._handle, ctypes.byref(out)))
        return int(out.value)

    def __len__(self) -> int:
        return self._size(lib.charnn_dataset_count)

    @property
    def labels(self) -> List[str]:
        """The label names, in index order."""
        self._handle  # a closed dataset refuses even what it could remember
        cached = getattr(self, "_labels", None)
        if cached is not None:
            return list(cached)
        names = []
        for i in range(self._size(lib.charnn_dataset_label_count)):
            out = ctypes.c_char_p()
            check(lib.charnn_dataset_label_name(self._handle, i, ctypes.byref(out)))
            names.append((out.value or b"").decode("utf-8"))
        self._labels = names  # immutable: ask the library once
        return list(names)

    def _string(self, function: Callable[..., int], index: int) -> str:
        length = ctypes.c_size_t()
        buffer = ctypes.create_string_buffer(64)
        status = function(self._handle, index, buffer, len(buffer), ctypes.byref(length))
        if status == 10:  # CHARNN_BUFFER_TOO_SMALL: now we know the size
            buffer = ctypes.create_string_buffer(length.value + 1)
            status = function(self._handle, index, buffer, len(buffer), ctypes.byref(length))
        check(status)
        return buffer.value.decode("utf-8")

    def __getitem__(self, index: Any) -> Any:
        """``data[i]``: example ``i`` as (text as given, label name). ``data[2:10]``,
        ``data[[0, 5, 5]]``, ``data[numpy_indices]`` or ``data[boolean_mask]``: a new
        :class:`Dataset` of those examples (:meth:`subset`)."""
        if isinstance(index, slice):
            return self.subset(range(len(self))[index])
        if not isinstance(index, (int, str, bytes)) and (hasattr(index, "__len__") or hasattr(index, "__iter__")):
            return self.subset(index)
        if isinstance(index, bool) or not isinstance(index, int):
            try:
                if isinstance(index, (bool, str, bytes, float)) or type(index).__name__ == "bool_":
                    raise TypeError
                index = operator.index(index)  # NumPy integers
            except TypeError:
                raise ArgumentTypeError(
                    f"dataset indices must be int, slices or lists of int, not {type(index).__name__}"
                ) from None
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexOutOfRangeError(f"index {index} out of range for a dataset of {count}")
        label = ctypes.c_int32()
        name = self._string(lambda h, i, b, c, n: lib.charnn_dataset_get(h, i, b, c, n, ctypes.byref(label)), index)
        return name, self.labels[label.value]

    def __iter__(self) -> Iterator[Tuple[str, str]]:
        labels = self.labels
        for i in range(len(self)):
            label = ctypes.c_int32()
            name = self._string(lambda h, j, b, c, n: lib.charnn_dataset_get(h, j, b, c, n, ctypes.byref(label)), i)
            yield name, labels[label.value]

    def subset(self, indices: Iterable[int]) -> "Dataset":
        """A new dataset of the examples ``indices`` (ints, negative from the end, repeats
        allowed; or a boolean mask as long as the dataset), in that order, with this one's
        labels and alphabet."""
        count = len(self)
        if isinstance(indices, (str, bytes)):
            raise ArgumentTypeError(f"indices must be ints, not a {type(indices).__name__}")
        if type(indices).__module__ == "numpy" and hasattr(indices, "tolist"):
            if getattr(indices, "ndim", 1) != 1:
                raise ArgumentTypeError(
                    f"indices must be one-dimensional, got an array of shape {getattr(indices, 'shape', None)}"
                )
            indices = indices.tolist()
        elif hasattr(indices, "to_list") and hasattr(indices, "iloc"):  # a pandas Series or Index
            indices = indices.to_list()
        items = list(indices)
        if items and all(isinstance(i, bool) or type(i).__name__ == "bool_" for i in items):
            if len(items) != count:
                raise IndexOutOfRangeError(
                    f"a boolean mask must have one value per example ({count}), not {len(items)}"
                )
            items = [i for i, keep in enumerate(items) if keep]
        picks = []
        for position, item in enumerate(items):
            if isinstance(item, bool) or type(item).__name__ == "bool_":
                raise ArgumentTypeError(f"indices[{position}] is a bool among ints")
            try:
                i = operator.index(item)
            except TypeError:
                raise ArgumentTypeError(f"indices[{position}] must be an int, not {type(item).__name__}") from None
            if i < 0:
                i += count
            if not 0 <= i < count:
                raise IndexOutOfRangeError(f"indices[{position}] is {item}, out of range for a dataset of {count}")
            picks.append(i)
        out = ctypes.c_void_p()
        check(
            lib.charnn_dataset_subset(
                self._handle, (ctypes.c_size_t * max(len(picks), 1))(*picks), len(picks), ctypes.byref(out)
            )
        )
        return Dataset._wrap(handle_of(out))

    @property
    def label_counts(self) -> Dict[str, int]:
        """How many examples each label has, in label order: ``{label: count}``."""
        labels = self.labels
        counts = (ctypes.c_int64 * max(len(labels), 1))()
        check(lib.charnn_dataset_label_counts(self._handle, counts, len(labels)))
        return {label: int(counts[i]) for i, label in enumerate(labels)}

    def summary(self) -> Dict[str, Any]:
        """What the data holds, as a dict (charnn_dataset_summary's JSON): ``rows``, ``skipped``,
        ``classes``, ``class_counts`` ({label: n}), ``duplicates`` (rows repeating an earlier
        text and label), ``conflicts`` (texts seen with more than one label), ``scripts``
        ({script: rows}), ``characters``, ``unknown_characters`` (occurrences the alphabet
        lacks) and ``alphabet`` ({``kind``, ``size``, ``normalize``, ``case_fold``,
        ``transliterate``}). Keys may be added in later versions."""
        length = ctypes.c_size_t()
        buffer = ctypes.create_string_buffer(4096)
        status = lib.charnn_dataset_summary(self._handle, buffer, len(buffer), ctypes.byref(length))
        if status == 10:  # CHARNN_BUFFER_TOO_SMALL: now we know the size
            buffer = ctypes.create_string_buffer(length.value + 1)
            status = lib.charnn_dataset_summary(self._handle, buffer, len(buffer), ctypes.byref(length))
        check(status)
        summary: Dict[str, Any] = json.loads(buffer.raw[: length.value].decode("utf-8"))
        return summary

    @property
    def skipped(self) -> List[str]:
        """Rows that were left out, each described with where it came from and why
        (e.g. ``"Czech.txt:265: 'Maxa/B': '/' is not in the vocabulary"``,
        ``"data.csv:12: 3 fields, expected 2"``, ``"row 7: the label is empty"``)."""
        return [
            self._string(lib.charnn_dataset_skipped, i) for i in range(self._size(lib.charnn_dataset_skipped_count))
        ]

    def split(self, test_size: float = 0.1, seed: int = 0) -> Tuple["Dataset", "Dataset"]:
        """Stratified train/test split (scikit-learn's protocol): ``ceil(test_size * len)`` test
        names, every label within one name of its share; the same seed gives the same split.
        A learned alphabet is learned anew from the training part (the test part reads with it)."""
        if not isinstance(test_size, (int, float)) or isinstance(test_size, bool):
            raise ArgumentTypeError(f"test_size must be a float, not {type(test_size).__name__}")
        if not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise InvalidArgumentError(f"seed must be an int in [0, 2**64), got {seed!r}")
        train, test = ctypes.c_void_p(), ctypes.c_void_p()
        check(lib.charnn_dataset_split(self._handle, float(test_size), seed, ctypes.byref(train), ctypes.byref(test)))
        return Dataset._wrap(handle_of(train)), Dataset._wrap(handle_of(test))

    def __copy__(self) -> "Dataset":
        count = len(self)
        out = ctypes.c_void_p()
        check(
            lib.charnn_dataset_subset(
                self._handle, (ctypes.c_size_t * max(count, 1))(*range(count)), count, ctypes.byref(out)
            )
        )
        copy = type(self)._wrap(handle_of(out))
        copy.__dict__.update((key, value) for key, value in self.__dict__.items() if key != "_pointer")
        return copy

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Dataset":
        import copy

        duplicate = self.__copy__()
        memo[id(self)] = duplicate
        for key, value in self.__dict__.items():
            if key != "_pointer":
                duplicate.__dict__[key] = copy.deepcopy(value, memo)
        return duplicate

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError(
            "a charnn.Dataset cannot be pickled: it could not be rebuilt exactly elsewhere (its skipped rows, "
            "how its alphabet was learned). Send what it was made from instead: its path (Dataset.load in the "
            "other process) or its rows (texts, labels = zip(*dataset), then Dataset(texts, labels, "
            "dataset.labels, <its text options>)). copy.copy and copy.deepcopy work"
        )

    def sample(self, n: int, seed: int = 0, stratified: bool = False) -> "Dataset":
        """A new dataset of ``n`` examples drawn at random without replacement, in random order
        (as ``pandas.DataFrame.sample``), with this one's labels and alphabet (:meth:`subset`);
        the same seed gives the same sample.

        ``stratified=True`` keeps the label proportions: each label gets its share
        ``n · count / len(self)`` rounded down or up (largest remainders first, ties broken at
        random by the seed), so every label is within one example of its share, as in
        :meth:`split`. A label whose share is below one may get none; it stays among
        :attr:`labels` all the same. ``n`` is 0 to ``len(self)``."""
        import random  # noqa: PLC0415

        if isinstance(n, bool) or not isinstance(n, int):
            try:
                if isinstance(n, (bool, float)) or type(n).__name__ == "bool_":
                    raise TypeError
                n = operator.index(n)  # NumPy integers
            except TypeError:
                raise ArgumentTypeError(f"n must be an int, not {type(n).__name__}") from None
        count = len(self)
        if not 0 <= n <= count:
            raise InvalidArgumentError(
                f"n must be between 0 and the dataset's {count} examples (no replacement), got {n}"
            )
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise InvalidArgumentError(f"seed must be an int in [0, 2**64), got {seed!r}")
        rng = random.Random(seed)
        if not stratified:
            return self.subset(rng.sample(range(count), n))
        rows: Dict[int, List[int]] = {}
        for i, label in enumerate(self._row_labels()):
            rows.setdefault(label, []).append(i)
        groups = sorted(rows)
        shares = {label: n * len(rows[label]) / count for label in groups}
        quotas = {label: int(shares[label]) for label in groups}
        left = n - sum(quotas.values())
        ties = {label: rng.random() for label in groups}
        for label in sorted(groups, key=lambda g: (quotas[g] - shares[g], ties[g]))[:left]:
            quotas[label] += 1
        picks = [i for label in groups for i in rng.sample(rows[label], quotas[label])]
        rng.shuffle(picks)
        return self.subset(picks)

    def _row_labels(self) -> List[int]:
        """Every example's label index, in order (charnn_dataset_get with no buffer reads the
        label alone)."""
        label = ctypes.c_int32()
        out = []
        for i in range(len(self)):
            check(lib.charnn_dataset_get(self._handle, i, None, 0, None, ctypes.byref(label)))
            out.append(label.value)
        return out

    def __repr__(self) -> str:
        if self.closed:
            return "<charnn.Dataset (closed)>"
        return f"<charnn.Dataset: {len(self)} names, {len(self.labels)} labels, {len(self.skipped)} skipped>"


def _check_text_options(options: Dict[str, Any]) -> None:
    unknown = sorted(set(options) - set(TEXT_OPTION_DEFAULTS))
    if unknown:
        raise ArgumentTypeError(
            f"unexpected keyword argument{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            f"(text options are {', '.join(TEXT_OPTION_DEFAULTS)})"
        )


def _label_list(labels: Any) -> List[Union[int, str]]:
    """Labels as str or int, NumPy and pandas values included; a missing one (None, NaN) names its row."""
    return label_column(labels, "label ", integers=True)
