import CharNN
#if canImport(Glibc)
import Glibc
#endif

// The article's two experiments on the names data: the hand-written Elman cell and the 2-layer
// GRU, each trained with its protocol (2 epochs, batch 1, Adam lr 1e-3; the Elman cell clips
// the gradient norm to 1), then test accuracy and the article's example predictions.
//
// usage: charnn-demo [DATA_DIR] [elman,gru,lstm]

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func percent(_ x: Double) -> String { String(Double(Int((x * 10000).rounded())) / 100) + "%" }

let args = Array(CommandLine.arguments.dropFirst())
let directory = args.first ?? "data/names"
let kinds = args.count > 1 ? args[1].split(separator: ",").compactMap { ModelKind(rawValue: String($0)) }
                           : [.elman, .gru]
do {
    let data = try NameDataset.load(directory: directory)
    print("\(data.count) names in \(data.labelCount) languages from \(directory); skipped \(data.skipped.count): "
          + data.skipped.map { "'\($0.name)'" }.joined(separator: ", "))
    let (train, test) = try data.stratifiedSplit(testFraction: 0.1, seed: 0)
    print("stratified split: \(train.count) train, \(test.count) test\n")
    for kind in kinds {
        let model = try Model(config: ModelConfig(kind: kind), labels: data.labelNames)
        var config = TrainingConfig()
        if kind == .elman { config.clipNorm = 1 }
        print("\(kind): \(model.parameterCount) weights, \(config.epochs) epochs, batch \(config.batchSize), "
              + "Adam lr \(config.learningRate)" + (config.clipNorm > 0 ? ", clip \(config.clipNorm)" : ""))
        let start = now()
        try model.train(on: train, config: config) { p in
            if p.step % 3000 == 0 {
                print("  Epoch [\(p.epoch)/\(p.epochs)], Step [\(p.step)/\(p.steps)], Loss: \(p.loss), running mean \(p.runningLoss)")
            }
            return true
        }
        let seconds = now() - start
        let evaluation = try model.evaluate(test)
        print("  trained in \(Double(Int(seconds * 10)) / 10) s (\(Int(seconds / Double(config.epochs * train.count) * 1e6)) µs per name)")
        print("  test accuracy: \(percent(evaluation.accuracy))")
        for name in ["Mike", "Qin", "Slaveya", "Jake", "Fernando", "Demirkan"] {
            let top = try model.predict(name, top: 3)
            print("  \(name): " + top.map { "\($0.label) \(percent(Double($0.probability)))" }.joined(separator: ", "))
        }
        print()
    }
} catch {
    print("error: \(error)")
    exit(1)
}
