/// Losses and their building block: `logSoftmax` and the fused `crossEntropy`, each op's
/// forward next to its gradient rule.
enum LossOp {
    /// log-softmax of every row of input.
    case logSoftmax(input: Graph.NodeID)
    /// Mean cross-entropy of logits against the targets `graph.indices[targets]`, one per row;
    /// `probabilities` (the softmax of every row) is kept for the backward pass when it is needed.
    case crossEntropy(logits: Graph.NodeID, targets: Range<Int>, probabilities: UnsafeMutablePointer<Float>?)

    func forEachOperand(_ body: (Graph.NodeID) -> Void) {
        switch self {
        case let .logSoftmax(input):
            body(input)
        case let .crossEntropy(logits, _, _):
            body(logits)
        }
    }
}

extension Variable {
    /// log-softmax of every row (over the last dimension), computed stably.
    package func logSoftmax() throws(CharNNError) -> Variable { try graph.logSoftmax(self) }

    /// Cross-entropy of logits [batch, classes] against integer targets, mean over the batch
    /// (`torch.nn.functional.cross_entropy`): fused with the log-softmax, numerically stable.
    package func crossEntropy(targets: [Int]) throws(CharNNError) -> Variable {
        try graph.crossEntropy(self, targets)
    }
}

extension Graph {
    func backward(_ op: LossOp, _ node: Node, _ dy: UnsafeMutablePointer<Float>) {
        switch op {
        case let .logSoftmax(input): backwardLogSoftmax(node, dy, input: input)
        case let .crossEntropy(logits, targets, probabilities):
            backwardCrossEntropy(dy, logits: logits, targets: targets, probabilities: probabilities)
        }
    }

    // MARK: logSoftmax

    func logSoftmax(_ x: Variable) throws(CharNNError) -> Variable {
        let input = try id(of: x)
        guard x.shape.rank >= 1 else { throw .shape("logSoftmax: needs at least one dimension, got a scalar") }
        let (rows, cols) = (x.shape.rows, x.shape.cols)
        let y = arena.allocate(rows * cols)
        for r in 0..<rows {
            let row = node(input).value + r * cols
            let lse = Math.logSumExp(row, cols)
            for j in 0..<cols { y[r * cols + j] = row[j] - lse }
        }
        return record(.loss(.logSoftmax(input: input)), shape: x.shape, value: y, requiresGrad: requiresGrad(input))
    }

    /// dx = dy − softmax · Σ dy, row by row (softmax = exp(y)).
    private func backwardLogSoftmax(_ node: Node, _ dy: UnsafeMutablePointer<Float>, input: NodeID) {
        guard let dx = self.node(input).grad else { return }
        let (rows, cols) = (node.shape.rows, node.shape.cols)
        for r in 0..<rows {
            let (g, y, d) = (dy + r * cols, node.value + r * cols, dx + r * cols)
            var total: Float = 0
            for j in 0..<cols { total += g[j] }
            for j in 0..<cols { d[j] += g[j] - Math.exp(y[j]) * total }
        }
    }

    // MARK: crossEntropy

    func crossEntropy(_ logits: Variable, _ targets: [Int]) throws(CharNNError) -> Variable {
        let input = try id(of: logits)
        guard logits.shape.rank == 2 || logits.shape.rank == 1 else {
            throw .shape("cross_entropy: logits \(logits.shape) must be [batch, classes] or [classes]")
        }
        let (rows, classes) = (logits.shape.rows, logits.shape.cols)
        guard targets.count == rows else {
            throw .shape("cross_entropy: \(rows) rows of logits but \(targets.count) targets")
        }
        for (i, t) in targets.enumerated() where t < 0 || t >= classes {
            throw .invalidArgument("cross_entropy: target \(i) is \(t), not in 0..<\(classes)")
        }
        // The targets live on the tape's shared index array (its capacity is kept): no array per node.
        let offset = indices.count
        for t in targets { indices.append(Int32(t)) }
        let grad = requiresGrad(input)
        // Softmax probabilities, kept for the backward pass.
        let probabilities = grad ? arena.allocate(rows * classes) : nil
        var total: Float = 0
        for r in 0..<rows {
            let row = node(input).value + r * classes
            let lse = Math.logSumExp(row, classes)
            total += lse - row[targets[r]]
            if let probabilities {
                for j in 0..<classes { probabilities[r * classes + j] = Math.exp(row[j] - lse) }
            }
        }
        let y = arena.allocate(1)
        y[0] = total / Float(rows)
        return record(
            .loss(.crossEntropy(logits: input, targets: offset..<indices.count, probabilities: probabilities)),
            shape: .scalar, value: y, requiresGrad: grad)
    }

    /// d logits = (softmax − onehot(target)) · dy / batch.
    private func backwardCrossEntropy(
        _ dy: UnsafeMutablePointer<Float>, logits: NodeID, targets: Range<Int>,
        probabilities: UnsafeMutablePointer<Float>?
    ) {
        let x = node(logits)
        guard let dx = x.grad, let p = probabilities else { return }
        let (rows, classes) = (x.shape.rows, x.shape.cols)
        let scale = dy[0] / Float(rows)
        for r in 0..<rows {
            let target = Int(indices[targets.lowerBound + r])
            for j in 0..<classes {
                dx[r * classes + j] += scale * (p[r * classes + j] - (j == target ? 1 : 0))
            }
        }
    }
}
