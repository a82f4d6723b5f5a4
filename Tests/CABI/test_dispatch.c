/* charnn_cpu_variant: the build libcharnn.so's dispatcher loaded is the one expected here.
 * CHARNN_TEST_EXPECT_VARIANT names it; else CHARNN_CPU when that forces one; else x86-64-v3 on a
 * CPU the compiler's own check says has it (the dispatcher has its own CPUID code), portable
 * otherwise. The rest of abi_test then runs on that build: `make test-c` runs it once per build,
 * with the same tolerances, so both give the same results. */
#include <stdlib.h>

#include "check.h"

static int cpu_has_x86_64_v3(void) {
#if defined(__x86_64__) && ((defined(__clang__) && __clang_major__ >= 19) || (!defined(__clang__) && __GNUC__ >= 12))
    __builtin_cpu_init();
    return __builtin_cpu_supports("x86-64-v3") != 0;
#elif defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
#else
    return 0;
#endif
}

void test_cpu_variant(void) {
    const char *variant = charnn_cpu_variant();
    CHECK(variant != NULL);
    if (!variant) return;
    const char *expected = getenv("CHARNN_TEST_EXPECT_VARIANT");
    const char *forced = getenv("CHARNN_CPU");
    if (!expected || !expected[0]) {
        if (forced && forced[0] && strcmp(forced, "auto") != 0) {
            expected = forced;
        } else if (cpu_has_x86_64_v3()) {
            expected = "x86-64-v3";
        } else {
            expected = "portable";
#if defined(__x86_64__)
            printf("abi_test: this CPU lacks x86-64-v3 (AVX2, FMA, ...): the portable build is expected\n");
#endif
        }
    }
    if (strcmp(variant, expected) != 0) {
        failures++;
        fprintf(stderr, "%s:%d: charnn_cpu_variant() is '%s', expected '%s' (charnn_last_error: '%s')\n", __FILE__,
                __LINE__, variant, expected, charnn_last_error());
    }
    checks++;
    printf("abi_test: on the %s build of the core\n", variant);
}
