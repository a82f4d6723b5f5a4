import Foundation
import Testing
@testable import CharNN

/// Learning-rate schedules against hand-computed values and against PyTorch's schedulers
/// (Fixtures/make_training_fixtures.py).
@Suite struct ScheduleTests {
    nonisolated(unsafe) static let fixture = try! TestSupport.loadJSON("torch_training.json") as! [String: Any]

    func rate(
        _ s: LearningRateSchedule, base: Float = 1, step: Int, perEpoch: Int = 1, total: Int = 10, warmup: Int = 0,
        min: Float = 0, plateau: Double? = nil
    ) -> Double {
        s.learningRate(
            base: base, step: step, stepsPerEpoch: perEpoch, totalSteps: total, warmupSteps: warmup,
            minLearningRate: min, plateauRate: plateau)
    }

    func expectClose(
        _ a: Double, _ b: Double, _ what: String, relative: Double = 1e-7,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        // (η and η_min are Floats: 0.1 is 0.10000000149…, so 1e-7 relative by default.)
        #expect(abs(a - b) <= relative * max(abs(b), 1e-12), "\(what): \(a) vs \(b)", sourceLocation: sourceLocation)
    }

    @Test func constantIsTheBaseRateAndWarmUpIsLinear() {
        for t in 0..<5 { #expect(rate(.constant, base: 0.25, step: t) == 0.25) }
        // W = 4: (t + 1) / 4 · η for t < 4, then η.
        let warm = (0..<6).map { rate(.constant, base: 0.2, step: $0, warmup: 4) }
        for (t, expected) in [0.05, 0.1, 0.15, 0.2, 0.2, 0.2].enumerated() {
            expectClose(warm[t], expected, "t=\(t)", relative: 1e-7)
        }
    }

    @Test func cosineByHand() {
        // η = 1, η_min = 0, T = 4: (1 + cos(π t / 4)) / 2.
        let expected = [1, (1 + 0.5.squareRoot()) / 2 * 1, 0.5, (1 - 0.5.squareRoot()) / 2]
        for t in 0..<4 { expectClose(rate(.cosine, step: t, total: 4), expected[t], "t=\(t)") }
        // A floor: η_min + (η − η_min) · ½ at the half-way step; the warm-up shifts the clock.
        expectClose(
            rate(.cosine, base: 0.1, step: 5, total: 12, warmup: 2, min: 0.02),
            0.02 + 0.08 * 0.5 * (1 + cos(Double.pi * 3 / 10)), "floor")
        expectClose(rate(.cosine, base: 0.1, step: 2, total: 12, warmup: 2, min: 0.02), 0.1, "first step after warm-up")
        expectClose(rate(.cosine, base: 0.1, step: 0, total: 12, warmup: 2, min: 0.02), 0.05, "warm-up")
        // Warm-up as long as training: the cosine never starts (K = 1).
        expectClose(rate(.cosine, step: 3, total: 4, warmup: 4), 1, "all warm-up")
    }

    @Test func stepByHand() {
        let s = LearningRateSchedule.step(everyEpochs: 2, gamma: 0.5)
        // 3 steps per epoch: epochs 0-1 at η, 2-3 at η/2, 4-5 at η/4.
        for t in 0..<6 { expectClose(rate(s, base: 0.1, step: t, perEpoch: 3), 0.1, "t=\(t)") }
        for t in 6..<12 { expectClose(rate(s, base: 0.1, step: t, perEpoch: 3), 0.05, "t=\(t)") }
        expectClose(rate(s, base: 0.1, step: 12, perEpoch: 3), 0.025, "t=12")
    }

    @Test func plateauByHand() {
        // patience 1: reduced after the second epoch in a row without improvement. (Rates that
        // Float and Double both hold exactly.)
        var p = PlateauTracker(rate: 0.5, factor: 0.5, patience: 1, floor: 0.1875)
        p.record(1.0); #expect(p.rate == 0.5)
        p.record(1.0); #expect(p.rate == 0.5)
        p.record(0.99995); #expect(p.rate == 0.25)  // not below 1 · (1 − 1e-4): the second bad epoch
        p.record(0.5); p.record(0.6); p.record(0.7)
        #expect(p.rate == 0.1875)  // 0.125 floored
        p.record(0.8); p.record(0.9)
        #expect(p.rate == 0.1875)
        #expect(p.badEpochs == 0)
        #expect(rate(.plateau(factor: 0.5, patience: 1), base: 0.5, step: 3, plateau: p.rate) == 0.1875)
        #expect(rate(.plateau(factor: 0.5, patience: 1), base: 0.5, step: 3) == 0.5)
    }

    @Test func warmUpFractionRoundsUp() {
        var c = TrainingConfig()
        c.warmupFraction = 0.1
        #expect(c.warmup(totalSteps: 95) == 10)
        #expect(c.warmup(totalSteps: 100) == 10)
        c.warmupFraction = 0
        c.warmupSteps = 7
        #expect(c.warmup(totalSteps: 100) == 7)
    }

    @Test func cosineMatchesPyTorch() throws {
        for case let c as [String: Any] in try #require(Self.fixture["cosine"] as? [Any]) {
            let (base, min) = (Float(c["base"] as! Double), Float(c["min"] as! Double))
            let (warmup, total) = (c["warmup"] as! Int, c["total"] as! Int)
            let rates = c["rates"] as! [Double]
            for (t, expected) in rates.enumerated() {
                let got = rate(.cosine, base: base, step: t, total: total, warmup: warmup, min: min)
                // The fixture's rates come from Python floats of η given in decimal; ours from η as a Float.
                expectClose(got, expected, "cosine \(c["base"]!) t=\(t)", relative: 1e-7)
            }
        }
    }

    @Test func stepMatchesPyTorch() throws {
        for case let c as [String: Any] in try #require(Self.fixture["step"] as? [Any]) {
            let s = LearningRateSchedule.step(everyEpochs: c["step_size"] as! Int, gamma: Float(c["gamma"] as! Double))
            let perEpoch = c["steps_per_epoch"] as! Int
            for (t, expected) in (c["rates"] as! [Double]).enumerated() {
                let got = rate(s, base: Float(c["base"] as! Double), step: t, perEpoch: perEpoch, total: 100)
                expectClose(got, expected, "step t=\(t)", relative: 1e-6)
            }
        }
    }

    @Test func plateauMatchesPyTorch() throws {
        for case let c as [String: Any] in try #require(Self.fixture["plateau"] as? [Any]) {
            var p = PlateauTracker(
                rate: Float(c["base"] as! Double), factor: Float(c["factor"] as! Double),
                patience: c["patience"] as! Int, floor: Float(c["min"] as! Double))
            for (epoch, (loss, expected)) in zip(c["losses"] as! [Double], c["rates"] as! [Double]).enumerated() {
                expectClose(p.rate, expected, "plateau epoch \(epoch)", relative: 1e-6)
                p.record(loss)
            }
        }
    }
}
