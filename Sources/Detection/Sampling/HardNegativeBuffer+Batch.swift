// Batch insertion into the hard-negative buffer: one pass's hard negatives at once.
//
// Legend: K capacity, m the batch size. A batch of m > K entries can leave at most its K best in
// the buffer (K better ones exist in the batch for every other), so a linear-time top-K
// selection (`Kernels.ohemSelect` on the scores: ties by lower index, i.e. earlier first — the
// buffer's own tie rule) discards the rest before the O(log K) inserts. The result equals m
// single inserts; only the counters differ: a batch entry that one-by-one insertion would store
// and then evict within the same batch counts here as rejected.

import Kernels

extension HardNegativeBuffer {
    /// What a batch insertion did, net.
    public struct BatchInsertion: Sendable, Hashable {
        /// Batch entries now stored.
        public var inserted = 0
        /// Earlier entries evicted to make room.
        public var evicted = 0
        /// Batch entries not stored.
        public var rejected = 0
    }

    /// Inserts entries as if one by one, in order, in O(m + K log K).
    /// - Parameter batch: the entries, e.g. one pass's hard negatives of one image.
    /// - Returns: how many were stored, how many earlier entries they evicted, how many were not stored.
    /// - Precondition: no score is NaN; `stepMined` is non-decreasing along the batch and not
    ///   before any earlier insertion's.
    @discardableResult
    public mutating func insert(contentsOf batch: [HardNegative]) -> BatchInsertion {
        guard let first = batch.first, let last = batch.last else { return BatchInsertion() }
        precondition(first.stepMined >= newestStep && zip(batch, batch.dropFirst()).allSatisfy { $0.stepMined <= $1.stepMined },
                     "HardNegativeBuffer.insert(contentsOf:): steps must be non-decreasing (batch \(first.stepMined)…\(last.stepMined), buffer at \(newestStep))")
        precondition(!batch.contains { $0.score.isNaN }, "HardNegativeBuffer.insert(contentsOf:): NaN score")
        var outcome = BatchInsertion()
        var chosen = Array(batch.indices)
        if batch.count > capacity {
            // Keep the batch's K best (score descending, earlier first), in batch order.
            let scores = batch.map(\.score), labels = [Int8](repeating: 0, count: batch.count)
            chosen = [Int](repeating: 0, count: capacity)
            let written = scores.withUnsafeBufferPointer { s in
                labels.withUnsafeBufferPointer { l in
                    chosen.withUnsafeMutableBufferPointer { out in
                        Kernels.ohemSelect(out, losses: s, labels: l, count: capacity)
                    }
                }
            }
            chosen.removeLast(capacity - written)
            chosen.sort()
            outcome.rejected = batch.count - chosen.count
        }
        let firstSequence = nextSequence
        for i in chosen {
            switch place(batch[i]) {
            case .stored(evicting: nil):
                outcome.inserted += 1
            case .stored(evicting: let evicted?):
                // An entry of this same batch evicted counts, net, as not stored.
                if evicted.sequence >= firstSequence {
                    outcome.rejected += 1
                } else {
                    outcome.inserted += 1
                    outcome.evicted += 1
                }
            case .rejected:
                outcome.rejected += 1
            }
        }
        newestStep = last.stepMined
        return outcome
    }
}
