/// A recurrent network that reads a batch of encoded names and scores every label: the
/// article's Elman cell, a GRU or an LSTM, each with
/// - a fused forward over the whole batch and sequence, saving what its backward needs, and a
///   hand-written backward through time that accumulates into the parameters' gradients;
/// - the same maths op by op on an autodiff `Graph` (the reference the fused path is tested
///   against, and what the article's loop looks like).
protocol RecurrentClassifier: AnyObject, Sendable {
    /// What the forward pass leaves for the backward pass (pointers into the arena).
    associatedtype Tape

    var parameters: [Parameter] { get }
    var inputSize: Int { get }
    var hiddenSize: Int { get }
    var classes: Int { get }

    /// Logits [batch.size × classes] into `logits`. `initialHidden` is [batch.size × hidden]
    /// for the Elman cell (nil: zeros); the GRU and LSTM always start from zeros. Without
    /// `training`, what only the backward pass needs is not kept (a fraction of the memory);
    /// `dropout` gives a training pass's dropout masks (ignored by networks without dropout).
    func forward(
        _ batch: SequenceBatch, initialHidden: UnsafePointer<Float>?, arena: Arena,
        logits: UnsafeMutablePointer<Float>, training: Bool, dropout: DropoutMasks?
    ) -> Tape

    /// Adds d(loss)/d(parameters) to the parameters' gradients, given d(loss)/d(logits).
    func backward(_ batch: SequenceBatch, tape: Tape, dLogits: UnsafePointer<Float>, arena: Arena)

    /// The same network on one name, op by op: logits [1 × classes].
    func graphLogits(_ g: Graph, tokens: [Int], initialHidden: Tensor?) throws(CharNNError) -> Variable

    /// Drops what forward-only passes built from the weights: they changed (a training step).
    func weightsChanged()

    /// Forward-only passes multiply by these int8 matrices (by parameter name) instead of the
    /// float weights (a quantized model, whose parameters hold their dequantized values).
    func useQuantization(_ matrices: [String: QuantizedMatrix])
}

extension RecurrentClassifier {
    func weightsChanged() {}
    func useQuantization(_ matrices: [String: QuantizedMatrix]) {}

    /// Forward, mean cross-entropy over the batch, backward: returns the loss, and adds the
    /// gradients to the parameters.
    func lossAndGradients(
        _ batch: SequenceBatch, targets: [Int32], initialHidden: UnsafePointer<Float>?,
        arena: Arena, loss: Loss = Loss(), dropout: DropoutMasks? = nil
    ) -> Float {
        let logits = arena.allocate(batch.size * classes)
        let tape = forward(
            batch, initialHidden: initialHidden, arena: arena, logits: logits, training: true, dropout: dropout)
        let value = loss.lossAndGradient(logits: logits, targets: targets, rows: batch.size, classes: classes)
        backward(batch, tape: tape, dLogits: logits, arena: arena)
        return value
    }

    /// Forward only.
    func logits(
        _ batch: SequenceBatch, initialHidden: UnsafePointer<Float>?, arena: Arena,
        into logits: UnsafeMutablePointer<Float>
    ) {
        _ = forward(batch, initialHidden: initialHidden, arena: arena, logits: logits, training: false, dropout: nil)
    }
}

/// Cross-entropy over logits, fused with its gradient.
enum CrossEntropy {
    /// The mean over rows of −log softmax(logits)[target]; overwrites `logits` with
    /// d(loss)/d(logits) = (softmax − onehot(target)) / rows.
    static func lossAndGradient(
        logits: UnsafeMutablePointer<Float>, targets: [Int32], rows: Int,
        classes: Int
    ) -> Float {
        var total: Float = 0
        let scale = 1 / Float(rows)
        for r in 0..<rows {
            let row = logits + r * classes
            let lse = Math.logSumExp(row, classes)
            let target = Int(targets[r])
            total += lse - row[target]
            for j in 0..<classes { row[j] = Math.exp(row[j] - lse) * scale }
            row[target] -= scale
        }
        return total * scale
    }
}

/// Small loops the fused layers share.
enum LayerMath {
    /// y[j] += W[j, column] for j in 0..<count, W row-major with `ld` columns: one-hot · Wᵀ as a gather.
    @inline(__always)
    static func addColumn(
        _ w: UnsafePointer<Float>, ld: Int, column: Int, count: Int, into y: UnsafeMutablePointer<Float>
    ) {
        for j in 0..<count { y[j] += w[j * ld + column] }
    }

    /// W[j, column] += g[j]: the gradient of that gather.
    @inline(__always)
    static func scatterColumn(
        _ g: UnsafePointer<Float>, into w: UnsafeMutablePointer<Float>, ld: Int, column: Int, count: Int
    ) {
        for j in 0..<count { w[j * ld + column] += g[j] }
    }
}
