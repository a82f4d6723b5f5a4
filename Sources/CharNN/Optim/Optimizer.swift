/// Something that updates parameters from their gradients.
package protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    var learningRate: Float { get set }
    /// Applies one update from the gradients multiplied by `gradientScale` (gradient clipping
    /// folds in here instead of rescaling the gradients in a pass of its own) and, when
    /// `zeroingGradients`, sets the gradients to zero in the same pass. Returns false when some
    /// weight would have become NaN or infinite: those weights, and their optimizer state, keep
    /// their old values.
    @discardableResult
    func step(gradientScale: Float, zeroingGradients: Bool) -> Bool
}

extension Optimizer {
    /// One update from the current gradients, which are left as they are (PyTorch's `step()`).
    @discardableResult
    package func step() -> Bool { step(gradientScale: 1, zeroingGradients: false) }

    /// Sets every parameter's gradient to zero (each core the rows it owns).
    package func zeroGrad() { zeroGradients(parameters) }
}

/// Checks an optimizer's hyper-parameters, naming the one that is wrong.
enum HyperParameters {
    static func check(
        _ name: String, _ value: Float, _ valid: ClosedRange<Float>,
        openLow: Bool = false, openHigh: Bool = false
    ) throws(CharNNError) {
        guard value.isFinite, value >= valid.lowerBound, value <= valid.upperBound,
            !(openLow && value == valid.lowerBound), !(openHigh && value == valid.upperBound)
        else {
            let low = openLow ? "(" : "[", high = openHigh ? ")" : "]"
            throw .invalidArgument(
                "\(name) is \(value); it must be in \(low)\(valid.lowerBound), \(valid.upperBound)\(high)")
        }
    }
}

/// Global-norm gradient clipping, like `torch.nn.utils.clip_grad_norm_`: the norm of all the
/// gradients together; when it exceeds `maxNorm`, every gradient is scaled by
/// maxNorm / (norm + 1e-6). Returns the norm before clipping (infinite or NaN if a gradient
/// is, and then nothing is scaled).
@discardableResult
package func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    let norm = gradientNorm(parameters)
    let coefficient = clipCoefficient(norm: norm, maxNorm: maxNorm)
    if coefficient < 1 {
        forEachShare(parameters) { p, range in
            let g = p.grads
            for i in range { g[i] *= coefficient }
        }
    }
    return norm
}

/// Sets the gradients to zero, each core the rows it owns.
package func zeroGradients(_ parameters: [Parameter]) {
    forEachShare(parameters) { p, range in (p.grads + range.lowerBound).update(repeating: 0, count: range.count) }
    for p in parameters { p.touchedRows?.clear() }
}

/// Runs body on every parameter's element ranges, split across the cores like the fused layers
/// split their rows (so each core touches what it computed), when there is enough to share.
func forEachShare(_ parameters: [Parameter], _ body: (Parameter, Range<Int>) -> Void) {
    let count = parameters.reduce(0) { $0 + $1.count }
    _ = WorkerPool.shared.allPieces(bytes: count * 4) { member, members in
        for p in parameters { p.forEachShare(member: member, of: members) { body(p, $0) } }
        return true
    }
}

/// What `clipGradientNorm` multiplies the gradients by: min(1, maxNorm / (norm + 1e-6)), and 1
/// for a non-finite norm (nothing is scaled then).
func clipCoefficient(norm: Float, maxNorm: Float) -> Float {
    guard norm.isFinite else { return 1 }
    return min(1, maxNorm / (norm + 1e-6))
}

/// The L2 norm of all the parameters' gradients together (accumulated in Double), each core
/// summing the rows it computed.
func gradientNorm(_ parameters: [Parameter]) -> Float {
    let count = parameters.reduce(0) { $0 + $1.count }
    let total = withUnsafeTemporaryAllocation(of: Double.self, capacity: WorkerPool.shared.threadCount) { partials in
        for i in partials.indices { partials[i] = 0 }
        _ = WorkerPool.shared.allPieces(bytes: count * 4) { member, members in
            var sum: Double = 0
            for p in parameters {
                p.forEachShare(member: member, of: members) { sum += sumOfSquares(p.grads, $0) }
            }
            partials[member] = sum
            return true
        }
        return partials.reduce(0, +)
    }
    return Float(total.squareRoot())
}

/// Σ g[i]² over a range: four independent sums keep the FMA pipeline full.
@inline(__always)
func sumOfSquares(_ g: UnsafeMutablePointer<Float>, _ range: Range<Int>) -> Double {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
    var i = range.lowerBound
    while i + 32 <= range.upperBound {
        let (a, b, c, d) = (
            Kernels.load(g + i), Kernels.load(g + i + 8), Kernels.load(g + i + 16), Kernels.load(g + i + 24)
        )
        s0.addProduct(a, a); s1.addProduct(b, b); s2.addProduct(c, c); s3.addProduct(d, d)
        i += 32
    }
    var sum = Double(((s0 + s1) + (s2 + s3)).sum())
    while i < range.upperBound {
        sum += Double(g[i] * g[i])
        i += 1
    }
    return sum
}
