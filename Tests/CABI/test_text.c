/* Text through the C ABI: charnn_text_config and charnn_data_config, charnn_dataset_load on
 * CSV, TSV and directories, charnn_dataset_from_strings, subsets, label counts and summaries,
 * models created for a dataset or with an alphabet, their text config, alphabet size and
 * encoding, checkpoints of learned alphabets, and training and evaluation that match labels by
 * name. Every success path and every documented error path. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char scratch[256];

static const char *path_in(const char *name) {
    static char path[4][512];
    static int next = 0;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", scratch, name);
    return p;
}

static void put(const char *name, const char *contents) { write_file(scratch, name, contents, strlen(contents)); }

/* The integer after "key": in a JSON text, or -1 when the key is missing. */
static long json_int(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    if (!at) return -1;
    return strtol(at + strlen(pattern), NULL, 10);
}

static size_t count_of(const charnn_dataset *d) {
    size_t n = (size_t)-1;
    OK(charnn_dataset_count(d, &n));
    return n;
}

static size_t skipped_of(const charnn_dataset *d) {
    size_t n = (size_t)-1;
    OK(charnn_dataset_skipped_count(d, &n));
    return n;
}

/* Whether label `index` of `d` is `name`. */
static int label_is(const charnn_dataset *d, size_t index, const char *name) {
    const char *got = NULL;
    return charnn_dataset_label_name(d, index, &got) == CHARNN_OK && got && strcmp(got, name) == 0;
}

/* Whether example `index` of `d` is `text` with label `label`. */
static int example_is(const charnn_dataset *d, size_t index, const char *text, int32_t label) {
    char buffer[128];
    int32_t got = -1;
    return charnn_dataset_get(d, index, buffer, sizeof buffer, NULL, &got) == CHARNN_OK && strcmp(buffer, text) == 0
        && got == label;
}

/* Whether skipped row `index` of `d` mentions both fragments. */
static int skipped_says(const charnn_dataset *d, size_t index, const char *a, const char *b) {
    char line[256];
    if (charnn_dataset_skipped(d, index, line, sizeof line, NULL) != CHARNN_OK) return 0;
    int ok = strstr(line, a) != NULL && strstr(line, b) != NULL;
    if (!ok) fprintf(stderr, "skipped %zu: '%s' (wanted '%s' and '%s')\n", index, line, a, b);
    return ok;
}

/* The indices of `text` as `m` reads it, into out[0 .. 32); returns the length (or -1). */
static long encode(const charnn_model *m, const char *text, int32_t *out, size_t *unknown) {
    size_t length = 0;
    if (charnn_model_encode(m, text, out, 32, &length, unknown) != CHARNN_OK) return -1;
    return (long)length;
}

/* Whether `a` and `b` encode identically with `m` (and to `expected_length` indices). */
static int same_encoding(const charnn_model *m, const char *a, const char *b, long expected_length) {
    int32_t x[32], y[32];
    size_t ux = 99, uy = 98;
    long la = encode(m, a, x, &ux), lb = encode(m, b, y, &uy);
    int ok = la == expected_length && lb == la && ux == uy && memcmp(x, y, (size_t)la * sizeof x[0]) == 0;
    if (!ok) fprintf(stderr, "encode '%s' -> %ld (unknown %zu), '%s' -> %ld (unknown %zu)\n", a, la, ux, b, lb, uy);
    return ok;
}

static charnn_model_config tiny_config(void) {
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.kind = CHARNN_MODEL_GRU;
    config.hidden_size = 8;
    config.num_layers = 1;
    config.seed = 3;
    return config;
}

/* A model reading `symbols` (EXPLICIT) with the given options. */
static charnn_model *explicit_model(const char *symbols, int32_t normalize, int32_t case_fold, int32_t transliterate) {
    charnn_model_config config = tiny_config();
    charnn_text_config text;
    charnn_text_config_init(&text);
    text.alphabet = CHARNN_ALPHABET_EXPLICIT;
    text.symbols = symbols;
    text.normalize = normalize;
    text.case_fold = case_fold;
    text.transliterate = transliterate;
    const char *labels[] = {"A", "B"};
    charnn_model *m = NULL;
    OK(charnn_model_create_with_text(&config, &text, labels, 2, &m));
    return m;
}

/* ---- configs ----------------------------------------------------------------------------- */

static void test_configs(void) {
    charnn_text_config_init(NULL);  /* ignored */
    charnn_data_config_init(NULL);
    charnn_text_config text;
    memset(&text, 0x5a, sizeof text);
    charnn_text_config_init(&text);
    CHECK(text.struct_size == sizeof text);
    CHECK(text.alphabet == CHARNN_ALPHABET_ARTICLE && text.normalize == CHARNN_NORMALIZE_DEFAULT);
    CHECK(text.case_fold == 0 && text.transliterate == -1 && text.min_count == 1 && text.max_symbols == 0);
    CHECK(text.symbols == NULL);
    charnn_data_config data;
    memset(&data, 0x5a, sizeof data);
    charnn_data_config_init(&data);
    CHECK(data.struct_size == sizeof data && data.format == CHARNN_FORMAT_AUTO && data.header != 0);
    CHECK(data.text_column == NULL && data.label_column == NULL);
    CHECK(CHARNN_MAX_LABELS == 65535 && CHARNN_MAX_ALPHABET_SIZE == 65535);
}

/* ---- CSV, TSV and directories ------------------------------------------------------------ */

/* A CSV with a byte-order mark, CRLF line ends, a header, quoted fields (a doubled quote, a
 * delimiter, a line break), a padded field, a blank line, a short row, an empty text and a
 * last row without a line end. */
static const char csv_text[] =
    "\xEF\xBB\xBF" "name,language,note\r\n"                     /* 1 */
    "Smith,English,plain\r\n"                                   /* 2 */
    "\"O\"\"Brien\",Irish,\"quoted, with comma\"\r\n"           /* 3 */
    "\"Two\nLines\",English,x\r\n"                              /* 4-5 */
    "  M\xC3\xBCller  ,German,\r\n"                             /* 6 */
    "\r\n"                                                      /* 7: blank */
    "Bad,Row\r\n"                                               /* 8: 2 fields */
    "\xC5\xBB" "ak,Polish,\"a \"\"quote\"\"\"\r\n"              /* 9 */
    ",English,empty text\r\n"                                   /* 10: empty text */
    "Kowalski,Polish,last";                                     /* 11 */

static void test_load_csv(void) {
    put("data.csv", csv_text);
    charnn_data_config data;
    charnn_data_config_init(&data);
    data.text_column = "name";
    data.label_column = "language";
    charnn_text_config learned;
    charnn_text_config_init(&learned);
    learned.alphabet = CHARNN_ALPHABET_LEARNED;

    charnn_dataset *d = NULL;
    OK(charnn_dataset_load(path_in("data.csv"), &data, &learned, &d));
    CHECK(count_of(d) == 6);
    size_t labels = 0;
    OK(charnn_dataset_label_count(d, &labels));
    CHECK(labels == 4);
    CHECK(label_is(d, 0, "English") && label_is(d, 1, "German") && label_is(d, 2, "Irish") && label_is(d, 3, "Polish"));
    CHECK(example_is(d, 0, "Smith", 0));
    CHECK(example_is(d, 1, "O\"Brien", 2));
    CHECK(example_is(d, 2, "Two\nLines", 0));
    CHECK(example_is(d, 3, "M\xC3\xBCller", 1));
    CHECK(example_is(d, 4, "\xC5\xBB" "ak", 3));
    CHECK(example_is(d, 5, "Kowalski", 3));
    CHECK(skipped_of(d) == 2);
    CHECK(skipped_says(d, 0, "data.csv:8", "2 fields, expected 3"));
    CHECK(skipped_says(d, 1, "data.csv:10", "empty text"));
    int64_t counts[5] = {-1, -1, -1, -1, -7};
    OK(charnn_dataset_label_counts(d, counts, 5));
    CHECK(counts[0] == 2 && counts[1] == 1 && counts[2] == 1 && counts[3] == 2 && counts[4] == -7);
    charnn_dataset_free(d);

    /* The defaults (data NULL: header, columns 0 and 1; format AUTO: a .csv file is CSV) and the
     * article's alphabet (text NULL), which skips texts with '"' or a line break. */
    d = NULL;
    OK(charnn_dataset_load(path_in("data.csv"), NULL, NULL, &d));
    CHECK(count_of(d) == 4);
    CHECK(skipped_of(d) == 4);
    CHECK(example_is(d, 0, "Smith", 0) && example_is(d, 1, "M\xC3\xBCller", 1));
    CHECK(skipped_says(d, 0, "data.csv:3", "'\"' is not in the vocabulary"));
    CHECK(skipped_says(d, 1, "data.csv:4", "is not in the vocabulary"));
    CHECK(skipped_says(d, 2, "data.csv:8", "2 fields") && skipped_says(d, 3, "data.csv:10", "empty"));
    charnn_dataset_free(d);

    /* Columns by index in decimal, with the header (the note column as the label). */
    data.text_column = "0";
    data.label_column = "2";
    d = NULL;
    OK(charnn_dataset_load(path_in("data.csv"), &data, &learned, &d));
    CHECK(count_of(d) == 5);  /* line 6's note is empty */
    CHECK(label_is(d, 0, "a \"quote\""));
    charnn_dataset_free(d);
}

static void test_load_tsv_and_directories(void) {
    /* TSV without a header: text in column 2, label in column 0; a quoted tab; a ragged row. */
    const char *tsv =
        "Polish\t1\tNowak\n"
        "German\t2\tSchmidt\n"
        "German\t3\t\"Tab\tInside\"\n"
        "English\t4\n"
        "English\t5\tBrown\r\n";
    put("data.tsv", tsv);
    put("tsv_named.txt", tsv);
    charnn_data_config data;
    charnn_data_config_init(&data);
    data.header = 0;
    data.text_column = "2";
    data.label_column = "0";
    charnn_text_config learned;
    charnn_text_config_init(&learned);
    learned.alphabet = CHARNN_ALPHABET_LEARNED;
    charnn_dataset *d = NULL;
    OK(charnn_dataset_load(path_in("data.tsv"), &data, &learned, &d));
    CHECK(count_of(d) == 4);
    CHECK(label_is(d, 0, "English") && label_is(d, 1, "German") && label_is(d, 2, "Polish"));
    CHECK(example_is(d, 0, "Nowak", 2) && example_is(d, 2, "Tab\tInside", 1) && example_is(d, 3, "Brown", 0));
    CHECK(skipped_of(d) == 1);
    CHECK(skipped_says(d, 0, "data.tsv:4", "2 fields, expected 3"));
    charnn_dataset_free(d);

    /* Another extension: TSV when asked; read as CSV (AUTO), every row is one field. */
    data.format = CHARNN_FORMAT_TSV;
    d = NULL;
    OK(charnn_dataset_load(path_in("tsv_named.txt"), &data, &learned, &d));
    CHECK(count_of(d) == 4);
    charnn_dataset_free(d);
    data.format = CHARNN_FORMAT_AUTO;
    EXPECT(charnn_dataset_load(path_in("tsv_named.txt"), &data, &learned, &d), CHARNN_INVALID_DATA, "column 2 is out of range");
    data.format = CHARNN_FORMAT_CSV;
    EXPECT(charnn_dataset_load(path_in("tsv_named.txt"), &data, &learned, &d), CHARNN_INVALID_DATA, "tsv_named.txt:1");

    /* A directory of <Label>.txt files through charnn_dataset_load. */
    char dir[300];
    snprintf(dir, sizeof dir, "%s/names", scratch);
    CHECK(mkdir(dir, 0700) == 0);
    write_file(dir, "Czech.txt", "Novak\nMaxa/B\n", 13);
    write_file(dir, "Greek.txt", "Alexiou\r\n", 9);
    write_file(dir, "README.md", "not data", 8);
    d = NULL;
    OK(charnn_dataset_load(dir, NULL, NULL, &d));  /* AUTO: a directory */
    CHECK(count_of(d) == 2 && skipped_of(d) == 1);
    CHECK(label_is(d, 0, "Czech") && label_is(d, 1, "Greek"));
    CHECK(skipped_says(d, 0, "Czech.txt:2", "'/' is not in the vocabulary"));
    charnn_dataset_free(d);
    charnn_data_config_init(&data);
    data.format = CHARNN_FORMAT_DIRECTORY;
    d = NULL;
    OK(charnn_dataset_load(dir, &data, &learned, &d));  /* learned: '/' is a symbol like any other */
    CHECK(count_of(d) == 3 && skipped_of(d) == 0);
    CHECK(example_is(d, 1, "Maxa/B", 0));
    charnn_dataset_free(d);
    data.format = CHARNN_FORMAT_CSV;
    EXPECT(charnn_dataset_load(dir, &data, NULL, &d), CHARNN_IO_ERROR, "is a directory");
}

static void test_load_errors(void) {
    charnn_dataset *d = (charnn_dataset *)0x1;
    charnn_data_config data;
    charnn_data_config_init(&data);
    charnn_text_config text;
    charnn_text_config_init(&text);
    char csv[512];
    snprintf(csv, sizeof csv, "%s", path_in("data.csv"));  /* written by test_load_csv */

    EXPECT(charnn_dataset_load(NULL, NULL, NULL, &d), CHARNN_INVALID_ARGUMENT, "path is NULL");
    EXPECT(charnn_dataset_load(csv, NULL, NULL, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_dataset_load("\xc3\x28.csv", NULL, NULL, &d), CHARNN_INVALID_ARGUMENT, "path is not valid UTF-8");
    EXPECT(charnn_dataset_load("", NULL, NULL, &d), CHARNN_INVALID_ARGUMENT, "empty");
    EXPECT(charnn_dataset_load("/no/such/file.csv", NULL, NULL, &d), CHARNN_IO_ERROR, "/no/such/file.csv");
    EXPECT(charnn_dataset_load("/no/such/dir", NULL, NULL, &d), CHARNN_IO_ERROR, "/no/such/dir");

    /* Wrongly sized structs, both ways (a larger one is never read past struct_size). */
    data.struct_size = sizeof data - 1;
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_ARGUMENT, "data->struct_size");
    data.struct_size = 8;
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_ARGUMENT, "call the _init function");
    data.struct_size = sizeof data + 8;
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_ARGUMENT, "newer charnn.h");
    charnn_data_config_init(&data);
    text.struct_size = sizeof text - 4;
    EXPECT(charnn_dataset_load(csv, &data, &text, &d), CHARNN_INVALID_ARGUMENT, "text->struct_size");
    text.struct_size = 0;
    EXPECT(charnn_dataset_load(csv, &data, &text, &d), CHARNN_INVALID_ARGUMENT, "text->struct_size is 0");
    text.struct_size = sizeof text + 16;
    EXPECT(charnn_dataset_load(csv, &data, &text, &d), CHARNN_INVALID_ARGUMENT, "text->struct_size");
    charnn_text_config_init(&text);

    /* Unknown enum values and fields out of range, each named. */
    data.format = 4;
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_ARGUMENT, "data->format 4");
    data.format = -1;
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_ARGUMENT, "data->format");
    charnn_data_config_init(&data);
    data.text_column = "\xff";
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_ARGUMENT, "data->text_column is not valid UTF-8");
    charnn_data_config_init(&data);
    data.label_column = "a\xc3";
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_ARGUMENT, "data->label_column");
    charnn_data_config_init(&data);

    text.alphabet = 3;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->alphabet 3");
    text.alphabet = -1;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->alphabet");
    charnn_text_config_init(&text);
    text.normalize = 3;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->normalize 3");
    text.normalize = -2;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->normalize");
    charnn_text_config_init(&text);
    text.transliterate = 2;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->transliterate is 2");
    text.transliterate = -2;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->transliterate");
    charnn_text_config_init(&text);
    text.alphabet = CHARNN_ALPHABET_LEARNED;
    text.min_count = 0;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->min_count is 0");
    text.min_count = -5;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "min_count");
    text.min_count = 1;
    text.max_symbols = -1;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->max_symbols is -1");
    text.max_symbols = CHARNN_MAX_ALPHABET_SIZE;  /* <unk> would make it one too many */
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "max_symbols");
    text.max_symbols = 0;
    text.symbols = "abc";  /* ignored unless EXPLICIT: a model's text config passes back as it is */
    OK(charnn_dataset_load(csv, NULL, &text, &d));
    char summary[4096];
    OK(charnn_dataset_summary(d, summary, sizeof summary, NULL));
    CHECK(strstr(summary, "\"kind\":\"learned\"") != NULL);
    charnn_dataset_free(d);
    d = (charnn_dataset *)0x1;  /* the checks below see that failed calls never write it */
    text.alphabet = CHARNN_ALPHABET_EXPLICIT;
    text.symbols = NULL;
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->symbols is NULL");
    text.symbols = "abca";
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "'a' appears twice");
    text.symbols = "\xC3\xA9" "e\xCC\x81" "\xC3\xA9";
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "appears twice");
    text.symbols = "ab\xe2\x82";
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "text->symbols is not valid UTF-8");
    text.symbols = "";
    EXPECT(charnn_dataset_load(csv, NULL, &text, &d), CHARNN_INVALID_ARGUMENT, "at least one symbol");
    charnn_text_config_init(&text);

    /* Files that cannot be read as data: the message names file:line. */
    put("unterminated.csv", "text,label\nSmith,English\n\"Open,Irish\nmore\n");
    EXPECT(charnn_dataset_load(path_in("unterminated.csv"), NULL, NULL, &d), CHARNN_INVALID_DATA, "unterminated.csv:3");
    EXPECT(charnn_dataset_load(path_in("unterminated.csv"), NULL, NULL, &d), CHARNN_INVALID_DATA, "unterminated quoted field");
    data.text_column = "nope";
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_DATA, "no column named 'nope'");
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_DATA, "data.csv:1");
    data.text_column = "7";
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_DATA, "column 7 is out of range");
    data.text_column = "name";
    data.header = 0;
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_DATA, "needs a header row");
    charnn_data_config_init(&data);
    data.label_column = "0";
    EXPECT(charnn_dataset_load(csv, &data, NULL, &d), CHARNN_INVALID_DATA, "same column");
    charnn_data_config_init(&data);
    put("empty.csv", "");
    EXPECT(charnn_dataset_load(path_in("empty.csv"), NULL, NULL, &d), CHARNN_INVALID_DATA, "empty.csv");
    EXPECT(charnn_dataset_load(path_in("empty.csv"), NULL, NULL, &d), CHARNN_INVALID_DATA, "the file is empty");
    put("bom.csv", "\xEF\xBB\xBF\r\n\r\n");
    EXPECT(charnn_dataset_load(path_in("bom.csv"), NULL, NULL, &d), CHARNN_INVALID_DATA, "the file is empty");
    put("header_only.csv", "text,label\r\n");
    EXPECT(charnn_dataset_load(path_in("header_only.csv"), NULL, NULL, &d), CHARNN_INVALID_DATA, "header but no rows");
    put("unusable.csv", "text,label\n123,A\n,B\nx\n");
    EXPECT(charnn_dataset_load(path_in("unusable.csv"), NULL, NULL, &d), CHARNN_INVALID_DATA, "no usable row");
    put("bad_header.csv", "te\xffxt,label\nabc,A\n");
    EXPECT(charnn_dataset_load(path_in("bad_header.csv"), NULL, NULL, &d), CHARNN_INVALID_DATA, "bad_header.csv:1");
    CHECK(d == (charnn_dataset *)0x1);  /* never written on error */

    /* Rows skipped, not fatal: invalid UTF-8, a NUL byte, text after a closing quote. */
    static const char odd[] = "text,label\nab\xff,A\nok,A\n\"q\"x,B\nn\0ul,B\nfine,B\n";
    write_file(scratch, "odd.csv", odd, sizeof odd - 1);
    d = NULL;
    OK(charnn_dataset_load(path_in("odd.csv"), NULL, NULL, &d));
    CHECK(count_of(d) == 2 && skipped_of(d) == 3);
    CHECK(skipped_says(d, 0, "odd.csv:2", "not valid UTF-8"));
    CHECK(skipped_says(d, 1, "odd.csv:4", "text after a closing quote"));
    CHECK(skipped_says(d, 2, "odd.csv:5", "NUL"));
    charnn_dataset_free(d);

    /* A field over 65,536 bytes rejects its row (scanned past, never copied). */
    size_t long_size = 70000;
    char *big = malloc(long_size + 64);
    strcpy(big, "text,label\nok,A\n");
    size_t at = strlen(big);
    memset(big + at, 'x', long_size);
    at += long_size;
    strcpy(big + at, ",B\nfine,B\n");
    write_file(scratch, "long.csv", big, strlen(big));
    free(big);
    d = NULL;
    OK(charnn_dataset_load(path_in("long.csv"), NULL, NULL, &d));
    CHECK(count_of(d) == 2 && skipped_of(d) == 1);
    CHECK(skipped_says(d, 0, "long.csv:3", "field of 70000 bytes"));
    charnn_dataset_free(d);

    put("dup_header.csv", "a,a,b\nx,y,z\n");
    charnn_data_config_init(&data);
    data.text_column = "a";
    EXPECT(charnn_dataset_load(path_in("dup_header.csv"), &data, NULL, &d), CHARNN_INVALID_DATA, "2 columns are named 'a'");
}

/* ---- datasets from strings, subsets, counts and summaries -------------------------------- */

static void test_from_strings(void) {
    const char *texts[] = {"aab", "ab", "", "c", "ab"};
    const char *labels[] = {"Y", "X", "X", "Y", "X"};
    charnn_text_config text;
    charnn_text_config_init(&text);
    text.alphabet = CHARNN_ALPHABET_LEARNED;
    charnn_dataset *d = NULL;
    OK(charnn_dataset_from_strings(texts, labels, 5, &text, &d));
    CHECK(count_of(d) == 4 && skipped_of(d) == 1);
    CHECK(skipped_says(d, 0, "row 2", "empty"));
    CHECK(label_is(d, 0, "X") && label_is(d, 1, "Y"));
    CHECK(example_is(d, 0, "aab", 1) && example_is(d, 1, "ab", 0) && example_is(d, 2, "c", 1));
    {   /* indices into label names kept in their order, with a text config */
        const char *names[] = {"абв", "где"};
        const int32_t indices[] = {2, 0};
        const char *label_names[] = {"z", "y", "x"};
        charnn_dataset *m = NULL;
        OK(charnn_dataset_from_memory_with_text(names, indices, 2, label_names, 3, &text, &m));
        CHECK(label_is(m, 0, "z") && label_is(m, 1, "y") && label_is(m, 2, "x"));
        CHECK(example_is(m, 0, "абв", 2) && example_is(m, 1, "где", 0));
        charnn_dataset_free(m);
        EXPECT(charnn_dataset_from_memory_with_text(names, indices, 2, label_names, 2, &text, &m), CHARNN_INVALID_ARGUMENT,
               "label 2 of name 0");
        text.struct_size = 1;
        EXPECT(charnn_dataset_from_memory_with_text(names, indices, 2, label_names, 3, &text, &m), CHARNN_INVALID_ARGUMENT,
               "struct_size");
        text.struct_size = sizeof text;
    }

    /* The learned alphabet, most frequent first: a (4), b (3), c (1), then <unk>. */
    charnn_model_config config = tiny_config();
    charnn_model *m = NULL;
    OK(charnn_model_create_for_dataset(&config, d, &m));
    size_t size = 0;
    OK(charnn_model_alphabet_size(m, &size));
    CHECK(size == 4);
    charnn_text_config got;
    charnn_text_config_init(&got);
    OK(charnn_model_get_text_config(m, &got));
    CHECK(got.alphabet == CHARNN_ALPHABET_LEARNED && got.symbols && strcmp(got.symbols, "abc") == 0);
    CHECK(got.normalize == CHARNN_NORMALIZE_NFC && got.case_fold == 0 && got.transliterate == 0);
    CHECK(got.min_count == 1 && got.max_symbols == 0 && got.struct_size == sizeof got);
    size_t labels_n = 0;
    OK(charnn_model_label_count(m, &labels_n));
    CHECK(labels_n == 2);
    int32_t idx[32];
    size_t unknown = 99;
    CHECK(encode(m, "cabz", idx, &unknown) == 4);
    CHECK(idx[0] == 2 && idx[1] == 0 && idx[2] == 1 && idx[3] == 3 && unknown == 1);  /* z is <unk> */
    charnn_model_free(m);

    /* Label counts: exactly the label count is enough; one less writes nothing. */
    int64_t counts[3] = {-1, -1, -1};
    OK(charnn_dataset_label_counts(d, counts, 2));
    CHECK(counts[0] == 2 && counts[1] == 2 && counts[2] == -1);
    int64_t small[1] = {-5};
    EXPECT(charnn_dataset_label_counts(d, small, 1), CHARNN_BUFFER_TOO_SMALL, "counts needs 2 elements");
    CHECK(small[0] == -5);
    EXPECT(charnn_dataset_label_counts(d, NULL, 0), CHARNN_BUFFER_TOO_SMALL, "capacity is 0");
    EXPECT(charnn_dataset_label_counts(d, NULL, 2), CHARNN_INVALID_ARGUMENT, "counts is NULL");
    EXPECT(charnn_dataset_label_counts(NULL, counts, 2), CHARNN_INVALID_ARGUMENT, "dataset is NULL");

    /* Subsets, in the given order, repeats allowed. */
    size_t picks[] = {2, 2, 0, 3, 2};
    charnn_dataset *s = NULL;
    OK(charnn_dataset_subset(d, picks, 5, &s));
    CHECK(count_of(s) == 5);
    CHECK(example_is(s, 0, "c", 1) && example_is(s, 1, "c", 1) && example_is(s, 2, "aab", 1) && example_is(s, 3, "ab", 0));
    OK(charnn_dataset_label_counts(s, counts, 3));
    CHECK(counts[0] == 1 && counts[1] == 4);
    size_t s_labels = 0;
    OK(charnn_dataset_label_count(s, &s_labels));
    CHECK(s_labels == 2);
    char json[2048];
    size_t length = 0;
    OK(charnn_dataset_summary(s, json, sizeof json, &length));
    CHECK(length == strlen(json));
    CHECK(json_int(json, "rows") == 5 && json_int(json, "duplicates") == 2);
    charnn_dataset_free(s);
    size_t bad_picks[] = {0, 4};
    charnn_dataset *t = (charnn_dataset *)0x1;
    EXPECT(charnn_dataset_subset(d, bad_picks, 2, &t), CHARNN_INVALID_ARGUMENT, "indices[1] is 4");
    EXPECT(charnn_dataset_subset(d, bad_picks, 2, &t), CHARNN_INVALID_ARGUMENT, "count 4");
    size_t huge[] = {(size_t)-1};
    EXPECT(charnn_dataset_subset(d, huge, 1, &t), CHARNN_INVALID_ARGUMENT, "indices[0]");
    EXPECT(charnn_dataset_subset(d, NULL, 2, &t), CHARNN_INVALID_ARGUMENT, "indices is NULL");
    EXPECT(charnn_dataset_subset(d, picks, 2, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_dataset_subset(NULL, picks, 2, &t), CHARNN_INVALID_ARGUMENT, "dataset is NULL");
    EXPECT(charnn_dataset_subset(d, picks, (size_t)-1, &t), CHARNN_INVALID_ARGUMENT, "too large");
    CHECK(t == (charnn_dataset *)0x1);

    /* The summary: every documented key, its values, BUFFER_TOO_SMALL writing nothing. */
    OK(charnn_dataset_summary(d, json, sizeof json, &length));
    static const char *keys[] = {"\"rows\":", "\"skipped\":", "\"classes\":", "\"class_counts\":", "\"duplicates\":",
                                 "\"conflicts\":", "\"scripts\":", "\"characters\":", "\"unknown_characters\":",
                                 "\"alphabet\":", "\"kind\":", "\"size\":", "\"normalize\":", "\"case_fold\":",
                                 "\"transliterate\":"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        checks++;
        if (!strstr(json, keys[i])) { failures++; fprintf(stderr, "summary lacks %s: %s\n", keys[i], json); }
    }
    CHECK(json[0] == '{' && json[length - 1] == '}');
    CHECK(json_int(json, "rows") == 4 && json_int(json, "skipped") == 1 && json_int(json, "classes") == 2);
    CHECK(json_int(json, "X") == 2 && json_int(json, "Y") == 2);
    CHECK(json_int(json, "duplicates") == 1 && json_int(json, "conflicts") == 0);
    CHECK(json_int(json, "characters") == 8 && json_int(json, "unknown_characters") == 0);
    CHECK(json_int(json, "size") == 4 && json_int(json, "latin") == 4);
    CHECK(strstr(json, "\"kind\":\"learned\"") && strstr(json, "\"normalize\":\"nfc\""));
    CHECK(strstr(json, "\"case_fold\":false") && strstr(json, "\"transliterate\":false"));
    char tiny[8];
    memset(tiny, 'Z', sizeof tiny);
    size_t needed = 0;
    EXPECT(charnn_dataset_summary(d, tiny, sizeof tiny, &needed), CHARNN_BUFFER_TOO_SMALL, "the buffer has 8");
    CHECK(needed == length);
    CHECK(tiny[0] == 'Z' && tiny[7] == 'Z');
    memset(json, 'Z', sizeof json);
    EXPECT(charnn_dataset_summary(d, json, length, NULL), CHARNN_BUFFER_TOO_SMALL, "needs");  /* no room for the NUL */
    CHECK(json[0] == 'Z' && json[length - 1] == 'Z');
    needed = 0;
    EXPECT(charnn_dataset_summary(d, NULL, 0, &needed), CHARNN_BUFFER_TOO_SMALL, "bytes");
    CHECK(needed == length);
    OK(charnn_dataset_summary(d, json, length + 1, NULL));
    CHECK(strlen(json) == length);
    EXPECT(charnn_dataset_summary(d, NULL, sizeof json, NULL), CHARNN_INVALID_ARGUMENT, "buffer is NULL");
    EXPECT(charnn_dataset_summary(NULL, json, sizeof json, NULL), CHARNN_INVALID_ARGUMENT, "dataset is NULL");
    charnn_dataset_free(d);

    /* A learned alphabet capped, or with a minimum count: the rest is <unk>, counted. */
    text.min_count = 2;
    OK(charnn_dataset_from_strings(texts, labels, 5, &text, &d));
    OK(charnn_dataset_summary(d, json, sizeof json, NULL));
    CHECK(json_int(json, "size") == 3 && json_int(json, "unknown_characters") == 1);  /* c */
    charnn_dataset_free(d);
    text.min_count = 1;
    text.max_symbols = 1;
    OK(charnn_dataset_from_strings(texts, labels, 5, &text, &d));
    OK(charnn_dataset_summary(d, json, sizeof json, NULL));
    CHECK(json_int(json, "size") == 2 && json_int(json, "unknown_characters") == 4);  /* b b c b */
    OK(charnn_model_create_for_dataset(&config, d, &m));
    unknown = 0;
    CHECK(encode(m, "abc", idx, &unknown) == 3);
    CHECK(idx[0] == 0 && idx[1] == 1 && idx[2] == 1 && unknown == 2);
    charnn_model_free(m);
    charnn_dataset_free(d);

    /* The article's alphabet (text NULL): texts it cannot encode are skipped and listed; a
     * conflict (one text, two labels); scripts. */
    const char *mixed[] = {"Smith", "Smith", "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD", "abc1", "Nowak"};
    const char *mixed_labels[] = {"English", "Scottish", "Russian", "English", "Polish"};
    OK(charnn_dataset_from_strings(mixed, mixed_labels, 5, NULL, &d));
    CHECK(count_of(d) == 4 && skipped_of(d) == 1);
    CHECK(skipped_says(d, 0, "row 3", "'1' is not in the vocabulary"));
    OK(charnn_dataset_summary(d, json, sizeof json, NULL));
    CHECK(json_int(json, "conflicts") == 1 && json_int(json, "duplicates") == 0 && json_int(json, "classes") == 4);
    CHECK(json_int(json, "size") == 59 && json_int(json, "cyrillic") == 1 && json_int(json, "latin") == 3);
    CHECK(strstr(json, "\"kind\":\"article\"") && strstr(json, "\"normalize\":\"none\"") && strstr(json, "\"transliterate\":true"));
    charnn_dataset_free(d);

    /* Rows left out at the end (the last texts unencodable): the kept texts are all there. */
    const char *tail[] = {"Smith", "Nowak", "abc1", "x/y"};
    const char *tail_labels[] = {"English", "Polish", "English", "Polish"};
    OK(charnn_dataset_from_strings(tail, tail_labels, 4, NULL, &d));
    CHECK(count_of(d) == 2 && skipped_of(d) == 2);
    CHECK(example_is(d, 0, "Smith", 0) && example_is(d, 1, "Nowak", 1));
    charnn_dataset_free(d);

    /* Errors: NULL arrays, NULL or non-UTF-8 strings (naming the index), bad configs. */
    d = (charnn_dataset *)0x1;
    EXPECT(charnn_dataset_from_strings(NULL, labels, 2, NULL, &d), CHARNN_INVALID_ARGUMENT, "texts is NULL");
    EXPECT(charnn_dataset_from_strings(texts, NULL, 2, NULL, &d), CHARNN_INVALID_ARGUMENT, "labels is NULL");
    EXPECT(charnn_dataset_from_strings(texts, labels, 2, NULL, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_dataset_from_strings(texts, labels, (size_t)-1, NULL, &d), CHARNN_INVALID_ARGUMENT, "too large");
    const char *null_text[] = {"abc", NULL};
    EXPECT(charnn_dataset_from_strings(null_text, labels, 2, NULL, &d), CHARNN_INVALID_ARGUMENT, "texts[1] is NULL");
    const char *null_label[] = {"X", "Y", NULL};
    EXPECT(charnn_dataset_from_strings(texts, null_label, 3, NULL, &d), CHARNN_INVALID_ARGUMENT, "labels[2] is NULL");
    const char *bad_text[] = {"abc", "def", "g\xe9h"};
    EXPECT(charnn_dataset_from_strings(bad_text, labels, 3, NULL, &d), CHARNN_INVALID_ARGUMENT, "texts[2] is not valid UTF-8");
    const char *bad_label[] = {"X", "\xc0\xaf"};  /* an overlong '/' */
    EXPECT(charnn_dataset_from_strings(texts, bad_label, 2, NULL, &d), CHARNN_INVALID_ARGUMENT, "labels[1] is not valid UTF-8");
    const char *surrogate[] = {"\xed\xa0\x80"};
    EXPECT(charnn_dataset_from_strings(surrogate, labels, 1, NULL, &d), CHARNN_INVALID_ARGUMENT, "texts[0] is not valid UTF-8");
    text.max_symbols = 0;
    text.struct_size = sizeof text + 1;
    EXPECT(charnn_dataset_from_strings(texts, labels, 2, &text, &d), CHARNN_INVALID_ARGUMENT, "text->struct_size");
    text.struct_size = sizeof text;
    text.transliterate = 5;
    EXPECT(charnn_dataset_from_strings(texts, labels, 2, &text, &d), CHARNN_INVALID_ARGUMENT, "text->transliterate is 5");
    text.transliterate = -1;
    text.alphabet = 99;
    EXPECT(charnn_dataset_from_strings(texts, labels, 2, &text, &d), CHARNN_INVALID_ARGUMENT, "text->alphabet 99");
    text.alphabet = CHARNN_ALPHABET_EXPLICIT;
    text.symbols = "xy\xf8";
    EXPECT(charnn_dataset_from_strings(texts, labels, 2, &text, &d), CHARNN_INVALID_ARGUMENT, "text->symbols is not valid UTF-8");
    const char *empties[] = {"", ""};
    EXPECT(charnn_dataset_from_strings(empties, labels, 2, NULL, &d), CHARNN_INVALID_DATA, "no usable row");
    CHECK(d == (charnn_dataset *)0x1);

    /* charnn_dataset_split relearns a learned alphabet from the training part: each text here
     * has a letter of its own, so every test text holds one character the train set lacks. */
    const char *letters[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    const char *sides[] = {"X", "Y", "X", "Y", "X", "Y", "X", "Y"};
    charnn_text_config_init(&text);
    text.alphabet = CHARNN_ALPHABET_LEARNED;
    OK(charnn_dataset_from_strings(letters, sides, 8, &text, &d));
    charnn_dataset *train = NULL, *test = NULL;
    OK(charnn_dataset_split(d, 0.5, 3, &train, &test));
    CHECK(count_of(train) == 4 && count_of(test) == 4);
    char json2[1024];
    OK(charnn_dataset_summary(d, json2, sizeof json2, NULL));
    CHECK(json_int(json2, "size") == 9);
    OK(charnn_dataset_summary(train, json2, sizeof json2, NULL));
    CHECK(json_int(json2, "size") == 5);
    charnn_model *split_model = NULL;
    OK(charnn_model_create_for_dataset(&config, train, &split_model));
    size_t train_unknown = 0, test_unknown = 0;
    for (size_t i = 0; i < 4; i++) {
        char one[8];
        int32_t pieces[32];
        size_t u = 0;
        OK(charnn_dataset_get(train, i, one, sizeof one, NULL, NULL));
        CHECK(encode(split_model, one, pieces, &u) == 1);
        train_unknown += u;
        OK(charnn_dataset_get(test, i, one, sizeof one, NULL, NULL));
        CHECK(encode(split_model, one, pieces, &u) == 1 && pieces[0] == 4);
        test_unknown += u;
    }
    CHECK(train_unknown == 0 && test_unknown == 4);
    charnn_model_free(split_model);
    charnn_dataset_free(train);
    charnn_dataset_free(test);
    charnn_dataset_free(d);
    d = (charnn_dataset *)0x1;

    /* More labels than CHARNN_MAX_LABELS (skipped under valgrind: 65,536 rows). */
    if (!quick) {
        size_t n = (size_t)CHARNN_MAX_LABELS + 1;
        char *storage = malloc(n * 8);
        const char **many = malloc(n * sizeof *many);
        const char **many_texts = malloc(n * sizeof *many_texts);
        for (size_t i = 0; i < n; i++) {
            snprintf(storage + i * 8, 8, "L%zu", i);
            many[i] = storage + i * 8;
            many_texts[i] = "abc";
        }
        EXPECT(charnn_dataset_from_strings(many_texts, many, n, NULL, &d), CHARNN_INVALID_DATA, "at most 65535");
        OK(charnn_dataset_from_strings(many_texts, many, n - 1, NULL, &d));
        size_t got_labels = 0;
        OK(charnn_dataset_label_count(d, &got_labels));
        CHECK(got_labels == CHARNN_MAX_LABELS);
        charnn_dataset_free(d);
        free(many_texts);
        free(many);
        free(storage);
    }
}

/* ---- alphabets and normalisation --------------------------------------------------------- */

static void test_alphabets(void) {
    int32_t idx[32];
    size_t unknown = 99, length = 0;

    /* The article's alphabet (text NULL, or charnn_model_create): 59 symbols, no <unk>, the
     * characters it lacks dropped and counted. */
    charnn_model_config config = tiny_config();
    const char *labels[] = {"A", "B"};
    charnn_model *article = NULL, *old = NULL;
    OK(charnn_model_create_with_text(&config, NULL, labels, 2, &article));
    OK(charnn_model_create(&config, labels, 2, &old));
    size_t size = 0;
    OK(charnn_model_alphabet_size(article, &size));
    CHECK(size == 59);
    charnn_text_config got;
    charnn_text_config_init(&got);
    OK(charnn_model_get_text_config(old, &got));
    CHECK(got.alphabet == CHARNN_ALPHABET_ARTICLE && got.normalize == CHARNN_NORMALIZE_NONE && got.case_fold == 0);
    CHECK(got.transliterate == 1 && got.symbols &&
          strcmp(got.symbols, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'") == 0);
    CHECK(encode(article, "a1b", idx, &unknown) == 2 && idx[0] == 0 && idx[1] == 1 && unknown == 1);
    CHECK(encode(article, "\xC5\xBB" "ak", idx, &unknown) == 3 && idx[0] == 51 && idx[1] == 0 && idx[2] == 10 && unknown == 0);
    CHECK(same_encoding(article, "\xC5\xBB" "ak", "Zak", 3));
    CHECK(same_encoding(old, "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD", "Ivan", 4));
    OK(charnn_model_encode(article, "abc", NULL, 0, &length, NULL));  /* the length only */
    CHECK(length == 3);
    /* Nothing readable: no index, every character counted (charnn_model_predict refuses it). */
    length = 99;
    unknown = 0;
    OK(charnn_model_encode(article, "123", idx, 32, &length, &unknown));
    CHECK(length == 0 && unknown == 3);
    EXPECT(charnn_model_predict(article, "123", 1, idx, NULL, NULL), CHARNN_INVALID_ARGUMENT, "no character");
    char *huge = malloc(65538);
    memset(huge, 'a', 65537);
    huge[65537] = 0;
    EXPECT(charnn_model_encode(article, huge, NULL, 0, &length, NULL), CHARNN_INVALID_ARGUMENT, "at most 65536");
    huge[65536] = 0;  /* 65,536 bytes: accepted */
    OK(charnn_model_encode(article, huge, NULL, 0, &length, NULL));
    CHECK(length == 65536);
    free(huge);

    /* Errors of charnn_model_encode, alphabet_size and get_text_config. */
    int32_t two[2] = {-9, -9};
    length = 0;
    EXPECT(charnn_model_encode(article, "abc", two, 2, &length, NULL), CHARNN_BUFFER_TOO_SMALL, "capacity is 2");
    CHECK(length == 3 && two[0] == -9 && two[1] == -9);
    EXPECT(charnn_model_encode(article, NULL, idx, 32, &length, NULL), CHARNN_INVALID_ARGUMENT, "text is NULL");
    EXPECT(charnn_model_encode(article, "ab\xfe", idx, 32, &length, NULL), CHARNN_INVALID_ARGUMENT, "text is not valid UTF-8");
    EXPECT(charnn_model_encode(NULL, "abc", idx, 32, &length, NULL), CHARNN_INVALID_ARGUMENT, "model is NULL");
    EXPECT(charnn_model_alphabet_size(article, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_model_alphabet_size(NULL, &size), CHARNN_INVALID_ARGUMENT, "model is NULL");
    EXPECT(charnn_model_get_text_config(article, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_model_get_text_config(NULL, &got), CHARNN_INVALID_ARGUMENT, "model is NULL");
    charnn_text_config sized = got;
    sized.struct_size = sizeof sized - 8;
    EXPECT(charnn_model_get_text_config(article, &sized), CHARNN_INVALID_ARGUMENT, "out->struct_size");
    CHECK(sized.struct_size == sizeof sized - 8);
    sized.struct_size = sizeof sized + 8;
    EXPECT(charnn_model_get_text_config(article, &sized), CHARNN_INVALID_ARGUMENT, "out->struct_size");
    charnn_model_free(old);
    charnn_model_free(article);
    EXPECT(charnn_model_alphabet_size(article, &size), CHARNN_INVALID_HANDLE, "not a live");

    /* An explicit alphabet: its symbols in order, then <unk>. */
    charnn_model *m = explicit_model("\xC3\xA9" "abc", CHARNN_NORMALIZE_DEFAULT, 0, -1);
    OK(charnn_model_alphabet_size(m, &size));
    CHECK(size == 5);
    OK(charnn_model_get_text_config(m, &got));
    CHECK(got.alphabet == CHARNN_ALPHABET_EXPLICIT && got.normalize == CHARNN_NORMALIZE_NFC);
    CHECK(got.transliterate == 0 && got.case_fold == 0 && strcmp(got.symbols, "\xC3\xA9" "abc") == 0);
    unknown = 99;
    CHECK(encode(m, "cab!", idx, &unknown) == 4);
    CHECK(idx[0] == 3 && idx[1] == 1 && idx[2] == 2 && idx[3] == 4 && unknown == 1);
    unknown = 99;
    CHECK(encode(m, "??", idx, &unknown) == 2 && idx[0] == 4 && idx[1] == 4 && unknown == 2);  /* <unk> is readable */
    /* NFC: composed and decomposed read the same. */
    CHECK(same_encoding(m, "\xC3\xA9" "a", "e\xCC\x81" "a", 2));
    CHECK(encode(m, "e\xCC\x81", idx, &unknown) == 1 && idx[0] == 0 && unknown == 0);
    charnn_model_free(m);
    /* Without normalisation they do not: e and the combining accent are two <unk>. */
    m = explicit_model("\xC3\xA9" "abc", CHARNN_NORMALIZE_NONE, 0, -1);
    CHECK(encode(m, "e\xCC\x81" "a", idx, &unknown) == 3 && idx[0] == 4 && idx[1] == 4 && idx[2] == 1 && unknown == 2);
    CHECK(encode(m, "\xC3\xA9" "a", idx, &unknown) == 2 && idx[0] == 0 && unknown == 0);
    charnn_model_free(m);

    /* NFKC: the ligature fi and full-width A read as fi and A; NFC keeps the ligature. */
    m = explicit_model("fiA", CHARNN_NORMALIZE_NFKC, 0, -1);
    OK(charnn_model_get_text_config(m, &got));
    CHECK(got.normalize == CHARNN_NORMALIZE_NFKC);
    CHECK(same_encoding(m, "\xEF\xAC\x81", "fi", 2));
    CHECK(same_encoding(m, "\xEF\xBC\xA1" "\xEF\xAC\x81", "Afi", 3));
    charnn_model_free(m);
    m = explicit_model("fiA", CHARNN_NORMALIZE_NFC, 0, -1);
    CHECK(encode(m, "\xEF\xAC\x81", idx, &unknown) == 1 && idx[0] == 3 && unknown == 1);
    charnn_model_free(m);

    /* Case folding (full: ß folds to ss), alone and after NFKC (full-width capitals). */
    m = explicit_model("strae", CHARNN_NORMALIZE_NFC, 1, -1);
    OK(charnn_model_get_text_config(m, &got));
    CHECK(got.case_fold == 1);
    CHECK(same_encoding(m, "Stra\xC3\x9F" "e", "strasse", 7));
    CHECK(same_encoding(m, "STRASSE", "strasse", 7));
    CHECK(encode(m, "Stra\xC3\x9F" "e", idx, &unknown) == 7 && idx[0] == 0 && idx[4] == 0 && idx[5] == 0 && idx[6] == 4 && unknown == 0);
    charnn_model_free(m);
    m = explicit_model("strae", CHARNN_NORMALIZE_NFKC, 1, -1);
    CHECK(same_encoding(m, "\xEF\xBC\xB3\xEF\xBC\xB4\xEF\xBC\xB2\xEF\xBC\xA1\xEF\xBC\xB3\xEF\xBC\xB3\xEF\xBC\xA5", "strasse", 7));
    CHECK(same_encoding(m, "Stra\xC3\x9F" "e", "STRASSE", 7));
    charnn_model_free(m);
    m = explicit_model("strae", CHARNN_NORMALIZE_NFC, 0, -1);  /* no folding: capitals are <unk> */
    CHECK(encode(m, "STRASSE", idx, &unknown) == 7 && unknown == 7);
    charnn_model_free(m);

    /* Transliteration with an explicit alphabet. */
    m = explicit_model("Ivano", CHARNN_NORMALIZE_DEFAULT, 0, 1);
    OK(charnn_model_get_text_config(m, &got));
    CHECK(got.transliterate == 1);
    CHECK(same_encoding(m, "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD\xD0\xBE\xD0\xB2", "Ivanov", 6));
    charnn_model_free(m);

    /* charnn_model_create_with_text errors. */
    charnn_text_config text;
    charnn_text_config_init(&text);
    m = (charnn_model *)0x1;
    text.alphabet = CHARNN_ALPHABET_LEARNED;
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "CHARNN_ALPHABET_LEARNED");
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "charnn_model_create_for_dataset");
    text.alphabet = CHARNN_ALPHABET_EXPLICIT;
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "text->symbols is NULL");
    text.symbols = "xyzx";
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "'x' appears twice");
    text.symbols = "xyz";
    text.normalize = 7;
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "text->normalize 7");
    text.normalize = CHARNN_NORMALIZE_DEFAULT;
    text.struct_size = 4;
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "text->struct_size is 4");
    text.struct_size = sizeof text;
    EXPECT(charnn_model_create_with_text(NULL, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "config is NULL");
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_model_create_with_text(&config, &text, NULL, 2, &m), CHARNN_INVALID_ARGUMENT, "label_names is NULL");
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 0, &m), CHARNN_INVALID_ARGUMENT, "at least one label");
    EXPECT(charnn_model_create_with_text(&config, &text, labels, (size_t)CHARNN_MAX_LABELS + 1, &m), CHARNN_INVALID_ARGUMENT, "label_count");
    const char *twice[] = {"A", "A"};
    EXPECT(charnn_model_create_with_text(&config, &text, twice, 2, &m), CHARNN_INVALID_ARGUMENT, "appears twice");
    const char *bad_label[] = {"A", "\xff"};
    EXPECT(charnn_model_create_with_text(&config, &text, bad_label, 2, &m), CHARNN_INVALID_ARGUMENT, "label_names[1] is not valid UTF-8");
    config.hidden_size = 0;
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "hidden size 0");
    config = tiny_config();
    config.struct_size = sizeof config + 8;
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "config->struct_size");
    config = tiny_config();
    CHECK(m == (charnn_model *)0x1);

    /* An explicit alphabet of too many symbols (<unk> makes one more). */
    size_t n = CHARNN_MAX_ALPHABET_SIZE;
    char *big = malloc(n * 4 + 1), *at = big;
    for (uint32_t cp = 0x100, made = 0; made < n; cp++) {
        if (cp >= 0xD800 && cp < 0xE000) continue;
        if (cp < 0x800) { *at++ = (char)(0xC0 | cp >> 6); *at++ = (char)(0x80 | (cp & 0x3F)); }
        else if (cp < 0x10000) { *at++ = (char)(0xE0 | cp >> 12); *at++ = (char)(0x80 | (cp >> 6 & 0x3F)); *at++ = (char)(0x80 | (cp & 0x3F)); }
        else { *at++ = (char)(0xF0 | cp >> 18); *at++ = (char)(0x80 | (cp >> 12 & 0x3F)); *at++ = (char)(0x80 | (cp >> 6 & 0x3F)); *at++ = (char)(0x80 | (cp & 0x3F)); }
        made++;
    }
    *at = 0;
    text.symbols = big;
    text.normalize = CHARNN_NORMALIZE_NONE;
    EXPECT(charnn_model_create_with_text(&config, &text, labels, 2, &m), CHARNN_INVALID_ARGUMENT, "65535 symbols");
    free(big);

    /* charnn_model_create_for_dataset errors. */
    charnn_dataset *d = small_dataset();
    EXPECT(charnn_model_create_for_dataset(NULL, d, &m), CHARNN_INVALID_ARGUMENT, "config is NULL");
    EXPECT(charnn_model_create_for_dataset(&config, NULL, &m), CHARNN_INVALID_ARGUMENT, "data is NULL");
    EXPECT(charnn_model_create_for_dataset(&config, d, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    config.kind = 9;
    EXPECT(charnn_model_create_for_dataset(&config, d, &m), CHARNN_INVALID_ARGUMENT, "kind");
    config = tiny_config();
    config.struct_size = 0;
    EXPECT(charnn_model_create_for_dataset(&config, d, &m), CHARNN_INVALID_ARGUMENT, "config->struct_size");
    config = tiny_config();
    EXPECT(charnn_model_create_for_dataset(&config, (charnn_dataset *)&config, &m), CHARNN_INVALID_HANDLE, "data is not a live");
    CHECK(m == (charnn_model *)0x1);
    /* For an article dataset: the article's alphabet, the dataset's labels. */
    OK(charnn_model_create_for_dataset(&config, d, &m));
    OK(charnn_model_alphabet_size(m, &size));
    CHECK(size == 59);
    const char *name = NULL;
    OK(charnn_model_label_name(m, 2, &name));
    CHECK(name && strcmp(name, "Upper") == 0);
    charnn_dataset_free(d);
    EXPECT(charnn_model_create_for_dataset(&config, d, &m), CHARNN_INVALID_HANDLE, "data is not a live");
    charnn_model_free(m);
}

/* ---- a learned alphabet trained, saved, loaded; labels matched by name --------------------- */

static const char *const train_texts[] = {
    "M\xC3\xBCller", "Stra\xC3\x9F" "er", "Wei\xC3\x9F", "Gr\xC3\xB6\xC3\x9F" "e", "Schr\xC3\xB6" "der", "K\xC3\xB6hler",
    "\xC5\xBB" "ak", "\xC5\x81ukasik", "W\xC3\xB3jcik", "D\xC4\x85" "browski", "Zieli\xC5\x84ski", "Wo\xC5\xBA" "niak",
    "\xCE\xA0\xCE\xB1\xCF\x80\xCE\xB1\xCE\xB4\xCF\x8C\xCF\x80\xCE\xBF\xCF\x85\xCE\xBB\xCE\xBF\xCF\x82",
    "\xCE\x91\xCE\xBB\xCE\xB5\xCE\xBE\xCE\xAF\xCE\xBF\xCF\x85", "\xCE\x9D\xCE\xB9\xCE\xBA\xCE\xBF\xCE\xBB\xCE\xAC\xCE\xBF\xCF\x85",
    "\xCE\x9C\xCE\xB1\xCE\xBA\xCF\x81\xCE\xAE\xCF\x82", "\xCE\x92\xCE\xBB\xCE\xAC\xCF\x87\xCE\xBF\xCF\x82", "\xEF\xAC\x81" "lippou",
    "Smith", "JONES", "\xEF\xBC\xA2rown", "Taylor", "Wilson", "Evans"};
static const char *const train_labels[] = {
    "German", "German", "German", "German", "German", "German", "Polish", "Polish", "Polish", "Polish", "Polish", "Polish",
    "Greek", "Greek", "Greek", "Greek", "Greek", "Greek", "English", "English", "English", "English", "English", "English"};
static const char *const probe_names[] = {"Schmidt", "Nowak", "\xCE\x93\xCE\xB5\xCF\x89\xCF\x81\xCE\xB3\xCE\xAF\xCE\xBF\xCF\x85",
                                          "Brown", "STRASSE", "?!"};

static void test_learned_checkpoint(void) {
    charnn_text_config text;
    charnn_text_config_init(&text);
    text.alphabet = CHARNN_ALPHABET_LEARNED;
    text.normalize = CHARNN_NORMALIZE_NFKC;
    text.case_fold = 1;
    charnn_dataset *data = NULL;
    OK(charnn_dataset_from_strings((const char *const *)train_texts, (const char *const *)train_labels, 24, &text, &data));
    CHECK(count_of(data) == 24 && skipped_of(data) == 0);
    char json[2048];
    OK(charnn_dataset_summary(data, json, sizeof json, NULL));
    CHECK(strstr(json, "\"kind\":\"learned\"") && strstr(json, "\"normalize\":\"nfkc\"") && strstr(json, "\"case_fold\":true"));
    CHECK(json_int(json, "Greek") == 6 && json_int(json, "greek") == 5 && json_int(json, "latin") == 19);  /* fi-lippou is Latin */

    charnn_model_config config = tiny_config();
    charnn_model *m = NULL;
    OK(charnn_model_create_for_dataset(&config, data, &m));
    charnn_train_config train;
    charnn_train_config_init(&train);
    train.epochs = quick ? 1 : 3;
    train.batch_size = 8;
    train.learning_rate = 0.01f;
    train.seed = 5;
    charnn_train_result result = {.struct_size = sizeof result};
    OK(charnn_model_train(m, data, &train, &result));
    CHECK(result.epochs_completed == train.epochs && result.steps_taken == 3 * train.epochs);

    charnn_text_config before, after;
    charnn_text_config_init(&before);
    charnn_text_config_init(&after);
    OK(charnn_model_get_text_config(m, &before));
    CHECK(before.alphabet == CHARNN_ALPHABET_LEARNED && before.normalize == CHARNN_NORMALIZE_NFKC);
    CHECK(before.case_fold == 1 && before.transliterate == 0 && before.symbols != NULL);
    /* Folded and NFKC'd: no capitals, no ß, no ligature, no full-width letter among the symbols. */
    CHECK(before.symbols && !strstr(before.symbols, "\xC3\x9F") && !strstr(before.symbols, "\xEF\xAC\x81")
          && !strstr(before.symbols, "M") && !strstr(before.symbols, "\xEF\xBC\xA2") && strstr(before.symbols, "\xCF\x83"));
    size_t size_before = 0, size_after = 0;
    OK(charnn_model_alphabet_size(m, &size_before));
    size_t scalars = 0;
    for (const char *c = before.symbols; c && *c; c++) scalars += ((unsigned char)*c & 0xC0) != 0x80;
    CHECK(scalars + 1 == size_before);  /* the symbols, then <unk> */

    const char *path = path_in("learned.safetensors");
    OK(charnn_model_save(m, path));
    charnn_model *loaded = NULL;
    OK(charnn_model_load(path, &loaded));
    OK(charnn_model_get_text_config(loaded, &after));
    CHECK(after.alphabet == before.alphabet && after.normalize == before.normalize && after.case_fold == before.case_fold);
    CHECK(after.transliterate == before.transliterate && after.min_count == 1 && after.max_symbols == 0);
    CHECK(before.symbols && after.symbols && strcmp(before.symbols, after.symbols) == 0);
    OK(charnn_model_alphabet_size(loaded, &size_after));
    CHECK(size_after == size_before && size_after > 20);

    /* The same predictions and encodings, bit for bit. */
    size_t probes = sizeof probe_names / sizeof probe_names[0];
    for (size_t i = 0; i < probes; i++) {
        int32_t la[4], lb[4];
        float pa[4], pb[4];
        size_t ca = 0, cb = 0;
        OK(charnn_model_predict(m, probe_names[i], 4, la, pa, &ca));
        OK(charnn_model_predict(loaded, probe_names[i], 4, lb, pb, &cb));
        CHECK(ca == 4 && cb == 4 && memcmp(la, lb, sizeof la) == 0 && memcmp(pa, pb, sizeof pa) == 0);
        int32_t ea[32], eb[32];
        size_t ua = 0, ub = 0;
        long na = encode(m, probe_names[i], ea, &ua), nb = encode(loaded, probe_names[i], eb, &ub);
        CHECK(na > 0 && na == nb && ua == ub && memcmp(ea, eb, (size_t)na * sizeof ea[0]) == 0);
    }
    /* "?!" is two <unk> (the last index); STRASSE folds to the symbols of strasse. */
    int32_t e[32];
    size_t unknown = 0;
    CHECK(encode(loaded, "?!", e, &unknown) == 2 && unknown == 2 && e[0] == (int32_t)size_after - 1 && e[1] == e[0]);
    CHECK(same_encoding(loaded, "STRASSE", "stra\xC3\x9F" "e", 7));
    CHECK(same_encoding(loaded, "\xEF\xAC\x81" "lippou", "FILIPPOU", 8));

    /* Read other data the same way: the symbols as an EXPLICIT alphabet encode identically. */
    charnn_text_config same;
    charnn_text_config_init(&same);
    same.alphabet = CHARNN_ALPHABET_EXPLICIT;
    same.symbols = after.symbols;
    same.normalize = after.normalize;
    same.case_fold = after.case_fold;
    same.transliterate = after.transliterate;
    charnn_model *twin = NULL;
    const char *labels2[] = {"a", "b"};
    OK(charnn_model_create_with_text(&config, &same, labels2, 2, &twin));
    for (size_t i = 0; i < probes; i++) {
        int32_t ea[32], eb[32];
        size_t ua = 0, ub = 0;
        long na = encode(loaded, probe_names[i], ea, &ua), nb = encode(twin, probe_names[i], eb, &ub);
        CHECK(na > 0 && na == nb && ua == ub && memcmp(ea, eb, (size_t)na * sizeof ea[0]) == 0);
    }
    charnn_model_free(twin);

    /* Evaluation matches labels by name: a test set with two of the four labels (its label 0
     * is the model's 1, its 1 the model's 3) and the article's alphabet. */
    const char *test_texts[] = {"Zimmermann", "Nowak", "\xC5\xBB" "ak", "Kowalczyk", "Sch\xC3\xBCtz"};
    const char *test_labels[] = {"German", "Polish", "Polish", "Polish", "German"};
    charnn_dataset *test = NULL;
    OK(charnn_dataset_from_strings(test_texts, test_labels, 5, NULL, &test));
    size_t model_labels = 0;
    OK(charnn_model_label_count(loaded, &model_labels));
    CHECK(model_labels == 4);
    const char *l1 = NULL, *l3 = NULL;
    OK(charnn_model_label_name(loaded, 1, &l1));
    OK(charnn_model_label_name(loaded, 3, &l3));
    CHECK(l1 && strcmp(l1, "German") == 0 && l3 && strcmp(l3, "Polish") == 0);
    int64_t confusion[16];
    double accuracy = -1;
    OK(charnn_model_evaluate(loaded, test, &accuracy, confusion, 16));
    int64_t rows[4] = {0, 0, 0, 0}, diagonal = 0;
    for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 4; c++) rows[r] += confusion[r * 4 + c];
        diagonal += confusion[r * 4 + r];
    }
    CHECK(rows[0] == 0 && rows[1] == 2 && rows[2] == 0 && rows[3] == 3);
    CHECK(accuracy >= 0 && accuracy <= 1 && (int64_t)(accuracy * 5 + 0.5) == diagonal);
    double again = -1;
    OK(charnn_model_evaluate(m, test, &again, NULL, 0));
    CHECK(again == accuracy);

    /* A label the model lacks: evaluate and train refuse it, naming it. */
    const char *alien_labels[] = {"German", "Klingon", "Polish", "Polish", "German"};
    charnn_dataset *alien = NULL;
    OK(charnn_dataset_from_strings(test_texts, alien_labels, 5, NULL, &alien));
    accuracy = -1;
    EXPECT(charnn_model_evaluate(loaded, alien, &accuracy, NULL, 0), CHARNN_INVALID_ARGUMENT, "'Klingon'");
    CHECK(accuracy == -1);
    EXPECT(charnn_model_train(loaded, alien, &train, NULL), CHARNN_INVALID_ARGUMENT, "'Klingon' is not one of the model's");

    /* An empty subset is a dataset, but nothing to train or evaluate on. */
    charnn_dataset *empty = NULL;
    OK(charnn_dataset_subset(test, NULL, 0, &empty));
    CHECK(count_of(empty) == 0);
    EXPECT(charnn_model_evaluate(loaded, empty, &accuracy, NULL, 0), CHARNN_INVALID_ARGUMENT, "empty");
    EXPECT(charnn_model_train(loaded, empty, &train, NULL), CHARNN_INVALID_ARGUMENT, "empty");
    charnn_dataset_free(empty);

    /* Training on a dataset that lacks labels, with another alphabet, is fine. */
    train.epochs = 1;
    OK(charnn_model_train(loaded, test, &train, &result));
    CHECK(result.steps_taken == 1);

    charnn_dataset_free(alien);
    charnn_dataset_free(test);
    charnn_model_free(loaded);
    charnn_model_free(m);
    charnn_dataset_free(data);
}

void test_text(void) {
    snprintf(scratch, sizeof scratch, "/tmp/charnn-text-XXXXXX");
    if (!mkdtemp(scratch)) { perror("mkdtemp"); failures++; return; }
    test_configs();
    test_load_csv();
    test_load_tsv_and_directories();
    test_load_errors();
    test_from_strings();
    test_alphabets();
    test_learned_checkpoint();
    remove_tree(scratch);
}
