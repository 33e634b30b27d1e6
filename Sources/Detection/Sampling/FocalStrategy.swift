// `focal`: every non-ignored candidate, focal loss, normalised by the positives.
//
// Legend: N candidates, P foreground, Q background. Selects all P + Q.

import Foundation

/// A strategy that keeps every non-ignored candidate and trains it with the focal loss
/// (RetinaNet): the loss itself down-weights the easy negatives instead of a selection.
///
/// Sigmoid focal loss on the RPN objectness, softmax focal loss at the RoI head (alpha_t = alpha
/// for foreground, 1 − alpha for background), alpha 0.25, gamma 2; the batch loss is divided by
/// max(1, positives in the batch). Pair it with the RPN objectness bias initialised to
/// ``priorProbabilityBias(prior:)`` (−log((1 − π)/π) ≈ −4.595 for π = 0.01) so that early
/// training is not swamped by the background's loss. At the RoI head this trains on every
/// proposal. An image with no ground truth contributes its negatives' loss over a normaliser of 1.
/// Reference: Lin et al., "Focal Loss for Dense Object Detection", arXiv:1708.02002, §3.3 and §4.1
/// (α = 0.25, γ = 2, π = 0.01); torchvision `sigmoid_focal_loss`.
public struct FocalStrategy: SamplingStrategy {
    /// The head this instance samples.
    public var head: DetectionHead
    /// alpha in [0, 1], the weight of the foreground term (0.25).
    public var alpha: Float
    /// gamma ≥ 0, the focusing exponent (2).
    public var gamma: Float

    /// `focal`.
    public var name: String { StrategyKind.focal.rawValue }
    /// Nothing: every non-ignored candidate is kept.
    public var requirements: SamplingRequirements { [] }
    /// `.focal(alpha:gamma:)` with this strategy's parameters.
    public var classificationLoss: ClassificationLossKind { .focal(alpha: alpha, gamma: gamma) }

    /// Creates the strategy (alpha 0.25, gamma 2 unless given).
    /// - Precondition: `0 <= alpha <= 1`, `gamma >= 0`.
    public init(head: DetectionHead, alpha: Float = 0.25, gamma: Float = 2) {
        precondition(alpha >= 0 && alpha <= 1 && gamma >= 0, "FocalStrategy: need alpha in [0, 1] and gamma >= 0, got \(alpha), \(gamma)")
        self.head = head
        self.alpha = alpha
        self.gamma = gamma
    }

    /// Returns the bias −log((1 − π)/π) that makes a zero-input logit predict foreground with
    /// probability π (−4.59512 for π = 0.01): RetinaNet's prior-probability initialisation of
    /// the classification (here: RPN objectness) bias.
    /// - Parameter prior: π in (0, 1).
    /// - Returns: the bias value, in logits.
    /// - Precondition: `0 < prior < 1`.
    public static func priorProbabilityBias(prior: Double = 0.01) -> Float {
        precondition(prior > 0 && prior < 1, "FocalStrategy.priorProbabilityBias: prior must be in (0, 1), got \(prior)")
        return Float(-log((1 - prior) / prior))
    }

    /// Selects every foreground and background candidate.
    /// - Parameters:
    ///   - input: [N] labels.
    ///   - generator: unused (no randomness).
    /// - Returns: all positives and negatives, focal loss, normalised by the positives.
    public mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        input.validate(requirements, by: name)
        let positives = SamplingPools.indices(of: input.labels) { $0 > 0 }
        let negatives = SamplingPools.indices(of: input.labels) { $0 == 0 }
        return SamplingResult(candidateCount: input.candidateCount, positives: positives, negatives: negatives,
                              classificationLoss: classificationLoss, normalization: .positiveCount,
                              statistics: MiningStatistics(selectionOf: input, positives: positives, negatives: negatives))
    }
}
