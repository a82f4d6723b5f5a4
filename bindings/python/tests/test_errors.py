"""Every argument error is a charnn.Error (and the builtin class Python code expects), the
package does not shadow builtins, fit refuses zero epochs, and the plain progress bar writes
whole lines when its stream is not a terminal."""

import io
import subprocess
import sys

import pytest

import charnn
from charnn.progress import PlainBar

from conftest import LABELS

# (what, the call, the builtin class Python convention expects)
BAD_MODEL_CALLS = [
    ("predict k=0", lambda m, d: m.predict("abc", k=0), ValueError),
    ("predict k str", lambda m, d: m.predict("abc", k="3"), TypeError),
    ("predict bytes", lambda m, d: m.predict(b"abc"), TypeError),
    ("predict_many k=0", lambda m, d: m.predict_many(["abc"], k=0), ValueError),
    ("predict_many one str", lambda m, d: m.predict_many("abc"), TypeError),
    ("batch_size=0", lambda m, d: m.fit(d, batch_size=0, progress=False), ValueError),
    ("epochs=0", lambda m, d: m.fit(d, epochs=0, progress=False), ValueError),
    ("epochs float", lambda m, d: m.fit(d, epochs=1.5, progress=False), TypeError),
    ("optimizer", lambda m, d: m.fit(d, optimizer="lbfgs", progress=False), ValueError),
    ("schedule", lambda m, d: m.fit(d, schedule="linear", progress=False), ValueError),
    ("progress", lambda m, d: m.fit(d, progress="fancy"), ValueError),
    ("clip", lambda m, d: m.fit(d, clip=-1.0, progress=False), ValueError),
    ("validation", lambda m, d: m.fit(d, validation=1.5, progress=False), ValueError),
    ("warmup", lambda m, d: m.fit(d, warmup=2.5, progress=False), ValueError),
    ("class_weight", lambda m, d: m.fit(d, class_weight="heavy", progress=False), ValueError),
    ("class_weight label", lambda m, d: m.fit(d, class_weight={"Nope": 2.0}, progress=False), ValueError),
    ("callback", lambda m, d: m.fit(d, callback=3, progress=False), TypeError),
    ("fit list", lambda m, d: m.fit(["abc"], progress=False), TypeError),
    ("evaluate k=0", lambda m, d: m.evaluate(d, k=0), ValueError),
    ("evaluate list", lambda m, d: m.evaluate(["abc"]), TypeError),
]

BAD_CREATIONS = [
    ("kind", lambda: charnn.Model(LABELS, kind="transformer"), ValueError),
    ("hidden_init", lambda: charnn.Model(LABELS, hidden_init="ones"), ValueError),
    ("pooling", lambda: charnn.Model(LABELS, pooling="median"), ValueError),
    ("hidden_size str", lambda: charnn.Model(LABELS, hidden_size="8"), TypeError),
    ("seed negative", lambda: charnn.Model(LABELS, seed=-1), ValueError),
    ("recipe", lambda: charnn.Model(LABELS, recipe="slow"), ValueError),
    ("dataset lengths", lambda: charnn.Dataset(["a", "b"], [0], LABELS), ValueError),
    ("dataset label", lambda: charnn.Dataset(["a"], ["Nope"], LABELS), ValueError),
    ("dataset names str", lambda: charnn.Dataset("abc", [0], LABELS), TypeError),
    ("dataset bad alphabet", lambda: charnn.Dataset(["a"], [0], LABELS, alphabet="klingon"), ValueError),
]


@pytest.mark.parametrize("what,call,builtin", BAD_MODEL_CALLS, ids=[c[0] for c in BAD_MODEL_CALLS])
def test_model_argument_errors_are_charnn_errors(small, what, call, builtin):
    with charnn.Model(LABELS, kind="elman", hidden_size=4) as model:
        with pytest.raises(charnn.InvalidArgumentError) as info:
            call(model, small)
    assert isinstance(info.value, charnn.Error) and isinstance(info.value, builtin), type(info.value).__mro__
    assert info.value.status == 1 and info.value.message


@pytest.mark.parametrize("what,call,builtin", BAD_CREATIONS, ids=[c[0] for c in BAD_CREATIONS])
def test_creation_errors_are_charnn_errors(what, call, builtin):
    with pytest.raises(charnn.InvalidArgumentError) as info:
        call()
    assert isinstance(info.value, builtin), type(info.value).__mro__


def test_dataset_index_errors_are_charnn_errors(small):
    with pytest.raises(charnn.IndexOutOfRangeError) as info:
        small[len(small)]
    assert isinstance(info.value, IndexError) and isinstance(info.value, charnn.InvalidArgumentError)
    with pytest.raises(charnn.ArgumentTypeError):
        small["first"]


def test_epochs_zero_names_the_argument(small):
    with charnn.Model(LABELS, kind="elman", hidden_size=4) as model:
        with pytest.raises(charnn.InvalidArgumentError, match=r"epochs must be in \[1,"):
            model.fit(small, epochs=0, progress=False)


def test_star_import_does_not_shadow_builtins():
    # A fresh interpreter: the star import must leave IOError the builtin (an alias of OSError).
    code = (
        "from charnn import *\nimport builtins\nassert IOError is builtins.IOError, IOError\n"
        "import charnn\nassert charnn.IOError is charnn.FileError\nassert issubclass(charnn.FileError, OSError)\n"
        "shadowed = [n for n in charnn.__all__ if hasattr(builtins, n)]\nassert not shadowed, shadowed\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_file_errors_are_oserrors(tmp_path):
    with pytest.raises(charnn.FileError) as info:
        charnn.Model.load(tmp_path / "missing.safetensors")
    assert isinstance(info.value, OSError) and isinstance(info.value, charnn.IOError)


def test_plain_bar_off_a_terminal_writes_whole_lines():
    stream = io.StringIO()  # not a terminal, as a pipe or a log file
    bar = PlainBar(20, stream)
    for epoch in (1, 2):
        for step in range(1, 11):
            bar.update(epoch, 2, step, 10, 0.5, force=step == 10, validation_accuracy=0.75 if step == 10 else None)
    bar.close()
    text = stream.getvalue()
    assert "\r" not in text
    assert text.splitlines() == [line for line in text.splitlines() if line.startswith("epoch ")]
    assert len(text.splitlines()) == 2 and "10/10" in text and "val acc 75.00%" in text


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_bar_on_a_terminal_redraws_in_place():
    stream = FakeTerminal()
    bar = PlainBar(10, stream)
    bar.update(1, 1, 5, 10, 0.5, force=True)
    bar.update(1, 1, 10, 10, 0.4, force=True)
    bar.close()
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and text.count("\n") == 1


def test_fit_into_a_pipe_writes_lines(small):
    # progress=True with standard error redirected: no tqdm redraws, one plain line per epoch.
    code = (
        "import charnn\n"
        "d = charnn.Dataset(['ab', 'cd', 'ef', 'gh'] * 5, [0, 1, 0, 1] * 5, ['x', 'y'])\n"
        "charnn.Model(['x', 'y'], kind='elman', hidden_size=4).fit(d, epochs=2, batch_size=4)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, check=True)
    assert "\r" not in done.stderr
    assert [line.split(" [")[0] for line in done.stderr.splitlines()] == ["epoch 1/2", "epoch 2/2"]
