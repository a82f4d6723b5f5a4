import Foundation
import Testing
@testable import CharNN

/// The worker pool's policy, checked with counts of its decisions (never with timings): small
/// work stays on the caller's thread, every piece runs exactly once whoever runs it, and a team
/// of one gives the same bits as a full team.
@Suite struct WorkerPoolTests {
    /// A private two-thread pool (its worker lives for the rest of the test process).
    static let pool = WorkerPool(threads: 2)

    @Test func smallTeamsRunOnTheCallerAlone() {
        let sizes = Locked<[Int]>([])
        let (_, decisions) = PoolDecisions.counting {
            Self.pool.team(stepWork: ParallelPolicy.teamMinimumStepWork - 1, work: .max) { team in
                sizes.withLock { $0.append(team.size * 100 + team.pieces) }
            }
        }
        #expect(sizes.withLock { $0 } == [101], "one member, one piece")
        #expect(decisions[.belowThreshold] == 1 && decisions[.parallel] == 0)
    }

    /// Above the threshold, the pieces are covered exactly once (by one member or two), every
    /// member sees the same piece count, and barriers let members exchange results.
    @Test func teamsCoverEveryPieceOnce() {
        var parallelRuns = 0
        for _ in 0..<200 {
            let seen = Locked<[Int]>([])
            let exchange = UnsafeMutablePointer<Int>.allocate(capacity: 2)
            defer { exchange.deallocate() }
            let (_, decisions) = PoolDecisions.counting {
                Self.pool.team(stepWork: .max, work: .max) { team in
                    seen.withLock { $0.append(team.pieces * 1000) }
                    for piece in team.myPieces { exchange[piece] = piece + 10 }
                    team.barrier()
                    // After the barrier every piece's value is visible to every member.
                    seen.withLock { $0 += team.myPieces.map { _ in exchange[0] + exchange[1] } }
                    team.forEachPiece(16) { piece, rows in seen.withLock { $0.append(100 + piece * 100 + rows.count) } }
                }
            }
            let expected = [21, 21, 108, 208] + [Int](repeating: 2000, count: decisions[.parallel] == 1 ? 2 : 1)
            #expect(seen.withLock { $0.sorted() } == expected)
            parallelRuns += decisions[.parallel]
        }
        // The worker was spinning for most of these back-to-back jobs; where the machine is so
        // busy that it never was, the runs above were alone and still had to be right.
        print("teamsCoverEveryPieceOnce: \(parallelRuns) of 200 jobs ran as a team of two")
    }

    @Test func piecesRunExactlyOnce() {
        for count in [0, 1, 2, 3, 17, 300, 0xFFFF + 2] {
            let hits = Locked([Int](repeating: 0, count: count))
            Self.pool.forEachPiece(count, parallel: true, wake: true) { piece in hits.withLock { $0[piece] += 1 } }
            #expect(hits.withLock { $0 } == [Int](repeating: 1, count: count), "\(count) pieces")
        }
    }

    /// More threads than a team has seats (CHARNN_NUM_THREADS up to 64): teams still cover
    /// every piece once, and every worker takes pieces.
    @Test func aPoolLargerThanATeamStillCoversEveryPiece() {
        let wide = WorkerPool(threads: 40)
        for _ in 0..<3 {
            let pieces = Locked<[Int]>([])
            wide.team(stepWork: .max, work: .max) { team in
                team.barrier()
                pieces.withLock { $0 += Array(team.myPieces) }
            }
            #expect(pieces.withLock { $0.sorted() } == Array(0..<40))
            let hits = Locked([Int](repeating: 0, count: 100))
            wide.forEachPiece(100, parallel: true, wake: true) { piece in hits.withLock { $0[piece] += 1 } }
            #expect(hits.withLock { $0 } == [Int](repeating: 1, count: 100))
        }
    }

    /// charnn_shutdown: `stopWorkers` joins the workers (twice is harmless), and the next jobs
    /// start them again and still cover every piece once, as a team or alone.
    @Test func stoppedWorkersStartAgainForTheNextJob() {
        let pool = WorkerPool(threads: 3)
        for round in 0..<3 {
            pool.stopWorkers()
            if round == 1 { pool.stopWorkers() }
            let pieces = Locked<[Int]>([])
            pool.team(stepWork: .max, work: .max) { team in
                team.barrier()
                pieces.withLock { $0 += Array(team.myPieces) }
            }
            #expect(pieces.withLock { $0.sorted() } == [0, 1, 2], "round \(round)")
            let hits = Locked([Int](repeating: 0, count: 50))
            pool.forEachPiece(50, parallel: true, wake: true) { piece in hits.withLock { $0[piece] += 1 } }
            #expect(hits.withLock { $0 } == [Int](repeating: 1, count: 50))
            #expect(pool.threadCount == 3)
        }
        pool.stopWorkers()
    }

    /// The layers' fused passes: batch-1 Elman training at hidden 128 (16,384 multiply-adds per
    /// character, measured slower on two threads) never goes parallel; at hidden 256 it is
    /// eligible, and so is a GRU.
    @Test func smallRecurrentStepsStayOnOneThread() throws {
        let small = try Model(config: ModelConfig(kind: .elman, hiddenSize: 128), labels: ["A", "B"])
        let (_, decisions) = PoolDecisions.counting {
            _ = RecurrentLayerTests.fused(small, [[3, 1, 4, 1, 5, 9, 2]], [1])
        }
        #expect(decisions[.belowThreshold] == 2, "forward and backward")
        #expect(decisions[.parallel] == 0)

        for model in [
            try Model(config: ModelConfig(kind: .elman, hiddenSize: 256), labels: ["A", "B"]),
            try Model(config: ModelConfig(kind: .gru, hiddenSize: 256), labels: ["A", "B"]),
        ] {
            let (_, eligible) = PoolDecisions.counting {
                _ = RecurrentLayerTests.fused(model, [[3, 1, 4, 1, 5, 9, 2]], [1])
            }
            #expect(eligible.counts.values.reduce(0, +) == 2)
            #expect(eligible[.belowThreshold] == (WorkerPool.shared.threadCount > 1 ? 0 : 2))
        }
    }

    /// The same with a hidden size that is not a multiple of 8 and a share under 16 rows (the
    /// kernels choose their path by the rows they get: every path must give the same bits).
    @Test(arguments: [ModelKind.elman, .gru, .lstm])
    func unevenSmallSharesGiveTheSameBits(kind: ModelKind) throws {
        try aTeamOfOneGivesTheSameBitsAsAFullTeam(kind: kind, hidden: 20, names: 96)
    }

    /// A team of one computes each piece's partial sums on its own and adds them in piece
    /// order, like a full team: the same loss, gradients and logits, bit for bit.
    @Test(arguments: [ModelKind.elman, .gru, .lstm])
    func aTeamOfOneGivesTheSameBitsAsAFullTeam(kind: ModelKind) throws {
        try aTeamOfOneGivesTheSameBitsAsAFullTeam(kind: kind, hidden: kind == .elman ? 264 : 136, names: 8)
    }

    func aTeamOfOneGivesTheSameBitsAsAFullTeam(kind: ModelKind, hidden: Int, names count: Int) throws {
        guard WorkerPool.shared.threadCount > 1 else { return }  // one core: there is no team to compare
        let model = try RecurrentLayerTests.model(kind, hidden: hidden, layers: kind == .elman ? 1 : 2, classes: 19)
        // Names of 1 to 10 characters, enough of them to pass the threshold and wake a sleeping worker.
        var rng = Xoshiro256(seed: UInt64(count))
        let names = (0..<count).map { _ in (0..<(1 + rng.nextInt(below: 10))).map { _ in rng.nextInt(below: 59) } }
        let targets = (0..<count).map { _ in rng.nextInt(below: 19) }
        func run(alone: Bool) -> (loss: Float, grads: [String: Tensor], logits: [Float], parallel: Int) {
            let (result, decisions) = PoolDecisions.counting(keepingAlone: alone, insistingOnTeams: !alone) {
                () -> (Float, [String: Tensor], [Float]) in
                let loss = RecurrentLayerTests.fused(model, names, targets)
                let batch = SequenceBatch(names.map { $0.map(UInt16.init)[...] })
                let arena = Arena()
                let logits = arena.allocate(names.count * 19)  // rows in the batch's order, the same in both runs
                model.network.logits(batch, initialHidden: nil, arena: arena, into: logits)
                return (
                    loss, RecurrentLayerTests.gradients(model),
                    Array(UnsafeBufferPointer(start: logits, count: names.count * 19))
                )
            }
            return (result.0, result.1, result.2, decisions[.parallel])
        }
        let alone = run(alone: true)
        var team = run(alone: false)
        for _ in 0..<500 where team.parallel == 0 { team = run(alone: false) }  // a busy pool or machine: try again
        // Other suites run meanwhile and may hold the pool: 500 tries give it time to come free.
        #expect(team.parallel > 0, "never ran as a team in 500 tries")
        func differing(_ x: [Float], _ y: [Float]) -> Int { zip(x, y).filter { $0.bitPattern != $1.bitPattern }.count }
        #expect(alone.loss.bitPattern == team.loss.bitPattern)
        #expect(differing(alone.logits, team.logits) == 0, "\(kind) logits")
        for (name, grad) in alone.grads {
            #expect(differing(grad.scalars, team.grads[name]!.scalars) == 0, "\(kind) \(name): elements that differ")
        }
    }

    @Test func contentionSendsWorkHomeWithBackoff() {
        let governor = ContentionGovernor()
        let t0: UInt64 = 1_000_000_000
        #expect(governor.allowsParallel(now: t0))
        // Balanced jobs: no effect.
        #expect(!governor.record(wall: 100_000, waited: 10_000, members: 2, now: t0))
        #expect(governor.allowsParallel(now: t0))
        // Members waited most of a 4 ms job: alone for the initial backoff, then doubled.
        #expect(governor.record(wall: 4_000_000, waited: 7_000_000, members: 2, now: t0))
        #expect(!governor.allowsParallel(now: t0 + ParallelPolicy.backoffInitial - 1))
        #expect(governor.allowsParallel(now: t0 + ParallelPolicy.backoffInitial))
        let t1 = t0 + ParallelPolicy.backoffInitial
        #expect(governor.record(wall: 4_000_000, waited: 7_000_000, members: 2, now: t1))
        #expect(!governor.allowsParallel(now: t1 + 2 * ParallelPolicy.backoffInitial - 1))
        #expect(governor.allowsParallel(now: t1 + 2 * ParallelPolicy.backoffInitial))
        // Short waits under the absolute floor never count, whatever their share.
        #expect(!governor.record(wall: 100_000, waited: 100_000, members: 2, now: t1))
        #expect(governor.contendedJobs == 2)
        // One long wait (a member descheduled for a time slice) counts, however short the job.
        let other = ContentionGovernor()
        #expect(other.record(wall: 300_000, waited: 250_000, members: 2, longWaits: 1, now: t1))
        #expect(!other.allowsParallel(now: t1 + ParallelPolicy.backoffInitial - 1))
        // Slowed again (the free look above ended the suspicion; this one starts it again):
        // alone for 4 periods. Once that runs out on a machine found busy, it looks before it
        // tries again, and a busy look means another (8-period) wait.
        #expect(
            governor.record(wall: 4_000_000, waited: 7_000_000, members: 2, now: t1 + 2 * ParallelPolicy.backoffInitial)
        )
        let t2 = t1 + 6 * ParallelPolicy.backoffInitial
        #expect(!governor.allowsParallel(now: t2, machineIsBusy: { true }))
        #expect(!governor.allowsParallel(now: t2 + 8 * ParallelPolicy.backoffInitial - 1, machineIsBusy: { false }))
        #expect(governor.allowsParallel(now: t2 + 8 * ParallelPolicy.backoffInitial, machineIsBusy: { false }))
        // A look that found the machine free ends the suspicion: it is not looked at again
        // (once per job would be a file read per job) until a job is slowed.
        var looked = false
        #expect(
            governor.allowsParallel(
                now: t2 + 8 * ParallelPolicy.backoffInitial,
                machineIsBusy: {
                    looked = true; return true
                }))
        #expect(!looked)
        // A streak of clean jobs resets the backoff: the next slowed job costs one period.
        let t3 = t2 + 8 * ParallelPolicy.backoffInitial
        for _ in 0..<ParallelPolicy.cleanJobsToReset { governor.record(wall: 100_000, waited: 0, members: 2, now: t3) }
        #expect(governor.record(wall: 4_000_000, waited: 7_000_000, members: 2, now: t3))
        #expect(governor.allowsParallel(now: t3 + ParallelPolicy.backoffInitial, machineIsBusy: { false }))
    }

    @Test func runnableThreadsComeFromLoadavg() {
        #expect(RunnableThreads.now(loadavg: "0.52 0.58 0.59 3/123 4567\n") == 3)
        #expect(RunnableThreads.now(loadavg: "garbage") == nil)
        #expect(RunnableThreads.now(loadavg: nil) == nil)
        if let running = RunnableThreads.now() { #expect(running >= 1) }  // this thread runs
    }

    @Test func cpuBudgetReadsAffinityAndQuotas() {
        #expect(CPUBudget.parseCPUMax("200000 100000\n") == 2)
        #expect(CPUBudget.parseCPUMax("150000 100000") == 2)
        #expect(CPUBudget.parseCPUMax("50000 100000") == 1)
        #expect(CPUBudget.parseCPUMax("max 100000") == nil)
        #expect(CPUBudget.parseCPUMax("") == nil)
        #expect(
            CPUBudget.affinityCores(status: "Name:\tx\nCpus_allowed:\tff,00000003\nCpus_allowed_list:\t0-1\n") == 10)
        #expect(CPUBudget.affinityCores(status: "Name:\tx\n") == nil)
        #expect(CPUBudget.configuredThreads(environment: "3") == 3)
        #expect(CPUBudget.configuredThreads(environment: "1000") == CPUBudget.maxConfigurableThreads)
        #expect(
            CPUBudget.configuredThreads(environment: "0") == min(CPUBudget.maxDefaultThreads, CPUBudget.available()))
        #expect(
            CPUBudget.configuredThreads(environment: "two") == min(CPUBudget.maxDefaultThreads, CPUBudget.available()))
        #expect(CPUBudget.available() >= 1)
    }

    /// A cgroup tree with quotas at two levels: the tightest one wins.
    @Test func cgroupQuotaTakesTheTightestAncestor() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeDirectory(root) }
        try FileManager.default.createDirectory(atPath: root + "/a/b", withIntermediateDirectories: true)
        try TestSupport.write("300000 100000\n", to: root + "/a/cpu.max")
        try TestSupport.write("max 100000\n", to: root + "/a/b/cpu.max")
        #expect(CPUBudget.cgroupQuotaCores(root: root, membership: "0::/a/b\n") == 3)
        try TestSupport.write("120000 100000\n", to: root + "/cpu.max")
        #expect(CPUBudget.cgroupQuotaCores(root: root, membership: "0::/a/b\n") == 2)
        #expect(CPUBudget.cgroupQuotaCores(root: root, membership: "0::/elsewhere\n") == 2)
        #expect(CPUBudget.cgroupQuotaCores(root: root + "/missing", membership: "0::/\n") == nil)
    }
}
