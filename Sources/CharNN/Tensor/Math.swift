import CharNNPlatform

/// Elementwise functions over buffers, shared by the autodiff ops and the fused layers.
enum Math {
    /// 1 / (1 + e^-x), without overflow for large |x|.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 {
            return 1 / (1 + expf(-x))
        }
        let e = expf(x)
        return e / (1 + e)
    }

    @inline(__always) static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func cos(_ x: Float) -> Float { cosf(x) }

    /// y = σ(x) over n elements (x and y may be the same buffer).
    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, y, n, SIMDMath.sigmoid)
    }

    /// y = tanh(x) over n elements.
    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, y, n, SIMDMath.tanh)
    }

    /// y = e^x over n elements.
    static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, y, n, SIMDMath.exp)
    }

    /// Eight lanes at a time, the tail through the same vector function (so every element gets
    /// the same arithmetic, whatever its position).
    @inline(__always)
    static func map(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
        _ vector: (SIMD8<Float>) -> SIMD8<Float>
    ) {
        Kernels.forEachLanes(n) { j, lanes in
            Kernels.store(vector(Kernels.load(x + j, count: lanes)), y + j, count: lanes)
        }
    }

    /// log Σ exp(x[i]) over n elements, shifted by the maximum so it never overflows.
    static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = -Float.infinity
        for i in 0..<n { m = Swift.max(m, x[i]) }
        if !m.isFinite { return m }
        var s: Float = 0
        for i in 0..<n { s += expf(x[i] - m) }
        return m + logf(s)
    }
}
