import CCharNNKernels

/// A weight matrix in int8 with one scale per row (symmetric, per-row quantization, as ggml's
/// and ONNX Runtime's dynamic quantization do): w[r, c] ≈ values[r·cols + c] · scales[r], the
/// values in −127...127 (never −128: the int8 kernels rely on |q| ≤ 127) and
/// scales[r] = max |w[r, ·]| / 127 (0 for a row of zeros).
struct QuantizedMatrix: Sendable, Equatable {
    let rows: Int
    let cols: Int
    let values: [Int8]
    let scales: [Float]

    /// Quantizes `w`, [rows × cols] row-major, as activations are at run time (the one rule,
    /// `charnn_q8_quantize_rows`): each value rounded to the nearest step of its row's scale,
    /// ties to even.
    init(quantizing w: UnsafePointer<Float>, rows: Int, cols: Int) {
        (self.rows, self.cols) = (rows, cols)
        let stride = charnn_q8_padded(cols)
        var padded = [Int8](repeating: 0, count: rows * stride)
        var scales = [Float](repeating: 0, count: rows)
        padded.withUnsafeMutableBufferPointer { q in
            scales.withUnsafeMutableBufferPointer {
                charnn_q8_quantize_rows(w, cols, rows, cols, q.baseAddress!, stride, $0.baseAddress!)
            }
        }
        values = (0..<rows).flatMap { padded[$0 * stride..<$0 * stride + cols] }
        self.scales = scales
    }

    /// A matrix read from a checkpoint, checked: sizes that match, values in −127...127, scales
    /// finite and not negative. `fail` makes the error.
    init(
        values: [Int8], scales: [Float], rows: Int, cols: Int, fail: (String) -> CharNNError
    ) throws(CharNNError) {
        guard values.count == rows * cols, scales.count == rows else { throw fail("sizes do not match") }
        guard !values.contains(-128) else { throw fail("holds −128 (int8 weights are in −127...127)") }
        guard scales.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw fail("has a scale that is negative or not finite")
        }
        (self.values, self.scales, self.rows, self.cols) = (values, scales, rows, cols)
    }

    /// The float weights it stands for: q · scale.
    var dequantized: [Float] {
        (0..<rows * cols).map { Float(values[$0]) * scales[$0 / cols] }
    }
}

extension Model {
    /// The metadata value of `quantization` in a quantized model's checkpoint.
    static let int8QuantizationName = "int8"
    /// What a quantized model's checkpoint calls the scales of weight `name`.
    static func scaleTensorName(_ name: String) -> String { name + "_scale" }

    /// Whether a quantized model keeps parameter `name` in int8: the matrices of the embedding,
    /// of every recurrent layer and of the n-gram bag. Biases and the head (`fc.weight`, a few
    /// thousand numbers the scores are read from) stay float.
    static func isQuantized(parameter name: String, shape: Shape) -> Bool {
        shape.rank == 2 && name != "fc.weight"
    }

    /// Whether the model holds int8 weights (`quantized()`, or loaded from such a checkpoint).
    public var isQuantized: Bool { quantization != nil }

    /// A copy of the model with int8 weights: each matrix of the embedding, of the recurrent
    /// layers and of the n-gram bag quantized per row (w ≈ q · scale, q in −127...127); biases and
    /// the head stay float. It predicts and evaluates with int8 products (activations quantized
    /// per row as they are made) and saves a checkpoint about 4× smaller. It cannot be trained:
    /// train the float model, then quantize it again.
    /// - Throws: `.invalidArgument` for an Elman model (its cell is the article's, float only) or a
    ///   model already quantized; `.busy` while the model trains.
    /// - Complexity: O(number of weights).
    public func quantized() throws(CharNNError) -> Model {
        guard config.kind != .elman else {
            throw .invalidArgument("int8 quantization is for GRU and LSTM models; the Elman cell stays float")
        }
        guard quantization == nil else { throw .invalidArgument("the model is already quantized") }
        return try reading { () throws(CharNNError) -> Model in
            let copy = try Model(config: config, labels: labels, alphabet: alphabet)
            var matrices: [String: QuantizedMatrix] = [:]
            for (source, target) in zip(parameters, copy.parameters) {
                guard Self.isQuantized(parameter: source.name, shape: source.shape) else {
                    try target.assign(source.value)
                    continue
                }
                let matrix = QuantizedMatrix(
                    quantizing: source.values, rows: source.shape.rows, cols: source.shape.cols)
                try target.assign(try Tensor(shape: source.shape, scalars: matrix.dequantized))
                matrices[source.name] = matrix
            }
            copy.useQuantization(matrices)
            return copy
        }
    }

}
