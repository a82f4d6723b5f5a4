/// A stack of gated recurrent layers (`nn.GRU`, `nn.LSTM`) in PyTorch's layout, reading one-hot
/// characters or a learned embedding, in one direction or both (`bidirectional=True`), then
/// `fc = Linear(directions·H, classes)` on the last states or on the outputs pooled over time,
/// with optional dropout between layers and before the head (training only), and optionally a
/// bag of hashed character n-grams beside the recurrent features (`NgramBag`).
///
/// This is what every cell shares: the tape, the team of cores, the projections, the walk back
/// through time and the head. `Cell` holds only its gate maths (`GRUCell`, `LSTMCell`).
///
/// Both passes run as a team (`WorkerPool.team`): each core owns a share of the hidden units
/// (their gate rows in every layer and direction, and their columns of every activation), and
/// the cores meet at a barrier once per step. A direction reading backwards reads each name from
/// its last character to its first, so a batch's rows still reading are a prefix at every step
/// in both directions (the names are sorted longest first).
// @unchecked Sendable: every stored property is a `let`; the weights behind them change only
// in training, which `Model` runs exclusively (no prediction meanwhile: `.busy`), and a team
// writes disjoint rows between barriers.
final class StackedRecurrent<Cell: RecurrentCell>: RecurrentClassifier, @unchecked Sendable {
    /// `embedding.weight` [alphabet × E], or nil for one-hot input.
    let embedding: Parameter?
    /// layers[l][d]: layer l, direction d (0 forwards, 1 backwards: `_reverse` in PyTorch).
    let layers: [[RecurrentLayer]]
    /// `ngrams.weight`: the n-gram bag whose mean `fc` also reads, or nil.
    let ngrams: NgramBag?
    let fc: Linear
    let inputSize: Int
    let hiddenSize: Int
    let classes: Int
    let pooling: Pooling
    let dropout: Float

    /// 0 without recurrent layers (hidden size 0: the n-gram bag alone).
    var directions: Int { layers.first?.count ?? 0 }
    /// A layer's output width per step, and the head's input width: directions · H.
    var outputWidth: Int { directions * hiddenSize }
    /// What `fc` reads per name: the recurrent features, then the n-gram bag's mean.
    var featureWidth: Int { outputWidth + (ngrams?.dimension ?? 0) }

    init(
        inputSize: Int, hiddenSize: Int, layers count: Int, classes: Int, embeddingSize: Int = 0,
        bidirectional: Bool = false, pooling: Pooling = .last, dropout: Float = 0, ngrams: NgramOptions? = nil,
        using rng: inout Xoshiro256
    ) {
        (self.inputSize, self.hiddenSize, self.classes) = (inputSize, hiddenSize, classes)
        (self.pooling, self.dropout) = (pooling, dropout)
        // nn.Embedding's initialisation: N(0, 1).
        embedding = Embedding.parameterShapes(inputSize: inputSize, embeddingSize: embeddingSize).first.map { spec in
            Parameter(name: spec.name, .normal(spec.shape, using: &rng))
        }
        let D = Self.directions(bidirectional)
        layers = (0..<Self.layerCount(count, hiddenSize: hiddenSize)).map { l in
            (0..<D).map { d in
                RecurrentLayer(
                    prefix: Cell.name, index: l, reverse: d == 1,
                    inputSize: Self.layerInputSize(
                        l, inputSize: inputSize, hiddenSize: hiddenSize,
                        embeddingSize: embeddingSize, directions: D),
                    hiddenSize: hiddenSize, gates: Cell.gates, using: &rng)
            }
        }
        self.ngrams = ngrams.map {
            NgramBag(
                buckets: $0.buckets, dimension: $0.dimension, minimum: $0.minimum, maximum: $0.maximum, using: &rng)
        }
        fc = Linear(
            name: "fc", inputs: Self.headInputs(hiddenSize: hiddenSize, directions: D, ngrams: ngrams),
            outputs: classes, using: &rng)
    }

    // The architecture, shared by init and parameterShapes (so a checkpoint's expected tensors are
    // what the layers make, from one description).
    private static func directions(_ bidirectional: Bool) -> Int { bidirectional ? 2 : 1 }
    /// Hidden size 0: no recurrent layers, the n-gram bag alone (fastText's model).
    private static func layerCount(_ layers: Int, hiddenSize: Int) -> Int { hiddenSize == 0 ? 0 : layers }
    private static func layerInputSize(_ l: Int, inputSize: Int, hiddenSize: Int, embeddingSize: Int, directions: Int)
        -> Int
    {
        l > 0 ? directions * hiddenSize : embeddingSize > 0 ? embeddingSize : inputSize
    }
    /// What `fc` reads: the recurrent features (none without layers), then the n-gram bag's mean.
    private static func headInputs(hiddenSize: Int, directions: Int, ngrams: NgramOptions?) -> Int {
        (hiddenSize == 0 ? 0 : directions * hiddenSize) + (ngrams?.dimension ?? 0)
    }

    /// The names and shapes of `parameters` for `config`, in that order, without making them:
    /// each layer's own `parameterShapes`.
    static func parameterShapes(_ config: ModelConfig, inputSize: Int, classes: Int) -> [(name: String, shape: Shape)] {
        let (H, D) = (config.hiddenSize, directions(config.bidirectional))
        var shapes = Embedding.parameterShapes(inputSize: inputSize, embeddingSize: config.embeddingSize)
        for l in 0..<layerCount(config.layers, hiddenSize: H) {
            for d in 0..<D {
                shapes += RecurrentLayer.parameterShapes(
                    prefix: Cell.name, index: l, reverse: d == 1,
                    inputSize: layerInputSize(
                        l, inputSize: inputSize, hiddenSize: H, embeddingSize: config.embeddingSize,
                        directions: D),
                    hiddenSize: H, gates: Cell.gates)
            }
        }
        if let ngrams = config.ngrams {
            shapes += NgramBag.parameterShapes(buckets: ngrams.buckets, dimension: ngrams.dimension)
        }
        return shapes
            + Linear.parameterShapes(
                name: "fc", inputs: headInputs(hiddenSize: H, directions: D, ngrams: config.ngrams),
                outputs: classes)
    }

    convenience init(_ config: ModelConfig, inputSize: Int, classes: Int, using rng: inout Xoshiro256) {
        self.init(
            inputSize: inputSize, hiddenSize: config.hiddenSize, layers: config.layers, classes: classes,
            embeddingSize: config.embeddingSize, bidirectional: config.bidirectional, pooling: config.pooling,
            dropout: config.dropout, ngrams: config.ngrams, using: &rng)
    }

    /// PyTorch's `named_parameters()` order: embedding, then per layer its forward and reverse
    /// direction, then the n-gram bag, then fc.
    var parameters: [Parameter] {
        (embedding.map { [$0] } ?? []) + layers.flatMap { $0.flatMap(\.parameters) } + (ngrams.map { [$0.table] } ?? [])
            + fc.parameters
    }

    /// What forward-only passes read: the int8 matrices of a quantized model, and the
    /// `PreparedLayer`s (per layer, then direction) while the weights stay as they are.
    private struct Prepared {
        var quantization: [String: QuantizedMatrix]?
        var layers: [PreparedLayer]?
    }
    private let prepared = Locked(Prepared())

    /// The layers laid out for forward-only passes, built on first use after the weights change.
    private func preparedLayers() -> [PreparedLayer] {
        prepared.withLock { state in
            if let layers = state.layers { return layers }
            let made = layers.enumerated().flatMap { l, directions in
                directions.map {
                    PreparedLayer(
                        $0, first: l == 0, embedding: embedding, symbols: inputSize, quantization: state.quantization)
                }
            }
            state.layers = made
            return made
        }
    }

    func weightsChanged() { prepared.withLock { $0.layers = nil } }

    func useQuantization(_ matrices: [String: QuantizedMatrix]) {
        prepared.withLock { $0 = Prepared(quantization: matrices, layers: nil) }
    }

    /// Runs a fused pass as a team when its multiply-adds per layer and step (between two
    /// barriers) make one pay (`WorkerPool.team`).
    private func asTeam(_ batch: SequenceBatch, _ body: (Team) -> Void) {
        let stepWork = batch.size * Cell.gates * hiddenSize * hiddenSize
        WorkerPool.shared.team(stepWork: stepWork, work: stepWork * batch.steps * layers.count * directions, body)
    }

    /// The columns of a directions·H-wide row a member owns: its units in each direction's block.
    @inline(__always)
    private func forEachOwnedColumn(_ units: Range<Int>, _ body: (Range<Int>) -> Void) {
        guard !units.isEmpty else { return }
        for d in 0..<directions { body(d * hiddenSize + units.lowerBound..<d * hiddenSize + units.upperBound) }
    }

    /// The columns of layer l's input a member owns: its share of the embedding's columns for the
    /// first layer, its units in each direction's block above (what it wrote as the layer below).
    @inline(__always)
    private func forEachOwnedInputColumn(layer l: Int, units: Range<Int>, team: Team, _ body: (Range<Int>) -> Void) {
        if l == 0 {
            let columns = team.share(layers[0][0].inputSize)
            if !columns.isEmpty { body(columns) }
        } else {
            forEachOwnedColumn(units, body)
        }
    }

    // MARK: Forward

    // Specialised for the cells charnn has: called through `any RecurrentClassifier`, the generic
    // body would reach the gate maths through a witness table for every 8 units.
    @_specialize(where Cell == GRUCell)
    @_specialize(where Cell == LSTMCell)
    func forward(
        _ batch: SequenceBatch, initialHidden: UnsafePointer<Float>?, arena: Arena,
        logits: UnsafeMutablePointer<Float>, training: Bool, dropout masks: DropoutMasks?
    ) -> RecurrentTape {
        let masks = training && dropout > 0 ? masks : nil
        let tape = RecurrentTape(self, batch, arena: arena, training: training, dropout: masks)
        let (B, T, H, L, D) = (batch.size, batch.steps, hiddenSize, layers.count, directions)
        let gi = arena.allocate(T * B * Cell.gates * H), gh = arena.allocate(B * Cell.gates * H)
        let prepared = training ? nil : preparedLayers()
        // With an input table the first layer reads neither its embedded input nor its reversal.
        let tabled = prepared?.first?.inputTable != nil  // none without layers (the bag alone)
        asTeam(batch) { team in
            let units = team.share(H, granule: prepared == nil ? 8 : PackedGateMatrix.panelWidth)
            for l in 0..<L {
                if l == 0, let embedding, !tabled {
                    Embedding.gather(
                        embedding, batch, into: tape.input(layer: 0, direction: 0)!,
                        columns: team.share(embedding.shape.cols))
                    team.barrier()
                } else if l > 0, let mask = tape.masks[l] {
                    let (input, output) = (tape.input(layer: l, direction: 0)!, tape.outputs[l - 1])
                    forEachOwnedColumn(units) {
                        Dropout.apply(mask, to: output, into: input, rows: T * B, width: D * H, columns: $0)
                    }
                    team.barrier()
                }
                for d in 0..<D {
                    if d == 1, let forwards = tape.input(layer: l, direction: 0), !(l == 0 && tabled) {
                        let width = layers[l][1].inputSize
                        forEachOwnedInputColumn(layer: l, units: units, team: team) { columns in
                            batch.reverseRows(
                                forwards, into: tape.input(layer: l, direction: 1)!, width: width, columns: columns)
                        }
                        team.barrier()
                    }
                    recur(
                        layer: l, direction: d, tape: tape, gi: gi, gh: gh, team: team, units: units,
                        prepared: prepared?[l * D + d])
                }
                if D == 2 {
                    forEachOwnedColumn(units) { tape.assembleOutput(layer: l, columns: $0) }
                    team.barrier()
                }
            }
            if tape.computesFeatures {
                let FW = featureWidth
                forEachOwnedColumn(units) { columns in
                    Pooling.forward(pooling, tape, columns: columns)
                    if let mask = tape.featureMask {
                        Dropout.apply(
                            mask, to: tape.features, into: tape.features, rows: B, width: FW, columns: columns)
                    }
                }
                if let ngrams, let bag = tape.ngramBuckets {
                    let columns = team.share(ngrams.dimension)
                    if !columns.isEmpty {
                        ngrams.forward(
                            ids: bag.ids, starts: bag.starts, rows: B, columns: columns,
                            into: tape.features + outputWidth, stride: FW)
                        if let mask = tape.featureMask {
                            let shifted = outputWidth + columns.lowerBound..<outputWidth + columns.upperBound
                            Dropout.apply(
                                mask, to: tape.features, into: tape.features, rows: B, width: FW, columns: shifted)
                        }
                    }
                }
                team.barrier()
            }
            fc.forward(tape.features, rows: B, into: logits, outputs: team.share(classes))
        }
        return tape
    }

    /// One layer in one direction over the whole batch: the input projection of every step at
    /// once, then step by step the hidden projection and the cell, carrying finished names' state.
    /// `prepared` (forward-only passes): the input projections are rows of its table or products
    /// with its panels, the hidden ones products with its panels.
    private func recur(
        layer l: Int, direction d: Int, tape: RecurrentTape, gi: UnsafeMutablePointer<Float>,
        gh: UnsafeMutablePointer<Float>, team: Team, units: Range<Int>, prepared: PreparedLayer?
    ) {
        let layer = layers[l][d], batch = tape.batch(d)
        let (B, H, G) = (batch.size, hiddenSize, Cell.gates)
        let table = prepared?.inputTable?.pointer
        if table == nil {
            layer.projectInputs(
                batch, input: tape.input(layer: l, direction: d), into: gi, units: units, projection: prepared?.input)
        }
        for t in 0..<batch.steps {
            let (previous, current) = (
                tape.state(layer: l, direction: d, after: t), tape.state(layer: l, direction: d, after: t + 1)
            )
            let (cPrevious, cCurrent) = (
                tape.memory(layer: l, direction: d, after: t), tape.memory(layer: l, direction: d, after: t + 1)
            )
            layer.projectHidden(previous, rows: batch.active(t), into: gh, units: units, projection: prepared?.hidden)
            for b in 0..<B where !units.isEmpty {
                guard batch.isValid(t, b) else {
                    // Past the name's end: its state is carried unchanged.
                    (current + b * H + units.lowerBound).update(
                        from: previous + b * H + units.lowerBound, count: units.count)
                    if Cell.hasMemory {
                        (cCurrent + b * H + units.lowerBound).update(
                            from: cPrevious + b * H + units.lowerBound, count: units.count)
                    }
                    continue
                }
                let x = table.map { $0 + batch.token(t, b) * G * H } ?? gi + (t * B + b) * G * H
                let h = gh + b * G * H
                let kept = tape.kept(layer: l, direction: d, step: t, row: b)
                Kernels.forEachLanes(units.count) { offset, lanes in
                    Cell.forward(
                        CellStep(
                            hiddenSize: H, unit: units.lowerBound + offset, lanes: lanes, inputGates: x,
                            hiddenGates: h, previousH: previous + b * H, previousC: cPrevious + b * H,
                            nextH: current + b * H, nextC: cCurrent + b * H, kept: kept))
                }
            }
            team.barrier()
        }
    }

    // MARK: Backward

    /// The backward pass's scratch, allocated from the step's arena.
    private struct BackwardScratch {
        /// d(loss)/d(gates) per step and row: the input side, and the hidden side (the same
        /// buffer when the cell's gates share it, as the LSTM's do).
        let dgi, dgh: UnsafeMutablePointer<Float>
        /// d(loss)/d(h) and d(loss)/d(c) of the step being walked back through.
        let dh, dc: UnsafeMutablePointer<Float>
        let stepPartials, headPartials: TeamPartials
        let dFeatures: UnsafeMutablePointer<Float>
        /// d(loss)/d(each layer's outputs), time-ordered: from the layer above, or for the top
        /// layer from a pooling head (the last-state head feeds the top layer's final dh instead).
        let outputGradients: [UnsafeMutablePointer<Float>?]
        /// Each piece's share of d(loss)/d(a layer's input), laid out at that input's width.
        let layerInputPartials, embeddingPartials: TeamPartials?
        let stepOrderGradient: UnsafeMutablePointer<Float>
    }

    private func backwardScratch(_ batch: SequenceBatch, arena: Arena) -> BackwardScratch {
        let (B, T, H, L, D, G) = (batch.size, batch.steps, hiddenSize, layers.count, directions, Cell.gates)
        let members = WorkerPool.shared.threadCount
        let dgi = arena.allocate(T * B * G * H)
        let dh = arena.allocate(B * H)
        return BackwardScratch(
            dgi: dgi, dgh: Cell.sharesGateGradients ? dgi : arena.allocate(T * B * G * H),
            dh: dh, dc: Cell.hasMemory ? arena.allocate(B * H) : dh,
            stepPartials: TeamPartials(arena: arena, members: members, rows: B, width: H),
            headPartials: TeamPartials(arena: arena, members: members, rows: B, width: featureWidth, generations: 1),
            dFeatures: arena.allocate(B * featureWidth),
            outputGradients: (0..<L).map { l in l < L - 1 || pooling != .last ? arena.allocate(T * B * D * H) : nil },
            layerInputPartials: L > 1
                ? TeamPartials(arena: arena, members: members, rows: T * B, width: D * H, generations: 1) : nil,
            embeddingPartials: embedding.map {
                TeamPartials(arena: arena, members: members, rows: T * B, width: $0.shape.cols, generations: 1)
            },
            stepOrderGradient: arena.allocate(T * B * max(D * H, embedding?.shape.cols ?? 0)))
    }

    @_specialize(where Cell == GRUCell)
    @_specialize(where Cell == LSTMCell)
    func backward(_ batch: SequenceBatch, tape: RecurrentTape, dLogits: UnsafePointer<Float>, arena: Arena) {
        let scratch = backwardScratch(batch, arena: arena)
        asTeam(batch) { team in
            let units = team.share(hiddenSize)
            headBackward(batch, tape: tape, dLogits: dLogits, scratch: scratch, team: team, units: units)
            var generation = 0
            for l in stride(from: layers.count - 1, through: 0, by: -1) {
                for d in 0..<directions {
                    walkBack(
                        layer: l, direction: d, batch, tape: tape, scratch: scratch, team: team, units: units,
                        generation: &generation)
                    layerInputsBackward(
                        layer: l, direction: d, batch, tape: tape, scratch: scratch, team: team,
                        units: units)
                    // The next direction or layer rewrites the gate gradients and the partials.
                    team.barrier()
                }
                if l > 0, let mask = tape.masks[l], let below = scratch.outputGradients[l - 1] {
                    let width = directions * hiddenSize
                    forEachOwnedColumn(units) {
                        Dropout.apply(
                            mask, to: below, into: below, rows: batch.steps * batch.size, width: width, columns: $0)
                    }
                }
            }
        }
    }

    /// The head: d(loss)/d(features) through `fc`, dropout and pooling into the top layer's
    /// output gradients, and into the n-gram bag.
    @inline(__always)
    private func headBackward(
        _ batch: SequenceBatch, tape: RecurrentTape, dLogits: UnsafePointer<Float>,
        scratch: BackwardScratch, team: Team, units: Range<Int>
    ) {
        let (B, FW) = (batch.size, featureWidth)
        let top = layers.isEmpty ? nil : scratch.outputGradients[layers.count - 1]  // none for the bag alone
        team.forEachPiece(classes) { piece, labels in
            fc.backward(
                tape.features, dLogits, rows: B, outputs: labels, partialDx: scratch.headPartials.slot(0, member: piece)
            )
        }
        team.barrier()
        forEachOwnedColumn(units) { columns in
            team.sumPartials(scratch.headPartials, rows: B, columns: columns, into: scratch.dFeatures, adding: false)
            if let mask = tape.featureMask {
                Dropout.apply(
                    mask, to: scratch.dFeatures, into: scratch.dFeatures, rows: B, width: FW, columns: columns)
            }
            if let top { Pooling.backward(pooling, tape, scratch.dFeatures, into: top, columns: columns) }
        }
        guard let ngrams, let bag = tape.ngramBuckets else { return }
        let columns = team.share(ngrams.dimension)
        guard !columns.isEmpty else { return }
        let shifted = outputWidth + columns.lowerBound..<outputWidth + columns.upperBound
        team.sumPartials(scratch.headPartials, rows: B, columns: shifted, into: scratch.dFeatures, adding: false)
        if let mask = tape.featureMask {
            Dropout.apply(mask, to: scratch.dFeatures, into: scratch.dFeatures, rows: B, width: FW, columns: shifted)
        }
        ngrams.backward(
            ids: bag.ids, starts: bag.starts, rows: B, columns: columns, dFeatures: scratch.dFeatures + outputWidth,
            stride: FW)
    }

    /// Back through time for one layer and direction: the gate gradients of every step (in
    /// `scratch.dgi`/`dgh`), then the layer's weight gradients.
    @inline(__always)
    private func walkBack(
        layer l: Int, direction d: Int, _ batch: SequenceBatch, tape: RecurrentTape,
        scratch: BackwardScratch, team: Team, units: Range<Int>, generation: inout Int
    ) {
        let (B, T, H, D, G) = (batch.size, batch.steps, hiddenSize, directions, Cell.gates)
        let (dh, dc, dgi, dgh) = (scratch.dh, scratch.dc, scratch.dgi, scratch.dgh)
        let layer = layers[l][d]
        for b in 0..<B where !units.isEmpty {
            let start = dh + b * H + units.lowerBound
            if l == layers.count - 1 && pooling == .last {
                start.update(from: scratch.dFeatures + b * featureWidth + d * H + units.lowerBound, count: units.count)
            } else {
                start.update(repeating: 0, count: units.count)
            }
            if Cell.hasMemory { (dc + b * H + units.lowerBound).update(repeating: 0, count: units.count) }
        }
        for t in stride(from: T - 1, through: 0, by: -1) {
            let active = batch.active(t)
            if let gradient = scratch.outputGradients[l], !units.isEmpty {
                for b in 0..<active {
                    let row = batch.time(step: t, row: b, direction: d) * B + b
                    Kernels.axpy(
                        1, gradient + row * D * H + d * H + units.lowerBound, dh + b * H + units.lowerBound, units.count
                    )
                }
            }
            for b in 0..<active where !units.isEmpty {
                let row = t * B + b
                let kept = UnsafePointer(tape.kept(layer: l, direction: d, step: t, row: b))
                let (hp, cp) = (
                    tape.state(layer: l, direction: d, after: t) + b * H,
                    tape.memory(layer: l, direction: d, after: t) + b * H
                )
                Kernels.forEachLanes(units.count) { offset, lanes in
                    Cell.backward(
                        CellGradientStep(
                            hiddenSize: H, unit: units.lowerBound + offset, lanes: lanes, kept: kept,
                            previousH: hp, previousC: cp, dhBuffer: dh + b * H, dcBuffer: dc + b * H,
                            dInputGates: dgi + row * G * H, dHiddenGates: dgh + row * G * H))
                }
            }
            guard t > 0 else { break }
            // dh_prev = (the cell's direct part) + dgh·W_hh: each member adds its rows' share.
            team.forEachPiece(H) { piece, units in
                layer.backpropagate(
                    dgh + t * B * G * H, rows: active, through: layer.weightHH, units: units,
                    into: scratch.stepPartials.slot(generation, member: piece))
            }
            team.barrier()
            team.sumPartials(
                scratch.stepPartials, generation: generation, rows: active, columns: units, into: dh, adding: true)
            generation += 1
        }
        layer.accumulateGradients(
            tape.batch(d), dgi: dgi, dgh: dgh, previousHidden: tape.state(layer: l, direction: d, after: 0),
            input: tape.input(layer: l, direction: d), units: units)
    }

    /// d(loss)/d(the layer's inputs) from its gate gradients: into the layer below's output
    /// gradients, or into the embedding's gradient for the first layer (nothing for one-hot input).
    @inline(__always)
    private func layerInputsBackward(
        layer l: Int, direction d: Int, _ batch: SequenceBatch, tape: RecurrentTape,
        scratch: BackwardScratch, team: Team, units: Range<Int>
    ) {
        guard let inputPartials = l > 0 ? scratch.layerInputPartials : scratch.embeddingPartials else { return }
        let (layer, dirBatch) = (layers[l][d], tape.batch(d))
        team.forEachPiece(hiddenSize) { piece, units in
            layer.backpropagateInputs(dirBatch, scratch.dgi, units: units, into: inputPartials.slot(0, member: piece))
        }
        team.barrier()
        if l > 0 {
            forEachOwnedColumn(units) { columns in
                passInputGradient(
                    inputPartials, direction: d, batch: batch, scratch: scratch.stepOrderGradient,
                    into: scratch.outputGradients[l - 1]!, columns: columns, team: team)
            }
        } else if let embedding {
            let columns = team.share(embedding.shape.cols)
            team.sumPartials(
                inputPartials, rows: batch.steps * batch.size, columns: columns, into: scratch.stepOrderGradient,
                adding: false)
            Embedding.scatter(scratch.stepOrderGradient, dirBatch, into: embedding, columns: columns)
        }
    }

    /// d(loss)/d(the layer below's outputs), time-ordered, from one direction's input gradient
    /// (in its own step order): the forward direction writes it, the reverse one adds to it.
    private func passInputGradient(
        _ partials: TeamPartials, direction d: Int, batch: SequenceBatch,
        scratch: UnsafeMutablePointer<Float>, into gradient: UnsafeMutablePointer<Float>,
        columns: Range<Int>, team: Team
    ) {
        let rows = batch.steps * batch.size
        guard d == 1 else {
            return team.sumPartials(partials, rows: rows, columns: columns, into: gradient, adding: false)
        }
        team.sumPartials(partials, rows: rows, columns: columns, into: scratch, adding: false)
        let width = partials.width
        for t in 0..<batch.steps {
            for b in 0..<batch.active(t) {
                let target = batch.time(step: t, row: b, direction: 1) * batch.size + b
                Kernels.axpy(
                    1, scratch + (t * batch.size + b) * width + columns.lowerBound,
                    gradient + target * width + columns.lowerBound, columns.count)
            }
        }
    }

    // MARK: The same network op by op

    func graphLogits(_ g: Graph, tokens: [Int], initialHidden: Tensor?) throws(CharNNError) -> Variable {
        let H = hiddenSize
        var inputs: [Variable] = []
        for token in tokens {
            if let embedding {
                inputs.append(try g.embedding(g.parameter(embedding), indices: [token]))
            } else {
                inputs.append(try g.oneHot([token], depth: inputSize))
            }
        }
        var finals: [Variable] = []
        for layer in layers {
            var outputs: [[Variable]] = []
            finals = []
            for (d, direction) in layer.enumerated() {
                let zeros = g.constant(.zeros(Shape(1, H)))
                var state = CellState(h: zeros, c: Cell.hasMemory ? zeros : nil)
                var states = [Variable](repeating: zeros, count: inputs.count)
                for t in d == 0 ? Array(inputs.indices) : inputs.indices.reversed() {
                    let (gi, gh) = try direction.graphProjections(inputs[t], state.h)
                    state = try Cell.graphStep(gi: gi, gh: gh, state: state, hiddenSize: H)
                    states[t] = state.h
                }
                outputs.append(states)
                finals.append(state.h)
            }
            inputs = []
            for t in outputs[0].indices {
                inputs.append(outputs.count == 1 ? outputs[0][t] : try outputs[0][t].concat(outputs[1][t]))
            }
        }
        let bag = try ngrams?.graphFeatures(g, tokens: tokens)
        guard !layers.isEmpty else { return try fc(bag!) }
        let features: Variable
        switch pooling {
        case .last: features = finals.count == 1 ? finals[0] : try finals[0].concat(finals[1])
        case .mean:
            var sum = inputs[0]
            for x in inputs.dropFirst() { sum = try sum + x }
            features = try sum * g.constant(Tensor(repeating: 1 / Float(inputs.count), shape: Shape(1, outputWidth)))
        case .max:
            // max(a, b) = relu(b − a) + a: on a tie the gradient goes to the earlier step, as
            // the fused path's first-maximum does.
            var best = inputs[0]
            for x in inputs.dropFirst() { best = try (x - best).relu() + best }
            features = best
        }
        return try fc(bag.map { (b: Variable) throws(CharNNError) in try features.concat(b) } ?? features)
    }
}
