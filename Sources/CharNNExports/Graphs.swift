import CCharNN
@_spi(Bindings) import CharNN

// charnn_graph_* and charnn_tensor_* / charnn_parameter_*: the autodiff graph behind handles.
//
// A parameter is a registered object like a model. A tensor made on a graph is not: its handle
// encodes (graph id, step, node index) in one tagged word, so making one allocates nothing and
// charnn_graph_reset invalidates them all at once. Bit 0 is set (object addresses never have
// it), bits 1-20 hold the graph id, 21-40 the step (mod 2^20), 41-63 the node index.

enum TensorHandle {
    static let idBits = 20, stepBits = 20, indexBits = 23
    static let maxIndex = (1 << indexBits) - 1

    static func encode(graph: UInt64, step: UInt32, index: Int) -> OpaquePointer {
        let word = 1 | graph << 1 | (UInt64(step) & ((1 << UInt64(stepBits)) - 1)) << 21 | UInt64(index) << 41
        return OpaquePointer(bitPattern: UInt(word))!
    }

    /// (graph id, step mod 2^20, index) of a graph tensor's handle; nil for any other pointer.
    static func decode(_ handle: OpaquePointer) -> (graph: UInt64, step: UInt32, index: Int)? {
        let word = UInt64(UInt(bitPattern: handle))
        guard word & 1 == 1 else { return nil }
        return (
            (word >> 1) & ((1 << UInt64(idBits)) - 1), UInt32((word >> 21) & ((1 << UInt64(stepBits)) - 1)),
            Int(word >> 41)
        )
    }
}

final class GraphBox {
    let graph = Graph()
    let id: UInt64

    init(id: UInt64) { self.id = id }

    /// Live graphs by id, to read a tensor from its handle alone.
    private struct Registry { var byID: [UInt64: GraphBox] = [:]; var lastID: UInt64 = 0 }
    private static let registry = Locked(Registry())

    static func create() -> GraphBox {
        registry.withLock { r in
            // Ids wrap after 2^20 - 1 graphs; skip ones still alive.
            repeat { r.lastID = r.lastID % ((1 << UInt64(TensorHandle.idBits)) - 1) + 1 } while r.byID[r.lastID] != nil
            let box = GraphBox(id: r.lastID)
            r.byID[r.lastID] = box
            return box
        }
    }

    static func forget(_ id: UInt64) { _ = registry.withLock { $0.byID.removeValue(forKey: id) } }

    static func withID(_ id: UInt64) -> GraphBox? { registry.withLock { $0.byID[id] } }

    static func from(_ handle: OpaquePointer?, _ argument: String = "graph") throws -> GraphBox {
        try Handles.object(handle, .graph, argument)
    }

    var currentStep: UInt32 { graph.generation & ((1 << UInt32(TensorHandle.stepBits)) - 1) }

    /// A tensor argument of an op on this graph: one of its tensors, or a parameter (recorded
    /// as a leaf of the graph each time it is used).
    func operand(_ handle: OpaquePointer?, _ argument: String) throws -> Variable {
        guard let handle else { throw APIError.invalid("\(argument) is NULL") }
        if let (graphID, step, index) = TensorHandle.decode(handle) {
            guard graphID == id else { throw APIError.invalid("\(argument) was made on another graph") }
            guard step == currentStep else { throw APIError.invalid("\(argument) was made before the graph was reset") }
            return try graph.variable(index: index, generation: graph.generation)
        }
        let parameter: Parameter = try Handles.object(handle, .parameter, argument)
        return graph.parameter(parameter)
    }

    func handle(of v: Variable) throws -> OpaquePointer {
        guard v.index <= TensorHandle.maxIndex else {
            throw APIError.invalid("the graph holds \(TensorHandle.maxIndex) tensors, its limit; reset it")
        }
        return TensorHandle.encode(graph: id, step: currentStep, index: v.index)
    }
}

/// What a tensor handle points at: a graph's tensor or a parameter.
enum TensorRef {
    case node(Variable)
    case parameter(Parameter)

    init(_ handle: OpaquePointer?, _ argument: String = "tensor") throws {
        guard let handle else { throw APIError.invalid("\(argument) is NULL") }
        if let (graphID, step, index) = TensorHandle.decode(handle) {
            guard let box = GraphBox.withID(graphID) else {
                throw APIError(CHARNN_INVALID_HANDLE, "\(argument)'s graph was freed")
            }
            guard step == box.currentStep else {
                throw APIError.invalid("\(argument) was made before its graph was reset")
            }
            self = .node(try box.graph.variable(index: index, generation: box.graph.generation))
        } else {
            self = .parameter(try Handles.object(handle, .parameter, argument))
        }
    }

    var shape: Shape {
        switch self {
        case .node(let v): return v.shape
        case .parameter(let p): return p.shape
        }
    }

    var value: Tensor {
        get throws {
            switch self {
            case .node(let v): return try v.value
            case .parameter(let p): return p.value
            }
        }
    }

    var grad: Tensor? {
        get throws {
            switch self {
            case .node(let v): return try v.grad
            case .parameter(let p): return p.grad
            }
        }
    }
}

/// A shape argument: rank dimensions (rank 0 is a scalar and shape may be NULL).
func shapeArgument(_ shape: UnsafePointer<Int64>?, _ rank: Int) throws -> Shape {
    guard rank >= 0 && rank <= Shape.maxRank else {
        throw APIError(CHARNN_SHAPE_MISMATCH, "rank \(UInt(bitPattern: rank)) is above the maximum of \(Shape.maxRank)")
    }
    guard rank == 0 || shape != nil else { throw APIError.invalid("shape is NULL but rank is \(rank)") }
    var dims: [Int] = []
    for i in 0..<rank {
        let d = shape![i]
        guard d >= 1 && d <= Int64(Shape.maxCount) else {
            throw APIError(CHARNN_SHAPE_MISMATCH, "dimension \(i) is \(d); dimensions must be at least 1")
        }
        dims.append(Int(d))
    }
    do { return try Shape(validating: dims) } catch { throw APIError(CHARNN_SHAPE_MISMATCH, error.message) }
}

func floats(_ data: UnsafePointer<Float>?, _ count: Int) -> [Float] {
    guard let data else { return [Float](repeating: 0, count: count) }
    return Array(UnsafeBufferPointer(start: data, count: count))
}

/// Copies a tensor into a caller buffer of `capacity` elements.
func copyOut(_ tensor: Tensor, _ out: UnsafeMutablePointer<Float>?, _ capacity: Int) throws {
    guard capacity >= tensor.shape.count else {
        throw APIError(
            CHARNN_BUFFER_TOO_SMALL,
            "the tensor has \(tensor.shape.count) elements, capacity is \(UInt(bitPattern: capacity))")
    }
    guard let out else { throw APIError.invalid("out is NULL") }
    for (i, v) in tensor.scalars.enumerated() { out[i] = v }
}

// MARK: Graphs

@c @implementation
public func charnn_graph_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> charnn_status {
    api("charnn_graph_create") {
        guard let out else { throw APIError.invalid("out is NULL") }
        out.pointee = Handles.register(GraphBox.create(), .graph)
    }
}

@c @implementation
public func charnn_graph_reset(_ graph: OpaquePointer?) -> charnn_status {
    api("charnn_graph_reset") { try GraphBox.from(graph).graph.reset() }
}

@c @implementation
public func charnn_graph_set_recording(_ graph: OpaquePointer?, _ enabled: Int32) -> charnn_status {
    api("charnn_graph_set_recording") { try GraphBox.from(graph).graph.isRecording = enabled != 0 }
}

@c @implementation
public func charnn_graph_free(_ graph: OpaquePointer?) {
    if let box: GraphBox = try? Handles.object(graph, .graph, "graph") { GraphBox.forget(box.id) }
    Handles.free(graph, .graph)
}

// MARK: Tensors and parameters

private func makeTensor(
    _ graph: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?, requiresGrad: Bool = false,
    _ make: () throws -> Tensor
) throws {
    guard let out else { throw APIError.invalid("out is NULL") }
    let box = try GraphBox.from(graph)
    let tensor = try make()
    out.pointee = try box.handle(of: requiresGrad ? box.graph.input(tensor) : box.graph.constant(tensor))
}

// The constructors, each under its 0.4 name and its deprecated one (charnn.h, "Deprecated
// names"): one body, named in error messages by the name it was called by.

private func tensorCreate(
    _ function: StaticString, _ graph: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ rank: Int,
    _ data: UnsafePointer<Float>?, _ requiresGrad: Int32,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api(function) {
        try makeTensor(graph, out, requiresGrad: requiresGrad != 0) {
            let s = try shapeArgument(shape, rank)
            return try Tensor(shape: s, scalars: floats(data, s.count))
        }
    }
}

private func tensorCreateUniform(
    _ function: StaticString, _ graph: OpaquePointer?, _ shape: UnsafePointer<Int64>?,
    _ rank: Int, _ low: Float, _ high: Float, _ seed: UInt64,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api(function) {
        guard low.isFinite, high.isFinite, low <= high else {
            throw APIError.invalid("the range [\(low), \(high)) is not finite and ordered")
        }
        try makeTensor(graph, out) {
            var rng = Xoshiro256(seed: seed)
            return Tensor.uniform(try shapeArgument(shape, rank), low: low, high: high, using: &rng)
        }
    }
}

private func tensorCreateKaimingUniform(
    _ function: StaticString, _ graph: OpaquePointer?, _ shape: UnsafePointer<Int64>?,
    _ rank: Int, _ seed: UInt64,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api(function) {
        try makeTensor(graph, out) {
            var rng = Xoshiro256(seed: seed)
            return Tensor.kaimingUniform(try shapeArgument(shape, rank), using: &rng)
        }
    }
}

private func parameterCreate(
    _ function: StaticString, _ shape: UnsafePointer<Int64>?, _ rank: Int,
    _ data: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api(function) {
        guard let out else { throw APIError.invalid("out is NULL") }
        let s = try shapeArgument(shape, rank)
        out.pointee = Handles.register(Parameter(try Tensor(shape: s, scalars: floats(data, s.count))), .parameter)
    }
}

private func parameterCreateUniform(
    _ function: StaticString, _ shape: UnsafePointer<Int64>?, _ rank: Int, _ low: Float,
    _ high: Float, _ seed: UInt64,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api(function) {
        guard let out else { throw APIError.invalid("out is NULL") }
        guard low.isFinite, high.isFinite, low <= high else {
            throw APIError.invalid("the range [\(low), \(high)) is not finite and ordered")
        }
        var rng = Xoshiro256(seed: seed)
        out.pointee = Handles.register(
            Parameter(.uniform(try shapeArgument(shape, rank), low: low, high: high, using: &rng)),
            .parameter)
    }
}

@c @implementation
public func charnn_tensor_create(
    _ graph: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ rank: Int,
    _ data: UnsafePointer<Float>?, _ requiresGrad: Int32,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    tensorCreate("charnn_tensor_create", graph, shape, rank, data, requiresGrad, out)
}

@c @implementation
public func charnn_tensor_new(
    _ graph: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ rank: Int,
    _ data: UnsafePointer<Float>?, _ requiresGrad: Int32,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    tensorCreate("charnn_tensor_new", graph, shape, rank, data, requiresGrad, out)
}

@c @implementation
public func charnn_tensor_create_uniform(
    _ graph: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ rank: Int,
    _ low: Float, _ high: Float, _ seed: UInt64,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    tensorCreateUniform("charnn_tensor_create_uniform", graph, shape, rank, low, high, seed, out)
}

@c @implementation
public func charnn_tensor_uniform(
    _ graph: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ rank: Int, _ low: Float,
    _ high: Float, _ seed: UInt64, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    tensorCreateUniform("charnn_tensor_uniform", graph, shape, rank, low, high, seed, out)
}

@c @implementation
public func charnn_tensor_create_kaiming_uniform(
    _ graph: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ rank: Int,
    _ seed: UInt64,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    tensorCreateKaimingUniform("charnn_tensor_create_kaiming_uniform", graph, shape, rank, seed, out)
}

@c @implementation
public func charnn_tensor_kaiming_uniform(
    _ graph: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ rank: Int,
    _ seed: UInt64, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    tensorCreateKaimingUniform("charnn_tensor_kaiming_uniform", graph, shape, rank, seed, out)
}

@c @implementation
public func charnn_parameter_create(
    _ shape: UnsafePointer<Int64>?, _ rank: Int, _ data: UnsafePointer<Float>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    parameterCreate("charnn_parameter_create", shape, rank, data, out)
}

@c @implementation
public func charnn_parameter_new(
    _ shape: UnsafePointer<Int64>?, _ rank: Int, _ data: UnsafePointer<Float>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    parameterCreate("charnn_parameter_new", shape, rank, data, out)
}

@c @implementation
public func charnn_parameter_create_uniform(
    _ shape: UnsafePointer<Int64>?, _ rank: Int, _ low: Float, _ high: Float,
    _ seed: UInt64, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    parameterCreateUniform("charnn_parameter_create_uniform", shape, rank, low, high, seed, out)
}

@c @implementation
public func charnn_parameter_uniform(
    _ shape: UnsafePointer<Int64>?, _ rank: Int, _ low: Float, _ high: Float,
    _ seed: UInt64, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    parameterCreateUniform("charnn_parameter_uniform", shape, rank, low, high, seed, out)
}

@c @implementation
public func charnn_tensor_shape(
    _ tensor: OpaquePointer?, _ shape: UnsafeMutablePointer<Int64>?, _ capacity: Int,
    _ rank: UnsafeMutablePointer<Int>?
) -> charnn_status {
    api("charnn_tensor_shape") {
        let dims = try TensorRef(tensor).shape.dims
        rank?.pointee = dims.count
        guard let shape else { return }
        guard capacity >= dims.count else {
            throw APIError(
                CHARNN_BUFFER_TOO_SMALL, "the rank is \(dims.count), capacity is \(UInt(bitPattern: capacity))")
        }
        for (i, d) in dims.enumerated() { shape[i] = Int64(d) }
    }
}

@c @implementation
public func charnn_tensor_read(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?, _ capacity: Int)
    -> charnn_status
{
    api("charnn_tensor_read") { try copyOut(try TensorRef(tensor).value, out, capacity) }
}

@c @implementation
public func charnn_tensor_read_grad(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?, _ capacity: Int)
    -> charnn_status
{
    api("charnn_tensor_read_grad") {
        guard let grad = try TensorRef(tensor).grad else {
            throw APIError.invalid(
                "the tensor has no gradient (it does not require one, or backward has not reached it)")
        }
        try copyOut(grad, out, capacity)
    }
}

@c @implementation
public func charnn_tensor_item(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?) -> charnn_status {
    api("charnn_tensor_item") {
        let value = try TensorRef(tensor).value
        guard value.shape.count == 1 else {
            throw APIError(CHARNN_SHAPE_MISMATCH, "item: the tensor has shape \(value.shape), not one value")
        }
        try store(value.scalars[0], out, "out")
    }
}

@c @implementation
public func charnn_tensor_write(_ tensor: OpaquePointer?, _ data: UnsafePointer<Float>?, _ count: Int) -> charnn_status
{
    api("charnn_tensor_write") {
        guard case .parameter(let p) = try TensorRef(tensor) else {
            throw APIError.invalid("only parameters can be written; graph tensors are immutable")
        }
        guard count == p.count else {
            throw APIError(
                CHARNN_SHAPE_MISMATCH, "the parameter has \(p.count) elements, count is \(UInt(bitPattern: count))")
        }
        guard let data else { throw APIError.invalid("data is NULL") }
        try p.assign(try Tensor(shape: p.shape, scalars: Array(UnsafeBufferPointer(start: data, count: count))))
    }
}

@c @implementation
public func charnn_tensor_free(_ tensor: OpaquePointer?) {
    guard let tensor, TensorHandle.decode(tensor) == nil else { return }
    Handles.free(tensor, .parameter)
}
