/*
 * dispatch_bench — what libcharnn.so's dispatcher costs on the fast path, and how much slower the
 * portable build is, measured in one process so that the three sides share every moment of the
 * machine's state (bench/dispatch.py runs it and keeps the results):
 *
 *   dispatcher  LIBDIR/libcharnn.so, the dispatcher, which loads the fast build (x86-64-v3 here)
 *   direct      that same build, opened directly: dlopen gives the very library the dispatcher
 *               loaded, so the two sides run the same code on the same models and differ only by
 *               the dispatcher's forwarding
 *   portable    LIBDIR/libcharnn-portable.so opened directly (a second copy of the core), with
 *               models made the same way (same seeds: the same weights)
 *
 * Every measurement alternates the sides (all six orders in turn) and reports each side's median.
 * The program reaches all three through dlsym'd pointers, as a program's PLT would.
 *
 *   dispatch_bench LIBDIR DATA_DIR [--rounds N] [--calls N] [--predicts N] [--train-names N]
 *
 * Prints one JSON line per measurement and side. Run with CHARNN_NUM_THREADS=1 (dispatch.py does).
 */
#define _GNU_SOURCE
#include <charnn.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define FUNCTIONS(X)                                                                                           \
    X(charnn_abi_version) X(charnn_cpu_variant) X(charnn_last_error) X(charnn_dataset_load_dir)                \
    X(charnn_dataset_count) X(charnn_dataset_label_count) X(charnn_dataset_label_name) X(charnn_dataset_get)   \
    X(charnn_dataset_split) X(charnn_dataset_free) X(charnn_model_config_init) X(charnn_model_create)         \
    X(charnn_model_label_count) X(charnn_model_predict) X(charnn_train_config_init) X(charnn_model_train)     \
    X(charnn_model_free)

typedef struct {
    const char *name;
#define FIELD(f) __typeof__(&f) f;
    FUNCTIONS(FIELD)
#undef FIELD
} api;

static void open_api(api *a, const char *name, const char *path) {
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        fprintf(stderr, "dispatch_bench: %s\n", dlerror());
        exit(1);
    }
    a->name = name;
#define LOOKUP(f)                                                                      \
    *(void **)&a->f = dlsym(library, #f);                                              \
    if (!a->f) {                                                                       \
        fprintf(stderr, "dispatch_bench: %s has no %s\n", path, #f);                   \
        exit(1);                                                                       \
    }
    FUNCTIONS(LOOKUP)
#undef LOOKUP
}

#define TRY(a, call)                                                                           \
    do {                                                                                       \
        charnn_status s_ = (call);                                                             \
        if (s_ != CHARNN_OK) {                                                                 \
            fprintf(stderr, "dispatch_bench: %s: %s: %s\n", (a)->name, #call, (a)->charnn_last_error()); \
            exit(1);                                                                           \
        }                                                                                      \
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

enum { SIDES = 3 };
static api sides[SIDES];
static const char *variant;

/* The k-th side to run in iteration i: the six orders of three in turn, so that each side runs
 * before and after each other one equally often (a side run just after another on the same model
 * finds its caches warm). */
static int side_at(size_t i, int k) {
    static const int orders[6][SIDES] = {{0, 1, 2}, {1, 0, 2}, {2, 0, 1}, {0, 2, 1}, {1, 2, 0}, {2, 1, 0}};
    return orders[i % 6][k];
}

/* Prints the median, 10th and 90th percentile of each side's samples. */
static void report(const char *measure, const char *unit, double *samples[SIDES], size_t count) {
    for (int s = 0; s < SIDES; s++) {
        qsort(samples[s], count, sizeof(double), compare_doubles);
        printf("{\"measure\": \"%s\", \"unit\": \"%s\", \"side\": \"%s\", \"variant\": \"%s\", \"median\": %.6g, "
               "\"p10\": %.6g, \"p90\": %.6g, \"samples\": %zu}\n",
               measure, unit, sides[s].name, s == 2 ? "portable" : variant, samples[s][count / 2],
               samples[s][count / 10], samples[s][count * 9 / 10], count);
    }
    fflush(stdout);
}

static double *alloc_samples(size_t count) {
    double *p = calloc(count, sizeof(double));
    if (!p) exit(1);
    return p;
}

static charnn_model *make_model(api *a, int32_t kind, int32_t hidden, int32_t layers, const char **labels, size_t n) {
    charnn_model_config config;
    a->charnn_model_config_init(&config);
    config.kind = kind;
    if (hidden) config.hidden_size = hidden;
    if (layers) config.num_layers = layers;
    config.seed = 1;
    charnn_model *model = NULL;
    TRY(a, a->charnn_model_create(&config, labels, n, &model));
    return model;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: dispatch_bench LIBDIR DATA_DIR [--rounds N] [--calls N] [--predicts N] [--train-names N]\n");
        return 2;
    }
    const char *dir = argv[1], *data_dir = argv[2];
    size_t rounds = (size_t)atol(option(argc, argv, "--rounds", "48"));
    long calls = atol(option(argc, argv, "--calls", "200000"));
    size_t predicts = (size_t)atol(option(argc, argv, "--predicts", "1000"));
    size_t train_names = (size_t)atol(option(argc, argv, "--train-names", "1000"));
    char path[4096];

    snprintf(path, sizeof path, "%s/libcharnn.so", dir);
    open_api(&sides[0], "dispatcher", path);
    variant = sides[0].charnn_cpu_variant();  /* loads the build it picks */
    if (!strcmp(variant, "none")) {
        fprintf(stderr, "dispatch_bench: %s\n", sides[0].charnn_last_error());
        return 1;
    }
    snprintf(path, sizeof path, "%s/libcharnn-%s.so", dir, variant);
    open_api(&sides[1], "direct", path);
    snprintf(path, sizeof path, "%s/libcharnn-portable.so", dir);
    open_api(&sides[2], "portable", path);

    /* Data and models on every side; the dispatcher and direct sides share the dispatcher's. */
    charnn_dataset *data[SIDES], *train[SIDES], *rest[SIDES];
    charnn_model *small[SIDES], *gru[SIDES];
    const char *labels[256];
    size_t label_count = 0, total = 0;
    for (int s = 0; s < SIDES; s++) {
        api *a = &sides[s];
        if (s == 1) {
            data[1] = data[0], train[1] = train[0], rest[1] = rest[0], small[1] = small[0], gru[1] = gru[0];
            continue;
        }
        TRY(a, a->charnn_dataset_load_dir(data_dir, &data[s]));
        TRY(a, a->charnn_dataset_count(data[s], &total));
        TRY(a, a->charnn_dataset_label_count(data[s], &label_count));
        for (size_t i = 0; i < label_count && i < 256; i++) TRY(a, a->charnn_dataset_label_name(data[s], i, &labels[i]));
        double fraction = train_names < total ? (double)train_names / (double)total : 0.999;
        TRY(a, a->charnn_dataset_split(data[s], fraction, 0, &rest[s], &train[s]));
        small[s] = make_model(a, CHARNN_MODEL_ELMAN, 32, 1, labels, label_count);
        gru[s] = make_model(a, CHARNN_MODEL_GRU, 0, 0, labels, label_count);  /* default: 2 layers, hidden 256 */
    }
    if (predicts > total) predicts = total;

    double *samples[SIDES];
    volatile int32_t sink = 0;

    /* 1. The call alone: charnn_abi_version, `calls` times per sample. */
    for (int s = 0; s < SIDES; s++) samples[s] = alloc_samples(rounds);
    for (size_t r = 0; r < rounds; r++)
        for (int k = 0; k < SIDES; k++) {
            int s = side_at(r, k);
            double started = now();
            for (long i = 0; i < calls; i++) sink += sides[s].charnn_abi_version();
            samples[s][r] = (now() - started) / (double)calls * 1e9;
        }
    report("call", "ns", samples, rounds);

    /* 2. A call on a handle (the registry looked up): charnn_model_label_count. */
    for (size_t r = 0; r < rounds; r++)
        for (int k = 0; k < SIDES; k++) {
            int s = side_at(r, k);
            size_t n = 0;
            long handle_calls = calls / 10;
            double started = now();
            for (long i = 0; i < handle_calls; i++) sides[s].charnn_model_label_count(small[s], &n);
            samples[s][r] = (now() - started) / (double)handle_calls * 1e9;
        }
    report("handle_call", "ns", samples, rounds);
    for (int s = 0; s < SIDES; s++) free(samples[s]);

    /* 3, 4. Single-name prediction, each name through every side in turn (after a warm-up pass). */
    const char *cases[] = {"predict_elman32", "predict_gru256"};
    for (int c = 0; c < 2; c++) {
        charnn_model **models = c == 0 ? small : gru;
        for (int s = 0; s < SIDES; s++) samples[s] = alloc_samples(predicts);
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < predicts; i++) {
                char name[256];
                TRY(&sides[0], sides[0].charnn_dataset_get(data[0], i, name, sizeof name, NULL, NULL));
                for (int k = 0; k < SIDES; k++) {
                    int s = side_at(i, k);
                    int32_t top[3];
                    float probabilities[3];
                    double started = now();
                    TRY(&sides[s], sides[s].charnn_model_predict(models[s], name, 3, top, probabilities, NULL));
                    samples[s][i] = (now() - started) * 1e6;
                }
            }
        report(cases[c], "us", samples, predicts);
        for (int s = 0; s < SIDES; s++) free(samples[s]);
    }

    /* 5. Training: one epoch of a fresh 1-layer GRU (hidden 64, batch 16, Adam) on `train_names`
     * names, the sides in turn; the same seeds, so the same work. */
    size_t train_rounds = rounds / 4 > 6 ? rounds / 4 : 6;
    for (int s = 0; s < SIDES; s++) samples[s] = alloc_samples(train_rounds);
    for (size_t r = 0; r < train_rounds; r++)
        for (int k = 0; k < SIDES; k++) {
            int s = side_at(r, k);
            api *a = &sides[s];
            charnn_model *model = make_model(a, CHARNN_MODEL_GRU, 64, 1, labels, label_count);
            charnn_train_config config;
            a->charnn_train_config_init(&config);
            config.epochs = 1;
            config.batch_size = 16;
            config.seed = 0;
            double started = now();
            TRY(a, a->charnn_model_train(model, train[s], &config, NULL));
            samples[s][r] = now() - started;
            a->charnn_model_free(model);
        }
    report("train_gru64_epoch", "s", samples, train_rounds);
    for (int s = 0; s < SIDES; s++) free(samples[s]);

    (void)sink;
    for (int s = 0; s < SIDES; s++) {
        if (s == 1) continue;
        sides[s].charnn_model_free(small[s]);
        sides[s].charnn_model_free(gru[s]);
        sides[s].charnn_dataset_free(train[s]);
        sides[s].charnn_dataset_free(rest[s]);
        sides[s].charnn_dataset_free(data[s]);
    }
    return 0;
}
