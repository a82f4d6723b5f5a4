import CharNNPlatform

/// One pointer per thread (a pthread key), set for the length of a call: how the pool learns
/// what the calling thread asked for (a training loop, a test's counters) without a parameter
/// threaded through every layer.
// @unchecked Sendable: `key` is written once, by `init`; the values behind it are per thread
// by construction (pthread_getspecific / pthread_setspecific).
final class ThreadLocalSlot: @unchecked Sendable {
    private var key = pthread_key_t()

    init() { pthread_key_create(&key, nil) }

    /// This thread's value (nil outside `with`).
    var value: UnsafeMutableRawPointer? { pthread_getspecific(key) }

    /// Runs body with this thread's value set to `value`, then puts the previous one back.
    func with<T, E: Error>(_ value: UnsafeRawPointer, _ body: () throws(E) -> T) throws(E) -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, value)
        defer { pthread_setspecific(key, previous) }
        return try body()
    }
}
