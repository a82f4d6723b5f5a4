extension Model {
    /// The mean cross-entropy (plain: no smoothing, no class weights) and the accuracy of the
    /// model on `data`, already `prepared` (the model's labels and alphabet), for validation
    /// during training (the caller holds the model: no `reading`).
    ///
    /// It scores as `evaluate` does: the same chunks and length-sorted batches of
    /// `inferenceBatch` names (the batch size picks the kernels), the first largest score as the
    /// prediction. It reads log-probabilities ((logit − max) − log Σ), whose order is the
    /// probabilities' (only labels within a rounding of each other could rank apart), and never
    /// log(p), so a probability that underflows still gives a finite loss.
    func validationFigures(_ data: NameDataset) -> (loss: Float, accuracy: Double) {
        network.weightsChanged()  // trained since the last validation
        let C = labels.count
        var lossSum: Double = 0
        var correct = 0
        forEachChunk(of: data) { chunk, names in
            let logProbabilities = rawScores(names, logarithms: true)
            for (row, i) in chunk.enumerated() {
                let scores = logProbabilities[row * C..<(row + 1) * C]
                var best = scores.startIndex
                for j in scores.indices where scores[j] > scores[best] { best = j }
                let target = Int(data.labels[i])
                if best - scores.startIndex == target { correct += 1 }
                lossSum -= Double(scores[scores.startIndex + target])
            }
        }
        let n = Double(data.count)
        return (Float(lossSum / n), Double(correct) / n)
    }
}
