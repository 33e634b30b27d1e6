// `mpirun -np N quarry mpi-check`: checks that Quarry's collectives work across the ranks of a
// job (a new cluster, a new hostfile) and times the all-reduce of a gradient-sized buffer.
// Every rank contributes values derived from its rank, so the results can be checked by hand;
// each rank prints one JSON line with what it received (docs/distributed.md shows the line).
import ArgumentParser
import Foundation
import Quarry

/// `quarry mpi-check`: runs each collective once with rank-derived values, prints what each
/// rank received, and times `--floats` floats all-reduced `--repeats` times.
struct MPICheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpi-check",
        abstract: "Check the collectives across the ranks of an MPI job and time an all-reduce.",
        discussion: """
            Run it as `mpirun -np N quarry mpi-check` (a build with `--traits MPI`). Rank r \
            all-reduces the floats [r + 1, 10(r + 1), 0.5] and the double r + 0.25, all-gathers the \
            3r bytes 10r, 10r + 1, …, broadcasts from the last rank the floats [1.5, last rank] and the \
            text "from rank <last>", then sums --floats floats (each rank's value its rank + 1) \
            --repeats times. Each rank prints one JSON line: rank, size, float_sum, double_sum, \
            gathered, broadcast_floats, broadcast_text, allreduce_floats, allreduce_first, \
            allreduce_median_seconds. Without MPI it runs as the group of one.
            """
    )

    @Option(help: "Floats in the timed all-reduce (TinyFasterRCNN's gradient: docs/distributed.md).")
    var floats = 1_000_000

    @Option(help: "How many times the timed all-reduce runs (the median is printed).")
    var repeats = 10

    func validate() throws {
        guard floats >= 1 else { throw ValidationError("--floats must be at least 1, got \(floats)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
    }

    /// What one rank received, as printed.
    struct Received: Codable {
        var rank: Int, size: Int
        var floatSum: [Float], doubleSum: [Double]
        var gathered: [[UInt8]]
        var broadcastFloats: [Float], broadcastText: String
        var allreduceFloats: Int, allreduceFirst: Float, allreduceMedianSeconds: Double

        enum CodingKeys: String, CodingKey {
            case rank, size, gathered
            case floatSum = "float_sum", doubleSum = "double_sum", broadcastFloats = "broadcast_floats", broadcastText = "broadcast_text"
            case allreduceFloats = "allreduce_floats", allreduceFirst = "allreduce_first", allreduceMedianSeconds = "allreduce_median_seconds"
        }
    }

    func run() throws {
        let communicator = try MPILaunch.worldCommunicator()
        let rank = communicator.rank, last = communicator.size - 1
        var floatSum: [Float] = [Float(rank + 1), Float(10 * (rank + 1)), 0.5]
        try communicator.allReduceSum(&floatSum)
        var doubleSum = [Double(rank) + 0.25]
        try communicator.allReduceSum(&doubleSum)
        let gathered = try communicator.allGather((0..<(3 * rank)).map { UInt8(truncatingIfNeeded: 10 * rank + $0) })
        var broadcastFloats: [Float] = rank == last ? [1.5, Float(last)] : [0, 0]
        try communicator.broadcast(&broadcastFloats, from: last)
        let text = try communicator.broadcastBytes(rank == last ? Array("from rank \(last)".utf8) : [], from: last)
        try communicator.barrier()

        var buffer = [Float](repeating: Float(rank + 1), count: floats)
        var seconds: [Double] = []
        for _ in 0..<repeats {
            buffer.withUnsafeMutableBufferPointer { $0.update(repeating: Float(rank + 1)) }
            let start = DispatchTime.now().uptimeNanoseconds
            try communicator.allReduceSum(&buffer)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let received = Received(rank: rank, size: communicator.size, floatSum: floatSum, doubleSum: doubleSum, gathered: gathered,
                                broadcastFloats: broadcastFloats, broadcastText: String(decoding: text, as: UTF8.self),
                                allreduceFloats: floats, allreduceFirst: buffer[0],
                                allreduceMedianSeconds: seconds.sorted()[seconds.count / 2])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // One write per line, so that lines from different ranks do not interleave.
        FileHandle.standardOutput.write(try encoder.encode(received) + Data("\n".utf8))
        try communicator.finalize()
    }
}
