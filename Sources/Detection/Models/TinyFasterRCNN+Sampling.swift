// Legend: N images, H×W image (pixels); per image A anchors at the RPN, and P proposals, M
// ground-truth boxes and E extra proposals at the RoI head.
//
// Training through the sampling-strategy protocol: the model asks each head's strategy what it
// needs (`requirements`), computes exactly that without gradient, lets it choose, and evaluates
// the losses on the choice. Nothing here knows which strategy it is talking to.
import Autograd
import TensorCore

extension TinyFasterRCNN {
    /// Computes the training losses of a batch, with one sampling strategy per head choosing the
    /// candidates, the classification loss and the normaliser.
    ///
    /// Per image, in order (DESIGN.md "Sampling strategies"):
    /// 1. RPN (images 0, 1, …): match the anchors; compute what `rpnStrategy.requirements` names
    ///    from the full-anchor objectness and deltas already computed for the loss (no gradient,
    ///    no extra forward): per-anchor losses (`Kernels.objectnessCandidateLosses`),
    ///    sigmoid foreground probabilities; max IoU comes with matching and is always passed;
    ///    `sample(_:using:)`.
    /// 2. RoI head (per image, after every RPN choice): `extraProposals(for:progress:)`,
    ///    appended after the proposals and the ground truth; match; if the requirements name
    ///    losses or probabilities, one read-only (no-gradient) RoI Align + box-head pass over
    ///    every candidate gives the per-RoI losses (`Kernels.roiCandidateLosses`) and
    ///    1 − P(background); `sample(_:using:)`. A strategy without requirements (`random`)
    ///    pays for no read-only pass.
    /// 3. Each head's selections (with weights) are pooled over the batch and evaluated with the
    ///    results' classification loss, divided by the batch normaliser: the total number selected,
    ///    or max(1, positives selected) for `focal`.
    /// 4. Separate-pass negatives (``SamplingResult/separatePassNegatives``, the hard-negative
    ///    buffer's ``HardNegativeBufferSampler/ReplayMode/separatePass``): each head trains them
    ///    in a pass of their own — the head's classification loss with target background, pooled
    ///    over the batch and divided by their own count, not the batch normaliser — added to the
    ///    head's classification term. At the RoI head they are the appended extra proposals, run
    ///    through RoI Align and the box head with gradient; at the RPN, anchors of the image. An
    ///    extra forward/backward before the optimiser step would accumulate into the same
    ///    gradients, so this sum is the same update (see `rpnSeparatePassLoss`).
    /// - Parameters:
    ///   - images: [N, 3, H, W] RGB pixels in 0...255, as trained on (already flipped).
    ///   - groundTruth: N ground-truth sets in the same (flipped) frame; empty: background only.
    ///   - samplingImages: N image descriptions (id = the training tile's index, its own size,
    ///     its flips); an RPN image without an anchor layout gets the model's grid.
    ///   - progress: the current step and steps per epoch (for the buffer's expiry).
    ///   - rpnStrategy: the RPN's strategy (`head == .rpn`), kept across steps by the caller.
    ///   - roiStrategy: the RoI head's strategy (`head == .roi`), kept across steps by the caller.
    ///   - generator: the random source of every selection.
    /// - Returns: the four loss terms, with each head's mining statistics merged over the batch.
    /// - Precondition: one ground-truth set and one sampling image per image; labels in 1...K;
    ///   strategies for the right heads; every result of a head names the same loss and
    ///   normaliser; separate-pass negatives are background, in range and not in the selection.
    public func loss(images: Tensor, groundTruth: [GroundTruth], samplingImages: [SamplingImage],
                     progress: TrainingProgress, rpnStrategy: inout some SamplingStrategy,
                     roiStrategy: inout some SamplingStrategy,
                     using generator: inout some RandomNumberGenerator) -> DetectionLosses {
        precondition(rpnStrategy.head == .rpn && roiStrategy.head == .roi,
                     "loss: strategies serve heads \(rpnStrategy.head) and \(roiStrategy.head), expected rpn and roi")
        precondition(samplingImages.count == groundTruth.count,
                     "loss: \(samplingImages.count) sampling images for \(groundTruth.count) ground-truth sets")
        var rpnMining = MiningStatistics(), roiMining = MiningStatistics()
        let rpnNeeds = rpnStrategy.requirements, roiNeeds = roiStrategy.requirements
        var losses = trainingLosses(
            images: images, groundTruth: groundTruth,
            extraProposals: { image in
                let boxes = roiStrategy.extraProposals(for: samplingImages[image], progress: progress)
                precondition(boxes.count % 4 == 0, "loss: \(roiStrategy.name) returned \(boxes.count) extra proposal coordinates, not [E, 4]")
                return boxes.isEmpty ? nil : Tensor(shape: [boxes.count / 4, 4], scalars: boxes)
            },
            chooseRPN: { context in
                var image = samplingImages[context.imageIndex]
                if image.anchorLayout == nil { image.anchorLayout = context.anchorLayout }
                let input = SamplingInput(context: context, image: image, progress: progress, requirements: rpnNeeds)
                let result = rpnStrategy.sample(input, using: &generator)
                rpnMining.merge(result.statistics)
                return HeadChoice(result)
            },
            chooseRoI: { context in
                let input = SamplingInput(context: context, image: samplingImages[context.imageIndex], progress: progress,
                                          requirements: roiNeeds)
                let result = roiStrategy.sample(input, using: &generator)
                roiMining.merge(result.statistics)
                return HeadChoice(result)
            })
        losses.rpnMining = rpnMining
        losses.roiMining = roiMining
        return losses
    }
}

extension HeadChoice {
    /// The choice a strategy's result describes: its selection, loss, normaliser and
    /// separate-pass negatives.
    init(_ result: SamplingResult) {
        self.init(selection: result.selection, kind: result.classificationLoss, normalization: result.normalization,
                  separatePass: result.separatePassNegatives)
    }
}

extension SamplingInput {
    /// Creates a strategy's input from a selection context, computing (without gradient) only
    /// what `requirements` names.
    ///
    /// Labels, boxes and max IoU come from matching and are always filled in. Per-candidate
    /// losses and foreground probabilities read the context's predictions: free at the RPN
    /// (the outputs exist), a read-only RoI-head pass over every candidate at the RoI head.
    /// - Parameters:
    ///   - context: one image's matched candidates and lazy predictions.
    ///   - image: the image (id, size, flips; anchor layout at the RPN).
    ///   - progress: the current step and steps per epoch.
    ///   - requirements: what the strategy reads.
    public init(context: SelectionContext, image: SamplingImage, progress: TrainingProgress,
                requirements: SamplingRequirements) {
        self.init(candidates: context.candidates, image: image, progress: progress,
                  maxIoU: context.candidates.maxIoU,
                  losses: requirements.contains(.candidateLosses) ? context.candidateLosses : nil,
                  foregroundProbabilities: requirements.contains(.foregroundProbabilities) ? context.foregroundScores : nil)
    }
}
