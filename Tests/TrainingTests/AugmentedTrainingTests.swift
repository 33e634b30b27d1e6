import Foundation
import Testing
import Datasets
import Detection
import NN
@testable import Training

@Suite("Training with augmentation lists")
struct AugmentedTrainingTests {
    func configuration(_ list: String, iterations: Int = 6) throws -> TrainingConfiguration {
        var c = TrainingConfiguration(iterations: iterations, seed: 11)
        c.logInterval = 1
        c.augmentations = try AugmentationList(parsing: list)
        return c
    }

    @Test("the configuration's default is DESIGN.md's flips, and flipProbability is its first flip item")
    func defaults() throws {
        var c = TrainingConfiguration(iterations: 1, seed: 0)
        #expect(c.augmentations == .reference && c.flipProbability == 0.5)
        c.flipProbability = 0
        #expect(c.augmentations.description == "flip(p=0.0)")
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: try JSONEncoder().encode(try configuration("flip, mosaic(0.3)")))
        #expect(decoded.augmentations.description == "flip(p=0.5), mosaic(p=0.3)")
    }

    @Test("a run with geometric and pixel augmentations resumes exactly, the hard-negative buffer included",
          arguments: [StrategyKind.random, .hardNegativeBuffer])
    func resume(_ strategy: StrategyKind) throws {
        let samples = try digitsSamples(count: 4)
        let url = TrainerTests.temporaryCheckpoint()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let list = "flip, rotate90(p=0.5), scale-jitter(0.8-1.25, p=0.5), color(p=1), cutout, copy-paste, mosaic(0.3), repeat-factor(t=0.3)"
        func trainer() throws -> Trainer {
            Trainer(samples: samples, classCount: 10, strategy: strategy, configuration: try configuration(list))
        }
        var straight = try trainer(), interrupted = try trainer()
        var expected: [StepRecord] = []
        for _ in 0..<6 { expected.append(try straight.step()) }
        #expect(expected.allSatisfy { $0.total.isFinite })
        for _ in 0..<3 { _ = try interrupted.step() }
        try interrupted.saveCheckpoint(to: url, strategyName: strategy.rawValue)
        #expect(try Checkpoint(contentsOf: url).metadata["quarry.augmentations"] == (try AugmentationList(parsing: list)).description)
        var resumed = try trainer()
        try resumed.resume(from: url, strategyName: strategy.rawValue)
        var rest: [StepRecord] = []
        for _ in 0..<3 { rest.append(try resumed.step()) }
        #expect(rest.map(\.total) == expected[3...].map(\.total))
        // Another list draws other data: refused, naming the field.
        var other = Trainer(samples: samples, classCount: 10, strategy: strategy, configuration: try configuration("flip"))
        #expect(throws: TrainingError.incompatibleCheckpoint(path: url.path, field: "quarry.augmentations", expected: "flip(p=0.5)",
                                                             found: (try AugmentationList(parsing: list)).description)) {
            try other.resume(from: url, strategyName: strategy.rawValue)
        }
        #expect(other.iteration == 0)
    }

    @Test("augmentations change the data: the same seed with and without them gives other losses")
    func changesTheData() throws {
        let samples = try digitsSamples(count: 4)
        var plain = Trainer(samples: samples, classCount: 10, configuration: try configuration("flip", iterations: 2))
        var augmented = Trainer(samples: samples, classCount: 10, configuration: try configuration("flip, blur(p=1)", iterations: 2))
        #expect(try plain.step().total != (try augmented.step().total))
    }

    @Test("results.json records each entry's augmentation list; files without it read as DESIGN.md's flips")
    func resultsRecordTheList() throws {
        let run = SeedRun(seed: 0, ap50: 0.1, cocoAP: 0, cocoAP300: 0, ap75: 0, ar100: 0, secondsPerIteration: 1, peakRSSBytes: 0,
                          lossCurve: [], mining: [:])
        let report = ComparisonReport(dataset: "digits", iterations: 1, strategies: [
            StrategyResults(strategy: "random @ flip", runs: [run]),
            StrategyResults(strategy: "random @ blur", augmentations: "blur(sigma=0.1-2.0, p=0.5)", runs: [run]),
        ])
        let file = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        let strategies = try #require(file["strategies"] as? [[String: Any]])
        #expect(strategies.map { $0["augmentations"] as? String } == ["flip(p=0.5)", "blur(sigma=0.1-2.0, p=0.5)"])
        var old = strategies[1]
        old.removeValue(forKey: "augmentations")
        let decoded = try JSONDecoder().decode(StrategyResults.self, from: try JSONSerialization.data(withJSONObject: old))
        #expect(decoded.augmentations == "flip(p=0.5)" && decoded.strategy == "random @ blur")
    }
}
