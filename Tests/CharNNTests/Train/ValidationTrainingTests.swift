import Foundation
import Testing
@testable import CharNN

/// Training with validation, early stopping, restored weights, schedules, label smoothing and
/// class weights, all seeded.
@Suite struct ValidationTrainingTests {
    /// 300 distinct names in three learnable labels (GeneratedNames' pools, each name made
    /// unique by a suffix spelling its index).
    static let data: NameDataset = {
        var rng = Xoshiro256(seed: 7)
        let pools: [[Character]] = [Array("abcdefgh"), Array("pqrstuvw"), Array("KLMNO")]
        var names: [String] = [], labels: [Int] = []
        for i in 0..<300 {
            let label = i % 3
            var name = String(
                (0..<(3 + rng.nextInt(below: 4))).map { _ in pools[label][rng.nextInt(below: pools[label].count)] })
            var n = i
            repeat { name.append(pools[label][n % pools[label].count]); n /= pools[label].count } while n > 0
            names.append(label == 2 ? "-" + name : name)
            labels.append(label)
        }
        return try! NameDataset(names: names, labels: labels, labelNames: ["Early", "Late", "Upper"])
    }()

    /// The same texts with every label moved on by one: what the model learns from `data` makes
    /// it worse here, epoch after epoch (a validation loss that only rises).
    static let misleading: NameDataset = {
        try! NameDataset(
            names: data.allTexts, labels: data.labels.map { (Int($0) + 1) % 3 }, labelNames: data.labelNames)
    }()

    func model(seed: UInt64 = 1) throws -> Model {
        try Model(config: ModelConfig(kind: .gru, hiddenSize: 12, layers: 1, seed: seed), labels: Self.data.labelNames)
    }

    func config(epochs: Int = 3, batch: Int = 8) -> TrainingConfig {
        var c = TrainingConfig()
        c.epochs = epochs
        c.batchSize = batch
        c.learningRate = 2e-2
        c.seed = 5
        return c
    }

    @Test func theValidationSplitIsStratifiedAndDisjointFromWhatTrains() throws {
        var c = config()
        c.validationFraction = 0.2
        let (train, held) = try c.validationSplit(of: Self.data)
        #expect(held.count == 60 && train.count == 240)
        #expect(held.labelCounts == [20, 20, 20])
        let (trainTexts, heldTexts) = (Set(train.allTexts), Set(held.allTexts))
        #expect(trainTexts.isDisjoint(with: heldTexts))
        #expect(trainTexts.union(heldTexts) == Set(Self.data.allTexts))
        // Seeded: the same seed gives the same split, another seed another.
        #expect(try c.validationSplit(of: Self.data).validation.allTexts == held.allTexts)
        c.seed = 6
        #expect(try c.validationSplit(of: Self.data).validation.allTexts != held.allTexts)

        // Training takes exactly the train part: its steps, and the validation figures of the held part.
        var steps = 0
        let m = try model()
        var batch1 = c
        batch1.batchSize = 1
        batch1.epochs = 1
        batch1.seed = 5
        let report = try m.train(on: Self.data, config: batch1) {
            steps = $0.steps; return true
        }
        #expect(steps == 240)
        let (_, expectedHeld) = try batch1.validationSplit(of: Self.data)
        #expect(try m.evaluate(expectedHeld).accuracy == report.validationAccuracies[0])
    }

    @Test func validationFiguresAreEvaluatesAndTheMeanCrossEntropy() throws {
        let m = try model()
        let report = try m.train(on: Self.data, validation: Self.misleading, config: config(epochs: 2))
        #expect(report.validationLosses.count == 2 && report.validationAccuracies.count == 2)
        #expect(report.bestEpoch == 1 && report.restoredBest)
        // After the restore the model is the best epoch's: evaluate agrees to the bit.
        #expect(try m.evaluate(Self.misleading).accuracy == report.bestValidationAccuracy)
        #expect(report.bestValidationAccuracy == report.validationAccuracies[0])
        // The loss is −mean log p(label) from the predicted probabilities.
        var sum: Double = 0
        for i in 0..<Self.misleading.count {
            let p = try m.probabilities(Self.misleading.text(i))
            sum -= log(Double(p[Int(Self.misleading.labels[i])]))
        }
        let expected = sum / Double(Self.misleading.count)
        #expect(abs(Double(report.bestValidationLoss) - expected) < 1e-4 * max(1, expected))
        let figures = try m.exclusively { () throws(CharNNError) in m.validationFigures(try m.prepared(Self.misleading))
        }
        #expect(figures.loss == report.bestValidationLoss && figures.accuracy == report.bestValidationAccuracy)
    }

    @Test func earlyStoppingStopsAndRestoresTheBestEpoch() throws {
        var c = config(epochs: 30)
        c.patience = 2
        let m = try model()
        var epochEnds: [TrainingProgress] = []
        let report = try m.train(on: Self.data, validation: Self.misleading, config: c) {
            if $0.epochEnd {
                epochEnds.append($0)
            } else {
                #expect($0.validationLoss.isNaN && $0.validationAccuracy.isNaN)
            }
            return true
        }
        #expect(report.earlyStopped && !report.stoppedEarly)
        #expect(report.epochsCompleted < 30)
        #expect(report.bestEpoch == report.epochsCompleted - 2)
        #expect(report.validationLosses.count == report.epochsCompleted)
        #expect(report.bestValidationLoss == report.validationLosses.min()!)
        #expect(epochEnds.map(\.validationLoss) == report.validationLosses)
        #expect(epochEnds.map(\.validationAccuracy) == report.validationAccuracies)
        #expect(report.restoredBest)
        #expect(try m.evaluate(Self.misleading).accuracy == report.bestValidationAccuracy)

        // Without restoreBest the model keeps its last epoch's weights.
        c.restoreBest = false
        let last = try model()
        let kept = try last.train(on: Self.data, validation: Self.misleading, config: c)
        #expect(!kept.restoredBest && kept.earlyStopped)
        #expect(try last.evaluate(Self.misleading).accuracy == kept.validationAccuracies.last!)
        // The restored model is the one that stopped training at the best epoch.
        var stopAtBest = c
        stopAtBest.patience = 0
        stopAtBest.epochs = report.bestEpoch
        let reference = try model()
        try reference.train(on: Self.data, validation: Self.misleading, config: stopAtBest)
        #expect(reference.parameters.map(\.value) == m.parameters.map(\.value))
    }

    @Test func aCancelledRunEndsWithTheBestWeightsToo() throws {
        let m = try model()
        let report = try m.train(on: Self.data, validation: Self.misleading, config: config(epochs: 5)) {
            !($0.epoch == 3 && $0.step == 10)
        }
        #expect(report.stoppedEarly && report.epochsCompleted == 2 && report.bestEpoch == 1 && report.restoredBest)
        #expect(try m.evaluate(Self.misleading).accuracy == report.bestValidationAccuracy)
    }

    @Test func twoRunsWithEveryOptionAreIdentical() throws {
        var c = config(epochs: 6)
        c.validationFraction = 0.15
        c.patience = 5
        c.schedule = .cosine
        c.warmupFraction = 0.1
        c.minLearningRate = 1e-3
        c.labelSmoothing = 0.1
        c.classWeights = .balanced
        c.optimizer = .adamw
        c.weightDecay = 0.01
        func run() throws -> ([Tensor], TrainingReport, [Float]) {
            let m = try model()
            var rates: [Float] = []
            let report = try m.train(on: Self.data, config: c) {
                rates.append($0.learningRate); return true
            }
            return (m.parameters.map(\.value), report, rates)
        }
        let (w1, r1, rates1) = try run()
        let (w2, r2, rates2) = try run()
        #expect(w1 == w2)
        #expect(r1 == r2)
        #expect(rates1 == rates2)
        #expect(r1.validationAccuracies.last! > 0.8)
        var other = c
        other.seed = 6
        c = other
        let (w3, _, _) = try run()
        #expect(w3 != w1)
    }

    @Test func progressCarriesTheScheduledRate() throws {
        var c = config(epochs: 2, batch: 30)  // 10 steps an epoch
        c.schedule = .cosine
        c.warmupSteps = 3
        c.minLearningRate = 2e-3
        var seen: [(Int, Float)] = []
        try model().train(on: Self.data, config: c) {
            seen.append((($0.epoch - 1) * $0.steps + $0.step - 1, $0.learningRate)); return true
        }
        #expect(seen.count == 20)
        for (t, rate) in seen {
            let expected = Float(
                c.schedule.learningRate(
                    base: c.learningRate, step: t, stepsPerEpoch: 10, totalSteps: 20,
                    warmupSteps: 3, minLearningRate: 2e-3))
            #expect(rate == expected, "t=\(t)")
        }
        #expect(abs(seen[0].1 - c.learningRate / 3) < 1e-9)

        // Step: one rate per epoch.
        c.schedule = .step(everyEpochs: 1, gamma: 0.5)
        c.warmupSteps = 0
        let report = try model().train(on: Self.data, config: c)
        #expect(report.learningRates == [c.learningRate, c.learningRate * 0.5])
    }

    @Test func plateauWatchesTheValidationLoss() throws {
        var c = config(epochs: 5)
        c.schedule = .plateau(factor: 0.5, patience: 0)
        let report = try model().train(on: Self.data, validation: Self.misleading, config: c)
        var tracker = PlateauTracker(rate: c.learningRate, factor: 0.5, patience: 0, floor: 0)
        var expected: [Float] = []
        for loss in report.validationLosses {
            expected.append(Float(tracker.rate))
            tracker.record(Double(loss))
        }
        #expect(report.learningRates == expected)
        #expect(report.learningRates.last! < c.learningRate)  // the misleading loss rose: the rate fell
    }

    @Test func classWeightsAndSmoothingChangeWhatIsLearned() throws {
        // Only label 0 weighs anything: batches of the other labels teach nothing, so the model
        // learns to say "Early" for everything.
        var c = config(epochs: 3, batch: 1)
        c.classWeights = .explicit([1, 0, 0])
        let m = try model()
        try m.train(on: Self.data, config: c)
        let predicted = try m.predict(Self.data.allTexts, top: 1).map { $0[0].index }
        #expect(predicted.filter { $0 == 0 }.count > 290)

        // Full smoothing (ε = 1) targets the uniform distribution: no label stands out.
        var smooth = config(epochs: 3)
        smooth.labelSmoothing = 1
        let u = try model()
        try u.train(on: Self.data, config: smooth)
        for text in Self.data.allTexts.prefix(30) {
            #expect(try u.probabilities(text).max()! < 0.4)
        }
    }

    @Test func badOptionsAreRefusedByTheirNames() throws {
        let m = try model()
        func message(_ change: (inout TrainingConfig) -> Void, validation: NameDataset? = nil) -> String {
            var c = config(epochs: 1)
            change(&c)
            do { try m.train(on: Self.data, validation: validation, config: c); return "" } catch {
                return error.message
            }
        }
        #expect(message { $0.validationFraction = 1 }.contains("validation_fraction 1.0 is not in [0, 1)"))
        #expect(message { $0.validationFraction = -0.5 }.contains("validation_fraction"))
        #expect(
            message({ $0.validationFraction = 0.1 }, validation: Self.misleading).contains(
                "validation_fraction is 0.1 and a validation set"))
        #expect(message { $0.patience = 2 }.contains("patience 2 needs validation"))
        #expect(message { $0.patience = -1 }.contains("patience -1"))
        #expect(message { $0.schedule = .step(everyEpochs: 0, gamma: 0.5) }.contains("step_size 0"))
        #expect(message { $0.schedule = .step(everyEpochs: 1, gamma: 0) }.contains("gamma 0.0"))
        #expect(message { $0.schedule = .plateau(factor: 1, patience: 1) }.contains("plateau_factor 1.0"))
        #expect(message { $0.schedule = .plateau(factor: 0.5, patience: -1) }.contains("plateau_patience -1"))
        #expect(message { $0.minLearningRate = 1 }.contains("min_learning_rate 1.0"))
        #expect(message { $0.warmupSteps = -1 }.contains("warmup_steps -1"))
        #expect(message { $0.warmupFraction = 1 }.contains("warmup_fraction 1.0"))
        #expect(
            message {
                $0.warmupSteps = 2; $0.warmupFraction = 0.1
            }.contains("both set"))
        #expect(message { $0.labelSmoothing = 2 }.contains("label_smoothing 2.0"))
        #expect(message { $0.classWeights = .explicit([1, 1]) }.contains("class_weight_count is 2"))
        #expect(message { $0.classWeights = .explicit([1, .nan, 1]) }.contains("class_weight_values[1]"))
        let empty = Self.data.subset([])
        #expect(message({ _ in }, validation: empty).contains("the validation set is empty"))
        #expect(message { $0.validationFraction = 0.5 } == "")
    }
}
