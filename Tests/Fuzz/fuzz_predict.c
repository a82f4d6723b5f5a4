/* libFuzzer harness: prediction and encoding of arbitrary byte strings, on a small model of each
 * kind: single names, many names (split at newlines) and charnn_vocabulary_encode. */
#include <charnn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static charnn_model *models[3];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    const char *labels[3] = {"A", "B", "C"};
    for (int kind = 0; kind < 3; kind++) {
        charnn_model_config config;
        charnn_model_config_init(&config);
        config.kind = kind;
        config.hidden_size = 8;
        if (charnn_model_create(&config, labels, 3, &models[kind]) != CHARNN_OK) abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    charnn_model *model = models[size % 3];
    int32_t labels[3];
    float probabilities[3];
    size_t count = 0;
    if (charnn_model_predict(model, text, 3, labels, probabilities, &count) == CHARNN_OK) {
        float total = 0;
        for (size_t i = 0; i < count; i++) total += probabilities[i];
        if (count != 3 || total < 0.999f || total > 1.001f) __builtin_trap();
    }
    int32_t indices[64];
    size_t length;
    charnn_vocabulary_encode(text, indices, 64, &length);
    const char *names[32];
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line && n < 32; line = strtok(NULL, "\n")) names[n++] = line;
    int32_t many_labels[32 * 2];
    float many_probabilities[32 * 2];
    charnn_model_predict_many(model, names, n, 2, many_labels, many_probabilities);
    free(text);
    return 0;
}
