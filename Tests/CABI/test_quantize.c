/* int8 models through the C ABI (charnn_model_quantize, charnn_model_is_quantized): a copy that
 * predicts close to its float model, saves a format-4 checkpoint about 4x smaller that reads back
 * bit for bit, cannot be trained, and every misuse refused with its status and message. */
#include "check.h"

#include <math.h>
#include <stdlib.h>

static charnn_model *gated_model(int32_t kind, int32_t hidden, int32_t layers) {
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.kind = kind;
    config.hidden_size = hidden;
    config.num_layers = layers;
    config.seed = 5;
    charnn_model *m = NULL;
    OK(charnn_model_create(&config, label_names3, 3, &m));
    return m;
}

static size_t saved_size(const charnn_model *m) {
    size_t size = 0;
    OK(charnn_model_save_memory(m, NULL, 0, &size));
    return size;
}

static void predictions_are_close(const charnn_model *a, const charnn_model *b) {
    const char *names[] = {"Mike", "Qin", "Slusarski", "Nakamura", "O'Neil"};
    for (int i = 0; i < 5; i++) {
        int32_t la[3], lb[3];
        float pa[3], pb[3];
        OK(charnn_model_predict(a, names[i], 3, la, pa, NULL));
        OK(charnn_model_predict(b, names[i], 3, lb, pb, NULL));
        for (int j = 0; j < 3; j++) {
            /* The same label set, each probability within 0.02 (sorted lists may swap near-ties). */
            float other = -1;
            for (int q = 0; q < 3; q++)
                if (lb[q] == la[j]) other = pb[q];
            CHECK(other >= 0 && fabsf(other - pa[j]) < 0.02f);
        }
    }
}

void test_quantize(void) {
    for (int32_t kind = CHARNN_MODEL_GRU; kind <= CHARNN_MODEL_LSTM; kind++) {
        charnn_model *m = gated_model(kind, 48, 2), *q = NULL, *loaded = NULL;
        int flag = -1;
        OK(charnn_model_is_quantized(m, &flag));
        CHECK(flag == 0);
        OK(charnn_model_quantize(m, &q));
        OK(charnn_model_is_quantized(q, &flag));
        CHECK(flag == 1);
        OK(charnn_model_is_quantized(m, &flag));
        CHECK(flag == 0); /* the original is unchanged */
        predictions_are_close(m, q);

        /* Smaller, and read back bit for bit. */
        size_t full = saved_size(m), small = saved_size(q);
        CHECK(small * 2 < full);
        char *bytes = malloc(small);
        OK(charnn_model_save_memory(q, bytes, small, &small));
        OK(charnn_model_load_memory(bytes, small, &loaded));
        OK(charnn_model_is_quantized(loaded, &flag));
        CHECK(flag == 1);
        const char *names[] = {"Mike", "Qin", "Ślusàrski"};
        int32_t la[9], lb[9];
        float pa[9], pb[9];
        OK(charnn_model_predict_many(q, names, 3, 3, la, pa));
        OK(charnn_model_predict_many(loaded, names, 3, 3, lb, pb));
        CHECK(memcmp(la, lb, sizeof la) == 0 && memcmp(pa, pb, sizeof pa) == 0);

        /* Cannot be trained, nor quantized twice. */
        charnn_dataset *data = small_dataset();
        EXPECT(charnn_model_train(q, data, NULL, NULL), CHARNN_INVALID_ARGUMENT, "quantized model cannot be trained");
        charnn_model *again = (charnn_model *)0x1;
        EXPECT(charnn_model_quantize(q, &again), CHARNN_INVALID_ARGUMENT, "already quantized");
        CHECK(again == (charnn_model *)0x1);
        charnn_dataset_free(data);
        free(bytes);
        charnn_model_free(loaded);
        charnn_model_free(q);
        charnn_model_free(m);
    }

    /* Misuse. */
    charnn_model *elman = gated_model(CHARNN_MODEL_ELMAN, 8, 0), *out = (charnn_model *)0x1;
    EXPECT(charnn_model_quantize(elman, &out), CHARNN_INVALID_ARGUMENT, "Elman");
    EXPECT(charnn_model_quantize(elman, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_model_quantize(NULL, &out), CHARNN_INVALID_ARGUMENT, "model is NULL");
    CHECK(out == (charnn_model *)0x1);
    int flag = 7;
    EXPECT(charnn_model_is_quantized(elman, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_model_is_quantized(NULL, &flag), CHARNN_INVALID_ARGUMENT, "model is NULL");
    CHECK(flag == 7);
    charnn_model_free(elman);
    EXPECT(charnn_model_quantize(elman, &out), CHARNN_INVALID_HANDLE, "not a live");
}
