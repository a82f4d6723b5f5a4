/// `nn.Embedding` as the first layer's input: a learned row of E numbers per symbol of the
/// alphabet, instead of a one-hot column (the same thing when E = alphabet size and the table
/// is the identity; cheaper and better at sharing what similar characters do when E is small).
enum Embedding {
    /// The table's PyTorch name and shape, [alphabet × E]; none for one-hot input (E = 0).
    static func parameterShapes(inputSize: Int, embeddingSize: Int) -> [(name: String, shape: Shape)] {
        embeddingSize > 0 ? [("embedding.weight", Shape(inputSize, embeddingSize))] : []
    }

    /// x[t, b, columns] = table[token(t, b), columns] for the rows still reading; zeros past a
    /// name's end.
    static func gather(
        _ table: Parameter, _ batch: SequenceBatch, into x: UnsafeMutablePointer<Float>, columns: Range<Int>
    ) {
        guard !columns.isEmpty else { return }
        let (B, E) = (batch.size, table.shape.cols)
        for t in 0..<batch.steps {
            let active = batch.active(t)
            for b in 0..<B {
                let row = x + (t * B + b) * E + columns.lowerBound
                if b < active {
                    row.update(from: table.values + batch.token(t, b) * E + columns.lowerBound, count: columns.count)
                } else {
                    row.update(repeating: 0, count: columns.count)
                }
            }
        }
    }

    /// table.grad[token(t, b), columns] += dx[t, b, columns]: the gather's gradient.
    static func scatter(_ dx: UnsafePointer<Float>, _ batch: SequenceBatch, into table: Parameter, columns: Range<Int>)
    {
        guard !columns.isEmpty else { return }
        let (B, E) = (batch.size, table.shape.cols)
        for t in 0..<batch.steps {
            for b in 0..<batch.active(t) {
                Kernels.axpy(
                    1, dx + (t * B + b) * E + columns.lowerBound,
                    table.grads + batch.token(t, b) * E + columns.lowerBound,
                    columns.count)
            }
        }
    }
}
