// Legend: N images, C feature channels, h×w feature map (cells), A = h·w·9 anchors per image;
// boxes [·, 4] as (x1, y1, x2, y2) in input-image pixels; H×W image, pixels.
import Autograd
import NN
import TensorCore

/// The RPN's per-anchor outputs for a batch, with the anchors they refer to.
public struct RPNOutput {
    /// [N, A] objectness logits, location-major then anchor.
    public var objectness: Variable
    /// [N, A, 4] deltas (RPN coder, weights 1, 1, 1, 1).
    public var deltas: Variable
    /// [A, 4] anchors shared by every image, pixels.
    public var anchors: Tensor
}

/// The region proposal network: head, anchors, anchor matching, loss and proposal filtering.
///
/// TinyFasterRCNN: anchors stride 8, sizes (16, 32, 64) × ratios (0.5, 1, 2); matcher 0.7 / 0.3
/// with low-quality matches; coder (1, 1, 1, 1); filters as `ProposalFilter.training` /
/// `.inference`.
///
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497, §3.1; torchvision `RegionProposalNetwork`.
public struct RegionProposalNetwork {
    /// The convolutional head.
    public let head: RPNHead
    /// The anchor grid (cached per feature size).
    public let anchorGenerator: AnchorGenerator
    /// Anchor-to-ground-truth matcher (0.7 / 0.3, low-quality matches).
    public var matcher: Matcher = .rpn
    /// Box coder (1, 1, 1, 1).
    public var coder: BoxCoder = .rpn
    /// Proposal filter used while training (2,000 → 512).
    public var trainingFilter: ProposalFilter = .training
    /// Proposal filter used for inference (1,000 → 300).
    public var inferenceFilter: ProposalFilter = .inference

    /// Creates an RPN from a head and an anchor generator.
    /// - Precondition: the head predicts one logit per anchor of the generator.
    public init(head: RPNHead, anchorGenerator: AnchorGenerator) {
        precondition(head.anchorsPerLocation == anchorGenerator.anchorsPerLocation,
                     "RegionProposalNetwork: head has \(head.anchorsPerLocation) anchors per location, generator \(anchorGenerator.anchorsPerLocation)")
        self.head = head
        self.anchorGenerator = anchorGenerator
    }

    /// Runs the head and returns per-anchor outputs with the anchors.
    /// - Parameter features: [N, C, h, w] feature map.
    public func callAsFunction(_ features: Variable) -> RPNOutput {
        let (objectness, deltas) = head(features)
        let anchors = anchorGenerator.anchors(featureHeight: features.shape[2], featureWidth: features.shape[3])
        return RPNOutput(objectness: objectness, deltas: deltas, anchors: anchors)
    }

    /// Matches the anchors to one image's ground truth (class-agnostic: every object is 1).
    /// - Parameters:
    ///   - anchors: [A, 4] anchors, pixels.
    ///   - groundTruth: the image's objects.
    public func matchedAnchors(_ anchors: Tensor, groundTruth: GroundTruth) -> MatchedCandidates {
        MatchedCandidates(candidates: anchors, groundTruthBoxes: groundTruth.boxes,
                          groundTruthLabels: [Int](repeating: 1, count: groundTruth.labels.count),
                          matcher: matcher, coder: coder)
    }

    /// Produces each image's proposals from the outputs (no gradient: proposals are constants).
    /// - Parameters:
    ///   - output: the RPN outputs of N images.
    ///   - imageHeight: H, pixels.
    ///   - imageWidth: W, pixels.
    ///   - filter: `trainingFilter` or `inferenceFilter`.
    /// - Returns: per image, [P, 4] proposals by decreasing objectness.
    public func proposals(_ output: RPNOutput, imageHeight: Int, imageWidth: Int, filter: ProposalFilter) -> [Tensor] {
        let n = output.objectness.shape[0], a = output.objectness.shape[1]
        let logits = output.objectness.value.scalars, deltas = output.deltas.value.scalars
        return (0..<n).map { image in
            filter.proposals(objectness: Array(logits[(image * a)..<((image + 1) * a)]),
                             deltas: Tensor(shape: [a, 4], scalars: Array(deltas[(4 * image * a)..<(4 * (image + 1) * a)])),
                             anchors: output.anchors, imageHeight: imageHeight, imageWidth: imageWidth).boxes
        }
    }

    /// Evaluates the RPN loss over the selected anchors (see `HeadLossEvaluation.rpnLoss`).
    public func loss(_ output: RPNOutput, candidates: [MatchedCandidates], selections: [CandidateSelection],
                     kind: ClassificationLossKind, normalization: LossNormalization) -> HeadLoss {
        HeadLossEvaluation.rpnLoss(objectness: output.objectness, deltas: output.deltas, candidates: candidates,
                                   selections: selections, kind: kind, normalization: normalization)
    }

    /// Evaluates the RPN loss with separate classification and box divisors (see
    /// `HeadLossEvaluation.rpnLoss(objectness:deltas:candidates:selections:kind:divisors:)`).
    public func loss(_ output: RPNOutput, candidates: [MatchedCandidates], selections: [CandidateSelection],
                     kind: ClassificationLossKind, divisors: LossDivisors) -> HeadLoss {
        HeadLossEvaluation.rpnLoss(objectness: output.objectness, deltas: output.deltas, candidates: candidates,
                                   selections: selections, kind: kind, divisors: divisors)
    }

    /// The head's parameters with PyTorch's names (`conv.weight`, …).
    public var parameters: [Parameter] { head.parameters }
}
