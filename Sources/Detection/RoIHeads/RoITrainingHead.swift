// Legend: B images, C feature channels, h×w feature map (cells); per image P proposals, M
// ground-truth boxes and E extra proposals; L = K + 1 classes (0 = background); boxes [·, 4]
// as (x1, y1, x2, y2) in input-image pixels.
import Autograd
import TensorCore

/// The RoI head as a training head: the batch's training proposals plus the ground truth (and a
/// strategy's extra proposals) matched per image, softmax CE / softmax focal classification and
/// class-specific smooth-L1 box loss, with RoI Align and the box head run over the selected
/// RoIs only.
///
/// Predictions without gradient are a read-only pass (RoI Align and the box head inside
/// `withoutGradients`) over every candidate of the image: about 1 GFLOP per image at P = 512,
/// paid only by strategies that ask for losses or probabilities.
/// Reference: Girshick, "Fast R-CNN", arXiv:1504.08083, eq. 1; torchvision `RoIHeads`
/// (`fastrcnn_loss`, ground truth appended to the proposals).
public struct RoITrainingHead: TrainingHead {
    /// RoI Align, the box head, matcher and coder.
    public let roiHeads: RoIHeads
    /// [B, C, h, w] features with gradient.
    public let features: Variable
    /// Per image, [P, 4] training proposals (constants).
    public let proposals: [Tensor]
    /// B ground-truth sets.
    public let groundTruth: [GroundTruth]

    /// Binds the RoI head to a batch.
    /// - Precondition: one proposal set and one ground-truth set per image of `features`.
    public init(roiHeads: RoIHeads, features: Variable, proposals: [Tensor], groundTruth: [GroundTruth]) {
        precondition(proposals.count == groundTruth.count && features.shape[0] == groundTruth.count,
                     "RoITrainingHead: features \(features.shape), \(proposals.count) proposal sets, \(groundTruth.count) ground-truth sets")
        self.roiHeads = roiHeads
        self.features = features
        self.proposals = proposals
        self.groundTruth = groundTruth
    }

    /// ``DetectionHead/roi``.
    public var head: DetectionHead { .roi }
    /// A softmax over K + 1 classes.
    public var classification: ClassificationForm { .softmax(classCount: roiHeads.boxHead.classCount - 1) }
    /// 1/9, torchvision's.
    public var boxLossBeta: Float { HeadLossEvaluation.smoothL1Beta }
    /// B.
    public var imageCount: Int { groundTruth.count }
    /// nil: proposals are not a grid.
    public var anchorLayout: AnchorLayout? { nil }

    /// Image `image`'s P proposals, M ground-truth boxes and E extra boxes, matched (0.5 / 0.5).
    public func candidates(ofImage image: Int, appending extraBoxes: Tensor?) -> MatchedCandidates {
        roiHeads.matchedCandidates(proposals: proposals[image], groundTruth: groundTruth[image], extraProposals: extraBoxes)
    }

    /// A read-only pass of RoI Align and the box head over every candidate of image `image`:
    /// [N, L] logits and [N, 4·L] deltas.
    public func predictions(ofImage image: Int, for candidates: MatchedCandidates) -> HeadPredictions {
        withoutGradients {
            let imageFeatures = Variable(features.value.slice(alongAxis: 0, image..<(image + 1)))
            let (logits, deltas) = roiHeads(imageFeatures, rois: RoIHeads.rois([candidates.boxes]))
            return HeadPredictions(form: classification, logits: logits.value, deltas: deltas.value)
        }
    }

    /// The RoI-head loss: RoI Align and the box head over the selected RoIs of every image, with
    /// gradient (`RoIHeads.loss`).
    public func loss(over candidates: [MatchedCandidates], selections: [CandidateSelection], kind: ClassificationLossKind,
                     divisors: LossDivisors) -> HeadLoss {
        roiHeads.loss(features: features, candidates: candidates, selections: selections, kind: kind, divisors: divisors)
    }
}
