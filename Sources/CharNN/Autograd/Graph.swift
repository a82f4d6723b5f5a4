/// Define-by-run reverse-mode automatic differentiation.
///
/// Every op called on a `Variable` computes its value at once and records a node on this
/// graph's tape; `backward(_:)` walks the tape in reverse and fills the gradient of every node
/// that needs one, accumulating into each `Parameter`'s gradient (so a parameter used at many
/// time steps gets the sum: backpropagation through time).
///
/// Values and gradients live in an arena and the tape keeps its capacity, so after `reset()`
/// the next step reuses the same memory: in steady state a training step allocates nothing.
///
/// ```swift
/// let g = Graph()
/// for (x, target) in data {
///     g.reset()
///     let logits = try g.constant(x).linear(g.parameter(w), bias: g.parameter(b))
///     let loss = try logits.crossEntropy(targets: [target])
///     try g.backward(loss)
///     optimizer.step()
/// }
/// ```
///
/// A graph is not thread-safe: use one per thread.
package final class Graph {
    /// The index of a node on the tape.
    typealias NodeID = Int32

    /// What made a node, with its operands by name. The ops come in families, each with its
    /// own enum in `Autograd/Ops/` next to its forward and backward code, so adding an op to a
    /// family touches that one file; the switches over them have no catch-all case, so the
    /// compiler names every place a new case must be handled.
    enum Op {
        /// An input or a constant (`constant`, `input`, `oneHot`).
        case constant
        /// A `Parameter`'s storage, read in place; its gradient accumulates into the parameter.
        case parameter
        case matrix(MatrixOp)
        case elementwise(ElementwiseOp)
        case shape(ShapeOp)
        case reduction(ReductionOp)
        case loss(LossOp)

        var isParameter: Bool {
            if case .parameter = self { return true }
            return false
        }

        /// Calls `body` with the node's operands (a closure rather than an array: no allocation).
        func forEachOperand(_ body: (NodeID) -> Void) {
            switch self {
            case .constant, .parameter: return
            case .matrix(let op): op.forEachOperand(body)
            case .elementwise(let op): op.forEachOperand(body)
            case .shape(let op): op.forEachOperand(body)
            case .reduction(let op): op.forEachOperand(body)
            case .loss(let op): op.forEachOperand(body)
            }
        }
    }

    /// One recorded value: what made it, and where its value and gradient are.
    struct Node {
        var op: Op
        var shape: Shape
        var value: UnsafeMutablePointer<Float>
        var grad: UnsafeMutablePointer<Float>?
        var requiresGrad: Bool
    }

    var nodes: [Node] = []
    /// Integer side data of nodes: cross-entropy targets, embedding indices.
    var indices: [Int32] = []
    let arena = Arena()
    /// The parameters used since the last reset, kept alive while nodes point into them.
    private var parameters: [Parameter] = []
    /// Scratch for `backward`: which nodes the output depends on, and the uses of parameters
    /// as linear weights whose gradients are summed at the end (`applyDeferredWeightGradients`).
    private var reachable: [Bool] = []
    var deferredWeightGradients: [DeferredWeightGradient] = []
    /// Bumped by `reset()`, so variables from an earlier step are refused instead of read.
    package private(set) var generation: UInt32 = 0

    /// When false, ops compute values but record nothing to differentiate (inference).
    package var isRecording = true

    package init() {}

    /// Forgets every node and gives their memory back for the next step. Variables made
    /// before the reset become invalid (ops on them throw).
    package func reset() {
        nodes.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
        parameters.removeAll(keepingCapacity: true)
        arena.reset()
        generation &+= 1
    }

    /// Runs `body` without recording gradients, like `torch.no_grad()`.
    package func withoutRecording<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let saved = isRecording
        isRecording = false
        defer { isRecording = saved }
        return try body()
    }

    package var nodeCount: Int { nodes.count }

    /// Buffers the graph has created since it was made: constant across steps in steady state.
    package var buffersCreated: Int { arena.buffersCreated }

    /// Storage capacity of the tape's arrays (nodes, indices): constant in steady state.
    package var tapeCapacity: Int {
        nodes.capacity + indices.capacity + parameters.capacity + reachable.capacity + deferredWeightGradients.capacity
    }

    // MARK: Leaves

    /// A value that needs no gradient (an input, a target), copied into the graph.
    package func constant(_ tensor: Tensor) -> Variable {
        leaf(tensor, requiresGrad: false)
    }

    /// An input whose gradient `backward` computes (read it with `grad`): for gradient checks.
    package func input(_ tensor: Tensor) -> Variable {
        leaf(tensor, requiresGrad: isRecording)
    }

    private func leaf(_ tensor: Tensor, requiresGrad: Bool) -> Variable {
        let p = arena.allocate(tensor.shape.count)
        tensor.scalars.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: $0.count) }
        return record(Node(op: .constant, shape: tensor.shape, value: p, requiresGrad: requiresGrad))
    }

    /// A trainable parameter: no copy, the node reads the parameter's storage and `backward`
    /// adds into its gradient.
    package func parameter(_ p: Parameter) -> Variable {
        parameters.append(p)
        return record(
            Node(
                op: .parameter, shape: p.shape, value: p.values,
                grad: isRecording ? p.grads : nil, requiresGrad: isRecording))
    }

    func record(_ node: Node) -> Variable {
        nodes.append(node)
        return Variable(graph: self, id: NodeID(nodes.count - 1), generation: generation, shape: node.shape)
    }

    /// Records the result of an op: `value` holds its `shape.count` values, computed already.
    func record(_ op: Op, shape: Shape, value: UnsafeMutablePointer<Float>, requiresGrad: Bool) -> Variable {
        record(Node(op: op, shape: shape, value: value, requiresGrad: requiresGrad))
    }

    /// The node of `v`, after checking that it belongs to this graph and this step.
    func id(of v: Variable) throws(CharNNError) -> NodeID {
        guard v.graph === self else { throw .invalidArgument("the variable belongs to another graph") }
        guard v.generation == generation, Int(v.id) < nodes.count else {
            throw .invalidArgument("the variable was made before the graph was reset")
        }
        return v.id
    }

    func node(_ id: NodeID) -> Node { nodes[Int(id)] }

    /// Whether an op on these operands needs a gradient. Fixed arities rather than a variadic
    /// list: no array per op.
    func requiresGrad(_ a: NodeID, _ b: NodeID? = nil, _ c: NodeID? = nil) -> Bool {
        guard isRecording else { return false }
        if nodes[Int(a)].requiresGrad { return true }
        if let b, nodes[Int(b)].requiresGrad { return true }
        if let c, nodes[Int(c)].requiresGrad { return true }
        return false
    }

    // MARK: Reading results

    /// A copy of the value of `v`.
    package func value(of v: Variable) throws(CharNNError) -> Tensor {
        let node = nodes[Int(try id(of: v))]
        return try Tensor(
            shape: node.shape, scalars: Array(UnsafeBufferPointer(start: node.value, count: node.shape.count)))
    }

    /// A copy of the gradient of `v` from the last `backward`, or nil when it has none (it does
    /// not require a gradient, or backward has not reached it).
    package func grad(of v: Variable) throws(CharNNError) -> Tensor? {
        let node = nodes[Int(try id(of: v))]
        guard let g = node.grad else { return nil }
        return try Tensor(shape: node.shape, scalars: Array(UnsafeBufferPointer(start: g, count: node.shape.count)))
    }

    // MARK: Backward

    /// Backpropagates from `output`: with no `seed`, `output` must hold one value (a loss) and
    /// its gradient starts at 1; otherwise `seed` (same shape) is the gradient flowing into it,
    /// like PyTorch's `y.backward(gradient=seed)`. Gradients of parameters accumulate; those of
    /// the graph's own nodes are recomputed by each call.
    package func backward(_ output: Variable, seed: Tensor? = nil) throws(CharNNError) {
        let out = Int(try id(of: output))
        guard nodes[out].requiresGrad else {
            throw .invalidArgument(
                "backward: the output does not depend on anything that requires a gradient"
                    + (isRecording ? "" : " (the graph is not recording)"))
        }
        if let seed {
            guard seed.shape.count == nodes[out].shape.count else {
                throw .shape("backward: seed of shape \(seed.shape) for an output of shape \(nodes[out].shape)")
            }
        } else {
            guard nodes[out].shape.count == 1 else {
                throw .shape(
                    "backward: the output has shape \(nodes[out].shape); give a seed gradient or reduce it to one value"
                )
            }
        }

        // Mark what the output depends on, so nodes off the path cost nothing.
        reachable.removeAll(keepingCapacity: true)
        reachable.append(contentsOf: repeatElement(false, count: out + 1))
        reachable[out] = true
        for i in stride(from: out, through: 0, by: -1) where reachable[i] && nodes[i].requiresGrad {
            nodes[i].op.forEachOperand { reachable[Int($0)] = true }
        }
        // A parameter's gradient is its own storage; every other node's starts at zero here.
        for i in 0...out where reachable[i] && nodes[i].requiresGrad && !nodes[i].op.isParameter {
            nodes[i].grad = arena.allocateZeroed(nodes[i].shape.count)
        }
        let seedPointer = nodes[out].grad!
        if let seed {
            for (i, v) in seed.scalars.enumerated() { seedPointer[i] += v }
        } else {
            seedPointer[0] += 1
        }
        for i in stride(from: out, through: 0, by: -1) where reachable[i] && nodes[i].requiresGrad {
            backwardStep(i)
        }
        applyDeferredWeightGradients()
    }

    /// Adds node `i`'s contribution to the gradients of its operands (vector-Jacobian
    /// products), by the rule of its op's family.
    private func backwardStep(_ i: Int) {
        let node = nodes[i]
        guard let dy = node.grad else { return }
        switch node.op {
        case .constant, .parameter: return
        case .matrix(let op): backward(op, of: NodeID(i), dy)
        case .elementwise(let op): backward(op, node, dy)
        case .shape(let op): backward(op, node, dy)
        case .reduction(let op): backward(op, dy)
        case .loss(let op): backward(op, node, dy)
        }
    }
}

/// A value recorded on a `Graph`: the result of an op, a constant or a parameter. A small
/// handle; its data lives in the graph until the graph is reset.
package struct Variable {
    package let graph: Graph
    let id: Graph.NodeID
    let generation: UInt32
    package let shape: Shape

    /// A copy of the value.
    package var value: Tensor { get throws(CharNNError) { try graph.value(of: self) } }

    /// A copy of the gradient from the last backward pass, if it has one.
    package var grad: Tensor? { get throws(CharNNError) { try graph.grad(of: self) } }

    /// The single value of a one-element variable (a loss).
    package var item: Float {
        get throws(CharNNError) {
            guard shape.count == 1 else { throw .shape("item: the variable has shape \(shape), not one value") }
            return try value.scalars[0]
        }
    }
}

// MARK: For language bindings (package access: CharNNExports, not apps)

extension Graph {
    /// The variable of node `index` recorded in step `generation` (a binding's handle decoded),
    /// or an error naming why it is no longer valid.
    package func variable(index: Int, generation: UInt32) throws(CharNNError) -> Variable {
        guard generation == self.generation else {
            throw .invalidArgument("the tensor was made before the graph was reset")
        }
        guard index >= 0 && index < nodes.count else {
            throw .invalidArgument("the tensor does not belong to this graph")
        }
        return Variable(graph: self, id: NodeID(index), generation: generation, shape: nodes[index].shape)
    }
}

extension Variable {
    /// The node's position on its graph's tape and the step it was made in (for bindings' handles).
    package var index: Int { Int(id) }
    package var step: UInt32 { generation }
}
