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

    func forward(_ batch: SequenceBatch, initialHidden: UnsafePointer<Float>?, arena: Arena,
                 logits: UnsafeMutablePointer<Float>) -> Tape {
        let (B, T, H) = (batch.size, batch.steps, hiddenSize)
        var tape = Tape()
        tape.states.reserveCapacity(layers.count)
        let gi = arena.allocate(T * B * 3 * H), gh = arena.allocate(B * 3 * H)
        var input: UnsafePointer<Float>? = nil
        for layer in layers {
            let states = arena.allocate((T + 1) * B * H)
            let gates = arena.allocate(T * B * 3 * H), hn = arena.allocate(T * B * H)
            states.update(repeating: 0, count: B * H)
            layer.projectInputs(batch, input: input, into: gi)
            for t in 0..<T {
                let previous = states + t * B * H, current = previous + B * H
                layer.projectHidden(previous, rows: B, into: gh)
                for b in 0..<B {
                    let (hp, hc) = (previous + b * H, current + b * H)
                    guard batch.isValid(t, b) else {
                        hc.update(from: hp, count: H)
                        continue
                    }
                    let (x, h) = (gi + (t * B + b) * 3 * H, gh + b * 3 * H)
                    let (g, ghn) = (gates + (t * B + b) * 3 * H, hn + (t * B + b) * H)
                    Kernels.forEachLanes(H) { j, lanes in
                        func at(_ p: UnsafePointer<Float>) -> SIMD8<Float> { Kernels.load(p + j, count: lanes) }
                        let r = SIMDMath.sigmoid(at(x) + at(h))
                        let z = SIMDMath.sigmoid(at(x + H) + at(h + H))
                        let hn = at(h + 2 * H)
                        let n = SIMDMath.tanh(at(x + 2 * H) + r * hn)
                        Kernels.store(r, g + j, count: lanes)
                        Kernels.store(z, g + H + j, count: lanes)
                        Kernels.store(n, g + 2 * H + j, count: lanes)
                        Kernels.store(hn, ghn + j, count: lanes)
                        Kernels.store(n + z * (at(hp) - n), hc + j, count: lanes)
                    }
                }
            }
            tape.states.append(states)
            tape.gateValues.append(gates)
            tape.hiddenN.append(hn)
            input = UnsafePointer(states + B * H)
        }
        fc.forward(tape.states[layers.count - 1] + T * B * H, rows: B, into: logits)
        return tape
    }

    func backward(_ batch: SequenceBatch, tape: Tape, dLogits: UnsafePointer<Float>, arena: Arena) {
        let (B, T, H, L) = (batch.size, batch.steps, hiddenSize, layers.count)
        let dTop = arena.allocate(B * H)
        fc.backward(tape.states[L - 1] + T * B * H, dLogits, rows: B, dx: dTop)

        let dgi = arena.allocate(T * B * 3 * H), dgh = arena.allocate(T * B * 3 * H)
        var dh = arena.allocate(B * H), next = arena.allocate(B * H)
        // d(loss)/d(output of the layer below), per step; filled by each layer for the next one down.
        let dBelow = L > 1 ? arena.allocate(T * B * H) : nil
        for l in stride(from: L - 1, through: 0, by: -1) {
            let layer = layers[l]
            let (states, gates, hn) = (tape.states[l], tape.gateValues[l], tape.hiddenN[l])
            if l == L - 1 { dh.update(from: dTop, count: B * H) } else { dh.update(repeating: 0, count: B * H) }
            for t in stride(from: T - 1, through: 0, by: -1) {
                if l < L - 1, let dBelow { Kernels.axpy(1, dBelow + t * B * H, dh, B * H) }
                for b in 0..<B {
                    let row = t * B + b
                    let (dgiRow, dghRow) = (dgi + row * 3 * H, dgh + row * 3 * H)
                    let (d, direct) = (dh + b * H, next + b * H)
                    guard batch.isValid(t, b) else {
                        dgiRow.update(repeating: 0, count: 3 * H)
                        dghRow.update(repeating: 0, count: 3 * H)
                        direct.update(from: d, count: H)
                        continue
                    }
                    let (g, ghn, hp) = (gates + row * 3 * H, hn + row * H, states + t * B * H + b * H)
                    Kernels.forEachLanes(H) { j, lanes in
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
                        Kernels.store(dj * z, direct + j, count: lanes)
                    }
                }
                if t > 0 { layer.backpropagateHidden(dgh + t * B * 3 * H, rows: B, into: next) }
                swap(&dh, &next)
            }
            let input = l > 0 ? UnsafePointer(tape.states[l - 1] + B * H) : nil
            layer.accumulateGradients(batch, dgi: dgi, dgh: dgh, previousHidden: states, input: input,
                                      dInput: l > 0 ? dBelow : nil)
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
