/// The training loss: cross-entropy over the logits, optionally with label smoothing and class
/// weights, with PyTorch's semantics (`F.cross_entropy(logits, targets, weight=w,
/// label_smoothing=ε)`, reduction "mean"), fused with its gradient.
///
/// With C classes, log-probabilities ℓ_ic = z_ic − logsumexp(z_i) and weights w (all 1 without
/// class weights), the loss of a batch of N rows with targets y_i is
///
///     W    = Σ_i w[y_i]                                        (N without weights)
///     loss = (1 − ε) · Σ_i w[y_i] · (−ℓ_{i,y_i}) / W  +  (ε / C) · Σ_i Σ_c w[c] · (−ℓ_ic) / W
///
/// (the weighted mean of PyTorch's `nll_loss` plus its smoothing term, normalised by the same W),
/// and its gradient with respect to the logits, with S = Σ_c w[c] and p = softmax(z_i),
///
///     ∂loss/∂z_ic = ( ((1 − ε)·w[y_i] + (ε/C)·S) · p_ic − (1 − ε)·w[y_i]·[c = y_i] − (ε/C)·w[c] ) / W.
///
/// Without smoothing and weights this is the article's mean cross-entropy, computed by the very
/// same code as before (`CrossEntropy.lossAndGradient`), bit for bit. A batch whose targets all
/// weigh 0 (W = 0) has loss 0 and no gradient (PyTorch gives NaN there).
struct Loss: Sendable, Equatable {
    /// ε in [0, 1]: the share of each target's probability mass spread evenly over all labels.
    var labelSmoothing: Float
    /// One weight per label (finite, ≥ 0), or nil for none (all 1).
    var classWeights: [Float]?

    init(labelSmoothing: Float = 0, classWeights: [Float]? = nil) {
        self.labelSmoothing = labelSmoothing
        self.classWeights = classWeights
    }

    /// Plain mean cross-entropy (the article's).
    var isPlain: Bool { labelSmoothing == 0 && classWeights == nil }

    /// Checks ε and the weights (against a label count when given), naming the field that is wrong.
    func validate(classes: Int?) throws(CharNNError) {
        guard labelSmoothing.isFinite, labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw .invalidArgument("label_smoothing \(labelSmoothing) is not in [0, 1]")
        }
        guard let weights = classWeights else { return }
        guard !weights.isEmpty else { throw .invalidArgument("class_weight_values is empty (class_weight_count 0)") }
        if let classes, weights.count != classes {
            throw .invalidArgument("class_weight_count is \(weights.count); the model has \(classes) labels")
        }
        if let bad = weights.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw .invalidArgument("class_weight_values[\(bad)] is \(weights[bad]); weights must be finite and ≥ 0")
        }
        guard weights.contains(where: { $0 > 0 }) else { throw .invalidArgument("class_weight_values are all 0") }
    }

    /// The loss of `rows` rows of logits [rows × classes] against `targets`; overwrites the
    /// logits with d(loss)/d(logits).
    func lossAndGradient(logits: UnsafeMutablePointer<Float>, targets: [Int32], rows: Int, classes: Int) -> Float {
        if isPlain {
            return CrossEntropy.lossAndGradient(logits: logits, targets: targets, rows: rows, classes: classes)
        }
        let eps = Double(labelSmoothing)
        let spread = eps / Double(classes)
        // Sums in Double: W and S are sums of up to 65,535 weights.
        var totalWeight: Double = 0
        for r in 0..<rows { totalWeight += weight(Int(targets[r])) }
        guard totalWeight > 0 else {
            logits.update(repeating: 0, count: rows * classes)
            return 0
        }
        let weightSum: Double = classWeights.map { $0.reduce(0) { $0 + Double($1) } } ?? Double(classes)
        let inverse = 1 / totalWeight
        var total: Double = 0
        for r in 0..<rows {
            let row = logits + r * classes
            let lse = Math.logSumExp(row, classes)
            let target = Int(targets[r])
            let wt = weight(target)
            // −ℓ_ic = lse − z_ic: numerically stable for any logits.
            var smooth: Double = 0
            if spread > 0 {
                if let w = classWeights {
                    for c in 0..<classes { smooth += Double(w[c]) * Double(lse - row[c]) }
                } else {
                    for c in 0..<classes { smooth += Double(lse - row[c]) }
                }
            }
            total += (1 - eps) * wt * Double(lse - row[target]) + spread * smooth
            let scale = Float(((1 - eps) * wt + spread * weightSum) * inverse)
            for c in 0..<classes { row[c] = Math.exp(row[c] - lse) * scale }
            if spread > 0 {
                if let w = classWeights {
                    for c in 0..<classes { row[c] -= Float(spread * Double(w[c]) * inverse) }
                } else {
                    let even = Float(spread * inverse)
                    for c in 0..<classes { row[c] -= even }
                }
            }
            row[target] -= Float((1 - eps) * wt * inverse)
        }
        return Float(total * inverse)
    }

    @inline(__always)
    private func weight(_ label: Int) -> Double { classWeights.map { Double($0[label]) } ?? 1 }

    /// scikit-learn's `compute_class_weight("balanced", ...)`: n_samples / (n_classes · count)
    /// for each label, n_classes being the labels that have rows. A label without rows (the
    /// model knows it, the data lacks it) gets weight 1; its weight only enters the smoothing term.
    static func balancedWeights(labelCounts counts: [Int]) -> [Float] {
        let samples = counts.reduce(0, +)
        let present = counts.filter { $0 > 0 }.count
        return counts.map { $0 == 0 ? 1 : Float(Double(samples) / (Double(present) * Double($0))) }
    }
}
