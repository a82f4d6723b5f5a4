/// One layer of a GRU or LSTM in PyTorch's layout: `weight_ih_l{k}` [gates·H, in],
/// `weight_hh_l{k}` [gates·H, H], `bias_ih_l{k}` and `bias_hh_l{k}` [gates·H], all initialised
/// uniform in ±1/√H. Holds what both cells do the same way: the input projection of every step
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

    init(prefix: String, index: Int, inputSize: Int, hiddenSize: Int, gates: Int, using rng: inout Xoshiro256) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        let rows = gates * hiddenSize
        weightIH = Parameter(name: "\(prefix).weight_ih_l\(index)", .uniform(Shape(rows, inputSize), bound: bound, using: &rng))
        weightHH = Parameter(name: "\(prefix).weight_hh_l\(index)", .uniform(Shape(rows, hiddenSize), bound: bound, using: &rng))
        biasIH = Parameter(name: "\(prefix).bias_ih_l\(index)", .uniform(Shape(rows), bound: bound, using: &rng))
        biasHH = Parameter(name: "\(prefix).bias_hh_l\(index)", .uniform(Shape(rows), bound: bound, using: &rng))
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.gates = gates
    }

    /// PyTorch's `named_parameters()` order.
    var parameters: [Parameter] { [weightIH, weightHH, biasIH, biasHH] }
    var width: Int { gates * hiddenSize }

    /// gi[t, b] = b_ih + W_ih · x[t, b] for every step: a gather of token columns for the first
    /// layer (`input` nil), one matrix product over all steps for the others (`input` is the
    /// layer below's output, [steps·batch × H]).
    func projectInputs(_ batch: SequenceBatch, input: UnsafePointer<Float>?, into gi: UnsafeMutablePointer<Float>) {
        let rows = batch.steps * batch.size
        LayerMath.broadcastRows(biasIH.values, rows: rows, width: width, into: gi)
        if let input {
            Kernels.gemmNT(m: rows, n: width, k: inputSize, a: input, lda: inputSize, b: weightIH.values, ldb: inputSize,
                           c: gi, ldc: width, accumulate: true)
        } else {
            for t in 0..<batch.steps {
                for b in 0..<batch.size where batch.isValid(t, b) {
                    LayerMath.addColumn(weightIH.values, ld: inputSize, column: batch.token(t, b), count: width,
                                        into: gi + (t * batch.size + b) * width)
                }
            }
        }
    }

    /// gh = b_hh + W_hh · h for one step.
    @inline(__always)
    func projectHidden(_ h: UnsafePointer<Float>, rows: Int, into gh: UnsafeMutablePointer<Float>) {
        LayerMath.broadcastRows(biasHH.values, rows: rows, width: width, into: gh)
        Kernels.gemmNT(m: rows, n: width, k: hiddenSize, a: h, lda: hiddenSize, b: weightHH.values, ldb: hiddenSize,
                       c: gh, ldc: width, accumulate: true)
    }

    /// dh_prev = dgh · W_hh for one step, added to `dh` (which holds the direct part).
    @inline(__always)
    func backpropagateHidden(_ dgh: UnsafePointer<Float>, rows: Int, into dh: UnsafeMutablePointer<Float>) {
        Kernels.gemmNN(m: rows, n: hiddenSize, k: width, a: dgh, lda: width, b: weightHH.values, ldb: hiddenSize,
                       c: dh, ldc: hiddenSize, accumulate: true)
    }

    /// The whole sequence's weight gradients, one product each (rows of padding hold zeros):
    /// dW_hh += dghᵀ·h_prev, dW_ih += dgiᵀ·x (or a scatter into token columns), biases += Σ.
    /// Returns nothing; when `dInput` is given, fills it with d(loss)/d(input) = dgi·W_ih.
    func accumulateGradients(_ batch: SequenceBatch, dgi: UnsafePointer<Float>, dgh: UnsafePointer<Float>,
                             previousHidden: UnsafePointer<Float>, input: UnsafePointer<Float>?,
                             dInput: UnsafeMutablePointer<Float>?) {
        let rows = batch.steps * batch.size
        Kernels.gemmTN(m: width, n: hiddenSize, k: rows, a: dgh, lda: width, b: previousHidden, ldb: hiddenSize,
                       c: weightHH.grads, ldc: hiddenSize, accumulate: true)
        LayerMath.addRowSums(dgh, rows: rows, width: width, into: biasHH.grads)
        LayerMath.addRowSums(dgi, rows: rows, width: width, into: biasIH.grads)
        if let input {
            Kernels.gemmTN(m: width, n: inputSize, k: rows, a: dgi, lda: width, b: input, ldb: inputSize,
                           c: weightIH.grads, ldc: inputSize, accumulate: true)
            if let dInput {
                Kernels.gemmNN(m: rows, n: inputSize, k: width, a: dgi, lda: width, b: weightIH.values, ldb: inputSize,
                               c: dInput, ldc: inputSize, accumulate: false)
            }
        } else {
            for t in 0..<batch.steps {
                for b in 0..<batch.size where batch.isValid(t, b) {
                    LayerMath.scatterColumn(dgi + (t * batch.size + b) * width, into: weightIH.grads, ld: inputSize,
                                            column: batch.token(t, b), count: width)
                }
            }
        }
    }

    /// The op-by-op projections for one step on a graph: (W_ih·x + b_ih, W_hh·h + b_hh).
    func graphProjections(_ x: Variable, _ h: Variable) throws(CharNNError) -> (Variable, Variable) {
        let g = x.graph
        return (try x.linear(g.parameter(weightIH), bias: g.parameter(biasIH)),
                try h.linear(g.parameter(weightHH), bias: g.parameter(biasHH)))
    }
}
