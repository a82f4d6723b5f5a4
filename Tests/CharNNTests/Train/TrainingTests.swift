import Testing
@testable import CharNN

/// Generated names three labels apart: lower-case from the start of the alphabet, lower-case
/// from its end, and capitalised with a hyphen. Learnable in a few epochs by every kind.
enum GeneratedNames {
    static func make(count: Int, seed: UInt64) throws -> NameDataset {
        var rng = Xoshiro256(seed: seed)
        var names: [String] = [], labels: [Int] = []
        let pools: [[Character]] = [Array("abcdefgh"), Array("pqrstuvw"), Array("KLMNO")]
        for i in 0..<count {
            let label = i % 3
            let length = 3 + rng.nextInt(below: 6)
            var name = String((0..<length).map { _ in pools[label][rng.nextInt(below: pools[label].count)] })
            if label == 2 { name.insert("-", at: name.index(name.startIndex, offsetBy: 2)) }
            names.append(name)
            labels.append(label)
        }
        return try NameDataset(names: names, labels: labels, labelNames: ["Early", "Late", "Upper"])
    }
}

@Suite struct TrainingTests {
    static let data = try! GeneratedNames.make(count: 300, seed: 1)
    static let split = try! data.stratifiedSplit(testFraction: 0.2, seed: 2)

    func config(epochs: Int = 4, batch: Int = 1, lr: Float = 5e-3) -> TrainingConfig {
        var c = TrainingConfig()
        c.epochs = epochs
        c.batchSize = batch
        c.learningRate = lr
        c.seed = 3
        return c
    }

    /// Every kind, at batch 1 and in minibatches, drives the loss down and reaches 95 % on
    /// held-out generated names.
    @Test(arguments: [(ModelKind.elman, 1), (.elman, 8), (.gru, 1), (.gru, 8), (.lstm, 1), (.lstm, 8)])
    func learnsGeneratedNames(kind: ModelKind, batch: Int) throws {
        let model = try Model(
            config: ModelConfig(kind: kind, hiddenSize: 24, layers: kind == .elman ? 1 : 2, seed: 4),
            labels: Self.data.labelNames)
        let before = try model.evaluate(Self.split.test).accuracy
        let report = try model.train(
            on: Self.split.train,
            config: config(
                epochs: batch == 1 ? 3 : 12, batch: batch,
                lr: batch == 1 ? 5e-3 : 2e-2))
        let after = try model.evaluate(Self.split.test)
        #expect(report.epochLosses.last! < report.epochLosses.first! * 0.5, "\(report.epochLosses)")
        #expect(after.accuracy >= 0.95, "\(kind) batch \(batch): \(before) → \(after.accuracy)")
        #expect(after.total == Self.split.test.count)
    }

    @Test func sameSeedSameWeightsOtherSeedOtherWeights() throws {
        func trained(seed: UInt64) throws -> [Tensor] {
            let model = try Model(
                config: ModelConfig(kind: .gru, hiddenSize: 8, layers: 1, seed: 1), labels: Self.data.labelNames)
            var c = config(epochs: 1, batch: 4)
            c.seed = seed
            try model.train(on: Self.split.train, config: c)
            return model.parameters.map(\.value)
        }
        #expect(try trained(seed: 5) == trained(seed: 5))
        #expect(try trained(seed: 5) != trained(seed: 6))
    }

    @Test func progressReportsStepsAndCanStop() throws {
        let model = try Model(config: ModelConfig(kind: .elman, hiddenSize: 8), labels: Self.data.labelNames)
        var seen: [TrainingProgress] = []
        var c = config(epochs: 2, batch: 10)
        c.reportEvery = 5
        let report = try model.train(on: Self.split.train, config: c) { p in
            seen.append(p)
            return true
        }
        let steps = (Self.split.train.count + 9) / 10
        #expect(seen.map(\.step) == [5, 10, 15, 20, steps, 5, 10, 15, 20, steps])
        #expect(seen.allSatisfy { $0.steps == steps && $0.epochs == 2 && $0.loss.isFinite })
        #expect(report.stepsTaken == 2 * steps && report.epochsCompleted == 2 && !report.stoppedEarly)

        var calls = 0
        let stopped = try model.train(on: Self.split.train, config: c) { _ in
            calls += 1
            return calls < 3
        }
        #expect(stopped.stoppedEarly && stopped.stepsTaken == 15 && stopped.epochsCompleted == 0)
        #expect(try model.predict("abc").count == 3)
    }

    @Test func predictingOrTrainingDuringTrainingIsBusy() throws {
        let model = try Model(config: ModelConfig(kind: .gru, hiddenSize: 4, layers: 1), labels: Self.data.labelNames)
        var errors: [CharNNError.Kind] = []
        try model.train(on: Self.split.train, config: config(epochs: 1, batch: 100)) { _ in
            do { _ = try model.predict("abc") } catch let e as CharNNError { errors.append(e.kind) } catch {}
            do { try model.train(on: Self.split.train) } catch let e as CharNNError { errors.append(e.kind) } catch {}
            return false
        }
        #expect(errors == [.busy, .busy])
        #expect(try model.predict("abc").count == 3)
    }

    /// Weights so large that the logits overflow: the loss is NaN at the first step, training
    /// stops naming it, and the weights are left as they were.
    @Test func divergenceStopsWithTheLastFiniteWeights() throws {
        let model = try Model(config: ModelConfig(kind: .elman, hiddenSize: 4), labels: Self.data.labelNames)
        let output = try #require(model.parameter(named: "in2output.weight"))
        try output.assign(Tensor(repeating: 3e38, shape: output.shape))
        let before = model.parameters.map(\.value)
        do {
            try model.train(on: Self.split.train, config: config(epochs: 1, batch: 4))
            Issue.record("expected divergence")
        } catch {
            #expect(error.kind == .diverged)
            #expect(error.message.contains("epoch 1, step 1"), "\(error.message)")
        }
        #expect(model.parameters.map(\.value) == before)
        #expect(model.parameters.allSatisfy { $0.grad.scalars.allSatisfy { $0 == 0 } })
    }

    /// Divergence in the middle of training: after step 3 the first label's output weights for
    /// every character and its bias become 3e38, so at step 4 that logit is 3e38 + 3e38 = +inf
    /// for every name and the loss is NaN. Training stops naming step 4 and leaves the weights
    /// exactly as step 3 ended them, not a NaN model.
    @Test func divergenceMidTrainingNamesTheStepAndKeepsTheLastGoodWeights() throws {
        let model = try Model(config: ModelConfig(kind: .elman, hiddenSize: 6), labels: Self.data.labelNames)
        let weight = try #require(model.parameter(named: "in2output.weight"))
        let bias = try #require(model.parameter(named: "in2output.bias"))
        var c = config(epochs: 1, batch: 4)
        c.reportEvery = 1
        var lastGood: [Tensor] = []
        do {
            try model.train(on: Self.split.train, config: c) { progress in
                if progress.step == 3 {
                    var w = weight.value.scalars, b = bias.value.scalars
                    for column in 0..<Alphabet.article.count { w[column] = 3e38 }  // row 0, the one-hot part
                    b[0] = 3e38
                    try? weight.assign(Tensor(weight.shape.dims, w))
                    try? bias.assign(Tensor(bias.shape.dims, b))
                }
                lastGood = model.parameters.map(\.value)
                return true
            }
            Issue.record("expected divergence")
        } catch {
            #expect(error.kind == .diverged)
            #expect(error.message.contains("epoch 1, step 4"), "\(error.message)")
        }
        #expect(!lastGood.isEmpty && model.parameters.map(\.value) == lastGood)
        #expect(model.parameters.allSatisfy { $0.value.scalars.allSatisfy(\.isFinite) })
    }

    @Test func badConfigsAndMismatchedDataAreRefused() throws {
        let model = try Model(config: ModelConfig(kind: .elman, hiddenSize: 4), labels: Self.data.labelNames)
        var c = TrainingConfig()
        c.batchSize = 0
        #expect(throws: CharNNError.self) { try model.train(on: Self.split.train, config: c) }
        c = TrainingConfig()
        c.clipNorm = -1
        #expect(throws: CharNNError.self) { try model.train(on: Self.split.train, config: c) }
        c = TrainingConfig()
        c.learningRate = .infinity
        #expect(throws: CharNNError.self) { try model.train(on: Self.split.train, config: c) }
        let other = try NameDataset(names: ["abc"], labels: [0], labelNames: ["Other", "Late", "Upper"])
        #expect(throws: CharNNError.self) { try model.train(on: other) }
        #expect(throws: CharNNError.self) { try model.evaluate(other) }
        #expect(throws: CharNNError.self) { try Model(config: ModelConfig(kind: .elman, layers: 2), labels: ["A"]) }
        #expect(throws: CharNNError.self) {
            try Model(config: ModelConfig(kind: .gru, hiddenInit: .kaiming), labels: ["A"])
        }
        #expect(throws: CharNNError.self) { try Model(config: ModelConfig(kind: .gru, hiddenSize: 0), labels: ["A"]) }
        #expect(throws: CharNNError.self) {
            try Model(config: ModelConfig(kind: .lstm, hiddenSize: 4096, layers: 16), labels: ["A"])
        }
        #expect(throws: CharNNError.self) { try Model(config: ModelConfig(), labels: []) }
    }
}

@Suite struct InferenceTests {
    static let model: Model = {
        let m = try! Model(
            config: ModelConfig(kind: .gru, hiddenSize: 16, layers: 1, seed: 2), labels: ["Early", "Late", "Upper"])
        var c = TrainingConfig()
        c.epochs = 6
        c.batchSize = 8
        c.learningRate = 2e-2
        try! m.train(on: TrainingTests.split.train, config: c)
        return m
    }()

    @Test func topKIsSortedAndSumsToOne() throws {
        let all = try Self.model.predict("abcd", top: 10)
        #expect(all.count == 3)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        #expect(abs(all.reduce(0) { $0 + $1.probability } - 1) < 1e-5)
        #expect(all[0].label == "Early")
        #expect(try Self.model.predict("abcd", top: 1) == [all[0]])
        #expect(throws: CharNNError.self) { try Self.model.predict("abcd", top: 0) }
    }

    @Test func unreadableCharactersAreDroppedAndEmptyNamesRefused() throws {
        #expect(try Self.model.probabilities("abcd") == Self.model.probabilities("ab1c2d"))
        #expect(try Self.model.probabilities("àbçd") == Self.model.probabilities("abcd"))
        for bad in ["", "123", "\u{E000}\u{E001}", "\u{301}"] {  // private use has no transliteration
            #expect(throws: CharNNError.self) { try Self.model.predict(bad) }
        }
        #expect(throws: CharNNError.self) { try Self.model.predict(String(repeating: "a", count: 2000)) }
    }

    @Test func predictManyEqualsOneAtATime() throws {
        let names = ["abc", "pqrstu", "KL-MNO", "h", "wvu", "abcdefgh"]
        let many = try Self.model.predict(names, top: 2)
        for (name, predictions) in zip(names, many) {
            let single = try Self.model.predict(name, top: 2)
            #expect(predictions.map(\.label) == single.map(\.label))
            for (a, b) in zip(predictions, single) { #expect(abs(a.probability - b.probability) < 1e-6) }
        }
        do {
            _ = try Self.model.predict(["abc", "123"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("name 1"))
        }
    }

    @Test func evaluationCountsAgreeWithPredictions() throws {
        let test = TrainingTests.split.test
        let e = try Self.model.evaluate(test)
        #expect(e.total == test.count)
        var correct = 0
        for i in 0..<test.count where try Self.model.predict(test.text(i), top: 1)[0].index == Int(test.labels[i]) {
            correct += 1
        }
        #expect(e.correct == correct)
        #expect(abs(e.accuracy - Double(correct) / Double(test.count)) < 1e-12)
        for (i, row) in e.normalizedConfusion.enumerated() where e.confusion[i].reduce(0, +) > 0 {
            #expect(abs(row.reduce(0, +) - 1) < 1e-9)
            #expect(abs(row[i] - e.perClassAccuracy[i]) < 1e-12)
        }
        let partial = try NameDataset(names: ["abc", "pqr"], labels: [0, 1], labelNames: ["Early", "Late", "Upper"])
        let pe = try Self.model.evaluate(partial)
        #expect(pe.perClassAccuracy[2].isNaN)
        #expect(pe.normalizedConfusion[2] == [0, 0, 0])
    }

    /// The Elman cell's random initial state is seeded by the name at inference: repeatable.
    @Test func elmanKaimingPredictionsAreRepeatable() throws {
        let elman = try Model(config: ModelConfig(kind: .elman, hiddenSize: 8, seed: 9), labels: ["A", "B"])
        #expect(try elman.probabilities("Jake") == elman.probabilities("Jake"))
        #expect(try elman.predict(["Jake", "Jake"])[0] == elman.predict(["Jake", "Jake"])[1])
    }
}
