// Legend: N candidates (anchors or proposals), M ground-truth boxes; boxes [·, 4] as
// (x1, y1, x2, y2) in input-image pixels.
import DetectionKernels
import Kernels
import TensorCore

/// A matcher: assigns each candidate the ground-truth box it overlaps most, or marks it
/// background or ignored, by IoU thresholds.
///
/// Best IoU ≥ `highThreshold` → `.foreground`; < `lowThreshold` → `.background`; otherwise
/// `.ignored`. With `allowsLowQualityMatches`, each ground truth's highest-IoU candidates (ties
/// included) become foreground even below the high threshold, so every object gets an anchor.
/// No ground truth: every candidate is `.background`. No candidates: an empty result.
///
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497, §3.1.2; torchvision `Matcher`.
public struct Matcher: Sendable, Equatable {
    /// Foreground IoU, in [0, 1].
    public var highThreshold: Float
    /// Background IoU, in [0, highThreshold].
    public var lowThreshold: Float
    /// Whether each ground truth keeps its best candidates below the high threshold.
    public var allowsLowQualityMatches: Bool

    /// Creates a matcher.
    /// - Precondition: 0 ≤ low ≤ high ≤ 1.
    public init(highThreshold: Float, lowThreshold: Float, allowsLowQualityMatches: Bool) {
        precondition(0 <= lowThreshold && lowThreshold <= highThreshold && highThreshold <= 1,
                     "Matcher: thresholds low \(lowThreshold), high \(highThreshold) must satisfy 0 ≤ low ≤ high ≤ 1")
        self.highThreshold = highThreshold
        self.lowThreshold = lowThreshold
        self.allowsLowQualityMatches = allowsLowQualityMatches
    }

    /// The RPN's matcher: 0.7 / 0.3 with low-quality matches.
    public static let rpn = Matcher(highThreshold: 0.7, lowThreshold: 0.3, allowsLowQualityMatches: true)
    /// RetinaNet's matcher: foreground IoU ≥ 0.5, background < 0.4, between ignored, with
    /// low-quality matches (torchvision `RetinaNet`'s `Matcher(0.5, 0.4, True)`).
    public static let retinaNet = Matcher(highThreshold: 0.5, lowThreshold: 0.4, allowsLowQualityMatches: true)
    /// The RoI head's matcher: 0.5 / 0.5, no low-quality matches (nothing is ignored).
    public static let roiHead = Matcher(highThreshold: 0.5, lowThreshold: 0.5, allowsLowQualityMatches: false)

    /// Matches candidates to ground-truth boxes.
    /// - Parameters:
    ///   - candidates: [N, 4] anchors or proposals, pixels.
    ///   - groundTruthBoxes: [M, 4] ground-truth boxes with positive width and height, pixels.
    /// - Returns: [N] matches.
    /// - Precondition: both [·, 4]; no NaN coordinates.
    public func match(_ candidates: Tensor, to groundTruthBoxes: Tensor) -> [Match] {
        matchRecordingIoU(candidates, to: groundTruthBoxes, recordsIoU: false).matches
    }

    /// Matches candidates to ground-truth boxes and returns each candidate's highest IoU too
    /// (the fused kernel computes it anyway; the IoU-balanced strategy bins negatives by it).
    /// - Parameters:
    ///   - candidates: [N, 4] anchors or proposals, pixels.
    ///   - groundTruthBoxes: [M, 4] ground-truth boxes with positive width and height, pixels.
    /// - Returns: [N] matches and [N] max IoU in [0, 1] (0 when M = 0).
    /// - Precondition: both [·, 4]; no NaN coordinates.
    public func matchWithMaxIoU(_ candidates: Tensor, to groundTruthBoxes: Tensor) -> (matches: [Match], maxIoU: [Float]) {
        matchRecordingIoU(candidates, to: groundTruthBoxes, recordsIoU: true)
    }

    /// The shared body of `match` and `matchWithMaxIoU` (max IoU empty unless recorded).
    private func matchRecordingIoU(_ candidates: Tensor, to groundTruthBoxes: Tensor,
                                   recordsIoU: Bool) -> (matches: [Match], maxIoU: [Float]) {
        let n = Boxes.count(candidates, "match"), m = Boxes.count(groundTruthBoxes, "match")
        var matches = [Match](repeating: .background, count: n)
        var maxIoU = [Float](repeating: 0, count: recordsIoU ? n : 0)
        candidates.scalars.withUnsafeBufferPointer { c in
            groundTruthBoxes.scalars.withUnsafeBufferPointer { g in
                matches.withUnsafeMutableBufferPointer { out in
                    maxIoU.withUnsafeMutableBufferPointer { best in
                        Kernels.matchBoxes(out, bestIoU: recordsIoU ? best : nil, candidates: c, candidateCount: n,
                                           groundTruthBoxes: g, groundTruthCount: m,
                                           highThreshold: highThreshold, lowThreshold: lowThreshold,
                                           allowLowQualityMatches: allowsLowQualityMatches)
                    }
                }
            }
        }
        return (matches, maxIoU)
    }
}
