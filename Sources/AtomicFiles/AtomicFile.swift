// Crash-safe file replacement, the one implementation every module uses (checkpoints, PNGs,
// COCO JSON, reports, the loss log): write a temporary file in the destination's folder, fsync
// it, rename it over the destination (atomic within one file system), then fsync the folder so
// that the rename itself survives a power loss.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

/// Atomic whole-file writes: a reader sees the old file or the new one, never a mixture, and
/// after a crash the destination is intact.
///
/// The temporary file sits beside the destination as `.<name>.tmp-<pid>-<random>` (see
/// `temporaryNamePrefix(for:)`); it is removed when any step fails. A process killed mid-write
/// leaves it behind, and only the caller knows whether nobody else writes into that folder, so
/// removing such leftovers is the caller's job (`quarry train --resume` does it).
public enum AtomicFile {
    /// The name prefix of every temporary file written on the way to a file named `name`:
    /// `.<name>.tmp-` (hidden, so that folder listings and globs skip it).
    public static func temporaryNamePrefix(for name: String) -> String { ".\(name).tmp-" }

    /// Replaces the file at `url` by `bytes`: temporary file, write, fsync, rename, fsync of the folder.
    /// - Parameters:
    ///   - bytes: the whole new contents (`[UInt8]`, `Data`, …).
    ///   - url: the destination; an existing file there is replaced.
    ///   - creatingFolder: create the destination's folder (and its parents) when missing;
    ///     otherwise a missing folder is an error.
    /// - Throws: `AtomicWriteError` naming `url`'s path, the step that failed and the system's
    ///   message. The destination is then unchanged and no temporary file is left.
    public static func write(_ bytes: some ContiguousBytes, to url: URL, creatingFolder: Bool = false) throws(AtomicWriteError) {
        let destination = url.path
        let folder = url.deletingLastPathComponent().path
        func failure(_ what: String) -> AtomicWriteError {
            AtomicWriteError(path: destination, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        if creatingFolder {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw AtomicWriteError(path: destination, reason: "cannot create folder \(folder): \(error.localizedDescription)")
            }
        }

        let temporary = folder + "/" + temporaryNamePrefix(for: url.lastPathComponent)
            + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create temporary file \(temporary)") }
        /// Closes (if still open) and removes the temporary file, keeping the first error's errno.
        func abandon(_ what: String, closing: Bool) -> AtomicWriteError {
            let error = failure(what)
            if closing { close(fd) }
            unlink(temporary)
            return error
        }

        let written: Bool = bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        guard written else { throw abandon("cannot write \(temporary)", closing: true) }
        guard fsync(fd) == 0 else { throw abandon("cannot sync \(temporary)", closing: true) }
        guard close(fd) == 0 else { throw abandon("cannot close \(temporary)", closing: false) }
        guard rename(temporary, destination) == 0 else {
            throw abandon("cannot rename \(temporary) to \(destination)", closing: false)
        }
        // Persist the rename itself; a failure here leaves the complete new file in place, so it
        // is not reported.
        let folderDescriptor = open(folder, O_RDONLY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    /// Replaces the file at `url` by `text` in UTF-8, atomically (see `write(_:to:creatingFolder:)`).
    /// - Throws: `AtomicWriteError` naming `url`'s path and the failed step.
    public static func write(_ text: String, to url: URL, creatingFolder: Bool = false) throws(AtomicWriteError) {
        try write(Array(text.utf8), to: url, creatingFolder: creatingFolder)
    }
}
