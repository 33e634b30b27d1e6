// What a strategy sees for one image at one head.
//
// Legend: N candidates, boxes [N, 4] as (x1, y1, x2, y2) in input-image pixels.
// Labels are the detection stack's one encoding (`MatchedCandidates.labels`), one `Int32` per
// candidate, which the selection kernels (`Kernels.balancedRandomSample`, `Kernels.ohemSelect`)
// and the losses read directly: > 0 foreground (the class index 1…K; 1 at the class-agnostic
// RPN), 0 background, < 0 ignored.

import Datasets
import DetectionKernels
import TensorCore

/// The matcher's verdict for a candidate, as the sampling layer reads its label.
///
/// The stored form is `Int32` (``SamplingInput/labels``): `> 0` foreground (the class index),
/// `0` background, `< 0` ignored. This enum names the three cases for readable code and tests.
public enum CandidateLabel: Int32, Sendable, Hashable, CaseIterable {
    /// Matched to a ground-truth box (IoU ≥ the foreground threshold, or a low-quality match).
    case foreground = 1
    /// Max IoU with every ground-truth box below the background threshold.
    case background = 0
    /// Between the thresholds: never selected.
    case ignored = -1

    /// Classifies a stored label: > 0 foreground, 0 background, < 0 ignored.
    public init(label: Int32) {
        self = label > 0 ? .foreground : (label == 0 ? .background : .ignored)
    }
}

/// The current position in training, for strategies whose state expires (the buffer).
public struct TrainingProgress: Sendable, Hashable {
    /// The current optimiser step (iteration), counted from 0; non-decreasing across calls.
    public var step: Int
    /// Steps per epoch (⌈training images / batch size⌉, e.g. ⌈65 / 2⌉ = 33), ≥ 1.
    public var stepsPerEpoch: Int

    /// Creates a progress record.
    /// - Precondition: `step >= 0`, `stepsPerEpoch >= 1`.
    public init(step: Int, stepsPerEpoch: Int) {
        precondition(step >= 0 && stepsPerEpoch >= 1,
                     "TrainingProgress: need step >= 0 and stepsPerEpoch >= 1, got \(step), \(stepsPerEpoch)")
        self.step = step
        self.stepsPerEpoch = stepsPerEpoch
    }
}

/// The image a set of candidates belongs to: its id, size and the flips applied to it.
///
/// Stateful strategies store what they remember in the un-flipped frame and mirror it through
/// ``flip`` (the data layer's `Flip`, mirrored by `Flip+Mirroring.swift`); the id must be stable across epochs (DESIGN.md: the tile index).
public struct SamplingImage: Sendable, Hashable {
    /// A stable image id (the training tile's index).
    public var id: Int
    /// Image (tile) width in pixels, ≥ 1.
    public var width: Int
    /// Image (tile) height in pixels, ≥ 1.
    public var height: Int
    /// The flips applied to the image for this pass (empty: none).
    public var flip: Flip
    /// The anchor grid (anchor heads only); needed to mirror anchor indices of a flipped image.
    public var anchorLayout: AnchorLayout?
    /// Whether the head records the negatives its strategy chose for this image
    /// (``MinedNegatives``, in ``SampledHeadLoss/minedNegatives``); strategies do not read it.
    /// The trainer asks for it only on the last iterations and a few tiles
    /// (`Trainer.minedNegativeRecording`), since a strategy that needs no losses then pays for them.
    public var recordsMinedNegatives: Bool

    /// Creates an image description.
    /// - Precondition: `width >= 1`, `height >= 1`.
    public init(id: Int, width: Int, height: Int, flip: Flip = .none, anchorLayout: AnchorLayout? = nil,
                recordsMinedNegatives: Bool = false) {
        precondition(width >= 1 && height >= 1, "SamplingImage: size must be positive, got \(width)×\(height)")
        self.id = id
        self.width = width
        self.height = height
        self.flip = flip
        self.anchorLayout = anchorLayout
        self.recordsMinedNegatives = recordsMinedNegatives
    }
}

/// The candidates of one image at one head, with the per-candidate quantities a strategy reads.
///
/// Arrays are copy-on-write, so building an input does not copy the caller's buffers.
public struct SamplingInput: Sendable {
    /// The image the candidates belong to.
    public var image: SamplingImage
    /// The current training step (only the hard-negative buffer reads it, for expiry and the
    /// step mined; always pass the real step and steps per epoch).
    public var progress: TrainingProgress
    /// [N] match labels: > 0 foreground (the class index), 0 background, < 0 ignored.
    public var labels: [Int32]
    /// [N, 4] candidate boxes (anchors of an anchor head, proposals of a proposal head),
    /// (x1, y1, x2, y2), pixels in the image's current frame.
    public var boxes: Tensor
    /// [N] the matcher's verdicts, a foreground verdict carrying the index of its ground truth
    /// in the image's list; the detector always supplies them, inputs written by hand may not.
    public var matches: [Match]?
    /// [N] each candidate's max IoU with the ground truth, in [0, 1] (0 without ground truth).
    public var maxIoU: [Float]?
    /// [N] per-candidate loss from the current forward pass (no gradient); 0 for ignored.
    public var losses: [Float]?
    /// [N] predicted foreground probability from the current forward pass (no gradient), [0, 1].
    public var foregroundProbabilities: [Float]?

    /// The number of candidates N.
    public var candidateCount: Int { labels.count }

    /// Creates an input.
    /// - Precondition: `boxes` is [N, 4] for N = `labels.count`; each optional array, if given,
    ///   has N elements.
    public init(
        image: SamplingImage,
        progress: TrainingProgress = TrainingProgress(step: 0, stepsPerEpoch: 1),
        labels: [Int32],
        boxes: Tensor,
        matches: [Match]? = nil,
        maxIoU: [Float]? = nil,
        losses: [Float]? = nil,
        foregroundProbabilities: [Float]? = nil
    ) {
        let n = labels.count
        precondition(boxes.shape == [n, 4], "SamplingInput: boxes \(boxes.shape) should be [\(n), 4]")
        precondition(matches == nil || matches!.count == n, "SamplingInput: matches [\(matches!.count)] but labels [\(n)]")
        precondition(maxIoU == nil || maxIoU!.count == n, "SamplingInput: maxIoU [\(maxIoU!.count)] but labels [\(n)]")
        precondition(losses == nil || losses!.count == n, "SamplingInput: losses [\(losses!.count)] but labels [\(n)]")
        precondition(foregroundProbabilities == nil || foregroundProbabilities!.count == n,
                     "SamplingInput: foregroundProbabilities [\(foregroundProbabilities!.count)] but labels [\(n)]")
        self.image = image
        self.progress = progress
        self.labels = labels
        self.boxes = boxes
        self.matches = matches
        self.maxIoU = maxIoU
        self.losses = losses
        self.foregroundProbabilities = foregroundProbabilities
    }

    /// Creates an input from one image's matched candidates (labels, boxes, matches and max
    /// IoU), plus what the strategy's requirements ask for.
    /// - Parameters:
    ///   - candidates: the matched anchors, or proposals + ground truth + extra proposals, boxes
    ///     [N, 4] in the image's current frame.
    ///   - image: the image (id, size, flips, anchor layout of an anchor head).
    ///   - progress: the current step and steps per epoch.
    ///   - losses: [N] per-candidate losses (no gradient), if the strategy needs them.
    ///   - foregroundProbabilities: [N] (no gradient), if the strategy needs them.
    /// - Precondition: optional arrays have N elements.
    public init(candidates: MatchedCandidates, image: SamplingImage, progress: TrainingProgress,
                losses: [Float]? = nil, foregroundProbabilities: [Float]? = nil) {
        self.init(image: image, progress: progress, labels: candidates.labels, boxes: candidates.boxes,
                  matches: candidates.matches, maxIoU: candidates.maxIoU, losses: losses,
                  foregroundProbabilities: foregroundProbabilities)
    }

    /// Checks the shapes and that the arrays `requirements` names are present (programmer
    /// errors otherwise: the fields are public `var`s, so the initialiser's checks may be stale).
    func validate(_ requirements: SamplingRequirements, by strategy: String) {
        let n = labels.count
        precondition(boxes.shape == [n, 4], "\(strategy): boxes \(boxes.shape) should be [\(n), 4]")
        precondition((matches?.count ?? n) == n, "\(strategy): matches [\(matches?.count ?? n)] but labels [\(n)]")
        precondition((maxIoU?.count ?? n) == n && (losses?.count ?? n) == n && (foregroundProbabilities?.count ?? n) == n,
                     "\(strategy): maxIoU [\(maxIoU?.count ?? n)], losses [\(losses?.count ?? n)], foreground probabilities [\(foregroundProbabilities?.count ?? n)] but labels [\(n)]")
        precondition(!requirements.contains(.candidateLosses) || losses != nil,
                     "\(strategy): needs per-candidate losses [\(n)], got nil")
        precondition(!requirements.contains(.foregroundProbabilities) || foregroundProbabilities != nil,
                     "\(strategy): needs foreground probabilities [\(n)], got nil")
        precondition(!requirements.contains(.maxIoU) || maxIoU != nil,
                     "\(strategy): needs each candidate's max IoU [\(n)], got nil")
    }
}
