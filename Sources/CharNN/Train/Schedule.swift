import CharNNPlatform

/// How the learning rate changes during training. Training asks `learningRate(...)` for every
/// step t (0-based, counted over all epochs; T = epochs × steps per epoch; epoch e = ⌊t / steps
/// per epoch⌋) and sets the optimizer's rate to it before that step's update. With a base rate
/// η, a floor η_min (`minLearningRate`) and W warm-up steps:
///
///     lr(t) = warm(t) · s(t),   warm(t) = (t + 1) / W for t < W, else 1
///
/// (PyTorch's `LambdaLR(lambda t: min(1, (t + 1) / W))`, which is also
/// `LinearLR(start_factor=1/W, total_iters=W-1)`), where s is
/// - `constant`: η;
/// - `cosine`: η_min + (η − η_min) · (1 + cos(π · k / K)) / 2 with k = max(0, t − W) and
///   K = max(1, T − W): cosine annealing over the steps after the warm-up, from η down towards
///   η_min (PyTorch's `CosineAnnealingLR(T_max=K, eta_min=η_min)` stepped every step, chained
///   after the warm-up by `SequentialLR(milestones=[W])`);
/// - `step(everyEpochs: N, gamma: γ)`: η · γ^⌊e / N⌋ (`StepLR(step_size=N, gamma=γ)` stepped
///   every epoch); no floor, as in PyTorch;
/// - `plateau(factor: f, patience: p)`: the rate a `PlateauTracker` holds, which starts at η and
///   becomes max(rate · f, η_min) when the monitored loss has not improved for more than p
///   epochs (`ReduceLROnPlateau(mode="min", factor=f, patience=p, threshold=1e-4,
///   threshold_mode="rel", cooldown=0, min_lr=η_min, eps=1e-8)` stepped every epoch).
/// Everything is computed in double precision (Python floats in PyTorch), then rounded to the
/// optimizer's Float.
public enum LearningRateSchedule: Sendable, Equatable {
    /// The base rate throughout (after any warm-up).
    case constant
    /// Cosine annealing from the base rate towards `minLearningRate` over the steps after the warm-up.
    case cosine
    /// The rate times `gamma` every `everyEpochs` epochs.
    case step(everyEpochs: Int, gamma: Float)
    /// The rate times `factor` when the monitored loss has not improved for more than `patience` epochs (not below `minLearningRate`).
    case plateau(factor: Float, patience: Int)

    /// The learning rate of step `step` (0-based over all epochs): the formula above. For
    /// `plateau`, `plateauRate` is what the tracker holds (η when nil).
    func learningRate(
        base: Float, step: Int, stepsPerEpoch: Int, totalSteps: Int, warmupSteps: Int,
        minLearningRate: Float, plateauRate: Double? = nil
    ) -> Double {
        let eta = Double(base), floor = Double(minLearningRate)
        let scheduled: Double
        switch self {
        case .constant:
            scheduled = eta
        case .cosine:
            let k = Double(max(0, step - warmupSteps)), K = Double(max(1, totalSteps - warmupSteps))
            scheduled = floor + (eta - floor) * (1 + cos(Double.pi * k / K)) / 2
        case .step(let every, let gamma):
            let epoch = step / max(1, stepsPerEpoch)
            scheduled = eta * pow(Double(gamma), Double(epoch / max(1, every)))
        case .plateau:
            scheduled = plateauRate ?? eta
        }
        guard warmupSteps > 0, step < warmupSteps else { return scheduled }
        return scheduled * Double(step + 1) / Double(warmupSteps)
    }
}

/// `ReduceLROnPlateau`'s state in mode "min" with a relative threshold of 1e-4 and no
/// cooldown: `record` the monitored loss after every epoch; after more than `patience` epochs
/// without a loss below best · (1 − 1e-4), the rate drops to max(rate · factor, floor) (unless
/// that changes it by 1e-8 or less) and the count starts again.
struct PlateauTracker: Sendable, Equatable {
    private(set) var rate: Double
    let factor: Double
    let patience: Int
    let floor: Double
    private(set) var best = Double.infinity
    private(set) var badEpochs = 0

    static let threshold = 1e-4
    static let eps = 1e-8

    init(rate: Float, factor: Float, patience: Int, floor: Float) {
        self.rate = Double(rate)
        self.factor = Double(factor)
        self.patience = patience
        self.floor = Double(floor)
    }

    /// Takes an epoch's monitored loss (a NaN never counts as better).
    mutating func record(_ loss: Double) {
        if loss < best * (1 - Self.threshold) {
            best = loss
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if badEpochs > patience {
            let reduced = max(rate * factor, floor)
            if rate - reduced > Self.eps { rate = reduced }
            badEpochs = 0
        }
    }
}
