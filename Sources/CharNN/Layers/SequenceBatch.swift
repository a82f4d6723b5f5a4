/// Names of different lengths side by side, time-major and right-padded: token (t, b) is
/// tokens[t·size + b], valid while t < lengths[b]. Rows are sorted longest first, so at each
/// step the names still being read are a prefix of the rows (`active(t)` of them): the fused
/// layers compute only those rows and carry the others' state unchanged, so every name's
/// result equals running it alone (PyTorch's packed sequences, without the packing).
/// `source(r)` says which of the caller's names row r holds.
struct SequenceBatch: Sendable {
    private(set) var size = 0
    private(set) var steps = 0
    private(set) var tokens: [Int32] = []
    private(set) var lengths: [Int32] = []
    /// rowSources[r]: the caller's index of the name in row r.
    private(set) var rowSources: [Int32] = []
    /// activeRows[t]: how many rows (a prefix) are longer than t.
    private(set) var activeRows: [Int32] = []
    /// Scratch for the sort (kept, so refilling allocates nothing).
    private var sortedLengths: [Int32] = []

    init() {}

    /// A batch of encoded names (each non-empty).
    init(_ names: [ArraySlice<UInt16>]) {
        fill(count: names.count) { names[$0] }
    }

    /// Refills this batch, keeping its storage (no allocation once it is big enough).
    mutating func fill(count: Int, _ name: (Int) -> ArraySlice<UInt16>) {
        size = count
        rowSources.removeAll(keepingCapacity: true)
        rowSources.append(contentsOf: 0..<Int32(count))
        lengths.removeAll(keepingCapacity: true)
        for b in 0..<count {
            precondition(!name(b).isEmpty, "a name in a batch has no tokens")
            lengths.append(Int32(name(b).count))
        }
        // Longest first; ties keep the caller's order (the sort is stable on the index).
        rowSources.sort { lengths[Int($0)] != lengths[Int($1)] ? lengths[Int($0)] > lengths[Int($1)] : $0 < $1 }
        steps = count > 0 ? Int(lengths[Int(rowSources[0])]) : 0
        for r in 0..<count { sortedLengths.append(lengths[Int(rowSources[r])]) }
        swap(&lengths, &sortedLengths)
        sortedLengths.removeAll(keepingCapacity: true)
        tokens.removeAll(keepingCapacity: true)
        tokens.append(contentsOf: repeatElement(0, count: steps * count))
        for r in 0..<count {
            for (t, token) in name(Int(rowSources[r])).enumerated() { tokens[t * count + r] = Int32(token) }
        }
        activeRows.removeAll(keepingCapacity: true)
        var active = count
        for t in 0..<steps {
            while active > 0 && Int(lengths[active - 1]) <= t { active -= 1 }
            activeRows.append(Int32(active))
        }
    }

    /// Whether every name has the same length (always so for one name): then the steps can be
    /// taken together as one block of steps × size rows.
    var isRectangular: Bool { size == 0 || lengths[0] == lengths[size - 1] }

    /// Calls body(first step, steps, rows) for blocks of steps whose rows are all reading: the
    /// whole sequence at once when the batch is rectangular, step by step otherwise.
    @inline(__always) func forEachBlock(_ body: (Int, Int, Int) -> Void) {
        if isRectangular { return body(0, steps, size) }
        for t in 0..<steps { body(t, 1, active(t)) }
    }

    /// The same rows with each name's tokens reversed (what a backward direction reads): the
    /// rows still reading at each step are the same prefix.
    func readingBackwards() -> SequenceBatch {
        var reversed = self
        for b in 0..<size {
            let length = self.length(b)
            for t in 0..<length { reversed.tokens[t * size + b] = tokens[(length - 1 - t) * size + b] }
        }
        return reversed
    }

    /// The time (character index) that step t of direction d reads in row b: t forwards, the
    /// mirror position within the name backwards.
    @inline(__always) func time(step t: Int, row b: Int, direction d: Int) -> Int { d == 0 ? t : length(b) - 1 - t }

    /// to[t, b, columns] = from[time(t, b, backwards), b, columns] for the rows still reading,
    /// zeros past a name's end: a time-ordered input [steps × size × width] in backward order.
    func reverseRows(
        _ from: UnsafePointer<Float>, into to: UnsafeMutablePointer<Float>, width: Int, columns: Range<Int>
    ) {
        for t in 0..<steps {
            let active = self.active(t)
            for b in 0..<size {
                let row = to + (t * size + b) * width + columns.lowerBound
                if b < active {
                    row.update(
                        from: from + (time(step: t, row: b, direction: 1) * size + b) * width + columns.lowerBound,
                        count: columns.count)
                } else {
                    row.update(repeating: 0, count: columns.count)
                }
            }
        }
    }

    @inline(__always) func token(_ t: Int, _ b: Int) -> Int { Int(tokens[t * size + b]) }
    @inline(__always) func length(_ b: Int) -> Int { Int(lengths[b]) }
    @inline(__always) func isValid(_ t: Int, _ b: Int) -> Bool { b < Int(activeRows[t]) }
    /// Rows still reading at step t (0 past the longest name).
    @inline(__always) func active(_ t: Int) -> Int { t < steps ? Int(activeRows[t]) : 0 }
    /// The caller's index of the name in row r.
    @inline(__always) func source(_ r: Int) -> Int { Int(rowSources[r]) }
}
