import CCharNNKernels
import CharNN
#if canImport(Glibc)
    import Glibc
#endif

/// Micro-benchmarks of the core. `charnn-bench elman-step` times one step of the article's
/// Elman cell (input 59, hidden 256, output 18), forward and backward, op by op on the
/// autodiff graph, as the article's training loop runs it.

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func elmanStep(iterations: Int) throws {
    let (inputs, hidden, outputs) = (59, 256, 18)
    var rng = Xoshiro256(seed: 0)
    let bound = 1 / Float(inputs + hidden).squareRoot()
    let w1 = Parameter(Tensor.uniform(Shape(hidden, inputs + hidden), bound: bound, using: &rng))
    let b1 = Parameter(Tensor.uniform(Shape(hidden), bound: bound, using: &rng))
    let w2 = Parameter(Tensor.uniform(Shape(outputs, inputs + hidden), bound: bound, using: &rng))
    let b2 = Parameter(Tensor.uniform(Shape(outputs), bound: bound, using: &rng))
    let g = Graph()
    let h0 = Tensor.kaimingUniform(Shape(1, hidden), using: &rng)

    // One "step" = one character: concat, two linears, sigmoid, and the backward of all of it.
    // Measured as 7-character names (the data's mean length) divided by 7.
    let length = 7
    func name() throws {
        g.reset()
        var h = g.constant(h0)
        var y: Variable? = nil
        for t in 0..<length {
            let combined = try g.oneHot([t], depth: inputs).concat(h)
            y = try combined.linear(g.parameter(w2), bias: g.parameter(b2))
            h = try combined.linear(g.parameter(w1), bias: g.parameter(b1)).sigmoid()
        }
        try g.backward(try y!.crossEntropy(targets: [3]))
    }
    for _ in 0..<200 { try name() }
    var times: [Double] = []
    for _ in 0..<5 {
        let start = now()
        for _ in 0..<iterations { try name() }
        times.append((now() - start) / Double(iterations * length) * 1e6)
    }
    times.sort()
    print(
        "elman-step (op-by-op autodiff, input \(inputs), hidden \(hidden), output \(outputs)): "
            + "\(String(format1: times[times.count / 2])) µs per step forward+backward (median of 5 runs, best \(String(format1: times[0])))"
    )
}

extension String {
    init(format1 value: Double) {
        let scaled = (value * 10).rounded() / 10
        self = String(scaled)
    }
}

/// Trains `kind` on the names data for `names` names (batch `batch`) and prints µs per name:
/// the hot loop alone, for profiling (`perf record .build/release/charnn-bench train gru`).
func train(kind: ModelKind, batch: Int, names: Int, directory: String) throws {
    let data = try NameDataset.load(directory: directory)
    let (trainSet, _) = try data.stratifiedSplit(testFraction: 0.1, seed: 0)
    let subset = trainSet.subset(0..<min(names, trainSet.count))
    let model = try Model(config: ModelConfig(kind: kind), labels: data.labelNames)
    var config = TrainingConfig()
    config.epochs = 1
    config.batchSize = batch
    if kind == .elman { config.clipNorm = 1 }
    let start = now()
    try model.train(on: subset, config: config)
    let seconds = now() - start
    print(
        "train \(kind) batch \(batch): \(String(format1: seconds / Double(subset.count) * 1e6)) µs per name over \(subset.count) names"
    )
}

/// The team threshold's measurement (bench/threshold.py runs it with one thread and with two,
/// CHARNN_PARALLEL_MIN_STEP_WORK=0, alternately): for each kind and hidden size, µs per name of
/// batch-1 training (forward, backward, Adam) and of single-name prediction, with the
/// multiply-adds one character costs between two barriers (`step_work`). One JSON line each.
func threshold(directory: String, names: Int) throws {
    let data = try NameDataset.load(directory: directory)
    let (trainSet, testSet) = try data.stratifiedSplit(testFraction: 0.1, seed: 0)
    let subset = trainSet.subset(0..<min(names, trainSet.count))
    let probes = (0..<min(names, testSet.count)).map { testSet.text($0) }
    for (kind, gates) in [(ModelKind.elman, 1), (.gru, 3)] {
        for hidden in [64, 128, 192, 256, 320, 384, 512, 640, 768] {
            let model = try Model(
                config: ModelConfig(kind: kind, hiddenSize: hidden, layers: 1), labels: data.labelNames)
            var config = TrainingConfig()
            config.epochs = 1
            let start = now()
            try model.train(on: subset, config: config)
            let trainUs = (now() - start) / Double(subset.count) * 1e6
            for name in probes.prefix(50) { _ = try model.predict(name) }  // warm
            let predictStart = now()
            for name in probes { _ = try model.predict(name) }
            let predictUs = (now() - predictStart) / Double(probes.count) * 1e6
            print(
                "{\"kind\": \"\(kind)\", \"hidden\": \(hidden), \"step_work\": \(gates * hidden * hidden), "
                    + "\"train_us\": \(String(format1: trainUs)), \"predict_us\": \(String(format1: predictUs))}")
        }
    }
}

/// One Adam step over `count` weights (the Elman cell has 86,584, the GRU 642,834).
func adam(count: Int) throws {
    var rng = Xoshiro256(seed: 1)
    let p = Parameter(Tensor.uniform(Shape(count), bound: 1, using: &rng))
    let optimizer = try Adam([p], learningRate: 1e-3)
    let graph = Graph()
    let coefficients = Tensor([count], (0..<count).map { Float($0 % 7) * 0.01 })
    func fill() {  // p.grad = coefficients, through backward of Σ p ⊙ c
        p.zeroGrad()
        graph.reset()
        try! graph.backward(try! (graph.parameter(p) * graph.constant(coefficients)).sum())
    }
    for _ in 0..<20 { fill(); optimizer.step() }
    var best = Double.infinity
    for _ in 0..<200 {
        fill()
        let start = now()
        optimizer.step()
        best = min(best, now() - start)
    }
    print("adam: \(String(format1: best * 1e6)) µs per step over \(count) weights (best of 200)")
}

/// A linear layer's forward as the fused cells run it: x [m × k] · Wᵀ, W [n × k], through the
/// autodiff op (which calls Kernels.gemmNT), in multiply-adds per nanosecond.
func gemm(m: Int, n: Int, k: Int) throws {
    var rng = Xoshiro256(seed: 2)
    let g = Graph()
    let x = Tensor.uniform(Shape(m, k), bound: 1, using: &rng),
        w = Parameter(Tensor.uniform(Shape(n, k), bound: 1, using: &rng))
    var best = Double.infinity
    for _ in 0..<50 {
        g.reset()
        let input = g.constant(x), weight = g.parameter(w)
        let start = now()
        _ = try input.linear(weight)
        best = min(best, now() - start)
    }
    print(
        "gemm \(m)×\(k) · (\(n)×\(k))ᵀ: \(String(format1: best * 1e6)) µs, \(String(format1: Double(m * n * k) / best / 1e9)) GMAC/s"
    )
}

/// The int8 kernels against the fp32 one on x [m × k] · Wᵀ, W [n × k]: int8 is quantizing x per
/// row (charnn_q8_quantize_rows) plus charnn_q8_gemm_nt on weights quantized beforehand (as at
/// load time); packed is the same quantization plus charnn_q8_gemm_packed on those weights packed
/// beforehand (charnn_q8_pack); fp32 is Kernels.gemmNT. Each is timed over batches of calls,
/// `repeats` times, alternating the three so all see the same machine; prints the median and best
/// in GFLOP/s (2·m·n·k per product) and the median ratios.
func qgemm(m: Int, n: Int, k: Int, repeats: Int) {
    var rng = Xoshiro256(seed: 3)
    let x = (0..<m * k).map { _ in Float.random(in: -1...1, using: &rng) }
    let w = (0..<n * k).map { _ in Float.random(in: -1...1, using: &rng) }
    let kp = charnn_q8_padded(k)
    var qx = [Int8](repeating: 0, count: m * kp), qw = [Int8](repeating: 0, count: n * kp)
    var sx = [Float](repeating: 0, count: m), sw = [Float](repeating: 0, count: n)
    var c = [Float](repeating: 0, count: m * n)
    charnn_q8_quantize_rows(w, k, n, k, &qw, kp, &sw)
    let packed = UnsafeMutableRawPointer.allocate(byteCount: max(1, charnn_q8_packed_size(n, k)), alignment: 32)
    defer { packed.deallocate() }
    charnn_q8_pack(qw, kp, n, k, packed)
    func int8Packed() {
        charnn_q8_quantize_rows(x, k, m, k, &qx, kp, &sx)
        charnn_q8_gemm_packed(m, qx, kp, sx, packed, n, k, 0, n, sw, &c, n, 0)
    }
    func int8() {
        charnn_q8_quantize_rows(x, k, m, k, &qx, kp, &sx)
        charnn_q8_gemm_nt(m, n, kp, qx, kp, sx, qw, kp, sw, &c, n, 0)
    }
    func fp32() {
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                c.withUnsafeMutableBufferPointer { cp in
                    BenchmarkKernels.gemmNT(
                        m: m, n: n, k: k, a: xp.baseAddress!, lda: k, b: wp.baseAddress!, ldb: k,
                        c: cp.baseAddress!, ldc: n, accumulate: false)
                }
            }
        }
    }
    // About 20 ms per timed batch.
    let calls = max(1, 20_000_000 / (m * n * k / 16 + 1000))
    func time(_ body: () -> Void) -> Double {
        let start = now()
        for _ in 0..<calls { body() }
        return (now() - start) / Double(calls)
    }
    for _ in 0..<3 { _ = time(int8); _ = time(int8Packed); _ = time(fp32) }
    var t8: [Double] = [], tp: [Double] = [], t32: [Double] = []
    for _ in 0..<repeats {
        t8.append(time(int8))
        tp.append(time(int8Packed))
        t32.append(time(fp32))
    }
    let ratios = zip(t32, t8).map { $0 / $1 }.sorted(), packedRatios = zip(t8, tp).map { $0 / $1 }.sorted()
    t8.sort()
    tp.sort()
    t32.sort()
    let flops = 2 * Double(m * n * k)
    func gflops(_ t: Double) -> String { String(format1: flops / t / 1e9) }
    func report(_ name: String, _ t: [Double]) -> String {
        "\(name) \(gflops(t[repeats / 2])) GFLOP/s (\(gflops(t[0]))), \(String(format1: t[repeats / 2] * 1e6)) µs"
    }
    print(
        "qgemm \(m)×\(k) · (\(n)×\(k))ᵀ, median of \(repeats) (best): "
            + report("int8 gemm_nt (\(String(cString: charnn_q8_kernel_name())))", t8) + "; "
            + report("int8 packed", tp) + "; " + report("fp32 gemmNT", t32) + "; "
            + "int8/fp32 \(String(format1: ratios[repeats / 2]))×, packed/int8 "
            + "\((packedRatios[repeats / 2] * 100).rounded() / 100)×"
    )
}

/// Trains one configuration on DATA's train split (10 %, seed 0) minus a validation split carved
/// from it (10 %, seed 1), printing seconds and validation accuracy after each epoch: for
/// choosing recipes by validation (the test split is never read here).
/// `charnn-bench explore DATA kind=gru hidden=128 layers=1 emb=32 bi=1 pool=max dropout=0.2
/// epochs=10 batch=64 lr=0.003 wd=0.0001 opt=adamw`
func explore(directory: String, options: [String: String]) throws {
    func int(_ k: String, _ d: Int) -> Int { options[k].flatMap { Int($0) } ?? d }
    func float(_ k: String, _ d: Float) -> Float { options[k].flatMap { Float($0) } ?? d }
    let text = TextConfig(alphabet: .learned(), caseFold: int("casefold", 0) != 0)
    let data = try NameDataset.load(path: directory, textConfig: text)
    let (trainAll, _) = try data.stratifiedSplit(testFraction: 0.1, seed: 0)
    let (train, validation) = try trainAll.stratifiedSplit(testFraction: 0.1, seed: 1)
    var config = ModelConfig(
        kind: ModelKind(rawValue: options["kind"] ?? "gru") ?? .gru, hiddenSize: int("hidden", 128),
        layers: int("layers", 1), seed: UInt64(int("seed", 0)))
    config.embeddingSize = int("emb", 0)
    config.bidirectional = int("bi", 0) != 0
    config.pooling = Pooling(rawValue: options["pool"] ?? "last") ?? .last
    config.dropout = float("dropout", 0)
    if int("buckets", 0) > 0 {
        config.ngrams = NgramOptions(
            buckets: int("buckets", 0), dimension: int("ngdim", 64), minimum: int("minn", 1), maximum: int("maxn", 5))
    }
    let model = try Model(config: config, labels: train.labelNames, alphabet: train.alphabet)
    var training = TrainingConfig()
    training.epochs = 1
    training.batchSize = int("batch", 64)
    training.learningRate = float("lr", 3e-3)
    training.weightDecay = float("wd", 0)
    training.optimizer = TrainingConfig.OptimizerKind(rawValue: options["opt"] ?? "adam") ?? .adam
    print(
        "explore \(options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")): "
            + "\(model.parameterCount) weights, \(train.count) train, \(validation.count) validation")
    var total = 0.0
    for epoch in 1...int("epochs", 5) {
        training.seed = UInt64(epoch)
        let start = now()
        try model.train(on: train, config: training)
        total += now() - start
        let accuracy = try model.evaluate(validation).accuracy
        print("epoch \(epoch): \(String(format1: total)) s, validation \(String(format1: accuracy * 100)) %")
    }
}

let args = CommandLine.arguments.dropFirst()
let which = args.first ?? "elman-step"
do {
    switch which {
    case "elman-step": try elmanStep(iterations: 2000)
    case "adam": try adam(count: Int(args.dropFirst().first ?? "") ?? 86_584)
    case "gemm":
        let d = args.dropFirst().compactMap { Int($0) }
        try gemm(m: d.count > 0 ? d[0] : 128, n: d.count > 1 ? d[1] : 384, k: d.count > 2 ? d[2] : 256)
    case "qgemm":
        let d = args.dropFirst().compactMap { Int($0) }
        if d.count >= 3 {
            qgemm(m: d[0], n: d[1], k: d[2], repeats: d.count > 3 ? d[3] : 11)
        } else {
            for (m, n, k) in [(128, 768, 256), (64, 768, 256), (1, 768, 256)] { qgemm(m: m, n: n, k: k, repeats: 11) }
        }
    case "threshold":
        let rest = Array(args.dropFirst())
        try threshold(directory: rest.first ?? "data/names", names: rest.count > 1 ? Int(rest[1]) ?? 400 : 400)
    case "explore":
        let rest = Array(args.dropFirst())
        var options: [String: String] = [:]
        for item in rest.dropFirst() {
            let parts = item.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { options[String(parts[0])] = String(parts[1]) }
        }
        try explore(directory: rest.first ?? "data/names", options: options)
    case "train":
        let rest = Array(args.dropFirst())
        try train(
            kind: ModelKind(rawValue: rest.first ?? "gru") ?? .gru, batch: rest.count > 1 ? Int(rest[1]) ?? 1 : 1,
            names: rest.count > 2 ? Int(rest[2]) ?? 5000 : 5000, directory: rest.count > 3 ? rest[3] : "data/names")
    default:
        print(
            "usage: charnn-bench [elman-step | adam [N] | gemm M N K | qgemm [M N K [REPEATS]] | threshold [DATA_DIR] [NAMES] | train elman|gru|lstm [BATCH] [NAMES] [DATA_DIR]]"
        )
        exit(2)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
