import Testing
@testable import CharNN

@Suite struct StratifiedSplitTests {
    /// A generated data set: label i has sizes[i] names.
    func generated(_ sizes: [Int]) throws -> NameDataset {
        var names: [String] = [], labels: [Int] = []
        for (label, size) in sizes.enumerated() {
            for i in 0..<size {
                names.append("n" + String(repeating: "a", count: label + 1) + String(repeating: "b", count: i % 7))
                labels.append(label)
            }
        }
        return try NameDataset(names: names, labels: labels, labelNames: sizes.indices.map { "L\($0)" })
    }

    func checkStratified(_ data: NameDataset, fraction: Double, seed: UInt64) throws {
        let (train, test) = try data.stratifiedSplitIndices(testFraction: fraction, seed: seed)
        let expectedTest = Int((fraction * Double(data.count)).rounded(.up))
        #expect(test.count == expectedTest)
        #expect(train.count + test.count == data.count)
        #expect(Set(train).isDisjoint(with: test))
        #expect(Set(train).union(test) == Set(0..<data.count))
        var testCounts = [Int](repeating: 0, count: data.labelCount)
        for i in test { testCounts[Int(data.labels[i])] += 1 }
        for (label, total) in data.labelCounts.enumerated() {
            let proportional = Double(total) * Double(expectedTest) / Double(data.count)
            #expect(abs(Double(testCounts[label]) - proportional) < 1, "label \(label)")
        }
    }

    @Test(arguments: [0.1, 0.25, 0.5, 0.01])
    func stratifiedOnGeneratedData(fraction: Double) throws {
        try checkStratified(generated([100, 7, 250, 33, 1, 2]), fraction: fraction, seed: 42)
    }

    @Test func sameSeedSameSplitOtherSeedOtherSplit() throws {
        let data = try generated([50, 60, 70])
        let a = try data.stratifiedSplitIndices(testFraction: 0.2, seed: 7)
        let b = try data.stratifiedSplitIndices(testFraction: 0.2, seed: 7)
        let c = try data.stratifiedSplitIndices(testFraction: 0.2, seed: 8)
        #expect(a.train == b.train && a.test == b.test)
        #expect(a.test != c.test)
    }

    @Test func subsetsCarryTheirExamples() throws {
        let data = try generated([10, 10])
        let (train, test) = try data.stratifiedSplit(testFraction: 0.3, seed: 1)
        let indices = try data.stratifiedSplitIndices(testFraction: 0.3, seed: 1)
        #expect(test.allTexts == indices.test.map { data.text($0) })
        #expect(train.labels == indices.train.map { data.labels[$0] })
        #expect(test.encodedText(0) == data.encodedText(indices.test[0]))
        #expect(train.labelNames == data.labelNames)
    }

    @Test func badFractions() throws {
        let data = try generated([5, 5])
        for bad in [0, 1, -0.1, 1.5, .nan, .infinity] {
            #expect(throws: CharNNError.self) { try data.stratifiedSplit(testFraction: bad, seed: 0) }
        }
        let one = try generated([1])
        #expect(throws: CharNNError.self) { try one.stratifiedSplit(testFraction: 0.5, seed: 0) }
    }

    /// The tutorial's data: 18,063 train and 2,007 test, every language within one name of
    /// proportional.
    @Test(.enabled(if: TestSupport.realDataDirectory != nil, "needs data/names (make data)"))
    func theTutorialData() throws {
        let data = try NameDataset.load(directory: TestSupport.realDataDirectory!)
        let (train, test) = try data.stratifiedSplit(testFraction: 0.1, seed: 0)
        #expect(train.count == 18_063)
        #expect(test.count == 2_007)
        try checkStratified(data, fraction: 0.1, seed: 0)
    }
}
