// Legend: K RoIs (proposals) of one image, L = K' + 1 classes (0 = background); boxes [·, 4]
// as (x1, y1, x2, y2) in input-image pixels; H×W image.
import Foundation
import TensorCore

/// Turns the RoI head's outputs for one image into detections: softmax, per-class decoding,
/// clipping, score threshold, tiny-box removal, per-class NMS, top N.
///
/// TinyFasterRCNN: score > 0.05, sides ≥ 0.01 px, NMS 0.5 per class, top 100.
///
/// Reference: torchvision `RoIHeads.postprocess_detections`.
public struct DetectionPostprocessor: Sendable, Equatable {
    /// Scores must exceed this, in [0, 1].
    public var scoreThreshold: Float
    /// Smallest allowed box side, pixels.
    public var minimumSide: Float
    /// Per-class NMS IoU threshold.
    public var nmsThreshold: Float
    /// Detections kept per image.
    public var maximumDetections: Int

    /// Creates a postprocessor.
    public init(scoreThreshold: Float = 0.05, minimumSide: Float = 1e-2, nmsThreshold: Float = 0.5, maximumDetections: Int = 100) {
        self.scoreThreshold = scoreThreshold
        self.minimumSide = minimumSide
        self.nmsThreshold = nmsThreshold
        self.maximumDetections = maximumDetections
    }

    /// Produces one image's detections.
    /// - Parameters:
    ///   - classLogits: [K, L] logits.
    ///   - boxDeltas: [K, 4·L] class-specific deltas (RoI-head coder, weights 10, 10, 5, 5).
    ///   - proposals: [K, 4] proposals, pixels.
    ///   - imageHeight: H, pixels.
    ///   - imageWidth: W, pixels.
    /// - Returns: at most `maximumDetections` detections (never background), by decreasing score.
    /// - Precondition: shapes agree; L ≥ 2.
    public func detections(classLogits: Tensor, boxDeltas: Tensor, proposals: Tensor, imageHeight: Int,
                           imageWidth: Int) -> Detections {
        let k = Boxes.count(proposals, "detections")
        precondition(classLogits.rank == 2 && classLogits.shape[0] == k && classLogits.shape[1] >= 2
                     && boxDeltas.shape == [k, 4 * classLogits.shape[1]],
                     "detections: logits \(classLogits.shape), deltas \(boxDeltas.shape), proposals \(proposals.shape)")
        let l = classLogits.shape[1]
        if k == 0 { return .empty }
        let decoded = BoxCoder.roiHead.decode(boxDeltas, relativeTo: proposals)
        let boxes = Boxes.clipped(decoded.reshaped(to: [k * l, 4]), imageHeight: imageHeight, imageWidth: imageWidth)
        let logits = classLogits.scalars, b = boxes.scalars
        // Candidates in torchvision's flattening order: RoI-major, then class 1..<L.
        var candidateBoxes: [Float] = [], scores: [Float] = [], labels: [Int] = []
        var probabilities = [Float](repeating: 0, count: l)
        for r in 0..<k {
            let row = logits[(r * l)..<(r * l + l)]
            let top = row.max()!
            var total: Float = 0
            for c in 0..<l { probabilities[c] = Foundation.exp(row[r * l + c] - top); total += probabilities[c] }
            for c in 1..<l {
                let score = probabilities[c] / total
                let o = 4 * (r * l + c)
                guard score > scoreThreshold,
                      b[o + 2] - b[o] >= minimumSide, b[o + 3] - b[o + 1] >= minimumSide else { continue }
                candidateBoxes.append(contentsOf: b[o..<(o + 4)])
                scores.append(score)
                labels.append(c)
            }
        }
        let candidates = Tensor(shape: [labels.count, 4], scalars: candidateBoxes)
        let kept = Array(Boxes.batchedNMS(candidates, scores: scores, classes: labels, iouThreshold: nmsThreshold)
            .prefix(maximumDetections))
        return Detections(boxes: Boxes.gathered(candidates, kept), labels: kept.map { labels[$0] }, scores: kept.map { scores[$0] })
    }
}
