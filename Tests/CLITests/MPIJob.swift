// `mpirun` starting the built `quarry` on this machine: loopback TCP only, oversubscribed (more
// ranks than cores is fine for a test), allowed to run as root (CI containers do).
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One `mpirun … quarry …` job started by a test.
struct MPIJob {
    /// The options every test job passes to mpirun: no slot limit (`--oversubscribe`); no core
    /// binding (`--bind-to none`: Open MPI pins each of 2 ranks to one core, and on a machine
    /// shared with other work a pinned rank can get a quarter of its core while the other runs
    /// everything); messages over the loopback interface only (`btl self,tcp` on `lo`; Open MPI's
    /// shared-memory transport is left out, so the path is the one a cluster's TCP network takes).
    static let loopbackOptions = ["--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo",
                                  "--mca", "oob_tcp_if_include", "lo"]

    /// `mpirun` on PATH.
    /// - Throws: `QuarryProcess.SetupError` when it is not installed (scripts/setup.sh installs openmpi-bin).
    static func mpirun() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw QuarryProcess.SetupError(description: "mpirun is not on PATH; scripts/setup.sh installs openmpi-bin")
    }

    /// This process's environment without any MPI launcher's variables, plus the two that let
    /// Open MPI run as root, and `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("OMPI_") && !$0.key.hasPrefix("PMIX_") && !$0.key.hasPrefix("PMI_") && $0.key != "QUARRY_MPI"
        }
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        return environment.merging(extra) { $1 }
    }

    let child: QuarryProcess
    let log: URL

    /// Starts `mpirun -np <ranks> <loopback options> [-x name …] quarry <arguments>`, its output in `log`.
    /// - Parameter exported: variables of `environment` that mpirun passes to every rank (`-x`).
    init(ranks: Int, _ arguments: [String], log: URL, environment extra: [String: String] = [:]) throws {
        let exported = extra.keys.sorted().flatMap { ["-x", $0] }
        self.log = log
        child = try QuarryProcess(try Self.mpirun(),
                                  ["-np", "\(ranks)"] + Self.loopbackOptions + exported + [try QuarryProcess.executable().path] + arguments,
                                  log: log, environment: Self.environment(extra))
    }

    /// Waits for mpirun to end and returns its exit status and the seconds it took from now; after
    /// `timeout` seconds it records an issue and ends the job (SIGTERM, which mpirun passes to
    /// the ranks, then SIGKILL).
    func wait(timeout: TimeInterval) -> (status: Int32, seconds: Double) {
        let start = Date()
        let deadline = start.addingTimeInterval(timeout)
        while child.process.isRunning && Date() < deadline { usleep(20_000) }
        if child.process.isRunning {
            Issue.record("mpirun ran longer than \(timeout) s (a hang?); ended it. Log:\n\(QuarryProcess.tail(of: log))")
            if child.isOurChild { kill(child.pid, SIGTERM) }
            let grace = Date().addingTimeInterval(10)
            while child.process.isRunning && Date() < grace { usleep(20_000) }
            if child.process.isRunning && child.isOurChild { kill(child.pid, SIGKILL) }
        }
        child.process.waitUntilExit()
        return (child.process.terminationStatus, Date().timeIntervalSince(start))
    }

    /// The job's output.
    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}
