import CCharNN
import CharNN

// charnn_model_*: a Model behind a handle, with its label names as C strings.

final class ModelBox {
    let model: Model
    let labelNames: OwnedCStrings
    /// The alphabet's symbols as one C string (charnn_model_get_text_config).
    let symbols: OwnedCStrings

    init(_ model: Model) {
        self.model = model
        labelNames = OwnedCStrings(model.labels)
        symbols = OwnedCStrings([model.alphabet.string])
    }

    static func from(_ handle: OpaquePointer?, _ argument: String = "model") throws -> ModelBox {
        try Handles.object(handle, .model, argument)
    }
}

// MARK: Configs

@c @implementation
public func charnn_model_config_init(_ config: UnsafeMutablePointer<charnn_model_config>?) {
    guard let config else { return }
    let bag = NgramOptions()
    config.pointee = charnn_model_config(
        struct_size: MemoryLayout<charnn_model_config>.size, kind: Int32(CHARNN_MODEL_GRU), hidden_size: 256,
        num_layers: 0, hidden_init: Int32(CHARNN_HIDDEN_INIT_DEFAULT), seed: 0, embedding_size: 0, bidirectional: 0,
        pooling: Int32(CHARNN_POOLING_LAST), dropout: 0, ngram_buckets: 0, ngram_dim: Int32(bag.dimension),
        ngram_min: Int32(bag.minimum), ngram_max: Int32(bag.maximum))
}

extension charnn_model_config {
    static let shipped = [ShippedLayout("0.2.0", charnn_model_config.self, endingBefore: \.embedding_size)]

    /// The caller's config, read as the release that filled it laid it out.
    static func read(_ pointer: UnsafePointer<charnn_model_config>?, _ argument: String) throws -> charnn_model_config {
        try readStruct(pointer, argument, shipped: shipped) {
            var defaults = charnn_model_config()
            charnn_model_config_init(&defaults)
            return defaults
        }
    }
}

extension ModelConfig {
    private static let poolings: [Int32: Pooling] = [
        Int32(CHARNN_POOLING_LAST): .last, Int32(CHARNN_POOLING_MEAN): .mean,
        Int32(CHARNN_POOLING_MAX): .max,
    ]

    init(_ c: charnn_model_config) throws {
        let kinds: [Int32: ModelKind] = [
            Int32(CHARNN_MODEL_ELMAN): .elman, Int32(CHARNN_MODEL_GRU): .gru,
            Int32(CHARNN_MODEL_LSTM): .lstm,
        ]
        guard let kind = kinds[c.kind] else {
            throw APIError.invalid("config->kind \(c.kind) is not a CHARNN_MODEL_* value")
        }
        let hiddenInit: HiddenInit?
        switch Int(c.hidden_init) {
        case CHARNN_HIDDEN_INIT_DEFAULT: hiddenInit = nil
        case CHARNN_HIDDEN_INIT_KAIMING: hiddenInit = .kaiming
        case CHARNN_HIDDEN_INIT_ZEROS: hiddenInit = .zeros
        default: throw APIError.invalid("config->hidden_init \(c.hidden_init) is not a CHARNN_HIDDEN_INIT_* value")
        }
        guard c.num_layers >= 0 else { throw APIError.invalid("config->num_layers is \(c.num_layers)") }
        guard let pooling = Self.poolings[c.pooling] else {
            throw APIError.invalid("config->pooling \(c.pooling) is not a CHARNN_POOLING_* value")
        }
        guard c.embedding_size >= 0 else { throw APIError.invalid("config->embedding_size is \(c.embedding_size)") }
        guard c.ngram_buckets >= 0 else { throw APIError.invalid("config->ngram_buckets is \(c.ngram_buckets)") }
        self.init(
            kind: kind, hiddenSize: Int(c.hidden_size), layers: c.num_layers == 0 ? nil : Int(c.num_layers),
            hiddenInit: hiddenInit, seed: c.seed)
        (embeddingSize, bidirectional, self.pooling, dropout) = (
            Int(c.embedding_size), c.bidirectional != 0, pooling, c.dropout
        )
        if c.ngram_buckets > 0 {
            ngrams = NgramOptions(
                buckets: Int(c.ngram_buckets), dimension: Int(c.ngram_dim), minimum: Int(c.ngram_min),
                maximum: Int(c.ngram_max))
        }
        do { try validate() } catch { throw APIError.invalid("config: \(error.message)") }
    }

    var cValue: charnn_model_config {
        let kind =
            switch self.kind {
            case .elman: CHARNN_MODEL_ELMAN
            case .gru: CHARNN_MODEL_GRU
            case .lstm: CHARNN_MODEL_LSTM
            }
        let initValue = hiddenInit == .kaiming ? CHARNN_HIDDEN_INIT_KAIMING : CHARNN_HIDDEN_INIT_ZEROS
        let pooling = Self.poolings.first { $0.value == self.pooling }!.key
        let bag = ngrams ?? NgramOptions()
        return charnn_model_config(
            struct_size: MemoryLayout<charnn_model_config>.size, kind: Int32(kind),
            hidden_size: Int32(hiddenSize), num_layers: Int32(layers),
            hidden_init: Int32(initValue), seed: seed, embedding_size: Int32(embeddingSize),
            bidirectional: bidirectional ? 1 : 0, pooling: pooling, dropout: dropout,
            ngram_buckets: Int32(ngrams?.buckets ?? 0), ngram_dim: Int32(bag.dimension),
            ngram_min: Int32(bag.minimum), ngram_max: Int32(bag.maximum))
    }
}

@c @implementation
public func charnn_train_config_init(_ config: UnsafeMutablePointer<charnn_train_config>?) {
    guard let config else { return }
    config.pointee = TrainingConfig().cValue
}

extension TrainingConfig {
    /// This config as C sees it, with no callback. The step and plateau parameters of other
    /// schedules take PyTorch's defaults (StepLR step 1 × 0.1; ReduceLROnPlateau 0.1 after 10).
    /// Explicit class weights are caller memory C cannot be given here: only defaults and recipes
    /// (which have none) come this way.
    var cValue: charnn_train_config {
        var (stepSize, gamma, plateauFactor, plateauPatience): (Int32, Float, Float, Int32) = (1, 0.1, 0.1, 10)
        let scheduleValue: Int
        switch schedule {
        case .constant: scheduleValue = CHARNN_SCHEDULE_CONSTANT
        case .cosine: scheduleValue = CHARNN_SCHEDULE_COSINE
        case .step(let every, let g): (scheduleValue, stepSize, gamma) = (CHARNN_SCHEDULE_STEP, Int32(every), g)
        case .plateau(let factor, let patience):
            (scheduleValue, plateauFactor, plateauPatience) = (CHARNN_SCHEDULE_PLATEAU, factor, Int32(patience))
        }
        let optimizerValue =
            switch optimizer {
            case .adam: CHARNN_OPTIMIZER_ADAM
            case .adamw: CHARNN_OPTIMIZER_ADAMW
            case .sgd: CHARNN_OPTIMIZER_SGD
            }
        let weights = classWeights == .balanced ? CHARNN_CLASS_WEIGHTS_BALANCED : CHARNN_CLASS_WEIGHTS_NONE
        return charnn_train_config(
            struct_size: MemoryLayout<charnn_train_config>.size, epochs: Int32(epochs), batch_size: Int32(batchSize),
            optimizer: Int32(optimizerValue), learning_rate: learningRate, beta1: beta1, beta2: beta2,
            epsilon: epsilon, weight_decay: weightDecay, momentum: momentum, clip_norm: clipNorm, seed: seed,
            shuffle: shuffle ? 1 : 0, report_every: Int32(reportEvery), progress: nil, user_data: nil,
            validation_fraction: validationFraction, patience: Int32(patience), restore_best: restoreBest ? 1 : 0,
            schedule: Int32(scheduleValue), step_size: stepSize, gamma: gamma, plateau_factor: plateauFactor,
            plateau_patience: plateauPatience, min_learning_rate: minLearningRate, warmup_steps: Int64(warmupSteps),
            warmup_fraction: warmupFraction, label_smoothing: labelSmoothing, class_weights: Int32(weights),
            class_weight_values: nil, class_weight_count: 0)
    }
}

extension charnn_train_config {
    /// The releases whose charnn_train_config was smaller: 0.2.0's ended at user_data.
    static let shipped = [ShippedLayout("0.2.0", charnn_train_config.self, endingBefore: \.validation_fraction)]
}

extension charnn_train_result {
    static let shipped = [ShippedLayout("0.2.0", charnn_train_result.self, endingBefore: \.best_epoch)]
}

extension TrainingConfig {
    init(_ c: charnn_train_config) throws {
        self.init()
        switch Int(c.optimizer) {
        case CHARNN_OPTIMIZER_ADAM: optimizer = .adam
        case CHARNN_OPTIMIZER_ADAMW: optimizer = .adamw
        case CHARNN_OPTIMIZER_SGD: optimizer = .sgd
        default: throw APIError.invalid("config->optimizer \(c.optimizer) is not a CHARNN_OPTIMIZER_* value")
        }
        epochs = Int(c.epochs)
        batchSize = Int(c.batch_size)
        learningRate = c.learning_rate
        beta1 = c.beta1
        beta2 = c.beta2
        epsilon = c.epsilon
        weightDecay = c.weight_decay
        momentum = c.momentum
        clipNorm = c.clip_norm
        seed = c.seed
        shuffle = c.shuffle != 0
        reportEvery = Int(c.report_every)
        validationFraction = c.validation_fraction
        patience = Int(c.patience)
        restoreBest = c.restore_best != 0
        switch Int(c.schedule) {
        case CHARNN_SCHEDULE_CONSTANT: schedule = .constant
        case CHARNN_SCHEDULE_COSINE: schedule = .cosine
        case CHARNN_SCHEDULE_STEP: schedule = .step(everyEpochs: Int(c.step_size), gamma: c.gamma)
        case CHARNN_SCHEDULE_PLATEAU: schedule = .plateau(factor: c.plateau_factor, patience: Int(c.plateau_patience))
        default: throw APIError.invalid("config->schedule \(c.schedule) is not a CHARNN_SCHEDULE_* value")
        }
        minLearningRate = c.min_learning_rate
        guard c.warmup_steps >= 0 && c.warmup_steps <= Int64(Int32.max) else {
            throw APIError.invalid("config->warmup_steps \(c.warmup_steps) is not in 0...\(Int32.max)")
        }
        warmupSteps = Int(c.warmup_steps)
        warmupFraction = c.warmup_fraction
        labelSmoothing = c.label_smoothing
        switch Int(c.class_weights) {
        case CHARNN_CLASS_WEIGHTS_NONE: classWeights = .none
        case CHARNN_CLASS_WEIGHTS_BALANCED: classWeights = .balanced
        case CHARNN_CLASS_WEIGHTS_EXPLICIT:
            let n = try count(c.class_weight_count, "config->class_weight_count", max: NameDataset.maxLabels)
            guard n > 0 else {
                throw APIError.invalid("config->class_weight_count is 0 with CHARNN_CLASS_WEIGHTS_EXPLICIT")
            }
            guard let values = c.class_weight_values else {
                throw APIError.invalid("config->class_weight_values is NULL with CHARNN_CLASS_WEIGHTS_EXPLICIT")
            }
            classWeights = .explicit(Array(UnsafeBufferPointer(start: values, count: n)))
        default:
            throw APIError.invalid("config->class_weights \(c.class_weights) is not a CHARNN_CLASS_WEIGHTS_* value")
        }
    }
}

// MARK: Lifecycle

@c @implementation
public func charnn_model_create(
    _ config: UnsafePointer<charnn_model_config>?,
    _ labelNames: UnsafePointer<UnsafePointer<CChar>?>?, _ labelCount: Int,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_model_create") {
        guard let out else { throw APIError.invalid("out is NULL") }
        let config = try ModelConfig(try charnn_model_config.read(config, "config"))
        let labels = try strings(
            labelNames, try count(labelCount, "label_count", max: NameDataset.maxLabels), "label_names")
        out.pointee = Handles.register(ModelBox(try Model(config: config, labels: labels)), .model)
    }
}

@c @implementation
public func charnn_model_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?)
    -> charnn_status
{
    api("charnn_model_load") {
        guard let out else { throw APIError.invalid("out is NULL") }
        out.pointee = Handles.register(ModelBox(try Model.load(from: try string(path, "path"))), .model)
    }
}

@c @implementation
public func charnn_model_load_memory(
    _ data: UnsafeRawPointer?, _ size: Int,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_model_load_memory") {
        guard let out else { throw APIError.invalid("out is NULL") }
        let n = try count(size, "size", max: Model.maxCheckpointBytes)
        guard n == 0 || data != nil else { throw APIError.invalid("data is NULL but size is \(n)") }
        let bytes = n == 0 ? [] : Array(UnsafeRawBufferPointer(start: data, count: n))
        out.pointee = Handles.register(ModelBox(try Model.load(bytes: bytes, source: "memory")), .model)
    }
}

@c @implementation
public func charnn_model_save(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> charnn_status {
    api("charnn_model_save") { try ModelBox.from(model).model.save(to: try string(path, "path")) }
}

@c @implementation
public func charnn_model_save_memory(
    _ model: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
    _ size: UnsafeMutablePointer<Int>?
) -> charnn_status {
    api("charnn_model_save_memory") {
        let model = try ModelBox.from(model).model
        guard let size else { throw APIError.invalid("size is NULL") }
        // The size first (it never changes over the model's life), so (NULL, 0) asks for it.
        let needed = try model.checkpointSize()
        size.pointee = needed
        guard let buffer else {
            guard capacity == 0 else {
                throw APIError.invalid("buffer is NULL but capacity is \(UInt(bitPattern: capacity))")
            }
            return
        }
        // A capacity past Int.max reads as negative here: more than enough.
        guard capacity < 0 || capacity >= needed else {
            throw APIError(CHARNN_BUFFER_TOO_SMALL, "the checkpoint needs \(needed) bytes, capacity is \(capacity)")
        }
        let bytes = try model.checkpointBytes()
        guard bytes.count == needed else {
            throw APIError(CHARNN_INTERNAL_ERROR, "the checkpoint is \(bytes.count) bytes, its size was \(needed)")
        }
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }
}

@c @implementation
public func charnn_model_free(_ model: OpaquePointer?) {
    Handles.free(model, .model)
}

// MARK: Training and evaluation

@c @implementation
public func charnn_model_train(
    _ model: OpaquePointer?, _ train: OpaquePointer?,
    _ config: UnsafePointer<charnn_train_config>?,
    _ result: UnsafeMutablePointer<charnn_train_result>?
) -> charnn_status {
    trainModel(model, train, nil, config, result, "charnn_model_train")
}

@c @implementation
public func charnn_model_train_with_validation(
    _ model: OpaquePointer?, _ train: OpaquePointer?, _ validation: OpaquePointer?,
    _ config: UnsafePointer<charnn_train_config>?,
    _ result: UnsafeMutablePointer<charnn_train_result>?
) -> charnn_status {
    trainModel(model, train, validation, config, result, "charnn_model_train_with_validation")
}

/// The body of both training functions.
private func trainModel(
    _ model: OpaquePointer?, _ train: OpaquePointer?, _ validation: OpaquePointer?,
    _ config: UnsafePointer<charnn_train_config>?, _ result: UnsafeMutablePointer<charnn_train_result>?,
    _ function: StaticString
) -> charnn_status {
    var report = TrainingReport()
    var resultBytes = 0
    let status = api(function) {
        if let result {
            // An output struct with no _init: the caller sets struct_size = sizeof(charnn_train_result).
            resultBytes = try structBytes(
                result, charnn_train_result.self, "result", shipped: charnn_train_result.shipped,
                setBy: "set it to sizeof(charnn_train_result): the struct has no _init function")
        }
        let model = try ModelBox.from(model).model
        let data = try DatasetBox.from(train, "train").dataset
        let held = validation == nil ? nil : try DatasetBox.from(validation, "validation").dataset
        var c = charnn_train_config()
        charnn_train_config_init(&c)
        if let config {
            c = try readStruct(config, "config", shipped: charnn_train_config.shipped) {
                var defaults = charnn_train_config()
                charnn_train_config_init(&defaults)
                return defaults
            }
        }
        let trainingConfig = try TrainingConfig(c)
        do { try trainingConfig.validate(classes: model.labels.count, validationSet: held != nil) } catch let error
            as CharNNError
        {
            throw APIError.invalid("config->" + error.message)
        }
        let callback = c.progress, userData = c.user_data
        var stopped = false
        report = try model.train(on: data, validation: held, config: trainingConfig) { p in
            guard let callback else { return true }
            var progress = charnn_train_progress(
                struct_size: MemoryLayout<charnn_train_progress>.size, epoch: Int32(p.epoch), epochs: Int32(p.epochs),
                step: Int64(p.step), steps: Int64(p.steps), loss: p.loss, running_loss: p.runningLoss,
                validation_loss: p.validationLoss, validation_accuracy: p.validationAccuracy,
                learning_rate: p.learningRate, epoch_end: p.epochEnd ? 1 : 0)
            stopped = callback(&progress, userData) != 0
            return !stopped
        }
        if stopped {
            throw APIError(CHARNN_CANCELLED, "the progress callback stopped training after \(report.stepsTaken) steps")
        }
    }
    if let result, resultBytes > 0 {  // its struct_size was checked on entry
        var out = charnn_train_result()
        out.epochs_completed = Int32(report.epochsCompleted)
        out.steps_taken = Int64(report.stepsTaken)
        out.last_loss = report.lastLoss
        out.last_epoch_loss = report.epochLosses.last ?? .nan
        out.best_epoch = Int32(report.bestEpoch)
        out.best_validation_loss = report.bestValidationLoss
        out.best_validation_accuracy = report.bestValidationAccuracy
        out.early_stopped = report.earlyStopped ? 1 : 0
        writeStruct(out, to: result, bytes: resultBytes)
    }
    return status
}

@c @implementation
public func charnn_model_evaluate(
    _ model: OpaquePointer?, _ data: OpaquePointer?, _ accuracy: UnsafeMutablePointer<Double>?,
    _ confusion: UnsafeMutablePointer<Int64>?, _ capacity: Int
) -> charnn_status {
    api("charnn_model_evaluate") {
        let model = try ModelBox.from(model).model
        let dataset = try DatasetBox.from(data, "data").dataset
        let cells = model.labels.count * model.labels.count
        if confusion != nil && capacity < cells {
            throw APIError(
                CHARNN_BUFFER_TOO_SMALL, "confusion needs \(cells) elements, capacity is \(UInt(bitPattern: capacity))")
        }
        let evaluation = try model.evaluate(dataset)
        accuracy?.pointee = evaluation.accuracy
        if let confusion {
            let C = model.labels.count
            for i in 0..<C {
                for j in 0..<C { confusion[i * C + j] = Int64(evaluation.count(trueLabel: i, predicted: j)) }
            }
        }
    }
}

// MARK: Prediction

/// Writes top-k predictions into row `row` of the caller's arrays, padding past the label count.
private func write(
    _ predictions: [Prediction], k: Int, row: Int, _ labels: UnsafeMutablePointer<Int32>?,
    _ probabilities: UnsafeMutablePointer<Float>?
) {
    for j in 0..<k {
        let p = j < predictions.count ? predictions[j] : nil
        labels?[row * k + j] = Int32(p?.index ?? -1)
        probabilities?[row * k + j] = p?.probability ?? 0
    }
}

@c @implementation
public func charnn_model_predict(
    _ model: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ k: Int,
    _ labels: UnsafeMutablePointer<Int32>?, _ probabilities: UnsafeMutablePointer<Float>?,
    _ count: UnsafeMutablePointer<Int>?
) -> charnn_status {
    api("charnn_model_predict") {
        let model = try ModelBox.from(model).model
        let k = try CharNNExports.count(k, "k", max: 1 << 20)
        guard k >= 1 else { throw APIError.invalid("k is 0") }
        let predictions = try model.predict(try string(name, "name"), top: k)
        for (j, p) in predictions.enumerated() {
            labels?[j] = Int32(p.index)
            probabilities?[j] = p.probability
        }
        count?.pointee = predictions.count
    }
}

@c @implementation
public func charnn_model_predict_many(
    _ model: OpaquePointer?, _ names: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int,
    _ k: Int, _ labels: UnsafeMutablePointer<Int32>?,
    _ probabilities: UnsafeMutablePointer<Float>?
) -> charnn_status {
    api("charnn_model_predict_many") {
        let model = try ModelBox.from(model).model
        let k = try CharNNExports.count(k, "k", max: 1 << 20)
        guard k >= 1 else { throw APIError.invalid("k is 0") }
        let n = try CharNNExports.count(count, "count", max: 1 << 32)
        guard n.multipliedReportingOverflow(by: k).partialValue <= 1 << 40 else {
            throw APIError.invalid("count × k is too large")
        }
        let texts = try strings(names, n, "names")
        let predictions = try model.predict(texts, top: k)
        for (i, top) in predictions.enumerated() { write(top, k: k, row: i, labels, probabilities) }
    }
}

// MARK: Information

@c @implementation
public func charnn_model_get_config(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<charnn_model_config>?)
    -> charnn_status
{
    api("charnn_model_get_config") {
        let config = try ModelBox.from(model).model.config
        guard let out else { throw APIError.invalid("out is NULL") }
        let bytes = try structBytes(out, charnn_model_config.self, "out", shipped: charnn_model_config.shipped)
        writeStruct(config.cValue, to: out, bytes: bytes)
    }
}

@c @implementation
public func charnn_model_label_count(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> charnn_status {
    api("charnn_model_label_count") { try store(try ModelBox.from(model).model.labels.count, out, "out") }
}

@c @implementation
public func charnn_model_label_name(
    _ model: OpaquePointer?, _ index: Int,
    _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?
) -> charnn_status {
    api("charnn_model_label_name") { try store(try ModelBox.from(model).labelNames.get(index, "index"), out, "out") }
}

@c @implementation
public func charnn_model_parameter_count(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> charnn_status {
    api("charnn_model_parameter_count") { try store(try ModelBox.from(model).model.parameterCount, out, "out") }
}

@c @implementation
public func charnn_model_quantize(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?)
    -> charnn_status
{
    api("charnn_model_quantize") {
        let model = try ModelBox.from(model).model
        guard let out else { throw APIError.invalid("out is NULL") }
        out.pointee = Handles.register(ModelBox(try model.quantized()), .model)
    }
}

@c @implementation
public func charnn_model_is_quantized(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> charnn_status {
    api("charnn_model_is_quantized") {
        try store(Int32(try ModelBox.from(model).model.isQuantized ? 1 : 0), out, "out")
    }
}

// MARK: Recipes

extension Recipe {
    init(_ value: Int32) throws {
        switch Int(value) {
        case CHARNN_RECIPE_FAST: self = .fast
        case CHARNN_RECIPE_BEST: self = .best
        default: throw APIError.invalid("recipe \(value) is not a CHARNN_RECIPE_* value")
        }
    }
}

@c @implementation
public func charnn_model_config_recipe(_ config: UnsafeMutablePointer<charnn_model_config>?, _ recipe: Int32)
    -> charnn_status
{
    api("charnn_model_config_recipe") {
        guard let config else { throw APIError.invalid("config is NULL") }
        let bytes = try structBytes(config, charnn_model_config.self, "config", shipped: charnn_model_config.shipped)
        // A recipe's model is its options, which 0.2.0's struct has no room for: written partly,
        // it would be a plain GRU (charnn_train_config_recipe refuses 0.2.0's struct the same way).
        guard bytes == MemoryLayout<charnn_model_config>.size else {
            throw APIError.invalid(
                "config: a recipe needs this release's charnn_model_config (struct_size \(MemoryLayout<charnn_model_config>.size)): its settings include fields 0.2.0 lacks"
            )
        }
        let recipe = try Recipe(recipe)
        var value = recipe.modelConfig.cValue
        value.seed = config.pointee.seed  // the caller's seed stays
        config.pointee = value
    }
}

@c @implementation
public func charnn_train_config_recipe(
    _ config: UnsafeMutablePointer<charnn_train_config>?, _ recipe: Int32,
    _ rows: Int
) -> charnn_status {
    api("charnn_train_config_recipe") {
        guard let config else { throw APIError.invalid("config is NULL") }
        let bytes = try structBytes(config, charnn_train_config.self, "config", shipped: charnn_train_config.shipped)
        guard bytes == MemoryLayout<charnn_train_config>.size else {
            throw APIError.invalid(
                "config: a recipe needs this release's charnn_train_config (struct_size \(MemoryLayout<charnn_train_config>.size)): its settings include fields 0.2.0 lacks"
            )
        }
        // size_t beyond Int.max arrives negative: as many rows as can be.
        let r = try Recipe(recipe).trainingConfig(rows: rows < 0 ? Int.max : rows)
        // What the caller set that a recipe does not decide stays; every other field is the recipe's
        // or its default.
        var c = r.cValue
        (c.seed, c.progress, c.user_data, c.report_every) = (
            config.pointee.seed, config.pointee.progress,
            config.pointee.user_data, config.pointee.report_every
        )
        config.pointee = c
    }
}
