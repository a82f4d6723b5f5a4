/// A stacked GRU with PyTorch's equations and layout, then `fc = Linear(H, classes)` on the
/// top layer's last output:
///
///     r = σ(W_ir x + b_ir + W_hr h + b_hr)
///     z = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 − z) ⊙ n + z ⊙ h
///
/// The initial state is zero (`nn.GRU`'s default).
final class GRU: RecurrentClassifier, @unchecked Sendable {
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
            RecurrentLayer(prefix: "gru", index: l, inputSize: l == 0 ? inputSize : hiddenSize, hiddenSize: hiddenSize,
                           gates: 3, using: &rng)
        }
        fc = Linear(name: "fc", inputs: hiddenSize, outputs: classes, using: &rng)
    }

    var parameters: [Parameter] { layers.flatMap(\.parameters) + fc.parameters }

    /// Per layer: states [(steps + 1) × batch × H] (slot 0 is the zero initial state), the gate
    /// values r, z, n [steps × batch × 3H] and W_hn h + b_hn [steps × batch × H].
    struct Tape {
        var states: [UnsafeMutablePointer<Float>] = []
        var gateValues: [UnsafeMutablePointer<Float>] = []
        var hiddenN: [UnsafeMutablePointer<Float>] = []
    }

    /// Runs a fused pass as a team when its multiply-adds per layer and step (between two
    /// barriers) make one pay (`WorkerPool.team`).
    private func asTeam(_ batch: SequenceBatch, _ body: (Team) -> Void) {
        let stepWork = batch.size * 3 * hiddenSize * hiddenSize
        WorkerPool.shared.team(stepWork: stepWork, work: stepWork * batch.steps * layers.count, body)
    }

    /// The fused passes run as a team (`WorkerPool.team`): each core owns a share of the hidden
    /// units, computes their r, z, n rows in every layer and step, and meets the others at a
    /// barrier once per step; `fc` rows are split by label.
    func forward(_ batch: SequenceBatch, initialHidden: UnsafePointer<Float>?, arena: Arena,
                 logits: UnsafeMutablePointer<Float>, training: Bool) -> Tape {
        let (B, T, H, C) = (batch.size, batch.steps, hiddenSize, classes)
        // Inference keeps one step of gate values (overwritten step after step): only the
        // backward pass reads them.
        let kept = training ? T : 1
        var tape = Tape()
        for _ in layers {
            let states = arena.allocate((T + 1) * B * H)
            states.update(repeating: 0, count: B * H)
            tape.states.append(states)
            tape.gateValues.append(arena.allocate(kept * B * 3 * H))
            tape.hiddenN.append(arena.allocate(kept * B * H))
        }
        let gi = arena.allocate(T * B * 3 * H), gh = arena.allocate(B * 3 * H)
        asTeam(batch) { team in
            let units = team.share(H)
            for (l, layer) in layers.enumerated() {
                let (states, gates, hn) = (tape.states[l], tape.gateValues[l], tape.hiddenN[l])
                layer.projectInputs(batch, input: l > 0 ? UnsafePointer(tape.states[l - 1] + B * H) : nil, into: gi,
                                    units: units)
                for t in 0..<T {
                    let previous = states + t * B * H, current = previous + B * H
                    layer.projectHidden(previous, rows: batch.active(t), into: gh, units: units)
                    for b in 0..<B where !units.isEmpty {
                        let (hp, hc) = (previous + b * H, current + b * H)
                        guard batch.isValid(t, b) else {
                            (hc + units.lowerBound).update(from: hp + units.lowerBound, count: units.count)
                            continue
                        }
                        let (x, h) = (gi + (t * B + b) * 3 * H, gh + b * 3 * H)
                        let step = training ? t : 0
                        let (g, ghn) = (gates + (step * B + b) * 3 * H, hn + (step * B + b) * H)
                        Kernels.forEachLanes(units.count) { offset, lanes in
                            let j = units.lowerBound + offset
                            func at(_ p: UnsafePointer<Float>) -> SIMD8<Float> { Kernels.load(p + j, count: lanes) }
                            let r = SIMDMath.sigmoid(at(x) + at(h))
                            let z = SIMDMath.sigmoid(at(x + H) + at(h + H))
                            let hnj = at(h + 2 * H)
                            let n = SIMDMath.tanh(at(x + 2 * H) + r * hnj)
                            Kernels.store(r, g + j, count: lanes)
                            Kernels.store(z, g + H + j, count: lanes)
                            Kernels.store(n, g + 2 * H + j, count: lanes)
                            Kernels.store(hnj, ghn + j, count: lanes)
                            Kernels.store(n + z * (at(hp) - n), hc + j, count: lanes)
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
        let dgi = arena.allocate(T * B * 3 * H), dgh = arena.allocate(T * B * 3 * H)
        let dh = arena.allocate(B * H), direct = arena.allocate(B * H)
        let stepPartials = TeamPartials(arena: arena, members: members, rows: B, width: H)
        // d(loss)/d(output of the layer below) per step, and the members' partial sums of it.
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
                let (states, gates, hn) = (tape.states[l], tape.gateValues[l], tape.hiddenN[l])
                if l < L - 1 { for b in 0..<B { (dh + b * H + units.lowerBound).update(repeating: 0, count: units.count) } }
                for t in stride(from: T - 1, through: 0, by: -1) {
                    let active = batch.active(t)
                    if l < L - 1, let below {
                        for b in 0..<active { Kernels.axpy(1, below.gradient + (t * B + b) * H + units.lowerBound, dh + b * H + units.lowerBound, units.count) }
                    }
                    for b in 0..<B where !units.isEmpty {
                        let row = t * B + b
                        let (dgiRow, dghRow) = (dgi + row * 3 * H, dgh + row * 3 * H)
                        let (d, out) = (dh + b * H, direct + b * H)
                        guard b < active else {
                            // Past the name: dh carries through; its gate rows are never read.
                            (out + units.lowerBound).update(from: d + units.lowerBound, count: units.count)
                            continue
                        }
                        let (g, ghn, hp) = (gates + row * 3 * H, hn + row * H, states + t * B * H + b * H)
                        Kernels.forEachLanes(units.count) { offset, lanes in
                            let j = units.lowerBound + offset
                            func at(_ p: UnsafePointer<Float>) -> SIMD8<Float> { Kernels.load(p + j, count: lanes) }
                            let (r, z, n, dj) = (at(g), at(g + H), at(g + 2 * H), at(d))
                            let dPreN = dj * (1 - z) * (1 - n * n)
                            let dPreZ = dj * (at(hp) - n) * z * (1 - z)
                            let dPreR = dPreN * at(ghn) * r * (1 - r)
                            Kernels.store(dPreR, dgiRow + j, count: lanes)
                            Kernels.store(dPreZ, dgiRow + H + j, count: lanes)
                            Kernels.store(dPreN, dgiRow + 2 * H + j, count: lanes)
                            Kernels.store(dPreR, dghRow + j, count: lanes)
                            Kernels.store(dPreZ, dghRow + H + j, count: lanes)
                            Kernels.store(dPreN * r, dghRow + 2 * H + j, count: lanes)
                            Kernels.store(dj * z, out + j, count: lanes)
                        }
                    }
                    guard t > 0 else { break }
                    // dh_prev = direct + dgh·W_hh: each member adds its rows' share.
                    team.forEachPiece(H) { piece, units in
                        layer.backpropagate(dgh + t * B * 3 * H, rows: active, through: layer.weightHH, units: units,
                                            into: stepPartials.slot(generation, member: piece))
                    }
                    team.barrier()
                    for b in 0..<B where !units.isEmpty {
                        (dh + b * H + units.lowerBound).update(from: direct + b * H + units.lowerBound, count: units.count)
                    }
                    team.sumPartials(stepPartials, generation: generation, rows: active, columns: units, into: dh, adding: true)
                    generation += 1
                }
                let input = l > 0 ? UnsafePointer(tape.states[l - 1] + B * H) : nil
                layer.finishBackward(batch, dgi: dgi, dgh: dgh, previousHidden: states, input: input, units: units,
                                     team: team, below: l > 0 ? below : nil)
            }
        }
    }

    func graphLogits(_ g: Graph, tokens: [Int], initialHidden: Tensor?) throws(CharNNError) -> Variable {
        let H = hiddenSize
        var states = layers.map { _ in g.constant(.zeros(Shape(1, H))) }
        for token in tokens {
            var x = try g.oneHot([token], depth: inputSize)
            for (l, layer) in layers.enumerated() {
                let (gi, gh) = try layer.graphProjections(x, states[l])
                let r = try (gi.slice(columns: 0..<H) + gh.slice(columns: 0..<H)).sigmoid()
                let z = try (gi.slice(columns: H..<2 * H) + gh.slice(columns: H..<2 * H)).sigmoid()
                let n = try (gi.slice(columns: 2 * H..<3 * H) + r * gh.slice(columns: 2 * H..<3 * H)).tanh()
                states[l] = try n + z * (states[l] - n)
                x = states[l]
            }
        }
        return try fc(states[layers.count - 1])
    }
}
