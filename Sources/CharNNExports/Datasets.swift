import CCharNN
import CharNN

// charnn_dataset_*: a NameDataset behind a handle, with its label names as C strings.

final class DatasetBox {
    let dataset: NameDataset
    let labelNames: OwnedCStrings

    init(_ dataset: NameDataset) {
        self.dataset = dataset
        labelNames = OwnedCStrings(dataset.labelNames)
    }

    /// The JSON of charnn_dataset_summary.
    var summary: String { dataset.summary.json }

    static func from(_ handle: OpaquePointer?, _ argument: String = "dataset") throws -> DatasetBox {
        try Handles.object(handle, .dataset, argument)
    }
}

func returnDataset(_ dataset: NameDataset, _ out: UnsafeMutablePointer<OpaquePointer?>) {
    out.pointee = Handles.register(DatasetBox(dataset), .dataset)
}

@c @implementation
public func charnn_dataset_load_dir(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?)
    -> charnn_status
{
    api("charnn_dataset_load_dir") {
        guard let out else { throw APIError.invalid("out is NULL") }
        returnDataset(try NameDataset.load(directory: try string(path, "path")), out)
    }
}

@c @implementation
public func charnn_dataset_from_memory(
    _ names: UnsafePointer<UnsafePointer<CChar>?>?, _ labels: UnsafePointer<Int32>?,
    _ count: Int, _ labelNames: UnsafePointer<UnsafePointer<CChar>?>?,
    _ labelCount: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_dataset_from_memory") {
        try datasetFromMemory(names, labels, count, labelNames, labelCount, .article, out)
    }
}

/// charnn_dataset_from_memory and charnn_dataset_from_memory_with_text.
func datasetFromMemory(
    _ names: UnsafePointer<UnsafePointer<CChar>?>?, _ labels: UnsafePointer<Int32>?, _ count: Int,
    _ labelNames: UnsafePointer<UnsafePointer<CChar>?>?, _ labelCount: Int, _ textConfig: TextConfig,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) throws {
    guard let out else { throw APIError.invalid("out is NULL") }
    let n = try CharNNExports.count(count, "count", max: 1 << 32)
    let texts = try strings(names, n, "names")
    guard n == 0 || labels != nil else { throw APIError.invalid("labels is NULL but count is \(n)") }
    let labelValues = (0..<n).map { Int(labels![$0]) }
    let labelStrings = try strings(
        labelNames, try CharNNExports.count(labelCount, "label_count", max: NameDataset.maxLabels),
        "label_names")
    returnDataset(
        try NameDataset(names: texts, labels: labelValues, labelNames: labelStrings, textConfig: textConfig), out)
}

@c @implementation
public func charnn_dataset_count(_ dataset: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> charnn_status {
    api("charnn_dataset_count") { try store(try DatasetBox.from(dataset).dataset.count, out, "out") }
}

@c @implementation
public func charnn_dataset_label_count(_ dataset: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> charnn_status {
    api("charnn_dataset_label_count") { try store(try DatasetBox.from(dataset).dataset.labelCount, out, "out") }
}

@c @implementation
public func charnn_dataset_label_name(
    _ dataset: OpaquePointer?, _ index: Int,
    _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?
) -> charnn_status {
    api("charnn_dataset_label_name") {
        try store(try DatasetBox.from(dataset).labelNames.get(index, "index"), out, "out")
    }
}

@c @implementation
public func charnn_dataset_get(
    _ dataset: OpaquePointer?, _ index: Int, _ buffer: UnsafeMutablePointer<CChar>?,
    _ capacity: Int, _ length: UnsafeMutablePointer<Int>?,
    _ label: UnsafeMutablePointer<Int32>?
) -> charnn_status {
    api("charnn_dataset_get") {
        let data = try DatasetBox.from(dataset).dataset
        guard index >= 0 && index < data.count else {
            throw APIError.invalid("index \(UInt(bitPattern: index)) is not below the count \(data.count)")
        }
        label?.pointee = Int32(data.labels[index])
        if buffer != nil || capacity != 0 || length != nil {
            try copyString(data.text(index), buffer, capacity, length)
        }
    }
}

@c @implementation
public func charnn_dataset_skipped_count(_ dataset: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> charnn_status
{
    api("charnn_dataset_skipped_count") { try store(try DatasetBox.from(dataset).dataset.skipped.count, out, "out") }
}

@c @implementation
public func charnn_dataset_skipped(
    _ dataset: OpaquePointer?, _ index: Int, _ buffer: UnsafeMutablePointer<CChar>?,
    _ capacity: Int, _ length: UnsafeMutablePointer<Int>?
) -> charnn_status {
    api("charnn_dataset_skipped") {
        let skipped = try DatasetBox.from(dataset).dataset.skipped
        guard index >= 0 && index < skipped.count else {
            throw APIError.invalid("index \(UInt(bitPattern: index)) is not below the skipped count \(skipped.count)")
        }
        try copyString(skipped[index].description, buffer, capacity, length)
    }
}

@c @implementation
public func charnn_dataset_split(
    _ dataset: OpaquePointer?, _ testFraction: Double, _ seed: UInt64,
    _ train: UnsafeMutablePointer<OpaquePointer?>?,
    _ test: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_dataset_split") {
        guard let train, let test else { throw APIError.invalid(train == nil ? "train is NULL" : "test is NULL") }
        guard train != test else { throw APIError.invalid("train and test point to the same place") }
        let data = try DatasetBox.from(dataset).dataset
        let (a, b) = try data.stratifiedSplit(testFraction: testFraction, seed: seed)
        returnDataset(a, train)
        returnDataset(b, test)
    }
}

@c @implementation
public func charnn_dataset_free(_ dataset: OpaquePointer?) {
    Handles.free(dataset, .dataset)
}
