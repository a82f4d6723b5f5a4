/* The checks shared by the C ABI test programs. */
#ifndef CHARNN_TEST_CHECK_H
#define CHARNN_TEST_CHECK_H

#include <charnn.h>
#include <stdio.h>
#include <string.h>

/* Counters and mode, defined in main.c. quick is set by CHARNN_TEST_QUICK (under valgrind). */
extern int failures, checks, quick;

/* Suites, one per file. */
void test_versions_and_status_strings(void);
void test_cpu_variant(void);
void test_dataset_from_memory(void);
void test_dataset_directories(void);
void test_split(void);
void test_handles(void);
void test_model_create(void);
void test_train_evaluate_predict(void);
void test_save_load(void);
void test_threads(void);
void test_real_data(void);
void test_low_level(void);
void test_faults(void);
void test_text(void);
void test_metrics(void);
void test_training(void);
void test_options(void);
void test_limits(void);
void test_quantize(void);

/* Helpers shared by the suites (main.c). */
void write_file(const char *dir, const char *name, const char *contents, size_t length);
void remove_tree(const char *dir);
charnn_dataset *small_dataset(void);
charnn_dataset *pool_dataset(unsigned seed, int shift);
extern const char *label_names3[3];


#define CHECK(cond)                                                                      \
    do {                                                                                 \
        checks++;                                                                        \
        if (!(cond)) {                                                                   \
            failures++;                                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
        }                                                                                \
    } while (0)

/* The call returns `expected`; a failure leaves a message containing `fragment`, a success an
 * empty one. */
#define EXPECT(call, expected, fragment)                                                               \
    do {                                                                                               \
        charnn_status got_ = (call);                                                                   \
        const char *message_ = charnn_last_error();                                                    \
        checks++;                                                                                      \
        if (got_ != (expected) || (expected == CHARNN_OK ? message_[0] != 0                            \
                                                         : strstr(message_, (fragment)) == NULL)) {    \
            failures++;                                                                                \
            fprintf(stderr, "%s:%d: %s\n  returned %d (%s), expected %d; message: '%s' (wanted '%s')\n", \
                    __FILE__, __LINE__, #call, (int)got_, charnn_status_string(got_), (int)(expected),   \
                    message_, (fragment));                                                             \
        }                                                                                              \
    } while (0)

#define OK(call) EXPECT(call, CHARNN_OK, "")

#endif
