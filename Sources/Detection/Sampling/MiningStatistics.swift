// Per-step, per-head counters that the trainer logs and aggregates.
//
// Legend: N candidates. Loss means are kept as sums and counts so that images and steps
// aggregate exactly (`merge`); the means are derived.

/// Counters describing one or more sampling calls at one head: selection sizes, the loss of the
/// selection against all candidates, and the hard-negative buffer's activity.
///
/// A plain value: merge the records of a step's images (or of a whole run) with ``merge(_:)``
/// or `+`. Buffer counters are zero for strategies without a buffer.
public struct MiningStatistics: Sendable, Hashable {
    /// Sampling calls merged into this record (images × steps).
    public var images = 0
    /// Candidates seen (N summed over images).
    public var candidates = 0
    /// Candidates with a foreground label among them.
    public var foregroundCandidates = 0
    /// Candidates with a background label among them.
    public var backgroundCandidates = 0
    /// Positives selected.
    public var positivesSelected = 0
    /// Negatives selected (in the main batch; separate-pass negatives are counted in `replays`).
    public var negativesSelected = 0
    /// Sum of the per-candidate losses of the selected candidates (when losses were supplied).
    public var selectedLossSum = 0.0
    /// Selected candidates whose loss was known.
    public var selectedLossCount = 0
    /// Sum of the per-candidate losses of every non-ignored candidate (when losses were supplied).
    public var candidateLossSum = 0.0
    /// Non-ignored candidates whose loss was known.
    public var candidateLossCount = 0
    /// Entries in the hard-negative buffer after the call (merging keeps the later value).
    public var bufferSize = 0
    /// Hard negatives inserted into the buffer.
    public var insertions = 0
    /// Entries evicted (lowest score) to make room for better ones.
    public var evictions = 0
    /// Hard negatives not inserted: the buffer was full of entries scoring at least as high.
    public var rejections = 0
    /// Buffered hard negatives replayed (forced negatives, or separate-pass negatives).
    public var replays = 0
    /// Entries removed because they were older than the expiry age.
    public var expirations = 0
    /// Entries taken out on a visit but not replayed (over the replay limit, no longer
    /// background, or without a mirror image under the current flips).
    public var discards = 0
    /// Replays trained in a separate pass rather than in the batch (counted in `replays` too).
    public var separatePassReplays = 0
    /// Re-scored entries dropped because they were no longer hard (or no longer background).
    public var drops = 0
    /// Replayed boxes dropped as duplicates of a current proposal (IoU ≥ `duplicateIoU`).
    public var duplicates = 0

    /// Creates an empty record.
    public init() {}

    /// The mean per-candidate loss of the selection, or nil when no loss was known.
    public var meanSelectedLoss: Double? { selectedLossCount > 0 ? selectedLossSum / Double(selectedLossCount) : nil }

    /// The mean per-candidate loss over every non-ignored candidate, or nil when none was known.
    public var meanCandidateLoss: Double? { candidateLossCount > 0 ? candidateLossSum / Double(candidateLossCount) : nil }

    /// Adds another record's counters to this one; `bufferSize` takes the other's (later) value.
    public mutating func merge(_ other: MiningStatistics) {
        images += other.images
        candidates += other.candidates
        foregroundCandidates += other.foregroundCandidates
        backgroundCandidates += other.backgroundCandidates
        positivesSelected += other.positivesSelected
        negativesSelected += other.negativesSelected
        selectedLossSum += other.selectedLossSum
        selectedLossCount += other.selectedLossCount
        candidateLossSum += other.candidateLossSum
        candidateLossCount += other.candidateLossCount
        bufferSize = other.bufferSize
        insertions += other.insertions
        evictions += other.evictions
        rejections += other.rejections
        replays += other.replays
        expirations += other.expirations
        discards += other.discards
        separatePassReplays += other.separatePassReplays
        drops += other.drops
        duplicates += other.duplicates
    }

    /// Returns the merge of two records (`rhs` is the later one).
    public static func + (lhs: MiningStatistics, rhs: MiningStatistics) -> MiningStatistics {
        var sum = lhs
        sum.merge(rhs)
        return sum
    }

    /// Creates the selection counters of one call: candidate counts by label, selection sizes,
    /// and the loss sums when `input.losses` is known. Buffer counters are left at zero.
    /// - Parameters:
    ///   - input: the strategy's input (N candidates).
    ///   - positives: the selected positive indices.
    ///   - negatives: the selected negative indices.
    /// - Precondition: every index is in 0 ..< N.
    public init(selectionOf input: SamplingInput, positives: [Int], negatives: [Int]) {
        images = 1
        candidates = input.candidateCount
        (foregroundCandidates, backgroundCandidates) = SamplingPools.counts(input.labels)
        positivesSelected = positives.count
        negativesSelected = negatives.count
        if let losses = input.losses {
            var selected = 0.0
            for i in positives { selected += Double(losses[i]) }
            for i in negatives { selected += Double(losses[i]) }
            selectedLossSum = selected
            selectedLossCount = positives.count + negatives.count
            candidateLossSum = Self.nonIgnoredLossSum(labels: input.labels, losses: losses)
            candidateLossCount = foregroundCandidates + backgroundCandidates
        }
    }

    /// Σ losses[i] over labels[i] ≥ 0: eight independent Float partial sums per block of 1,024
    /// candidates (so the adds pipeline), each block's total added in Double (relative error
    /// ~1e-6, ample for logging).
    static func nonIgnoredLossSum(labels: [Int32], losses: [Float]) -> Double {
        labels.withUnsafeBufferPointer { labelBuffer in
            losses.withUnsafeBufferPointer { lossBuffer in
                let n = labelBuffer.count
                guard n > 0 else { return 0 }
                let l = labelBuffer.baseAddress!, x = lossBuffer.baseAddress!
                var total = 0.0, start = 0
                while start < n {
                    let end = min(n, start + 1_024)
                    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                    var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
                    var i = start
                    while i + 8 <= end {
                        s0 += l[i] >= 0 ? x[i] : 0
                        s1 += l[i + 1] >= 0 ? x[i + 1] : 0
                        s2 += l[i + 2] >= 0 ? x[i + 2] : 0
                        s3 += l[i + 3] >= 0 ? x[i + 3] : 0
                        s4 += l[i + 4] >= 0 ? x[i + 4] : 0
                        s5 += l[i + 5] >= 0 ? x[i + 5] : 0
                        s6 += l[i + 6] >= 0 ? x[i + 6] : 0
                        s7 += l[i + 7] >= 0 ? x[i + 7] : 0
                        i += 8
                    }
                    while i < end {
                        s0 += l[i] >= 0 ? x[i] : 0
                        i += 1
                    }
                    total += Double(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)))
                    start = end
                }
                return total
            }
        }
    }
}
