/// The project's one source of randomness: xoshiro256** (Blackman & Vigna), seeded through
/// SplitMix64 so that every 64-bit seed, including 0, gives a well-mixed state.
///
/// Every random choice in charnn (initialisation, shuffles, splits, the Elman cell's random
/// hidden state) draws from a generator like this one, so a run is reproducible from its seed.
/// A value type: copying a generator forks an identical stream.
package struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    package init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    @inline(__always)
    package mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits: every Float value it returns is exact.
    @inline(__always)
    package mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// Uniform in [low, high).
    @inline(__always)
    package mutating func nextFloat(in low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }

    /// Uniform integer in 0..<bound without modulo bias (Lemire's method).
    package mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Fisher–Yates shuffle with this generator (the standard library's `shuffle(using:)` does
    /// not promise a stable algorithm across releases; this one never changes).
    package mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ items: inout C)
    where C.Index == Int {
        var i = items.endIndex - 1
        while i > items.startIndex {
            let j = items.startIndex + nextInt(below: i - items.startIndex + 1)
            items.swapAt(i, j)
            i -= 1
        }
    }

    /// A generator for a sub-stream (e.g. "epoch 3 of this run"), independent of how many
    /// numbers this one has drawn.
    package static func derived(seed: UInt64, stream: UInt64) -> Xoshiro256 {
        Xoshiro256(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03 &+ 0x8CB9_2BA7_2F3D_8DD7))
    }
}
