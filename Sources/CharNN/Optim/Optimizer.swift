/// Something that updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    var learningRate: Float { get set }
    /// Applies one update from the current gradients (it does not zero them). Returns false
    /// when some weight would have become NaN or infinite: those weights keep their old value.
    @discardableResult
    func step() -> Bool
}

extension Optimizer {
    /// Sets every parameter's gradient to zero.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// Checks an optimizer's hyper-parameters, naming the one that is wrong.
enum HyperParameters {
    static func check(_ name: String, _ value: Float, _ valid: ClosedRange<Float>,
                      openLow: Bool = false, openHigh: Bool = false) throws(CharNNError) {
        guard value.isFinite, value >= valid.lowerBound, value <= valid.upperBound,
              !(openLow && value == valid.lowerBound), !(openHigh && value == valid.upperBound) else {
            let low = openLow ? "(" : "[", high = openHigh ? ")" : "]"
            throw .invalidArgument("\(name) is \(value); it must be in \(low)\(valid.lowerBound), \(valid.upperBound)\(high)")
        }
    }
}

/// Global-norm gradient clipping, like `torch.nn.utils.clip_grad_norm_`: the norm of all the
/// gradients together; when it exceeds `maxNorm`, every gradient is scaled by
/// maxNorm / (norm + 1e-6). Returns the norm before clipping (infinite or NaN if a gradient
/// is, and then nothing is scaled).
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    let norm = gradientNorm(parameters)
    guard norm.isFinite else { return norm }
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        for p in parameters {
            let g = p.grads
            for i in 0..<p.count { g[i] *= coefficient }
        }
    }
    return norm
}

/// The L2 norm of all the parameters' gradients together (accumulated in Double).
public func gradientNorm(_ parameters: [Parameter]) -> Float {
    var total: Double = 0
    for p in parameters {
        let g = p.grads
        var s = SIMD8<Float>()
        var i = 0
        while i + 8 <= p.count {
            let v = Kernels.load(g + i)
            s.addProduct(v, v)
            i += 8
        }
        var partial = Double(s.sum())
        while i < p.count {
            partial += Double(g[i] * g[i])
            i += 1
        }
        total += partial
    }
    return Float(total.squareRoot())
}
