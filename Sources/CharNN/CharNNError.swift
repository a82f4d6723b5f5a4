/// Every failure in charnn is one of these: a kind (which the C ABI turns into a status code)
/// and a message that names what was wrong (the file, line, field or argument).
///
/// Every throwing API of the module throws this type alone (typed throws), so a `catch` sees a
/// `CharNNError` without casting:
///
/// ```swift
/// do { _ = try Model.load(from: path) } catch { print(error.kind, error.message) }
/// ```
public struct CharNNError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The class of a failure: what a caller may want to branch on.
    public enum Kind: Sendable, Equatable {
        /// A caller passed something unusable: a size, a value out of range, an empty name.
        case invalidArgument
        /// Two tensors whose shapes do not fit the operation.
        case shapeMismatch
        /// A file or directory could not be read or written.
        case io
        /// A data file or directory is malformed (bad UTF-8, no label files, an empty file).
        case invalidData
        /// A checkpoint is truncated, oversized, mis-typed or inconsistent.
        case invalidCheckpoint
        /// Training produced a non-finite loss or gradient.
        case diverged
        /// The progress callback asked training to stop.
        case cancelled
        /// The object is in use by another operation that cannot run alongside this one.
        case busy
    }

    /// The class of the failure.
    public let kind: Kind
    /// What was wrong, naming the file, line, field or argument; meant for people.
    public let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }

    static func invalidArgument(_ message: String) -> CharNNError { .init(.invalidArgument, message) }
    static func shape(_ message: String) -> CharNNError { .init(.shapeMismatch, message) }
    static func io(_ message: String) -> CharNNError { .init(.io, message) }
    static func invalidData(_ message: String) -> CharNNError { .init(.invalidData, message) }
    static func checkpoint(_ message: String) -> CharNNError { .init(.invalidCheckpoint, message) }
}
