// The `quarry` executable's BLAS self-check, run for real: one log line saying what it found and
// did, the right core afterwards, and the restart path (QUARRY_BLAS_CHECK=restart stands in for
// an OpenBLAS without in-process re-selection).
import Foundation
import Kernels
import Testing
import TestSupport

@Suite("quarry BLAS self-check")
struct BLASStartupTests {
    /// Runs `quarry eval` on the coco_eval.json fixture with `extra` environment variables (and
    /// without OPENBLAS_CORETYPE or QUARRY_BLAS_CHECK from this process); returns the BLAS log line.
    func blasLine(extra: [String: String] = [:]) throws -> String {
        let entry = try #require(Fixtures.json("coco_eval.json") as? [String: Any])
        let directory = try EvalCommandTests().writeInputs(of: entry)
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        environment["QUARRY_BLAS_CHECK"] = nil
        environment.merge(extra) { $1 }
        let log = directory.appendingPathComponent("log.txt")
        let child = try QuarryProcess(try QuarryProcess.executable(),
                                      ["eval", "--ground-truth", directory.appendingPathComponent("gt.json").path,
                                       "--detections", directory.appendingPathComponent("dets.json").path],
                                      log: log, environment: environment)
        #expect(child.wait() == 0, "quarry eval failed: \(QuarryProcess.tail(of: log))")
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.contains("BLAS: ") }
        #expect(lines.count == 1, "one BLAS log line expected, got \(lines)")
        return String(try #require(lines.first))
    }

    /// The core named after `prefix` in a log line, e.g. "core " → "Prescott".
    func word(after prefix: String, in line: String) throws -> String {
        let range = try #require(line.range(of: prefix), "'\(prefix)' not in \(line)")
        return String(line[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }

    @Test("the log line names the core found and ends on the CPU's best")
    func logLine() throws {
        let line = try blasLine()
        let before = try word(after: ", core ", in: line)
        if let best = Kernels.blasCoreToSelect(runningCore: before, features: .current, userCoreType: nil) {
            #expect(line.contains("switched to \(best) (now \(best))"), "\(line)")
        } else {
            #expect(line.hasSuffix("core kept"), "\(line)")
        }
    }

    @Test("without in-process re-selection, quarry restarts itself once with OPENBLAS_CORETYPE")
    func restart() throws {
        let line = try blasLine(extra: ["QUARRY_BLAS_CHECK": "restart"])
        // A fresh process starts on the core this test process started on (same machine and library).
        let startCore = Kernels.blasStatus.coreBefore
        if case .userSetting = Kernels.blasStatus.action { return }   // this process's core was the user's: unknown start
        if let best = Kernels.blasCoreToSelect(runningCore: startCore, features: .current, userCoreType: nil) {
            #expect(line.contains("quarry restarted itself with OPENBLAS_CORETYPE=\(best) (now \(best))"), "\(line)")
            #expect(try word(after: ", core ", in: line) == startCore)
        } else {
            #expect(line.hasSuffix("core kept"), "\(line)")
        }
    }
}
