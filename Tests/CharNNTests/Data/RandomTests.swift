import Testing
@testable import CharNN

@Suite struct RandomTests {
    /// The reference xoshiro256** output for the SplitMix64-expanded seed 0 (computed with the
    /// authors' C code, xoshiro256starstar.c, seeded the same way).
    @Test func knownSequence() {
        var rng = Xoshiro256(seed: 0)
        let first = (0..<3).map { _ in rng.next() }
        #expect(first == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
    }

    @Test func sameSeedSameStream() {
        var a = Xoshiro256(seed: 12345), b = Xoshiro256(seed: 12345), c = Xoshiro256(seed: 12346)
        let sa = (0..<100).map { _ in a.next() }
        #expect(sa == (0..<100).map { _ in b.next() })
        #expect(sa != (0..<100).map { _ in c.next() })
    }

    @Test func unitFloatsAreInRangeAndRoughlyUniform() {
        var rng = Xoshiro256(seed: 3)
        var sum = 0.0
        for _ in 0..<100_000 {
            let x = rng.nextUnitFloat()
            #expect(x >= 0 && x < 1)
            sum += Double(x)
        }
        #expect(abs(sum / 100_000 - 0.5) < 0.01)
    }

    @Test func boundedIntsCoverTheirRange() {
        var rng = Xoshiro256(seed: 9)
        var seen = [Int](repeating: 0, count: 7)
        for _ in 0..<7_000 { seen[rng.nextInt(below: 7)] += 1 }
        #expect(seen.allSatisfy { $0 > 850 && $0 < 1_150 })
    }

    @Test func shuffleIsAPermutationAndReproducible() {
        var a = Xoshiro256(seed: 5), b = Xoshiro256(seed: 5)
        var x = Array(0..<50), y = Array(0..<50)
        a.shuffle(&x)
        b.shuffle(&y)
        #expect(x == y)
        #expect(x != Array(0..<50))
        #expect(x.sorted() == Array(0..<50))
    }
}
