// Real `mpirun … quarry train --distributed` jobs (a build with `--traits MPI`; skipped
// otherwise, as the whole MPITests suite): 2 ranks train what 1 rank trains with the same
// global batch, for a stateless strategy and for the hard-negative buffer; a rank killed
// mid-run ends the job with an error naming it, and its checkpoint resumes at another world
// size to the uninterrupted run's weights.
import Foundation
import Quarry
import Testing
@testable import QuarryCLI

extension MPITests {
    /// A short data-parallel run on the digits canvases (batch 2: one image per rank at 2 ranks).
    static func trainArguments(strategy: String, output: URL, checkpointEvery: Int = 0, resume: Bool = false) -> [String] {
        ["train", "--distributed", "--dataset", "digits", "--strategy", strategy, "--iterations", "50", "--batch-size", "2",
         "--threads", "1", "--checkpoint-every", "\(checkpointEvery)", "--output", output.path] + (resume ? ["--resume"] : [])
    }

    /// Runs `mpirun -np ranks quarry <arguments>` and expects it to succeed.
    func train(ranks: Int, _ arguments: [String], log: URL, environment: [String: String] = [:]) throws -> MPIJob {
        let job = try MPIJob(ranks: ranks, arguments, log: log, environment: environment)
        let (status, _) = job.wait(timeout: 300)
        #expect(status == 0, "\(job.output)")
        return job
    }

    /// losses.csv's rows without the seconds column, as numbers.
    static func lossRows(_ folder: URL) throws -> [[Double]] {
        let text = try String(contentsOf: folder.appendingPathComponent("losses.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").dropFirst()
        return lines.map { line in line.split(separator: ",").dropLast().compactMap { Double(String($0)) } }
    }

    /// Expects two runs' losses (every term, every iteration) and final weights within 1e-4.
    static func expectSameRun(_ one: URL, _ two: URL, iterations: Int = 50) throws {
        let a = try lossRows(one), b = try lossRows(two)
        #expect(a.count == iterations && b.count == iterations)
        for (row, (x, y)) in zip(a, b).enumerated() {
            #expect(x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= 1e-4 }, "iteration \(row): \(x) vs \(y)")
        }
        let first = try Checkpoint(contentsOf: one.appendingPathComponent("checkpoint.safetensors"))
        let second = try Checkpoint(contentsOf: two.appendingPathComponent("checkpoint.safetensors"))
        #expect(first.modelTensors.keys.sorted() == second.modelTensors.keys.sorted())
        var largest: Float = 0
        for (name, tensor) in first.modelTensors {
            let other = try #require(second.modelTensors[name])
            #expect(tensor.shape == other.shape, "\(name)")
            for (u, v) in zip(tensor.scalars, other.scalars) { largest = max(largest, abs(u - v)) }
        }
        #expect(largest <= 1e-4, "largest weight difference \(largest)")
    }

    @Test("train --distributed: 2 ranks (one image each) train what 1 rank trains with the same batch of 2",
          arguments: ["random", "hard-negative-buffer", "hard-negative-buffer-separate", "focal"])
    func trainAcrossRanks(strategy: String) throws {
        let folder = try temporaryFolder("train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let one = folder.appendingPathComponent("one"), two = folder.appendingPathComponent("two")
        _ = try train(ranks: 1, Self.trainArguments(strategy: strategy, output: one), log: folder.appendingPathComponent("one.log"))
        let job = try train(ranks: 2, Self.trainArguments(strategy: strategy, output: two), log: folder.appendingPathComponent("two.log"))
        #expect(job.output.contains(TrainCommand.dataParallelNote(ranks: 2, batchSize: 2, threads: 1)), "\(job.output)")
        try Self.expectSameRun(one, two)
        // Not vacuous for the buffer: it holds entries, and the same ones at both world sizes.
        let checkpoints = try [one, two].map { try Checkpoint(contentsOf: $0.appendingPathComponent("checkpoint.safetensors")) }
        let states = checkpoints.map { $0.metadata.filter { $0.key.hasPrefix("quarry.sampler_state.") } }
        #expect(states[0] == states[1])
        if strategy.hasPrefix("hard-negative-buffer") {
            #expect(states[0].count == 2 && states[0].values.allSatisfy { $0.contains("imageID") }, "\(states[0].keys)")
        }
        if strategy == "focal" {   // the moving averages of the positives, moved from their start of 100
            #expect(states[0].count == 2 && states[0].values.allSatisfy { $0.contains("positiveCountAverage") && !$0.contains("positiveCountAverage\":100,") },
                    "\(states[0])")
        }
    }

    @Test("train --distributed: a killed rank ends the job with an error; its checkpoint resumes at 1 rank to the uninterrupted run")
    func trainKilledRankThenResume() throws {
        let folder = try temporaryFolder("train-killed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = folder.appendingPathComponent("reference"), output = folder.appendingPathComponent("out")
        _ = try train(ranks: 2, Self.trainArguments(strategy: "hard-negative-buffer", output: reference, checkpointEvery: 4),
                      log: folder.appendingPathComponent("reference.log"))
        // Rank 1 dies (SIGKILL) after iteration 4 (0-based); rank 0 checkpointed after iteration 3.
        let killed = try MPIJob(ranks: 2, Self.trainArguments(strategy: "hard-negative-buffer", output: output, checkpointEvery: 4),
                                log: folder.appendingPathComponent("killed.log"), environment: [CompareCommand.killRankVariable: "1"])
        let (status, seconds) = killed.wait(timeout: 120)
        let text = killed.output
        #expect(status != 0, "\(text)")
        #expect(text.contains("process rank 1") && text.contains("signal 9"), "\(text)")
        #expect(seconds < 120)
        let checkpoint = try Checkpoint(contentsOf: output.appendingPathComponent("checkpoint.safetensors"))
        #expect(checkpoint.metadata["quarry.iteration"] == "4" && checkpoint.metadata["quarry.world_size"] == "2")
        // Resumed at another world size: the uninterrupted 2-rank run's losses and weights.
        _ = try train(ranks: 1, Self.trainArguments(strategy: "hard-negative-buffer", output: output, checkpointEvery: 4, resume: true),
                      log: folder.appendingPathComponent("resumed.log"))
        try Self.expectSameRun(reference, output)
    }
}
