/*
 * A C program as a user writes it, run by `make test-c` under valgrind with the flags README.md
 * documents ("Running your program under valgrind"): --leak-check=full --error-exitcode=1 and
 * the shipped suppression file. It must exit 0 there: every byte it or the library allocates is
 * freed or covered by the suppressions for what the Swift runtime keeps by design.
 *
 * It makes a dataset in memory, trains a small GRU with the worker pool running (the test runs
 * it with CHARNN_NUM_THREADS=2 and a low CHARNN_PARALLEL_MIN_STEP_WORK, so jobs go parallel),
 * predicts, calls charnn_shutdown(), trains again (the pool starts again), frees everything and
 * calls charnn_shutdown() once more. With an argument "no-shutdown" it skips the last
 * charnn_shutdown(): the pool's threads are still alive at exit, which valgrind must report (the
 * test runs that too, to show it can fail).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charnn.h"

#define CHECK(call)                                                                                            \
    do {                                                                                                       \
        charnn_status status_ = (call);                                                                       \
        if (status_ != CHARNN_OK) {                                                                            \
            fprintf(stderr, "valgrind_client: %s failed: %s (%s)\n", #call, charnn_status_string(status_),     \
                    charnn_last_error());                                                                      \
            exit(2);                                                                                           \
        }                                                                                                      \
    } while (0)

static void train(charnn_model *model, const charnn_dataset *data) {
    charnn_train_config config;
    charnn_train_config_init(&config);
    config.epochs = 1;
    config.batch_size = 8;
    config.report_every = 1000;
    CHECK(charnn_model_train(model, data, &config, NULL));
}

int main(int argc, char **argv) {
    int shutdown_at_end = !(argc > 1 && strcmp(argv[1], "no-shutdown") == 0);
    static const char *const label_names[] = {"English", "Italian"};
    static const char *const names[] = {"Smith", "Jones", "Taylor", "Brown", "Rossi", "Bianchi", "Romano", "Colombo",
                                        "Walker", "Wright", "Ricci", "Greco", "Harris", "Clarke", "Bruno", "Gallo"};
    int32_t labels[16];
    for (int i = 0; i < 16; i++) labels[i] = (i / 4) % 2;

    charnn_dataset *data = NULL;
    CHECK(charnn_dataset_from_memory(names, labels, 16, label_names, 2, &data));
    charnn_model_config model_config;
    charnn_model_config_init(&model_config);
    model_config.hidden_size = 32;
    model_config.num_layers = 1;
    charnn_model *model = NULL;
    CHECK(charnn_model_create_for_dataset(&model_config, data, &model));

    train(model, data);
    int32_t top[2];
    float probabilities[2];
    size_t count = 0;
    CHECK(charnn_model_predict(model, "Rossini", 2, top, probabilities, &count));
    const char *const batch[] = {"Smithson", "Rossetti", "Brownie"};
    int32_t many[3];
    CHECK(charnn_model_predict_many(model, batch, 3, 1, many, NULL));

    charnn_shutdown();  /* the pool's threads joined ... */
    train(model, data); /* ... and started again by the next job */
    charnn_shutdown();
    charnn_shutdown(); /* harmless twice */
    train(model, data);

    charnn_model_free(model);
    charnn_dataset_free(data);
    if (shutdown_at_end) charnn_shutdown();
    printf("valgrind_client: trained, predicted %s for Rossini (%zu labels); %s\n", label_names[top[0]], count,
           shutdown_at_end ? "charnn_shutdown() called" : "no charnn_shutdown() at the end");
    return 0;
}
