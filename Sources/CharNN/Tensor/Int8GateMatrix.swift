import CCharNNKernels

/// A recurrent layer's quantized W [gates·H × K] as the int8 kernel reads it: rows padded with
/// zeros to `stride` (a multiple of 32 bytes), one scale per row.
final class Int8GateMatrix: Sendable {
    let gates: Int
    let rowsPerGate: Int
    let depth: Int
    /// Bytes per row: `depth` rounded up to the kernel's alignment.
    let stride: Int
    private let values: [Int8]
    private let scales: [Float]

    init(_ matrix: QuantizedMatrix, gates: Int) {
        (self.gates, rowsPerGate, depth) = (gates, matrix.rows / gates, matrix.cols)
        let stride = charnn_q8_padded(matrix.cols)
        var values = [Int8](repeating: 0, count: matrix.rows * stride)
        for r in 0..<matrix.rows {
            for c in 0..<matrix.cols { values[r * stride + c] = matrix.values[r * matrix.cols + c] }
        }
        (self.stride, self.values, scales) = (stride, values, matrix.scales)
    }

    /// out[i, g·H + u] += Σ_p x[i, p] · W[g·H + u, p] for i < rows, every gate g and u in `units`,
    /// with x quantized per row first (its int8 copy in a scratch of this call's own).
    func multiply(
        _ x: UnsafePointer<Float>, rows: Int, lda: Int, units: Range<Int>, into out: UnsafeMutablePointer<Float>,
        ldc: Int
    ) {
        guard rows > 0, !units.isEmpty else { return }
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: rows * stride) { quantized in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: rows) { rowScales in
                let (q, s) = (quantized.baseAddress!, rowScales.baseAddress!)
                charnn_q8_quantize_rows(x, lda, rows, depth, q, stride, s)
                values.withUnsafeBufferPointer { w in
                    scales.withUnsafeBufferPointer { sw in
                        for g in 0..<gates {
                            let first = g * rowsPerGate + units.lowerBound
                            charnn_q8_gemm_nt(
                                rows, units.count, stride, q, stride, s, w.baseAddress! + first * stride, stride,
                                sw.baseAddress! + first, out + first, ldc, 1)
                        }
                    }
                }
            }
        }
    }
}
