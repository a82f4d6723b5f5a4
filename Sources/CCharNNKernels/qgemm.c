/*
** qgemm.c: the int8 kernels of charnn_kernels.h. One file, three code paths chosen at compile
** time: AVX2 (__AVX2__, the x86-64-v3 build), SSE2 (any other x86-64 build) and plain C.
** The integer sums are exact in all three and the float code after them is shared, so the
** builds agree bit for bit.
*/
#include "charnn_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* CHARNN_Q8_PLAIN_C forces the plain C path on x86 too: the C test builds it that way, so the
** path arm64 runs is checked on x86-64 hosts as well. */
#if defined(CHARNN_Q8_PLAIN_C)
#elif defined(__AVX2__)
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

size_t charnn_q8_padded(size_t k) {
    return (k + CHARNN_Q8_ALIGN - 1) / CHARNN_Q8_ALIGN * CHARNN_Q8_ALIGN;
}

/* ---- quantization: plain C in every build. Each step (max, division, the rounding adds, the
** conversion) is one exactly rounded IEEE operation, so however a compiler vectorises it the
** bytes are the same. ---- */

/* max |x[p]|, in eight lanes so compilers vectorise it (max is exact: any order gives the same
** result for finite inputs). */
static float q8_row_absmax(const float *restrict x, size_t k) {
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t p = 0;
    for (; p + 8 <= k; p += 8)
        for (int l = 0; l < 8; l++) {
            float v = fabsf(x[p + l]);
            lane[l] = v > lane[l] ? v : lane[l];
        }
    for (; p < k; p++) {
        float v = fabsf(x[p]);
        lane[0] = v > lane[0] ? v : lane[0];
    }
    float m = lane[0];
    for (int l = 1; l < 8; l++) m = lane[l] > m ? lane[l] : m;
    return m;
}

/* Adding and subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer,
** to nearest with ties to even (in the default rounding mode): nearbyintf, but in two adds that
** SSE2 can vectorise (it has no rounding instruction; nearbyintf there is a call per value). */
static const float q8_round_magic = 12582912.0f;

static void q8_quantize_row(const float *restrict x, size_t k, float s, int8_t *restrict q) {
    for (size_t p = 0; p < k; p++) {
        float r = (x[p] / s + q8_round_magic) - q8_round_magic;
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

/* ---- the product ----
**
** All paths share one driver. C is computed NC columns at a time: the int32 sums of an MR-row
** strip go to a small buffer, and only then are scaled into C (four lanes at a time), so the
** float code is the same for every path. Along k the rows of A are widened to int16 into a
** buffer, KC values at a time (MR x KC x 2 bytes = 8 KB, in L1), once per NC columns:
** vpmaddwd/pmaddwd then take A straight from memory and only W is widened in the inner loop.
**
** Why int16 multiplies rather than ggml's vpsignb + vpmaddubsw trick (which this file first
** used): per 32 multiply-adds the trick needs vpsignb, vpmaddubsw and vpmaddwd (by ones), and on
** this Zen 3 the three compete for the same two pipes (each runs 2 per cycle alone, but a 2 x 4
** block of the trick ran at 53 GMAC/s in registers against 80 for plain vpmaddwd + vpaddd); here
** the widening vpmovsxbw runs on the shuffle pipes instead. The whole kernel went from 99 to 115
** GFLOP/s at 128 x 768 x 256. Intel cores from Haswell on also run vpsignb on the multiply ports
** (p0/p1) and vpmovsxbw on p5. */

#define MR 4      /* rows of A per strip */
#define NC 64     /* columns of C per chunk (the int32 buffer: MR x NC) */
#define KC 1024   /* depth per chunk of widened A (a multiple of CHARNN_Q8_ALIGN) */

/* a16[i*KC + p] = a[i*lda + p] as int16, i < mr, p < kc. Plain C: compilers vectorise it. */
static void q8_widen_rows(int mr, size_t kc, const int8_t *restrict a, size_t lda, int16_t *restrict a16) {
    for (int i = 0; i < mr; i++)
        for (size_t p = 0; p < kc; p++) a16[i * KC + p] = a[i * lda + p];
}

#if Q8_AVX2

/* acc + the pairwise products of a and w summed into int32 lanes: vpmaddwd then vpaddd, or
** AVX-VNNI's vpdpwssd, which fuses the two (compiled in with -mavxvnni, e.g. -march=alderlake;
** not in x86-64-v3, so the builds shipped today never take it, and it is untested here). */
Q8_ALWAYS_INLINE __m256i q8_madd_acc(__m256i acc, __m256i a, __m256i w) {
#if defined(__AVXVNNI__)
    return _mm256_dpwssd_avx_epi32(acc, a, w);
#else
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a, w));
#endif
}

/* s[i*NC + j] += the eight lanes of acc[i][j] summed, for the full 4 x 2 block: the pairs of
** columns are summed together by vphaddd (three per two rows) and added to s as 64-bit pairs. */
Q8_ALWAYS_INLINE void q8_add_sums_2cols(__m256i acc[MR][2], int32_t *restrict s) {
    for (int i = 0; i < MR; i += 2) {
        __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(acc[i][0], acc[i][1]),
                                      _mm256_hadd_epi32(acc[i + 1][0], acc[i + 1][1]));
        /* lanes: row i cols 0,1, row i+1 cols 0,1 (low half + high half) */
        __m128i v = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        __m128i old = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(s + i * NC)),
                                         _mm_loadl_epi64((const __m128i *)(s + (i + 1) * NC)));
        v = _mm_add_epi32(v, old);
        _mm_storel_epi64((__m128i *)(s + i * NC), v);
        _mm_storel_epi64((__m128i *)(s + (i + 1) * NC), _mm_unpackhi_epi64(v, v));
    }
}

Q8_ALWAYS_INLINE int32_t q8_hsum(__m256i v) {
    __m128i x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0x4E));
    x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0xB1));
    return _mm_cvtsi128_si32(x);
}

/* Rows of A (int16, from the buffer) by 2 rows of W (int8, widened here: one vpmovsxbw per 16
** bytes serves all mr rows). 8 sums in registers; per 16 values of k: 2 widenings, 8 vpmaddwd
** and 8 vpaddd. (4 x 2 measured faster than 4 x 3, 3 x 4, 2 x 4 and 6 x 2 at 128 x 768 x 256.) */
Q8_ALWAYS_INLINE void q8_block_rows(int mr, int nr, size_t kc, const int16_t *restrict a16,
                                    const int8_t *restrict w, size_t ldw, int32_t *restrict s) {
    __m256i acc[MR][2];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
    for (size_t p = 0; p < kc; p += 16) {
        for (int j = 0; j < nr; j++) {
            __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + j * ldw + p)));
            for (int i = 0; i < mr; i++) {
                __m256i av = _mm256_load_si256((const __m256i *)(a16 + i * KC + p));
                acc[i][j] = q8_madd_acc(acc[i][j], av, wv);
            }
        }
    }
    if (mr == MR && nr == 2) {
        q8_add_sums_2cols(acc, s);
        return;
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) s[i * NC + j] += q8_hsum(acc[i][j]);
}

/* One row of A by up to 8 rows of W (m = 1, or a last strip of one row):
** eight independent sums keep the multiply pipes busy where a 1 x 2 block would wait on
** latency. */
Q8_ALWAYS_INLINE void q8_block_row(int nr, size_t kc, const int16_t *restrict a16, const int8_t *restrict w,
                                   size_t ldw, int32_t *restrict s) {
    __m256i acc[8];
    for (int j = 0; j < 8; j++) acc[j] = _mm256_setzero_si256();
    for (size_t p = 0; p < kc; p += 16) {
        __m256i av = _mm256_load_si256((const __m256i *)(a16 + p));
        for (int j = 0; j < nr; j++) {
            __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + j * ldw + p)));
            acc[j] = q8_madd_acc(acc[j], av, wv);
        }
    }
    if (nr == 8) {
        __m256i h0 = _mm256_hadd_epi32(_mm256_hadd_epi32(acc[0], acc[1]), _mm256_hadd_epi32(acc[2], acc[3]));
        __m256i h1 = _mm256_hadd_epi32(_mm256_hadd_epi32(acc[4], acc[5]), _mm256_hadd_epi32(acc[6], acc[7]));
        __m256i v = _mm256_add_epi32(_mm256_permute2x128_si256(h0, h1, 0x20), _mm256_permute2x128_si256(h0, h1, 0x31));
        _mm256_storeu_si256((__m256i *)s, _mm256_add_epi32(v, _mm256_loadu_si256((const __m256i *)s)));
        return;
    }
    for (int j = 0; j < nr; j++) s[j] += q8_hsum(acc[j]);
}

#elif Q8_SSE2

/* The x86-64 baseline: W sign-extended to int16 by unpacking with its sign mask, 8 bytes at a
** time; pmaddwd multiplies and adds pairs into int32. */
Q8_ALWAYS_INLINE __m128i q8_widen8(const int8_t *p) {
    __m128i v = _mm_loadl_epi64((const __m128i *)p);
    return _mm_unpacklo_epi8(v, _mm_cmplt_epi8(v, _mm_setzero_si128()));
}

Q8_ALWAYS_INLINE int32_t q8_hsum(__m128i v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4E));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xB1));
    return _mm_cvtsi128_si32(v);
}

Q8_ALWAYS_INLINE void q8_block_rows(int mr, int nr, size_t kc, const int16_t *restrict a16,
                                    const int8_t *restrict w, size_t ldw, int32_t *restrict s) {
    __m128i acc[MR][2];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm_setzero_si128();
    for (size_t p = 0; p < kc; p += 8)
        for (int j = 0; j < nr; j++) {
            __m128i wv = q8_widen8(w + j * ldw + p);
            for (int i = 0; i < mr; i++)
                acc[i][j] = _mm_add_epi32(acc[i][j],
                                          _mm_madd_epi16(_mm_load_si128((const __m128i *)(a16 + i * KC + p)), wv));
        }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) s[i * NC + j] += q8_hsum(acc[i][j]);
}

Q8_ALWAYS_INLINE void q8_block_row(int nr, size_t kc, const int16_t *restrict a16, const int8_t *restrict w,
                                   size_t ldw, int32_t *restrict s) {
    __m128i acc[8];
    for (int j = 0; j < 8; j++) acc[j] = _mm_setzero_si128();
    for (size_t p = 0; p < kc; p += 8) {
        __m128i av = _mm_load_si128((const __m128i *)(a16 + p));
        for (int j = 0; j < nr; j++) acc[j] = _mm_add_epi32(acc[j], _mm_madd_epi16(av, q8_widen8(w + j * ldw + p)));
    }
    for (int j = 0; j < nr; j++) s[j] += q8_hsum(acc[j]);
}

#else

/* Plain C: int16 by int8 products summed in int32, loops compilers vectorise. */
Q8_ALWAYS_INLINE int32_t q8_dot(const int16_t *restrict a16, const int8_t *restrict w, size_t kc) {
    int32_t sum = 0;
    for (size_t p = 0; p < kc; p++) sum += (int32_t)a16[p] * (int32_t)w[p];
    return sum;
}

Q8_ALWAYS_INLINE void q8_block_rows(int mr, int nr, size_t kc, const int16_t *restrict a16,
                                    const int8_t *restrict w, size_t ldw, int32_t *restrict s) {
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) s[i * NC + j] += q8_dot(a16 + i * KC, w + j * ldw, kc);
}

Q8_ALWAYS_INLINE void q8_block_row(int nr, size_t kc, const int16_t *restrict a16, const int8_t *restrict w,
                                   size_t ldw, int32_t *restrict s) {
    for (int j = 0; j < nr; j++) s[j] += q8_dot(a16, w + j * ldw, kc);
}

#endif

/* ---- scaling: shared by every path, so the float results agree bit for bit ---- */

/* c[j] = (accumulate ? c[j] : 0) + (sa * sw[j]) * (float)s[j], j < nc. The SSE form does the
** same three roundings per element as the scalar one, four lanes at a time. */
static void q8_scale_row(size_t nc, const int32_t *restrict s, float sa, const float *restrict sw,
                         float *restrict c, int accumulate) {
    size_t j = 0;
#if Q8_AVX2 || Q8_SSE2
    __m128 va = _mm_set1_ps(sa);
    for (; j + 4 <= nc; j += 4) {
        __m128 r = _mm_mul_ps(_mm_mul_ps(va, _mm_loadu_ps(sw + j)),
                              _mm_cvtepi32_ps(_mm_loadu_si128((const __m128i *)(s + j))));
        _mm_storeu_ps(c + j, accumulate ? _mm_add_ps(_mm_loadu_ps(c + j), r) : r);
    }
#endif
    for (; j < nc; j++) {
        float r = (sa * sw[j]) * (float)s[j];
        c[j] = accumulate ? c[j] + r : r;
    }
}

/* The sums of rows of A (mr of them, widened in a16) with rows w[0..nc) of W over kc values,
** added to s. The common shapes get their own inlined copies with constant sizes, so the
** blocks' loops unroll and their sums live in registers. */
static void q8_strip(int mr, size_t nc, size_t kc, const int16_t *a16, const int8_t *w, size_t ldw,
                     int32_t *s) {
    if (mr == 1) {
        size_t j = 0;
        for (; j + 8 <= nc; j += 8) q8_block_row(8, kc, a16, w + j * ldw, ldw, s + j);
        if (j < nc) q8_block_row((int)(nc - j), kc, a16, w + j * ldw, ldw, s + j);
        return;
    }
    size_t j = 0;
    for (; j + 2 <= nc; j += 2) {
        const int8_t *wj = w + j * ldw;
        if (mr == MR)
            q8_block_rows(MR, 2, kc, a16, wj, ldw, s + j);
        else if (mr == 3)
            q8_block_rows(3, 2, kc, a16, wj, ldw, s + j);
        else if (mr == 2)
            q8_block_rows(2, 2, kc, a16, wj, ldw, s + j);
        else
            q8_block_rows(mr, 2, kc, a16, wj, ldw, s + j);
    }
    if (j < nc) q8_block_rows(mr, 1, kc, a16, w + j * ldw, ldw, s + j);
}

void charnn_q8_gemm_nt(size_t m, size_t n, size_t kp,
                       const int8_t *a, size_t lda, const float *sa,
                       const int8_t *w, size_t ldw, const float *sw,
                       float *c, size_t ldc, int accumulate) {
    /* 32-byte aligned for vmovdqa / movdqa; 8 KB and 1 KB of stack. */
    _Alignas(32) int16_t a16[MR * KC];
    _Alignas(32) int32_t s[MR * NC];
    for (size_t j0 = 0; j0 < n; j0 += NC) {
        size_t nc = n - j0 < NC ? n - j0 : NC;
        for (size_t i = 0; i < m; i += MR) {
            int mr = m - i < MR ? (int)(m - i) : MR;
            memset(s, 0, sizeof s);
            for (size_t p = 0; p < kp; p += KC) {
                size_t kc = kp - p < KC ? kp - p : KC;
                q8_widen_rows(mr, kc, a + i * lda + p, lda, a16);
                q8_strip(mr, nc, kc, a16, w + j0 * ldw + p, ldw, s);
            }
            for (int r = 0; r < mr; r++)
                q8_scale_row(nc, s + r * NC, sa[i + r], sw + j0, c + (i + r) * ldc + j0, accumulate);
        }
    }
}

/* ---- packed weights (charnn_q8_pack, charnn_q8_gemm_packed) ----
**
** A panel is 8 output columns; vector t of it is 16 int16: the pair W[c][2t], W[c][2t+1] for
** columns c = 0..7. A broadcast int32 holding A's pair a[2t], a[2t+1] times that vector with
** vpmaddwd gives lane c += a[2t] W[c][2t] + a[2t+1] W[c][2t+1]: 8 columns' sums in 8 lanes. */

#define Q8P CHARNN_Q8_PANEL

static size_t q8p_pairs(size_t k) { return (k + 1) / 2; }

size_t charnn_q8_packed_size(size_t n, size_t k) {
    return (n + Q8P - 1) / Q8P * q8p_pairs(k) * Q8P * 2 * sizeof(int16_t);
}

void charnn_q8_pack(const int8_t *w, size_t ldw, size_t n, size_t k, void *packed) {
    size_t kh = q8p_pairs(k), panels = (n + Q8P - 1) / Q8P;
    int16_t *out = packed;
    for (size_t pn = 0; pn < panels; pn++)
        for (size_t t = 0; t < kh; t++, out += 2 * Q8P)
            for (size_t c = 0; c < Q8P; c++) {
                size_t j = pn * Q8P + c, p = 2 * t;
                out[2 * c] = j < n ? w[j * ldw + p] : 0;
                out[2 * c + 1] = j < n && p + 1 < k ? w[j * ldw + p + 1] : 0;
            }
}

/* c[j] = (accumulate ? c[j] : 0) + (sa * sw[j]) * (float)s[j], j < nc <= 8: q8_scale_row's
** operations (the same roundings as charnn_q8_gemm_nt). */
static void q8p_scale(size_t nc, const int32_t *s, float sa, const float *sw, float *c, int accumulate) {
    for (size_t j = 0; j < nc; j++) {
        float r = (sa * sw[j]) * (float)s[j];
        c[j] = accumulate ? c[j] + r : r;
    }
}

/* Plain C: the sums of one row of A (int8, in place) with one panel. Exact in int32. */
static void q8p_sums_c(size_t k, const int8_t *restrict a, const int16_t *restrict panel, int32_t s[Q8P]) {
    int32_t acc[Q8P] = {0};
    size_t t = 0;
    for (; 2 * t + 1 < k; t++) {
        int32_t a0 = a[2 * t], a1 = a[2 * t + 1];
        const int16_t *v = panel + t * 2 * Q8P;
        for (int c = 0; c < Q8P; c++) acc[c] += a0 * v[2 * c] + a1 * v[2 * c + 1];
    }
    if (2 * t < k) { /* k odd: the last pair's second value is a pad */
        int32_t a0 = a[2 * t];
        const int16_t *v = panel + t * 2 * Q8P;
        for (int c = 0; c < Q8P; c++) acc[c] += a0 * v[2 * c];
    }
    for (int c = 0; c < Q8P; c++) s[c] = acc[c];
}

static void q8p_gemm_c(size_t m, const int8_t *a, size_t lda, const float *sa, const int16_t *w,
                       size_t k, size_t count, const float *sw, float *c, size_t ldc, int accumulate) {
    size_t pstride = q8p_pairs(k) * 2 * Q8P;
    for (size_t j = 0; j < count; j += Q8P) {
        size_t nc = count - j < Q8P ? count - j : Q8P;
        for (size_t i = 0; i < m; i++) {
            int32_t s[Q8P];
            q8p_sums_c(k, a + i * lda, w + j / Q8P * pstride, s);
            q8p_scale(nc, s, sa[i], sw + j, c + i * ldc + j, accumulate);
        }
    }
}

#if Q8_AVX2

/* Blocks of 4 rows by 3 panels: 12 sums, the W vector of the first panel (Q8P_NPR), the broadcast
** pair of A and a product take 15 of the 16 ymm registers; W of the other two panels is a memory
** operand of each vpmaddwd (loaded once per row: loads are cheap here, registers are not).
** Why: on this Zen 3 vpmaddwd and vpaddd share three pipes (a register-only asm loop of 12
** vpmaddwd + 12 vpaddd runs at ~1.5 vpmaddwd per cycle, ~140 GFLOP/s, against 2 per cycle and
** ~180 GFLOP/s for vpmaddwd alone), so the kernel is bound by vector ops, not by horizontal sums,
** and each vpbroadcastd or ymm load into a register costs a little more.
** Measured side by side in one program, 128 x 768 x 256 (GFLOP/s, medians, quiet machine): this
** 140, 4 x 3 with two panels in registers 134, 6 x 2 all in registers 139, charnn_q8_gemm_nt 113;
** with the other core busy all three ~107 against 78-82. 4 x 3 all in registers spills a sum
** (clang), 1.10x gemm_nt; 5 x 2, 3 x 3, 3 x 4, 2 x 6 were no better; also slower: A pre-broadcast
** to 32-byte vectors (no vpbroadcastd; rows outer, W streamed from L2) and unrolling the k loop. */
#ifndef Q8P_NPR
#define Q8P_NPR 1 /* panels of a block whose W is held in registers */
#endif
#define Q8P_MR 4 /* rows of A per block */
#define Q8P_NP 3 /* panels per block */
#define Q8P_STACK 16384 /* int16 values of widened A on the stack (32 KB) */

/* The sums of mr rows of widened A (a16, rows of k2 int16) with np panels (pstride int16
** apart) over kh pairs, scaled into C (columns nc of the np * 8, the rest not written). */
Q8_ALWAYS_INLINE void q8p_block(int mr, int np, size_t kh, const int16_t *restrict a16, size_t k2,
                                const int16_t *restrict w, size_t pstride, size_t nc, const float *sa,
                                const float *sw, float *c, size_t ldc, int accumulate) {
    __m256i acc[Q8P_MR][Q8P_NP];
    for (int i = 0; i < Q8P_MR; i++)
        for (int q = 0; q < Q8P_NP; q++) acc[i][q] = _mm256_setzero_si256();
    for (size_t t = 0; t < kh; t++) {
        __m256i wv[Q8P_NP];
        for (int q = 0; q < np && q < Q8P_NPR; q++)
            wv[q] = _mm256_load_si256((const __m256i *)(w + q * pstride + t * 16));
        for (int i = 0; i < mr; i++) {
            int32_t pair;
            memcpy(&pair, a16 + i * k2 + 2 * t, sizeof pair);
            __m256i av = _mm256_set1_epi32(pair);
            for (int q = 0; q < np; q++) {
                if (q < Q8P_NPR) {
                    acc[i][q] = q8_madd_acc(acc[i][q], av, wv[q]);
                } else {
#if defined(__AVXVNNI__)
                    acc[i][q] = q8_madd_acc(acc[i][q], av, _mm256_load_si256((const __m256i *)(w + q * pstride + t * 16)));
#else
                    /* vpmaddwd with W straight from memory, in asm: with the intrinsic, clang keeps the
                    ** load in a register (17 live: it spills) */
                    __m256i prod;
                    __asm__("vpmaddwd %1, %2, %0"
                            : "=x"(prod)
                            : "m"(*(const __m256i *)(w + q * pstride + t * 16)), "x"(av));
                    acc[i][q] = _mm256_add_epi32(acc[i][q], prod);
#endif
                }
            }
        }
    }
    for (int i = 0; i < mr; i++) {
        __m256 va = _mm256_set1_ps(sa[i]);
        float *ci = c + i * ldc;
        for (int q = 0; q < np; q++) {
            size_t j = (size_t)q * Q8P;
            if (j + Q8P <= nc) {
                __m256 r = _mm256_mul_ps(_mm256_mul_ps(va, _mm256_loadu_ps(sw + j)), _mm256_cvtepi32_ps(acc[i][q]));
                _mm256_storeu_ps(ci + j, accumulate ? _mm256_add_ps(_mm256_loadu_ps(ci + j), r) : r);
            } else if (j < nc) {
                int32_t s[Q8P];
                _mm256_storeu_si256((__m256i *)s, acc[i][q]);
                q8p_scale(nc - j, s, sa[i], sw + j, ci + j, accumulate);
            }
        }
    }
}

/* One row of A by up to Q8P_NP1 panels (m = 1: every W vector is used once, so all are memory
** operands and one broadcast serves all the panels). */
#define Q8P_NP1 6
Q8_ALWAYS_INLINE void q8p_row(int np, size_t kh, const int16_t *restrict a16, const int16_t *restrict w,
                              size_t pstride, size_t nc, float sa, const float *sw, float *c, int accumulate) {
    __m256i acc[Q8P_NP1];
    for (int q = 0; q < Q8P_NP1; q++) acc[q] = _mm256_setzero_si256();
    for (size_t t = 0; t < kh; t++) {
        int32_t pair;
        memcpy(&pair, a16 + 2 * t, sizeof pair);
        __m256i av = _mm256_set1_epi32(pair);
        for (int q = 0; q < np; q++) {
#if defined(__AVXVNNI__)
            acc[q] = q8_madd_acc(acc[q], av, _mm256_load_si256((const __m256i *)(w + q * pstride + t * 16)));
#else
            __m256i prod;
            __asm__("vpmaddwd %1, %2, %0" : "=x"(prod) : "m"(*(const __m256i *)(w + q * pstride + t * 16)), "x"(av));
            acc[q] = _mm256_add_epi32(acc[q], prod);
#endif
        }
    }
    __m256 va = _mm256_set1_ps(sa);
    for (int q = 0; q < np; q++) {
        size_t j = (size_t)q * Q8P;
        if (j + Q8P <= nc) {
            __m256 r = _mm256_mul_ps(_mm256_mul_ps(va, _mm256_loadu_ps(sw + j)), _mm256_cvtepi32_ps(acc[q]));
            _mm256_storeu_ps(c + j, accumulate ? _mm256_add_ps(_mm256_loadu_ps(c + j), r) : r);
        } else if (j < nc) {
            int32_t s[Q8P];
            _mm256_storeu_si256((__m256i *)s, acc[q]);
            q8p_scale(nc - j, s, sa, sw + j, c + j, accumulate);
        }
    }
}

static void q8p_row_any(int np, size_t kh, const int16_t *a16, const int16_t *w, size_t pstride, size_t nc,
                        float sa, const float *sw, float *c, int accumulate) {
    switch (np) {
    case 1: q8p_row(1, kh, a16, w, pstride, nc, sa, sw, c, accumulate); return;
    case 2: q8p_row(2, kh, a16, w, pstride, nc, sa, sw, c, accumulate); return;
    case 3: q8p_row(3, kh, a16, w, pstride, nc, sa, sw, c, accumulate); return;
    case 4: q8p_row(4, kh, a16, w, pstride, nc, sa, sw, c, accumulate); return;
    case 5: q8p_row(5, kh, a16, w, pstride, nc, sa, sw, c, accumulate); return;
    default: q8p_row(6, kh, a16, w, pstride, nc, sa, sw, c, accumulate); return;
    }
}

/* Constant-size copies of the block for every mr <= Q8P_MR, np <= Q8P_NP. */
static void q8p_block_any(int mr, int np, size_t kh, const int16_t *a16, size_t k2, const int16_t *w,
                          size_t pstride, size_t nc, const float *sa, const float *sw, float *c, size_t ldc,
                          int accumulate) {
#define Q8P_CASE(R, P) \
    case R * 8 + P: q8p_block(R, P, kh, a16, k2, w, pstride, nc, sa, sw, c, ldc, accumulate); return;
#define Q8P_ROW(R) Q8P_CASE(R, 1) Q8P_CASE(R, 2) Q8P_CASE(R, 3)
    switch (mr * 8 + np) {
        Q8P_ROW(1) Q8P_ROW(2) Q8P_ROW(3) Q8P_ROW(4)
    }
#undef Q8P_ROW
#undef Q8P_CASE
}

/* a16[r*k2 + p] = a[r*lda + p] as int16, zero for k <= p < k2. */
static void q8p_widen(size_t rows, size_t k, size_t k2, const int8_t *restrict a, size_t lda,
                      int16_t *restrict a16) {
    for (size_t r = 0; r < rows; r++) {
        for (size_t p = 0; p < k; p++) a16[r * k2 + p] = a[r * lda + p];
        if (k < k2) a16[r * k2 + k] = 0;
    }
}


#endif

void charnn_q8_gemm_packed(size_t m, const int8_t *a, size_t lda, const float *sa, const void *packed,
                           size_t n, size_t k, size_t j0, size_t count, const float *sw, float *c, size_t ldc,
                           int accumulate) {
    (void)n;
    size_t kh = q8p_pairs(k), pstride = kh * 2 * Q8P;
    const int16_t *w = (const int16_t *)packed + j0 / Q8P * pstride;
    if (m == 0 || count == 0) return;
#if Q8_AVX2
    size_t k2 = 2 * kh;
    _Alignas(32) int16_t stack[Q8P_STACK];
    int16_t *a16 = stack, *heap = NULL;
    size_t chunk = k2 ? Q8P_STACK / k2 : m;
    if (chunk < m) {
        heap = malloc(m * k2 * sizeof *heap);
        if (heap) a16 = heap, chunk = m;
    }
    if (chunk == 0) { /* one row does not fit on the stack and the heap refused */
        q8p_gemm_c(m, a, lda, sa, w, k, count, sw, c, ldc, accumulate);
        return;
    }
    size_t panels = (count + Q8P - 1) / Q8P;
    for (size_t i0 = 0; i0 < m; i0 += chunk) {
        size_t mc = m - i0 < chunk ? m - i0 : chunk;
        q8p_widen(mc, k, k2, a + i0 * lda, lda, a16);
        if (mc == 1) {
            for (size_t pb = 0; pb < panels; pb += Q8P_NP1) {
                int np = panels - pb < Q8P_NP1 ? (int)(panels - pb) : Q8P_NP1;
                size_t j = pb * Q8P, nc = count - j < (size_t)np * Q8P ? count - j : (size_t)np * Q8P;
                q8p_row_any(np, kh, a16, w + pb * pstride, pstride, nc, sa[i0], sw + j, c + i0 * ldc + j, accumulate);
            }
            continue;
        }
        for (size_t pb = 0; pb < panels; pb += Q8P_NP) {
            int np = panels - pb < Q8P_NP ? (int)(panels - pb) : Q8P_NP;
            size_t j = pb * Q8P, nc = count - j < (size_t)np * Q8P ? count - j : (size_t)np * Q8P;
            for (size_t i = 0; i < mc; i += Q8P_MR) {
                int mr = mc - i < Q8P_MR ? (int)(mc - i) : Q8P_MR;
                q8p_block_any(mr, np, kh, a16 + i * k2, k2, w + pb * pstride, pstride, nc, sa + i0 + i, sw + j,
                              c + (i0 + i) * ldc + j, ldc, accumulate);
            }
        }
    }
    free(heap);
#else
    q8p_gemm_c(m, a, lda, sa, w, k, count, sw, c, ldc, accumulate);
#endif
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
