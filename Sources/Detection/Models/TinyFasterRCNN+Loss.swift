// Legend: N images, H×W image (pixels), A anchors per image, P proposals per image.
//
// Training in three separate steps per head: (1) match candidates and encode targets,
// (2) select the candidates entering the loss (a `SelectionRule` or a caller's closure here; a
// `SamplingStrategy` per head in TinyFasterRCNN+Sampling.swift), (3) evaluate. Every entry point
// runs the one pipeline, `trainingLosses`.
import Autograd
import TensorCore

/// The named losses of one training step (scalar graph nodes; call `total.backward()`).
public struct DetectionLosses {
    /// RPN objectness (BCE or focal) over the selected anchors, plus the separate pass's mean
    /// background loss when a strategy returned separate-pass negatives.
    public var rpnObjectness: Variable
    /// RPN smooth-L1 box loss over the selected positive anchors.
    public var rpnBox: Variable
    /// RoI-head classification (CE or focal) over the selected RoIs, plus the separate pass's
    /// mean background loss when a strategy returned separate-pass negatives.
    public var roiClassification: Variable
    /// RoI-head class-specific smooth-L1 box loss over the selected positive RoIs.
    public var roiBox: Variable

    /// The RPN strategy's mining statistics, merged over the batch's images (empty when the
    /// candidates were chosen by a `SelectionRule` or a closure).
    public var rpnMining = MiningStatistics()
    /// The RoI-head strategy's mining statistics, merged over the batch's images.
    public var roiMining = MiningStatistics()

    /// The sum of the four terms.
    public var total: Variable { rpnObjectness + rpnBox + roiClassification + roiBox }
}

extension TinyFasterRCNN {
    /// Computes the training losses of a batch with a built-in selection rule per head.
    /// - Parameters:
    ///   - images: [N, 3, H, W] RGB pixels in 0...255.
    ///   - groundTruth: N ground-truth sets (empty: every candidate is background).
    ///   - configuration: selection rules, classification loss and normalisation
    ///     (`.random` is DESIGN.md's `random` strategy, `.allCandidates` the golden definition).
    ///   - generator: the random source of the selection.
    /// - Precondition: one ground-truth set per image; labels in 1...K.
    public func loss(images: Tensor, groundTruth: [GroundTruth], configuration: LossConfiguration = .random,
                     using generator: inout some RandomNumberGenerator) -> DetectionLosses {
        loss(images: images, groundTruth: groundTruth,
             selectRPN: { configuration.rpnSelection.select($0.candidates.labels, using: &generator) },
             selectRoI: { configuration.roiSelection.select($0.candidates.labels, using: &generator) },
             classificationLoss: configuration.classificationLoss, normalization: configuration.normalization)
    }

    /// Computes the training losses of a batch, with the candidates chosen by the caller.
    ///
    /// Steps: features → RPN outputs → anchors matched per image → `selectRPN` → RPN loss;
    /// training proposals (no gradient) + ground truth matched per image → `selectRoI` → RoI
    /// Align and box head over the selected RoIs only → RoI loss.
    /// - Parameters:
    ///   - images: [N, 3, H, W] RGB pixels in 0...255.
    ///   - groundTruth: N ground-truth sets.
    ///   - selectRPN: chooses each image's anchors (called for images 0, 1, … in order).
    ///   - selectRoI: chooses each image's RoIs (after every `selectRPN` call); asking its
    ///     context for predictions runs the RoI head over all of the image's candidates once.
    ///   - classificationLoss: BCE/CE or focal at both heads.
    ///   - normalization: the batch normaliser of both heads.
    /// - Precondition: one ground-truth set per image; labels in 1...K; selections never pick
    ///   ignored candidates.
    public func loss(images: Tensor, groundTruth: [GroundTruth],
                     selectRPN: (SelectionContext) -> CandidateSelection,
                     selectRoI: (SelectionContext) -> CandidateSelection,
                     classificationLoss: ClassificationLossKind, normalization: LossNormalization) -> DetectionLosses {
        trainingLosses(images: images, groundTruth: groundTruth, extraProposals: { _ in nil },
                       chooseRPN: { HeadChoice(selection: selectRPN($0), kind: classificationLoss, normalization: normalization) },
                       chooseRoI: { HeadChoice(selection: selectRoI($0), kind: classificationLoss, normalization: normalization) })
    }

    /// The shared pipeline of every `loss` entry point.
    ///
    /// Order of the callbacks: `chooseRPN` for images 0, 1, …; then per image i, `extraProposals(i)`
    /// (appended after the proposals and the ground truth), matching, and `chooseRoI`. All choices
    /// of one head must agree on the classification loss and the normaliser. A choice's
    /// separate-pass negatives add each head's separately normalised pass to its classification
    /// term (TinyFasterRCNN+SeparatePass.swift).
    func trainingLosses(images: Tensor, groundTruth: [GroundTruth], extraProposals: (Int) -> Tensor?,
                        chooseRPN: (SelectionContext) -> HeadChoice,
                        chooseRoI: (SelectionContext) -> HeadChoice) -> DetectionLosses {
        precondition(images.rank == 4 && images.shape[0] == groundTruth.count,
                     "loss: images \(images.shape) need one ground-truth set each, got \(groundTruth.count)")
        precondition(groundTruth.allSatisfy { $0.labels.allSatisfy { $0 <= classCount } },
                     "loss: ground-truth labels must lie in 1...\(classCount)")
        let height = images.shape[2], width = images.shape[3]
        let features = self.features(images)
        let output = rpn(features)
        let layout = AnchorLayout(featureHeight: features.shape[2], featureWidth: features.shape[3],
                                  anchorsPerLocation: rpn.anchorGenerator.anchorsPerLocation,
                                  strideHeight: rpn.anchorGenerator.stride, strideWidth: rpn.anchorGenerator.stride)
        let anchorSets = groundTruth.map { rpn.matchedAnchors(output.anchors, groundTruth: $0) }
        let a = output.objectness.shape[1]
        let rpnChoices = anchorSets.enumerated().map { image, matched in
            var context = SelectionContext(imageIndex: image, candidates: matched) {
                HeadPredictions(logits: output.objectness.value.slice(alongAxis: 0, image..<(image + 1)).reshaped(to: [a]),
                                deltas: output.deltas.value.slice(alongAxis: 0, image..<(image + 1)).reshaped(to: [a, 4]))
            }
            context.anchorLayout = layout
            return chooseRPN(context)
        }
        let rpnRule = HeadChoice.rule(of: rpnChoices, head: "RPN")
        var rpnLoss = rpn.loss(output, candidates: anchorSets, selections: rpnChoices.map(\.selection), kind: rpnRule.kind,
                               normalization: rpnRule.normalization)
        if let separate = rpnSeparatePassLoss(output, candidates: anchorSets, choices: rpnChoices, kind: rpnRule.kind) {
            rpnLoss.classification = rpnLoss.classification + separate
        }
        let proposals = rpn.proposals(output, imageHeight: height, imageWidth: width, filter: rpn.trainingFilter)
        var roiSets: [MatchedCandidates] = [], roiChoices: [HeadChoice] = []
        for (image, (imageProposals, imageGroundTruth)) in zip(proposals, groundTruth).enumerated() {
            let matched = roiHeads.matchedCandidates(proposals: imageProposals, groundTruth: imageGroundTruth,
                                                     extraProposals: extraProposals(image))
            roiSets.append(matched)
            roiChoices.append(chooseRoI(SelectionContext(imageIndex: image, candidates: matched) {
                // A read-only pass of the RoI head over every candidate of this image.
                withoutGradients {
                    let imageFeatures = Variable(features.value.slice(alongAxis: 0, image..<(image + 1)))
                    let (logits, deltas) = roiHeads(imageFeatures, rois: RoIHeads.rois([matched.boxes]))
                    return HeadPredictions(logits: logits.value, deltas: deltas.value)
                }
            }))
        }
        let roiRule = HeadChoice.rule(of: roiChoices, head: "RoI head")
        var roiLoss = roiHeads.loss(features: features, candidates: roiSets, selections: roiChoices.map(\.selection),
                                    kind: roiRule.kind, normalization: roiRule.normalization)
        if let separate = roiSeparatePassLoss(features: features, candidates: roiSets, choices: roiChoices, kind: roiRule.kind) {
            roiLoss.classification = roiLoss.classification + separate
        }
        return DetectionLosses(rpnObjectness: rpnLoss.classification, rpnBox: rpnLoss.box,
                               roiClassification: roiLoss.classification, roiBox: roiLoss.box)
    }
}

/// One image's choice at one head: the candidates and how their loss is evaluated.
struct HeadChoice {
    /// The selected candidates, with optional weights.
    var selection: CandidateSelection
    /// BCE / CE or focal.
    var kind: ClassificationLossKind
    /// The batch normaliser.
    var normalization: LossNormalization
    /// Background candidate indices trained in the head's separate pass (the hard-negative
    /// buffer's `.separatePass` replays), outside `selection` and its normaliser; usually empty.
    var separatePass: [Int] = []

    /// The loss kind and normaliser shared by a head's choices (CE over the number selected
    /// for an empty batch).
    /// - Precondition: every choice agrees.
    static func rule(of choices: [HeadChoice], head: String) -> (kind: ClassificationLossKind, normalization: LossNormalization) {
        guard let first = choices.first else { return (.crossEntropy, .selectedCount) }
        precondition(choices.allSatisfy { $0.kind == first.kind && $0.normalization == first.normalization },
                     "loss: the \(head)'s images disagree on the classification loss or normaliser: \(choices.map { ($0.kind, $0.normalization) })")
        return (first.kind, first.normalization)
    }
}
