// Legend: B images, A anchors per image (h·w·9, location-major then anchor), K foreground
// classes; boxes [·, 4] as (x1, y1, x2, y2) in input-image pixels.
import Autograd
import TensorCore

/// RetinaNet's dense head as a training head: its anchors matched per image with the ground
/// truth's classes, K sigmoid logits and class-agnostic deltas from the batch's forward pass,
/// BCE (or sigmoid focal) over the selected anchors' K classes and L1 box loss on positives.
///
/// Every strategy runs here: `focal` trains every non-ignored anchor with the sigmoid focal loss
/// over max(1, positives) — RetinaNet itself; `random`, `ohem`, `ssd`, `iou-balanced` and the
/// hard-negative buffer train BCE over their selection, divided by the number selected. A
/// strategy's per-candidate loss is Σ_k BCE + L1 (`Kernels.sigmoidCandidateLosses`); its
/// foreground probability is the best class's sigmoid. Predictions without gradient are the
/// forward pass's own outputs: no extra forward.
/// Reference: Lin et al., arXiv:1708.02002; torchvision `RetinaNetHead.compute_loss`.
public struct RetinaNetTrainingHead: TrainingHead {
    /// The detector (matcher, coder, classes).
    public let model: TinyRetinaNet
    /// The batch's outputs: [B, A, K] logits and [B, A, 4] deltas with gradient, [A, 4] anchors.
    public let output: RetinaNetOutput
    /// B ground-truth sets.
    public let groundTruth: [GroundTruth]
    /// The anchor grid of the batch's feature map.
    public let anchorLayout: AnchorLayout?

    /// Binds the head to a batch.
    /// - Parameters:
    ///   - model: the detector.
    ///   - output: its head's outputs for the batch.
    ///   - groundTruth: one set per image.
    ///   - featureHeight: h, feature-map rows.
    ///   - featureWidth: w, feature-map columns.
    /// - Precondition: one ground-truth set per output row.
    public init(model: TinyRetinaNet, output: RetinaNetOutput, groundTruth: [GroundTruth], featureHeight: Int, featureWidth: Int) {
        precondition(output.classLogits.shape[0] == groundTruth.count,
                     "RetinaNetTrainingHead: \(output.classLogits.shape[0]) images of outputs, \(groundTruth.count) ground-truth sets")
        self.model = model
        self.output = output
        self.groundTruth = groundTruth
        anchorLayout = AnchorLayout(featureHeight: featureHeight, featureWidth: featureWidth,
                                    anchorsPerLocation: model.anchorGenerator.anchorsPerLocation,
                                    strideHeight: model.anchorGenerator.stride, strideWidth: model.anchorGenerator.stride)
    }

    /// ``DetectionHead/retinaNet``.
    public var head: DetectionHead { .retinaNet }
    /// K sigmoid logits per anchor.
    public var classification: ClassificationForm { .sigmoid(classCount: model.classCount) }
    /// 0: the box loss is L1, torchvision's RetinaNet default.
    public var boxLossBeta: Float { 0 }
    /// B.
    public var imageCount: Int { groundTruth.count }

    /// The A anchors matched to image `image`'s ground truth (0.5 / 0.4, low-quality matches),
    /// labelled with the matched object's class.
    /// - Precondition: no extra boxes (anchors are a fixed grid).
    public func candidates(ofImage image: Int, appending extraBoxes: Tensor?) -> MatchedCandidates {
        precondition((extraBoxes?.shape[0] ?? 0) == 0, "RetinaNetTrainingHead: an anchor head takes no extra candidates, got \(extraBoxes!.shape)")
        return MatchedCandidates(candidates: output.anchors, groundTruthBoxes: groundTruth[image].boxes,
                                 groundTruthLabels: groundTruth[image].labels, matcher: model.matcher, coder: model.coder)
    }

    /// Image `image`'s [A, K] logits and [A, 4] deltas, read from the forward pass.
    public func predictions(ofImage image: Int, for candidates: MatchedCandidates) -> HeadPredictions {
        let a = output.classLogits.shape[1], k = output.classLogits.shape[2]
        return HeadPredictions(form: classification,
                               logits: output.classLogits.value.slice(alongAxis: 0, image..<(image + 1)).reshaped(to: [a, k]),
                               deltas: output.boxDeltas.value.slice(alongAxis: 0, image..<(image + 1)).reshaped(to: [a, 4]))
    }

    /// The dense loss over the selected anchors (`HeadLossEvaluation.denseLoss`, L1 box loss).
    public func loss(over candidates: [MatchedCandidates], selections: [CandidateSelection], kind: ClassificationLossKind,
                     divisors: LossDivisors) -> HeadLoss {
        HeadLossEvaluation.denseLoss(classLogits: output.classLogits, deltas: output.boxDeltas, candidates: candidates,
                                     selections: selections, kind: kind, divisors: divisors, boxLossBeta: boxLossBeta)
    }
}
