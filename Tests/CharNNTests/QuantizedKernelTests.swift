import CCharNNKernels
import Testing

@testable import CharNN

/// The int8 kernels of CCharNNKernels, called from Swift, against the fp32 `Kernels.gemmNT` on
/// the same floats: the difference must stay within what quantizing both operands can cost.
@Suite struct QuantizedKernelTests {
    func random(_ n: Int, _ rng: inout Xoshiro256) -> [Float] { (0..<n).map { _ in rng.nextFloat(in: -1, 1) } }

    /// Rows of x quantized to int8 (padded to charnn_q8_padded(k)) with their scales.
    func quantize(_ x: [Float], rows: Int, k: Int) -> (q: [Int8], scales: [Float]) {
        let kp = charnn_q8_padded(k)
        var q = [Int8](repeating: 99, count: rows * kp), scales = [Float](repeating: 0, count: rows)
        charnn_q8_quantize_rows(x, k, rows, k, &q, kp, &scales)
        return (q, scales)
    }

    @Test(arguments: [(1, 768, 256), (128, 768, 256), (5, 18, 57), (3, 1024, 300), (13, 7, 31), (2, 1, 1)])
    func int8GemmMatchesFloatGemmWithinQuantizationError(m: Int, n: Int, k: Int) {
        var rng = Xoshiro256(seed: UInt64(m * 7919 + n * 31 + k))
        let x = random(m * k, &rng), w = random(n * k, &rng), c0 = random(m * n, &rng)
        let kp = charnn_q8_padded(k)
        let (qx, sx) = quantize(x, rows: m, k: k), (qw, sw) = quantize(w, rows: n, k: k)
        for row in 0..<m { #expect(qx[row * kp + k..<row * kp + kp].allSatisfy { $0 == 0 }) }
        for accumulate in [false, true] {
            var c8 = c0, c32 = c0
            charnn_q8_gemm_nt(m, n, kp, qx, kp, sx, qw, kp, sw, &c8, n, accumulate ? 1 : 0)
            x.withUnsafeBufferPointer { px in
                w.withUnsafeBufferPointer { pw in
                    c32.withUnsafeMutableBufferPointer { pc in
                        Kernels.gemmNT(
                            m: m, n: n, k: k, a: px.baseAddress!, lda: k, b: pw.baseAddress!, ldb: k,
                            c: pc.baseAddress!, ldc: n, accumulate: accumulate)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    // x = sx·qx + e with |e| ≤ sx/2 (and the same for w), so each product is off by at
                    // most |x|·sw/2 + |w|·sx/2 + sx·sw/4; plus a little for fp32 rounding.
                    var bound: Float = 0, magnitude: Float = 0
                    for p in 0..<k {
                        let (xp, wp) = (abs(x[i * k + p]), abs(w[j * k + p]))
                        bound += xp * sw[j] / 2 + wp * sx[i] / 2 + sx[i] * sw[j] / 4
                        magnitude += xp * wp
                    }
                    bound += 1e-5 * (magnitude + abs(c0[i * n + j]))
                    let difference = abs(c8[i * n + j] - c32[i * n + j])
                    #expect(difference <= bound, "C[\(i)][\(j)] int8 \(c8[i * n + j]) fp32 \(c32[i * n + j])")
                }
            }
        }
    }

    @Test func quantizeRowsRoundsClampsAndZeroes() {
        let k = 5, kp = charnn_q8_padded(k)
        let x: [Float] = [0, 0, 0, 0, 0, 1.27, -0.5, 0.004, 0.016, -1.27]
        let (q, scales) = quantize(x, rows: 2, k: k)
        #expect(kp == 32 && scales[0] == 0 && scales[1] == 1.27 / 127)
        #expect(q[0..<kp].allSatisfy { $0 == 0 })
        #expect(Array(q[kp..<kp + k]) == [127, -50, 0, 2, -127])
        #expect(q[kp + k..<2 * kp].allSatisfy { $0 == 0 })
        let name = String(cString: charnn_q8_kernel_name())
        #expect(["avx2", "sse2", "portable"].contains(name))
    }
}
