import CCharNN
@_spi(Bindings) import CharNN

// charnn_op_*, charnn_graph_backward*, charnn_vocabulary_encode (and their deprecated names): the
// differentiable ops of the core's Graph.

/// Runs one op: the output pointer is checked before anything is recorded, the result's handle
/// stored after.
@inline(__always)
private func op(
    _ graph: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
    _ body: (GraphBox) throws -> Variable
) throws {
    guard let out else { throw APIError.invalid("out is NULL") }
    let box = try GraphBox.from(graph)
    out.pointee = try box.handle(of: try body(box))
}

/// An Int32 index array argument.
private func indexArray(_ pointer: UnsafePointer<Int32>?, _ count: Int, _ argument: String) throws -> [Int] {
    let n = try CharNNExports.count(count, "count", max: 1 << 31)
    guard n > 0 else { throw APIError.invalid("count is 0") }
    guard let pointer else { throw APIError.invalid("\(argument) is NULL") }
    return (0..<n).map { Int(pointer[$0]) }
}

@c @implementation
public func charnn_op_matmul(
    _ graph: OpaquePointer?, _ a: OpaquePointer?, _ b: OpaquePointer?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_matmul") { try op(graph, out) { g in try g.operand(a, "a").matmul(try g.operand(b, "b")) } }
}

@c @implementation
public func charnn_op_linear(
    _ graph: OpaquePointer?, _ x: OpaquePointer?, _ weight: OpaquePointer?, _ bias: OpaquePointer?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_linear") {
        try op(graph, out) { g in
            try g.operand(x, "x").linear(
                try g.operand(weight, "weight"), bias: bias == nil ? nil : try g.operand(bias, "bias"))
        }
    }
}

@c @implementation
public func charnn_op_add(
    _ graph: OpaquePointer?, _ a: OpaquePointer?, _ b: OpaquePointer?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_add") { try op(graph, out) { g in try g.operand(a, "a").add(try g.operand(b, "b")) } }
}

@c @implementation
public func charnn_op_sub(
    _ graph: OpaquePointer?, _ a: OpaquePointer?, _ b: OpaquePointer?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_sub") { try op(graph, out) { g in try g.operand(a, "a").sub(try g.operand(b, "b")) } }
}

@c @implementation
public func charnn_op_mul(
    _ graph: OpaquePointer?, _ a: OpaquePointer?, _ b: OpaquePointer?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_mul") { try op(graph, out) { g in try g.operand(a, "a").mul(try g.operand(b, "b")) } }
}

@c @implementation
public func charnn_op_concat(
    _ graph: OpaquePointer?, _ a: OpaquePointer?, _ b: OpaquePointer?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_concat") { try op(graph, out) { g in try g.operand(a, "a").concat(try g.operand(b, "b")) } }
}

@c @implementation
public func charnn_op_slice(
    _ graph: OpaquePointer?, _ x: OpaquePointer?, _ start: Int, _ length: Int,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_slice") {
        let s = try count(start, "start", max: 1 << 31), n = try count(length, "length", max: 1 << 31)
        try op(graph, out) { g in try g.operand(x, "x").slice(columns: s..<(s + n)) }
    }
}

@c @implementation
public func charnn_op_sigmoid(
    _ graph: OpaquePointer?, _ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_sigmoid") { try op(graph, out) { g in try g.operand(x, "x").sigmoid() } }
}

@c @implementation
public func charnn_op_tanh(_ graph: OpaquePointer?, _ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?)
    -> charnn_status
{
    api("charnn_op_tanh") { try op(graph, out) { g in try g.operand(x, "x").tanh() } }
}

@c @implementation
public func charnn_op_relu(_ graph: OpaquePointer?, _ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?)
    -> charnn_status
{
    api("charnn_op_relu") { try op(graph, out) { g in try g.operand(x, "x").relu() } }
}

@c @implementation
public func charnn_op_exp(_ graph: OpaquePointer?, _ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?)
    -> charnn_status
{
    api("charnn_op_exp") { try op(graph, out) { g in try g.operand(x, "x").exp() } }
}

@c @implementation
public func charnn_op_log(_ graph: OpaquePointer?, _ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?)
    -> charnn_status
{
    api("charnn_op_log") { try op(graph, out) { g in try g.operand(x, "x").log() } }
}

@c @implementation
public func charnn_op_sum(_ graph: OpaquePointer?, _ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?)
    -> charnn_status
{
    api("charnn_op_sum") { try op(graph, out) { g in try g.operand(x, "x").sum() } }
}

@c @implementation
public func charnn_op_mean(_ graph: OpaquePointer?, _ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?)
    -> charnn_status
{
    api("charnn_op_mean") { try op(graph, out) { g in try g.operand(x, "x").mean() } }
}

@c @implementation
public func charnn_op_log_softmax(
    _ graph: OpaquePointer?, _ x: OpaquePointer?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_log_softmax") { try op(graph, out) { g in try g.operand(x, "x").logSoftmax() } }
}

@c @implementation
public func charnn_op_cross_entropy(
    _ graph: OpaquePointer?, _ logits: OpaquePointer?, _ targets: UnsafePointer<Int32>?,
    _ count: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_cross_entropy") {
        let t = try indexArray(targets, count, "targets")
        try op(graph, out) { g in try g.operand(logits, "logits").crossEntropy(targets: t) }
    }
}

@c @implementation
public func charnn_op_embedding(
    _ graph: OpaquePointer?, _ table: OpaquePointer?, _ indices: UnsafePointer<Int32>?,
    _ count: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_embedding") {
        let picks = try indexArray(indices, count, "indices")
        try op(graph, out) { g in try g.graph.embedding(try g.operand(table, "table"), indices: picks) }
    }
}

@c @implementation
public func charnn_op_one_hot(
    _ graph: OpaquePointer?, _ indices: UnsafePointer<Int32>?, _ count: Int, _ depth: Int,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_op_one_hot") {
        let picks = try indexArray(indices, count, "indices")
        let d = try CharNNExports.count(depth, "depth", max: 1 << 31)
        try op(graph, out) { g in try g.graph.oneHot(picks, depth: d) }
    }
}

private func vocabularyEncode(
    _ function: StaticString, _ name: UnsafePointer<CChar>?,
    _ indices: UnsafeMutablePointer<Int32>?, _ capacity: Int,
    _ length: UnsafeMutablePointer<Int>?
) -> charnn_status {
    api(function) {
        let tokens = try Model.encodeForInference(try string(name, "name"), alphabet: .article).tokens
        length?.pointee = tokens.count
        guard capacity >= tokens.count else {
            throw APIError(
                CHARNN_BUFFER_TOO_SMALL,
                "the name has \(tokens.count) symbols, capacity is \(UInt(bitPattern: capacity))")
        }
        guard let indices else { throw APIError.invalid("indices is NULL") }
        for (i, t) in tokens.enumerated() { indices[i] = Int32(t) }
    }
}

@c @implementation
public func charnn_vocabulary_encode(
    _ name: UnsafePointer<CChar>?, _ indices: UnsafeMutablePointer<Int32>?,
    _ capacity: Int, _ length: UnsafeMutablePointer<Int>?
) -> charnn_status {
    vocabularyEncode("charnn_vocabulary_encode", name, indices, capacity, length)
}

@c @implementation
public func charnn_encode_name(
    _ name: UnsafePointer<CChar>?, _ indices: UnsafeMutablePointer<Int32>?, _ capacity: Int,
    _ length: UnsafeMutablePointer<Int>?
) -> charnn_status {
    vocabularyEncode("charnn_encode_name", name, indices, capacity, length)
}

private func graphBackward(_ function: StaticString, _ graph: OpaquePointer?, _ loss: OpaquePointer?) -> charnn_status {
    api(function) {
        let box = try GraphBox.from(graph)
        try box.graph.backward(try box.operand(loss, "loss"))
    }
}

@c @implementation
public func charnn_graph_backward(_ graph: OpaquePointer?, _ loss: OpaquePointer?) -> charnn_status {
    graphBackward("charnn_graph_backward", graph, loss)
}

@c @implementation
public func charnn_backward(_ graph: OpaquePointer?, _ loss: OpaquePointer?) -> charnn_status {
    graphBackward("charnn_backward", graph, loss)
}

private func graphBackwardSeeded(
    _ function: StaticString, _ graph: OpaquePointer?, _ output: OpaquePointer?,
    _ seed: UnsafePointer<Float>?, _ count: Int
) -> charnn_status {
    api(function) {
        let box = try GraphBox.from(graph)
        let y = try box.operand(output, "output")
        guard count == y.shape.count else {
            throw APIError(
                CHARNN_SHAPE_MISMATCH, "seed has \(UInt(bitPattern: count)) values for an output of shape \(y.shape)")
        }
        guard let seed else { throw APIError.invalid("seed is NULL") }
        try box.graph.backward(
            y, seed: try Tensor(shape: y.shape, scalars: Array(UnsafeBufferPointer(start: seed, count: count))))
    }
}

@c @implementation
public func charnn_graph_backward_seeded(
    _ graph: OpaquePointer?, _ output: OpaquePointer?, _ seed: UnsafePointer<Float>?,
    _ count: Int
) -> charnn_status {
    graphBackwardSeeded("charnn_graph_backward_seeded", graph, output, seed, count)
}

@c @implementation
public func charnn_backward_seeded(
    _ graph: OpaquePointer?, _ output: OpaquePointer?, _ seed: UnsafePointer<Float>?,
    _ count: Int
) -> charnn_status {
    graphBackwardSeeded("charnn_backward_seeded", graph, output, seed, count)
}
