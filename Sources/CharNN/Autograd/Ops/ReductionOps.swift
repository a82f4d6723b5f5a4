/// Reductions of all elements to one value: `sum` and `mean`, each op's forward next to its
/// gradient rule.
enum ReductionOp {
    case sum(input: Graph.NodeID)
    case mean(input: Graph.NodeID)

    func forEachOperand(_ body: (Graph.NodeID) -> Void) {
        switch self {
        case let .sum(input), let .mean(input):
            body(input)
        }
    }
}

extension Variable {
    /// Sum of all elements → a scalar.
    package func sum() throws(CharNNError) -> Variable { try graph.sum(self) }
    /// Mean of all elements → a scalar.
    package func mean() throws(CharNNError) -> Variable { try graph.mean(self) }
}

extension Graph {
    func backward(_ op: ReductionOp, _ dy: UnsafeMutablePointer<Float>) {
        switch op {
        case let .sum(input): backwardSum(dy, input: input)
        case let .mean(input): backwardMean(dy, input: input)
        }
    }

    /// The sum of the values of node `input`.
    private func total(of input: NodeID) -> Float {
        let x = node(input)
        var total: Float = 0
        for i in 0..<x.shape.count { total += x.value[i] }
        return total
    }

    // MARK: sum

    func sum(_ x: Variable) throws(CharNNError) -> Variable {
        let input = try id(of: x)
        let y = arena.allocate(1)
        y[0] = total(of: input)
        return record(.reduction(.sum(input: input)), shape: .scalar, value: y, requiresGrad: requiresGrad(input))
    }

    /// Every element gets dy.
    private func backwardSum(_ dy: UnsafeMutablePointer<Float>, input: NodeID) {
        let x = node(input)
        guard let dx = x.grad else { return }
        for j in 0..<x.shape.count { dx[j] += dy[0] }
    }

    // MARK: mean

    func mean(_ x: Variable) throws(CharNNError) -> Variable {
        let input = try id(of: x)
        let y = arena.allocate(1)
        y[0] = total(of: input) / Float(x.shape.count)
        return record(.reduction(.mean(input: input)), shape: .scalar, value: y, requiresGrad: requiresGrad(input))
    }

    /// Every element gets dy / count.
    private func backwardMean(_ dy: UnsafeMutablePointer<Float>, input: NodeID) {
        let x = node(input)
        guard let dx = x.grad else { return }
        let g = dy[0] / Float(x.shape.count)
        for j in 0..<x.shape.count { dx[j] += g }
    }
}
