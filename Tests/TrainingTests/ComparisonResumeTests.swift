// A comparison records each finished run in OUTPUT/runs/ and, resumed, reuses exactly the
// records whose circumstances match: the report is the one an uninterrupted sitting writes.
import Foundation
import Testing
import Datasets
import Detection
@testable import Training

@Suite("A comparison resumed from its run records")
struct ComparisonResumeTests {
    /// What a sitting did, from its progress events.
    struct Sitting {
        var report: ComparisonReport
        var trained: [String] = []
        var reused: [String] = []
        var notReused: [String] = []
    }

    static func sit(_ plan: ComparisonPlan, data: TrainingData) throws -> Sitting {
        var trained: [String] = [], reused: [String] = [], notReused: [String] = []
        let report = try StrategyComparison.run(plan, data: data) { event in
            switch event {
            case let .runStarted(strategy, seed): trained.append("\(strategy) \(seed)")
            case let .reused(strategy, seed, _): reused.append("\(strategy) \(seed)")
            case let .recordNotReused(reason): notReused.append(reason)
            default: break
            }
        }
        return Sitting(report: report, trained: trained, reused: reused, notReused: notReused)
    }

    @Test("records are written per run; resumed, matching ones are reused, a missing or garbled one is trained, and the report is unchanged")
    func resume() throws {
        let folder = try DatasetLocator.datasetsFolder(currentDirectory: URL(fileURLWithPath: #filePath))
        let data = try TrainingData.load("digits", datasetsFolder: folder, digitsCounts: (4, 2), seed: 1)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var base = TrainingConfiguration(iterations: 2, seed: 0)
        base.baseLearningRate = 0.005
        let variants = try ["random", "ohem(rpn.budget=64)"].map { (model: DetectorKind.fasterRCNN, variant: try StrategyVariant(parsing: $0)) }
        var plan = ComparisonPlan(variants: variants, base: base, seeds: [0, 1], output: output)

        // First sitting: everything trains and is recorded, one file per run, plus each entry's
        // first-seed model (the random one scores the mined negatives).
        let first = try Self.sit(plan, data: data)
        #expect(first.trained == ["random 0", "random 1", "ohem(rpn.budget=64) 0", "ohem(rpn.budget=64) 1"])
        #expect(first.reused.isEmpty)
        let runs = ComparisonRunRecord.folder(of: output)
        #expect(try FileManager.default.contentsOfDirectory(atPath: runs.path).sorted()
                == ["ohem-rpn.budget-64-seed-0.json", "ohem-rpn.budget-64-seed-0.safetensors", "ohem-rpn.budget-64-seed-1.json",
                    "random-seed-0.json", "random-seed-0.safetensors", "random-seed-1.json"])

        // Second sitting, resumed: one record lost, one garbled; the two intact ones are reused.
        try FileManager.default.removeItem(at: runs.appendingPathComponent("ohem-rpn.budget-64-seed-1.json"))
        try Data("{\"format\": 1".utf8).write(to: runs.appendingPathComponent("random-seed-1.json"))
        plan.resume = true
        let second = try Self.sit(plan, data: data)
        #expect(second.reused == ["random 0", "ohem(rpn.budget=64) 0"])
        #expect(second.trained == ["random 1", "ohem(rpn.budget=64) 1"])
        #expect(second.notReused.count == 1 && second.notReused[0].contains("random-seed-1.json: not a run record"))
        // The same numbers as the uninterrupted sitting, reused or retrained (same seed, same data
        // order, same arithmetic), apart from the retrained runs' timings.
        for (a, b) in zip(first.report.strategies, second.report.strategies) {
            #expect(a.runs.map(\.ap50) == b.runs.map(\.ap50))
            #expect(a.runs.map(\.lossCurve) == b.runs.map(\.lossCurve))
            #expect(a.runs[0] == b.runs[0])   // seed 0 was reused: the whole record, timings too
        }
        // The mined negatives travel in the reused records, and the saved random model scores
        // them again: the section is unchanged.
        #expect(!first.report.minedNegatives.isEmpty && first.report.minedNegatives.allSatisfy { $0.scored > 0 })
        #expect(second.report.minedNegatives == first.report.minedNegatives)
        #expect(second.report.context.contains { $0.hasPrefix("2 of 4 runs reused from \(runs.path) (--resume)") })
        #expect(!first.report.context.contains { $0.contains("reused") })

        // Third sitting, resumed with another learning rate: no record fits, each says why.
        plan.base.baseLearningRate = 0.004
        let third = try Self.sit(plan, data: data)
        #expect(third.reused.isEmpty && third.trained.count == 4)
        #expect(third.notReused.count == 4)
        #expect(third.notReused.allSatisfy { $0.contains("recorded under other circumstances (configuration.baseLearningRate)") })

        // The records state the plan's OpenBLAS thread count, read once when the plan was made
        // (tests side by side change the process-wide count); a sitting under another count
        // does not reuse them.
        let record = try JSONDecoder().decode(ComparisonRunRecord.self,
                                              from: Data(contentsOf: runs.appendingPathComponent("random-seed-0.json")))
        #expect(record.key.blasThreads == plan.blasThreads)
        var otherThreads = plan
        otherThreads.blasThreads += 1
        otherThreads.seeds = [0]
        otherThreads.entries = [plan.entries[0]]
        let fifth = try Self.sit(otherThreads, data: data)
        #expect(fifth.reused.isEmpty && fifth.notReused.count == 1
                && fifth.notReused[0].contains("recorded under other circumstances (machine (OpenBLAS core, threads, CPU))"))

        // Without --resume the records are not read, only rewritten.
        plan.resume = false
        let fourth = try Self.sit(plan, data: data)
        #expect(fourth.trained.count == 4 && fourth.reused.isEmpty && fourth.notReused.isEmpty)
    }

    @Test("the key names every circumstance that differs")
    func differingFields() {
        let configuration = TrainingConfiguration(iterations: 10, seed: 3)
        let key = ComparisonRunKey(entry: "random", configuration: configuration, dataset: "digits", trainingSamples: 4, testImages: 2,
                                   evaluationInterval: 0, bootstrapResamples: 1000, bootstrapConfidence: 0.95, bootstrapSeed: 0,
                                   keepsPictures: true, blas: "OpenBLAS 0.3.21", blasCore: "SkylakeX", blasThreads: 1, cpuModel: "Xeon")
        #expect(key.differingFields(from: key).isEmpty)
        var other = key
        other.configuration.seed = 4
        other.testImages = 3
        other.blasThreads = 2
        other.evaluationInterval = 100
        #expect(key.differingFields(from: other) == ["configuration.seed", "dataset", "evaluationInterval", "machine (OpenBLAS core, threads, CPU)"])
    }
}
