// The article's job from Swift, through the CharNN module alone: load the names data, split it,
// train a GRU, evaluate it on the held-out names, predict a few, save it and load it back.
//
//     swift run -c release charnn-names [DATA_DIR] [OUT.safetensors] [EPOCHS]
import CharNN
import Foundation  // exit(); CharNN itself needs no Foundation

let arguments = CommandLine.arguments.dropFirst()
let dataDirectory = arguments.first ?? "../../data/names"
let output = arguments.dropFirst().first ?? "names-swift.safetensors"
let epochs = arguments.dropFirst(2).first.flatMap(Int.init) ?? 3
let demoNames = ["Mike", "Qin", "Slaveya", "Jake", "Fernando", "Demirkan"]

do {
    // 1. Data: one `<language>.txt` per label, transliterated to ASCII and read with the
    //    article's 59-symbol alphabet (TextConfig.article). Rows that cannot be used are listed.
    let names = try NameDataset.load(directory: dataDirectory)
    print("loaded \(names.count) names in \(names.labelCount) languages (\(names.skipped.count) skipped)")
    for row in names.skipped.prefix(4) { print("  skipped \(row)") }

    // 2. A stratified 10 % test split, seeded: the same seed gives the same split.
    let (train, test) = try names.stratifiedSplit(testFraction: 0.1, seed: 0)
    print("train \(train.count), test \(test.count)")

    // 3. A small GRU (1 layer of 64), trained in batches of 32 with Adam; progress every epoch.
    let model = try Model(
        config: ModelConfig(kind: .gru, hiddenSize: 64, layers: 1, seed: 0),
        labels: train.labelNames, alphabet: train.alphabet)
    var training = TrainingConfig()
    training.epochs = epochs
    training.batchSize = 32
    training.learningRate = 5e-3
    training.reportEvery = 1000  // the callback also comes at each epoch's end
    let report = try model.train(on: train, config: training) { progress in
        guard progress.epochEnd else { return true }
        print("epoch \(progress.epoch)/\(progress.epochs): loss \(progress.runningLoss)")
        return true  // false would stop training after this step
    }
    print("trained \(report.stepsTaken) steps, last loss \(report.lastLoss)")

    // 4. Evaluation on the test split: accuracy, top-3 accuracy, macro F1, per-label recall.
    let evaluation = try model.evaluate(test, topK: 3)
    print(
        "test accuracy: \(percent(evaluation.accuracy)), top-3: \(percent(evaluation.topKAccuracy)), "
            + "macro F1: \(percent(evaluation.macroF1))")
    for (label, recall) in zip(evaluation.labels, evaluation.recall).prefix(5) {
        print("  \(label): recall \(percent(recall))")
    }

    // 5. Prediction: the three most likely languages of each name.
    for (name, top) in zip(demoNames, try model.predict(demoNames, top: 3)) {
        print("\(name): " + top.map { "\($0.label) \(percent(Double($0.probability)))" }.joined(separator: ", "))
    }

    // 6. Save (safetensors, loadable by charnn's C and Python APIs and by PyTorch) and load back.
    try model.save(to: output)
    let loaded = try Model.load(from: output)
    let same =
        try loaded.predict(demoNames, top: 1).map(\.first?.label)
        == model.predict(demoNames, top: 1).map(\.first?.label)
    print("saved \(output); loaded back, it predicts the same: \(same)")
    if !same { exit(1) }
} catch {
    // Every failure is a CharNNError: a kind (.io, .invalidData, …) and a message naming the cause.
    print("error: \(error)")
    exit(1)
}

func percent(_ x: Double) -> String {
    let tenths = Int((x * 1000).rounded())
    return "\(tenths / 10).\(tenths % 10) %"
}
