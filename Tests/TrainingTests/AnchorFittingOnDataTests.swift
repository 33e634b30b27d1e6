import Foundation
import Testing
import Datasets
import Detection
@testable import Training

@Suite("Anchors fitted to a dataset far from the reference anchors")
struct AnchorFittingOnDataTests {
    @Test("digits-4x (64–160 px digits on 512-px canvases): the reference anchors cover under 90% at IoU 0.5, fitted ones at least 95%")
    func digitsFourTimes() throws {
        let folder = try DatasetLocator.datasetsFolder(currentDirectory: URL(fileURLWithPath: #filePath))
        let data = try TrainingData.load("digits-4x", datasetsFolder: folder, digitsCounts: (150, 1), seed: 0)
        #expect(data.train.allSatisfy { $0.image.width == 512 && $0.image.height == 512 })
        let boxes = data.train.flatMap(\.target.boxes)
        // The ink boxes of 64–160 px digits: no side above 160, heights from about 64 px.
        #expect(boxes.allSatisfy { $0.width <= 160 && $0.height <= 160 } && boxes.map(\.height).max()! > 120)

        let reference = DetectorConfiguration()
        let before = AnchorCoverage(samples: data.train, anchors: reference.makeAnchorGenerator())
        var fitted = reference
        fitted.anchorSizes = AnchorFitting.sizes(of: boxes, count: 3)
        fitted.aspectRatios = AnchorFitting.aspectRatios(of: boxes, count: 3)
        let after = AnchorCoverage(samples: data.train, anchors: fitted.makeAnchorGenerator())
        #expect(before.recall(atIoU: 0.5) < 0.9 && after.recall(atIoU: 0.5) >= 0.95, "\(fitted.anchorSizes) \(fitted.aspectRatios)")
        #expect(after.recall(atIoU: 0.7) > before.recall(atIoU: 0.7))
        #expect(fitted.anchorSizes.allSatisfy { (40...200).contains($0) } && (try? fitted.validate()) != nil)
    }
}
