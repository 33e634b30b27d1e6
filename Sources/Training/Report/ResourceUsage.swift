// Peak resident memory of this process, read from Linux's /proc (VmHWM), with a reset so that
// each strategy of a comparison gets its own peak.
import Foundation

/// Process memory measurements from `/proc/self` (Linux).
public enum ResourceUsage {
    /// The peak resident set size (VmHWM) in bytes, or nil where /proc is unavailable.
    public static func peakResidentBytes() -> Int? {
        statusField("VmHWM:")
    }

    /// The current resident set size (VmRSS) in bytes, or nil where /proc is unavailable.
    public static func residentBytes() -> Int? {
        statusField("VmRSS:")
    }

    /// Resets the kernel's peak-RSS counter to the current RSS (writes 5 to
    /// `/proc/self/clear_refs`, Linux ≥ 4.0).
    /// - Returns: whether the reset succeeded; when it fails, peaks are process-wide.
    @discardableResult
    public static func resetPeakResidentBytes() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)); return true } catch { return false }
    }

    /// Reads a "Name:   123 kB" line of /proc/self/status, in bytes.
    static func statusField(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.count >= 2, let kB = Int(parts[1]) { return kB * 1024 }
        }
        return nil
    }
}
