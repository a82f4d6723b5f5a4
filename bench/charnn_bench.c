/*
 * charnn_bench — the charnn side of the benchmarks, through the C ABI (libcharnn.so), on the
 * same stratified split as bench/torch_reference.py. Prints one JSON line per run.
 *
 *   charnn_bench train elman|gru|lstm DATA_DIR [--epochs N] [--batch N] [--lr X] [--clip X] [--limit N]
 *   charnn_bench predict DATA_DIR [--count N]
 *
 * `train` reports train seconds, µs per training name, test accuracy, evaluation µs per name
 * and peak RSS; `predict` the single-name latency (p50, p99) of a 2-layer GRU (hidden 256) and
 * the µs per name of charnn_model_predict_many.
 */
#define _POSIX_C_SOURCE 200809L
#include <charnn.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double peak_rss_mb(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_maxrss / 1024.0;
}

#define TRY(call)                                                                            \
    do {                                                                                     \
        charnn_status s_ = (call);                                                           \
        if (s_ != CHARNN_OK) {                                                               \
            fprintf(stderr, "charnn_bench: %s: %s\n", #call, charnn_last_error());           \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

static const char *option(int argc, char **argv, const char *name, const char *fallback) {
    for (int i = 0; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return fallback;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The data, split like the article (10 % test, seed 0), and a model over its labels. */
static void setup(const char *dir, int32_t kind, charnn_dataset **data, charnn_dataset **train, charnn_dataset **test,
                  charnn_model **model) {
    TRY(charnn_dataset_load_dir(dir, data));
    TRY(charnn_dataset_split(*data, 0.1, 0, train, test));
    size_t labels;
    TRY(charnn_dataset_label_count(*data, &labels));
    const char *names[256];
    for (size_t i = 0; i < labels; i++) TRY(charnn_dataset_label_name(*data, i, &names[i]));
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.kind = kind;
    TRY(charnn_model_create(&config, names, labels, model));
}

static int train(int32_t kind, const char *kind_name, const char *dir, int argc, char **argv) {
    charnn_dataset *data, *train_set, *test_set;
    charnn_model *model;
    setup(dir, kind, &data, &train_set, &test_set, &model);
    size_t limit = (size_t)atol(option(argc, argv, "--limit", "0")), count;
    TRY(charnn_dataset_count(train_set, &count));
    if (limit && limit < count) { /* a stratified sample of `limit` names, for quick runs */
        charnn_dataset *all = train_set, *rest;
        TRY(charnn_dataset_split(all, (double)limit / (double)count, 0, &rest, &train_set));
        charnn_dataset_free(rest);
        charnn_dataset_free(all);
        TRY(charnn_dataset_count(train_set, &count));
    }
    charnn_train_config config;
    charnn_train_config_init(&config);
    config.epochs = atoi(option(argc, argv, "--epochs", "2"));
    config.batch_size = atoi(option(argc, argv, "--batch", "1"));
    config.learning_rate = (float)atof(option(argc, argv, "--lr", "1e-3"));
    config.clip_norm = (float)atof(option(argc, argv, "--clip", kind == CHARNN_MODEL_ELMAN ? "1" : "0"));
    double started = now();
    TRY(charnn_model_train(model, train_set, &config, NULL));
    double seconds = now() - started;
    size_t test_count;
    TRY(charnn_dataset_count(test_set, &test_count));
    double accuracy, eval_started = now();
    TRY(charnn_model_evaluate(model, test_set, &accuracy, NULL, 0));
    double eval_seconds = now() - eval_started;
    printf("{\"impl\": \"charnn\", \"case\": \"%s\", \"library\": \"%s\", \"epochs\": %d, \"batch\": %d, \"lr\": %g, "
           "\"train_names\": %zu, \"train_seconds\": %.3f, \"us_per_name\": %.1f, \"test_accuracy\": %.4f, "
           "\"eval_us_per_name\": %.1f, \"peak_rss_mb\": %.1f}\n",
           kind_name, charnn_version_string(), config.epochs, config.batch_size, (double)config.learning_rate, count,
           seconds, seconds / ((double)config.epochs * (double)count) * 1e6, accuracy,
           eval_seconds / (double)test_count * 1e6, peak_rss_mb());
    charnn_model_free(model);
    charnn_dataset_free(train_set);
    charnn_dataset_free(test_set);
    charnn_dataset_free(data);
    return 0;
}

static int predict(const char *dir, int argc, char **argv) {
    charnn_dataset *data, *train_set, *test_set;
    charnn_model *model;
    setup(dir, CHARNN_MODEL_GRU, &data, &train_set, &test_set, &model);
    size_t count;
    TRY(charnn_dataset_count(test_set, &count));
    size_t wanted = (size_t)atol(option(argc, argv, "--count", "0"));
    if (wanted && wanted < count) count = wanted;
    char **names = calloc(count, sizeof *names);
    double *times = calloc(count, sizeof *times);
    for (size_t i = 0; i < count; i++) {
        size_t length;
        charnn_dataset_get(test_set, i, NULL, 0, &length, NULL);
        names[i] = malloc(length + 1);
        TRY(charnn_dataset_get(test_set, i, names[i], length + 1, NULL, NULL));
    }
    int32_t labels[3 * 4096];
    float probabilities[3 * 4096];
    for (size_t i = 0; i < 50 && i < count; i++) TRY(charnn_model_predict(model, names[i], 3, labels, probabilities, NULL));
    for (size_t i = 0; i < count; i++) {
        double started = now();
        TRY(charnn_model_predict(model, names[i], 3, labels, probabilities, NULL));
        times[i] = (now() - started) * 1e6;
    }
    qsort(times, count, sizeof *times, compare_doubles);
    double started = now();
    for (size_t start = 0; start < count; start += 4096) {
        size_t n = count - start < 4096 ? count - start : 4096;
        TRY(charnn_model_predict_many(model, (const char *const *)names + start, n, 3, labels, probabilities));
    }
    double many = (now() - started) / (double)count * 1e6;
    printf("{\"impl\": \"charnn\", \"case\": \"predict\", \"library\": \"%s\", \"names\": %zu, \"predict_p50_us\": %.1f, "
           "\"predict_p99_us\": %.1f, \"batched_us_per_name\": %.2f, \"peak_rss_mb\": %.1f}\n",
           charnn_version_string(), count, times[count / 2], times[(size_t)((double)count * 0.99)], many, peak_rss_mb());
    for (size_t i = 0; i < count; i++) free(names[i]);
    free(names);
    free(times);
    charnn_model_free(model);
    charnn_dataset_free(train_set);
    charnn_dataset_free(test_set);
    charnn_dataset_free(data);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "train")) {
        int32_t kind = !strcmp(argv[2], "elman") ? CHARNN_MODEL_ELMAN : !strcmp(argv[2], "lstm") ? CHARNN_MODEL_LSTM
                                                                                                : CHARNN_MODEL_GRU;
        return train(kind, argv[2], argv[3], argc - 4, argv + 4);
    }
    if (argc >= 3 && !strcmp(argv[1], "predict")) return predict(argv[2], argc - 3, argv + 3);
    fprintf(stderr, "usage: charnn_bench train elman|gru|lstm DATA_DIR [--epochs N] [--batch N] [--lr X] [--clip X] "
                    "[--limit N]\n       charnn_bench predict DATA_DIR [--count N]\n");
    return 2;
}
