"""Installing like a Python package and finding the library: `pip install ./bindings/python` into a
fresh virtual environment builds libcharnn.so and its builds of the core with tools/build_lib.sh
(reusing the repository's .build folders) and gives a platform wheel; an explicit CHARNN_LIBRARY
that fails raises instead of falling back; the search looks on LD_LIBRARY_PATH and find_library and
lists what it tried."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

import charnn
from conftest import REPO

PACKAGE = REPO / "bindings" / "python"


def clean_env(**extra):
    """The environment without the variables that steer the loader or the build."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("CHARNN_LIBRARY", "LD_LIBRARY_PATH", "PYTHONPATH", "CHARNN_SKIP_LIBRARY_BUILD", "CHARNN_SOURCE_DIR")
    }
    env.update(extra)
    return env


def run_python(code, cwd, python=sys.executable, **env):
    return subprocess.run([python, "-c", code], cwd=cwd, env=clean_env(**env), capture_output=True, text=True)


@pytest.fixture
def bare_package(tmp_path):
    """A copy of the charnn package's Python files with no library inside it and no source tree
    around it: only the environment, find_library and the dynamic loader can provide one."""
    shutil.copytree(PACKAGE / "charnn", tmp_path / "charnn", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    return tmp_path


IMPORT_COPY = "import sys; sys.path.insert(0, '.'); import charnn; print(charnn.library_path)"


# --- CHARNN_LIBRARY: an override that fails raises, naming the path and why ---


def test_charnn_library_missing_file_raises(tmp_path):
    missing = tmp_path / "no" / "libcharnn.so"
    result = run_python("import charnn", cwd=tmp_path, CHARNN_LIBRARY=str(missing))
    assert result.returncode != 0, result.stdout
    assert "LibraryNotFoundError" in result.stderr
    assert f"CHARNN_LIBRARY={missing}: no such file" in result.stderr


def test_charnn_library_not_a_library_raises(tmp_path):
    bogus = tmp_path / "libcharnn.so"
    bogus.write_text("not an ELF file")
    result = run_python("import charnn", cwd=tmp_path, CHARNN_LIBRARY=str(bogus))
    assert result.returncode != 0, result.stdout
    assert "LibraryNotFoundError" in result.stderr
    message = result.stderr.strip().splitlines()
    line = next(line for line in message if f"CHARNN_LIBRARY={bogus}" in line)
    assert re.search(r"(invalid ELF header|file too short)", line), line  # the dynamic loader's reason


def test_charnn_library_directory_raises(tmp_path):
    result = run_python("import charnn", cwd=tmp_path, CHARNN_LIBRARY=str(tmp_path))
    assert result.returncode != 0 and f"CHARNN_LIBRARY={tmp_path}" in result.stderr


# --- the search: LD_LIBRARY_PATH, find_library, and an error listing every place ---


def test_search_failure_lists_every_place_tried(bare_package, tmp_path):
    import ctypes.util

    if ctypes.util.find_library("charnn"):
        pytest.skip("a libcharnn is installed on the system: the search would find it")
    first, second = tmp_path / "lib1", tmp_path / "lib2"
    first.mkdir()
    second.mkdir()
    (second / "libcharnn.so").write_text("not a library")
    result = run_python(IMPORT_COPY, cwd=bare_package, LD_LIBRARY_PATH=f"{first}{os.pathsep}{second}")
    assert result.returncode != 0, result.stdout
    assert "LibraryNotFoundError: cannot load libcharnn.so; tried:" in result.stderr
    tried = result.stderr
    assert f"{bare_package / 'charnn' / 'libcharnn.so'} (the installed package): no such file" in tried
    assert f"{first / 'libcharnn.so'} ($LD_LIBRARY_PATH): no such file" in tried
    assert re.search(re.escape(f"{second / 'libcharnn.so'} ($LD_LIBRARY_PATH): ") + r".*(invalid ELF|too short)", tried)
    assert 'ctypes.util.find_library("charnn"): found nothing' in tried
    assert "libcharnn.so (the dynamic loader's search path)" in tried
    assert "pip install ./bindings/python" in tried and "CHARNN_LIBRARY" in tried


def test_search_notes_an_unset_ld_library_path(bare_package):
    import ctypes.util

    if ctypes.util.find_library("charnn"):
        pytest.skip("a libcharnn is installed on the system: the search would find it")
    result = run_python(IMPORT_COPY, cwd=bare_package)
    assert result.returncode != 0 and "$LD_LIBRARY_PATH: not set" in result.stderr


def copy_library(folder):
    """libcharnn.so and the builds of the core beside it (the dispatcher loads one from its folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in Path(charnn.library_path).parent.glob("libcharnn*.so"):
        shutil.copy(path, folder / path.name)


def test_library_found_on_ld_library_path(bare_package, tmp_path):
    folder = tmp_path / "lib"
    copy_library(folder)
    result = run_python(IMPORT_COPY, cwd=bare_package, LD_LIBRARY_PATH=f"/nonexistent{os.pathsep}{folder}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(folder / "libcharnn.so")


def test_a_dispatcher_without_its_builds_is_passed_over(bare_package, tmp_path):
    # libcharnn.so alone loads, but cannot load a build of the core: the search says so and goes on.
    alone, complete = tmp_path / "alone", tmp_path / "complete"
    alone.mkdir()
    shutil.copy(charnn.library_path, alone / "libcharnn.so")
    copy_library(complete)
    result = run_python(IMPORT_COPY, cwd=bare_package, LD_LIBRARY_PATH=f"{alone}{os.pathsep}{complete}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(complete / "libcharnn.so")
    result = run_python(IMPORT_COPY, cwd=bare_package, CHARNN_LIBRARY=str(alone / "libcharnn.so"))
    assert result.returncode != 0
    assert f"cannot load {alone / 'libcharnn-portable.so'}" in result.stderr


def test_library_found_by_find_library(bare_package):
    # ctypes.util.find_library answers from ldconfig's cache: stand in for an installed library.
    code = (
        "import ctypes.util, sys; ctypes.util.find_library = "
        f"lambda name: {charnn.library_path!r} if name == 'charnn' else None; " + IMPORT_COPY
    )
    result = run_python(code, cwd=bare_package)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == charnn.library_path


def test_candidates_in_order(bare_package, tmp_path):
    # _lib alone (charnn/__init__ would load the library, which the copy lacks).
    code = (
        "import importlib.util, sys; spec = importlib.util.spec_from_file_location('l', 'charnn/_lib.py'); "
        "l = importlib.util.module_from_spec(spec); spec.loader.exec_module(l); "
        "[print(origin) for _, origin in l.candidate_paths()]"
    )
    result = run_python(code, cwd=bare_package, LD_LIBRARY_PATH=str(tmp_path))
    assert result.returncode == 0, result.stderr
    origins = result.stdout.splitlines()
    assert origins[0] == "the installed package"
    assert origins[1] == "$LD_LIBRARY_PATH"
    assert "find_library" in origins[2] and origins[3] == "the dynamic loader's search path"
    result = run_python(code, cwd=bare_package, CHARNN_LIBRARY="/x/libcharnn.so")
    assert result.stdout.splitlines() == ["$CHARNN_LIBRARY"]


# --- the build hook ---


def load_setup():
    import runpy

    return runpy.run_path(str(PACKAGE / "setup.py"), run_name="charnn_setup")


def test_setup_finds_the_repository_from_the_package(monkeypatch):
    monkeypatch.delenv("CHARNN_SOURCE_DIR", raising=False)
    setup = load_setup()
    assert setup["repository_root"]() == REPO.resolve()
    assert setup["BUILD_COMMAND"] == ["tools/build_lib.sh"]
    makefile = (REPO / "Makefile").read_text()
    assert " ".join(setup["BUILD_COMMAND"]) in makefile  # the same script: the .build folders reused
    assert setup["LIBRARY_FILES"][0] == "libcharnn.so" and "libcharnn-portable.so" in setup["LIBRARY_FILES"]


def test_setup_outside_the_repository_says_what_to_do(monkeypatch, tmp_path):
    setup = load_setup()
    monkeypatch.setenv("CHARNN_SOURCE_DIR", str(tmp_path))
    with pytest.raises(Exception, match="CHARNN_SOURCE_DIR=.* is not the charnn repository"):
        setup["repository_root"]()
    shutil.copy(PACKAGE / "setup.py", tmp_path / "setup.py")
    monkeypatch.delenv("CHARNN_SOURCE_DIR")
    elsewhere = __import__("runpy").run_path(str(tmp_path / "setup.py"), run_name="charnn_setup")
    with pytest.raises(Exception) as info:
        elsewhere["repository_root"]()
    for hint in (
        "not inside the charnn repository",
        "CHARNN_SOURCE_DIR",
        "make python",
        "CHARNN_SKIP_LIBRARY_BUILD",
        "CHARNN_LIBRARY",
        "pip >= 21.3",
    ):
        assert hint in str(info.value)


def test_setup_without_swift_says_what_to_do(monkeypatch):
    setup = load_setup()
    monkeypatch.setenv("SWIFT", "no-such-swift-driver")
    with pytest.raises(Exception, match="`no-such-swift-driver` is not on PATH. Install Swift 6"):
        setup["build_library"]()


NETWORK_TROUBLE = (
    "Could not find a version that satisfies the requirement setuptools",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ProxyError",
    "No matching distribution found for setuptools",
)


def pip(venv_python, *args, **env):
    result = subprocess.run(
        [str(venv_python), "-m", "pip", *args],
        capture_output=True,
        text=True,
        env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1", **env),
    )
    if result.returncode != 0 and any(sign in result.stdout + result.stderr for sign in NETWORK_TROUBLE):
        pytest.skip("pip could not fetch setuptools for the isolated build (no network?):\n" + result.stderr[-800:])
    assert result.returncode == 0, f"pip {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


@pytest.mark.slow
def test_pip_install_builds_the_library_into_a_platform_wheel(tmp_path):
    """A fresh venv, `pip install bindings/python` from a copy of the package without the library:
    setup.py runs tools/build_lib.sh in the repository (CHARNN_SOURCE_DIR, since the copy is
    elsewhere; the .build folders already hold the builds, so nothing recompiles) and the wheel
    carries libcharnn.so and its builds of the core."""
    if shutil.which(os.environ.get("SWIFT") or "swift") is None:
        pytest.skip("swift is not on PATH")
    if not all((REPO / "build" / "lib" / name).exists() for name in load_setup()["LIBRARY_FILES"]):
        pytest.skip("the library is not built in build/lib (make lib): this test would compile it from scratch")
    started = time.monotonic()
    source = tmp_path / "python"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "."], cwd=PACKAGE, capture_output=True
    )
    if listed.returncode == 0 and listed.stdout:
        for name in listed.stdout.decode().split("\0"):
            if name and (PACKAGE / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PACKAGE / name, source / name)
    else:
        shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("*.so", "__pycache__", "build", "*.egg-info"))
    assert not list(source.rglob("*.so")), "the copy must not carry a library"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=clean_env())
    python = venv / "bin" / "python"
    output = pip(python, "install", str(source), CHARNN_SOURCE_DIR=str(REPO))
    wheel = re.search(r"filename=(charnn-\S+\.whl)", output)
    assert wheel, output
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    assert wheel.group(1) == f"charnn-{charnn.__version__}-py3-none-{platform}.whl"

    check = (
        "import charnn, os; m = charnn.Model(['a', 'b'], hidden_size=8, num_layers=1); "
        "print(charnn.library_path); print(m.predict('ab', k=1)[0][0]); print(charnn.cpu_variant()); "
        "print(*sorted(f for f in os.listdir(os.path.dirname(charnn.library_path)) if f.endswith('.so')))"
    )
    result = run_python(check, cwd=tmp_path, python=str(python))
    assert result.returncode == 0, result.stderr
    path, label, variant, files = result.stdout.splitlines()
    assert path.startswith(str(venv)) and path.endswith(os.path.join("charnn", "libcharnn.so"))
    assert label in ("a", "b")
    assert variant in ("portable", "x86-64-v3")
    assert files.split() == sorted(load_setup()["LIBRARY_FILES"])
    elapsed = time.monotonic() - started
    print(f"install test: {wheel.group(1)} in {elapsed:.1f} s")

    # CHARNN_SKIP_LIBRARY_BUILD=1: a pure wheel, no library inside, no swift run.
    output = pip(
        python,
        "wheel",
        "--no-deps",
        "-w",
        str(tmp_path / "wheels"),
        str(source),
        CHARNN_SKIP_LIBRARY_BUILD="1",
        SWIFT="no-such-swift-driver",
    )
    wheels = list((tmp_path / "wheels").glob("*.whl"))
    assert [w.name for w in wheels] == [f"charnn-{charnn.__version__}-py3-none-any.whl"], output
    import zipfile

    assert not [n for n in zipfile.ZipFile(wheels[0]).namelist() if n.endswith(".so")]
