/// Matrix products: `matmul` and the `linear` layer, each op's forward next to its gradient rule.
enum MatrixOp {
    /// lhs [m, k] · rhs [k, n].
    case matmul(lhs: Graph.NodeID, rhs: Graph.NodeID)
    /// input [.., in] · weightᵀ [in, out] + bias [out].
    case linear(input: Graph.NodeID, weight: Graph.NodeID, bias: Graph.NodeID?)

    func forEachOperand(_ body: (Graph.NodeID) -> Void) {
        switch self {
        case let .matmul(lhs, rhs):
            body(lhs)
            body(rhs)
        case let .linear(input, weight, bias):
            body(input)
            body(weight)
            if let bias { body(bias) }
        }
    }
}

extension Variable {
    /// Matrix product: [m, k] · [k, n] → [m, n].
    package func matmul(_ other: Variable) throws(CharNNError) -> Variable { try graph.matmul(self, other) }

    /// A linear layer in PyTorch's layout: `self · weightᵀ + bias`, self [.., in], weight
    /// [out, in], bias [out] → [.., out].
    package func linear(_ weight: Variable, bias: Variable? = nil) throws(CharNNError) -> Variable {
        try graph.linear(self, weight, bias)
    }
}

/// One use of a parameter as a linear layer's weight, whose gradient waits for
/// `applyDeferredWeightGradients`.
struct DeferredWeightGradient {
    /// The linear node (its gradient is dy), its input (x) and its weight (the parameter).
    var linear: Graph.NodeID
    var input: Graph.NodeID
    var weight: Graph.NodeID
}

extension Graph {
    func backward(_ op: MatrixOp, of id: NodeID, _ dy: UnsafeMutablePointer<Float>) {
        switch op {
        case let .matmul(lhs, rhs): backwardMatmul(dy, lhs: lhs, rhs: rhs)
        case let .linear(input, weight, bias): backwardLinear(id, dy, input: input, weight: weight, bias: bias)
        }
    }

    // MARK: matmul

    func matmul(_ a: Variable, _ b: Variable) throws(CharNNError) -> Variable {
        let lhs = try id(of: a), rhs = try id(of: b)
        guard a.shape.rank == 2, b.shape.rank == 2, a.shape[1] == b.shape[0] else {
            throw .shape("matmul: cannot multiply \(a.shape) by \(b.shape); needs [m, k] · [k, n]")
        }
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        let y = arena.allocate(m * n)
        Kernels.gemmNN(
            m: m, n: n, k: k, a: node(lhs).value, lda: k, b: node(rhs).value, ldb: n,
            c: y, ldc: n, accumulate: false)
        return record(
            .matrix(.matmul(lhs: lhs, rhs: rhs)), shape: Shape(m, n), value: y,
            requiresGrad: requiresGrad(lhs, rhs))
    }

    /// C = A·B: dA += dC·Bᵀ, dB += Aᵀ·dC.
    private func backwardMatmul(_ dy: UnsafeMutablePointer<Float>, lhs: NodeID, rhs: NodeID) {
        let (a, b) = (node(lhs), node(rhs))
        let (m, k, cols) = (a.shape[0], a.shape[1], b.shape[1])
        if let da = a.grad {
            Kernels.gemmNT(
                m: m, n: k, k: cols, a: dy, lda: cols, b: b.value, ldb: cols, c: da, ldc: k, accumulate: true)
        }
        if let db = b.grad {
            Kernels.gemmTN(
                m: k, n: cols, k: m, a: a.value, lda: k, b: dy, ldb: cols, c: db, ldc: cols, accumulate: true)
        }
    }

    // MARK: linear

    func linear(_ x: Variable, _ w: Variable, _ bias: Variable?) throws(CharNNError) -> Variable {
        let input = try id(of: x), weight = try id(of: w)
        let biasID = try bias.map { (b: Variable) throws(CharNNError) in try id(of: b) }
        guard w.shape.rank == 2, x.shape.rank >= 1, x.shape.cols == w.shape[1] else {
            throw .shape("linear: input \(x.shape) does not fit weight \(w.shape); needs [.., in] and [out, in]")
        }
        let (rows, inputs, outputs) = (x.shape.rows, w.shape[1], w.shape[0])
        if let bias, bias.shape.count != outputs || bias.shape.rows != 1 || bias.shape.rank > 2 {
            throw .shape("linear: bias \(bias.shape) does not fit weight \(w.shape); needs [\(outputs)]")
        }
        let y = arena.allocate(rows * outputs)
        // The bias goes in first, so the product accumulates onto it.
        if let biasID {
            for r in 0..<rows { (y + r * outputs).update(from: node(biasID).value, count: outputs) }
        }
        Kernels.gemmNT(
            m: rows, n: outputs, k: inputs, a: node(input).value, lda: inputs,
            b: node(weight).value, ldb: inputs, c: y, ldc: outputs, accumulate: biasID != nil)
        return record(
            .matrix(.linear(input: input, weight: weight, bias: biasID)),
            shape: x.shape.replacingLast(with: outputs), value: y,
            requiresGrad: requiresGrad(input, weight, biasID))
    }

    /// y = x·Wᵀ + b: dx += dy·W, dW += dyᵀ·x, db += Σ_rows dy.
    private func backwardLinear(
        _ id: NodeID, _ dy: UnsafeMutablePointer<Float>,
        input: NodeID, weight: NodeID, bias: NodeID?
    ) {
        let (x, w) = (node(input), node(weight))
        let (rows, inputs, outputs) = (x.shape.rows, w.shape[1], w.shape[0])
        if let dx = x.grad {
            Kernels.gemmNN(
                m: rows, n: inputs, k: outputs, a: dy, lda: outputs, b: w.value, ldb: inputs,
                c: dx, ldc: inputs, accumulate: true)
        }
        if let dw = w.grad {
            if w.op.isParameter {
                // A parameter's gradient from every use waits for one product at the end.
                deferredWeightGradients.append(DeferredWeightGradient(linear: id, input: input, weight: weight))
            } else {
                Kernels.gemmTN(
                    m: outputs, n: inputs, k: rows, a: dy, lda: outputs, b: x.value, ldb: inputs,
                    c: dw, ldc: inputs, accumulate: true)
            }
        }
        if let bias, let db = node(bias).grad {
            for r in 0..<rows { Kernels.axpy(1, dy + r * outputs, db, outputs) }
        }
    }

    /// dW += Σ_uses dyᵀ·x for every parameter used as a linear layer's weight, as one product
    /// per parameter: the rows (dy, x) of all its uses are gathered side by side first. A cell
    /// unrolled over a name uses its weights once per letter; this writes each weight's
    /// gradient once instead of once per letter.
    func applyDeferredWeightGradients() {
        guard !deferredWeightGradients.isEmpty else { return }
        // Group the uses by parameter (its gradient buffer), keeping the order of the tape.
        deferredWeightGradients.sort { a, b in
            let (ga, gb) = (node(a.weight).grad!, node(b.weight).grad!)
            return ga != gb ? ga < gb : a.linear < b.linear
        }
        var start = 0
        while start < deferredWeightGradients.count {
            let weight = node(deferredWeightGradients[start].weight)
            var end = start
            var rows = 0
            while end < deferredWeightGradients.count, node(deferredWeightGradients[end].weight).grad == weight.grad {
                rows += node(deferredWeightGradients[end].input).shape.rows
                end += 1
            }
            let (inputs, outputs) = (weight.shape[1], weight.shape[0])
            let dys = arena.allocate(rows * outputs), xs = arena.allocate(rows * inputs)
            var row = 0
            for k in start..<end {
                let use = deferredWeightGradients[k]
                let x = node(use.input)
                let n = x.shape.rows
                (dys + row * outputs).update(from: node(use.linear).grad!, count: n * outputs)
                (xs + row * inputs).update(from: x.value, count: n * inputs)
                row += n
            }
            Kernels.gemmTN(
                m: outputs, n: inputs, k: rows, a: dys, lda: outputs, b: xs, ldb: inputs,
                c: weight.grad!, ldc: inputs, accumulate: true)
            start = end
        }
        deferredWeightGradients.removeAll(keepingCapacity: true)
    }
}
