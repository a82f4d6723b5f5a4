import CharNNPlatform

/// The few file operations charnn needs, on the C library directly (no Foundation), each
/// failure reported with the path and the system's reason.
enum FileSystem {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// The entries of a directory (without "." and ".."), sorted bytewise for a stable order.
    static func listDirectory(_ path: String) throws(CharNNError) -> [String] {
        guard let dir = opendir(path) else {
            throw .io("cannot open directory '\(path)': \(errnoText())")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            // Read up to the NUL only: the record may end before d_name's declared 256 bytes.
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The whole file, refusing anything larger than `limit` bytes before reading it.
    static func readFile(_ path: String, limit: Int = 1 << 34) throws(CharNNError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open '\(path)': \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io("cannot stat '\(path)': \(errnoText())") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .io("'\(path)' is not a regular file") }
        let size = Int(st.st_size)
        guard size <= limit else { throw .io("'\(path)' is \(size) bytes, more than the \(limit) allowed") }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("cannot read '\(path)': \(errnoText())")
            }
            if n == 0 { break }  // the file shrank while we read it
            done += n
        }
        if done < size { bytes.removeLast(size - done) }
        return bytes
    }

    /// A /proc or /sys file as text, or nil where it cannot be read: their sizes read as 0 or
    /// 4096, so unlike `readFile` this reads until the end (at most 64 KiB).
    static func readKernelFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed to
    /// disk, then renamed over the target. On any failure the temporary file is removed and the
    /// old file (if any) is untouched.
    static func writeFileAtomically(_ path: String, _ bytes: some Collection<UInt8>) throws(CharNNError) {
        let temp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot create '\(temp)' to save '\(path)': \(errnoText())") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        let contiguous = Array(bytes)
        var done = 0
        while done < contiguous.count {
            let n = contiguous.withUnsafeBytes { write(fd, $0.baseAddress! + done, contiguous.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = errnoText()
                close(fd)
                throw .io("cannot write '\(path)': \(reason)")
            }
            done += n
        }
        if fsync(fd) != 0 {
            let reason = errnoText()
            close(fd)
            throw .io("cannot flush '\(path)' to disk: \(reason)")
        }
        if close(fd) != 0 { throw .io("cannot close '\(path)': \(errnoText())") }
        guard rename(temp, path) == 0 else { throw .io("cannot move the new file onto '\(path)': \(errnoText())") }
        ok = true
    }
}
