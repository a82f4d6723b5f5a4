"""Builds the charnn package with libcharnn.so inside it (the metadata is in pyproject.toml).

libcharnn.so is a small dispatcher that loads one of two builds of the core from its own folder,
chosen by the CPU: libcharnn-x86-64-v3.so (AVX2 + FMA) or libcharnn-portable.so (any CPU of the
architecture; arm64 has only this one). The package carries all of them, side by side.

`pip install ./bindings/python` runs this. Inside the repository with swift on PATH, build_py runs
tools/build_lib.sh (what the Makefile's `make lib` runs: `swift build` per variant, existing .build
folders reused, then the C dispatcher with cc) in the repository root and copies the files of
build/lib, stripped, into the package: a library `make python` copied in earlier may be stale.
Elsewhere (an sdist, a copy) the library the package carries is used, and without one the build
fails with what to do. The wheel then carries a Linux library and is tagged for the platform
(py3-none-linux_x86_64: ctypes, no CPython ABI).

Environment:
  CHARNN_SKIP_LIBRARY_BUILD=1  build no library: a pure package (py3-none-any) that loads one
                               from $CHARNN_LIBRARY, $LD_LIBRARY_PATH or the system at import.
  CHARNN_SOURCE_DIR=dir        the charnn repository to build the library in, when this
                               directory is not inside it (a copy, an unpacked sdist).
  SWIFT=path                   the swift driver (default: swift on PATH), as for make.
  CC=path                      the C compiler for the dispatcher (default: cc).
"""

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

try:  # setuptools >= 70.1 has its own; before, the wheel package's (pip's build environment has it)
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # pragma: no cover
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:  # no wheels to build (`setup.py` imported for its helpers)
        bdist_wheel = None

HERE = Path(__file__).resolve().parent
LIBRARY = "libcharnn.so"
# The dispatcher first, then the builds of the core it loads (tools/build_lib.sh makes the same).
VARIANTS = ["portable", "x86-64-v3"] if platform.machine().lower() in ("x86_64", "amd64") else ["portable"]
LIBRARY_FILES = [LIBRARY] + [f"libcharnn-{variant}.so" for variant in VARIANTS]
BUILD_COMMAND = ["tools/build_lib.sh"]  # what the Makefile's `make lib` runs


VERSION_FILE = HERE / "charnn" / "_version.py"


def header_version() -> "str | None":
    """CHARNN_VERSION_STRING of the repository's include/charnn.h (the one place the version is
    written), or None outside the repository."""
    import re

    roots = [Path(os.environ["CHARNN_SOURCE_DIR"]).expanduser()] if os.environ.get("CHARNN_SOURCE_DIR") else []
    for root in roots + list(HERE.parents):
        header = root / "include" / "charnn.h"
        if header.is_file():
            match = re.search(r'^#define CHARNN_VERSION_STRING "([^"]+)"', header.read_text(), flags=re.M)
            if match:
                return match.group(1)
    return None


def package_version() -> str:
    """The package's version: the header's, also written to charnn/_version.py (so an sdist or a
    copy without the header, and `charnn.__version__`, know it); else that file's."""
    version = header_version()
    if version is not None:
        text = (
            '"""Written by setup.py from include/charnn.h\'s CHARNN_VERSION_STRING; do not edit."""\n'
            f'version = "{version}"\n'
        )
        if not VERSION_FILE.is_file() or VERSION_FILE.read_text() != text:
            VERSION_FILE.write_text(text)
        return version
    if VERSION_FILE.is_file():
        namespace: dict = {}
        exec(VERSION_FILE.read_text(), namespace)
        return str(namespace["version"])
    raise SetupError(f"cannot tell charnn's version: no include/charnn.h above {HERE} and no {VERSION_FILE}")


def skip_library_build() -> bool:
    return os.environ.get("CHARNN_SKIP_LIBRARY_BUILD", "").strip().lower() not in ("", "0", "false", "no")


def carries_library() -> bool:
    """Whether the wheel will hold libcharnn.so: the package source has one, or we build it."""
    return (HERE / "charnn" / LIBRARY).is_file() or not skip_library_build()


def is_repository(path: Path) -> bool:
    return (path / "Package.swift").is_file() and (path / "include" / "charnn.h").is_file()


def repository_root() -> Path:
    """The charnn repository holding this package: $CHARNN_SOURCE_DIR, else the first parent
    folder with Package.swift and include/charnn.h (bindings/python is two levels down)."""
    override = os.environ.get("CHARNN_SOURCE_DIR")
    if override:
        root = Path(override).expanduser().resolve()
        if not is_repository(root):
            raise SetupError(
                f"CHARNN_SOURCE_DIR={override} is not the charnn repository "
                "(no Package.swift and include/charnn.h there)"
            )
        return root
    for root in HERE.parents:
        if is_repository(root):
            return root
    raise SetupError(
        f"cannot build {LIBRARY}: {HERE} is not inside the charnn repository (no Package.swift and "
        "include/charnn.h above it), and the package carries no library.\n"
        "Do one of:\n"
        "  - pip install ./bindings/python from a checkout of the repository (pip >= 21.3 builds it in "
        "place; older pip copies it away first: upgrade pip);\n"
        "  - set CHARNN_SOURCE_DIR to the repository;\n"
        "  - run `make python` in the repository first (it puts the library into the package);\n"
        "  - or install with CHARNN_SKIP_LIBRARY_BUILD=1 and point CHARNN_LIBRARY at a libcharnn.so at run time."
    )


def build_library() -> "list[Path]":
    """Runs tools/build_lib.sh in the repository; the paths of the files built (LIBRARY_FILES)."""
    root = repository_root()
    swift = os.environ.get("SWIFT") or "swift"
    driver = shutil.which(swift)
    if driver is None:
        raise SetupError(
            f"cannot build {LIBRARY}: `{swift}` is not on PATH. Install Swift 6 (https://www.swift.org/install/) "
            "and retry, or set SWIFT to the driver; or build the library elsewhere and install with "
            "CHARNN_SKIP_LIBRARY_BUILD=1, pointing CHARNN_LIBRARY at it at run time."
        )
    command = ["bash", *BUILD_COMMAND]
    environment = {**os.environ, "SWIFT": driver, "PYTHON": sys.executable, "CHARNN_VARIANTS": " ".join(VARIANTS)}
    print(f"charnn: building {LIBRARY} in {root}: {' '.join(BUILD_COMMAND)} (minutes the first time)", flush=True)
    result = subprocess.run(command, cwd=root, env=environment)
    if result.returncode != 0:
        raise SetupError(
            f"`{' '.join(BUILD_COMMAND)}` failed in {root} (exit status {result.returncode}); "
            "its output is above (pip install -v shows it)"
        )
    built = [root / "build" / "lib" / name for name in LIBRARY_FILES]
    for path in built:
        if not path.is_file():
            raise SetupError(f"`{' '.join(BUILD_COMMAND)}` succeeded but {path} does not exist")
    return built


def can_rebuild() -> bool:
    """Whether a carried library can be refreshed: inside the repository, with swift. A library
    `make python` copied in long ago may predate the sources (and fail the loader's ABI check);
    `swift build` on an up-to-date .build takes seconds."""
    if skip_library_build() or shutil.which(os.environ.get("SWIFT") or "swift") is None:
        return False
    try:
        repository_root()
    except SetupError:
        return False
    return True


class BuildPy(build_py):
    """build_py, plus libcharnn.so and its builds made and copied into the package when the
    source has none."""

    def run(self) -> None:
        super().run()  # copies charnn/libcharnn*.so too when the package source carries them
        package = Path(self.build_lib) / "charnn"
        if (HERE / "charnn" / LIBRARY).is_file() and not can_rebuild():
            return  # an sdist or a copy that carries its library: nothing to build it from
        if skip_library_build():
            for stale in package.glob("libcharnn*.so"):  # left by an earlier in-place build
                stale.unlink()
            print(f"charnn: CHARNN_SKIP_LIBRARY_BUILD is set: no {LIBRARY} in the package", flush=True)
            return
        built = build_library()
        if getattr(self, "editable_mode", False):
            return  # an editable install imports from the source tree, whose loader finds build/lib
        package.mkdir(parents=True, exist_ok=True)
        strip = shutil.which("strip")
        for path in built:
            target = package / path.name
            shutil.copyfile(path, target)
            os.chmod(target, 0o755)
            if strip:
                subprocess.run([strip, "--strip-unneeded", str(target)], check=True)
            print(f"charnn: {path} -> {target}", flush=True)

    def get_outputs(self, include_bytecode: bool = True):
        outputs = super().get_outputs(include_bytecode)
        if carries_library():
            for name in LIBRARY_FILES:
                target = os.path.join(self.build_lib, "charnn", name)
                if target not in outputs:
                    outputs.append(target)
        return outputs


class BinaryDistribution(Distribution):
    """A distribution that carries libcharnn.so counts as binary: installed to platlib, its wheel
    not pure."""

    def has_ext_modules(self) -> bool:
        return carries_library()


COMMANDS = {"build_py": BuildPy}
if bdist_wheel is not None:

    class BdistWheel(bdist_wheel):
        """The wheel of a package carrying libcharnn.so is for this platform but any Python 3
        (ctypes, no C extension): py3-none-linux_x86_64. Without the library: py3-none-any."""

        def get_tag(self):
            python, abi, platform = super().get_tag()
            if not self.root_is_pure:
                python, abi = "py3", "none"
            return python, abi, platform

    COMMANDS["bdist_wheel"] = BdistWheel


if __name__ == "__main__":  # as pip's build backend runs it; tests import the helpers above
    setup(version=package_version(), distclass=BinaryDistribution, cmdclass=COMMANDS)
