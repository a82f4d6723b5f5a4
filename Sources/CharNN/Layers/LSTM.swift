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

    func forward(_ batch: SequenceBatch, initialHidden: UnsafePointer<Float>?, arena: Arena,
                 logits: UnsafeMutablePointer<Float>) -> Tape {
        let (B, T, H) = (batch.size, batch.steps, hiddenSize)
        var tape = Tape()
        let gi = arena.allocate(T * B * 4 * H), gh = arena.allocate(B * 4 * H)
        var input: UnsafePointer<Float>? = nil
        for layer in layers {
            let states = arena.allocate((T + 1) * B * H), cells = arena.allocate((T + 1) * B * H)
            let gates = arena.allocate(T * B * 4 * H), tanhC = arena.allocate(T * B * H)
            states.update(repeating: 0, count: B * H)
            cells.update(repeating: 0, count: B * H)
            layer.projectInputs(batch, input: input, into: gi)
            for t in 0..<T {
                let (hPrev, cPrev) = (states + t * B * H, cells + t * B * H)
                layer.projectHidden(hPrev, rows: B, into: gh)
                for b in 0..<B {
                    let (hp, cp) = (hPrev + b * H, cPrev + b * H)
                    let (hc, cc) = (hp + B * H, cp + B * H)
                    guard batch.isValid(t, b) else {
                        hc.update(from: hp, count: H)
                        cc.update(from: cp, count: H)
                        continue
                    }
                    let row = t * B + b
                    let (x, h, g, tc) = (gi + row * 4 * H, gh + b * 4 * H, gates + row * 4 * H, tanhC + row * H)
                    Kernels.forEachLanes(H) { j, lanes in
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
            }
            tape.states.append(states)
            tape.cells.append(cells)
            tape.gateValues.append(gates)
            tape.tanhCells.append(tanhC)
            input = UnsafePointer(states + B * H)
        }
        fc.forward(tape.states[layers.count - 1] + T * B * H, rows: B, into: logits)
        return tape
    }

    func backward(_ batch: SequenceBatch, tape: Tape, dLogits: UnsafePointer<Float>, arena: Arena) {
        let (B, T, H, L) = (batch.size, batch.steps, hiddenSize, layers.count)
        let dTop = arena.allocate(B * H)
        fc.backward(tape.states[L - 1] + T * B * H, dLogits, rows: B, dx: dTop)

        let dg = arena.allocate(T * B * 4 * H)
        var dh = arena.allocate(B * H), next = arena.allocate(B * H)
        let dc = arena.allocate(B * H)
        let dBelow = L > 1 ? arena.allocate(T * B * H) : nil
        for l in stride(from: L - 1, through: 0, by: -1) {
            let layer = layers[l]
            let (states, cells, gates, tanhC) = (tape.states[l], tape.cells[l], tape.gateValues[l], tape.tanhCells[l])
            if l == L - 1 { dh.update(from: dTop, count: B * H) } else { dh.update(repeating: 0, count: B * H) }
            dc.update(repeating: 0, count: B * H)
            for t in stride(from: T - 1, through: 0, by: -1) {
                if l < L - 1, let dBelow { Kernels.axpy(1, dBelow + t * B * H, dh, B * H) }
                for b in 0..<B {
                    let row = t * B + b
                    let dgRow = dg + row * 4 * H
                    let (d, dcb, direct) = (dh + b * H, dc + b * H, next + b * H)
                    guard batch.isValid(t, b) else {
                        dgRow.update(repeating: 0, count: 4 * H)
                        direct.update(from: d, count: H)  // dc carries through unchanged
                        continue
                    }
                    let (g, tc, cp) = (gates + row * 4 * H, tanhC + row * H, cells + t * B * H + b * H)
                    Kernels.forEachLanes(H) { j, lanes in
                        func at(_ p: UnsafePointer<Float>) -> SIMD8<Float> { Kernels.load(p + j, count: lanes) }
                        let (i, f, gg, o, th, dj) = (at(g), at(g + H), at(g + 2 * H), at(g + 3 * H), at(tc), at(d))
                        let c = at(dcb) + dj * o * (1 - th * th)
                        Kernels.store(c * gg * i * (1 - i), dgRow + j, count: lanes)
                        Kernels.store(c * at(cp) * f * (1 - f), dgRow + H + j, count: lanes)
                        Kernels.store(c * i * (1 - gg * gg), dgRow + 2 * H + j, count: lanes)
                        Kernels.store(dj * th * o * (1 - o), dgRow + 3 * H + j, count: lanes)
                        Kernels.store(c * f, dcb + j, count: lanes)
                        Kernels.store(SIMD8<Float>(), direct + j, count: lanes)
                    }
                }
                if t > 0 { layer.backpropagateHidden(dg + t * B * 4 * H, rows: B, into: next) }
                swap(&dh, &next)
            }
            let input = l > 0 ? UnsafePointer(tape.states[l - 1] + B * H) : nil
            // The same pre-activation gradient flows to the input and the hidden projections.
            layer.accumulateGradients(batch, dgi: dg, dgh: dg, previousHidden: states, input: input,
                                      dInput: l > 0 ? dBelow : nil)
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
