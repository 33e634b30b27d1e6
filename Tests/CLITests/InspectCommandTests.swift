import ArgumentParser
import Foundation
import Quarry
import Testing
import TestSupport
@testable import QuarryCLI

@Suite("quarry inspect and the anchor-coverage warning")
struct InspectCommandTests {
    @Test("the statistics table: counts, a quantile row per measure, COCO sizes")
    func table() {
        let samples = [DetectionSample(name: "a", image: RGBImage(width: 64, height: 64),
                                       target: DetectionTarget(boxes: [BoundingBox(x1: 0, y1: 0, x2: 10, y2: 20)], labels: [1])),
                       DetectionSample(name: "b", image: RGBImage(width: 64, height: 64), target: .empty)]
        let text = InspectCommand.describe(DatasetStatistics(samples: samples, classNames: ["x", "y"]), dataset: "mine")
        #expect(text.split(separator: "\n").map(String.init) == [
            "dataset mine (training split): 2 images, 1 without objects, 1 objects",
            "classes: x 1, y 0",
            "quantile            0%      5%     25%     50%     75%     95%    100%",
            "objects/image        0    0.05    0.25    0.50    0.75    0.95       1   mean 0.50",
            "width px            10      10      10      10      10      10      10   mean 10",
            "height px           20      20      20      20      20      20      20   mean 20",
            "ratio h/w            2       2       2       2       2       2       2   mean 2",
            "COCO sizes (box area): small < 32² 1, medium 0, large ≥ 96² 0",
        ])
        #expect(CommandValidationTests.refusal(InspectCommand.self, ["--sizes", "0"]) == "--sizes must be at least 1, got 0")
    }

    @Test("train and compare warn when the anchors cover under 90% of the training boxes at IoU 0.5: digits-4x yes, digits no")
    func warning() throws {
        let small = try TrainingData.load("digits", datasetsFolder: BundledData.folder, digitsCounts: (40, 1))
        #expect(AnchorCoverageWarning.message(for: DetectorConfiguration(), samples: small.train, dataset: "digits") == nil)
        let large = try TrainingData.load("digits-4x", datasetsFolder: BundledData.folder, digitsCounts: (40, 1))
        let message = try #require(AnchorCoverageWarning.message(for: DetectorConfiguration(), samples: large.train, dataset: "digits-4x"))
        #expect(message.hasPrefix("warning: the anchors (sizes 16,32,64, ratios 0.5,1,2) reach IoU 0.5 with only "))
        #expect(message.hasSuffix("of the training boxes; `quarry inspect --dataset digits-4x --write-config FILE` fits anchors to the data"))
    }

    @Test("the executable prints both coverages and writes a configuration train --config accepts, with the fitted anchors")
    func writeConfig() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-inspect-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("inspect.log"), file = folder.appendingPathComponent("fitted.json")
        let status = try QuarryProcess(try QuarryProcess.executable(),
                                       ["inspect", "--dataset", "digits-4x", "--ratios", "2", "--write-config", file.path], log: log).wait()
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(status == 0, "\(text)")
        #expect(text.contains("dataset digits-4x (training split): 600 images, 0 without objects"))
        #expect(text.contains("  configured sizes 16,32,64, ratios 0.5,1,2: IoU ≥ 0.5 "))
        let configuration = try TrainingConfiguration.load(contentsOf: file)
        #expect(configuration.model.anchorSizes.count == 3 && configuration.model.aspectRatios.count == 2)
        #expect(configuration.model.anchorSizes.allSatisfy { $0 > 40 } && configuration.model.classNames == (0...9).map(String.init))
        #expect(text.contains("  fitted     sizes \(configuration.model.anchorSizes.map(\.formatted).joined(separator: ","))"))
        // Many more anchors per digit at IoU 0.7: the RPN keeps every anchor of a 400-px tile, 50² × (3 × 2).
        #expect(configuration.model.trainingPreNMSTopN == 15_000 && configuration.model.inferencePreNMSTopN == 15_000)
        #expect(text.contains("  fitted RPN pre-NMS top-N: training 2000 → 15000, inference 1000 → 15000 (every anchor of a tile"))
        #expect(CommandValidationTests.refusal(TrainCommand.self, ["--config", file.path, "--dataset", "digits-4x"]) == nil)
    }
}
