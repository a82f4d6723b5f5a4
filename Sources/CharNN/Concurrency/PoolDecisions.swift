/// What the pool decided for each job started on this thread, counted while `counting` runs:
/// how tests check the policy with counts instead of timings.
final class PoolDecisions {
    enum Decision { case parallel, belowThreshold, contended, unavailable, busy, keptAlone }

    private(set) var counts: [Decision: Int] = [:]
    subscript(_ decision: Decision) -> Int { counts[decision, default: 0] }
    /// Jobs above the thresholds run on this thread alone (as a busy pool would run them).
    let keepAlone: Bool
    /// Jobs above the thresholds try hard for a team: the contention backoff is not consulted,
    /// sleeping workers are woken and waited for as long as for the longest jobs (a test that
    /// needs a real team while other tests load a slow machine, as under ThreadSanitizer).
    let insistOnTeams: Bool

    private init(keepAlone: Bool, insistOnTeams: Bool) {
        (self.keepAlone, self.insistOnTeams) = (keepAlone, insistOnTeams)
    }

    /// Runs body with the decisions of jobs started on this thread counted in a fresh record.
    static func counting<T, E: Error>(
        keepingAlone keepAlone: Bool = false, insistingOnTeams insistOnTeams: Bool = false,
        _ body: () throws(E) -> T
    ) throws(E) -> (T, PoolDecisions) {
        let record = PoolDecisions(keepAlone: keepAlone, insistOnTeams: insistOnTeams)
        return (try slot.with(Unmanaged.passUnretained(record).toOpaque(), body), record)
    }

    @inline(__always)
    static func record(_ decision: Decision) { current?.counts[decision, default: 0] += 1 }

    static var current: PoolDecisions? {
        slot.value.map { Unmanaged<PoolDecisions>.fromOpaque($0).takeUnretainedValue() }
    }

    private static let slot = ThreadLocalSlot()
}
