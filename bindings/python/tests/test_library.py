"""Finding and checking the library: the environment override, the error listing what was
tried, and the refusal of an ABI version the binding does not know."""

import ctypes
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import charnn
from charnn import _lib


def test_library_is_loaded_and_describes_itself():
    assert charnn.abi_version in _lib.SUPPORTED_ABI_VERSIONS
    # One version, written once in include/charnn.h: the library, the package and its metadata agree.
    header = (Path(__file__).resolve().parents[3] / "include" / "charnn.h").read_text()
    written = re.search(r'^#define CHARNN_VERSION_STRING "([^"]+)"', header, flags=re.M).group(1)
    assert charnn.library_version() == charnn.__version__ == written
    major, minor, patch = (
        int(re.search(rf"^#define CHARNN_VERSION_{part} (\d+)", header, flags=re.M).group(1))
        for part in ("MAJOR", "MINOR", "PATCH")
    )
    assert written == f"{major}.{minor}.{patch}"
    try:
        from importlib.metadata import version

        assert version("charnn") == written
    except ImportError:  # pragma: no cover - the package not installed (PYTHONPATH)
        pass
    assert os.path.exists(charnn.library_path)


def run_python(code, **env):
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)


def test_environment_variable_overrides_the_search():
    result = run_python("import charnn; print(charnn.library_path)", CHARNN_LIBRARY=charnn.library_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == charnn.library_path


def test_missing_library_names_every_path_tried(monkeypatch, tmp_path):
    monkeypatch.setattr(
        _lib, "candidate_paths", lambda: [(str(tmp_path / "nope.so"), "test"), ("/also/missing/libcharnn.so", "test")]
    )
    with pytest.raises(charnn.LibraryNotFoundError) as info:
        _lib.load()
    assert str(tmp_path / "nope.so") in str(info.value)
    assert "/also/missing/libcharnn.so" in str(info.value)
    assert "make lib" in str(info.value)


def test_a_file_that_is_not_a_library(tmp_path):
    bogus = tmp_path / "libcharnn.so"
    bogus.write_text("not an ELF file")
    with pytest.raises(charnn.LibraryNotFoundError, match="libcharnn.so"):
        _lib.load(str(bogus))


def build_fake_library(tmp_path, abi):
    """A shared library that says it is charnn with another ABI version."""
    source = tmp_path / "fake.c"
    source.write_text(
        textwrap.dedent(f"""
        int charnn_abi_version(void) {{ return {abi}; }}
        const char *charnn_version_string(void) {{ return "9.9.9"; }}
    """)
    )
    library = tmp_path / f"libfake{abi}.so"
    compiler = os.environ.get("CC", "cc")
    try:
        subprocess.run([compiler, "-shared", "-fPIC", str(source), "-o", str(library)], check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no C compiler to build a fake library")
    return library


def test_an_unknown_abi_version_is_refused(tmp_path):
    library = build_fake_library(tmp_path, 99)
    with pytest.raises(charnn.ABIVersionError, match="ABI version 99"):
        _lib.load(str(library))
    result = run_python("import charnn", CHARNN_LIBRARY=str(library))
    assert result.returncode != 0
    assert "ABIVersionError" in result.stderr and "9.9.9" in result.stderr


def test_a_library_that_is_not_charnn(tmp_path):
    library = build_fake_library(tmp_path, 1)
    # ABI 1 claimed but without the functions: refused, naming the first one missing.
    with pytest.raises(charnn.ABIVersionError, match="has no function charnn_status_string"):
        _lib.load(str(library))
    libc = ctypes.util.find_library("c")
    with pytest.raises(charnn.ABIVersionError, match="not a charnn library"):
        _lib.load(libc)


def test_struct_layouts_are_those_shipped():
    # The sizes C computes for the same declarations (x86_64 / aarch64 Linux): a struct may only grow
    # at its end (test_header.py compares every struct with the header's, as a C compiler lays it out).
    assert ctypes.sizeof(_lib.ModelConfig) == 64  # 32 in 0.2.0
    assert _lib.ModelConfig.embedding_size.offset == 32 and _lib.ModelConfig.ngram_max.offset == 60
    assert ctypes.sizeof(_lib.TrainProgress) == 64  # 40 in 0.2.0
    assert ctypes.sizeof(_lib.TrainConfig) == 160  # 80 in 0.2.0
    assert ctypes.sizeof(_lib.TrainResult) == 56  # 32 in 0.2.0
    assert _lib.TrainConfig.validation_fraction.offset == 80 and _lib.TrainConfig.class_weight_count.offset == 152
    assert _lib.TrainProgress.validation_loss.offset == 40 and _lib.TrainProgress.epoch_end.offset == 60
    assert _lib.TrainResult.best_epoch.offset == 32 and _lib.TrainResult.early_stopped.offset == 48
    assert ctypes.sizeof(_lib.TextConfig) == 40
    assert ctypes.sizeof(_lib.DataConfig) == 32


def test_cpu_variant_names_the_build_and_can_be_forced():
    # libcharnn.so chooses a build of the core per process; CHARNN_CPU=portable forces that one.
    assert charnn.cpu_variant() in ("portable", "x86-64-v3")
    code = "import charnn; print(charnn.cpu_variant())"
    result = run_python(code, CHARNN_CPU="portable")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "portable"
    result = run_python(code, CHARNN_CPU="no-such-cpu")
    assert result.returncode != 0
    assert "CHARNN_CPU=no-such-cpu is not a choice" in result.stderr
