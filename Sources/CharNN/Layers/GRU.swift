/// `nn.GRU`'s cell, PyTorch's equations and layout:
///
///     r = σ(W_ir x + b_ir + W_hr h + b_hr)
///     z = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 − z) ⊙ n + z ⊙ h
enum GRUCell: RecurrentCell {
    static let name = "gru"
    static let gates = 3
    static let savedPerUnit = 4
    static let hasMemory = false
    static let sharesGateGradients = false

    // Gate blocks, and the slots of what the forward keeps.
    private static let (r, z, n) = (0, 1, 2)
    private static let hiddenN = 3  // W_hn h + b_hn: r multiplies it, so its gradient needs it

    @inline(__always)
    static func forward(_ s: CellStep) {
        let r = σ(s.input(Self.r) + s.hidden(Self.r))
        let z = σ(s.input(Self.z) + s.hidden(Self.z))
        let hn = s.hidden(Self.n)
        let n = tanh(s.input(Self.n) + r * hn)
        s.emit(h: n + z * (s.h - n))
        s.keep(Self.r, r)
        s.keep(Self.z, z)
        s.keep(Self.n, n)
        s.keep(hiddenN, hn)
    }

    @inline(__always)
    static func backward(_ s: CellGradientStep) {
        let (r, z, n, hn, dh) = (s.kept(Self.r), s.kept(Self.z), s.kept(Self.n), s.kept(hiddenN), s.dh)
        let dn = dh * (1 - z) * (1 - n * n)
        let dz = dh * (s.h - n) * z * (1 - z)
        let dr = dn * hn * r * (1 - r)
        s.setInputGradient(Self.r, dr)
        s.setInputGradient(Self.z, dz)
        s.setInputGradient(Self.n, dn)
        s.setHiddenGradient(Self.r, dr)
        s.setHiddenGradient(Self.z, dz)
        s.setHiddenGradient(Self.n, dn * r)
        s.dh = dh * z
    }

    static func graphStep(gi: Variable, gh: Variable, state: CellState, hiddenSize H: Int) throws(CharNNError)
        -> CellState
    {
        func gate(_ v: Variable, _ k: Int) throws(CharNNError) -> Variable { try v.slice(columns: k * H..<(k + 1) * H) }
        let r = try (gate(gi, Self.r) + gate(gh, Self.r)).sigmoid()
        let z = try (gate(gi, Self.z) + gate(gh, Self.z)).sigmoid()
        let n = try (gate(gi, Self.n) + r * gate(gh, Self.n)).tanh()
        return CellState(h: try n + z * (state.h - n), c: nil)
    }
}
