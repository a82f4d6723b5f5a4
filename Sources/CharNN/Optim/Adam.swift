import CharNNPlatform

/// Adam with PyTorch's defaults and semantics (`torch.optim.Adam`, and `AdamW` when
/// `decoupledWeightDecay`): β = (0.9, 0.999), ε = 1e-8, bias correction, optional weight decay
/// (added to the gradient for Adam; multiplying the weights by 1 − lr·λ for AdamW). Each
/// parameter is updated in one fused pass over its value, gradient and two moment buffers.
package final class Adam: Optimizer {
    package let parameters: [Parameter]
    package var learningRate: Float
    package let beta1: Float
    package let beta2: Float
    package let epsilon: Float
    package let weightDecay: Float
    package let decoupledWeightDecay: Bool
    /// Steps taken so far.
    package private(set) var stepCount = 0
    private let firstMoments: [FloatBuffer]
    private let secondMoments: [FloatBuffer]

    package init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false
    ) throws(CharNNError) {
        try HyperParameters.check("learning_rate", learningRate, 0...1e6)
        try HyperParameters.check("beta1", beta1, 0...1, openHigh: true)
        try HyperParameters.check("beta2", beta2, 0...1, openHigh: true)
        try HyperParameters.check("epsilon", epsilon, 0...1, openLow: true)
        try HyperParameters.check("weight_decay", weightDecay, 0...1e6)
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
    package func step(gradientScale: Float, zeroingGradients: Bool) -> Bool {
        stepCount += 1
        // PyTorch's arithmetic, in its order: m = lerp(m, g, 1 − β1), v = β2·v + (1 − β2)·g²,
        // step_size = lr / (1 − β1^t) and √(1 − β2^t) in double precision (Python floats there),
        // denom = √v / √(1 − β2^t) + ε, p −= step_size · m / denom. The division by
        // √(1 − β2^t) is a multiplication by its inverse (within an ulp; one division fewer).
        let t = Double(stepCount)
        let bias1 = 1 - pow(Double(beta1), t)
        let constants = Constants(
            scale: gradientScale, beta1: beta1, beta2: beta2, epsilon: epsilon,
            stepSize: Float(Double(learningRate) / bias1),
            inverseBias2Root: Float(1 / (1 - pow(Double(beta2), t)).squareRoot()),
            coupledDecay: decoupledWeightDecay ? 0 : weightDecay,
            shrink: decoupledWeightDecay ? 1 - learningRate * weightDecay : 1,
            zeroing: zeroingGradients)
        // Memory-bound: each core updates the rows its share of the fused layers computed (so
        // the gradients and weights are already in its cache), when there is enough to share.
        let updated = WorkerPool.shared.allPieces(bytes: totalCount * 32) { member, members in
            var finite = true
            for (k, p) in parameters.enumerated() {
                // A tracked table gives only its touched rows (SparseAdam: their moments too).
                p.forEachShare(member: member, of: members) { range in
                    finite =
                        Self.update(
                            w: p.values, g: p.grads, m: firstMoments[k].pointer,
                            v: secondMoments[k].pointer, range: range, constants) && finite
                }
            }
            return finite
        }
        // The touched rows' gradients are zero again: the next step starts a new set.
        if zeroingGradients { for p in parameters { p.touchedRows?.clear() } }
        return updated
    }

    private var totalCount: Int { parameters.reduce(0) { $0 + $1.count } }

    struct Constants {
        let scale, beta1, beta2, epsilon, stepSize, inverseBias2Root, coupledDecay, shrink: Float
        let zeroing: Bool
    }

    /// One fused pass over `range` of a parameter: 8 lanes at a time, then the tail. A lane
    /// whose new weight is not finite keeps its old weight and moments; the result says whether
    /// that happened.
    static func update(
        w: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
        range: Range<Int>, _ c: Constants
    ) -> Bool {
        // Without weight decay or clipping (the usual case) the pass drops their multiplies,
        // which changes no bit: g·1 + 0·w = g and w·1 = w for finite weights.
        if c.coupledDecay == 0 && c.shrink == 1 {
            return c.scale == 1
                ? update(w: w, g: g, m: m, v: v, range: range, c, plain: true, unscaled: true)
                : update(w: w, g: g, m: m, v: v, range: range, c, plain: true, unscaled: false)
        }
        return update(w: w, g: g, m: m, v: v, range: range, c, plain: false, unscaled: false)
    }

    @inline(__always)
    private static func update(
        w: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
        range: Range<Int>, _ c: Constants, plain: Bool, unscaled: Bool
    ) -> Bool {
        typealias V = SIMD8<Float>
        let (scale, a1, b2, a2) = (
            V(repeating: c.scale), V(repeating: 1 - c.beta1), V(repeating: c.beta2),
            V(repeating: 1 - c.beta2)
        )
        let (eps, step, root) = (V(repeating: c.epsilon), V(repeating: c.stepSize), V(repeating: c.inverseBias2Root))
        let (decay, keep) = (V(repeating: c.coupledDecay), V(repeating: c.shrink))
        var finite = true
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let (wi, mi, vi) = (Kernels.load(w + i), Kernels.load(m + i), Kernels.load(v + i))
            let gi = Kernels.load(g + i)
            let grad = plain ? (unscaled ? gi : gi * scale) : gi * scale + decay * wi
            let m2 = mi + a1 * (grad - mi)
            let v2 = b2 * vi + a2 * (grad * grad)
            let w2 = (plain ? wi : wi * keep) - step * (m2 / (SIMDMath.sqrt(v2) * root + eps))
            let ok = (w2 - w2) .== 0  // false for NaN and ±inf
            // Non-finite lanes are rare: store directly, and blend only when one occurs.
            if all(ok) {
                Kernels.store(w2, w + i)
                Kernels.store(m2, m + i)
                Kernels.store(v2, v + i)
            } else {
                finite = false
                Kernels.store(wi.replacing(with: w2, where: ok), w + i)
                Kernels.store(mi.replacing(with: m2, where: ok), m + i)
                Kernels.store(vi.replacing(with: v2, where: ok), v + i)
            }
            if c.zeroing { Kernels.store(V(), g + i) }
            i += 8
        }
        var tailFinite = true
        while i < range.upperBound {
            let grad = g[i] * c.scale + c.coupledDecay * w[i]
            let m2 = m[i] + (1 - c.beta1) * (grad - m[i])
            let v2 = c.beta2 * v[i] + (1 - c.beta2) * (grad * grad)
            let w2 = w[i] * c.shrink - c.stepSize * (m2 / (v2.squareRoot() * c.inverseBias2Root + c.epsilon))
            if w2.isFinite { (w[i], m[i], v[i]) = (w2, m2, v2) } else { tailFinite = false }
            if c.zeroing { g[i] = 0 }
            i += 1
        }
        return finite && tailFinite
    }
}
