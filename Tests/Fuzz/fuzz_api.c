/* libFuzzer harness: the C API called in random orders with random arguments. The input is a
 * program: each byte picks an operation and the next bytes its arguments; handles come from a
 * table that keeps freed ones (the library must refuse them), NULL, and a foreign address.
 * Whatever happens, every call returns a status; a crash or a sanitizer report is a bug. */
#define _GNU_SOURCE
#include <charnn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const uint8_t *data;
    size_t size, at;
} program;

static uint8_t next(program *p) { return p->at < p->size ? p->data[p->at++] : 0; }
static int more(program *p) { return p->at < p->size; }

#define SLOTS 8
static void *datasets[SLOTS], *models[SLOTS], *graphs[SLOTS], *tensors[SLOTS * 4], *optimizers[SLOTS];
static int foreign;

/* A slot to store a new handle in: the handle it held is freed first (the free functions ignore
 * freed and foreign handles), so nothing is lost when a slot is reused. */
static void **slot(void **table, int slots, uint8_t b, void (*release)(void *)) {
    void **s = &table[b % slots];
    release(*s);
    *s = NULL;
    return s;
}
static void free_dataset(void *h) { charnn_dataset_free(h); }
static void free_model(void *h) { charnn_model_free(h); }
static void free_graph(void *h) { charnn_graph_free(h); }
static void free_tensor(void *h) { charnn_tensor_free(h); }
static void free_optimizer(void *h) { charnn_optimizer_free(h); }

/* A handle from a table (maybe freed or never set), NULL, or a foreign address. */
static void *pick(program *p, void **table, int slots) {
    uint8_t b = next(p);
    if (b == 255) return NULL;
    if (b == 254) return &foreign;
    return table[b % slots];
}

static const char *names[] = {"Jake", "Qin", "Slaveya", "Ślusàrski", "bad1", "", "O'Neil", "Żak", "\xff\xfe", "Mike"};

static void run(program *p) {
    while (more(p)) {
        uint8_t op = next(p) % 24;
        switch (op) {
        case 0: { /* dataset from memory */
            int32_t labels[10];
            size_t count = next(p) % 11;
            for (size_t i = 0; i < count; i++) labels[i] = (int32_t)(next(p) % 4) - (next(p) == 7);
            const char *label_names[3] = {"A", "B", "C"};
            charnn_dataset_from_memory(names, labels, count, label_names, 1 + next(p) % 3,
                                       (charnn_dataset **)slot(datasets, SLOTS, next(p), free_dataset));
            break;
        }
        case 1: { /* model */
            charnn_model_config config;
            charnn_model_config_init(&config);
            config.kind = (int32_t)(next(p) % 4);
            config.hidden_size = (int32_t)(next(p) % 17);
            config.num_layers = (int32_t)(next(p) % 4);
            config.hidden_init = (int32_t)(next(p) % 4);
            config.seed = next(p);
            if (next(p) == 3) config.struct_size = next(p);
            const char *labels[3] = {"A", "B", "C"};
            charnn_model_create(&config, labels, 1 + next(p) % 3, (charnn_model **)slot(models, SLOTS, next(p), free_model));
            break;
        }
        case 2: charnn_dataset_free(pick(p, datasets, SLOTS)); break;
        case 3: charnn_model_free(pick(p, models, SLOTS)); break;
        case 4: { /* predict */
            int32_t labels[5];
            float probabilities[5];
            size_t count;
            charnn_model_predict(pick(p, models, SLOTS), names[next(p) % 10], next(p) % 6, labels, probabilities, &count);
            break;
        }
        case 5: { /* train */
            charnn_train_config config;
            charnn_train_config_init(&config);
            config.epochs = next(p) % 3;
            config.batch_size = next(p) % 4;
            config.optimizer = next(p) % 4;
            config.learning_rate = (float)next(p) / 100.0f;
            config.clip_norm = (float)(next(p) % 3);
            charnn_train_result result = {.struct_size = sizeof result};
            charnn_model_train(pick(p, models, SLOTS), pick(p, datasets, SLOTS), next(p) % 2 ? &config : NULL, &result);
            break;
        }
        case 6: { /* evaluate */
            double accuracy;
            int64_t confusion[9];
            charnn_model_evaluate(pick(p, models, SLOTS), pick(p, datasets, SLOTS), &accuracy, next(p) % 2 ? confusion : NULL, next(p) % 12);
            break;
        }
        case 7: { /* split */
            charnn_dataset *a = NULL, *b = NULL;
            if (charnn_dataset_split(pick(p, datasets, SLOTS), next(p) / 255.0, next(p), &a, &b) == CHARNN_OK) {
                *slot(datasets, SLOTS, next(p), free_dataset) = a;
                charnn_dataset_free(b);
            }
            break;
        }
        case 8: { /* accessors with random indices and buffer sizes */
            char buffer[16];
            size_t length;
            int32_t label;
            const char *text;
            void *d = pick(p, datasets, SLOTS);
            charnn_dataset_get(d, next(p), buffer, next(p) % 17, &length, &label);
            charnn_dataset_label_name(d, next(p), &text);
            charnn_dataset_skipped(d, next(p), buffer, next(p) % 17, &length);
            charnn_model_label_name(pick(p, models, SLOTS), next(p), &text);
            break;
        }
        case 9: charnn_graph_create((charnn_graph **)slot(graphs, SLOTS, next(p), free_graph)); break;
        case 10: { /* tensors */
            int64_t shape[4] = {1 + next(p) % 4, 1 + next(p) % 5, 1 + next(p) % 3, next(p) % 3};
            size_t rank = next(p) % 6;
            void **out = slot(tensors, SLOTS * 4, next(p), free_tensor);
            if (next(p) % 2) charnn_tensor_create(pick(p, graphs, SLOTS), shape, rank, NULL, next(p) % 2, (charnn_tensor **)out);
            else charnn_parameter_create_uniform(shape, rank, -1, 1, next(p), (charnn_tensor **)out);
            break;
        }
        case 11: { /* binary ops */
            charnn_graph *g = pick(p, graphs, SLOTS);
            void *a = pick(p, tensors, SLOTS * 4), *b = pick(p, tensors, SLOTS * 4);
            charnn_tensor **out = (charnn_tensor **)slot(tensors, SLOTS * 4, next(p), free_tensor);
            switch (next(p) % 6) {
            case 0: charnn_op_matmul(g, a, b, out); break;
            case 1: charnn_op_linear(g, a, b, next(p) % 2 ? pick(p, tensors, SLOTS * 4) : NULL, out); break;
            case 2: charnn_op_add(g, a, b, out); break;
            case 3: charnn_op_mul(g, a, b, out); break;
            case 4: charnn_op_concat(g, a, b, out); break;
            default: charnn_op_sub(g, a, b, out); break;
            }
            break;
        }
        case 12: { /* unary ops */
            charnn_graph *g = pick(p, graphs, SLOTS);
            void *x = pick(p, tensors, SLOTS * 4);
            charnn_tensor **out = (charnn_tensor **)slot(tensors, SLOTS * 4, next(p), free_tensor);
            int32_t targets[3] = {next(p) % 4, next(p) % 4, next(p) % 4};
            switch (next(p) % 8) {
            case 0: charnn_op_sigmoid(g, x, out); break;
            case 1: charnn_op_tanh(g, x, out); break;
            case 2: charnn_op_log(g, x, out); break;
            case 3: charnn_op_sum(g, x, out); break;
            case 4: charnn_op_log_softmax(g, x, out); break;
            case 5: charnn_op_cross_entropy(g, x, targets, 1 + next(p) % 3, out); break;
            case 6: charnn_op_slice(g, x, next(p) % 5, next(p) % 5, out); break;
            default: charnn_op_embedding(g, x, targets, 1 + next(p) % 3, out); break;
            }
            break;
        }
        case 13: charnn_graph_backward(pick(p, graphs, SLOTS), pick(p, tensors, SLOTS * 4)); break;
        case 14: charnn_graph_reset(pick(p, graphs, SLOTS)); break;
        case 15: { /* optimizers */
            charnn_tensor *params[3] = {pick(p, tensors, SLOTS * 4), pick(p, tensors, SLOTS * 4), pick(p, tensors, SLOTS * 4)};
            charnn_optimizer **out = (charnn_optimizer **)slot(optimizers, SLOTS, next(p), free_optimizer);
            if (next(p) % 2) charnn_optimizer_create_adam(params, next(p) % 4, NULL, out);
            else {
                charnn_sgd_config config;
                charnn_sgd_config_init(&config);
                config.learning_rate = 0.1f;
                config.momentum = 0.5f;
                charnn_optimizer_create_sgd(params, next(p) % 4, next(p) % 3 ? &config : NULL, out);
            }
            break;
        }
        case 16: charnn_optimizer_step(pick(p, optimizers, SLOTS)); break;
        case 17: charnn_optimizer_free(pick(p, optimizers, SLOTS)); break;
        case 18: charnn_graph_free(pick(p, graphs, SLOTS)); break;
        case 19: charnn_tensor_free(pick(p, tensors, SLOTS * 4)); break;
        case 20: { /* read back */
            float out[64];
            int64_t shape[4];
            size_t rank;
            void *t = pick(p, tensors, SLOTS * 4);
            charnn_tensor_read(t, out, next(p) % 65);
            charnn_tensor_read_grad(t, out, next(p) % 65);
            charnn_tensor_shape(t, shape, next(p) % 5, &rank);
            charnn_tensor_item(t, out);
            break;
        }
        case 21: { /* save and load through a file */
            char path[64];
            snprintf(path, sizeof path, "/tmp/charnn-fuzz-api-%d.safetensors", (int)getpid());
            if (charnn_model_save(pick(p, models, SLOTS), path) == CHARNN_OK)
                charnn_model_load(path, (charnn_model **)slot(models, SLOTS, next(p), free_model));
            unlink(path);
            break;
        }
        case 22: { /* predict many */
            int32_t labels[20];
            float probabilities[20];
            charnn_model_predict_many(pick(p, models, SLOTS), names, next(p) % 11, 1 + next(p) % 2, labels, probabilities);
            break;
        }
        default: charnn_parameters_clip_grad_norm((charnn_tensor **)tensors, next(p) % 4, (float)next(p), NULL); break;
        }
        (void)charnn_last_error();
    }
}

/* Evaluation metrics on whatever the program left in the slots (live, freed, NULL handles), with
 * k from 0 to past the label count and labels and capacities out of range. Run after the program
 * rather than as an op of it, so the committed corpus keeps its meaning. */
static void probe_metrics(void) {
    for (int i = 0; i < SLOTS; i++) {
        charnn_metrics *m = NULL;
        if (charnn_model_evaluate_metrics(models[i], datasets[(i * 3) % SLOTS], (size_t)(i % 5), &m) != CHARNN_OK) continue;
        double x;
        size_t n;
        int64_t v, confusion[9];
        int32_t t[9], pr[9];
        charnn_metrics_accuracy(m, &x);
        charnn_metrics_top_k_accuracy(m, &x);
        charnn_metrics_macro_f1(m, &x);
        charnn_metrics_total(m, &v);
        charnn_metrics_k(m, &n);
        charnn_metrics_label_count(m, &n);
        charnn_metrics_average(m, i % 4, &x, &x, &x, &n);
        charnn_metrics_class(m, (size_t)(i % 4), &x, &x, &x, &v, &v);
        charnn_metrics_confusion(m, confusion, (size_t)(i + 2));
        charnn_metrics_confusion_entries(m, t, pr, confusion, (size_t)(i + 2), &n);
        charnn_metrics_free(m);
        charnn_metrics_accuracy(m, &x);  /* freed: refused */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    program p = {data, size, 0};
    run(&p);
    probe_metrics();
    /* Release what this input made (freed ones are refused quietly), so inputs stay independent. */
    for (int i = 0; i < SLOTS; i++) {
        charnn_dataset_free(datasets[i]);
        charnn_model_free(models[i]);
        charnn_graph_free(graphs[i]);
        charnn_optimizer_free(optimizers[i]);
        datasets[i] = models[i] = graphs[i] = optimizers[i] = NULL;
    }
    for (int i = 0; i < SLOTS * 4; i++) {
        charnn_tensor_free(tensors[i]);
        tensors[i] = NULL;
    }
    return 0;
}
