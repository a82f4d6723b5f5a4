/*
 * charnn — train, test and run character-level text classifiers from the command line, through
 * charnn's C API (include/charnn.h) only.
 *
 *   charnn train DATA --out MODEL [data flags] [text flags] [model and training flags]
 *       Loads DATA (a directory of <Label>.txt files or a CSV/TSV file), prints a summary of it,
 *       holds back a stratified test split (--test-size 0.1 --seed 0 by default; --test-size 0
 *       for none) unless --test FILE is given (then trains on all of DATA and evaluates on FILE),
 *       trains with a progress line on stderr (Ctrl-C stops early and keeps what was learned),
 *       saves MODEL, prints per-label precision/recall/F1 and ends with the line
 *       `test accuracy: NN.NN%` (no evaluation with --test-size 0 and no --test).
 *   charnn test MODEL DATA [--top-k K] [--json] [--confusion] [data flags]
 *       Per-label support, precision, recall and F1 (labels in the data or predicted), macro and
 *       weighted averages, the confusion matrix (30 labels or fewer, or --confusion), top-1 and
 *       top-K accuracy and macro-F1, then `test accuracy: NN.NN%`; with --json one JSON object
 *       with all of it instead. DATA is read with the model's own alphabet and normalisation.
 *   charnn predict MODEL [TEXT...] [-k N] [--json]
 *       The most likely labels of each TEXT, or of each line of standard input (streamed: every
 *       line is answered as soon as it is read). Output `TEXT<TAB>label<TAB>probability`
 *       (k = 1), `TEXT<TAB>l1 (p1%), l2 (p2%), ...` (k > 1), or with --json one object per line:
 *       {"text": ..., "predictions": [{"label": ..., "probability": ...}], "unknown": N}
 *       (N: characters the model's alphabet lacks). A line that cannot be read (empty, invalid
 *       UTF-8, no readable character, over 1024 characters) gets a message on stderr naming its
 *       line number; the others go on; the exit status is then 1.
 *   charnn info MODEL
 *       The model's kind, sizes, weights, labels and alphabet.
 *   charnn --version | --help | VERB --help
 *
 * Data flags (train, test):
 *   --format auto|dir|csv|tsv   auto: a directory; a .tsv or .tab file as TSV; any other as CSV
 *   --no-header                 CSV/TSV: the first row is data, not column names
 *   --text-column C             CSV/TSV: a column name or 0-based index (default 0)
 *   --label-column C            CSV/TSV: likewise (default 1)
 * Text flags (train):
 *   --alphabet article|learned|explicit:STRING   default article (the 59 ASCII symbols)
 *   --min-count N  --max-symbols N               learned alphabets only
 *   --normalize none|nfc|nfkc  --casefold  --transliterate | --no-transliterate
 * Model and training flags (train; defaults are the library's: charnn_model_config_init and
 * charnn_train_config_init, i.e. a 2-layer GRU of hidden size 256, 2 epochs, batch 1, Adam lr 1e-3):
 *   --model elman|gru|lstm  --hidden N  --layers N  --epochs N  --batch N  --lr X
 *   --optimizer adam|adamw|sgd  --weight-decay X  --clip X  --seed N  --test-size F  --test FILE  --quiet
 * Validation, schedules and the loss (train; defaults: none, constant, plain cross-entropy):
 *   --validation F  --patience N  --no-restore-best
 *   --schedule constant|cosine|step|plateau  --warmup N|F  --min-lr X  --step-size N  --gamma X
 *   --plateau-factor X  --plateau-patience N  --label-smoothing X  --class-weights none|balanced
 *   With --validation every epoch ends with a line of the validation loss, accuracy and lr.
 *
 * Exit status: 0 success, 1 a library error (the message is charnn_last_error()) or a failed
 * prediction, 2 a usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include <charnn.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- usage ------------------------------------------------------------------------------- */

static const char *const usage_main =
    "usage: charnn train DATA --out MODEL [flags]   train a classifier (charnn train --help)\n"
    "       charnn test MODEL DATA [flags]          top-1/top-k accuracy, per-label precision/recall/F1\n"
    "       charnn predict MODEL [TEXT...] [-k N] [--json]   label texts (standard input without TEXT)\n"
    "       charnn info MODEL                       what a model is and reads\n"
    "       charnn quantize MODEL OUT               an int8 copy of MODEL: about 4x smaller, faster\n"
    "       charnn --version | --help | VERB --help\n";

static const char *const usage_train =
    "usage: charnn train DATA --out MODEL [flags]\n"
    "  DATA is a directory of <Label>.txt files (one text per line) or a CSV/TSV file of text,label rows.\n"
    "data:\n"
    "  --format auto|dir|csv|tsv   how to read DATA (auto: directory, *.tsv/*.tab TSV, else CSV)\n"
    "  --no-header                 CSV/TSV: no header row\n"
    "  --text-column C             CSV/TSV: text column, a name or 0-based index (default 0)\n"
    "  --label-column C            CSV/TSV: label column (default 1)\n"
    "text:\n"
    "  --alphabet article|learned|explicit:STRING   symbols the model reads (default article:\n"
    "                              the 59 ASCII letters and punctuation of the article)\n"
    "  --min-count N               learned: keep characters seen at least N times (default 1)\n"
    "  --max-symbols N             learned: keep at most the N most frequent (default no cap)\n"
    "  --normalize none|nfc|nfkc   Unicode normalisation (default none for article, else nfc)\n"
    "  --casefold                  fold case (Straße -> strasse)\n"
    "  --transliterate, --no-transliterate   to ASCII first (default on for article only)\n"
    "recipes (tested settings for your own short strings; later flags change them):\n"
    "  --recipe fast|best          learned alphabet; fast: a bag of character n-grams alone (fastText's\n"
    "                              model), 5 epochs; best: the bag beside a bidirectional GRU, up to\n"
    "                              10 epochs with validation and early stopping\n"
    "model and training (defaults: the library's):\n"
    "  --model elman|gru|lstm      default gru\n"
    "  --hidden N                  hidden size, 1..4096 (default 256); 0 with --ngrams: the n-gram\n"
    "                              bag alone, no recurrent layers (fastText's model)\n"
    "  --layers N                  1..16 (default 1 for elman, 2 for gru and lstm)\n"
    "  --embedding N               gru/lstm: learned embedding of N numbers per symbol (default 0: one-hot)\n"
    "  --bidirectional             gru/lstm: read every text both ways\n"
    "  --pooling last|mean|max     gru/lstm: what the head reads over time (default last)\n"
    "  --dropout P                 gru/lstm: between layers and before the head, 0 <= P < 1 (default 0)\n"
    "  --ngrams N                  gru/lstm: a bag of hashed character n-grams (N buckets) beside the\n"
    "                              recurrent features, fastText's idea (default 0: none)\n"
    "  --ngram-dim N  --ngram-min N  --ngram-max N   its vectors and n-gram lengths (default 64, 1, 5)\n"
    "  --epochs N                  default 2\n"
    "  --batch N                   texts per step, 1..65536 (default 1)\n"
    "  --lr X                      learning rate (default 0.001)\n"
    "  --optimizer adam|adamw|sgd  default adam (adamw: decoupled weight decay)\n"
    "  --weight-decay X            L2 penalty (adam, sgd) or decoupled decay (adamw); default 0\n"
    "  --clip X                    clip the gradient norm to X (default 0: off)\n"
    "  --seed N                    seeds weights, shuffles and the split (default 0)\n"
    "evaluation and output:\n"
    "  --test-size F               stratified share held back for testing, 0 <= F < 1 (default 0.1)\n"
    "  --test FILE                 train on all of DATA, test on FILE (read with the same flags)\n"
    "  --quiet                     print only the final `test accuracy:` line and errors\n"
    "  --out MODEL                 where to save the model (required)\n"
    "validation and early stopping (default: none):\n"
    "  --validation F              hold out a stratified share 0 <= F < 1 of the training data and\n"
    "                              score it after every epoch (loss, accuracy, learning rate)\n"
    "  --patience N                stop after N epochs without a lower validation loss (default 0: off)\n"
    "  --no-restore-best           keep the last epoch's weights (default: the best epoch's)\n"
    "learning rate (default: constant):\n"
    "  --schedule constant|cosine|step|plateau   cosine: down to --min-lr over all steps after the\n"
    "                              warm-up; step: x --gamma every --step-size epochs; plateau: x\n"
    "                              --plateau-factor after more than --plateau-patience epochs\n"
    "                              without a lower validation loss (training loss without validation)\n"
    "  --warmup N|F                linear warm-up over N steps (an integer) or a share F < 1 of all steps\n"
    "  --min-lr X                  floor of cosine and plateau (default 0)\n"
    "  --step-size N  --gamma X    step schedule (default 1 and 0.1)\n"
    "  --plateau-factor X  --plateau-patience N   plateau schedule (default 0.1 and 10)\n"
    "loss (default: plain cross-entropy):\n"
    "  --label-smoothing X         0 <= X <= 1, as PyTorch's cross_entropy(label_smoothing=X)\n"
    "  --class-weights none|balanced   balanced: n_rows / (n_labels x rows of the label)\n";

static const char *const usage_test =
    "usage: charnn test MODEL DATA [--top-k K] [--json] [--confusion] [--format auto|dir|csv|tsv]\n"
    "                              [--no-header] [--text-column C] [--label-column C]\n"
    "  Evaluates MODEL on DATA (read with the model's alphabet and normalisation): a table of\n"
    "  support, precision, recall and F1 for each label in the data or predicted, macro and\n"
    "  weighted averages, the confusion matrix (30 labels or fewer), top-1 and top-K accuracy,\n"
    "  macro-F1, then `test accuracy: NN.NN%` (top-1).\n"
    "  Conventions: scikit-learn's zero_division=0 (a rate with nothing to divide by is 0, shown\n"
    "  as -); macro averages over the labels in the data or predicted (f1_score(average=\"macro\")).\n"
    "  -k, --top-k K  also count names whose label is among the K most likely (1 .. labels; default 1)\n"
    "  --confusion    show the confusion matrix for any label count (rows and columns: the labels\n"
    "                 in the data or predicted)\n"
    "  --json         instead, one JSON object: {\"rows\", \"skipped\", \"total\", \"correct\", \"k\",\n"
    "                 \"accuracy\", \"top_k_accuracy\", \"macro_f1\", \"macro\" and \"weighted\":\n"
    "                 {\"precision\", \"recall\", \"f1\"}, \"labels\", \"classes\": [{\"label\", \"precision\",\n"
    "                 \"recall\", \"f1\", \"support\", \"predicted\"}], \"confusion_entries\": [[true, predicted,\n"
    "                 count]] (the non-zero cells, label indices), \"confusion\" (rows of counts, 30 labels\n"
    "                 or fewer, or with --confusion)}\n";

static const char *const usage_predict =
    "usage: charnn predict MODEL [TEXT...] [-k N] [--json]\n"
    "  Labels each TEXT, or each line of standard input when there is none (answered line by line).\n"
    "  -k N       the N most likely labels (default 1)\n"
    "  --json     one JSON object per line: {\"text\", \"predictions\": [{\"label\", \"probability\"}],\n"
    "             \"unknown\": characters the model's alphabet lacks}\n"
    "  Output: TEXT<TAB>label<TAB>probability (k = 1) or TEXT<TAB>l1 (p1%), l2 (p2%), ... (k > 1).\n"
    "  Lines that cannot be read are reported on stderr with their number; the exit status is 1.\n"
    "  Use -- before texts that begin with '-'.\n";

static const char *const usage_info =
    "usage: charnn info MODEL\n"
    "  The model's kind, sizes, options (GRU and LSTM: embedding, bidirectional, pooling, dropout,\n"
    "  n-grams), weights (float or int8), labels and alphabet.\n";

static const char *const usage_quantize =
    "usage: charnn quantize MODEL OUT\n"
    "  Writes to OUT an int8 copy of MODEL (a GRU or an LSTM): each weight matrix quantized per row\n"
    "  (w ~ q x scale, q in -127..127), biases and the head kept float. OUT is about 4x smaller and\n"
    "  predicts faster; check its accuracy with charnn test. It cannot be trained further: keep MODEL.\n"
    "  OUT is written atomically and may not be MODEL itself.\n";

/* ---- errors ------------------------------------------------------------------------------ */

/* A usage error: the message, a hint, exit status 2. */
static int usage_error(const char *verb, const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("charnn: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    if (verb) fprintf(stderr, "Try 'charnn %s --help'.\n", verb);
    else fputs("Try 'charnn --help'.\n", stderr);
    return 2;
}

/* A library error: charnn_last_error(), exit status 1. */
static int library_error(charnn_status status) {
    const char *message = charnn_last_error();
    fprintf(stderr, "charnn: %s\n", message[0] ? message : charnn_status_string(status));
    return 1;
}

static int out_of_memory(void) {
    fputs("charnn: out of memory\n", stderr);
    return 1;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- arguments --------------------------------------------------------------------------- */

/* Walks a verb's arguments: options (--name, --name=value, -k N) and positionals, with "--"
 * ending the options. */
typedef struct {
    const char *verb;
    int argc;
    char **argv;
    int index;
    int options_done;
    char name[64];            /* the current option without "=value" */
    const char *inline_value; /* after '=', or NULL */
} arg_walk;

/* The next argument: 1 and *option = 1 with w->name set for an option, 1 and *positional set
 * for a positional, 0 at the end. */
static int next_arg(arg_walk *w, int *option, const char **positional) {
    while (w->index < w->argc) {
        const char *arg = w->argv[w->index++];
        if (!w->options_done && !strcmp(arg, "--")) { w->options_done = 1; continue; }
        if (!w->options_done && arg[0] == '-' && arg[1] != '\0') {
            const char *equals = arg[1] == '-' ? strchr(arg, '=') : NULL;
            size_t length = equals ? (size_t)(equals - arg) : strlen(arg);
            if (length >= sizeof w->name) length = sizeof w->name - 1;
            memcpy(w->name, arg, length);
            w->name[length] = '\0';
            w->inline_value = equals ? equals + 1 : NULL;
            *option = 1;
            return 1;
        }
        *option = 0;
        *positional = arg;
        return 1;
    }
    return 0;
}

/* The current option's value, or NULL after a usage message (the caller returns 2). */
static const char *option_value(arg_walk *w) {
    if (w->inline_value) return w->inline_value;
    if (w->index >= w->argc) {
        usage_error(w->verb, "%s needs a value", w->name);
        return NULL;
    }
    return w->argv[w->index++];
}

/* For flags without a value: refuses --flag=value. */
static int no_value(arg_walk *w) {
    if (!w->inline_value) return 1;
    usage_error(w->verb, "%s takes no value", w->name);
    return 0;
}

static int parse_int(arg_walk *w, const char *text, long long min, long long max, long long *out) {
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno || *end || end == text || value < min || value > max) {
        usage_error(w->verb, "%s needs an integer in %lld..%lld, got '%s'", w->name, min, max, text);
        return 0;
    }
    *out = value;
    return 1;
}

static int parse_u64(arg_walk *w, const char *text, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno || *end || end == text || text[0] == '-' || text[0] == '+' || text[0] == ' ') {
        usage_error(w->verb, "%s needs an integer in 0..%llu, got '%s'", w->name, (unsigned long long)UINT64_MAX, text);
        return 0;
    }
    *out = (uint64_t)value;
    return 1;
}

/* A number in [min, max], or in [min, max) when max_open. */
static int parse_double(arg_walk *w, const char *text, double min, double max, int max_open, double *out) {
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || *end || end == text || !(value >= min && (max_open ? value < max : value <= max))) {
        usage_error(w->verb, "%s needs a number in [%g, %g%s, got '%s'", w->name, min, max, max_open ? ")" : "]", text);
        return 0;
    }
    *out = value;
    return 1;
}

/* ---- data and text flags ----------------------------------------------------------------- */

typedef struct {
    charnn_data_config data;
    charnn_text_config text;
    const char *text_flag;     /* the first text flag given (test: ignored, with a note) */
    const char *learned_only;  /* --min-count or --max-symbols, given */
} data_flags;

static void data_flags_init(data_flags *f) {
    memset(f, 0, sizeof *f);
    charnn_data_config_init(&f->data);
    charnn_text_config_init(&f->text);
}

/* Handles a data or text flag: -1 when w->name is neither, 0 when handled, 2 after a usage error. */
static int data_flag(arg_walk *w, data_flags *f) {
    const char *name = w->name, *value;
    if (!strcmp(name, "--format")) {
        if (!(value = option_value(w))) return 2;
        if (!strcmp(value, "auto")) f->data.format = CHARNN_FORMAT_AUTO;
        else if (!strcmp(value, "dir") || !strcmp(value, "directory")) f->data.format = CHARNN_FORMAT_DIRECTORY;
        else if (!strcmp(value, "csv")) f->data.format = CHARNN_FORMAT_CSV;
        else if (!strcmp(value, "tsv")) f->data.format = CHARNN_FORMAT_TSV;
        else return usage_error(w->verb, "--format is auto, dir, csv or tsv, not '%s'", value);
        return 0;
    }
    if (!strcmp(name, "--no-header")) { if (!no_value(w)) return 2; f->data.header = 0; return 0; }
    if (!strcmp(name, "--text-column")) {
        if (!(value = option_value(w))) return 2;
        if (!*value) return usage_error(w->verb, "--text-column needs a column name or index");
        f->data.text_column = value;
        return 0;
    }
    if (!strcmp(name, "--label-column")) {
        if (!(value = option_value(w))) return 2;
        if (!*value) return usage_error(w->verb, "--label-column needs a column name or index");
        f->data.label_column = value;
        return 0;
    }

    /* Text flags. */
    const char *flag = NULL;
    if (!strcmp(name, "--alphabet")) {
        if (!(value = option_value(w))) return 2;
        f->text.symbols = NULL;
        if (!strcmp(value, "article")) f->text.alphabet = CHARNN_ALPHABET_ARTICLE;
        else if (!strcmp(value, "learned")) f->text.alphabet = CHARNN_ALPHABET_LEARNED;
        else if (!strncmp(value, "explicit:", 9)) {
            if (!value[9]) return usage_error(w->verb, "--alphabet explicit: needs the symbols after the colon");
            f->text.alphabet = CHARNN_ALPHABET_EXPLICIT;
            f->text.symbols = value + 9;
        } else {
            return usage_error(w->verb, "--alphabet is article, learned or explicit:STRING, not '%s'", value);
        }
        flag = "--alphabet";
    } else if (!strcmp(name, "--min-count") || !strcmp(name, "--max-symbols")) {
        int min_count = !strcmp(name, "--min-count");
        long long n;
        if (!(value = option_value(w))) return 2;
        if (!parse_int(w, value, 1, min_count ? INT32_MAX : CHARNN_MAX_ALPHABET_SIZE - 1, &n)) return 2;
        if (min_count) f->text.min_count = (int32_t)n;
        else f->text.max_symbols = (int32_t)n;
        f->learned_only = min_count ? "--min-count" : "--max-symbols";
        flag = f->learned_only;
    } else if (!strcmp(name, "--normalize")) {
        if (!(value = option_value(w))) return 2;
        if (!strcmp(value, "none")) f->text.normalize = CHARNN_NORMALIZE_NONE;
        else if (!strcmp(value, "nfc")) f->text.normalize = CHARNN_NORMALIZE_NFC;
        else if (!strcmp(value, "nfkc")) f->text.normalize = CHARNN_NORMALIZE_NFKC;
        else return usage_error(w->verb, "--normalize is none, nfc or nfkc, not '%s'", value);
        flag = "--normalize";
    } else if (!strcmp(name, "--casefold")) {
        if (!no_value(w)) return 2;
        f->text.case_fold = 1;
        flag = "--casefold";
    } else if (!strcmp(name, "--transliterate") || !strcmp(name, "--no-transliterate")) {
        if (!no_value(w)) return 2;
        f->text.transliterate = name[2] == 't';
        flag = name[2] == 't' ? "--transliterate" : "--no-transliterate";
    } else {
        return -1;
    }
    if (!f->text_flag) f->text_flag = flag;
    return 0;
}

static int check_text_flags(const char *verb, const data_flags *f) {
    if (f->learned_only && f->text.alphabet != CHARNN_ALPHABET_LEARNED)
        return usage_error(verb, "%s applies to --alphabet learned only", f->learned_only);
    return 0;
}

/* How `model` reads text, as a config to load evaluation data with: the same normalisation and
 * the model's symbols (an explicit alphabet for a learned one, so that nothing is relearned and
 * unknown characters count against the model's alphabet). */
static charnn_status text_config_of_model(const charnn_model *model, charnn_text_config *out) {
    charnn_text_config own;
    charnn_text_config_init(&own);
    charnn_status st = charnn_model_get_text_config(model, &own);
    if (st != CHARNN_OK) return st;
    charnn_text_config_init(out);
    out->normalize = own.normalize;
    out->case_fold = own.case_fold;
    out->transliterate = own.transliterate;
    if (own.alphabet == CHARNN_ALPHABET_ARTICLE) {
        out->alphabet = CHARNN_ALPHABET_ARTICLE;
    } else if (own.symbols && own.symbols[0]) {
        out->alphabet = CHARNN_ALPHABET_EXPLICIT;
        out->symbols = own.symbols;
    } else {
        out->alphabet = CHARNN_ALPHABET_LEARNED; /* no symbols at all: everything is <unk> anyway */
    }
    return CHARNN_OK;
}

/* ---- reading the summary's JSON ---------------------------------------------------------- */

static const char *json_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* Past the value at p (after whitespace), or NULL if malformed. */
static const char *json_skip(const char *p) {
    p = json_ws(p);
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++)
            if (*p == '\\' && p[1]) p++;
        return *p == '"' ? p + 1 : NULL;
    }
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = json_ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                if (!(p = json_skip(p))) return NULL; /* key */
                p = json_ws(p);
                if (*p++ != ':') return NULL;
            }
            if (!(p = json_skip(p))) return NULL;
            p = json_ws(p);
            if (*p == ',') { p = json_ws(p + 1); continue; }
            return *p == close ? p + 1 : NULL;
        }
    }
    if (!*p) return NULL;
    while (*p && !strchr(",}] \t\r\n", *p)) p++;
    return p;
}

static void put_utf8(char **out, char *end, uint32_t c) {
    char bytes[4];
    int n;
    if (c < 0x80) { bytes[0] = (char)c; n = 1; }
    else if (c < 0x800) { bytes[0] = (char)(0xC0 | c >> 6); bytes[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
    else if (c < 0x10000) {
        bytes[0] = (char)(0xE0 | c >> 12); bytes[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        bytes[2] = (char)(0x80 | (c & 0x3F)); n = 3;
    } else {
        bytes[0] = (char)(0xF0 | c >> 18); bytes[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        bytes[2] = (char)(0x80 | ((c >> 6) & 0x3F)); bytes[3] = (char)(0x80 | (c & 0x3F)); n = 4;
    }
    for (int i = 0; i < n && *out < end; i++) *(*out)++ = bytes[i];
}

static uint32_t hex4(const char *p) {
    uint32_t value = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        value = value * 16 + (uint32_t)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
        if (!c) return 0xFFFD;
    }
    return value;
}

/* The JSON string at p decoded into out[0 .. capacity) (truncated, NUL-terminated). */
static void json_string(const char *p, char *out, size_t capacity) {
    char *o = out, *end = out + capacity - 1;
    p = json_ws(p);
    if (*p == '"') p++;
    while (*p && *p != '"' && o < end) {
        if (*p != '\\') { *o++ = *p++; continue; }
        p++;
        switch (*p) {
        case 'n': *o++ = '\n'; p++; break;
        case 't': *o++ = '\t'; p++; break;
        case 'r': *o++ = '\r'; p++; break;
        case 'b': *o++ = '\b'; p++; break;
        case 'f': *o++ = '\f'; p++; break;
        case 'u': {
            uint32_t c = hex4(p + 1);
            p += strnlen(p, 5) >= 5 ? 5 : strlen(p);
            if (c >= 0xD800 && c < 0xDC00 && p[0] == '\\' && p[1] == 'u') {
                uint32_t low = hex4(p + 2);
                if (low >= 0xDC00 && low < 0xE000) { c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00); p += 6; }
            }
            put_utf8(&o, end, c);
            break;
        }
        case '\0': break;
        default: *o++ = *p++; break;
        }
    }
    *o = '\0';
}

/* The value of member `key` of the object at p, or NULL. */
static const char *json_get(const char *p, const char *key) {
    p = json_ws(p);
    if (!p || *p != '{') return NULL;
    p = json_ws(p + 1);
    char name[128];
    while (*p == '"') {
        json_string(p, name, sizeof name);
        if (!(p = json_skip(p))) return NULL;
        p = json_ws(p);
        if (*p++ != ':') return NULL;
        p = json_ws(p);
        if (!strcmp(name, key)) return p;
        if (!(p = json_skip(p))) return NULL;
        p = json_ws(p);
        if (*p == ',') p = json_ws(p + 1);
    }
    return NULL;
}

static double json_number(const char *object, const char *key) {
    const char *p = json_get(object, key);
    return p ? strtod(p, NULL) : NAN;
}

static int json_bool(const char *object, const char *key) {
    const char *p = json_get(object, key);
    return p && !strncmp(p, "true", 4);
}

/* ---- writing ----------------------------------------------------------------------------- */

/* `text` as a JSON string: quotes, backslashes and control characters escaped, UTF-8 as is
 * (the caller has checked that it is valid). */
static void put_json_string(FILE *out, const char *text) {
    putc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        default:
            if (*p < 0x20 || *p == 0x7F) fprintf(out, "\\u%04x", *p);
            else putc(*p, out);
        }
    }
    putc('"', out);
}

/* Columns a UTF-8 string takes on a terminal (wide East Asian characters 2, combining marks 0). */
static size_t display_width(const char *text) {
    size_t width = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        uint32_t c = *p;
        int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (extra) c &= 0x3F >> extra;
        p++;
        for (int i = 0; i < extra && (*p & 0xC0) == 0x80; i++) c = c << 6 | (*p++ & 0x3F);
        if ((c >= 0x300 && c < 0x370) || c == 0x200B || c == 0x200C || c == 0x200D) continue;
        width += (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
                 (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
                 (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x20000 && c <= 0x3FFFD)
                     ? 2 : 1;
    }
    return width;
}

static void pad(FILE *out, const char *text, size_t width) {
    fputs(text, out);
    for (size_t w = display_width(text); w < width; w++) putc(' ', out);
}

/* Prints `text` wrapped at spaces to 100 columns, continuation lines indented by two. */
static void print_paragraph(const char *text) {
    const size_t limit = 100;
    size_t column = 0;
    const char *p = text;
    while (*p) {
        const char *word_end = strchr(p, ' ');
        if (!word_end) word_end = p + strlen(p);
        size_t length = (size_t)(word_end - p);
        if (column > 2 && column + 1 + length > limit) { fputs("\n  ", stdout); column = 2; }
        else if (p != text) { putchar(' '); column++; }
        fwrite(p, 1, length, stdout);
        column += length;
        p = *word_end ? word_end + 1 : word_end;
    }
    putchar('\n');
}

/* A growing string for building paragraphs. */
typedef struct {
    char *data;
    size_t length, capacity;
    int failed;
} strbuf;

static void sb_printf(strbuf *b, const char *format, ...) {
    if (b->failed) return;
    for (;;) {
        va_list args;
        va_start(args, format);
        int n = vsnprintf(b->data ? b->data + b->length : NULL, b->data ? b->capacity - b->length : 0, format, args);
        va_end(args);
        if (n < 0) { b->failed = 1; return; }
        if (b->data && b->length + (size_t)n < b->capacity) { b->length += (size_t)n; return; }
        size_t capacity = (b->capacity ? b->capacity : 256);
        while (capacity <= b->length + (size_t)n) capacity *= 2;
        char *grown = realloc(b->data, capacity);
        if (!grown) { b->failed = 1; return; }
        b->data = grown;
        b->capacity = capacity;
    }
}

static const char *kind_name(int32_t kind) {
    return kind == CHARNN_MODEL_ELMAN ? "elman" : kind == CHARNN_MODEL_GRU ? "gru" : kind == CHARNN_MODEL_LSTM ? "lstm" : "?";
}

static const char *alphabet_name(int32_t alphabet) {
    return alphabet == CHARNN_ALPHABET_ARTICLE ? "article" : alphabet == CHARNN_ALPHABET_LEARNED ? "learned"
           : alphabet == CHARNN_ALPHABET_EXPLICIT ? "explicit" : "?";
}

static const char *normalize_name(int32_t normalize) {
    return normalize == CHARNN_NORMALIZE_NONE ? "none" : normalize == CHARNN_NORMALIZE_NFC ? "nfc"
           : normalize == CHARNN_NORMALIZE_NFKC ? "nfkc" : "default";
}

static const char *plural(double n, const char *one, const char *many) { return n == 1 ? one : many; }

/* ---- data summary ------------------------------------------------------------------------ */

enum { SKIPPED_SHOWN = 5, CLASSES_SHOWN = 12 };

/* The paragraph about a loaded dataset: rows, classes, skipped rows (the first few with
 * file:line and why), scripts, alphabet, unknown characters, repeats. */
static charnn_status print_data_summary(const char *role, const char *path, const charnn_dataset *data) {
    size_t length = 0;
    charnn_status st = charnn_dataset_summary(data, NULL, 0, &length);
    if (st != CHARNN_OK && st != CHARNN_BUFFER_TOO_SMALL) return st;
    char *json = malloc(length + 1);
    if (!json) return CHARNN_INTERNAL_ERROR;
    if ((st = charnn_dataset_summary(data, json, length + 1, NULL)) != CHARNN_OK) { free(json); return st; }

    strbuf b = {0};
    double rows = json_number(json, "rows"), skipped = json_number(json, "skipped");
    double classes = json_number(json, "classes");
    sb_printf(&b, "%s %s: %.0f %s in %.0f %s", role, path, rows, plural(rows, "row", "rows"), classes,
              plural(classes, "class", "classes"));
    /* Labels with their counts, then scripts: both objects of name -> number. */
    const char *objects[2] = {json_get(json, "class_counts"), json_get(json, "scripts")};
    for (int o = 0; o < 2; o++) {
        const char *p = objects[o];
        if (!p || *p != '{') {
            if (o == 0) sb_printf(&b, "; %.0f skipped", skipped);
            continue;
        }
        int limit = o == 0 ? CLASSES_SHOWN : 6, shown = 0, total = 0;
        for (p = json_ws(p + 1); *p == '"';) {
            char name[256];
            json_string(p, name, sizeof name);
            if (!(p = json_skip(p))) break;
            p = json_ws(p);
            if (*p++ != ':') break;
            if (shown < limit) {
                sb_printf(&b, "%s%s %.0f", shown ? ", " : o == 0 ? " (" : "; scripts: ", name, strtod(json_ws(p), NULL));
                shown++;
            }
            total++;
            if (!(p = json_skip(p))) break;
            p = json_ws(p);
            if (*p == ',') p = json_ws(p + 1);
        }
        if (total > shown) sb_printf(&b, ", … %d more", total - shown);
        if (o == 0 && shown) sb_printf(&b, ")");
        if (o == 0) sb_printf(&b, "; %.0f skipped", skipped);
    }
    const char *alphabet = json_get(json, "alphabet");
    if (alphabet) {
        char kind[32] = "?", normalize[32] = "?";
        const char *v;
        if ((v = json_get(alphabet, "kind"))) json_string(v, kind, sizeof kind);
        if ((v = json_get(alphabet, "normalize"))) json_string(v, normalize, sizeof normalize);
        double size = json_number(alphabet, "size");
        sb_printf(&b, "; alphabet %s, %.0f symbols%s (normalize %s%s%s)", kind, size,
                  strcmp(kind, "article") ? " with <unk>" : "", normalize,
                  json_bool(alphabet, "case_fold") ? ", case folded" : "",
                  json_bool(alphabet, "transliterate") ? ", transliterated to ASCII" : "");
    }
    double characters = json_number(json, "characters"), unknown = json_number(json, "unknown_characters");
    if (!isnan(unknown)) {
        sb_printf(&b, "; %.0f unknown %s", unknown, plural(unknown, "character", "characters"));
        if (!isnan(characters) && characters > 0) sb_printf(&b, " of %.0f", characters);
    }
    double duplicates = json_number(json, "duplicates"), conflicts = json_number(json, "conflicts");
    if (duplicates > 0) sb_printf(&b, "; %.0f duplicate %s", duplicates, plural(duplicates, "row", "rows"));
    if (conflicts > 0) sb_printf(&b, "; %.0f %s with more than one label", conflicts, plural(conflicts, "text", "texts"));
    sb_printf(&b, ".");
    free(json);
    if (b.failed) { free(b.data); return CHARNN_INTERNAL_ERROR; }
    print_paragraph(b.data);
    free(b.data);

    size_t skipped_count = 0;
    charnn_dataset_skipped_count(data, &skipped_count);
    for (size_t i = 0; i < skipped_count && i < SKIPPED_SHOWN; i++) {
        char line[512];
        size_t n = 0;
        st = charnn_dataset_skipped(data, i, line, sizeof line, &n);
        if (st == CHARNN_BUFFER_TOO_SMALL) {
            char *longer = malloc(n + 1);
            if (longer && charnn_dataset_skipped(data, i, longer, n + 1, NULL) == CHARNN_OK)
                printf("  skipped %s\n", longer);
            free(longer);
        } else if (st == CHARNN_OK) {
            printf("  skipped %s\n", line);
        }
    }
    if (skipped_count > SKIPPED_SHOWN) printf("  … and %zu more\n", skipped_count - SKIPPED_SHOWN);
    return CHARNN_OK;
}

/* ---- evaluation report ------------------------------------------------------------------- */

/* The confusion matrix is shown (text) or included (JSON) for at most this many labels, unless
 * --confusion asks for it. */
enum { CONFUSION_SHOWN_LABELS = 30 };

typedef struct {
    size_t k;      /* --top-k */
    int quiet;     /* train --quiet: the accuracy line only */
    int json;      /* test --json: one JSON object instead of the text report */
    int confusion; /* --confusion: the matrix whatever the label count */
} report_options;

/* What charnn_metrics gives per label, read once. */
typedef struct {
    double precision, recall, f1;
    int64_t support, predicted;
} class_row;

/* A double as JSON: the shortest of %.15g .. %.17g that reads back as the same number. */
static void put_json_number(FILE *out, double x) {
    char text[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, x);
        if (strtod(text, NULL) == x) break;
    }
    fputs(text, out);
}

/* The non-zero confusion cells, sorted by true label then predicted (charnn_metrics_confusion_entries):
 * memory in proportion to the data, whatever the label count. */
typedef struct {
    int32_t *true_labels, *predicted;
    int64_t *counts;
    size_t count;
} confusion_cells;

static charnn_status read_cells(const charnn_metrics *metrics, confusion_cells *cells) {
    memset(cells, 0, sizeof *cells);
    size_t n = 0;
    charnn_status st = charnn_metrics_confusion_entries(metrics, NULL, NULL, NULL, 0, &n);
    if (st != CHARNN_OK && st != CHARNN_BUFFER_TOO_SMALL) return st;
    cells->true_labels = malloc((n ? n : 1) * sizeof *cells->true_labels);
    cells->predicted = malloc((n ? n : 1) * sizeof *cells->predicted);
    cells->counts = malloc((n ? n : 1) * sizeof *cells->counts);
    if (!cells->true_labels || !cells->predicted || !cells->counts) return CHARNN_INTERNAL_ERROR;
    cells->count = n;
    return charnn_metrics_confusion_entries(metrics, cells->true_labels, cells->predicted, cells->counts, n, NULL);
}

static void free_cells(confusion_cells *cells) {
    free(cells->true_labels);
    free(cells->predicted);
    free(cells->counts);
}

/* The whole evaluation as one JSON object on one line. */
static void print_json_report(const charnn_model *model, const charnn_dataset *data, const charnn_metrics *metrics,
                              const class_row *rows, size_t labels, const confusion_cells *cells, int dense) {
    size_t count = 0, skipped = 0, k = 0, present = 0;
    int64_t total = 0;
    double accuracy = 0, top_k = 0, macro_f1 = 0, p, r, f;
    charnn_dataset_count(data, &count);
    charnn_dataset_skipped_count(data, &skipped);
    charnn_metrics_k(metrics, &k);
    charnn_metrics_total(metrics, &total);
    charnn_metrics_accuracy(metrics, &accuracy);
    charnn_metrics_top_k_accuracy(metrics, &top_k);
    charnn_metrics_macro_f1(metrics, &macro_f1);
    int64_t correct = 0;
    for (size_t i = 0; i < cells->count; i++)
        if (cells->true_labels[i] == cells->predicted[i]) correct += cells->counts[i];
    printf("{\"rows\": %zu, \"skipped\": %zu, \"total\": %lld, \"correct\": %lld, \"k\": %zu, \"accuracy\": ", count,
           skipped, (long long)total, (long long)correct, k);
    put_json_number(stdout, accuracy);
    fputs(", \"top_k_accuracy\": ", stdout);
    put_json_number(stdout, top_k);
    fputs(", \"macro_f1\": ", stdout);
    put_json_number(stdout, macro_f1);
    static const char *const averages[] = {"macro", "weighted"};
    for (int32_t a = 0; a < 2; a++) {
        charnn_metrics_average(metrics, a == 0 ? CHARNN_AVERAGE_MACRO : CHARNN_AVERAGE_WEIGHTED, &p, &r, &f, &present);
        printf(", \"%s\": {\"precision\": ", averages[a]);
        put_json_number(stdout, p);
        fputs(", \"recall\": ", stdout);
        put_json_number(stdout, r);
        fputs(", \"f1\": ", stdout);
        put_json_number(stdout, f);
        if (a == 0) printf(", \"labels\": %zu", present);
        putchar('}');
    }
    fputs(", \"labels\": [", stdout);
    for (size_t i = 0; i < labels; i++) {
        const char *name = "";
        charnn_model_label_name(model, i, &name);
        if (i) fputs(", ", stdout);
        put_json_string(stdout, name);
    }
    fputs("], \"classes\": [", stdout);
    for (size_t i = 0; i < labels; i++) {
        const char *name = "";
        charnn_model_label_name(model, i, &name);
        fputs(i ? ", {\"label\": " : "{\"label\": ", stdout);
        put_json_string(stdout, name);
        fputs(", \"precision\": ", stdout);
        put_json_number(stdout, rows[i].precision);
        fputs(", \"recall\": ", stdout);
        put_json_number(stdout, rows[i].recall);
        fputs(", \"f1\": ", stdout);
        put_json_number(stdout, rows[i].f1);
        printf(", \"support\": %lld, \"predicted\": %lld}", (long long)rows[i].support, (long long)rows[i].predicted);
    }
    fputs("], \"confusion_entries\": [", stdout);
    for (size_t i = 0; i < cells->count; i++)
        printf("%s[%d, %d, %lld]", i ? ", " : "", (int)cells->true_labels[i], (int)cells->predicted[i],
               (long long)cells->counts[i]);
    putchar(']');
    if (dense) {  /* streamed row by row from the sorted cells */
        fputs(", \"confusion\": [", stdout);
        size_t at = 0;
        for (size_t i = 0; i < labels; i++) {
            fputs(i ? ", [" : "[", stdout);
            for (size_t j = 0; j < labels; j++) {
                long long n = 0;
                if (at < cells->count && (size_t)cells->true_labels[at] == i && (size_t)cells->predicted[at] == j)
                    n = (long long)cells->counts[at++];
                printf(j ? ", %lld" : "%lld", n);
            }
            putchar(']');
        }
        putchar(']');
    }
    fputs("}\n", stdout);
}

/* The confusion matrix over labels shown[0 .. count) (all labels, or the present ones), rows
 * true, columns predicted. Columns are headed by the label names when the matrix then fits in
 * 100 columns, else by numbers (the rows' numbers). */
static void print_confusion(const charnn_model *model, const size_t *shown, size_t count, const confusion_cells *cells) {
    size_t labels = 0;
    charnn_model_label_count(model, &labels);
    size_t *column_of = malloc((labels ? labels : 1) * sizeof *column_of);
    size_t *widths = calloc(count ? count : 1, sizeof *widths);
    int64_t *row = calloc(count ? count : 1, sizeof *row);
    if (!column_of || !widths || !row) {
        free(column_of);
        free(widths);
        free(row);
        out_of_memory();
        return;
    }
    for (size_t i = 0; i < labels; i++) column_of[i] = SIZE_MAX;
    for (size_t c = 0; c < count; c++) column_of[shown[c]] = c;
    char digits[32];
    size_t count_width = 1, longest_name = 0, named_total = 0;
    for (size_t i = 0; i < cells->count; i++) {
        size_t c = column_of[cells->predicted[i]], w = (size_t)snprintf(digits, sizeof digits, "%lld", (long long)cells->counts[i]);
        if (c != SIZE_MAX && w > widths[c]) widths[c] = w;
        if (w > count_width) count_width = w;
    }
    for (size_t c = 0; c < count; c++) {
        const char *name = "";
        charnn_model_label_name(model, shown[c], &name);
        size_t w = display_width(name);
        if (w > longest_name) longest_name = w;
        if (w > widths[c]) widths[c] = w;
        named_total += 2 + widths[c];
    }
    int numbered = longest_name + named_total > 100;
    size_t index_width = (size_t)snprintf(digits, sizeof digits, "%zu", count ? count - 1 : 0);
    if (numbered)
        for (size_t c = 0; c < count; c++) widths[c] = count_width > index_width ? count_width : index_width;
    size_t heading_width = longest_name + (numbered ? index_width + 1 : 0);
    printf("\nconfusion matrix (rows: true label, columns: predicted label%s):\n",
           numbered ? ", numbered as the rows" : "");
    pad(stdout, "", heading_width);
    for (size_t c = 0; c < count; c++) {
        const char *name = "";
        charnn_model_label_name(model, shown[c], &name);
        fputs("  ", stdout);
        if (numbered) {
            printf("%*zu", (int)widths[c], c);
        } else {
            for (size_t w = display_width(name); w < widths[c]; w++) putchar(' ');
            fputs(name, stdout);
        }
    }
    putchar('\n');
    for (size_t r = 0; r < count; r++) {
        memset(row, 0, count * sizeof *row);
        size_t label = shown[r], lo = 0, hi = cells->count;
        while (lo < hi) {  /* the cells are sorted by true label: this row's run starts at lo */
            size_t mid = lo + (hi - lo) / 2;
            if ((size_t)cells->true_labels[mid] < label) lo = mid + 1; else hi = mid;
        }
        for (size_t at = lo; at < cells->count && (size_t)cells->true_labels[at] == label; at++)
            if (column_of[cells->predicted[at]] != SIZE_MAX) row[column_of[cells->predicted[at]]] = cells->counts[at];
        const char *name = "";
        charnn_model_label_name(model, label, &name);
        char heading[600];
        if (numbered) snprintf(heading, sizeof heading, "%*zu %s", (int)index_width, r, name);
        else snprintf(heading, sizeof heading, "%s", name);
        pad(stdout, heading, heading_width);
        for (size_t c = 0; c < count; c++) printf("  %*lld", (int)widths[c], (long long)row[c]);
        putchar('\n');
    }
    free(row);
    free(widths);
    free(column_of);
}

/* The text report: a row per present label (support, precision, recall, F1; "-" where a rate is
 * undefined: no names, or never predicted, counted as 0 in the averages), macro and weighted
 * averages, the confusion matrix when asked or small, then the accuracy lines. */
static void print_text_report(const charnn_model *model, const charnn_metrics *metrics, const class_row *rows,
                              size_t labels, const confusion_cells *cells, const report_options *o) {
    size_t width = strlen("weighted avg"), present = 0;
    size_t *shown = malloc((labels ? labels : 1) * sizeof *shown);
    if (!shown) { out_of_memory(); return; }
    for (size_t i = 0; i < labels; i++) {
        if (!rows[i].support && !rows[i].predicted) continue;
        shown[present++] = i;
        const char *name = "";
        charnn_model_label_name(model, i, &name);
        size_t w = display_width(name);
        if (w > width) width = w;
    }
    int64_t total = 0, correct = 0;
    double accuracy = 0, top_k = 0, macro_f1 = 0, p, r, f;
    size_t k = 1;
    charnn_metrics_total(metrics, &total);
    charnn_metrics_accuracy(metrics, &accuracy);
    charnn_metrics_top_k_accuracy(metrics, &top_k);
    charnn_metrics_macro_f1(metrics, &macro_f1);
    charnn_metrics_k(metrics, &k);
    for (size_t i = 0; i < cells->count; i++)
        if (cells->true_labels[i] == cells->predicted[i]) correct += cells->counts[i];

    printf("\n");
    pad(stdout, "label", width);
    printf("  %8s  %9s  %9s  %9s\n", "support", "precision", "recall", "F1");
    for (size_t s = 0; s < present; s++) {
        const class_row *row = &rows[shown[s]];
        const char *name = "";
        charnn_model_label_name(model, shown[s], &name);
        pad(stdout, name, width);
        printf("  %8lld", (long long)row->support);
        if (row->predicted) printf("  %9.4f", row->precision); else printf("  %9s", "-");
        if (row->support) printf("  %9.4f", row->recall); else printf("  %9s", "-");
        printf("  %9.4f\n", row->f1);
    }
    for (int a = 0; a < 2; a++) {
        charnn_metrics_average(metrics, a == 0 ? CHARNN_AVERAGE_MACRO : CHARNN_AVERAGE_WEIGHTED, &p, &r, &f, NULL);
        pad(stdout, a == 0 ? "macro avg" : "weighted avg", width);
        printf("  %8lld  %9.4f  %9.4f  %9.4f\n", (long long)total, p, r, f);
    }
    if (present < labels)
        printf("(%zu of the model's %zu labels neither occur in the data nor were predicted: not shown, not averaged)\n",
               labels - present, labels);

    if (labels <= CONFUSION_SHOWN_LABELS) {
        size_t *all = malloc((labels ? labels : 1) * sizeof *all);
        if (all) {
            for (size_t i = 0; i < labels; i++) all[i] = i;
            print_confusion(model, all, labels, cells);
            free(all);
        }
    } else if (o->confusion) {
        print_confusion(model, shown, present, cells);
    } else {
        printf("(%zu labels: the confusion matrix is shown for %d or fewer, or with --confusion)\n", labels,
               CONFUSION_SHOWN_LABELS);
    }
    free(shown);

    printf("\ntop-1 accuracy: %.2f%% (%lld of %lld)\n", 100 * accuracy, (long long)correct, (long long)total);
    if (k > 1)
        printf("top-%zu accuracy: %.2f%% (%lld of %lld)\n", k, 100 * top_k, (long long)llround(top_k * (double)total),
               (long long)total);
    printf("macro-F1: %.4f (the mean over the %zu %s in the data or predicted)\n", macro_f1, present,
           present == 1 ? "label" : "labels");
}

/* Evaluates, prints the report (text or JSON; nothing with quiet) and, unless JSON, the final
 * `test accuracy:` line. */
static int report(const charnn_model *model, const charnn_dataset *data, const report_options *o) {
    size_t labels = 0;
    charnn_status st = charnn_model_label_count(model, &labels);
    if (st != CHARNN_OK) return library_error(st);
    charnn_metrics *metrics = NULL;
    if ((st = charnn_model_evaluate_metrics(model, data, o->k, &metrics)) != CHARNN_OK) return library_error(st);
    double accuracy = 0;
    charnn_metrics_accuracy(metrics, &accuracy);
    int exit_code = 0;
    if (!o->quiet) {
        class_row *rows = calloc(labels ? labels : 1, sizeof *rows);
        confusion_cells cells;
        if (!rows || (st = read_cells(metrics, &cells)) == CHARNN_INTERNAL_ERROR) {
            exit_code = out_of_memory();
        } else if (st != CHARNN_OK) {
            exit_code = library_error(st);
        } else {
            for (size_t i = 0; i < labels; i++)
                charnn_metrics_class(metrics, i, &rows[i].precision, &rows[i].recall, &rows[i].f1, &rows[i].support,
                                     &rows[i].predicted);
            if (o->json) print_json_report(model, data, metrics, rows, labels, &cells,
                                           o->confusion || labels <= CONFUSION_SHOWN_LABELS);
            else print_text_report(model, metrics, rows, labels, &cells, o);
        }
        if (rows) free_cells(&cells);
        free(rows);
    }
    charnn_metrics_free(metrics);
    if (exit_code) return exit_code;
    if (!o->json) printf("test accuracy: %.2f%%\n", 100 * accuracy);
    return 0;
}

/* train's evaluation of its test part: top-1, the text report unless quiet. */
static int evaluate_and_report(const charnn_model *model, const charnn_dataset *data, int quiet) {
    report_options o = {.k = 1, .quiet = quiet};
    return report(model, data, &o);
}

/* ---- train ------------------------------------------------------------------------------- */

static volatile sig_atomic_t interrupted = 0;
static void on_interrupt(int signal_number) { (void)signal_number; interrupted = 1; }

typedef struct {
    double started, last_shown;
    int terminal;
    int shown; /* a carriage-return line is on screen */
} progress_state;

/* At an epoch's end with validation: ", validation loss L, accuracy A%, lr R" (else ""). */
static void validation_note(const charnn_train_progress *p, char *note, size_t size) {
    note[0] = 0;
    if (p->epoch_end && !isnan(p->validation_loss))
        snprintf(note, size, ", validation loss %.4f, accuracy %.2f%%, lr %.3g", (double)p->validation_loss,
                 100.0 * p->validation_accuracy, (double)p->learning_rate);
}

static int on_progress(const charnn_train_progress *p, void *user_data) {
    progress_state *s = user_data;
    double t = now();
    int epoch_end = p->epoch_end != 0;
    char note[128];
    validation_note(p, note, sizeof note);
    if (s->terminal) {
        if (epoch_end || t - s->last_shown >= 0.1) {
            fprintf(stderr, "\r\033[Kepoch %d/%d  step %lld/%lld (%.0f%%)  loss %.4f  mean %.4f  %.1f s", p->epoch, p->epochs,
                    (long long)p->step, (long long)p->steps, 100.0 * (double)p->step / (double)(p->steps ? p->steps : 1),
                    p->loss, p->running_loss, t - s->started);
            if (epoch_end) fprintf(stderr, "%s\n", note);
            s->shown = !epoch_end;
            s->last_shown = t;
        }
    } else if (epoch_end) {
        fprintf(stderr, "epoch %d/%d: %lld steps, mean loss %.4f%s, %.1f s\n", p->epoch, p->epochs, (long long)p->steps,
                p->running_loss, note, t - s->started);
    }
    return interrupted ? 1 : 0;
}

/* The GRU/LSTM options beyond the article's model, on a line of their own when any is set. */
static void print_model_options(const charnn_model_config *m) {
    char line[256] = "";
    size_t used = 0;
    if (m->embedding_size > 0) used += (size_t)snprintf(line + used, sizeof line - used, "embedding %d", m->embedding_size);
    if (m->bidirectional) used += (size_t)snprintf(line + used, sizeof line - used, "%sbidirectional", used ? ", " : "");
    if (m->pooling != CHARNN_POOLING_LAST)
        used += (size_t)snprintf(line + used, sizeof line - used, "%s%s pooling", used ? ", " : "",
                                 m->pooling == CHARNN_POOLING_MEAN ? "mean" : "max");
    if (m->dropout > 0) used += (size_t)snprintf(line + used, sizeof line - used, "%sdropout %g", used ? ", " : "", (double)m->dropout);
    if (m->ngram_buckets > 0)
        used += (size_t)snprintf(line + used, sizeof line - used, "%s%d-%d-grams in %d buckets of %d", used ? ", " : "",
                                 m->ngram_min, m->ngram_max, m->ngram_buckets, m->ngram_dim);
    if (used) printf("model: %s\n", line);
}

/* The options beyond the article's protocol, on a line of their own when any is set. */
static void print_training_options(const charnn_train_config *t) {
    char line[512] = "", part[160];
    size_t used = 0;
#define ADD(...) do { snprintf(part, sizeof part, __VA_ARGS__); \
        used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", used ? ", " : "", part); } while (0)
    if (t->validation_fraction > 0)
        ADD("validation %g%%%s", 100 * t->validation_fraction, t->restore_best ? " (best epoch kept)" : "");
    if (t->patience > 0) ADD("patience %d", t->patience);
    if (t->schedule == CHARNN_SCHEDULE_COSINE) ADD("cosine schedule to %g", (double)t->min_learning_rate);
    else if (t->schedule == CHARNN_SCHEDULE_STEP) ADD("step schedule x%g every %d epochs", (double)t->gamma, t->step_size);
    else if (t->schedule == CHARNN_SCHEDULE_PLATEAU)
        ADD("plateau schedule x%g after %d epochs, floor %g", (double)t->plateau_factor, t->plateau_patience,
            (double)t->min_learning_rate);
    if (t->warmup_steps > 0) ADD("warm-up %lld steps", (long long)t->warmup_steps);
    if (t->warmup_fraction > 0) ADD("warm-up %g%% of the steps", 100 * t->warmup_fraction);
    if (t->weight_decay > 0) ADD("weight decay %g", (double)t->weight_decay);
    if (t->label_smoothing > 0) ADD("label smoothing %g", (double)t->label_smoothing);
    if (t->class_weights == CHARNN_CLASS_WEIGHTS_BALANCED) ADD("balanced class weights");
#undef ADD
    if (used) printf("training: %s\n", line);
}

static int train(int argc, char **argv) {
    arg_walk w = {.verb = "train", .argc = argc, .argv = argv};
    data_flags flags;
    data_flags_init(&flags);
    charnn_model_config model_config;
    charnn_model_config_init(&model_config);
    charnn_train_config training;
    charnn_train_config_init(&training);
    const char *data_path = NULL, *out_path = NULL, *test_path = NULL, *positional, *value;
    double test_size = 0.1;
    int test_size_given = 0, quiet = 0, option, epochs_given = 0;
    uint64_t seed = 0;

    /* A recipe first, whatever its place on the line: the other flags then change its settings. */
    int32_t recipe = 0;
    for (int i = 0; i < argc && strcmp(argv[i], "--"); i++) {  /* argv[0] is the first flag or DATA */
        const char *r = NULL;
        if (!strcmp(argv[i], "--recipe")) {
            if (i + 1 >= argc) return usage_error("train", "--recipe needs a value (fast or best)");
            r = argv[i + 1];
        } else if (!strncmp(argv[i], "--recipe=", 9)) {
            r = argv[i] + 9;
        }
        if (!r) continue;
        if (!strcmp(r, "fast")) recipe = CHARNN_RECIPE_FAST;
        else if (!strcmp(r, "best")) recipe = CHARNN_RECIPE_BEST;
        else return usage_error("train", "--recipe is fast or best, not '%s'", r);
    }
    if (recipe) {
        charnn_status st = charnn_model_config_recipe(&model_config, recipe);
        if (st == CHARNN_OK) st = charnn_train_config_recipe(&training, recipe, 0);
        if (st != CHARNN_OK) return library_error(st);
        flags.text.alphabet = CHARNN_ALPHABET_LEARNED;
    }

    while (next_arg(&w, &option, &positional)) {
        if (!option) {
            if (data_path) return usage_error("train", "one DATA only (also got '%s')", positional);
            data_path = positional;
            continue;
        }
        int handled = data_flag(&w, &flags);
        if (handled == 2) return 2;
        if (handled == 0) continue;
        const char *name = w.name;
        long long n;
        double x;
        if (!strcmp(name, "-h") || !strcmp(name, "--help")) { fputs(usage_train, stdout); return 0; }
        else if (!strcmp(name, "--quiet") || !strcmp(name, "-q")) { if (!no_value(&w)) return 2; quiet = 1; }
        else if (!strcmp(name, "--out") || !strcmp(name, "-o")) {
            if (!(out_path = option_value(&w))) return 2;
        } else if (!strcmp(name, "--test")) {
            if (!(test_path = option_value(&w))) return 2;
        } else if (!strcmp(name, "--model")) {
            if (!(value = option_value(&w))) return 2;
            if (!strcmp(value, "elman")) model_config.kind = CHARNN_MODEL_ELMAN;
            else if (!strcmp(value, "gru")) model_config.kind = CHARNN_MODEL_GRU;
            else if (!strcmp(value, "lstm")) model_config.kind = CHARNN_MODEL_LSTM;
            else return usage_error("train", "--model is elman, gru or lstm, not '%s'", value);
        } else if (!strcmp(name, "--optimizer")) {
            if (!(value = option_value(&w))) return 2;
            if (!strcmp(value, "adam")) training.optimizer = CHARNN_OPTIMIZER_ADAM;
            else if (!strcmp(value, "adamw")) training.optimizer = CHARNN_OPTIMIZER_ADAMW;
            else if (!strcmp(value, "sgd")) training.optimizer = CHARNN_OPTIMIZER_SGD;
            else return usage_error("train", "--optimizer is adam, adamw or sgd, not '%s'", value);
        } else if (!strcmp(name, "--hidden")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 0, 4096, &n)) return 2;
            model_config.hidden_size = (int32_t)n;
        } else if (!strcmp(name, "--layers")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 1, 16, &n)) return 2;
            model_config.num_layers = (int32_t)n;
        } else if (!strcmp(name, "--embedding")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 0, 4096, &n)) return 2;
            model_config.embedding_size = (int32_t)n;
        } else if (!strcmp(name, "--bidirectional")) {
            if (!no_value(&w)) return 2;
            model_config.bidirectional = 1;
        } else if (!strcmp(name, "--pooling")) {
            if (!(value = option_value(&w))) return 2;
            if (!strcmp(value, "last")) model_config.pooling = CHARNN_POOLING_LAST;
            else if (!strcmp(value, "mean")) model_config.pooling = CHARNN_POOLING_MEAN;
            else if (!strcmp(value, "max")) model_config.pooling = CHARNN_POOLING_MAX;
            else return usage_error("train", "--pooling is last, mean or max, not '%s'", value);
        } else if (!strcmp(name, "--dropout")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 0, 1, 1, &x)) return 2;
            model_config.dropout = (float)x;
        } else if (!strcmp(name, "--ngrams")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 0, 1 << 24, &n)) return 2;
            model_config.ngram_buckets = (int32_t)n;
        } else if (!strcmp(name, "--ngram-dim")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 1, 4096, &n)) return 2;
            model_config.ngram_dim = (int32_t)n;
        } else if (!strcmp(name, "--ngram-min") || !strcmp(name, "--ngram-max")) {
            int is_min = !strcmp(name, "--ngram-min");
            if (!(value = option_value(&w)) || !parse_int(&w, value, 1, is_min ? 3 : 8, &n)) return 2;
            if (is_min) model_config.ngram_min = (int32_t)n;
            else model_config.ngram_max = (int32_t)n;
        } else if (!strcmp(name, "--recipe")) {
            if (!option_value(&w)) return 2;  /* applied before the other flags */
        } else if (!strcmp(name, "--epochs")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 1, 1000000, &n)) return 2;
            training.epochs = (int32_t)n;
            epochs_given = 1;
        } else if (!strcmp(name, "--batch")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 1, 65536, &n)) return 2;
            training.batch_size = (int32_t)n;
        } else if (!strcmp(name, "--lr")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 1e-30, 1e6, 0, &x)) return 2;
            training.learning_rate = (float)x;
        } else if (!strcmp(name, "--clip")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 0, 1e30, 0, &x)) return 2;
            training.clip_norm = (float)x;
        } else if (!strcmp(name, "--weight-decay")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 0, 1e6, 0, &x)) return 2;
            training.weight_decay = (float)x;
        } else if (!strcmp(name, "--validation")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 0, 1, 1, &training.validation_fraction)) return 2;
        } else if (!strcmp(name, "--patience")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 0, 1000000, &n)) return 2;
            training.patience = (int32_t)n;
        } else if (!strcmp(name, "--no-restore-best")) {
            if (!no_value(&w)) return 2;
            training.restore_best = 0;
        } else if (!strcmp(name, "--schedule")) {
            if (!(value = option_value(&w))) return 2;
            if (!strcmp(value, "constant")) training.schedule = CHARNN_SCHEDULE_CONSTANT;
            else if (!strcmp(value, "cosine")) training.schedule = CHARNN_SCHEDULE_COSINE;
            else if (!strcmp(value, "step")) training.schedule = CHARNN_SCHEDULE_STEP;
            else if (!strcmp(value, "plateau")) training.schedule = CHARNN_SCHEDULE_PLATEAU;
            else return usage_error("train", "--schedule is constant, cosine, step or plateau, not '%s'", value);
        } else if (!strcmp(name, "--warmup")) {
            /* An integer is a number of steps; a number below 1 with a point, a share of all steps. */
            if (!(value = option_value(&w))) return 2;
            if (strpbrk(value, ".eE")) {
                if (!parse_double(&w, value, 0, 1, 1, &training.warmup_fraction)) return 2;
                training.warmup_steps = 0;
            } else {
                if (!parse_int(&w, value, 0, INT32_MAX, &n)) return 2;
                training.warmup_steps = n;
                training.warmup_fraction = 0;
            }
        } else if (!strcmp(name, "--min-lr")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 0, 1e6, 0, &x)) return 2;
            training.min_learning_rate = (float)x;
        } else if (!strcmp(name, "--step-size")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 1, 1000000, &n)) return 2;
            training.step_size = (int32_t)n;
        } else if (!strcmp(name, "--gamma")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 1e-30, 1, 0, &x)) return 2;
            training.gamma = (float)x;
        } else if (!strcmp(name, "--plateau-factor")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 1e-30, 1, 1, &x)) return 2;
            training.plateau_factor = (float)x;
        } else if (!strcmp(name, "--plateau-patience")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 0, 1000000, &n)) return 2;
            training.plateau_patience = (int32_t)n;
        } else if (!strcmp(name, "--label-smoothing")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 0, 1, 0, &x)) return 2;
            training.label_smoothing = (float)x;
        } else if (!strcmp(name, "--class-weights")) {
            if (!(value = option_value(&w))) return 2;
            if (!strcmp(value, "none")) training.class_weights = CHARNN_CLASS_WEIGHTS_NONE;
            else if (!strcmp(value, "balanced")) training.class_weights = CHARNN_CLASS_WEIGHTS_BALANCED;
            else return usage_error("train", "--class-weights is none or balanced, not '%s'", value);
        } else if (!strcmp(name, "--seed")) {
            if (!(value = option_value(&w)) || !parse_u64(&w, value, &seed)) return 2;
        } else if (!strcmp(name, "--test-size")) {
            if (!(value = option_value(&w)) || !parse_double(&w, value, 0, 1, 1, &test_size)) return 2;
            test_size_given = 1;
        } else {
            return usage_error("train", "unknown option '%s'", name);
        }
    }
    if (!data_path) return usage_error("train", "train needs DATA");
    if (!out_path) return usage_error("train", "train needs --out MODEL");
    if (check_text_flags("train", &flags)) return 2;
    if (test_path && test_size_given && test_size > 0)
        return usage_error("train", "--test FILE and --test-size %g cannot be combined (--test trains on all of DATA)", test_size);
    if (training.patience > 0 && training.validation_fraction == 0)
        return usage_error("train", "--patience needs --validation F (early stopping watches the validation loss)");
    model_config.seed = seed;
    training.seed = seed;

    charnn_dataset *data = NULL, *train_set = NULL, *test_set = NULL, *split_train = NULL;
    charnn_model *model = NULL;
    charnn_status st;
    int exit_code = 1;

    if ((st = charnn_dataset_load(data_path, &flags.data, &flags.text, &data)) != CHARNN_OK) {
        exit_code = library_error(st);
        goto done;
    }
    if (!quiet && (st = print_data_summary("data", data_path, data)) != CHARNN_OK) {
        exit_code = library_error(st);
        goto done;
    }
    train_set = data;
    if (!test_path && test_size > 0) {
        if ((st = charnn_dataset_split(data, test_size, seed, &split_train, &test_set)) != CHARNN_OK) {
            exit_code = library_error(st);
            goto done;
        }
        train_set = split_train;
    }
    if ((st = charnn_model_create_for_dataset(&model_config, train_set, &model)) != CHARNN_OK) {
        exit_code = library_error(st);
        goto done;
    }
    if (test_path) {
        charnn_text_config read_as;
        if ((st = text_config_of_model(model, &read_as)) != CHARNN_OK ||
            (st = charnn_dataset_load(test_path, &flags.data, &read_as, &test_set)) != CHARNN_OK) {
            exit_code = library_error(st);
            goto done;
        }
        if (!quiet && (st = print_data_summary("test data", test_path, test_set)) != CHARNN_OK) {
            exit_code = library_error(st);
            goto done;
        }
    }

    size_t train_count = 0, test_count = 0;
    charnn_dataset_count(train_set, &train_count);
    if (test_set) charnn_dataset_count(test_set, &test_count);
    if (recipe && !epochs_given) {  /* the best recipe's epochs depend on the data's size */
        charnn_train_config sized = training;
        if ((st = charnn_train_config_recipe(&sized, recipe, train_count)) != CHARNN_OK) {
            exit_code = library_error(st);
            goto done;
        }
        training.epochs = sized.epochs;
    }
    if (!quiet && recipe)
        printf("recipe: %s (its settings below; flags given change them)\n", recipe == CHARNN_RECIPE_FAST ? "fast" : "best");
    if (!quiet) {
        charnn_model_config actual;
        charnn_model_config_init(&actual);
        charnn_text_config text;
        charnn_text_config_init(&text);
        size_t weights = 0, symbols = 0;
        charnn_model_get_config(model, &actual);
        charnn_model_get_text_config(model, &text);
        charnn_model_parameter_count(model, &weights);
        charnn_model_alphabet_size(model, &symbols);
        const char *optimizer = training.optimizer == CHARNN_OPTIMIZER_ADAMW ? "adamw"
                                : training.optimizer == CHARNN_OPTIMIZER_SGD ? "sgd" : "adam";
        char clip[32] = "off";
        if (training.clip_norm > 0) snprintf(clip, sizeof clip, "%g", (double)training.clip_norm);
        char split[160];
        if (test_path) snprintf(split, sizeof split, "test on %s (%zu rows)", test_path, test_count);
        else if (test_set) snprintf(split, sizeof split, "stratified split %zu train / %zu test", train_count, test_count);
        else snprintf(split, sizeof split, "no test split");
        printf("settings: %s, hidden %d, %d %s, %zu weights, %s alphabet of %zu symbols; %d %s, batch %d, %s lr %g, "
               "clip %s, seed %llu; %s\n",
               kind_name(actual.kind), actual.hidden_size, actual.num_layers, actual.num_layers == 1 ? "layer" : "layers",
               weights, alphabet_name(text.alphabet), symbols, training.epochs, training.epochs == 1 ? "epoch" : "epochs",
               training.batch_size, optimizer, (double)training.learning_rate, clip, (unsigned long long)seed, split);
        print_model_options(&actual);
        print_training_options(&training);
        fflush(stdout);
    }

    progress_state state = {.started = now(), .terminal = isatty(STDERR_FILENO)};
    int64_t steps = (int64_t)((train_count + (size_t)training.batch_size - 1) / (size_t)training.batch_size);
    int64_t every = steps / 200;
    training.report_every = (int32_t)(every < 1 ? 1 : every > INT32_MAX ? INT32_MAX : every);
    if (!quiet) {
        training.progress = on_progress;
        training.user_data = &state;
    }
    /* Ctrl-C stops training and keeps what was learned (unless SIGINT is ignored, as for a
     * background job of a script). */
    void (*previous)(int) = signal(SIGINT, on_interrupt);
    if (previous == SIG_IGN) signal(SIGINT, SIG_IGN);
    charnn_train_result result = {.struct_size = sizeof result};
    st = charnn_model_train(model, train_set, &training, &result);
    signal(SIGINT, previous == SIG_ERR ? SIG_DFL : previous);
    if (state.shown) fputc('\n', stderr);
    double seconds = now() - state.started;
    if (st == CHARNN_CANCELLED) {
        fprintf(stderr, "charnn: interrupted after %lld steps: keeping what was learned\n", (long long)result.steps_taken);
    } else if (st != CHARNN_OK) {
        exit_code = library_error(st);
        goto done;
    }
    if (!quiet)
        printf("trained in %.1f s (%d %s, %lld steps, last epoch's mean loss %.4f)\n", seconds, result.epochs_completed,
               result.epochs_completed == 1 ? "epoch" : "epochs", (long long)result.steps_taken,
               (double)result.last_epoch_loss);
    if (!quiet && result.best_epoch > 0)
        printf("best epoch %d: validation loss %.4f, accuracy %.2f%%%s%s\n", result.best_epoch,
               (double)result.best_validation_loss, 100.0 * result.best_validation_accuracy,
               result.early_stopped ? "; stopped early" : "",
               training.restore_best && result.best_epoch != result.epochs_completed ? "; its weights restored" : "");

    if ((st = charnn_model_save(model, out_path)) != CHARNN_OK) {
        exit_code = library_error(st);
        goto done;
    }
    if (!quiet) printf("saved %s\n", out_path);
    exit_code = test_set ? evaluate_and_report(model, test_set, quiet) : 0;

done:
    charnn_model_free(model);
    charnn_dataset_free(test_set);
    charnn_dataset_free(split_train);
    charnn_dataset_free(data);
    return exit_code;
}

/* ---- test -------------------------------------------------------------------------------- */

static int test(int argc, char **argv) {
    arg_walk w = {.verb = "test", .argc = argc, .argv = argv};
    data_flags flags;
    data_flags_init(&flags);
    report_options o = {.k = 1};
    const char *paths[2] = {NULL, NULL}, *positional, *value;
    int count = 0, option;
    while (next_arg(&w, &option, &positional)) {
        if (!option) {
            if (count == 2) return usage_error("test", "test takes MODEL and DATA (also got '%s')", positional);
            paths[count++] = positional;
            continue;
        }
        if (!strcmp(w.name, "-h") || !strcmp(w.name, "--help")) { fputs(usage_test, stdout); return 0; }
        if (!strcmp(w.name, "--top-k") || !strcmp(w.name, "-k")) {
            long long k;
            if (!(value = option_value(&w)) || !parse_int(&w, value, 1, CHARNN_MAX_LABELS, &k)) return 2;
            o.k = (size_t)k;
            continue;
        }
        if (!strcmp(w.name, "--json")) { if (!no_value(&w)) return 2; o.json = 1; continue; }
        if (!strcmp(w.name, "--confusion")) { if (!no_value(&w)) return 2; o.confusion = 1; continue; }
        int handled = data_flag(&w, &flags);
        if (handled == 2) return 2;
        if (handled < 0) return usage_error("test", "unknown option '%s'", w.name);
    }
    if (count < 2) return usage_error("test", "test needs MODEL and DATA");
    if (flags.text_flag)
        fprintf(stderr, "charnn: test: %s ignored: DATA is read with the model's alphabet and normalisation\n",
                flags.text_flag);

    charnn_model *model = NULL;
    charnn_dataset *data = NULL;
    charnn_text_config read_as;
    charnn_status st;
    int exit_code;
    size_t labels = 0;
    if ((st = charnn_model_load(paths[0], &model)) != CHARNN_OK || (st = charnn_model_label_count(model, &labels)) != CHARNN_OK) {
        exit_code = library_error(st);
    } else if (o.k > labels) {
        exit_code = usage_error("test", "--top-k %zu is more than the model's %zu label%s", o.k, labels, labels == 1 ? "" : "s");
    } else if ((st = text_config_of_model(model, &read_as)) != CHARNN_OK ||
               (st = charnn_dataset_load(paths[1], &flags.data, &read_as, &data)) != CHARNN_OK ||
               (!o.json && (st = print_data_summary("data", paths[1], data)) != CHARNN_OK)) {
        exit_code = library_error(st);
    } else {
        exit_code = report(model, data, &o);
    }
    charnn_dataset_free(data);
    charnn_model_free(model);
    return exit_code;
}

/* ---- predict ----------------------------------------------------------------------------- */

/* PREDICT_BATCH lines per library call: enough batches of 128 for every thread to get some, while
 * a pipe that delivers a line at a time is still answered line by line. */
enum { PREDICT_BATCH = 1024, ERROR_LENGTH = 400 };

typedef struct {
    charnn_model *model;
    size_t k, label_count;
    int json, article, from_stdin;
    int failed;
    int32_t *labels;      /* PREDICT_BATCH * k */
    float *probabilities; /* PREDICT_BATCH * k */
} predictor;

typedef struct {
    const char *text;
    long long number; /* line number (stdin) or argument number */
    int nul;          /* the line held a NUL byte (text stops there) */
    int too_long;     /* longer than CHARNN_MAX_TEXT_BYTES: its bytes were skipped, never held */
    size_t unknown;
    int ok;
    char error[ERROR_LENGTH];
} item;

static void set_error(item *it, const char *message) {
    snprintf(it->error, sizeof it->error, "%s", message[0] ? message : "cannot be read");
    it->ok = 0;
}

/* Whether text[0 .. length) is valid UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int valid_utf8(const unsigned char *p, size_t length) {
    size_t i = 0;
    while (i < length) {
        unsigned char c = p[i];
        if (c < 0x80) { i++; continue; }
        size_t n = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
        if (!n || i + n >= length) return 0;
        for (size_t j = 1; j <= n; j++)
            if ((p[i + j] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && p[i + 1] < 0xA0) return 0;
        if (c == 0xED && p[i + 1] >= 0xA0) return 0;
        if (c == 0xF0 && p[i + 1] < 0x90) return 0;
        if (c == 0xF4 && p[i + 1] >= 0x90) return 0;
        i += n + 1;
    }
    return 1;
}

static void print_prediction(predictor *p, const item *it, const int32_t *labels, const float *probabilities) {
    if (p->json) {
        fputs("{\"text\": ", stdout);
        put_json_string(stdout, it->text);
        fputs(", \"predictions\": [", stdout);
        int first = 1;
        for (size_t j = 0; j < p->k; j++) {
            if (labels[j] < 0) break;
            const char *label = "?";
            charnn_model_label_name(p->model, (size_t)labels[j], &label);
            fputs(first ? "{\"label\": " : ", {\"label\": ", stdout);
            put_json_string(stdout, label);
            printf(", \"probability\": %.6g}", (double)probabilities[j]);
            first = 0;
        }
        printf("], \"unknown\": %zu}\n", it->unknown);
        return;
    }
    fputs(it->text, stdout);
    putchar('\t');
    for (size_t j = 0; j < p->k; j++) {
        if (labels[j] < 0) break;
        const char *label = "?";
        charnn_model_label_name(p->model, (size_t)labels[j], &label);
        if (p->k == 1) printf("%s\t%.4f", label, (double)probabilities[j]);
        else printf("%s%s (%.1f%%)", j ? ", " : "", label, 100.0 * (double)probabilities[j]);
    }
    putchar('\n');
}

/* Predicts items[0 .. n) (n <= PREDICT_BATCH) in one batched call and prints them in order;
 * unreadable ones are reported on stderr. Flushes stdout at the end. */
static void predict_batch(predictor *p, item *items, size_t n) {
    const char *texts[PREDICT_BATCH];
    size_t rows[PREDICT_BATCH], valid = 0;
    for (size_t i = 0; i < n; i++) {
        item *it = &items[i];
        it->ok = 1;
        it->unknown = 0;
        size_t length = 0;
        if (it->nul) { set_error(it, "holds a NUL byte"); continue; }
        if (it->too_long) {
            char message[64];
            snprintf(message, sizeof message, "longer than %d bytes", CHARNN_MAX_TEXT_BYTES);
            set_error(it, message);
            continue;
        }
        if (!it->text[0]) { set_error(it, p->from_stdin ? "empty line" : "empty text"); continue; }
        if (!valid_utf8((const unsigned char *)it->text, strlen(it->text))) { set_error(it, "not valid UTF-8"); continue; }
        if (charnn_model_encode(p->model, it->text, NULL, 0, &length, &it->unknown) != CHARNN_OK) {
            set_error(it, charnn_last_error());
            continue;
        }
        if (length == 0) { set_error(it, "no character the model can read"); continue; }
        rows[i] = valid;
        texts[valid++] = it->text;
    }
    int batched = valid > 0 &&
                  charnn_model_predict_many(p->model, texts, valid, p->k, p->labels, p->probabilities) == CHARNN_OK;
    for (size_t i = 0; i < n; i++) {
        item *it = &items[i];
        const int32_t *labels = NULL;
        const float *probabilities = NULL;
        if (it->ok && batched) {
            labels = p->labels + rows[i] * p->k;
            probabilities = p->probabilities + rows[i] * p->k;
        } else if (it->ok) {
            /* The batch failed as a whole: this one alone (row 0 of the buffers is free now). */
            size_t count = 0;
            if (charnn_model_predict(p->model, it->text, p->k, p->labels, p->probabilities, &count) != CHARNN_OK) {
                set_error(it, charnn_last_error());
            } else {
                for (size_t j = count; j < p->k; j++) p->labels[j] = -1;
                labels = p->labels;
                probabilities = p->probabilities;
            }
        }
        const char *where = p->from_stdin ? "line" : "argument";
        if (!it->ok) {
            fflush(stdout);
            fprintf(stderr, "charnn: %s %lld: %s\n", where, it->number, it->error);
            p->failed = 1;
            continue;
        }
        print_prediction(p, it, labels, probabilities);
        if (it->unknown && !p->json) {
            fflush(stdout);
            fprintf(stderr, "charnn: %s %lld: %zu %s the model's alphabet lacks (%s)\n", where, it->number, it->unknown,
                    it->unknown == 1 ? "character" : "characters", p->article ? "dropped" : "read as <unk>");
        }
    }
    fflush(stdout);
}

/* Reads standard input with read(2), so that every complete line already received is answered
 * before waiting for more: a pipe that delivers a line at a time gets an answer per line, a file
 * is predicted in batches of PREDICT_BATCH. Memory stays bounded for any input: the buffer holds
 * at most one line longer than the library reads (CHARNN_MAX_TEXT_BYTES) plus one read; the
 * rest of such a line is skipped as it arrives and the line reported. */
static int predict_stdin(predictor *p) {
    enum { READ_SIZE = 1 << 16, LINE_LIMIT = CHARNN_MAX_TEXT_BYTES + 3 /* a BOM */ + 1 /* '\r' */ };
    size_t capacity = LINE_LIMIT + READ_SIZE + 1, length = 0, start = 0;
    char *buffer = malloc(capacity);
    item *items = calloc(PREDICT_BATCH, sizeof *items);
    if (!buffer || !items) { free(buffer); free(items); return out_of_memory(); }
    long long line = 0;
    int eof = 0, skipping = 0; /* skipping: inside a line already reported as too long */
    for (;;) {
        if (skipping) {
            char *newline = memchr(buffer + start, '\n', length - start);
            start = newline ? (size_t)(newline - buffer) + 1 : length;
            skipping = !newline && !eof;
        }
        /* Every complete line in the buffer, PREDICT_BATCH at a time. */
        size_t n = 0;
        while (n < PREDICT_BATCH && start < length && !skipping) {
            char *begin = buffer + start;
            char *newline = memchr(begin, '\n', length - start);
            if (!newline && !eof && length - start <= LINE_LIMIT) break;
            if ((newline ? (size_t)(newline - begin) : length - start) > LINE_LIMIT) {
                /* Reported now; its bytes are dropped as they come. */
                items[n] = (item){.text = "", .number = ++line, .too_long = 1};
                n++;
                start = newline ? (size_t)(newline - buffer) + 1 : length;
                skipping = !newline && !eof;
                continue;
            }
            char *end = newline ? newline : buffer + length;
            start = (size_t)(end - buffer) + (newline ? 1 : 0);
            if (end > begin && end[-1] == '\r') end--;
            *end = '\0'; /* the buffer always keeps a spare byte for the last line's NUL */
            line++;
            if (line == 1 && !strncmp(begin, "\xEF\xBB\xBF", 3)) begin += 3;
            items[n].text = begin;
            items[n].number = line;
            items[n].nul = memchr(begin, '\0', (size_t)(end - begin)) != NULL;
            items[n].too_long = 0;
            n++;
        }
        if (n) {
            predict_batch(p, items, n);
            continue;
        }
        if (eof) break;
        /* Keep the partial line (at most LINE_LIMIT bytes), wait for more. */
        if (start) {
            memmove(buffer, buffer + start, length - start);
            length -= start;
            start = 0;
        }
        ssize_t got = read(STDIN_FILENO, buffer + length, capacity - length - 1);
        if (got < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "charnn: reading standard input: %s\n", strerror(errno));
            free(buffer);
            free(items);
            return 1;
        }
        if (got == 0) eof = 1;
        length += (size_t)got;
    }
    free(buffer);
    free(items);
    return p->failed ? 1 : 0;
}

static int predict(int argc, char **argv) {
    arg_walk w = {.verb = "predict", .argc = argc, .argv = argv};
    const char *model_path = NULL, *positional, *value;
    char **texts = calloc((size_t)argc + 1, sizeof *texts);
    if (!texts) return out_of_memory();
    size_t text_count = 0;
    long long k = 1;
    int json = 0, option;
    while (next_arg(&w, &option, &positional)) {
        if (!option) {
            if (!model_path) model_path = positional;
            else texts[text_count++] = (char *)positional;
            continue;
        }
        if (!strcmp(w.name, "-h") || !strcmp(w.name, "--help")) { free(texts); fputs(usage_predict, stdout); return 0; }
        if (!strcmp(w.name, "-k") || !strcmp(w.name, "--top")) {
            if (!(value = option_value(&w)) || !parse_int(&w, value, 1, CHARNN_MAX_LABELS, &k)) { free(texts); return 2; }
        } else if (!strcmp(w.name, "--json")) {
            if (!no_value(&w)) { free(texts); return 2; }
            json = 1;
        } else {
            free(texts);
            return usage_error("predict", "unknown option '%s'", w.name);
        }
    }
    if (!model_path) { free(texts); return usage_error("predict", "predict needs MODEL"); }

    predictor p = {.k = (size_t)k, .json = json, .from_stdin = text_count == 0};
    charnn_text_config text;
    charnn_text_config_init(&text);
    charnn_status st;
    if ((st = charnn_model_load(model_path, &p.model)) != CHARNN_OK ||
        (st = charnn_model_label_count(p.model, &p.label_count)) != CHARNN_OK ||
        (st = charnn_model_get_text_config(p.model, &text)) != CHARNN_OK) {
        free(texts);
        charnn_model_free(p.model);
        return library_error(st);
    }
    p.article = text.alphabet == CHARNN_ALPHABET_ARTICLE;
    p.labels = malloc(PREDICT_BATCH * p.k * sizeof *p.labels);
    p.probabilities = malloc(PREDICT_BATCH * p.k * sizeof *p.probabilities);
    int exit_code;
    if (!p.labels || !p.probabilities) {
        exit_code = out_of_memory();
    } else if (p.from_stdin) {
        exit_code = predict_stdin(&p);
    } else {
        item *items = calloc(PREDICT_BATCH, sizeof *items);
        if (!items) {
            exit_code = out_of_memory();
        } else {
            for (size_t i = 0; i < text_count; i += PREDICT_BATCH) {
                size_t n = text_count - i < PREDICT_BATCH ? text_count - i : PREDICT_BATCH;
                for (size_t j = 0; j < n; j++) {
                    items[j].nul = 0;
                    items[j].text = texts[i + j];
                    items[j].number = (long long)(i + j + 1);
                }
                predict_batch(&p, items, n);
            }
            exit_code = p.failed ? 1 : 0;
            free(items);
        }
    }
    free(p.labels);
    free(p.probabilities);
    free(texts);
    charnn_model_free(p.model);
    return exit_code;
}

/* ---- info -------------------------------------------------------------------------------- */

enum { SYMBOLS_SHOWN = 120, LABELS_SHOWN = 20 };

/* The symbols between quotes, control characters and quotes escaped, the first SYMBOLS_SHOWN. */
static void print_symbols(const char *symbols) {
    const unsigned char *p = (const unsigned char *)symbols;
    size_t shown = 0, total = 0;
    putchar('"');
    while (*p) {
        size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
        if (shown < SYMBOLS_SHOWN) {
            if (*p == '"' || *p == '\\') printf("\\%c", *p);
            else if (*p < 0x20 || *p == 0x7F) printf("\\x%02x", *p);
            else fwrite(p, 1, strnlen((const char *)p, n), stdout);
            shown++;
        }
        total++;
        p += strnlen((const char *)p, n);
    }
    putchar('"');
    if (total > shown) printf(" … and %zu more", total - shown);
    putchar('\n');
}

static int info(int argc, char **argv) {
    arg_walk w = {.verb = "info", .argc = argc, .argv = argv};
    const char *path = NULL, *positional;
    int option;
    while (next_arg(&w, &option, &positional)) {
        if (!option) {
            if (path) return usage_error("info", "info takes one MODEL (also got '%s')", positional);
            path = positional;
            continue;
        }
        if (!strcmp(w.name, "-h") || !strcmp(w.name, "--help")) { fputs(usage_info, stdout); return 0; }
        return usage_error("info", "unknown option '%s'", w.name);
    }
    if (!path) return usage_error("info", "info needs MODEL");

    charnn_model *model = NULL;
    charnn_status st = charnn_model_load(path, &model);
    if (st != CHARNN_OK) return library_error(st);
    charnn_model_config config;
    charnn_model_config_init(&config);
    charnn_text_config text;
    charnn_text_config_init(&text);
    size_t weights = 0, labels = 0, symbols = 0;
    if ((st = charnn_model_get_config(model, &config)) != CHARNN_OK ||
        (st = charnn_model_get_text_config(model, &text)) != CHARNN_OK ||
        (st = charnn_model_parameter_count(model, &weights)) != CHARNN_OK ||
        (st = charnn_model_label_count(model, &labels)) != CHARNN_OK ||
        (st = charnn_model_alphabet_size(model, &symbols)) != CHARNN_OK) {
        charnn_model_free(model);
        return library_error(st);
    }
    const char *init = config.hidden_init == CHARNN_HIDDEN_INIT_KAIMING ? "kaiming"
                       : config.hidden_init == CHARNN_HIDDEN_INIT_ZEROS ? "zeros" : "default";
    printf("model:          %s\n", path);
    printf("kind:           %s\n", kind_name(config.kind));
    printf("hidden size:    %d\n", config.hidden_size);
    if (config.hidden_size == 0) printf("layers:         none (the n-gram bag alone)\n");
    else printf("layers:         %d\n", config.num_layers);
    printf("hidden init:    %s\n", init);
    if (config.kind != CHARNN_MODEL_ELMAN && config.hidden_size == 0) {
        printf("dropout:        %g\n", (double)config.dropout);
        printf("n-grams:        %d-%d-grams in %d buckets of %d\n", config.ngram_min, config.ngram_max,
               config.ngram_buckets, config.ngram_dim);
    } else if (config.kind != CHARNN_MODEL_ELMAN) {  /* the GRU/LSTM options (the Elman cell has none) */
        if (config.embedding_size > 0) printf("embedding:      %d\n", config.embedding_size);
        else printf("embedding:      none (one-hot)\n");
        printf("bidirectional:  %s\n", config.bidirectional ? "yes" : "no");
        printf("pooling:        %s\n", config.pooling == CHARNN_POOLING_MEAN ? "mean"
                                        : config.pooling == CHARNN_POOLING_MAX ? "max" : "last");
        printf("dropout:        %g\n", (double)config.dropout);
        if (config.ngram_buckets > 0)
            printf("n-grams:        %d-%d-grams in %d buckets of %d\n", config.ngram_min, config.ngram_max,
                   config.ngram_buckets, config.ngram_dim);
        else printf("n-grams:        none\n");
    }
    int quantized = 0;
    charnn_model_is_quantized(model, &quantized);
    printf("parameters:     %zu (%s)\n", weights, quantized ? "int8 matrices, float biases and head" : "float");
    printf("labels:         %zu:", labels);
    for (size_t i = 0; i < labels && i < LABELS_SHOWN; i++) {
        const char *name = "?";
        charnn_model_label_name(model, i, &name);
        printf("%s %s", i ? "," : "", name);
    }
    if (labels > LABELS_SHOWN) printf(", … and %zu more", labels - LABELS_SHOWN);
    printf("\n");
    int has_unk = text.alphabet != CHARNN_ALPHABET_ARTICLE;
    printf("alphabet:       %s, %zu symbols%s\n", alphabet_name(text.alphabet), symbols, has_unk ? " (<unk> included)" : "");
    printf("normalize:      %s\n", normalize_name(text.normalize));
    printf("case fold:      %s\n", text.case_fold ? "yes" : "no");
    printf("transliterate:  %s\n", text.transliterate ? "yes" : "no");
    printf("symbols:        ");
    print_symbols(text.symbols ? text.symbols : "");
    charnn_model_free(model);
    return 0;
}

/* ---- quantize ---------------------------------------------------------------------------- */

/* Whether paths a and b name one existing file (by device and inode: links and ./ included). */
static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int quantize(int argc, char **argv) {
    arg_walk w = {.verb = "quantize", .argc = argc, .argv = argv};
    const char *paths[2] = {NULL, NULL}, *positional;
    int option, count = 0;
    while (next_arg(&w, &option, &positional)) {
        if (!option) {
            if (count == 2) return usage_error("quantize", "quantize takes MODEL and OUT (also got '%s')", positional);
            paths[count++] = positional;
            continue;
        }
        if (!strcmp(w.name, "-h") || !strcmp(w.name, "--help")) { fputs(usage_quantize, stdout); return 0; }
        return usage_error("quantize", "unknown option '%s'", w.name);
    }
    if (count < 2) return usage_error("quantize", "quantize needs MODEL and OUT");
    /* Overwriting the float model would lose the only copy that can be trained further. */
    if (same_file(paths[0], paths[1])) return usage_error("quantize", "OUT is MODEL itself; write the int8 copy elsewhere");

    charnn_model *model = NULL, *quantized = NULL;
    charnn_status st = charnn_model_load(paths[0], &model);
    if (st == CHARNN_OK) st = charnn_model_quantize(model, &quantized);
    if (st == CHARNN_OK) st = charnn_model_save(quantized, paths[1]);
    int exit_code = st == CHARNN_OK ? 0 : library_error(st);
    if (st == CHARNN_OK) {
        struct stat before, after;
        if (stat(paths[0], &before) == 0 && stat(paths[1], &after) == 0)
            printf("%s: %lld bytes -> %s: %lld bytes (%.1fx smaller)\n", paths[0], (long long)before.st_size, paths[1],
                   (long long)after.st_size, (double)before.st_size / (double)after.st_size);
    }
    charnn_model_free(quantized);
    charnn_model_free(model);
    return exit_code;
}

/* ---- main -------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    if (charnn_abi_version() != CHARNN_ABI_VERSION) {
        fprintf(stderr, "charnn: libcharnn %s has ABI %d; this program was built for ABI %d\n",
                charnn_version_string(), charnn_abi_version(), CHARNN_ABI_VERSION);
        return 1;
    }
    if (argc < 2) {
        fputs(usage_main, stderr);
        return 2;
    }
    const char *verb = argv[1];
    if (!strcmp(verb, "-h") || !strcmp(verb, "--help")) { fputs(usage_main, stdout); return 0; }
    if (!strcmp(verb, "help")) {
        const char *topic = argc > 2 ? argv[2] : "";
        fputs(!strcmp(topic, "train") ? usage_train : !strcmp(topic, "test") ? usage_test
              : !strcmp(topic, "predict") ? usage_predict : !strcmp(topic, "info") ? usage_info
              : !strcmp(topic, "quantize") ? usage_quantize : usage_main, stdout);
        return 0;
    }
    if (!strcmp(verb, "--version") || !strcmp(verb, "-V")) {
        /* cpu: the build of the core libcharnn.so loaded for this CPU ("none": it could not load one). */
        const char *cpu = charnn_cpu_variant();
        printf("charnn %s (libcharnn %s, ABI %d, cpu %s)\n", CHARNN_VERSION_STRING, charnn_version_string(),
               charnn_abi_version(), cpu);
        if (!strcmp(cpu, "none")) {
            fprintf(stderr, "charnn: %s\n", charnn_last_error());
            return 1;
        }
        return 0;
    }
    if (!strcmp(verb, "train")) return train(argc - 2, argv + 2);
    if (!strcmp(verb, "test")) return test(argc - 2, argv + 2);
    if (!strcmp(verb, "predict")) return predict(argc - 2, argv + 2);
    if (!strcmp(verb, "info")) return info(argc - 2, argv + 2);
    if (!strcmp(verb, "quantize")) return quantize(argc - 2, argv + 2);
    if (verb[0] == '-') return usage_error(NULL, "unknown option '%s'", verb);
    return usage_error(NULL, "unknown command '%s' (train, test, predict, info, quantize)", verb);
}
