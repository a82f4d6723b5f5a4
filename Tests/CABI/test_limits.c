/* The limits charnn.h names (CHARNN_MAX_*) are the ones every boundary enforces: a text one byte
 * or one symbol over is refused by prediction and skipped (listed) by a dataset, one at the limit
 * is taken; a model or batch one over is refused, naming the field. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

static char *repeated(char c, size_t count) {
    char *text = malloc(count + 1);
    memset(text, c, count);
    text[count] = 0;
    return text;
}

static void test_text_limits(charnn_model *model) {
    int32_t label;
    char *at = repeated('a', CHARNN_MAX_TEXT_SYMBOLS);
    char *over = repeated('a', CHARNN_MAX_TEXT_SYMBOLS + 1);
    char *bytes_over = repeated('a', CHARNN_MAX_TEXT_BYTES + 1);
    OK(charnn_model_predict(model, at, 1, &label, NULL, NULL));
    EXPECT(charnn_model_predict(model, over, 1, &label, NULL, NULL), CHARNN_INVALID_ARGUMENT, "1024 symbols");
    EXPECT(charnn_model_predict(model, bytes_over, 1, &label, NULL, NULL), CHARNN_INVALID_ARGUMENT, "bytes");

    /* A dataset skips and lists both, keeping the text at the limit. */
    const char *texts[] = {at, over, bytes_over, "abc"};
    const int32_t labels[] = {0, 0, 1, 1};
    const char *names[] = {"A", "B"};
    charnn_dataset *data = NULL;
    OK(charnn_dataset_from_memory(texts, labels, 4, names, 2, &data));
    size_t count = 0, skipped = 0;
    OK(charnn_dataset_count(data, &count));
    OK(charnn_dataset_skipped_count(data, &skipped));
    CHECK(count == 2 && skipped == 2);
    charnn_dataset_free(data);
    free(at);
    free(over);
    free(bytes_over);
}

static void test_model_limits(void) {
    const char *labels[] = {"A", "B"};
    charnn_model *model = NULL;
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.hidden_size = CHARNN_MAX_HIDDEN_SIZE + 1;
    EXPECT(charnn_model_create(&config, labels, 2, &model), CHARNN_INVALID_ARGUMENT, "4097");
    charnn_model_config_init(&config);
    config.num_layers = CHARNN_MAX_LAYERS + 1;
    EXPECT(charnn_model_create(&config, labels, 2, &model), CHARNN_INVALID_ARGUMENT, "17");
    charnn_model_config_init(&config);
    config.embedding_size = CHARNN_MAX_EMBEDDING_SIZE + 1;
    EXPECT(charnn_model_create(&config, labels, 2, &model), CHARNN_INVALID_ARGUMENT, "4097");
}

static void test_batch_limit(charnn_model *model) {
    charnn_dataset *data = small_dataset();
    charnn_train_config config;
    charnn_train_config_init(&config);
    config.batch_size = CHARNN_MAX_BATCH_SIZE + 1;
    EXPECT(charnn_model_train(model, data, &config, NULL), CHARNN_INVALID_ARGUMENT, "batch_size 65537 is not in 1...65536");
    charnn_dataset_free(data);
}

void test_limits(void) {
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.hidden_size = 8;
    config.num_layers = 1;
    charnn_model *model = NULL;
    OK(charnn_model_create(&config, label_names3, 3, &model));
    test_text_limits(model);
    test_batch_limit(model);
    test_model_limits();
    charnn_model_free(model);
}
