// A Swift package that depends on charnn by version, as an app would: it sees only the public
// API of `import CharNN`. It trains a small GRU on an in-memory data set of two made-up
// "languages", then checks what a user relies on, failing loudly on the first broken promise.
import CharNN
import Foundation

var failures = 0
@MainActor func check(_ condition: Bool, _ what: String) {
    print("\(condition ? "ok  " : "FAIL") \(what)")
    if !condition { failures += 1 }
}

/// Names built from two disjoint sets of letters: a GRU separates them within a few epochs.
func makeNames(_ letters: [Character], count: Int, seed: Int) -> [String] {
    var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    func next(_ bound: Int) -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(state % UInt64(bound))
    }
    return (0..<count).map { _ in
        let name = String((0..<(3 + next(5))).map { _ in letters[next(letters.count)] })
        return name.prefix(1).uppercased() + name.dropFirst()
    }
}

do {
    let soft = makeNames(["a", "e", "i", "o", "u", "l", "m", "n"], count: 80, seed: 1)
    let hard = makeNames(["k", "r", "t", "z", "x", "g", "d", "b"], count: 80, seed: 2)
    let data = try NameDataset(
        texts: soft + hard,
        labels: Array(repeating: "Soft", count: soft.count) + Array(repeating: "Hard", count: hard.count))
    check(data.count == 160 && data.labelNames == ["Hard", "Soft"], "an in-memory data set: 160 names, labels sorted")

    let (train, test) = try data.stratifiedSplit(testFraction: 0.25, seed: 7)
    check(
        train.count == 120 && test.count == 40 && test.labelCounts == [20, 20],
        "a stratified split: 120 + 40, 20 of each label in test")

    let model = try Model(
        config: ModelConfig(kind: .gru, hiddenSize: 16, layers: 1, seed: 3),
        labels: train.labelNames, alphabet: train.alphabet)
    var config = TrainingConfig()
    config.epochs = 6
    config.batchSize = 8
    config.learningRate = 2e-2
    var calls = 0
    let report = try model.train(on: train, config: config) { progress in
        calls += 1
        return progress.loss.isFinite
    }
    print("  losses by epoch: \(report.epochLosses)")
    check(
        report.epochsCompleted == 6 && report.stepsTaken == 6 * 15 && calls >= 6,
        "trained 6 epochs of 15 steps, progress reported")
    check(report.epochLosses.last! < report.epochLosses.first! * 0.5, "the epoch loss fell by more than half")

    let evaluation = try model.evaluate(test)
    print("  test accuracy \(evaluation.accuracy), macro F1 \(evaluation.macroF1)")
    check(evaluation.total == 40 && evaluation.accuracy >= 0.9, "test accuracy of at least 90 %")
    check(evaluation.confusion.flatMap { $0 }.reduce(0, +) == 40, "the confusion matrix counts every test name")

    let top = try model.predict("Aileen", top: 2)
    check(top.count == 2 && top[0].label == "Soft" && top[0].probability > 0.5, "predicts Soft for Aileen (\(top[0]))")
    check(abs(top.map(\.probability).reduce(0, +) - 1) < 1e-4, "the two probabilities sum to 1")
    check(try model.predict("Tzrk", top: 1)[0].label == "Hard", "predicts Hard for Tzrk")

    let path = FileManager.default.temporaryDirectory.appendingPathComponent("charnn-consumer-\(getpid()).safetensors")
        .path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(to: path)
    let loaded = try Model.load(from: path)
    let probe = ["Aileen", "Tzrk", "Mona", "Gretb", "Zz"]
    check(loaded.labels == model.labels && loaded.config == model.config, "the checkpoint keeps labels and config")
    check(
        try probe.map(loaded.probabilities) == probe.map(model.probabilities),
        "the loaded model scores bit for bit the same")
    let fromBytes = try Model.load(bytes: model.checkpointBytes())
    check(try fromBytes.probabilities("Mona") == model.probabilities("Mona"), "a checkpoint in memory loads too")

    do {
        _ = try Model.load(from: path + ".missing")
        check(false, "loading a missing file throws")
    } catch {
        check(error.kind == .io, "loading a missing file throws an .io CharNNError: \(error)")
    }
    do {
        _ = try Model(config: ModelConfig(kind: .elman, hiddenSize: 8, layers: 3), labels: ["a", "b"])
        check(false, "a 3-layer Elman cell is refused")
    } catch {
        check(error.kind == .invalidArgument, "a 3-layer Elman cell is refused with .invalidArgument")
    }
} catch {
    print("FAIL unexpected error: \(error)")
    failures += 1
}

print(failures == 0 ? "swift consumer: all checks passed" : "swift consumer: \(failures) check(s) failed")
exit(failures == 0 ? 0 : 1)
