extension NameDataset {
    /// Splits into train and test sets keeping each label's share (scikit-learn's
    /// `train_test_split(..., stratify=labels)` protocol): the test set has ⌈fraction·n⌉
    /// examples, each label gets ⌊its proportional share⌋ plus one for the labels with the
    /// largest remainders, and which examples of a label go to test is a seeded shuffle.
    /// The same seed always gives the same split; train and test never share an example.
    /// Both keep the original order of their examples. A learned alphabet is learned again from
    /// the train part, and both parts are encoded with it.
    /// - Parameters:
    ///   - testFraction: The share of examples for the test set, strictly between 0 and 1.
    ///   - seed: Seeds the shuffle within each label.
    /// - Returns: The two parts, sharing this data set's text store.
    /// - Throws: `.invalidArgument` for a fraction outside (0, 1) or fewer than 2 examples.
    /// - Complexity: O(`count`).
    public func stratifiedSplit(testFraction: Double, seed: UInt64) throws(CharNNError)
        -> (train: NameDataset, test: NameDataset)
    {
        let (trainIndices, testIndices) = try splitIndices(testFraction: testFraction, seed: seed)
        let (train, test) = (subset(trainIndices.lazy.map(Int.init)), subset(testIndices.lazy.map(Int.init)))
        guard textConfig.isLearned else { return (train, test) }
        // A learned alphabet comes from the training part alone: the test part must not shape it.
        let alphabet = try textConfig.makeAlphabet(learningFrom: (0..<train.count).lazy.map(train.text))
        return (train.relearned(alphabet), test.relearned(alphabet))
    }

    /// The indices behind `stratifiedSplit`, each list sorted.
    func stratifiedSplitIndices(testFraction: Double, seed: UInt64) throws(CharNNError)
        -> (train: [Int], test: [Int])
    {
        let (train, test) = try splitIndices(testFraction: testFraction, seed: seed)
        return (train.map(Int.init), test.map(Int.init))
    }

    /// `stratifiedSplitIndices` in 32-bit indices (a million rows split in 8 MB, not 16).
    func splitIndices(testFraction: Double, seed: UInt64) throws(CharNNError) -> (train: [Int32], test: [Int32]) {
        guard testFraction.isFinite, testFraction > 0, testFraction < 1 else {
            throw .invalidArgument("test fraction \(testFraction) is not strictly between 0 and 1")
        }
        guard count >= 2 else { throw .invalidArgument("cannot split \(count) example(s) into train and test") }
        let testTotal = min(count - 1, Int((testFraction * Double(count)).rounded(.up)))

        var byLabel = labelCounts.map { n in [Int32](unsafeUninitializedCapacity: n) { _, count in count = 0 } }
        for (i, label) in labels.enumerated() { byLabel[Int(label)].append(Int32(i)) }

        // Largest-remainder apportionment of testTotal over the labels.
        let exact = byLabel.map { Double($0.count) * Double(testTotal) / Double(count) }
        var share = exact.map { Int($0.rounded(.down)) }
        let order = (0..<labelCount).sorted {
            let (ra, rb) = (exact[$0] - Double(share[$0]), exact[$1] - Double(share[$1]))
            return ra != rb ? ra > rb : $0 < $1
        }
        var missing = testTotal - share.reduce(0, +)
        for label in order where missing > 0 && share[label] < byLabel[label].count {
            share[label] += 1
            missing -= 1
        }

        var rng = Xoshiro256(seed: seed)
        var train: [Int32] = [], test: [Int32] = []
        train.reserveCapacity(count - testTotal)
        test.reserveCapacity(testTotal)
        for label in 0..<labelCount {
            var members = byLabel[label]
            rng.shuffle(&members)
            test.append(contentsOf: members[..<share[label]])
            train.append(contentsOf: members[share[label]...])
        }
        train.sort()
        test.sort()
        return (train, test)
    }
}
