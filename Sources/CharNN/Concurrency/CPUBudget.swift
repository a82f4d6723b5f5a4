import CharNNPlatform

/// How many cores this process may actually use: the online cores, fewer when its affinity
/// mask allows fewer (`taskset`, `docker --cpuset-cpus`), fewer again when its cgroup caps its
/// CPU time (`docker --cpus`, Kubernetes CPU limits: `cpu.max` in cgroup v2, `cpu.cfs_quota_us`
/// in v1), rounded up. A pool with more threads than that only waits for its own members.
enum CPUBudget {
    /// The pool's size: `CHARNN_NUM_THREADS` when it is a number ≥ 1 (at most
    /// `maxConfigurableThreads`), else `available()` capped at `maxDefaultThreads`.
    static func configuredThreads(environment value: String? = environmentThreads()) -> Int {
        if let value, let n = Int(value), n >= 1 { return min(n, maxConfigurableThreads) }
        return min(maxDefaultThreads, available())
    }

    /// Beyond this many threads the barriers cost more than the extra cores give, for the
    /// sizes charnn trains; more can still be asked for with CHARNN_NUM_THREADS.
    static let maxDefaultThreads = 8
    static let maxConfigurableThreads = 64

    static func environmentThreads() -> String? {
        getenv("CHARNN_NUM_THREADS").map { String(cString: $0) }
    }

    /// min(online cores, the affinity mask's cores, the cgroup quota in cores rounded up), ≥ 1.
    static func available() -> Int {
        var cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        if let mask = affinityCores() { cores = min(cores, mask) }
        if let quota = cgroupQuotaCores() { cores = min(cores, quota) }
        return max(1, cores)
    }

    /// The number of cores in this process's affinity mask (`Cpus_allowed` of /proc/self/status:
    /// glibc's `sched_getaffinity` is hidden behind _GNU_SOURCE), or nil where it cannot be read.
    static func affinityCores(status: String? = FileSystem.readKernelFile("/proc/self/status")) -> Int? {
        guard let status else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed:") {
            let hex = line.dropFirst("Cpus_allowed:".count)
            var count = 0
            for character in hex {
                guard let digit = character.hexDigitValue else { continue }  // tabs and the commas between words
                count += digit.nonzeroBitCount
            }
            return count > 0 ? count : nil
        }
        return nil
    }

    /// The tightest CPU quota on this process's cgroup and its ancestors, in cores rounded up,
    /// or nil when there is none (or no cgroup file system to read).
    static func cgroupQuotaCores(root: String = "/sys/fs/cgroup", membership: String? = nil) -> Int? {
        guard let membership = membership ?? FileSystem.readKernelFile("/proc/self/cgroup") else { return nil }
        var tightest: Int? = nil
        func consider(_ cores: Int?) { if let cores { tightest = min(tightest ?? cores, cores) } }
        for line in membership.split(separator: "\n") {
            // "0::/path" (v2) or "4:cpu,cpuacct:/path" (v1)
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",")
            if fields[0] == "0" && fields[1].isEmpty {
                for directory in ancestors(root, String(fields[2])) {
                    consider(FileSystem.readKernelFile(directory + "/cpu.max").flatMap(parseCPUMax))
                }
            } else if controllers.contains("cpu") {
                let base = root + "/" + fields[1]  // v1 mounts "cpu,cpuacct" under that name
                for directory in ancestors(base, String(fields[2])) + ancestors(root + "/cpu", String(fields[2])) {
                    guard let quota = FileSystem.readKernelFile(directory + "/cpu.cfs_quota_us"),
                        let period = FileSystem.readKernelFile(directory + "/cpu.cfs_period_us")
                    else { continue }
                    consider(cores(quota: quota, period: period))
                }
            }
        }
        return tightest
    }

    /// "200000 100000" → 2, "150000 100000" → 2, "max 100000" → nil.
    static func parseCPUMax(_ text: String) -> Int? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2 else { return nil }
        return cores(quota: String(fields[0]), period: String(fields[1]))
    }

    private static func cores(quota: String, period: String) -> Int? {
        let trim: (String) -> Substring = { $0.split(whereSeparator: { $0 == "\n" || $0 == " " }).first ?? "" }
        // "max" or -1: no quota.
        guard let q = Int(trim(quota)), let p = Int(trim(period)), q > 0, p > 0 else { return nil }
        return max(1, (q + p - 1) / p)
    }

    /// base + path and each of its parents up to base, deepest first.
    private static func ancestors(_ base: String, _ path: String) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        var result: [String] = []
        while true {
            result.append(base + (parts.isEmpty ? "" : "/" + parts.joined(separator: "/")))
            if parts.isEmpty { return result }
            parts.removeLast()
        }
    }
}
