import CCharNN
import CharNN
import CharNNPlatform

// What every exported function shares: turning Swift errors into statuses and messages, the
// registry of live handles, and reading the caller's pointers, sizes, strings and structs
// without ever trapping.

/// A failure at the C boundary: the status to return and the message for charnn_last_error().
struct APIError: Error {
    let status: charnn_status
    let message: String

    init(_ status: charnn_status, _ message: String) {
        self.status = status
        self.message = message
    }

    init(_ error: CharNNError) {
        message = error.message
        switch error.kind {
        case .invalidArgument: status = CHARNN_INVALID_ARGUMENT
        case .shapeMismatch: status = CHARNN_SHAPE_MISMATCH
        case .io: status = CHARNN_IO_ERROR
        case .invalidData: status = CHARNN_INVALID_DATA
        case .invalidCheckpoint: status = CHARNN_INVALID_CHECKPOINT
        case .diverged: status = CHARNN_DIVERGED
        case .cancelled: status = CHARNN_CANCELLED
        case .busy: status = CHARNN_BUSY
        }
    }

    static func invalid(_ message: String) -> APIError { APIError(CHARNN_INVALID_ARGUMENT, message) }
}

/// Runs the body of an exported function: CHARNN_OK and an empty last error when it returns,
/// the error's status and message when it throws. Nothing escapes into the C caller.
@inline(__always)
func api(_ function: StaticString, _ body: () throws -> Void) -> charnn_status {
    do {
        try body()
        LastError.clear()
        return CHARNN_OK
    } catch let error as APIError {
        LastError.set("\(function): \(error.message)")
        return error.status
    } catch let error as CharNNError {
        let mapped = APIError(error)
        LastError.set("\(function): \(mapped.message)")
        return mapped.status
    } catch {
        LastError.set("\(function): internal error: \(error)")
        return CHARNN_INTERNAL_ERROR
    }
}

/// The per-thread message behind charnn_last_error(): a malloc'd C string in a pthread key,
/// freed when replaced or when the thread ends.
enum LastError {
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { free($0) }
        return key
    }()
    static let empty: StaticString = ""

    static func set(_ message: String) {
        free(pthread_getspecific(key))
        pthread_setspecific(key, strdup(message))
    }

    static func clear() {
        if let old = pthread_getspecific(key) {
            free(old)
            pthread_setspecific(key, nil)
        }
    }

    static var current: UnsafePointer<CChar> {
        if let message = pthread_getspecific(key) { return UnsafePointer(message.assumingMemoryBound(to: CChar.self)) }
        return UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}

/// Every live handle, so a freed, foreign or wrong-kind pointer is refused instead of followed.
/// The registry owns the objects: a handle is the object's address, freeing removes it. A
/// lookup hands back a strong reference, so an object freed on another thread mid-call stays
/// alive until that call ends.
enum Handles {
    enum Kind: String { case dataset, model, metrics, graph, parameter, optimizer }

    private struct Entry {
        let kind: Kind
        let object: AnyObject
    }

    private static let live = Locked<[UInt: Entry]>([:])

    static func register(_ object: AnyObject, _ kind: Kind) -> OpaquePointer {
        let address = UInt(bitPattern: Unmanaged.passUnretained(object).toOpaque())
        live.withLock { $0[address] = Entry(kind: kind, object: object) }
        return OpaquePointer(bitPattern: address)!
    }

    /// The object behind `handle`, which must be a live handle of `kind`.
    static func object<T: AnyObject>(_ handle: OpaquePointer?, _ kind: Kind, _ argument: String) throws -> T {
        guard let handle else { throw APIError.invalid("\(argument) is NULL") }
        let entry = live.withLock { $0[UInt(bitPattern: handle)] }
        guard let entry else {
            throw APIError(CHARNN_INVALID_HANDLE, "\(argument) is not a live charnn handle (freed, or never created)")
        }
        guard entry.kind == kind, let object = entry.object as? T else {
            throw APIError(
                CHARNN_INVALID_HANDLE, "\(argument) is a \(entry.kind.rawValue) handle, not a \(kind.rawValue)")
        }
        return object
    }

    /// Forgets a handle of `kind`; anything else (NULL, unknown, another kind) is ignored.
    static func free(_ handle: OpaquePointer?, _ kind: Kind) {
        guard let handle else { return }
        let removed: Entry? = live.withLock { live in
            let key = UInt(bitPattern: handle)
            guard let entry = live[key], entry.kind == kind else { return nil }
            live[key] = nil
            return entry
        }
        _ = removed  // the object is released here, outside the lock
    }

    static var count: Int { live.withLock { $0.count } }
}

// MARK: Reading the caller's arguments

/// Stores `value` through an out pointer that must not be NULL.
@inline(__always)
func store<T>(_ value: T, _ pointer: UnsafeMutablePointer<T>?, _ argument: String) throws {
    guard let pointer else { throw APIError.invalid("\(argument) is NULL") }
    pointer.pointee = value
}

/// A NUL-terminated UTF-8 argument as a String.
func string(_ pointer: UnsafePointer<CChar>?, _ argument: String) throws -> String {
    guard let pointer else { throw APIError.invalid("\(argument) is NULL") }
    guard let s = String(validatingCString: pointer) else { throw APIError.invalid("\(argument) is not valid UTF-8") }
    return s
}

/// A count from the caller, refused when it cannot be a real size.
func count(_ value: Int, _ argument: String, max: Int = 1 << 40) throws -> Int {
    guard value >= 0 && value <= max else {
        throw APIError.invalid("\(argument) (\(UInt(bitPattern: value))) is too large")
    }
    return value
}

/// An array of C strings as Swift strings, each validated.
func strings(_ pointer: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int, _ argument: String) throws -> [String] {
    guard count > 0 else { return [] }
    guard let pointer else { throw APIError.invalid("\(argument) is NULL but its count is \(count)") }
    return try (0..<count).map { try string(pointer[$0], "\(argument)[\($0)]") }
}

// MARK: Structs across releases
//
// A config struct begins with `size_t struct_size`, and later releases only append fields. The
// rule (charnn.h, "Structs"): every struct_size this library has shipped is accepted; the fields
// past the caller's struct_size take their defaults, and an output struct is written only up to
// it. Any other size is refused: smaller than every shipped one means the _init function was
// skipped, larger than ours a newer header (we would not know what its fields ask for), and one
// in between matches no release. Nothing past the caller's struct_size is ever read or written.

/// A struct's layout as an earlier release shipped it.
struct ShippedLayout {
    /// The release, for messages ("0.2.0").
    let release: String
    /// Its struct_size (that release's sizeof).
    let size: Int
    /// The bytes of that struct that hold fields today's struct shares (its fields and the padding
    /// after them, up to the first field added later).
    let fieldBytes: Int

    /// `T` as `release` shipped it: the fields before `firstLaterField`, the first one added
    /// after that release. Its sizeof was the end of its fields rounded up to the struct's
    /// alignment, which is `T`'s: every config begins with a size_t, as aligned as any field
    /// (size_t, pointers, int64_t, double) charnn's structs have.
    init<T>(_ release: String, _ type: T.Type, endingBefore firstLaterField: PartialKeyPath<T>) {
        let offset = MemoryLayout<T>.offset(of: firstLaterField)!
        let alignment = MemoryLayout<T>.alignment
        self.release = release
        fieldBytes = offset
        size = (offset + alignment - 1) / alignment * alignment
    }
}

/// How many bytes of the caller's struct at `pointer` (a `T` of this library, or of an earlier
/// release in `shipped`) hold fields: all of `T` for our struct_size, an earlier layout's field
/// bytes for its. Throws for any other struct_size, naming `argument` and what sets it (`remedy`).
func structBytes<T>(
    _ pointer: UnsafeRawPointer, _ type: T.Type, _ argument: String,
    shipped: [ShippedLayout] = [], setBy remedy: String = "call the _init function"
) throws -> Int {
    let size = pointer.loadUnaligned(as: Int.self)
    let known = MemoryLayout<T>.size
    if size == known { return known }
    if let layout = shipped.first(where: { $0.size == size }) { return layout.fieldBytes }
    let accepted = (shipped.map { "\($0.size) (charnn \($0.release))" } + ["\(known)"]).joined(separator: ", ")
    let which = shipped.isEmpty ? "this library needs \(known)" : "this library accepts \(accepted)"
    guard size < known else {
        throw APIError.invalid(
            "\(argument)->struct_size is \(UInt(bitPattern: size)), larger than the \(known) bytes this library "
                + "(charnn \(versionString), ABI \(CHARNN_ABI_VERSION)) knows: built against a newer charnn.h?")
    }
    throw APIError.invalid("\(argument)->struct_size is \(UInt(bitPattern: size)); \(which) (\(remedy))")
}

/// A config struct from the caller: ours as it is, or an earlier release's (`shipped`) read into
/// `defaults()` (the _init values) so the fields it lacks keep them. The result's struct_size
/// is ours.
func readStruct<T>(
    _ pointer: UnsafePointer<T>?, _ argument: String, shipped: [ShippedLayout],
    defaults: () -> T
) throws -> T {
    guard let pointer else { throw APIError.invalid("\(argument) is NULL") }
    let bytes = try structBytes(pointer, T.self, argument, shipped: shipped)
    if bytes == MemoryLayout<T>.size { return pointer.pointee }
    var value = defaults()
    withUnsafeMutableBytes(of: &value) { target in
        target.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: bytes))
        target.storeBytes(of: MemoryLayout<T>.size, as: Int.self)
    }
    return value
}

/// A config struct that must be this library's (no earlier release had it, or it never changed).
func readStruct<T>(_ pointer: UnsafePointer<T>?, _ argument: String) throws -> T {
    guard let pointer else { throw APIError.invalid("\(argument) is NULL") }
    _ = try structBytes(pointer, T.self, argument)
    return pointer.pointee
}

/// Writes `value` into the caller's output struct, whose fields fill `bytes` bytes (from
/// `structBytes`): nothing past them, and not its struct_size.
func writeStruct<T>(_ value: T, to pointer: UnsafeMutablePointer<T>, bytes: Int) {
    let skip = MemoryLayout<Int>.size
    withUnsafeBytes(of: value) { source in
        UnsafeMutableRawPointer(pointer).advanced(by: skip)
            .copyMemory(from: source.baseAddress!.advanced(by: skip), byteCount: bytes - skip)
    }
}

/// Copies a string into a caller buffer with a NUL, or reports the size it needs.
func copyString(
    _ text: String, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
    _ length: UnsafeMutablePointer<Int>?
) throws {
    let bytes = Array(text.utf8)
    length?.pointee = bytes.count
    guard capacity >= bytes.count + 1 else {
        throw APIError(
            CHARNN_BUFFER_TOO_SMALL,
            "the string needs \(bytes.count + 1) bytes, the buffer has \(UInt(bitPattern: capacity))")
    }
    guard let buffer else {
        throw APIError.invalid(
            "buffer is NULL but capacity is \(UInt(bitPattern: capacity)) (NULL with capacity 0 asks for the length)")
    }
    for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
    buffer[bytes.count] = 0
}

/// C strings owned by a handle (label names), freed with it.
// @unchecked Sendable: `pointers` is fixed at init and the strings are never written again;
// they are freed in deinit, when no thread can hold the object any more.
final class OwnedCStrings: @unchecked Sendable {
    let pointers: [UnsafeMutablePointer<CChar>]

    init(_ strings: [String]) { pointers = strings.map { strdup($0)! } }

    deinit { for p in pointers { free(p) } }

    func get(_ index: Int, _ argument: String) throws -> UnsafePointer<CChar> {
        guard index >= 0 && index < pointers.count else {
            throw APIError.invalid("\(argument) \(UInt(bitPattern: index)) is not below the count \(pointers.count)")
        }
        return UnsafePointer(pointers[index])
    }
}
