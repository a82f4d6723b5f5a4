/// What a forward pass of a `StackedRecurrent` keeps for its backward pass, in the arena, and
/// where each piece of it lives. Per layer l and direction d (in that direction's own step
/// order: a direction reading backwards takes a name's last character first):
/// - states [(steps + 1) × batch × H]: slot 0 is the zero initial state, slot t + 1 the state
///   after step t (finished names carry their last state);
/// - memories, likewise (the LSTM's c; the states themselves for cells without one);
/// - kept [steps × batch × savedPerUnit·H]: what the cell's backward reads (when not training,
///   one row's worth that every row and step overwrites: it stays in L1, where a step × batch
///   buffer would evict the weights from L2);
/// - the dense input the direction reads [steps × batch × width] (nil for one-hot characters).
/// Per layer: its outputs in time order [steps × batch × directions·H], and the dropout mask of
/// its input. For the head: its input `features` [batch × directions·H], their dropout mask and,
/// for max pooling, the step each feature came from.
struct RecurrentTape {
    let batchSize: Int
    let steps: Int
    let hiddenSize: Int
    let directions: Int
    let layers: Int
    let keptWidth: Int
    /// The head's input per name: directions·H recurrent features, then the n-gram bag's.
    let featureWidth: Int
    let training: Bool
    private let forwards: SequenceBatch
    private let backwards: SequenceBatch?
    private var states: [UnsafeMutablePointer<Float>] = []
    private var memories: [UnsafeMutablePointer<Float>] = []
    private var keptValues: [UnsafeMutablePointer<Float>] = []
    private var inputs: [UnsafeMutablePointer<Float>?] = []
    private(set) var outputs: [UnsafeMutablePointer<Float>] = []
    /// masks[l]: the dropout mask of layer l's input (nil for the first layer or without dropout).
    private(set) var masks: [UnsafeMutablePointer<Float>?] = []
    private(set) var features: UnsafeMutablePointer<Float>
    private(set) var featureMask: UnsafeMutablePointer<Float>?
    /// Max pooling: the step (as a float) each feature's maximum came from.
    private(set) var argmax: UnsafeMutablePointer<Float>?
    /// False when the head reads the top layer's last states in place (one direction, no
    /// dropout, no n-gram bag).
    let computesFeatures: Bool
    /// The n-gram bag's buckets per row (`NgramBag.buckets(of:arena:)`).
    private(set) var ngramBuckets: (ids: UnsafeMutablePointer<Float>, starts: UnsafeMutablePointer<Float>)?

    init<Cell>(
        _ network: StackedRecurrent<Cell>, _ batch: SequenceBatch, arena: Arena, training: Bool,
        dropout masks: DropoutMasks?
    ) {
        let (B, T, H, D, L) = (batch.size, batch.steps, network.hiddenSize, network.directions, network.layers.count)
        (batchSize, steps, hiddenSize, directions, layers) = (B, T, H, D, L)
        (keptWidth, self.training, featureWidth) = (Cell.savedPerUnit * H, training, network.featureWidth)
        forwards = batch
        backwards = D == 2 ? batch.readingBackwards() : nil
        let keptRows = training ? T * B : 1
        for l in 0..<L {
            for _ in 0..<D {
                let state = arena.allocate((T + 1) * B * H)
                state.update(repeating: 0, count: B * H)
                states.append(state)
                if Cell.hasMemory {
                    let memory = arena.allocate((T + 1) * B * H)
                    memory.update(repeating: 0, count: B * H)
                    memories.append(memory)
                } else {
                    memories.append(state)
                }
                keptValues.append(arena.allocate(keptRows * keptWidth))
            }
            outputs.append(D == 1 ? states[l * D] + B * H : arena.allocate(T * B * D * H))
            let mask: UnsafeMutablePointer<Float>? = l > 0 && masks != nil ? arena.allocate(T * B * D * H) : nil
            if let mask, let masks { masks.fill(l, mask, T * B * D * H) }
            self.masks.append(mask)
            let width = network.layers[l][0].inputSize
            let forwardInput: UnsafeMutablePointer<Float>? =
                l == 0
                ? (network.embedding != nil ? arena.allocate(T * B * width) : nil)
                : (mask != nil ? arena.allocate(T * B * width) : outputs[l - 1])
            inputs.append(forwardInput)
            if D == 2 { inputs.append(forwardInput != nil ? arena.allocate(T * B * width) : nil) }
        }
        let FW = network.featureWidth
        if let masks {
            featureMask = arena.allocate(B * FW)
            masks.fill(L, featureMask!, B * FW)
        }
        computesFeatures = network.pooling != .last || D == 2 || featureMask != nil || network.ngrams != nil
        features = computesFeatures ? arena.allocate(B * FW) : states[(L - 1) * D] + T * B * H
        argmax = network.pooling == .max ? arena.allocate(B * FW) : nil
        ngramBuckets = network.ngrams?.buckets(of: batch, arena: arena, marking: training)
    }

    /// The batch as direction d reads it (the same rows; tokens reversed within each name for d = 1).
    func batch(_ d: Int) -> SequenceBatch { d == 0 ? forwards : backwards! }

    /// Layer l, direction d: the state [batch × H] after `steps` steps (0: the initial state).
    @inline(__always) func state(layer l: Int, direction d: Int, after steps: Int) -> UnsafeMutablePointer<Float> {
        states[l * directions + d] + steps * batchSize * hiddenSize
    }

    /// The memory (the LSTM's c) [batch × H] after `steps` steps; the state for other cells.
    @inline(__always) func memory(layer l: Int, direction d: Int, after steps: Int) -> UnsafeMutablePointer<Float> {
        memories[l * directions + d] + steps * batchSize * hiddenSize
    }

    /// What the cell kept at step t for row b (one shared row when not training: members of a
    /// team write disjoint units of it).
    @inline(__always) func kept(layer l: Int, direction d: Int, step t: Int, row b: Int) -> UnsafeMutablePointer<Float>
    {
        keptValues[l * directions + d] + (training ? (t * batchSize + b) * keptWidth : 0)
    }

    /// The dense input direction d of layer l reads, in its step order (nil: one-hot characters).
    @inline(__always) func input(layer l: Int, direction d: Int) -> UnsafeMutablePointer<Float>? {
        inputs[l * directions + d]
    }

    /// Copies both directions' states of layer l into its time-ordered outputs, for `columns`
    /// of the directions·H-wide rows (one direction's block); rows past a name's end are zero.
    func assembleOutput(layer l: Int, columns: Range<Int>) {
        let (B, H, W) = (batchSize, hiddenSize, directions * hiddenSize)
        let d = columns.lowerBound / H, units = columns.lowerBound - d * H
        let output = outputs[l]
        for t in 0..<steps {
            let after = state(layer: l, direction: d, after: t + 1)
            let active = forwards.active(t)
            for b in 0..<active {
                (output + (forwards.time(step: t, row: b, direction: d) * B + b) * W + columns.lowerBound)
                    .update(from: after + b * H + units, count: columns.count)
            }
            for b in active..<B {
                (output + (t * B + b) * W + columns.lowerBound).update(repeating: 0, count: columns.count)
            }
        }
    }
}
