/// One layer and direction of a `StackedRecurrent` laid out for forward-only passes: built from
/// the parameters on the first prediction after they change, then only read.
final class PreparedLayer: Sendable {
    /// The largest input table built, in floats (16 MiB): past it the first layer projects its
    /// input step by step as training does.
    static let maxTableFloats = 1 << 22

    /// First layer: row v = W_ih·x(v) + b_ih [alphabet × gates·H], x(v) symbol v's one-hot column
    /// or embedding row, so a step's input projection is one row read.
    let inputTable: FloatBuffer?
    /// W_ih (layers above the first).
    let input: GateProjection?
    let hidden: GateProjection

    /// `quantization`: a quantized model's int8 matrices by name; its layers multiply by those
    /// (the first layer's table is built from the dequantized weights the parameters hold).
    init(
        _ layer: RecurrentLayer, first: Bool, embedding: Parameter?, symbols: Int,
        quantization: [String: QuantizedMatrix]?
    ) {
        let (G, H) = (layer.gates, layer.hiddenSize)
        func projection(_ weight: Parameter) -> GateProjection {
            if let matrix = quantization?[weight.name] { return .int8(Int8GateMatrix(matrix, gates: G)) }
            return .packed(PackedGateMatrix(weight.values, gates: G, rowsPerGate: H, depth: weight.shape.cols))
        }
        hidden = projection(layer.weightHH)
        input = first ? nil : projection(layer.weightIH)
        inputTable = first && symbols * G * H <= Self.maxTableFloats ? Self.table(layer, embedding, symbols) : nil
    }

    private static func table(_ layer: RecurrentLayer, _ embedding: Parameter?, _ symbols: Int) -> FloatBuffer {
        let (W, K) = (layer.width, layer.inputSize)
        let table = FloatBuffer(count: symbols * W)
        for v in 0..<symbols { (table.pointer + v * W).update(from: layer.biasIH.values, count: W) }
        if let embedding {
            // The same kernel and order of sums as a batch's input projection.
            Kernels.gemmNT(
                m: symbols, n: W, k: K, a: embedding.values, lda: K, b: layer.weightIH.values, ldb: K,
                c: table.pointer, ldc: W, accumulate: true)
        } else {
            for v in 0..<symbols {
                LayerMath.addColumn(layer.weightIH.values, ld: K, column: v, count: W, into: table.pointer + v * W)
            }
        }
        return table
    }
}

/// How a forward-only pass multiplies by one of a layer's weights.
enum GateProjection: Sendable {
    /// Float, from panels packed once (`Kernels.gemmPrepacked`).
    case packed(PackedGateMatrix)
    /// int8 weights and activations quantized per row (a quantized model).
    case int8(Int8GateMatrix)
}
