/*
** charnn_kernels.h: int8 kernels for quantized inference.
**
** A quantized matrix here is row-major int8 with one fp32 scale per row (symmetric, no zero
** point): row i stands for scale[i] * q[i][p]. Weights arrive that way from a checkpoint;
** activations are quantized per row just before each product with charnn_q8_quantize_rows.
**
** Every value lies in [-127, 127], never -128: the quantization is symmetric, and kernels built
** on vpmaddubsw (unsigned by signed bytes, on |a| and sign(a)*w: ggml's trick for AVX2 without
** VNNI) rely on it so their int16 pair sums cannot saturate (2 * 127 * 127 = 32258 < 32767).
** Today's kernel multiplies in int16 and would be exact for -128 too, but callers must not count
** on it: quantize with charnn_q8_quantize_rows, or clamp to [-127, 127].
**
** Rows are padded with zero bytes to a multiple of CHARNN_Q8_ALIGN, so the kernels run whole
** 32-byte vectors with no tail code; the zeros add nothing to the sums. Buffers need no
** particular memory alignment (the kernels use unaligned loads).
**
** The library is built twice (CHARNN_CPU in Package.swift): an AVX2 build and a portable one
** (SSE2 on x86-64, plain C elsewhere). Both give bit-identical results: the integer sums are
** exact, and the float scaling is done by the same operations in the same order.
**
** Thread safety: the functions keep no state; concurrent calls on disjoint outputs are safe.
**
** These are not part of libcharnn.so's C ABI (include/charnn.h): they are declared hidden, so
** the library's version script, which exports charnn_*, leaves them out, and each program or
** library that links the target gets its own copy.
*/
#ifndef CHARNN_KERNELS_H
#define CHARNN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define CHARNN_KERNELS_HIDDEN __attribute__((visibility("hidden")))
#else
#define CHARNN_KERNELS_HIDDEN
#endif

/*
** The padding unit of a quantized row, in bytes (= int8 elements): one AVX2 register.
*/
#define CHARNN_Q8_ALIGN 32

/*
** Returns k rounded up to a multiple of CHARNN_Q8_ALIGN (0 stays 0): the smallest leading
** dimension, and the depth to pass to charnn_q8_gemm_nt, for rows of k values.
*/
CHARNN_KERNELS_HIDDEN size_t charnn_q8_padded(size_t k);

/*
** Quantizes rows x[i*ldx + p] (i < rows, p < k) symmetrically, one scale per row:
**
**     scales[i] = max_p |x[i][p]| / 127
**     q[i*ldq + p] = nearbyint(x[i][p] / scales[i]) clamped to [-127, 127]
**
** rounding to nearest, ties to even (in the default rounding mode). A row of zeros gets scale 0
** and zeros. q[i*ldq + p] for k <= p < charnn_q8_padded(k) is set to 0, so ldq must be at
** least charnn_q8_padded(k). Inputs must be finite (NaN or infinity give unspecified bytes).
*/
CHARNN_KERNELS_HIDDEN void charnn_q8_quantize_rows(const float *x, size_t ldx, size_t rows, size_t k,
                                                   int8_t *q, size_t ldq, float *scales);

/*
** The product of a quantized A [m x kpadded] and the transpose of a quantized W
** [n x kpadded], rescaled to float, as a linear layer's forward x * W^T:
**
**     C[i*ldc + j] = (accumulate ? C[i*ldc + j] : 0) + (sa[i] * sw[j]) * (float)S(i, j)
**     S(i, j)      = sum over p < kpadded of a[i*lda + p] * w[j*ldw + p]   (exact, int32)
**
** for i < m, j < n. kpadded must be a multiple of CHARNN_Q8_ALIGN (charnn_q8_padded) and the
** pads zero; lda, ldw >= kpadded. S is exact while kpadded * 127 * 127 < 2^31 (kpadded up to
** 133,120); its conversion to float is exact up to kpadded = 1,024 (|S| < 2^24) and rounds beyond (the
** same way in both builds). With accumulate == 0, C is only written (it may hold garbage).
** m, n or kpadded 0 is allowed (kpadded 0 writes zeros, or leaves C when accumulating).
**
** How: A is widened to int16 four rows at a time (into an 8 KB stack buffer, 1,024 values of k
** per pass) and W sixteen bytes at a time as it is read; vpmaddwd multiplies and adds pairs into
** int32, in blocks of 4 rows of A by 2 rows of W (one row of A by 8 rows of W when m is 1). On
** Zen 3 this beats ggml's vpsignb + vpmaddubsw trick, whose vpsignb competes with the multiplies
** for the same two pipes. W is read in place, row-major as checkpoints store it: no packed
** layout is needed (a 64-row panel of W stays in L1 while every row of A passes it).
** Uses about 9 KB of stack.
*/
CHARNN_KERNELS_HIDDEN void charnn_q8_gemm_nt(size_t m, size_t n, size_t kpadded,
                                             const int8_t *a, size_t lda, const float *sa,
                                             const int8_t *w, size_t ldw, const float *sw,
                                             float *c, size_t ldc, int accumulate);

/*
** Which code path this build of charnn_q8_gemm_nt runs: "avx2" (compiled with __AVX2__, as
** CHARNN_CPU=x86-64-v3 builds are), "sse2" (the x86-64 baseline) or "portable" (plain C, as on
** arm64). For logs and benchmarks; the results are the same whichever it is.
*/
CHARNN_KERNELS_HIDDEN const char *charnn_q8_kernel_name(void);

/*
** Packed weights: output columns in vector lanes.
**
** charnn_q8_gemm_packed computes the same C as charnn_q8_gemm_nt, bit for bit, from W packed
** once (at load time) by charnn_q8_pack: panels of CHARNN_Q8_PANEL output columns, each a run
** of ceil(k/2) 32-byte vectors; vector t of a panel holds, for its 8 columns c, the int16 pair
** W[c][2t], W[c][2t+1] (zeros past n and past k). One vpbroadcastd of an int16 pair of A and one
** vpmaddwd then give 8 columns' partial sums in 8 lanes, so the int32 sums never need a
** horizontal add, and W is widened once at packing instead of once per 4 rows of A.
** The packed form takes 2 bytes per weight (twice the int8 rows).
*/
#define CHARNN_Q8_PANEL 8

/*
** Bytes of W [n x k] packed by charnn_q8_pack: ceil(n / CHARNN_Q8_PANEL) panels of ceil(k / 2)
** vectors of 32 bytes (n rounded up to CHARNN_Q8_PANEL columns, k to an even count). 0 if n or
** k is 0.
*/
CHARNN_KERNELS_HIDDEN size_t charnn_q8_packed_size(size_t n, size_t k);

/*
** Packs int8 W (row j, the weights of output column j, at w + j*ldw: k values, ldw >= k; no pads
** needed) into `packed`, charnn_q8_packed_size(n, k) bytes, 32-byte aligned (the kernel uses
** aligned loads). Panel P (columns 8P..8P+7) starts at byte P * ceil(k/2) * 32.
*/
CHARNN_KERNELS_HIDDEN void charnn_q8_pack(const int8_t *w, size_t ldw, size_t n, size_t k, void *packed);

/*
** The product of a quantized A [m x k] and the transpose of columns j0 .. j0+count-1 of a packed
** W [n x k], rescaled to float:
**
**     C[i*ldc + j] = (accumulate ? C[i*ldc + j] : 0) + (sa[i] * sw[j]) * (float)S(i, j0 + j)
**     S(i, col)    = sum over p < k of a[i*lda + p] * W[col][p]   (exact, int32)
**
** for i < m, j < count. c and sw are relative to j0: c points at column j0 of C's first row and
** sw[j] is the scale of W's column j0 + j (as a caller of charnn_q8_gemm_nt would pass
** sw + j0 and c + j0 for the same columns). j0 must be a multiple of CHARNN_Q8_PANEL and
** j0 + count <= n; n and k are those given to charnn_q8_pack. `a` holds int8 values in
** [-127, 127] (charnn_q8_quantize_rows), lda >= k; no pads are read. The result equals
** charnn_q8_gemm_nt's bit for bit (same exactness limits on k), in every build; columns past
** count and rows past m are not written. m, count or k 0 is allowed.
**
** How (AVX2): rows of A are widened to int16 once per call (a 32 KB stack buffer; a heap one when
** m * k is larger, or chunks of rows if that allocation fails); blocks of 4 rows by 3 panels
** (12 accumulators of 8 int32), each 3-panel block of W (12 KB at k = 256, in L1) sweeping all
** the rows; a single row (m = 1) runs 1 x 6 panels, every W vector a vpmaddwd memory operand.
** Other builds: plain C, reading A and the packed W in place.
*/
CHARNN_KERNELS_HIDDEN void charnn_q8_gemm_packed(size_t m, const int8_t *a, size_t lda, const float *sa,
                                                 const void *packed, size_t n, size_t k, size_t j0,
                                                 size_t count, const float *sw, float *c, size_t ldc,
                                                 int accumulate);

#ifdef __cplusplus
}
#endif

#endif /* CHARNN_KERNELS_H */
