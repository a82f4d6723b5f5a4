/// The article's hand-written RNN cell (Jake Tae, "Building RNNs from scratch"):
///
///     combined = [x, h]
///     h' = sigmoid(in2hidden(combined))
///     y  = in2output(combined)          (from the hidden state *before* the update)
///
/// x is the one-hot character, the prediction is y after the last character. `in2hidden` and
/// `in2output` are `Linear(input + hidden, …)` in PyTorch's layout, so their weights read
/// [W_x | W_h]: x · W_xᵀ is a column gather, and only the hidden part is a real product.
final class ElmanCell: RecurrentClassifier, @unchecked Sendable {
    let in2hidden: Linear
    let in2output: Linear
    let inputSize: Int
    let hiddenSize: Int
    let classes: Int

    init(inputSize: Int, hiddenSize: Int, classes: Int, using rng: inout Xoshiro256) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.classes = classes
        in2hidden = Linear(name: "in2hidden", inputs: inputSize + hiddenSize, outputs: hiddenSize, using: &rng)
        in2output = Linear(name: "in2output", inputs: inputSize + hiddenSize, outputs: classes, using: &rng)
    }

    var parameters: [Parameter] { in2hidden.parameters + in2output.parameters }

    /// hidden[t] for t in 0..<steps, each [batch × hidden]: hidden[0] is the initial state and
    /// hidden[t + 1] the state after character t. The last character's update is never used
    /// (the output reads the state before it), so it is not computed.
    struct Tape {
        let hidden: UnsafeMutablePointer<Float>
    }

    func forward(_ batch: SequenceBatch, initialHidden: UnsafePointer<Float>?, arena: Arena,
                 logits: UnsafeMutablePointer<Float>) -> Tape {
        let (B, T, H, V, C) = (batch.size, batch.steps, hiddenSize, inputSize, classes)
        let ld = V + H
        let (wh, wo) = (in2hidden.weight.values, in2output.weight.values)
        let hidden = arena.allocate(T * B * H)
        if let initialHidden { hidden.update(from: initialHidden, count: B * H) } else { hidden.update(repeating: 0, count: B * H) }

        for t in 0..<(T - 1) {
            let previous = hidden + t * B * H, current = previous + B * H
            // pre = b + W_h·h (all rows at once) + W_x·x (a gather per name)
            LayerMath.broadcastRows(in2hidden.bias.values, rows: B, width: H, into: current)
            Kernels.gemmNT(m: B, n: H, k: H, a: previous, lda: H, b: wh + V, ldb: ld, c: current, ldc: H, accumulate: true)
            for b in 0..<B {
                let row = current + b * H
                if t < batch.length(b) - 1 {
                    LayerMath.addColumn(wh, ld: ld, column: batch.token(t, b), count: H, into: row)
                    Math.sigmoid(row, row, H)
                } else {
                    row.update(from: previous + b * H, count: H)  // past this name's end: carry
                }
            }
        }
        // y = b_o + W_oh·h (state before the last character) + W_ox·x_last
        let last = hidden + (T - 1) * B * H
        LayerMath.broadcastRows(in2output.bias.values, rows: B, width: C, into: logits)
        Kernels.gemmNT(m: B, n: C, k: H, a: last, lda: H, b: wo + V, ldb: ld, c: logits, ldc: C, accumulate: true)
        for b in 0..<B {
            LayerMath.addColumn(wo, ld: ld, column: batch.token(batch.length(b) - 1, b), count: C, into: logits + b * C)
        }
        return Tape(hidden: hidden)
    }

    func backward(_ batch: SequenceBatch, tape: Tape, dLogits dy: UnsafePointer<Float>, arena: Arena) {
        let (B, T, H, V, C) = (batch.size, batch.steps, hiddenSize, inputSize, classes)
        let ld = V + H
        let (wh, wo) = (in2hidden.weight.values, in2output.weight.values)
        let (dwh, dwo) = (in2hidden.weight.grads, in2output.weight.grads)
        let hidden = tape.hidden
        let last = hidden + (T - 1) * B * H

        // Output layer: dW_oh += dyᵀ·h, dW_ox[:, x_last] += dy, db_o += Σ dy, dh = dy·W_oh.
        Kernels.gemmTN(m: C, n: H, k: B, a: dy, lda: C, b: last, ldb: H, c: dwo + V, ldc: ld, accumulate: true)
        LayerMath.addRowSums(dy, rows: B, width: C, into: in2output.bias.grads)
        for b in 0..<B {
            LayerMath.scatterColumn(dy + b * C, into: dwo, ld: ld, column: batch.token(batch.length(b) - 1, b), count: C)
        }
        var dh = arena.allocate(B * H), next = arena.allocate(B * H)
        Kernels.gemmNN(m: B, n: H, k: C, a: dy, lda: C, b: wo + V, ldb: ld, c: dh, ldc: H, accumulate: false)
        guard T > 1 else { return }

        // Back through time: dpre_t = dh ⊙ h(1 − h) where the state was updated, 0 where carried.
        let dPre = arena.allocate((T - 1) * B * H)
        for t in stride(from: T - 2, through: 0, by: -1) {
            let h = hidden + (t + 1) * B * H, d = dPre + t * B * H
            for b in 0..<B {
                let (row, g, out) = (h + b * H, dh + b * H, d + b * H)
                if t < batch.length(b) - 1 {
                    Kernels.forEachLanes(H) { j, lanes in
                        let h = Kernels.load(row + j, count: lanes)
                        Kernels.store(Kernels.load(g + j, count: lanes) * h * (1 - h), out + j, count: lanes)
                    }
                } else {
                    out.update(repeating: 0, count: H)
                }
            }
            if t == 0 { break }  // the initial state needs no gradient
            Kernels.gemmNN(m: B, n: H, k: H, a: d, lda: H, b: wh + V, ldb: ld, c: next, ldc: H, accumulate: false)
            for b in 0..<B where !(t < batch.length(b) - 1) {
                (next + b * H).update(from: dh + b * H, count: H)  // carried state: gradient passes through
            }
            swap(&dh, &next)
        }
        // Weight gradients once for the whole sequence: dW_hh += Σ_t dpre_tᵀ·h_t (one product).
        Kernels.gemmTN(m: H, n: H, k: (T - 1) * B, a: dPre, lda: H, b: hidden, ldb: H, c: dwh + V, ldc: ld, accumulate: true)
        LayerMath.addRowSums(dPre, rows: (T - 1) * B, width: H, into: in2hidden.bias.grads)
        for t in 0..<(T - 1) {
            for b in 0..<B where t < batch.length(b) - 1 {
                LayerMath.scatterColumn(dPre + (t * B + b) * H, into: dwh, ld: ld, column: batch.token(t, b), count: H)
            }
        }
    }

    func graphLogits(_ g: Graph, tokens: [Int], initialHidden: Tensor?) throws(CharNNError) -> Variable {
        var hidden = g.constant(initialHidden ?? .zeros(Shape(1, hiddenSize)))
        var output: Variable? = nil
        for token in tokens {
            let combined = try g.oneHot([token], depth: inputSize).concat(hidden)
            output = try in2output(combined)
            hidden = try in2hidden(combined).sigmoid()
        }
        guard let output else { throw .invalidArgument("a name needs at least one character") }
        return output
    }
}
