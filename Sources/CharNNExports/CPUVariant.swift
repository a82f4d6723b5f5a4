import CCharNN
import CharNN

// Which build of the core this library is: the dispatcher libcharnn.so loads one of two
// (tools/build_lib.sh) and answers charnn_cpu_variant from it.

#if CHARNN_X86_64_V3
    private let cpuVariant: StaticString = "x86-64-v3"
#else
    private let cpuVariant: StaticString = "portable"
#endif

@c @implementation
public func charnn_cpu_variant() -> UnsafePointer<CChar>! {
    UnsafeRawPointer(cpuVariant.utf8Start).assumingMemoryBound(to: CChar.self)
}

// The end of the library's background work: the worker pool's threads, joined.

@c @implementation
public func charnn_shutdown() {
    stopSharedWorkers()
}
