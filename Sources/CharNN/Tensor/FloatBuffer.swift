/// Float storage whose address never moves: what parameters, gradients, optimizer state and
/// the autodiff arena are made of, so kernels can hold plain pointers into it. 64-byte aligned
/// (a cache line, and whole SIMD registers), zero-filled unless asked otherwise.
// @unchecked Sendable: `pointer` and `count` never change; the numbers behind them are
// synchronised by the owner (a parameter, an optimizer or an arena, see their notes).
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// `zeroed: false` leaves the contents undefined (the arena writes before it reads), and
    /// leaves untouched pages out of the process's resident memory.
    init(count: Int, zeroed: Bool = true) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: max(count, 1)) }
    }

    convenience init(copying values: [Float]) {
        self.init(count: values.count)
        for (i, v) in values.enumerated() { pointer[i] = v }
    }

    deinit { pointer.deallocate() }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    var array: [Float] { Array(buffer) }

    func zero() { pointer.update(repeating: 0, count: count) }
}
