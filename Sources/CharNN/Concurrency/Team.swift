/// The members of a `WorkerPool.team` job: which one this is, how many run, the logical pieces
/// the work is cut into, and a barrier where all members meet.
///
/// `pieces` is fixed by the work's size and the pool's size, not by how many members came: a
/// member runs the contiguous pieces `myPieces`, and wherever members add up partial results
/// it computes one partial per piece (`forEachPiece`), so a team of one gives the same bits
/// as a full team.
struct Team {
    let member: Int
    let size: Int
    let pieces: Int
    fileprivate let pool: WorkerPool

    init(member: Int, size: Int, pieces: Int, pool: WorkerPool) {
        (self.member, self.size, self.pieces, self.pool) = (member, size, pieces, pool)
    }

    /// The logical pieces this member runs.
    var myPieces: Range<Int> { pieces * member / size..<pieces * (member + 1) / size }

    /// Returns once every member has called it.
    @inline(__always)
    func barrier() {
        if size > 1 { pool.barrierForTeam(size: size) }
    }

    /// This member's share of 0..<count: the union of its pieces' shares (the same rows every
    /// time the team has the same size).
    /// `granule`: shares start at multiples of it (16 for weights packed 16 rows to a panel).
    @inline(__always)
    func share(_ count: Int, granule: Int = 8) -> Range<Int> {
        let mine = myPieces
        guard !mine.isEmpty else { return count..<count }
        let first = WorkerPool.share(of: count, piece: mine.lowerBound, pieces: pieces, granule: granule)
        let last = WorkerPool.share(of: count, piece: mine.upperBound - 1, pieces: pieces, granule: granule)
        return first.lowerBound..<last.upperBound
    }

    /// Calls body(piece, that piece's share of 0..<count) for each of this member's pieces:
    /// for work whose partial results are summed across pieces.
    @inline(__always)
    func forEachPiece(_ count: Int, _ body: (Int, Range<Int>) -> Void) {
        for piece in myPieces { body(piece, WorkerPool.share(of: count, piece: piece, pieces: pieces)) }
    }

    /// dest[r, columns] (+)= Σ over pieces of their partials of `generation`, row r, for `rows`
    /// rows (row-major, `partials.width` columns, like dest), always in piece order: each
    /// piece wrote its partial product (over its share of a contraction); after a barrier, each
    /// member sums the columns it owns.
    func sumPartials(
        _ partials: TeamPartials, generation: Int = 0, rows: Int, columns: Range<Int>,
        into dest: UnsafeMutablePointer<Float>, adding: Bool
    ) {
        guard !columns.isEmpty else { return }
        let (first, ld) = (partials.all(generation), partials.width)
        for r in 0..<rows {
            let out = dest + r * ld + columns.lowerBound
            if !adding { out.update(from: first + r * ld + columns.lowerBound, count: columns.count) }
            for m in (adding ? 0 : 1)..<pieces {
                Kernels.axpy(1, first + m * partials.size + r * ld + columns.lowerBound, out, columns.count)
            }
        }
    }
}

/// Scratch where every piece of a team's work writes its partial of a sum it shares out
/// (`rows × width` floats each) for `Team.sumPartials` to add up. With two generations, a
/// member may write the next step's partial while another still reads this step's.
struct TeamPartials {
    let base: UnsafeMutablePointer<Float>
    let members: Int
    let width: Int
    /// Floats per piece and generation.
    let size: Int
    let generations: Int

    /// `members`: the most pieces a team of the pool can have (its thread count).
    init(arena: Arena, members: Int, rows: Int, width: Int, generations: Int = 2) {
        (self.members, self.width, size, self.generations) = (members, width, rows * width, generations)
        base = arena.allocate(generations * members * rows * width)
    }

    /// The partials of every piece in `generation`, one after the other.
    func all(_ generation: Int) -> UnsafeMutablePointer<Float> { base + generation % generations * members * size }

    /// The partial of `piece` in `generation`.
    func slot(_ generation: Int, member piece: Int) -> UnsafeMutablePointer<Float> { all(generation) + piece * size }
}
