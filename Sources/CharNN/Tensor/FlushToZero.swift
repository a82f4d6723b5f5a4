#if canImport(Glibc)
import Glibc
#endif

/// Denormal numbers (below 1.2e-38) cost the CPU a hundred times a normal operation. Adam's
/// moments of weights that get no gradient for a while (the columns of letters a name does
/// not use) decay into that range, and then one optimizer step takes three times as long. In
/// flush-to-zero mode such values read and write as 0, which changes results only below 1e-38.
///
/// The mode is per thread and belongs to the host program: charnn turns it on around its own
/// hot loops and puts the caller's mode back afterwards.
enum FlushToZero {
    /// Runs `body` with denormals flushed to zero on this thread, then restores the mode.
    @inline(__always)
    static func run<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        #if arch(x86_64) && canImport(Glibc)
        var saved = fenv_t()
        fegetenv(&saved)
        var flushing = saved
        flushing.__mxcsr |= 0x8040  // FTZ (bit 15) and DAZ (bit 6)
        fesetenv(&flushing)
        defer { fesetenv(&saved) }
        #endif
        return try body()
    }

    /// Turns the mode on for good: for charnn's own worker threads.
    static func enableForThisThread() {
        #if arch(x86_64) && canImport(Glibc)
        var env = fenv_t()
        fegetenv(&env)
        env.__mxcsr |= 0x8040
        fesetenv(&env)
        #endif
    }
}
