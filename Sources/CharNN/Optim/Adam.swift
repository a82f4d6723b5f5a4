#if canImport(Glibc)
import Glibc
#endif

/// Adam with PyTorch's defaults and semantics (`torch.optim.Adam`, and `AdamW` when
/// `decoupledWeightDecay`): β = (0.9, 0.999), ε = 1e-8, bias correction, optional weight decay
/// (added to the gradient for Adam; multiplying the weights by 1 − lr·λ for AdamW). Each
/// parameter is updated in one fused pass over its value, gradient and two moment buffers.
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Bool
    /// Steps taken so far.
    public private(set) var stepCount = 0
    private let firstMoments: [FloatBuffer]
    private let secondMoments: [FloatBuffer]

    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) throws(CharNNError) {
        try HyperParameters.check("learning rate", learningRate, 0...1e6)
        try HyperParameters.check("beta1", beta1, 0...1, openHigh: true)
        try HyperParameters.check("beta2", beta2, 0...1, openHigh: true)
        try HyperParameters.check("epsilon", epsilon, 0...1, openLow: true)
        try HyperParameters.check("weight decay", weightDecay, 0...1e6)
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoments = parameters.map { FloatBuffer(count: $0.count) }
        secondMoments = parameters.map { FloatBuffer(count: $0.count) }
    }

    @discardableResult
    public func step() -> Bool {
        stepCount += 1
        // PyTorch's arithmetic, in its order: m = lerp(m, g, 1 − β1), v = β2·v + (1 − β2)·g²,
        // step_size = lr / (1 − β1^t) and √(1 − β2^t) in double precision (Python floats there),
        // denom = √v / √(1 − β2^t) + ε, p −= step_size · m / denom.
        let t = Double(stepCount)
        let bias1 = 1 - pow(Double(beta1), t)
        let bias2Root = Float((1 - pow(Double(beta2), t)).squareRoot())
        let stepSize = Float(Double(learningRate) / bias1)
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let coupledDecay = decoupledWeightDecay ? 0 : weightDecay
        let shrink = decoupledWeightDecay ? 1 - learningRate * weightDecay : 1
        var finite = true
        for (k, p) in parameters.enumerated() {
            finite = Self.update(w: p.values, g: p.grads, m: firstMoments[k].pointer, v: secondMoments[k].pointer, count: p.count,
                        beta1: b1, beta2: b2, epsilon: eps, stepSize: stepSize, bias2Root: bias2Root,
                        coupledDecay: coupledDecay, shrink: shrink) && finite
        }
        return finite
    }

    /// One fused pass over a parameter: 8 lanes at a time, then the tail. A weight whose new
    /// value is not finite keeps its old one; the result says whether that happened.
    @inline(__always)
    private static func update(w: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>,
                               m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
                               beta1: Float, beta2: Float, epsilon: Float, stepSize: Float, bias2Root: Float,
                               coupledDecay: Float, shrink: Float) -> Bool {
        typealias V = SIMD8<Float>
        var finite = SIMDMask<SIMD8<Int32>>(repeating: true)
        let (a1, b2, a2) = (V(repeating: 1 - beta1), V(repeating: beta2), V(repeating: 1 - beta2))
        let (eps, step, root) = (V(repeating: epsilon), V(repeating: stepSize), V(repeating: bias2Root))
        let (decay, keep) = (V(repeating: coupledDecay), V(repeating: shrink))
        var i = 0
        while i + 8 <= count {
            let wi = Kernels.load(w + i)
            let grad = Kernels.load(g + i) + decay * wi
            var mi = Kernels.load(m + i)
            mi = mi + a1 * (grad - mi)
            let vi = b2 * Kernels.load(v + i) + a2 * (grad * grad)
            Kernels.store(mi, m + i)
            Kernels.store(vi, v + i)
            let updated = wi * keep - step * (mi / (SIMDMath.sqrt(vi) / root + eps))
            let ok = (updated - updated) .== 0  // false for NaN and ±inf
            finite .&= ok
            Kernels.store(wi.replacing(with: updated, where: ok), w + i)
            i += 8
        }
        var tailFinite = true
        while i < count {
            let grad = g[i] + coupledDecay * w[i]
            let mi = m[i] + (1 - beta1) * (grad - m[i])
            let vi = beta2 * v[i] + (1 - beta2) * (grad * grad)
            m[i] = mi
            v[i] = vi
            let updated = w[i] * shrink - stepSize * (mi / (vi.squareRoot() / bias2Root + epsilon))
            if updated.isFinite { w[i] = updated } else { tailFinite = false }
            i += 1
        }
        return all(finite) && tailFinite
    }
}
