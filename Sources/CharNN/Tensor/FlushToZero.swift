import CharNNPlatform

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
        // On machines without the SSE register (Arm) nothing is switched: get() reads 0.
        let saved = SSEControl.get()
        SSEControl.set(saved | SSEControl.flushDenormals)  // FTZ (bit 15) and DAZ (bit 6)
        defer { SSEControl.set(saved) }
        return try body()
    }

    /// Turns the mode on for good: for charnn's own worker threads.
    static func enableForThisThread() {
        SSEControl.set(SSEControl.get() | SSEControl.flushDenormals)
    }
}
