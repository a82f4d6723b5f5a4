/* libFuzzer harness: a checkpoint from arbitrary bytes (charnn_model_load_memory). Whatever the
 * bytes, the call returns a status; a model that loads must then work: predict, report its
 * alphabet and text options (format 2), encode within its alphabet, and save a checkpoint that
 * loads back to the same alphabet and predictions. */
#define _GNU_SOURCE
#include <charnn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char saved_path[64];

static void remove_saved(void) { unlink(saved_path); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    snprintf(saved_path, sizeof saved_path, "/tmp/charnn-fuzz-checkpoint-%d.safetensors", (int)getpid());
    atexit(remove_saved);
    return 0;
}

static const char *const probes[] = {
    "Jake", "M\xC3\xBCller", "\xEF\xAC\x81 STRA\xC3\x9F" "E", "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD", "\xE6\x9D\xB1\xE4\xBA\xAC", "e\xCC\x81?"};
#define PROBES (sizeof probes / sizeof probes[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    charnn_model *model = NULL;
    charnn_status status = charnn_model_load_memory(data, size, &model);
    if (status == CHARNN_INTERNAL_ERROR) __builtin_trap();
    if (status != CHARNN_OK) return 0;
    size_t labels = 0, symbols = 0;
    charnn_model_label_count(model, &labels);
    if (charnn_model_alphabet_size(model, &symbols) != CHARNN_OK || symbols == 0 || symbols > CHARNN_MAX_ALPHABET_SIZE)
        __builtin_trap();
    charnn_text_config text;
    charnn_text_config_init(&text);
    if (charnn_model_get_text_config(model, &text) != CHARNN_OK || !text.symbols) __builtin_trap();
    if (text.alphabet < CHARNN_ALPHABET_ARTICLE || text.alphabet > CHARNN_ALPHABET_EXPLICIT) __builtin_trap();
    if (text.normalize < CHARNN_NORMALIZE_NONE || text.normalize > CHARNN_NORMALIZE_NFKC) __builtin_trap();
    int32_t top[PROBES][4];
    float probabilities[PROBES][4];
    charnn_status predicted[PROBES];
    for (size_t p = 0; p < PROBES; p++) {
        size_t count = 0;
        predicted[p] = charnn_model_predict(model, probes[p], 4, top[p], probabilities[p], &count);
        if (predicted[p] == CHARNN_INTERNAL_ERROR) __builtin_trap();
        if (predicted[p] == CHARNN_OK) {
            for (size_t i = 0; i < count; i++)
                if (top[p][i] < 0 || (size_t)top[p][i] >= labels || !(probabilities[p][i] >= 0 && probabilities[p][i] <= 1))
                    __builtin_trap();
        }
        int32_t indices[64];
        size_t length = 0, unknown = 0;
        charnn_status encoded = charnn_model_encode(model, probes[p], indices, 64, &length, &unknown);
        if (encoded == CHARNN_INTERNAL_ERROR) __builtin_trap();
        /* Both read the text alike: predict accepts exactly the texts encode finds a symbol in
         * (encode answers OK with length 0 for the rest, as the header says). A readable text may
         * still get CHARNN_DIVERGED when the file's weights overflow its scores (never NaN
         * probabilities). */
        int readable = encoded == CHARNN_OK && length > 0;
        if (predicted[p] == CHARNN_DIVERGED ? !readable : readable != (predicted[p] == CHARNN_OK))
            __builtin_trap();
        if (encoded == CHARNN_OK)
            for (size_t i = 0; i < length; i++)
                if (indices[i] < 0 || (size_t)indices[i] >= symbols) __builtin_trap();
    }

    /* Saved and loaded back: the same alphabet, options and predictions. */
    if (charnn_model_save(model, saved_path) == CHARNN_OK) {
        charnn_model *again = NULL;
        if (charnn_model_load(saved_path, &again) != CHARNN_OK) __builtin_trap();
        charnn_text_config back;
        charnn_text_config_init(&back);
        size_t symbols_back = 0;
        if (charnn_model_get_text_config(again, &back) != CHARNN_OK || charnn_model_alphabet_size(again, &symbols_back))
            __builtin_trap();
        if (back.alphabet != text.alphabet || back.normalize != text.normalize || back.case_fold != text.case_fold ||
            back.transliterate != text.transliterate || strcmp(back.symbols, text.symbols) != 0 || symbols_back != symbols)
            __builtin_trap();
        for (size_t p = 0; p < PROBES; p++) {
            int32_t t[4];
            float q[4];
            size_t count = 0;
            charnn_status s = charnn_model_predict(again, probes[p], 4, t, q, &count);
            if (s != predicted[p]) __builtin_trap();
            if (s == CHARNN_OK && (memcmp(t, top[p], count * sizeof t[0]) != 0 || memcmp(q, probabilities[p], count * sizeof q[0]) != 0))
                __builtin_trap();
        }
        charnn_model_free(again);
    }
    charnn_model_free(model);
    return 0;
}
