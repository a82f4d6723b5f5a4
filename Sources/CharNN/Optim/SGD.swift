/// Stochastic gradient descent with PyTorch's semantics (`torch.optim.SGD`, dampening 0, no
/// Nesterov): g = grad + λ·w; with momentum μ the buffer is b = μ·b + g (b = g at the first
/// step) and the update w −= lr·b.
package final class SGD: Optimizer {
    package let parameters: [Parameter]
    package var learningRate: Float
    package let momentum: Float
    package let weightDecay: Float
    private let buffers: [FloatBuffer]
    private var started = false

    package init(
        _ parameters: [Parameter], learningRate: Float, momentum: Float = 0,
        weightDecay: Float = 0
    ) throws(CharNNError) {
        try HyperParameters.check("learning_rate", learningRate, 0...1e6)
        try HyperParameters.check("momentum", momentum, 0...1, openHigh: true)
        try HyperParameters.check("weight_decay", weightDecay, 0...1e6)
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        buffers = momentum > 0 ? parameters.map { FloatBuffer(count: $0.count) } : []
    }

    @discardableResult
    package func step(gradientScale: Float, zeroingGradients: Bool) -> Bool {
        let (lr, mu, decay, scale) = (learningRate, momentum, weightDecay, gradientScale)
        var finite = true
        for (k, p) in parameters.enumerated() {
            let (w, g) = (p.values, p.grads)
            let b = mu > 0 ? buffers[k].pointer : nil
            for i in 0..<p.count {
                let grad = g[i] * scale + decay * w[i]
                let velocity = b.map { started ? mu * $0[i] + grad : grad } ?? grad
                let updated = w[i] - lr * velocity
                if updated.isFinite {
                    w[i] = updated
                    b?[i] = velocity
                } else {
                    finite = false
                }
                if zeroingGradients { g[i] = 0 }
            }
        }
        started = true
        return finite
    }
}
