/// The fp32 kernels, reachable from the package's own benchmarks (bench/swift times the int8
/// kernels of CCharNNKernels against `Kernels.gemmNT`): `Kernels` is internal, and `package`
/// keeps this out of the public API.
package enum BenchmarkKernels {
    /// `Kernels.gemmNT`: C[m×n] = (accumulate ? C : 0) + A[m×k] · B[n×k]ᵀ.
    package static func gemmNT(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        Kernels.gemmNT(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
    }
}
