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


def test_slices_index_lists_and_masks_give_datasets(small):
    rows = list(small)
    head = small[:200]
    assert isinstance(head, charnn.Dataset) and len(head) == 200
    assert list(head) == rows[:200] and head.labels == small.labels
    assert list(small[10:20:3]) == rows[10:20:3]
    assert list(small[-5:]) == rows[-5:]
    assert list(small[::-1]) == rows[::-1]
    assert len(small[5:5]) == 0 and small[5:5].labels == LABELS
    assert list(small[[3, -1, 3]]) == [rows[3], rows[-1], rows[3]]
    mask = [i % 7 == 0 for i in range(len(small))]
    assert list(small[mask]) == [row for row, keep in zip(rows, mask) if keep]
    assert list(small.subset(range(4))) == rows[:4]


def test_sample_draws_without_replacement_reproducibly(small):
    rows = list(small)
    picked = small.sample(50, seed=3)
    assert isinstance(picked, charnn.Dataset) and len(picked) == 50 and picked.labels == LABELS
    drawn = list(picked)
    assert list(small.sample(50, seed=3)) == drawn
    assert list(small.sample(50, seed=4)) != drawn
    assert all(row in rows for row in drawn)
    everything = list(small.sample(len(small), seed=1))  # a permutation: nothing drawn twice
    assert sorted(everything) == sorted(rows) and everything != rows
    assert len(small.sample(0)) == 0


def test_stratified_sample_keeps_label_shares():
    names = [f"ab{'c' * (i % 9)}{'d' * (i // 9 % 9)}" for i in range(100)]
    labels = [0] * 60 + [1] * 30 + [2] * 10  # shares 0.6, 0.3, 0.1
    data = charnn.Dataset(names, labels, LABELS)
    for n, seed in ((10, 0), (20, 1), (33, 2), (7, 3), (100, 4)):
        sample = data.sample(n, seed=seed, stratified=True)
        counts = sample.label_counts
        assert sum(counts.values()) == n
        for label, total in zip(LABELS, (60, 30, 10)):
            assert abs(counts[label] - n * total / 100) < 1, (n, counts)
    assert data.sample(10, stratified=True).label_counts == {"Early": 6, "Late": 3, "Upper": 1}
    # Rounding goes to the largest remainders: 7 rows are 4.2, 2.1 and 0.7, so Upper gets the 7th.
    assert data.sample(7, seed=5, stratified=True).label_counts == {"Early": 4, "Late": 2, "Upper": 1}
    assert list(data.sample(33, seed=2, stratified=True)) == list(data.sample(33, seed=2, stratified=True))


def test_sample_errors(small):
    with pytest.raises(ValueError, match="between 0 and"):
        small.sample(len(small) + 1)
    with pytest.raises(ValueError, match="between 0 and"):
        small.sample(-1)
    with pytest.raises(TypeError, match="n must be an int"):
        small.sample(0.5)
    with pytest.raises(TypeError, match="n must be an int"):
        small.sample(True)
    with pytest.raises(ValueError, match="seed"):
        small.sample(3, seed=-1)


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
