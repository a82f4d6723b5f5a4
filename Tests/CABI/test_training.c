/* Training for real data through the C ABI (0.3): validation (a fraction held out, or a set of
 * the caller's), early stopping, best weights restored, schedules, label smoothing, class
 * weights, every bad field named, seeded runs identical; and the struct_size rule: a caller
 * built against 0.2.0's smaller charnn_train_config and charnn_train_result still trains. */
#define _GNU_SOURCE
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"


static charnn_model *gru(void) {
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.hidden_size = 12;
    config.num_layers = 1;
    config.seed = 1;
    charnn_model *m = NULL;
    OK(charnn_model_create(&config, label_names3, 3, &m));
    return m;
}

static charnn_train_config quick_config(int epochs) {
    charnn_train_config c;
    charnn_train_config_init(&c);
    c.epochs = epochs;
    c.batch_size = 8;
    c.learning_rate = 2e-2f;
    c.seed = 5;
    return c;
}

/* What the progress callback saw. */
typedef struct {
    int calls, epoch_ends, nan_outside_ends, bad;
    float validation_loss[64];
    double validation_accuracy[64];
    float learning_rate[512];
    int rates;
} seen_state;

static int record(const charnn_train_progress *p, void *user_data) {
    seen_state *s = user_data;
    s->calls++;
    if (p->struct_size != sizeof *p) s->bad++;
    if (s->rates < 512) s->learning_rate[s->rates++] = p->learning_rate;
    if (p->epoch_end) {
        if (p->step != p->steps) s->bad++;
        if (s->epoch_ends < 64) {
            s->validation_loss[s->epoch_ends] = p->validation_loss;
            s->validation_accuracy[s->epoch_ends] = p->validation_accuracy;
        }
        s->epoch_ends++;
    } else if (isnan(p->validation_loss) && isnan(p->validation_accuracy)) {
        s->nan_outside_ends++;
    }
    return 0;
}

static void test_defaults(void) {
    charnn_train_config c;
    charnn_train_config_init(&c);
    CHECK(c.struct_size == sizeof c);
    CHECK(c.validation_fraction == 0 && c.patience == 0 && c.restore_best == 1);
    CHECK(c.schedule == CHARNN_SCHEDULE_CONSTANT && c.step_size == 1 && fabsf(c.gamma - 0.1f) < 1e-9f);
    CHECK(fabsf(c.plateau_factor - 0.1f) < 1e-9f && c.plateau_patience == 10 && c.min_learning_rate == 0);
    CHECK(c.warmup_steps == 0 && c.warmup_fraction == 0 && c.label_smoothing == 0);
    CHECK(c.class_weights == CHARNN_CLASS_WEIGHTS_NONE && c.class_weight_values == NULL && c.class_weight_count == 0);
}

/* A caller compiled against 0.2.0: its charnn_train_config ended at user_data, its
 * charnn_train_result at last_epoch_loss. The library reads and writes nothing past those. */
static void test_struct_sizes_of_earlier_releases(void) {
    const size_t config_020 = offsetof(charnn_train_config, user_data) + sizeof(void *);
    const size_t result_020 = offsetof(charnn_train_result, last_epoch_loss) + sizeof(float);
    CHECK(config_020 == 80 && result_020 == 32);  /* sizeof of 0.2.0's structs on LP64 */
    CHECK(sizeof(charnn_train_config) == 160 && sizeof(charnn_train_result) == 56 && sizeof(charnn_train_progress) == 64);
    charnn_dataset *data = pool_dataset(777, 0);
    charnn_model *old_caller = gru(), *new_caller = gru();

    /* The old fields as a 0.2.0 caller set them; everything after is garbage in its memory. */
    charnn_train_config *old = malloc(sizeof *old);
    memset(old, 0xA5, sizeof *old);  /* a validation_fraction of -3e-27, a schedule of -1515870811, ... */
    charnn_train_config current = quick_config(2);
    memcpy(old, &current, config_020);
    old->struct_size = config_020;
    charnn_train_result *old_result = malloc(sizeof *old_result);
    memset(old_result, 0xA5, sizeof *old_result);
    old_result->struct_size = result_020;
    OK(charnn_model_train(old_caller, data, old, old_result));
    CHECK(old_result->epochs_completed == 2 && old_result->steps_taken == 2 * 38 && isfinite(old_result->last_epoch_loss));
    unsigned char untouched[sizeof *old_result];
    memset(untouched, 0xA5, sizeof untouched);
    CHECK(memcmp((unsigned char *)old_result + result_020, untouched, sizeof *old_result - result_020) == 0);

    /* ... and trained exactly as a current caller with the defaults does. */
    charnn_train_result result = {.struct_size = sizeof result};
    OK(charnn_model_train(new_caller, data, &current, &result));
    CHECK(result.last_epoch_loss == old_result->last_epoch_loss && result.best_epoch == 0 && isnan(result.best_validation_loss));
    CHECK(isnan(result.best_validation_accuracy) && result.early_stopped == 0);
    float a[3], b[3];
    int32_t la[3], lb[3];
    OK(charnn_model_predict(old_caller, "abcfe", 3, la, a, NULL));
    OK(charnn_model_predict(new_caller, "abcfe", 3, lb, b, NULL));
    CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(la, lb, sizeof la) == 0);
    /* charnn_model_train_with_validation takes the old size too. */
    OK(charnn_model_train_with_validation(old_caller, data, data, old, old_result));

    /* Sizes no release had: refused, naming what is accepted. */
    old->struct_size = config_020 + 8;
    EXPECT(charnn_model_train(old_caller, data, old, NULL), CHARNN_INVALID_ARGUMENT,
           "config->struct_size is 88; this library accepts 80 (charnn 0.2.0)");
    old->struct_size = 40;
    EXPECT(charnn_model_train(old_caller, data, old, NULL), CHARNN_INVALID_ARGUMENT, "call the _init function");
    old->struct_size = sizeof *old + 8;
    EXPECT(charnn_model_train(old_caller, data, old, NULL), CHARNN_INVALID_ARGUMENT, "newer charnn.h");
    charnn_train_result odd = {.struct_size = 24};
    EXPECT(charnn_model_train(old_caller, data, &current, &odd), CHARNN_INVALID_ARGUMENT, "result->struct_size is 24");

    free(old);
    free(old_result);
    charnn_model_free(old_caller);
    charnn_model_free(new_caller);
    charnn_dataset_free(data);
}

/* Validation held out of train, figures at every epoch's end, early stopping, best weights. */
static void test_validation_and_early_stopping(void) {
    charnn_dataset *data = pool_dataset(777, 0), *misleading = pool_dataset(777, 1);
    charnn_model *m = gru();

    /* A fraction: 20 % of 300 held out, so 240 names train (30 steps of 8). */
    charnn_train_config c = quick_config(3);
    c.validation_fraction = 0.2;
    seen_state seen = {0};
    c.progress = record;
    c.user_data = &seen;
    charnn_train_result result = {.struct_size = sizeof result};
    OK(charnn_model_train(m, data, &c, &result));
    CHECK(result.steps_taken == 3 * 30 && seen.epoch_ends == 3 && seen.bad == 0);
    CHECK(seen.nan_outside_ends == seen.calls - 3);
    for (int e = 0; e < 3; e++)
        CHECK(isfinite(seen.validation_loss[e]) && seen.validation_accuracy[e] >= 0 && seen.validation_accuracy[e] <= 1);
    CHECK(result.best_epoch >= 1 && result.best_epoch <= 3 && !result.early_stopped);
    CHECK(seen.validation_loss[result.best_epoch - 1] == result.best_validation_loss);
    CHECK(seen.validation_accuracy[2] > 0.9);
    charnn_model_free(m);

    /* A set of the caller's whose loss only rises: patience 2 stops training two epochs after
     * the best, whose weights come back: evaluating gives the best reported accuracy. */
    m = gru();
    c = quick_config(40);
    c.patience = 2;
    seen = (seen_state){0};
    c.progress = record;
    c.user_data = &seen;
    OK(charnn_model_train_with_validation(m, data, misleading, &c, &result));
    CHECK(result.early_stopped == 1 && result.epochs_completed < 40);
    CHECK(result.best_epoch == result.epochs_completed - 2);
    double accuracy = -1;
    OK(charnn_model_evaluate(m, misleading, &accuracy, NULL, 0));
    CHECK(accuracy == result.best_validation_accuracy);
    CHECK(seen.validation_accuracy[result.best_epoch - 1] == result.best_validation_accuracy);
    for (int e = 0; e < result.epochs_completed && e < 64; e++) CHECK(seen.validation_loss[e] >= result.best_validation_loss);

    /* restore_best = 0: the last epoch's weights stay. */
    charnn_model *last = gru();
    c.restore_best = 0;
    seen = (seen_state){0};
    OK(charnn_model_train_with_validation(last, data, misleading, &c, &result));
    OK(charnn_model_evaluate(last, misleading, &accuracy, NULL, 0));
    CHECK(accuracy == seen.validation_accuracy[result.epochs_completed - 1]);

    /* NULL validation: charnn_model_train. */
    OK(charnn_model_train_with_validation(last, data, NULL, NULL, &result));
    CHECK(result.best_epoch == 0 && result.epochs_completed == 2);

    charnn_model_free(m);
    charnn_model_free(last);
    charnn_dataset_free(data);
    charnn_dataset_free(misleading);
}

/* The schedules as the callback sees them, and the loss options. */
static void test_schedules_and_loss(void) {
    charnn_dataset *data = pool_dataset(777, 0), *misleading = pool_dataset(777, 1);
    charnn_model *m = gru();
    charnn_train_config c = quick_config(2);
    c.batch_size = 30;  /* 10 steps an epoch, 20 in all */
    c.schedule = CHARNN_SCHEDULE_COSINE;
    c.warmup_steps = 4;
    c.min_learning_rate = 1e-3f;
    seen_state seen = {0};
    c.progress = record;
    c.user_data = &seen;
    OK(charnn_model_train(m, data, &c, NULL));
    CHECK(seen.rates == 20);
    for (int t = 0; t < 20; t++) {
        double base = (double)c.learning_rate, floor = (double)c.min_learning_rate;
        double k = t < 4 ? 0 : t - 4, expected = floor + (base - floor) * (1 + cos(M_PI * k / 16)) / 2;
        if (t < 4) expected *= (t + 1) / 4.0;
        CHECK(fabs((double)seen.learning_rate[t] - expected) < 1e-8);
    }

    /* Step: x gamma every epoch. */
    c.schedule = CHARNN_SCHEDULE_STEP;
    c.warmup_steps = 0;
    c.gamma = 0.5f;
    seen = (seen_state){0};
    OK(charnn_model_train(m, data, &c, NULL));
    CHECK(seen.learning_rate[9] == c.learning_rate && seen.learning_rate[10] == c.learning_rate * 0.5f);

    /* Plateau on a validation loss that rises: halved after each epoch (patience 0). */
    c = quick_config(3);
    c.schedule = CHARNN_SCHEDULE_PLATEAU;
    c.plateau_factor = 0.5f;
    c.plateau_patience = 0;
    seen = (seen_state){0};
    c.progress = record;
    c.user_data = &seen;
    c.report_every = 1000;  /* epoch ends only */
    OK(charnn_model_train_with_validation(m, data, misleading, &c, NULL));
    CHECK(seen.rates == 3 && seen.learning_rate[0] == c.learning_rate && seen.learning_rate[2] < c.learning_rate);

    /* A warm-up as a share: ceil(0.25 * 20) = 5 steps. */
    c = quick_config(2);
    c.batch_size = 30;
    c.warmup_fraction = 0.25;
    seen = (seen_state){0};
    c.progress = record;
    c.user_data = &seen;
    OK(charnn_model_train(m, data, &c, NULL));
    CHECK(fabs((double)seen.learning_rate[0] - (double)c.learning_rate / 5) < 1e-9 &&
          seen.learning_rate[4] == c.learning_rate && seen.learning_rate[5] == c.learning_rate);

    /* Explicit weights: only "Early" counts, so the model learns to say "Early". */
    charnn_model *early = gru();
    c = quick_config(3);
    c.batch_size = 1;
    const float weights[3] = {1, 0, 0};
    c.class_weights = CHARNN_CLASS_WEIGHTS_EXPLICIT;
    c.class_weight_values = weights;
    c.class_weight_count = 3;
    OK(charnn_model_train(early, data, &c, NULL));
    int64_t confusion[9];
    OK(charnn_model_evaluate(early, data, NULL, confusion, 9));
    CHECK(confusion[0] + confusion[3] + confusion[6] > 290);  /* the "Early" column */

    /* Balanced weights and smoothing train, and change the weights. */
    charnn_model *plain = gru(), *options = gru();
    c = quick_config(1);
    OK(charnn_model_train(plain, data, &c, NULL));
    c.class_weights = CHARNN_CLASS_WEIGHTS_BALANCED;
    c.label_smoothing = 0.1f;
    OK(charnn_model_train(options, data, &c, NULL));
    float p1[3], p2[3];
    OK(charnn_model_predict(plain, "abcdef", 3, NULL, p1, NULL));
    OK(charnn_model_predict(options, "abcdef", 3, NULL, p2, NULL));
    CHECK(memcmp(p1, p2, sizeof p1) != 0);

    charnn_model_free(m);
    charnn_model_free(early);
    charnn_model_free(plain);
    charnn_model_free(options);
    charnn_dataset_free(data);
    charnn_dataset_free(misleading);
}

/* Two runs with every option: the same weights and results. */
static void test_reproducible(void) {
    charnn_dataset *data = pool_dataset(777, 0);
    charnn_train_config c = quick_config(4);
    c.validation_fraction = 0.1;
    c.patience = 3;
    c.schedule = CHARNN_SCHEDULE_COSINE;
    c.warmup_fraction = 0.1;
    c.label_smoothing = 0.05f;
    c.class_weights = CHARNN_CLASS_WEIGHTS_BALANCED;
    c.optimizer = CHARNN_OPTIMIZER_ADAMW;
    c.weight_decay = 0.01f;
    charnn_train_result r[2];
    float p[2][3];
    for (int run = 0; run < 2; run++) {
        charnn_model *m = gru();
        r[run] = (charnn_train_result){.struct_size = sizeof r[run]};
        OK(charnn_model_train(m, data, &c, &r[run]));
        OK(charnn_model_predict(m, "KL-MON", 3, NULL, p[run], NULL));
        charnn_model_free(m);
    }
    CHECK(memcmp(&r[0], &r[1], sizeof r[0]) == 0);
    CHECK(memcmp(p[0], p[1], sizeof p[0]) == 0);
    CHECK(r[0].best_validation_accuracy > 0.8);
    charnn_dataset_free(data);
}

static void test_bad_fields(void) {
    charnn_dataset *data = pool_dataset(777, 0);
    charnn_model *m = gru();
    charnn_train_config good = quick_config(1), c;
#define BAD(change, fragment)                                                              \
    do {                                                                                   \
        c = good;                                                                          \
        change;                                                                            \
        EXPECT(charnn_model_train(m, data, &c, NULL), CHARNN_INVALID_ARGUMENT, fragment); \
    } while (0)
    BAD(c.validation_fraction = 1, "config->validation_fraction 1.0 is not in [0, 1)");
    BAD(c.validation_fraction = NAN, "config->validation_fraction");
    BAD(c.patience = 2, "config->patience 2 needs validation data");
    BAD(c.patience = -1, "config->patience -1");
    BAD(c.schedule = 9, "config->schedule 9 is not a CHARNN_SCHEDULE_* value");
    BAD((c.schedule = CHARNN_SCHEDULE_STEP, c.step_size = 0), "config->step_size 0");
    BAD((c.schedule = CHARNN_SCHEDULE_STEP, c.gamma = 0), "config->gamma 0.0");
    BAD((c.schedule = CHARNN_SCHEDULE_PLATEAU, c.plateau_factor = 1), "config->plateau_factor 1.0");
    BAD((c.schedule = CHARNN_SCHEDULE_PLATEAU, c.plateau_patience = -1), "config->plateau_patience -1");
    BAD(c.min_learning_rate = 1, "config->min_learning_rate 1.0");
    BAD(c.min_learning_rate = -1, "config->min_learning_rate -1.0");
    BAD(c.warmup_steps = -1, "config->warmup_steps -1");
    BAD(c.warmup_steps = (int64_t)1 << 40, "config->warmup_steps 1099511627776");
    BAD(c.warmup_fraction = 1, "config->warmup_fraction 1.0");
    BAD((c.warmup_steps = 3, c.warmup_fraction = 0.1), "both set");
    BAD(c.label_smoothing = 1.5f, "config->label_smoothing 1.5");
    BAD(c.class_weights = 7, "config->class_weights 7 is not a CHARNN_CLASS_WEIGHTS_* value");
    BAD(c.class_weights = CHARNN_CLASS_WEIGHTS_EXPLICIT, "config->class_weight_count is 0");
    static const float two[2] = {1, 2}, negative[3] = {1, -1, 1}, zeros[3] = {0, 0, 0};
    BAD((c.class_weights = CHARNN_CLASS_WEIGHTS_EXPLICIT, c.class_weight_count = 3), "config->class_weight_values is NULL");
    BAD((c.class_weights = CHARNN_CLASS_WEIGHTS_EXPLICIT, c.class_weight_values = two, c.class_weight_count = 2),
        "config->class_weight_count is 2; the model has 3 labels");
    BAD((c.class_weights = CHARNN_CLASS_WEIGHTS_EXPLICIT, c.class_weight_values = negative, c.class_weight_count = 3),
        "config->class_weight_values[1] is -1.0");
    BAD((c.class_weights = CHARNN_CLASS_WEIGHTS_EXPLICIT, c.class_weight_values = zeros, c.class_weight_count = 3),
        "all 0");
#undef BAD
    /* A validation set and a fraction together; an empty set; a handle of another kind. */
    c = good;
    c.validation_fraction = 0.1;
    EXPECT(charnn_model_train_with_validation(m, data, data, &c, NULL), CHARNN_INVALID_ARGUMENT,
           "config->validation_fraction is 0.1 and a validation set was given");
    charnn_dataset *empty = NULL;
    size_t none = 0;
    OK(charnn_dataset_subset(data, &none, 0, &empty));
    EXPECT(charnn_model_train_with_validation(m, data, empty, &good, NULL), CHARNN_INVALID_ARGUMENT,
           "the validation set is empty");
    EXPECT(charnn_model_train_with_validation(m, data, (charnn_dataset *)m, &good, NULL), CHARNN_INVALID_HANDLE,
           "validation is a model handle");
    /* The fraction leaves too little to split: named. */
    charnn_dataset *one = NULL;
    OK(charnn_dataset_subset(data, &none, 1, &one));
    c = good;
    c.validation_fraction = 0.5;
    EXPECT(charnn_model_train(m, one, &c, NULL), CHARNN_INVALID_ARGUMENT, "validation_fraction 0.5: cannot split 1");
    charnn_dataset_free(one);
    charnn_dataset_free(empty);
    charnn_model_free(m);
    charnn_dataset_free(data);
}

void test_training(void) {
    test_defaults();
    test_struct_sizes_of_earlier_releases();
    test_validation_and_early_stopping();
    test_schedules_and_loss();
    if (!quick) test_reproducible();
    test_bad_fields();
}
