// The crash-safety promise of `quarry train`, checked on the real executable: a SIGKILL during a
// checkpoint write leaves the previous checkpoint loadable, and `--resume` then ends with the
// same losses and weights as an uninterrupted run.
//
// Catching the child mid-write without a hook in the writer: the test freezes the child with
// SIGSTOP at varied moments and looks at its output folder while it cannot move. When the
// atomic writer's temporary file (`.checkpoint.safetensors.tmp-<pid>-<random>`, from
// AtomicFiles' AtomicFile) is there, the frozen child is between creating it and renaming it,
// and SIGKILL freezes that state for good; otherwise the child continues (SIGCONT). No race remains
// between looking and killing. Measured on the 2-core CI machine kind: a 12-iteration run
// offers about 1,000 probes, about 20 of which land mid-write (each 8 MB write is fsynced), so
// an attempt that misses every one is not expected in practice; three are allowed.
import Foundation
import Quarry
import Testing
#if canImport(Glibc)
import Glibc
#endif

// /proc is needed to see that every thread of the frozen child has stopped (Linux only).
@Suite("quarry train: SIGKILL during a checkpoint write, then --resume", .serialized,
       .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat"), "needs /proc (Linux)"))
struct TrainCrashSafetyTests {
    static let iterations = 12

    /// The `quarry train` arguments shared by the uninterrupted, killed and resumed runs.
    func trainArguments(output: URL) -> [String] {
        ["train", "--dataset", "digits", "--strategy", "random", "--iterations", "\(Self.iterations)", "--seed", "0",
         "--checkpoint-every", "1", "--threads", "1", "--output", output.path]
    }

    @Test("the previous checkpoint survives; the resumed run's losses.csv and final checkpoint equal an uninterrupted run's")
    func killDuringCheckpointWrite() throws {
        let quarry = try QuarryProcess.executable()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)

        let reference = root.appendingPathComponent("uninterrupted")
        let status = try QuarryProcess(quarry, trainArguments(output: reference), log: root.appendingPathComponent("a.log")).wait()
        try #require(status == 0, "the uninterrupted run failed: \(QuarryProcess.tail(of: root.appendingPathComponent("a.log")))")

        // Bounded retries: an attempt misses only if the child finishes without being caught
        // mid-write, which needs every probe to land outside the write.
        var killed: URL?
        for attempt in 1...3 where killed == nil {
            let folder = root.appendingPathComponent("killed-\(attempt)")
            let child = try QuarryProcess(quarry, trainArguments(output: folder), log: root.appendingPathComponent("k\(attempt).log"))
            if try child.killDuringCheckpointWrite(in: folder) { killed = folder }
        }
        let folder = try #require(killed, "the child was never caught between creating and renaming a checkpoint's temporary file")
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors")
        #expect(!QuarryProcess.checkpointTemporaries(in: folder).isEmpty, "the kill came during a write")

        // The previous checkpoint loads, one iteration behind the rows the log holds (the row of
        // iteration k is appended before checkpoint k is written).
        let rowsAtKill = try dataRows(folder.appendingPathComponent("losses.csv"))
        let previous = try Checkpoint(contentsOf: checkpoint)
        let iteration = try #require(previous.metadata["quarry.iteration"].flatMap(Int.init))
        #expect(iteration == rowsAtKill.count - 1, "checkpoint at \(iteration), \(rowsAtKill.count) rows logged")
        #expect(iteration >= 1 && iteration < Self.iterations)
        #expect(previous.modelTensors.count == 34)

        let resumed = try QuarryProcess(quarry, trainArguments(output: folder) + ["--resume"],
                                        log: root.appendingPathComponent("r.log")).wait()
        try #require(resumed == 0, "the resumed run failed: \(QuarryProcess.tail(of: root.appendingPathComponent("r.log")))")

        // Same losses, row by row (all but the timing column), and not a row more or less.
        func losses(_ run: URL) throws -> [String] {
            try dataRows(run.appendingPathComponent("losses.csv")).map { $0.split(separator: ",").dropLast().joined(separator: ",") }
        }
        let expected = try losses(reference)
        #expect(expected.count == Self.iterations)
        #expect(try losses(folder) == expected)
        // Same weights, optimiser state and metadata: the final checkpoints are the same bytes.
        let final = try Data(contentsOf: checkpoint)
        #expect(final == (try Data(contentsOf: reference.appendingPathComponent("checkpoint.safetensors"))))
        #expect(QuarryProcess.checkpointTemporaries(in: folder).isEmpty, "--resume removes the killed run's temporary file")
    }

    /// The data rows of a losses.csv (without the header).
    func dataRows(_ url: URL) throws -> [String] {
        Array(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map(String.init))
    }
}
