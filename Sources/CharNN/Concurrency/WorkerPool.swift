import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs the pieces of one computation on several cores at once: the calling thread is member 0
/// and persistent worker thread i is member i, always, so each core keeps working on the same
/// rows of the same weights from step to step and finds them in its own cache. Workers spin
/// for a moment after each job (a training step calls again within microseconds, far sooner
/// than a sleeping thread wakes) and then sleep until the next one.
///
/// One job at a time: a thread that finds the pool busy (many threads predicting at once, or
/// a job started from inside a job) runs its work alone, as a team of one, so no caller ever
/// waits for another.
///
/// The number of threads is `CHARNN_NUM_THREADS` when it is a number from 1 (no parallelism)
/// up (at most 64), else the number of online cores, at most 8.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(threads: WorkerPool.configuredThreads())

    /// Threads that run pieces, the caller included.
    let threadCount: Int

    /// The job's closure: written by the caller before it publishes the job in `job`
    /// (release), read by a worker after it sees the job (acquire); the caller waits for every
    /// member before it returns, which keeps the closure alive meanwhile.
    private nonisolated(unsafe) var body: ((Int) -> Void)?
    /// generation (bits 16–63) and the number of members (bits 0–15) of the current job.
    private let job = Atomic<UInt64>(0)
    private let unfinished = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    // A sense-reversing barrier for the members of a team.
    private let arrived = Atomic<Int>(0)
    private let barrierRound = Atomic<Int>(0)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>

    init(threads: Int) {
        threadCount = min(max(1, threads), 1 << 15)
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for member in 1..<threadCount {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(Worker(pool: self, member: member)).toOpaque()
            pthread_create(&thread, nil, { context in
                Unmanaged<Worker>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
            pthread_detach(thread)
        }
    }

    private final class Worker {
        let pool: WorkerPool
        let member: Int
        init(pool: WorkerPool, member: Int) { (self.pool, self.member) = (pool, member) }
        func run() { pool.work(as: member) }
    }

    static func configuredThreads() -> Int {
        if let text = getenv("CHARNN_NUM_THREADS"), let n = Int(String(cString: text)), n >= 1 { return min(n, 64) }
        return min(8, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Runs body(0), …, body(members − 1) at once, member i on thread i, and returns when all
    /// are done. `members` is at most `threadCount`; when the pool is busy every piece runs
    /// here, one after the other, so bodies that wait for each other must use `team` instead.
    func run(_ members: Int, _ body: (Int) -> Void) {
        let members = min(members, threadCount)
        guard members > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<members { body(i) }
            return
        }
        runHoldingPool(members, body)
    }

    /// `run` for a caller that holds `busy`; releases it.
    private func runHoldingPool(_ members: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            self.body = escapable
            unfinished.store(members - 1, ordering: .relaxed)
            let generation = (job.load(ordering: .relaxed) >> 16) &+ 1
            job.store(generation << 16 | UInt64(members), ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            escapable(0)
            while unfinished.load(ordering: .acquiring) > 0 {}
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
    }

    private func work(as member: Int) {
        FlushToZero.enableForThisThread()  // this thread only ever runs charnn's kernels
        // Generation 0 is "no job yet": a job published before this thread got here still runs.
        var seen: UInt64 = 0
        while true {
            // Spin for new work for about half a millisecond (longer than a training step takes
            // between two parallel calls), then sleep.
            var current = job.load(ordering: .acquiring)
            var spins = 0
            while current >> 16 == seen && spins < 500_000 {
                spins += 1
                current = job.load(ordering: .acquiring)
            }
            if current >> 16 == seen {
                pthread_mutex_lock(mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while job.load(ordering: .sequentiallyConsistent) >> 16 == seen { pthread_cond_wait(wake, mutex) }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(mutex)
                current = job.load(ordering: .acquiring)
            }
            seen = current >> 16
            if member < Int(current & 0xFFFF) {
                body!(member)
                unfinished.subtract(1, ordering: .releasing)
            }
        }
    }

    /// Runs `body` on every member of a team at once (the caller is member 0). The members may
    /// wait for each other with `Team.barrier()`. A busy pool, or `cost` below `threshold`,
    /// gives a team of one.
    func team(cost: Int = .max, threshold: Int = 0, _ body: (Team) -> Void) {
        guard cost >= threshold, threadCount > 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return body(Team(member: 0, size: 1, pool: self))
        }
        let size = threadCount
        arrived.store(0, ordering: .relaxed)
        runHoldingPool(size) { member in body(Team(member: member, size: size, pool: self)) }
    }

    fileprivate func barrier(size: Int) {
        let round = barrierRound.load(ordering: .acquiring)
        if arrived.add(1, ordering: .acquiringAndReleasing).newValue == size {
            arrived.store(0, ordering: .relaxed)
            barrierRound.add(1, ordering: .releasing)
        } else {
            while barrierRound.load(ordering: .acquiring) == round {}
        }
    }

    /// Runs `body(member, members)` on each member when `cost` reaches `threshold` (else once,
    /// as member 0 of 1) and returns whether every call returned true.
    func allPieces(cost: Int, threshold: Int = 1 << 16, _ body: (Int, Int) -> Bool) -> Bool {
        let members = cost >= threshold ? threadCount : 1
        guard members > 1 else { return body(0, 1) }
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: members) { results in
            for i in 0..<members { results[i] = false }
            run(members) { p in results[p] = body(p, members) }
            return results.allSatisfy { $0 }
        }
    }

    /// Member `piece` of `pieces`' share of 0..<count, cut at multiples of `granule`. Every
    /// split of the same count agrees, so the same rows always land on the same core.
    static func share(of count: Int, piece: Int, pieces: Int, granule: Int = 8) -> Range<Int> {
        let chunk = ((count + pieces - 1) / pieces + granule - 1) / granule * granule
        return min(count, piece * chunk)..<min(count, (piece + 1) * chunk)
    }
}

/// The members of a `WorkerPool.team` job: which one this is, how many there are, and a
/// barrier where all of them meet.
struct Team {
    let member: Int
    let size: Int
    fileprivate let pool: WorkerPool

    /// Returns once every member has called it.
    @inline(__always)
    func barrier() {
        if size > 1 { pool.barrier(size: size) }
    }

    /// This member's share of 0..<count (the same rows every time).
    @inline(__always)
    func share(_ count: Int) -> Range<Int> {
        WorkerPool.share(of: count, piece: member, pieces: size)
    }

    /// dest[r, columns] (+)= Σ over members of their partials of `generation`, row r, for
    /// `rows` rows (row-major, `partials.width` columns, like dest): each member wrote its
    /// partial product (over its share of a contraction); after a barrier, each member sums the
    /// columns it owns.
    func sumPartials(_ partials: TeamPartials, generation: Int = 0, rows: Int, columns: Range<Int>,
                     into dest: UnsafeMutablePointer<Float>, adding: Bool) {
        guard !columns.isEmpty else { return }
        let (first, ld) = (partials.all(generation), partials.width)
        for r in 0..<rows {
            let out = dest + r * ld + columns.lowerBound
            if !adding { out.update(from: first + r * ld + columns.lowerBound, count: columns.count) }
            for m in (adding ? 0 : 1)..<size {
                Kernels.axpy(1, first + m * partials.size + r * ld + columns.lowerBound, out, columns.count)
            }
        }
    }
}

/// Scratch where every member of a team writes its partial of a sum it shares out (`rows ×
/// width` floats each) for `Team.sumPartials` to add up. With two generations, a member may
/// write the next step's partial while another still reads this step's.
struct TeamPartials {
    let base: UnsafeMutablePointer<Float>
    let members: Int
    let width: Int
    /// Floats per member and generation.
    let size: Int
    let generations: Int

    init(arena: Arena, members: Int, rows: Int, width: Int, generations: Int = 2) {
        (self.members, self.width, size, self.generations) = (members, width, rows * width, generations)
        base = arena.allocate(generations * members * rows * width)
    }

    /// The partials of every member in `generation`, one after the other.
    func all(_ generation: Int) -> UnsafeMutablePointer<Float> { base + generation % generations * members * size }

    /// This member's partial in `generation`.
    func slot(_ generation: Int, member: Int) -> UnsafeMutablePointer<Float> { all(generation) + member * size }
}
