/// Which recurrent network a model is.
public enum ModelKind: String, Sendable, CaseIterable, Equatable {
    /// The article's hand-written cell: h' = σ(W_h·[x, h] + b_h), y = W_o·[x, h] + b_o.
    case elman
    /// `nn.GRU` + `Linear(hidden, classes)`.
    case gru
    /// `nn.LSTM` + `Linear(hidden, classes)`.
    case lstm
}

/// How the Elman cell's hidden state starts for every name.
public enum HiddenInit: String, Sendable, CaseIterable, Equatable {
    /// `kaiming_uniform_` on a 1 × hidden tensor, drawn anew for every name (the article's
    /// `init_hidden`): uniform in ±√(6/hidden). For predictions the draw is seeded by the model's
    /// seed and the name, so the same name always gets the same answer.
    case kaiming
    /// Zeros (what the GRU and LSTM always use).
    case zeros
}

/// The n-gram bag beside a GRU's or LSTM's features (`NgramBag`): how many hash buckets, the
/// size of their vectors, and the n-gram lengths (in tokens, a begin and end marker included).
public struct NgramOptions: Sendable, Equatable {
    /// The longest n-gram, in tokens.
    public static let maxLength = 8

    /// Hash buckets (rows of `ngrams.weight`).
    public var buckets: Int
    /// The length of each bucket's vector.
    public var dimension: Int
    /// The shortest n-gram, in tokens (1 to 3).
    public var minimum: Int
    /// The longest n-gram, in tokens (up to `maxLength`).
    public var maximum: Int

    /// An n-gram bag; the defaults are fastText's 1- to 5-grams in 2^17 buckets of 64.
    /// - Parameters:
    ///   - buckets: Hash buckets.
    ///   - dimension: The length of each bucket's vector.
    ///   - minimum: The shortest n-gram.
    ///   - maximum: The longest n-gram.
    public init(buckets: Int = 1 << 17, dimension: Int = 64, minimum: Int = 1, maximum: Int = 5) {
        (self.buckets, self.dimension, self.minimum, self.maximum) = (buckets, dimension, minimum, maximum)
    }

    func validate() throws(CharNNError) {
        guard buckets >= 1 && buckets <= NgramBag.maxBuckets else {
            throw .invalidArgument("n-gram buckets \(buckets) is not in 1...\(NgramBag.maxBuckets)")
        }
        guard dimension >= 1 && dimension <= ModelConfig.maxEmbeddingSize else {
            throw .invalidArgument("n-gram dimension \(dimension) is not in 1...\(ModelConfig.maxEmbeddingSize)")
        }
        // Every name (one token and its two markers) then has at least one n-gram.
        guard minimum >= 1 && minimum <= 3 && maximum >= minimum && maximum <= Self.maxLength else {
            throw .invalidArgument(
                "n-gram lengths \(minimum)...\(maximum): need 1 ≤ min ≤ 3 and min ≤ max ≤ \(Self.maxLength)")
        }
    }
}

/// The shape of a model: kind, sizes, hidden-state initialisation and the seed of its weights;
/// for the GRU and LSTM also its input (one-hot or an embedding), directions, head and dropout.
public struct ModelConfig: Sendable, Equatable {
    /// The largest hidden size.
    public static let maxHiddenSize = 4096
    /// The most stacked layers.
    public static let maxLayers = 16
    /// The largest embedding (and n-gram vector) size.
    public static let maxEmbeddingSize = 4096

    /// Which recurrent network.
    public var kind: ModelKind
    /// Units per layer and direction (0: no recurrent layers, the n-gram bag alone).
    public var hiddenSize: Int
    /// Stacked layers (GRU and LSTM); the Elman cell has exactly one.
    public var layers: Int
    /// How the Elman cell's hidden state starts.
    public var hiddenInit: HiddenInit
    /// Seeds the initial weights (and the Elman cell's random initial states).
    public var seed: UInt64
    /// GRU and LSTM: a learned embedding of this many numbers per symbol as the first layer's
    /// input (`nn.Embedding`); 0 reads one-hot characters (the article's).
    public var embeddingSize = 0
    /// GRU and LSTM: read every name both ways (`bidirectional=True`); the head sees both.
    public var bidirectional = false
    /// GRU and LSTM: what the head reads from the top layer.
    public var pooling = Pooling.last
    /// GRU and LSTM: dropout probability between layers and before the head, in training only.
    public var dropout: Float = 0
    /// GRU and LSTM: a bag of hashed character n-grams beside the recurrent features (nil: none).
    /// With `hiddenSize` 0 there are no recurrent layers: the bag alone (fastText's model).
    public var ngrams: NgramOptions?

    /// A configuration. Defaults are the article's: the Elman cell with hidden 256 and a
    /// kaiming-uniform hidden state; the GRU and LSTM with hidden 256, 2 layers, zero state.
    /// - Parameters:
    ///   - kind: Which network.
    ///   - hiddenSize: Units per layer and direction.
    ///   - layers: Stacked layers (nil: 1 for the Elman cell, 2 otherwise).
    ///   - hiddenInit: The initial hidden state (nil: kaiming for the Elman cell, zeros otherwise).
    ///   - seed: Seeds the initial weights.
    public init(
        kind: ModelKind = .gru, hiddenSize: Int = 256, layers: Int? = nil, hiddenInit: HiddenInit? = nil,
        seed: UInt64 = 0
    ) {
        self.kind = kind
        self.hiddenSize = hiddenSize
        self.layers = layers ?? (kind == .elman ? 1 : 2)
        self.hiddenInit = hiddenInit ?? (kind == .elman ? .kaiming : .zeros)
        self.seed = seed
    }

    /// Checks every field and their combinations (the Elman cell has one layer and none of the
    /// GRU's and LSTM's options; hidden size 0 needs the n-gram bag alone).
    /// - Throws: `.invalidArgument` naming the field that is out of range or does not fit.
    public func validate() throws(CharNNError) {
        guard hiddenSize >= 0 && hiddenSize <= Self.maxHiddenSize else {
            throw .invalidArgument(
                "hidden size \(hiddenSize) is not in 1...\(Self.maxHiddenSize) (or 0 for the n-gram bag alone)")
        }
        if hiddenSize == 0 {
            // No recurrent layers: nothing may ask for what only they have.
            guard kind != .elman, ngrams != nil, embeddingSize == 0, !bidirectional, pooling == .last else {
                throw .invalidArgument(
                    "hidden size 0 (no recurrent layers) is the n-gram bag alone: a GRU or LSTM with n-grams and no embedding, bidirectional or pooling"
                )
            }
        }
        guard layers >= 1 && layers <= Self.maxLayers else {
            throw .invalidArgument("layers \(layers) is not in 1...\(Self.maxLayers)")
        }
        if kind == .elman && layers != 1 {
            throw .invalidArgument("the Elman cell has one layer, not \(layers)")
        }
        guard embeddingSize >= 0 && embeddingSize <= Self.maxEmbeddingSize else {
            throw .invalidArgument(
                "embedding size \(embeddingSize) is not in 0...\(Self.maxEmbeddingSize) (0 = one-hot)")
        }
        guard dropout.isFinite && dropout >= 0 && dropout < 1 else {
            throw .invalidArgument("dropout \(dropout) is not in [0, 1)")
        }
        if kind == .elman && !isClassicShape {
            throw .invalidArgument(
                "the Elman cell is the article's: embedding, bidirectional, pooling, dropout and n-grams are for the GRU and LSTM"
            )
        }
        try ngrams?.validate()
        if kind != .elman && hiddenInit != .zeros {
            throw .invalidArgument(
                "the \(kind.rawValue.uppercased()) starts from a zero state; hidden-state init '\(hiddenInit.rawValue)' is for the Elman cell"
            )
        }
    }

    /// Whether the model uses only what 0.2.0 could read (checkpoint formats 1 and 2).
    var isClassicShape: Bool {
        embeddingSize == 0 && !bidirectional && pooling == .last && dropout == 0 && ngrams == nil
    }
}
