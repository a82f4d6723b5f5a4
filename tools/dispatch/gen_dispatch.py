#!/usr/bin/env python3
"""Generates the forwarding half of libcharnn.so's dispatcher from include/charnn.h.

usage: gen_dispatch.py include/charnn.h OUTDIR [--cc CC]

Writes OUTDIR/dispatch_table.inc (the table of every function's pointer, filled by dlsym, and the
list of names to look up) and OUTDIR/dispatch_forwarders.inc (one function per declaration of the
header, calling through the table). tools/dispatch/dispatch.c includes both.

The header is read as the compiler sees it: `CC -E` (so macros, conditionals and attributes are
the compiler's business), keeping only the text that comes from charnn.h itself. Every top-level
declaration of a function named charnn_* becomes a forwarder; what a forwarder returns when no
build of the core could be loaded depends on its return type: a charnn_status gives
CHARNN_INTERNAL_ERROR, void nothing, and the few others (versions, strings) have their answer in
FALLBACKS below. A declaration this script does not understand, or a return type without a
fallback, stops the build with a message rather than producing a wrong forwarder.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys

# What the functions that return neither a charnn_status nor void answer when no build of the
# core could be loaded: C expressions, evaluated in dispatch.c.
FALLBACKS = {
    "charnn_version_string": "CHARNN_VERSION_STRING",
    "charnn_abi_version": "CHARNN_ABI_VERSION",
    "charnn_status_string": "dispatch_status_string(status)",
    "charnn_last_error": "dispatch_error",
    "charnn_cpu_variant": '"none"',
}


class HeaderError(Exception):
    pass


def preprocess(header: str, cc: str) -> str:
    """The header's own text after the preprocessor (system headers' text dropped)."""
    command = [*shlex.split(cc), "-E", "-std=c11", "-x", "c", header]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise HeaderError(f"`{' '.join(command)}` failed:\n{result.stderr}")
    wanted = os.path.basename(header)
    keep, current = [], None
    for line in result.stdout.splitlines():
        marker = re.match(r'#\s*(?:line\s+)?\d+\s+"([^"]*)"', line)
        if marker:
            current = os.path.basename(marker.group(1))
            continue
        if line.startswith("#"):  # #pragma and the like
            continue
        if current == wanted:
            keep.append(line)
    return "\n".join(keep)


def strip_attributes(text: str) -> str:
    """Removes __attribute__((...)), __declspec(...) and __asm__(...) with balanced parentheses."""
    out, i = [], 0
    pattern = re.compile(r"\b(__attribute__|__declspec|__asm__|__asm)\s*\(")
    while True:
        match = pattern.search(text, i)
        if not match:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i : match.start()])
        depth, j = 0, match.end() - 1
        while j < len(text):
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
            if depth == 0:
                break
        i = j


def statements(text: str):
    """Top-level statements (split at ';' outside braces and parentheses)."""
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == ";" and depth == 0:
            yield " ".join(text[start:i].split())
            start = i + 1


def split_top(text: str, sep: str = ","):
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


C_WORDS = {
    "const",
    "volatile",
    "restrict",
    "struct",
    "enum",
    "union",
    "signed",
    "unsigned",
    "char",
    "short",
    "int",
    "long",
    "float",
    "double",
    "void",
    "_Bool",
}


def parameter_name(function: str, index: int, parameter: str) -> str:
    pointer = re.search(r"\(\s*\*\s*(?:const\s+)?([A-Za-z_]\w*)\s*\)", parameter)  # int (*fn)(...)
    if pointer:
        return pointer.group(1)
    bare = re.sub(r"\[[^\]]*\]\s*$", "", parameter).strip()  # float x[] / x[4]
    match = re.search(r"([A-Za-z_]\w*)\s*$", bare)
    words = re.findall(r"[A-Za-z_]\w*", bare)
    if not match or len(words) < 2 or match.group(1) in C_WORDS or bare.endswith("*"):
        raise HeaderError(
            f"{function}: parameter {index + 1} ({parameter!r}) has no name; "
            "the dispatcher forwards by name, so the header must name every parameter"
        )
    return match.group(1)


def functions(text: str):
    """(return type, name, parameter list as written, [parameter names]) per charnn_* declaration."""
    found = []
    for statement in statements(strip_attributes(text)):
        if not statement or statement.startswith("typedef") or "{" in statement:
            continue
        statement = re.sub(r'^extern\s+("C"\s*)?', "", statement)
        match = re.fullmatch(r"(?P<ret>[^()]*?)\b(?P<name>charnn_\w+)\s*\((?P<params>.*)\)", statement)
        if not match:
            if re.search(r"\bcharnn_\w+\s*\(", statement):
                raise HeaderError(f"cannot read this declaration of charnn.h: {statement!r}")
            continue
        ret, name, params = match.group("ret").strip(), match.group("name"), match.group("params").strip()
        if not ret:
            raise HeaderError(f"{name}: no return type")
        ret = " ".join(word for word in ret.split() if word not in ("extern", "static", "inline"))
        if params in ("", "void"):
            names = []
        elif split_top(params)[-1] == "...":
            raise HeaderError(f"{name}: variadic functions cannot be forwarded")
        else:
            names = [parameter_name(name, i, p) for i, p in enumerate(split_top(params))]
        found.append((ret, name, params, names))
    if not found:
        raise HeaderError("no charnn_* function declarations found")
    names = [f[1] for f in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise HeaderError(f"declared more than once: {duplicates}")
    return found


def generate(found):
    table = [
        "/* Generated by tools/dispatch/gen_dispatch.py from include/charnn.h: do not edit. */",
        "",
        "struct dispatch_functions {",
    ]
    table += [f"    __typeof__(&{name}) {name};" for _, name, _, _ in found]
    table += ["};", "", "static const struct { const char *name; size_t offset; } dispatch_symbols[] = {"]
    table += [f'    {{"{name}", offsetof(struct dispatch_functions, {name})}},' for _, name, _, _ in found]
    table += ["};", ""]

    forwarders = ["/* Generated by tools/dispatch/gen_dispatch.py from include/charnn.h: do not edit. */", ""]
    for ret, name, params, names in found:
        call = f"functions->{name}({', '.join(names)})"
        if ret == "charnn_status":
            fallback, body = "CHARNN_INTERNAL_ERROR", f"return {call};"
        elif ret == "void":
            fallback, body = None, f"{call};"
        elif name in FALLBACKS:
            fallback, body = FALLBACKS[name], f"return {call};"
        else:
            raise HeaderError(
                f"{name} returns {ret}: add what it answers without a loaded library to "
                "FALLBACKS in tools/dispatch/gen_dispatch.py"
            )
        forwarders += [
            f"{ret}{'' if ret.endswith('*') else ' '}{name}({params if params else 'void'}) {{",
            "    const struct dispatch_functions *functions = dispatch_load();",
            f"    if (!functions) return{' ' + fallback if fallback else ''};",
            f"    {body}",
            "}",
            "",
        ]
    return "\n".join(table), "\n".join(forwarders)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("header")
    parser.add_argument("outdir")
    parser.add_argument("--cc", default=os.environ.get("CC") or "cc")
    args = parser.parse_args()
    try:
        found = functions(preprocess(args.header, args.cc))
        table, forwarders = generate(found)
    except HeaderError as error:
        print(f"gen_dispatch.py: {error}", file=sys.stderr)
        return 1
    os.makedirs(args.outdir, exist_ok=True)
    for filename, text in (("dispatch_table.inc", table), ("dispatch_forwarders.inc", forwarders)):
        path = os.path.join(args.outdir, filename)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:  # unchanged files keep their time stamps
            with open(path, "w") as f:
                f.write(text)
    print(f"gen_dispatch.py: {len(found)} forwarders in {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
