// `hard-negative-bootstrap`: the buffer filled by mining rounds (classic bootstrapping).
//
// Legend: N candidates of one image, q the per-image quota, K the capacity.
// A round replaces the buffer: it is emptied, then every training image's hard negatives — the
// visit's own mining rule (background by label and max IoU, foreground probability above the
// threshold or the top q by rank), bounded by q per image and K overall, lowest score evicted —
// are stored. Replacing rather than merging is Felzenszwalb et al.'s cache update done in one
// go: their cache keeps the examples still hard under the current model and adds the new ones,
// and a round that scores every candidate of every image finds both.

extension HardNegativeBufferStrategy: MiningRoundStrategy {
    /// Empties the buffer (the previous round's entries) and makes `sample` mine only.
    public mutating func beginMiningRound() {
        buffer.removeAll()
        pendingReplays = [:]
        isMiningRound = true
    }

    /// Makes `sample` train again, replaying the round's entries.
    public mutating func endMiningRound() {
        isMiningRound = false
    }

    /// A mining round's visit: stores the image's hard negatives (``storeHardNegatives(of:statistics:)``,
    /// the same rule, quota and capacity as a training visit) and selects nothing.
    /// - Parameter input: [N] labels, [N] foreground probabilities, [N, 4] boxes, optionally [N]
    ///   max IoU, of one un-flipped (or flipped, with its anchor layout) image.
    /// - Returns: an empty selection whose statistics count the round's insertions, evictions
    ///   and rejections.
    mutating func mine(_ input: SamplingInput) -> SamplingResult {
        checkAnchorLayout(of: input)
        var statistics = MiningStatistics()
        storeHardNegatives(of: input, statistics: &statistics)
        return result(of: input, positives: [], negatives: [], separatePass: [], statistics: statistics)
    }
}
