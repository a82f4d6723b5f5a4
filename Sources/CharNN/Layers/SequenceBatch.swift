/// Names of different lengths side by side, time-major and right-padded: token (t, b) is
/// tokens[t·size + b], valid while t < lengths[b]. The fused layers carry each name's state
/// unchanged through its padding, so every name's result equals running it alone (the mask
/// replaces PyTorch's packed sequences).
public struct SequenceBatch: Sendable {
    public private(set) var size = 0
    public private(set) var steps = 0
    public private(set) var tokens: [Int32] = []
    public private(set) var lengths: [Int32] = []

    public init() {}

    /// A batch of encoded names (each non-empty).
    public init(_ names: [ArraySlice<UInt8>]) {
        fill(count: names.count) { names[$0] }
    }

    /// Refills this batch, keeping its storage (no allocation once it is big enough).
    public mutating func fill(count: Int, _ name: (Int) -> ArraySlice<UInt8>) {
        size = count
        steps = 0
        lengths.removeAll(keepingCapacity: true)
        for b in 0..<count {
            let length = name(b).count
            precondition(length > 0, "a name in a batch has no tokens")
            lengths.append(Int32(length))
            steps = max(steps, length)
        }
        tokens.removeAll(keepingCapacity: true)
        tokens.append(contentsOf: repeatElement(0, count: steps * count))
        for b in 0..<count {
            for (t, token) in name(b).enumerated() { tokens[t * count + b] = Int32(token) }
        }
    }

    @inline(__always) func token(_ t: Int, _ b: Int) -> Int { Int(tokens[t * size + b]) }
    @inline(__always) func length(_ b: Int) -> Int { Int(lengths[b]) }
    @inline(__always) func isValid(_ t: Int, _ b: Int) -> Bool { t < Int(lengths[b]) }
}
