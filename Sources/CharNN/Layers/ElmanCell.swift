/// The article's hand-written RNN cell (Jake Tae, "Building RNNs from scratch"):
///
///     combined = [x, h]
///     h' = sigmoid(in2hidden(combined))
///     y  = in2output(combined)          (from the hidden state *before* the update)
///
/// x is the one-hot character, the prediction is y after the last character. `in2hidden` and
/// `in2output` are `Linear(input + hidden, …)` in PyTorch's layout, so their weights read
/// [W_x | W_h]: x · W_xᵀ is a column gather, and only the hidden part is a real product.
///
/// The fused passes run as a team (`WorkerPool.team`): each core owns a share of the hidden
/// units (rows of `in2hidden`) and of the labels (rows of `in2output`), computes those rows at
/// every step, and meets the others at a barrier once per step.
// @unchecked Sendable: every stored property is a `let`; the weights behind them change only
// in training, which `Model` runs exclusively (no prediction meanwhile: `.busy`), and a team
// writes disjoint rows between barriers.
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

    /// The names and shapes of `parameters`, in that order, without making them.
    static func parameterShapes(inputSize: Int, hiddenSize: Int, classes: Int) -> [(name: String, shape: Shape)] {
        Linear.parameterShapes(name: "in2hidden", inputs: inputSize + hiddenSize, outputs: hiddenSize)
            + Linear.parameterShapes(name: "in2output", inputs: inputSize + hiddenSize, outputs: classes)
    }

    /// hidden[t] for t in 0..<steps, each [batch × hidden]: hidden[0] is the initial state and
    /// hidden[t + 1] the state after character t. The last character's update is never used
    /// (the output reads the state before it), so it is not computed.
    struct Tape {
        let hidden: UnsafeMutablePointer<Float>
    }

    /// Runs a fused pass as a team when its multiply-adds per step (between two barriers)
    /// make one pay (`WorkerPool.team`).
    private func asTeam(_ batch: SequenceBatch, _ body: (Team) -> Void) {
        let stepWork = batch.size * hiddenSize * hiddenSize
        WorkerPool.shared.team(stepWork: stepWork, work: stepWork * batch.steps, body)
    }

    func forward(
        _ batch: SequenceBatch, initialHidden: UnsafePointer<Float>?, arena: Arena,
        logits: UnsafeMutablePointer<Float>, training: Bool, dropout: DropoutMasks?
    ) -> Tape {
        let (B, T, H, V, C) = (batch.size, batch.steps, hiddenSize, inputSize, classes)
        let ld = V + H
        let (wh, wo) = (in2hidden.weight.values, in2output.weight.values)
        let hidden = arena.allocate(T * B * H)
        if let initialHidden {
            hidden.update(from: initialHidden, count: B * H)
        } else {
            hidden.update(repeating: 0, count: B * H)
        }

        asTeam(batch) { team in
            let units = team.share(H)
            for t in 0..<(T - 1) {
                let previous = hidden + t * B * H, current = previous + B * H
                // Rows whose name has a letter after t update their state; the rest carry it.
                let updating = batch.active(t + 1)
                if !units.isEmpty {
                    // pre = b + W_h·h (the updating rows at once) + W_x·x (a gather per name)
                    for b in 0..<updating {
                        (current + b * H + units.lowerBound).update(
                            from: in2hidden.bias.values + units.lowerBound, count: units.count)
                    }
                    Kernels.gemmNT(
                        m: updating, n: units.count, k: H, a: previous, lda: H, b: wh + units.lowerBound * ld + V,
                        ldb: ld, c: current + units.lowerBound, ldc: H, accumulate: true)
                    for b in 0..<B {
                        let row = current + b * H + units.lowerBound
                        if b < updating {
                            LayerMath.addColumn(
                                wh + units.lowerBound * ld, ld: ld, column: batch.token(t, b),
                                count: units.count, into: row)
                            Math.sigmoid(row, row, units.count)
                        } else {
                            // Past the name: carry the state.
                            row.update(from: previous + b * H + units.lowerBound, count: units.count)
                        }
                    }
                }
                team.barrier()
            }
            // y = b_o + W_oh·h (state before the last character) + W_ox·x_last
            let labels = team.share(C)
            guard !labels.isEmpty else { return }
            let last = hidden + (T - 1) * B * H
            for b in 0..<B {
                (logits + b * C + labels.lowerBound).update(
                    from: in2output.bias.values + labels.lowerBound, count: labels.count)
            }
            Kernels.gemmNT(
                m: B, n: labels.count, k: H, a: last, lda: H, b: wo + labels.lowerBound * ld + V, ldb: ld,
                c: logits + labels.lowerBound, ldc: C, accumulate: true)
            for b in 0..<B {
                LayerMath.addColumn(
                    wo + labels.lowerBound * ld, ld: ld, column: batch.token(batch.length(b) - 1, b),
                    count: labels.count, into: logits + b * C + labels.lowerBound)
            }
        }
        return Tape(hidden: hidden)
    }

    func backward(_ batch: SequenceBatch, tape: Tape, dLogits dy: UnsafePointer<Float>, arena: Arena) {
        let (B, T, H) = (batch.size, batch.steps, hiddenSize)
        // Each member's partial dh (its rows' share of the contraction), two generations deep.
        let partials = TeamPartials(arena: arena, members: WorkerPool.shared.threadCount, rows: B, width: H)
        let dh = arena.allocate(B * H)
        let dPre = arena.allocate(max(T - 1, 1) * B * H)
        asTeam(batch) { team in
            let units = team.share(H)
            outputBackward(batch, hidden: tape.hidden, dy: dy, partials: partials, team: team)
            team.sumPartials(partials, rows: B, columns: units, into: dh, adding: false)
            guard T > 1 else { return }
            walkBack(batch, hidden: tape.hidden, dh: dh, dPre: dPre, partials: partials, team: team, units: units)
            hiddenWeightGradients(batch, hidden: tape.hidden, dPre: dPre, units: units)
        }
    }

    /// The output layer, rows of each piece's labels: dW_oh += dyᵀ·h, dW_ox[:, x_last] += dy,
    /// db_o += Σ dy, and the piece's partial dh = dy·W_oh (generation 0 of `partials`).
    private func outputBackward(
        _ batch: SequenceBatch, hidden: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>,
        partials: TeamPartials, team: Team
    ) {
        let (B, T, H, V, C) = (batch.size, batch.steps, hiddenSize, inputSize, classes)
        let ld = V + H
        let (wo, dwo) = (in2output.weight.values, in2output.weight.grads)
        let last = hidden + (T - 1) * B * H
        team.forEachPiece(C) { piece, labels in
            let partial = partials.slot(0, member: piece)
            guard !labels.isEmpty else { return partial.update(repeating: 0, count: B * H) }
            Kernels.gemmTN(
                m: labels.count, n: H, k: B, a: dy + labels.lowerBound, lda: C, b: last, ldb: H,
                c: dwo + labels.lowerBound * ld + V, ldc: ld, accumulate: true)
            for b in 0..<B {
                Kernels.axpy(1, dy + b * C + labels.lowerBound, in2output.bias.grads + labels.lowerBound, labels.count)
                LayerMath.scatterColumn(
                    dy + b * C + labels.lowerBound, into: dwo + labels.lowerBound * ld, ld: ld,
                    column: batch.token(batch.length(b) - 1, b), count: labels.count)
            }
            Kernels.gemmNN(
                m: B, n: H, k: labels.count, a: dy + labels.lowerBound, lda: C,
                b: wo + labels.lowerBound * ld + V, ldb: ld, c: partial, ldc: H, accumulate: false)
        }
        team.barrier()
    }

    /// Back through time: dpre_t = dh ⊙ h(1 − h) where the state was updated, 0 where carried;
    /// dh_prev = dpre_t·W_hh, each member contributing its rows.
    private func walkBack(
        _ batch: SequenceBatch, hidden: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>,
        dPre: UnsafeMutablePointer<Float>, partials: TeamPartials, team: Team, units: Range<Int>
    ) {
        let (B, T, H, V) = (batch.size, batch.steps, hiddenSize, inputSize)
        let (ld, wh) = (V + H, in2hidden.weight.values)
        for (generation, t) in stride(from: T - 2, through: 0, by: -1).enumerated() {
            let h = hidden + (t + 1) * B * H, d = dPre + t * B * H
            let updated = batch.active(t + 1)  // rows whose state changed at t; the rest carried it
            for b in 0..<updated where !units.isEmpty {
                let (row, g, out) = (h + b * H, dh + b * H, d + b * H)
                Kernels.forEachLanes(units.count) { j, lanes in
                    let o = units.lowerBound + j
                    let y = Kernels.load(row + o, count: lanes)
                    Kernels.store(Kernels.load(g + o, count: lanes) * y * (1 - y), out + o, count: lanes)
                }
            }
            if t == 0 { break }  // the initial state needs no gradient
            team.forEachPiece(H) { piece, rows in
                let partial = partials.slot(generation + 1, member: piece)
                guard !rows.isEmpty else { return partial.update(repeating: 0, count: B * H) }
                Kernels.gemmNN(
                    m: updated, n: H, k: rows.count, a: d + rows.lowerBound, lda: H,
                    b: wh + rows.lowerBound * ld + V, ldb: ld, c: partial, ldc: H, accumulate: false)
            }
            team.barrier()
            // Carried states (rows ≥ updated) keep their gradient.
            team.sumPartials(
                partials, generation: generation + 1, rows: updated, columns: units, into: dh, adding: false)
        }
    }

    /// Weight gradients of this member's rows of in2hidden: one product for the whole sequence
    /// when no name is shorter (one write of the gradient), else step by step over the rows that
    /// updated.
    private func hiddenWeightGradients(
        _ batch: SequenceBatch, hidden: UnsafeMutablePointer<Float>,
        dPre: UnsafeMutablePointer<Float>, units: Range<Int>
    ) {
        guard !units.isEmpty else { return }
        let (B, T, H, V) = (batch.size, batch.steps, hiddenSize, inputSize)
        let (ld, dwh) = (V + H, in2hidden.weight.grads)
        if batch.isRectangular {
            Kernels.gemmTN(
                m: units.count, n: H, k: (T - 1) * B, a: dPre + units.lowerBound, lda: H, b: hidden, ldb: H,
                c: dwh + units.lowerBound * ld + V, ldc: ld, accumulate: true)
        }
        for t in 0..<(T - 1) {
            let updated = batch.active(t + 1), d = dPre + t * B * H
            if !batch.isRectangular {
                Kernels.gemmTN(
                    m: units.count, n: H, k: updated, a: d + units.lowerBound, lda: H, b: hidden + t * B * H,
                    ldb: H, c: dwh + units.lowerBound * ld + V, ldc: ld, accumulate: true)
            }
            for b in 0..<updated {
                Kernels.axpy(1, d + b * H + units.lowerBound, in2hidden.bias.grads + units.lowerBound, units.count)
                LayerMath.scatterColumn(
                    d + b * H + units.lowerBound, into: dwh + units.lowerBound * ld,
                    ld: ld, column: batch.token(t, b), count: units.count)
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
