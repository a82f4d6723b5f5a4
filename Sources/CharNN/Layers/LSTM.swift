/// A stacked LSTM with PyTorch's equations and layout (gates i, f, g, o), then
/// `fc = Linear(H, classes)` on the top layer's last output:
///
///     i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
///     g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
///     c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')
///
/// Initial h and c are zero (`nn.LSTM`'s default).
final class LSTM: RecurrentClassifier, @unchecked Sendable {
    let layers: [RecurrentLayer]
    let fc: Linear
    let inputSize: Int
    let hiddenSize: Int
    let classes: Int

    init(inputSize: Int, hiddenSize: Int, layers count: Int, classes: Int, using rng: inout Xoshiro256) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.classes = classes
        layers = (0..<count).map { l in
            RecurrentLayer(prefix: "lstm", index: l, inputSize: l == 0 ? inputSize : hiddenSize, hiddenSize: hiddenSize,
                           gates: 4, using: &rng)
        }
        fc = Linear(name: "fc", inputs: hiddenSize, outputs: classes, using: &rng)
    }

    var parameters: [Parameter] { layers.flatMap(\.parameters) + fc.parameters }

    /// Per layer: h and c [(steps + 1) × batch × H] (slot 0 the zero initial state), the gate
    /// values i, f, g, o [steps × batch × 4H] and tanh(c') [steps × batch × H].
    struct Tape {
        var states: [UnsafeMutablePointer<Float>] = []
        var cells: [UnsafeMutablePointer<Float>] = []
        var gateValues: [UnsafeMutablePointer<Float>] = []
        var tanhCells: [UnsafeMutablePointer<Float>] = []
    }

    /// Runs a fused pass as a team when its multiply-adds per layer and step (between two
    /// barriers) make one pay (`WorkerPool.team`).
    private func asTeam(_ batch: SequenceBatch, _ body: (Team) -> Void) {
        let stepWork = batch.size * 4 * hiddenSize * hiddenSize
        WorkerPool.shared.team(stepWork: stepWork, work: stepWork * batch.steps * layers.count, body)
    }

    /// The fused passes run as a team, like the GRU's: each core owns a share of the hidden
    /// units (their i, f, g, o rows and cell values) and meets the others once per step.
    func forward(_ batch: SequenceBatch, initialHidden: UnsafePointer<Float>?, arena: Arena,
                 logits: UnsafeMutablePointer<Float>, training: Bool) -> Tape {
        let (B, T, H, C) = (batch.size, batch.steps, hiddenSize, classes)
        let kept = training ? T : 1  // gate values: only the backward pass reads them
        var tape = Tape()
        for _ in layers {
            let states = arena.allocate((T + 1) * B * H), cells = arena.allocate((T + 1) * B * H)
            states.update(repeating: 0, count: B * H)
            cells.update(repeating: 0, count: B * H)
            tape.states.append(states)
            tape.cells.append(cells)
            tape.gateValues.append(arena.allocate(kept * B * 4 * H))
            tape.tanhCells.append(arena.allocate(kept * B * H))
        }
        let gi = arena.allocate(T * B * 4 * H), gh = arena.allocate(B * 4 * H)
        asTeam(batch) { team in
            let units = team.share(H)
            for (l, layer) in layers.enumerated() {
                let (states, cells, gates, tanhC) = (tape.states[l], tape.cells[l], tape.gateValues[l], tape.tanhCells[l])
                layer.projectInputs(batch, input: l > 0 ? UnsafePointer(tape.states[l - 1] + B * H) : nil, into: gi,
                                    units: units)
                for t in 0..<T {
                    let (hPrev, cPrev) = (states + t * B * H, cells + t * B * H)
                    layer.projectHidden(hPrev, rows: batch.active(t), into: gh, units: units)
                    for b in 0..<B where !units.isEmpty {
                        let (hp, cp) = (hPrev + b * H, cPrev + b * H)
                        let (hc, cc) = (hp + B * H, cp + B * H)
                        guard batch.isValid(t, b) else {
                            (hc + units.lowerBound).update(from: hp + units.lowerBound, count: units.count)
                            (cc + units.lowerBound).update(from: cp + units.lowerBound, count: units.count)
                            continue
                        }
                        let row = t * B + b, kept = (training ? t : 0) * B + b
                        let (x, h, g, tc) = (gi + row * 4 * H, gh + b * 4 * H, gates + kept * 4 * H, tanhC + kept * H)
                        Kernels.forEachLanes(units.count) { offset, lanes in
                            let j = units.lowerBound + offset
                            func at(_ p: UnsafePointer<Float>) -> SIMD8<Float> { Kernels.load(p + j, count: lanes) }
                            let i = SIMDMath.sigmoid(at(x) + at(h))
                            let f = SIMDMath.sigmoid(at(x + H) + at(h + H))
                            let gg = SIMDMath.tanh(at(x + 2 * H) + at(h + 2 * H))
                            let o = SIMDMath.sigmoid(at(x + 3 * H) + at(h + 3 * H))
                            let c = f * at(cp) + i * gg
                            let th = SIMDMath.tanh(c)
                            Kernels.store(i, g + j, count: lanes)
                            Kernels.store(f, g + H + j, count: lanes)
                            Kernels.store(gg, g + 2 * H + j, count: lanes)
                            Kernels.store(o, g + 3 * H + j, count: lanes)
                            Kernels.store(c, cc + j, count: lanes)
                            Kernels.store(th, tc + j, count: lanes)
                            Kernels.store(o * th, hc + j, count: lanes)
                        }
                    }
                    team.barrier()
                }
            }
            fc.forward(tape.states[layers.count - 1] + T * B * H, rows: B, into: logits, outputs: team.share(C))
        }
        return tape
    }

    func backward(_ batch: SequenceBatch, tape: Tape, dLogits: UnsafePointer<Float>, arena: Arena) {
        let (B, T, H, L, C) = (batch.size, batch.steps, hiddenSize, layers.count, classes)
        let members = WorkerPool.shared.threadCount
        let dg = arena.allocate(T * B * 4 * H)
        let dh = arena.allocate(B * H), dc = arena.allocate(B * H)
        let stepPartials = TeamPartials(arena: arena, members: members, rows: B, width: H)
        let below = L > 1 ? (gradient: arena.allocate(T * B * H),
                             partials: TeamPartials(arena: arena, members: members, rows: T * B, width: H, generations: 1)) : nil
        asTeam(batch) { team in
            let units = team.share(H)
            team.forEachPiece(C) { piece, labels in
                fc.backward(tape.states[L - 1] + T * B * H, dLogits, rows: B, outputs: labels,
                            partialDx: stepPartials.slot(0, member: piece))
            }
            team.barrier()
            team.sumPartials(stepPartials, rows: B, columns: units, into: dh, adding: false)
            var generation = 1
            for l in stride(from: L - 1, through: 0, by: -1) {
                let layer = layers[l]
                let (states, cells, gates, tanhC) = (tape.states[l], tape.cells[l], tape.gateValues[l], tape.tanhCells[l])
                for b in 0..<B {
                    if l < L - 1 { (dh + b * H + units.lowerBound).update(repeating: 0, count: units.count) }
                    (dc + b * H + units.lowerBound).update(repeating: 0, count: units.count)
                }
                for t in stride(from: T - 1, through: 0, by: -1) {
                    let active = batch.active(t)
                    if l < L - 1, let below {
                        for b in 0..<active { Kernels.axpy(1, below.gradient + (t * B + b) * H + units.lowerBound, dh + b * H + units.lowerBound, units.count) }
                    }
                    for b in 0..<active where !units.isEmpty {
                        let row = t * B + b
                        let dgRow = dg + row * 4 * H
                        let (d, dcb) = (dh + b * H, dc + b * H)
                        let (g, tc, cp) = (gates + row * 4 * H, tanhC + row * H, cells + t * B * H + b * H)
                        Kernels.forEachLanes(units.count) { offset, lanes in
                            let j = units.lowerBound + offset
                            func at(_ p: UnsafePointer<Float>) -> SIMD8<Float> { Kernels.load(p + j, count: lanes) }
                            let (i, f, gg, o, th, dj) = (at(g), at(g + H), at(g + 2 * H), at(g + 3 * H), at(tc), at(d))
                            let c = at(dcb) + dj * o * (1 - th * th)
                            Kernels.store(c * gg * i * (1 - i), dgRow + j, count: lanes)
                            Kernels.store(c * at(cp) * f * (1 - f), dgRow + H + j, count: lanes)
                            Kernels.store(c * i * (1 - gg * gg), dgRow + 2 * H + j, count: lanes)
                            Kernels.store(dj * th * o * (1 - o), dgRow + 3 * H + j, count: lanes)
                            Kernels.store(c * f, dcb + j, count: lanes)
                        }
                    }
                    guard t > 0 else { break }
                    // dh_prev = dg·W_hh (h reaches the next step only through the gates), each
                    // member adding its rows' share; carried names keep their dh.
                    team.forEachPiece(H) { piece, units in
                        layer.backpropagate(dg + t * B * 4 * H, rows: active, through: layer.weightHH, units: units,
                                            into: stepPartials.slot(generation, member: piece))
                    }
                    team.barrier()
                    team.sumPartials(stepPartials, generation: generation, rows: active, columns: units, into: dh, adding: false)
                    generation += 1
                }
                let input = l > 0 ? UnsafePointer(tape.states[l - 1] + B * H) : nil
                // The same pre-activation gradient flows to the input and the hidden projections.
                layer.finishBackward(batch, dgi: dg, dgh: dg, previousHidden: states, input: input, units: units,
                                     team: team, below: l > 0 ? below : nil)
            }
        }
    }

    func graphLogits(_ g: Graph, tokens: [Int], initialHidden: Tensor?) throws(CharNNError) -> Variable {
        let H = hiddenSize
        var states = layers.map { _ in g.constant(.zeros(Shape(1, H))) }
        var cells = states
        for token in tokens {
            var x = try g.oneHot([token], depth: inputSize)
            for (l, layer) in layers.enumerated() {
                let (gi, gh) = try layer.graphProjections(x, states[l])
                let pre = try gi + gh
                let i = try pre.slice(columns: 0..<H).sigmoid()
                let f = try pre.slice(columns: H..<2 * H).sigmoid()
                let gg = try pre.slice(columns: 2 * H..<3 * H).tanh()
                let o = try pre.slice(columns: 3 * H..<4 * H).sigmoid()
                cells[l] = try f * cells[l] + i * gg
                states[l] = try o * cells[l].tanh()
                x = states[l]
            }
        }
        return try fc(states[layers.count - 1])
    }
}
