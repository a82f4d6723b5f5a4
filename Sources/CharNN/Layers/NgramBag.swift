/// fastText's idea inside charnn: the mean of learned vectors of a name's hashed character
/// n-grams (`ngrams.weight` [buckets × dim], PyTorch's `nn.EmbeddingBag(mode="mean")`), placed
/// beside the recurrent features that `fc` reads. The recurrent layers read the order of a
/// name; the bag remembers which fragments it contains, which is what short, memorised strings
/// are often told apart by.
///
/// The n-grams are those of the name's tokens framed by a begin and an end marker, of `minimum`
/// to `maximum` tokens (a lone marker is not one). An n-gram's bucket is the FNV-1a hash of its
/// tokens (16-bit little-endian each; the markers are 0xFFFE and 0xFFFF) modulo `buckets`.
struct NgramBag {
    static let maxBuckets = 1 << 24  // bucket ids ride in Float scratch, exact below 2^24
    static let (beginMarker, endMarker): (UInt16, UInt16) = (0xFFFE, 0xFFFF)

    let table: Parameter
    let minimum: Int
    let maximum: Int

    var buckets: Int { table.shape.rows }
    var dimension: Int { table.shape.cols }

    init(buckets: Int, dimension: Int, minimum: Int, maximum: Int, using rng: inout Xoshiro256) {
        // fastText's initialisation, uniform in ±1/dim (not nn.EmbeddingBag's N(0, 1)): a row
        // only moves when a step's names contain its n-gram, so a rare n-gram should start near
        // zero instead of adding noise of the size of what is learned.
        let spec = Self.parameterShapes(buckets: buckets, dimension: dimension)[0]
        table = Parameter(
            name: spec.name, .uniform(spec.shape, bound: 1 / Float(dimension), using: &rng),
            rowBlocks: 1, sparseRows: true)
        (self.minimum, self.maximum) = (minimum, maximum)
    }

    /// The table's PyTorch name and shape, without making it.
    static func parameterShapes(buckets: Int, dimension: Int) -> [(name: String, shape: Shape)] {
        [("ngrams.weight", Shape(buckets, dimension))]
    }

    /// The most n-grams a name of `length` tokens has.
    func maxCount(length: Int) -> Int { (minimum...maximum).reduce(0) { $0 + Swift.max(0, length + 3 - $1) } }

    /// Calls body with the bucket of every n-gram of `tokens` (in a fixed order).
    @inline(__always)
    func forEachBucket(_ length: Int, token: (Int) -> UInt16, _ body: (Int) -> Void) {
        let framed = length + 2
        func symbol(_ i: Int) -> UInt16 { i == 0 ? Self.beginMarker : i == framed - 1 ? Self.endMarker : token(i - 1) }
        for n in minimum...maximum where n <= framed {
            for start in 0...(framed - n) {
                if n == 1 && (start == 0 || start == framed - 1) { continue }
                var hash: UInt32 = 2_166_136_261
                for i in start..<start + n {
                    let s = symbol(i)
                    hash = (hash ^ UInt32(s & 0xFF)) &* 16_777_619
                    hash = (hash ^ UInt32(s >> 8)) &* 16_777_619
                }
                body(Int(hash % UInt32(buckets)))
            }
        }
    }

    /// The buckets of every row's n-grams, row after row, as floats (exact: fewer than 2^24),
    /// and where each row's start: ids[starts[b] ..< starts[b + 1]]. A training pass (`marking`,
    /// on the training thread) marks them as touched; inference never does (the validation
    /// of a training run scores batches on many threads at once).
    func buckets(of batch: SequenceBatch, arena: Arena, marking: Bool) -> (
        ids: UnsafeMutablePointer<Float>, starts: UnsafeMutablePointer<Float>
    ) {
        let starts = arena.allocate(batch.size + 1)
        var total = 0
        for b in 0..<batch.size { total += maxCount(length: batch.length(b)) }
        let ids = arena.allocate(Swift.max(total, 1))
        var count = 0
        for b in 0..<batch.size {
            starts[b] = Float(count)
            forEachBucket(batch.length(b), token: { UInt16(batch.token($0, b)) }) { id in
                ids[count] = Float(id)
                count += 1
                if marking { table.touchedRows?.mark(id) }
            }
        }
        starts[batch.size] = Float(count)
        return (ids, starts)
    }

    /// features[b, columns] = mean of table rows of row b's n-grams (columns of the table).
    func forward(
        ids: UnsafePointer<Float>, starts: UnsafePointer<Float>, rows: Int, columns: Range<Int>,
        into features: UnsafeMutablePointer<Float>, stride: Int
    ) {
        let D = dimension
        for b in 0..<rows {
            let out = features + b * stride + columns.lowerBound
            out.update(repeating: 0, count: columns.count)
            let (first, end) = (Int(starts[b]), Int(starts[b + 1]))
            for k in first..<end {
                Kernels.axpy(1, table.values + Int(ids[k]) * D + columns.lowerBound, out, columns.count)
            }
            let scale = 1 / Float(Swift.max(end - first, 1))
            for j in 0..<columns.count { out[j] *= scale }
        }
    }

    /// table.grad[id, columns] += dFeatures[b, columns] / count(b) for each n-gram of row b.
    func backward(
        ids: UnsafePointer<Float>, starts: UnsafePointer<Float>, rows: Int, columns: Range<Int>,
        dFeatures: UnsafePointer<Float>, stride: Int
    ) {
        let D = dimension
        for b in 0..<rows {
            let (first, end) = (Int(starts[b]), Int(starts[b + 1]))
            guard end > first else { continue }
            let scale = 1 / Float(end - first)
            for k in first..<end {
                Kernels.axpy(
                    scale, dFeatures + b * stride + columns.lowerBound,
                    table.grads + Int(ids[k]) * D + columns.lowerBound,
                    columns.count)
            }
        }
    }

    /// The same on a graph for one name: ones · rows(table, buckets) / count → [1 × dim].
    func graphFeatures(_ g: Graph, tokens: [Int]) throws(CharNNError) -> Variable {
        var ids: [Int] = []
        forEachBucket(tokens.count, token: { UInt16(tokens[$0]) }) { ids.append($0) }
        let rows = try g.embedding(g.parameter(table), indices: ids)
        let mean = g.constant(Tensor(repeating: 1 / Float(ids.count), shape: Shape(1, ids.count)))
        return try mean.matmul(rows)
    }
}
