// Legend: N images, H×W image (pixels); per image A anchors at the RPN, and P proposals, M
// ground-truth boxes and E extra proposals at the RoI head.
//
// A training step is the two heads run in order, each with its own strategy: the RPN on the
// batch's anchors, then the RoI head on the proposals the RPN's outputs give (no gradient
// through them). Everything a strategy needs comes from `TrainingHead.sampledLoss`.
import Autograd
import Foundation
import TensorCore

extension TinyFasterRCNN: Detector {
    /// ``DetectorKind/fasterRCNN``.
    public var kind: DetectorKind { .fasterRCNN }

    /// ``DetectionHead/rpn`` then ``DetectionHead/roi``.
    public var heads: [DetectionHead] { [.rpn, .roi] }

    /// Computes the training losses of a batch, with one sampling strategy per head choosing the
    /// candidates, the classification loss and the normaliser.
    ///
    /// In order (DESIGN.md "Sampling strategies"): backbone and RPN head with gradient; the RPN
    /// as a training head (`RPNTrainingHead`: anchors matched per image, the strategy's
    /// requirements read from the outputs without an extra forward); the training proposals
    /// (2,000 → NMS 0.7 → 512 per image, constants); the RoI head as a training head
    /// (`RoITrainingHead`: proposals, ground truth and the strategy's extra proposals matched per
    /// image, a read-only pass only if the requirements ask for one, RoI Align and the box head
    /// with gradient over the selected RoIs only). See `TrainingHead.sampledLoss` for the
    /// per-head steps and the separate pass.
    /// - Parameters:
    ///   - images: [N, 3, H, W] RGB pixels in 0...255, as trained on (already flipped).
    ///   - groundTruth: N ground-truth sets in the same (flipped) frame; empty: background only.
    ///   - samplingImages: N image descriptions (id = the training tile's index, its own size,
    ///     its flips); an RPN image without an anchor layout gets the model's grid.
    ///   - progress: the current step and steps per epoch (for the buffer's expiry).
    ///   - strategies: the RPN's and the RoI head's strategies, kept across steps by the caller.
    ///   - generator: the random source of every selection.
    /// - Returns: `rpn_objectness`, `rpn_box`, `roi_classification`, `roi_box`, with each head's
    ///   mining statistics merged over the batch.
    /// - Precondition: one ground-truth set and one sampling image per image; labels in 1...K;
    ///   two strategies, for the RPN and the RoI head.
    public func trainingLoss(images: Tensor, groundTruth: [GroundTruth], samplingImages: [SamplingImage],
                             progress: TrainingProgress, strategies: inout [any SamplingStrategy],
                             using generator: inout some RandomNumberGenerator) -> DetectorLosses {
        precondition(images.rank == 4 && images.shape[0] == groundTruth.count,
                     "trainingLoss: images \(images.shape) need one ground-truth set each, got \(groundTruth.count)")
        precondition(groundTruth.allSatisfy { $0.labels.allSatisfy { $0 <= classCount } },
                     "trainingLoss: ground-truth labels must lie in 1...\(classCount)")
        precondition(strategies.count == 2, "trainingLoss: TinyFasterRCNN needs 2 strategies (RPN, RoI head), got \(strategies.count)")
        let height = images.shape[2], width = images.shape[3]
        let features = self.features(images)
        let output = rpn(features)
        let rpnHead = RPNTrainingHead(rpn: rpn, output: output, groundTruth: groundTruth,
                                      featureHeight: features.shape[2], featureWidth: features.shape[3])
        let first = rpnHead.sampledLoss(strategy: &strategies[0], images: samplingImages, progress: progress, using: &generator)
        let proposals = rpn.proposals(output, imageHeight: height, imageWidth: width, filter: rpn.trainingFilter)
        let roiHead = RoITrainingHead(roiHeads: roiHeads, features: features, proposals: proposals, groundTruth: groundTruth)
        let second = roiHead.sampledLoss(strategy: &strategies[1], images: samplingImages, progress: progress, using: &generator)
        return DetectorLosses(heads: [first, second])
    }

    /// Sets a head's classification bias to RetinaNet's prior π (0.01): the RPN objectness bias
    /// to −log((1 − π)/π), so every anchor starts with foreground probability π; the RoI head's
    /// `cls_score` bias to log(K·(1 − π)/π) for the background (class 0) and 0 for the K
    /// foreground classes, so a RoI whose features contribute nothing starts at P(background)
    /// = 1 − π and π/K per class (``FocalStrategy/backgroundPriorBias(prior:classCount:)``).
    /// The RoI head's weights keep PyTorch's default initialisation.
    /// Reference: Lin et al., arXiv:1708.02002, §3.3 and §4.1 (sigmoid heads); the softmax form
    /// is Quarry's carry-over (issue 14).
    /// - Precondition: 0 < π < 1; `head` is one of ``heads``.
    public func initializeClassificationPrior(of head: DetectionHead, probability: Float) {
        precondition(probability > 0 && probability < 1, "initializeClassificationPrior: π = \(probability) must lie in (0, 1)")
        precondition(heads.contains(head), "initializeClassificationPrior: TinyFasterRCNN has no \(head) head")
        if head == .roi {
            let bias = roiHeads.boxHead.classScore.bias!
            var values = [Float](repeating: 0, count: bias.shape[0])
            values[0] = FocalStrategy.backgroundPriorBias(prior: Double(probability), classCount: values.count - 1)
            bias.value = Tensor(shape: bias.shape, scalars: values)
            return
        }
        let bias = rpn.head.classificationLogits.bias!
        bias.value = Tensor(repeating: -Foundation.log((1 - probability) / probability), shape: bias.shape)
    }
}
