// Legend: A anchors of one image, K foreground classes; boxes [·, 4] as (x1, y1, x2, y2) in
// input-image pixels; H×W image.
import Foundation
import TensorCore

/// Turns RetinaNet's outputs for one image into detections: class sigmoids, score threshold,
/// the top candidates over every (anchor, class) pair, decoding, clipping, per-class NMS, top N.
///
/// TinyRetinaNet: score > 0.05, top 1,000 candidates, NMS 0.5 per class, 100 per image — the
/// choices of torchvision's `RetinaNet` (`score_thresh`, `topk_candidates`, `nms_thresh`,
/// `detections_per_img`). Unlike the RoI head's post-processing, no tiny boxes are dropped
/// (torchvision's RetinaNet drops none either). Equal scores rank the lower (anchor, class)
/// index first.
/// Reference: Lin et al., arXiv:1708.02002, §5 ("Inference": threshold 0.05, top 1k per level,
/// NMS 0.5); torchvision `RetinaNet.postprocess_detections`.
public struct RetinaNetPostprocessor: Sendable, Equatable {
    /// Class probabilities must exceed this, in [0, 1] (0.05).
    public var scoreThreshold: Float
    /// (anchor, class) candidates kept by score before decoding (1,000).
    public var candidatesBeforeNMS: Int
    /// Per-class NMS IoU threshold (0.5).
    public var nmsThreshold: Float
    /// Detections kept per image (100).
    public var maximumDetections: Int

    /// Creates a postprocessor (torchvision's RetinaNet defaults unless given).
    /// - Precondition: counts ≥ 0; thresholds in [0, 1].
    public init(scoreThreshold: Float = 0.05, candidatesBeforeNMS: Int = 1_000, nmsThreshold: Float = 0.5,
                maximumDetections: Int = 100) {
        precondition(candidatesBeforeNMS >= 0 && maximumDetections >= 0 && (0...1).contains(scoreThreshold) && (0...1).contains(nmsThreshold),
                     "RetinaNetPostprocessor: counts must be ≥ 0 and thresholds in [0, 1]")
        self.scoreThreshold = scoreThreshold
        self.candidatesBeforeNMS = candidatesBeforeNMS
        self.nmsThreshold = nmsThreshold
        self.maximumDetections = maximumDetections
    }

    /// Produces one image's detections.
    /// - Parameters:
    ///   - classLogits: [A, K] logits.
    ///   - boxDeltas: [A, 4] deltas in `coder`'s space.
    ///   - anchors: [A, 4] anchors, pixels.
    ///   - coder: the head's box coder (weights 1, 1, 1, 1).
    ///   - imageHeight: H, pixels.
    ///   - imageWidth: W, pixels.
    /// - Returns: at most `maximumDetections` detections with classes 1...K, by decreasing score.
    /// - Precondition: shapes agree.
    public func detections(classLogits: Tensor, boxDeltas: Tensor, anchors: Tensor, coder: BoxCoder, imageHeight: Int,
                           imageWidth: Int) -> Detections {
        let a = Boxes.count(anchors, "RetinaNet detections")
        precondition(classLogits.rank == 2 && classLogits.shape[0] == a && classLogits.shape[1] >= 1 && boxDeltas.shape == [a, 4],
                     "RetinaNet detections: logits \(classLogits.shape), deltas \(boxDeltas.shape), anchors \(anchors.shape)")
        let k = classLogits.shape[1]
        // Candidates in torchvision's flattening order: anchor-major, then class.
        var indices: [Int] = [], scores: [Float] = []
        for (i, logit) in classLogits.scalars.enumerated() {
            let score = 1 / (1 + Foundation.exp(-logit))
            if score > scoreThreshold {
                indices.append(i)
                scores.append(score)
            }
        }
        let top = ProposalFilter.topIndices(scores, count: candidatesBeforeNMS)
        if top.isEmpty { return .empty }
        let chosen = top.map { indices[$0] }
        let anchorRows = chosen.map { $0 / k }
        let decoded = coder.decode(Boxes.gathered(boxDeltas, anchorRows), relativeTo: Boxes.gathered(anchors, anchorRows))
        let boxes = Boxes.clipped(decoded, imageHeight: imageHeight, imageWidth: imageWidth)
        let labels = chosen.map { $0 % k + 1 }, topScores = top.map { scores[$0] }
        let kept = Array(Boxes.batchedNMS(boxes, scores: topScores, classes: labels, iouThreshold: nmsThreshold)
            .prefix(maximumDetections))
        return Detections(boxes: Boxes.gathered(boxes, kept), labels: kept.map { labels[$0] }, scores: kept.map { topScores[$0] })
    }
}
