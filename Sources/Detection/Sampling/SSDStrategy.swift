// `ssd`: every positive plus the hardest negatives at a fixed ratio.
//
// Legend: N candidates, P foreground, Q background, r the negative ratio (3). Selects all P
// positives and the min(r·P, Q) highest-loss negatives; min(16, Q) when P = 0.

/// A strategy that keeps every positive and the highest-loss negatives, r = 3 per positive
/// (SSD's hard negative mining).
///
/// Negatives are ranked by the per-candidate loss (equal losses: lower index first); with no
/// positive in the image, exactly 16 negatives are taken (or all, if fewer exist) — DESIGN.md's
/// choice, where SSD's batch-level rule would take none. There is no budget: a crowded image
/// trains on 4·P candidates. Like `ohem`, the caller computes losses in a read-only pass over
/// every candidate.
/// Reference: Liu et al., "SSD: Single Shot MultiBox Detector", ECCV 2016, arXiv:1512.02325,
/// §2.2 "Hard negative mining" (ratio 3:1, negatives sorted by confidence loss).
public struct SSDStrategy: SamplingStrategy {
    /// The head this instance samples.
    public var head: DetectionHead
    /// What the batch's classification sum is divided by: `.selectedCount` (DESIGN.md), or
    /// `.positiveCount` (SSD's own: Liu et al. 2016, eq. 1, "N is the number of matched
    /// default boxes"). A moving average is focal's alone (it needs state).
    public var normalization: LossNormalization = .selectedCount
    /// What the batch's box sum is divided by: `.selectedCount` (DESIGN.md), or `.positiveCount`.
    public var boxNormalization: LossNormalization = .selectedCount
    /// r ≥ 0, negatives per positive (3).
    public var negativeRatio: Int
    /// Negatives taken from an image without positives (16).
    public var negativesWithoutPositives: Int

    /// `ssd`.
    public var name: String { StrategyKind.ssd.rawValue }
    /// Per-candidate losses.
    public var requirements: SamplingRequirements { .candidateLosses }

    /// Creates the strategy (ratio 3, 16 negatives without positives, unless given).
    /// - Precondition: both counts ≥ 0.
    public init(head: DetectionHead, negativeRatio: Int = 3, negativesWithoutPositives: Int = 16) {
        precondition(negativeRatio >= 0 && negativesWithoutPositives >= 0,
                     "SSDStrategy: need negativeRatio >= 0 and negativesWithoutPositives >= 0, got \(negativeRatio), \(negativesWithoutPositives)")
        self.head = head
        self.negativeRatio = negativeRatio
        self.negativesWithoutPositives = negativesWithoutPositives
    }

    /// Selects all positives and the hardest negatives.
    /// - Parameters:
    ///   - input: [N] labels, [N] losses.
    ///   - generator: unused (the selection is deterministic).
    /// - Returns: the selection, cross-entropy, normalised by the number selected.
    public mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        input.validate(requirements, by: name)
        let positives = SamplingPools.indices(of: input.labels) { $0 > 0 }
        let wanted = positives.isEmpty ? negativesWithoutPositives : negativeRatio * positives.count
        let negatives = SamplingPools.topByLoss(SamplingPools.pool(input.labels, positives: false),
                                                     losses: input.losses!, count: wanted)
        return SamplingResult(candidateCount: input.candidateCount, positives: positives, negatives: negatives,
                              normalization: normalization, boxNormalization: boxNormalization,
                              statistics: MiningStatistics(selectionOf: input, positives: positives, negatives: negatives))
    }
}
