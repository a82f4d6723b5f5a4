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

/// The shape of a model: kind, sizes, hidden-state initialisation and the seed of its weights;
/// for the GRU and LSTM also its input (one-hot or an embedding), directions, head and dropout.
public struct ModelConfig: Sendable, Equatable {
    public static let maxHiddenSize = 4096
    public static let maxLayers = 16
    public static let maxEmbeddingSize = 4096

    public var kind: ModelKind
    public var hiddenSize: Int
    /// Stacked layers (GRU and LSTM); the Elman cell has exactly one.
    public var layers: Int
    public var hiddenInit: HiddenInit
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

    /// Defaults are the article's: the Elman cell with hidden 256 and a kaiming-uniform hidden
    /// state; the GRU and LSTM with hidden 256, 2 layers, zero state.
    public init(kind: ModelKind = .gru, hiddenSize: Int = 256, layers: Int? = nil, hiddenInit: HiddenInit? = nil,
                seed: UInt64 = 0) {
        self.kind = kind
        self.hiddenSize = hiddenSize
        self.layers = layers ?? (kind == .elman ? 1 : 2)
        self.hiddenInit = hiddenInit ?? (kind == .elman ? .kaiming : .zeros)
        self.seed = seed
    }

    public func validate() throws(CharNNError) {
        guard hiddenSize >= 1 && hiddenSize <= Self.maxHiddenSize else {
            throw .invalidArgument("hidden size \(hiddenSize) is not in 1...\(Self.maxHiddenSize)")
        }
        guard layers >= 1 && layers <= Self.maxLayers else {
            throw .invalidArgument("layers \(layers) is not in 1...\(Self.maxLayers)")
        }
        if kind == .elman && layers != 1 {
            throw .invalidArgument("the Elman cell has one layer, not \(layers)")
        }
        guard embeddingSize >= 0 && embeddingSize <= Self.maxEmbeddingSize else {
            throw .invalidArgument("embedding size \(embeddingSize) is not in 0...\(Self.maxEmbeddingSize) (0 = one-hot)")
        }
        guard dropout.isFinite && dropout >= 0 && dropout < 1 else {
            throw .invalidArgument("dropout \(dropout) is not in [0, 1)")
        }
        if kind == .elman && (embeddingSize != 0 || bidirectional || pooling != .last || dropout != 0) {
            throw .invalidArgument("the Elman cell is the article's: embedding, bidirectional, pooling and dropout are for the GRU and LSTM")
        }
        if kind != .elman && hiddenInit != .zeros {
            throw .invalidArgument("the \(kind.rawValue.uppercased()) starts from a zero state; hidden-state init '\(hiddenInit.rawValue)' is for the Elman cell")
        }
    }

    /// Whether the model uses only what 0.2.0 could read (checkpoint formats 1 and 2).
    var isClassicShape: Bool { embeddingSize == 0 && !bidirectional && pooling == .last && dropout == 0 }
}
