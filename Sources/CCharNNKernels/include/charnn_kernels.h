/*
** charnn_kernels.h: int8 kernels for quantized inference.
**
** A quantized matrix here is row-major int8 with one fp32 scale per row (symmetric, no zero
** point): row i stands for scale[i] * q[i][p]. Weights arrive that way from a checkpoint;
** activations are quantized per row just before each product with charnn_q8_quantize_rows.
**
** Every value lies in [-127, 127], never -128. That is what lets the AVX2 kernel multiply with
** vpmaddubsw (unsigned by signed bytes) on |a| and sign(a)*w without saturating its int16 sums:
** 2 * 127 * 127 = 32258 < 32767. A -128 in the data is not detected and gives wrong sums.
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
*/
#ifndef CHARNN_KERNELS_H
#define CHARNN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
** The padding unit of a quantized row, in bytes (= int8 elements): one AVX2 register.
*/
#define CHARNN_Q8_ALIGN 32

/*
** Returns k rounded up to a multiple of CHARNN_Q8_ALIGN (0 stays 0): the smallest leading
** dimension, and the depth to pass to charnn_q8_gemm_nt, for rows of k values.
*/
size_t charnn_q8_padded(size_t k);

/*
** Quantizes rows x[i*ldx + p] (i < rows, p < k) symmetrically, one scale per row:
**
**     scales[i] = max_p |x[i][p]| / 127
**     q[i*ldq + p] = nearbyint(x[i][p] / scales[i]) clamped to [-127, 127]
**
** rounding to nearest, ties to even (the default rounding mode). A row of zeros gets scale 0
** and zeros. q[i*ldq + p] for k <= p < charnn_q8_padded(k) is set to 0, so ldq must be at
** least charnn_q8_padded(k). Inputs must be finite (NaN or infinity give unspecified bytes).
*/
void charnn_q8_quantize_rows(const float *x, size_t ldx, size_t rows, size_t k,
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
** 133,144); its conversion to float is exact up to kpadded = 1,040 and rounds beyond that (the
** same way in both builds). With accumulate == 0, C is only written (it may hold garbage).
** m, n or kpadded 0 is allowed (kpadded 0 writes zeros, or leaves C when accumulating).
**
** The AVX2 build computes blocks of 2 rows of A by 4 rows of W in registers: each 32-byte
** load of A serves 4 rows of W and each load of W 2 rows of A. W is read in place (row-major,
** as stored in checkpoints): packing it was not needed for these sizes (W of 1024 x 256 bytes
** stays in L2).
*/
void charnn_q8_gemm_nt(size_t m, size_t n, size_t kpadded,
                       const int8_t *a, size_t lda, const float *sa,
                       const int8_t *w, size_t ldw, const float *sw,
                       float *c, size_t ldc, int accumulate);

/*
** Which code path this build of charnn_q8_gemm_nt runs: "avx2" (compiled with __AVX2__),
** "sse2" (x86-64 baseline) or "portable" (plain C). For logs and benchmarks.
*/
const char *charnn_q8_kernel_name(void);

#ifdef __cplusplus
}
#endif

#endif /* CHARNN_KERNELS_H */
