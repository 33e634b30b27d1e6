// Legend: P proposals and G ground-truth boxes of one image, [·, 4] as x1, y1, x2, y2 in pixels.
import TensorCore

/// The recall of a first stage's proposals over a set of images: the fraction of ground-truth
/// boxes covered by a proposal at IoU ≥ t for t = 0.50, 0.55, …, 0.95, and their mean, the
/// average recall (AR, Hosang et al., TPAMI 2016, which approximates 2∫₀.₅¹ recall(t) dt).
///
/// Within an image, proposals and boxes are matched one to one, greedily: the box with the
/// highest IoU to any remaining proposal takes that proposal, both leave, min(P, G) times; boxes
/// left without a proposal count as IoU 0. This is Detectron's and detectron2's proposal
/// evaluation (`_evaluate_box_proposals` in detectron2's COCOEvaluator), all box areas; ground
/// truth marked difficult is left out by the caller, as VOC's AP does.
public struct ProposalRecall: Sendable, Equatable {
    /// The IoU thresholds 0.50, 0.55, …, 0.95.
    public static let thresholds: [Float] = (0..<10).map { Float(50 + 5 * $0) / 100 }

    /// Per ground-truth box added so far, the IoU of the proposal it was matched to (0 when
    /// none), image after image.
    public private(set) var overlaps: [Float] = []
    /// The number of proposals added, over all images.
    public private(set) var proposalCount = 0
    /// The number of images added.
    public private(set) var imageCount = 0

    /// Creates an empty tally.
    public init() {}

    /// The number of ground-truth boxes added.
    public var groundTruthCount: Int { overlaps.count }

    /// Adds one image.
    /// - Parameters:
    ///   - proposals: [P, 4] proposals, pixels (P may be 0).
    ///   - groundTruth: [G, 4] boxes, pixels (G may be 0).
    /// - Precondition: both are [·, 4].
    public mutating func add(proposals: Tensor, groundTruth: Tensor) {
        let p = proposals.shape[0], g = groundTruth.shape[0]
        var matched = [Float](repeating: 0, count: g)
        proposalCount += p
        imageCount += 1
        guard p > 0, g > 0 else { overlaps += matched; return }
        let iou = Boxes.pairwiseIoU(groundTruth, proposals).scalars   // [G, P]
        var proposalFree = [Bool](repeating: true, count: p), boxFree = [Bool](repeating: true, count: g)
        // Each free box's best free proposal, rescanned only when that proposal is taken.
        func best(_ box: Int) -> (index: Int, iou: Float) {
            var index = -1, value: Float = -1
            for j in 0..<p where proposalFree[j] && iou[box * p + j] > value { index = j; value = iou[box * p + j] }
            return (index, value)
        }
        var bests = (0..<g).map(best)
        for _ in 0..<min(p, g) {
            var box = -1
            for i in 0..<g where boxFree[i] && (box < 0 || bests[i].iou > bests[box].iou) { box = i }
            let proposal = bests[box].index
            matched[box] = bests[box].iou
            boxFree[box] = false
            proposalFree[proposal] = false
            for i in 0..<g where boxFree[i] && bests[i].index == proposal { bests[i] = best(i) }
        }
        overlaps += matched
    }

    /// The fraction of boxes matched at IoU ≥ `threshold` (0 when no box was added).
    public func recall(atIoU threshold: Float) -> Double {
        overlaps.isEmpty ? 0 : Double(overlaps.count { $0 >= threshold }) / Double(overlaps.count)
    }

    /// The mean number of proposals per image, all its tiles together (0 when no image was
    /// added); for images of one tile, under the per-tile limit when the RPN's NMS left fewer.
    public var proposalsPerImage: Double { imageCount == 0 ? 0 : Double(proposalCount) / Double(imageCount) }

    /// The mean of the recalls at `thresholds`.
    public var averageRecall: Double {
        Self.thresholds.map(recall(atIoU:)).reduce(0, +) / Double(Self.thresholds.count)
    }
}
