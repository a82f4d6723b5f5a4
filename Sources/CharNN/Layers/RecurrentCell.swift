/// The gate maths of a gated recurrent cell (the GRU's, the LSTM's), for 8 hidden units of one
/// name at one step. Everything else (the projections W·x and W·h, the team of cores, the tape,
/// the walk back through time, the head) is `StackedRecurrent`'s, so a new cell is its
/// equations, their derivatives and the same maths on an autodiff graph.
protocol RecurrentCell {
    /// The PyTorch module name: parameters are `<name>.weight_ih_l0` and so on.
    static var name: String { get }
    /// Blocks of rows in the weights (GRU 3: r, z, n; LSTM 4: i, f, g, o).
    static var gates: Int { get }
    /// Floats per hidden unit a training forward keeps for the backward pass.
    static var savedPerUnit: Int { get }
    /// Whether the cell carries a memory c beside its output h (the LSTM).
    static var hasMemory: Bool { get }
    /// Whether d(loss)/d(W_ih·x) equals d(loss)/d(W_hh·h) (the LSTM adds the two projections
    /// before any nonlinearity): then one buffer holds both.
    static var sharesGateGradients: Bool { get }

    /// h' (and c') from the step's projections and the previous state; keeps what backward needs.
    static func forward(_ s: CellStep)
    /// From d(loss)/d(h') (and d(loss)/d(c')): the gradients of both projections' outputs; leaves
    /// in `s.dh` the part of d(loss)/d(h) that does not flow through W_hh, in `s.dc` d(loss)/d(c).
    static func backward(_ s: CellGradientStep)
    /// The same step op by op on an autodiff graph (the reference the fused path is tested
    /// against): projections gi = W_ih·x + b_ih and gh = W_hh·h + b_hh [1 × gates·H].
    static func graphStep(gi: Variable, gh: Variable, state: CellState, hiddenSize H: Int) throws(CharNNError)
        -> CellState
}

/// A cell's state on a graph: its output h and, for the LSTM, its memory c.
struct CellState {
    var h: Variable
    var c: Variable?
}

/// One name's buffers at one step, read and written 8 hidden units (lanes) at a time: the
/// cell's forward sees `input(gate)` = (W_ih·x + b_ih) and `hidden(gate)` = (W_hh·h + b_hh) of
/// one gate block, the previous `h` and `c`, and sets `hNext`, `cNext` and what it keeps.
struct CellStep {
    let hiddenSize: Int
    let unit: Int
    let lanes: Int
    let inputGates: UnsafePointer<Float>
    let hiddenGates: UnsafePointer<Float>
    let previousH: UnsafePointer<Float>
    let previousC: UnsafePointer<Float>
    let nextH: UnsafeMutablePointer<Float>
    let nextC: UnsafeMutablePointer<Float>
    let kept: UnsafeMutablePointer<Float>

    @inline(__always) private func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        Kernels.load(p + unit, count: lanes)
    }
    @inline(__always) func input(_ gate: Int) -> SIMD8<Float> { load(inputGates + gate * hiddenSize) }
    @inline(__always) func hidden(_ gate: Int) -> SIMD8<Float> { load(hiddenGates + gate * hiddenSize) }
    @inline(__always) var h: SIMD8<Float> { load(previousH) }
    @inline(__always) var c: SIMD8<Float> { load(previousC) }
    @inline(__always) func emit(h: SIMD8<Float>) { Kernels.store(h, nextH + unit, count: lanes) }
    @inline(__always) func emit(c: SIMD8<Float>) { Kernels.store(c, nextC + unit, count: lanes) }
    /// kept[slot]: the values the backward pass reads back (`CellGradientStep.kept`).
    @inline(__always) func keep(_ slot: Int, _ value: SIMD8<Float>) {
        Kernels.store(value, kept + slot * hiddenSize + unit, count: lanes)
    }
}

/// One name's buffers at one step of the backward pass, 8 hidden units at a time.
struct CellGradientStep {
    let hiddenSize: Int
    let unit: Int
    let lanes: Int
    let kept: UnsafePointer<Float>
    let previousH: UnsafePointer<Float>
    let previousC: UnsafePointer<Float>
    /// In: d(loss)/d(h'). Out: the part of d(loss)/d(h) that skips W_hh.
    let dhBuffer: UnsafeMutablePointer<Float>
    /// In: d(loss)/d(c'). Out: d(loss)/d(c) (cells with memory).
    let dcBuffer: UnsafeMutablePointer<Float>
    let dInputGates: UnsafeMutablePointer<Float>
    let dHiddenGates: UnsafeMutablePointer<Float>

    @inline(__always) private func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        Kernels.load(p + unit, count: lanes)
    }
    @inline(__always) func kept(_ slot: Int) -> SIMD8<Float> { load(kept + slot * hiddenSize) }
    @inline(__always) var h: SIMD8<Float> { load(previousH) }
    @inline(__always) var c: SIMD8<Float> { load(previousC) }
    @inline(__always) var dh: SIMD8<Float> {
        get { load(dhBuffer) }
        nonmutating set { Kernels.store(newValue, dhBuffer + unit, count: lanes) }
    }
    @inline(__always) var dc: SIMD8<Float> {
        get { load(dcBuffer) }
        nonmutating set { Kernels.store(newValue, dcBuffer + unit, count: lanes) }
    }
    /// d(loss)/d(W_ih·x + b_ih) of one gate block.
    @inline(__always) func setInputGradient(_ gate: Int, _ value: SIMD8<Float>) {
        Kernels.store(value, dInputGates + gate * hiddenSize + unit, count: lanes)
    }
    /// d(loss)/d(W_hh·h + b_hh) of one gate block.
    @inline(__always) func setHiddenGradient(_ gate: Int, _ value: SIMD8<Float>) {
        Kernels.store(value, dHiddenGates + gate * hiddenSize + unit, count: lanes)
    }
}

/// σ and tanh on lanes, named as in the equations.
@inline(__always) func σ(_ x: SIMD8<Float>) -> SIMD8<Float> { SIMDMath.sigmoid(x) }
@inline(__always) func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> { SIMDMath.tanh(x) }
