// Legend: A anchors of one image; anchors and boxes [·, 4] as (x1, y1, x2, y2) in input-image
// pixels; H×W image, pixels.
import Foundation
import Kernels
import TensorCore

/// The RPN's proposal filter for one image: keep the top anchors by objectness, decode, clip,
/// drop tiny boxes, NMS, keep the best.
///
/// TinyFasterRCNN: top 2,000 (training) / 1,000 (inference) by objectness, boxes with a side
/// under 1e-3 px dropped, NMS at IoU 0.7, top 512 (training) / 300 (inference) kept.
///
/// Reference: Ren et al., arXiv:1506.01497, §3.3; torchvision `RegionProposalNetwork.filter_proposals`.
public struct ProposalFilter: Sendable, Equatable {
    /// Anchors kept by objectness before NMS.
    public var preNMSTopN: Int
    /// Proposals kept after NMS.
    public var postNMSTopN: Int
    /// NMS IoU threshold, in [0, 1].
    public var nmsThreshold: Float
    /// Smallest allowed box side, pixels.
    public var minimumSide: Float

    /// Creates a filter.
    public init(preNMSTopN: Int, postNMSTopN: Int, nmsThreshold: Float = 0.7, minimumSide: Float = 1e-3) {
        self.preNMSTopN = preNMSTopN
        self.postNMSTopN = postNMSTopN
        self.nmsThreshold = nmsThreshold
        self.minimumSide = minimumSide
    }

    /// TinyFasterRCNN's training filter: 2,000 → NMS 0.7 → 512.
    public static let training = ProposalFilter(preNMSTopN: 2000, postNMSTopN: 512)
    /// TinyFasterRCNN's inference filter: 1,000 → NMS 0.7 → 300.
    public static let inference = ProposalFilter(preNMSTopN: 1000, postNMSTopN: 300)

    /// Produces one image's proposals.
    /// - Parameters:
    ///   - objectness: [A] logits.
    ///   - deltas: [A, 4] deltas.
    ///   - anchors: [A, 4] anchors, pixels.
    ///   - imageHeight: H, pixels.
    ///   - imageWidth: W, pixels.
    /// - Returns: proposals [P, 4] (pixels, inside the image) and their objectness
    ///   probabilities [P], by decreasing probability; P ≤ `postNMSTopN`.
    /// - Precondition: shapes agree.
    public func proposals(objectness: [Float], deltas: Tensor, anchors: Tensor, imageHeight: Int,
                          imageWidth: Int) -> (boxes: Tensor, scores: [Float]) {
        let a = objectness.count
        precondition(deltas.shape == [a, 4] && anchors.shape == [a, 4],
                     "proposals: \(a) logits, deltas \(deltas.shape), anchors \(anchors.shape)")
        let top = Self.topIndices(objectness, count: preNMSTopN)
        let decoded = BoxCoder.rpn.decode(Boxes.gathered(deltas, top), relativeTo: Boxes.gathered(anchors, top))
        let clipped = Boxes.clipped(decoded, imageHeight: imageHeight, imageWidth: imageWidth)
        let large = Boxes.indicesWithMinimumSide(clipped, minimumSide)
        let candidates = Boxes.gathered(clipped, large)
        // NMS ranks by probability, as torchvision (sigmoid before NMS); ties keep the logit order.
        let probabilities = large.map { 1 / (1 + Foundation.exp(-objectness[top[$0]])) }
        let kept = Boxes.nms(candidates, scores: probabilities, iouThreshold: nmsThreshold, maximumKept: postNMSTopN)
        return (Boxes.gathered(candidates, kept), kept.map { probabilities[$0] })
    }

    /// The indices of the `count` largest values, largest first (ties: lower index first, NaN
    /// last), as torch.topk on the logits.
    static func topIndices(_ values: [Float], count: Int) -> [Int] {
        // One UInt64 key per value: the high half orders the floats descending, the low half is
        // the index, so a plain integer sort gives (value descending, index ascending).
        var keys = [UInt64](repeating: 0, count: values.count)
        for (i, v) in values.enumerated() {
            let bits = v.isNaN ? UInt32.max : v.bitPattern
            // Order-preserving map of IEEE bits to unsigned integers, then inverted for descending.
            let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
            let descending = v.isNaN ? UInt32.max : ~ascending
            keys[i] = UInt64(descending) << 32 | UInt64(i)
        }
        // Keys are distinct (the index), so a partial sort of the first `count` is exact.
        keys.withUnsafeMutableBufferPointer { Kernels.sortSmallestKeys($0, keeping: count) }
        return keys.prefix(max(count, 0)).map { Int($0 & 0xFFFF_FFFF) }
    }
}
