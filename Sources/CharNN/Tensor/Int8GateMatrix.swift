import CCharNNKernels

/// A recurrent layer's quantized W [gates·H × K] in the two forms the int8 kernels read, one
/// scale per row:
/// - rows padded to `stride` bytes (`charnn_q8_gemm_nt`), for products of few rows, which are a
///   pass over W: one byte per weight;
/// - each gate block packed on its own (`charnn_q8_pack`: panels of 8 output columns of int16
///   pairs, so a team member's units start a panel), for products of many rows, which reuse W:
///   two bytes per weight, no horizontal sums.
// @unchecked Sendable: both forms are written in init and only read afterwards.
final class Int8GateMatrix: @unchecked Sendable {
    /// From this many rows of activations on, the packed kernel (`charnn-bench qgemm`: at one row
    /// reading its two bytes per weight is the limit, and the rows form wins).
    static let packedMinimumRows = 2

    let gates: Int
    let rowsPerGate: Int
    let depth: Int
    /// Bytes per padded row.
    let stride: Int
    private let rows: [Int8]
    /// Bytes of one gate block's packed form (rounded up to a cache line).
    private let gateBytes: Int
    private let packed: UnsafeMutableRawPointer
    private let scales: [Float]

    init(_ matrix: QuantizedMatrix, gates: Int) {
        (self.gates, rowsPerGate, depth) = (gates, matrix.rows / gates, matrix.cols)
        stride = charnn_q8_padded(matrix.cols)
        var rows = [Int8](repeating: 0, count: matrix.rows * stride)
        for r in 0..<matrix.rows {
            for c in 0..<matrix.cols { rows[r * stride + c] = matrix.values[r * matrix.cols + c] }
        }
        self.rows = rows
        scales = matrix.scales
        gateBytes = (charnn_q8_packed_size(rowsPerGate, depth) + 63) & ~63
        packed = .allocate(byteCount: max(gates * gateBytes, 64), alignment: 64)
        rows.withUnsafeBufferPointer { w in
            for g in 0..<gates {
                charnn_q8_pack(
                    w.baseAddress! + g * rowsPerGate * stride, stride, rowsPerGate, depth, packed + g * gateBytes)
            }
        }
    }

    deinit { packed.deallocate() }

    /// out[i, g·H + u] += Σ_p x[i, p] · W[g·H + u, p] for i < rows, every gate g and u in `units`
    /// (`units.lowerBound` a multiple of 8), with x quantized per row first (into a scratch of
    /// this call's own).
    func multiply(
        _ x: UnsafePointer<Float>, rows count: Int, lda: Int, units: Range<Int>,
        into out: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard count > 0, !units.isEmpty else { return }
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: count * stride) { quantized in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { rowScales in
                let (q, s) = (quantized.baseAddress!, rowScales.baseAddress!)
                charnn_q8_quantize_rows(x, lda, count, depth, q, stride, s)
                rows.withUnsafeBufferPointer { w in
                    scales.withUnsafeBufferPointer { sw in
                        for g in 0..<gates {
                            let first = g * rowsPerGate + units.lowerBound
                            if count >= Self.packedMinimumRows {
                                charnn_q8_gemm_packed(
                                    count, q, stride, s, packed + g * gateBytes, rowsPerGate, depth,
                                    units.lowerBound, units.count, sw.baseAddress! + first, out + first, ldc, 1)
                            } else {
                                charnn_q8_gemm_nt(
                                    count, units.count, stride, q, stride, s, w.baseAddress! + first * stride,
                                    stride, sw.baseAddress! + first, out + first, ldc, 1)
                            }
                        }
                    }
                }
            }
        }
    }
}
