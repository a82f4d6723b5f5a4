#!/usr/bin/env python3
"""tools/dispatch/gen_dispatch.py reads what a header may hold: multi-line prototypes, function
pointer typedefs and parameters, attribute macros, arrays, extern "C"; and stops, with a message,
on what it cannot forward (an unnamed parameter, a return type without a fallback).

usage: test_gen_dispatch.py [CC]   (make test-c runs it)
"""

import importlib.util
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "gen", os.path.join(HERE, "..", "..", "tools", "dispatch", "gen_dispatch.py")
)
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
cc = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CC") or "cc"

HEADER = r"""
#ifndef T_H
#define T_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
#define CHARNN_DEPRECATED(why) __attribute__((deprecated(why)))
typedef enum charnn_status { CHARNN_OK = 0, CHARNN_INTERNAL_ERROR = 11 } charnn_status;
typedef struct charnn_model charnn_model;
typedef int (*charnn_progress_fn)(const void *progress, void *user_data);
/* charnn_in_a_comment(void); */
const char *charnn_version_string(void);
charnn_status charnn_model_train(charnn_model *model,
                                 const float values[],
                                 int (*callback)(int step, void *user_data),
                                 charnn_progress_fn progress, void *user_data);
CHARNN_DEPRECATED("use charnn_model_train") charnn_status charnn_old_train(charnn_model *model);
void charnn_model_free(charnn_model *model);
#ifdef __cplusplus
}
#endif
#endif
"""


def parse(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "t.h")
        with open(path, "w") as f:
            f.write(text)
        return gen.functions(gen.preprocess(path, cc))


failures = 0


def check(condition, what):
    global failures
    if not condition:
        failures += 1
        print(f"test_gen_dispatch: FAILED: {what}", file=sys.stderr)


found = {name: (ret, params, names) for ret, name, params, names in parse(HEADER)}
check(
    sorted(found) == ["charnn_model_free", "charnn_model_train", "charnn_old_train", "charnn_version_string"],
    f"the declarations found: {sorted(found)}",
)
check(
    found["charnn_model_train"][2] == ["model", "values", "callback", "progress", "user_data"],
    f"charnn_model_train's parameters: {found['charnn_model_train'][2]}",
)
check(found["charnn_version_string"][0] == "const char *", f"a return type: {found['charnn_version_string'][0]!r}")
check(found["charnn_old_train"][2] == ["model"], "a declaration behind an attribute macro")
table, forwarders = gen.generate(parse(HEADER))
check("if (!functions) return CHARNN_INTERNAL_ERROR;" in forwarders, "a status function's fallback")
check(
    "functions->charnn_model_free(model);" in forwarders and "if (!functions) return;" in forwarders, "a void function"
)
check("return CHARNN_VERSION_STRING;" in forwarders, "charnn_version_string's fallback")

for bad, message in [
    ("void charnn_x(int);", "has no name"),
    ("int32_t charnn_unknown(void);", "add what it answers"),
    ("int charnn_v(const char *format, ...);", "variadic"),
]:
    try:
        gen.generate(parse(HEADER.replace("void charnn_model_free", bad + "\nvoid charnn_model_free")))
        check(False, f"{bad!r} was accepted")
    except gen.HeaderError as error:
        check(message in str(error), f"{bad!r}: {error}")

print(f"test_gen_dispatch: {'ok' if not failures else f'{failures} failed'}")
sys.exit(1 if failures else 0)
