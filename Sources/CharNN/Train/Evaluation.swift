/// How a model did on a labelled data set: top-1 and top-k accuracy, per-label precision,
/// recall, F1 and support, their macro and weighted averages, and the confusion matrix.
///
/// Conventions (those of scikit-learn with `zero_division=0`):
/// - a label's precision is 0 when nothing was predicted as it, its recall 0 when it has no
///   names in the set, its F1 0 when both are (F1 is computed as 2·TP / (2·TP + FP + FN), which
///   equals 2·P·R / (P + R) wherever that is defined); no metric is ever NaN, except
///   `perClassAccuracy`, kept from 0.1 with NaN for a label with no names;
/// - a label is *present* when it has names in the set or was predicted at least once: the
///   labels of `y_true ∪ y_pred`. Macro averages are plain means over the present labels (as
///   `f1_score(y_true, y_pred, average="macro")`, whose default labels are exactly those);
///   labels of the model that the set neither holds nor gets predicted do not dilute them;
/// - weighted averages weigh each label by its support (`average="weighted"`); micro averages
///   of single-label predictions all equal the accuracy;
/// - an empty evaluation (no names) has every rate 0.
///
/// Memory is proportional to the data and the label count, never to labels²: the confusion
/// counts are kept sparse (one entry per (true, predicted) pair that occurs), per-label totals
/// in three arrays. `confusion` builds the dense matrix only when asked.
public struct Evaluation: Sendable, Equatable {
    /// The model's labels, in index order: what the per-label arrays follow.
    public let labels: [String]
    /// counts[true · labels + predicted]: how many names of label `true` were predicted as `predicted`.
    let counts: [Int: Int]
    /// The k of `topKAccuracy` (1 when `Model.evaluate` was called without one).
    public let k: Int
    /// How many names had their true label among the k most likely.
    public let topKCorrect: Int
    /// How many names were evaluated.
    public let total: Int
    /// How many names were predicted right (top-1).
    public let correct: Int
    /// For each label: its names in the set (true positives + false negatives).
    public let support: [Int]
    /// For each label: the names predicted as it (true positives + false positives).
    public let predicted: [Int]
    /// For each label: its names predicted right.
    public let truePositives: [Int]

    /// From sparse counts (keys true · labels.count + predicted) and how many names had their
    /// true label in the top `k`; nil means k = 1 (then it is the number right).
    init(labels: [String], counts: [Int: Int], k: Int = 1, topKCorrect: Int? = nil) {
        let C = labels.count
        var support = [Int](repeating: 0, count: C), predicted = support, truePositives = support
        var total = 0
        for (key, n) in counts {
            let (t, p) = key.quotientAndRemainder(dividingBy: C)
            support[t] += n
            predicted[p] += n
            if t == p { truePositives[t] += n }
            total += n
        }
        let correct = truePositives.reduce(0, +)
        self.labels = labels
        self.counts = counts
        self.k = k
        self.topKCorrect = topKCorrect ?? correct
        self.total = total
        self.correct = correct
        self.support = support
        self.predicted = predicted
        self.truePositives = truePositives
    }

    // MARK: Accuracy

    /// Correct / total: top-1 accuracy (0 for an empty set). Equals micro-averaged precision,
    /// recall and F1.
    public var accuracy: Double { Self.ratio(correct, total) }

    /// The share of names whose true label is among the model's k most likely (ties broken
    /// by label index, as `Model.predict` orders them); 1 when k is the label count.
    public var topKAccuracy: Double { Self.ratio(topKCorrect, total) }

    // MARK: Per label

    /// One label's metrics.
    public struct ClassMetrics: Sendable, Equatable {
        /// TP / (TP + FP); 0 when nothing was predicted as this label.
        public let precision: Double
        /// TP / (TP + FN); 0 when the label has no names in the set.
        public let recall: Double
        /// 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall; 0 when both are 0.
        public let f1: Double
        /// Names of this label in the set.
        public let support: Int
        /// Names predicted as this label.
        public let predicted: Int
        /// Names of this label predicted right.
        public let truePositives: Int
    }

    /// The metrics of one label.
    /// - Parameter label: An index into `labels`.
    /// - Complexity: O(1).
    public func metrics(of label: Int) -> ClassMetrics {
        let tp = truePositives[label], s = support[label], p = predicted[label]
        return ClassMetrics(
            precision: Self.ratio(tp, p), recall: Self.ratio(tp, s), f1: Self.ratio(2 * tp, p + s),
            support: s, predicted: p, truePositives: tp)
    }

    /// Per-label precision, in label order (0 for a label never predicted).
    public var precision: [Double] { labels.indices.map { Self.ratio(truePositives[$0], predicted[$0]) } }
    /// Per-label recall, in label order (0 for a label with no names in the set).
    public var recall: [Double] { labels.indices.map { Self.ratio(truePositives[$0], support[$0]) } }
    /// Per-label F1, in label order (0 for a label with neither names nor predictions).
    public var f1: [Double] { labels.indices.map { Self.ratio(2 * truePositives[$0], predicted[$0] + support[$0]) } }

    /// Whether `label` has names in the set or was predicted: the labels macro averages run over.
    func isPresent(_ label: Int) -> Bool { support[label] > 0 || predicted[label] > 0 }

    /// How many labels are present (have names in the set or were predicted).
    /// - Complexity: O(number of labels).
    public var presentLabelCount: Int { labels.indices.reduce(0) { $0 + (isPresent($1) ? 1 : 0) } }

    /// For each label, the share of its names predicted right (its recall); NaN for a label
    /// with no names in the set (0.1's convention; `recall` gives 0 there).
    public var perClassAccuracy: [Double] {
        labels.indices.map { support[$0] == 0 ? .nan : Double(truePositives[$0]) / Double(support[$0]) }
    }

    // MARK: Averages

    /// Precision, recall and F1 averaged one way over the labels.
    public struct Average: Sendable, Equatable {
        /// Precision: true positives / names predicted as the label.
        public let precision: Double
        /// Recall: true positives / names of the label.
        public let recall: Double
        /// F1: the harmonic mean of precision and recall.
        public let f1: Double
    }

    /// Unweighted means over the present labels (scikit-learn's `average="macro"` with its
    /// default labels, `y_true ∪ y_pred`); all 0 for an empty evaluation.
    public var macro: Average {
        var p = 0.0, r = 0.0, f = 0.0, n = 0
        for i in labels.indices where isPresent(i) {
            let m = metrics(of: i)
            p += m.precision
            r += m.recall
            f += m.f1
            n += 1
        }
        return n == 0
            ? Average(precision: 0, recall: 0, f1: 0)
            : Average(precision: p / Double(n), recall: r / Double(n), f1: f / Double(n))
    }

    /// The mean F1 over the present labels: `macro.f1`.
    public var macroF1: Double { macro.f1 }

    /// Means weighted by each label's support (`average="weighted"`); all 0 for an empty evaluation.
    public var weighted: Average {
        guard total > 0 else { return Average(precision: 0, recall: 0, f1: 0) }
        var p = 0.0, r = 0.0, f = 0.0
        for i in labels.indices where support[i] > 0 {
            let m = metrics(of: i), w = Double(m.support)
            p += w * m.precision
            r += w * m.recall
            f += w * m.f1
        }
        let n = Double(total)
        return Average(precision: p / n, recall: r / n, f1: f / n)
    }

    /// Micro averages: for single-label predictions every one equals the accuracy.
    public var micro: Average { Average(precision: accuracy, recall: accuracy, f1: accuracy) }

    // MARK: Confusion

    /// One cell of the confusion matrix.
    /// - Parameters:
    ///   - trueLabel: The names' true label (an index into `labels`).
    ///   - predicted: The label they were predicted as.
    /// - Returns: How many names of `trueLabel` were predicted as `predicted`.
    /// - Complexity: O(1).
    public func count(trueLabel: Int, predicted: Int) -> Int { counts[trueLabel * labels.count + predicted] ?? 0 }

    /// One non-zero cell of the confusion matrix.
    public struct ConfusionEntry: Sendable, Equatable {
        /// The row: the names' true label.
        public let trueLabel: Int
        /// The column: the label predicted.
        public let predicted: Int
        /// How many names.
        public let count: Int
    }

    /// The non-zero cells of the confusion matrix, by true label then predicted label: at most
    /// one per evaluated name, whatever the label count.
    /// - Complexity: O(c log c) for c non-zero cells.
    public var confusionEntries: [ConfusionEntry] {
        let C = labels.count
        return counts.keys.sorted().map { ConfusionEntry(trueLabel: $0 / C, predicted: $0 % C, count: counts[$0]!) }
    }

    /// confusion[true][predicted] as a dense matrix.
    /// - Complexity: O(labels²) time and memory: for small label sets (`confusionEntries` otherwise).
    public var confusion: [[Int]] {
        let C = labels.count
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: C), count: C)
        for (key, n) in counts { matrix[key / C][key % C] = n }
        return matrix
    }

    /// The confusion matrix with every row divided by its total (the PyTorch tutorial's figure);
    /// rows of labels with no names are all zero.
    public var normalizedConfusion: [[Double]] {
        confusion.map { row in
            let n = row.reduce(0, +)
            return row.map { n == 0 ? 0 : Double($0) / Double(n) }
        }
    }

    /// a / b, or 0 when b is 0 (zero_division=0).
    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}

extension Model {
    /// Predicts every name of `data` (batched) and compares with its labels: top-1 counts for
    /// the confusion matrix and, with `k` > 1, how often the true label is among the k most
    /// likely (`Evaluation.topKAccuracy`). Labels are matched by name (the data's labels must be
    /// among the model's, in any order) and texts are read with the model's alphabet. Safe to call
    /// from many threads at once.
    /// - Parameters:
    ///   - data: A labelled data set.
    ///   - k: For `topKAccuracy`, in 1 ... the label count.
    /// - Returns: The counts and every metric derived from them.
    /// - Throws: `.invalidArgument` for an empty set, a bad `k`, a label the model lacks or a text the
    ///   model's alphabet cannot read; `.busy` while the model trains.
    /// - Complexity: One batched forward pass per name; names are encoded and scored a chunk at a
    ///   time, so memory stays flat for any data size.
    public func evaluate(_ data: NameDataset, topK k: Int = 1) throws(CharNNError) -> Evaluation {
        let C = labels.count
        guard k >= 1 && k <= C else {
            throw .invalidArgument("k is \(k); it must be between 1 and the model's \(C) label\(C == 1 ? "" : "s")")
        }
        let data = try prepared(data)
        guard !data.isEmpty else { throw .invalidArgument("the evaluation set is empty") }
        var counts: [Int: Int] = [:]
        var inTopK = 0
        try forEachChunk(of: data) { (chunk, names) throws(CharNNError) in
            let probabilities = try reading { () throws(CharNNError) -> [Float] in try scores(names) }
            probabilities.withUnsafeBufferPointer { probabilities in
                for (row, i) in chunk.enumerated() {
                    let scores = UnsafeBufferPointer(rebasing: probabilities[row * C..<(row + 1) * C])
                    let truth = Int(data.labels[i])
                    let (best, ahead) = Self.rank(of: truth, in: scores)
                    counts[truth * C + best, default: 0] += 1
                    if ahead < k { inTopK += 1 }
                }
            }
        }
        return Evaluation(labels: labels, counts: counts, k: k, topKCorrect: inTopK)
    }

    /// The most likely label (the first of equal best scores, as `predict` orders them) and how
    /// many labels rank ahead of `truth` in that order: truth is in the top k when that is < k.
    static func rank(of truth: Int, in scores: UnsafeBufferPointer<Float>) -> (best: Int, ahead: Int) {
        let s = scores[truth]
        var best = 0, ahead = 0
        for j in 0..<scores.count {
            let v = scores[j]
            if v > scores[best] { best = j }
            if v > s || (v == s && j < truth) { ahead += 1 }
        }
        return (best, ahead)
    }
}
