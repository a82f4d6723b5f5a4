/// A trainable tensor: its value and the gradient that `Graph.backward` accumulates into it,
/// both in storage that never moves. A reference type: layers, graphs and optimizers share it.
///
/// Gradients accumulate across backward passes (PyTorch's semantics) until `zeroGrad()`.
// @unchecked Sendable: name, shape and buffers are `let`s. The numbers in the buffers are written
// by a model's training, which `Model` keeps exclusive of its readers (`.busy`), with the cores
// of a step writing disjoint row shares (`forEachShare`) between barriers; or, for a parameter
// of the C layer's low-level API, by calls on that one handle, which charnn.h does not allow
// from two threads at once ("functions on different handles may run concurrently").
package final class Parameter: @unchecked Sendable {
    /// The PyTorch state-dict name, e.g. `gru.weight_ih_l0`.
    package let name: String
    package let shape: Shape
    /// How many stacked blocks of rows the parameter holds (a GRU's r, z, n gates: 3), so a
    /// split of its rows across cores follows the units of the layer (see `forEachShare`).
    let rowBlocks: Int
    let storage: FloatBuffer
    let gradStorage: FloatBuffer
    /// For tables whose steps touch few rows (`TouchedRows`); nil for every other parameter.
    let touchedRows: TouchedRows?

    package convenience init(name: String = "", _ value: Tensor) {
        self.init(name: name, value, rowBlocks: 1)
    }

    init(name: String, _ value: Tensor, rowBlocks: Int, sparseRows: Bool = false) {
        self.name = name
        touchedRows = sparseRows ? TouchedRows(rows: value.shape.rows) : nil
        self.shape = value.shape
        self.rowBlocks = Self.rowsAndColumns(value.shape).rows % rowBlocks == 0 ? rowBlocks : 1
        storage = FloatBuffer(copying: value.scalars)
        gradStorage = FloatBuffer(count: value.shape.count)
    }

    /// Calls body with the element ranges of member `member` of `members`: in each block of
    /// rows, the member's share of the rows (a vector counts as one column). The fused layers
    /// split their work the same way, so each core updates the rows it computed.
    /// While training tracks the rows a table's steps touch (`TouchedRows`), only those rows:
    /// the optimizer, the gradient norm and zeroing all skip what no step touched.
    @inline(__always)
    func forEachShare(member: Int, of members: Int, _ body: (Range<Int>) -> Void) {
        if let touched = touchedRows, touched.isTracking {
            let (columns, rows) = (shape.cols, touched.rows)
            for i in WorkerPool.share(of: rows.count, piece: member, pieces: members) {
                let start = Int(rows[i]) * columns
                body(start..<start + columns)
            }
            return
        }
        let (rows, cols) = Self.rowsAndColumns(shape)
        let perBlock = rows / rowBlocks
        let share = WorkerPool.share(of: perBlock, piece: member, pieces: members)
        guard !share.isEmpty else { return }
        for block in 0..<rowBlocks {
            body((block * perBlock + share.lowerBound) * cols..<(block * perBlock + share.upperBound) * cols)
        }
    }

    /// Rows and columns as work on a parameter is split: a vector's elements are rows of one column.
    private static func rowsAndColumns(_ shape: Shape) -> (rows: Int, cols: Int) {
        shape.rank <= 1 ? (shape.count, 1) : (shape.rows, shape.cols)
    }

    package var count: Int { shape.count }

    /// A copy of the current value.
    package var value: Tensor { try! Tensor(shape: shape, scalars: storage.array) }

    /// A copy of the accumulated gradient.
    package var grad: Tensor { try! Tensor(shape: shape, scalars: gradStorage.array) }

    /// Replaces the value; the shape must match.
    package func assign(_ tensor: Tensor) throws(CharNNError) {
        guard tensor.shape == shape else {
            throw .shape("cannot assign a \(tensor.shape) tensor to parameter '\(name)' of shape \(shape)")
        }
        for (i, v) in tensor.scalars.enumerated() { storage.pointer[i] = v }
    }

    /// Sets the gradient to zero.
    package func zeroGrad() { gradStorage.zero() }

    var values: UnsafeMutablePointer<Float> { storage.pointer }
    var grads: UnsafeMutablePointer<Float> { gradStorage.pointer }
}
