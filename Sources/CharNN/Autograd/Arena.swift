/// A bump allocator for the values and gradients of one training step. Memory is handed out in
/// order and given back all at once by `reset()`; after the first steps have shown how much a
/// step needs, it lives in one buffer and a step allocates nothing.
// @unchecked Sendable: one user at a time, who owns it for the call: a graph, a trainer, or an
// inference call that took it from `Model`'s pool (a `Locked` list).
final class Arena: @unchecked Sendable {
    private var chunks: [FloatBuffer] = []
    private var chunk = 0
    private var offset = 0
    /// How many buffers the arena has ever created: constant in steady state (a test checks).
    private(set) var buffersCreated = 0

    init(initialCapacity: Int = 1 << 16) {
        chunks = [FloatBuffer(count: initialCapacity, zeroed: false)]
        buffersCreated = 1
    }

    /// Room for `count` floats, 64-byte aligned, contents undefined. Stable until `reset()`.
    func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = (max(count, 1) + 15) & ~15
        while true {
            if offset + n <= chunks[chunk].count {
                defer { offset += n }
                return chunks[chunk].pointer + offset
            }
            if chunk + 1 < chunks.count {
                chunk += 1
                offset = 0
                continue
            }
            chunks.append(FloatBuffer(count: max(n, chunks[chunk].count * 2), zeroed: false))
            buffersCreated += 1
            chunk += 1
            offset = 0
        }
    }

    /// Room for `count` zeros.
    func allocateZeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = allocate(count)
        p.update(repeating: 0, count: count)
        return p
    }

    /// Gives back everything. If the last step needed more than one buffer, they are merged into
    /// one big enough for it, so the next steps allocate nothing.
    func reset() {
        if chunks.count > 1 {
            let total = chunks.reduce(0) { $0 + $1.count }
            chunks = []  // the old buffers go before the merged one comes: no double peak
            chunks = [FloatBuffer(count: total, zeroed: false)]
            buffersCreated += 1
        }
        chunk = 0
        offset = 0
    }

    var capacity: Int { chunks.reduce(0) { $0 + $1.count } }
}
