// The kernels accumulate with addProduct / addingProduct: one fused multiply-add instruction per
// eight lanes where the CPU has one (x86-64-v3's FMA, arm64's NEON). The portable x86-64 baseline
// (SSE2) has none, and there a fused operation becomes a call to fmaf per lane. In that build
// these shadow the standard library's (a concrete type's method wins over the SIMD and
// FloatingPoint protocols'): a multiply, then an add, rounding twice, for the vector lanes and the
// scalar tails alike (so every path still gives each element the same bits within a build). The
// results differ from the fused ones in the last bits only, within the tolerances the tests use.
#if arch(x86_64) && !CHARNN_X86_64_V3
    extension SIMD8 where Scalar == Float {
        @_transparent
        mutating func addProduct(_ a: Self, _ b: Self) { self = self + a * b }

        @_transparent
        func addingProduct(_ a: Self, _ b: Self) -> Self { self + a * b }
    }

    extension Float {
        @_transparent
        mutating func addProduct(_ a: Float, _ b: Float) { self = self + a * b }
    }
#endif
