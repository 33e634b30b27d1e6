// Legend: B images in the batch; per image N candidates (anchors of an anchor head; proposals,
// ground truth and E extra proposals of a proposal head); boxes [·, 4] as (x1, y1, x2, y2) in
// input-image pixels.
//
// The head as the unit of training. A detector's training step runs its heads in order; each
// head, bound to the batch's forward pass, answers four questions — its candidates for an
// image, its predictions for them without gradient, its classification form, its loss for a
// selection — and `sampledLoss(strategy:images:progress:using:)` (HeadSampling.swift) runs any
// sampling strategy over any head with them. Nothing there knows which head or strategy it has.
import Autograd
import DetectionKernels
import TensorCore

/// One head of a detector, bound to one batch's forward pass, as the sampling strategies train it.
///
/// Conformers hold what the pass computed (the head's outputs with gradient, the batch's ground
/// truth, and for a second-stage head the proposals it runs on). Faster R-CNN has two
/// (`RPNTrainingHead`, `RoITrainingHead`), TinyRetinaNet one (`RetinaNetTrainingHead`).
/// Reference: the per-head loss of Ren et al., arXiv:1506.01497 (RPN, Fast R-CNN head) and Lin
/// et al., arXiv:1708.02002 (the dense head); torchvision's `RegionProposalNetwork`,
/// `RoIHeads` and `RetinaNetHead` each own their matcher, coder and loss in the same way.
public protocol TrainingHead {
    /// The head's identity and the defaults its strategies take.
    var head: DetectionHead { get }
    /// How the head scores its candidates.
    var classification: ClassificationForm { get }
    /// The smooth-L1 β of the head's box loss (1/9 in Faster R-CNN; 0, plain L1, in RetinaNet),
    /// which the per-candidate losses use too.
    var boxLossBeta: Float { get }
    /// B, the number of images in the batch.
    var imageCount: Int { get }
    /// The anchor grid of an anchor head (what a strategy needs to mirror anchor indices through
    /// an image's flips), nil for a proposal head.
    var anchorLayout: AnchorLayout? { get }

    /// Matches one image's candidates to its ground truth.
    /// - Parameters:
    ///   - image: the image's index in the batch, in 0..<B.
    ///   - extraBoxes: [E, 4] boxes a strategy asked to append after every other candidate of a
    ///     proposal head, pixels; nil or [0, 4] for none.
    /// - Returns: the image's N matched candidates.
    /// - Precondition: `image` in range; no extra boxes at an anchor head.
    func candidates(ofImage image: Int, appending extraBoxes: Tensor?) -> MatchedCandidates

    /// Computes the head's current predictions for one image's candidates, without gradient (a
    /// read of outputs that exist at an anchor head; a read-only pass of the head over every
    /// candidate at a proposal head).
    /// - Parameters:
    ///   - image: the image's index in the batch.
    ///   - candidates: the image's candidates, as `candidates(ofImage:appending:)` returned them.
    /// - Returns: N predictions in the head's classification form.
    func predictions(ofImage image: Int, for candidates: MatchedCandidates) -> HeadPredictions

    /// Evaluates the head's loss over every image's selection, pooled over the batch.
    /// - Parameters:
    ///   - candidates: per image, the matched candidates.
    ///   - selections: per image, the candidates entering the loss (with weights).
    ///   - kind: cross-entropy or focal, evaluated in the head's classification form.
    ///   - divisors: what the batch's classification and box sums are divided by.
    /// - Returns: the classification and box terms (scalars with gradient).
    /// - Precondition: B candidate sets and selections; no ignored candidate selected.
    func loss(over candidates: [MatchedCandidates], selections: [CandidateSelection], kind: ClassificationLossKind,
              divisors: LossDivisors) -> HeadLoss
}

extension TrainingHead {
    /// Evaluates the head's loss with both terms divided by the batch count `normalization`
    /// names (``HeadLossEvaluation/normalizer(_:_:_:)``).
    /// - Parameters:
    ///   - candidates: per image, the matched candidates.
    ///   - selections: per image, the candidates entering the loss (with weights).
    ///   - kind: cross-entropy or focal.
    ///   - normalization: what both batch sums are divided by.
    /// - Returns: the classification and box terms (scalars with gradient).
    /// - Precondition: as ``loss(over:selections:kind:divisors:)``.
    public func loss(over candidates: [MatchedCandidates], selections: [CandidateSelection], kind: ClassificationLossKind,
                     normalization: LossNormalization) -> HeadLoss {
        loss(over: candidates, selections: selections, kind: kind,
             divisors: LossDivisors(both: HeadLossEvaluation.normalizer(candidates, selections, normalization)))
    }
}
