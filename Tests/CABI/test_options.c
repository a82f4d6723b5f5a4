/* The GRU/LSTM options of charnn_model_config (0.3: embedding_size, bidirectional, pooling,
 * dropout, the n-gram bag) through the C ABI: each trains, predicts, saves and loads to the same
 * predictions; charnn_model_get_config gives them back; a caller built against 0.2.0's smaller
 * charnn_model_config still creates the 0.2.0 model and receives only 0.2.0's fields; every bad
 * value is refused naming its field or the problem. And the recipes (charnn_model_config_recipe,
 * charnn_train_config_recipe): their values, what they keep, how the best recipe's epochs follow
 * the rows, their errors. */
#define _GNU_SOURCE
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"


static const char *probe_names[] = {"abcfe", "pqrsw", "KLMON", "Mike", "Qin", "Ślusàrski", "a"};
enum { probes = sizeof probe_names / sizeof *probe_names };

/* Every field of two configs equal (struct_size included). */
static int same_config(const charnn_model_config *a, const charnn_model_config *b) {
    return a->struct_size == b->struct_size && a->kind == b->kind && a->hidden_size == b->hidden_size &&
           a->num_layers == b->num_layers && a->hidden_init == b->hidden_init && a->seed == b->seed &&
           a->embedding_size == b->embedding_size && a->bidirectional == b->bidirectional &&
           a->pooling == b->pooling && a->dropout == b->dropout && a->ngram_buckets == b->ngram_buckets &&
           a->ngram_dim == b->ngram_dim && a->ngram_min == b->ngram_min && a->ngram_max == b->ngram_max;
}

static void test_option_defaults(void) {
    charnn_model_config c;
    memset(&c, 0xA5, sizeof c);
    charnn_model_config_init(&c);
    CHECK(c.struct_size == sizeof c && sizeof c == 64);
    CHECK(offsetof(charnn_model_config, embedding_size) == 32);  /* 0.2.0's struct ended at seed */
    CHECK(c.embedding_size == 0 && c.bidirectional == 0 && c.pooling == CHARNN_POOLING_LAST && c.dropout == 0);
    CHECK(c.ngram_buckets == 0 && c.ngram_dim == 64 && c.ngram_min == 1 && c.ngram_max == 5);
    CHECK(CHARNN_POOLING_LAST == 0 && CHARNN_POOLING_MEAN == 1 && CHARNN_POOLING_MAX == 2);
    CHECK(CHARNN_RECIPE_FAST == 1 && CHARNN_RECIPE_BEST == 2);
}

typedef struct {
    const char *what;
    int32_t kind, layers, embedding, bidirectional, pooling;
    float dropout;
    int32_t buckets, dim, min, max;
} option_case;

/* Each option on its own and all at once: created, trained briefly, then saved and loaded to the
 * same predictions and the same config. */
static void test_each_option_round_trips(const char *dir) {
    static const option_case cases[] = {
        {"bidirectional GRU", CHARNN_MODEL_GRU, 1, 0, 1, CHARNN_POOLING_LAST, 0, 0, 64, 1, 5},
        {"bidirectional LSTM", CHARNN_MODEL_LSTM, 2, 0, 1, CHARNN_POOLING_LAST, 0, 0, 64, 1, 5},
        {"embedding", CHARNN_MODEL_GRU, 1, 6, 0, CHARNN_POOLING_LAST, 0, 0, 64, 1, 5},
        {"last pooling (explicit)", CHARNN_MODEL_LSTM, 1, 0, 0, CHARNN_POOLING_LAST, 0, 0, 64, 1, 5},
        {"mean pooling", CHARNN_MODEL_GRU, 1, 0, 0, CHARNN_POOLING_MEAN, 0, 0, 64, 1, 5},
        {"max pooling", CHARNN_MODEL_LSTM, 1, 0, 0, CHARNN_POOLING_MAX, 0, 0, 64, 1, 5},
        {"dropout", CHARNN_MODEL_GRU, 2, 0, 0, CHARNN_POOLING_LAST, 0.25f, 0, 64, 1, 5},
        {"n-gram bag", CHARNN_MODEL_GRU, 1, 0, 0, CHARNN_POOLING_LAST, 0, 512, 8, 2, 4},
        {"everything", CHARNN_MODEL_LSTM, 2, 5, 1, CHARNN_POOLING_MAX, 0.1f, 300, 6, 1, 5},
    };
    charnn_dataset *data = pool_dataset(4242, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/options.safetensors", dir);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const option_case *o = &cases[i];
        int failures_before = failures;
        charnn_model_config config;
        charnn_model_config_init(&config);
        config.kind = o->kind;
        config.hidden_size = 8;
        config.num_layers = o->layers;
        config.seed = 3 + i;
        config.embedding_size = o->embedding;
        config.bidirectional = o->bidirectional;
        config.pooling = o->pooling;
        config.dropout = o->dropout;
        config.ngram_buckets = o->buckets;
        config.ngram_dim = o->dim;
        config.ngram_min = o->min;
        config.ngram_max = o->max;
        charnn_model *m = NULL, *loaded = NULL;
        OK(charnn_model_create(&config, label_names3, 3, &m));
        if (!m) { fprintf(stderr, "  (%s)\n", o->what); continue; }

        /* get_config gives back what was set (the library's hidden_init for a GRU/LSTM is ZEROS). */
        charnn_model_config got;
        charnn_model_config_init(&got);
        OK(charnn_model_get_config(m, &got));
        config.hidden_init = CHARNN_HIDDEN_INIT_ZEROS;
        CHECK(same_config(&got, &config));

        charnn_train_config t;
        charnn_train_config_init(&t);
        t.epochs = quick ? 1 : 2;
        t.batch_size = 16;
        t.learning_rate = 1e-2f;
        t.seed = 7;
        charnn_train_result result = {.struct_size = sizeof result};
        OK(charnn_model_train(m, data, &t, &result));
        CHECK(result.epochs_completed == t.epochs && isfinite(result.last_epoch_loss));

        int32_t before[probes * 3], after[probes * 3];
        float pbefore[probes * 3], pafter[probes * 3];
        OK(charnn_model_predict_many(m, probe_names, probes, 3, before, pbefore));
        OK(charnn_model_save(m, path));
        OK(charnn_model_load(path, &loaded));
        if (!loaded) { fprintf(stderr, "  (%s)\n", o->what); charnn_model_free(m); continue; }
        OK(charnn_model_predict_many(loaded, probe_names, probes, 3, after, pafter));
        CHECK(memcmp(before, after, sizeof before) == 0 && memcmp(pbefore, pafter, sizeof pbefore) == 0);
        /* One at a time as well, against the original. */
        for (int p = 0; p < probes; p++) {
            int32_t la[3], lb[3];
            float a[3], b[3];
            OK(charnn_model_predict(m, probe_names[p], 3, la, a, NULL));
            OK(charnn_model_predict(loaded, probe_names[p], 3, lb, b, NULL));
            CHECK(memcmp(la, lb, sizeof la) == 0 && memcmp(a, b, sizeof a) == 0);
        }
        charnn_model_config reloaded;
        charnn_model_config_init(&reloaded);
        OK(charnn_model_get_config(loaded, &reloaded));
        CHECK(same_config(&reloaded, &got));
        size_t w1 = 0, w2 = 0;
        OK(charnn_model_parameter_count(m, &w1));
        OK(charnn_model_parameter_count(loaded, &w2));
        CHECK(w1 == w2 && w1 > 0);
        double a1 = -1, a2 = -2;
        OK(charnn_model_evaluate(m, data, &a1, NULL, 0));
        OK(charnn_model_evaluate(loaded, data, &a2, NULL, 0));
        CHECK(a1 == a2);
        if (failures != failures_before) fprintf(stderr, "  (in case '%s')\n", o->what);
        charnn_model_free(loaded);
        charnn_model_free(m);
    }

    /* The weight counts the options imply (article alphabet: 59 symbols; 3 labels; hidden 8). */
    charnn_model_config c;
    charnn_model_config_init(&c);
    c.hidden_size = 8;
    c.num_layers = 1;
    c.embedding_size = 4;
    c.bidirectional = 1;
    c.ngram_buckets = 10;
    c.ngram_dim = 3;
    charnn_model *m = NULL;
    OK(charnn_model_create(&c, label_names3, 3, &m));
    size_t weights = 0;
    OK(charnn_model_parameter_count(m, &weights));
    /* embedding 59x4; per direction W_ih 24x4, W_hh 24x8, two biases of 24; bag 10x3; fc 3x(16+3) + 3 */
    CHECK(weights == 59 * 4 + 2 * (24 * 4 + 24 * 8 + 2 * 24) + 10 * 3 + 3 * 19 + 3);
    charnn_model_free(m);

    /* A non-zero bidirectional is true (the header says non-zero). */
    c.bidirectional = 7;
    OK(charnn_model_create(&c, label_names3, 3, &m));
    charnn_model_config got;
    charnn_model_config_init(&got);
    OK(charnn_model_get_config(m, &got));
    CHECK(got.bidirectional == 1);
    charnn_model_free(m);
    charnn_dataset_free(data);
}

/* The config of 0.2.0 ended at seed (struct_size 32): accepted with the defaults for the new
 * fields (whatever is in the caller's memory past it), and charnn_model_get_config writes nothing
 * past it. Sizes no release had are refused. */
static void test_config_of_020(void) {
    const size_t size_020 = offsetof(charnn_model_config, embedding_size);
    CHECK(size_020 == 32);
    charnn_model_config *old = malloc(sizeof *old);
    memset(old, 0xA5, sizeof *old);  /* an embedding of -1515870811, a pooling of -1515870811, ... */
    charnn_model_config current;
    charnn_model_config_init(&current);
    current.hidden_size = 10;
    current.seed = 21;
    memcpy(old, &current, size_020);
    old->struct_size = size_020;

    charnn_model *from_old = NULL, *from_current = NULL;
    OK(charnn_model_create(old, label_names3, 3, &from_old));
    OK(charnn_model_create(&current, label_names3, 3, &from_current));
    charnn_model_config a, b;
    charnn_model_config_init(&a);
    charnn_model_config_init(&b);
    OK(charnn_model_get_config(from_old, &a));
    OK(charnn_model_get_config(from_current, &b));
    CHECK(same_config(&a, &b));
    CHECK(a.embedding_size == 0 && a.bidirectional == 0 && a.pooling == CHARNN_POOLING_LAST && a.dropout == 0 &&
          a.ngram_buckets == 0);
    float pa[3], pb[3];
    int32_t la[3], lb[3];
    OK(charnn_model_predict(from_old, "Mike", 3, la, pa, NULL));
    OK(charnn_model_predict(from_current, "Mike", 3, lb, pb, NULL));
    CHECK(memcmp(pa, pb, sizeof pa) == 0 && memcmp(la, lb, sizeof la) == 0);
    size_t wa = 0, wb = 0;
    OK(charnn_model_parameter_count(from_old, &wa));
    OK(charnn_model_parameter_count(from_current, &wb));
    CHECK(wa == wb);
    /* The other two creators take it too. */
    charnn_dataset *data = small_dataset();
    charnn_model *m = NULL;
    OK(charnn_model_create_for_dataset(old, data, &m));
    charnn_model_free(m);
    m = NULL;
    charnn_text_config text;
    charnn_text_config_init(&text);
    text.alphabet = CHARNN_ALPHABET_EXPLICIT;
    text.symbols = "abcdefgh";
    OK(charnn_model_create_with_text(old, &text, label_names3, 3, &m));
    charnn_model_free(m);
    charnn_dataset_free(data);
    /* The caller's struct is left as it was (a const input). */
    unsigned char garbage[sizeof *old];
    memset(garbage, 0xA5, sizeof garbage);
    CHECK(memcmp((unsigned char *)old + size_020, garbage, sizeof *old - size_020) == 0);

    /* Out: an options model's config into a 0.2.0-sized struct: its fields, nothing past them. */
    charnn_model_config rich;
    charnn_model_config_init(&rich);
    rich.hidden_size = 6;
    rich.num_layers = 1;
    rich.seed = 99;
    rich.bidirectional = 1;
    rich.pooling = CHARNN_POOLING_MEAN;
    rich.ngram_buckets = 16;
    charnn_model *options = NULL;
    OK(charnn_model_create(&rich, label_names3, 3, &options));
    memset(old, 0xA5, sizeof *old);
    old->struct_size = size_020;
    OK(charnn_model_get_config(options, old));
    CHECK(old->struct_size == size_020);
    CHECK(old->kind == CHARNN_MODEL_GRU && old->hidden_size == 6 && old->num_layers == 1 &&
          old->hidden_init == CHARNN_HIDDEN_INIT_ZEROS && old->seed == 99);
    CHECK(memcmp((unsigned char *)old + size_020, garbage, sizeof *old - size_020) == 0);
    /* ... and a current struct gets everything. */
    charnn_model_config full;
    memset(&full, 0xA5, sizeof full);
    full.struct_size = sizeof full;
    OK(charnn_model_get_config(options, &full));
    CHECK(full.bidirectional == 1 && full.pooling == CHARNN_POOLING_MEAN && full.ngram_buckets == 16 &&
          full.ngram_dim == 64 && full.ngram_min == 1 && full.ngram_max == 5 && full.embedding_size == 0 &&
          full.dropout == 0 && full.struct_size == sizeof full);

    /* Sizes no release had: refused on the way in and out, naming what is accepted. */
    old->struct_size = size_020 + 8;
    m = (charnn_model *)0x1;
    EXPECT(charnn_model_create(old, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT,
           "config->struct_size is 40; this library accepts 32 (charnn 0.2.0), 64");
    CHECK(m == (charnn_model *)0x1);
    EXPECT(charnn_model_get_config(options, old), CHARNN_INVALID_ARGUMENT, "out->struct_size is 40");
    old->struct_size = 16;
    EXPECT(charnn_model_create(old, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "call the _init function");
    EXPECT(charnn_model_get_config(options, old), CHARNN_INVALID_ARGUMENT, "call the _init function");
    old->struct_size = sizeof *old + 8;
    EXPECT(charnn_model_create(old, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "newer charnn.h");
    data = small_dataset();
    EXPECT(charnn_model_create_for_dataset(old, data, &m), CHARNN_INVALID_ARGUMENT, "newer charnn.h");
    EXPECT(charnn_model_create_with_text(old, &text, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "newer charnn.h");
    charnn_dataset_free(data);
    EXPECT(charnn_model_get_config(options, old), CHARNN_INVALID_ARGUMENT, "newer charnn.h");
    EXPECT(charnn_model_get_config(options, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    CHECK(m == (charnn_model *)0x1);

    charnn_model_free(options);
    charnn_model_free(from_old);
    charnn_model_free(from_current);
    free(old);
}

/* Every bad value refused, with a message naming the field or the problem. */
static void test_bad_options(void) {
    charnn_model_config good;
    charnn_model_config_init(&good);
    good.hidden_size = 4;
    good.num_layers = 1;
    charnn_model *m = (charnn_model *)0x1;
    charnn_model_config c;
#define REFUSED(edit, fragment)                                                                       \
    do {                                                                                              \
        c = good;                                                                                     \
        edit;                                                                                         \
        EXPECT(charnn_model_create(&c, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, fragment);      \
    } while (0)
    REFUSED(c.pooling = 3, "config->pooling 3 is not a CHARNN_POOLING_* value");
    REFUSED(c.pooling = -1, "config->pooling -1 is not a CHARNN_POOLING_* value");
    REFUSED(c.embedding_size = -1, "config->embedding_size is -1");
    REFUSED(c.embedding_size = 5000, "config: embedding size 5000 is not in 0...4096");
    REFUSED(c.ngram_buckets = -1, "config->ngram_buckets is -1");
    REFUSED(c.ngram_buckets = (1 << 24) + 1, "config: n-gram buckets 16777217 is not in 1...16777216");
    REFUSED((c.ngram_buckets = 8, c.ngram_dim = 0), "config: n-gram dimension 0 is not in 1...4096");
    REFUSED((c.ngram_buckets = 8, c.ngram_dim = 4097), "config: n-gram dimension 4097 is not in 1...4096");
    REFUSED((c.ngram_buckets = 8, c.ngram_dim = -3), "config: n-gram dimension -3");
    REFUSED((c.ngram_buckets = 8, c.ngram_min = 4), "config: n-gram lengths 4...5: need 1 ≤ min ≤ 3");
    REFUSED((c.ngram_buckets = 8, c.ngram_min = 0), "config: n-gram lengths 0...5");
    REFUSED((c.ngram_buckets = 8, c.ngram_max = 9), "config: n-gram lengths 1...9");
    REFUSED((c.ngram_buckets = 8, c.ngram_min = 3, c.ngram_max = 2), "config: n-gram lengths 3...2");
    REFUSED(c.dropout = 1.0f, "config: dropout 1.0 is not in [0, 1)");
    REFUSED(c.dropout = -0.5f, "config: dropout -0.5 is not in [0, 1)");
    REFUSED(c.dropout = NAN, "config: dropout nan is not in [0, 1)");
    REFUSED(c.dropout = INFINITY, "config: dropout inf is not in [0, 1)");
    /* The Elman cell is the article's: every option refused on it. */
    const char *elman = "config: the Elman cell is the article's";
    REFUSED((c.kind = CHARNN_MODEL_ELMAN, c.embedding_size = 4), elman);
    REFUSED((c.kind = CHARNN_MODEL_ELMAN, c.bidirectional = 1), elman);
    REFUSED((c.kind = CHARNN_MODEL_ELMAN, c.pooling = CHARNN_POOLING_MEAN), elman);
    REFUSED((c.kind = CHARNN_MODEL_ELMAN, c.pooling = CHARNN_POOLING_MAX), elman);
    REFUSED((c.kind = CHARNN_MODEL_ELMAN, c.dropout = 0.2f), elman);
    REFUSED((c.kind = CHARNN_MODEL_ELMAN, c.ngram_buckets = 8), elman);
#undef REFUSED
    CHECK(m == (charnn_model *)0x1);
    /* The same through the dataset creator. */
    charnn_dataset *data = small_dataset();
    c = good;
    c.pooling = 9;
    EXPECT(charnn_model_create_for_dataset(&c, data, &m), CHARNN_INVALID_ARGUMENT, "config->pooling 9");
    c = good;
    c.kind = CHARNN_MODEL_ELMAN;
    c.bidirectional = 1;
    EXPECT(charnn_model_create_for_dataset(&c, data, &m), CHARNN_INVALID_ARGUMENT, elman);
    CHECK(m == (charnn_model *)0x1);
    /* The boundaries themselves are accepted. */
    c = good;
    c.embedding_size = 4096;
    c.dropout = 0.999f;
    c.ngram_buckets = 1;
    c.ngram_dim = 1;
    c.ngram_min = 3;
    c.ngram_max = 8;
    m = NULL;
    OK(charnn_model_create_for_dataset(&c, data, &m));
    charnn_model_free(m);
    charnn_dataset_free(data);
}

/* What a progress callback that is never called looks like. */
static int never(const charnn_train_progress *p, void *user_data) {
    (void)p;
    (void)user_data;
    return 0;
}

static void test_recipes(void) {
    /* The model recipe: the documented values, the caller's seed kept. */
    for (int32_t recipe = CHARNN_RECIPE_FAST; recipe <= CHARNN_RECIPE_BEST; recipe++) {
        charnn_model_config c;
        charnn_model_config_init(&c);
        c.seed = 12345;
        c.kind = CHARNN_MODEL_ELMAN;
        c.dropout = 0.5f;
        OK(charnn_model_config_recipe(&c, recipe));
        CHECK(c.struct_size == sizeof c && c.seed == 12345);
        int fast = recipe == CHARNN_RECIPE_FAST;
        CHECK(c.kind == CHARNN_MODEL_GRU && c.hidden_size == (fast ? 0 : 64) && c.num_layers == 1 && c.dropout == 0);
        if (fast) CHECK(c.embedding_size == 0 && c.bidirectional == 0 && c.pooling == CHARNN_POOLING_LAST);
        else CHECK(c.embedding_size == 32 && c.bidirectional == 1 && c.pooling == CHARNN_POOLING_MAX);
        CHECK(c.ngram_buckets == 1 << 17 && c.ngram_dim == 64 && c.ngram_min == 1 && c.ngram_max == 5);
        /* A model is made from it; weights as documented (article alphabet, 59 symbols, 3 labels):
         * fast is the bag and fc alone. */
        charnn_model *m = NULL;
        OK(charnn_model_create(&c, label_names3, 3, &m));
        size_t weights = 0;
        OK(charnn_model_parameter_count(m, &weights));
        if (fast) CHECK(weights == (size_t)(1 << 17) * 64 + 3 * 64 + 3);
        else CHECK(weights == 59 * 32 + 2 * (192 * 32 + 192 * 64 + 2 * 192) + (1 << 17) * 64 + 3 * (128 + 64) + 3);
        charnn_model_free(m);
    }

    charnn_model_config mc;
    charnn_model_config_init(&mc);
    EXPECT(charnn_model_config_recipe(NULL, CHARNN_RECIPE_FAST), CHARNN_INVALID_ARGUMENT, "config is NULL");
    for (int32_t bad = -1; bad <= 3; bad += 4) {
        EXPECT(charnn_model_config_recipe(&mc, bad), CHARNN_INVALID_ARGUMENT, "is not a CHARNN_RECIPE_* value");
    }
    EXPECT(charnn_model_config_recipe(&mc, 0), CHARNN_INVALID_ARGUMENT, "recipe 0 is not a CHARNN_RECIPE_* value");
    charnn_model_config untouched;
    charnn_model_config_init(&untouched);
    CHECK(same_config(&mc, &untouched));  /* a refused recipe writes nothing */
    mc.struct_size = 40;
    EXPECT(charnn_model_config_recipe(&mc, CHARNN_RECIPE_FAST), CHARNN_INVALID_ARGUMENT, "config->struct_size is 40");
    mc.struct_size = 0;
    EXPECT(charnn_model_config_recipe(&mc, CHARNN_RECIPE_FAST), CHARNN_INVALID_ARGUMENT, "call the _init function");
    mc.struct_size = sizeof mc + 8;
    EXPECT(charnn_model_config_recipe(&mc, CHARNN_RECIPE_FAST), CHARNN_INVALID_ARGUMENT, "newer charnn.h");
    /* 0.2.0's struct cannot hold a recipe's model (its options are past it): refused, untouched. */
    charnn_model_config_init(&mc);
    mc.struct_size = offsetof(charnn_model_config, embedding_size);
    EXPECT(charnn_model_config_recipe(&mc, CHARNN_RECIPE_BEST), CHARNN_INVALID_ARGUMENT,
           "a recipe needs this release's charnn_model_config");
    CHECK(mc.kind == untouched.kind && mc.hidden_size == untouched.hidden_size && mc.num_layers == untouched.num_layers);

    /* The training recipe: set from the defaults, keeping seed, progress, user_data and report_every. */
    int marker = 0;
    const size_t rows[] = {0, 16000, 100000, 1000000, 60000, 200000, (size_t)-1};
    const int32_t best_epochs[] = {10, 10, 5, 3, 8, 3, 3};
    for (int32_t recipe = CHARNN_RECIPE_FAST; recipe <= CHARNN_RECIPE_BEST; recipe++) {
        for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
            charnn_train_config t;
            charnn_train_config_init(&t);
            t.seed = 77;
            t.progress = never;
            t.user_data = &marker;
            t.report_every = 9;
            /* Fields a recipe does not decide: back to their defaults. */
            t.clip_norm = 5;
            t.shuffle = 0;
            t.momentum = 0.5f;
            t.warmup_steps = 7;
            t.class_weights = CHARNN_CLASS_WEIGHTS_BALANCED;
            t.schedule = CHARNN_SCHEDULE_STEP;
            t.gamma = 0.5f;
            OK(charnn_train_config_recipe(&t, recipe, rows[r]));
            CHECK(t.struct_size == sizeof t);
            CHECK(t.seed == 77 && t.progress == never && t.user_data == &marker && t.report_every == 9);
            CHECK(t.batch_size == 64 && t.optimizer == CHARNN_OPTIMIZER_ADAMW &&
                  t.learning_rate == (recipe == CHARNN_RECIPE_FAST ? 1e-2f : 3e-3f) && t.weight_decay == 1e-3f);
            CHECK(t.schedule == CHARNN_SCHEDULE_COSINE && t.warmup_fraction == 0.05 && t.warmup_steps == 0 &&
                  t.label_smoothing == 0.1f);
            CHECK(t.clip_norm == 0 && t.shuffle == 1 && t.momentum == 0 && t.class_weights == CHARNN_CLASS_WEIGHTS_NONE &&
                  fabsf(t.gamma - 0.1f) < 1e-9f && t.beta1 == 0.9f && t.beta2 == 0.999f);
            if (recipe == CHARNN_RECIPE_FAST) {
                CHECK(t.epochs == 5 && t.validation_fraction == 0 && t.patience == 0);
            } else {
                CHECK(t.epochs == best_epochs[r] && t.validation_fraction == 0.1 && t.patience == 3 && t.restore_best == 1);
                if (t.epochs != best_epochs[r])
                    fprintf(stderr, "  best recipe, %zu rows: %d epochs, expected %d\n", rows[r], t.epochs, best_epochs[r]);
            }
        }
    }
    charnn_train_config t;
    charnn_train_config_init(&t);
    charnn_train_config before = t;
    EXPECT(charnn_train_config_recipe(NULL, CHARNN_RECIPE_FAST, 10), CHARNN_INVALID_ARGUMENT, "config is NULL");
    EXPECT(charnn_train_config_recipe(&t, 7, 10), CHARNN_INVALID_ARGUMENT, "recipe 7 is not a CHARNN_RECIPE_* value");
    EXPECT(charnn_train_config_recipe(&t, 0, 10), CHARNN_INVALID_ARGUMENT, "recipe 0");
    CHECK(memcmp(&t, &before, sizeof t) == 0);
    t.struct_size = offsetof(charnn_train_config, user_data) + sizeof(void *);  /* 0.2.0's */
    EXPECT(charnn_train_config_recipe(&t, CHARNN_RECIPE_FAST, 10), CHARNN_INVALID_ARGUMENT,
           "a recipe needs this release's charnn_train_config (struct_size 160)");
    t.struct_size = 88;
    EXPECT(charnn_train_config_recipe(&t, CHARNN_RECIPE_FAST, 10), CHARNN_INVALID_ARGUMENT, "config->struct_size is 88");
    t.struct_size = sizeof t + 8;
    EXPECT(charnn_train_config_recipe(&t, CHARNN_RECIPE_BEST, 10), CHARNN_INVALID_ARGUMENT, "newer charnn.h");

    /* Both recipes train: the recipe's model (its table shrunk to stay quick) and training. */
    charnn_dataset *data = pool_dataset(4242, 0);
    for (int32_t recipe = CHARNN_RECIPE_FAST; recipe <= CHARNN_RECIPE_BEST; recipe++) {
        charnn_model_config c;
        charnn_model_config_init(&c);
        OK(charnn_model_config_recipe(&c, recipe));
        c.ngram_buckets = 1024;
        c.hidden_size = quick ? 8 : 16;
        charnn_model *m = NULL;
        OK(charnn_model_create_for_dataset(&c, data, &m));
        charnn_train_config_init(&t);
        t.seed = 3;
        OK(charnn_train_config_recipe(&t, recipe, 300));
        CHECK(t.epochs == (recipe == CHARNN_RECIPE_FAST ? 5 : 10));
        if (quick) t.epochs = 2;
        t.learning_rate = 2e-2f;
        charnn_train_result result = {.struct_size = sizeof result};
        OK(charnn_model_train(m, data, &t, &result));
        CHECK(result.epochs_completed >= 1 && result.epochs_completed <= t.epochs && isfinite(result.last_epoch_loss));
        if (recipe == CHARNN_RECIPE_BEST) CHECK(result.best_epoch >= 1 && isfinite(result.best_validation_loss));
        else CHECK(result.best_epoch == 0 && result.epochs_completed == t.epochs);
        if (!quick) {
            double accuracy = 0;
            OK(charnn_model_evaluate(m, data, &accuracy, NULL, 0));
            CHECK(accuracy > 0.8);
        }
        charnn_model_free(m);
    }
    charnn_dataset_free(data);
}

void test_options(void) {
    char dir[] = "/tmp/charnn-options-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    test_option_defaults();
    test_each_option_round_trips(dir);
    test_config_of_020();
    test_bad_options();
    test_recipes();
    remove_tree(dir);
}
