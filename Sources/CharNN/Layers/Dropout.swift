/// Inverted dropout (`nn.Dropout` in training mode): each value is kept with probability 1 − p
/// and scaled by 1/(1 − p), so inference reads the network as it is.
///
/// A training step's masks come from a `DropoutMasks`: drawn from a seeded generator in
/// training, given explicitly by tests (to compare with PyTorch on the same masks).
struct DropoutMasks {
    /// Fills mask[0..<count] with 0 or 1/(1 − p) for `site`: 1..<layers is the input of that
    /// layer (the output of the one below), `layers` the head's input.
    let fill: (_ site: Int, _ mask: UnsafeMutablePointer<Float>, _ count: Int) -> Void

    /// Masks drawn from `seed` for training step `step` (one stream per step and site, tagged
    /// apart from the seed's other streams): the same seed and step give the same masks.
    static func random(probability p: Float, seed: UInt64, step: UInt64 = 0) -> DropoutMasks {
        DropoutMasks { site, mask, count in
            var rng = Xoshiro256.derived(seed: seed, stream: 0x4000_0000_0000_0000 | (step << 8) | UInt64(site & 0xFF))
            let scale = 1 / (1 - p)
            for i in 0..<count { mask[i] = rng.nextUnitFloat() < p ? 0 : scale }
        }
    }
}

enum Dropout {
    /// output[r, columns] = input[r, columns] ⊙ mask[r, columns] for `rows` rows of `width`
    /// (in place when output is input): the forward pass, and the backward one on gradients.
    static func apply(
        _ mask: UnsafePointer<Float>, to input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
        rows: Int, width: Int, columns: Range<Int>
    ) {
        for r in 0..<rows {
            let offset = r * width + columns.lowerBound
            for j in 0..<columns.count { output[offset + j] = input[offset + j] * mask[offset + j] }
        }
    }
}
