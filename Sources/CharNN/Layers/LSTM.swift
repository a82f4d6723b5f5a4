/// `nn.LSTM`'s cell, PyTorch's equations and layout (gates i, f, g, o):
///
///     i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
///     g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
///     c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')
enum LSTMCell: RecurrentCell {
    static let name = "lstm"
    static let gates = 4
    static let savedPerUnit = 5
    static let hasMemory = true
    static let sharesGateGradients = true

    // Gate blocks, and the slots of what the forward keeps.
    private static let (i, f, g, o) = (0, 1, 2, 3)
    private static let tanhC = 4

    @inline(__always)
    static func forward(_ s: CellStep) {
        let i = σ(s.input(Self.i) + s.hidden(Self.i))
        let f = σ(s.input(Self.f) + s.hidden(Self.f))
        let g = tanh(s.input(Self.g) + s.hidden(Self.g))
        let o = σ(s.input(Self.o) + s.hidden(Self.o))
        let c = f * s.c + i * g
        let tc = tanh(c)
        s.emit(c: c)
        s.emit(h: o * tc)
        s.keep(Self.i, i)
        s.keep(Self.f, f)
        s.keep(Self.g, g)
        s.keep(Self.o, o)
        s.keep(tanhC, tc)
    }

    @inline(__always)
    static func backward(_ s: CellGradientStep) {
        let (i, f, g, o, tc, dh) = (s.kept(Self.i), s.kept(Self.f), s.kept(Self.g), s.kept(Self.o), s.kept(tanhC), s.dh)
        let dc = s.dc + dh * o * (1 - tc * tc)
        s.setInputGradient(Self.i, dc * g * i * (1 - i))
        s.setInputGradient(Self.f, dc * s.c * f * (1 - f))
        s.setInputGradient(Self.g, dc * i * (1 - g * g))
        s.setInputGradient(Self.o, dh * tc * o * (1 - o))
        s.dc = dc * f
        s.dh = SIMD8(repeating: 0)  // h reaches the previous step only through the gates
    }

    static func graphStep(gi: Variable, gh: Variable, state: CellState, hiddenSize H: Int) throws(CharNNError)
        -> CellState
    {
        let pre = try gi + gh
        func gate(_ k: Int) throws(CharNNError) -> Variable { try pre.slice(columns: k * H..<(k + 1) * H) }
        let (i, f) = (try gate(Self.i).sigmoid(), try gate(Self.f).sigmoid())
        let (g, o) = (try gate(Self.g).tanh(), try gate(Self.o).sigmoid())
        let c = try f * state.c! + i * g
        return CellState(h: try o * c.tanh(), c: c)
    }
}
