extension Model {
    /// The mean cross-entropy (plain: no smoothing, no class weights) and the accuracy of the
    /// model on `data`, already `prepared` (the model's labels and alphabet), for validation
    /// during training (the caller holds the model: no `reading`).
    ///
    /// It scores exactly as `evaluate` does: the same chunks, the same length-sorted batches of
    /// `inferenceBatch` names (the batch size picks the kernels, so the bits), the same softmax
    /// and the first largest probability as the prediction; so its accuracy is `evaluate`'s.
    /// The loss comes from the log-probabilities (logit − logsumexp), never log(p), so a
    /// probability that underflows still gives a finite loss.
    func validationFigures(_ data: NameDataset) -> (loss: Float, accuracy: Double) {
        let C = labels.count
        var lossSum: Double = 0
        var correct = 0
        var tokens: [UInt16] = [], starts: [Int] = []
        for chunkStart in stride(from: 0, to: data.count, by: Self.evaluationChunk) {
            let chunk = chunkStart..<min(chunkStart + Self.evaluationChunk, data.count)
            tokens.removeAll(keepingCapacity: true)
            starts = [0]
            for i in chunk {
                data.appendTokens(of: i, to: &tokens)
                starts.append(tokens.count)
            }
            let names = (0..<chunk.count).map { tokens[starts[$0]..<starts[$0 + 1]] }
            let logProbabilities = logSoftmaxScores(names)
            for (row, i) in chunk.enumerated() {
                let scores = logProbabilities[row * C..<(row + 1) * C]
                var best = scores.startIndex, bestProbability = Math.exp(scores[best])
                for j in scores.indices {
                    let p = Math.exp(scores[j])
                    if p > bestProbability { (best, bestProbability) = (j, p) }
                }
                let target = Int(data.labels[i])
                if best - scores.startIndex == target { correct += 1 }
                lossSum -= Double(scores[scores.startIndex + target])
            }
        }
        let n = Double(data.count)
        return (Float(lossSum / n), Double(correct) / n)
    }

    /// `scores` with log-probabilities (row[j] − logsumexp(row)) instead of probabilities: the
    /// same batches, order and kernels, so exp of each entry is `scores`' probability bit for bit.
    private func logSoftmaxScores(_ names: [ArraySlice<UInt16>]) -> [Float] {
        let C = labels.count
        var out = [Float](repeating: 0, count: names.count * C)
        let order = names.indices.sorted { names[$0].count < names[$1].count }
        let batches = (order.count + Self.inferenceBatch - 1) / Self.inferenceBatch
        let work = parameterCount * names.reduce(0) { $0 + $1.count }
        out.withUnsafeMutableBufferPointer { out in
            WorkerPool.shared.forEachPiece(batches, parallel: work >= ParallelPolicy.piecesMinimumWork,
                                           wake: work >= ParallelPolicy.wakeMinimumWork) { index in
                let start = index * Self.inferenceBatch
                let members = order[start..<min(start + Self.inferenceBatch, order.count)]
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
                        let lse = Math.logSumExp(row, C)
                        let target = out.baseAddress! + members[members.startIndex + batch.source(b)] * C
                        for j in 0..<C { target[j] = row[j] - lse }
                    }
                }
            }
        }
        return out
    }
}
