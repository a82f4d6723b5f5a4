/// Ops that move values without arithmetic: `concat`, `slice`, `embedding` (and `oneHot`, which
/// records a constant). Each op's forward is next to its gradient rule.
enum ShapeOp {
    /// left [r, a] and right [r, b] side by side → [r, a + b].
    case concat(left: Graph.NodeID, right: Graph.NodeID)
    /// Columns `columns` of every row of input [r, c].
    case slice(input: Graph.NodeID, columns: Range<Int>)
    /// Rows of table picked by `graph.indices[rows]`.
    case embedding(table: Graph.NodeID, rows: Range<Int>)

    func forEachOperand(_ body: (Graph.NodeID) -> Void) {
        switch self {
        case let .concat(left, right):
            body(left)
            body(right)
        case let .slice(input, _):
            body(input)
        case let .embedding(table, _):
            body(table)
        }
    }
}

extension Variable {
    /// Columns side by side: [r, a] and [r, b] → [r, a + b] (the article's `torch.cat((x, h), 1)`).
    package func concat(_ other: Variable) throws(CharNNError) -> Variable { try graph.concat(self, other) }

    /// Columns `columns` of every row: [r, c] → [r, columns.count].
    package func slice(columns: Range<Int>) throws(CharNNError) -> Variable { try graph.slice(self, columns) }
}

extension Graph {
    func backward(_ op: ShapeOp, _ node: Node, _ dy: UnsafeMutablePointer<Float>) {
        switch op {
        case let .concat(left, right): backwardConcat(node, dy, left: left, right: right)
        case let .slice(input, columns): backwardSlice(node, dy, input: input, columns: columns)
        case let .embedding(table, rows): backwardEmbedding(node, dy, table: table, rows: rows)
        }
    }

    // MARK: concat

    func concat(_ a: Variable, _ b: Variable) throws(CharNNError) -> Variable {
        let left = try id(of: a), right = try id(of: b)
        guard a.shape.rank == 2, b.shape.rank == 2, a.shape[0] == b.shape[0] else {
            throw .shape("concat: \(a.shape) and \(b.shape) need the same number of rows, both rank 2")
        }
        let (rows, ca, cb) = (a.shape[0], a.shape[1], b.shape[1])
        let y = arena.allocate(rows * (ca + cb))
        for r in 0..<rows {
            (y + r * (ca + cb)).update(from: node(left).value + r * ca, count: ca)
            (y + r * (ca + cb) + ca).update(from: node(right).value + r * cb, count: cb)
        }
        return record(
            .shape(.concat(left: left, right: right)), shape: Shape(rows, ca + cb), value: y,
            requiresGrad: requiresGrad(left, right))
    }

    /// Each side's columns of dy go back to it.
    private func backwardConcat(_ node: Node, _ dy: UnsafeMutablePointer<Float>, left: NodeID, right: NodeID) {
        let (a, b) = (self.node(left), self.node(right))
        let (rows, ca, cb) = (node.shape[0], a.shape[1], b.shape[1])
        for r in 0..<rows {
            if let da = a.grad { Kernels.axpy(1, dy + r * (ca + cb), da + r * ca, ca) }
            if let db = b.grad { Kernels.axpy(1, dy + r * (ca + cb) + ca, db + r * cb, cb) }
        }
    }

    // MARK: slice

    func slice(_ x: Variable, _ columns: Range<Int>) throws(CharNNError) -> Variable {
        let input = try id(of: x)
        guard x.shape.rank == 2, columns.lowerBound >= 0, columns.upperBound <= x.shape[1], !columns.isEmpty else {
            throw .shape("slice: columns \(columns) are not a non-empty range inside \(x.shape)")
        }
        let (rows, cols, width) = (x.shape[0], x.shape[1], columns.count)
        let y = arena.allocate(rows * width)
        for r in 0..<rows {
            (y + r * width).update(from: node(input).value + r * cols + columns.lowerBound, count: width)
        }
        return record(
            .shape(.slice(input: input, columns: columns)), shape: Shape(rows, width), value: y,
            requiresGrad: requiresGrad(input))
    }

    /// dy goes back to the sliced columns; the others get nothing.
    private func backwardSlice(_ node: Node, _ dy: UnsafeMutablePointer<Float>, input: NodeID, columns: Range<Int>) {
        let x = self.node(input)
        guard let dx = x.grad else { return }
        let (rows, width, cols) = (node.shape[0], node.shape[1], x.shape[1])
        for r in 0..<rows { Kernels.axpy(1, dy + r * width, dx + r * cols + columns.lowerBound, width) }
    }

    // MARK: embedding

    /// Rows of `table` [vocabulary, width] picked by `indices` → [indices.count, width]: the
    /// product of one-hot rows with the table, done as a lookup.
    package func embedding(_ table: Variable, indices picks: [Int]) throws(CharNNError) -> Variable {
        let tableID = try id(of: table)
        guard table.shape.rank == 2 else { throw .shape("embedding: the table \(table.shape) must be [rows, width]") }
        guard !picks.isEmpty else { throw .invalidArgument("embedding: no indices") }
        let (vocabulary, width) = (table.shape[0], table.shape[1])
        for (i, k) in picks.enumerated() where k < 0 || k >= vocabulary {
            throw .invalidArgument("embedding: index \(i) is \(k), not in 0..<\(vocabulary)")
        }
        // The picks live on the tape's shared index array (its capacity is kept): no array per node.
        let offset = indices.count
        for k in picks { indices.append(Int32(k)) }
        let y = arena.allocate(picks.count * width)
        for (r, k) in picks.enumerated() { (y + r * width).update(from: node(tableID).value + k * width, count: width) }
        return record(
            .shape(.embedding(table: tableID, rows: offset..<indices.count)), shape: Shape(picks.count, width),
            value: y, requiresGrad: requiresGrad(tableID))
    }

    /// Each output row's gradient goes back to the table row it was read from (summed when a
    /// row is picked more than once).
    private func backwardEmbedding(_ node: Node, _ dy: UnsafeMutablePointer<Float>, table: NodeID, rows: Range<Int>) {
        guard let dt = self.node(table).grad else { return }
        let width = node.shape[1]
        for (r, k) in rows.enumerated() {
            Kernels.axpy(1, dy + r * width, dt + Int(indices[k]) * width, width)
        }
    }

    // MARK: oneHot

    /// One-hot rows [indices.count, depth] (a constant): the article's `letter_to_tensor`.
    package func oneHot(_ picks: [Int], depth: Int) throws(CharNNError) -> Variable {
        guard depth >= 1, !picks.isEmpty else {
            throw .invalidArgument("one_hot: needs a depth ≥ 1 and at least one index")
        }
        for (i, k) in picks.enumerated() where k < 0 || k >= depth {
            throw .invalidArgument("one_hot: index \(i) is \(k), not in 0..<\(depth)")
        }
        let shape = try Shape(validating: [picks.count, depth])
        let y = arena.allocateZeroed(shape.count)
        for (r, k) in picks.enumerated() { y[r * depth + k] = 1 }
        return record(.constant, shape: shape, value: y, requiresGrad: false)
    }
}
