/// What the head reads from the top layer: `fc` sees directions·H features per name.
public enum Pooling: String, Sendable, CaseIterable, Equatable {
    /// Each direction's last state: the forward direction's after the last character, the
    /// backward one's after the first (PyTorch's `h_n`, concatenated over directions).
    case last
    /// The mean of the outputs over the name's characters.
    case mean
    /// The largest output over the name's characters, feature by feature.
    case max
}

extension Pooling {
    /// features[b, columns] from the top layer's outputs (one direction's block of columns).
    static func forward(_ pooling: Pooling, _ tape: RecurrentTape, columns: Range<Int>) {
        let (B, H, W, top) = (tape.batchSize, tape.hiddenSize, tape.directions * tape.hiddenSize, tape.layers - 1)
        let outputs = tape.outputs[top]
        let batch = tape.batch(0)
        for b in 0..<B {
            let feature = tape.features + b * tape.featureWidth + columns.lowerBound
            let length = batch.length(b)
            switch pooling {
            case .last:
                let d = columns.lowerBound / H
                feature.update(
                    from: tape.state(layer: top, direction: d, after: batch.steps) + b * H + columns.lowerBound - d * H,
                    count: columns.count)
            case .mean:
                feature.update(repeating: 0, count: columns.count)
                for t in 0..<length {
                    Kernels.axpy(1, outputs + (t * B + b) * W + columns.lowerBound, feature, columns.count)
                }
                let scale = 1 / Float(length)
                for j in 0..<columns.count { feature[j] *= scale }
            case .max:
                // The first maximum wins a tie (its step gets the gradient).
                let argmax = tape.argmax! + b * tape.featureWidth + columns.lowerBound
                feature.update(from: outputs + b * W + columns.lowerBound, count: columns.count)
                argmax.update(repeating: 0, count: columns.count)
                for t in 1..<Swift.max(length, 1) {
                    let row = outputs + (t * B + b) * W + columns.lowerBound
                    for j in 0..<columns.count where row[j] > feature[j] {
                        feature[j] = row[j]
                        argmax[j] = Float(t)
                    }
                }
            }
        }
    }

    /// d(loss)/d(top outputs)[:, :, columns] (time-ordered, rows of names that have ended left
    /// alone: nothing reads them) from d(loss)/d(features), for the pooling heads.
    static func backward(
        _ pooling: Pooling, _ tape: RecurrentTape, _ dFeatures: UnsafePointer<Float>,
        into gradient: UnsafeMutablePointer<Float>, columns: Range<Int>
    ) {
        let (B, W) = (tape.batchSize, tape.directions * tape.hiddenSize)
        let batch = tape.batch(0)
        for b in 0..<B {
            let dFeature = dFeatures + b * tape.featureWidth + columns.lowerBound
            let length = batch.length(b)
            for t in 0..<length {
                let row = gradient + (t * B + b) * W + columns.lowerBound
                switch pooling {
                case .last: preconditionFailure("the last-state head feeds the top layer's final dh, not its outputs")
                case .mean:
                    let scale = 1 / Float(length)
                    for j in 0..<columns.count { row[j] = dFeature[j] * scale }
                case .max:
                    let argmax = tape.argmax! + b * tape.featureWidth + columns.lowerBound
                    for j in 0..<columns.count { row[j] = Int(argmax[j]) == t ? dFeature[j] : 0 }
                }
            }
        }
    }
}
