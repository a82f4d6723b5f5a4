/// Model checkpoints: safetensors files whose tensors carry PyTorch's names and layout
/// (`in2hidden.weight`, `gru.weight_ih_l0`, `fc.bias`, …), so `safetensors.torch.load_file`
/// and `load_state_dict` give the same model in PyTorch. The metadata holds what charnn needs
/// to rebuild it: format version, kind, sizes, hidden-state init, seed, labels and alphabet.
///
/// Format 1 (0.1.0) stores the article's vocabulary as `vocabulary`; format 2 adds `alphabet`, a
/// JSON object with the kind, the symbols and the normalisation. A model that reads with the
/// article's alphabet and text path is still written as format 1, with the fields 0.1.0 wrote
/// (plus the integrity fields below), so 0.1.0 reads it too. Format 3 adds `embedding_size`, `bidirectional`, `pooling` and
/// `dropout`, written only for models that use them (0.2.0 then refuses the file by its version
/// instead of misreading it), and `ngram_buckets`, `ngram_dim`, `ngram_min`, `ngram_max` for a
/// model with an n-gram bag. Format 4 is a quantized model (`Model.quantized()`): `quantization`
/// is `int8`, and each matrix `Model.isQuantized(parameter:shape:)` names is an I8 tensor of its
/// PyTorch name and shape beside an F32 `<name>_scale` of one scale per row (w ≈ q · scale);
/// the rest stays F32. Format 4 always carries format 3's fields.
///
/// Since 0.4 every checkpoint also carries an integrity check in its metadata (any format
/// version; readers that do not know it ignore the extra strings): `integrity`: `crc32c`,
/// `data_crc32c` and `header_crc32c` (`SafeTensors.serialized()`). A file with the fields is
/// refused when either checksum does not match; a file without them (0.1.0 to 0.4.0's) still
/// loads unchecked. So format 1 is no longer byte for byte 0.1.0's file; 0.1.0 looks its fields up
/// by name and ignores others (read in its source, not re-run), so the three extra strings do not stop it.
extension Model {
    /// The newest checkpoint format this library writes and reads.
    public static let checkpointFormatVersion = 4
    /// Checkpoints larger than this are refused before they are read.
    public static let maxCheckpointBytes = 1 << 32

    /// Writes the model to a safetensors file, atomically: a crash or a full disk leaves any
    /// previous file there untouched. PyTorch loads its tensors by name (`load_state_dict`).
    /// - Parameter path: The file to write (replaced if it exists).
    /// - Throws: `.invalidArgument` for an empty path, `.io` when the file cannot be written,
    ///   `.busy` while the model trains.
    /// - Complexity: O(number of weights).
    public func save(to path: String) throws(CharNNError) {
        guard !path.isEmpty else { throw .invalidArgument("the checkpoint path is empty") }
        try FileSystem.writeFileAtomically(path, try checkpointBytes())
    }

    /// The bytes `save(to:)` writes to its file.
    /// - Throws: `.busy` while the model trains.
    /// - Complexity: O(number of weights).
    public func checkpointBytes() throws(CharNNError) -> [UInt8] {
        try reading { () throws(CharNNError) -> [UInt8] in checkpoint().serialized() }
    }

    /// `checkpointBytes().count`, without writing the weights out. It never changes over the
    /// model's life: training changes the weights, not their number, and the metadata (sizes,
    /// seed, labels, alphabet) is fixed when the model is made.
    /// - Throws: `.busy` while the model trains.
    /// - Complexity: O(number of labels + alphabet size).
    public func checkpointSize() throws(CharNNError) -> Int {
        try reading { () throws(CharNNError) -> Int in checkpoint().serializedSize }
    }

    func checkpoint() -> SafeTensors {
        var file = SafeTensors()
        file.metadata = [
            ("format", "charnn"),
            ("format_version", "1"),
            ("model_kind", config.kind.rawValue),
            ("input_size", String(alphabet.count)),
            ("hidden_size", String(config.hiddenSize)),
            ("num_layers", String(config.layers)),
            ("num_classes", String(labels.count)),
            ("hidden_init", config.hiddenInit.rawValue),
            ("seed", String(config.seed)),
            ("labels", JSON.array(labels.map { .string($0) }).serialized),
        ]
        // Format 1 holds only what 0.1.0 could read: printable ASCII symbols on the article's path,
        // and no options (format 3 builds on format 2, whose readers look for `alphabet`).
        if config.isClassicShape && !isQuantized && alphabet.kind == .article && alphabet.normalization == .article
            && alphabet.symbols.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F })
        {
            file.metadata.append(("vocabulary", alphabet.string))
        } else {
            file.metadata[1].1 = "2"
            file.metadata.append(("alphabet", alphabet.checkpointJSON.serialized))
        }
        if !config.isClassicShape || isQuantized {
            file.metadata[1].1 = "3"
            file.metadata += [
                ("embedding_size", String(config.embeddingSize)),
                ("bidirectional", config.bidirectional ? "true" : "false"),
                ("pooling", config.pooling.rawValue),
                ("dropout", String(config.dropout)),
            ]
            if let ngrams = config.ngrams {
                file.metadata += [
                    ("ngram_buckets", String(ngrams.buckets)), ("ngram_dim", String(ngrams.dimension)),
                    ("ngram_min", String(ngrams.minimum)), ("ngram_max", String(ngrams.maximum)),
                ]
            }
        }
        guard let quantization else {
            file.tensors = parameters.map { ($0.name, $0.value) }
            return file
        }
        file.metadata[1].1 = "4"
        file.metadata.append(("quantization", Self.int8QuantizationName))
        for p in parameters {
            if let matrix = quantization[p.name] {
                file.int8Tensors.append((p.name, p.shape, matrix.values))
                file.tensors.append(
                    (Self.scaleTensorName(p.name), try! Tensor(shape: Shape(matrix.rows), scalars: matrix.scales)))
            } else {
                file.tensors.append((p.name, p.value))
            }
        }
        return file
    }

    /// Reads a checkpoint written by `save(to:)` (by any charnn version, or by PyTorch with the
    /// same names and metadata). Every field is checked.
    /// - Parameter path: The safetensors file.
    /// - Returns: A model ready to predict or to train further.
    /// - Throws: `.io` when the file cannot be read, `.invalidCheckpoint` naming the problem for a
    ///   truncated, oversized, mis-typed or inconsistent file.
    /// - Complexity: O(size of the file).
    public static func load(from path: String) throws(CharNNError) -> Model {
        guard !path.isEmpty else { throw .invalidArgument("the checkpoint path is empty") }
        let bytes = try FileSystem.readFile(path, limit: maxCheckpointBytes)
        return try load(bytes: bytes, source: path)
    }

    /// `load(from:)` on bytes already in memory (`checkpointBytes()`, a download, a resource).
    /// - Parameters:
    ///   - bytes: A whole checkpoint.
    ///   - source: Names the bytes in error messages.
    /// - Throws: `.invalidCheckpoint` naming the problem.
    /// - Complexity: O(`bytes.count`).
    public static func load(bytes: [UInt8], source: String = "checkpoint") throws(CharNNError) -> Model {
        let reader = CheckpointReader(file: try SafeTensors.parse(bytes, source: source), source: source)
        let version = try reader.formatVersion()
        let config = try reader.modelConfig(version: version)
        let alphabet = try reader.alphabet(version: version)
        let labels = try reader.labels()
        // Check the sizes against the file before building anything: a forged header must not
        // make us allocate a model larger than the file that describes it.
        do { try config.validate() } catch { throw reader.fail(error.message) }
        let quantized = try reader.isQuantized(version: version, kind: config.kind)
        try reader.checkTensors(
            config.parameterShapes(inputSize: alphabet.count, classes: labels.count), kind: config.kind,
            quantized: quantized)
        let model: Model
        do { model = try Model(config: config, labels: labels, alphabet: alphabet) } catch {
            throw reader.fail(error.message)
        }
        guard quantized else {
            for p in model.parameters { try! p.assign(reader.file.tensor(p.name)!) }
            return model
        }
        var matrices: [String: QuantizedMatrix] = [:]
        for p in model.parameters {
            guard Model.isQuantized(parameter: p.name, shape: p.shape) else {
                try! p.assign(reader.file.tensor(p.name)!)
                continue
            }
            let matrix = try reader.quantizedMatrix(p.name, shape: p.shape)
            try! p.assign(Tensor(shape: p.shape, scalars: matrix.dequantized))
            matrices[p.name] = matrix
        }
        model.useQuantization(matrices)
        return model
    }
}

/// Reads a parsed checkpoint's metadata and checks its tensors, each error naming the source.
private struct CheckpointReader {
    let file: SafeTensors
    let source: String

    func fail(_ message: String) -> CharNNError { .checkpoint("'\(source)': \(message)") }

    func field(_ key: String) throws(CharNNError) -> String {
        guard let value = file.metadata(key) else { throw fail("metadata has no '\(key)' (not a charnn checkpoint?)") }
        return value
    }

    func number(_ key: String) throws(CharNNError) -> Int {
        guard let n = Int(try field(key)), n >= 0 else { throw fail("metadata '\(key)' is not a non-negative integer") }
        return n
    }

    func formatVersion() throws(CharNNError) -> Int {
        guard try field("format") == "charnn" else { throw fail("metadata 'format' is not 'charnn'") }
        let version = try number("format_version")
        guard version >= 1 && version <= Model.checkpointFormatVersion else {
            throw fail("format version \(version); this charnn reads versions 1...\(Model.checkpointFormatVersion)")
        }
        return version
    }

    /// The model's configuration; format 3 adds the options of the GRU and LSTM.
    func modelConfig(version: Int) throws(CharNNError) -> ModelConfig {
        guard let kind = ModelKind(rawValue: try field("model_kind")) else {
            throw fail("unknown model_kind '\(try field("model_kind"))'")
        }
        guard let hiddenInit = HiddenInit(rawValue: try field("hidden_init")) else { throw fail("unknown hidden_init") }
        guard let seed = UInt64(try field("seed")) else { throw fail("metadata 'seed' is not an unsigned integer") }
        var config = ModelConfig(
            kind: kind, hiddenSize: try number("hidden_size"), layers: try number("num_layers"),
            hiddenInit: hiddenInit, seed: seed)
        guard version >= 3 else { return config }
        config.embeddingSize = try number("embedding_size")
        switch try field("bidirectional") {
        case "true": config.bidirectional = true
        case "false": config.bidirectional = false
        default: throw fail("metadata 'bidirectional' is not true or false")
        }
        guard let pooling = Pooling(rawValue: try field("pooling")) else {
            throw fail("metadata 'pooling' is not one of \(Pooling.allCases.map(\.rawValue))")
        }
        guard let dropout = Float(try field("dropout")) else { throw fail("metadata 'dropout' is not a number") }
        (config.pooling, config.dropout) = (pooling, dropout)
        if file.metadata("ngram_buckets") != nil {
            config.ngrams = NgramOptions(
                buckets: try number("ngram_buckets"), dimension: try number("ngram_dim"),
                minimum: try number("ngram_min"), maximum: try number("ngram_max"))
        }
        return config
    }

    /// The alphabet: 0.1.0's printable ASCII symbols (read through transliteration), or the
    /// stored alphabet from format 2 on; either must match `input_size`.
    func alphabet(version: Int) throws(CharNNError) -> Alphabet {
        let alphabet: Alphabet
        if version == 1 {
            let symbols = try field("vocabulary")
            guard symbols.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw fail("vocabulary is not printable ASCII")
            }
            do { alphabet = try Alphabet(kind: .article, symbols: symbols, normalization: .article) } catch {
                throw fail("vocabulary: \(error.message)")
            }
        } else {
            alphabet = try Alphabet(checkpointJSON: try field("alphabet"), fail: fail)
        }
        guard alphabet.count == (try number("input_size")) else { throw fail("input_size does not match the alphabet") }
        return alphabet
    }

    /// The label names: a JSON list of strings as long as `num_classes`.
    func labels() throws(CharNNError) -> [String] {
        let labelsJSON: JSON
        do { labelsJSON = try JSON.parse(Array(try field("labels").utf8)) } catch {
            throw fail("labels: \(error.message)")
        }
        guard let labelItems = labelsJSON.array, labelItems.allSatisfy({ $0.string != nil }) else {
            throw fail("metadata 'labels' is not a JSON list of strings")
        }
        let labels = labelItems.map { $0.string! }
        guard labels.count == (try number("num_classes")) else { throw fail("num_classes does not match the labels") }
        return labels
    }

    /// Whether the file holds a quantized model: format 4 with `quantization` `int8`, of a GRU
    /// or an LSTM.
    func isQuantized(version: Int, kind: ModelKind) throws(CharNNError) -> Bool {
        guard version >= 4 else { return false }
        let scheme = try field("quantization")
        guard scheme == Model.int8QuantizationName else {
            throw fail("unknown quantization '\(scheme)'; this charnn reads '\(Model.int8QuantizationName)'")
        }
        guard kind != .elman else { throw fail("a quantized model must be a GRU or an LSTM") }
        return true
    }

    /// A quantized matrix and its scales, checked (`QuantizedMatrix.init(values:…)`).
    func quantizedMatrix(_ name: String, shape: Shape) throws(CharNNError) -> QuantizedMatrix {
        let values = file.int8Tensor(name)!.values, scales = file.tensor(Model.scaleTensorName(name))!.scalars
        return try QuantizedMatrix(values: values, scales: scales, rows: shape.rows, cols: shape.cols) { message in
            fail("quantized tensor '\(name)' \(message)")
        }
    }

    /// Exactly the tensors a model of this configuration has, at their shapes, all finite; for
    /// a quantized model, each quantized matrix as I8 with its F32 scales (`Model.checkpoint`).
    func checkTensors(_ expected: [(String, Shape)], kind: ModelKind, quantized: Bool) throws(CharNNError) {
        var layout: [(name: String, shape: Shape, int8: Bool)] = []
        for (name, shape) in expected {
            if quantized && Model.isQuantized(parameter: name, shape: shape) {
                layout += [(name, shape, true), (Model.scaleTensorName(name), Shape(shape.rows), false)]
            } else {
                layout.append((name, shape, false))
            }
        }
        guard file.tensorCount == layout.count else {
            throw fail(
                "\(file.tensorCount) tensors; a \(quantized ? "quantized " : "")\(kind.rawValue) of this size has \(layout.count)"
            )
        }
        for (name, shape, int8) in layout {
            if int8 {
                guard let tensor = file.int8Tensor(name) else { throw fail("missing I8 tensor '\(name)'") }
                guard tensor.shape == shape else {
                    throw fail("tensor '\(name)' has shape \(tensor.shape), expected \(shape)")
                }
                continue
            }
            guard let tensor = file.tensor(name) else { throw fail("missing tensor '\(name)'") }
            guard tensor.shape == shape else {
                throw fail("tensor '\(name)' has shape \(tensor.shape), expected \(shape)")
            }
            guard tensor.scalars.allSatisfy(\.isFinite) else {
                throw fail("tensor '\(name)' holds NaN or infinite values")
            }
        }
    }
}

extension ModelConfig {
    /// Every parameter's PyTorch name and shape, in `named_parameters()` order, without building
    /// the model (a checkpoint's header is checked against it before anything is allocated). The
    /// layers say what they hold (`parameterShapes` of each), so this lists nothing itself.
    func parameterShapes(inputSize V: Int, classes C: Int) -> [(String, Shape)] {
        let shapes: [(name: String, shape: Shape)]
        switch kind {
        case .elman: shapes = ElmanCell.parameterShapes(inputSize: V, hiddenSize: hiddenSize, classes: C)
        case .gru: shapes = StackedRecurrent<GRUCell>.parameterShapes(self, inputSize: V, classes: C)
        case .lstm: shapes = StackedRecurrent<LSTMCell>.parameterShapes(self, inputSize: V, classes: C)
        }
        return shapes.map { ($0.name, $0.shape) }
    }

    /// How many weights a model of this config has.
    /// - Parameters:
    ///   - inputSize: The alphabet's size (`Alphabet.count`, `<unk>` included).
    ///   - classes: The number of labels.
    /// - Complexity: O(layers).
    public func parameterCount(inputSize: Int, classes: Int) -> Int {
        parameterShapes(inputSize: inputSize, classes: classes).reduce(0) { $0 + $1.1.count }
    }
}

extension Alphabet {
    /// The checkpoint's `alphabet` field: everything needed to encode exactly as at training.
    var checkpointJSON: JSON {
        .object([
            ("kind", .string(kind.rawValue)),
            ("symbols", .string(string)),
            ("unknown", .bool(hasUnknown)),
            ("normalize", .string(normalization.form.rawValue)),
            ("case_fold", .bool(normalization.caseFold)),
            ("transliterate", .bool(normalization.transliterate)),
        ])
    }

    /// Reads `checkpointJSON` back, every field checked.
    init(checkpointJSON text: String, fail: (String) -> CharNNError) throws(CharNNError) {
        let json: JSON
        do { json = try JSON.parse(Array(text.utf8)) } catch { throw fail("alphabet: \(error.message)") }
        func member(_ key: String) throws(CharNNError) -> JSON {
            guard let value = json[key] else { throw fail("alphabet has no '\(key)'") }
            return value
        }
        func flag(_ key: String) throws(CharNNError) -> Bool {
            guard case .bool(let b) = try member(key) else { throw fail("alphabet '\(key)' is not true or false") }
            return b
        }
        guard let kindName = try member("kind").string, let kind = Kind(rawValue: kindName) else {
            throw fail("alphabet 'kind' is not one of \(Kind.allCases.map(\.rawValue))")
        }
        guard let symbols = try member("symbols").string else { throw fail("alphabet 'symbols' is not a string") }
        guard let formName = try member("normalize").string, let form = TextNormalization.Form(rawValue: formName)
        else {
            throw fail("alphabet 'normalize' is not one of \(TextNormalization.Form.allCases.map(\.rawValue))")
        }
        guard try flag("unknown") == (kind != .article) else {
            throw fail("alphabet 'unknown' does not match its kind")
        }
        let normalization = TextNormalization(
            form: form, caseFold: try flag("case_fold"),
            transliterate: try flag("transliterate"))
        do { try self.init(kind: kind, symbols: symbols, normalization: normalization) } catch {
            throw fail("alphabet: \(error.message)")
        }
    }
}
