import CCharNN
import CharNN

// Versions, status strings and the last error.

/// The library version: also CHARNN_VERSION_STRING in include/charnn.h (a C test checks they agree).
let versionString: StaticString = "0.4.0"

@c @implementation
public func charnn_version_string() -> UnsafePointer<CChar>! {
    UnsafeRawPointer(versionString.utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func charnn_abi_version() -> Int32 { Int32(CHARNN_ABI_VERSION) }

private let statusStrings: [StaticString] = [
    "ok", "invalid argument", "invalid handle", "shape mismatch", "I/O error", "invalid data",
    "invalid checkpoint", "training diverged", "cancelled", "busy", "buffer too small", "internal error",
]
private let unknownStatus: StaticString = "unknown status"

@c @implementation
public func charnn_status_string(_ status: charnn_status) -> UnsafePointer<CChar>! {
    let index = Int(status.rawValue)
    let text = index < statusStrings.count ? statusStrings[index] : unknownStatus
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func charnn_last_error() -> UnsafePointer<CChar>! { LastError.current }
