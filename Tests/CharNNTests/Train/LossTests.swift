import Testing
@testable import CharNN

/// The training loss with label smoothing and class weights: against PyTorch's
/// F.cross_entropy(weight=, label_smoothing=) (Fixtures/make_training_fixtures.py) and against
/// finite differences of itself.
@Suite struct LossTests {
    nonisolated(unsafe) static let fixture =
        (try! TestSupport.loadJSON("torch_training.json") as! [String: Any])["loss"] as! [String: Any]

    /// Loss and gradient of `loss` on a copy of `logits`.
    func evaluate(_ loss: Loss, _ logits: [Float], _ targets: [Int32], classes: Int) -> (Float, [Float]) {
        var buffer = logits
        let value = buffer.withUnsafeMutableBufferPointer {
            loss.lossAndGradient(logits: $0.baseAddress!, targets: targets, rows: targets.count, classes: classes)
        }
        return (value, buffer)
    }

    @Test func matchesPyTorch() throws {
        let f = Self.fixture
        let classes = f["classes"] as! Int
        let logits = (f["logits"] as! [Double]).map(Float.init)
        let targets = (f["targets"] as! [Int]).map(Int32.init)
        for case let c as [String: Any] in f["cases"] as! [Any] {
            let weights = (c["weights"] as? [Double])?.map(Float.init)
            let loss = Loss(labelSmoothing: Float(c["label_smoothing"] as! Double), classWeights: weights)
            try loss.validate(classes: classes)
            let (value, grad) = evaluate(loss, logits, targets, classes: classes)
            let expected = c["loss"] as! Double
            let what = "ε \(loss.labelSmoothing), weights \(weights.map { "\($0)" } ?? "none")"
            #expect(
                abs(Double(value) - expected) <= 1e-5 * max(1, abs(expected)), "\(what): loss \(value) vs \(expected)")
            for (i, g) in (c["grad"] as! [Double]).enumerated() {
                #expect(abs(Double(grad[i]) - g) <= 1e-6, "\(what): grad[\(i)] \(grad[i]) vs \(g)")
            }
        }
    }

    @Test(arguments: [(Float(0.1), false), (0, true), (0.25, true), (1, false)])
    func gradientMatchesFiniteDifferences(smoothing: Float, weighted: Bool) {
        var rng = Xoshiro256(seed: 11)
        let (rows, classes) = (5, 4)
        let logits = (0..<rows * classes).map { _ in rng.nextFloat(in: -2, 2) }
        let targets: [Int32] = [0, 3, 1, 1, 2]
        let loss = Loss(labelSmoothing: smoothing, classWeights: weighted ? [0.5, 2, 0, 1.5] : nil)
        let (_, grad) = evaluate(loss, logits, targets, classes: classes)
        let h: Float = 1e-2
        for i in 0..<logits.count {
            var up = logits, down = logits
            up[i] += h
            down[i] -= h
            let numeric =
                (evaluate(loss, up, targets, classes: classes).0 - evaluate(loss, down, targets, classes: classes).0)
                / (2 * h)
            #expect(
                abs(numeric - grad[i]) < 2e-3,
                "ε \(smoothing) weighted \(weighted): d/dz[\(i)] \(grad[i]) vs \(numeric)")
        }
    }

    @Test func plainLossIsTheArticlesCrossEntropyBitForBit() {
        var rng = Xoshiro256(seed: 3)
        let logits = (0..<7 * 18).map { _ in rng.nextFloat(in: -5, 5) }
        let targets: [Int32] = [0, 17, 4, 4, 9, 12, 3]
        let (value, grad) = evaluate(Loss(), logits, targets, classes: 18)
        var reference = logits
        let expected = reference.withUnsafeMutableBufferPointer {
            CrossEntropy.lossAndGradient(logits: $0.baseAddress!, targets: targets, rows: 7, classes: 18)
        }
        #expect(value.bitPattern == expected.bitPattern)
        #expect(grad.map(\.bitPattern) == reference.map(\.bitPattern))
        // Weights of 1 and no smoothing take the general path: the same numbers to rounding.
        let (weighted, weightedGrad) = evaluate(
            Loss(classWeights: Array(repeating: 1, count: 18)), logits, targets, classes: 18)
        #expect(abs(weighted - expected) < 1e-5)
        for i in grad.indices { #expect(abs(weightedGrad[i] - grad[i]) < 1e-6) }
    }

    @Test func extremeLogitsStayFinite() {
        let logits: [Float] = [1000, -1000, 0, -1000, 1000, 0]
        let (value, grad) = evaluate(Loss(labelSmoothing: 0.2, classWeights: [1, 2, 3]), logits, [1, 0], classes: 3)
        #expect(value.isFinite && value > 100)
        #expect(grad.allSatisfy { $0.isFinite })
    }

    @Test func aBatchOfZeroWeightTargetsHasNoLossAndNoGradient() {
        let (value, grad) = evaluate(
            Loss(labelSmoothing: 0.1, classWeights: [0, 1, 1]), [1, 2, 3, 4, 5, 6], [0, 0], classes: 3)
        #expect(value == 0)
        #expect(grad.allSatisfy { $0 == 0 })
    }

    @Test func balancedWeightsAreScikitLearns() {
        // n / (n_classes · count), n_classes counting labels with rows; a label without rows weighs 1.
        let w = Loss.balancedWeights(labelCounts: [10, 30, 0, 60])
        let expected: [Double] = [100.0 / 30, 100.0 / 90, 1, 100.0 / 180]
        for i in w.indices { #expect(abs(Double(w[i]) - expected[i]) < 1e-6) }
    }

    @Test func badOptionsAreNamed() {
        #expect(throws: CharNNError.self) { try Loss(labelSmoothing: 1.5).validate(classes: 3) }
        func message(_ loss: Loss, classes: Int? = 3) -> String {
            do { try loss.validate(classes: classes); return "" } catch { return error.message }
        }
        #expect(message(Loss(labelSmoothing: -0.1)).contains("label_smoothing"))
        #expect(message(Loss(labelSmoothing: .nan)).contains("label_smoothing"))
        #expect(message(Loss(classWeights: [1, 2])).contains("class_weight_count is 2"))
        #expect(message(Loss(classWeights: [1, -2, 1])).contains("class_weight_values[1]"))
        #expect(message(Loss(classWeights: [1, .infinity, 1])).contains("class_weight_values[1]"))
        #expect(message(Loss(classWeights: [0, 0, 0])).contains("all 0"))
        #expect(message(Loss(classWeights: [])).contains("empty"))
        #expect(message(Loss(labelSmoothing: 1, classWeights: [0, 0, 1])) == "")
    }
}
