// Batch insertion into the hard-negative buffer: one pass's hard negatives at once.
//
// Legend: K capacity, m the batch size. A batch of m > K entries can leave at most its K best in
// the buffer (K better ones exist in the batch for every other), so a linear-time top-K
// selection discards the rest before the O(log K) inserts: a bucket count and a quickselect
// inside one bucket find the K-th highest score v, then one pass in batch order keeps every
// score above v and the earliest entries scoring exactly v (ties: earlier first — the buffer's
// own tie rule). The result equals m
// single inserts; only the counters differ: a batch entry that one-by-one insertion would store
// and then evict within the same batch counts here as rejected.

extension HardNegativeBuffer {
    /// What a batch insertion did, net.
    public struct BatchInsertion: Sendable, Hashable {
        /// Batch entries now stored.
        public var inserted = 0
        /// Earlier entries evicted to make room.
        public var evicted = 0
        /// Batch entries not stored.
        public var rejected = 0

        /// Creates a record of counts.
        public init(inserted: Int = 0, evicted: Int = 0, rejected: Int = 0) {
            self.inserted = inserted
            self.evicted = evicted
            self.rejected = rejected
        }
    }

    /// Inserts entries as if one by one, in order, in O(m + K log K).
    /// - Parameter batch: the entries, e.g. one pass's hard negatives of one image.
    /// - Returns: how many were stored, how many earlier entries they evicted, how many were not stored.
    /// - Precondition: no score is NaN; `stepMined` is non-decreasing along the batch and not
    ///   before any earlier insertion's.
    @discardableResult
    public mutating func insert(contentsOf batch: [HardNegative]) -> BatchInsertion {
        guard let first = batch.first, let last = batch.last else { return BatchInsertion() }
        // One pass: the checks, and the scores for the preselection.
        var scores = [Float](repeating: 0, count: batch.count)
        var ordered = first.stepMined >= newestStep, previousStep = first.stepMined, anyNaN = false
        for (i, entry) in batch.enumerated() {
            scores[i] = entry.score
            anyNaN = anyNaN || entry.score.isNaN
            ordered = ordered && entry.stepMined >= previousStep
            previousStep = entry.stepMined
        }
        precondition(ordered, "HardNegativeBuffer.insert(contentsOf:): steps must be non-decreasing (batch \(first.stepMined)…\(last.stepMined), buffer at \(newestStep))")
        precondition(!anyNaN, "HardNegativeBuffer.insert(contentsOf:): NaN score")
        var outcome = BatchInsertion()
        var chosen = Array(batch.indices)
        if batch.count > capacity {
            chosen = Self.bestIndices(of: scores, count: capacity)
            outcome.rejected = batch.count - chosen.count
        }
        let firstSequence = nextSequence
        // While there is room, store without comparisons and heapify once (Floyd, O(n)).
        let room = min(capacity - count, chosen.count)
        if room > 0 {
            var records: [Ranked] = []
            records.reserveCapacity(room)
            for i in chosen[..<room] { records.append(store(batch[i])) }
            heap.insert(contentsOf: records)
            fifo.append(contentsOf: records)
            outcome.inserted += room
        }
        for i in chosen[room...] {
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

    /// The indices of the `count` best scores (descending, earlier first), ascending.
    static func bestIndices(of scores: [Float], count k: Int) -> [Int] {
        guard k > 0 else { return [] }
        let cut = kthLargestByBuckets(scores, k)
        var above = 0
        for score in scores where score > cut { above += 1 }
        var tiesLeft = k - above
        var chosen: [Int] = []
        chosen.reserveCapacity(k)
        for (i, score) in scores.enumerated() {
            if score > cut {
                chosen.append(i)
            } else if score == cut && tiesLeft > 0 {
                chosen.append(i)
                tiesLeft -= 1
            }
        }
        return chosen
    }

    /// The k-th largest value (1-based) of NaN-free `values`.
    ///
    /// One pass finds the range, one counts the values in 2,048 equal-width buckets (the map
    /// (v − min)·scale is non-decreasing, so buckets keep the order and equal values share a
    /// bucket), and quickselect finishes inside the one bucket holding the k-th value: mostly
    /// branch-free passes instead of a quickselect over all m values.
    static func kthLargestByBuckets(_ values: [Float], _ k: Int) -> Float {
        precondition(k >= 1 && k <= values.count, "kthLargest: k \(k) outside 1...\(values.count)")
        // Range in four independent lanes (NaN-free input, so plain compares suffice).
        var low = values[0], high = values[0]
        values.withUnsafeBufferPointer { v in
            var l0 = low, l1 = low, l2 = low, l3 = low, h0 = high, h1 = high, h2 = high, h3 = high
            var i = 0
            while i + 4 <= v.count {
                l0 = v[i] < l0 ? v[i] : l0; h0 = v[i] > h0 ? v[i] : h0
                l1 = v[i + 1] < l1 ? v[i + 1] : l1; h1 = v[i + 1] > h1 ? v[i + 1] : h1
                l2 = v[i + 2] < l2 ? v[i + 2] : l2; h2 = v[i + 2] > h2 ? v[i + 2] : h2
                l3 = v[i + 3] < l3 ? v[i + 3] : l3; h3 = v[i + 3] > h3 ? v[i + 3] : h3
                i += 4
            }
            while i < v.count {
                l0 = v[i] < l0 ? v[i] : l0; h0 = v[i] > h0 ? v[i] : h0
                i += 1
            }
            low = min(min(l0, l1), min(l2, l3))
            high = max(max(h0, h1), max(h2, h3))
        }
        let bucketCount = 2_048
        let scale = Float(bucketCount - 1) / (high - low)
        guard scale.isFinite, scale > 0 else {
            var all = values
            return kthLargest(&all, k)
        }
        var histogram = [Int32](repeating: 0, count: bucketCount)
        histogram.withUnsafeMutableBufferPointer { h in
            for v in values { h[Int((v - low) * scale)] &+= 1 }
        }
        var remaining = k, bucket = bucketCount - 1
        while Int(histogram[bucket]) < remaining {
            remaining -= Int(histogram[bucket])
            bucket -= 1
        }
        var members: [Float] = []
        members.reserveCapacity(Int(histogram[bucket]))
        for v in values where Int((v - low) * scale) == bucket { members.append(v) }
        return kthLargest(&members, remaining)
    }

    /// The k-th largest value (1-based) of NaN-free `values`, which are reordered.
    ///
    /// Quickselect with a median-of-three pivot and three-way partitioning (so runs of equal
    /// scores cost one pass); expected O(m).
    static func kthLargest(_ values: inout [Float], _ k: Int) -> Float {
        precondition(k >= 1 && k <= values.count, "kthLargest: k \(k) outside 1...\(values.count)")
        return values.withUnsafeMutableBufferPointer { v in
            var lo = 0, hi = v.count - 1
            let target = k - 1  // position in descending order
            while lo < hi {
                let a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi]
                let pivot = max(min(a, b), min(max(a, b), c))
                // Dutch flag, descending: [lo, gt) > pivot, [gt, i) == pivot, (lt, hi] < pivot.
                var gt = lo, i = lo, lt = hi
                while i <= lt {
                    if v[i] > pivot {
                        v.swapAt(i, gt); gt += 1; i += 1
                    } else if v[i] < pivot {
                        v.swapAt(i, lt); lt -= 1
                    } else {
                        i += 1
                    }
                }
                if target < gt { hi = gt - 1 } else if target > lt { lo = lt + 1 } else { return pivot }
            }
            return v[lo]
        }
    }
}
