/* libFuzzer harness: data sets from arbitrary bytes. The input is split into records; each
 * becomes a file (name, contents) of a fresh directory loaded with charnn_dataset_load_dir, and
 * the same bytes split at NUL are names for charnn_dataset_from_memory. */
#define _GNU_SOURCE
#include <charnn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char directory[64];

static void clear_directory(void) {
    for (int i = 0; i < 8; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%d.txt", directory, i);
        unlink(path);
        snprintf(path, sizeof path, "%s/L%d.txt", directory, i);
        unlink(path);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    snprintf(directory, sizeof directory, "/tmp/charnn-fuzz-XXXXXX");
    if (!mkdtemp(directory)) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* Directory: up to 8 files; each record is [1 byte: label digit/flag][2 bytes: length][contents]. */
    clear_directory();
    size_t at = 0;
    for (int file = 0; file < 8 && at + 3 <= size; file++) {
        size_t length = ((size_t)data[at + 1] | (size_t)data[at + 2] << 8) % 512;
        if (at + 3 + length > size) length = size - at - 3;
        char path[128];
        snprintf(path, sizeof path, data[at] & 1 ? "%s/L%d.txt" : "%s/%d.txt", directory, file);
        FILE *f = fopen(path, "wb");
        if (f) { fwrite(data + at + 3, 1, length, f); fclose(f); }
        at += 3 + length;
    }
    charnn_dataset *dataset = NULL, *train = NULL, *test = NULL;
    if (charnn_dataset_load_dir(directory, &dataset) == CHARNN_OK) {
        size_t count = 0, labels = 0;
        charnn_dataset_count(dataset, &count);
        charnn_dataset_label_count(dataset, &labels);
        if (labels == 0) __builtin_trap();
        if (charnn_dataset_split(dataset, 0.3, 1, &train, &test) == CHARNN_OK) {
            charnn_dataset_free(train);
            charnn_dataset_free(test);
        }
        char name[64];
        size_t length;
        int32_t label;
        for (size_t i = 0; i < count && i < 4; i++) charnn_dataset_get(dataset, i, name, sizeof name, &length, &label);
        charnn_dataset_free(dataset);
    }

    /* Memory: names split at NUL, labels from the bytes after each name. */
    const char *names[64];
    int32_t label_indices[64];
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = 0;
    size_t count = 0;
    for (size_t i = 0; i <= size && count < 64;) {
        names[count] = copy + i;
        size_t length = strlen(copy + i);
        label_indices[count] = i + length + 1 < size ? (int32_t)(data[i + length + 1] % 4) - 1 : 0;
        count++;
        i += length + 1;
    }
    const char *label_names[3] = {"A", "B", "C"};
    if (charnn_dataset_from_memory(names, label_indices, count, label_names, 3, &dataset) == CHARNN_OK)
        charnn_dataset_free(dataset);
    free(copy);
    return 0;
}
