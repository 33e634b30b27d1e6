// Real `mpirun` jobs of the built `quarry` (a build with `--traits MPI`; skipped otherwise):
// the collectives give hand-computed values on 2 and 3 ranks, a 2-rank comparison writes the
// results.json of a 1-process run apart from timings, and a rank that dies ends the job with an
// error rather than a hang.
import Foundation
import Quarry
import Testing
@testable import QuarryCLI

@Suite("quarry under mpirun (loopback, oversubscribed)", .enabled(if: MPILaunch.isBuiltIn, "built without the MPI trait (swift build --traits MPI)"),
       .serialized)
struct MPITests {
    func temporaryFolder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-mpi-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("mpi-check: every rank gets the hand-computed sums, gathers and broadcasts", arguments: [2, 3])
    func collectives(ranks: Int) throws {
        let folder = try temporaryFolder("check")
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try MPIJob(ranks: ranks, ["mpi-check", "--floats", "1000", "--repeats", "3"], log: folder.appendingPathComponent("log"))
        let (status, _) = job.wait(timeout: 120)
        let output = job.output
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").filter { $0.hasPrefix("{") }
        let received = try lines.map { try JSONDecoder().decode(MPICheckCommand.Received.self, from: Data($0.utf8)) }
        #expect(received.map(\.rank).sorted() == Array(0..<ranks))
        // Rank r contributes [r + 1, 10(r + 1), 0.5] and r + 0.25; 2 ranks: [1 + 2, 10 + 20, 0.5 + 0.5] and
        // 0.25 + 1.25; 3 ranks: [1 + 2 + 3, 10 + 20 + 30, 1.5] and 0.25 + 1.25 + 2.25.
        let floatSum: [Float] = ranks == 2 ? [3, 30, 1] : [6, 60, 1.5]
        let doubleSum: [Double] = ranks == 2 ? [1.5] : [3.75]
        // Rank r contributes the 3r bytes 10r, 10r + 1, …: rank 0 none.
        let gathered: [[UInt8]] = ranks == 2 ? [[], [10, 11, 12]] : [[], [10, 11, 12], [20, 21, 22, 23, 24, 25]]
        for r in received {
            #expect(r.size == ranks)
            #expect(r.floatSum == floatSum, "rank \(r.rank)")
            #expect(r.doubleSum == doubleSum, "rank \(r.rank)")
            #expect(r.gathered == gathered, "rank \(r.rank)")
            #expect(r.broadcastFloats == [1.5, Float(ranks - 1)], "rank \(r.rank)")
            #expect(r.broadcastText == "from rank \(ranks - 1)", "rank \(r.rank)")
            // 1000 floats, each rank's value its rank + 1: 1 + 2 = 3, or 1 + 2 + 3 = 6.
            #expect(r.allreduceFloats == 1000 && r.allreduceFirst == (ranks == 2 ? 3 : 6), "rank \(r.rank)")
            #expect(r.allreduceMedianSeconds > 0)
        }
    }

    /// The arguments of the small comparison both jobs run.
    static func compareArguments(output: URL) -> [String] {
        ["compare", "--dataset", "digits", "--strategies", "random,ohem", "--seeds", "0,1", "--iterations", "20", "--eval-every", "10",
         "--threads", "1", "--output", output.path]
    }

    /// results.json with everything that measures time or memory removed (those differ between
    /// any two runs); everything else must match exactly.
    static func withoutTimings(_ url: URL) throws -> NSDictionary {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        func strip(_ value: Any) -> Any {
            if let dictionary = value as? [String: Any] {
                var kept: [String: Any] = [:]
                for (key, value) in dictionary where !timingKeys.contains(key) { kept[key] = strip(value) }
                return kept
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        return try #require(strip(json) as? [String: Any]) as NSDictionary
    }

    /// The keys of results.json that hold wall-clock seconds or memory, at any depth.
    static let timingKeys: Set<String> = ["seconds_per_iteration", "seconds_per_iteration_std", "peak_rss_bytes", "peak_rss_bytes_std",
                                          "evaluation_seconds", "seconds"]

    @Test("a 2-rank compare writes the results.json of a 1-process run, apart from timings")
    func compareAcrossRanks() throws {
        let folder = try temporaryFolder("compare")
        defer { try? FileManager.default.removeItem(at: folder) }
        let single = folder.appendingPathComponent("one"), spread = folder.appendingPathComponent("two")
        let reference = try QuarryProcess(try QuarryProcess.executable(), Self.compareArguments(output: single),
                                          log: folder.appendingPathComponent("one.log"), environment: MPIJob.environment())
        #expect(reference.wait(timeout: 300) == 0, "\(QuarryProcess.tail(of: folder.appendingPathComponent("one.log")))")
        let job = try MPIJob(ranks: 2, Self.compareArguments(output: spread), log: folder.appendingPathComponent("two.log"))
        let (status, _) = job.wait(timeout: 300)
        #expect(status == 0, "\(job.output)")
        // Both ranks trained: each logs its own runs.
        #expect(job.output.contains("rank 0: training") && job.output.contains("rank 1: training"))

        let one = try Self.withoutTimings(single.appendingPathComponent("results.json"))
        let two = try Self.withoutTimings(spread.appendingPathComponent("results.json"))
        #expect(one == two)
        // Not vacuous: the compared document holds both strategies' two seeds with their AP50s.
        let strategies = try #require(one["strategies"] as? [[String: Any]])
        #expect(strategies.map { $0["strategy"] as? String } == ["random", "ohem"])
        #expect(strategies.allSatisfy { ($0["seeds"] as? [[String: Any]])?.compactMap { $0["ap50"] as? Double }.count == 2 })
        for picture in ["pr.svg", "detections-random.png", "detections-ohem.png"] {
            #expect(FileManager.default.fileExists(atPath: spread.appendingPathComponent(picture).path), "\(picture)")
        }
        let report = try String(contentsOf: spread.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains(CompareCommand.distributedContext(ranks: 2)))
    }

    @Test("a rank killed mid-run ends the whole job with an error naming it, not a hang", arguments: [1, 0])
    func killedRank(rank: Int) throws {
        let folder = try temporaryFolder("killed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out")
        let job = try MPIJob(ranks: 2, Self.compareArguments(output: output), log: folder.appendingPathComponent("log"),
                             environment: [CompareCommand.killRankVariable: "\(rank)"])
        let (status, seconds) = job.wait(timeout: 120)
        let text = job.output
        #expect(status != 0, "\(text)")
        // mpirun's own report: "mpirun noticed that process rank 1 with PID … exited on signal 9 (Killed)".
        #expect(text.contains("process rank \(rank)") && text.contains("signal 9"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("results.json").path))
        #expect(seconds < 120)
    }
}
