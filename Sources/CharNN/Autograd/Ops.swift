/// The differentiable ops. Each checks its operands' shapes (a clear `.shapeMismatch` error,
/// never an out-of-bounds access), computes the value into the arena and records a node;
/// `Backward.swift` holds the matching gradient rules.
extension Variable {
    /// Matrix product: [m, k] · [k, n] → [m, n].
    public func matmul(_ other: Variable) throws(CharNNError) -> Variable { try graph.matmul(self, other) }

    /// A linear layer in PyTorch's layout: `self · weightᵀ + bias`, self [.., in], weight
    /// [out, in], bias [out] → [.., out].
    public func linear(_ weight: Variable, bias: Variable? = nil) throws(CharNNError) -> Variable {
        try graph.linear(self, weight, bias)
    }

    /// Elementwise sum; `other` may also be one row ([cols] or [1, cols]) added to every row.
    public func add(_ other: Variable) throws(CharNNError) -> Variable { try graph.binary(.add, self, other) }
    /// Elementwise difference, with the same broadcasting as `add`.
    public func sub(_ other: Variable) throws(CharNNError) -> Variable { try graph.binary(.sub, self, other) }
    /// Elementwise product, with the same broadcasting as `add`.
    public func mul(_ other: Variable) throws(CharNNError) -> Variable { try graph.binary(.mul, self, other) }

    public static func + (a: Variable, b: Variable) throws(CharNNError) -> Variable { try a.add(b) }
    public static func - (a: Variable, b: Variable) throws(CharNNError) -> Variable { try a.sub(b) }
    public static func * (a: Variable, b: Variable) throws(CharNNError) -> Variable { try a.mul(b) }

    /// Columns side by side: [r, a] and [r, b] → [r, a + b] (the article's `torch.cat((x, h), 1)`).
    public func concat(_ other: Variable) throws(CharNNError) -> Variable { try graph.concat(self, other) }

    /// Columns `columns` of every row: [r, c] → [r, columns.count].
    public func slice(columns: Range<Int>) throws(CharNNError) -> Variable { try graph.slice(self, columns) }

    public func sigmoid() throws(CharNNError) -> Variable { try graph.unary(.sigmoid, self) }
    public func tanh() throws(CharNNError) -> Variable { try graph.unary(.tanh, self) }
    public func relu() throws(CharNNError) -> Variable { try graph.unary(.relu, self) }
    public func exp() throws(CharNNError) -> Variable { try graph.unary(.exp, self) }
    /// Natural logarithm (of positive values; log 0 is -inf, as in PyTorch).
    public func log() throws(CharNNError) -> Variable { try graph.unary(.log, self) }

    /// Sum of all elements → a scalar.
    public func sum() throws(CharNNError) -> Variable { try graph.reduce(.sum, self) }
    /// Mean of all elements → a scalar.
    public func mean() throws(CharNNError) -> Variable { try graph.reduce(.mean, self) }

    /// log-softmax of every row (over the last dimension), computed stably.
    public func logSoftmax() throws(CharNNError) -> Variable { try graph.logSoftmax(self) }

    /// Cross-entropy of logits [batch, classes] against integer targets, mean over the batch
    /// (`torch.nn.functional.cross_entropy`): fused with the log-softmax, numerically stable.
    public func crossEntropy(targets: [Int]) throws(CharNNError) -> Variable {
        try graph.crossEntropy(self, targets)
    }
}

extension Graph {
    // Fixed arities rather than a variadic list: no array per op.
    private func requiresGrad(_ a: Int, _ b: Int = -1, _ c: Int = -1) -> Bool {
        isRecording && ((a >= 0 && nodes[a].requiresGrad) || (b >= 0 && nodes[b].requiresGrad)
            || (c >= 0 && nodes[c].requiresGrad))
    }

    func matmul(_ a: Variable, _ b: Variable) throws(CharNNError) -> Variable {
        let ia = try index(of: a), ib = try index(of: b)
        guard a.shape.rank == 2, b.shape.rank == 2, a.shape[1] == b.shape[0] else {
            throw .shape("matmul: cannot multiply \(a.shape) by \(b.shape); needs [m, k] · [k, n]")
        }
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        let y = arena.allocate(m * n)
        Kernels.gemmNN(m: m, n: n, k: k, a: nodes[ia].value, lda: k, b: nodes[ib].value, ldb: n,
                       c: y, ldc: n, accumulate: false)
        return record(Node(op: .matmul, shape: Shape(m, n), value: y, a: Int32(ia), b: Int32(ib),
                           requiresGrad: requiresGrad(ia, ib)))
    }

    func linear(_ x: Variable, _ w: Variable, _ bias: Variable?) throws(CharNNError) -> Variable {
        let ix = try index(of: x), iw = try index(of: w)
        let ib = try bias.map { (b: Variable) throws(CharNNError) in try index(of: b) } ?? -1
        guard w.shape.rank == 2, x.shape.rank >= 1, x.shape.cols == w.shape[1] else {
            throw .shape("linear: input \(x.shape) does not fit weight \(w.shape); needs [.., in] and [out, in]")
        }
        let (rows, inputs, outputs) = (x.shape.rows, w.shape[1], w.shape[0])
        if let bias, bias.shape.count != outputs || bias.shape.rows != 1 || bias.shape.rank > 2 {
            throw .shape("linear: bias \(bias.shape) does not fit weight \(w.shape); needs [\(outputs)]")
        }
        let y = arena.allocate(rows * outputs)
        if ib >= 0 {
            for r in 0..<rows { (y + r * outputs).update(from: nodes[ib].value, count: outputs) }
        }
        Kernels.gemmNT(m: rows, n: outputs, k: inputs, a: nodes[ix].value, lda: inputs,
                       b: nodes[iw].value, ldb: inputs, c: y, ldc: outputs, accumulate: ib >= 0)
        return record(Node(op: .linear, shape: x.shape.replacingLast(with: outputs), value: y,
                           a: Int32(ix), b: Int32(iw), c: Int32(ib), requiresGrad: requiresGrad(ix, iw, ib)))
    }

    func binary(_ op: Op, _ a: Variable, _ b: Variable) throws(CharNNError) -> Variable {
        let ia = try index(of: a), ib = try index(of: b)
        let broadcast: Bool
        if a.shape == b.shape {
            broadcast = false
        } else if b.shape.rank <= 2, b.shape.rows == 1, b.shape.cols == a.shape.cols, a.shape.rank >= 1 {
            broadcast = true
        } else {
            throw .shape("\(op): shapes \(a.shape) and \(b.shape) differ, and the second is not one row of \(a.shape.cols)")
        }
        let n = a.shape.count, cols = a.shape.cols
        let (pa, pb) = (nodes[ia].value, nodes[ib].value)
        let y = arena.allocate(n)
        for i in 0..<n {
            let bv = pb[broadcast ? i % cols : i]
            switch op {
            case .add: y[i] = pa[i] + bv
            case .sub: y[i] = pa[i] - bv
            default: y[i] = pa[i] * bv
            }
        }
        return record(Node(op: op, shape: a.shape, value: y, a: Int32(ia), b: Int32(ib), arg: broadcast ? 1 : 0,
                           requiresGrad: requiresGrad(ia, ib)))
    }

    func concat(_ a: Variable, _ b: Variable) throws(CharNNError) -> Variable {
        let ia = try index(of: a), ib = try index(of: b)
        guard a.shape.rank == 2, b.shape.rank == 2, a.shape[0] == b.shape[0] else {
            throw .shape("concat: \(a.shape) and \(b.shape) need the same number of rows, both rank 2")
        }
        let (rows, ca, cb) = (a.shape[0], a.shape[1], b.shape[1])
        let y = arena.allocate(rows * (ca + cb))
        for r in 0..<rows {
            (y + r * (ca + cb)).update(from: nodes[ia].value + r * ca, count: ca)
            (y + r * (ca + cb) + ca).update(from: nodes[ib].value + r * cb, count: cb)
        }
        return record(Node(op: .concat, shape: Shape(rows, ca + cb), value: y, a: Int32(ia), b: Int32(ib),
                           requiresGrad: requiresGrad(ia, ib)))
    }

    func slice(_ x: Variable, _ columns: Range<Int>) throws(CharNNError) -> Variable {
        let ix = try index(of: x)
        guard x.shape.rank == 2, columns.lowerBound >= 0, columns.upperBound <= x.shape[1], !columns.isEmpty else {
            throw .shape("slice: columns \(columns) are not a non-empty range inside \(x.shape)")
        }
        let (rows, cols, width) = (x.shape[0], x.shape[1], columns.count)
        let y = arena.allocate(rows * width)
        for r in 0..<rows { (y + r * width).update(from: nodes[ix].value + r * cols + columns.lowerBound, count: width) }
        return record(Node(op: .slice, shape: Shape(rows, width), value: y, a: Int32(ix), arg: columns.lowerBound,
                           requiresGrad: requiresGrad(ix)))
    }

    func unary(_ op: Op, _ x: Variable) throws(CharNNError) -> Variable {
        let ix = try index(of: x)
        let n = x.shape.count
        let (px, y) = (UnsafePointer(nodes[ix].value), arena.allocate(n))
        switch op {
        case .sigmoid: Math.sigmoid(px, y, n)
        case .tanh: Math.tanh(px, y, n)
        case .relu: for i in 0..<n { y[i] = max(px[i], 0) }
        case .exp: Math.exp(px, y, n)
        default: for i in 0..<n { y[i] = Math.log(px[i]) }
        }
        return record(Node(op: op, shape: x.shape, value: y, a: Int32(ix), requiresGrad: requiresGrad(ix)))
    }

    func reduce(_ op: Op, _ x: Variable) throws(CharNNError) -> Variable {
        let ix = try index(of: x)
        let n = x.shape.count
        var total: Float = 0
        for i in 0..<n { total += nodes[ix].value[i] }
        let y = arena.allocate(1)
        y[0] = op == .sum ? total : total / Float(n)
        return record(Node(op: op, shape: .scalar, value: y, a: Int32(ix), requiresGrad: requiresGrad(ix)))
    }

    func logSoftmax(_ x: Variable) throws(CharNNError) -> Variable {
        let ix = try index(of: x)
        guard x.shape.rank >= 1 else { throw .shape("logSoftmax: needs at least one dimension, got a scalar") }
        let (rows, cols) = (x.shape.rows, x.shape.cols)
        let y = arena.allocate(rows * cols)
        for r in 0..<rows {
            let row = nodes[ix].value + r * cols
            let lse = Math.logSumExp(row, cols)
            for j in 0..<cols { y[r * cols + j] = row[j] - lse }
        }
        return record(Node(op: .logSoftmax, shape: x.shape, value: y, a: Int32(ix), requiresGrad: requiresGrad(ix)))
    }

    func crossEntropy(_ logits: Variable, _ targets: [Int]) throws(CharNNError) -> Variable {
        let ix = try index(of: logits)
        guard logits.shape.rank == 2 || logits.shape.rank == 1 else {
            throw .shape("crossEntropy: logits \(logits.shape) must be [batch, classes] or [classes]")
        }
        let (rows, classes) = (logits.shape.rows, logits.shape.cols)
        guard targets.count == rows else {
            throw .shape("crossEntropy: \(rows) rows of logits but \(targets.count) targets")
        }
        for (i, t) in targets.enumerated() where t < 0 || t >= classes {
            throw .invalidArgument("crossEntropy: target \(i) is \(t), not in 0..<\(classes)")
        }
        let offset = indices.count
        for t in targets { indices.append(Int32(t)) }
        let grad = requiresGrad(ix)
        // Softmax probabilities, kept for the backward pass.
        let probabilities = grad ? arena.allocate(rows * classes) : nil
        var total: Float = 0
        for r in 0..<rows {
            let row = nodes[ix].value + r * classes
            let lse = Math.logSumExp(row, classes)
            total += lse - row[targets[r]]
            if let probabilities {
                for j in 0..<classes { probabilities[r * classes + j] = Math.exp(row[j] - lse) }
            }
        }
        let y = arena.allocate(1)
        y[0] = total / Float(rows)
        return record(Node(op: .crossEntropy, shape: .scalar, value: y, a: Int32(ix), arg: offset,
                           saved: probabilities, requiresGrad: grad))
    }

    /// Rows of `table` [vocabulary, width] picked by `indices` → [indices.count, width]: the
    /// product of one-hot rows with the table, done as a lookup.
    public func embedding(_ table: Variable, indices picks: [Int]) throws(CharNNError) -> Variable {
        let it = try index(of: table)
        guard table.shape.rank == 2 else { throw .shape("embedding: the table \(table.shape) must be [rows, width]") }
        guard !picks.isEmpty else { throw .invalidArgument("embedding: no indices") }
        let (vocabulary, width) = (table.shape[0], table.shape[1])
        for (i, k) in picks.enumerated() where k < 0 || k >= vocabulary {
            throw .invalidArgument("embedding: index \(i) is \(k), not in 0..<\(vocabulary)")
        }
        let offset = indices.count
        for k in picks { indices.append(Int32(k)) }
        let y = arena.allocate(picks.count * width)
        for (r, k) in picks.enumerated() { (y + r * width).update(from: nodes[it].value + k * width, count: width) }
        return record(Node(op: .embedding, shape: Shape(picks.count, width), value: y, a: Int32(it), arg: offset,
                           requiresGrad: requiresGrad(it)))
    }

    /// One-hot rows [indices.count, depth] (a constant): the article's `letter_to_tensor`.
    public func oneHot(_ picks: [Int], depth: Int) throws(CharNNError) -> Variable {
        guard depth >= 1, !picks.isEmpty else { throw .invalidArgument("oneHot: needs a depth ≥ 1 and at least one index") }
        for (i, k) in picks.enumerated() where k < 0 || k >= depth {
            throw .invalidArgument("oneHot: index \(i) is \(k), not in 0..<\(depth)")
        }
        let shape = try Shape(validating: [picks.count, depth])
        let y = arena.allocateZeroed(shape.count)
        for (r, k) in picks.enumerated() { y[r * depth + k] = 1 }
        return record(Node(op: .constant, shape: shape, value: y, requiresGrad: false))
    }
}
