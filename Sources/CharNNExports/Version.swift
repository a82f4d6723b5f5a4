import CCharNN
import CharNN

// Versions, status strings and the last error.

/// The library version: CHARNN_VERSION_STRING of include/charnn.h, the one place it is written.
let versionString = String(cString: ccharnn_header_version_string())

@c @implementation
public func charnn_version_string() -> UnsafePointer<CChar>! {
    ccharnn_header_version_string()
}

@c @implementation
public func charnn_abi_version() -> Int32 { Int32(CHARNN_ABI_VERSION) }

/// The one table of status strings, each beside the header's name for its code. The C test and
/// bindings/python/tests/test_header.py check that every charnn_status of the header has one
/// (and that Python has an exception for it).
private let statusStrings: [(charnn_status, StaticString)] = [
    (CHARNN_OK, "ok"),
    (CHARNN_INVALID_ARGUMENT, "invalid argument"),
    (CHARNN_INVALID_HANDLE, "invalid handle"),
    (CHARNN_SHAPE_MISMATCH, "shape mismatch"),
    (CHARNN_IO_ERROR, "I/O error"),
    (CHARNN_INVALID_DATA, "invalid data"),
    (CHARNN_INVALID_CHECKPOINT, "invalid checkpoint"),
    (CHARNN_DIVERGED, "training diverged"),
    (CHARNN_CANCELLED, "cancelled"),
    (CHARNN_BUSY, "busy"),
    (CHARNN_BUFFER_TOO_SMALL, "buffer too small"),
    (CHARNN_INTERNAL_ERROR, "internal error"),
]
private let unknownStatus: StaticString = "unknown status"

@c @implementation
public func charnn_status_string(_ status: charnn_status) -> UnsafePointer<CChar>! {
    let text = statusStrings.first { $0.0 == status }?.1 ?? unknownStatus
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func charnn_last_error() -> UnsafePointer<CChar>! { LastError.current }
