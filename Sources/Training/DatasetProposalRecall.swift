// The proposal recall of a two-stage detector over a dataset split (`quarry eval
// --proposal-recall`): how many objects its first stage hands to the second.
import Datasets
import Detection
import TensorCore

extension ProposalDetector {
    /// The recall of each sample's proposals at several limits per tile, tiled as the detections
    /// are (`proposalsTiled`, one pass of the detector), against its boxes not marked difficult.
    /// - Parameters:
    ///   - samples: the images and their ground truth.
    ///   - limits: proposals kept per tile, by objectness (the RPN gives at most its inference
    ///     post-NMS count, 300 by default).
    /// - Returns: one tally per limit, over every sample's boxes.
    /// - Precondition: every limit ≥ 1.
    public func proposalRecalls(on samples: [DetectionSample], limits: [Int]) -> [ProposalRecall] {
        var recalls = limits.map { _ in ProposalRecall() }
        for sample in samples {
            let image = RGBImage.pixelTensor([sample.image]).reshaped(to: [3, sample.image.height, sample.image.width])
            let boxes = zip(sample.target.boxes, sample.target.isDifficult).filter { !$0.1 }.map(\.0)
            let truth = Tensor(shape: [boxes.count, 4], scalars: boxes.flatMap { [$0.x1, $0.y1, $0.x2, $0.y2] })
            for (index, proposals) in proposalsTiled(image: image, limits: limits).enumerated() {
                recalls[index].add(proposals: proposals, groundTruth: truth)
            }
        }
        return recalls
    }
}
