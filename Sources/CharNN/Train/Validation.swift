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
        forEachChunk(of: data) { chunk, names in
            let logProbabilities = rawScores(names, logarithms: true)
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
}
