/* libFuzzer harness: CSV and TSV files from arbitrary bytes (charnn_dataset_load), and datasets
 * from NUL-split strings (charnn_dataset_from_strings).
 *
 * The first byte picks the options, the rest is the file, written to a per-process path in /tmp:
 *   bit 0     a header row (else none)
 *   bit 1     TSV (else CSV)
 *   bit 2     the article's alphabet (else LEARNED: most inputs learn their alphabet)
 *   bits 3-4  normalize: DEFAULT, NONE, NFC, NFKC
 *   bit 5     case folding
 *   bit 6     columns "1" and "0" (text second), else the defaults (0 and 1)
 *   bit 7     format AUTO from the file's extension (.csv/.tsv), else CSV/TSV named
 * A dataset that loads is then read through every accessor, summarised, split, subset, and a
 * tiny model made for its training part evaluates the test part (re-encoding it). Whatever the
 * bytes: a status, never a crash, and the invariants below hold (__builtin_trap otherwise). */
#define _GNU_SOURCE
#include <charnn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char csv_path[64], tsv_path[64];

static void remove_files(void) {
    unlink(csv_path);
    unlink(tsv_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    snprintf(csv_path, sizeof csv_path, "/tmp/charnn-fuzz-delimited-%d.csv", (int)getpid());
    snprintf(tsv_path, sizeof tsv_path, "/tmp/charnn-fuzz-delimited-%d.tsv", (int)getpid());
    atexit(remove_files);
    return 0;
}

static void fail(const char *what) {
    fprintf(stderr, "fuzz_delimited: %s (last error: '%s')\n", what, charnn_last_error());
    __builtin_trap();
}

/* A failed call must say why, and never be an internal error. */
static void check_failure(charnn_status status) {
    if (status == CHARNN_INTERNAL_ERROR) fail("internal error");
    if (status != CHARNN_OK && charnn_last_error()[0] == 0) fail("a failure without a message");
}

/* Reads a dataset that loaded through every accessor and checks what they say agrees. */
static void exercise(const charnn_dataset *d) {
    size_t count = 0, labels = 0, skipped = 0;
    if (charnn_dataset_count(d, &count) || charnn_dataset_label_count(d, &labels) ||
        charnn_dataset_skipped_count(d, &skipped))
        fail("count");
    if (count == 0 || labels == 0 || labels > CHARNN_MAX_LABELS) fail("empty dataset or no labels");

    int64_t *counts = malloc(labels * sizeof *counts);
    if (charnn_dataset_label_counts(d, counts, labels) != CHARNN_OK) fail("label_counts");
    if (labels > 1 && charnn_dataset_label_counts(d, counts, labels - 1) != CHARNN_BUFFER_TOO_SMALL)
        fail("label_counts with too little room");
    int64_t sum = 0;
    for (size_t i = 0; i < labels; i++) {
        if (counts[i] < 0) fail("a negative label count");
        sum += counts[i];
        const char *name = NULL;
        if (charnn_dataset_label_name(d, i, &name) || !name || !name[0]) fail("label name");
    }
    if ((size_t)sum != count) fail("label counts do not add up to the count");

    char text[256];
    size_t length = 0;
    for (size_t i = 0; i < count && i < 8; i++) {
        int32_t label = -1;
        charnn_status s = charnn_dataset_get(d, i, text, sizeof text, &length, &label);
        check_failure(s);
        if (s != CHARNN_OK && s != CHARNN_BUFFER_TOO_SMALL) fail("get");
        if (length == 0 || label < 0 || (size_t)label >= labels) fail("an empty text or a label out of range");
    }
    for (size_t i = 0; i < skipped && i < 4; i++) {
        charnn_status s = charnn_dataset_skipped(d, i, text, sizeof text, &length);
        if (s != CHARNN_OK && s != CHARNN_BUFFER_TOO_SMALL) fail("skipped");
    }

    /* The summary: the length first, then exactly that much room. */
    length = 0;
    if (charnn_dataset_summary(d, NULL, 0, &length) != CHARNN_BUFFER_TOO_SMALL || length < 2) fail("summary length");
    char *json = malloc(length + 1);
    if (charnn_dataset_summary(d, json, length + 1, NULL) != CHARNN_OK) fail("summary");
    if (strlen(json) != length || json[0] != '{' || json[length - 1] != '}') fail("summary is not one JSON object");
    char rows[48];
    snprintf(rows, sizeof rows, "{\"rows\":%zu,", count);
    if (strncmp(json, rows, strlen(rows)) != 0) fail("summary rows");
    free(json);

    /* A subset: every third example, the first one twice more. */
    size_t picks[64], n = 0;
    for (size_t i = 0; i < count && n < 60; i += 3) picks[n++] = i;
    picks[n++] = 0;
    picks[n++] = 0;
    charnn_dataset *subset = NULL;
    if (charnn_dataset_subset(d, picks, n, &subset) != CHARNN_OK) fail("subset");
    size_t subset_count = 0;
    charnn_dataset_count(subset, &subset_count);
    if (subset_count != n) fail("subset count");
    if (charnn_dataset_label_counts(subset, counts, labels) != CHARNN_OK) fail("subset label_counts");
    picks[0] = count;
    charnn_dataset *none = NULL;
    if (charnn_dataset_subset(d, picks, 1, &none) != CHARNN_INVALID_ARGUMENT || none) fail("subset out of range");
    charnn_dataset_free(subset);
    free(counts);

    /* Split, then a tiny model for the training part evaluates the test part: labels matched by
     * name, the test texts re-encoded with the training part's alphabet. */
    charnn_dataset *train = NULL, *test = NULL;
    charnn_status s = charnn_dataset_split(d, 0.3, 1, &train, &test);
    check_failure(s);
    if (count >= 2 && s != CHARNN_OK) fail("split");
    if (s != CHARNN_OK) return;
    size_t a = 0, b = 0;
    charnn_dataset_count(train, &a);
    charnn_dataset_count(test, &b);
    if (a + b != count) fail("split sizes");
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.kind = CHARNN_MODEL_ELMAN;
    config.hidden_size = 2;
    charnn_model *model = NULL;
    s = charnn_model_create_for_dataset(&config, train, &model);
    check_failure(s);
    if (s != CHARNN_OK) fail("create_for_dataset");
    size_t symbols = 0;
    if (charnn_model_alphabet_size(model, &symbols) || symbols == 0 || symbols > CHARNN_MAX_ALPHABET_SIZE) fail("alphabet size");
    charnn_text_config text_config;
    charnn_text_config_init(&text_config);
    if (charnn_model_get_text_config(model, &text_config) != CHARNN_OK || !text_config.symbols) fail("get_text_config");
    double accuracy = -1;
    s = charnn_model_evaluate(model, test, &accuracy, NULL, 0);
    check_failure(s);
    if (s != CHARNN_OK) fail("evaluate on the test part");
    if (!(accuracy >= 0 && accuracy <= 1)) fail("accuracy");
    if (charnn_dataset_get(test, 0, text, sizeof text, NULL, NULL) == CHARNN_OK) {
        int32_t indices[1100];
        size_t unknown = 0;
        s = charnn_model_encode(model, text, indices, 1100, &length, &unknown);
        check_failure(s);
        if (s == CHARNN_OK) {
            for (size_t i = 0; i < length; i++)
                if (indices[i] < 0 || (size_t)indices[i] >= symbols) fail("encode gave an index past the alphabet");
            int32_t label = -1;
            float probability = -1;
            s = charnn_model_predict(model, text, 1, &label, &probability, NULL);
            check_failure(s);
            if (s == CHARNN_OK && (label < 0 || !(probability >= 0 && probability <= 1))) fail("predict");
        }
    }
    charnn_model_free(model);
    charnn_dataset_free(train);
    charnn_dataset_free(test);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    uint8_t options = data[0];
    int tsv = options & 2;
    charnn_data_config data_config;
    charnn_data_config_init(&data_config);
    data_config.header = options & 1;
    data_config.format = options & 128 ? CHARNN_FORMAT_AUTO : tsv ? CHARNN_FORMAT_TSV : CHARNN_FORMAT_CSV;
    if (options & 64) {
        data_config.text_column = "1";
        data_config.label_column = "0";
    }
    charnn_text_config text;
    charnn_text_config_init(&text);
    if (!(options & 4)) text.alphabet = CHARNN_ALPHABET_LEARNED;
    text.normalize = (int32_t)((options >> 3) & 3) - 1;
    text.case_fold = (options >> 5) & 1;

    const char *path = tsv ? tsv_path : csv_path;
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    charnn_dataset *d = NULL;
    charnn_status s = charnn_dataset_load(path, &data_config, &text, &d);
    check_failure(s);
    if (s == CHARNN_OK) {
        exercise(d);
        charnn_dataset_free(d);
    } else if (s != CHARNN_INVALID_DATA || d) {
        fail("load: a status other than ok or invalid data");
    }

    /* The same bytes split at NUL: text, label, text, label, ... */
    const char *pieces[128];
    char *copy = malloc(size);
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = 0;
    size_t n = 0;
    for (size_t i = 0; i < size && n < 128;) {
        pieces[n++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    n &= ~(size_t)1;
    const char *texts[64], *labels[64];
    for (size_t i = 0; i < n / 2; i++) {
        texts[i] = pieces[2 * i];
        labels[i] = pieces[2 * i + 1];
    }
    d = NULL;
    s = charnn_dataset_from_strings(texts, labels, n / 2, &text, &d);
    check_failure(s);
    if (s == CHARNN_OK) {
        exercise(d);
        charnn_dataset_free(d);
    } else if (s != CHARNN_INVALID_ARGUMENT && s != CHARNN_INVALID_DATA) {
        fail("from_strings: an unexpected status");
    }
    free(copy);
    return 0;
}
