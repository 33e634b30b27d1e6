// Legend: N boxes, [N, 4] as (x1, y1, x2, y2) in input-image pixels; [N] scores; [N] classes.
//
// Per-class NMS without a per-class copy of the inputs: sort all boxes once by score, regroup the
// sorted list by class with a stable counting sort (so each class's boxes stay in score order
// and sit in one contiguous run of the workspace), suppress within each run, then read the kept
// boxes back in the global score order.
import Kernels

extension Kernels {
    /// Performs NMS independently within each class and writes the kept indices by decreasing score.
    ///
    /// Boxes of different classes never suppress each other. The result equals torchvision's
    /// `batched_nms` (which runs `nms` per class, or offsets boxes by class so that classes
    /// cannot overlap): the union of the per-class kept sets, ordered by decreasing score, equal
    /// scores by increasing index. Suppression within a class follows `nms` exactly.
    /// - Parameters:
    ///   - kept: output, room for N indices; the first (returned count) hold indices into `boxes`.
    ///   - boxes: [N, 4] boxes (x1, y1, x2, y2), pixels.
    ///   - scores: [N] scores.
    ///   - classes: [N] class labels (any integers; the RoI head uses 1...K).
    ///   - count: N.
    ///   - iouThreshold: suppression threshold in [0, 1].
    /// - Returns: the number of indices written to `kept`.
    /// - Precondition: `boxes` holds ≥ 4·N, `scores`, `classes` and `kept` ≥ N elements; N < 2³¹.
    ///
    /// Reference: torchvision.ops.batched_nms.
    public static func batchedNMS(
        _ kept: UnsafeMutableBufferPointer<Int>,
        _ boxes: UnsafeBufferPointer<Float>,
        scores: UnsafeBufferPointer<Float>,
        classes: UnsafeBufferPointer<Int>,
        count: Int,
        iouThreshold: Float
    ) -> Int {
        let n = count
        checkNMSArguments("batchedNMS", kept: kept.count, boxes: boxes.count, scores: scores.count, count: n)
        precondition(classes.count >= n, "batchedNMS: classes hold \(classes.count) < \(n) elements")
        if n == 0 { return 0 }
        // `kept` holds the global score order (rank → index) until the result overwrites it.
        sortByDescendingScore(kept, scores, count: n)

        // slotOfRank[r]: where rank r sits once grouped by class; runs[c] bounds class c's slots.
        let slotOfRank = UnsafeMutableBufferPointer<Int>.allocate(capacity: n)
        defer { slotOfRank.deallocate() }
        let runEnds = groupRanksByClass(slotOfRank, order: kept, classes: classes, count: n)

        return NMSWorkspace.with(count: n) { workspace in
            for r in 0..<n { workspace.load(slot: slotOfRank[r], from: boxes, index: kept[r], rank: r) }
            let keptRanks = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
            defer { keptRanks.deallocate() }
            var keptCount = 0
            var start = 0
            for end in runEnds where end > start {
                workspace.suppress(range: start..<end, threshold: iouThreshold, limit: .max,
                                   keptRanks: keptRanks, keptCount: &keptCount)
                start = end
            }
            // Flag kept ranks, then read them back in rank (= global score) order. The slot
            // written (k) never passes the rank read (r), so `kept` can be rewritten in place.
            let isKept = UnsafeMutableBufferPointer<Bool>.allocate(capacity: n)
            defer { isKept.deallocate() }
            isKept.initialize(repeating: false)
            for k in 0..<keptCount { isKept[Int(keptRanks[k])] = true }
            var k = 0
            for r in 0..<n where isKept[r] {
                kept[k] = kept[r]
                k += 1
            }
            return k
        }
    }

    /// Assigns each rank a slot so that every class's ranks form one contiguous, rank-ordered run.
    ///
    /// A stable counting sort when the class labels span a small range (the usual case), a
    /// comparison sort of (class, rank) pairs otherwise.
    /// - Returns: the end slot of each run, in increasing order (some runs may be empty).
    static func groupRanksByClass(
        _ slotOfRank: UnsafeMutableBufferPointer<Int>,
        order: UnsafeMutableBufferPointer<Int>,
        classes: UnsafeBufferPointer<Int>,
        count n: Int
    ) -> [Int] {
        var lowest = Int.max, highest = Int.min
        for i in 0..<n {
            lowest = min(lowest, classes[i])
            highest = max(highest, classes[i])
        }
        let (span, overflow) = highest.subtractingReportingOverflow(lowest)
        if !overflow && span < 4 * n + 1024 {
            var runEnds = [Int](repeating: 0, count: span + 1)
            for r in 0..<n { runEnds[classes[order[r]] - lowest] += 1 }
            var total = 0
            for c in 0...span {
                total += runEnds[c]
                runEnds[c] = total
            }
            // Fill each run from its end, visiting ranks backwards, so the runs stay rank-ordered.
            var next = runEnds
            for r in stride(from: n - 1, through: 0, by: -1) {
                let c = classes[order[r]] - lowest
                next[c] -= 1
                slotOfRank[r] = next[c]
            }
            return runEnds
        }
        var pairs = (0..<n).map { (classes[order[$0]], $0) }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var runEnds: [Int] = []
        for (slot, pair) in pairs.enumerated() {
            slotOfRank[pair.1] = slot
            if slot + 1 == n || pairs[slot + 1].0 != pair.0 { runEnds.append(slot + 1) }
        }
        return runEnds
    }
}
