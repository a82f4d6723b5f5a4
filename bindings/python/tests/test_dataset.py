"""charnn.Dataset: from lists and directories, its accessors, the split, and every error path."""
import pytest

import charnn

from conftest import LABELS


def test_from_lists_with_indices_or_label_names():
    by_index = charnn.Dataset(["abc", "Żak", "bad1"], [0, 1, 1], ["Early", "Late"])
    by_name = charnn.Dataset(["abc", "Żak", "bad1"], ["Early", "Late", "Late"])
    for data, row in ((by_index, "name 2"), (by_name, "row 2")):  # label strings: charnn_dataset_from_strings
        assert len(data) == 2
        assert data.labels == ["Early", "Late"]
        assert data[1] == ("Żak", "Late")
        assert data[-1] == ("Żak", "Late")
        assert list(data) == [("abc", "Early"), ("Żak", "Late")]
        assert data.skipped == [f"{row}: 'bad1': '1' is not in the vocabulary"]
        assert "2 names, 2 labels, 1 skipped" in repr(data)


def test_split_is_stratified_and_reproducible(small):
    train, test = small.split(test_size=0.2, seed=5)
    again_train, again_test = small.split(test_size=0.2, seed=5)
    other_train, other_test = small.split(test_size=0.2, seed=6)
    assert len(train) == 240 and len(test) == 60
    assert list(test) == list(again_test)
    assert list(test) != list(other_test)
    assert set(train) | set(test) == set(small)
    counts = {label: sum(1 for _, l in test if l == label) for label in LABELS}
    assert counts == {"Early": 20, "Late": 20, "Upper": 20}


def test_directory(tmp_path):
    (tmp_path / "Greek.txt").write_text("Alexiou\r\nPapadopoulos  \n\n", encoding="utf-8")
    (tmp_path / "Czech.txt").write_text("Novak\nMaxa/B\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("ignored")
    data = charnn.Dataset.from_directory(tmp_path)
    assert data.labels == ["Czech", "Greek"]
    assert list(data) == [("Novak", "Czech"), ("Alexiou", "Greek"), ("Papadopoulos", "Greek")]
    assert data.skipped[0].startswith("Czech.txt:2: 'Maxa/B'")


def test_directory_errors(tmp_path):
    with pytest.raises(charnn.FileError, match="no/such/dir") as info:
        charnn.Dataset.from_directory(tmp_path / "no" / "such" / "dir")
    assert isinstance(info.value, OSError) and info.value.status == 4
    with pytest.raises(charnn.InvalidDataError, match="no label files"):
        charnn.Dataset.from_directory(tmp_path)
    (tmp_path / "Greek.txt").write_bytes(b"Alexiou\nPapa\xffs\n")
    with pytest.raises(charnn.InvalidDataError, match="line 2 is not valid UTF-8"):
        charnn.Dataset.from_directory(tmp_path)
    (tmp_path / "Greek.txt").write_text("\n\n")
    with pytest.raises(charnn.InvalidDataError, match="has no names"):
        charnn.Dataset.from_directory(tmp_path)
    with pytest.raises(TypeError):
        charnn.Dataset.from_directory(42)


def test_bad_arguments():
    with pytest.raises(ValueError, match="2 names but 1 labels"):
        charnn.Dataset(["a", "b"], [0], LABELS)
    with pytest.raises(charnn.InvalidArgumentError, match="label 7 of name 0"):
        charnn.Dataset(["abc"], [7], LABELS)
    with pytest.raises(ValueError, match="'Other' of name 0 is not in label_names"):
        charnn.Dataset(["abc"], ["Other"], LABELS)
    with pytest.raises(TypeError, match="names must be a list of str"):
        charnn.Dataset("abc", [0], LABELS)
    with pytest.raises(TypeError, match="names\\[0\\] must be str"):
        charnn.Dataset([b"abc"], [0], LABELS)
    with pytest.raises(TypeError, match="label 0 must be an int or a str"):
        charnn.Dataset(["abc"], [1.5], LABELS)
    with pytest.raises(charnn.InvalidArgumentError, match="appears twice"):
        charnn.Dataset(["abc"], [0], ["A", "A"])
    with pytest.raises(charnn.InvalidArgumentError, match="NUL"):
        charnn.Dataset(["a\0b"], [0], LABELS)
    with pytest.raises(charnn.InvalidArgumentError, match="not valid Unicode"):
        charnn.Dataset(["\ud800"], [0], LABELS)


def test_split_errors(small):
    for bad in (0, 1, -0.5, float("nan")):
        with pytest.raises(charnn.InvalidArgumentError, match="test fraction"):
            small.split(test_size=bad)
    with pytest.raises(TypeError):
        small.split(test_size="0.1")
    with pytest.raises(ValueError, match="seed"):
        small.split(seed=-1)


def test_indexing_errors(small):
    with pytest.raises(IndexError):
        small[len(small)]
    with pytest.raises(TypeError):
        small["0"]


def test_close_is_idempotent_and_closed_datasets_refuse_use():
    data = charnn.Dataset(["abc"], [0], LABELS)
    data.close()
    data.close()
    assert data.closed
    assert "closed" in repr(data)
    with pytest.raises(charnn.ClosedError):
        len(data)
    with pytest.raises(charnn.ClosedError):
        data.split()
    with charnn.Dataset(["abc"], [0], LABELS) as scoped:
        assert len(scoped) == 1
    assert scoped.closed


def test_the_tutorial_data(names_dir):
    data = charnn.Dataset.from_directory(names_dir)
    assert len(data) == 20070 and len(data.labels) == 18 and len(data.skipped) == 4
    train, test = data.split(test_size=0.1, seed=0)
    assert (len(train), len(test)) == (18063, 2007)
