// OHEM selection: the k highest-loss candidates, ignored ones excluded, optional positive cap.
//
// Legend: N candidates (anchors or RoIs), k the budget (e.g. 256), P the positive cap (e.g. 64).
// labels: > 0 positive, 0 negative, < 0 ignored.
// Algorithm (a partial selection, not a sort): one pass offers each candidate's rank key to a
// pool (positives and the rest when capped, one pool otherwise). A pool keeps a buffer of
// 2·want + 16 keys and a threshold; when the buffer fills, quickselect keeps the `want` best and
// the threshold becomes the worst kept key, so after a short warm-up almost every candidate is
// rejected by one compare. Expected cost O(N + want·log(N/want)·log want); then the kept keys
// are sorted and the two pools merged. The greedy "take in rank order, skip positives beyond P"
// picks only from the top P positives and the top k negatives, so the pools lose nothing.
import Kernels

extension Kernels {
    /// Selects the `count` highest-loss candidates whose label is not ignored, with at most
    /// `maxPositives` positives among them.
    ///
    /// Equivalent to walking the candidates in order of decreasing loss (equal losses: lower
    /// index first) and taking each non-ignored one, skipping positives once `maxPositives` are
    /// taken, until `count` are taken. When positives are capped and negatives run out, fewer
    /// than `count` are returned (the cap is never exceeded). NaN losses rank highest, as in
    /// `torch.topk`. Empty input, or all ignored, selects nothing.
    /// Reference: Shrivastava et al., "Training Region-based Object Detectors with Online Hard
    /// Example Mining", arXiv:1604.03540 (DESIGN.md's `ohem` strategy, RPN budget 256).
    /// - Parameters:
    ///   - selected: output, the chosen candidate indices in rank order (first `returned` entries written).
    ///   - losses: [N] per-candidate losses (e.g. from ``objectnessCandidateLosses(_:objectnessLogits:labels:deltas:targets:beta:)``).
    ///   - labels: [N] +1 (or any > 0) positive, 0 negative, −1 (or any < 0) ignored.
    ///   - count: the budget k ≥ 0.
    ///   - maxPositives: the positive cap P ≥ 0, or nil for none (e.g. `Int(256 * 0.25)` = 64).
    /// - Returns: the number of indices written, min(k, available).
    /// - Precondition: `losses.count == labels.count < 2³²`; `selected.count >= count`; count, P ≥ 0.
    public static func ohemSelect(
        _ selected: UnsafeMutableBufferPointer<Int>,
        losses: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>,
        count: Int,
        maxPositives: Int? = nil
    ) -> Int {
        ohemSelectImpl(selected, losses, labels, count, maxPositives)
    }

    // MARK: - Implementation

    /// A bounded buffer of the best rank keys seen so far.
    struct KeyPool {
        let keys: UnsafeMutablePointer<UInt64>
        let capacity: Int
        let want: Int
        var count = 0
        /// A key enters only if it is below this (all keys while fewer than `want` are known).
        var threshold: UInt64

        init(keys: UnsafeMutablePointer<UInt64>, capacity: Int, want: Int) {
            self.keys = keys
            self.capacity = capacity
            self.want = want
            threshold = want > 0 ? .max : 0
        }

        /// Adds a key that passed the threshold test; shrinks the buffer to `want` when full.
        @inline(__always)
        mutating func insert(_ key: UInt64) {
            keys[count] = key
            count += 1
            if count == capacity { shrink() }
        }

        /// Keeps the `want` smallest keys and raises the bar to the largest of them.
        mutating func shrink() {
            guard count > want else { return }
            Kernels.partitionSmallest(keys, count: count, keeping: want)
            count = want
            var largest: UInt64 = 0
            for i in 0..<want where keys[i] > largest { largest = keys[i] }
            threshold = largest
        }

        /// Shrinks to at most `want` keys and sorts them ascending (best first).
        mutating func finish() {
            shrink()
            Kernels.sortKeys(keys, count: count)
        }
    }

    @inline(__always)
    static func ohemSelectImpl<Label: FixedWidthInteger & SignedInteger>(
        _ selected: UnsafeMutableBufferPointer<Int>, _ losses: UnsafeBufferPointer<Float>,
        _ labels: UnsafeBufferPointer<Label>, _ k: Int, _ maxPositives: Int?
    ) -> Int {
        let n = labels.count
        precondition(losses.count == n, "ohemSelect: losses [\(losses.count)] but labels [\(n)]")
        precondition(n <= Int(UInt32.max), "ohemSelect: \(n) candidates exceed 2³² − 1")
        precondition(k >= 0 && selected.count >= k, "ohemSelect: count \(k) must be >= 0 and fit selected [\(selected.count)]")
        precondition((maxPositives ?? 0) >= 0, "ohemSelect: maxPositives must be >= 0, got \(maxPositives!)")
        guard n > 0, k > 0 else { return 0 }
        let capped = maxPositives != nil
        let positiveWant = min(maxPositives ?? 0, k)
        let positiveCapacity = capped ? 2 * positiveWant + 16 : 0, otherCapacity = 2 * k + 16
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: positiveCapacity + otherCapacity) { scratch in
            let base = scratch.baseAddress!
            var positives = KeyPool(keys: base, capacity: positiveCapacity, want: positiveWant)
            var others = KeyPool(keys: base + positiveCapacity, capacity: otherCapacity, want: k)
            let loss = losses.baseAddress!, label = labels.baseAddress!
            for i in 0..<n {
                let l = label[i]
                // Ignored candidates get the largest key, which no threshold admits.
                let key = l < 0 ? UInt64.max : rankKey(loss: loss[i], index: i)
                let isPositive = capped && l > 0
                if key < (isPositive ? positives.threshold : others.threshold) {
                    if isPositive { positives.insert(key) } else { others.insert(key) }
                }
            }
            positives.finish()
            others.finish()
            // Merge the two sorted pools, best first, up to k.
            var p = 0, o = 0, written = 0
            let out = selected.baseAddress!
            while written < k && (p < positives.count || o < others.count) {
                let takePositive = o == others.count || (p < positives.count && positives.keys[p] < others.keys[o])
                out[written] = rankKeyIndex(takePositive ? positives.keys[p] : others.keys[o])
                if takePositive { p += 1 } else { o += 1 }
                written += 1
            }
            return written
        }
    }
}
