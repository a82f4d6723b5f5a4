/// One label and its softmax probability.
public struct Prediction: Sendable, Equatable, CustomStringConvertible {
    /// The label's name.
    public let label: String
    /// The label's index in `Model.labels`.
    public let index: Int
    /// Its softmax probability, in [0, 1].
    public let probability: Float

    /// The label and its probability in percent, one decimal: "Czech (71.3%)".
    public var description: String {
        "\(label) (\((Double(probability) * 1000).rounded() / 10)%)"
    }
}

extension Model {
    /// Names that read as more than this many symbols are refused (memory grows with length);
    /// data sets skip them the same way.
    public static let maxNameLength = NameDataset.maxSymbols
    /// Names per forward pass in batched inference (at most).
    static let inferenceBatch = 128
    /// The smallest batch a call cuts its names into so that every thread has one of its own.
    static let smallestSharedBatch = 32

    /// Names per batch for `count` names and a pool of `threads`: `inferenceBatch`, or fewer when
    /// that leaves a thread idle and the names still fill a batch of `smallestSharedBatch` per
    /// thread (128 names on 2 threads: two batches of 64, each on its own thread, where one batch
    /// of 128 would run as a team meeting at a barrier every step).
    static func batchSize(names count: Int, threads: Int) -> Int {
        guard threads > 1, count >= threads * smallestSharedBatch else { return inferenceBatch }
        return min(inferenceBatch, (count + threads - 1) / threads)
    }
    /// Names encoded and scored at a time by `evaluate`.
    static let evaluationChunk = 16_384

    /// A raw Unicode text as this model reads it: normalised, folded and transliterated as the
    /// alphabet says; characters the alphabet lacks become `<unk>` (the article's alphabet
    /// drops them, as 0.1.0 did). Throws `.invalidArgument` when no character is left or the
    /// text is longer than `maxNameLength`.
    package func encode(_ name: String) throws(CharNNError) -> [UInt16] {
        try Self.encodeForInference(name, alphabet: alphabet).tokens
    }

    /// `encode(_:)` for any alphabet (the low-level API encodes without a model), with what
    /// encoding met (characters the alphabet lacks).
    package static func encodeForInference(_ name: String, alphabet: Alphabet) throws(CharNNError)
        -> (tokens: [UInt16], counts: Alphabet.EncodingCounts)
    {
        // A huge text is refused before any work (marks and joiners may read as nothing, so
        // the bound on bytes is generous; the bound on symbols below is the rule).
        guard name.utf8.count <= Self.maxNameLength * 64 else {
            throw .invalidArgument(
                "the name is \(name.utf8.count) bytes, longer than \(Self.maxNameLength) symbols can be")
        }
        let (tokens, counts) = alphabet.encode(name)
        guard tokens.count <= Self.maxNameLength else {
            throw .invalidArgument("the name is longer than \(Self.maxNameLength) symbols as the model reads it")
        }
        guard !tokens.isEmpty else {
            let shown = name.count > 40 ? String(name.prefix(40)) + "…" : name
            let after = alphabet.normalization.transliterate ? " (after transliteration to ASCII)" : ""
            throw .invalidArgument("'\(shown)' has no character the model can read\(after)")
        }
        return (tokens, counts)
    }

    /// Softmax probabilities over the labels for one name. Safe to call from many threads at once.
    /// - Parameter name: Raw Unicode text; the model normalises it as it was trained to.
    /// - Returns: One probability per label, in `labels` order, summing to 1.
    /// - Throws: `.invalidArgument` when no character of `name` is left to read or it is longer than
    ///   `maxNameLength`; `.busy` while the model trains.
    /// - Complexity: O(length of the name · the model's weights).
    public func probabilities(_ name: String) throws(CharNNError) -> [Float] {
        let tokens = try encode(name)
        return try reading { () throws(CharNNError) -> [Float] in try scores([tokens[...]]) }
    }

    /// The `k` most likely labels for a name, most likely first (ties: the lower label index first).
    /// Safe to call from many threads at once.
    /// - Parameters:
    ///   - name: Raw Unicode text.
    ///   - k: How many labels, at least 1; capped at the label count.
    /// - Returns: Up to `k` predictions.
    /// - Throws: `.invalidArgument` for `k` < 1 or a name the model cannot read (see
    ///   `probabilities(_:)`); `.busy` while the model trains.
    public func predict(_ name: String, top k: Int = 3) throws(CharNNError) -> [Prediction] {
        guard k >= 1 else { throw .invalidArgument("k must be at least 1, got \(k)") }
        return topK(try probabilities(name)[...], k)
    }

    /// `predict(_:top:)` for many names in one call, batched: far faster than one call per name.
    /// - Parameters:
    ///   - names: Raw Unicode texts.
    ///   - k: How many labels per name, at least 1; capped at the label count.
    /// - Returns: One list of up to `k` predictions per name, in order.
    /// - Throws: `.invalidArgument` for `k` < 1, or naming the index of the first name that cannot be
    ///   read; `.busy` while the model trains.
    /// - Complexity: O(total length of the names · the model's weights), spread over the worker pool.
    public func predict(_ names: [String], top k: Int = 3) throws(CharNNError) -> [[Prediction]] {
        guard k >= 1 else { throw .invalidArgument("k must be at least 1, got \(k)") }
        var encoded: [ArraySlice<UInt16>] = []
        encoded.reserveCapacity(names.count)
        for (i, name) in names.enumerated() {
            do { encoded.append(try encode(name)[...]) } catch {
                throw .invalidArgument("name \(i): \(error.message)")
            }
        }
        let probabilities = try reading { () throws(CharNNError) -> [Float] in try scores(encoded) }
        let C = labels.count
        return (0..<names.count).map { topK(probabilities[$0 * C..<($0 + 1) * C], k) }
    }

    func topK(_ probabilities: ArraySlice<Float>, _ k: Int) -> [Prediction] {
        let base = probabilities.startIndex
        let order = probabilities.indices.sorted {
            probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1)
        }
        return order.prefix(k).map {
            Prediction(label: labels[$0 - base], index: $0 - base, probability: probabilities[$0])
        }
    }

    /// Softmax probabilities [names × labels] for encoded names, in their order. Names are
    /// grouped by length into batches so little time goes to padding. Batches are independent:
    /// with more than one, each thread of the pool takes whole batches (no barrier per
    /// character); a lone batch runs as a team. Call inside `reading`. With `logarithms`, the
    /// log-probabilities (logit − logsumexp) from the same batches and kernels, so exp of each
    /// is the probability bit for bit (a loss from them stays finite where a probability underflows).
    ///
    /// Throws `.diverged` naming the text when its scores are not finite: finite weights so large
    /// that a sum overflows (only a hand-made or corrupted checkpoint has them) would otherwise
    /// come back as NaN probabilities.
    func scores(_ names: [ArraySlice<UInt16>], logarithms: Bool = false) throws(CharNNError) -> [Float] {
        let out = rawScores(names, logarithms: logarithms)
        let C = labels.count
        for i in names.indices
        where !out[i * C..<(i + 1) * C].allSatisfy({ $0.isFinite || (logarithms && $0 == -.infinity) }) {
            throw CharNNError(
                .diverged,
                "the model's scores for text \(i) are not finite: its weights are so large that "
                    + "its sums overflow (a damaged or hand-made checkpoint?)")
        }
        return out
    }

    /// `scores` without the check (validation during training reports a non-finite loss itself).
    func rawScores(_ names: [ArraySlice<UInt16>], logarithms: Bool = false) -> [Float] {
        let C = labels.count
        var out = [Float](repeating: 0, count: names.count * C)
        let order = names.indices.sorted { names[$0].count < names[$1].count }
        let size = Self.batchSize(names: order.count, threads: WorkerPool.shared.threadCount)
        let batches = (order.count + size - 1) / size
        // About one multiply-add per weight per character.
        let work = parameterCount * names.reduce(0) { $0 + $1.count }
        out.withUnsafeMutableBufferPointer { out in
            WorkerPool.shared.forEachPiece(
                batches, parallel: work >= ParallelPolicy.piecesMinimumWork,
                wake: work >= ParallelPolicy.wakeMinimumWork
            ) { index in
                // Longest batch first: the caller starts on it at once, and a worker that wakes
                // late still finds the shorter ones (cut the other way, the caller could finish
                // the short batch and take the long one before a worker woke).
                let start = (batches - 1 - index) * size
                scoreBatch(
                    order[start..<min(start + size, order.count)], of: names, into: out.baseAddress!,
                    logarithms: logarithms)
            }
        }
        return out
    }

    /// The probabilities of `names[i]` for i in `members` (one batch) into row i of `out`.
    private func scoreBatch(
        _ members: ArraySlice<Int>, of names: [ArraySlice<UInt16>], into out: UnsafeMutablePointer<Float>,
        logarithms: Bool
    ) {
        let C = labels.count
        withInferenceArena { arena in
            var batch = SequenceBatch()
            batch.fill(count: members.count) { names[members[members.startIndex + $0]] }
            let h0 = initialHidden(batchSize: batch.size, arena: arena) { b, row in
                var rng = inferenceGenerator(for: names[members[members.startIndex + batch.source(b)]])
                Model.kaiming(row, using: &rng)
            }
            let logits = arena.allocate(batch.size * C)
            network.logits(batch, initialHidden: h0, arena: arena, into: logits)
            for b in 0..<batch.size {
                let row = logits + b * C
                let target = out + members[members.startIndex + batch.source(b)] * C
                // Shifted by the largest logit and divided by the sum (not exp(x − logsumexp)):
                // with logits near Float's limit, max + log Σ rounds back to max and every
                // probability would come out 1.
                var largest = -Float.infinity
                for j in 0..<C { largest = max(largest, row[j]) }
                var sum: Float = 0
                for j in 0..<C { sum += Math.exp(row[j] - largest) }
                let logSum = Math.log(sum)
                for j in 0..<C {
                    target[j] = logarithms ? (row[j] - largest) - logSum : Math.exp(row[j] - largest) / sum
                }
            }
        }
    }
}

extension Model {
    /// Calls body(rows, their encoded texts) for `data` a chunk of `evaluationChunk` rows at a
    /// time (texts are encoded as they are scored, so memory stays flat for any data size).
    func forEachChunk<E: Error>(of data: NameDataset, _ body: (Range<Int>, [ArraySlice<UInt16>]) throws(E) -> Void)
        throws(E)
    {
        var tokens: [UInt16] = [], starts: [Int] = []
        for chunkStart in stride(from: 0, to: data.count, by: Self.evaluationChunk) {
            let chunk = chunkStart..<min(chunkStart + Self.evaluationChunk, data.count)
            tokens.removeAll(keepingCapacity: true)
            starts = [0]
            for i in chunk {
                data.appendTokens(of: i, to: &tokens)
                starts.append(tokens.count)
            }
            try body(chunk, (0..<chunk.count).map { tokens[starts[$0]..<starts[$0 + 1]] })
        }
    }
}
