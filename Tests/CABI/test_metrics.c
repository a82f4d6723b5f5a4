/* Evaluation metrics through the C ABI: charnn_model_evaluate_metrics and charnn_metrics_*,
 * checked against the same metrics recomputed here from the model's own top-k predictions, and
 * every error path the header documents. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Four labels: three with names (two of them overlapping, so the model makes mistakes) and
 * "Spare", which has no names. */
static const char *metric_labels[4] = {"Early", "Middle", "Upper", "Spare"};

static charnn_dataset *overlapping(int count, unsigned seed) {
    static const char *pools[] = {"abcdefgh", "efghijkl", "KLMNO"};
    char **names = calloc((size_t)count, sizeof *names);
    int32_t *labels = calloc((size_t)count, sizeof *labels);
    for (int i = 0; i < count; i++) {
        int label = i % 3, length = 2 + i % 4;
        names[i] = calloc(8, 1);
        for (int j = 0; j < length; j++) {
            seed = seed * 1103515245u + 12345u;
            names[i][j] = pools[label][(seed >> 16) % strlen(pools[label])];
        }
        labels[i] = label;
    }
    charnn_dataset *d = NULL;
    OK(charnn_dataset_from_memory((const char *const *)names, labels, (size_t)count, metric_labels, 4, &d));
    for (int i = 0; i < count; i++) free(names[i]);
    free(names);
    free(labels);
    return d;
}

static int near(double a, double b) { return fabs(a - b) < 1e-12; }

/* The metrics of `data` recomputed from charnn_model_predict_many (the same batching as the
 * evaluation, so the same bits) with the header's conventions. */
typedef struct {
    int64_t total, correct, in_top_k;
    int64_t confusion[16];
    int64_t support[4], predicted[4], tp[4];
} recomputed;

static void recompute(const charnn_model *m, const charnn_dataset *data, size_t k, recomputed *r) {
    memset(r, 0, sizeof *r);
    size_t n = 0;
    OK(charnn_dataset_count(data, &n));
    char **texts = calloc(n, sizeof *texts);
    int32_t *truth = calloc(n, sizeof *truth), *top = calloc(n * k, sizeof *top);
    for (size_t i = 0; i < n; i++) {
        texts[i] = calloc(16, 1);
        OK(charnn_dataset_get(data, i, texts[i], 16, NULL, &truth[i]));
    }
    OK(charnn_model_predict_many(m, (const char *const *)texts, n, k, top, NULL));
    for (size_t i = 0; i < n; i++) {
        int32_t t = truth[i], p = top[i * k];
        r->total++;
        r->confusion[t * 4 + p]++;
        r->support[t]++;
        r->predicted[p]++;
        if (t == p) { r->correct++; r->tp[t]++; }
        for (size_t j = 0; j < k; j++) if (top[i * k + j] == t) r->in_top_k++;
        free(texts[i]);
    }
    free(texts);
    free(truth);
    free(top);
}

static double ratio(int64_t a, int64_t b) { return b == 0 ? 0 : (double)a / (double)b; }

/* Every reading of `metrics` equals the recomputation. */
static void check_against(const charnn_metrics *metrics, const recomputed *r, size_t k) {
    size_t labels = 0, got_k = 0, present = 0;
    int64_t total = 0;
    double accuracy = -1, top_k = -1, macro_f1 = -1;
    OK(charnn_metrics_label_count(metrics, &labels));
    OK(charnn_metrics_k(metrics, &got_k));
    OK(charnn_metrics_total(metrics, &total));
    OK(charnn_metrics_accuracy(metrics, &accuracy));
    OK(charnn_metrics_top_k_accuracy(metrics, &top_k));
    OK(charnn_metrics_macro_f1(metrics, &macro_f1));
    CHECK(labels == 4 && got_k == k && total == r->total);
    CHECK(near(accuracy, ratio(r->correct, r->total)));
    CHECK(near(top_k, ratio(r->in_top_k, r->total)));

    double sum_p = 0, sum_r = 0, sum_f = 0, w_p = 0, w_r = 0, w_f = 0;
    size_t expected_present = 0;
    for (size_t i = 0; i < 4; i++) {
        double p = -1, rc = -1, f = -1;
        int64_t support = -1, predicted = -1;
        OK(charnn_metrics_class(metrics, i, &p, &rc, &f, &support, &predicted));
        double ep = ratio(r->tp[i], r->predicted[i]), er = ratio(r->tp[i], r->support[i]);
        double ef = ep + er > 0 ? 2 * ep * er / (ep + er) : 0;
        CHECK(support == r->support[i] && predicted == r->predicted[i]);
        CHECK(near(p, ep) && near(rc, er) && fabs(f - ef) < 1e-12);
        if (r->support[i] || r->predicted[i]) {
            expected_present++;
            sum_p += ep;
            sum_r += er;
            sum_f += ef;
        }
        w_p += ep * (double)r->support[i];
        w_r += er * (double)r->support[i];
        w_f += ef * (double)r->support[i];
    }
    /* "Spare" has no names: recall 0, not NaN. */
    double spare_recall = -1;
    OK(charnn_metrics_class(metrics, 3, NULL, &spare_recall, NULL, NULL, NULL));
    CHECK(spare_recall == 0);

    double p = -1, rc = -1, f = -1;
    OK(charnn_metrics_average(metrics, CHARNN_AVERAGE_MACRO, &p, &rc, &f, &present));
    CHECK(present == expected_present);
    CHECK(fabs(p - sum_p / (double)present) < 1e-12 && fabs(rc - sum_r / (double)present) < 1e-12);
    CHECK(fabs(f - sum_f / (double)present) < 1e-12 && f == macro_f1);
    OK(charnn_metrics_average(metrics, CHARNN_AVERAGE_WEIGHTED, &p, &rc, &f, NULL));
    CHECK(fabs(p - w_p / (double)r->total) < 1e-12 && fabs(rc - w_r / (double)r->total) < 1e-12);
    CHECK(fabs(f - w_f / (double)r->total) < 1e-12);
    CHECK(near(rc, accuracy));  /* weighted recall is the accuracy */
    OK(charnn_metrics_average(metrics, CHARNN_AVERAGE_MICRO, &p, &rc, &f, NULL));
    CHECK(p == accuracy && rc == accuracy && f == accuracy);

    int64_t confusion[16];
    OK(charnn_metrics_confusion(metrics, confusion, 16));
    CHECK(memcmp(confusion, r->confusion, sizeof confusion) == 0);

    size_t cells = 0, expected_cells = 0;
    for (int i = 0; i < 16; i++) expected_cells += r->confusion[i] != 0;
    EXPECT(charnn_metrics_confusion_entries(metrics, NULL, NULL, NULL, 0, &cells), CHARNN_BUFFER_TOO_SMALL,
           "non-zero cells");
    CHECK(cells == expected_cells);
    int32_t t[16], pr[16];
    int64_t n[16];
    OK(charnn_metrics_confusion_entries(metrics, t, pr, n, 16, &cells));
    CHECK(cells == expected_cells);
    for (size_t i = 0; i < cells; i++) {
        CHECK(n[i] > 0 && r->confusion[t[i] * 4 + pr[i]] == n[i]);
        if (i > 0) CHECK(t[i - 1] * 4 + pr[i - 1] < t[i] * 4 + pr[i]);  /* sorted, each cell once */
    }
}

typedef struct {
    charnn_model *model;
    charnn_dataset *data;
    charnn_status status;
} busy_probe;

static int evaluate_while_training(const charnn_train_progress *p, void *user_data) {
    (void)p;
    busy_probe *probe = user_data;
    charnn_metrics *m = NULL;
    probe->status = charnn_model_evaluate_metrics(probe->model, probe->data, 1, &m);
    charnn_metrics_free(m);
    return 1;
}

typedef struct {
    const charnn_model *model;
    const charnn_dataset *data;
    double macro_f1;
    int ok;
} thread_job;

static void *evaluate_in_thread(void *argument) {
    thread_job *job = argument;
    charnn_metrics *m = NULL;
    job->ok = charnn_model_evaluate_metrics(job->model, job->data, 2, &m) == CHARNN_OK &&
              charnn_metrics_macro_f1(m, &job->macro_f1) == CHARNN_OK;
    charnn_metrics_free(m);
    return NULL;
}

void test_metrics(void) {
    charnn_dataset *train = overlapping(quick ? 120 : 240, 7), *test = overlapping(90, 99);
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.hidden_size = 12;
    config.num_layers = 1;
    config.seed = 3;
    charnn_model *model = NULL;
    OK(charnn_model_create(&config, metric_labels, 4, &model));
    charnn_train_config training;
    charnn_train_config_init(&training);
    training.epochs = 2;
    training.batch_size = 8;
    training.learning_rate = 2e-2f;
    OK(charnn_model_train(model, train, &training, NULL));

    /* Every k from 1 to the label count, against the recomputation. */
    for (size_t k = 1; k <= 4; k++) {
        charnn_metrics *metrics = NULL;
        OK(charnn_model_evaluate_metrics(model, test, k, &metrics));
        recomputed r;
        recompute(model, test, k, &r);
        check_against(metrics, &r, k);
        double top_k = 0;
        OK(charnn_metrics_top_k_accuracy(metrics, &top_k));
        if (k == 4) CHECK(top_k == 1);
        charnn_metrics_free(metrics);
    }
    /* The mistakes the overlapping pools cause are there to be counted (not a trivial matrix). */
    recomputed r;
    recompute(model, test, 1, &r);
    CHECK(r.correct < r.total && r.correct > r.total / 3);

    /* Agrees with charnn_model_evaluate. */
    charnn_metrics *metrics = NULL;
    OK(charnn_model_evaluate_metrics(model, test, 1, &metrics));
    double accuracy = 0, metrics_accuracy = -1;
    int64_t confusion[16], metrics_confusion[16];
    OK(charnn_model_evaluate(model, test, &accuracy, confusion, 16));
    OK(charnn_metrics_accuracy(metrics, &metrics_accuracy));
    OK(charnn_metrics_confusion(metrics, metrics_confusion, 16));
    CHECK(accuracy == metrics_accuracy && memcmp(confusion, metrics_confusion, sizeof confusion) == 0);

    /* Bad arguments to charnn_model_evaluate_metrics: *out stays as it was. */
    charnn_metrics *untouched = (charnn_metrics *)0x1;
    EXPECT(charnn_model_evaluate_metrics(model, test, 0, &untouched), CHARNN_INVALID_ARGUMENT, "k is 0");
    EXPECT(charnn_model_evaluate_metrics(model, test, 5, &untouched), CHARNN_INVALID_ARGUMENT, "model's 4 labels");
    EXPECT(charnn_model_evaluate_metrics(model, test, (size_t)-1, &untouched), CHARNN_INVALID_ARGUMENT, "k (");
    EXPECT(charnn_model_evaluate_metrics(NULL, test, 1, &untouched), CHARNN_INVALID_ARGUMENT, "model is NULL");
    EXPECT(charnn_model_evaluate_metrics(model, NULL, 1, &untouched), CHARNN_INVALID_ARGUMENT, "data is NULL");
    EXPECT(charnn_model_evaluate_metrics(model, test, 1, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_model_evaluate_metrics((const charnn_model *)test, test, 1, &untouched), CHARNN_INVALID_HANDLE,
           "dataset handle, not a model");
    CHECK(untouched == (charnn_metrics *)0x1);
    const char *strangers[] = {"X", "Y"};
    const char *stranger_names[] = {"abc", "def"};
    const int32_t stranger_labels[] = {0, 1};
    charnn_dataset *other = NULL;
    OK(charnn_dataset_from_memory(stranger_names, stranger_labels, 2, strangers, 2, &other));
    EXPECT(charnn_model_evaluate_metrics(model, other, 1, &untouched), CHARNN_INVALID_ARGUMENT, "labels");
    charnn_dataset_free(other);
    charnn_dataset *empty = NULL;
    size_t no_index = 0;
    OK(charnn_dataset_subset(test, &no_index, 0, &empty));
    EXPECT(charnn_model_evaluate_metrics(model, empty, 1, &untouched), CHARNN_INVALID_ARGUMENT, "empty");
    charnn_dataset_free(empty);

    /* Bad arguments to the readers. */
    double x = 0;
    size_t n = 0;
    int64_t count = 0;
    EXPECT(charnn_metrics_accuracy(NULL, &x), CHARNN_INVALID_ARGUMENT, "metrics is NULL");
    EXPECT(charnn_metrics_accuracy(metrics, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_metrics_top_k_accuracy(metrics, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_metrics_macro_f1(metrics, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_metrics_label_count(metrics, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_metrics_total(metrics, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_metrics_k(metrics, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_metrics_total((const charnn_metrics *)model, &count), CHARNN_INVALID_HANDLE, "model handle, not a metrics");
    EXPECT(charnn_metrics_class(metrics, 4, &x, NULL, NULL, NULL, NULL), CHARNN_INVALID_ARGUMENT, "label 4 is not below");
    EXPECT(charnn_metrics_class(metrics, (size_t)-1, &x, NULL, NULL, NULL, NULL), CHARNN_INVALID_ARGUMENT, "label");
    OK(charnn_metrics_class(metrics, 0, NULL, NULL, NULL, NULL, NULL));
    EXPECT(charnn_metrics_average(metrics, 3, &x, NULL, NULL, NULL), CHARNN_INVALID_ARGUMENT, "average 3");
    EXPECT(charnn_metrics_average(metrics, -1, &x, NULL, NULL, NULL), CHARNN_INVALID_ARGUMENT, "CHARNN_AVERAGE_");
    int64_t small[15];
    for (int i = 0; i < 15; i++) small[i] = -7;
    EXPECT(charnn_metrics_confusion(metrics, small, 15), CHARNN_BUFFER_TOO_SMALL, "needs 16 elements");
    CHECK(small[0] == -7 && small[14] == -7);  /* nothing written */
    EXPECT(charnn_metrics_confusion(metrics, NULL, 16), CHARNN_INVALID_ARGUMENT, "out is NULL");
    int64_t big[20];
    OK(charnn_metrics_confusion(metrics, big, (size_t)-1));  /* "as large as you like" */
    size_t cells = 0;
    EXPECT(charnn_metrics_confusion_entries(metrics, NULL, NULL, NULL, 1, &cells), CHARNN_BUFFER_TOO_SMALL, "capacity is 1");
    CHECK(cells > 1);
    int32_t one[16];
    for (int i = 0; i < 16; i++) one[i] = -7;
    EXPECT(charnn_metrics_confusion_entries(metrics, one, NULL, NULL, cells - 1, NULL), CHARNN_BUFFER_TOO_SMALL, "non-zero");
    CHECK(one[0] == -7);
    OK(charnn_metrics_confusion_entries(metrics, NULL, one, NULL, cells, &n));  /* only the predicted labels */
    CHECK(n == cells && one[0] >= 0 && one[0] < 4);
    EXPECT(charnn_metrics_confusion_entries(NULL, NULL, NULL, NULL, 0, &n), CHARNN_INVALID_ARGUMENT, "metrics is NULL");

    /* A metrics handle outlives its model and data. */
    charnn_metrics *kept = NULL;
    charnn_model *scratch_model = NULL;
    OK(charnn_model_create(&config, metric_labels, 4, &scratch_model));
    OK(charnn_model_evaluate_metrics(scratch_model, test, 2, &kept));
    charnn_model_free(scratch_model);
    OK(charnn_metrics_total(kept, &count));
    CHECK(count == 90);
    charnn_metrics_free(kept);

    /* Freed handles are refused; freeing NULL, twice or the wrong kind is ignored. */
    charnn_metrics_free(metrics);
    EXPECT(charnn_metrics_accuracy(metrics, &x), CHARNN_INVALID_HANDLE, "not a live charnn handle");
    EXPECT(charnn_metrics_confusion(metrics, big, 20), CHARNN_INVALID_HANDLE, "not a live");
    charnn_metrics_free(metrics);
    charnn_metrics_free(NULL);
    charnn_metrics_free((charnn_metrics *)model);  /* not a metrics handle: ignored */
    OK(charnn_model_label_count(model, &n));

    /* Busy while the model trains (from the progress callback: refused, not a deadlock). */
    busy_probe probe = {.model = model, .data = test, .status = CHARNN_OK};
    training.progress = evaluate_while_training;
    training.user_data = &probe;
    EXPECT(charnn_model_train(model, train, &training, NULL), CHARNN_CANCELLED, "stopped");
    CHECK(probe.status == CHARNN_BUSY);

    /* Many threads at once on one model give the same numbers. */
    pthread_t threads[3];
    thread_job jobs[3];
    for (int i = 0; i < 3; i++) {
        jobs[i] = (thread_job){.model = model, .data = test};
        pthread_create(&threads[i], NULL, evaluate_in_thread, &jobs[i]);
    }
    for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
    CHECK(jobs[0].ok && jobs[1].ok && jobs[2].ok);
    CHECK(jobs[0].macro_f1 == jobs[1].macro_f1 && jobs[1].macro_f1 == jobs[2].macro_f1);

    charnn_model_free(model);
    charnn_dataset_free(train);
    charnn_dataset_free(test);
}
