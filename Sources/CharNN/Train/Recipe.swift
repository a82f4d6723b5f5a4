/// Tested settings for classifying short strings of one's own (names, words, codes): a model
/// and a way to train it, chosen on validation splits carved from the training parts of the
/// names and words data sets (`bench/recipes.py` measures them against fastText). Read text
/// with a learned alphabet (`TextConfig(alphabet: .learned())`); every setting can still be
/// changed after.
///
/// Both read a bag of hashed character 1- to 5-grams (2^17 buckets of 64, fastText's idea),
/// trained with AdamW (weight decay 1e-3), a cosine schedule after a 5 % warm-up, label
/// smoothing 0.1, batches of 64.
/// - `fast`: the bag alone (hidden size 0: fastText's model), learning rate 1e-2, 5 epochs, no
///   validation: about a second on tens of thousands of strings.
/// - `best`: the bag beside a bidirectional GRU (1 layer, 64 units per direction) over a
///   32-number embedding of the characters, max-pooled over time; learning rate 3e-3; up to 10
///   epochs (fewer on large data so that about 500,000 strings are read in all, but at least
///   3), a 10 % validation split, early stopping after 3 epochs without a lower validation loss,
///   the best epoch's weights kept.
public enum Recipe: String, Sendable, CaseIterable, Equatable {
    /// The n-gram bag alone: about a second on tens of thousands of strings.
    case fast
    /// The n-gram bag beside a bidirectional GRU, with validation and early stopping.
    case best

    /// The model: a GRU configuration carrying the n-gram bag.
    public var modelConfig: ModelConfig {
        var config = ModelConfig(kind: .gru, hiddenSize: 64, layers: 1)
        config.ngrams = NgramOptions(buckets: 1 << 17, dimension: 64, minimum: 1, maximum: 5)
        switch self {
        case .fast:
            config.hiddenSize = 0
        case .best:
            config.embeddingSize = 32
            config.bidirectional = true
            config.pooling = .max
        }
        return config
    }

    /// How to train.
    /// - Parameter rows: The training set's size (it scales the epochs of `best`).
    public func trainingConfig(rows: Int) -> TrainingConfig {
        var config = TrainingConfig()
        config.batchSize = 64
        config.optimizer = .adamw
        config.learningRate = self == .fast ? 1e-2 : 3e-3
        config.weightDecay = 1e-3
        config.schedule = .cosine
        config.warmupFraction = 0.05
        config.labelSmoothing = 0.1
        switch self {
        case .fast:
            config.epochs = 5
        case .best:
            config.epochs = min(10, max(3, 500_000 / max(rows, 1)))
            config.validationFraction = 0.1
            config.patience = 3
            config.restoreBest = true
        }
        return config
    }
}
