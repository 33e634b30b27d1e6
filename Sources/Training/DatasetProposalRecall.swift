// The proposal recall of a two-stage detector over a dataset split (`quarry eval
// --proposal-recall`): how many objects its first stage hands to the second.
import Datasets
import Detection
import TensorCore

extension ProposalDetector {
    /// The recall of each sample's proposals, tiled as the detections are (`proposalsTiled`),
    /// against its boxes not marked difficult.
    /// - Parameters:
    ///   - samples: the images and their ground truth.
    ///   - limit: proposals kept per tile, by objectness (the RPN gives at most its inference
    ///     filter's post-NMS count, 300).
    /// - Returns: the tally over every sample's boxes.
    /// - Precondition: limit ≥ 1.
    public func proposalRecall(on samples: [DetectionSample], limit: Int) -> ProposalRecall {
        var recall = ProposalRecall()
        for sample in samples {
            let image = RGBImage.pixelTensor([sample.image]).reshaped(to: [3, sample.image.height, sample.image.width])
            let boxes = zip(sample.target.boxes, sample.target.isDifficult).filter { !$0.1 }.map(\.0)
            recall.add(proposals: proposalsTiled(image: image, limit: limit),
                       groundTruth: Tensor(shape: [boxes.count, 4], scalars: boxes.flatMap { [$0.x1, $0.y1, $0.x2, $0.y2] }))
        }
        return recall
    }
}
