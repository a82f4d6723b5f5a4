/*
 * elman_from_scratch — the article's MyRNN, written op by op on charnn's low-level C API and
 * trained exactly as the article trains it in PyTorch:
 *
 *     combined = cat(x, hidden)
 *     hidden   = sigmoid(in2hidden(combined))
 *     output   = in2output(combined)
 *
 * one-hot characters, a kaiming-uniform hidden state drawn for every name, cross-entropy on the
 * last output, Adam lr 1e-3, gradient norm clipped to 1, 2 epochs over a shuffled stratified
 * 90 % of the names data, then accuracy on the other 10 % and the article's example names.
 *
 *     elman_from_scratch DATA_DIR [--epochs N] [--hidden N] [--seed N]
 *
 * The last line is `test accuracy: NN.NN%`.
 */
#define _POSIX_C_SOURCE 200809L
#include <charnn.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VOCAB 59
#define MAX_NAME 64

static charnn_status st;
/* Every call is checked: on failure, print the library's message and stop. */
#define TRY(call)                                                                                   \
    do {                                                                                            \
        if ((st = (call)) != CHARNN_OK) {                                                           \
            fprintf(stderr, "elman_from_scratch: %s: %s\n", #call, charnn_last_error());            \
            exit(1);                                                                                \
        }                                                                                           \
    } while (0)

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The article's model: two Linear layers on [x, hidden]. */
typedef struct {
    int hidden_size;
    charnn_tensor *in2hidden_w, *in2hidden_b, *in2output_w, *in2output_b;
} my_rnn;

static my_rnn my_rnn_create(int hidden_size, int classes, uint64_t seed) {
    my_rnn m = {.hidden_size = hidden_size};
    float bound = 1.0f / sqrtf((float)(VOCAB + hidden_size)); /* nn.Linear's default initialisation */
    TRY(charnn_parameter_create_uniform((int64_t[]){hidden_size, VOCAB + hidden_size}, 2, -bound, bound, seed, &m.in2hidden_w));
    TRY(charnn_parameter_create_uniform((int64_t[]){hidden_size}, 1, -bound, bound, seed + 1, &m.in2hidden_b));
    TRY(charnn_parameter_create_uniform((int64_t[]){classes, VOCAB + hidden_size}, 2, -bound, bound, seed + 2, &m.in2output_w));
    TRY(charnn_parameter_create_uniform((int64_t[]){classes}, 1, -bound, bound, seed + 3, &m.in2output_b));
    return m;
}

/* forward(x, hidden) -> (output, hidden), one character. */
static void my_rnn_forward(charnn_graph *g, const my_rnn *m, int32_t letter, charnn_tensor **hidden,
                           charnn_tensor **output) {
    charnn_tensor *x, *combined, *pre;
    TRY(charnn_op_one_hot(g, &letter, 1, VOCAB, &x));
    TRY(charnn_op_concat(g, x, *hidden, &combined));
    TRY(charnn_op_linear(g, combined, m->in2hidden_w, m->in2hidden_b, &pre));
    TRY(charnn_op_sigmoid(g, pre, hidden));
    TRY(charnn_op_linear(g, combined, m->in2output_w, m->in2output_b, output));
}

/* init_hidden(): kaiming_uniform_ on a 1 x hidden tensor, a fresh draw each time. */
static charnn_tensor *my_rnn_init_hidden(charnn_graph *g, const my_rnn *m, uint64_t *draw) {
    charnn_tensor *hidden;
    TRY(charnn_tensor_create_kaiming_uniform(g, (int64_t[]){1, m->hidden_size}, 2, (*draw)++, &hidden));
    return hidden;
}

/* The output after the last character of a name. */
static charnn_tensor *run_name(charnn_graph *g, const my_rnn *m, const int32_t *letters, size_t length, uint64_t *draw) {
    charnn_tensor *hidden = my_rnn_init_hidden(g, m, draw), *output = NULL;
    for (size_t t = 0; t < length; t++) my_rnn_forward(g, m, letters[t], &hidden, &output);
    return output;
}

typedef struct {
    int32_t letters[MAX_NAME];
    size_t length;
    int32_t label;
} example;

static example *load_examples(const charnn_dataset *data, size_t *count) {
    TRY(charnn_dataset_count(data, count));
    example *examples = calloc(*count, sizeof *examples);
    if (!examples) { fprintf(stderr, "out of memory\n"); exit(1); }
    char name[256];
    for (size_t i = 0; i < *count; i++) {
        TRY(charnn_dataset_get(data, i, name, sizeof name, NULL, &examples[i].label));
        st = charnn_vocabulary_encode(name, examples[i].letters, MAX_NAME, &examples[i].length);
        if (st == CHARNN_BUFFER_TOO_SMALL) examples[i].length = MAX_NAME; /* keep the first MAX_NAME letters */
        else TRY(st);
    }
    return examples;
}

static uint64_t rng_state;
static uint64_t next_random(void) { /* splitmix64, for the shuffles */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: elman_from_scratch DATA_DIR [--epochs N] [--hidden N] [--seed N]\n");
        return 2;
    }
    int epochs = 2, hidden_size = 256;
    uint64_t seed = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--epochs")) epochs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--hidden")) hidden_size = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 10);
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }

    charnn_dataset *data, *train_set, *test_set;
    TRY(charnn_dataset_load_dir(argv[1], &data));
    TRY(charnn_dataset_split(data, 0.1, seed, &train_set, &test_set));
    size_t classes, train_count, test_count;
    TRY(charnn_dataset_label_count(data, &classes));
    example *train = load_examples(train_set, &train_count), *test = load_examples(test_set, &test_count);
    printf("%zu train names, %zu test names, %zu languages\n", train_count, test_count, classes);

    my_rnn model = my_rnn_create(hidden_size, (int)classes, seed);
    charnn_tensor *params[4] = {model.in2hidden_w, model.in2hidden_b, model.in2output_w, model.in2output_b};
    charnn_optimizer *adam;
    TRY(charnn_optimizer_create_adam(params, 4, NULL, &adam)); /* lr 1e-3, PyTorch's defaults */
    charnn_graph *g;
    TRY(charnn_graph_create(&g));

    size_t *order = malloc(train_count * sizeof *order);
    for (size_t i = 0; i < train_count; i++) order[i] = i;
    rng_state = seed;
    uint64_t draw = seed * 1000003 + 17; /* seeds of the per-name hidden states */
    double started = now();
    for (int epoch = 0; epoch < epochs; epoch++) {
        for (size_t i = train_count - 1; i > 0; i--) { /* random.shuffle(train_dataset) */
            size_t j = (size_t)(next_random() % (i + 1)), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (size_t step = 0; step < train_count; step++) {
            const example *e = &train[order[step]];
            TRY(charnn_graph_reset(g));
            charnn_tensor *output = run_name(g, &model, e->letters, e->length, &draw), *loss;
            TRY(charnn_op_cross_entropy(g, output, &e->label, 1, &loss));
            TRY(charnn_optimizer_zero_grad(adam));
            TRY(charnn_graph_backward(g, loss));
            TRY(charnn_parameters_clip_grad_norm(params, 4, 1.0f, NULL));
            TRY(charnn_optimizer_step(adam));
            if ((step + 1) % 3000 == 0) {
                float value;
                TRY(charnn_tensor_item(loss, &value));
                printf("Epoch [%d/%d], Step [%zu/%zu], Loss: %.4f\n", epoch + 1, epochs, step + 1, train_count, value);
                fflush(stdout);
            }
        }
    }
    double seconds = now() - started;

    /* Evaluation and prediction record nothing (torch.no_grad()). */
    TRY(charnn_graph_set_recording(g, 0));
    size_t correct = 0;
    float logits[256];
    for (size_t i = 0; i < test_count; i++) {
        TRY(charnn_graph_reset(g));
        charnn_tensor *output = run_name(g, &model, test[i].letters, test[i].length, &draw);
        TRY(charnn_tensor_read(output, logits, 256));
        size_t best = 0;
        for (size_t c = 1; c < classes; c++) if (logits[c] > logits[best]) best = c;
        correct += (int32_t)best == test[i].label;
    }
    const char *names[] = {"Mike", "Qin", "Slaveya", "Jake", "Fernando", "Demirkan"};
    for (size_t n = 0; n < 6; n++) {
        int32_t letters[MAX_NAME];
        size_t length;
        TRY(charnn_vocabulary_encode(names[n], letters, MAX_NAME, &length));
        TRY(charnn_graph_reset(g));
        charnn_tensor *output = run_name(g, &model, letters, length, &draw), *log_probs;
        TRY(charnn_op_log_softmax(g, output, &log_probs));
        float p[256];
        TRY(charnn_tensor_read(log_probs, p, 256));
        printf("%s:", names[n]);
        for (int k = 0; k < 3; k++) {
            size_t best = 0;
            for (size_t c = 1; c < classes; c++) if (p[c] > p[best]) best = c;
            const char *label;
            TRY(charnn_dataset_label_name(data, best, &label));
            printf("%s %s (%.1f%%)", k ? "," : "", label, 100.0 * exp(p[best]));
            p[best] = -INFINITY;
        }
        printf("\n");
    }
    printf("trained in %.1f s (%.0f µs per name, op by op through the C API)\n", seconds,
           seconds * 1e6 / ((double)epochs * (double)train_count));
    printf("test accuracy: %.2f%%\n", 100.0 * (double)correct / (double)test_count);

    charnn_graph_free(g);
    charnn_optimizer_free(adam);
    for (int i = 0; i < 4; i++) charnn_tensor_free(params[i]);
    charnn_dataset_free(test_set);
    charnn_dataset_free(train_set);
    charnn_dataset_free(data);
    free(order);
    free(train);
    free(test);
    return 0;
}
