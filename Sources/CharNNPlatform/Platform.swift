// The one place that knows which C library this platform has. Every file of the core that
// needs POSIX or libm imports this module instead of choosing Glibc, Musl or Darwin itself.
// Only Glibc is built and tested here; the Musl (the static Linux SDK) and Darwin branches are
// written to the same names but have not been compiled.
#if canImport(Glibc)
    @_exported import Glibc
#elseif canImport(Musl)
    @_exported import Musl
#elseif canImport(Darwin)
    @_exported import Darwin
#else
    #error("charnn needs a C library: Glibc, Musl or Darwin")
#endif
import CCharNNShims

/// One iteration's worth of backing off in a spin-wait loop: a `pause` (x86) or `yield` (Arm)
/// hint, so a spinning thread lets its hyper-thread sibling run and leaves the loop without a
/// memory-order mis-speculation. Call it in every loop that re-reads a value another thread
/// will change.
@inlinable @inline(__always)
package func spinPause() {
    charnn_cpu_relax()
}

/// The x86-64 SSE control register, for flush-to-zero; absent (reads 0) on other machines.
package enum SSEControl {
    /// Flush-to-zero (bit 15) and denormals-are-zero (bit 6).
    package static let flushDenormals: UInt32 = 0x8040

    /// The register's value (0 where there is none).
    @inlinable @inline(__always)
    package static func get() -> UInt32 { charnn_get_mxcsr() }

    /// Sets the register (nothing where there is none).
    @inlinable @inline(__always)
    package static func set(_ value: UInt32) { charnn_set_mxcsr(value) }
}
