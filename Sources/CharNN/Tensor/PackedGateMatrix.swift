/// A recurrent layer's W [gates·H × K] (W_ih or W_hh) laid out as the panels `Kernels.gemmPacked`
/// copies B into at every call: per gate block, 16 rows at a time, each panel K steps of 16
/// floats (zeros past the block's last row). Forward-only passes build it once per change of
/// the weights and then read it in place, so a step's product copies only its activations.
final class PackedGateMatrix: Sendable {
    static let panelWidth = 16
    let gates: Int
    /// Rows per gate block (H).
    let rowsPerGate: Int
    /// K: the length of every row.
    let depth: Int
    let panelsPerGate: Int
    private let storage: FloatBuffer

    /// Packs `w`, row-major [gates·rowsPerGate × depth].
    init(_ w: UnsafePointer<Float>, gates: Int, rowsPerGate: Int, depth: Int) {
        let P = Self.panelWidth
        (self.gates, self.rowsPerGate, self.depth) = (gates, rowsPerGate, depth)
        panelsPerGate = (rowsPerGate + P - 1) / P
        storage = FloatBuffer(count: gates * panelsPerGate * depth * P)
        for g in 0..<gates {
            for panel in 0..<panelsPerGate {
                let target = storage.pointer + (g * panelsPerGate + panel) * depth * P
                for q in 0..<min(P, rowsPerGate - panel * P) {
                    let row = w + (g * rowsPerGate + panel * P + q) * depth
                    for p in 0..<depth { target[p * P + q] = row[p] }
                }
            }
        }
    }

    /// Panel `index` of gate block g: rows g·H + 16·index ..< +16, [depth × 16].
    @inline(__always)
    func panel(gate g: Int, index: Int) -> UnsafePointer<Float> {
        UnsafePointer(storage.pointer + (g * panelsPerGate + index) * depth * Self.panelWidth)
    }
}

extension Kernels {
    /// C[i, g·H + u] = (accumulate ? C : 0) + Σ_p A[i, p] · W[g·H + u, p] for rows i < m, every gate
    /// g and u in `units`: `gemmNT` against W's rows of those units, reading `weights`' panels
    /// instead of copying W (the same blocks and order of sums as `gemmPacked`, so the same bits).
    /// `units.lowerBound` is a multiple of 16 (forward-only teams share units 16 at a time).
    static func gemmPrepacked(
        m: Int, a: UnsafePointer<Float>, lda: Int, weights: PackedGateMatrix, units: Range<Int>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        guard !units.isEmpty else { return }
        let (kc, mc, K, P) = (256, 96, weights.depth, PackedGateMatrix.panelWidth)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: mc * kc + 16) { storage in
            let strips = UnsafeMutablePointer<Float>(bitPattern: (UInt(bitPattern: storage.baseAddress!) + 63) & ~63)!
            var p0 = 0
            repeat {
                let depth = min(kc, K - p0), add = accumulate || p0 > 0
                var i0 = 0
                while i0 < m {
                    let rows = min(mc, m - i0)
                    packStrips(a + (i0 &* lda &+ p0), aRow: lda, aCol: 1, rows: rows, k: depth, into: strips)
                    for g in 0..<weights.gates {
                        var u = units.lowerBound
                        while u < units.upperBound {
                            let panel = weights.panel(gate: g, index: u / P) + p0 &* P
                            let target = c + (i0 &* ldc &+ g &* weights.rowsPerGate &+ u)
                            var i = 0
                            while i < rows {
                                packedBlock(
                                    rows: min(6, rows - i), width: min(P, units.upperBound - u), k: depth,
                                    strip: strips + i &* depth, panel: panel, c: target + i &* ldc, ldc: ldc,
                                    accumulate: add)
                                i += 6
                            }
                            u += P
                        }
                    }
                    i0 += mc
                }
                p0 += kc
            } while p0 < K
        }
    }
}
