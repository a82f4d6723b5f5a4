/// The rows of a large table (the n-gram bag's) that this step's gradient touches, so Adam can
/// update only those (`torch.optim.SparseAdam` on `nn.EmbeddingBag(sparse=True)`): a dense
/// update would read and write every row of every moment at every step, which for a table of
/// millions of numbers costs more than the rest of the network. Marked by the fused forward of
/// a training step (on the training thread, before the cores start), read and cleared by the
/// optimizer's step. Off unless training turned it on (`isTracking`), so any other use of the
/// parameter keeps dense semantics.
// @unchecked Sendable: only the training thread touches it (marks before the cores start, the
// optimizer reads and clears after they join), and `Model` runs one training at a time.
final class TouchedRows: @unchecked Sendable {
    private var marked: [Bool]
    private(set) var rows: [Int32] = []
    private(set) var isTracking = false

    init(rows: Int) { marked = [Bool](repeating: false, count: rows) }

    /// Starts tracking: everything until `stop` is one training run (its gradients are zero).
    func start() {
        clear()
        isTracking = true
    }

    func stop() {
        clear()
        isTracking = false
    }

    @inline(__always) func mark(_ row: Int) {
        guard isTracking, !marked[row] else { return }
        marked[row] = true
        rows.append(Int32(row))
    }

    func clear() {
        for row in rows { marked[Int(row)] = false }
        rows.removeAll(keepingCapacity: true)
    }
}
