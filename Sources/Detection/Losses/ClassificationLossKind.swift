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

/// What a head's summed per-candidate losses over the batch are divided by.
public enum LossNormalization: Sendable, Equatable {
    /// max(1, candidates selected in the batch) — Faster R-CNN's mean over the sampled set.
    case selectedCount
    /// max(1, positives selected in the batch) — RetinaNet's normaliser for focal loss.
    case positiveCount
}
