import Synchronization
import CharNNPlatform

/// When work goes parallel: the one place for the pool's thresholds and timings. The numbers
/// were measured on a 2-core x86-64 VM (`make bench-threshold`, bench/README.md) and are
/// deliberately on the safe side: below a threshold, one thread is as fast or faster.
enum ParallelPolicy {
    /// A team (members meeting at a barrier once per character) pays only when each step
    /// between two barriers has this many multiply-adds. Measured (`make bench-threshold`,
    /// bench/README.md): batch-1 Elman training at hidden 128 (16,384) is slower on two threads
    /// than on one, at hidden 192 (36,864) and above faster. `CHARNN_PARALLEL_MIN_STEP_WORK=n`
    /// sets another value, to measure the crossover on another machine.
    static let teamMinimumStepWork = environmentInteger("CHARNN_PARALLEL_MIN_STEP_WORK") ?? 32_768

    /// A job worth waking sleeping workers for (the caller pays a system call of a few µs;
    /// the workers then stay awake for the jobs that follow): in multiply-adds for teams and
    /// batched inference, bytes for streaming jobs. Training wakes them for any job above the
    /// thresholds (`WorkerPool.sustained`): thousands of jobs follow.
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
    /// other, and at least `contendedMinimumWait` in all, was slowed by a descheduled member: a
    /// time slice lost to another process is milliseconds, while members of a team on an idle
    /// machine wait microseconds for each other at a barrier.
    static let contendedWaitShare = 0.25
    static let contendedMinimumWait: UInt64 = 1_000_000
    /// A single wait this long, in a job that spent a large share waiting, is a descheduled
    /// member however short the job (`contendedMinimumWait` alone would miss short jobs).
    static let contendedSingleWait: UInt64 = 200_000
    /// After such a job the pool runs every job on the caller's thread for a while, doubling
    /// from `backoffInitial` up to `backoffMaximum` while the machine stays busy; a streak of
    /// `cleanJobsToReset` jobs without waiting resets it.
    /// `CHARNN_CONTENTION_BACKOFF=0` turns the backoff off (for a machine charnn has to
    /// itself, or to measure what a team gives, as `charnn-bench threshold` does).
    static let contentionBackoff = environmentInteger("CHARNN_CONTENTION_BACKOFF") != 0
    static let backoffInitial: UInt64 = 10_000_000
    static let backoffMaximum: UInt64 = 1_000_000_000
    static let cleanJobsToReset = 32
}

private func environmentInteger(_ name: String) -> Int? {
    getenv(name).flatMap { Int(String(cString: $0)) }.flatMap { $0 >= 0 ? $0 : nil }
}

/// Notices when parallel jobs stop paying (another process holds the cores, the pool has more
/// threads than the machine gives it) and sends work to the caller's thread for a while, with
/// exponential backoff. Before it tries a parallel job again on a machine it found busy, it
/// looks at the machine's count of runnable threads (`/proc/loadavg`) and waits another period
/// if the team would not find free cores: a busy machine then costs one slowed job, not one per
/// period. An idle machine that never slowed a job pays nothing (no clock, no file).
// @unchecked Sendable: every field is an `Atomic` but `cleanJobs`, which only the thread
// holding the pool writes (the pool runs one job at a time).
final class ContentionGovernor: @unchecked Sendable {
    private let soloUntil = Atomic<UInt64>(0)
    private let backoff = Atomic<UInt64>(ParallelPolicy.backoffInitial)
    /// Set by a slowed job, cleared when a look finds the machine free: only then is it looked at.
    private let suspicious = Atomic<Bool>(false)
    /// Written by the thread that holds the pool (one job at a time).
    private nonisolated(unsafe) var cleanJobs = 0
    /// Jobs found slowed so far (diagnostics and tests).
    private let contended = Atomic<Int>(0)
    var contendedJobs: Int { contended.load(ordering: .relaxed) }

    /// Whether parallel jobs are allowed now. `machineIsBusy` is asked only when a backoff has
    /// just run out on a machine found busy before.
    func allowsParallel(now: UInt64 = MonotonicClock.nanoseconds(), machineIsBusy: () -> Bool = { false }) -> Bool {
        guard now >= soloUntil.load(ordering: .relaxed) else { return false }
        guard suspicious.load(ordering: .relaxed) else { return true }
        guard machineIsBusy() else {
            // The machine looks free: try teams again, and look no more (once per backoff
            // period, not once per job) until a job is slowed again.
            suspicious.store(false, ordering: .relaxed)
            return true
        }
        soloUntil.store(now &+ backoff.load(ordering: .relaxed), ordering: .relaxed)
        return false
    }

    /// Records one parallel job: its wall time, the nanoseconds its members spent waiting and
    /// how many single waits reached `contendedSingleWait`. Returns whether it counted as contended.
    @discardableResult
    func record(
        wall: UInt64, waited: UInt64, members: Int, longWaits: Int = 0,
        now: UInt64 = MonotonicClock.nanoseconds(), enabled: Bool = ParallelPolicy.contentionBackoff
    ) -> Bool {
        let share = Double(waited) / Double(max(1, wall) * UInt64(max(1, members)))
        // A large share of waiting, and either a long wait or a long total: on an idle machine a
        // woken member of a big job may take 0.2 ms, but that is a small share of the job.
        let slowed =
            share > ParallelPolicy.contendedWaitShare
            && (longWaits > 0 || waited >= ParallelPolicy.contendedMinimumWait)
        guard enabled, slowed else {
            cleanJobs += 1
            if cleanJobs >= ParallelPolicy.cleanJobsToReset {
                backoff.store(ParallelPolicy.backoffInitial, ordering: .relaxed)
            }
            return false
        }
        contended.add(1, ordering: .relaxed)
        cleanJobs = 0
        suspicious.store(true, ordering: .relaxed)
        let period = backoff.load(ordering: .relaxed)
        soloUntil.store(now &+ period, ordering: .relaxed)
        backoff.store(min(period * 2, ParallelPolicy.backoffMaximum), ordering: .relaxed)
        return true
    }
}

/// The machine's count of runnable threads right now (the fourth field of /proc/loadavg,
/// "running/total"), or nil where it cannot be read.
enum RunnableThreads {
    static func now(loadavg: String? = FileSystem.readKernelFile("/proc/loadavg")) -> Int? {
        guard let loadavg else { return nil }
        let fields = loadavg.split(separator: " ")
        guard fields.count >= 4, let running = fields[3].split(separator: "/").first else { return nil }
        return Int(running)
    }
}
