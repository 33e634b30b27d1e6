// Crash-safe file replacement: write a temporary file in the destination's folder, flush it to
// disk, then rename it over the destination (rename is atomic within one file system).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

/// Atomic whole-file writes.
enum AtomicFile {
    /// Replaces the file at `url` by `bytes`: a reader sees the old file or the new one, never a
    /// mixture, and after a crash the destination is intact. The temporary file
    /// (`.<name>.tmp-<pid>-<random>`) is removed when anything fails.
    /// - Throws: `SafetensorsError.io` naming the path and the system error.
    static func write(_ bytes: [UInt8], to url: URL) throws(SafetensorsError) {
        let destination = url.path
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ what: String) -> SafetensorsError {
            .io(path: destination, reason: "\(what): \(String(cString: strerror(errno)))")
        }

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create temporary file \(temporary)") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else {
            let error = failure("cannot write \(temporary)")
            close(fd)
            unlink(temporary)
            throw error
        }
        guard close(fd) == 0 else {
            let error = failure("cannot close \(temporary)")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, destination) == 0 else {
            let error = failure("cannot rename \(temporary) to \(destination)")
            unlink(temporary)
            throw error
        }
        // Persist the rename itself; failure here leaves a complete file, so it is not an error.
        let folderDescriptor = open(folder, O_RDONLY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }
}
