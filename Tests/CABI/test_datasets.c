/* Versions, datasets, handles and the tutorial's data through the C ABI. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char scratch[256];
static const char *names3[] = {"abc", "pqrs", "KL-M", "bad1", "Żak", "hgf", "uvw", "MN-O"};
static const int32_t labels3[] = {0, 1, 2, 0, 0, 0, 1, 2};

/* ---- versions and errors ----------------------------------------------------------------- */

void test_versions_and_status_strings(void) {
    CHECK(charnn_abi_version() == CHARNN_ABI_VERSION);
    CHECK(strcmp(charnn_version_string(), CHARNN_VERSION_STRING) == 0);
    CHECK(strcmp(charnn_status_string(CHARNN_OK), "ok") == 0);
    CHECK(strcmp(charnn_status_string(CHARNN_BUSY), "busy") == 0);
    CHECK(strcmp(charnn_status_string(CHARNN_INTERNAL_ERROR), "internal error") == 0);
    CHECK(strcmp(charnn_status_string((charnn_status)12345), "unknown status") == 0);
    /* Every status of the header has its own string (the library's table is the one source). */
    static const charnn_status all[] = {
        CHARNN_OK, CHARNN_INVALID_ARGUMENT, CHARNN_INVALID_HANDLE, CHARNN_SHAPE_MISMATCH, CHARNN_IO_ERROR,
        CHARNN_INVALID_DATA, CHARNN_INVALID_CHECKPOINT, CHARNN_DIVERGED, CHARNN_CANCELLED, CHARNN_BUSY,
        CHARNN_BUFFER_TOO_SMALL, CHARNN_INTERNAL_ERROR,
    };
    size_t count = sizeof all / sizeof all[0];
    for (size_t i = 0; i < count; i++) {
        CHECK(all[i] == (charnn_status)i); /* the values are 0 .. count - 1, in order */
        const char *text = charnn_status_string(all[i]);
        CHECK(text && *text && strcmp(text, "unknown status") != 0);
        for (size_t j = 0; j < i; j++) CHECK(strcmp(text, charnn_status_string(all[j])) != 0);
    }
    CHECK(strcmp(charnn_status_string((charnn_status)count), "unknown status") == 0);
    CHECK(strcmp(charnn_status_string((charnn_status)-1), "unknown status") == 0);
    CHECK(strcmp(charnn_last_error(), "") == 0 || 1);
}

/* ---- datasets ---------------------------------------------------------------------------- */

void test_dataset_from_memory(void) {
    charnn_dataset *d = small_dataset();
    size_t n = 0;
    OK(charnn_dataset_count(d, &n));
    CHECK(n == 7);
    OK(charnn_dataset_label_count(d, &n));
    CHECK(n == 3);
    const char *label = NULL;
    OK(charnn_dataset_label_name(d, 1, &label));
    CHECK(label && strcmp(label, "Late") == 0);
    EXPECT(charnn_dataset_label_name(d, 3, &label), CHARNN_INVALID_ARGUMENT, "index 3");
    EXPECT(charnn_dataset_label_name(d, 0, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");

    char buffer[16];
    size_t length = 0;
    int32_t l = -1;
    OK(charnn_dataset_get(d, 3, buffer, sizeof buffer, &length, &l));  /* "bad1" was skipped */
    CHECK(strcmp(buffer, "Żak") == 0 && length == 4 && l == 0);
    OK(charnn_dataset_get(d, 0, NULL, 0, NULL, &l));
    CHECK(l == 0);
    EXPECT(charnn_dataset_get(d, 3, buffer, 4, &length, NULL), CHARNN_BUFFER_TOO_SMALL, "needs 5 bytes");
    CHECK(length == 4);
    EXPECT(charnn_dataset_get(d, 3, NULL, 0, &length, NULL), CHARNN_BUFFER_TOO_SMALL, "needs 5");
    EXPECT(charnn_dataset_get(d, 3, NULL, 10, &length, NULL), CHARNN_INVALID_ARGUMENT, "buffer is NULL but capacity is 10");
    EXPECT(charnn_dataset_get(d, 7, buffer, sizeof buffer, &length, &l), CHARNN_INVALID_ARGUMENT, "index 7");
    EXPECT(charnn_dataset_get(d, (size_t)-1, buffer, sizeof buffer, &length, &l), CHARNN_INVALID_ARGUMENT, "index");

    OK(charnn_dataset_skipped_count(d, &n));
    CHECK(n == 1);
    char line[128];
    OK(charnn_dataset_skipped(d, 0, line, sizeof line, &length));
    CHECK(strstr(line, "name 3") && strstr(line, "bad1") && strstr(line, "'1' is not in the vocabulary"));
    EXPECT(charnn_dataset_skipped(d, 1, line, sizeof line, &length), CHARNN_INVALID_ARGUMENT, "skipped count 1");
    EXPECT(charnn_dataset_skipped(d, 0, line, 3, &length), CHARNN_BUFFER_TOO_SMALL, "the buffer has 3");
    charnn_dataset_free(d);

    charnn_dataset *bad = (charnn_dataset *)0x1;
    EXPECT(charnn_dataset_from_memory(NULL, labels3, 2, label_names3, 3, &bad), CHARNN_INVALID_ARGUMENT, "names is NULL");
    CHECK(bad == (charnn_dataset *)0x1);  /* outputs untouched on error */
    EXPECT(charnn_dataset_from_memory(names3, NULL, 2, label_names3, 3, &bad), CHARNN_INVALID_ARGUMENT, "labels is NULL");
    EXPECT(charnn_dataset_from_memory(names3, labels3, 2, NULL, 3, &bad), CHARNN_INVALID_ARGUMENT, "label_names is NULL");
    EXPECT(charnn_dataset_from_memory(names3, labels3, 2, label_names3, 0, &bad), CHARNN_INVALID_ARGUMENT, "at least one label");
    EXPECT(charnn_dataset_from_memory(names3, labels3, 8, label_names3, 2, &bad), CHARNN_INVALID_ARGUMENT, "label 2 of name 2");
    EXPECT(charnn_dataset_from_memory(names3, labels3, 8, label_names3, 3, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_dataset_from_memory(names3, labels3, (size_t)-1, label_names3, 3, &bad), CHARNN_INVALID_ARGUMENT, "too large");
    const char *with_null[] = {"abc", NULL};
    EXPECT(charnn_dataset_from_memory(with_null, labels3, 2, label_names3, 3, &bad), CHARNN_INVALID_ARGUMENT, "names[1] is NULL");
    const char *not_utf8[] = {"abc", "a\xff"};
    EXPECT(charnn_dataset_from_memory(not_utf8, labels3, 2, label_names3, 3, &bad), CHARNN_INVALID_ARGUMENT, "names[1] is not valid UTF-8");
    const char *twice[] = {"A", "A"};
    EXPECT(charnn_dataset_from_memory(names3, labels3, 1, twice, 2, &bad), CHARNN_INVALID_ARGUMENT, "appears twice");
    const char *empty_label[] = {""};
    EXPECT(charnn_dataset_from_memory(names3, labels3, 1, empty_label, 1, &bad), CHARNN_INVALID_ARGUMENT, "is empty");
    CHECK(bad == (charnn_dataset *)0x1);
}

void test_dataset_directories(void) {
    charnn_dataset *d = NULL;
    EXPECT(charnn_dataset_load_dir(NULL, &d), CHARNN_INVALID_ARGUMENT, "path is NULL");
    EXPECT(charnn_dataset_load_dir("/tmp", NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_dataset_load_dir("/no/such/dir", &d), CHARNN_IO_ERROR, "/no/such/dir");
    EXPECT(charnn_dataset_load_dir("\xc3\x28", &d), CHARNN_INVALID_ARGUMENT, "not valid UTF-8");
    EXPECT(charnn_dataset_load_dir("", &d), CHARNN_INVALID_ARGUMENT, "empty");

    snprintf(scratch, sizeof scratch, "/tmp/charnn-abi-XXXXXX");
    CHECK(mkdtemp(scratch) != NULL);
    write_file(scratch, "notes.md", "x", 1);
    EXPECT(charnn_dataset_load_dir(scratch, &d), CHARNN_INVALID_DATA, "no label files");
    write_file(scratch, "Greek.txt", "\n  \n", 4);
    EXPECT(charnn_dataset_load_dir(scratch, &d), CHARNN_INVALID_DATA, "Greek.txt' has no names");
    write_file(scratch, "Greek.txt", "Alexiou\nPapa\xffs\n", 14);
    EXPECT(charnn_dataset_load_dir(scratch, &d), CHARNN_INVALID_DATA, "line 2 is not valid UTF-8");
    write_file(scratch, "Greek.txt", "Alexiou\r\nPapadopoulos  \n", 24);
    write_file(scratch, "Czech.txt", "Novak\nMaxa/B\n", 13);
    OK(charnn_dataset_load_dir(scratch, &d));
    size_t n = 0;
    charnn_dataset_count(d, &n);
    CHECK(n == 3);
    const char *label = NULL;
    charnn_dataset_label_name(d, 0, &label);
    CHECK(label && strcmp(label, "Czech") == 0);
    char line[128];
    OK(charnn_dataset_skipped(d, 0, line, sizeof line, NULL));
    CHECK(strstr(line, "Czech.txt:2") != NULL);
    charnn_dataset_free(d);
    remove_tree(scratch);
}

void test_split(void) {
    static const char *names[40];
    static int32_t labels[40];
    char storage[40][8];
    for (int i = 0; i < 40; i++) {
        snprintf(storage[i], sizeof storage[i], "n%c%c", 'a' + i % 3, 'a' + i / 3);
        names[i] = storage[i];
        labels[i] = i % 2;
    }
    const char *label_names[] = {"Even", "Odd"};
    charnn_dataset *d = NULL, *train = NULL, *test = NULL;
    OK(charnn_dataset_from_memory(names, labels, 40, label_names, 2, &d));
    OK(charnn_dataset_split(d, 0.25, 7, &train, &test));
    size_t a = 0, b = 0;
    charnn_dataset_count(train, &a);
    charnn_dataset_count(test, &b);
    CHECK(a == 30 && b == 10);
    charnn_dataset *train2 = NULL, *test2 = NULL;
    OK(charnn_dataset_split(d, 0.25, 7, &train2, &test2));
    char x[16], y[16];
    for (size_t i = 0; i < b; i++) {
        charnn_dataset_get(test, i, x, sizeof x, NULL, NULL);
        charnn_dataset_get(test2, i, y, sizeof y, NULL, NULL);
        CHECK(strcmp(x, y) == 0);
    }
    charnn_dataset *t3 = (charnn_dataset *)0x1, *t4 = (charnn_dataset *)0x1;
    EXPECT(charnn_dataset_split(d, 0, 7, &t3, &t4), CHARNN_INVALID_ARGUMENT, "test fraction 0");
    EXPECT(charnn_dataset_split(d, 1, 7, &t3, &t4), CHARNN_INVALID_ARGUMENT, "strictly between");
    EXPECT(charnn_dataset_split(d, NAN, 7, &t3, &t4), CHARNN_INVALID_ARGUMENT, "test fraction");
    EXPECT(charnn_dataset_split(d, 0.5, 7, NULL, &t4), CHARNN_INVALID_ARGUMENT, "train is NULL");
    EXPECT(charnn_dataset_split(d, 0.5, 7, &t3, NULL), CHARNN_INVALID_ARGUMENT, "test is NULL");
    EXPECT(charnn_dataset_split(d, 0.5, 7, &t3, &t3), CHARNN_INVALID_ARGUMENT, "same place");
    CHECK(t3 == (charnn_dataset *)0x1 && t4 == (charnn_dataset *)0x1);
    charnn_dataset_free(train2);
    charnn_dataset_free(test2);
    charnn_dataset_free(train);
    charnn_dataset_free(test);
    charnn_dataset_free(d);
}

/* ---- handles ----------------------------------------------------------------------------- */

void test_handles(void) {
    charnn_dataset *d = small_dataset();
    size_t n = 0;
    charnn_dataset_free(d);
    EXPECT(charnn_dataset_count(d, &n), CHARNN_INVALID_HANDLE, "not a live charnn handle");
    charnn_dataset_free(d);     /* a second free is ignored */
    charnn_dataset_free(NULL);
    charnn_model_free(NULL);
    int local = 0;
    EXPECT(charnn_dataset_count((charnn_dataset *)&local, &n), CHARNN_INVALID_HANDLE, "not a live");
    charnn_dataset_free((charnn_dataset *)&local);  /* foreign: ignored */
    EXPECT(charnn_dataset_count(NULL, &n), CHARNN_INVALID_ARGUMENT, "dataset is NULL");

    charnn_model_config config;
    charnn_model_config_init(&config);
    config.hidden_size = 4;
    charnn_model *m = NULL;
    OK(charnn_model_create(&config, label_names3, 3, &m));
    EXPECT(charnn_dataset_count((charnn_dataset *)m, &n), CHARNN_INVALID_HANDLE, "is a model handle, not a dataset");
    charnn_dataset_free((charnn_dataset *)m);  /* wrong kind: ignored, the model lives on */
    OK(charnn_model_label_count(m, &n));
    CHECK(n == 3);
    d = small_dataset();
    EXPECT(charnn_model_label_count((charnn_model *)d, &n), CHARNN_INVALID_HANDLE, "is a dataset handle, not a model");
    charnn_dataset_free(d);
    charnn_model_free(m);
    EXPECT(charnn_model_label_count(m, &n), CHARNN_INVALID_HANDLE, "not a live");
}

/* ---- the tutorial's data ----------------------------------------------------------------- */

void test_real_data(void) {
    const char *dir = getenv("CHARNN_DATA");
    struct stat st;
    char probe[512];
    snprintf(probe, sizeof probe, "%s/English.txt", dir ? dir : "");
    if (!dir || stat(probe, &st) != 0) {
        printf("abi_test: no CHARNN_DATA with the names data: real-data checks skipped\n");
        return;
    }
    charnn_dataset *d = NULL, *train = NULL, *test = NULL;
    OK(charnn_dataset_load_dir(dir, &d));
    size_t n = 0, labels = 0, skipped = 0, a = 0, b = 0;
    charnn_dataset_count(d, &n);
    charnn_dataset_label_count(d, &labels);
    charnn_dataset_skipped_count(d, &skipped);
    CHECK(n == 20070 && labels == 18 && skipped == 4);
    OK(charnn_dataset_split(d, 0.1, 0, &train, &test));
    charnn_dataset_count(train, &a);
    charnn_dataset_count(test, &b);
    CHECK(a == 18063 && b == 2007);
    charnn_dataset_free(train);
    charnn_dataset_free(test);
    charnn_dataset_free(d);
}

