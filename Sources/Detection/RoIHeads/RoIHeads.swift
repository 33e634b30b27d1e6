// Legend: N images, C feature channels, h×w feature map (cells); P proposals and M ground-truth
// boxes of one image; G RoIs pooled over the batch; RoIs [G, 5] as (image index, x1, y1, x2,
// y2) in input-image pixels; L = K + 1 classes (0 = background).
import Autograd
import NN
import TensorCore

/// The second stage: RoI Align over the proposals, the box head, matching of proposals to
/// ground truth, the RoI-head loss and detection post-processing.
///
/// TinyFasterRCNN: RoI Align 7×7 at scale 1/8, sampling ratio 2, aligned; matcher 0.5 / 0.5
/// without low-quality matches; box coder (10, 10, 5, 5); ground truth appended to the
/// training proposals.
///
/// Reference: Ren et al., arXiv:1506.01497; He et al., arXiv:1703.06870; torchvision `RoIHeads`.
public struct RoIHeads {
    /// The fully connected head and predictor.
    public let boxHead: BoxHead
    /// Bins per side of the pooled grid (7).
    public var pooledSize: Int = 7
    /// Feature cells per image pixel (1/8).
    public var spatialScale: Float = 1.0 / 8
    /// Sample points per bin side (2).
    public var samplingRatio: Int = 2
    /// RoI Align's half-cell offset (true).
    public var aligned: Bool = true
    /// Proposal-to-ground-truth matcher (0.5 / 0.5).
    public var matcher: Matcher = .roiHead
    /// Box coder (10, 10, 5, 5).
    public var coder: BoxCoder = .roiHead
    /// Inference post-processing.
    public var postprocessor = DetectionPostprocessor()

    /// Creates the RoI heads around a box head, with TinyFasterRCNN's settings.
    public init(boxHead: BoxHead) { self.boxHead = boxHead }

    /// Runs RoI Align and the box head on a set of RoIs.
    /// - Parameters:
    ///   - features: [N, C, h, w] feature map.
    ///   - rois: [G, 5] RoIs (image index, x1, y1, x2, y2), pixels.
    /// - Returns: class logits [G, L] and class-specific deltas [G, 4·L].
    /// - Precondition: shapes as above.
    public func callAsFunction(_ features: Variable, rois: Tensor) -> (classLogits: Variable, boxDeltas: Variable) {
        let l = boxHead.classCount
        if rois.shape[0] == 0 {
            return (Variable(Tensor(shape: [0, l], scalars: [])), Variable(Tensor(shape: [0, 4 * l], scalars: [])))
        }
        let pooled = features.roiAlign(rois, outputSize: pooledSize, spatialScale: spatialScale,
                                       samplingRatio: samplingRatio, aligned: aligned)
        return boxHead(pooled)
    }

    /// Builds [G, 5] RoIs from per-image boxes (image index first).
    /// - Parameter boxes: per image, [P_i, 4] boxes, pixels.
    public static func rois(_ boxes: [Tensor]) -> Tensor {
        var scalars: [Float] = []
        for (image, b) in boxes.enumerated() {
            let n = Boxes.count(b, "rois"), s = b.scalars
            for i in 0..<n { scalars += [Float(image), s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3]] }
        }
        return Tensor(shape: [scalars.count / 5, 5], scalars: scalars)
    }

    /// Matches one image's training candidates: the proposals, then the ground-truth boxes, then
    /// any extra proposals (a sampling strategy's replays, e.g. the hard-negative buffer's).
    /// - Parameters:
    ///   - proposals: [P, 4] proposals, pixels.
    ///   - groundTruth: the image's objects.
    ///   - extraProposals: [E, 4] boxes appended last, pixels (nil or [0, 4]: none).
    /// - Returns: P + M + E matched candidates (labels are the ground-truth classes; targets
    ///   encoded with (10, 10, 5, 5)).
    public func matchedCandidates(proposals: Tensor, groundTruth: GroundTruth, extraProposals: Tensor? = nil) -> MatchedCandidates {
        var parts = [proposals, groundTruth.boxes]
        if let extraProposals, extraProposals.shape[0] > 0 { parts.append(extraProposals) }
        let candidates = Tensor.concatenate(parts, alongAxis: 0)
        return MatchedCandidates(candidates: candidates, groundTruthBoxes: groundTruth.boxes,
                                 groundTruthLabels: groundTruth.labels, matcher: matcher, coder: coder)
    }

    /// Evaluates the RoI-head loss: pools the selected candidates of every image, runs the head
    /// on them only, and evaluates `HeadLossEvaluation.roiLoss`.
    /// - Parameters:
    ///   - features: [N, C, h, w] feature map.
    ///   - candidates: per image, the matched candidates.
    ///   - selections: per image, the candidates entering the loss.
    ///   - kind: CE or focal.
    ///   - normalization: what the batch sums are divided by.
    /// - Precondition: one candidate set and one selection per image; no ignored candidate selected.
    public func loss(features: Variable, candidates: [MatchedCandidates], selections: [CandidateSelection],
                     kind: ClassificationLossKind, normalization: LossNormalization) -> HeadLoss {
        loss(features: features, candidates: candidates, selections: selections, kind: kind,
             divisors: LossDivisors(both: HeadLossEvaluation.normalizer(candidates, selections, normalization)))
    }

    /// Evaluates the RoI-head loss as ``loss(features:candidates:selections:kind:normalization:)``,
    /// with separate classification and box divisors.
    /// - Precondition: as the other form's.
    public func loss(features: Variable, candidates: [MatchedCandidates], selections: [CandidateSelection],
                     kind: ClassificationLossKind, divisors: LossDivisors) -> HeadLoss {
        precondition(candidates.count == selections.count && candidates.count == features.shape[0],
                     "RoIHeads.loss: \(candidates.count) candidate sets, \(selections.count) selections, features \(features.shape)")
        var boxes: [Tensor] = [], labels: [Int32] = [], targets: [Float] = [], weights: [Float] = []
        let weighted = selections.contains { $0.weights != nil }
        for (image, (matched, selection)) in zip(candidates, selections).enumerated() {
            boxes.append(Boxes.gathered(matched.boxes, selection.indices))
            for (s, j) in selection.indices.enumerated() {
                precondition(matched.labels[j] >= 0, "RoIHeads.loss: image \(image) selects ignored candidate \(j)")
                labels.append(matched.labels[j])
                targets.append(contentsOf: matched.regressionTargets.scalars[(4 * j)..<(4 * j + 4)])
                if weighted { weights.append(selection.weights?[s] ?? 1) }
            }
        }
        let (logits, deltas) = self(features, rois: Self.rois(boxes))
        return HeadLossEvaluation.roiLoss(
            classLogits: logits, boxDeltas: deltas, classLabels: labels,
            regressionTargets: Tensor(shape: [labels.count, 4], scalars: targets), weights: weighted ? weights : nil,
            divisors: divisors, kind: kind)
    }

    /// The parameters with PyTorch's names under the box head (`fc6.weight`, …).
    public var parameters: [Parameter] { boxHead.parameters }
}
