#if arch(x86_64) && CHARNN_X86_64_V3
    import _Builtin_intrinsics.intel
#endif

// CHARNN_X86_64_V3 (Package.swift, CHARNN_CPU=x86-64-v3): 256-bit AVX intrinsics. Otherwise plain
// SIMD8 code the compiler lowers to the baseline's vectors (SSE2 on x86-64, NEON on arm64), with
// the same results but for the last bits of rsqrt and reciprocal: min and max keep the
// intrinsics' answer for NaN, exp2 builds the same bits.

/// Lane-wise functions the standard library's SIMD types do not lower to single instructions
/// (its `squareRoot()` goes lane by lane through `sqrtf`), and the exponential family the
/// recurrent cells spend their time in, eight lanes at a time.
enum SIMDMath {
    typealias V = SIMD8<Float>

    /// e^x to about 2 ulp (Cephes' polynomial on x − n·ln 2 with n = round(x / ln 2), then the
    /// exponent bits), for x clamped to ±88 (so 2^n stays a normal Float: e^88 ≈ 1.65e38).
    @inline(__always)
    static func exp(_ x: V) -> V {
        #if arch(x86_64) && CHARNN_X86_64_V3
            return expAVX(x)
        #else
            return expLanes(x)
        #endif
    }

    @inline(__always)
    private static func expLanes(_ x: V) -> V {
        let clamped = max(min(x, V(repeating: 88)), V(repeating: -88))
        // Round to nearest with the 1.5·2^23 trick: adding it pushes the fraction out of the mantissa.
        let magic = V(repeating: 12_582_912)
        let n = (clamped * 1.442_695_040_888_963_4 + magic) - magic
        let r = clamped - n * 0.693_359_375 - n * -2.121_944_4e-4
        var p = V(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * (r * r) + r + 1
        return p * exp2(integer: n)
    }

    #if arch(x86_64) && CHARNN_X86_64_V3
        /// `expLanes` spelled in AVX instructions, the same operations in the same order (no fused
        /// multiply-adds), so the same bits: written as SIMD8 arithmetic, the compiler split the
        /// polynomial into 128-bit and scalar pieces, and the GRU's cells spent a quarter of a
        /// forward pass there.
        @inline(__always)
        private static func expAVX(_ x: V) -> V {
            @inline(__always) func c(_ v: Float) -> V { _mm256_set1_ps(v) }
            @inline(__always) func step(_ p: V, _ r: V, _ k: Float) -> V { _mm256_add_ps(_mm256_mul_ps(p, r), c(k)) }
            let clamped = _mm256_max_ps(_mm256_min_ps(x, c(88)), c(-88))
            let magic = c(12_582_912)
            let n = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(clamped, c(1.442_695_040_888_963_4)), magic), magic)
            let r = _mm256_sub_ps(
                _mm256_sub_ps(clamped, _mm256_mul_ps(n, c(0.693_359_375))), _mm256_mul_ps(n, c(-2.121_944_4e-4)))
            var p = c(1.987_569_150_0e-4)
            p = step(p, r, 1.398_199_950_7e-3)
            p = step(p, r, 8.333_451_907_3e-3)
            p = step(p, r, 4.166_579_589_4e-2)
            p = step(p, r, 1.666_666_545_9e-1)
            p = step(p, r, 5.000_000_120_1e-1)
            p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(p, _mm256_mul_ps(r, r)), r), c(1))
            return _mm256_mul_ps(p, exp2(integer: n))
        }

        /// −x (the sign bit flipped, as Swift's prefix minus does).
        @inline(__always)
        private static func negated(_ x: V) -> V { _mm256_xor_ps(x, _mm256_set1_ps(-0.0)) }
    #endif

    /// 2^n for integral n in −127 ... 128 (n = −127 gives 0, as e^-88.37 underflows anyway).
    @inline(__always)
    private static func exp2(integer n: V) -> V {
        #if arch(x86_64) && CHARNN_X86_64_V3
            let bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23)
            return _mm256_castsi256_ps(bits)
        #else
            // n + 127 + 2^23 is an integer in [2^23, 2^24): its low 8 bits are n + 127, the exponent.
            let biased = unsafeBitCast(n + 8_388_735, to: SIMD8<UInt32>.self) & 0xFF
            return unsafeBitCast(biased &<< 23, to: V.self)
        #endif
    }

    /// 1 / (1 + e^-x).
    @inline(__always)
    static func sigmoid(_ x: V) -> V {
        #if arch(x86_64) && CHARNN_X86_64_V3
            let one = _mm256_set1_ps(1)
            return _mm256_div_ps(one, _mm256_add_ps(one, expAVX(negated(x))))
        #else
            return 1 / (1 + exp(-x))
        #endif
    }

    /// tanh x = 2σ(2x) − 1 (absolute error about 1e-7).
    @inline(__always)
    static func tanh(_ x: V) -> V {
        #if arch(x86_64) && CHARNN_X86_64_V3
            let (one, two) = (_mm256_set1_ps(1), _mm256_set1_ps(2))
            let e = expAVX(_mm256_mul_ps(_mm256_set1_ps(-2), x))
            return _mm256_sub_ps(_mm256_div_ps(two, _mm256_add_ps(one, e)), one)
        #else
            return 2 / (1 + exp(-2 * x)) - 1
        #endif
    }

    @inline(__always)
    static func min(_ a: V, _ b: V) -> V {
        #if arch(x86_64) && CHARNN_X86_64_V3
            return _mm256_min_ps(a, b)
        #else
            return b.replacing(with: a, where: a .< b)  // minps: a < b ? a : b (b when either is NaN)
        #endif
    }

    /// Lane-wise maximum (the standard library's `pointwiseMax` is not inlined).
    @inline(__always)
    static func max(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && CHARNN_X86_64_V3
            return _mm256_max_ps(a, b)
        #else
            return b.replacing(with: a, where: a .> b)  // maxps: a > b ? a : b (b when either is NaN)
        #endif
    }

    /// 1/√x to about 23 bits: the hardware estimate refined by one Newton step (x > 0).
    @inline(__always)
    static func rsqrt(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && CHARNN_X86_64_V3
            let r = _mm256_rsqrt_ps(x)
            return r * (1.5 - 0.5 * x * r * r)
        #else
            return 1 / sqrt(x)
        #endif
    }

    /// 1/x to about 23 bits: the hardware estimate refined by one Newton step.
    @inline(__always)
    static func reciprocal(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && CHARNN_X86_64_V3
            let r = _mm256_rcp_ps(x)
            return r * (2 - x * r)
        #else
            return 1 / x
        #endif
    }

    @inline(__always)
    static func sqrt(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && CHARNN_X86_64_V3
            return _mm256_sqrt_ps(x)
        #else
            var r = x
            for i in 0..<8 { r[i] = x[i].squareRoot() }
            return r
        #endif
    }
}
