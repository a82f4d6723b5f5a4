import CCharNN
import CharNN

// Alphabets, normalisation and data sources: charnn_text_config, charnn_data_config, the
// dataset loaders that take them, and the model calls that read a model's alphabet.

// MARK: Configs

@c @implementation
public func charnn_text_config_init(_ config: UnsafeMutablePointer<charnn_text_config>?) {
    guard let config else { return }
    config.pointee = charnn_text_config(
        struct_size: MemoryLayout<charnn_text_config>.size, alphabet: Int32(CHARNN_ALPHABET_ARTICLE),
        normalize: Int32(CHARNN_NORMALIZE_DEFAULT), case_fold: 0, transliterate: -1, min_count: 1, max_symbols: 0,
        symbols: nil)
}

@c @implementation
public func charnn_data_config_init(_ config: UnsafeMutablePointer<charnn_data_config>?) {
    guard let config else { return }
    config.pointee = charnn_data_config(
        struct_size: MemoryLayout<charnn_data_config>.size, format: Int32(CHARNN_FORMAT_AUTO), header: 1,
        text_column: nil, label_column: nil)
}

extension TextConfig {
    /// A C text config (NULL: the article's), every field checked and named in errors.
    init(_ pointer: UnsafePointer<charnn_text_config>?, _ argument: String = "text") throws {
        guard pointer != nil else { self = .article; return }
        let c = try readStruct(pointer, argument)
        let choice: AlphabetChoice
        switch Int(c.alphabet) {
        case CHARNN_ALPHABET_ARTICLE: choice = .article
        case CHARNN_ALPHABET_LEARNED:
            // validate() below checks both numbers, naming them.
            choice = .learned(minCount: Int(c.min_count), maxSymbols: c.max_symbols == 0 ? nil : Int(c.max_symbols))
        case CHARNN_ALPHABET_EXPLICIT:
            choice = .explicit(try string(c.symbols, "\(argument)->symbols"))
        default: throw APIError.invalid("\(argument)->alphabet \(c.alphabet) is not a CHARNN_ALPHABET_* value")
        }
        // `symbols` is read for EXPLICIT only, so a model's config (which always carries its
        // symbols) can be passed back as it is.
        let form: TextNormalization.Form?
        switch Int(c.normalize) {
        case CHARNN_NORMALIZE_DEFAULT: form = nil
        case CHARNN_NORMALIZE_NONE: form = TextNormalization.Form.none
        case CHARNN_NORMALIZE_NFC: form = .nfc
        case CHARNN_NORMALIZE_NFKC: form = .nfkc
        default: throw APIError.invalid("\(argument)->normalize \(c.normalize) is not a CHARNN_NORMALIZE_* value")
        }
        guard (-1...1).contains(c.transliterate) else {
            throw APIError.invalid("\(argument)->transliterate is \(c.transliterate); it must be -1 (default), 0 or 1")
        }
        self.init(
            alphabet: choice, form: form, caseFold: c.case_fold != 0,
            transliterate: c.transliterate < 0 ? nil : c.transliterate == 1)
        do { try validate() } catch { throw APIError.invalid("\(argument)->\(error.message)") }
    }
}

// MARK: Datasets

@c @implementation
public func charnn_dataset_load(
    _ path: UnsafePointer<CChar>?, _ data: UnsafePointer<charnn_data_config>?,
    _ text: UnsafePointer<charnn_text_config>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_dataset_load") {
        guard let out else { throw APIError.invalid("out is NULL") }
        let path = try string(path, "path")
        var c = charnn_data_config()
        if data != nil { c = try readStruct(data, "data") } else { charnn_data_config_init(&c) }
        let format: DataFormat
        switch Int(c.format) {
        case CHARNN_FORMAT_AUTO: format = .auto
        case CHARNN_FORMAT_DIRECTORY: format = .directory
        case CHARNN_FORMAT_CSV: format = .csv
        case CHARNN_FORMAT_TSV: format = .tsv
        default: throw APIError.invalid("data->format \(c.format) is not a CHARNN_FORMAT_* value")
        }
        var columns = DelimitedFormat(hasHeader: c.header != 0)
        if c.text_column != nil {
            columns.textColumn = ColumnSelector(parsing: try string(c.text_column, "data->text_column"))
        }
        if c.label_column != nil {
            columns.labelColumn = ColumnSelector(parsing: try string(c.label_column, "data->label_column"))
        }
        let textConfig = try TextConfig(text)
        out.pointee = Handles.register(
            DatasetBox(
                try NameDataset.load(
                    path: path, format: format, delimited: columns,
                    textConfig: textConfig)), .dataset)
    }
}

@c @implementation
public func charnn_dataset_from_strings(
    _ texts: UnsafePointer<UnsafePointer<CChar>?>?,
    _ labels: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int,
    _ text: UnsafePointer<charnn_text_config>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_dataset_from_strings") {
        guard let out else { throw APIError.invalid("out is NULL") }
        let n = try CharNNExports.count(count, "count", max: 1 << 32)
        let textConfig = try TextConfig(text)
        let dataset = try NameDataset(
            texts: try strings(texts, n, "texts"), labels: try strings(labels, n, "labels"),
            textConfig: textConfig)
        out.pointee = Handles.register(DatasetBox(dataset), .dataset)
    }
}

@c @implementation
public func charnn_dataset_from_memory_with_text(
    _ names: UnsafePointer<UnsafePointer<CChar>?>?, _ labels: UnsafePointer<Int32>?,
    _ count: Int, _ labelNames: UnsafePointer<UnsafePointer<CChar>?>?,
    _ labelCount: Int, _ text: UnsafePointer<charnn_text_config>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_dataset_from_memory_with_text") {
        try datasetFromMemory(names, labels, count, labelNames, labelCount, try TextConfig(text), out)
    }
}

@c @implementation
public func charnn_dataset_subset(
    _ dataset: OpaquePointer?, _ indices: UnsafePointer<Int>?, _ count: Int,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_dataset_subset") {
        guard let out else { throw APIError.invalid("out is NULL") }
        let data = try DatasetBox.from(dataset).dataset
        let n = try CharNNExports.count(count, "count", max: 1 << 32)
        guard n == 0 || indices != nil else { throw APIError.invalid("indices is NULL but count is \(n)") }
        let picks = (0..<n).map { indices![$0] }
        if let bad = picks.firstIndex(where: { $0 < 0 || $0 >= data.count }) {
            throw APIError.invalid(
                "indices[\(bad)] is \(UInt(bitPattern: picks[bad])), not below the count \(data.count)")
        }
        out.pointee = Handles.register(DatasetBox(data.subset(picks)), .dataset)
    }
}

@c @implementation
public func charnn_dataset_label_counts(
    _ dataset: OpaquePointer?, _ counts: UnsafeMutablePointer<Int64>?,
    _ capacity: Int
) -> charnn_status {
    api("charnn_dataset_label_counts") {
        let data = try DatasetBox.from(dataset).dataset
        guard capacity >= data.labelCount else {
            throw APIError(
                CHARNN_BUFFER_TOO_SMALL,
                "counts needs \(data.labelCount) elements, capacity is \(UInt(bitPattern: capacity))")
        }
        guard let counts else { throw APIError.invalid("counts is NULL") }
        for (i, n) in data.labelCounts.enumerated() { counts[i] = Int64(n) }
    }
}

@c @implementation
public func charnn_dataset_summary(
    _ dataset: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
    _ length: UnsafeMutablePointer<Int>?
) -> charnn_status {
    api("charnn_dataset_summary") {
        try copyString(try DatasetBox.from(dataset).summary, buffer, capacity, length)
    }
}

// MARK: Models

@c @implementation
public func charnn_model_create_for_dataset(
    _ config: UnsafePointer<charnn_model_config>?, _ data: OpaquePointer?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_model_create_for_dataset") {
        guard let out else { throw APIError.invalid("out is NULL") }
        let config = try ModelConfig(try charnn_model_config.read(config, "config"))
        let dataset = try DatasetBox.from(data, "data").dataset
        let model = try Model(config: config, labels: dataset.labelNames, alphabet: dataset.alphabet)
        out.pointee = Handles.register(ModelBox(model), .model)
    }
}

@c @implementation
public func charnn_model_create_with_text(
    _ config: UnsafePointer<charnn_model_config>?,
    _ text: UnsafePointer<charnn_text_config>?,
    _ labelNames: UnsafePointer<UnsafePointer<CChar>?>?, _ labelCount: Int,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_model_create_with_text") {
        guard let out else { throw APIError.invalid("out is NULL") }
        let config = try ModelConfig(try charnn_model_config.read(config, "config"))
        let textConfig = try TextConfig(text)
        guard !textConfig.isLearned else {
            throw APIError.invalid(
                "text->alphabet is CHARNN_ALPHABET_LEARNED, which is learned from data: use charnn_model_create_for_dataset"
            )
        }
        let labels = try strings(
            labelNames, try count(labelCount, "label_count", max: NameDataset.maxLabels), "label_names")
        let alphabet = try textConfig.makeAlphabet(learningFrom: [])
        out.pointee = Handles.register(ModelBox(try Model(config: config, labels: labels, alphabet: alphabet)), .model)
    }
}

@c @implementation
public func charnn_model_get_text_config(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<charnn_text_config>?)
    -> charnn_status
{
    api("charnn_model_get_text_config") {
        let box = try ModelBox.from(model)
        guard let out else { throw APIError.invalid("out is NULL") }
        _ = try readStruct(UnsafePointer(out), "out")
        let alphabet = box.model.alphabet
        let kind =
            switch alphabet.kind {
            case .article: CHARNN_ALPHABET_ARTICLE
            case .learned: CHARNN_ALPHABET_LEARNED
            case .explicit: CHARNN_ALPHABET_EXPLICIT
            }
        let form =
            switch alphabet.normalization.form {
            case .none: CHARNN_NORMALIZE_NONE
            case .nfc: CHARNN_NORMALIZE_NFC
            case .nfkc: CHARNN_NORMALIZE_NFKC
            }
        out.pointee = charnn_text_config(
            struct_size: MemoryLayout<charnn_text_config>.size, alphabet: Int32(kind), normalize: Int32(form),
            case_fold: alphabet.normalization.caseFold ? 1 : 0,
            transliterate: alphabet.normalization.transliterate ? 1 : 0,
            min_count: 1, max_symbols: 0, symbols: try box.symbols.get(0, "symbols"))
    }
}

@c @implementation
public func charnn_model_alphabet_size(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> charnn_status {
    api("charnn_model_alphabet_size") { try store(try ModelBox.from(model).model.alphabet.count, out, "out") }
}

@c @implementation
public func charnn_model_encode(
    _ model: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ indices: UnsafeMutablePointer<Int32>?,
    _ capacity: Int, _ length: UnsafeMutablePointer<Int>?,
    _ unknown: UnsafeMutablePointer<Int>?
) -> charnn_status {
    api("charnn_model_encode") {
        let model = try ModelBox.from(model).model
        let text = try string(text, "text")
        guard text.utf8.count <= Model.maxNameLength * 64 else {
            throw APIError.invalid("text is \(text.utf8.count) bytes; at most \(Model.maxNameLength * 64)")
        }
        // An inspection call: a text with nothing readable gives 0 indices and its unknown count.
        let (tokens, counts) = model.alphabet.encode(text)
        length?.pointee = tokens.count
        unknown?.pointee = counts.unknown
        guard let indices else { return }
        guard capacity >= tokens.count else {
            throw APIError(
                CHARNN_BUFFER_TOO_SMALL,
                "the text has \(tokens.count) symbols, capacity is \(UInt(bitPattern: capacity))")
        }
        for (i, t) in tokens.enumerated() { indices[i] = Int32(t) }
    }
}
