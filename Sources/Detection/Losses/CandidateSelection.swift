// Legend: N candidates of one image and head (anchors at the RPN, proposals + ground truth at
// the RoI head); labels [N] as +1 foreground, 0 background, −1 ignored.
//
// A selection is the contract between whatever chooses the candidates (a sampling strategy)
// and the loss evaluation: which candidates, with what weights, how the batch sum is
// normalised, and which classification loss applies. The loss code never chooses; the chooser
// never computes a loss.
import DetectionKernels
import Kernels

/// The classification loss a head evaluates over its selected candidates.
public enum ClassificationLossKind: Sendable, Equatable {
    /// Binary cross-entropy with logits at the RPN, softmax cross-entropy at the RoI head.
    case crossEntropy
    /// Sigmoid focal loss at the RPN, softmax focal loss at the RoI head (alpha_t = alpha for
    /// foreground, 1 − alpha for background). Reference: Lin et al., arXiv:1708.02002.
    case focal(alpha: Float, gamma: Float)

    /// The focal loss with RetinaNet's alpha 0.25 and gamma 2.
    public static let retinaNetFocal = ClassificationLossKind.focal(alpha: 0.25, gamma: 2)
}

/// What a head's summed per-candidate losses over the batch are divided by.
public enum LossNormalization: Sendable, Equatable {
    /// max(1, candidates selected in the batch) — Faster R-CNN's mean over the sampled set.
    case selectedCount
    /// max(1, positives selected in the batch) — RetinaNet's normaliser for focal loss.
    case positiveCount
}

/// The candidates of one image and one head that enter the loss, with optional weights.
///
/// Indices refer to the head's candidate list (anchor index at the RPN; proposal, then
/// appended ground-truth, index at the RoI head). Ignored candidates must not be selected.
/// A candidate selected twice counts twice.
public struct CandidateSelection: Sendable, Equatable {
    /// Selected candidate indices, each in 0..<N.
    public var indices: [Int]
    /// One weight per selected index multiplying its classification and box loss, or nil for 1.
    public var weights: [Float]?

    /// Creates a selection.
    /// - Precondition: `weights`, if given, has one entry per index.
    public init(indices: [Int], weights: [Float]? = nil) {
        precondition(weights == nil || weights!.count == indices.count,
                     "CandidateSelection: \(weights?.count ?? 0) weights for \(indices.count) indices")
        self.indices = indices
        self.weights = weights
    }

    /// Selects every non-ignored candidate, in index order (no sampling).
    /// - Parameter labels: [N] +1 / 0 / −1.
    public static func allNonIgnored(_ labels: [Int8]) -> CandidateSelection {
        CandidateSelection(indices: labels.indices.filter { labels[$0] >= 0 })
    }

    /// Draws a uniform random balanced subset: min(⌊b·f⌋, P) positives and the rest of the
    /// budget b from the negatives, without replacement; positives first, each part ascending.
    ///
    /// Reference: Ren et al., arXiv:1506.01497 (256 anchors at 0.5); torchvision
    /// `BalancedPositiveNegativeSampler` (RoI head: 512 at 0.25; TinyFasterRCNN: 128 at 0.25).
    /// - Parameters:
    ///   - labels: [N] +1 / 0 / −1.
    ///   - batchSize: b, candidates wanted per image.
    ///   - positiveFraction: f in [0, 1].
    ///   - generator: the random source.
    /// - Precondition: b ≥ 0, 0 ≤ f ≤ 1.
    public static func balancedRandom(_ labels: [Int8], batchSize: Int, positiveFraction: Double,
                                      using generator: inout some RandomNumberGenerator) -> CandidateSelection {
        var positives = [Int](repeating: 0, count: max(Int(Double(batchSize) * positiveFraction), 0))
        var negatives = [Int](repeating: 0, count: max(batchSize, 0))
        let (p, q) = labels.withUnsafeBufferPointer { l in
            positives.withUnsafeMutableBufferPointer { pos in
                negatives.withUnsafeMutableBufferPointer { neg in
                    Kernels.balancedRandomSample(positives: pos, negatives: neg, labels: l, batchSize: batchSize,
                                                 positiveFraction: positiveFraction, using: &generator)
                }
            }
        }
        return CandidateSelection(indices: Array(positives.prefix(p)) + Array(negatives.prefix(q)))
    }
}

/// A built-in rule choosing each image's candidates for one head, until (or besides) the
/// pluggable sampling strategies.
public enum SelectionRule: Sendable, Equatable {
    /// torchvision's random balanced sampling: `batchSize` per image at `positiveFraction`.
    case balancedRandom(batchSize: Int, positiveFraction: Double)
    /// No sampling: every non-ignored candidate.
    case allNonIgnored

    /// Applies the rule to one image's labels.
    /// - Parameters:
    ///   - labels: [N] +1 / 0 / −1.
    ///   - generator: the random source (unused by `allNonIgnored`).
    public func select(_ labels: [Int8], using generator: inout some RandomNumberGenerator) -> CandidateSelection {
        switch self {
        case let .balancedRandom(batchSize, positiveFraction):
            return .balancedRandom(labels, batchSize: batchSize, positiveFraction: positiveFraction, using: &generator)
        case .allNonIgnored:
            return .allNonIgnored(labels)
        }
    }
}

/// How TinyFasterRCNN's `loss` chooses candidates and evaluates its losses, per head.
public struct LossConfiguration: Sendable, Equatable {
    /// Which anchors enter the RPN loss.
    public var rpnSelection: SelectionRule
    /// Which proposals (and ground truth) enter the RoI-head loss.
    public var roiSelection: SelectionRule
    /// BCE/CE or focal, at both heads.
    public var classificationLoss: ClassificationLossKind
    /// What the batch sums are divided by, at both heads.
    public var normalization: LossNormalization

    /// Creates a configuration.
    public init(rpnSelection: SelectionRule, roiSelection: SelectionRule,
                classificationLoss: ClassificationLossKind, normalization: LossNormalization) {
        self.rpnSelection = rpnSelection
        self.roiSelection = roiSelection
        self.classificationLoss = classificationLoss
        self.normalization = normalization
    }

    /// DESIGN.md's `random` strategy: 256 anchors at 0.5, 128 RoIs at 0.25, BCE / CE, divided
    /// by the number selected.
    public static let random = LossConfiguration(
        rpnSelection: .balancedRandom(batchSize: 256, positiveFraction: 0.5),
        roiSelection: .balancedRandom(batchSize: 128, positiveFraction: 0.25),
        classificationLoss: .crossEntropy, normalization: .selectedCount)

    /// No sampling, BCE / CE over every non-ignored candidate divided by their number (the
    /// golden losses' definition).
    public static let allCandidates = LossConfiguration(
        rpnSelection: .allNonIgnored, roiSelection: .allNonIgnored,
        classificationLoss: .crossEntropy, normalization: .selectedCount)

    /// DESIGN.md's `focal` strategy: every non-ignored candidate, focal loss (0.25, 2), divided
    /// by max(1, positives).
    public static let focal = LossConfiguration(
        rpnSelection: .allNonIgnored, roiSelection: .allNonIgnored,
        classificationLoss: .retinaNetFocal, normalization: .positiveCount)
}
