import Synchronization
import CharNNPlatform

/// Runs the pieces of one computation on several cores at once, and only when that pays:
///
/// - **Small work stays on the caller's thread.** A team (members meeting at a barrier once per
///   character) needs `ParallelPolicy.teamMinimumStepWork` multiply-adds per member between
///   barriers; a streaming job (optimizer step, clipping) `piecesMinimumBytes`.
/// - **Only workers that are running take part.** Workers spin briefly after a job, then
///   sleep. A job invites the spinning ones; it wakes sleeping ones only when it is big enough
///   to repay a wake-up (`wakeMinimumWork`) or belongs to a training loop (`sustained`), and
///   starts without those that do not show up in time (`ParallelPolicy.joinNanoseconds`). So a
///   worker the OS has descheduled is simply not in the team.
/// - **Nobody spins without a bound.** Barriers and joins spin for about a wake-up's time,
///   then yield and sleep (`ParkingLot`).
/// - **A busy machine sends work home.** When a parallel job's members spend a large share of
///   it waiting for each other (a member was descheduled: another process holds the core), the
///   `ContentionGovernor` runs jobs on the caller's thread for a while, backing off
///   exponentially while the machine stays busy.
///
/// Results do not depend on who runs what: a team's work is cut into `pieces` logical shares
/// fixed by the work's size and the pool's size alone, and a member that runs several shares
/// (or the caller alone) computes each share's partial sums separately and adds them in the
/// same order. Training is reproducible bit for bit for a given `CHARNN_NUM_THREADS` (and
/// `CHARNN_PARALLEL_MIN_STEP_WORK`), whatever else the machine is doing.
///
/// One job at a time: a thread that finds the pool busy (many threads predicting at once, or a
/// job started from inside a job) runs its work alone.
// @unchecked Sendable: job state is `Atomic`; `teamBody` and `pieceBody` are written before a
// job is published (sequentially consistent) and read by a worker only once it holds a seat or
// a piece of that job, and `threadCount` is fixed by `init` before any worker sees the pool.
final class WorkerPool: @unchecked Sendable {
    static let shared: WorkerPool = {
        let pool = WorkerPool(threads: CPUBudget.configuredThreads())
        sharedExists.store(true, ordering: .releasing)
        return pool
    }()
    /// Whether `shared` has been made (so `shutdownShared` does not start a pool to stop it).
    private static let sharedExists = Atomic<Bool>(false)

    /// `stopSharedWorkers()`.
    static func stopSharedWorkers() {
        guard sharedExists.load(ordering: .acquiring) else { return }
        shared.stopWorkers()
    }

    /// Threads that may run pieces, the caller included (set once, by `init`).
    private(set) var threadCount: Int
    let governor = ContentionGovernor()
    /// The host's online cores, read once.
    private let onlineCores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    private let lot = ParkingLot()

    // The current job. Its closure is written before the job is published and read by a worker
    // only after it holds a seat or a piece of that job, which the caller waits for.
    private nonisolated(unsafe) var teamBody: ((Team) -> Void)?
    private nonisolated(unsafe) var pieceBody: ((Int) -> Void)?
    /// The job's number (bits 1…) and kind (bit 0: 1 for a team): what workers wait on.
    private let published = Atomic<UInt64>(0)
    /// Team job: number << 32 | closed | seated workers (bit w for worker w).
    /// Pieces job: number << 32 | next piece << 16 | piece count.
    private let ticket = Atomic<UInt64>(0)
    /// Team: seated members still running. Pieces: pieces not finished.
    private let unfinished = Atomic<Int>(0)
    /// Nanoseconds the job's members spent waiting for each other, and the waits that were long.
    private let waited = Atomic<UInt64>(0)
    private let longWaits = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    // A sense-reversing barrier for the members of a team.
    private let arrived = Atomic<Int>(0)
    private let barrierRound = Atomic<Int>(0)

    /// The worker threads running now (joined and emptied by `stopWorkers`), touched only by a
    /// thread holding `busy`, or by `init`.
    private nonisolated(unsafe) var threads: [pthread_t] = []
    /// The threads `init` asked for, the caller included: what `startWorkers` starts again.
    private let wantedThreads: Int
    /// Set by `stopWorkers` while it wakes the workers to return; cleared once they are joined.
    private let stopping = Atomic<Bool>(false)
    /// Set by `stopWorkers` once the workers are joined: the next job starts them again.
    private let stopped = Atomic<Bool>(false)

    private static let seatBits = 31
    private static let closed: UInt64 = 1 << seatBits
    private static let seatMask: UInt64 = closed - 1
    private static let maxPieces = 0xFFFF

    init(threads: Int) {
        wantedThreads = min(max(1, threads), CPUBudget.maxConfigurableThreads)
        threadCount = wantedThreads
        startWorkers()
    }

    /// Starts workers 1..<wantedThreads. A thread that cannot be created (a container's pids
    /// limit) ends the pool there: it has the threads that started. Called by `init` and by a
    /// thread holding `busy` (no job running), after `stopWorkers`.
    private func startWorkers() {
        var started = 1
        for worker in 1..<wantedThreads {
            var thread = pthread_t()
            let worker = Unmanaged.passRetained(Worker(pool: self, index: worker))
            let status = pthread_create(
                &thread, nil,
                { context in
                    Unmanaged<Worker>.fromOpaque(context!).takeRetainedValue().run()
                    return nil
                }, worker.toOpaque())
            guard status == 0 else {
                worker.release()
                break
            }
            threads.append(thread)
            started += 1
        }
        threadCount = started
        stopped.store(false, ordering: .releasing)
    }

    /// An orderly end: waits for the job running now (if any) to finish, tells the workers to
    /// return, wakes the sleeping ones and joins every thread. Jobs after it start the workers
    /// again (`mayStart`). Not for a thread inside a job of this pool (it would wait for itself).
    func stopWorkers() {
        while !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            sched_yield()
        }
        defer { busy.store(false, ordering: .releasing) }
        guard !threads.isEmpty else { return }
        stopping.store(true, ordering: .sequentiallyConsistent)
        lot.notifyAll()
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
        stopping.store(false, ordering: .relaxed)
        stopped.store(true, ordering: .releasing)
    }

    /// After `stopWorkers`: starts the workers again, unless a job holds the pool (that job
    /// started them, or runs alone).
    private func restartWorkers() {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        defer { busy.store(false, ordering: .releasing) }
        if stopped.load(ordering: .acquiring) { startWorkers() }
    }

    private final class Worker {
        let pool: WorkerPool
        let index: Int
        init(pool: WorkerPool, index: Int) { (self.pool, self.index) = (pool, index) }
        func run() { pool.work(as: index) }
    }

    // MARK: Teams

    /// Runs `body` on every member of a team at once (the caller is member 0); members may
    /// wait for each other with `Team.barrier()`. `stepWork` is the multiply-adds between two
    /// barriers, `work` the whole job's: they decide whether a team pays (else the caller runs
    /// `body` alone, as a team of one that still computes every logical piece).
    func team(stepWork: Int, work: Int, _ body: (Team) -> Void) {
        // Workers flush denormals to zero; so does the caller, whoever ends up running a piece.
        FlushToZero.run { teamFlushingDenormals(stepWork: stepWork, work: work, body) }
    }

    private func teamFlushingDenormals(stepWork: Int, work: Int, _ body: (Team) -> Void) {
        guard threadCount > 1, stepWork >= ParallelPolicy.teamMinimumStepWork else {
            PoolDecisions.record(.belowThreshold)
            return body(Team(member: 0, size: 1, pieces: 1, pool: self))
        }
        let alone = Team(member: 0, size: 1, pieces: threadCount, pool: self)
        let insist = PoolDecisions.current?.insistOnTeams == true
        let wake = work >= ParallelPolicy.wakeMinimumWork || Self.isSustained || insist
        guard mayStart(wake: wake) else { return body(alone) }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            // Written before the job is published; seated workers read it once the seats close.
            teamBody = body
            defer { teamBody = nil }
            let seated = seatTeam(
                wake: wake,
                joinNanoseconds: insist
                    ? ParallelPolicy.joinMaximumNanoseconds
                    : ParallelPolicy.joinNanoseconds(work: work))
            guard seated != 0 else {
                PoolDecisions.record(.unavailable)
                return body(alone)
            }
            let size = seated.nonzeroBitCount + 1
            let start = MonotonicClock.nanoseconds()
            body(Team(member: 0, size: size, pieces: threadCount, pool: self))
            join()
            PoolDecisions.record(.parallel)
            governor.record(
                wall: MonotonicClock.nanoseconds() &- start, waited: waited.load(ordering: .relaxed),
                members: size, longWaits: longWaits.load(ordering: .relaxed))
        }
    }

    /// Publishes a team job (the pool held; `wake`: sleeping workers are woken for it), waits up
    /// to `joinNanoseconds` for the workers to take seats, closes the seats and returns who sat down (0: nobody). A worker that comes
    /// later sees `closed` and goes back to waiting; seated ones start when the seats close.
    private func seatTeam(wake: Bool, joinNanoseconds: UInt64) -> UInt64 {
        let number = nextJobNumber()
        arrived.store(0, ordering: .relaxed)
        waited.store(0, ordering: .relaxed)
        longWaits.store(0, ordering: .relaxed)
        ticket.store(number << 32, ordering: .relaxed)
        published.store(number << 1 | 1, ordering: .sequentiallyConsistent)
        if wake { lot.notifyAll() }
        let everyone = (UInt64(1) << min(threadCount, Self.seatBits)) - 2
        let deadline = MonotonicClock.nanoseconds() &+ joinNanoseconds
        var checks = 0
        while ticket.load(ordering: .acquiring) & Self.seatMask != everyone {
            spinPause()
            checks &+= 1
            if checks & 63 == 0 && MonotonicClock.nanoseconds() >= deadline { break }
        }
        var current = ticket.load(ordering: .acquiring)
        while true {
            unfinished.store((current & Self.seatMask).nonzeroBitCount, ordering: .relaxed)
            let (exchanged, original) = ticket.compareExchange(
                expected: current, desired: current | Self.closed,
                ordering: .sequentiallyConsistent)
            if exchanged { break }
            current = original
        }
        lot.notifyAll()  // a seated worker may have gone to sleep waiting for the close
        return current & Self.seatMask
    }

    private func join() {
        noteWait(
            lot.wait(spinNanoseconds: ParallelPolicy.waitSpinNanoseconds) {
                unfinished.load(ordering: .sequentiallyConsistent) == 0
            })
    }

    /// Adds one member's wait to the job's account.
    private func noteWait(_ nanoseconds: UInt64) {
        guard nanoseconds > 0 else { return }
        waited.add(nanoseconds, ordering: .relaxed)
        if nanoseconds >= ParallelPolicy.contendedSingleWait { longWaits.add(1, ordering: .relaxed) }
    }

    /// `Team.barrier()`.
    func barrierForTeam(size: Int) {
        let round = barrierRound.load(ordering: .acquiring)
        if arrived.add(1, ordering: .acquiringAndReleasing).newValue == size {
            arrived.store(0, ordering: .relaxed)
            barrierRound.add(1, ordering: .sequentiallyConsistent)
            lot.notifyAll()
        } else {
            noteWait(
                lot.wait(spinNanoseconds: ParallelPolicy.waitSpinNanoseconds) {
                    barrierRound.load(ordering: .sequentiallyConsistent) != round
                })
        }
    }

    // MARK: Pieces

    /// Runs body(0), …, body(count − 1), each exactly once, on whichever threads are free:
    /// the caller and the running workers claim pieces until none is left, so a worker that is
    /// not running leaves its share to the others instead of holding them up. `parallel` says
    /// whether the job is big enough to split, `wake` whether it repays waking a sleeping worker.
    func forEachPiece(_ count: Int, parallel: Bool, wake: Bool, _ body: (Int) -> Void) {
        FlushToZero.run { piecesFlushingDenormals(count, parallel: parallel, wake: wake, body) }
    }

    private func piecesFlushingDenormals(_ count: Int, parallel: Bool, wake: Bool, _ body: (Int) -> Void) {
        guard count <= Self.maxPieces else {  // the ticket counts pieces in 16 bits: run in chunks
            for start in stride(from: 0, to: count, by: Self.maxPieces) {
                forEachPiece(min(Self.maxPieces, count - start), parallel: parallel, wake: wake) { body(start + $0) }
            }
            return
        }
        let worthSplitting = parallel && count > 1 && threadCount > 1
        if !worthSplitting { PoolDecisions.record(.belowThreshold) }
        guard worthSplitting, mayStart(wake: wake) else {
            for piece in 0..<count { body(piece) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        let number = nextJobNumber()
        let start = MonotonicClock.nanoseconds()
        withoutActuallyEscaping(body) { body in
            pieceBody = body
            unfinished.store(count, ordering: .relaxed)
            ticket.store(number << 32 | UInt64(count), ordering: .relaxed)
            published.store(number << 1, ordering: .sequentiallyConsistent)
            if wake { lot.notifyAll() }
            while let piece = claimPiece(number) {
                body(piece)
                unfinished.subtract(1, ordering: .releasing)
            }
            let w = lot.wait(spinNanoseconds: ParallelPolicy.waitSpinNanoseconds) {
                unfinished.load(ordering: .sequentiallyConsistent) == 0
            }
            pieceBody = nil
            PoolDecisions.record(.parallel)
            governor.record(
                wall: MonotonicClock.nanoseconds() &- start, waited: w, members: 1,
                longWaits: w >= ParallelPolicy.contendedSingleWait ? 1 : 0)
        }
    }

    /// Runs `body(piece, pieces)` for every logical piece of a streaming job over `bytes` of
    /// memory (threadCount pieces when that is worth splitting, else one) and returns whether
    /// every call returned true. Pieces follow `WorkerPool.share`, like the teams' rows.
    func allPieces(bytes: Int, _ body: (Int, Int) -> Bool) -> Bool {
        let pieces = bytes >= ParallelPolicy.piecesMinimumBytes ? threadCount : 1
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: pieces) { results in
            forEachPiece(pieces, parallel: true, wake: bytes >= ParallelPolicy.wakeMinimumBytes || Self.isSustained) {
                p in
                results[p] = body(p, pieces)
            }
            return results.allSatisfy { $0 }
        }
    }

    private func claimPiece(_ number: UInt64) -> Int? {
        var current = ticket.load(ordering: .acquiring)
        while true {
            let next = Int(current >> 16 & 0xFFFF), count = Int(current & 0xFFFF)
            guard current >> 32 == number & 0xFFFF_FFFF, next < count else { return nil }
            let (exchanged, original) = ticket.compareExchange(
                expected: current, desired: current &+ (1 << 16),
                ordering: .acquiringAndReleasing)
            if exchanged { return next }
            current = original
        }
    }

    // MARK: Shared by both kinds of job

    /// Runs body (a loop of many jobs: training) with sleeping workers woken for every job
    /// above the thresholds, not only for long ones: one wake-up then serves the jobs that
    /// follow, since workers stay awake between jobs that come close together.
    static func sustained<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try sustainedSlot.with(UnsafeRawPointer(bitPattern: 1)!, body)
    }

    private static var isSustained: Bool { sustainedSlot.value != nil }
    private static let sustainedSlot = ThreadLocalSlot()

    /// Whether a job may go parallel now, taking the pool if so: the governor allows it, some
    /// worker is awake (or the job is worth waking one), and no other job holds the pool.
    private func mayStart(wake: Bool) -> Bool {
        if stopped.load(ordering: .acquiring) { restartWorkers() }  // after charnn_shutdown
        let decisions = PoolDecisions.current
        if let decisions, decisions.keepAlone {
            PoolDecisions.record(.keptAlone)
            return false
        }
        guard decisions?.insistOnTeams == true || governor.allowsParallel(machineIsBusy: machineIsBusy) else {
            PoolDecisions.record(.contended)
            return false
        }
        guard wake || lot.sleeperCount < threadCount - 1 else {
            PoolDecisions.record(.unavailable)
            return false
        }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            PoolDecisions.record(.busy)
            return false
        }
        return true
    }

    /// Whether a team would find no free cores: the machine's runnable threads, less this one
    /// and the pool's own awake workers, plus a full team, exceed the machine's online cores
    /// (the count is the whole host's, so it is compared with the host's cores: a container
    /// on a big busy host still tries its team, and the governor judges it by its waits).
    private func machineIsBusy() -> Bool {
        guard let running = RunnableThreads.now() else { return false }
        let awakeWorkers = threadCount - 1 - lot.sleeperCount
        return max(0, running - 1 - awakeWorkers) + threadCount > onlineCores
    }

    /// Job numbers fit the ticket's 32 bits (wrapping is harmless: a worker compares numbers
    /// only with the job it saw published a moment ago).
    private func nextJobNumber() -> UInt64 {
        ((published.load(ordering: .relaxed) >> 1) &+ 1) & 0xFFFF_FFFF
    }

    // MARK: Workers

    private func work(as worker: Int) {
        FlushToZero.enableForThisThread()  // this thread only ever runs charnn's kernels
        var seen: UInt64 = 0
        while true {
            lot.wait(spinNanoseconds: ParallelPolicy.idleSpinNanoseconds) {
                published.load(ordering: .sequentiallyConsistent) != seen
                    || stopping.load(ordering: .sequentiallyConsistent)
            }
            if stopping.load(ordering: .acquiring) { return }  // stopWorkers: no job is running
            seen = published.load(ordering: .acquiring)
            let number = seen >> 1
            if seen & 1 == 1 {
                takeSeat(worker, number)
            } else {
                while let piece = claimPiece(number) {
                    pieceBody!(piece)
                    if unfinished.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 { lot.notifyAll() }
                }
            }
        }
    }

    /// Joins team job `number` if its seats are still open, runs this member's part, reports.
    private func takeSeat(_ worker: Int, _ number: UInt64) {
        guard worker < Self.seatBits else { return }  // teams use the first 30 workers; all take pieces
        let bit = UInt64(1) << worker
        var current = ticket.load(ordering: .acquiring)
        while true {
            guard current >> 32 == number, current & Self.closed == 0 else { return }
            let (exchanged, original) = ticket.compareExchange(
                expected: current, desired: current | bit,
                ordering: .acquiringAndReleasing)
            if exchanged { break }
            current = original
        }
        // Seated: the caller closes the seats within microseconds (no later job can start
        // before this one ends, so the ticket still holds this job's seats).
        lot.wait(spinNanoseconds: ParallelPolicy.waitSpinNanoseconds) {
            ticket.load(ordering: .sequentiallyConsistent) & Self.closed != 0
        }
        let seated = ticket.load(ordering: .acquiring) & Self.seatMask
        let member = (seated & (bit - 1)).nonzeroBitCount + 1
        teamBody!(Team(member: member, size: seated.nonzeroBitCount + 1, pieces: threadCount, pool: self))
        if unfinished.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 { lot.notifyAll() }
    }

    /// Member `piece` of `pieces`' share of 0..<count, cut at multiples of `granule`. Every
    /// split of the same count agrees, so the same rows always land on the same core.
    static func share(of count: Int, piece: Int, pieces: Int, granule: Int = 8) -> Range<Int> {
        let chunk = ((count + pieces - 1) / pieces + granule - 1) / granule * granule
        return min(count, piece * chunk)..<min(count, (piece + 1) * chunk)
    }
}

/// Stops the shared pool's workers and joins their threads (charnn_shutdown): none is left
/// running. The next job that could use them starts them again. Does nothing when the pool was
/// never made.
package func stopSharedWorkers() { WorkerPool.stopSharedWorkers() }
