import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs independent pieces of one computation on several cores: the calling thread plus
/// persistent worker threads. Workers spin for a moment after each job (training calls come
/// every few microseconds, far sooner than a sleeping thread wakes) and then sleep until the
/// next one. One job at a time: a thread that finds the pool busy (say, many threads
/// predicting at once) simply runs its pieces itself, so no caller ever waits on another.
///
/// The number of threads is `CHARNN_NUM_THREADS` when set (1 turns parallelism off), else the
/// number of online cores, at most 8.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(threads: WorkerPool.configuredThreads())

    /// Threads that run pieces, the caller included.
    let threadCount: Int

    /// The job's closure: written by the caller before it publishes the job in `state`
    /// (release), read by a worker only after it has claimed one of the job's pieces (acquire),
    /// which keeps the job, and so this closure, alive until that piece is done.
    private nonisolated(unsafe) var body: ((Int) -> Void)?
    /// The job and its claims in one word, so a claim can never mix two jobs:
    /// generation (bits 32–63), pieces (16–31), next unclaimed piece (0–15).
    private let state = Atomic<UInt64>(0)
    private let unfinished = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>

    init(threads: Int) {
        threadCount = max(1, threads)
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for _ in 1..<threadCount {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            pthread_create(&thread, nil, { context in
                Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue().work()
                return nil
            }, context)
            pthread_detach(thread)
        }
    }

    static func configuredThreads() -> Int {
        if let text = getenv("CHARNN_NUM_THREADS"), let n = Int(String(cString: text)), n >= 1 { return min(n, 64) }
        return min(8, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    @inline(__always) private static func generation(_ word: UInt64) -> UInt64 { word >> 32 }

    /// Calls body(0), …, body(pieces − 1), spread over the pool; returns when all are done.
    /// The pieces must be independent (they run concurrently, in any order).
    func run(_ pieces: Int, _ body: (Int) -> Void) {
        guard pieces > 1, pieces < 1 << 16, threadCount > 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<pieces { body(i) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            self.body = escapable
            unfinished.store(pieces, ordering: .relaxed)
            let next = (Self.generation(state.load(ordering: .relaxed)) &+ 1) & 0xFFFF_FFFF
            let job = next << 32 | UInt64(pieces) << 16
            state.store(job, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            runPieces(of: next)
            while unfinished.load(ordering: .acquiring) > 0 {}
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Claims and runs pieces of job `generation` until none is left (or the job is gone).
    private func runPieces(of generation: UInt64) {
        var word = state.load(ordering: .acquiring)
        while Self.generation(word) == generation && word & 0xFFFF < (word >> 16) & 0xFFFF {
            let (exchanged, original) = state.compareExchange(expected: word, desired: word + 1, ordering: .acquiring)
            guard exchanged else {
                word = original
                continue
            }
            body!(Int(word & 0xFFFF))
            unfinished.subtract(1, ordering: .releasing)
            word = state.load(ordering: .acquiring)
        }
    }

    private func work() {
        FlushToZero.enableForThisThread()  // this thread only ever runs charnn's kernels
        var seen = Self.generation(state.load(ordering: .acquiring))
        while true {
            // Spin for new work for about half a millisecond (longer than a training step takes
            // between two parallel calls), then sleep.
            var current = Self.generation(state.load(ordering: .acquiring))
            var spins = 0
            while current == seen && spins < 500_000 {
                spins += 1
                current = Self.generation(state.load(ordering: .acquiring))
            }
            if current == seen {
                pthread_mutex_lock(mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while Self.generation(state.load(ordering: .sequentiallyConsistent)) == seen {
                    pthread_cond_wait(wake, mutex)
                }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(mutex)
                current = Self.generation(state.load(ordering: .acquiring))
            }
            seen = current
            runPieces(of: current)
        }
    }

    /// Runs `body(piece, pieces)` for each piece of a job split `threadCount` ways when `cost`
    /// reaches `threshold` (else once, as piece 0 of 1), and returns whether every piece
    /// returned true.
    func allPieces(cost: Int, threshold: Int = 1 << 16, _ body: (Int, Int) -> Bool) -> Bool {
        let pieces = cost >= threshold ? threadCount : 1
        guard pieces > 1 else { return body(0, 1) }
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: pieces) { results in
            run(pieces) { p in results[p] = body(p, pieces) }
            return results.allSatisfy { $0 }
        }
    }

    /// Piece `piece` of `pieces` of 0..<count, cut at multiples of `granule`.
    static func share(of count: Int, piece: Int, pieces: Int, granule: Int = 8) -> Range<Int> {
        let chunk = ((count + pieces - 1) / pieces + granule - 1) / granule * granule
        return min(count, piece * chunk)..<min(count, (piece + 1) * chunk)
    }

    /// Splits 0..<count into up to `threadCount` ranges of whole `granule`s and runs `body` on
    /// each, in parallel when the work is worth it (`cost`, in multiply-adds or bytes, at least
    /// `threshold`).
    func forRanges(_ count: Int, granule: Int = 8, cost: Int, threshold: Int = 1 << 16,
                   _ body: (Range<Int>) -> Void) {
        let parts = cost >= threshold ? min(threadCount, (count + granule - 1) / granule) : 1
        guard parts > 1 else { return body(0..<count) }
        let chunk = ((count + parts - 1) / parts + granule - 1) / granule * granule
        run(parts) { p in
            let start = p * chunk
            if start < count { body(start..<min(count, start + chunk)) }
        }
    }
}
