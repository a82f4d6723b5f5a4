/// How to train: the article's protocol by default (2 epochs, batch 1, Adam lr 1e-3, no clipping;
/// the article clips the Elman cell's gradient norm to 1).
public struct TrainingConfig: Sendable, Equatable {
    /// The optimizer, with PyTorch's semantics and defaults.
    public enum OptimizerKind: String, Sendable, CaseIterable, Equatable {
        /// `torch.optim.Adam`, `AdamW` (decoupled weight decay) and `SGD` (with optional momentum).
        case adam, adamw, sgd
    }

    /// Passes over the training data.
    public var epochs = 2
    /// Names per step. 1 is the article's protocol; larger batches pad and mask, and their loss
    /// is the mean over the batch's names.
    public var batchSize = 1
    /// Which optimizer.
    public var optimizer = OptimizerKind.adam
    /// The base learning rate η (the schedule's starting point).
    public var learningRate: Float = 1e-3
    /// Adam's β₁: the decay of the gradient's running mean.
    public var beta1: Float = 0.9
    /// Adam's β₂: the decay of the squared gradient's running mean.
    public var beta2: Float = 0.999
    /// Adam's ε, added to the denominator.
    public var epsilon: Float = 1e-8
    /// L2 penalty λ (Adam, SGD: added to the gradient; AdamW: the weights shrink by 1 − η·λ).
    public var weightDecay: Float = 0
    /// SGD only.
    public var momentum: Float = 0
    /// Clip the global gradient norm to this before each step; 0 turns clipping off.
    public var clipNorm: Float = 0
    /// Seeds the shuffles (and the Elman cell's random initial states).
    public var seed: UInt64 = 0
    /// Whether each epoch visits the examples in a new seeded order.
    public var shuffle = true
    /// Call the progress callback every this many steps (and at the end of every epoch).
    public var reportEvery = 1

    // Validation and early stopping.

    /// The share of the training data held out for validation, in [0, 1): a stratified split
    /// (`NameDataset.stratifiedSplitIndices`) seeded by a stream of `seed`; what it holds out
    /// never trains. 0 (the default) holds nothing out; `train(on:validation:...)` takes a
    /// validation set of the caller's instead.
    public var validationFraction: Double = 0
    /// Early stopping: stop when the validation loss has not improved (gone below its best so
    /// far) for this many epochs in a row. 0 (the default) never stops early. Needs validation.
    public var patience = 0
    /// With validation, end with the weights of the epoch of the lowest validation loss (however
    /// training ends, except by an error). Default true; no effect without validation. It keeps
    /// a copy of the best weights (the model's size in memory again).
    public var restoreBest = true

    // The learning rate.

    /// How the learning rate changes (`LearningRateSchedule` has the formulas); constant by default.
    public var schedule = LearningRateSchedule.constant
    /// Linear warm-up over this many steps (any schedule); 0 = none, or see `warmupFraction`.
    public var warmupSteps = 0
    /// Warm-up as a share of all steps, in [0, 1): ⌈fraction · epochs · steps per epoch⌉ steps
    /// (Hugging Face's `warmup_ratio`). Only one of `warmupSteps` and `warmupFraction` may be set.
    public var warmupFraction: Double = 0
    /// The floor of the cosine and plateau schedules (≤ `learningRate`); default 0.
    public var minLearningRate: Float = 0

    // The loss.

    /// Label smoothing ε in [0, 1]: PyTorch's `cross_entropy(label_smoothing=ε)`. Default 0.
    public var labelSmoothing: Float = 0
    /// Class weights: PyTorch's `cross_entropy(weight=w)` (a weighted mean). Default none.
    public var classWeights = ClassWeights.none

    /// Per-label weights of the loss.
    public enum ClassWeights: Sendable, Equatable {
        /// Every label weighs 1.
        case none
        /// n_samples / (n_classes · count of the label) over the data that trains (after any
        /// validation split): scikit-learn's "balanced" (`Loss.balancedWeights`).
        case balanced
        /// One weight per label of the model, in its label order (finite, ≥ 0, not all 0).
        case explicit([Float])
    }

    /// The article's protocol: 2 epochs, batch 1, Adam at 1e-3, nothing else.
    public init() {}

    /// The largest batch.
    public static let maxBatchSize = 65_536

    /// Checks every option, naming the one that is wrong (the options since 0.3 by their
    /// `charnn_train_config` names).
    /// - Parameters:
    ///   - classes: The model's label count, when known (explicit class weights need one each).
    ///   - validationSet: Whether training gets a validation set of the caller's
    ///     (`validationFraction` must then be 0; `patience` needs validation of either kind).
    /// - Throws: `.invalidArgument` naming the option.
    public func validate(classes: Int? = nil, validationSet: Bool = false) throws(CharNNError) {
        // 0 epochs would return OK having trained nothing (and a NaN last loss): refused.
        guard epochs >= 1 && epochs <= 1_000_000 else {
            throw .invalidArgument("epochs \(epochs) is not in 1...1000000")
        }
        guard batchSize >= 1 && batchSize <= Self.maxBatchSize else {
            throw .invalidArgument("batch_size \(batchSize) is not in 1...\(Self.maxBatchSize)")
        }
        guard clipNorm.isFinite && clipNorm >= 0 else {
            throw .invalidArgument("clip_norm \(clipNorm) must be ≥ 0 (0 = off)")
        }
        guard reportEvery >= 1 else { throw .invalidArgument("report_every \(reportEvery) must be ≥ 1") }
        guard validationFraction.isFinite, validationFraction >= 0, validationFraction < 1 else {
            throw .invalidArgument("validation_fraction \(validationFraction) is not in [0, 1)")
        }
        guard patience >= 0 else { throw .invalidArgument("patience \(patience) must be ≥ 0 (0 = no early stopping)") }
        // (The optimizer checks the learning rate itself: a bad one is named there.)
        guard minLearningRate.isFinite, minLearningRate >= 0,
            !(learningRate.isFinite && learningRate >= 0 && minLearningRate > learningRate)
        else {
            throw .invalidArgument(
                "min_learning_rate \(minLearningRate) is not in [0, learning_rate = \(learningRate)]")
        }
        guard warmupSteps >= 0 else { throw .invalidArgument("warmup_steps \(warmupSteps) must be ≥ 0") }
        guard warmupFraction.isFinite, warmupFraction >= 0, warmupFraction < 1 else {
            throw .invalidArgument("warmup_fraction \(warmupFraction) is not in [0, 1)")
        }
        guard warmupSteps == 0 || warmupFraction == 0 else {
            throw .invalidArgument(
                "warmup_steps (\(warmupSteps)) and warmup_fraction (\(warmupFraction)) are both set: give one")
        }
        switch schedule {
        case .constant, .cosine: break
        case .step(let every, let gamma):
            guard every >= 1 else { throw .invalidArgument("step_size \(every) must be ≥ 1 (epochs between decays)") }
            guard gamma.isFinite, gamma > 0, gamma <= 1 else {
                throw .invalidArgument("gamma \(gamma) is not in (0, 1]")
            }
        case .plateau(let factor, let patience):
            guard factor.isFinite, factor > 0, factor < 1 else {
                throw .invalidArgument("plateau_factor \(factor) is not in (0, 1)")
            }
            guard patience >= 0 else { throw .invalidArgument("plateau_patience \(patience) must be ≥ 0") }
        }
        try loss(classes: nil).validate(classes: classes)
        guard !validationSet || validationFraction == 0 else {
            throw .invalidArgument(
                "validation_fraction is \(validationFraction) and a validation set was given: use one or the other")
        }
        guard patience == 0 || validationSet || validationFraction > 0 else {
            throw .invalidArgument(
                "patience \(patience) needs validation data (validation_fraction or a validation set)")
        }
    }

    /// The loss these options ask for, with balanced weights from `labelCounts` (nil: only to check ε).
    func loss(classes labelCounts: [Int]?) -> Loss {
        switch classWeights {
        case .none: return Loss(labelSmoothing: labelSmoothing)
        case .balanced: return Loss(labelSmoothing: labelSmoothing, classWeights: labelCounts.map(Loss.balancedWeights))
        case .explicit(let weights): return Loss(labelSmoothing: labelSmoothing, classWeights: weights)
        }
    }

    /// The validation split of (prepared) `data`: `validationFraction` of it, stratified, seeded
    /// by a stream of `seed`; train keeps the rest in its order. No alphabet is relearned: the
    /// data is already read with the model's.
    func validationSplit(of data: NameDataset) throws(CharNNError) -> (train: NameDataset, validation: NameDataset) {
        var rng = Xoshiro256.derived(seed: seed, stream: Self.validationStream)
        let (train, held): ([Int32], [Int32])
        do { (train, held) = try data.splitIndices(testFraction: validationFraction, seed: rng.next()) } catch {
            throw .invalidArgument("validation_fraction \(validationFraction): \(error.message)")
        }
        return (data.subset(train.lazy.map(Int.init)), data.subset(held.lazy.map(Int.init)))
    }

    /// The stream of `seed` that draws the validation split (the shuffles use streams 0, 1, ...
    /// and the Elman cell's states 0x1000_0000 + epoch).
    static let validationStream: UInt64 = 0x2000_0000

    /// The warm-up in steps for a run of `totalSteps`.
    func warmup(totalSteps: Int) -> Int {
        warmupSteps > 0 ? warmupSteps : Int((warmupFraction * Double(totalSteps)).rounded(.up))
    }

    func makeOptimizer(_ parameters: [Parameter]) throws(CharNNError) -> any Optimizer {
        switch optimizer {
        case .adam, .adamw:
            return try Adam(
                parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                weightDecay: weightDecay, decoupledWeightDecay: optimizer == .adamw)
        case .sgd:
            return try SGD(parameters, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        }
    }
}

/// Where training is, passed to the progress callback.
public struct TrainingProgress: Sendable, Equatable {
    /// The epoch, 1-based.
    public var epoch: Int
    /// The number of epochs of this call.
    public var epochs: Int
    /// The step within the epoch, 1-based.
    public var step: Int
    /// Steps in an epoch.
    public var steps: Int
    /// The loss of this step's batch.
    public var loss: Float
    /// The mean loss of the epoch's steps so far.
    public var runningLoss: Float
    /// The learning rate this step used.
    public var learningRate: Float = .nan
    /// True at the epoch's last step (the callback is always called there).
    public var epochEnd = false
    /// At an epoch's end, with validation: the mean cross-entropy (no smoothing, no weights)
    /// and the accuracy on the validation set; NaN otherwise.
    public var validationLoss: Float = .nan
    /// The validation accuracy at an epoch's end, with validation; NaN otherwise.
    public var validationAccuracy: Double = .nan
}

/// What a `train` call did.
public struct TrainingReport: Sendable, Equatable {
    /// Epochs trained to the end.
    public var epochsCompleted = 0
    /// Optimizer steps taken in all.
    public var stepsTaken = 0
    /// True when the progress callback stopped training.
    public var stoppedEarly = false
    /// The mean loss of every completed epoch.
    public var epochLosses: [Float] = []
    /// The loss of the last step's batch.
    public var lastLoss: Float = .nan
    /// With validation: the validation loss (mean cross-entropy, no smoothing, no weights) and
    /// accuracy after every completed epoch; empty without.
    public var validationLosses: [Float] = []
    /// With validation: the accuracy after every completed epoch; empty without.
    public var validationAccuracies: [Double] = []
    /// The learning rate of every completed epoch's last step.
    public var learningRates: [Float] = []
    /// The 1-based epoch of the lowest validation loss (the first, at a tie); 0 without validation.
    public var bestEpoch = 0
    /// Its validation loss and accuracy (NaN without validation).
    public var bestValidationLoss: Float = .nan
    /// The best epoch's validation accuracy (NaN without validation).
    public var bestValidationAccuracy: Double = .nan
    /// True when early stopping ended training (`patience` epochs without a better validation loss).
    public var earlyStopped = false
    /// True when the best epoch's weights were put back at the end (`restoreBest`, and the
    /// best epoch was not the last one trained).
    public var restoredBest = false

    /// An empty report (no epoch, no step).
    public init() {}
}

extension Model {
    /// Trains on `data`. Labels are matched by name (the data's labels must be among the model's)
    /// and texts are read with the model's alphabet. Each epoch shuffles with a generator seeded by
    /// (config.seed, epoch), so the same seed and data give the same weights, bit for bit. The
    /// optimizer is created fresh for each call.
    ///
    /// Validation: `validation`, or the share `config.validationFraction` of `data` held out (not
    /// both). After every epoch the model is scored on it with batched inference (the same numbers
    /// `evaluate` gives): the mean cross-entropy and the accuracy, in the progress call of the
    /// epoch's last step and in the report. The epoch of the lowest validation loss is the best one;
    /// early stopping (`patience`) and `restoreBest` follow it; the plateau schedule watches the same
    /// loss (the epoch's mean training loss without validation).
    /// - Parameters:
    ///   - data: The training set.
    ///   - validation: A validation set of the caller's, or nil.
    ///   - config: How to train; the article's protocol by default.
    ///   - progress: Called on this thread every `config.reportEvery` steps and after each epoch's
    ///     last step. Returning false stops training cleanly after that step: the model stays valid
    ///     and keeps what it learned (or its best epoch's weights, with validation and `restoreBest`).
    /// - Returns: What the call did: epochs, steps, losses, validation figures, learning rates.
    /// - Throws: `.invalidArgument` for a bad config or mismatched data, `.busy` when the model is in
    ///   use, and `.diverged` when a loss or gradient becomes NaN or infinite: the step that produced
    ///   it is not applied, so the weights are the last good ones.
    /// - Complexity: O(epochs · total length of the texts · the model's weights), spread over the
    ///   worker pool when batches are large enough to pay.
    @discardableResult
    public func train(
        on data: NameDataset, validation: NameDataset? = nil, config: TrainingConfig = TrainingConfig(),
        progress: ((TrainingProgress) -> Bool)? = nil
    ) throws(CharNNError) -> TrainingReport {
        guard !isQuantized else {
            throw .invalidArgument("a quantized model cannot be trained: train the float model, then quantize it")
        }
        try config.validate(classes: labels.count, validationSet: validation != nil)
        var data = try prepared(data)
        guard !data.isEmpty else { throw .invalidArgument("the training set is empty") }
        var held: NameDataset?
        if let validation {
            held = try prepared(validation)
            guard !held!.isEmpty else { throw .invalidArgument("the validation set is empty") }
        } else if config.validationFraction > 0 {
            let (train, test) = try config.validationSplit(of: data)
            (data, held) = (train, test)
        }
        let loss = config.loss(classes: data.labelCounts)
        return try exclusively { () throws(CharNNError) -> TrainingReport in
            try FlushToZero.run { () throws(CharNNError) -> TrainingReport in
                try WorkerPool.sustained { () throws(CharNNError) -> TrainingReport in
                    var run = try TrainingRun(model: self, data: data, validation: held, loss: loss, config: config)
                    return try run.run(progress: progress)
                }
            }
        }
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
