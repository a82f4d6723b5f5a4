/*
 * The C ABI test program: calls every function of include/charnn.h, its success paths and
 * every error path the header documents, and checks the statuses, messages and outputs. Run by
 * `make test`, directly and under valgrind (no leak, no invalid access). CHARNN_DATA names the
 * tutorial's data directory for the checks on real data (skipped, with a note, when absent);
 * CHARNN_TEST_QUICK=1 shortens the slow parts (for valgrind).
 *
 * Suites: test_datasets.c (versions, datasets, handles), test_models.c (models, threads),
 * test_lowlevel.c (graphs, tensors, ops, optimizers), test_metrics.c (evaluation metrics),
 * test_training.c (validation, early stopping, schedules, the loss options, struct sizes of earlier releases),
 * test_options.c (the GRU/LSTM options of charnn_model_config, 0.2.0-sized configs, the recipes).
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int failures = 0, checks = 0, quick = 0;

void write_file(const char *dir, const char *name, const char *contents, size_t length) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    fwrite(contents, 1, length, f);
    fclose(f);
}

void remove_tree(const char *dir) {
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static const char *names3[] = {"abc", "pqrs", "KL-M", "bad1", "Żak", "hgf", "uvw", "MN-O"};
static const int32_t labels3[] = {0, 1, 2, 0, 0, 0, 1, 2};
const char *label_names3[3] = {"Early", "Late", "Upper"};

charnn_dataset *small_dataset(void) {
    charnn_dataset *d = NULL;
    OK(charnn_dataset_from_memory(names3, labels3, 8, label_names3, 3, &d));
    return d;
}


int main(void) {
    quick = getenv("CHARNN_TEST_QUICK") != NULL;
    test_versions_and_status_strings();
    test_cpu_variant();
    test_dataset_from_memory();
    test_dataset_directories();
    test_split();
    test_handles();
    test_model_create();
    test_train_evaluate_predict();
    test_save_load();
    test_threads();
    test_real_data();
    test_low_level();
    test_faults();
    test_text();
    test_metrics();
    test_training();
    test_options();
    test_quantize();
    test_limits();
    printf("abi_test: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

/* 300 distinct names in three learnable labels, drawn with `seed`; with `shift`, every label moved
 * on by one (the same texts: a validation set whose loss rises as the model learns the real labels). */
charnn_dataset *pool_dataset(unsigned seed, int shift) {
    static const char *pools[] = {"abcdefgh", "pqrstuvw", "KLMNO"};
    enum { count = 300 };
    char *names[count];
    int32_t labels[count];
    for (int i = 0; i < count; i++) {
        int label = i % 3;
        size_t pool = strlen(pools[label]);
        names[i] = calloc(24, 1);
        int length = 3 + i % 4, j = 0;
        for (; j < length; j++) {
            seed = seed * 1103515245u + 12345u;
            names[i][j] = pools[label][(seed >> 16) % pool];
        }
        for (int n = i; j < 20; n /= (int)pool) {  /* a suffix spelling i: every name distinct */
            names[i][j++] = pools[label][(size_t)n % pool];
            if (n < (int)pool) break;
        }
        labels[i] = (label + shift) % 3;
    }
    charnn_dataset *d = NULL;
    OK(charnn_dataset_from_memory((const char *const *)names, labels, count, label_names3, 3, &d));
    for (int i = 0; i < count; i++) free(names[i]);
    return d;
}
