/* libFuzzer harness: a checkpoint from arbitrary bytes (charnn_model_load_memory). Whatever the
 * bytes, the call returns a status; a model that loads must then work. */
#include <charnn.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    charnn_model *model = NULL;
    if (charnn_model_load_memory(data, size, &model) != CHARNN_OK) return 0;
    size_t labels = 0;
    charnn_model_label_count(model, &labels);
    int32_t top[4];
    float probabilities[4];
    size_t count = 0;
    if (charnn_model_predict(model, "Jake", 4, top, probabilities, &count) == CHARNN_OK) {
        for (size_t i = 0; i < count; i++)
            if (top[i] < 0 || (size_t)top[i] >= labels || !(probabilities[i] >= 0 && probabilities[i] <= 1)) __builtin_trap();
    }
    charnn_model_free(model);
    return 0;
}
