// `random`: uniform balanced sampling, Faster R-CNN's default.
//
// Legend: N candidates, P foreground and Q background among them, b the batch size, f the
// positive fraction. Selects min(Int(b·f), P) positives and min(b − that, Q) negatives.

/// A strategy that draws a uniform random subset of positives and negatives, balanced by a
/// positive fraction: torchvision's `BalancedPositiveNegativeSampler`.
///
/// Per image: `Int(batchSize · positiveFraction)` positives, or all if fewer exist, then
/// `batchSize` minus that many negatives, or all if fewer exist; each a uniform subset without
/// replacement; ignored candidates never. Defaults 256 / 0.5 at the RPN, 128 / 0.25 at the RoI
/// head. It needs no per-candidate loss, so at the RoI head it samples before the head runs.
/// An image with no ground truth yields `batchSize` negatives (or all of them).
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497; torchvision
/// `det_utils.BalancedPositiveNegativeSampler` (the same counts; the draws use Quarry's
/// generator instead of `torch.randperm`).
public struct RandomStrategy: SamplingStrategy {
    /// The head this instance samples.
    public var head: DetectionHead
    /// What the batch's classification sum is divided by: `.selectedCount` (DESIGN.md), or
    /// `.positiveCount`. A moving average is focal's alone (it needs state).
    public var normalization: LossNormalization = .selectedCount
    /// What the batch's box sum is divided by: `.selectedCount` (DESIGN.md), or `.positiveCount`.
    public var boxNormalization: LossNormalization = .selectedCount
    /// b, candidates per image in the loss (256 RPN, 128 RoI head), ≥ 0.
    public var batchSize: Int
    /// f in [0, 1], the fraction of `batchSize` reserved for positives (0.5 RPN, 0.25 RoI head).
    public var positiveFraction: Double

    /// `random`.
    public var name: String { StrategyKind.random.rawValue }
    /// Nothing: the draw reads only the labels.
    public var requirements: SamplingRequirements { [] }

    /// Creates the strategy with the head's defaults unless given.
    /// - Precondition: `batchSize >= 0`, `0 <= positiveFraction <= 1`.
    public init(head: DetectionHead, batchSize: Int? = nil, positiveFraction: Double? = nil) {
        self.head = head
        self.batchSize = batchSize ?? head.defaultBatchSize
        self.positiveFraction = positiveFraction ?? head.defaultPositiveFraction
        precondition(self.batchSize >= 0 && self.positiveFraction >= 0 && self.positiveFraction <= 1,
                     "RandomStrategy: need batchSize >= 0 and positiveFraction in [0, 1], got \(self.batchSize), \(self.positiveFraction)")
    }

    /// Draws the balanced random subset of the input's candidates.
    /// - Parameters:
    ///   - input: [N] labels (boxes unused).
    ///   - generator: the random source.
    /// - Returns: the selection, cross-entropy, normalised by the number selected.
    public mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        input.validate(requirements, by: name)
        let (positives, negatives) = SamplingPools.balancedRandom(
            input.labels, batchSize: batchSize, positiveFraction: positiveFraction, using: &generator)
        return SamplingResult(candidateCount: input.candidateCount, positives: positives, negatives: negatives,
                              normalization: normalization, boxNormalization: boxNormalization,
                              statistics: MiningStatistics(selectionOf: input, positives: positives, negatives: negatives))
    }
}
