/* The int8 kernels of Sources/CCharNNKernels, built three times into this one program by
** `make test-c-kernels`: for x86-64-v3 (the AVX2 path, functions renamed v3_*), for the baseline
** (SSE2 on x86-64, plain C elsewhere: port_*) and with CHARNN_Q8_PLAIN_C (plain C: plain_*).
** Checks quantization against its definition, the products against exact integer sums and a
** double reference over many shapes and edge values, and that the builds agree bit for bit.
** Prints one summary line (and the first ten failures); exits 1 on any failure. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DECLARE(prefix)                                                                              \
    size_t prefix##_q8_padded(size_t k);                                                             \
    void prefix##_q8_quantize_rows(const float *x, size_t ldx, size_t rows, size_t k, int8_t *q,     \
                                   size_t ldq, float *scales);                                       \
    void prefix##_q8_gemm_nt(size_t m, size_t n, size_t kp, const int8_t *a, size_t lda,            \
                             const float *sa, const int8_t *w, size_t ldw, const float *sw, float *c, \
                             size_t ldc, int accumulate);                                            \
    const char *prefix##_q8_kernel_name(void);                                                       \
    size_t prefix##_q8_packed_size(size_t n, size_t k);                                              \
    void prefix##_q8_pack(const int8_t *w, size_t ldw, size_t n, size_t k, void *packed);            \
    void prefix##_q8_gemm_packed(size_t m, const int8_t *a, size_t lda, const float *sa,             \
                                 const void *packed, size_t n, size_t k, size_t j0, size_t count,    \
                                 const float *sw, float *c, size_t ldc, int accumulate);
DECLARE(port)
DECLARE(plain)
#if defined(__x86_64__)
DECLARE(v3)
#endif

typedef struct {
    const char *label;
    size_t (*padded)(size_t);
    void (*quantize)(const float *, size_t, size_t, size_t, int8_t *, size_t, float *);
    void (*gemm)(size_t, size_t, size_t, const int8_t *, size_t, const float *, const int8_t *, size_t,
                 const float *, float *, size_t, int);
    const char *(*name)(void);
    size_t (*packed_size)(size_t, size_t);
    void (*pack)(const int8_t *, size_t, size_t, size_t, void *);
    void (*gemm_packed)(size_t, const int8_t *, size_t, const float *, const void *, size_t, size_t, size_t, size_t,
                        const float *, float *, size_t, int);
} Build;

static int failures, checks;

#define CHECK(cond, ...)                                       \
    do {                                                       \
        checks++;                                              \
        if (!(cond)) {                                         \
            if (++failures <= 10) {                            \
                fprintf(stderr, "test_q8: %s:%d: ", __FILE__, __LINE__); \
                fprintf(stderr, __VA_ARGS__);                  \
                fputc('\n', stderr);                           \
            }                                                  \
        }                                                      \
    } while (0)

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static double uniform(void) { /* xorshift64*, in [0, 1) */
    rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545F4914F6CDD1Du) >> 11) / 9007199254740992.0;
}

/* Rows of k values: random, except row 0 zero, row 1 a single ±max, row 2 alternating ±max
** (every byte ±127: the largest pair sums vpmaddubsw sees), row 3 all -max (opposite signs
** meet +127 rows of the other operand). */
static void fill(float *x, size_t rows, size_t k, size_t ldx, float sign) {
    for (size_t i = 0; i < rows; i++)
        for (size_t p = 0; p < k; p++) {
            float v = (float)(uniform() * 2 - 1) * (float)(1 + i % 5);
            if (i == 0) v = 0;
            if (i == 1) v = p == k / 2 ? -3.5f * sign : 0;
            if (i == 2) v = p % 2 ? 2.0f : -2.0f;
            if (i == 3) v = -1.25f * sign;
            x[i * ldx + p] = v;
        }
}

static void check_quantize(const Build *b, const float *x, size_t rows, size_t k, size_t ldx,
                           const int8_t *q, size_t ldq, const float *s) {
    size_t kp = b->padded(k);
    for (size_t i = 0; i < rows; i++) {
        float mx = 0;
        for (size_t p = 0; p < k; p++) mx = fmaxf(mx, fabsf(x[i * ldx + p]));
        CHECK(s[i] == mx / 127.0f, "%s scale row %zu", b->label, i);
        for (size_t p = 0; p < kp; p++) {
            int got = q[i * ldq + p];
            if (p >= k || mx == 0) {
                CHECK(got == 0, "%s pad/zero row %zu col %zu: %d", b->label, i, p, got);
                continue;
            }
            double exact = (double)x[i * ldx + p] / (double)s[i];
            CHECK(got >= -127 && got <= 127, "%s range %d", b->label, got);
            CHECK(fabs(got - exact) <= 0.5 + 1e-4 || fabs(exact) > 127, "%s round row %zu col %zu: %d vs %f",
                  b->label, i, p, got, exact);
            CHECK(got == (int)fmaxf(-127, fminf(127, nearbyintf(x[i * ldx + p] / s[i]))), "%s formula", b->label);
        }
        for (size_t p = kp; p < ldq; p++) CHECK(q[i * ldq + p] == 0x5A, "%s wrote past the pad", b->label);
    }
}

/* charnn_q8_gemm_packed on column ranges [j0, j0 + count) (j0 on panel boundaries, counts that
** end inside a panel too) must give charnn_q8_gemm_nt's C (c) and accumulated C (c2) bit for
** bit, and write nothing else. A is passed with lda = k + 1 and a garbage byte after each row
** (no pads are read); W is packed from its k values. */
static void check_packed(const Build *b, size_t m, size_t n, size_t k, const int8_t *qa, const float *sa,
                         const int8_t *qw, size_t ldq, const float *sw, const float *c, const float *c2,
                         size_t ldc) {
    size_t size = b->packed_size(n, k);
    CHECK(size == (n + 7) / 8 * ((k + 1) / 2) * 32, "%s packed_size(%zu, %zu) = %zu", b->label, n, k, size);
    unsigned char *raw = malloc(size + 32);
    void *packed = raw + (32 - (uintptr_t)raw % 32) % 32;
    memset(packed, 0x5A, size);
    b->pack(qw, ldq, n, k, packed);
    int8_t *a = malloc(m * (k + 1));
    for (size_t i = 0; i < m; i++) {
        memcpy(a + i * (k + 1), qa + i * ldq, k);
        a[i * (k + 1) + k] = 127;
    }
    float *out = malloc(m * ldc * sizeof *out);
    size_t half = n / 2 / 8 * 8;
    size_t ranges[][2] = {{0, n}, {0, n - 1}, {0, n < 8 ? n : 8}, {8, n > 8 ? n - 8 : 0}, {half, n - half},
                          {half, n - half < 13 ? n - half : 13}, {half, n - half < 24 ? n - half : 24}};
    for (size_t r = 0; r < sizeof ranges / sizeof *ranges; r++) {
        size_t j0 = ranges[r][0], count = ranges[r][1];
        if (j0 + count > n) continue;
        for (int accumulate = 0; accumulate < 2; accumulate++) {
            const float *want = accumulate ? c2 : c;
            for (size_t i = 0; i < m * ldc; i++) out[i] = accumulate ? 1 : NAN;
            b->gemm_packed(m, a, k + 1, sa, packed, n, k, j0, count, sw + j0, out + j0, ldc, accumulate);
            int bad = 0, outside = 0;
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < ldc; j++) {
                    float got = out[i * ldc + j];
                    if (j >= j0 && j < j0 + count)
                        bad += memcmp(&got, &want[i * ldc + j], sizeof got) != 0;
                    else
                        outside += accumulate ? got != 1 : !isnan(got);
                }
            CHECK(bad == 0 && outside == 0, "%s packed %zux%zux%zu j0 %zu count %zu accumulate %d: %d differ from "
                  "gemm_nt, %d written outside", b->label, m, n, k, j0, count, accumulate, bad, outside);
        }
    }
    free(raw), free(a), free(out);
}

/* Quantizes, multiplies (plain and accumulating into a C that holds 1s), and checks against
** the exact integer sums scaled as the header says, and against a double reference. */
static float *run(const Build *b, size_t m, size_t n, size_t k, const float *x, const float *wf, size_t ldx) {
    size_t kp = b->padded(k), ldq = kp + 32, ldc = n + 3;
    int8_t *qa = malloc(m * ldq), *qw = malloc(n * ldq);
    float *sa = malloc(m * sizeof *sa), *sw = malloc(n * sizeof *sw);
    float *c = malloc(2 * m * ldc * sizeof *c);
    memset(qa, 0x5A, m * ldq), memset(qw, 0x5A, n * ldq);
    b->quantize(x, ldx, m, k, qa, ldq, sa);
    b->quantize(wf, ldx, n, k, qw, ldq, sw);
    check_quantize(b, x, m, k, ldx, qa, ldq, sa);
    check_quantize(b, wf, n, k, ldx, qw, ldq, sw);
    float *c2 = c + m * ldc;
    for (size_t i = 0; i < m * ldc; i++) c[i] = NAN, c2[i] = 1;
    b->gemm(m, n, kp, qa, ldq, sa, qw, ldq, sw, c, ldc, 0);
    b->gemm(m, n, kp, qa, ldq, sa, qw, ldq, sw, c2, ldc, 1);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < ldc; j++) {
            if (j >= n) {
                CHECK(isnan(c[i * ldc + j]) && c2[i * ldc + j] == 1, "%s wrote past n", b->label);
                continue;
            }
            int64_t sum = 0;
            double mag = 0;
            for (size_t p = 0; p < kp; p++) {
                sum += qa[i * ldq + p] * qw[j * ldq + p];
                mag += fabs((double)qa[i * ldq + p] * qw[j * ldq + p]);
            }
            float want = (sa[i] * sw[j]) * (float)sum;
            double exact = (double)sa[i] * sw[j] * (double)sum, tol = 1e-6 * (double)sa[i] * sw[j] * mag;
            CHECK(c[i * ldc + j] == want, "%s %zux%zux%zu C[%zu][%zu] = %g, want %g", b->label, m, n, k, i, j,
                  c[i * ldc + j], want);
            CHECK(fabs(c[i * ldc + j] - exact) <= tol, "%s reference %zu %zu", b->label, i, j);
            CHECK(c2[i * ldc + j] == 1 + want, "%s accumulate C[%zu][%zu]", b->label, i, j);
        }
    check_packed(b, m, n, k, qa, sa, qw, ldq, sw, c, c2, ldc);
    free(qa), free(qw), free(sa), free(sw);
    return c;
}

int main(void) {
    Build builds[3] = {{"portable", port_q8_padded, port_q8_quantize_rows, port_q8_gemm_nt, port_q8_kernel_name,
                        port_q8_packed_size, port_q8_pack, port_q8_gemm_packed},
                       {"plain C", plain_q8_padded, plain_q8_quantize_rows, plain_q8_gemm_nt, plain_q8_kernel_name,
                        plain_q8_packed_size, plain_q8_pack, plain_q8_gemm_packed}};
    int count = 2;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        builds[count++] = (Build){"x86-64-v3", v3_q8_padded,        v3_q8_quantize_rows, v3_q8_gemm_nt,
                                  v3_q8_kernel_name, v3_q8_packed_size, v3_q8_pack,          v3_q8_gemm_packed};
#endif
    CHECK(port_q8_padded(0) == 0 && port_q8_padded(1) == 32 && port_q8_padded(32) == 32 && port_q8_padded(57) == 64,
          "padded");
    static const size_t ms[] = {1, 2, 3, 5, 8, 13, 64, 128}, ns[] = {1, 7, 8, 18, 24, 768, 1024},
                        ks[] = {1, 2, 31, 32, 57, 256, 300};
    size_t shapes = 0;
    for (size_t a = 0; a < sizeof ms / sizeof *ms; a++)
        for (size_t b = 0; b < sizeof ns / sizeof *ns; b++)
            for (size_t d = 0; d < sizeof ks / sizeof *ks; d++) {
                size_t m = ms[a], n = ns[b], k = ks[d], ldx = k + 5;
                float *x = malloc(m * ldx * sizeof *x), *wf = malloc(n * ldx * sizeof *wf);
                fill(x, m, k, ldx, 1);
                fill(wf, n, k, ldx, -1);
                float *c[3];
                for (int v = 0; v < count; v++) c[v] = run(&builds[v], m, n, k, x, wf, ldx);
                for (int v = 1; v < count; v++)
                    CHECK(memcmp(c[0], c[v], 2 * m * (n + 3) * sizeof(float)) == 0, "%s and %s differ at %zux%zux%zu",
                          builds[0].label, builds[v].label, m, n, k);
                for (int v = 0; v < count; v++) free(c[v]);
                free(x), free(wf);
                shapes++;
            }
    printf("test_q8: %s (%s, %s%s%s%s): %zu shapes, %d checks, %d failures\n", failures ? "FAILED" : "ok",
           port_q8_kernel_name(), plain_q8_kernel_name(), count == 3 ? ", " : "",
           count == 3 ? builds[2].name() : "; no AVX2 here", failures ? "" : "; bit-identical", shapes, checks,
           failures);
    return failures ? 1 : 0;
}
