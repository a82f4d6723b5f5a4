import CCharNN
import CharNN

// charnn_metrics_*: an Evaluation behind a handle (charnn_model_evaluate_metrics makes one).

final class MetricsBox {
    let evaluation: Evaluation
    /// The non-zero confusion cells in the order charnn_metrics_confusion_entries gives them,
    /// sorted once here so that reading them (from any thread) is a copy.
    let entries: [Evaluation.ConfusionEntry]

    init(_ evaluation: Evaluation) {
        self.evaluation = evaluation
        entries = evaluation.confusionEntries
    }

    static func from(_ handle: OpaquePointer?) throws -> MetricsBox {
        try Handles.object(handle, .metrics, "metrics")
    }
}

@c @implementation
public func charnn_model_evaluate_metrics(
    _ model: OpaquePointer?, _ data: OpaquePointer?, _ k: Int,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_model_evaluate_metrics") {
        let model = try ModelBox.from(model).model
        let dataset = try DatasetBox.from(data, "data").dataset
        guard let out else { throw APIError.invalid("out is NULL") }
        let C = model.labels.count
        guard k != 0 else { throw APIError.invalid("k is 0") }
        guard k > 0 && k <= C else {
            throw APIError.invalid(
                "k (\(UInt(bitPattern: k))) is larger than the model's \(C) label\(C == 1 ? "" : "s")")
        }
        out.pointee = Handles.register(MetricsBox(try model.evaluate(dataset, topK: k)), .metrics)
    }
}

@c @implementation
public func charnn_metrics_free(_ metrics: OpaquePointer?) {
    Handles.free(metrics, .metrics)
}

@c @implementation
public func charnn_metrics_label_count(_ metrics: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> charnn_status {
    api("charnn_metrics_label_count") { try store(try MetricsBox.from(metrics).evaluation.labels.count, out, "out") }
}

@c @implementation
public func charnn_metrics_total(_ metrics: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> charnn_status {
    api("charnn_metrics_total") { try store(Int64(try MetricsBox.from(metrics).evaluation.total), out, "out") }
}

@c @implementation
public func charnn_metrics_k(_ metrics: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> charnn_status {
    api("charnn_metrics_k") { try store(try MetricsBox.from(metrics).evaluation.k, out, "out") }
}

@c @implementation
public func charnn_metrics_accuracy(_ metrics: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) -> charnn_status {
    api("charnn_metrics_accuracy") { try store(try MetricsBox.from(metrics).evaluation.accuracy, out, "out") }
}

@c @implementation
public func charnn_metrics_top_k_accuracy(_ metrics: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?)
    -> charnn_status
{
    api("charnn_metrics_top_k_accuracy") { try store(try MetricsBox.from(metrics).evaluation.topKAccuracy, out, "out") }
}

@c @implementation
public func charnn_metrics_macro_f1(_ metrics: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) -> charnn_status {
    api("charnn_metrics_macro_f1") { try store(try MetricsBox.from(metrics).evaluation.macroF1, out, "out") }
}

@c @implementation
public func charnn_metrics_average(
    _ metrics: OpaquePointer?, _ average: Int32, _ precision: UnsafeMutablePointer<Double>?,
    _ recall: UnsafeMutablePointer<Double>?, _ f1: UnsafeMutablePointer<Double>?,
    _ present: UnsafeMutablePointer<Int>?
) -> charnn_status {
    api("charnn_metrics_average") {
        let evaluation = try MetricsBox.from(metrics).evaluation
        let value: Evaluation.Average
        switch Int(average) {
        case CHARNN_AVERAGE_MACRO: value = evaluation.macro
        case CHARNN_AVERAGE_WEIGHTED: value = evaluation.weighted
        case CHARNN_AVERAGE_MICRO: value = evaluation.micro
        default: throw APIError.invalid("average \(average) is not a CHARNN_AVERAGE_* value")
        }
        precision?.pointee = value.precision
        recall?.pointee = value.recall
        f1?.pointee = value.f1
        present?.pointee = evaluation.presentLabelCount
    }
}

@c @implementation
public func charnn_metrics_class(
    _ metrics: OpaquePointer?, _ label: Int, _ precision: UnsafeMutablePointer<Double>?,
    _ recall: UnsafeMutablePointer<Double>?, _ f1: UnsafeMutablePointer<Double>?,
    _ support: UnsafeMutablePointer<Int64>?, _ predicted: UnsafeMutablePointer<Int64>?
) -> charnn_status {
    api("charnn_metrics_class") {
        let evaluation = try MetricsBox.from(metrics).evaluation
        let C = evaluation.labels.count
        guard label >= 0 && label < C else {
            throw APIError.invalid("label \(UInt(bitPattern: label)) is not below the label count \(C)")
        }
        let m = evaluation.metrics(of: label)
        precision?.pointee = m.precision
        recall?.pointee = m.recall
        f1?.pointee = m.f1
        support?.pointee = Int64(m.support)
        predicted?.pointee = Int64(m.predicted)
    }
}

@c @implementation
public func charnn_metrics_confusion(_ metrics: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int)
    -> charnn_status
{
    api("charnn_metrics_confusion") {
        let box = try MetricsBox.from(metrics)
        let C = box.evaluation.labels.count
        let cells = C * C
        // The size first, so (NULL, 0) asks for it; a capacity past Int.max reads as negative here:
        // more than enough.
        if capacity >= 0 && capacity < cells {
            throw APIError(
                CHARNN_BUFFER_TOO_SMALL,
                "the confusion matrix needs \(cells) elements (\(C) × \(C)), capacity is \(capacity)")
        }
        guard let out else { throw APIError.invalid("out is NULL") }
        out.update(repeating: 0, count: cells)
        for e in box.entries { out[e.trueLabel * C + e.predicted] = Int64(e.count) }
    }
}

@c @implementation
public func charnn_metrics_confusion_entries(
    _ metrics: OpaquePointer?, _ trueLabels: UnsafeMutablePointer<Int32>?,
    _ predicted: UnsafeMutablePointer<Int32>?, _ counts: UnsafeMutablePointer<Int64>?,
    _ capacity: Int, _ count: UnsafeMutablePointer<Int>?
) -> charnn_status {
    api("charnn_metrics_confusion_entries") {
        let entries = try MetricsBox.from(metrics).entries
        count?.pointee = entries.count
        guard capacity < 0 || capacity >= entries.count else {
            throw APIError(
                CHARNN_BUFFER_TOO_SMALL, "there are \(entries.count) non-zero cells, capacity is \(capacity)")
        }
        for (i, e) in entries.enumerated() {
            trueLabels?[i] = Int32(e.trueLabel)
            predicted?[i] = Int32(e.predicted)
            counts?[i] = Int64(e.count)
        }
    }
}
