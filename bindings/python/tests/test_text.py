"""Your own data: CSV/TSV files, pandas and NumPy columns, label strings, alphabets (article,
learned, explicit), normalisation, subsets and summaries, and models reading any script."""

import random
import unicodedata

import pytest

import charnn

# -- files ---------------------------------------------------------------------------------------


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_bom_crlf_and_quoted_fields(tmp_path):
    path = write(
        tmp_path / "people.csv",
        "\ufeffname,language\r\n"
        '"Smith, John",English\r\n'
        '"Two\nlines",Other\r\n'
        '"He said ""hi""",English\r\n'
        "  Novak ,Czech\r\n",
    )
    data = charnn.Dataset.from_csv(path, alphabet="learned")
    assert data.labels == ["Czech", "English", "Other"]
    assert list(data) == [
        ("Smith, John", "English"),
        ("Two\nlines", "Other"),
        ('He said "hi"', "English"),
        ("Novak", "Czech"),
    ]
    assert data.skipped == []
    assert data.label_counts == {"Czech": 1, "English": 2, "Other": 1}
    # The article's alphabet has no line break nor '"': those rows are skipped, listed by line.
    article = charnn.Dataset.from_csv(path)
    assert list(article) == [("Smith, John", "English"), ("Novak", "Czech")]
    assert [s.split(": ")[0] for s in article.skipped] == ["people.csv:3", "people.csv:5"]  # row 2 spans lines 3-4
    # load() with format="auto" reads a .csv file as CSV.
    assert list(charnn.Dataset.load(path, alphabet="learned")) == list(data)


def test_tsv_and_columns_by_name_or_index(tmp_path):
    rows = [("1", "Greek", "Alexiou"), ("2", "Czech", "Novak, Jan"), ("3", "Greek", "Papadopoulos")]
    tsv = write(tmp_path / "names.tsv", "id\tlanguage\tname\n" + "".join("\t".join(r) + "\n" for r in rows))
    expected = [("Alexiou", "Greek"), ("Novak, Jan", "Czech"), ("Papadopoulos", "Greek")]
    assert list(charnn.Dataset.from_tsv(tsv, text_column="name", label_column="language")) == expected
    assert list(charnn.Dataset.from_tsv(tsv, text_column=2, label_column=1)) == expected
    assert list(charnn.Dataset.load(tsv, text_column="name", label_column="language")) == expected  # auto: .tsv
    assert list(charnn.Dataset.load(tsv, "tsv", text_column=2, label_column="language")) == expected
    # No header: every row is data, columns by index only.
    bare = write(tmp_path / "bare.txt", "".join(",".join(r) + "\n" for r in rows).replace("Novak, Jan", "Novak"))
    data = charnn.Dataset.from_csv(bare, header=False, text_column=2, label_column=1)
    assert list(data) == [("Alexiou", "Greek"), ("Novak", "Czech"), ("Papadopoulos", "Greek")]
    with pytest.raises(charnn.InvalidDataError, match="no column named 'text'"):
        charnn.Dataset.from_tsv(tsv, text_column="text", label_column="language")
    with pytest.raises(charnn.InvalidDataError, match="out of range"):
        charnn.Dataset.from_tsv(tsv, text_column=7)


def test_malformed_files_name_file_and_line(tmp_path):
    ragged = write(tmp_path / "ragged.csv", 'text,label\nabc,Early\nabd,Early,extra\n"",Late\npqr,Late\n')
    data = charnn.Dataset.from_csv(ragged)
    assert list(data) == [("abc", "Early"), ("pqr", "Late")]
    assert len(data.skipped) == 2
    assert data.skipped[0].startswith("ragged.csv:3:") and "3 fields, expected 2" in data.skipped[0]
    assert data.skipped[1].startswith("ragged.csv:4:")
    assert data.summary()["skipped"] == 2
    unterminated = write(tmp_path / "open.csv", 'text,label\nabc,Early\n"never closed,Late\npqr,Late\n')
    with pytest.raises(charnn.InvalidDataError, match="open.csv:3") as info:
        charnn.Dataset.from_csv(unterminated)
    assert "unterminated" in str(info.value)
    empty = write(tmp_path / "empty.csv", "")
    with pytest.raises(charnn.InvalidDataError, match="empty"):
        charnn.Dataset.from_csv(empty)
    with pytest.raises(charnn.FileError):
        charnn.Dataset.from_csv(tmp_path / "missing.csv")


def test_directory_with_text_options(tmp_path):
    (tmp_path / "Russian.txt").write_text("Иванов\nПетров\n", encoding="utf-8")
    (tmp_path / "Greek.txt").write_text("Αλεξίου\n", encoding="utf-8")
    article = charnn.Dataset.from_directory(tmp_path)  # transliterated to ASCII, as in 0.1.0
    learned = charnn.Dataset.from_directory(tmp_path, alphabet="learned")
    loaded = charnn.Dataset.load(tmp_path, alphabet="learned")
    for data in (article, learned, loaded):
        assert list(data) == [("Αλεξίου", "Greek"), ("Иванов", "Russian"), ("Петров", "Russian")]
    assert article.summary()["alphabet"]["kind"] == "article"
    assert learned.summary()["alphabet"]["kind"] == "learned"


# -- from memory: lists, NumPy, pandas -------------------------------------------------------------


def test_label_strings_and_label_names():
    data = charnn.Dataset(["abc", "pqr", "stu", ""], ["b", "a", "b", "a"])
    assert data.labels == ["a", "b"]
    assert list(data) == [("abc", "b"), ("pqr", "a"), ("stu", "b")]
    assert data.skipped == ["row 3: '': the text is empty"]
    labelled = charnn.Dataset(["abc", "pqr", "xyz"], ["b", "", "c"])
    assert labelled.labels == ["b", "c"] and labelled.skipped == ["row 1: 'pqr': the label is empty"]
    # 0.1.0's form keeps label_names, in their order, labels with no example included.
    fixed = charnn.Dataset(["abc", "pqr"], [2, 0], ["z", "y", "x"])
    assert fixed.labels == ["z", "y", "x"] and list(fixed) == [("abc", "x"), ("pqr", "z")]
    assert fixed.label_counts == {"z": 1, "y": 0, "x": 1}
    # With text options too (charnn_dataset_from_memory_with_text): label_names, in their order.
    learned = charnn.Dataset(["абв", "где"], [2, 0], ["z", "y", "x"], alphabet="learned")
    assert learned.labels == ["z", "y", "x"] and list(learned) == [("абв", "x"), ("где", "z")]
    with pytest.raises(charnn.InvalidArgumentError, match="label 5 of name 1"):
        charnn.Dataset(["a", "b"], [0, 5], ["x"], alphabet="learned")


def test_missing_values_name_their_row():
    with pytest.raises(charnn.InvalidArgumentError, match=r"names\[1\] is missing"):
        charnn.Dataset(["abc", None], ["a", "b"])
    with pytest.raises(charnn.InvalidArgumentError, match="label 2 is missing"):
        charnn.Dataset(["abc", "def", "ghi"], ["a", "b", float("nan")])
    with pytest.raises(charnn.InvalidArgumentError, match=r"texts\[0\] is missing"):
        charnn.Dataset.from_pandas([float("nan")], ["a"])
    with pytest.raises(TypeError, match=r"texts\[1\] must be str"):
        charnn.Dataset.from_pandas(["abc", 7], ["a", "b"])


def test_numpy_arrays():
    np = pytest.importorskip("numpy")
    texts = np.array(["abc", "pqr", "abd", "pqs"])
    data = charnn.Dataset(texts, np.array(["Early", "Late", "Early", "Late"]), alphabet="learned")
    assert list(data) == [("abc", "Early"), ("pqr", "Late"), ("abd", "Early"), ("pqs", "Late")]
    objects = charnn.Dataset(texts.astype(object), np.array([0, 1, 0, 1], dtype=np.int64), ["Early", "Late"])
    assert list(objects) == list(data)
    assert list(data[np.array([3, 0])]) == [("pqs", "Late"), ("abc", "Early")]
    assert list(data[np.array([True, False, False, True])]) == [("abc", "Early"), ("pqs", "Late")]
    assert data[np.int64(1)] == ("pqr", "Late")
    with pytest.raises(charnn.InvalidArgumentError, match=r"names\[1\] is missing"):
        charnn.Dataset(np.array(["abc", np.nan], dtype=object), ["a", "b"])


def test_pandas_columns():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"text": ["Иванов", "Αλεξίου", "Петров", "Nováková"], "label": ["ru", "el", "ru", "cs"]}, index=[10, 11, 12, 13]
    )
    data = charnn.Dataset.from_pandas(frame["text"], frame["label"], alphabet="learned")
    assert data.labels == ["cs", "el", "ru"]
    assert data[0] == ("Иванов", "ru") and len(data) == 4
    assert data.summary()["alphabet"]["kind"] == "learned"
    # Integer class ids become label strings.
    ids = charnn.Dataset.from_pandas(frame["text"], pd.Series([3, 1, 3, 2]), alphabet="learned")
    assert ids.labels == ["1", "2", "3"]
    floats = charnn.Dataset.from_pandas(frame["text"], pd.Series([3.0, 1.0, 3.0, 2.0]), alphabet="learned")
    assert floats.labels == ["1", "2", "3"]
    # A missing value names its position and its index label.
    frame.loc[12, "text"] = None
    with pytest.raises(charnn.InvalidArgumentError, match=r"texts\[2\] \(index 12\) is missing"):
        charnn.Dataset.from_pandas(frame["text"], frame["label"])
    frame.loc[12, "text"] = "Петров"
    frame.loc[13, "label"] = pd.NA
    with pytest.raises(charnn.InvalidArgumentError, match=r"labels\[3\] \(index 13\) is missing"):
        charnn.Dataset.from_pandas(frame["text"], frame["label"])
    # Dataset() takes Series too.
    clean = frame.dropna()
    assert len(charnn.Dataset(clean["text"], clean["label"], alphabet="learned")) == 3


# -- slicing, subsets, counts, summary ------------------------------------------------------------


def test_slicing_and_subsets():
    texts = [f"{c}{c}x" for c in "abcdefghij"]
    labels = ["A" if i % 3 else "B" for i in range(10)]
    data = charnn.Dataset(texts, labels)
    assert isinstance(data[2:5], charnn.Dataset)
    assert list(data[2:5]) == list(zip(texts[2:5], labels[2:5]))
    assert list(data[::-3]) == [(texts[i], labels[i]) for i in range(9, -1, -3)]
    assert list(data[[4, 0, 0, -1]]) == [(texts[i], labels[i]) for i in (4, 0, 0, 9)]
    assert list(data.subset(range(3))) == list(zip(texts[:3], labels[:3]))
    assert len(data[5:5]) == 0 and data[5:5].labels == data.labels
    assert data[3] == (texts[3], labels[3]) and data[-1] == (texts[9], labels[9])
    assert data.label_counts == {"A": 6, "B": 4}
    assert data[[0, 3]].label_counts == {"A": 0, "B": 2}
    with pytest.raises(IndexError, match=r"indices\[1\] is 10"):
        data.subset([0, 10])
    with pytest.raises(IndexError):
        data[[-11]]
    with pytest.raises(TypeError):
        data[[0, "1"]]
    with pytest.raises(TypeError):
        data["0"]
    with pytest.raises(IndexError, match="boolean mask"):
        data[[True, False]]


def test_summary():
    data = charnn.Dataset(["abc", "abc", "abc", "pqr", "Иван", "x1"], ["a", "a", "b", "b", "b", "a"])
    summary = data.summary()
    for key in (
        "rows",
        "skipped",
        "classes",
        "class_counts",
        "duplicates",
        "conflicts",
        "scripts",
        "characters",
        "unknown_characters",
        "alphabet",
    ):
        assert key in summary, key
    assert summary["rows"] == 5 and summary["skipped"] == 1 and summary["classes"] == 2
    assert summary["class_counts"] == {"a": 2, "b": 3}
    assert summary["duplicates"] == 1 and summary["conflicts"] == 1
    assert sum(summary["scripts"].values()) == 5
    assert summary["characters"] == 3 * 4 + 4
    assert summary["alphabet"] == {
        "kind": "article",
        "size": 59,
        "normalize": "none",
        "case_fold": False,
        "transliterate": True,
    }
    explicit = charnn.Dataset(["abc", "abz"], ["a", "b"], alphabet="explicit", symbols="ab").summary()
    assert explicit["unknown_characters"] == 2
    assert explicit["alphabet"]["size"] == 3 and explicit["alphabet"]["normalize"] == "nfc"


# -- alphabets and models ------------------------------------------------------------------------

SCRIPTS = {
    "Russian": "абвгдежзиклмнопрстуфхцчшщыэюя",
    "Greek": "αβγδεζηθικλμνξοπρστυφχψω",
    "Chinese": "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
    "Korean": "김이박최정강조윤장임한오서신권황안송류홍",
}


def script_texts(count, seed):
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(count):
        label = sorted(SCRIPTS)[i % len(SCRIPTS)]
        texts.append("".join(rng.choice(SCRIPTS[label]) for _ in range(rng.randint(2, 6))))
        labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def scripts_model():
    texts, labels = script_texts(320, seed=1)
    data = charnn.Dataset(texts, labels, alphabet="learned")
    model = charnn.Model(data, kind="gru", hidden_size=16, num_layers=1, seed=1)
    model.fit(data, epochs=3, batch_size=16, lr=3e-2, progress=False)
    return data, model


def test_learned_alphabet_predicts_other_scripts(scripts_model):
    data, model = scripts_model
    assert model.labels == sorted(SCRIPTS)
    config = model.text_config
    assert config["alphabet"] == "learned" and config["normalize"] == "nfc"
    assert config["casefold"] is False and config["transliterate"] is False
    assert set(config["symbols"]) == set("".join(SCRIPTS.values()))
    assert model.alphabet_size == len(config["symbols"]) + 1  # <unk>
    assert data.summary()["alphabet"]["size"] == model.alphabet_size
    assert data.summary()["scripts"] == {"cyrillic": 80, "greek": 80, "han": 80, "hangul": 80}
    texts, labels = script_texts(40, seed=99)
    predictions = model.predict_many(texts, k=1)
    correct = sum(1 for p, label in zip(predictions, labels) if p[0][0] == label)
    assert correct >= 36, correct
    assert model.predict("박김", k=1)[0][0] == "Korean"
    assert model.predict("Иван", k=1)[0][0] == "Russian"  # "И" (upper case) was never seen: <unk>
    indices, unknown = model.encode("Иван")
    assert unknown == 1 and indices[0] == model.alphabet_size - 1 and len(indices) == 4
    evaluation = model.evaluate(charnn.Dataset(texts, labels, alphabet="learned"))
    assert evaluation.accuracy >= 0.9


def test_save_and_load_keep_the_text_path(scripts_model, tmp_path):
    _, model = scripts_model
    path = tmp_path / "scripts.safetensors"
    model.save(path)
    loaded = charnn.Model.load(path)
    assert loaded.text_config == model.text_config
    assert loaded.alphabet_size == model.alphabet_size
    texts, _ = script_texts(20, seed=7)
    texts += ["Иван", "мир!", "ñ"]
    assert loaded.predict_many(texts, k=4) == model.predict_many(texts, k=4)
    assert [loaded.encode(t) for t in texts] == [model.encode(t) for t in texts]
    assert charnn.Model.from_bytes(path.read_bytes()).text_config == model.text_config


def test_explicit_alphabet_counts_unknown_characters():
    model = charnn.Model(["x", "y"], hidden_size=8, alphabet="explicit", symbols="abc")
    assert model.alphabet_size == 4
    assert model.text_config == {
        "alphabet": "explicit",
        "normalize": "nfc",
        "casefold": False,
        "transliterate": False,
        "symbols": "abc",
    }
    assert model.encode("abxc") == ([0, 1, 3, 2], 1)
    # A text with nothing to read encodes to nothing (predict refuses it).
    assert model.encode("") == ([], 0)
    with pytest.raises(charnn.InvalidArgumentError, match="no character"):
        model.predict("")
    assert model.encode("cab") == ([2, 0, 1], 0)
    assert model.encode("😀") == ([3], 1)
    assert "explicit alphabet of 4 symbols" in repr(model)
    # The article's alphabet drops what it lacks, after transliteration.
    article = charnn.Model(["x", "y"], hidden_size=8)
    assert article.text_config["alphabet"] == "article" and article.alphabet_size == 59
    assert article.text_config["transliterate"] is True and len(article.text_config["symbols"]) == 59
    assert article.encode("ab1") == ([0, 1], 1)
    assert article.encode("Żak") == article.encode("Zak")
    assert article.encode("Иванов") == article.encode("Ivanov") and article.encode("東京")[1] == 0
    assert article.encode("123") == ([], 3)


def test_normalization_makes_composed_and_decomposed_input_equal():
    composed, decomposed = "café", unicodedata.normalize("NFD", "café")
    assert composed != decomposed
    nfc = charnn.Model(["x"], hidden_size=8, alphabet="explicit", symbols="acfé", normalize="nfc")
    assert nfc.encode(composed) == nfc.encode(decomposed) == ([1, 0, 2, 3], 0)
    raw = charnn.Model(["x"], hidden_size=8, alphabet="explicit", symbols="acfé", normalize="none")
    assert raw.encode(composed) == ([1, 0, 2, 3], 0)
    assert raw.encode(decomposed)[1] > 0
    nfkc = charnn.Model(["x"], hidden_size=8, alphabet="explicit", symbols="fiA", normalize="NFKC")
    assert nfkc.encode("ﬁＡ") == ([0, 1, 2], 0)
    assert nfkc.text_config["normalize"] == "nfkc"


def test_casefold_and_transliterate():
    folded = charnn.Model(["x"], hidden_size=8, alphabet="explicit", symbols="strae", casefold=True)
    assert folded.text_config["casefold"] is True
    assert folded.encode("STRASSE") == folded.encode("straße") == folded.encode("strasse")
    assert folded.encode("Straße")[1] == 0
    ascii_only = charnn.Model(["x"], hidden_size=8, alphabet="explicit", symbols="Ivano", transliterate=True)
    assert ascii_only.text_config["transliterate"] is True
    assert ascii_only.encode("Иванов") == ascii_only.encode("Ivanov")


def test_models_from_datasets_and_label_matching():
    data = charnn.Dataset(["abc", "pqr", "abd", "pqs"] * 4, ["Early", "Late"] * 8)
    model = charnn.Model(data, kind="elman", hidden_size=8)
    assert model.labels == ["Early", "Late"] and model.text_config["alphabet"] == "article"
    # Text options replace the dataset's alphabet and keep its labels.
    explicit = charnn.Model(data, hidden_size=8, alphabet="explicit", symbols="abcdpqrs")
    assert explicit.labels == ["Early", "Late"] and explicit.alphabet_size == 9
    # Labels are matched by name: a dataset may lack some of the model's labels...
    wide = charnn.Model(["Early", "Extra", "Late"], hidden_size=8, num_layers=1)
    result = wide.fit(data, epochs=1, batch_size=4, progress=False)
    assert result.epochs_completed == 1
    evaluation = wide.evaluate(data[[1, 3]])  # only "Late" names
    assert [sum(map(int, row)) for row in evaluation.confusion] == [0, 0, 2]
    # ...but not hold a label the model lacks; and a model re-encodes any dataset with its alphabet.
    with pytest.raises(charnn.InvalidArgumentError, match="Other"):
        wide.evaluate(charnn.Dataset(["abc"], ["Other"]))
    learned_data = charnn.Dataset(["абв", "где"] * 4, ["Early", "Late"] * 4, alphabet="learned")
    assert explicit.fit(learned_data, epochs=1, batch_size=4, progress=False).epochs_completed == 1


def test_bad_text_options_name_the_argument(tmp_path):
    cases = [
        (dict(alphabet="klingon"), "alphabet"),
        (dict(alphabet=3), "alphabet"),
        (dict(alphabet="explicit"), "symbols"),
        (dict(alphabet="explicit", symbols=""), "symbols"),
        (dict(symbols="abc"), "symbols"),
        (dict(normalize="nfd"), "normalize"),
        (dict(casefold="yes"), "casefold"),
        (dict(transliterate=2), "transliterate"),
        (dict(alphabet="learned", min_count=0), "min_count"),
        (dict(alphabet="learned", max_symbols=-1), "max_symbols"),
        (dict(min_count=2), "min_count"),
        (dict(max_symbols=10), "max_symbols"),
    ]
    for options, name in cases:
        with pytest.raises(charnn.InvalidArgumentError, match=name):
            charnn.Dataset(["abc"], ["a"], **options)
    with pytest.raises(charnn.InvalidArgumentError, match="'a' appears twice"):  # the library's check
        charnn.Model(["x"], alphabet="explicit", symbols="abca")
    with pytest.raises(charnn.InvalidArgumentError, match="learned"):
        charnn.Model(["x"], alphabet="learned")
    data = charnn.Dataset(["abc"], ["a"], alphabet="learned")
    with pytest.raises(charnn.InvalidArgumentError, match="learned"):
        charnn.Model(data, alphabet="learned")
    csv = write(tmp_path / "d.csv", "t,l\nabc,a\n")
    with pytest.raises(charnn.InvalidArgumentError, match="format"):
        charnn.Dataset.load(csv, format="xml")
    with pytest.raises(charnn.InvalidArgumentError, match="text_column"):
        charnn.Dataset.from_csv(csv, text_column=-1)
    with pytest.raises(charnn.InvalidArgumentError, match="label_column"):
        charnn.Dataset.from_csv(csv, label_column=1.5)
    with pytest.raises(charnn.InvalidArgumentError, match="header"):
        charnn.Dataset.from_csv(csv, header="yes")
    with pytest.raises(TypeError, match="alphabett"):
        charnn.Dataset.from_csv(csv, alphabett="learned")


def test_the_tutorial_data_with_a_learned_alphabet(names_dir):
    article = charnn.Dataset.from_directory(names_dir)
    learned = charnn.Dataset.load(names_dir, alphabet="learned")
    assert learned.labels == article.labels
    assert len(learned) == len(article) + len(article.skipped) and learned.skipped == []
    summary = learned.summary()
    assert summary["rows"] == len(learned) and summary["alphabet"]["kind"] == "learned"
    assert sum(summary["class_counts"].values()) == len(learned)
    assert summary["unknown_characters"] == 0
