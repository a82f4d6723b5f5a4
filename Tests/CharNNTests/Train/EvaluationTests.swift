import Testing
@testable import CharNN

/// The metric maths of `Evaluation` on hand-made counts (values worked out by hand, as
/// scikit-learn's precision_recall_fscore_support / f1_score with zero_division=0 give them),
/// and `Model.evaluate(_:topK:)` against predictions.
@Suite struct EvaluationTests {
    /// An evaluation from (true, predicted) pairs, with `inTopK` names counted in the top k.
    static func evaluation(_ labels: [String], _ pairs: [(Int, Int)], k: Int = 1, inTopK: Int? = nil) -> Evaluation {
        var counts: [Int: Int] = [:]
        for (t, p) in pairs { counts[t * labels.count + p, default: 0] += 1 }
        return Evaluation(labels: labels, counts: counts, k: k, topKCorrect: inTopK)
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }

    /// Six labels: A, B, C ordinary; D predicted once but with no names (precision 0, recall 0);
    /// E with a name never predicted; F neither in the set nor predicted (left out of macro).
    ///   y_true: A A A B B C C C E
    ///   y_pred: A A B B D A C C C
    static let sixLabels = evaluation(
        ["A", "B", "C", "D", "E", "F"],
        [(0, 0), (0, 0), (0, 1), (1, 1), (1, 3), (2, 0), (2, 2), (2, 2), (4, 2)])

    @Test func perLabelMetrics() {
        let e = Self.sixLabels
        #expect(e.total == 9 && e.correct == 5)
        #expect(Self.close(e.accuracy, 5.0 / 9) && e.k == 1 && e.topKAccuracy == e.accuracy)
        #expect(e.support == [3, 2, 3, 0, 1, 0])
        #expect(e.predicted == [3, 2, 3, 1, 0, 0])
        #expect(e.truePositives == [2, 1, 2, 0, 0, 0])
        let expected: [(p: Double, r: Double, f: Double)] = [
            (2.0 / 3, 2.0 / 3, 2.0 / 3), (0.5, 0.5, 0.5), (2.0 / 3, 2.0 / 3, 2.0 / 3),
            (0, 0, 0), (0, 0, 0), (0, 0, 0),
        ]
        for (i, x) in expected.enumerated() {
            let m = e.metrics(of: i)
            #expect(
                Self.close(m.precision, x.p) && Self.close(m.recall, x.r) && Self.close(m.f1, x.f),
                "label \(e.labels[i])")
            #expect(m.precision == e.precision[i] && m.recall == e.recall[i] && m.f1 == e.f1[i])
            #expect(m.support == e.support[i] && m.predicted == e.predicted[i])
        }
        // No NaN anywhere but the 0.1 per-class accuracy of labels without names.
        #expect(!(e.precision + e.recall + e.f1).contains { $0.isNaN })
        #expect(e.perClassAccuracy[3].isNaN && e.perClassAccuracy[5].isNaN && e.perClassAccuracy[4] == 0)
    }

    @Test func averages() {
        let e = Self.sixLabels
        // Present: A..E (F has neither names nor predictions).
        #expect((0..<6).map(e.isPresent) == [true, true, true, true, true, false])
        #expect(e.presentLabelCount == 5)
        let macro = (2.0 / 3 + 0.5 + 2.0 / 3) / 5  // 11/30
        #expect(
            Self.close(e.macroF1, macro) && Self.close(e.macro.precision, macro) && Self.close(e.macro.recall, macro))
        // Weighted by support 3, 2, 3, 0, 1: (2 + 1 + 2) / 9.
        #expect(
            Self.close(e.weighted.f1, 5.0 / 9) && Self.close(e.weighted.precision, 5.0 / 9)
                && Self.close(e.weighted.recall, 5.0 / 9))
        #expect(e.micro == Evaluation.Average(precision: e.accuracy, recall: e.accuracy, f1: e.accuracy))
    }

    /// F1 as 2·TP / (2·TP + FP + FN) equals the harmonic mean of precision and recall.
    @Test func f1IsTheHarmonicMean() {
        let e = Self.evaluation(
            ["A", "B", "C"], [(0, 0), (0, 0), (0, 1), (0, 2), (1, 1), (1, 0), (2, 2), (2, 2), (2, 2), (1, 1)])
        for i in 0..<3 {
            let m = e.metrics(of: i)
            #expect(abs(m.f1 - 2 * m.precision * m.recall / (m.precision + m.recall)) < 1e-12)
        }
    }

    @Test func confusion() {
        let e = Self.sixLabels
        #expect(
            e.confusion[0] == [2, 1, 0, 0, 0, 0] && e.confusion[4] == [0, 0, 1, 0, 0, 0]
                && e.confusion[5] == [0, 0, 0, 0, 0, 0])
        #expect(e.count(trueLabel: 1, predicted: 3) == 1 && e.count(trueLabel: 3, predicted: 1) == 0)
        let entries = e.confusionEntries.map { [$0.trueLabel, $0.predicted, $0.count] }
        #expect(entries == [[0, 0, 2], [0, 1, 1], [1, 1, 1], [1, 3, 1], [2, 0, 1], [2, 2, 2], [4, 2, 1]])
    }

    @Test func emptyEvaluationIsAllZero() {
        let e = Self.evaluation(["A", "B"], [])
        #expect(e.total == 0 && e.accuracy == 0 && e.topKAccuracy == 0 && e.macroF1 == 0 && e.presentLabelCount == 0)
        #expect(e.weighted == Evaluation.Average(precision: 0, recall: 0, f1: 0) && e.f1 == [0, 0])
    }

    /// Perfect predictions: every present label scores 1; an absent one does not lower macro-F1.
    @Test func perfectPredictions() {
        let e = Self.evaluation(["A", "B", "C"], [(0, 0), (1, 1), (1, 1)], k: 3, inTopK: 3)
        #expect(e.accuracy == 1 && e.topKAccuracy == 1 && e.macroF1 == 1 && e.weighted.f1 == 1 && e.f1 == [1, 1, 0])
    }

    /// 65,535 labels and a few names: per-label arrays, no labels² anything.
    @Test func manyLabels() {
        let labels = (0..<65_535).map { "l\($0)" }
        let e = Self.evaluation(labels, [(0, 0), (65_534, 0), (7, 7)], k: 2, inTopK: 3)
        #expect(e.presentLabelCount == 3 && e.confusionEntries.count == 3)
        #expect(Self.close(e.macroF1, (2.0 / 3 + 0 + 1) / 3) && Self.close(e.topKAccuracy, 1))
    }

    /// Ties are broken by label index, as `predict` orders them.
    @Test func rankBreaksTiesByIndex() {
        let scores: [Float] = [0.2, 0.5, 0.5, 0.1]
        scores.withUnsafeBufferPointer { s in
            #expect(Model.rank(of: 1, in: s) == (1, 0))
            #expect(Model.rank(of: 2, in: s) == (1, 1))
            #expect(Model.rank(of: 0, in: s) == (1, 2))
            #expect(Model.rank(of: 3, in: s) == (1, 3))
        }
    }

    /// `evaluate(_:topK:)` counts exactly the names whose label `predict(top: k)` lists; k = the
    /// label count gives 1; k = 0 or above the label count is refused.
    @Test func topKAgreesWithPredict() throws {
        let data = try GeneratedNames.make(count: 90, seed: 5)
        let labels = ["Early", "Late", "Upper", "Other"]
        let model = try Model(config: ModelConfig(kind: .gru, hiddenSize: 8, layers: 1, seed: 6), labels: labels)
        let texts = (0..<data.count).map { data.text($0) }
        for k in 1...4 {
            let e = try model.evaluate(data, topK: k)
            let top = try model.predict(texts, top: k)
            let expected = (0..<data.count).filter { i in top[i].contains { $0.index == Int(data.labels[i]) } }.count
            #expect(e.k == k && e.topKCorrect == expected && e.total == data.count)
            let right = (0..<data.count).filter { top[$0][0].index == Int(data.labels[$0]) }.count
            #expect(e.correct == right)
        }
        #expect(try model.evaluate(data, topK: 4).topKAccuracy == 1)
        #expect(try model.evaluate(data) == model.evaluate(data, topK: 1))
        for k in [0, 5, -1] {
            do throws(CharNNError) { _ = try model.evaluate(data, topK: k); Issue.record("k = \(k) accepted") } catch {
                #expect(error.message.contains("k is \(k)"))
            }
        }
    }
}
