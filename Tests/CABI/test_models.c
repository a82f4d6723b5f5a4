/* Models through the C ABI: creation, training, evaluation, prediction, checkpoints, threads. */
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

/* ---- models ------------------------------------------------------------------------------ */

static charnn_model *small_model(int32_t kind, uint64_t seed) {
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.kind = kind;
    config.hidden_size = 12;
    config.num_layers = kind == CHARNN_MODEL_ELMAN ? 0 : 1;
    config.seed = seed;
    charnn_model *m = NULL;
    OK(charnn_model_create(&config, label_names3, 3, &m));
    return m;
}

void test_model_create(void) {
    charnn_model_config config;
    charnn_model_config_init(NULL);  /* ignored */
    charnn_model_config_init(&config);
    CHECK(config.struct_size == sizeof config && config.kind == CHARNN_MODEL_GRU && config.hidden_size == 256);
    charnn_model *m = (charnn_model *)0x1;
    EXPECT(charnn_model_create(NULL, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "config is NULL");
    EXPECT(charnn_model_create(&config, label_names3, 3, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_model_create(&config, NULL, 3, &m), CHARNN_INVALID_ARGUMENT, "label_names is NULL");
    EXPECT(charnn_model_create(&config, label_names3, 0, &m), CHARNN_INVALID_ARGUMENT, "at least one label");
    EXPECT(charnn_model_create(&config, label_names3, 100000, &m), CHARNN_INVALID_ARGUMENT, "too large");

    config.struct_size = 0;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "struct_size is 0");
    config.struct_size = sizeof config - 8;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "call the _init function");
    /* A newer caller's larger struct: refused, nothing past struct_size is read. */
    struct { charnn_model_config c; uint64_t future; } larger;
    memset(&larger, 0, sizeof larger);
    charnn_model_config_init(&larger.c);
    larger.c.struct_size = sizeof larger;
    EXPECT(charnn_model_create(&larger.c, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "newer charnn.h");
    larger.c.struct_size = (size_t)1 << 40;
    EXPECT(charnn_model_create(&larger.c, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "newer charnn.h");

    charnn_model_config_init(&config);
    config.kind = 7;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "kind 7");
    charnn_model_config_init(&config);
    config.hidden_init = 9;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "hidden_init 9");
    charnn_model_config_init(&config);
    config.hidden_size = 0;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "hidden size 0");
    config.hidden_size = 1 << 30;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "hidden size");
    charnn_model_config_init(&config);
    config.num_layers = -1;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "num_layers is -1");
    config.num_layers = 17;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "layers 17");
    charnn_model_config_init(&config);
    config.kind = CHARNN_MODEL_ELMAN;
    config.num_layers = 2;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "one layer");
    charnn_model_config_init(&config);
    config.hidden_init = CHARNN_HIDDEN_INIT_KAIMING;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "zero state");
    charnn_model_config_init(&config);
    config.hidden_size = 4096;
    config.num_layers = 16;
    EXPECT(charnn_model_create(&config, label_names3, 3, &m), CHARNN_INVALID_ARGUMENT, "weights; at most");
    CHECK(m == (charnn_model *)0x1);

    m = small_model(CHARNN_MODEL_ELMAN, 1);
    charnn_model_config got;
    charnn_model_config_init(&got);
    OK(charnn_model_get_config(m, &got));
    CHECK(got.kind == CHARNN_MODEL_ELMAN && got.hidden_size == 12 && got.num_layers == 1 &&
          got.hidden_init == CHARNN_HIDDEN_INIT_KAIMING && got.seed == 1);
    got.struct_size = 4;
    EXPECT(charnn_model_get_config(m, &got), CHARNN_INVALID_ARGUMENT, "struct_size is 4");
    EXPECT(charnn_model_get_config(m, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    size_t n = 0;
    OK(charnn_model_parameter_count(m, &n));
    CHECK(n == (size_t)(12 * (59 + 12) + 12 + 3 * (59 + 12) + 3));
    const char *label = NULL;
    OK(charnn_model_label_name(m, 2, &label));
    CHECK(label && strcmp(label, "Upper") == 0);
    EXPECT(charnn_model_label_name(m, 3, &label), CHARNN_INVALID_ARGUMENT, "index 3");
    EXPECT(charnn_model_parameter_count(m, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    charnn_model_free(m);
}

typedef struct {
    int calls;
    int stop_after;
    charnn_model *model;
    charnn_status predict_status;
    charnn_status save_status;
    charnn_status evaluate_status;
    charnn_status quantize_status;
    charnn_status describe_status;  /* the calls that never return BUSY: first one not OK */
    charnn_dataset *data;
    int64_t last_step;
} callback_state;

static int count_progress(const charnn_train_progress *p, void *user_data) {
    callback_state *s = user_data;
    s->calls++;
    s->last_step = p->step;
    if (p->struct_size != sizeof *p || p->epoch < 1 || p->step < 1 || p->step > p->steps || !isfinite(p->loss)) failures++;
    if (s->model) {
        int32_t label;
        s->predict_status = charnn_model_predict(s->model, "abc", 1, &label, NULL, NULL);
        size_t size = 0;
        s->save_status = charnn_model_save_memory(s->model, NULL, 0, &size);
        if (s->data) s->evaluate_status = charnn_model_evaluate(s->model, s->data, NULL, NULL, 0);
        charnn_model *copy = NULL;
        s->quantize_status = charnn_model_quantize(s->model, &copy);
        charnn_model_free(copy);
        /* What never changes answers during training too (the header's list). */
        charnn_model_config config;
        charnn_model_config_init(&config);
        charnn_text_config text;
        charnn_text_config_init(&text);
        const char *name = NULL;
        int32_t indices[8];
        size_t n = 0, length = 0;
        int quantized = 0;
        charnn_status each[] = {
            charnn_model_is_quantized(s->model, &quantized),
            charnn_model_get_config(s->model, &config), charnn_model_label_count(s->model, &n),
            charnn_model_label_name(s->model, 0, &name), charnn_model_alphabet_size(s->model, &n),
            charnn_model_get_text_config(s->model, &text), charnn_model_encode(s->model, "abc", indices, 8, &length, NULL),
            charnn_model_parameter_count(s->model, &n),
        };
        for (size_t i = 0; i < sizeof each / sizeof each[0]; i++)
            if (each[i] != CHARNN_OK && s->describe_status == CHARNN_OK) s->describe_status = each[i];
    }
    return s->stop_after > 0 && s->calls >= s->stop_after;
}

/* A learnable generated set: three alphabets. */
static charnn_dataset *generated(int count) {
    static const char *pools[] = {"abcdefgh", "pqrstuvw", "KLMNO"};
    char **names = calloc((size_t)count, sizeof *names);
    int32_t *labels = calloc((size_t)count, sizeof *labels);
    unsigned seed = 12345;
    for (int i = 0; i < count; i++) {
        int label = i % 3, length = 3 + i % 5;
        names[i] = calloc(12, 1);
        for (int j = 0; j < length; j++) {
            seed = seed * 1103515245u + 12345u;
            names[i][j] = pools[label][(seed >> 16) % strlen(pools[label])];
        }
        labels[i] = label;
    }
    charnn_dataset *d = NULL;
    OK(charnn_dataset_from_memory((const char *const *)names, labels, (size_t)count, label_names3, 3, &d));
    for (int i = 0; i < count; i++) free(names[i]);
    free(names);
    free(labels);
    return d;
}

void test_train_evaluate_predict(void) {
    charnn_dataset *data = generated(240), *train = NULL, *test = NULL;
    OK(charnn_dataset_split(data, 0.25, 1, &train, &test));
    charnn_model *m = small_model(CHARNN_MODEL_GRU, 3);

    charnn_train_config config;
    charnn_train_config_init(NULL);
    charnn_train_config_init(&config);
    CHECK(config.epochs == 2 && config.batch_size == 1 && config.optimizer == CHARNN_OPTIMIZER_ADAM &&
          fabsf(config.learning_rate - 1e-3f) < 1e-9f && config.clip_norm == 0 && config.progress == NULL);
    config.epochs = 8;
    config.batch_size = 8;
    config.learning_rate = 2e-2f;
    config.report_every = 5;
    callback_state state = {0};
    config.progress = count_progress;
    config.user_data = &state;
    charnn_train_result result = {.struct_size = sizeof result};
    OK(charnn_model_train(m, train, &config, &result));
    CHECK(result.epochs_completed == 8 && result.steps_taken == 8 * 23 && isfinite(result.last_loss));
    CHECK(state.calls == 8 * 5 && state.last_step == 23);

    double accuracy = 0;
    int64_t confusion[9];
    OK(charnn_model_evaluate(m, test, &accuracy, confusion, 9));
    int64_t total = 0, correct = 0;
    for (int i = 0; i < 9; i++) total += confusion[i];
    for (int i = 0; i < 3; i++) correct += confusion[i * 3 + i];
    CHECK(total == 60 && fabs(accuracy - (double)correct / 60) < 1e-12);
    CHECK(accuracy > 0.9);
    OK(charnn_model_evaluate(m, test, NULL, NULL, 0));
    EXPECT(charnn_model_evaluate(m, test, &accuracy, confusion, 8), CHARNN_BUFFER_TOO_SMALL, "needs 9 elements");
    EXPECT(charnn_model_evaluate(m, NULL, &accuracy, NULL, 0), CHARNN_INVALID_ARGUMENT, "data is NULL");

    int32_t labels[5];
    float probabilities[5];
    size_t count = 0;
    OK(charnn_model_predict(m, "abcd", 5, labels, probabilities, &count));
    CHECK(count == 3 && labels[0] == 0 && probabilities[0] >= probabilities[1] && probabilities[1] >= probabilities[2]);
    CHECK(fabsf(probabilities[0] + probabilities[1] + probabilities[2] - 1) < 1e-5f);
    OK(charnn_model_predict(m, "ab1cd", 1, labels, NULL, NULL));  /* '1' is dropped */
    CHECK(labels[0] == 0);
    EXPECT(charnn_model_predict(m, "abcd", 0, labels, probabilities, &count), CHARNN_INVALID_ARGUMENT, "k is 0");
    EXPECT(charnn_model_predict(m, NULL, 1, labels, probabilities, &count), CHARNN_INVALID_ARGUMENT, "name is NULL");
    EXPECT(charnn_model_predict(m, "ab\xfe", 1, labels, probabilities, &count), CHARNN_INVALID_ARGUMENT, "not valid UTF-8");
    EXPECT(charnn_model_predict(m, "123", 1, labels, probabilities, &count), CHARNN_INVALID_ARGUMENT, "no character the model can read");
    EXPECT(charnn_model_predict(m, "", 1, labels, probabilities, &count), CHARNN_INVALID_ARGUMENT, "no character");
    char *long_name = malloc(3000);
    memset(long_name, 'a', 2999);
    long_name[2999] = 0;
    EXPECT(charnn_model_predict(m, long_name, 1, labels, probabilities, &count), CHARNN_INVALID_ARGUMENT, "longer than 1024");
    free(long_name);
    EXPECT(charnn_model_predict(m, "abc", (size_t)-1, labels, probabilities, &count), CHARNN_INVALID_ARGUMENT, "too large");

    const char *many[] = {"abc", "pqrst", "KL-MO", "hh"};
    int32_t many_labels[4 * 4];
    float many_probabilities[4 * 4];
    OK(charnn_model_predict_many(m, many, 4, 4, many_labels, many_probabilities));
    for (int i = 0; i < 4; i++) {
        OK(charnn_model_predict(m, many[i], 3, labels, probabilities, NULL));
        for (int j = 0; j < 3; j++) {
            CHECK(many_labels[i * 4 + j] == labels[j]);
            CHECK(fabsf(many_probabilities[i * 4 + j] - probabilities[j]) < 1e-6f);
        }
        CHECK(many_labels[i * 4 + 3] == -1 && many_probabilities[i * 4 + 3] == 0);
    }
    OK(charnn_model_predict_many(m, many, 0, 1, NULL, NULL));
    const char *one_bad[] = {"abc", "999"};
    EXPECT(charnn_model_predict_many(m, one_bad, 2, 1, many_labels, NULL), CHARNN_INVALID_ARGUMENT, "name 1");
    EXPECT(charnn_model_predict_many(m, NULL, 2, 1, many_labels, NULL), CHARNN_INVALID_ARGUMENT, "names is NULL");
    EXPECT(charnn_model_predict_many(m, many, 2, 0, many_labels, NULL), CHARNN_INVALID_ARGUMENT, "k is 0");

    /* Stopping from the callback: CHARNN_CANCELLED, the result says how far it went. */
    state = (callback_state){.stop_after = 2};
    config.report_every = 3;
    EXPECT(charnn_model_train(m, train, &config, &result), CHARNN_CANCELLED, "stopped training after 6 steps");
    CHECK(result.steps_taken == 6 && result.epochs_completed == 0);
    OK(charnn_model_predict(m, "abcd", 1, labels, NULL, NULL));

    /* Predicting on the model from its own training callback is refused, not a deadlock. */
    state = (callback_state){.stop_after = 1, .model = m, .data = train};
    EXPECT(charnn_model_train(m, train, &config, &result), CHARNN_CANCELLED, "stopped");
    CHECK(state.predict_status == CHARNN_BUSY);
    CHECK(state.save_status == CHARNN_BUSY);  /* so is saving, to memory as to a file */
    CHECK(state.evaluate_status == CHARNN_BUSY);
    CHECK(state.quantize_status == CHARNN_BUSY);  /* a GRU: quantizing reads the weights */
    CHECK(state.describe_status == CHARNN_OK);

    /* Bad training arguments. */
    charnn_train_config bad = config;
    bad.batch_size = 0;
    EXPECT(charnn_model_train(m, train, &bad, NULL), CHARNN_INVALID_ARGUMENT, "batch_size 0");
    bad = config;
    bad.optimizer = 5;
    EXPECT(charnn_model_train(m, train, &bad, NULL), CHARNN_INVALID_ARGUMENT, "optimizer 5");
    bad = config;
    bad.learning_rate = -1;
    EXPECT(charnn_model_train(m, train, &bad, NULL), CHARNN_INVALID_ARGUMENT, "learning_rate is -1");
    bad = config;
    bad.epochs = 0;  /* 0.4: refused (it returned OK having trained nothing) */
    EXPECT(charnn_model_train(m, train, &bad, NULL), CHARNN_INVALID_ARGUMENT, "epochs 0 is not in 1...1000000");
    bad = config;
    bad.clip_norm = NAN;
    EXPECT(charnn_model_train(m, train, &bad, NULL), CHARNN_INVALID_ARGUMENT, "clip_norm");
    bad = config;
    bad.struct_size = 8;
    EXPECT(charnn_model_train(m, train, &bad, NULL), CHARNN_INVALID_ARGUMENT, "config->struct_size is 8");
    charnn_train_result bad_result = {.struct_size = 1};
    EXPECT(charnn_model_train(m, train, &config, &bad_result), CHARNN_INVALID_ARGUMENT, "set it to sizeof(charnn_train_result)");
    EXPECT(charnn_model_train(NULL, train, &config, NULL), CHARNN_INVALID_ARGUMENT, "model is NULL");
    EXPECT(charnn_model_train(m, NULL, &config, NULL), CHARNN_INVALID_ARGUMENT, "train is NULL");
    const char *other_labels[] = {"X", "Y", "Z"};
    charnn_dataset *other = NULL;
    OK(charnn_dataset_from_memory(names3, labels3, 3, other_labels, 3, &other));
    EXPECT(charnn_model_train(m, other, &config, NULL), CHARNN_INVALID_ARGUMENT, "labels");
    EXPECT(charnn_model_evaluate(m, other, &accuracy, NULL, 0), CHARNN_INVALID_ARGUMENT, "labels");
    charnn_dataset_free(other);

    /* NULL config: the article's defaults (batch 1, 2 epochs) on a few names. */
    charnn_dataset *tiny = NULL;
    OK(charnn_dataset_from_memory(names3, labels3, 3, label_names3, 3, &tiny));
    OK(charnn_model_train(m, tiny, NULL, &result));
    CHECK(result.steps_taken == 6 && result.epochs_completed == 2);
    charnn_dataset_free(tiny);

    charnn_model_free(m);
    charnn_dataset_free(train);
    charnn_dataset_free(test);
    charnn_dataset_free(data);
}

void test_save_load(void) {
    snprintf(scratch, sizeof scratch, "/tmp/charnn-abi-XXXXXX");
    CHECK(mkdtemp(scratch) != NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", scratch);
    for (int32_t kind = CHARNN_MODEL_ELMAN; kind <= CHARNN_MODEL_LSTM; kind++) {
        charnn_model *m = small_model(kind, 9), *loaded = NULL;
        OK(charnn_model_save(m, path));
        OK(charnn_model_load(path, &loaded));
        const char *names[] = {"Mike", "Qin", "Ślusàrski"};
        for (int i = 0; i < 3; i++) {
            int32_t a[3], b[3];
            float pa[3], pb[3];
            OK(charnn_model_predict(m, names[i], 3, a, pa, NULL));
            OK(charnn_model_predict(loaded, names[i], 3, b, pb, NULL));
            CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(pa, pb, sizeof pa) == 0);
        }
        charnn_model_config c1, c2;
        charnn_model_config_init(&c1);
        charnn_model_config_init(&c2);
        charnn_model_get_config(m, &c1);
        charnn_model_get_config(loaded, &c2);
        CHECK(memcmp(&c1, &c2, sizeof c1) == 0);
        charnn_model_free(loaded);
        charnn_model_free(m);
    }
    /* From memory: the bytes of a saved file. */
    charnn_model *m = small_model(CHARNN_MODEL_GRU, 1), *loaded = (charnn_model *)0x1;
    OK(charnn_model_save(m, path));
    FILE *f = fopen(path, "rb");
    char bytes[65536];
    size_t size = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    OK(charnn_model_load_memory(bytes, size, &loaded));
    int32_t l1, l2;
    OK(charnn_model_predict(m, "Mike", 1, &l1, NULL, NULL));
    OK(charnn_model_predict(loaded, "Mike", 1, &l2, NULL, NULL));
    CHECK(l1 == l2);
    charnn_model_free(loaded);
    loaded = (charnn_model *)0x1;
    EXPECT(charnn_model_load_memory(bytes, size - 1, &loaded), CHARNN_INVALID_CHECKPOINT, "memory");
    EXPECT(charnn_model_load_memory(NULL, 10, &loaded), CHARNN_INVALID_ARGUMENT, "data is NULL");
    EXPECT(charnn_model_load_memory(bytes, 0, &loaded), CHARNN_INVALID_CHECKPOINT, "too short");
    EXPECT(charnn_model_load_memory(bytes, size, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_model_load_memory(bytes, (size_t)-1, &loaded), CHARNN_INVALID_ARGUMENT, "too large");
    CHECK(loaded == (charnn_model *)0x1);

    /* To memory: the file's bytes exactly, after a size query; too small writes nothing. */
    size_t needed = 0;
    OK(charnn_model_save_memory(m, NULL, 0, &needed));
    CHECK(needed == size);
    char *saved = malloc(needed + 16);
    memset(saved, 0x5a, needed + 16);
    size_t written = 0;
    OK(charnn_model_save_memory(m, saved, needed + 16, &written));
    CHECK(written == size && memcmp(saved, bytes, size) == 0 && saved[size] == 0x5a);
    OK(charnn_model_load_memory(saved, written, &loaded));
    OK(charnn_model_predict(loaded, "Mike", 1, &l2, NULL, NULL));
    CHECK(l1 == l2);
    charnn_model_free(loaded);
    loaded = (charnn_model *)0x1;
    memset(saved, 0x5a, needed + 16);
    written = 0;
    EXPECT(charnn_model_save_memory(m, saved, needed - 1, &written), CHARNN_BUFFER_TOO_SMALL, "needs");
    CHECK(written == needed && saved[0] == 0x5a && saved[needed - 2] == 0x5a);
    written = 0;
    EXPECT(charnn_model_save_memory(m, saved, 0, &written), CHARNN_BUFFER_TOO_SMALL, "capacity is 0");
    CHECK(written == needed && saved[0] == 0x5a);
    OK(charnn_model_save_memory(m, saved, (size_t)-1, &written));  /* "enough" */
    CHECK(written == size && memcmp(saved, bytes, size) == 0);
    EXPECT(charnn_model_save_memory(m, NULL, 10, &written), CHARNN_INVALID_ARGUMENT, "buffer is NULL");
    EXPECT(charnn_model_save_memory(m, saved, needed, NULL), CHARNN_INVALID_ARGUMENT, "size is NULL");
    EXPECT(charnn_model_save_memory(NULL, saved, needed, &written), CHARNN_INVALID_ARGUMENT, "model is NULL");
    /* Every kind round-trips through memory, byte for byte. */
    for (int32_t kind = CHARNN_MODEL_ELMAN; kind <= CHARNN_MODEL_LSTM; kind++) {
        charnn_model *k = small_model(kind, 5), *back = NULL;
        size_t n = 0, n2 = 0;
        OK(charnn_model_save_memory(k, NULL, 0, &n));
        char *first = malloc(n), *second = malloc(n);
        OK(charnn_model_save_memory(k, first, n, &n));
        OK(charnn_model_load_memory(first, n, &back));
        OK(charnn_model_save_memory(back, second, n, &n2));
        CHECK(n2 == n && memcmp(first, second, n) == 0);
        charnn_model_free(back);
        /* A freed handle is refused. */
        charnn_model_free(k);
        EXPECT(charnn_model_save_memory(k, first, n, &n2), CHARNN_INVALID_HANDLE, "not a live");
        free(first);
        free(second);
    }
    free(saved);
    EXPECT(charnn_model_save(m, "/no/such/dir/model.safetensors"), CHARNN_IO_ERROR, "/no/such/dir");
    EXPECT(charnn_model_save(m, NULL), CHARNN_INVALID_ARGUMENT, "path is NULL");
    EXPECT(charnn_model_save(NULL, path), CHARNN_INVALID_ARGUMENT, "model is NULL");
    EXPECT(charnn_model_load("/no/such/model.safetensors", &loaded), CHARNN_IO_ERROR, "No such file");
    EXPECT(charnn_model_load(path, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_model_load(NULL, &loaded), CHARNN_INVALID_ARGUMENT, "path is NULL");
    EXPECT(charnn_model_load(scratch, &loaded), CHARNN_IO_ERROR, "not a regular file");
    write_file(scratch, "garbage.safetensors", "hello, world", 12);
    snprintf(path, sizeof path, "%s/garbage.safetensors", scratch);
    EXPECT(charnn_model_load(path, &loaded), CHARNN_INVALID_CHECKPOINT, "header length");
    /* A truncated checkpoint. */
    snprintf(path, sizeof path, "%s/model.safetensors", scratch);
    OK(charnn_model_save(m, path));
    struct stat st;
    stat(path, &st);
    CHECK(truncate(path, st.st_size - 100) == 0);
    EXPECT(charnn_model_load(path, &loaded), CHARNN_INVALID_CHECKPOINT, "truncated");
    CHECK(loaded == (charnn_model *)0x1);
    charnn_model_free(m);
    remove_tree(scratch);
}

/* ---- threads ----------------------------------------------------------------------------- */

typedef struct {
    charnn_model *model;
    int iterations;
    int mismatches;
    int32_t expected[4];
} thread_job;

static const char *thread_names[] = {"abc", "pqrs", "KL-MN", "Żak"};

static void *predict_loop(void *arg) {
    thread_job *job = arg;
    for (int i = 0; i < job->iterations; i++) {
        int32_t label = -1;
        if (charnn_model_predict(job->model, thread_names[i % 4], 1, &label, NULL, NULL) != CHARNN_OK ||
            label != job->expected[i % 4]) job->mismatches++;
    }
    return NULL;
}

void test_threads(void) {
    charnn_model *m = small_model(CHARNN_MODEL_LSTM, 4);
    thread_job jobs[8];
    int32_t expected[4];
    for (int i = 0; i < 4; i++) OK(charnn_model_predict(m, thread_names[i], 1, &expected[i], NULL, NULL));
    pthread_t threads[8];
    for (int t = 0; t < 8; t++) {
        jobs[t] = (thread_job){.model = m, .iterations = quick ? 50 : 2000};
        memcpy(jobs[t].expected, expected, sizeof expected);
        pthread_create(&threads[t], NULL, predict_loop, &jobs[t]);
    }
    int mismatches = 0;
    for (int t = 0; t < 8; t++) {
        pthread_join(threads[t], NULL);
        mismatches += jobs[t].mismatches;
    }
    CHECK(mismatches == 0);
    charnn_model_free(m);
}

