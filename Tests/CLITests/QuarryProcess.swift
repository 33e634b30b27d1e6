// The `quarry` executable as a child process of a test: found beside the test binary, run with
// its output in a log file, and frozen, inspected and killed by signal.
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running `quarry` child process.
struct QuarryProcess {
    /// An error that stops a test before the child ran.
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    let process: Process
    /// The child's pid and its start time (in clock ticks since boot), which together name
    /// this process even if the pid is later reused.
    let pid: pid_t
    let startTime: String?

    /// The `quarry` binary built beside the test binary (`.build/<triple>/<debug|release>/quarry`;
    /// on macOS the test binary sits inside `QuarryPackageTests.xctest/Contents/MacOS`).
    /// - Throws: `SetupError` saying where it looked and how to build it.
    static func executable() throws -> URL {
        var starts: [URL] = []
        if let main = Bundle.main.executableURL { starts.append(main) }
        if let first = CommandLine.arguments.first { starts.append(URL(fileURLWithPath: first)) }
        var searched: [String] = []
        for start in starts {
            var folder = start.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = folder.appendingPathComponent("quarry")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                searched.append(folder.path)
                folder = folder.deletingLastPathComponent()
            }
        }
        throw SetupError(description: "the quarry executable is not built beside the tests (looked in \(searched.joined(separator: ", "))); "
                         + "build it with `swift build -c release -Xswiftc -enable-testing --build-tests`, which builds every product")
    }

    /// Starts `executable` with `arguments`, standard output and error going to `log`, in
    /// `environment` and `currentDirectory` (this process's when nil).
    init(_ executable: URL, _ arguments: [String], log: URL, environment: [String: String]? = nil,
         currentDirectory: URL? = nil) throws {
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw SetupError(description: "cannot create the log \(log.path)")
        }
        let handle = try FileHandle(forWritingTo: log)
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        pid = process.processIdentifier
        startTime = Self.startTime(of: pid)
    }

    /// Waits for the child to end (killing it after `timeout` seconds) and returns its exit status.
    func wait(timeout: TimeInterval = 120) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            Issue.record("quarry \(process.arguments ?? []) ran longer than \(timeout) s; killed")
            if isOurChild { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Freezes the child at varied moments until it is caught while a checkpoint's temporary
    /// file exists in `folder` (and a previous checkpoint does), then kills it with SIGKILL.
    /// - Returns: true when the child was killed mid-write; false when it finished first.
    func killDuringCheckpointWrite(in folder: URL) throws -> Bool {
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors").path
        var generator = SystemRandomNumberGenerator()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline {
            // Probe once a first checkpoint exists: there must be one to fall back to.
            guard FileManager.default.fileExists(atPath: checkpoint) else { usleep(2_000); continue }
            guard isOurChild, kill(pid, SIGSTOP) == 0 else { break }
            guard waitUntilStopped() else {
                if isOurChild { kill(pid, SIGCONT) }
                break
            }
            if !Self.checkpointTemporaries(in: folder).isEmpty {
                kill(pid, SIGKILL)
                process.waitUntilExit()
                return true
            }
            kill(pid, SIGCONT)
            // Varied gaps, so that probes do not lock onto the iteration's rhythm.
            usleep(UInt32.random(in: 100...1_500, using: &generator))
        }
        _ = wait()
        return false
    }

    /// Waits until every thread of the stopped child is in the stopped state ('T'), so that
    /// nothing in the output folder can change while the test looks.
    /// - Returns: false when the child ended instead.
    func waitUntilStopped() -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            if tasks.isEmpty { return false }
            let states = tasks.map { Self.status(path: "/proc/\(pid)/task/\($0)/stat")?.first ?? "?" }
            if states.contains("Z") || states.contains("X") { return false }
            if states.allSatisfy({ $0 == "T" || $0 == "t" }) { return true }
            usleep(100)
        }
        return false
    }

    /// Whether `pid` still names the child this value started (not a later process that reused the pid).
    var isOurChild: Bool { startTime != nil && Self.startTime(of: pid) == startTime }

    /// The start time of `pid` (field 22 of /proc/PID/stat), or nil when there is no such process.
    static func startTime(of pid: pid_t) -> String? {
        guard let fields = status(of: pid), fields.count > 19 else { return nil }
        return fields[19]
    }

    /// The fields of /proc/PID/stat after the command name: [0] state, [1] ppid, …, [19] start time.
    static func status(of pid: pid_t) -> [String]? { status(path: "/proc/\(pid)/stat") }

    static func status(path: String) -> [String]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ").map(String.init)
    }

    /// The atomic writer's temporary files of `checkpoint.safetensors` in `folder`.
    static func checkpointTemporaries(in folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasPrefix(".checkpoint.safetensors.tmp") }
    }

    /// The last lines of a log, for failure messages.
    static func tail(of log: URL) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? "(no log)"
        return text.split(separator: "\n").suffix(5).joined(separator: "\n")
    }
}
