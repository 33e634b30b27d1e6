import Foundation

/// A failed atomic write, naming the destination file and what went wrong.
///
/// Modules with their own typed errors wrap it (`SafetensorsError.io`, `ImageCodecError.writeFailed`,
/// `COCOFileError.Kind.unwritable`), passing `reason` through.
public struct AtomicWriteError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The destination file, as given.
    public var path: String
    /// The step that failed (creating the folder or the temporary file, writing, syncing,
    /// renaming) and the system's message, e.g. `cannot rename /a/.x.tmp-1-2 to /a/x: Is a directory`.
    public var reason: String

    /// Creates an error for the destination `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: reason`.
    public var description: String { "\(path): \(reason)" }

    /// `path: reason`, so that `localizedDescription` names the file too.
    public var errorDescription: String? { description }
}
