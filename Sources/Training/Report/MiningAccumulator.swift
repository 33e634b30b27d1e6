// Folding a run's per-step mining statistics of one head into the report's totals.
import Detection

/// Accumulates one head's per-step `MiningStatistics` over a training run into `MiningTotals`.
///
/// Counts (candidates, positives and negatives selected, buffer insertions, evictions, replays,
/// expirations) are summed. The loss means are averaged over the steps whose statistics carry
/// per-candidate losses (strategies that read losses: `ohem`, `ssd`), each step's own mean
/// weighing the same; they stay nil for the other strategies.
public struct MiningAccumulator: Sendable, Equatable {
    /// The totals so far.
    public private(set) var totals = MiningTotals()
    /// Steps whose statistics carried losses, and the sums of their means.
    private var lossSteps = 0, selectedLossMeans = 0.0, candidateLossMeans = 0.0

    /// Creates an empty accumulator.
    public init() {}

    /// Adds one step's statistics of this head (merged over the batch's images).
    public mutating func add(_ step: MiningStatistics) {
        totals.candidates += step.candidates
        totals.positives += step.positivesSelected
        totals.negatives += step.negativesSelected
        totals.insertions += step.insertions
        totals.evictions += step.evictions
        totals.replays += step.replays
        totals.expirations += step.expirations
        totals.visits += step.images
        totals.separatePassReplays += step.separatePassReplays
        totals.drops += step.drops
        totals.duplicates += step.duplicates
        if let selected = step.meanSelectedLoss, let all = step.meanCandidateLoss {
            lossSteps += 1
            selectedLossMeans += selected
            candidateLossMeans += all
            totals.meanSelectedLoss = selectedLossMeans / Double(lossSteps)
            totals.meanCandidateLoss = candidateLossMeans / Double(lossSteps)
        }
    }
}
