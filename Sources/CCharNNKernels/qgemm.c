/*
** qgemm.c: the int8 kernels of charnn_kernels.h. One file, three code paths chosen at compile
** time: AVX2 (__AVX2__, the x86-64-v3 build), SSE2 (any other x86-64 build) and plain C.
** The integer sums are exact in all three and the float code after them is shared, so the
** builds agree bit for bit.
*/
#include "charnn_kernels.h"

#include <math.h>
#include <string.h>

#if defined(__AVX2__)
#include <immintrin.h>
#define Q8_AVX2 1
#elif defined(__SSE2__)
#include <emmintrin.h>
#define Q8_SSE2 1
#endif

/* c + s * x must stay a multiply and an add: an FMA (what -march=x86-64-v3 allows the compiler
** to contract it into) rounds once instead of twice, and the builds would then disagree. Clang
** (SwiftPM's C compiler) takes the standard pragma; GCC ignores it and needs -ffp-contract=off
** (its default under -std=c99, not under -std=gnu99). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define Q8_ALWAYS_INLINE static inline __attribute__((always_inline))

/* The register block: MR rows of A by NR rows of W, MR x NR int32 sums. */
#define MR 2
#define NR 4

size_t charnn_q8_padded(size_t k) {
    return (k + CHARNN_Q8_ALIGN - 1) / CHARNN_Q8_ALIGN * CHARNN_Q8_ALIGN;
}

/* ---- quantization (plain C in every build: division and nearbyintf are exact IEEE operations,
** so a vectorising compiler cannot change the bytes) ---- */

static float q8_row_absmax(const float *restrict x, size_t k) {
    float m = 0;
    for (size_t p = 0; p < k; p++) {
        float v = fabsf(x[p]);
        m = v > m ? v : m;
    }
    return m;
}

static void q8_quantize_row(const float *restrict x, size_t k, float s, int8_t *restrict q) {
    for (size_t p = 0; p < k; p++) {
        float r = nearbyintf(x[p] / s);
        /* |x| <= max so |r| <= 127 already; the clamp guards against a scale rounded low. */
        r = r > 127.0f ? 127.0f : (r < -127.0f ? -127.0f : r);
        q[p] = (int8_t)r;
    }
}

void charnn_q8_quantize_rows(const float *x, size_t ldx, size_t rows, size_t k,
                             int8_t *q, size_t ldq, float *scales) {
    size_t kp = charnn_q8_padded(k);
    for (size_t i = 0; i < rows; i++) {
        const float *xi = x + i * ldx;
        int8_t *qi = q + i * ldq;
        float s = q8_row_absmax(xi, k) / 127.0f;
        scales[i] = s;
        if (s > 0)
            q8_quantize_row(xi, k, s, qi);
        else
            memset(qi, 0, k); /* a zero row (or one too small for a normal scale) */
        memset(qi + k, 0, kp - k);
    }
}

/* ---- the integer block: s[i][j] = a_i . w_j over kp bytes, i < mr, j < nr ---- */

#if Q8_AVX2

/* Sum of the eight int32 lanes of each of four vectors, as one vector of four. */
Q8_ALWAYS_INLINE __m128i q8_hsum4(__m256i v0, __m256i v1, __m256i v2, __m256i v3) {
    __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(v0, v1), _mm256_hadd_epi32(v2, v3));
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

/* Without VNNI there is no signed-by-signed byte product; vpmaddubsw multiplies unsigned by
** signed bytes. a * w = |a| * (sign(a) * w), and both factors fit: |a| <= 127 unsigned,
** sign(a) * w in [-127, 127] since neither is -128. Its pairwise int16 sums (at most 32258)
** cannot saturate; vpmaddwd by ones widens them to int32 pairs, added to the sums. |a| and a
** are computed once per load of A and serve all NR rows of W. */
Q8_ALWAYS_INLINE void q8_block(int mr, int nr, size_t kp, const int8_t *restrict a, size_t lda,
                               const int8_t *restrict w, size_t ldw, int32_t s[MR][NR]) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc[MR][NR];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++) acc[i][j] = _mm256_setzero_si256();
    for (size_t p = 0; p < kp; p += 32) {
        __m256i av[MR], aabs[MR];
        for (int i = 0; i < mr; i++) {
            av[i] = _mm256_loadu_si256((const __m256i *)(a + i * lda + p));
            aabs[i] = _mm256_sign_epi8(av[i], av[i]);
        }
        for (int j = 0; j < nr; j++) {
            __m256i wv = _mm256_loadu_si256((const __m256i *)(w + j * ldw + p));
            for (int i = 0; i < mr; i++) {
                __m256i prod = _mm256_maddubs_epi16(aabs[i], _mm256_sign_epi8(wv, av[i]));
                acc[i][j] = _mm256_add_epi32(acc[i][j], _mm256_madd_epi16(prod, ones));
            }
        }
    }
    for (int i = 0; i < mr; i++)
        _mm_storeu_si128((__m128i *)s[i], q8_hsum4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]));
}

#elif Q8_SSE2

/* The x86-64 baseline has no byte multiply: sign-extend to int16 (unpack with the sign mask)
** and let pmaddwd multiply and add pairs into int32, 16 bytes per step. */
Q8_ALWAYS_INLINE void q8_widen(__m128i v, __m128i *lo, __m128i *hi) {
    __m128i sign = _mm_cmplt_epi8(v, _mm_setzero_si128());
    *lo = _mm_unpacklo_epi8(v, sign);
    *hi = _mm_unpackhi_epi8(v, sign);
}

Q8_ALWAYS_INLINE void q8_block(int mr, int nr, size_t kp, const int8_t *restrict a, size_t lda,
                               const int8_t *restrict w, size_t ldw, int32_t s[MR][NR]) {
    __m128i acc[MR][NR];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++) acc[i][j] = _mm_setzero_si128();
    for (size_t p = 0; p < kp; p += 16) {
        __m128i alo[MR], ahi[MR];
        for (int i = 0; i < mr; i++)
            q8_widen(_mm_loadu_si128((const __m128i *)(a + i * lda + p)), &alo[i], &ahi[i]);
        for (int j = 0; j < nr; j++) {
            __m128i wlo, whi;
            q8_widen(_mm_loadu_si128((const __m128i *)(w + j * ldw + p)), &wlo, &whi);
            for (int i = 0; i < mr; i++)
                acc[i][j] = _mm_add_epi32(acc[i][j],
                                          _mm_add_epi32(_mm_madd_epi16(alo[i], wlo), _mm_madd_epi16(ahi[i], whi)));
        }
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            int32_t lanes[4];
            _mm_storeu_si128((__m128i *)lanes, acc[i][j]);
            s[i][j] = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
        }
}

#else

/* Plain C: int8 products summed in int32, a loop compilers vectorise (sdot/smlal on arm64). */
Q8_ALWAYS_INLINE int32_t q8_dot(const int8_t *restrict a, const int8_t *restrict w, size_t kp) {
    int32_t sum = 0;
    for (size_t p = 0; p < kp; p++) sum += (int32_t)a[p] * (int32_t)w[p];
    return sum;
}

Q8_ALWAYS_INLINE void q8_block(int mr, int nr, size_t kp, const int8_t *restrict a, size_t lda,
                               const int8_t *restrict w, size_t ldw, int32_t s[MR][NR]) {
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) s[i][j] = q8_dot(a + i * lda, w + j * ldw, kp);
}

#endif

/* ---- scaling: shared by every path, so the float results agree bit for bit ---- */

/* c[j] = (accumulate ? c[j] : 0) + (sa * sw[j]) * (float)s[j], j < nr. The SSE form does the
** same three roundings per element as the scalar one, four lanes at a time. */
Q8_ALWAYS_INLINE void q8_store(int nr, const int32_t *restrict s, float sa, const float *restrict sw,
                               float *restrict c, int accumulate) {
#if Q8_AVX2 || Q8_SSE2
    if (nr == 4) {
        __m128 r = _mm_mul_ps(_mm_mul_ps(_mm_set1_ps(sa), _mm_loadu_ps(sw)),
                              _mm_cvtepi32_ps(_mm_loadu_si128((const __m128i *)s)));
        _mm_storeu_ps(c, accumulate ? _mm_add_ps(_mm_loadu_ps(c), r) : r);
        return;
    }
#endif
    for (int j = 0; j < nr; j++) {
        float r = (sa * sw[j]) * (float)s[j];
        c[j] = accumulate ? c[j] + r : r;
    }
}

/* One MR x NR (or smaller, at the edges) block of C. The common shapes get their own inlined
** copy of q8_block with constant sizes, so its loops unroll and its sums live in registers. */
static void q8_tile(int mr, int nr, size_t kp, const int8_t *a, size_t lda, const float *sa,
                    const int8_t *w, size_t ldw, const float *sw, float *c, size_t ldc, int accumulate) {
    int32_t s[MR][NR];
    if (mr == 2 && nr == 4)
        q8_block(2, 4, kp, a, lda, w, ldw, s);
    else if (mr == 1 && nr == 4)
        q8_block(1, 4, kp, a, lda, w, ldw, s);
    else
        q8_block(mr, nr, kp, a, lda, w, ldw, s);
    for (int i = 0; i < mr; i++) q8_store(nr, s[i], sa[i], sw, c + i * ldc, accumulate);
}

/* Rows of W are taken a panel at a time, sized to stay in L1 (about 16 KB) while every row of
** A passes over it; A (m x kp bytes, 32 KB at 128 x 256) then streams from L2 once per panel. */
void charnn_q8_gemm_nt(size_t m, size_t n, size_t kp,
                       const int8_t *a, size_t lda, const float *sa,
                       const int8_t *w, size_t ldw, const float *sw,
                       float *c, size_t ldc, int accumulate) {
    size_t panel = kp > 0 ? (16384 / kp) / NR * NR : n;
    if (panel < NR) panel = NR;
    for (size_t j0 = 0; j0 < n; j0 += panel) {
        size_t j1 = j0 + panel < n ? j0 + panel : n;
        for (size_t i = 0; i < m; i += MR) {
            int mr = m - i < MR ? (int)(m - i) : MR;
            for (size_t j = j0; j < j1; j += NR) {
                int nr = j1 - j < NR ? (int)(j1 - j) : NR;
                q8_tile(mr, nr, kp, a + i * lda, lda, sa + i, w + j * ldw, ldw, sw + j,
                        c + i * ldc + j, ldc, accumulate);
            }
        }
    }
}

const char *charnn_q8_kernel_name(void) {
#if Q8_AVX2
    return "avx2";
#elif Q8_SSE2
    return "sse2";
#else
    return "portable";
#endif
}
