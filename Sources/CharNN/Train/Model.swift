/// A trained or trainable text classifier: a recurrent network, the labels it predicts and the
/// alphabet it reads. A reference type with identity (its weights change as it trains).
///
/// Thread safety: any number of threads may predict or evaluate at once (each call uses its
/// own scratch memory). Training needs the model to itself: `train` while a prediction runs,
/// or a prediction while training runs, fails at once with `.busy` instead of waiting.
// @unchecked Sendable: its own mutable state (arenas, readers, training flag) is behind
// `Locked` mutexes, and `usage` keeps training (the only writer of the weights) exclusive of
// every prediction and evaluation.
/// A trained or trainable text classifier: a recurrent network, the labels it predicts and the
/// alphabet it reads. A reference type with identity (its weights change as it trains).
///
/// ```swift
/// let data = try NameDataset.load(directory: "data/names")
/// let (train, test) = try data.stratifiedSplit(testFraction: 0.1, seed: 0)
/// let model = try Model(config: ModelConfig(kind: .gru, hiddenSize: 64, layers: 1),
///                       labels: train.labelNames, alphabet: train.alphabet)
/// var config = TrainingConfig()
/// config.batchSize = 32
/// try model.train(on: train, config: config)
/// print(try model.evaluate(test).accuracy, try model.predict("Dostoevsky", top: 3))
/// try model.save(to: "names.safetensors")
/// ```
///
/// Thread safety: any number of threads may predict or evaluate at once (each call uses its
/// own scratch memory). Training needs the model to itself: `train` while a prediction runs,
/// or a prediction while training runs, fails at once with `.busy` instead of waiting.
public final class Model: @unchecked Sendable {
    /// The shape of the network and the seed of its initial weights.
    public let config: ModelConfig
    /// The labels it predicts, in index order.
    public let labels: [String]
    /// The alphabet it reads text with (and its normalisation).
    public let alphabet: Alphabet
    let network: any RecurrentClassifier
    /// The int8 weights of a quantized model (`quantized()`), by parameter name; nil for a float
    /// model. Set once, before the model is handed out (`useQuantization`), then only read.
    private(set) var quantization: [String: QuantizedMatrix]?

    /// The largest model charnn builds (2^28 weights: 1 GiB, and 3 more for gradients and Adam).
    public static let maxParameters = 1 << 28

    /// Scratch arenas for inference, one per concurrent call, kept for reuse.
    private let inferenceArenas = Locked<[Arena]>([])
    private struct Usage { var readers = 0; var training = false }
    private let usage = Locked(Usage())

    /// A model with freshly initialised weights (seeded by `config.seed`, PyTorch's schemes).
    /// - Parameters:
    ///   - config: The network.
    ///   - labels: The label names, in index order (a data set's `labelNames`); non-empty, distinct.
    ///   - alphabet: The alphabet it reads (a data set's `alphabet`); the article's by default.
    /// - Throws: `.invalidArgument` for an invalid config, bad label names, or a model of more than
    ///   `maxParameters` weights.
    /// - Complexity: O(number of weights).
    public init(config: ModelConfig, labels: [String], alphabet: Alphabet = .article) throws(CharNNError) {
        try config.validate()
        try NameDataset.checkLabelNames(labels)
        let count = config.parameterCount(inputSize: alphabet.count, classes: labels.count)
        guard count <= Self.maxParameters else {
            throw .invalidArgument(
                "a \(config.kind.rawValue) of hidden size \(config.hiddenSize) and \(config.layers) layer(s) has \(count) weights; at most \(Self.maxParameters)"
            )
        }
        self.config = config
        self.labels = labels
        self.alphabet = alphabet
        var rng = Xoshiro256(seed: config.seed)
        let (V, H, C) = (alphabet.count, config.hiddenSize, labels.count)
        switch config.kind {
        case .elman: network = ElmanCell(inputSize: V, hiddenSize: H, classes: C, using: &rng)
        case .gru: network = StackedRecurrent<GRUCell>(config, inputSize: V, classes: C, using: &rng)
        case .lstm: network = StackedRecurrent<LSTMCell>(config, inputSize: V, classes: C, using: &rng)
        }
        parameterCount = network.parameters.reduce(0) { $0 + $1.count }
    }

    /// The trainable tensors, named and ordered like PyTorch's `named_parameters()`.
    var parameters: [Parameter] { network.parameters }

    /// Total number of weights (fixed at creation; prediction reads it to size its work).
    public let parameterCount: Int

    func parameter(named name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// Makes this (new, unpublished) model a quantized one: its parameters already hold the
    /// dequantized values; the network reads `matrices` in its int8 products.
    func useQuantization(_ matrices: [String: QuantizedMatrix]) {
        quantization = matrices
        network.useQuantization(matrices)
    }

    // MARK: Exclusive and shared use

    /// Runs `body` as a reader (prediction, evaluation, saving): many at once, never with training.
    func reading<T>(_ body: () throws(CharNNError) -> T) throws(CharNNError) -> T {
        let admitted = usage.withLock { u -> Bool in
            if u.training { return false }
            u.readers += 1
            return true
        }
        guard admitted else { throw CharNNError(.busy, "the model is training; predict after training returns") }
        defer { usage.withLock { $0.readers -= 1 } }
        return try body()
    }

    /// Runs `body` as the only user of the model (training, changing weights).
    func exclusively<T>(_ body: () throws(CharNNError) -> T) throws(CharNNError) -> T {
        let admitted = usage.withLock { u -> Bool in
            if u.training || u.readers > 0 { return false }
            u.training = true
            return true
        }
        guard admitted else {
            throw CharNNError(.busy, "the model is in use (training, or predictions running on other threads)")
        }
        defer {
            network.weightsChanged()
            usage.withLock { $0.training = false }
        }
        return try body()
    }

    /// Runs `body` with an inference arena of its own, returned to the pool afterwards.
    func withInferenceArena<T, E: Error>(_ body: (Arena) throws(E) -> T) throws(E) -> T {
        let arena = inferenceArenas.withLock { $0.popLast() } ?? Arena()
        defer {
            arena.reset()
            inferenceArenas.withLock { $0.append(arena) }
        }
        return try body(arena)
    }

    // MARK: Initial hidden states

    /// The Elman cell's initial states for a batch, [size × hidden], or nil when the model
    /// starts from zeros. `draw(b, row)` fills name b's row (with `kaiming`).
    func initialHidden(
        batchSize: Int, arena: Arena,
        draw: (Int, UnsafeMutableBufferPointer<Float>) -> Void
    ) -> UnsafeMutablePointer<Float>? {
        guard config.kind == .elman, config.hiddenInit == .kaiming else { return nil }
        let H = config.hiddenSize
        let h = arena.allocate(batchSize * H)
        for b in 0..<batchSize { draw(b, UnsafeMutableBufferPointer(start: h + b * H, count: H)) }
        return h
    }

    /// `kaiming_uniform_` on a 1 × n tensor: uniform in ±√(6/n).
    static func kaiming(_ row: UnsafeMutableBufferPointer<Float>, using rng: inout Xoshiro256) {
        let bound = (6 / Float(row.count)).squareRoot()
        for j in row.indices { row[j] = rng.nextFloat(in: -bound, bound) }
    }

    /// The generator of a name's initial state at inference: seeded by the model and the name,
    /// so predictions are repeatable and need no shared state.
    func inferenceGenerator(for tokens: ArraySlice<UInt16>) -> Xoshiro256 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for t in tokens { hash = (hash ^ UInt64(t)) &* 0x0000_0100_0000_01B3 }
        return Xoshiro256.derived(seed: config.seed, stream: hash)
    }
}
