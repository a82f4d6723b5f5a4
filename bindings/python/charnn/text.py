"""How text becomes what a model reads: alphabets and normalisation options (charnn_text_config),
and turning Python, NumPy and pandas columns into lists of str."""

from __future__ import annotations

import ctypes
import math
import operator
from typing import Any, Dict, List, Optional, Tuple

from . import _lib
from ._core import lib
from .errors import ArgumentTypeError, InvalidArgumentError

#: charnn_text_config.alphabet values, by the names the binding takes.
ALPHABETS = {"article": 0, "learned": 1, "explicit": 2}
#: charnn_text_config.normalize values; None is CHARNN_NORMALIZE_DEFAULT (the alphabet's default).
NORMALIZATIONS = {None: -1, "none": 0, "nfc": 1, "nfkc": 2}
#: The largest alphabet, <unk> included (CHARNN_MAX_ALPHABET_SIZE).
MAX_ALPHABET_SIZE = 65535

#: The keyword arguments that describe a text path, with their defaults.
TEXT_OPTION_DEFAULTS: Dict[str, Any] = {
    "alphabet": "article",
    "symbols": None,
    "normalize": None,
    "casefold": False,
    "transliterate": None,
    "min_count": 1,
    "max_symbols": None,
}


def _flag(value: Any, name: str, allow_none: bool) -> Optional[bool]:
    """A bool option (True/False, 0/1, a NumPy bool; None when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    expected = "True, False or None" if allow_none else "True or False"
    raise InvalidArgumentError(f"{name} must be {expected}, not {value!r}")


def _count(value: Any, name: str, low: int, high: int) -> int:
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)
    except TypeError:
        raise ArgumentTypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not low <= number <= high:
        raise InvalidArgumentError(f"{name} must be in [{low}, {high}], got {number}")
    return number


def is_default(options: Dict[str, Any]) -> bool:
    """Whether text options are all at their defaults (the article's path, as in 0.1.0)."""
    return all(
        options.get(key, default) is default or options.get(key, default) == default
        for key, default in TEXT_OPTION_DEFAULTS.items()
    )


def text_config(
    alphabet: Any = "article",
    symbols: Any = None,
    normalize: Any = None,
    casefold: Any = False,
    transliterate: Any = None,
    min_count: Any = 1,
    max_symbols: Any = None,
) -> _lib.TextConfig:
    """A checked charnn_text_config. Every bad option raises :class:`charnn.InvalidArgumentError`
    naming it; the library checks the rest (a symbol given twice, say) with its own message.

    ``alphabet``: ``"article"`` (the article's 59 ASCII symbols; text it cannot encode is
    skipped by a dataset, dropped by prediction), ``"learned"`` (every character seen at least
    ``min_count`` times in the data, at most ``max_symbols`` of them, then ``<unk>``) or
    ``"explicit"`` (the characters of ``symbols``, in that order, then ``<unk>``).
    ``normalize``: None (the alphabet's default: none for the article's, NFC otherwise),
    ``"none"``, ``"nfc"`` or ``"nfkc"``. ``casefold``: Unicode case folding (``str.casefold``).
    ``transliterate``: to ASCII first (like ``unidecode``); None: on for the article's alphabet only.
    """
    if not isinstance(alphabet, str) or alphabet.lower() not in ALPHABETS:
        raise InvalidArgumentError(f"alphabet must be 'article', 'learned' or 'explicit', not {alphabet!r}")
    kind = alphabet.lower()
    config = _lib.TextConfig()
    lib.charnn_text_config_init(ctypes.byref(config))
    config.alphabet = ALPHABETS[kind]
    if kind == "explicit":
        if not isinstance(symbols, str) or not symbols:
            raise InvalidArgumentError(
                f"alphabet='explicit' needs symbols: a non-empty str of the characters to read, not {symbols!r}"
            )
        if "\0" in symbols:
            raise InvalidArgumentError("symbols contains a NUL character")
        try:
            encoded = symbols.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InvalidArgumentError(f"symbols is not valid Unicode: {error}") from None
        config.symbols = encoded  # the structure keeps the bytes alive
    elif symbols is not None:
        raise InvalidArgumentError(f"symbols is only for alphabet='explicit' (alphabet is {alphabet!r})")
    key = normalize.lower() if isinstance(normalize, str) else normalize
    if key not in NORMALIZATIONS:
        raise InvalidArgumentError(f"normalize must be None, 'none', 'nfc' or 'nfkc', not {normalize!r}")
    config.normalize = NORMALIZATIONS[key]
    config.case_fold = 1 if _flag(casefold, "casefold", allow_none=False) else 0
    flag = _flag(transliterate, "transliterate", allow_none=True)
    config.transliterate = -1 if flag is None else int(flag)
    if kind == "learned":
        config.min_count = _count(min_count, "min_count", 1, 2**31 - 1)
        config.max_symbols = 0 if max_symbols is None else _count(max_symbols, "max_symbols", 1, MAX_ALPHABET_SIZE - 1)
    else:
        if not (isinstance(min_count, int) and not isinstance(min_count, bool) and min_count == 1):
            raise InvalidArgumentError(f"min_count is only for alphabet='learned' (alphabet is {alphabet!r})")
        if max_symbols is not None:
            raise InvalidArgumentError(f"max_symbols is only for alphabet='learned' (alphabet is {alphabet!r})")
    return config


def describe(config: _lib.TextConfig) -> Dict[str, Any]:
    """A charnn_text_config read from the library as a dict (``Model.text_config``)."""
    alphabets = {v: k for k, v in ALPHABETS.items()}
    normalizations = {v: k for k, v in NORMALIZATIONS.items() if k is not None}
    return {
        "alphabet": alphabets.get(config.alphabet, str(config.alphabet)),
        "normalize": normalizations.get(config.normalize, str(config.normalize)),
        "casefold": bool(config.case_fold),
        "transliterate": bool(config.transliterate),
        "symbols": config.symbols.decode("utf-8") if config.symbols is not None else "",
    }


# -- columns of text ---------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    """None, NaN (float or NumPy) and pandas' NA/NaT."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return True
    if name.startswith("float") and type(value).__module__ == "numpy":
        return bool(value != value)
    return False


def _rows(values: Any, what: str) -> Tuple[List[Any], Optional[List[Any]]]:
    """The values of a list, tuple, NumPy array, pandas Series or any iterable, with the Series'
    index labels (to name rows in messages) when it has them."""
    if isinstance(values, (str, bytes, bytearray)):
        raise ArgumentTypeError(
            f"{what} must be a list of str (or an array or Series), not a single {type(values).__name__}"
        )
    if isinstance(values, dict):
        raise ArgumentTypeError(f"{what} must be a list of str (or an array or Series), not a dict")
    index = None
    if hasattr(values, "index") and hasattr(values, "to_list") and hasattr(values, "iloc"):  # a pandas Series
        index = list(values.index)
        values = values.to_list()
    elif type(values).__module__ == "numpy" and hasattr(values, "tolist"):  # a NumPy array
        if getattr(values, "ndim", 1) != 1:
            raise ArgumentTypeError(f"{what} must be one-dimensional, got an array of shape {values.shape}")
        values = values.tolist()
    try:
        return list(values), index
    except TypeError:
        raise ArgumentTypeError(
            f"{what} must be a list of str (or an array or Series), not {type(values).__name__}"
        ) from None


def _where(what: str, i: int, index: Optional[List[Any]]) -> str:
    """How a message names row i: ``texts[3]``, or ``label 3`` for a ``what`` ending in a space,
    with a Series' index label when it differs."""
    where = f"{what}{i}" if what.endswith(" ") else f"{what}[{i}]"
    if index is not None and index[i] != i:
        return f"{where} (index {index[i]!r})"
    return where


def text_column(values: Any, what: str) -> List[str]:
    """A column of texts as a list of str; a missing value (None, NaN, pd.NA) or a non-str
    raises, naming the row."""
    rows, index = _rows(values, what)
    for i, value in enumerate(rows):
        if isinstance(value, str):
            continue
        if _is_missing(value):
            raise InvalidArgumentError(f"{_where(what, i, index)} is missing ({value!r}): drop or fill such rows first")
        raise ArgumentTypeError(f"{_where(what, i, index)} must be str, not {type(value).__name__}")
    return [str(value) for value in rows]  # numpy.str_ -> str


def label_column(values: Any, what: str, integers: bool) -> List[Any]:
    """A column of labels: str kept, integers (int, NumPy) kept as int, or as their decimal str
    when ``integers`` is False (whole floats too, then); a missing value or another type raises, naming the row
    (``what``
    ending in a space names it ``label 3``, else ``labels[3]``)."""
    rows, index = _rows(values, what.strip() + "s" if what.endswith(" ") else what)
    out: List[Any] = []
    for i, value in enumerate(rows):
        if isinstance(value, str):
            out.append(str(value))
            continue
        if _is_missing(value):
            raise InvalidArgumentError(f"{_where(what, i, index)} is missing ({value!r}): drop or fill such rows first")
        if not integers and isinstance(value, float) and value.is_integer():
            out.append(str(int(value)))  # a pandas column of class ids turns float once it held a NaN
            continue
        if not isinstance(value, (bool, float)) and type(value).__name__ not in ("bool_", "float64", "float32"):
            try:
                number = operator.index(value)
            except TypeError:
                pass
            else:
                out.append(number if integers else str(number))
                continue
        raise ArgumentTypeError(f"{_where(what, i, index)} must be an int or a str, not {type(value).__name__}")
    return out
