/*
 * names — train a name classifier and predict with it, through charnn's C API.
 *
 *   names train DATA_DIR --out model.safetensors [--model elman|gru|lstm] [--epochs N]
 *               [--hidden N] [--layers N] [--batch N] [--lr X] [--clip X] [--test-size F]
 *               [--seed N]
 *   names predict model.safetensors NAME...
 *
 * `train` loads the data, splits it (stratified, 10 % test by default), trains with progress
 * (Ctrl-C stops early and keeps what was learned), prints the confusion matrix and per-language
 * accuracy, saves the model and ends with the line `test accuracy: NN.NN%`. The defaults are the
 * article's protocol for the chosen model: 2 epochs, batch 1, Adam lr 1e-3, hidden 256; the
 * Elman cell clips the gradient norm to 1, the GRU and LSTM have 2 layers.
 * `predict` prints the 3 most likely languages of each name.
 */
#define _POSIX_C_SOURCE 200809L
#include <charnn.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *to) {
    fprintf(to,
            "usage: names train DATA_DIR --out MODEL [--model elman|gru|lstm] [--epochs N] [--hidden N]\n"
            "                  [--layers N] [--batch N] [--lr X] [--clip X] [--test-size F] [--seed N]\n"
            "       names predict MODEL NAME...\n");
}

/* Prints the failed call's status and message; returns 1 for `return fail(...)`. */
static int fail(const char *what, charnn_status status) {
    fprintf(stderr, "names: %s: %s (%s)\n", what, charnn_last_error(), charnn_status_string(status));
    return 1;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- train ------------------------------------------------------------------------------- */

static volatile sig_atomic_t interrupted = 0;
static void on_interrupt(int signal_number) { (void)signal_number; interrupted = 1; }

typedef struct {
    double started;
    int64_t print_every;
} progress_state;

/* The article's "every 3000 steps print the loss", plus stopping on Ctrl-C. */
static int on_progress(const charnn_train_progress *p, void *user_data) {
    progress_state *state = user_data;
    if (p->step % state->print_every == 0 || p->step == p->steps) {
        printf("  Epoch [%d/%d], Step [%lld/%lld], Loss: %.4f (running mean %.4f, %.1f s)\n", p->epoch, p->epochs,
               (long long)p->step, (long long)p->steps, p->loss, p->running_loss, now() - state->started);
        fflush(stdout);
    }
    return interrupted ? 1 : 0;
}

static int parse_int(const char *text, const char *option, int min, long long max, long long *out) {
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno || *end || end == text || value < min || value > max) {
        fprintf(stderr, "names: %s needs an integer in %d..%lld, got '%s'\n", option, min, max, text);
        return 0;
    }
    *out = value;
    return 1;
}

static int parse_float(const char *text, const char *option, double min, double max, double *out) {
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || *end || end == text || !(value >= min && value <= max)) {
        fprintf(stderr, "names: %s needs a number in [%g, %g], got '%s'\n", option, min, max, text);
        return 0;
    }
    *out = value;
    return 1;
}

static void print_confusion(const charnn_model *model, const int64_t *confusion, size_t labels) {
    printf("\nconfusion matrix (rows: true language, columns: predicted; first 3 letters)\n       ");
    for (size_t j = 0; j < labels; j++) {
        const char *name = "";
        charnn_model_label_name(model, j, &name);
        printf(" %.3s ", name);
    }
    printf("\n");
    for (size_t i = 0; i < labels; i++) {
        const char *name = "";
        charnn_model_label_name(model, i, &name);
        printf("  %-4.4s ", name);
        int64_t total = 0;
        for (size_t j = 0; j < labels; j++) {
            printf("%4lld ", (long long)confusion[i * labels + j]);
            total += confusion[i * labels + j];
        }
        printf(" %6.2f%%\n", total ? 100.0 * (double)confusion[i * labels + i] / (double)total : 0.0);
    }
    printf("  (last column: accuracy per language)\n");
}

static int train(int argc, char **argv) {
    if (argc < 1) { usage(stderr); return 2; }
    const char *data_dir = argv[0], *out_path = NULL, *kind_name = "gru";
    long long epochs = -1, hidden = 256, layers = 0, batch = 1, seed = 0;
    double lr = 1e-3, clip = -1, test_size = 0.1;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i];
        if (i + 1 >= argc) { fprintf(stderr, "names: %s needs a value\n", option); return 2; }
        const char *value = argv[++i];
        int ok = 1;
        if (!strcmp(option, "--out")) out_path = value;
        else if (!strcmp(option, "--model")) kind_name = value;
        else if (!strcmp(option, "--epochs")) ok = parse_int(value, option, 0, 100000, &epochs);
        else if (!strcmp(option, "--hidden")) ok = parse_int(value, option, 1, 4096, &hidden);
        else if (!strcmp(option, "--layers")) ok = parse_int(value, option, 1, 16, &layers);
        else if (!strcmp(option, "--batch")) ok = parse_int(value, option, 1, 65536, &batch);
        else if (!strcmp(option, "--seed")) ok = parse_int(value, option, 0, 1LL << 62, &seed);
        else if (!strcmp(option, "--lr")) ok = parse_float(value, option, 0, 1e6, &lr);
        else if (!strcmp(option, "--clip")) ok = parse_float(value, option, 0, 1e30, &clip);
        else if (!strcmp(option, "--test-size")) ok = parse_float(value, option, 1e-9, 1 - 1e-9, &test_size);
        else { fprintf(stderr, "names: unknown option %s\n", option); usage(stderr); return 2; }
        if (!ok) return 2;
    }
    if (!out_path) { fprintf(stderr, "names: train needs --out MODEL\n"); return 2; }

    charnn_model_config config;
    charnn_model_config_init(&config);
    if (!strcmp(kind_name, "elman")) config.kind = CHARNN_MODEL_ELMAN;
    else if (!strcmp(kind_name, "gru")) config.kind = CHARNN_MODEL_GRU;
    else if (!strcmp(kind_name, "lstm")) config.kind = CHARNN_MODEL_LSTM;
    else { fprintf(stderr, "names: --model is elman, gru or lstm, not '%s'\n", kind_name); return 2; }
    config.hidden_size = (int32_t)hidden;
    config.num_layers = (int32_t)layers;
    config.seed = (uint64_t)seed;

    charnn_dataset *data = NULL, *train_set = NULL, *test_set = NULL;
    charnn_model *model = NULL;
    int64_t *confusion = NULL;
    int exit_code = 1;
    charnn_status st;

    if ((st = charnn_dataset_load_dir(data_dir, &data)) != CHARNN_OK) { fail("loading the data", st); goto done; }
    size_t count = 0, label_count = 0, skipped = 0;
    charnn_dataset_count(data, &count);
    charnn_dataset_label_count(data, &label_count);
    charnn_dataset_skipped_count(data, &skipped);
    printf("%zu names in %zu languages from %s; skipped %zu\n", count, label_count, data_dir, skipped);
    for (size_t i = 0; i < skipped; i++) {
        char line[512];
        if (charnn_dataset_skipped(data, i, line, sizeof line, NULL) == CHARNN_OK) printf("  skipped %s\n", line);
    }
    if ((st = charnn_dataset_split(data, test_size, (uint64_t)seed, &train_set, &test_set)) != CHARNN_OK) {
        fail("splitting the data", st);
        goto done;
    }
    size_t train_count = 0, test_count = 0;
    charnn_dataset_count(train_set, &train_count);
    charnn_dataset_count(test_set, &test_count);
    printf("stratified split: %zu train, %zu test\n", train_count, test_count);

    const char **labels = calloc(label_count, sizeof *labels);
    if (!labels) { fprintf(stderr, "names: out of memory\n"); goto done; }
    for (size_t i = 0; i < label_count; i++) charnn_dataset_label_name(data, i, &labels[i]);
    st = charnn_model_create(&config, labels, label_count, &model);
    free(labels);
    if (st != CHARNN_OK) { fail("creating the model", st); goto done; }

    charnn_train_config training;
    charnn_train_config_init(&training);
    if (epochs >= 0) training.epochs = (int32_t)epochs;
    training.batch_size = (int32_t)batch;
    training.learning_rate = (float)lr;
    training.clip_norm = clip >= 0 ? (float)clip : (config.kind == CHARNN_MODEL_ELMAN ? 1.0f : 0.0f);
    training.seed = (uint64_t)seed;
    progress_state state = {now(), batch == 1 ? 3000 : 300};
    training.progress = on_progress;
    training.user_data = &state;

    charnn_model_config actual;
    charnn_model_config_init(&actual);
    charnn_model_get_config(model, &actual);
    size_t weights = 0;
    charnn_model_parameter_count(model, &weights);
    printf("%s: hidden %d, %d layer(s), %zu weights; %d epochs, batch %d, Adam lr %g%s\n", kind_name,
           actual.hidden_size, actual.num_layers, weights, training.epochs, training.batch_size,
           (double)training.learning_rate, training.clip_norm > 0 ? ", gradient norm clipped" : "");
    signal(SIGINT, on_interrupt);
    charnn_train_result result = {.struct_size = sizeof result};
    st = charnn_model_train(model, train_set, &training, &result);
    signal(SIGINT, SIG_DFL);
    double seconds = now() - state.started;
    if (st == CHARNN_CANCELLED) {
        printf("interrupted after %lld steps: keeping what was learned\n", (long long)result.steps_taken);
    } else if (st != CHARNN_OK) {
        fail("training", st);
        goto done;
    }
    printf("trained in %.1f s (%.0f µs per name)\n", seconds,
           result.steps_taken ? seconds * 1e6 / ((double)result.steps_taken * (double)training.batch_size) : 0.0);

    if ((st = charnn_model_save(model, out_path)) != CHARNN_OK) { fail("saving the model", st); goto done; }
    printf("saved %s\n", out_path);

    confusion = calloc(label_count * label_count, sizeof *confusion);
    double accuracy = 0;
    if (!confusion) { fprintf(stderr, "names: out of memory\n"); goto done; }
    st = charnn_model_evaluate(model, test_set, &accuracy, confusion, label_count * label_count);
    if (st != CHARNN_OK) { fail("evaluating", st); goto done; }
    print_confusion(model, confusion, label_count);
    printf("test accuracy: %.2f%%\n", 100 * accuracy);
    exit_code = 0;

done:
    free(confusion);
    charnn_model_free(model);
    charnn_dataset_free(test_set);
    charnn_dataset_free(train_set);
    charnn_dataset_free(data);
    return exit_code;
}

/* ---- predict ----------------------------------------------------------------------------- */

static int predict(int argc, char **argv) {
    if (argc < 2) { usage(stderr); return 2; }
    charnn_model *model = NULL;
    charnn_status st = charnn_model_load(argv[0], &model);
    if (st != CHARNN_OK) return fail("loading the model", st);
    int exit_code = 0;
    for (int i = 1; i < argc; i++) {
        int32_t labels[3];
        float probabilities[3];
        size_t n = 0;
        st = charnn_model_predict(model, argv[i], 3, labels, probabilities, &n);
        if (st != CHARNN_OK) {
            fprintf(stderr, "names: '%s': %s\n", argv[i], charnn_last_error());
            exit_code = 1;
            continue;
        }
        printf("%s:", argv[i]);
        for (size_t j = 0; j < n; j++) {
            const char *label = "?";
            charnn_model_label_name(model, (size_t)labels[j], &label);
            printf("%s %s (%.1f%%)", j ? "," : "", label, 100.0 * probabilities[j]);
        }
        printf("\n");
    }
    charnn_model_free(model);
    return exit_code;
}

int main(int argc, char **argv) {
    if (charnn_abi_version() != CHARNN_ABI_VERSION) {
        fprintf(stderr, "names: libcharnn %s has ABI %d; this program was built for ABI %d\n",
                charnn_version_string(), charnn_abi_version(), CHARNN_ABI_VERSION);
        return 1;
    }
    if (argc >= 2 && !strcmp(argv[1], "train")) return train(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "predict")) return predict(argc - 2, argv + 2);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) { usage(stdout); return 0; }
    usage(stderr);
    return 2;
}
