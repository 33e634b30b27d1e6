// How a head's classification term is evaluated over its selected candidates, and what the
// batch sums are divided by. A strategy's result names both; the head evaluates them in its own
// classification form (see `ClassificationForm`).

/// The classification loss a head evaluates over its selected candidates.
public enum ClassificationLossKind: Sendable, Equatable {
    /// Cross-entropy: binary with logits for the RPN's objectness and RetinaNet's K sigmoid
    /// logits (one term per class), softmax cross-entropy at the RoI head.
    case crossEntropy
    /// Sigmoid focal loss for the objectness and the K sigmoid logits, softmax focal loss at the
    /// RoI head (alpha_t = alpha for foreground, 1 − alpha for background).
    /// Reference: Lin et al., arXiv:1708.02002.
    case focal(alpha: Float, gamma: Float)

    /// The focal loss with RetinaNet's alpha 0.25 and gamma 2.
    public static let retinaNetFocal = ClassificationLossKind.focal(alpha: 0.25, gamma: 2)
}

/// What a head's summed per-candidate losses over the batch are divided by. The raw value is
/// the parameter's text (`normalizer=positives`, `boxNormalizer=selected`).
///
/// Every strategy takes its classification normaliser and its box normaliser as parameters
/// (docs/strategies.md "Normalisers"); `.positiveCountAverage` keeps state across steps, so only
/// a strategy that keeps that state (``FocalStrategy``) accepts it.
public enum LossNormalization: String, Sendable, Hashable, Codable, CaseIterable {
    /// max(1, candidates selected in the batch) — Faster R-CNN's mean over the sampled set.
    case selectedCount = "selected"
    /// max(1, positives selected in the batch) — RetinaNet's normaliser for focal loss
    /// (torchvision, mmdetection), and SSD's (Liu et al. 2016, eq. 1: "N is the number of
    /// matched default boxes").
    case positiveCount = "positives"
    /// An exponential moving average of max(1, positives selected in the batch), updated once per
    /// step before the division: n ← m·n + (1 − m)·max(1, P), starting at 100 — detectron2's
    /// `RetinaNet` (`loss_normalizer`, momentum 0.9). The average is the strategy's state
    /// (one per head); a batch's results alone give only the count it takes in.
    case positiveCountAverage = "positives-ema"
    /// b per image, summed over the batch: the head's budget (256 at the RPN and RetinaNet's
    /// dense head, 128 at the RoI head) — the count `random` divides by when its batch is full.
    /// Focal's box default (issue 14, "fair focal": the strategy changes the classification loss
    /// and nothing else, so its box term weighs each positive as `random`'s does). Only a strategy
    /// that carries a budget in its results (``FocalStrategy``) takes it.
    case budget = "budget"
}

/// The two divisors of one head's batch loss: the classification term's and the box term's.
///
/// A strategy returns them once per step (``SamplingStrategy/lossDivisors(for:)``); the head
/// divides its summed per-candidate losses by them.
public struct LossDivisors: Sendable, Hashable {
    /// The divisor of the summed classification losses, > 0.
    public var classification: Float
    /// The divisor of the summed box losses, > 0.
    public var box: Float

    /// Creates the pair.
    /// - Precondition: both are finite and > 0.
    public init(classification: Float, box: Float) {
        precondition(classification > 0 && box > 0 && classification.isFinite && box.isFinite,
                     "LossDivisors: need finite divisors > 0, got \(classification), \(box)")
        self.classification = classification
        self.box = box
    }

    /// The same divisor for both terms (every strategy before issue 14's normaliser parameters).
    public init(both divisor: Float) { self.init(classification: divisor, box: divisor) }
}
