// The `quarry` executable's entry point: the BLAS self-check first (one log line; a restart with
// OPENBLAS_CORETYPE where OpenBLAS cannot switch cores in process), then the command line.
import Foundation
import Logging
import Quarry

@main
enum QuarryMain {
    static func main() async {
        // Help, completion scripts and a bare `quarry` compute nothing: no BLAS line for them.
        let arguments = CommandLine.arguments.dropFirst()
        let computes = !arguments.isEmpty && arguments.first != "help"
            && !arguments.contains { ["-h", "--help", "--version"].contains($0) || $0.hasPrefix("--generate-completion-script") }
        if computes { BLASStartup.run() }
        await QuarryCommand.main()
    }
}

/// Runs the BLAS self-check (`Kernels.blasStatus`) before any command computes, logs what it
/// found and did in one line, and restarts the process once with OPENBLAS_CORETYPE set when
/// OpenBLAS fell back to a narrow core and cannot re-select it in process.
enum BLASStartup {
    /// Set in the environment of the restarted process (to the core the first one found), so it
    /// restarts at most once and can say what it replaced.
    static let restartMarker = "QUARRY_BLAS_RESTARTED"

    static func run() {
        let logger = Logger(label: "quarry")
        // In the restarted process: the core the first process found, which it passed on.
        let restartedFrom = ProcessInfo.processInfo.environment[restartMarker]
        if restartedFrom != nil { unsetenv(restartMarker) }
        let status = Kernels.blasStatus
        if let restartedFrom, case .userSetting(let core) = status.action {
            let cpu = status.cpuModel.isEmpty ? "this CPU" : status.cpuModel
            logger.info("BLAS: \(status.version), core \(restartedFrom), \(status.threads) threads, on \(cpu) (\(status.cpuFeatures.vectorClass)); OpenBLAS chose a core narrower than the CPU, quarry restarted itself with OPENBLAS_CORETYPE=\(core) (now \(status.coreAfter))")
            unsetenv("OPENBLAS_CORETYPE")
            return
        }
        guard case .restartNeeded(let core) = status.action, restartedFrom == nil else {
            logger.info("\(status.description)")
            return
        }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(restartMarker, status.coreBefore, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when execv failed: carry on with the narrow core.
        logger.warning("\(status.description); the restart failed (\(String(cString: strerror(errno)))), continuing on \(status.coreAfter)")
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(restartMarker)
    }
}
