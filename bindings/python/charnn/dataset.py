"""charnn.Dataset: names with labels, from a directory or from Python lists."""
from __future__ import annotations

import ctypes
import os
from typing import Iterator, List, Optional, Sequence, Tuple, Union

from ._core import Handle, check, lib, path_bytes, string_array


class Dataset(Handle):
    """Names with their labels, encoded for charnn's models.

    Create one with :meth:`from_directory` (the PyTorch tutorial's ``data/names`` layout: one
    ``<Label>.txt`` per language) or from Python lists: ``Dataset(names, labels, label_names)``
    where ``labels`` are indices into ``label_names`` or label names themselves. Names are
    transliterated to ASCII like ``unidecode``; names with a character outside the 59-symbol
    vocabulary are skipped and listed in :attr:`skipped`.

    A dataset is immutable; it holds a C handle released by :meth:`close`, a ``with`` block or
    garbage collection.
    """

    _free_name = "charnn_dataset_free"

    def __init__(self, names: Sequence[str], labels: Sequence[Union[int, str]],
                 label_names: Optional[Sequence[str]] = None) -> None:
        if isinstance(names, str):
            raise TypeError("names must be a list of str, not a str")
        names, labels = list(names), list(labels)
        if len(names) != len(labels):
            raise ValueError(f"{len(names)} names but {len(labels)} labels")
        if label_names is None:
            if not all(isinstance(label, str) for label in labels):
                raise TypeError("without label_names, labels must be label names (str)")
            label_names = sorted(set(labels))  # type: ignore[arg-type]
        label_names = list(label_names)
        index = {name: i for i, name in enumerate(label_names)}
        indices = []
        for i, label in enumerate(labels):
            if isinstance(label, str):
                if label not in index:
                    raise ValueError(f"label '{label}' of name {i} is not in label_names")
                indices.append(index[label])
            elif isinstance(label, int) and not isinstance(label, bool):
                if not -(2 ** 31) <= label < 2 ** 31:
                    raise ValueError(f"label {label} of name {i} is out of range")
                indices.append(label)
            else:
                raise TypeError(f"label {i} must be an int or a str, not {type(label).__name__}")
        out = ctypes.c_void_p()
        check(lib.charnn_dataset_from_memory(
            string_array(names, "names"), (ctypes.c_int32 * max(len(indices), 1))(*indices), len(names),
            string_array(label_names, "label_names"), len(label_names), ctypes.byref(out)))
        super().__init__(out.value)

    @classmethod
    def _wrap(cls, pointer: int) -> "Dataset":
        dataset = cls.__new__(cls)
        Handle.__init__(dataset, pointer)
        return dataset

    @classmethod
    def from_directory(cls, path: Union[str, "os.PathLike[str]"]) -> "Dataset":
        """Loads a directory of ``<Label>.txt`` files (UTF-8, one name per line); labels are the
        file names sorted. Raises :class:`charnn.IOError` for a missing or unreadable directory,
        :class:`charnn.InvalidDataError` for no label files, an empty one or bad UTF-8 (naming
        the file and line)."""
        out = ctypes.c_void_p()
        check(lib.charnn_dataset_load_dir(path_bytes(path), ctypes.byref(out)))
        return cls._wrap(out.value)

    def _size(self, function) -> int:
        out = ctypes.c_size_t()
        check(function(self._handle, ctypes.byref(out)))
        return out.value

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
            names.append(out.value.decode("utf-8"))
        self._labels = names  # immutable: ask the library once
        return list(names)

    def _string(self, function, index: int) -> str:
        length = ctypes.c_size_t()
        buffer = ctypes.create_string_buffer(64)
        status = function(self._handle, index, buffer, len(buffer), ctypes.byref(length))
        if status == 10:  # CHARNN_BUFFER_TOO_SMALL: now we know the size
            buffer = ctypes.create_string_buffer(length.value + 1)
            status = function(self._handle, index, buffer, len(buffer), ctypes.byref(length))
        check(status)
        return buffer.value.decode("utf-8")

    def __getitem__(self, index: int) -> Tuple[str, str]:
        """Example ``index`` as (name as given, label name)."""
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"dataset indices must be int, not {type(index).__name__}")
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(f"index {index} out of range for a dataset of {count}")
        label = ctypes.c_int32()
        name = self._string(lambda h, i, b, c, n: lib.charnn_dataset_get(h, i, b, c, n, ctypes.byref(label)), index)
        return name, self.labels[label.value]

    def __iter__(self) -> Iterator[Tuple[str, str]]:
        labels = self.labels
        for i in range(len(self)):
            label = ctypes.c_int32()
            name = self._string(lambda h, j, b, c, n: lib.charnn_dataset_get(h, j, b, c, n, ctypes.byref(label)), i)
            yield name, labels[label.value]

    @property
    def skipped(self) -> List[str]:
        """Names that were left out, each described with where it came from and why
        (e.g. ``"Czech.txt:265: 'Maxa/B': '/' is not in the vocabulary"``)."""
        return [self._string(lib.charnn_dataset_skipped, i) for i in range(self._size(lib.charnn_dataset_skipped_count))]

    def split(self, test_size: float = 0.1, seed: int = 0) -> Tuple["Dataset", "Dataset"]:
        """Stratified train/test split (scikit-learn's protocol): ``ceil(test_size * len)`` test
        names, every label within one name of its share; the same seed gives the same split."""
        if not isinstance(test_size, (int, float)) or isinstance(test_size, bool):
            raise TypeError(f"test_size must be a float, not {type(test_size).__name__}")
        if not isinstance(seed, int) or not 0 <= seed < 2 ** 64:
            raise ValueError(f"seed must be an int in [0, 2**64), got {seed!r}")
        train, test = ctypes.c_void_p(), ctypes.c_void_p()
        check(lib.charnn_dataset_split(self._handle, float(test_size), seed, ctypes.byref(train), ctypes.byref(test)))
        return Dataset._wrap(train.value), Dataset._wrap(test.value)

    def __repr__(self) -> str:
        if self.closed:
            return "<charnn.Dataset (closed)>"
        return f"<charnn.Dataset: {len(self)} names, {len(self.labels)} labels, {len(self.skipped)} skipped>"
