import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// When work goes parallel: the one place for the pool's thresholds and timings. The numbers
/// were measured on a 2-core x86-64 VM (`charnn-bench pool`, bench/README.md) and are
/// deliberately on the safe side: below a threshold, one thread is as fast or faster.
enum ParallelPolicy {
    /// A team (members meeting at a barrier once per character) pays only when each member
    /// gets this many multiply-adds between two barriers: an Elman cell at batch 1 and hidden
    /// 256 (65,536 per character) stays on one thread; a 2-layer GRU at hidden 256 (196,608 per
    /// layer and character) goes parallel. `CHARNN_PARALLEL_MIN_STEP_WORK=n` sets another
    /// value, to measure the crossover on another machine (`charnn-bench threshold`).
    static let teamMinimumStepWork = environmentInteger("CHARNN_PARALLEL_MIN_STEP_WORK") ?? 131_072

    /// A job worth waking sleeping workers for (the caller pays a system call of a few µs;
    /// the workers then stay awake for the jobs that follow): in multiply-adds for teams and
    /// batched inference, bytes for streaming jobs.
    static let wakeMinimumWork = 1_000_000
    static let wakeMinimumBytes = 4 << 20

    /// How long the caller waits for workers to take their seats in a team: a spinning worker
    /// comes within a microsecond; one just woken takes tens of microseconds, worth waiting
    /// for only when the job is long. About 2 % of the job's estimated time (at ~10
    /// multiply-adds per ns), between these bounds.
    static func joinNanoseconds(work: Int) -> UInt64 {
        UInt64(min(max(work / 500, Int(joinMinimumNanoseconds)), Int(joinMaximumNanoseconds)))
    }
    static let joinMinimumNanoseconds: UInt64 = 3_000
    static let joinMaximumNanoseconds: UInt64 = 200_000

    /// A streaming job (optimizer step, clipping, zeroing) is split only from this many bytes,
    /// batched inference (whole batches per thread) from this many multiply-adds.
    static let piecesMinimumBytes = 1 << 20
    static let piecesMinimumWork = 1_000_000

    /// How long a worker spins for the next job before it sleeps: longer than the gaps inside
    /// a training step, far shorter than a time slice.
    static let idleSpinNanoseconds: UInt64 = 50_000
    /// How long a member spins at a barrier or a join before it yields and sleeps: about the
    /// cost of a wake-up, so a descheduled partner costs a sleep, not a core.
    static let waitSpinNanoseconds: UInt64 = 20_000

    /// A parallel job whose members spent more than this share of its time waiting for each
    /// other (and at least `contendedMinimumWait`) was slowed by a descheduled member.
    static let contendedWaitShare = 0.25
    static let contendedMinimumWait: UInt64 = 50_000
    /// After such a job the pool runs every job on the caller's thread for a while, doubling
    /// from `backoffInitial` up to `backoffMaximum` while the machine stays busy; a streak of
    /// `cleanJobsToReset` jobs without waiting resets it.
    static let backoffInitial: UInt64 = 10_000_000
    static let backoffMaximum: UInt64 = 1_000_000_000
    static let cleanJobsToReset = 32
}

private func environmentInteger(_ name: String) -> Int? {
    getenv(name).flatMap { Int(String(cString: $0)) }.flatMap { $0 >= 0 ? $0 : nil }
}

/// Notices when parallel jobs stop paying (another process holds the cores, the pool has more
/// threads than the machine gives it) and sends work to the caller's thread for a while, with
/// exponential backoff: a busy machine costs one slowed job per backoff period, an idle one
/// nothing. Recorded by the thread that holds the pool (one job at a time), read by anyone.
final class ContentionGovernor: @unchecked Sendable {
    private let soloUntil = Atomic<UInt64>(0)
    private nonisolated(unsafe) var backoff = ParallelPolicy.backoffInitial
    private nonisolated(unsafe) var cleanJobs = 0
    /// Jobs found slowed so far (diagnostics and tests).
    private(set) nonisolated(unsafe) var contendedJobs = 0

    /// Whether parallel jobs are allowed now.
    func allowsParallel(now: UInt64 = MonotonicClock.nanoseconds()) -> Bool {
        now >= soloUntil.load(ordering: .relaxed)
    }

    /// Records one parallel job: its wall time and the nanoseconds its members spent waiting.
    /// Returns whether the job counted as contended.
    @discardableResult
    func record(wall: UInt64, waited: UInt64, members: Int, now: UInt64 = MonotonicClock.nanoseconds()) -> Bool {
        let share = Double(waited) / Double(max(1, wall) * UInt64(max(1, members)))
        guard waited >= ParallelPolicy.contendedMinimumWait && share > ParallelPolicy.contendedWaitShare else {
            cleanJobs += 1
            if cleanJobs >= ParallelPolicy.cleanJobsToReset { backoff = ParallelPolicy.backoffInitial }
            return false
        }
        contendedJobs += 1
        cleanJobs = 0
        soloUntil.store(now &+ backoff, ordering: .relaxed)
        backoff = min(backoff * 2, ParallelPolicy.backoffMaximum)
        return true
    }
}
