"""The binding against include/charnn.h, read as C: every struct of the header is a ctypes
Structure of _lib with the same fields, C types and order, and the size and offsets a C
compiler gives; every function of the header is in _lib.FUNCTIONS with the argtypes and restype
its prototype means, and nothing else is; every charnn_status has its exception.

The header is the one source: these tests parse it (comments stripped) rather than repeat it,
so a field or function added there fails here until the binding has it too. The parser's own
tests at the end prove it notices a mismatch."""

import ctypes
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from charnn import _lib, errors

HEADER = Path(__file__).resolve().parents[3] / "include" / "charnn.h"
pytestmark = pytest.mark.skipif(not HEADER.is_file(), reason="not in the charnn repository (no include/charnn.h)")

HANDLES = {"charnn_dataset", "charnn_model", "charnn_metrics", "charnn_graph", "charnn_tensor", "charnn_optimizer"}
SCALARS = {
    "size_t": ctypes.c_size_t,
    "int": ctypes.c_int,
    "int32_t": ctypes.c_int32,
    "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
    "float": ctypes.c_float,
    "double": ctypes.c_double,
    "charnn_status": ctypes.c_int,
}


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def strip_preprocessor(text):
    return re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)


def structure_class(c_name):
    """charnn_adam_config -> _lib.AdamConfig."""
    return "".join(part.capitalize() for part in c_name[len("charnn_") :].split("_"))


def ctypes_of(c_type, structures):
    """The ctypes type a C type (as written in the header) is passed as."""
    t = re.sub(r"\bconst\b", "", c_type)
    t = re.sub(r"\s+", "", t)  # "charnn_tensor*const*" -> "charnn_tensor**"
    base, stars = t.rstrip("*"), len(t) - len(t.rstrip("*"))
    if base == "void":
        return None if stars == 0 else ctypes.c_void_p if stars == 1 else ctypes.POINTER(ctypes.c_void_p)
    if base == "charnn_progress_fn" and stars == 0:
        return _lib.PROGRESS_FN
    if base == "char":
        return ctypes.c_char_p if stars == 1 else ctypes.POINTER(ctypes.c_char_p)
    if base in HANDLES:  # opaque: handles are void pointers in the binding
        return ctypes.c_void_p if stars == 1 else ctypes.POINTER(ctypes.c_void_p)
    if base in structures:
        kind = getattr(_lib, structure_class(base))
    elif base in SCALARS:
        kind = SCALARS[base]
    else:
        raise AssertionError(f"the test does not know the C type {c_type!r}: teach ctypes_of")
    for _ in range(stars):
        kind = ctypes.POINTER(kind)
    return kind


def parse(text):
    """(structs, functions, statuses) of a header: structs {name: [(field, C type)]}, functions
    {name: (return C type, [parameter C types], deprecated)}, statuses {CHARNN_NAME: value}."""
    text = strip_preprocessor(strip_comments(text))
    structs = {}
    for name, body, again in re.findall(r"typedef\s+struct\s+(charnn_\w+)\s*\{(.*?)\}\s*(\w+)\s*;", text, flags=re.S):
        assert name == again, f"typedef struct {name} {{...}} {again}"
        fields = []
        for declaration in filter(None, (d.strip() for d in body.split(";"))):
            match = re.fullmatch(r"(.*?[\s*])(\w+)", declaration, flags=re.S)
            assert match, f"{name}: cannot read the field {declaration!r}"
            fields.append((match.group(2), match.group(1).strip()))
        structs[name] = fields
    functions = {}
    for declaration in re.findall(r"[^;{}#]*?\bcharnn_\w+\s*\([^;{}]*?\)\s*;", text):
        declaration = " ".join(declaration.split())
        deprecated = "CHARNN_DEPRECATED" in declaration
        declaration = re.sub(r"\bCHARNN_DEPRECATED\s*\([^()]*\)\s*", "", declaration)
        if declaration.startswith("typedef"):
            continue  # charnn_progress_fn: a function-pointer type, not a function
        match = re.fullmatch(r"(.*?[\s*])(charnn_\w+)\s*\((.*)\)\s*;", declaration.strip())
        assert match, f"cannot read the prototype {declaration!r}"
        result, name, parameters = match.group(1).strip(), match.group(2), match.group(3).strip()
        types = []
        if parameters != "void":
            for parameter in parameters.split(","):
                p = re.fullmatch(r"(.*?[\s*])(\w+)", parameter.strip())
                assert p, f"{name}: cannot read the parameter {parameter!r}"
                types.append(p.group(1).strip())
        functions[name] = (result, types, deprecated)
    enum = re.search(r"typedef\s+enum\s+charnn_status\s*\{(.*?)\}\s*charnn_status\s*;", text, flags=re.S)
    statuses = (
        {name: int(value) for name, value in re.findall(r"(CHARNN_\w+)\s*=\s*(\d+)", enum.group(1))} if enum else {}
    )
    return structs, functions, statuses


def differences(text):
    """Every way _lib differs from the header `text`, as sentences (empty: they agree)."""
    structs, functions, _ = parse(text)
    problems = []
    for name, fields in structs.items():
        cls = getattr(_lib, structure_class(name), None)
        if cls is None:
            problems.append(f"{name}: no _lib.{structure_class(name)}")
            continue
        header_fields = [(field, ctypes_of(c_type, structs)) for field, c_type in fields]
        binding_fields = [(field, kind) for field, kind in cls._fields_]
        if header_fields != binding_fields:
            problems.append(
                f"{name}: the header has {[(f, getattr(k, '__name__', k)) for f, k in header_fields]}, "
                f"_lib.{cls.__name__} {[(f, getattr(k, '__name__', k)) for f, k in binding_fields]}"
            )
    # The binding declares every function but the deprecated aliases, which it does not call.
    current = {name for name, (_, _, deprecated) in functions.items() if not deprecated}
    bound = {name: (restype, list(argtypes)) for name, restype, argtypes in _lib.FUNCTIONS}
    for name in sorted(current - set(bound)):
        problems.append(f"{name}: declared in the header, missing from _lib.FUNCTIONS")
    for name in sorted(set(bound) - current):
        what = "deprecated in the header (use its new name)" if name in functions else "not declared in the header"
        problems.append(f"{name}: in _lib.FUNCTIONS, {what}")
    for name in sorted(current & set(bound)):
        result, parameters, _ = functions[name]
        expected = (ctypes_of(result, structs), [ctypes_of(p, structs) for p in parameters])
        if expected != bound[name]:
            problems.append(
                f"{name}: the header means restype {expected[0]}, argtypes {expected[1]}; "
                f"_lib has {bound[name][0]}, {bound[name][1]}"
            )
    return problems


def test_the_binding_matches_every_struct_and_function_of_the_header():
    problems = differences(HEADER.read_text())
    assert not problems, "\n".join(problems)


def test_the_header_is_read_whole():
    structs, functions, statuses = parse(HEADER.read_text())
    # What the header says it has: every typedef'd struct and declared function was parsed.
    raw = strip_preprocessor(strip_comments(HEADER.read_text()))
    assert set(structs) == set(re.findall(r"typedef\s+struct\s+(charnn_\w+)\s*\{", raw))
    declared = set(re.findall(r"\b(charnn_[a-z0-9_]+)\s*\(", raw)) - set(
        re.findall(r"\(\s*\*\s*(charnn_\w+)\s*\)", raw)
    )
    assert set(functions) == declared
    assert "charnn_adam_config" in structs and statuses["CHARNN_OK"] == 0
    assert functions["charnn_tensor_new"][2] and not functions["charnn_tensor_create"][2]


def test_deprecated_aliases_name_a_current_function_with_the_same_signature():
    """Each CHARNN_DEPRECATED("use X") names a declared, current X; an alias that kept its
    parameters has X's prototype (charnn_optimizer_sgd alone takes numbers instead of a config)."""
    text = strip_comments(HEADER.read_text())
    _, functions, _ = parse(HEADER.read_text())
    hints = dict(
        (name, use)
        for use, name in re.findall(r'CHARNN_DEPRECATED\("use (charnn_\w+)[^"]*"\)\s*[^;(]*?\b(charnn_\w+)\s*\(', text)
    )
    deprecated = {name for name, (_, _, d) in functions.items() if d}
    assert set(hints) == deprecated and deprecated
    for old, new in hints.items():
        assert new in functions and not functions[new][2], f"{old} points at {new}"
        if old != "charnn_optimizer_sgd":
            assert functions[old][:2] == functions[new][:2], f"{old} and {new} differ"


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_struct_sizes_and_offsets_are_the_c_compilers(tmp_path):
    structs, _, _ = parse(HEADER.read_text())
    lines = ["#include <stdio.h>", "#include <stddef.h>", f'#include "{HEADER}"', "int main(void) {"]
    for name, fields in structs.items():
        lines.append(f'    printf("{name} %zu\\n", sizeof({name}));')
        for field, _ in fields:
            lines.append(f'    printf("{name}.{field} %zu\\n", offsetof({name}, {field}));')
    lines += ["    return 0;", "}"]
    (tmp_path / "layout.c").write_text("\n".join(lines) + "\n")
    subprocess.run(["cc", "-std=c11", "-o", str(tmp_path / "layout"), str(tmp_path / "layout.c")], check=True)
    c = dict(
        line.split()
        for line in subprocess.run(
            [str(tmp_path / "layout")], check=True, capture_output=True, text=True
        ).stdout.splitlines()
    )
    for name, fields in structs.items():
        cls = getattr(_lib, structure_class(name))
        assert ctypes.sizeof(cls) == int(c[name]), name
        for field, _ in fields:
            assert getattr(cls, field).offset == int(c[f"{name}.{field}"]), f"{name}.{field}"


def test_every_status_has_its_exception_and_string():
    import charnn

    _, _, statuses = parse(HEADER.read_text())
    assert len(statuses) >= 12 and sorted(statuses.values()) == list(range(len(statuses)))
    for name, value in statuses.items():
        string = charnn._c.charnn_status_string(value).decode()
        assert string != "unknown status", name
        if value == 0:
            continue
        cls = errors.BY_STATUS.get(value)
        assert cls is not None, f"{name} ({value}) has no exception class in charnn.errors.BY_STATUS"
        assert cls.status == value and cls.__doc__
    assert set(errors.BY_STATUS) == set(statuses.values()) - {0}
    assert charnn._c.charnn_status_string(len(statuses)).decode() == "unknown status"


# The checker itself: a header that differs from the binding in one place is caught there.


def test_the_checker_catches_a_changed_field():
    text = HEADER.read_text().replace("    int32_t decoupled;", "    float decoupled;", 1)
    assert text != HEADER.read_text()
    assert [p for p in differences(text) if p.startswith("charnn_adam_config:")]


def test_the_checker_catches_a_reordered_field():
    text = HEADER.read_text()
    beta1 = re.search(r"\n\s*float beta1;[^\n]*", text.split("typedef struct charnn_adam_config")[1]).group(0)
    beta2 = re.search(r"\n\s*float beta2;[^\n]*", text.split("typedef struct charnn_adam_config")[1]).group(0)
    head, tail = text.split("typedef struct charnn_adam_config", 1)
    tail = tail.replace(beta1, "\x00", 1).replace(beta2, beta1, 1).replace("\x00", beta2, 1)
    assert [
        p for p in differences(head + "typedef struct charnn_adam_config" + tail) if p.startswith("charnn_adam_config:")
    ]


def test_the_checker_catches_a_binding_of_a_deprecated_name():
    saved = list(_lib.FUNCTIONS)
    try:
        _lib.FUNCTIONS.append(("charnn_tensor_new", ctypes.c_int, []))
        assert [p for p in differences(HEADER.read_text()) if p.startswith("charnn_tensor_new:")]
    finally:
        _lib.FUNCTIONS[:] = saved


def test_the_checker_catches_a_changed_signature_and_a_new_function():
    text = HEADER.read_text().replace(
        "charnn_status charnn_tensor_item(const charnn_tensor *tensor, float *out);",
        "charnn_status charnn_tensor_item(const charnn_tensor *tensor, double *out);\nint32_t charnn_brand_new(void);",
        1,
    )
    problems = differences(text)
    assert [p for p in problems if p.startswith("charnn_tensor_item:")]
    assert [p for p in problems if p.startswith("charnn_brand_new:")]
