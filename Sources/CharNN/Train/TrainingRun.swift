/// One `Model.train` call, phase by phase: set up (optimizer, row tracking, schedule), then for
/// every step build the batch, take the step and, at an epoch's end, score the validation set
/// and decide whether to stop; `finish` puts the best epoch's weights back.
struct TrainingRun {
    let model: Model
    let data: NameDataset
    let validation: NameDataset?
    let loss: Loss
    let config: TrainingConfig
    let parameters: [Parameter]
    let optimizer: any Optimizer
    let steps: Int
    let totalSteps: Int
    let warmupSteps: Int
    var plateau: PlateauTracker?
    var report = TrainingReport()
    /// The best epoch's weights, kept when they may be restored.
    var best: [[Float]]?
    var epochsSinceBest = 0

    // Reused from step to step.
    let arena = Arena()
    var batch = SequenceBatch()
    var targets: [Int32] = []
    var tokens: [UInt16] = []
    var tokenStarts: [Int] = []
    var order: [Int]

    init(
        model: Model, data: NameDataset, validation: NameDataset?, loss: Loss,
        config: TrainingConfig
    ) throws(CharNNError) {
        (self.model, self.data, self.validation, self.loss, self.config) = (model, data, validation, loss, config)
        parameters = model.parameters
        optimizer = try config.makeOptimizer(parameters)
        order = Array(0..<data.count)
        steps = (data.count + config.batchSize - 1) / config.batchSize
        totalSteps = steps * config.epochs
        warmupSteps = config.warmup(totalSteps: totalSteps)
        if case .plateau(let factor, let patience) = config.schedule {
            plateau = PlateauTracker(
                rate: config.learningRate, factor: factor, patience: patience,
                floor: config.minLearningRate)
        }
    }

    mutating func run(progress: ((TrainingProgress) -> Bool)?) throws(CharNNError) -> TrainingReport {
        // Large tables (the n-gram bag's) are updated row by row as their rows are touched.
        optimizer.zeroGrad()  // all of every table: before tracking, which limits zeroing to touched rows
        for p in parameters { p.touchedRows?.start() }
        defer { for p in parameters { p.touchedRows?.stop() } }
        for epoch in 0..<config.epochs {
            if config.shuffle {
                var rng = Xoshiro256.derived(seed: config.seed, stream: UInt64(epoch))
                rng.shuffle(&order)
            }
            var hiddenRng = Xoshiro256.derived(seed: config.seed, stream: 0x1000_0000 + UInt64(epoch))
            var lossSum: Double = 0
            for step in 0..<steps {
                fillBatch(step: step)
                let (value, rate) = try takeStep(epoch: epoch, step: step, hiddenRng: &hiddenRng)
                lossSum += Double(value)
                report.stepsTaken += 1
                report.lastLoss = value

                let last = step == steps - 1
                var state = TrainingProgress(
                    epoch: epoch + 1, epochs: config.epochs, step: step + 1, steps: steps,
                    loss: value, runningLoss: Float(lossSum / Double(step + 1)),
                    learningRate: rate, epochEnd: last)
                let stop = last && endEpoch(epoch, loss: Float(lossSum / Double(steps)), rate: rate, state: &state)
                if let progress, (step + 1) % config.reportEvery == 0 || last, !progress(state) {
                    report.stoppedEarly = true
                    return finish()
                }
                if stop { return finish() }
            }
        }
        return finish()
    }

    /// The batch of training step `step`: its texts encoded as the batch is built (datasets
    /// keep no tokens), and their targets in the batch's row order (longest first).
    mutating func fillBatch(step: Int) {
        let start = step * config.batchSize, end = min(start + config.batchSize, data.count)
        tokens.removeAll(keepingCapacity: true)
        tokenStarts.removeAll(keepingCapacity: true)
        tokenStarts.append(0)
        for b in start..<end {
            data.appendTokens(of: order[b], to: &tokens)
            tokenStarts.append(tokens.count)
        }
        let (tokens, tokenStarts) = (self.tokens, self.tokenStarts)
        batch.fill(count: end - start) { tokens[tokenStarts[$0]..<tokenStarts[$0 + 1]] }
        targets.removeAll(keepingCapacity: true)
        for r in 0..<batch.size { targets.append(Int32(data.labels[order[start + batch.source(r)]])) }
    }

    /// Forward, backward and the optimizer's update on the batch: the loss and the learning
    /// rate used. Throws `.diverged` (nothing applied) for a non-finite loss, gradient or update.
    mutating func takeStep(
        epoch: Int, step: Int,
        hiddenRng: inout Xoshiro256
    ) throws(CharNNError) -> (loss: Float, rate: Float) {
        let rate = Float(
            config.schedule.learningRate(
                base: config.learningRate, step: epoch * steps + step, stepsPerEpoch: steps, totalSteps: totalSteps,
                warmupSteps: warmupSteps, minLearningRate: config.minLearningRate, plateauRate: plateau?.rate))
        if optimizer.learningRate != rate { optimizer.learningRate = rate }

        arena.reset()
        // One generator for the epoch, drawn name after name, like the article's init_hidden().
        let h0 = model.initialHidden(batchSize: batch.size, arena: arena) { _, row in
            Model.kaiming(row, using: &hiddenRng)
        }
        // Dropout masks of their own for every step, reproducible from the seed.
        let dropout =
            model.config.dropout > 0
            ? DropoutMasks.random(
                probability: model.config.dropout, seed: config.seed,
                step: UInt64(epoch) << 32 | UInt64(step))
            : nil
        let value = model.network.lossAndGradients(
            batch, targets: targets, initialHidden: h0, arena: arena,
            loss: loss, dropout: dropout)
        // The norm costs a pass over the gradients: taken when clipping needs it. Without
        // clipping, a non-finite gradient shows in the loss or in the optimizer's guard.
        let norm = config.clipNorm > 0 ? gradientNorm(parameters) : 0
        guard value.isFinite, norm.isFinite else {
            optimizer.zeroGrad()
            throw CharNNError(
                .diverged,
                "training diverged at epoch \(epoch + 1), step \(step + 1): "
                    + (value.isFinite ? "the gradient norm is \(norm)" : "the loss is \(value)")
                    + "; that step was not applied, the weights are the last finite ones")
        }
        let scale = config.clipNorm > 0 ? clipCoefficient(norm: norm, maxNorm: config.clipNorm) : 1
        guard optimizer.step(gradientScale: scale, zeroingGradients: true) else {
            optimizer.zeroGrad()
            throw CharNNError(
                .diverged,
                "training diverged at epoch \(epoch + 1), step \(step + 1): the update "
                    + "would make weights infinite or NaN; those weights kept their last finite values")
        }
        return (value, rate)
    }

    /// The end of epoch `epoch` (0-based): its figures into the report and `state`, the best
    /// epoch followed, the plateau schedule fed. True when early stopping ends training here.
    mutating func endEpoch(_ epoch: Int, loss epochLoss: Float, rate: Float, state: inout TrainingProgress) -> Bool {
        report.epochsCompleted += 1
        report.epochLosses.append(epochLoss)
        report.learningRates.append(rate)
        guard let validation else {
            plateau?.record(Double(epochLoss))
            return false
        }
        let figures = model.validationFigures(validation)
        (state.validationLoss, state.validationAccuracy) = (figures.loss, figures.accuracy)
        report.validationLosses.append(figures.loss)
        report.validationAccuracies.append(figures.accuracy)
        let moreToCome = epoch + 1 < config.epochs
        if report.bestEpoch == 0 || figures.loss < report.bestValidationLoss {
            report.bestEpoch = epoch + 1
            report.bestValidationLoss = figures.loss
            report.bestValidationAccuracy = figures.accuracy
            epochsSinceBest = 0
            if config.restoreBest && moreToCome {
                best = parameters.map { Array(UnsafeBufferPointer(start: $0.values, count: $0.count)) }
            }
        } else {
            epochsSinceBest += 1
        }
        plateau?.record(Double(figures.loss))
        if config.patience > 0 && epochsSinceBest >= config.patience && moreToCome {
            report.earlyStopped = true
            return true
        }
        return false
    }

    /// The end of training, however it comes (but an error): the best weights put back.
    mutating func finish() -> TrainingReport {
        // The weights are those of the end of epoch `current` (none after a part epoch).
        let current = report.stepsTaken == report.epochsCompleted * steps ? report.epochsCompleted : -1
        if config.restoreBest, report.bestEpoch > 0, report.bestEpoch != current, let best {
            for (p, values) in zip(parameters, best) {
                values.withUnsafeBufferPointer { p.values.update(from: $0.baseAddress!, count: p.count) }
            }
            report.restoredBest = true
        }
        return report
    }
}
