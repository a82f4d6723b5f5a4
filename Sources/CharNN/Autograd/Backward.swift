/// The gradient rule of every op: given the gradient of a node's output (`dy`), add its
/// contribution to the gradients of the node's inputs (vector-Jacobian products).
extension Graph {
    /// dW += Σ_uses dyᵀ·x for every parameter used as a linear layer's weight, as one product
    /// per parameter: the rows (dy, x) of all its uses are gathered side by side first. A cell
    /// unrolled over a name uses its weights once per letter; this writes each weight's
    /// gradient once instead of once per letter.
    func applyDeferredWeightGradients() {
        guard !deferredWeightGradients.isEmpty else { return }
        // Group the uses by parameter (its gradient buffer), keeping the order of the tape.
        deferredWeightGradients.sort { a, b in
            let (ga, gb) = (nodes[Int(nodes[Int(a)].b)].grad!, nodes[Int(nodes[Int(b)].b)].grad!)
            return ga != gb ? ga < gb : a < b
        }
        var start = 0
        while start < deferredWeightGradients.count {
            let first = nodes[Int(deferredWeightGradients[start])]
            let weight = nodes[Int(first.b)]
            var end = start
            var rows = 0
            while end < deferredWeightGradients.count, nodes[Int(nodes[Int(deferredWeightGradients[end])].b)].grad == weight.grad {
                rows += nodes[Int(nodes[Int(deferredWeightGradients[end])].a)].shape.rows
                end += 1
            }
            let (inputs, outputs) = (weight.shape[1], weight.shape[0])
            let dys = arena.allocate(rows * outputs), xs = arena.allocate(rows * inputs)
            var row = 0
            for k in start..<end {
                let node = nodes[Int(deferredWeightGradients[k])]
                let x = nodes[Int(node.a)]
                let n = x.shape.rows
                (dys + row * outputs).update(from: node.grad!, count: n * outputs)
                (xs + row * inputs).update(from: x.value, count: n * inputs)
                row += n
            }
            Kernels.gemmTN(m: outputs, n: inputs, k: rows, a: dys, lda: outputs, b: xs, ldb: inputs,
                           c: weight.grad!, ldc: inputs, accumulate: true)
            start = end
        }
        deferredWeightGradients.removeAll(keepingCapacity: true)
    }

    func backwardStep(_ i: Int) {
        let node = nodes[i]
        guard let dy = node.grad else { return }
        let n = node.shape.count
        switch node.op {
        case .constant, .parameter:
            return

        case .matmul:
            // C = A·B: dA += dC·Bᵀ, dB += Aᵀ·dC.
            let (a, b) = (nodes[Int(node.a)], nodes[Int(node.b)])
            let (m, k, cols) = (a.shape[0], a.shape[1], b.shape[1])
            if let da = a.grad {
                Kernels.gemmNT(m: m, n: k, k: cols, a: dy, lda: cols, b: b.value, ldb: cols, c: da, ldc: k, accumulate: true)
            }
            if let db = b.grad {
                Kernels.gemmTN(m: k, n: cols, k: m, a: a.value, lda: k, b: dy, ldb: cols, c: db, ldc: cols, accumulate: true)
            }

        case .linear:
            // y = x·Wᵀ + b: dx += dy·W, dW += dyᵀ·x, db += Σ_rows dy.
            let (x, w) = (nodes[Int(node.a)], nodes[Int(node.b)])
            let (rows, inputs, outputs) = (x.shape.rows, w.shape[1], w.shape[0])
            if let dx = x.grad {
                Kernels.gemmNN(m: rows, n: inputs, k: outputs, a: dy, lda: outputs, b: w.value, ldb: inputs,
                               c: dx, ldc: inputs, accumulate: true)
            }
            if let dw = w.grad {
                if w.op == .parameter {
                    // A parameter's gradient from every use waits for one product at the end.
                    deferredWeightGradients.append(Int32(i))
                } else {
                    Kernels.gemmTN(m: outputs, n: inputs, k: rows, a: dy, lda: outputs, b: x.value, ldb: inputs,
                                   c: dw, ldc: inputs, accumulate: true)
                }
            }
            if node.c >= 0, let db = nodes[Int(node.c)].grad {
                for r in 0..<rows { Kernels.axpy(1, dy + r * outputs, db, outputs) }
            }

        case .add, .sub, .mul:
            let (a, b) = (nodes[Int(node.a)], nodes[Int(node.b)])
            let cols = node.shape.cols
            let broadcast = node.arg == 1
            if let da = a.grad {
                switch node.op {
                case .mul: for j in 0..<n { da[j] += dy[j] * b.value[broadcast ? j % cols : j] }
                default: for j in 0..<n { da[j] += dy[j] }
                }
            }
            if let db = b.grad {
                for j in 0..<n {
                    let target = broadcast ? j % cols : j
                    switch node.op {
                    case .add: db[target] += dy[j]
                    case .sub: db[target] -= dy[j]
                    default: db[target] += dy[j] * a.value[j]
                    }
                }
            }

        case .concat:
            let (a, b) = (nodes[Int(node.a)], nodes[Int(node.b)])
            let (rows, ca, cb) = (node.shape[0], a.shape[1], b.shape[1])
            for r in 0..<rows {
                if let da = a.grad { Kernels.axpy(1, dy + r * (ca + cb), da + r * ca, ca) }
                if let db = b.grad { Kernels.axpy(1, dy + r * (ca + cb) + ca, db + r * cb, cb) }
            }

        case .slice:
            let x = nodes[Int(node.a)]
            guard let dx = x.grad else { return }
            let (rows, width, cols) = (node.shape[0], node.shape[1], x.shape[1])
            for r in 0..<rows { Kernels.axpy(1, dy + r * width, dx + r * cols + node.arg, width) }

        case .sigmoid, .tanh, .relu, .exp, .log:
            let x = nodes[Int(node.a)]
            guard let dx = x.grad else { return }
            let y = node.value
            switch node.op {
            case .sigmoid: for j in 0..<n { dx[j] += dy[j] * y[j] * (1 - y[j]) }
            case .tanh: for j in 0..<n { dx[j] += dy[j] * (1 - y[j] * y[j]) }
            case .relu: for j in 0..<n where y[j] > 0 { dx[j] += dy[j] }
            case .exp: for j in 0..<n { dx[j] += dy[j] * y[j] }
            default: for j in 0..<n { dx[j] += dy[j] / x.value[j] }
            }

        case .sum, .mean:
            let x = nodes[Int(node.a)]
            guard let dx = x.grad else { return }
            let count = x.shape.count
            let g = node.op == .sum ? dy[0] : dy[0] / Float(count)
            for j in 0..<count { dx[j] += g }

        case .logSoftmax:
            // dx = dy - softmax · Σ dy, row by row (softmax = exp(y)).
            let x = nodes[Int(node.a)]
            guard let dx = x.grad else { return }
            let (rows, cols) = (node.shape.rows, node.shape.cols)
            for r in 0..<rows {
                let (g, y, d) = (dy + r * cols, node.value + r * cols, dx + r * cols)
                var total: Float = 0
                for j in 0..<cols { total += g[j] }
                for j in 0..<cols { d[j] += g[j] - Math.exp(y[j]) * total }
            }

        case .crossEntropy:
            // d logits = (softmax − onehot(target)) · dy / batch.
            let x = nodes[Int(node.a)]
            guard let dx = x.grad, let p = node.saved else { return }
            let (rows, classes) = (x.shape.rows, x.shape.cols)
            let scale = dy[0] / Float(rows)
            for r in 0..<rows {
                let target = Int(indices[node.arg + r])
                for j in 0..<classes {
                    dx[r * classes + j] += scale * (p[r * classes + j] - (j == target ? 1 : 0))
                }
            }

        case .embedding:
            let table = nodes[Int(node.a)]
            guard let dt = table.grad else { return }
            let (rows, width) = (node.shape[0], node.shape[1])
            for r in 0..<rows {
                Kernels.axpy(1, dy + r * width, dt + Int(indices[node.arg + r]) * width, width)
            }
        }
    }
}
