import Synchronization
import CharNNPlatform

/// Where the pool's threads wait for each other: spin while the wait is likely shorter than a
/// wake-up, yield a few times, then sleep on a condition variable until whoever makes the
/// condition true calls `notifyAll` (Eigen's NonBlockingThreadPool and OpenMP's passive
/// policy wait the same way). A thread never spins without a bound, so a member the OS has
/// descheduled costs the others a sleep, not a core.
///
/// No wake-up is lost: a waiter counts itself in `sleepers` and re-checks its condition under
/// the mutex before it sleeps; a notifier makes the condition true (sequentially consistent)
/// before it reads `sleepers` and broadcasts under the mutex.
// @unchecked Sendable: the pointers are fixed by `init`; what they point at is a pthread mutex
// and condition variable, made to be shared, and `sleepers` is an `Atomic`.
final class ParkingLot: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private let sleepers = Atomic<Int>(0)

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Returns once `ready()` is true, having spun for at most `spinNanoseconds`. The result is
    /// how long it waited in nanoseconds: 0 when `ready()` held within the first few checks
    /// (the clock is read only past those), so a balanced team pays nothing to measure.
    @discardableResult
    func wait(spinNanoseconds: UInt64, until ready: () -> Bool) -> UInt64 {
        for _ in 0..<Self.quickChecks {
            if ready() { return 0 }
            spinPause()
        }
        let start = MonotonicClock.nanoseconds()
        var checks = 0
        while !ready() {
            spinPause()
            checks &+= 1
            // The clock costs ~20 ns: read it every 64 checks only.
            guard checks & 63 == 0 else { continue }
            let waited = MonotonicClock.nanoseconds() &- start
            guard waited >= spinNanoseconds else { continue }
            for _ in 0..<Self.yields where !ready() { sched_yield() }
            if !ready() { sleep(until: ready) }
            break
        }
        return max(1, MonotonicClock.nanoseconds() &- start)
    }

    /// Wakes every sleeper; call after making a waited-for condition true.
    func notifyAll() {
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// How many threads are asleep here (a caller deciding whether anyone is awake to help).
    var sleeperCount: Int { sleepers.load(ordering: .sequentiallyConsistent) }

    private func sleep(until ready: () -> Bool) {
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while !ready() { pthread_cond_wait(condition, mutex) }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
    }

    /// Checks before the clock is read: a partner that is running arrives within these.
    private static let quickChecks = 128
    /// `sched_yield` calls between the spin and the sleep: a descheduled partner on this core
    /// may get to run without either thread paying for a sleep.
    private static let yields = 4
}

/// CLOCK_MONOTONIC in nanoseconds (a vDSO call on Linux: no system call).
enum MonotonicClock {
    @inline(__always)
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}
