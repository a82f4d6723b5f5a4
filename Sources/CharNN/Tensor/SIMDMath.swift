#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Lane-wise functions the standard library's SIMD types do not lower to single instructions
/// (its `squareRoot()` goes lane by lane through `sqrtf`).
enum SIMDMath {
    @inline(__always)
    static func sqrt(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
        return _mm256_sqrt_ps(x)
        #else
        var r = x
        for i in 0..<8 { r[i] = x[i].squareRoot() }
        return r
        #endif
    }
}
