import Foundation
import Testing
@testable import CharNN

/// Many threads on one model, separate models side by side, and training against predicting.
/// `make test-sanitize` runs these under ThreadSanitizer too.
@Suite struct ConcurrencyTests {
    static let names = ["abcd", "pqrst", "KL-MNO", "hgfe", "Żak", "O'Neil", "uvw", "ab"]

    func trainedModel(seed: UInt64) throws -> Model {
        let model = try Model(
            config: ModelConfig(kind: .gru, hiddenSize: 12, layers: 1, seed: seed), labels: ["Early", "Late", "Upper"])
        var config = TrainingConfig()
        config.epochs = 2
        config.batchSize = 8
        config.learningRate = 2e-2
        try model.train(on: TrainingTests.split.train, config: config)
        return model
    }

    /// 8 threads × 10,000 predictions on one model give exactly the one-thread answers.
    @Test func eightThreadsPredictTheSameAsOne() throws {
        let model = try trainedModel(seed: 1)
        let expected = try Self.names.map { try model.probabilities($0) }
        let mismatches = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var wrong = 0
            for i in 0..<10_000 {
                let k = (i + thread) % Self.names.count
                if (try? model.probabilities(Self.names[k])) != expected[k] { wrong += 1 }
            }
            mismatches.withLock { $0 += wrong }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }

    /// Two models trained at the same time on two threads end exactly as when trained alone.
    @Test func separateModelsTrainInParallelWithoutInterference() throws {
        let alone = try [trainedModel(seed: 3), trainedModel(seed: 4)].map { $0.parameters.map(\.value) }
        let together = Locked<[Int: [Tensor]]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let model = try! trainedModel(seed: UInt64(3 + i))
            together.withLock { $0[i] = model.parameters.map(\.value) }
        }
        #expect(together.withLock { $0[0] } == alone[0])
        #expect(together.withLock { $0[1] } == alone[1])
    }

    /// While one thread trains, predictions on the same model from another thread are refused
    /// with `.busy` (not raced, not blocked), and work again once training returns. The
    /// training thread pauses at its first progress report until the other thread has tried.
    @Test func predictingDuringTrainingIsRefusedNotRaced() throws {
        let model = try Model(
            config: ModelConfig(kind: .lstm, hiddenSize: 8, layers: 1), labels: ["Early", "Late", "Upper"])
        let started = DispatchSemaphore(value: 0), tried = DispatchSemaphore(value: 0),
            finished = DispatchSemaphore(value: 0)
        let trainer = Thread {
            var config = TrainingConfig()
            config.epochs = 1
            config.batchSize = 4
            var first = true
            _ = try? model.train(on: TrainingTests.split.train, config: config) { _ in
                if first {
                    first = false
                    started.signal()
                    tried.wait()
                }
                return true
            }
            finished.signal()
        }
        trainer.start()
        started.wait()
        var outcome: CharNNError.Kind? = nil
        do { _ = try model.predict("abc") } catch { outcome = error.kind }
        tried.signal()
        finished.wait()
        #expect(outcome == .busy)
        #expect(try model.predict("abc").count == 3)
    }
}
