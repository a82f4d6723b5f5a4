/// A trainable tensor: its value and the gradient that `Graph.backward` accumulates into it,
/// both in storage that never moves. A reference type: layers, graphs and optimizers share it.
///
/// Gradients accumulate across backward passes (PyTorch's semantics) until `zeroGrad()`.
public final class Parameter: @unchecked Sendable {
    /// The PyTorch state-dict name, e.g. `gru.weight_ih_l0`.
    public let name: String
    public let shape: Shape
    let storage: FloatBuffer
    let gradStorage: FloatBuffer

    public init(name: String = "", _ value: Tensor) {
        self.name = name
        self.shape = value.shape
        storage = FloatBuffer(copying: value.scalars)
        gradStorage = FloatBuffer(count: value.shape.count)
    }

    public var count: Int { shape.count }

    /// A copy of the current value.
    public var value: Tensor { try! Tensor(shape: shape, scalars: storage.array) }

    /// A copy of the accumulated gradient.
    public var grad: Tensor { try! Tensor(shape: shape, scalars: gradStorage.array) }

    /// Replaces the value; the shape must match.
    public func assign(_ tensor: Tensor) throws(CharNNError) {
        guard tensor.shape == shape else {
            throw .shape("cannot assign a \(tensor.shape) tensor to parameter '\(name)' of shape \(shape)")
        }
        for (i, v) in tensor.scalars.enumerated() { storage.pointer[i] = v }
    }

    /// Sets the gradient to zero.
    public func zeroGrad() { gradStorage.zero() }

    var values: UnsafeMutablePointer<Float> { storage.pointer }
    var grads: UnsafeMutablePointer<Float> { gradStorage.pointer }
}
