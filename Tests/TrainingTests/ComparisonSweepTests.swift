import Foundation
import Testing
import Datasets
import Detection
@testable import Training

@Suite("A comparison sweeps one strategy parameter")
struct ComparisonSweepTests {
    @Test("focal γ ∈ {0.5, 1, 2} end to end: each variant named in the report, results.json and file names, with its parameters")
    func focalGammaSweep() throws {
        let folder = try DatasetLocator.datasetsFolder(currentDirectory: URL(fileURLWithPath: #filePath))
        let data = try TrainingData.load("digits", datasetsFolder: folder, digitsCounts: (4, 2), seed: 1)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let variants = try StrategyVariant.splitList("focal(gamma=0.5), focal(gamma=1), focal(gamma=2)").map {
            (model: DetectorKind.fasterRCNN, variant: try StrategyVariant(parsing: $0))
        }
        var base = TrainingConfiguration(iterations: 2, seed: 0)
        base.baseLearningRate = 0.005
        let plan = ComparisonPlan(variants: variants, base: base, seeds: [0], output: output)
        let report = try StrategyComparison.run(plan, data: data)

        let names = ["focal(gamma=0.5)", "focal(gamma=1)", "focal(gamma=2)"]
        #expect(report.strategies.map(\.strategy) == names)
        #expect(report.strategies.map { $0.configuration?.roi.gamma } == [0.5, 1, 2])
        // The variants train differently: γ changes the loss from the first iteration on.
        let firstLosses = report.strategies.map { $0.runs[0].lossCurve[0].loss }
        #expect(Set(firstLosses).count == 3 && firstLosses[0] > firstLosses[2])

        let file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any])
        let strategies = try #require(file["strategies"] as? [[String: Any]])
        #expect(strategies.map { $0["strategy"] as? String } == names)
        #expect(strategies.map { (($0["configuration"] as? [String: Any])?["rpn"] as? [String: Any])?["gamma"] as? Double } == [0.5, 1, 2])
        // The run configuration: the base's schedule with the data's class names; it reads back.
        let configuration = try TrainingConfiguration.load(contentsOf: output.appendingPathComponent("results.json"))
        #expect(configuration.baseLearningRate == 0.005 && configuration.iterations == 2 && configuration.model.classNames == data.classNames)
        #expect(configuration.strategy.kind == .focal && configuration.strategy.rpn.gamma == 0.5)

        let markdown = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(names.allSatisfy { markdown.contains("| \($0) |") })
        let svg = try String(contentsOf: output.appendingPathComponent("losses.svg"), encoding: .utf8)
        #expect(names.allSatisfy { svg.contains($0) })
        for name in ["focal-gamma-0.5", "focal-gamma-1", "focal-gamma-2"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("detections-\(name).png").path))
        }
    }
}
