/// One layer and direction of a GRU or LSTM in PyTorch's layout: `weight_ih_l{k}` [gates·H, in],
/// `weight_hh_l{k}` [gates·H, H], `bias_ih_l{k}` and `bias_hh_l{k}` [gates·H], all initialised
/// uniform in ±1/√H (`_reverse` after the names of a backward direction). Holds what both cells do the same way: the input projection of every step
/// at once, and the weight gradients of a whole sequence in one product each.
struct RecurrentLayer {
    let weightIH: Parameter
    let weightHH: Parameter
    let biasIH: Parameter
    let biasHH: Parameter
    let inputSize: Int
    let hiddenSize: Int
    /// 3 for the GRU (r, z, n), 4 for the LSTM (i, f, g, o).
    let gates: Int

    init(
        prefix: String, index: Int, reverse: Bool = false, inputSize: Int, hiddenSize: Int, gates: Int,
        using rng: inout Xoshiro256
    ) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        let made = Self.parameterShapes(
            prefix: prefix, index: index, reverse: reverse, inputSize: inputSize,
            hiddenSize: hiddenSize, gates: gates
        ).map { spec in
            Parameter(name: spec.name, .uniform(spec.shape, bound: bound, using: &rng), rowBlocks: gates)
        }
        (weightIH, weightHH, biasIH, biasHH) = (made[0], made[1], made[2], made[3])
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.gates = gates
    }

    /// PyTorch's `named_parameters()` order.
    var parameters: [Parameter] { [weightIH, weightHH, biasIH, biasHH] }

    /// The names and shapes of `parameters`, in that order, without making them.
    static func parameterShapes(
        prefix: String, index: Int, reverse: Bool, inputSize: Int, hiddenSize: Int,
        gates: Int
    ) -> [(name: String, shape: Shape)] {
        let (rows, suffix) = (gates * hiddenSize, "_l\(index)\(reverse ? "_reverse" : "")")
        return [
            ("\(prefix).weight_ih\(suffix)", Shape(rows, inputSize)),
            ("\(prefix).weight_hh\(suffix)", Shape(rows, hiddenSize)),
            ("\(prefix).bias_ih\(suffix)", Shape(rows)), ("\(prefix).bias_hh\(suffix)", Shape(rows)),
        ]
    }
    var width: Int { gates * hiddenSize }

    /// Calls body with the rows of `units` in each gate block (rows g·H + units): the part of
    /// the layer's weights one member of a team owns.
    @inline(__always)
    func forEachGateRows(_ units: Range<Int>, _ body: (Range<Int>) -> Void) {
        guard !units.isEmpty else { return }
        for g in 0..<gates { body(g * hiddenSize + units.lowerBound..<g * hiddenSize + units.upperBound) }
    }

    /// gi[t, b, rows(units)] = b_ih + W_ih · x[t, b] for the rows still reading at each step: a
    /// gather of token columns for the first layer (`input` nil), a matrix product per block of
    /// steps for the others (`input` is the layer below's output, [steps·batch × H]).
    /// `projection`: how a forward-only pass multiplies by W_ih (`PreparedLayer`).
    func projectInputs(
        _ batch: SequenceBatch, input: UnsafePointer<Float>?, into gi: UnsafeMutablePointer<Float>,
        units: Range<Int>, projection: GateProjection? = nil
    ) {
        let B = batch.size
        // One product per block: the whole sequence at once when no name is shorter.
        batch.forEachBlock { t, steps, active in
            let rows = steps == 1 ? active : steps * B, g = gi + t * B * width
            fillBias(biasIH, rows: rows, into: g, units: units)
            if let input {
                return multiply(
                    input + t * B * inputSize, rows: rows, by: weightIH, projection: projection, into: g, units: units)
            }
            forEachGateRows(units) { r in
                for row in 0..<rows {
                    LayerMath.addColumn(
                        weightIH.values + r.lowerBound * inputSize, ld: inputSize,
                        column: batch.token(t + row / B, row % B), count: r.count,
                        into: g + row * width + r.lowerBound)
                }
            }
        }
    }

    /// gh[:, rows(units)] = b_hh + W_hh · h for one step (`projection`: how a forward-only pass
    /// multiplies by W_hh).
    @inline(__always)
    func projectHidden(
        _ h: UnsafePointer<Float>, rows: Int, into gh: UnsafeMutablePointer<Float>, units: Range<Int>,
        projection: GateProjection? = nil
    ) {
        fillBias(biasHH, rows: rows, into: gh, units: units)
        multiply(h, rows: rows, by: weightHH, projection: projection, into: gh, units: units)
    }

    /// out[row, rows(units)] = bias[rows(units)] for each row < rows.
    @inline(__always)
    private func fillBias(_ bias: Parameter, rows: Int, into out: UnsafeMutablePointer<Float>, units: Range<Int>) {
        forEachGateRows(units) { r in
            for row in 0..<rows {
                (out + row * width + r.lowerBound).update(from: bias.values + r.lowerBound, count: r.count)
            }
        }
    }

    /// out[:, rows(units)] += x · W[rows(units), :]ᵀ: in int8 for a quantized model; in float
    /// from the prepared panels for 16 rows or more, else (and in training) with `gemmNT` on W
    /// itself, which packs large products as it goes.
    @inline(__always)
    private func multiply(
        _ x: UnsafePointer<Float>, rows: Int, by weight: Parameter, projection: GateProjection?,
        into out: UnsafeMutablePointer<Float>, units: Range<Int>
    ) {
        let k = weight.shape.cols
        switch projection {
        case .int8(let matrix)?:
            return matrix.multiply(x, rows: rows, lda: k, units: units, into: out, ldc: width)
        case .packed(let panels)? where rows >= 16 && k >= 16:  // gemmNT's own threshold: the same bits
            return Kernels.gemmPrepacked(
                m: rows, a: x, lda: k, weights: panels, units: units, c: out, ldc: width, accumulate: true)
        case .packed?, nil: break
        }
        forEachGateRows(units) { r in
            Kernels.gemmNT(
                m: rows, n: r.count, k: k, a: x, lda: k, b: weight.values + r.lowerBound * k, ldb: k,
                c: out + r.lowerBound, ldc: width, accumulate: true)
        }
    }

    /// partial = dg[:, rows(units)] · W[rows(units), :]: this member's share of dg·W, the
    /// gradient flowing back through a projection (W_hh to the previous state, W_ih to the
    /// input), [rows × W's columns].
    func backpropagate(
        _ dg: UnsafePointer<Float>, rows: Int, through weight: Parameter, units: Range<Int>,
        into partial: UnsafeMutablePointer<Float>
    ) {
        let columns = weight.shape.cols
        guard !units.isEmpty else { return partial.update(repeating: 0, count: rows * columns) }
        var first = true
        forEachGateRows(units) { r in
            Kernels.gemmNN(
                m: rows, n: columns, k: r.count, a: dg + r.lowerBound, lda: width,
                b: weight.values + r.lowerBound * columns, ldb: columns, c: partial, ldc: columns,
                accumulate: !first)
            first = false
        }
    }

    /// The whole sequence's weight gradients of rows(units), over the rows still reading at
    /// each step: dW_hh += dghᵀ·h_prev, dW_ih += dgiᵀ·x (or a scatter into token columns),
    /// biases += Σ.
    func accumulateGradients(
        _ batch: SequenceBatch, dgi: UnsafePointer<Float>, dgh: UnsafePointer<Float>,
        previousHidden: UnsafePointer<Float>, input: UnsafePointer<Float>?, units: Range<Int>
    ) {
        let B = batch.size
        forEachGateRows(units) { r in
            // One product per block: the whole sequence at once when no name is shorter (one
            // write of the gradient), else step by step over the rows still reading.
            batch.forEachBlock { t, steps, active in
                let rows = steps == 1 ? active : steps * B, (gi, gh) = (dgi + t * B * width, dgh + t * B * width)
                Kernels.gemmTN(
                    m: r.count, n: hiddenSize, k: rows, a: gh + r.lowerBound, lda: width,
                    b: previousHidden + t * B * hiddenSize, ldb: hiddenSize,
                    c: weightHH.grads + r.lowerBound * hiddenSize, ldc: hiddenSize, accumulate: true)
                for row in 0..<rows {
                    Kernels.axpy(1, gh + row * width + r.lowerBound, biasHH.grads + r.lowerBound, r.count)
                    Kernels.axpy(1, gi + row * width + r.lowerBound, biasIH.grads + r.lowerBound, r.count)
                }
                if let input {
                    Kernels.gemmTN(
                        m: r.count, n: inputSize, k: rows, a: gi + r.lowerBound, lda: width,
                        b: input + t * B * inputSize, ldb: inputSize,
                        c: weightIH.grads + r.lowerBound * inputSize, ldc: inputSize, accumulate: true)
                } else {
                    for row in 0..<rows {
                        LayerMath.scatterColumn(
                            gi + row * width + r.lowerBound, into: weightIH.grads + r.lowerBound * inputSize,
                            ld: inputSize, column: batch.token(t + row / B, row % B), count: r.count)
                    }
                }
            }
        }
    }

    /// partial[t] = dg[t, :, rows(units)] · W_ih[rows(units), :] for the rows still reading at
    /// each step, zeros for the others: this member's share of the gradient into the layer below.
    func backpropagateInputs(
        _ batch: SequenceBatch, _ dg: UnsafePointer<Float>, units: Range<Int>,
        into partial: UnsafeMutablePointer<Float>
    ) {
        let B = batch.size
        batch.forEachBlock { t, steps, active in
            let rows = steps == 1 ? active : steps * B
            backpropagate(
                dg + t * B * width, rows: rows, through: weightIH, units: units, into: partial + t * B * inputSize)
            if steps == 1 {
                (partial + (t * B + active) * inputSize).update(repeating: 0, count: (B - active) * inputSize)
            }
        }
    }

    /// The op-by-op projections for one step on a graph: (W_ih·x + b_ih, W_hh·h + b_hh).
    func graphProjections(_ x: Variable, _ h: Variable) throws(CharNNError) -> (Variable, Variable) {
        let g = x.graph
        return (
            try x.linear(g.parameter(weightIH), bias: g.parameter(biasIH)),
            try h.linear(g.parameter(weightHH), bias: g.parameter(biasHH))
        )
    }
}
