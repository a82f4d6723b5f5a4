/// How to train: the article's protocol by default (2 epochs, batch 1, Adam lr 1e-3, no clipping;
/// the article clips the Elman cell's gradient norm to 1).
public struct TrainingConfig: Sendable, Equatable {
    public enum OptimizerKind: String, Sendable, CaseIterable, Equatable {
        case adam, adamw, sgd
    }

    public var epochs = 2
    /// Names per step. 1 is the article's protocol; larger batches pad and mask, and their loss
    /// is the mean over the batch's names.
    public var batchSize = 1
    public var optimizer = OptimizerKind.adam
    public var learningRate: Float = 1e-3
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0
    /// SGD only.
    public var momentum: Float = 0
    /// Clip the global gradient norm to this before each step; 0 turns clipping off.
    public var clipNorm: Float = 0
    /// Seeds the shuffles (and the Elman cell's random initial states).
    public var seed: UInt64 = 0
    public var shuffle = true
    /// Call the progress callback every this many steps (and at the end of every epoch).
    public var reportEvery = 1

    public init() {}

    public static let maxBatchSize = 65_536

    func validate() throws(CharNNError) {
        guard epochs >= 0 && epochs <= 1_000_000 else { throw .invalidArgument("epochs \(epochs) is not in 0...1000000") }
        guard batchSize >= 1 && batchSize <= Self.maxBatchSize else {
            throw .invalidArgument("batch size \(batchSize) is not in 1...\(Self.maxBatchSize)")
        }
        guard clipNorm.isFinite && clipNorm >= 0 else { throw .invalidArgument("clip norm \(clipNorm) must be ≥ 0 (0 = off)") }
        guard reportEvery >= 1 else { throw .invalidArgument("reportEvery \(reportEvery) must be ≥ 1") }
    }

    func makeOptimizer(_ parameters: [Parameter]) throws(CharNNError) -> any Optimizer {
        switch optimizer {
        case .adam, .adamw:
            return try Adam(parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                            weightDecay: weightDecay, decoupledWeightDecay: optimizer == .adamw)
        case .sgd:
            return try SGD(parameters, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        }
    }
}

/// Where training is, passed to the progress callback.
public struct TrainingProgress: Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    public var epochs: Int
    /// 1-based step within the epoch, and the number of steps in an epoch.
    public var step: Int
    public var steps: Int
    /// The loss of this step's batch.
    public var loss: Float
    /// The mean loss of the epoch's steps so far.
    public var runningLoss: Float
}

/// What a `train` call did.
public struct TrainingReport: Sendable, Equatable {
    public var epochsCompleted = 0
    public var stepsTaken = 0
    /// True when the progress callback stopped training.
    public var stoppedEarly = false
    /// The mean loss of every completed epoch.
    public var epochLosses: [Float] = []
    public var lastLoss: Float = .nan

    public init() {}
}

extension Model {
    /// Trains on `data` (labels matched by name, texts read with the model's alphabet: see `prepared`). Each epoch shuffles
    /// with a generator seeded by (config.seed, epoch), so the same seed and data give the same
    /// weights. `progress` is called every `reportEvery` steps and after each epoch's last
    /// step; returning false stops training cleanly after that step (the model stays valid and
    /// keeps what it learned). The optimizer is created fresh for each call.
    ///
    /// Throws `.invalidArgument` for a bad config or mismatched data, `.busy` when the model is
    /// in use, and `.diverged` when a loss or gradient becomes NaN or infinite: the step that
    /// produced it is not applied, so the weights are the last good ones.
    @discardableResult
    public func train(on data: NameDataset, config: TrainingConfig = TrainingConfig(),
                      progress: ((TrainingProgress) -> Bool)? = nil) throws(CharNNError) -> TrainingReport {
        try config.validate()
        let data = try prepared(data)
        guard !data.isEmpty else { throw .invalidArgument("the training set is empty") }
        return try exclusively { () throws(CharNNError) -> TrainingReport in
            try FlushToZero.run { () throws(CharNNError) -> TrainingReport in
                try WorkerPool.sustained { () throws(CharNNError) -> TrainingReport in try runTraining(data, config, progress) }
            }
        }
    }

    private func runTraining(_ data: NameDataset, _ config: TrainingConfig,
                             _ progress: ((TrainingProgress) -> Bool)?) throws(CharNNError) -> TrainingReport {
        let parameters = self.parameters
        let optimizer = try config.makeOptimizer(parameters)
        // Large tables (the n-gram bag's) are updated row by row as their rows are touched.
        for p in parameters { p.touchedRows?.start() }
        defer { for p in parameters { p.touchedRows?.stop() } }
        optimizer.zeroGrad()
        let arena = Arena()
        var batch = SequenceBatch()
        var targets: [Int32] = []
        var tokens: [UInt16] = [], tokenStarts: [Int] = []
        var order = Array(0..<data.count)
        let steps = (data.count + config.batchSize - 1) / config.batchSize
        var report = TrainingReport()

        for epoch in 0..<config.epochs {
            if config.shuffle {
                var rng = Xoshiro256.derived(seed: config.seed, stream: UInt64(epoch))
                rng.shuffle(&order)
            }
            var hiddenRng = Xoshiro256.derived(seed: config.seed, stream: 0x1000_0000 + UInt64(epoch))
            var lossSum: Double = 0
            for step in 0..<steps {
                let start = step * config.batchSize, end = min(start + config.batchSize, data.count)
                // Each text is encoded as its batch is built (datasets keep no tokens).
                tokens.removeAll(keepingCapacity: true)
                tokenStarts.removeAll(keepingCapacity: true)
                tokenStarts.append(0)
                for b in start..<end {
                    data.appendTokens(of: order[b], to: &tokens)
                    tokenStarts.append(tokens.count)
                }
                batch.fill(count: end - start) { tokens[tokenStarts[$0]..<tokenStarts[$0 + 1]] }
                targets.removeAll(keepingCapacity: true)  // in the batch's row order (longest first)
                for r in 0..<batch.size { targets.append(Int32(data.labels[order[start + batch.source(r)]])) }

                arena.reset()
                // One generator for the epoch, drawn name after name, like the article's init_hidden().
                let h0 = initialHidden(batchSize: batch.size, arena: arena) { _, row in
                    Model.kaiming(row, using: &hiddenRng)
                }
                // Dropout masks of their own for every step, reproducible from the seed.
                let dropout = self.config.dropout > 0
                    ? DropoutMasks.random(probability: self.config.dropout, seed: config.seed,
                                          step: UInt64(epoch) << 32 | UInt64(step))
                    : nil
                let loss = network.lossAndGradients(batch, targets: targets, initialHidden: h0, arena: arena, dropout: dropout)
                // The norm costs a pass over the gradients: taken when clipping needs it. Without
                // clipping, a non-finite gradient shows in the loss or in the optimizer's guard.
                let norm = config.clipNorm > 0 ? gradientNorm(parameters) : 0
                guard loss.isFinite, norm.isFinite else {
                    optimizer.zeroGrad()
                    throw CharNNError(.diverged, "training diverged at epoch \(epoch + 1), step \(step + 1): "
                        + (loss.isFinite ? "the gradient norm is \(norm)" : "the loss is \(loss)")
                        + "; that step was not applied, the weights are the last finite ones")
                }
                let scale = config.clipNorm > 0 ? clipCoefficient(norm: norm, maxNorm: config.clipNorm) : 1
                guard optimizer.step(gradientScale: scale, zeroingGradients: true) else {
                    optimizer.zeroGrad()
                    throw CharNNError(.diverged, "training diverged at epoch \(epoch + 1), step \(step + 1): the update "
                        + "would make weights infinite or NaN; those weights kept their last finite values")
                }
                lossSum += Double(loss)
                report.stepsTaken += 1
                report.lastLoss = loss

                let last = step == steps - 1
                if let progress, (step + 1) % config.reportEvery == 0 || last {
                    let state = TrainingProgress(epoch: epoch + 1, epochs: config.epochs, step: step + 1, steps: steps,
                                                 loss: loss, runningLoss: Float(lossSum / Double(step + 1)))
                    if !progress(state) {
                        report.stoppedEarly = true
                        if last { report.epochsCompleted += 1; report.epochLosses.append(Float(lossSum / Double(steps))) }
                        return report
                    }
                }
            }
            report.epochsCompleted += 1
            report.epochLosses.append(Float(lossSum / Double(steps)))
        }
        return report
    }

    /// `data` as this model reads it: its labels mapped to the model's by name (each must be
    /// one of them) and its texts encoded with the model's alphabet when they were encoded with
    /// another. Throws `.invalidArgument` naming a label the model lacks, or when the model's
    /// article alphabet cannot read some texts.
    func prepared(_ data: NameDataset) throws(CharNNError) -> NameDataset {
        var data = try data.relabeled(to: labels)
        if data.alphabet != alphabet { data = try data.encoded(with: alphabet) }
        return data
    }
}
