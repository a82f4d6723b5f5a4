/*
 * charnn.h — the C interface of charnn, a character-level recurrent network library.
 *
 * charnn trains and runs small recurrent networks (the Elman cell of Jake Tae's "Building RNNs
 * from scratch", a GRU, an LSTM) that classify short texts character by character: names by
 * language, as in the PyTorch tutorial, or any strings in any script, from directories, CSV/TSV
 * files or memory (see "Text: alphabets and normalisation").
 * The library is written in Swift and exported as this stable C ABI; libcharnn.so links the
 * Swift runtime statically and exports only the charnn_* functions below. It runs on any CPU of
 * its architecture: libcharnn.so picks, once per process, a build of the core for the CPU it finds
 * (AVX2 + FMA kernels or the portable baseline; see charnn_cpu_variant) from the files installed
 * beside it.
 *
 * CONVENTIONS
 *
 *   Status.     Every function that can fail returns a charnn_status: CHARNN_OK (0) or an error
 *               code. charnn_last_error() then gives a message naming what was wrong. No
 *               function aborts the process: NULL pointers, freed handles, bad sizes, invalid
 *               UTF-8, unknown enum values and wrong struct sizes all come back as statuses.
 *
 *   Handles.    charnn_dataset, charnn_model, charnn_metrics, charnn_graph, charnn_tensor and
 *               charnn_optimizer are opaque. They are created through an out
 *               parameter and released by their _free function, which accepts NULL. The library
 *               keeps a registry of live handles, so a freed, foreign or wrong-kind handle is
 *               detected and refused with CHARNN_INVALID_HANDLE (a new handle may reuse a freed
 *               one's address; that one is then valid again).
 *
 *   Strings.    Strings in are NUL-terminated UTF-8. Strings out are either owned by a handle
 *               (valid until that handle is freed; said per function) or copied into a caller
 *               buffer of a given capacity (said per function).
 *
 *   Arrays.     Arrays in and out are caller memory with an element count; the library copies
 *               and never keeps or lends pointers to them.
 *
 *   Structs.    Config structs begin with `size_t struct_size`, filled by their _init function,
 *               so fields can be added in later versions (only ever at the end). Every
 *               struct_size this library has shipped is accepted: a program built against an
 *               older charnn.h keeps working, the fields past its struct_size taking their
 *               defaults (the _init values), and an output struct (the caller's, such as
 *               charnn_train_result) is written only up to its struct_size. Any other size is
 *               refused with CHARNN_INVALID_ARGUMENT: a size no release had means the _init
 *               function was skipped, a larger one a newer header (the library reads no byte
 *               past struct_size, and would not know what the new fields ask for). Structs the
 *               library passes to a callback (charnn_train_progress) carry the library's
 *               struct_size; a caller reads the fields its header knows.
 *
 *   Callbacks.  A callback comes with a void *user_data passed back to it unchanged.
 *
 *   Threads.    Functions on different handles may run concurrently. A dataset is immutable:
 *               any number of threads may read it. Many threads may predict and evaluate on one
 *               model at once; training needs the model alone: charnn_model_train fails with
 *               CHARNN_BUSY while a prediction runs on it, and predictions fail with CHARNN_BUSY
 *               while it trains (nothing waits, so a progress callback that predicts cannot
 *               deadlock). Precisely: charnn_model_train (and _train_with_validation) needs the
 *               model alone; charnn_model_predict, _predict_many, _evaluate, _evaluate_metrics,
 *               _save, _save_memory and _quantize read its weights, many at once, and return
 *               CHARNN_BUSY while it trains; the calls that read what never changes (_get_config,
 *               _label_count, _label_name, _alphabet_size, _get_text_config, _encode,
 *               _parameter_count, _is_quantized) never return CHARNN_BUSY. Freeing a handle while another
 *               thread is inside a call on it is safe: the free is deferred until that call
 *               finishes, then the memory goes. charnn_last_error() is per thread.
 *
 *   Worker pool. Training, prediction, evaluation, Adam's step, zero_grad and clip_grad_norm
 *               may spread their work over a pool of threads, started on first use, with this
 *               policy (bench/README.md has the measurements behind it):
 *               - Size: one thread per core the process may use: the online cores, fewer when
 *                 the affinity mask (taskset, cpusets) or the cgroup CPU quota (cpu.max,
 *                 cpu.cfs_quota_us: container CPU limits, rounded up) allows fewer; at most 8.
 *                 CHARNN_NUM_THREADS=n, read once when the pool starts, overrides it (1: no
 *                 pool; above 64: 64; 0 or not a number: the default). A recurrent pass uses at
 *                 most 31 of them; the others help with optimizer steps and batched prediction.
 *               - Only work that pays goes parallel: a recurrent pass needs 32,768
 *                 multiply-adds per character between two meetings of the threads (a batch-1
 *                 Elman cell of hidden 128 runs on the calling thread, measured slower on two;
 *                 the article's hidden 256 does not); CHARNN_PARALLEL_MIN_STEP_WORK=n changes
 *                 that threshold. An optimizer or clipping call needs 1 MiB of weights and
 *                 state; batched prediction gives whole batches of 128 names to each thread.
 *               - Waiting threads spin for at most tens of microseconds, then sleep. A job
 *                 starts with the workers that are running; it wakes sleeping ones for about
 *                 0.1 ms of work or more, and for every job of a training loop.
 *               - When the threads spend a large share of a job waiting for each other, with a
 *                 wait of 0.2 ms or 1 ms in all (another process holds the cores), jobs run on the calling thread alone for 10 ms,
 *                 doubling up to 1 s; before trying again it checks in /proc/loadavg that a
 *                 full team would find idle cores. CHARNN_CONTENTION_BACKOFF=0 turns this off
 *                 (a machine charnn has to itself).
 *               Results do not depend on any of this: for given CHARNN_NUM_THREADS and
 *               CHARNN_PARALLEL_MIN_STEP_WORK, training and prediction give the same bits on an
 *               idle or a busy machine.
 *               - The threads live until charnn_shutdown() joins them (call it before exit
 *                 under a leak checker); a later call that needs them starts them again.
 *
 *   Names.      charnn_<noun>_<verb>: the object a function works on comes first. Objects are
 *               made by charnn_<noun>_create* (fresh, from arguments) or charnn_<noun>_load*
 *               (from a file or a checkpoint in memory); datasets from data in memory by
 *               charnn_dataset_from_*; derived ones are named by what derives them (_split,
 *               _subset, charnn_model_evaluate_metrics). Each is released by charnn_<noun>_free.
 *               Names that broke these rules before 0.4 are kept as deprecated aliases
 *               (CHARNN_DEPRECATED, listed at the end of this header).
 *
 *   Versions.   CHARNN_VERSION_* describe the header; charnn_version_string() the library.
 *               CHARNN_ABI_VERSION changes only when the binary interface breaks; a binding
 *               must refuse a library whose charnn_abi_version() it does not know.
 */
#ifndef CHARNN_H
#define CHARNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHARNN_VERSION_MAJOR 0
#define CHARNN_VERSION_MINOR 5
#define CHARNN_VERSION_PATCH 0
#define CHARNN_VERSION_STRING "0.5.0"
#define CHARNN_ABI_VERSION 1

/* Marks a name kept for compatibility: it still works and is still exported, but the compiler
 * warns and says what to use instead (see "Deprecated names" at the end). Define
 * CHARNN_NO_DEPRECATION_WARNINGS before including charnn.h to silence the warnings. */
#if defined(CHARNN_NO_DEPRECATION_WARNINGS)
#define CHARNN_DEPRECATED(hint)
#elif defined(__GNUC__) || defined(__clang__)
#define CHARNN_DEPRECATED(hint) __attribute__((deprecated(hint)))
#elif defined(_MSC_VER)
#define CHARNN_DEPRECATED(hint) __declspec(deprecated(hint))
#else
#define CHARNN_DEPRECATED(hint)
#endif

/* ---------------------------------------------------------------------------------------------
 * Versions and errors
 * ------------------------------------------------------------------------------------------- */

/* Status codes. The values are fixed; new codes are only ever appended. */
typedef enum charnn_status {
    CHARNN_OK = 0,
    CHARNN_INVALID_ARGUMENT = 1,   /* a NULL pointer, bad size or value, invalid UTF-8, unknown enum */
    CHARNN_INVALID_HANDLE = 2,     /* a freed, foreign or wrong-kind handle */
    CHARNN_SHAPE_MISMATCH = 3,     /* tensors whose shapes do not fit an operation */
    CHARNN_IO_ERROR = 4,           /* a file or directory could not be read or written */
    CHARNN_INVALID_DATA = 5,       /* a data directory or file is malformed */
    CHARNN_INVALID_CHECKPOINT = 6, /* a checkpoint is truncated, mis-typed or inconsistent */
    CHARNN_DIVERGED = 7,           /* training produced a NaN or infinite loss, gradient or weight */
    CHARNN_CANCELLED = 8,          /* the progress callback stopped training */
    CHARNN_BUSY = 9,               /* the model is in use by an operation that excludes this one */
    CHARNN_BUFFER_TOO_SMALL = 10,  /* a caller buffer cannot hold the result; nothing was written */
    CHARNN_INTERNAL_ERROR = 11     /* a bug in charnn; please report it with the message */
} charnn_status;

/* The library's version, e.g. "0.1.0". Static storage; never NULL. */
const char *charnn_version_string(void);

/* The library's CHARNN_ABI_VERSION. Compare it with the header's before using anything else. */
int32_t charnn_abi_version(void);

/* A short English description of a status ("invalid argument"), or "unknown status" for a
 * value that is not a charnn_status. Static storage; never NULL. */
const char *charnn_status_string(charnn_status status);

/* The message of the last call on this thread that failed, naming what was wrong (the argument,
 * file, line or field); "" after a call that succeeded. Owned by the library, valid until the
 * next charnn call on this thread. Never NULL. */
const char *charnn_last_error(void);

/* Which build of the core runs the calls (since 0.4): "x86-64-v3" (AVX2 + FMA kernels) or
 * "portable" (the architecture's baseline: SSE2 on x86-64, NEON on arm64). libcharnn.so is a
 * small dispatcher: on the first call it checks the CPU once and loads libcharnn-x86-64-v3.so
 * when the CPU and OS support everything x86-64-v3 implies (AVX, AVX2, FMA, BMI1/2, F16C, LZCNT,
 * MOVBE), else libcharnn-portable.so, from the folder libcharnn.so itself is in; both give the
 * same results within rounding. CHARNN_CPU=portable in the environment forces the portable
 * build; CHARNN_CPU=x86-64-v3 insists on the fast one (refused on a CPU without it); unset or
 * "auto" chooses. When no build can be loaded (a file missing, a value of CHARNN_CPU it does not
 * know), every function returning a charnn_status returns CHARNN_INTERNAL_ERROR, with
 * charnn_last_error() saying what failed, and this returns "none". Static storage; never NULL. */
const char *charnn_cpu_variant(void);

/* Ends the library's background work (since 0.4): the worker threads that training and large
 * predictions run on (CHARNN_NUM_THREADS) are told to stop, woken and joined, so that none is
 * left running and nothing they hold is left allocated. Call it before the program exits when a
 * leak checker looks at the exit (valgrind: see "Running your program under valgrind" in
 * README.md), or before dlclose of the library. Only while no other thread is inside a charnn
 * call: it waits for a parallel job running now to finish first, but a call that starts during
 * it may run on one thread. It frees no object of yours (models, datasets, ... stay valid).
 * Calls after it work as before: the first one that can use the threads starts them again.
 * Calling it again, or without ever having trained, is harmless. The library does not join its
 * threads by itself at exit or unload (joining from a destructor could wait on a thread of the
 * program that is still running): without this call they are simply still asleep at exit. */
void charnn_shutdown(void);

/* ---------------------------------------------------------------------------------------------
 * Datasets: names with labels
 * ------------------------------------------------------------------------------------------- */

typedef struct charnn_dataset charnn_dataset;

/* Loads a directory of <Label>.txt files (UTF-8, one name per line): the PyTorch tutorial's
 * data/names layout. Labels are the file names sorted bytewise. CRLF line ends, a byte-order
 * mark and trailing blanks are tolerated, empty lines skipped, hidden and non-.txt files
 * ignored. Each name is transliterated to ASCII (like Python's unidecode) and encoded with the
 * 59-symbol vocabulary ascii_letters + " .,:;-'"; names with another character are skipped and
 * listed (charnn_dataset_skipped_*). Since 0.2 transliteration covers the scripts unidecode
 * does (0.1.0: Latin only), so names in Cyrillic, Greek, Han, ... are read instead of skipped.
 * Its tables come from Unicode's decompositions and names, Unihan readings and anyascii (all
 * permissively licensed); tests check they equal unidecode's answer on every code point of
 * Latin-1 and Latin Extended-A/B and on every one of the names and words data sets, but for 15
 * Han characters no permissive source reads as unidecode does (another reading is given).
 * charnn_dataset_load reads the same layout with other alphabets, and CSV/TSV files.
 * On success *out is a new dataset the caller frees with charnn_dataset_free.
 * Returns CHARNN_INVALID_ARGUMENT (NULL or invalid UTF-8 path, NULL out), CHARNN_IO_ERROR
 * (missing or unreadable directory or file), CHARNN_INVALID_DATA (no label file, an empty label
 * file, a line that is not UTF-8: the message names the file and line). */
charnn_status charnn_dataset_load_dir(const char *path, charnn_dataset **out);

/* Builds a dataset from memory: names[i] (UTF-8) has label labels[i], an index into
 * label_names[0 .. label_count). Everything is copied. Names the vocabulary cannot encode are
 * skipped and listed, as for a directory.
 * Returns CHARNN_INVALID_ARGUMENT for NULL arrays (with a non-zero count), a NULL or non-UTF-8
 * string, a label out of range, no labels, or an empty or repeated label name. */
charnn_status charnn_dataset_from_memory(const char *const *names, const int32_t *labels, size_t count,
                                         const char *const *label_names, size_t label_count,
                                         charnn_dataset **out);

/* The number of names (not counting skipped ones). */
charnn_status charnn_dataset_count(const charnn_dataset *dataset, size_t *out);

/* The number of labels. */
charnn_status charnn_dataset_label_count(const charnn_dataset *dataset, size_t *out);

/* The name of label `index`. *out is owned by the dataset, valid until it is freed.
 * Returns CHARNN_INVALID_ARGUMENT when index >= label count. */
charnn_status charnn_dataset_label_name(const charnn_dataset *dataset, size_t index, const char **out);

/* Example `index`: its name as given (UTF-8) is copied into buffer[0 .. capacity) with a NUL,
 * and its label index into *label (label may be NULL). *length (if not NULL) receives the name's
 * length in bytes without the NUL, whatever happens. Returns CHARNN_BUFFER_TOO_SMALL, writing
 * nothing, when capacity < length + 1: buffer NULL with capacity 0 asks for the length (and the
 * label) that way. With buffer NULL, capacity 0 and length NULL the name is skipped (only the
 * label is read, CHARNN_OK); buffer NULL with a capacity > 0 is CHARNN_INVALID_ARGUMENT. */
charnn_status charnn_dataset_get(const charnn_dataset *dataset, size_t index, char *buffer, size_t capacity,
                                 size_t *length, int32_t *label);

/* How many rows were left out when the data was loaded (malformed, empty, or a text the
 * article's vocabulary cannot encode). A split or subset keeps its parent's list. */
charnn_status charnn_dataset_skipped_count(const charnn_dataset *dataset, size_t *out);

/* A description of skipped name `index`, e.g. "Czech.txt:265: 'Maxa/B': '/' is not in the
 * vocabulary", copied into a caller buffer like charnn_dataset_get. */
charnn_status charnn_dataset_skipped(const charnn_dataset *dataset, size_t index, char *buffer, size_t capacity,
                                     size_t *length);

/* Splits into train and test sets keeping every label's share (scikit-learn's stratified
 * train_test_split protocol): the test set gets ceil(test_fraction * count) names, each label
 * its proportional share within one name, chosen by a shuffle seeded with `seed`. The same seed
 * always gives the same split. Both outputs are new datasets for the caller to free; on error
 * neither is set. test_fraction must be in (0, 1) and the dataset hold at least 2 names. */
charnn_status charnn_dataset_split(const charnn_dataset *dataset, double test_fraction, uint64_t seed,
                                   charnn_dataset **train, charnn_dataset **test);

/* Releases a dataset. NULL is ignored; so is a handle that is not a live dataset. */
void charnn_dataset_free(charnn_dataset *dataset);

/* ---------------------------------------------------------------------------------------------
 * Text: alphabets and normalisation (any script)
 *
 * An alphabet is the list of symbols a model reads, each with a fixed index, plus how raw text
 * becomes those symbols. Every text goes through the same steps, at training and prediction:
 *   1. Unicode normalisation (NFC or NFKC), so composed and decomposed input encode the same;
 *   2. case folding (Unicode full folding, as Python's str.casefold: "Straße" -> "strasse");
 *   3. transliteration to ASCII (as Python's unidecode: "Иванов" -> "Ivanov", "東京" -> "Dong Jing ");
 *   4. each Unicode scalar to its symbol's index. What the alphabet lacks is counted, and:
 *      ARTICLE: a dataset skips the text (listed by charnn_dataset_skipped), prediction drops
 *      the character (0.1.0's behaviour, kept so its checkpoints predict identically);
 *      LEARNED and EXPLICIT: the character becomes the symbol <unk>, the alphabet's last index.
 * The alphabet and these options are stored in the checkpoint: a model always encodes text
 * exactly as it was trained.
 * ------------------------------------------------------------------------------------------- */

/* Alphabets (charnn_text_config.alphabet). */
enum {
    CHARNN_ALPHABET_ARTICLE = 0,  /* the article's 59 symbols ascii_letters + " .,:;-'", no <unk> */
    CHARNN_ALPHABET_LEARNED = 1,  /* every scalar seen at least min_count times in the data, most
                                     frequent first (ties by code point), then <unk> */
    CHARNN_ALPHABET_EXPLICIT = 2  /* the scalars of `symbols` in that order, then <unk> */
};

/* Unicode normalisation forms (charnn_text_config.normalize). */
enum {
    CHARNN_NORMALIZE_DEFAULT = -1, /* the alphabet's default: NONE for ARTICLE, NFC otherwise */
    CHARNN_NORMALIZE_NONE = 0,
    CHARNN_NORMALIZE_NFC = 1,      /* canonical composition */
    CHARNN_NORMALIZE_NFKC = 2      /* compatibility composition: "ﬁ" -> "fi", full-width "Ａ" -> "A" */
};

/* The largest alphabet, <unk> included. */
#define CHARNN_MAX_ALPHABET_SIZE 65535
/* The most labels a dataset or model may have. */
#define CHARNN_MAX_LABELS 65535
/* Limits every boundary enforces alike (since 0.4 named here; the values are 0.3's):
 * - a text (a name, a CSV field) is at most CHARNN_MAX_TEXT_BYTES bytes of UTF-8, and reads as at
 *   most CHARNN_MAX_TEXT_SYMBOLS symbols after normalisation and transliteration ("東" reads as
 *   5): a dataset skips and lists a longer one, prediction refuses it (CHARNN_INVALID_ARGUMENT);
 * - a model has at most CHARNN_MAX_HIDDEN_SIZE hidden units, CHARNN_MAX_LAYERS layers and an
 *   embedding of at most CHARNN_MAX_EMBEDDING_SIZE; training takes batches of at most
 *   CHARNN_MAX_BATCH_SIZE names. */
#define CHARNN_MAX_TEXT_BYTES 65536
#define CHARNN_MAX_TEXT_SYMBOLS 1024
#define CHARNN_MAX_HIDDEN_SIZE 4096
#define CHARNN_MAX_LAYERS 16
#define CHARNN_MAX_EMBEDDING_SIZE 4096
#define CHARNN_MAX_BATCH_SIZE 65536

typedef struct charnn_text_config {
    size_t struct_size;     /* sizeof(charnn_text_config), set by charnn_text_config_init */
    int32_t alphabet;       /* CHARNN_ALPHABET_*; default CHARNN_ALPHABET_ARTICLE */
    int32_t normalize;      /* CHARNN_NORMALIZE_*; default CHARNN_NORMALIZE_DEFAULT */
    int32_t case_fold;      /* non-zero: fold case; default 0 */
    int32_t transliterate;  /* 1: to ASCII first; 0: no; -1 (default): on for ARTICLE, off otherwise */
    int32_t min_count;      /* LEARNED: a scalar needs this many occurrences; default 1 */
    int32_t max_symbols;    /* LEARNED: keep at most this many symbols (the most frequent), <unk> not
                               counted; 0 (default): no cap */
    const char *symbols;    /* EXPLICIT: the symbols, UTF-8, each scalar once (copied); ignored for
                               the other alphabets. From charnn_model_get_text_config: the
                               model's symbols whatever the kind, owned by the model. */
} charnn_text_config;

/* Fills *config with the article's text path: the 59-symbol alphabet, transliteration on, no
 * normalisation, no case folding. NULL is ignored. */
void charnn_text_config_init(charnn_text_config *config);

/* Data formats (charnn_data_config.format). */
enum {
    CHARNN_FORMAT_AUTO = 0,      /* a directory: DIRECTORY; a file ending in .tsv or .tab: TSV; another file: CSV */
    CHARNN_FORMAT_DIRECTORY = 1, /* <Label>.txt files, one text per line (the tutorial's layout) */
    CHARNN_FORMAT_CSV = 2,       /* comma-separated, RFC 4180 quoting */
    CHARNN_FORMAT_TSV = 3        /* tab-separated, the same quoting */
};

typedef struct charnn_data_config {
    size_t struct_size;       /* sizeof(charnn_data_config), set by charnn_data_config_init */
    int32_t format;           /* CHARNN_FORMAT_*; default CHARNN_FORMAT_AUTO */
    int32_t header;           /* CSV/TSV: non-zero (default) when the first row names the columns */
    const char *text_column;  /* CSV/TSV: a 0-based index when all digits ("2"), else a header
                                 name; NULL (default): column 0 */
    const char *label_column; /* CSV/TSV: likewise; NULL (default): column 1 */
} charnn_data_config;

/* Fills *config with the defaults: format AUTO, a header row, text in column 0, label in column
 * 1. NULL is ignored. */
void charnn_data_config_init(charnn_data_config *config);

/* Loads training data from a directory of <Label>.txt files or a CSV/TSV file (UTF-8 with or
 * without a byte-order mark, LF or CRLF; fields quoted per RFC 4180 may hold delimiters, quotes
 * and line breaks). Labels are any non-empty UTF-8 strings, at most CHARNN_MAX_LABELS of them,
 * sorted bytewise. Texts are encoded with the alphabet `text` describes (NULL: the article's);
 * a LEARNED alphabet is learned from these texts (charnn_dataset_split relearns it from the
 * training part). data may be NULL for the defaults. In a CSV/TSV file a label whose rows were
 * all left out is no label; a directory's labels are its files (one whose names were all
 * skipped is a label with no example).
 * Rows that cannot be used are not dropped silently: each is listed with file:line and why by
 * charnn_dataset_skipped (a wrong number of fields, an empty text or label, invalid UTF-8, a NUL
 * byte, a field over 65,536 bytes, a text the ARTICLE alphabet cannot encode, a text that reads
 * as more than 1024 symbols, which prediction would refuse) and counted in
 * charnn_dataset_summary. Returns CHARNN_INVALID_ARGUMENT (NULL or non-UTF-8 path, NULL out, a
 * bad or wrongly sized config naming the field), CHARNN_IO_ERROR (missing or unreadable path),
 * CHARNN_INVALID_DATA (an empty file, a column that does not exist, an unterminated quote, no
 * usable row: the message names file:line). */
charnn_status charnn_dataset_load(const char *path, const charnn_data_config *data, const charnn_text_config *text,
                                  charnn_dataset **out);

/* Builds a dataset from memory with label strings: texts[i] has label labels[i] (both UTF-8,
 * copied). Label indices follow the distinct labels sorted bytewise. text may be NULL for the
 * article's alphabet. Rows with an empty text or label, or a text over 65,536 bytes, are
 * skipped and listed like a file's
 * ("row 7: 'Smith': the label is empty", rows counted from 0); a label whose rows were all
 * skipped is no label. Returns CHARNN_INVALID_ARGUMENT for NULL arrays with a non-zero count, a
 * NULL or non-UTF-8 string (naming its index), or a bad text config; CHARNN_INVALID_DATA when no
 * row is usable (count 0 included). */
charnn_status charnn_dataset_from_strings(const char *const *texts, const char *const *labels, size_t count,
                                          const charnn_text_config *text, charnn_dataset **out);

/* charnn_dataset_from_memory with a text config (NULL: the article's): names[i] has label
 * labels[i], an index into label_names[0 .. label_count), which are the dataset's labels in
 * that order, used or not. The same errors as charnn_dataset_from_memory, and a bad text
 * config. */
charnn_status charnn_dataset_from_memory_with_text(const char *const *names, const int32_t *labels, size_t count,
                                                   const char *const *label_names, size_t label_count,
                                                   const charnn_text_config *text, charnn_dataset **out);

/* The examples indices[0 .. count) of `dataset`, in that order (repeats allowed), with its labels
 * and alphabet: a new dataset for the caller to free. Returns CHARNN_INVALID_ARGUMENT for an
 * index that is not below the dataset's count (naming it). */
charnn_status charnn_dataset_subset(const charnn_dataset *dataset, const size_t *indices, size_t count,
                                    charnn_dataset **out);

/* How many examples each label has: counts[0 .. label count). CHARNN_BUFFER_TOO_SMALL, nothing
 * written, when capacity is less than the label count. */
charnn_status charnn_dataset_label_counts(const charnn_dataset *dataset, int64_t *counts, size_t capacity);

/* A summary of the dataset as one JSON object, copied into a caller buffer like
 * charnn_dataset_get: {"rows", "skipped", "classes", "class_counts": {label: n}, "duplicates"
 * (rows whose text and label repeat an earlier row), "conflicts" (texts seen with more than one
 * label), "scripts": {script: rows}, "characters", "unknown_characters" (occurrences the
 * alphabet lacks), "alphabet": {"kind", "size" (<unk> included), "normalize", "case_fold",
 * "transliterate"}} ("skipped" counts the rows left out at load, which a split or subset
 * inherits). Keys may be added in later versions. */
charnn_status charnn_dataset_summary(const charnn_dataset *dataset, char *buffer, size_t capacity, size_t *length);

/* ---------------------------------------------------------------------------------------------
 * Models
 * ------------------------------------------------------------------------------------------- */

typedef struct charnn_model charnn_model;

/* Model kinds (charnn_model_config.kind). */
enum {
    CHARNN_MODEL_ELMAN = 0, /* the article's cell: h' = sigmoid(W_h [x, h] + b_h), y = W_o [x, h] + b_o */
    CHARNN_MODEL_GRU = 1,   /* torch.nn.GRU + Linear(hidden, labels) on the last step */
    CHARNN_MODEL_LSTM = 2   /* torch.nn.LSTM + Linear(hidden, labels) on the last step */
};

/* Initial hidden state (charnn_model_config.hidden_init). */
enum {
    CHARNN_HIDDEN_INIT_DEFAULT = 0, /* kaiming for the Elman cell, zeros for the GRU and LSTM */
    CHARNN_HIDDEN_INIT_KAIMING = 1, /* Elman only: kaiming_uniform_ drawn for every name (the article) */
    CHARNN_HIDDEN_INIT_ZEROS = 2
};

/* What the head of a GRU or LSTM reads from its top layer (charnn_model_config.pooling). */
enum {
    CHARNN_POOLING_LAST = 0, /* each direction's last state (PyTorch's h_n, directions concatenated) */
    CHARNN_POOLING_MEAN = 1, /* the mean of the outputs over the characters */
    CHARNN_POOLING_MAX = 2   /* the largest output over the characters, feature by feature */
};

typedef struct charnn_model_config {
    size_t struct_size;  /* sizeof(charnn_model_config), set by charnn_model_config_init */
    int32_t kind;        /* CHARNN_MODEL_*; default CHARNN_MODEL_GRU */
    int32_t hidden_size; /* 1 .. 4096; default 256. Since 0.3, 0 with ngram_buckets > 0: no recurrent
                            layers, the n-gram bag alone (fastText's model; then embedding_size,
                            bidirectional and pooling must keep their defaults) */
    int32_t num_layers;  /* 0 = the kind's default (Elman 1, GRU and LSTM 2); at most 16 */
    int32_t hidden_init; /* CHARNN_HIDDEN_INIT_*; default CHARNN_HIDDEN_INIT_DEFAULT */
    uint64_t seed;       /* seeds the weights' initialisation; default 0 */
    /* Since 0.3, for the GRU and LSTM only (the Elman cell is the article's; 0.2.0 callers, whose
     * struct ends at seed, get these defaults: the model 0.2.0 built). */
    int32_t embedding_size; /* 0 (default): one-hot characters; else an nn.Embedding of this many
                               numbers per symbol, 1 .. 4096 ("embedding.weight") */
    int32_t bidirectional;  /* non-zero: every layer reads both ways (bidirectional=True, "_reverse"
                               tensors); the head reads 2 * hidden_size; default 0 */
    int32_t pooling;        /* CHARNN_POOLING_*; default CHARNN_POOLING_LAST */
    float dropout;          /* dropout between layers and before the head, in training only; 0 <= p < 1;
                               default 0 */
    int32_t ngram_buckets;  /* 0 (default): none; else a bag of hashed character n-grams beside the
                               recurrent features (fastText's idea: nn.EmbeddingBag, "ngrams.weight"),
                               this many buckets, 1 .. 2^24. Its rows are updated the way
                               torch.optim.SparseAdam updates them (only the rows a step touches) */
    int32_t ngram_dim;      /* numbers per bucket, 1 .. 4096; default 64 */
    int32_t ngram_min;      /* shortest n-gram, counting the begin and end markers, 1 .. 3; default 1 */
    int32_t ngram_max;      /* longest, ngram_min .. 8; default 5 */
} charnn_model_config;

/* Fills *config with the defaults (a 2-layer GRU of hidden size 256 on one-hot characters, the
 * article's). NULL is ignored. */
void charnn_model_config_init(charnn_model_config *config);

/* Creates a model with freshly initialised weights (PyTorch's schemes, seeded by config->seed)
 * that predicts label_names[0 .. label_count) (copied), reading the 59-symbol vocabulary.
 * Returns CHARNN_INVALID_ARGUMENT for a NULL or wrongly sized config, an unknown kind or
 * hidden_init, sizes out of range (the message names the field), a model of more than 2^28
 * weights, or bad label names. */
charnn_status charnn_model_create(const charnn_model_config *config, const char *const *label_names,
                                  size_t label_count, charnn_model **out);

/* Creates a model for the labels and alphabet of `data` (its learned alphabet, say), with freshly
 * initialised weights: the usual way to start on your own data. The same errors as
 * charnn_model_create. */
charnn_status charnn_model_create_for_dataset(const charnn_model_config *config, const charnn_dataset *data,
                                              charnn_model **out);

/* charnn_model_create with an ARTICLE or EXPLICIT alphabet and normalisation (a LEARNED alphabet
 * needs data: use charnn_model_create_for_dataset). text may be NULL for the article's. */
charnn_status charnn_model_create_with_text(const charnn_model_config *config, const charnn_text_config *text,
                                            const char *const *label_names, size_t label_count,
                                            charnn_model **out);

/* Optimizers (charnn_train_config.optimizer), with PyTorch's semantics. */
enum {
    CHARNN_OPTIMIZER_ADAM = 0,  /* torch.optim.Adam (weight_decay added to the gradient) */
    CHARNN_OPTIMIZER_ADAMW = 1, /* torch.optim.AdamW (decoupled weight decay) */
    CHARNN_OPTIMIZER_SGD = 2    /* torch.optim.SGD (momentum, weight_decay) */
};

/* Learning-rate schedules (charnn_train_config.schedule), since 0.3. The rate of step t
 * (0-based over all epochs; T = epochs x steps per epoch, e = t / steps per epoch) is
 * lr(t) = warm(t) * s(t), with warm(t) = (t + 1) / W for the first W = warm-up steps (any
 * schedule; PyTorch's LambdaLR(lambda t: min(1, (t + 1) / W))) and 1 after, and s(t) by schedule,
 * for the base rate lr = learning_rate and the floor lr_min = min_learning_rate:
 *   CONSTANT  lr.
 *   COSINE    lr_min + (lr - lr_min) * (1 + cos(pi * k / K)) / 2, k = max(0, t - W),
 *             K = max(1, T - W): PyTorch's CosineAnnealingLR(T_max=K, eta_min=lr_min) stepped
 *             every step after the warm-up (SequentialLR with milestones=[W]).
 *   STEP      lr * gamma^floor(e / step_size): StepLR(step_size, gamma) stepped every epoch.
 *   PLATEAU   starts at lr; after more than plateau_patience epochs in a row whose monitored loss
 *             is not below best * (1 - 1e-4), becomes max(rate * plateau_factor, lr_min):
 *             ReduceLROnPlateau(mode="min", factor, patience, threshold=1e-4, "rel", cooldown=0,
 *             min_lr=lr_min) stepped every epoch. It monitors the validation loss, or the
 *             epoch's mean training loss when there is no validation. */
enum {
    CHARNN_SCHEDULE_CONSTANT = 0,
    CHARNN_SCHEDULE_COSINE = 1,
    CHARNN_SCHEDULE_STEP = 2,
    CHARNN_SCHEDULE_PLATEAU = 3
};

/* Class weights of the loss (charnn_train_config.class_weights), since 0.3: PyTorch's
 * cross_entropy(weight=w), a weighted mean (sum of w[y_i] * loss_i over sum of w[y_i]). */
enum {
    CHARNN_CLASS_WEIGHTS_NONE = 0,     /* every label weighs 1 */
    CHARNN_CLASS_WEIGHTS_BALANCED = 1, /* n_rows / (n_labels * rows of the label), over the rows that
                                          train (scikit-learn's "balanced"; n_labels counts labels with
                                          rows; a label without rows weighs 1) */
    CHARNN_CLASS_WEIGHTS_EXPLICIT = 2  /* class_weight_values[0 .. class_weight_count), one per label of
                                          the model in its order: finite, >= 0, not all 0 */
};

/* Where training is: passed to the progress callback. */
typedef struct charnn_train_progress {
    size_t struct_size; /* sizeof(charnn_train_progress) of the library calling */
    int32_t epoch;      /* 1-based */
    int32_t epochs;
    int64_t step;       /* 1-based step within the epoch */
    int64_t steps;      /* steps per epoch */
    float loss;         /* this step's loss (mean over its batch) */
    float running_loss; /* mean loss of the epoch's steps so far */
    /* Since 0.3: */
    float validation_loss;      /* at an epoch's end with validation: the mean cross-entropy on the
                                   validation set (no smoothing, no weights); else NaN */
    double validation_accuracy; /* likewise its accuracy (what charnn_model_evaluate gives); else NaN */
    float learning_rate;        /* the learning rate this step used */
    int32_t epoch_end;          /* non-zero at an epoch's last step (always reported) */
} charnn_train_progress;

/* Called every report_every steps and after each epoch's last step, on the thread that called
 * charnn_model_train. Return 0 to go on; anything else stops training after this step: the
 * model keeps what it learned and charnn_model_train returns CHARNN_CANCELLED. */
typedef int (*charnn_progress_fn)(const charnn_train_progress *progress, void *user_data);

typedef struct charnn_train_config {
    size_t struct_size;    /* sizeof(charnn_train_config), set by charnn_train_config_init */
    int32_t epochs;        /* default 2; 1 to 1,000,000 (0 is refused since 0.4: it trained nothing) */
    int32_t batch_size;    /* names per step; default 1 (the article's protocol); at most 65536 */
    int32_t optimizer;     /* CHARNN_OPTIMIZER_*; default CHARNN_OPTIMIZER_ADAM */
    float learning_rate;   /* default 1e-3 */
    float beta1;           /* Adam; default 0.9 */
    float beta2;           /* Adam; default 0.999 */
    float epsilon;         /* Adam; default 1e-8 */
    float weight_decay;    /* default 0 */
    float momentum;        /* SGD; default 0 */
    float clip_norm;       /* clip the global gradient norm to this; 0 (default) = off. The
                              article clips its Elman cell to 1. */
    uint64_t seed;         /* seeds the shuffles and the Elman cell's random initial states */
    int32_t shuffle;       /* non-zero (default): shuffle every epoch */
    int32_t report_every;  /* call progress every this many steps; default 1 */
    charnn_progress_fn progress; /* may be NULL */
    void *user_data;       /* passed to progress */
    /* Since 0.3 (a 0.2 caller's struct_size ends at user_data: these take their defaults). */
    double validation_fraction; /* share of the training data held out for validation, in [0, 1):
                                   a stratified split seeded by seed; what it holds out never
                                   trains. 0 (default): none, or the validation set given to
                                   charnn_model_train_with_validation */
    int32_t patience;           /* early stopping: stop after this many epochs in a row without a
                                   lower validation loss; 0 (default) = off. Needs validation */
    int32_t restore_best;       /* non-zero (default): with validation, end with the weights of the
                                   epoch of the lowest validation loss (however training ends, but
                                   by an error) */
    int32_t schedule;           /* CHARNN_SCHEDULE_*; default CHARNN_SCHEDULE_CONSTANT */
    int32_t step_size;          /* STEP: epochs between decays, >= 1; default 1 */
    float gamma;                /* STEP: the decay, in (0, 1]; default 0.1 */
    float plateau_factor;       /* PLATEAU: the decay, in (0, 1); default 0.1 */
    int32_t plateau_patience;   /* PLATEAU: epochs without improvement tolerated, >= 0; default 10 */
    float min_learning_rate;    /* COSINE and PLATEAU: the floor, in [0, learning_rate]; default 0 */
    int64_t warmup_steps;       /* linear warm-up over this many steps (any schedule); default 0 */
    double warmup_fraction;     /* or over ceil(fraction * all steps), fraction in [0, 1); default 0.
                                   At most one of warmup_steps and warmup_fraction is non-zero */
    float label_smoothing;      /* in [0, 1]: PyTorch's cross_entropy(label_smoothing=); default 0 */
    int32_t class_weights;      /* CHARNN_CLASS_WEIGHTS_*; default CHARNN_CLASS_WEIGHTS_NONE */
    const float *class_weight_values; /* EXPLICIT: one weight per label of the model (copied) */
    size_t class_weight_count;        /* EXPLICIT: the model's label count */
} charnn_train_config;

/* Fills *config with the article's protocol: 2 epochs, batch 1, Adam lr 1e-3, no clipping,
 * seed 0, shuffling, progress every step, no callback; no validation, a constant learning rate,
 * plain cross-entropy (the other fields as their comments say). NULL is ignored. */
void charnn_train_config_init(charnn_train_config *config);

/* Recipes: tested settings for classifying short strings of your own (`charnn train --recipe`),
 * chosen on validation splits carved from the training parts of two data sets (bench/recipes.py
 * measures them against fastText). Both read a bag of hashed character 1..5-grams (2^17 buckets
 * of 64) and train with AdamW (weight decay 1e-3), a cosine schedule after a 5% warm-up, label
 * smoothing 0.1, batches of 64. Read the data with a LEARNED alphabet. Since 0.3. */
enum {
    CHARNN_RECIPE_FAST = 1, /* the bag alone (hidden_size 0: fastText's model), lr 1e-2, 5 epochs,
                               no validation: about a second on tens of thousands of strings */
    CHARNN_RECIPE_BEST = 2  /* the bag beside a bidirectional GRU (1 layer of 64) over a 32-number
                               embedding, max-pooled; lr 3e-3; up to 10 epochs (about 500,000 strings
                               in all, at least 3 epochs), a 10% validation split, early stopping
                               (patience 3), the best epoch kept */
};

/* Sets the model fields of *config to the recipe's (config->seed is kept). config->struct_size
 * must be this release's (charnn_model_config_init sets it: 0.2.0's struct has no room for the
 * recipe's options). CHARNN_INVALID_ARGUMENT for a NULL or wrongly sized config or an unknown
 * recipe; *config is then unchanged. */
charnn_status charnn_model_config_recipe(charnn_model_config *config, int32_t recipe);

/* Sets *config to the recipe's training for a training set of `rows` texts (the best recipe's
 * epochs depend on it), keeping config->seed, progress, user_data and report_every; every other
 * field takes its charnn_train_config_init default first. Needs this release's struct_size.
 * CHARNN_INVALID_ARGUMENT for a NULL or wrongly sized config or an unknown recipe. */
charnn_status charnn_train_config_recipe(charnn_train_config *config, int32_t recipe, size_t rows);

/* What a charnn_model_train call did. */
typedef struct charnn_train_result {
    size_t struct_size;       /* set by the caller to sizeof(charnn_train_result): an output, it has
                                 no _init function */
    int32_t epochs_completed;
    int64_t steps_taken;
    float last_loss;          /* the last step's loss (NaN if no step ran) */
    float last_epoch_loss;    /* mean loss of the last completed epoch (NaN if none) */
    /* Since 0.3 (not written for a 0.2 caller's smaller struct_size): */
    int32_t best_epoch;              /* 1-based epoch of the lowest validation loss; 0 without validation */
    float best_validation_loss;      /* its validation loss (NaN without validation) */
    double best_validation_accuracy; /* its validation accuracy (NaN without validation) */
    int32_t early_stopped;           /* non-zero when patience ended training */
} charnn_train_result;

/* Trains `model` on `train`. Its labels are matched to the model's by name (each must be one of
 * the model's; a dataset may lack some), and its texts are read with the model's alphabet (a
 * dataset loaded with another alphabet is re-encoded, never mixed). Each epoch
 * shuffles with a generator seeded by (config->seed, epoch), so the same seed and data give the
 * same weights. config may be NULL for the defaults. result (may be NULL) is filled whatever
 * the outcome. The optimizer is created anew for each call. With config->validation_fraction
 * set, a share of train is held out and scored after every epoch (see
 * charnn_model_train_with_validation, whose statuses it shares).
 * Returns CHARNN_CANCELLED when the callback stopped training (the model stays valid),
 * CHARNN_BUSY when the model is in use, CHARNN_DIVERGED when a loss, gradient or update became
 * NaN or infinite (the step that did it is not applied: the weights are the last finite ones;
 * the message names the epoch and step), CHARNN_INVALID_ARGUMENT for a bad config (naming the
 * field by its C name; epochs 0 included, since 0.4), an empty dataset or labels that are not the
 * model's. Not re-entrant on one model. */
charnn_status charnn_model_train(charnn_model *model, const charnn_dataset *train, const charnn_train_config *config,
                                 charnn_train_result *result);

/* charnn_model_train with a validation set of the caller's (labels matched and texts read like
 * train's; NULL: the same as charnn_model_train). Since 0.3. After every epoch the model is
 * scored on the validation set (or the validation_fraction held out of train) with batched
 * inference: the mean cross-entropy and the accuracy, reported in the progress call of the
 * epoch's last step. The epoch of the lowest validation loss (the first, at a tie) is the best:
 * early stopping (patience), restore_best, the PLATEAU schedule and result->best_* follow it.
 * Returns, besides charnn_model_train's statuses, CHARNN_INVALID_ARGUMENT naming the field for
 * a bad validation_fraction, patience (non-zero without validation), schedule, step_size, gamma,
 * plateau_factor, plateau_patience, min_learning_rate, warmup_steps or warmup_fraction (both
 * set), label_smoothing, class_weights, class_weight_values or class_weight_count; for a
 * validation set given with a non-zero validation_fraction; for an empty validation set. */
charnn_status charnn_model_train_with_validation(charnn_model *model, const charnn_dataset *train,
                                                 const charnn_dataset *validation, const charnn_train_config *config,
                                                 charnn_train_result *result);

/* Evaluates on `data` (labels matched by name and texts read with the model's alphabet, as for
 * charnn_model_train; a label the model lacks is CHARNN_INVALID_ARGUMENT naming it): *accuracy
 * (may be NULL) receives the share
 * of names predicted right. If confusion is not NULL it receives the confusion matrix,
 * label_count * label_count counts, row = true label, column = predicted label; capacity is its
 * length in elements (CHARNN_BUFFER_TOO_SMALL, nothing written, when smaller). Per-label
 * accuracy is the diagonal over each row's sum. An empty data set is CHARNN_INVALID_ARGUMENT
 * (0.1.0 returned OK and accuracy 0); CHARNN_DIVERGED when the model's scores for a text are not
 * finite (see charnn_model_predict). Safe to call from many threads at once. */
charnn_status charnn_model_evaluate(const charnn_model *model, const charnn_dataset *data, double *accuracy,
                                    int64_t *confusion, size_t capacity);

/* ---------------------------------------------------------------------------------------------
 * Evaluation metrics (since 0.3)
 *
 * charnn_model_evaluate_metrics scores a data set once and returns a charnn_metrics handle to
 * read everything from: top-1 and top-k accuracy, per-label precision, recall, F1 and support,
 * macro and weighted averages, and the confusion matrix (dense or as its non-zero cells).
 *
 * Conventions, those of scikit-learn with zero_division=0 (so no value is ever NaN):
 *   - precision = TP / (TP + FP), 0 for a label never predicted; recall = TP / (TP + FN), 0 for
 *     a label with no names in the set; F1 = 2 TP / (2 TP + FP + FN), 0 when both are 0;
 *   - a label is present when it has names in the set or was predicted at least once (the
 *     labels of y_true and y_pred). Macro averages are plain means over the present labels,
 *     as f1_score(y_true, y_pred, average="macro") with its default labels: labels the set
 *     neither holds nor gets predicted do not count. Weighted averages weigh each label by its
 *     support; micro averages equal the accuracy (one label per name).
 * A metrics handle holds O(labels + names) numbers, never labels² (65,535 labels are fine);
 * only charnn_metrics_confusion fills a dense matrix, in the caller's memory.
 *
 * Threads: a metrics handle is immutable once made; any number of threads may read it at once.
 * ------------------------------------------------------------------------------------------- */

typedef struct charnn_metrics charnn_metrics;

/* Averages (charnn_metrics_average). */
enum {
    CHARNN_AVERAGE_MACRO = 0,    /* the unweighted mean over the present labels */
    CHARNN_AVERAGE_WEIGHTED = 1, /* the mean weighted by each label's support */
    CHARNN_AVERAGE_MICRO = 2     /* over all names at once: precision = recall = F1 = accuracy */
};

/* Evaluates `model` on `data` (labels matched by name and texts read with the model's alphabet,
 * as for charnn_model_evaluate): top-1 predictions for the confusion matrix and the per-label
 * metrics, and whether each name's true label is among its k most likely (ties broken by label
 * index, as charnn_model_predict orders them). k = 1 makes top-k accuracy the accuracy; k = the
 * label count makes it 1. On success *out is a new handle the caller frees with
 * charnn_metrics_free; on error *out is left as it was.
 * Returns CHARNN_INVALID_ARGUMENT for a NULL out, k = 0 or k above the model's label count, an
 * empty data set or a label the model lacks (naming it), CHARNN_INVALID_HANDLE for a freed or
 * wrong-kind handle, CHARNN_BUSY while the model trains. Safe to call from many threads at once. */
charnn_status charnn_model_evaluate_metrics(const charnn_model *model, const charnn_dataset *data, size_t k,
                                            charnn_metrics **out);

/* Releases a metrics handle. NULL is ignored; so is a handle that is not live metrics. */
void charnn_metrics_free(charnn_metrics *metrics);

/* The number of labels (the model's): the valid `label` arguments are 0 .. count - 1, named by
 * charnn_model_label_name. */
charnn_status charnn_metrics_label_count(const charnn_metrics *metrics, size_t *out);

/* The number of names evaluated. */
charnn_status charnn_metrics_total(const charnn_metrics *metrics, int64_t *out);

/* The k the metrics were computed with. */
charnn_status charnn_metrics_k(const charnn_metrics *metrics, size_t *out);

/* The share of names predicted right (top-1 accuracy). */
charnn_status charnn_metrics_accuracy(const charnn_metrics *metrics, double *out);

/* The share of names whose true label is among their k most likely. */
charnn_status charnn_metrics_top_k_accuracy(const charnn_metrics *metrics, double *out);

/* The mean F1 over the present labels (macro-F1, scikit-learn's f1_score(average="macro")). */
charnn_status charnn_metrics_macro_f1(const charnn_metrics *metrics, double *out);

/* Precision, recall and F1 averaged as `average` says (CHARNN_AVERAGE_*); each output may be
 * NULL. *present (may be NULL) receives the number of present labels, those macro averages run
 * over. Returns CHARNN_INVALID_ARGUMENT for an unknown average. */
charnn_status charnn_metrics_average(const charnn_metrics *metrics, int32_t average, double *precision,
                                     double *recall, double *f1, size_t *present);

/* The metrics of label `label`: precision, recall, F1 (with the conventions above), support (its
 * names in the set) and predicted (the names predicted as it; with support 0 and predicted 0 the
 * label is not present). Each output may be NULL. Constant time. Returns CHARNN_INVALID_ARGUMENT
 * when label >= the label count. */
charnn_status charnn_metrics_class(const charnn_metrics *metrics, size_t label, double *precision, double *recall,
                                   double *f1, int64_t *support, int64_t *predicted);

/* The confusion matrix, label_count * label_count counts in row-major order: row = true label,
 * column = predicted label, written to out[0 .. label_count²). capacity is out's length in
 * elements: CHARNN_BUFFER_TOO_SMALL, nothing written, when it is smaller (the message gives the
 * size needed: out may be NULL with capacity 0 to ask for it; NULL with enough capacity is
 * CHARNN_INVALID_ARGUMENT). For many labels prefer charnn_metrics_confusion_entries. */
charnn_status charnn_metrics_confusion(const charnn_metrics *metrics, int64_t *out, size_t capacity);

/* The non-zero cells of the confusion matrix, sorted by true label then predicted label: cell i
 * is true_labels[i], predicted[i], counts[i]. There are at most as many as names evaluated.
 * *count (may be NULL) receives the number of cells whatever happens; when capacity is smaller
 * the call returns CHARNN_BUFFER_TOO_SMALL and writes nothing (pass capacity 0 to ask for the
 * count). Any of the three arrays may be NULL. */
charnn_status charnn_metrics_confusion_entries(const charnn_metrics *metrics, int32_t *true_labels, int32_t *predicted,
                                               int64_t *counts, size_t capacity, size_t *count);

/* The k most likely labels of one text (raw UTF-8, read with the model's alphabet: characters it
 * lacks become <unk>, or are dropped by an ARTICLE alphabet; charnn_model_encode counts them),
 * most likely first, with their softmax probabilities:
 * labels[0 .. n) and probabilities[0 .. n) where n = min(k, label count) is stored in *count
 * (may be NULL). Both arrays must hold at least k elements (either may be NULL).
 * Returns CHARNN_INVALID_ARGUMENT for k = 0, a name that is NULL, not UTF-8, longer than 1024
 * symbols (after normalisation and transliteration: "東" reads as 5) or without a single
 * readable character, CHARNN_DIVERGED when the model's scores for it are not finite (weights so
 * large that its sums overflow: only a damaged or hand-made checkpoint has them). Safe to call
 * from many threads at once. */
charnn_status charnn_model_predict(const charnn_model *model, const char *name, size_t k, int32_t *labels,
                                   float *probabilities, size_t *count);

/* charnn_model_predict for `count` names in one call (batched: far faster; a name's
 * probabilities may differ from charnn_model_predict's in the last bits, as the batch's size
 * picks the matrix kernel and so the order of the sums). Row i of the
 * outputs (labels[i*k .. i*k+k), probabilities likewise; either may be NULL) holds name i's
 * top k; when k exceeds the label count the rest of a row is label -1, probability 0.
 * Fails as a whole on the first bad name, naming its index. */
charnn_status charnn_model_predict_many(const charnn_model *model, const char *const *names, size_t count, size_t k,
                                        int32_t *labels, float *probabilities);

/* Writes the model to a safetensors file whose tensors carry PyTorch's names and layout
 * (safetensors.torch.load_file + load_state_dict gives the same model in PyTorch), with the
 * labels, vocabulary and sizes in its metadata. Atomic: a crash or a full disk leaves any
 * previous file at `path` untouched. Returns CHARNN_IO_ERROR when it cannot be written. */
charnn_status charnn_model_save(const charnn_model *model, const char *path);

/* Reads a checkpoint written by charnn_model_save. Every field is validated; a truncated,
 * oversized, mis-typed or inconsistent file gives CHARNN_INVALID_CHECKPOINT with a message
 * naming the problem, an unreadable one CHARNN_IO_ERROR. On success *out is a new model.
 *
 * Integrity (since 0.4): charnn_model_save and charnn_model_save_memory end the safetensors
 * metadata with three strings, so PyTorch and the `safetensors` package read the file as before:
 *   "integrity": "crc32c"        the algorithm (CRC-32C, Castagnoli, as in iSCSI and ext4);
 *   "data_crc32c": "<8 hex>"     over the data section (every byte after the header);
 *   "header_crc32c": "<8 hex>"   over the 8-byte length and the whole padded JSON header, with
 *                                this value's 8 digits read as "00000000".
 * Digits are lowercase. Together they cover every byte of the file: a damaged byte anywhere is
 * CHARNN_INVALID_CHECKPOINT, with "the header is damaged" or "the weights are damaged" in the
 * message (or, for damage that breaks the header's syntax, the parse error). Only some of the
 * three fields, or an algorithm other than crc32c, is refused too. A file with none of them
 * (any checkpoint written before the check: 0.1.0's to 0.4.0's) still loads, unchecked.
 *
 * Quantized models (since 0.5, charnn_model_quantize) are saved as format_version 4 with
 * "quantization": "int8" in the metadata. Each quantized matrix is an I8 tensor under its
 * PyTorch name and shape, beside an F32 tensor "<name>_scale" of one scale per row: the float
 * weight is q * scale. Biases and fc.* stay F32. 0.4 and older refuse the file by its version.
 * In PyTorch: w = t[name].float() * t[name + "_scale"][:, None]. */
charnn_status charnn_model_load(const char *path, charnn_model **out);

/* charnn_model_load on a checkpoint already in memory (an app bundle, a network buffer):
 * data[0 .. size) is read and copied; the same validation and statuses. */
charnn_status charnn_model_load_memory(const void *data, size_t size, charnn_model **out);

/* Since 0.4: charnn_model_save into memory (to send, cache or copy a model; Python's pickle and
 * copy.deepcopy use it): the very bytes charnn_model_save writes to its file, which
 * charnn_model_load_memory reads back, copied into buffer[0 .. capacity). *size receives the
 * checkpoint's size in bytes on success and on CHARNN_BUFFER_TOO_SMALL; buffer NULL with
 * capacity 0 asks for it (CHARNN_OK, nothing written). A model's checkpoint size never changes
 * (training changes the weights, not their number), so one query is enough. Returns
 * CHARNN_BUFFER_TOO_SMALL, nothing written, when capacity < *size; CHARNN_INVALID_ARGUMENT for a
 * NULL model or size, or a NULL buffer with a non-zero capacity; CHARNN_INVALID_HANDLE for a
 * freed or wrong-kind handle; CHARNN_BUSY while the model trains (as charnn_model_save). Safe to
 * call from many threads at once. */
charnn_status charnn_model_save_memory(const charnn_model *model, void *buffer, size_t capacity, size_t *size);

/* The model's configuration. The caller sets out->struct_size (charnn_model_config_init does);
 * nothing past it is written (a 0.2.0-sized struct receives the fields 0.2.0 had). */
charnn_status charnn_model_get_config(const charnn_model *model, charnn_model_config *out);

/* The number of labels the model predicts. */
charnn_status charnn_model_label_count(const charnn_model *model, size_t *out);

/* The name of label `index`; *out is owned by the model, valid until it is freed. */
charnn_status charnn_model_label_name(const charnn_model *model, size_t index, const char **out);

/* How the model reads text: its alphabet kind, normalisation options and, in out->symbols, its
 * symbols as one UTF-8 string in index order (without <unk>; owned by the model, valid until it
 * is freed). min_count is 1 and max_symbols 0: how a learned alphabet was learned is not kept,
 * its symbols are (pass them as an EXPLICIT alphabet to read other data the same way). The
 * caller sets out->struct_size (charnn_text_config_init does). */
charnn_status charnn_model_get_text_config(const charnn_model *model, charnn_text_config *out);

/* The number of symbols the model reads (its input size), <unk> included. */
charnn_status charnn_model_alphabet_size(const charnn_model *model, size_t *out);

/* The symbol indices of `text` as the model reads it (normalised, folded, transliterated as
 * stored): indices[0 .. *length) (indices may be NULL to ask for the length; otherwise
 * CHARNN_BUFFER_TOO_SMALL, nothing written, when capacity is less). *unknown (may be NULL)
 * receives how many characters the alphabet lacks: mapped to <unk>, or dropped by an ARTICLE
 * alphabet (which is what charnn_model_predict does with them too). A text with nothing
 * readable gives *length 0 (charnn_model_predict refuses it). CHARNN_INVALID_ARGUMENT for a
 * NULL or non-UTF-8 text, or one over 65,536 bytes. */
charnn_status charnn_model_encode(const charnn_model *model, const char *text, int32_t *indices, size_t capacity,
                                  size_t *length, size_t *unknown);

/* The number of trainable weights. */
charnn_status charnn_model_parameter_count(const charnn_model *model, size_t *out);

/* Since 0.5: a copy of the model with int8 weights in *out (a new model; `model` is unchanged),
 * the way ggml and ONNX Runtime make models small and fast. Each weight matrix of the embedding,
 * the recurrent layers and the n-gram bag is quantized per row, symmetric: w ~ q * scale with q
 * in -127..127 and scale = max |row| / 127; biases and the head (fc) stay float. The copy
 * predicts and evaluates with int8 products (each row of activations quantized as it is made;
 * AVX2 where the CPU has it, a portable path otherwise), saves a checkpoint about 4x smaller
 * (format 4, see charnn_model_load) and cannot be trained: charnn_model_train refuses it with
 * CHARNN_INVALID_ARGUMENT (train the float model, then quantize it again). Its predictions move
 * a little from the float model's; bench/README.md reports the accuracy on the test splits.
 * The new model is the caller's: free it with charnn_model_free (it does not depend on `model`,
 * which may be freed first). *out is left untouched on failure. Returns CHARNN_INVALID_ARGUMENT
 * for a NULL model or out, an Elman model (the article's cell stays float) or a model already
 * quantized; CHARNN_INVALID_HANDLE for a freed or wrong-kind handle; CHARNN_BUSY while the model
 * trains. Safe to call from many threads at once, beside predictions on the same model. */
charnn_status charnn_model_quantize(const charnn_model *model, charnn_model **out);

/* Since 0.5: *out = 1 when the model holds int8 weights (charnn_model_quantize, or a quantized
 * checkpoint), else 0. Never CHARNN_BUSY (it is fixed when the model is made); CHARNN_INVALID_ARGUMENT
 * for a NULL model or out, CHARNN_INVALID_HANDLE for a freed or wrong-kind handle. */
charnn_status charnn_model_is_quantized(const charnn_model *model, int *out);

/* Releases a model. NULL is ignored; so is a handle that is not a live model. */
void charnn_model_free(charnn_model *model);


/* ---------------------------------------------------------------------------------------------
 * Low level: tensors, differentiable ops, backward and optimizers
 *
 * Enough to write the article's training loop op by op, as the article does in PyTorch:
 *
 *     charnn_graph_reset(g);                                  for every name: a fresh step
 *     charnn_tensor_create_kaiming_uniform(g, (int64_t[]){1, 256}, 2, seed, &hidden);
 *     for each character index c:
 *         charnn_op_one_hot(g, &c, 1, 59, &x);
 *         charnn_op_concat(g, x, hidden, &combined);
 *         charnn_op_linear(g, combined, w_out, b_out, &output);
 *         charnn_op_linear(g, combined, w_hidden, b_hidden, &pre);
 *         charnn_op_sigmoid(g, pre, &hidden);
 *     charnn_op_cross_entropy(g, output, &label, 1, &loss);
 *     charnn_optimizer_zero_grad(adam);
 *     charnn_graph_backward(g, loss);
 *     charnn_parameters_clip_grad_norm(params, 4, 1.0f, NULL);
 *     charnn_optimizer_step(adam);
 *
 * A graph records the ops called on it. Tensors made on a graph (by charnn_tensor_create* and
 * charnn_op_*) belong to it: charnn_graph_reset releases all of them at once, so a training
 * loop never frees a tensor and, after its first steps, allocates nothing. Using a tensor
 * after its graph was reset gives CHARNN_INVALID_ARGUMENT. Parameters (charnn_parameter_create*)
 * are long-lived tensors that require gradients; they may be used on any graph, accumulate
 * their gradient over backward passes (PyTorch's semantics) and are released by
 * charnn_tensor_free.
 *
 * Shapes have rank 0 (a scalar) to 4, every dimension at least 1. Matrix ops read the last
 * dimension as columns and the others as rows. Every op checks its operands' shapes and
 * returns CHARNN_SHAPE_MISMATCH with both shapes in the message when they do not fit.
 *
 * Threads: a graph, the tensors made on it and an optimizer are used by one thread at a time.
 * Parameters shared by graphs on several threads must not be trained from them at once.
 * ------------------------------------------------------------------------------------------- */

typedef struct charnn_graph charnn_graph;
typedef struct charnn_tensor charnn_tensor;
typedef struct charnn_optimizer charnn_optimizer;

/* A new, empty graph, recording gradients. Free it with charnn_graph_free. */
charnn_status charnn_graph_create(charnn_graph **out);

/* Releases every tensor made on the graph (their handles become invalid) and keeps the memory
 * for the next step. Parameters are not affected. */
charnn_status charnn_graph_reset(charnn_graph *graph);

/* With enabled = 0, ops compute values but record nothing to differentiate (like
 * torch.no_grad()), for inference; 1 turns recording back on. */
charnn_status charnn_graph_set_recording(charnn_graph *graph, int enabled);

/* Releases a graph and all its tensors. NULL is ignored; so is a handle that is not a graph. */
void charnn_graph_free(charnn_graph *graph);

/* A tensor on `graph` with `rank` dimensions shape[0 .. rank) (shape may be NULL for a scalar),
 * holding a copy of data[0 .. product of the dimensions), or zeros when data is NULL. With
 * requires_grad non-zero, backward computes its gradient (read it with
 * charnn_tensor_read_grad): an input for a gradient check. Since 0.4 (before:
 * charnn_tensor_new, still exported). */
charnn_status charnn_tensor_create(charnn_graph *graph, const int64_t *shape, size_t rank, const float *data,
                                   int requires_grad, charnn_tensor **out);

/* A tensor on `graph` filled uniformly in [low, high) by a generator seeded with `seed`. Since
 * 0.4 (before: charnn_tensor_uniform). */
charnn_status charnn_tensor_create_uniform(charnn_graph *graph, const int64_t *shape, size_t rank, float low,
                                           float high, uint64_t seed, charnn_tensor **out);

/* torch.nn.init.kaiming_uniform_ with its defaults (a = 0, fan_in = the last dimension, gain
 * sqrt(2)): uniform in +-sqrt(6 / fan_in). The article's init_hidden() on a 1 x hidden tensor.
 * Since 0.4 (before: charnn_tensor_kaiming_uniform). */
charnn_status charnn_tensor_create_kaiming_uniform(charnn_graph *graph, const int64_t *shape, size_t rank,
                                                   uint64_t seed, charnn_tensor **out);

/* A parameter: a long-lived tensor that requires gradients, holding a copy of data (zeros when
 * data is NULL). Release it with charnn_tensor_free. Since 0.4 (before: charnn_parameter_new). */
charnn_status charnn_parameter_create(const int64_t *shape, size_t rank, const float *data, charnn_tensor **out);

/* A parameter filled uniformly in [low, high) (seeded). torch.nn.Linear initialises its weight
 * and bias with low = -1/sqrt(in_features), high = +1/sqrt(in_features). Since 0.4 (before:
 * charnn_parameter_uniform). */
charnn_status charnn_parameter_create_uniform(const int64_t *shape, size_t rank, float low, float high,
                                              uint64_t seed, charnn_tensor **out);

/* The shape: *rank (may be NULL) receives the rank and shape[0 .. rank) the dimensions; shape
 * may be NULL, else it must hold `capacity` >= rank elements (CHARNN_BUFFER_TOO_SMALL). */
charnn_status charnn_tensor_shape(const charnn_tensor *tensor, int64_t *shape, size_t capacity, size_t *rank);

/* Copies the values (row-major) into out[0 .. count), count being the number of elements;
 * CHARNN_BUFFER_TOO_SMALL, nothing written, when capacity < count. */
charnn_status charnn_tensor_read(const charnn_tensor *tensor, float *out, size_t capacity);

/* Copies the gradient like charnn_tensor_read: a parameter's accumulated gradient, or a graph
 * tensor's from the last backward. CHARNN_INVALID_ARGUMENT when the tensor has none (it does
 * not require one, or backward has not reached it). */
charnn_status charnn_tensor_read_grad(const charnn_tensor *tensor, float *out, size_t capacity);

/* The value of a one-element tensor (a loss). */
charnn_status charnn_tensor_item(const charnn_tensor *tensor, float *out);

/* Overwrites a parameter's values with data[0 .. count); count must be its element count.
 * Graph tensors are immutable (CHARNN_INVALID_ARGUMENT). */
charnn_status charnn_tensor_write(charnn_tensor *tensor, const float *data, size_t count);

/* Releases a parameter. NULL is ignored, and so are graph tensors (their graph owns them). The
 * handle is invalid at once, but an optimizer made over the parameter keeps its values alive (and
 * goes on updating them) until the optimizer is freed. */
void charnn_tensor_free(charnn_tensor *tensor);

/* Differentiable ops. Each makes a new tensor on `graph` (*out) from tensors of that graph or
 * parameters; CHARNN_INVALID_ARGUMENT for a tensor of another graph or made before a reset. */

/* [m, k] x [k, n] -> [m, n]. */
charnn_status charnn_op_matmul(charnn_graph *graph, const charnn_tensor *a, const charnn_tensor *b, charnn_tensor **out);
/* x W^T + bias, PyTorch's layout: x [.., in], weight [out, in], bias [out] or NULL -> [.., out]. */
charnn_status charnn_op_linear(charnn_graph *graph, const charnn_tensor *x, const charnn_tensor *weight,
                               const charnn_tensor *bias, charnn_tensor **out);
/* Elementwise a + b, a - b, a * b; b may also be one row ([cols] or [1, cols]) applied to every row of a. */
charnn_status charnn_op_add(charnn_graph *graph, const charnn_tensor *a, const charnn_tensor *b, charnn_tensor **out);
charnn_status charnn_op_sub(charnn_graph *graph, const charnn_tensor *a, const charnn_tensor *b, charnn_tensor **out);
charnn_status charnn_op_mul(charnn_graph *graph, const charnn_tensor *a, const charnn_tensor *b, charnn_tensor **out);
/* Columns side by side: [r, a] and [r, b] -> [r, a + b] (torch.cat((a, b), 1)). */
charnn_status charnn_op_concat(charnn_graph *graph, const charnn_tensor *a, const charnn_tensor *b, charnn_tensor **out);
/* Columns start .. start + length of every row: [r, c] -> [r, length]. */
charnn_status charnn_op_slice(charnn_graph *graph, const charnn_tensor *x, size_t start, size_t length,
                              charnn_tensor **out);
/* Elementwise functions. log of a non-positive value is -inf or NaN, as in PyTorch. */
charnn_status charnn_op_sigmoid(charnn_graph *graph, const charnn_tensor *x, charnn_tensor **out);
charnn_status charnn_op_tanh(charnn_graph *graph, const charnn_tensor *x, charnn_tensor **out);
charnn_status charnn_op_relu(charnn_graph *graph, const charnn_tensor *x, charnn_tensor **out);
charnn_status charnn_op_exp(charnn_graph *graph, const charnn_tensor *x, charnn_tensor **out);
charnn_status charnn_op_log(charnn_graph *graph, const charnn_tensor *x, charnn_tensor **out);
/* Sum and mean of all elements -> a scalar. */
charnn_status charnn_op_sum(charnn_graph *graph, const charnn_tensor *x, charnn_tensor **out);
charnn_status charnn_op_mean(charnn_graph *graph, const charnn_tensor *x, charnn_tensor **out);
/* log-softmax of every row, computed stably. */
charnn_status charnn_op_log_softmax(charnn_graph *graph, const charnn_tensor *x, charnn_tensor **out);
/* Cross-entropy of logits [count, classes] (or [classes] for count 1) against targets[0 .. count),
 * mean over the rows (torch.nn.functional.cross_entropy), fused with the log-softmax -> a scalar. */
charnn_status charnn_op_cross_entropy(charnn_graph *graph, const charnn_tensor *logits, const int32_t *targets,
                                      size_t count, charnn_tensor **out);
/* Rows indices[0 .. count) of table [rows, width] -> [count, width]: a one-hot product done as
 * a lookup; its gradient adds into the picked rows. */
charnn_status charnn_op_embedding(charnn_graph *graph, const charnn_tensor *table, const int32_t *indices,
                                  size_t count, charnn_tensor **out);
/* One-hot rows [count, depth] (a constant): the article's letter_to_tensor for one index, or a
 * whole name with charnn_vocabulary_encode's indices. */
charnn_status charnn_op_one_hot(charnn_graph *graph, const int32_t *indices, size_t count, size_t depth,
                                charnn_tensor **out);

/* A name's symbol indices in the article's 59-symbol vocabulary (a = 0 .. z = 25, A = 26 ..
 * Z = 51, then " .,:;-'"), after transliteration to ASCII; characters without a symbol are
 * dropped. *length (may be NULL) receives the number of indices; CHARNN_BUFFER_TOO_SMALL,
 * nothing written, when capacity is less; CHARNN_INVALID_ARGUMENT when no character is left.
 * Since 0.4 (before: charnn_encode_name). A model's own alphabet: charnn_model_encode. */
charnn_status charnn_vocabulary_encode(const char *name, int32_t *indices, size_t capacity, size_t *length);

/* Backpropagates from a one-element tensor (a loss) on `graph`: every tensor and parameter it
 * depends on that requires a gradient gets one; parameters accumulate. Since 0.4 (before:
 * charnn_backward). */
charnn_status charnn_graph_backward(charnn_graph *graph, const charnn_tensor *loss);

/* Backpropagates from any tensor with `seed` (count = its element count) as the gradient
 * flowing into it, like PyTorch's y.backward(gradient=seed). Since 0.4 (before:
 * charnn_backward_seeded). */
charnn_status charnn_graph_backward_seeded(charnn_graph *graph, const charnn_tensor *output, const float *seed,
                                           size_t count);

/* Sets the gradients of parameters[0 .. count) to zero. Since 0.4 (before: charnn_zero_grad). */
charnn_status charnn_parameters_zero_grad(charnn_tensor *const *parameters, size_t count);

/* torch.nn.utils.clip_grad_norm_: the L2 norm of all the parameters' gradients together into
 * *total_norm (may be NULL); when it exceeds max_norm every gradient is scaled by
 * max_norm / (norm + 1e-6). Since 0.4 (before: charnn_clip_grad_norm). */
charnn_status charnn_parameters_clip_grad_norm(charnn_tensor *const *parameters, size_t count, float max_norm,
                                               float *total_norm);

typedef struct charnn_adam_config {
    size_t struct_size;     /* sizeof(charnn_adam_config), set by charnn_adam_config_init */
    float learning_rate;    /* default 1e-3 */
    float beta1;            /* default 0.9 */
    float beta2;            /* default 0.999 */
    float epsilon;          /* default 1e-8 */
    float weight_decay;     /* default 0 */
    int32_t decoupled;      /* non-zero: AdamW's decoupled weight decay; default 0 (Adam) */
} charnn_adam_config;

/* Fills *config with torch.optim.Adam's defaults. NULL is ignored. */
void charnn_adam_config_init(charnn_adam_config *config);

/* Adam (or AdamW) over parameters[0 .. count) (each a distinct parameter), with PyTorch's
 * semantics; config may be NULL for the defaults. Since 0.4 (before: charnn_optimizer_adam). */
charnn_status charnn_optimizer_create_adam(charnn_tensor *const *parameters, size_t count,
                                           const charnn_adam_config *config, charnn_optimizer **out);

/* Since 0.4. */
typedef struct charnn_sgd_config {
    size_t struct_size;     /* sizeof(charnn_sgd_config), set by charnn_sgd_config_init */
    float learning_rate;    /* >= 0; default 1e-3 (torch.optim.SGD's) */
    float momentum;         /* in [0, 1); default 0 */
    float weight_decay;     /* >= 0; default 0 */
} charnn_sgd_config;

/* Fills *config with torch.optim.SGD's defaults (no momentum, dampening or Nesterov, which
 * charnn does not have). NULL is ignored. Since 0.4. */
void charnn_sgd_config_init(charnn_sgd_config *config);

/* torch.optim.SGD over parameters[0 .. count) (each a distinct parameter); config may be NULL
 * for the defaults. Since 0.4 (before: charnn_optimizer_sgd, which takes the three numbers). */
charnn_status charnn_optimizer_create_sgd(charnn_tensor *const *parameters, size_t count,
                                          const charnn_sgd_config *config, charnn_optimizer **out);

/* One update from the current gradients (they are not zeroed). CHARNN_DIVERGED when a weight
 * would become NaN or infinite: those weights keep their old values. */
charnn_status charnn_optimizer_step(charnn_optimizer *optimizer);

/* Sets the gradients of the optimizer's parameters to zero. */
charnn_status charnn_optimizer_zero_grad(charnn_optimizer *optimizer);

/* Changes the learning rate (for a schedule). */
charnn_status charnn_optimizer_set_learning_rate(charnn_optimizer *optimizer, float learning_rate);

/* Releases an optimizer (not its parameters). NULL is ignored. */
void charnn_optimizer_free(charnn_optimizer *optimizer);

/* ---------------------------------------------------------------------------------------------
 * Deprecated names
 *
 * The names 0.1 to 0.3 gave these functions, before the naming rule (CONVENTIONS, "Names").
 * They are the same functions under their old names, still exported (the ABI is unchanged),
 * and will stay until the ABI version changes. Each says what to use instead.
 * ------------------------------------------------------------------------------------------- */

CHARNN_DEPRECATED("use charnn_tensor_create")
charnn_status charnn_tensor_new(charnn_graph *graph, const int64_t *shape, size_t rank, const float *data,
                                int requires_grad, charnn_tensor **out);
CHARNN_DEPRECATED("use charnn_tensor_create_uniform")
charnn_status charnn_tensor_uniform(charnn_graph *graph, const int64_t *shape, size_t rank, float low, float high,
                                    uint64_t seed, charnn_tensor **out);
CHARNN_DEPRECATED("use charnn_tensor_create_kaiming_uniform")
charnn_status charnn_tensor_kaiming_uniform(charnn_graph *graph, const int64_t *shape, size_t rank, uint64_t seed,
                                            charnn_tensor **out);
CHARNN_DEPRECATED("use charnn_parameter_create")
charnn_status charnn_parameter_new(const int64_t *shape, size_t rank, const float *data, charnn_tensor **out);
CHARNN_DEPRECATED("use charnn_parameter_create_uniform")
charnn_status charnn_parameter_uniform(const int64_t *shape, size_t rank, float low, float high, uint64_t seed,
                                       charnn_tensor **out);
CHARNN_DEPRECATED("use charnn_vocabulary_encode")
charnn_status charnn_encode_name(const char *name, int32_t *indices, size_t capacity, size_t *length);
CHARNN_DEPRECATED("use charnn_graph_backward")
charnn_status charnn_backward(charnn_graph *graph, const charnn_tensor *loss);
CHARNN_DEPRECATED("use charnn_graph_backward_seeded")
charnn_status charnn_backward_seeded(charnn_graph *graph, const charnn_tensor *output, const float *seed, size_t count);
CHARNN_DEPRECATED("use charnn_parameters_zero_grad")
charnn_status charnn_zero_grad(charnn_tensor *const *parameters, size_t count);
CHARNN_DEPRECATED("use charnn_parameters_clip_grad_norm")
charnn_status charnn_clip_grad_norm(charnn_tensor *const *parameters, size_t count, float max_norm, float *total_norm);
CHARNN_DEPRECATED("use charnn_optimizer_create_adam")
charnn_status charnn_optimizer_adam(charnn_tensor *const *parameters, size_t count, const charnn_adam_config *config,
                                    charnn_optimizer **out);
/* charnn_optimizer_create_sgd with a config of these three numbers. */
CHARNN_DEPRECATED("use charnn_optimizer_create_sgd with a charnn_sgd_config")
charnn_status charnn_optimizer_sgd(charnn_tensor *const *parameters, size_t count, float learning_rate, float momentum,
                                   float weight_decay, charnn_optimizer **out);

#ifdef __cplusplus
}
#endif

#endif /* CHARNN_H */
