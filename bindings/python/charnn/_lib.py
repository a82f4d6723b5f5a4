"""Loading libcharnn.so and declaring every C function of charnn.h for ctypes."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path
from typing import Any, Iterator, List, Optional, Tuple

#: The C ABI versions this binding knows how to call.
SUPPORTED_ABI_VERSIONS = (1,)
#: The path load() last loaded the library from.
loaded_path = ""

c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_char_pp = ctypes.POINTER(ctypes.c_char_p)


class TextConfig(ctypes.Structure):
    """charnn_text_config."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("alphabet", ctypes.c_int32),
        ("normalize", ctypes.c_int32),
        ("case_fold", ctypes.c_int32),
        ("transliterate", ctypes.c_int32),
        ("min_count", ctypes.c_int32),
        ("max_symbols", ctypes.c_int32),
        ("symbols", ctypes.c_char_p),
    ]


class DataConfig(ctypes.Structure):
    """charnn_data_config."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("format", ctypes.c_int32),
        ("header", ctypes.c_int32),
        ("text_column", ctypes.c_char_p),
        ("label_column", ctypes.c_char_p),
    ]


class ModelConfig(ctypes.Structure):
    """charnn_model_config."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("kind", ctypes.c_int32),
        ("hidden_size", ctypes.c_int32),
        ("num_layers", ctypes.c_int32),
        ("hidden_init", ctypes.c_int32),
        ("seed", ctypes.c_uint64),
        ("embedding_size", ctypes.c_int32),
        ("bidirectional", ctypes.c_int32),
        ("pooling", ctypes.c_int32),
        ("dropout", ctypes.c_float),
        ("ngram_buckets", ctypes.c_int32),
        ("ngram_dim", ctypes.c_int32),
        ("ngram_min", ctypes.c_int32),
        ("ngram_max", ctypes.c_int32),
    ]


class TrainProgress(ctypes.Structure):
    """charnn_train_progress."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("epoch", ctypes.c_int32),
        ("epochs", ctypes.c_int32),
        ("step", ctypes.c_int64),
        ("steps", ctypes.c_int64),
        ("loss", ctypes.c_float),
        ("running_loss", ctypes.c_float),
        ("validation_loss", ctypes.c_float),
        ("validation_accuracy", ctypes.c_double),
        ("learning_rate", ctypes.c_float),
        ("epoch_end", ctypes.c_int32),
    ]


PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(TrainProgress), ctypes.c_void_p)


class TrainConfig(ctypes.Structure):
    """charnn_train_config."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("epochs", ctypes.c_int32),
        ("batch_size", ctypes.c_int32),
        ("optimizer", ctypes.c_int32),
        ("learning_rate", ctypes.c_float),
        ("beta1", ctypes.c_float),
        ("beta2", ctypes.c_float),
        ("epsilon", ctypes.c_float),
        ("weight_decay", ctypes.c_float),
        ("momentum", ctypes.c_float),
        ("clip_norm", ctypes.c_float),
        ("seed", ctypes.c_uint64),
        ("shuffle", ctypes.c_int32),
        ("report_every", ctypes.c_int32),
        ("progress", PROGRESS_FN),
        ("user_data", ctypes.c_void_p),
        ("validation_fraction", ctypes.c_double),
        ("patience", ctypes.c_int32),
        ("restore_best", ctypes.c_int32),
        ("schedule", ctypes.c_int32),
        ("step_size", ctypes.c_int32),
        ("gamma", ctypes.c_float),
        ("plateau_factor", ctypes.c_float),
        ("plateau_patience", ctypes.c_int32),
        ("min_learning_rate", ctypes.c_float),
        ("warmup_steps", ctypes.c_int64),
        ("warmup_fraction", ctypes.c_double),
        ("label_smoothing", ctypes.c_float),
        ("class_weights", ctypes.c_int32),
        ("class_weight_values", ctypes.POINTER(ctypes.c_float)),
        ("class_weight_count", ctypes.c_size_t),
    ]


class TrainResult(ctypes.Structure):
    """charnn_train_result."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("epochs_completed", ctypes.c_int32),
        ("steps_taken", ctypes.c_int64),
        ("last_loss", ctypes.c_float),
        ("last_epoch_loss", ctypes.c_float),
        ("best_epoch", ctypes.c_int32),
        ("best_validation_loss", ctypes.c_float),
        ("best_validation_accuracy", ctypes.c_double),
        ("early_stopped", ctypes.c_int32),
    ]


# (name, restype, argtypes) for every function of include/charnn.h but its deprecated aliases
# (CHARNN_DEPRECATED: the binding uses the current names). `status` is charnn_status.
# tests/test_header.py checks these tables against the header.
status = ctypes.c_int
handle = ctypes.c_void_p
handle_p = ctypes.POINTER(ctypes.c_void_p)
FUNCTIONS: List[Tuple[str, object, List[Any]]] = [
    ("charnn_version_string", ctypes.c_char_p, []),
    ("charnn_abi_version", ctypes.c_int32, []),
    ("charnn_status_string", ctypes.c_char_p, [status]),
    ("charnn_last_error", ctypes.c_char_p, []),
    ("charnn_cpu_variant", ctypes.c_char_p, []),
    ("charnn_shutdown", None, []),
    # datasets
    ("charnn_dataset_load_dir", status, [ctypes.c_char_p, handle_p]),
    (
        "charnn_dataset_from_memory",
        status,
        [c_char_pp, ctypes.POINTER(ctypes.c_int32), ctypes.c_size_t, c_char_pp, ctypes.c_size_t, handle_p],
    ),
    ("charnn_dataset_count", status, [handle, c_size_p]),
    ("charnn_dataset_label_count", status, [handle, c_size_p]),
    ("charnn_dataset_label_name", status, [handle, ctypes.c_size_t, c_char_pp]),
    (
        "charnn_dataset_get",
        status,
        [handle, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, c_size_p, ctypes.POINTER(ctypes.c_int32)],
    ),
    ("charnn_dataset_skipped_count", status, [handle, c_size_p]),
    ("charnn_dataset_skipped", status, [handle, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, c_size_p]),
    ("charnn_dataset_split", status, [handle, ctypes.c_double, ctypes.c_uint64, handle_p, handle_p]),
    ("charnn_dataset_free", None, [handle]),
    # text: alphabets, normalisation, data sources
    ("charnn_text_config_init", None, [ctypes.POINTER(TextConfig)]),
    ("charnn_data_config_init", None, [ctypes.POINTER(DataConfig)]),
    (
        "charnn_dataset_load",
        status,
        [ctypes.c_char_p, ctypes.POINTER(DataConfig), ctypes.POINTER(TextConfig), handle_p],
    ),
    (
        "charnn_dataset_from_strings",
        status,
        [c_char_pp, c_char_pp, ctypes.c_size_t, ctypes.POINTER(TextConfig), handle_p],
    ),
    (
        "charnn_dataset_from_memory_with_text",
        status,
        [
            c_char_pp,
            ctypes.POINTER(ctypes.c_int32),
            ctypes.c_size_t,
            c_char_pp,
            ctypes.c_size_t,
            ctypes.POINTER(TextConfig),
            handle_p,
        ],
    ),
    ("charnn_dataset_subset", status, [handle, c_size_p, ctypes.c_size_t, handle_p]),
    ("charnn_dataset_label_counts", status, [handle, ctypes.POINTER(ctypes.c_int64), ctypes.c_size_t]),
    ("charnn_dataset_summary", status, [handle, ctypes.c_char_p, ctypes.c_size_t, c_size_p]),
    # models
    ("charnn_model_config_init", None, [ctypes.POINTER(ModelConfig)]),
    ("charnn_model_create", status, [ctypes.POINTER(ModelConfig), c_char_pp, ctypes.c_size_t, handle_p]),
    ("charnn_model_create_for_dataset", status, [ctypes.POINTER(ModelConfig), handle, handle_p]),
    (
        "charnn_model_create_with_text",
        status,
        [ctypes.POINTER(ModelConfig), ctypes.POINTER(TextConfig), c_char_pp, ctypes.c_size_t, handle_p],
    ),
    ("charnn_train_config_init", None, [ctypes.POINTER(TrainConfig)]),
    ("charnn_model_config_recipe", status, [ctypes.POINTER(ModelConfig), ctypes.c_int32]),
    ("charnn_train_config_recipe", status, [ctypes.POINTER(TrainConfig), ctypes.c_int32, ctypes.c_size_t]),
    ("charnn_model_train", status, [handle, handle, ctypes.POINTER(TrainConfig), ctypes.POINTER(TrainResult)]),
    (
        "charnn_model_train_with_validation",
        status,
        [handle, handle, handle, ctypes.POINTER(TrainConfig), ctypes.POINTER(TrainResult)],
    ),
    (
        "charnn_model_evaluate",
        status,
        [handle, handle, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_int64), ctypes.c_size_t],
    ),
    (
        "charnn_model_predict",
        status,
        [
            handle,
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.POINTER(ctypes.c_int32),
            ctypes.POINTER(ctypes.c_float),
            c_size_p,
        ],
    ),
    (
        "charnn_model_predict_many",
        status,
        [
            handle,
            c_char_pp,
            ctypes.c_size_t,
            ctypes.c_size_t,
            ctypes.POINTER(ctypes.c_int32),
            ctypes.POINTER(ctypes.c_float),
        ],
    ),
    ("charnn_model_save", status, [handle, ctypes.c_char_p]),
    ("charnn_model_load", status, [ctypes.c_char_p, handle_p]),
    ("charnn_model_load_memory", status, [ctypes.c_void_p, ctypes.c_size_t, handle_p]),
    ("charnn_model_save_memory", status, [handle, ctypes.c_void_p, ctypes.c_size_t, c_size_p]),
    ("charnn_model_get_config", status, [handle, ctypes.POINTER(ModelConfig)]),
    ("charnn_model_label_count", status, [handle, c_size_p]),
    ("charnn_model_label_name", status, [handle, ctypes.c_size_t, c_char_pp]),
    ("charnn_model_get_text_config", status, [handle, ctypes.POINTER(TextConfig)]),
    ("charnn_model_alphabet_size", status, [handle, c_size_p]),
    (
        "charnn_model_encode",
        status,
        [handle, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int32), ctypes.c_size_t, c_size_p, c_size_p],
    ),
    ("charnn_model_parameter_count", status, [handle, c_size_p]),
    ("charnn_model_quantize", status, [handle, ctypes.POINTER(ctypes.c_void_p)]),
    ("charnn_model_is_quantized", status, [handle, ctypes.POINTER(ctypes.c_int)]),
    ("charnn_model_free", None, [handle]),
]

f64_p = ctypes.POINTER(ctypes.c_double)
FUNCTIONS += [
    # evaluation metrics
    ("charnn_model_evaluate_metrics", status, [handle, handle, ctypes.c_size_t, handle_p]),
    ("charnn_metrics_free", None, [handle]),
    ("charnn_metrics_label_count", status, [handle, c_size_p]),
    ("charnn_metrics_total", status, [handle, ctypes.POINTER(ctypes.c_int64)]),
    ("charnn_metrics_k", status, [handle, c_size_p]),
    ("charnn_metrics_accuracy", status, [handle, f64_p]),
    ("charnn_metrics_top_k_accuracy", status, [handle, f64_p]),
    ("charnn_metrics_macro_f1", status, [handle, f64_p]),
    ("charnn_metrics_average", status, [handle, ctypes.c_int32, f64_p, f64_p, f64_p, c_size_p]),
    (
        "charnn_metrics_class",
        status,
        [handle, ctypes.c_size_t, f64_p, f64_p, f64_p, ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64)],
    ),
    ("charnn_metrics_confusion", status, [handle, ctypes.POINTER(ctypes.c_int64), ctypes.c_size_t]),
    (
        "charnn_metrics_confusion_entries",
        status,
        [
            handle,
            ctypes.POINTER(ctypes.c_int32),
            ctypes.POINTER(ctypes.c_int32),
            ctypes.POINTER(ctypes.c_int64),
            ctypes.c_size_t,
            c_size_p,
        ],
    ),
]


class AdamConfig(ctypes.Structure):
    """charnn_adam_config."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("learning_rate", ctypes.c_float),
        ("beta1", ctypes.c_float),
        ("beta2", ctypes.c_float),
        ("epsilon", ctypes.c_float),
        ("weight_decay", ctypes.c_float),
        ("decoupled", ctypes.c_int32),
    ]


class SgdConfig(ctypes.Structure):
    """charnn_sgd_config (since 0.4)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("learning_rate", ctypes.c_float),
        ("momentum", ctypes.c_float),
        ("weight_decay", ctypes.c_float),
    ]


i64_p = ctypes.POINTER(ctypes.c_int64)
i32_p = ctypes.POINTER(ctypes.c_int32)
f32_p = ctypes.POINTER(ctypes.c_float)
binary = [handle, handle, handle, handle_p]
unary = [handle, handle, handle_p]
FUNCTIONS += [
    # the low level: graphs, tensors, ops, backward, optimizers
    ("charnn_graph_create", status, [handle_p]),
    ("charnn_graph_reset", status, [handle]),
    ("charnn_graph_set_recording", status, [handle, ctypes.c_int]),
    ("charnn_graph_free", None, [handle]),
    ("charnn_tensor_create", status, [handle, i64_p, ctypes.c_size_t, f32_p, ctypes.c_int, handle_p]),
    (
        "charnn_tensor_create_uniform",
        status,
        [handle, i64_p, ctypes.c_size_t, ctypes.c_float, ctypes.c_float, ctypes.c_uint64, handle_p],
    ),
    ("charnn_tensor_create_kaiming_uniform", status, [handle, i64_p, ctypes.c_size_t, ctypes.c_uint64, handle_p]),
    ("charnn_parameter_create", status, [i64_p, ctypes.c_size_t, f32_p, handle_p]),
    (
        "charnn_parameter_create_uniform",
        status,
        [i64_p, ctypes.c_size_t, ctypes.c_float, ctypes.c_float, ctypes.c_uint64, handle_p],
    ),
    ("charnn_tensor_shape", status, [handle, i64_p, ctypes.c_size_t, c_size_p]),
    ("charnn_tensor_read", status, [handle, f32_p, ctypes.c_size_t]),
    ("charnn_tensor_read_grad", status, [handle, f32_p, ctypes.c_size_t]),
    ("charnn_tensor_item", status, [handle, f32_p]),
    ("charnn_tensor_write", status, [handle, f32_p, ctypes.c_size_t]),
    ("charnn_tensor_free", None, [handle]),
    ("charnn_op_matmul", status, binary),
    ("charnn_op_linear", status, [handle, handle, handle, handle, handle_p]),
    ("charnn_op_add", status, binary),
    ("charnn_op_sub", status, binary),
    ("charnn_op_mul", status, binary),
    ("charnn_op_concat", status, binary),
    ("charnn_op_slice", status, [handle, handle, ctypes.c_size_t, ctypes.c_size_t, handle_p]),
    ("charnn_op_sigmoid", status, unary),
    ("charnn_op_tanh", status, unary),
    ("charnn_op_relu", status, unary),
    ("charnn_op_exp", status, unary),
    ("charnn_op_log", status, unary),
    ("charnn_op_sum", status, unary),
    ("charnn_op_mean", status, unary),
    ("charnn_op_log_softmax", status, unary),
    ("charnn_op_cross_entropy", status, [handle, handle, i32_p, ctypes.c_size_t, handle_p]),
    ("charnn_op_embedding", status, [handle, handle, i32_p, ctypes.c_size_t, handle_p]),
    ("charnn_op_one_hot", status, [handle, i32_p, ctypes.c_size_t, ctypes.c_size_t, handle_p]),
    ("charnn_vocabulary_encode", status, [ctypes.c_char_p, i32_p, ctypes.c_size_t, c_size_p]),
    ("charnn_graph_backward", status, [handle, handle]),
    ("charnn_graph_backward_seeded", status, [handle, handle, f32_p, ctypes.c_size_t]),
    ("charnn_parameters_zero_grad", status, [handle_p, ctypes.c_size_t]),
    ("charnn_parameters_clip_grad_norm", status, [handle_p, ctypes.c_size_t, ctypes.c_float, f32_p]),
    ("charnn_adam_config_init", None, [ctypes.POINTER(AdamConfig)]),
    ("charnn_optimizer_create_adam", status, [handle_p, ctypes.c_size_t, ctypes.POINTER(AdamConfig), handle_p]),
    ("charnn_sgd_config_init", None, [ctypes.POINTER(SgdConfig)]),
    ("charnn_optimizer_create_sgd", status, [handle_p, ctypes.c_size_t, ctypes.POINTER(SgdConfig), handle_p]),
    ("charnn_optimizer_step", status, [handle]),
    ("charnn_optimizer_zero_grad", status, [handle]),
    ("charnn_optimizer_set_learning_rate", status, [handle, ctypes.c_float]),
    ("charnn_optimizer_free", None, [handle]),
]


class LibraryNotFoundError(OSError):
    """No usable libcharnn.so was found; the message lists every place tried and why."""


class ABIVersionError(ImportError):
    """The library's ABI version is not one this binding knows."""


LIBRARY_NAME = "libcharnn.so"


def candidate_paths() -> Iterator[Tuple[str, str]]:
    """Where to look for the library, in order, as (path, where it comes from): only
    $CHARNN_LIBRARY when it is set; else the installed package, the source tree's build folders,
    each $LD_LIBRARY_PATH folder, ctypes.util.find_library("charnn") and the bare name (the
    dynamic loader's own search). Lazy: find_library runs only if the places before it fail.
    A path "" is a note on a place with nothing to try (no $LD_LIBRARY_PATH, say)."""
    explicit = os.environ.get("CHARNN_LIBRARY")
    if explicit:
        yield explicit, "$CHARNN_LIBRARY"
        return
    here = Path(__file__).resolve().parent
    yield str(here / LIBRARY_NAME), "the installed package"
    for root in here.parents:
        if (root / "include" / "charnn.h").exists():  # the source tree
            yield str(root / "build" / "stage" / "lib" / LIBRARY_NAME), "the build tree"
            yield str(root / "build" / "lib" / LIBRARY_NAME), "the build tree"
            break
    folders = [folder for folder in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if folder]
    for folder in folders:
        yield os.path.join(folder, LIBRARY_NAME), "$LD_LIBRARY_PATH"
    if not folders:
        yield "", "$LD_LIBRARY_PATH: not set"  # "": nothing to load, a note for the error message
    system = ctypes.util.find_library("charnn")
    yield (
        (system, 'ctypes.util.find_library("charnn")')
        if system
        else ("", 'ctypes.util.find_library("charnn"): found nothing')
    )
    yield LIBRARY_NAME, "the dynamic loader's search path"


def _open(candidate: str) -> ctypes.CDLL:
    """dlopen, with "no such file" for a missing path rather than the loader's longer message.
    libcharnn.so is a dispatcher that loads a build of the core from its own folder
    (libcharnn-portable.so, libcharnn-x86-64-v3.so): one that cannot fails here too, with its
    reason, rather than at the first call (a library without charnn_cpu_variant predates it)."""
    if os.sep in candidate and not os.path.exists(candidate):
        raise OSError(f"{candidate}: no such file")
    lib = ctypes.CDLL(candidate)
    variant = getattr(lib, "charnn_cpu_variant", None)
    if variant is not None:
        variant.restype = ctypes.c_char_p
        variant.argtypes = []
        if variant() == b"none":
            lib.charnn_last_error.restype = ctypes.c_char_p
            lib.charnn_last_error.argtypes = []
            raise OSError(f"{candidate}: {(lib.charnn_last_error() or b'').decode(errors='replace')}")
    return lib


def _reason(candidate: str, error: OSError) -> str:
    message = str(error)
    return message[len(candidate) + 2 :] if message.startswith(candidate + ": ") else message


def _search() -> Tuple[ctypes.CDLL, str]:
    """The first of candidate_paths() that loads, or LibraryNotFoundError listing every one and why."""
    tried: List[str] = []
    seen = set()
    for candidate, origin in candidate_paths():
        if not candidate:
            tried.append(f"  {origin}")
            continue
        if candidate in seen:
            continue
        seen.add(candidate)
        try:
            return _open(candidate), candidate
        except OSError as error:
            tried.append(f"  {candidate} ({origin}): {_reason(candidate, error)}")
    raise LibraryNotFoundError(
        "cannot load libcharnn.so; tried:\n"
        + "\n".join(tried or ["  (nothing)"])
        + "\nInstall the package with `pip install ./bindings/python` from the charnn repository (it builds "
        "the library), build it with `make lib` (or `make python`), or set CHARNN_LIBRARY to its path."
    )


def load(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads the library (at `path`, or $CHARNN_LIBRARY, or the first candidate that loads),
    declares every function, and checks its ABI version. A path given or $CHARNN_LIBRARY is
    the only one tried: when it does not load, LibraryNotFoundError names it and why (an
    override that fails never falls back to another library)."""
    override = os.environ.get("CHARNN_LIBRARY")
    if path or override:
        candidate = path or override or ""
        try:
            lib = _open(candidate)
        except OSError as error:
            if path:
                raise LibraryNotFoundError(f"cannot load {candidate}: {_reason(candidate, error)}") from None
            raise LibraryNotFoundError(
                f"cannot load CHARNN_LIBRARY={candidate}: {_reason(candidate, error)}\n"
                "Point CHARNN_LIBRARY at a built libcharnn.so (`make lib` builds .build/release/libcharnn.so) "
                "or unset it to use the package's own."
            ) from None
    else:
        lib, candidate = _search()
    # The ABI version first: a library of another ABI may not have the functions below at all.
    try:
        lib.charnn_abi_version.restype = ctypes.c_int32
        lib.charnn_abi_version.argtypes = []
        lib.charnn_version_string.restype = ctypes.c_char_p
        lib.charnn_version_string.argtypes = []
    except AttributeError:
        raise ABIVersionError(f"{candidate} is not a charnn library (no charnn_abi_version)") from None
    abi = lib.charnn_abi_version()
    if abi not in SUPPORTED_ABI_VERSIONS:
        raise ABIVersionError(
            f"{candidate} is charnn {lib.charnn_version_string().decode()} with ABI version {abi}; "
            f"this binding knows ABI versions {list(SUPPORTED_ABI_VERSIONS)}"
        )
    for name, restype, argtypes in FUNCTIONS:
        try:
            function = getattr(lib, name)
        except AttributeError:
            raise ABIVersionError(f"{candidate} has no function {name} although it says ABI {abi}") from None
        function.restype = restype
        function.argtypes = argtypes
    global loaded_path
    loaded_path = candidate
    lib._charnn_path = candidate  # type: ignore[attr-defined]
    return lib
