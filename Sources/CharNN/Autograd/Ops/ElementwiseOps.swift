/// Elementwise ops: arithmetic on two operands (the second may be one row broadcast to every
/// row of the first) and functions of one. Each op's forward is next to its gradient rule.
enum ElementwiseOp {
    /// With `rowBroadcast`, `rhs` is one row ([cols] or [1, cols]) applied to every row of `lhs`.
    case add(lhs: Graph.NodeID, rhs: Graph.NodeID, rowBroadcast: Bool)
    case sub(lhs: Graph.NodeID, rhs: Graph.NodeID, rowBroadcast: Bool)
    case mul(lhs: Graph.NodeID, rhs: Graph.NodeID, rowBroadcast: Bool)
    case sigmoid(input: Graph.NodeID)
    case tanh(input: Graph.NodeID)
    case relu(input: Graph.NodeID)
    case exp(input: Graph.NodeID)
    case log(input: Graph.NodeID)

    func forEachOperand(_ body: (Graph.NodeID) -> Void) {
        switch self {
        case let .add(lhs, rhs, _), let .sub(lhs, rhs, _), let .mul(lhs, rhs, _):
            body(lhs)
            body(rhs)
        case let .sigmoid(input), let .tanh(input), let .relu(input), let .exp(input), let .log(input):
            body(input)
        }
    }
}

extension Variable {
    /// Elementwise sum; `other` may also be one row ([cols] or [1, cols]) added to every row.
    package func add(_ other: Variable) throws(CharNNError) -> Variable { try graph.add(self, other) }
    /// Elementwise difference, with the same broadcasting as `add`.
    package func sub(_ other: Variable) throws(CharNNError) -> Variable { try graph.sub(self, other) }
    /// Elementwise product, with the same broadcasting as `add`.
    package func mul(_ other: Variable) throws(CharNNError) -> Variable { try graph.mul(self, other) }

    package static func + (a: Variable, b: Variable) throws(CharNNError) -> Variable { try a.add(b) }
    package static func - (a: Variable, b: Variable) throws(CharNNError) -> Variable { try a.sub(b) }
    package static func * (a: Variable, b: Variable) throws(CharNNError) -> Variable { try a.mul(b) }

    package func sigmoid() throws(CharNNError) -> Variable { try graph.sigmoid(self) }
    package func tanh() throws(CharNNError) -> Variable { try graph.tanh(self) }
    package func relu() throws(CharNNError) -> Variable { try graph.relu(self) }
    package func exp() throws(CharNNError) -> Variable { try graph.exp(self) }
    /// Natural logarithm (of positive values; log 0 is -inf, as in PyTorch).
    package func log() throws(CharNNError) -> Variable { try graph.log(self) }
}

extension Graph {
    func backward(_ op: ElementwiseOp, _ node: Node, _ dy: UnsafeMutablePointer<Float>) {
        switch op {
        case let .add(lhs, rhs, rowBroadcast): backwardAdd(node, dy, lhs: lhs, rhs: rhs, rowBroadcast: rowBroadcast)
        case let .sub(lhs, rhs, rowBroadcast): backwardSub(node, dy, lhs: lhs, rhs: rhs, rowBroadcast: rowBroadcast)
        case let .mul(lhs, rhs, rowBroadcast): backwardMul(node, dy, lhs: lhs, rhs: rhs, rowBroadcast: rowBroadcast)
        case let .sigmoid(input): backwardSigmoid(node, dy, input: input)
        case let .tanh(input): backwardTanh(node, dy, input: input)
        case let .relu(input): backwardRelu(node, dy, input: input)
        case let .exp(input): backwardExp(node, dy, input: input)
        case let .log(input): backwardLog(node, dy, input: input)
        }
    }

    // MARK: Two operands

    /// The operands of `name` and whether the second is one row for every row of the first.
    private func binaryOperands(_ name: String, _ a: Variable, _ b: Variable)
        throws(CharNNError) -> (lhs: NodeID, rhs: NodeID, rowBroadcast: Bool)
    {
        let lhs = try id(of: a), rhs = try id(of: b)
        if a.shape == b.shape { return (lhs, rhs, false) }
        guard b.shape.rank <= 2, b.shape.rows == 1, b.shape.cols == a.shape.cols, a.shape.rank >= 1 else {
            throw .shape(
                "\(name): shapes \(a.shape) and \(b.shape) differ, and the second is not one row of \(a.shape.cols)")
        }
        return (lhs, rhs, true)
    }

    /// Where element `i` of the result reads (and sends its gradient to) the second operand.
    @inline(__always)
    private func rhsIndex(_ i: Int, cols: Int, rowBroadcast: Bool) -> Int { rowBroadcast ? i % cols : i }

    func add(_ a: Variable, _ b: Variable) throws(CharNNError) -> Variable {
        let (lhs, rhs, rowBroadcast) = try binaryOperands("add", a, b)
        let (n, cols, pa, pb) = (a.shape.count, a.shape.cols, node(lhs).value, node(rhs).value)
        let y = arena.allocate(n)
        for i in 0..<n { y[i] = pa[i] + pb[rhsIndex(i, cols: cols, rowBroadcast: rowBroadcast)] }
        return record(
            .elementwise(.add(lhs: lhs, rhs: rhs, rowBroadcast: rowBroadcast)), shape: a.shape, value: y,
            requiresGrad: requiresGrad(lhs, rhs))
    }

    /// y = a + b: da += dy, db += dy (summed over rows when b was broadcast).
    private func backwardAdd(
        _ node: Node, _ dy: UnsafeMutablePointer<Float>, lhs: NodeID, rhs: NodeID, rowBroadcast: Bool
    ) {
        let (n, cols) = (node.shape.count, node.shape.cols)
        if let da = self.node(lhs).grad { for j in 0..<n { da[j] += dy[j] } }
        if let db = self.node(rhs).grad {
            for j in 0..<n { db[rhsIndex(j, cols: cols, rowBroadcast: rowBroadcast)] += dy[j] }
        }
    }

    func sub(_ a: Variable, _ b: Variable) throws(CharNNError) -> Variable {
        let (lhs, rhs, rowBroadcast) = try binaryOperands("sub", a, b)
        let (n, cols, pa, pb) = (a.shape.count, a.shape.cols, node(lhs).value, node(rhs).value)
        let y = arena.allocate(n)
        for i in 0..<n { y[i] = pa[i] - pb[rhsIndex(i, cols: cols, rowBroadcast: rowBroadcast)] }
        return record(
            .elementwise(.sub(lhs: lhs, rhs: rhs, rowBroadcast: rowBroadcast)), shape: a.shape, value: y,
            requiresGrad: requiresGrad(lhs, rhs))
    }

    /// y = a − b: da += dy, db −= dy.
    private func backwardSub(
        _ node: Node, _ dy: UnsafeMutablePointer<Float>, lhs: NodeID, rhs: NodeID, rowBroadcast: Bool
    ) {
        let (n, cols) = (node.shape.count, node.shape.cols)
        if let da = self.node(lhs).grad { for j in 0..<n { da[j] += dy[j] } }
        if let db = self.node(rhs).grad {
            for j in 0..<n { db[rhsIndex(j, cols: cols, rowBroadcast: rowBroadcast)] -= dy[j] }
        }
    }

    func mul(_ a: Variable, _ b: Variable) throws(CharNNError) -> Variable {
        let (lhs, rhs, rowBroadcast) = try binaryOperands("mul", a, b)
        let (n, cols, pa, pb) = (a.shape.count, a.shape.cols, node(lhs).value, node(rhs).value)
        let y = arena.allocate(n)
        for i in 0..<n { y[i] = pa[i] * pb[rhsIndex(i, cols: cols, rowBroadcast: rowBroadcast)] }
        return record(
            .elementwise(.mul(lhs: lhs, rhs: rhs, rowBroadcast: rowBroadcast)), shape: a.shape, value: y,
            requiresGrad: requiresGrad(lhs, rhs))
    }

    /// y = a · b: da += dy · b, db += dy · a.
    private func backwardMul(
        _ node: Node, _ dy: UnsafeMutablePointer<Float>, lhs: NodeID, rhs: NodeID, rowBroadcast: Bool
    ) {
        let (n, cols) = (node.shape.count, node.shape.cols)
        let (a, b) = (self.node(lhs), self.node(rhs))
        if let da = a.grad {
            for j in 0..<n { da[j] += dy[j] * b.value[rhsIndex(j, cols: cols, rowBroadcast: rowBroadcast)] }
        }
        if let db = b.grad {
            for j in 0..<n { db[rhsIndex(j, cols: cols, rowBroadcast: rowBroadcast)] += dy[j] * a.value[j] }
        }
    }

    // MARK: One operand

    /// Records `op(x)`, its values written by `forward(x, y, count)`.
    private func unary(
        _ x: Variable, _ op: (NodeID) -> ElementwiseOp,
        _ forward: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    )
        throws(CharNNError) -> Variable
    {
        let input = try id(of: x)
        let n = x.shape.count
        let y = arena.allocate(n)
        forward(node(input).value, y, n)
        return record(.elementwise(op(input)), shape: x.shape, value: y, requiresGrad: requiresGrad(input))
    }

    func sigmoid(_ x: Variable) throws(CharNNError) -> Variable {
        try unary(x, { .sigmoid(input: $0) }) { x, y, n in Math.sigmoid(x, y, n) }
    }

    /// dx += dy · y(1 − y).
    private func backwardSigmoid(_ node: Node, _ dy: UnsafeMutablePointer<Float>, input: NodeID) {
        guard let dx = self.node(input).grad else { return }
        let y = node.value
        for j in 0..<node.shape.count { dx[j] += dy[j] * y[j] * (1 - y[j]) }
    }

    func tanh(_ x: Variable) throws(CharNNError) -> Variable {
        try unary(x, { .tanh(input: $0) }) { x, y, n in Math.tanh(x, y, n) }
    }

    /// dx += dy · (1 − y²).
    private func backwardTanh(_ node: Node, _ dy: UnsafeMutablePointer<Float>, input: NodeID) {
        guard let dx = self.node(input).grad else { return }
        let y = node.value
        for j in 0..<node.shape.count { dx[j] += dy[j] * (1 - y[j] * y[j]) }
    }

    func relu(_ x: Variable) throws(CharNNError) -> Variable {
        try unary(x, { .relu(input: $0) }) { x, y, n in for i in 0..<n { y[i] = max(x[i], 0) } }
    }

    /// dx += dy where the output is positive.
    private func backwardRelu(_ node: Node, _ dy: UnsafeMutablePointer<Float>, input: NodeID) {
        guard let dx = self.node(input).grad else { return }
        let y = node.value
        for j in 0..<node.shape.count where y[j] > 0 { dx[j] += dy[j] }
    }

    func exp(_ x: Variable) throws(CharNNError) -> Variable {
        try unary(x, { .exp(input: $0) }) { x, y, n in Math.exp(x, y, n) }
    }

    /// dx += dy · y (the derivative of exp is itself).
    private func backwardExp(_ node: Node, _ dy: UnsafeMutablePointer<Float>, input: NodeID) {
        guard let dx = self.node(input).grad else { return }
        let y = node.value
        for j in 0..<node.shape.count { dx[j] += dy[j] * y[j] }
    }

    func log(_ x: Variable) throws(CharNNError) -> Variable {
        try unary(x, { .log(input: $0) }) { x, y, n in for i in 0..<n { y[i] = Math.log(x[i]) } }
    }

    /// dx += dy / x.
    private func backwardLog(_ node: Node, _ dy: UnsafeMutablePointer<Float>, input: NodeID) {
        let x = self.node(input)
        guard let dx = x.grad else { return }
        for j in 0..<node.shape.count { dx[j] += dy[j] / x.value[j] }
    }
}
