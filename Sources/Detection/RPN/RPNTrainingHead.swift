// Legend: B images, A anchors per image (h·w·9, location-major then anchor); boxes [·, 4] as
// (x1, y1, x2, y2) in input-image pixels.
import Autograd
import TensorCore

/// The RPN as a training head: its anchors matched per image (class-agnostic), its objectness
/// and deltas from the batch's forward pass, BCE / sigmoid focal objectness and smooth-L1 box
/// loss.
///
/// Predictions without gradient are the forward pass's own outputs, read per image: a strategy
/// that asks for losses or probabilities costs no extra forward at the RPN.
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497, §3.1.2 and eq. 1; torchvision
/// `RegionProposalNetwork.compute_loss`.
public struct RPNTrainingHead: TrainingHead {
    /// The network (anchors, matcher, coder).
    public let rpn: RegionProposalNetwork
    /// The batch's RPN outputs: [B, A] objectness and [B, A, 4] deltas with gradient, [A, 4] anchors.
    public let output: RPNOutput
    /// B ground-truth sets.
    public let groundTruth: [GroundTruth]
    /// The anchor grid of the batch's feature map.
    public let anchorLayout: AnchorLayout?

    /// Binds the RPN to a batch.
    /// - Parameters:
    ///   - rpn: the network.
    ///   - output: its outputs for the batch.
    ///   - groundTruth: one set per image.
    ///   - featureHeight: h, feature-map rows.
    ///   - featureWidth: w, feature-map columns.
    /// - Precondition: one ground-truth set per output row.
    public init(rpn: RegionProposalNetwork, output: RPNOutput, groundTruth: [GroundTruth], featureHeight: Int, featureWidth: Int) {
        precondition(output.objectness.shape[0] == groundTruth.count,
                     "RPNTrainingHead: \(output.objectness.shape[0]) images of outputs, \(groundTruth.count) ground-truth sets")
        self.rpn = rpn
        self.output = output
        self.groundTruth = groundTruth
        anchorLayout = AnchorLayout(featureHeight: featureHeight, featureWidth: featureWidth,
                                    anchorsPerLocation: rpn.anchorGenerator.anchorsPerLocation,
                                    strideHeight: rpn.anchorGenerator.stride, strideWidth: rpn.anchorGenerator.stride)
    }

    /// ``DetectionHead/rpn``.
    public var head: DetectionHead { .rpn }
    /// One objectness logit per anchor.
    public var classification: ClassificationForm { .objectness }
    /// 1/9, torchvision's.
    public var boxLossBeta: Float { HeadLossEvaluation.smoothL1Beta }
    /// B.
    public var imageCount: Int { groundTruth.count }

    /// The A anchors matched to image `image`'s ground truth (0.7 / 0.3, low-quality matches).
    /// - Precondition: no extra boxes (anchors are a fixed grid).
    public func candidates(ofImage image: Int, appending extraBoxes: Tensor?) -> MatchedCandidates {
        precondition((extraBoxes?.shape[0] ?? 0) == 0, "RPNTrainingHead: an anchor head takes no extra candidates, got \(extraBoxes!.shape)")
        return rpn.matchedAnchors(output.anchors, groundTruth: groundTruth[image])
    }

    /// Image `image`'s [A] objectness logits and [A, 4] deltas, read from the forward pass.
    public func predictions(ofImage image: Int, for candidates: MatchedCandidates) -> HeadPredictions {
        let a = output.objectness.shape[1]
        return HeadPredictions(form: .objectness,
                               logits: output.objectness.value.slice(alongAxis: 0, image..<(image + 1)).reshaped(to: [a]),
                               deltas: output.deltas.value.slice(alongAxis: 0, image..<(image + 1)).reshaped(to: [a, 4]))
    }

    /// The RPN loss over the selected anchors (`HeadLossEvaluation.rpnLoss`).
    public func loss(over candidates: [MatchedCandidates], selections: [CandidateSelection], kind: ClassificationLossKind,
                     divisors: LossDivisors) -> HeadLoss {
        rpn.loss(output, candidates: candidates, selections: selections, kind: kind, divisors: divisors)
    }
}
