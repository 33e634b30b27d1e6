// Legend: N boxes, [N, 4] as (x1, y1, x2, y2) in input-image pixels; [N] scores; [N] classes.
//
// Greedy NMS, made fast without changing its answer:
// 1. sort once: (score descending, index ascending) packed into one UInt64 key per box;
// 2. gather the boxes into contiguous columns in that order (with areas precomputed);
// 3. for each kept box, one branch-free pass over the later candidates sets a suppression flag
//    (the pass vectorises); when suppressed candidates make up half of what is left, the
//    survivors are compacted so later passes shrink with the candidate set;
// 4. stop when every candidate is kept or suppressed, or when `maximumKept` is reached.
// Batched NMS sorts globally, regroups the sorted boxes by class with a stable counting sort,
// runs step 3 per class, and reads the kept boxes back in global rank order.
import Kernels

/// Scratch columns for greedy NMS: boxes in decreasing score order, their areas, their rank in
/// that order, and a suppression flag. Owned by one NMS call.
struct NMSWorkspace {
    let x1, y1, x2, y2, area: UnsafeMutableBufferPointer<Float>
    let rank: UnsafeMutableBufferPointer<Int32>
    let suppressed: UnsafeMutableBufferPointer<UInt32>

    /// Allocates columns for `count` boxes, runs `body`, frees them.
    static func with<R>(count: Int, _ body: (NMSWorkspace) -> R) -> R {
        let floats = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, 5 * count))
        let ranks = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, count))
        let flags = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: max(1, count))
        defer { floats.deallocate(); ranks.deallocate(); flags.deallocate() }
        func column(_ k: Int) -> UnsafeMutableBufferPointer<Float> {
            UnsafeMutableBufferPointer(rebasing: floats[(k * count)..<((k + 1) * count)])
        }
        let workspace = NMSWorkspace(x1: column(0), y1: column(1), x2: column(2), y2: column(3),
                                     area: column(4), rank: ranks, suppressed: flags)
        return body(workspace)
    }

    /// Copies box `index` of [N, 4] `boxes` into slot `slot`, with its rank and a clear flag.
    @inline(__always)
    func load(slot: Int, from boxes: UnsafeBufferPointer<Float>, index: Int, rank r: Int) {
        let bx1 = boxes[4 * index], by1 = boxes[4 * index + 1]
        let bx2 = boxes[4 * index + 2], by2 = boxes[4 * index + 3]
        x1[slot] = bx1; y1[slot] = by1; x2[slot] = bx2; y2[slot] = by2
        area[slot] = (bx2 - bx1) * (by2 - by1)
        rank[slot] = Int32(truncatingIfNeeded: r)
        suppressed[slot] = 0
    }

    /// Moves slot `from` to slot `to` (to ≤ from), during compaction.
    @inline(__always)
    func move(from: Int, to: Int) {
        x1[to] = x1[from]; y1[to] = y1[from]; x2[to] = x2[from]; y2[to] = y2[from]
        area[to] = area[from]; rank[to] = rank[from]; suppressed[to] = suppressed[from]
    }

    /// Runs greedy NMS over the slots `range` (already in decreasing score order), appending
    /// the ranks of kept boxes to `keptRanks` from `keptCount` on, until `limit` are kept.
    ///
    /// `keptRanks` may be the `rank` column itself when `range` starts at slot 0: the write goes
    /// to slot `keptCount`, which is never past the slot being visited, so no unread rank is lost.
    func suppress(
        range: Range<Int>, threshold: Float, limit: Int,
        keptRanks: UnsafeMutableBufferPointer<Int32>, keptCount: inout Int
    ) {
        var p = range.lowerBound, end = range.upperBound
        var dead = 0  // suppressed slots in p..<end
        while p < end && keptCount < limit {
            if suppressed[p] != 0 {
                dead -= 1
                p += 1
                continue
            }
            keptRanks[keptCount] = rank[p]
            keptCount += 1
            let ax1 = x1[p], ay1 = y1[p], ax2 = x2[p], ay2 = y2[p], areaA = area[p]
            var newlySuppressed: UInt32 = 0
            for j in (p + 1)..<end {
                let w = Kernels.larger(Kernels.smaller(ax2, x2[j]) - Kernels.larger(ax1, x1[j]), 0)
                let h = Kernels.larger(Kernels.smaller(ay2, y2[j]) - Kernels.larger(ay1, y1[j]), 0)
                let intersection = w * h
                // torchvision's expression, unguarded: 0/0 gives NaN, which never suppresses.
                let overlap = intersection / (areaA + area[j] - intersection)
                let hit: UInt32 = overlap > threshold ? 1 : 0
                newlySuppressed &+= hit & (1 &- suppressed[j])
                suppressed[j] |= hit
            }
            dead += Int(newlySuppressed)
            p += 1
            // Compact once half of the remaining slots are dead, so each later pass is shorter.
            if dead > 32 && 2 * dead >= end - p {
                var write = p
                for read in p..<end where suppressed[read] == 0 {
                    move(from: read, to: write)
                    write += 1
                }
                end = write
                dead = 0
            }
        }
    }
}

extension Kernels {
    /// Maps a score to a key whose ascending order is (score descending, index ascending).
    ///
    /// The Float's bits are made monotone as an unsigned integer, then inverted; NaN scores map
    /// to the largest key, so they come last.
    @inline(__always)
    static func descendingScoreKey(_ score: Float, index: Int) -> UInt64 {
        let bits = score.bitPattern
        let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        let descending = score.isNaN ? UInt32.max : ~ascending
        return UInt64(descending) << 32 | UInt64(truncatingIfNeeded: index)
    }

    /// Writes 0..<N sorted by decreasing score, equal scores by increasing index (a stable sort).
    static func sortByDescendingScore(
        _ order: UnsafeMutableBufferPointer<Int>, _ scores: UnsafeBufferPointer<Float>, count: Int
    ) {
        let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(1, count))
        defer { keys.deallocate() }
        for i in 0..<count { keys[i] = descendingScoreKey(scores[i], index: i) }
        var sorted = UnsafeMutableBufferPointer(rebasing: keys[0..<count])
        sorted.sort()
        for i in 0..<count { order[i] = Int(truncatingIfNeeded: keys[i] & 0xFFFF_FFFF) }
    }

    /// Checks the shared NMS preconditions.
    static func checkNMSArguments(
        _ name: StaticString, kept: Int, boxes: Int, scores: Int, count: Int
    ) {
        precondition(count >= 0, "\(name): negative box count \(count)")
        precondition(count < Int(Int32.max), "\(name): \(count) boxes exceed 2³¹ − 1")
        precondition(boxes >= 4 * count, "\(name): boxes hold \(boxes) < 4·\(count) elements")
        precondition(scores >= count, "\(name): scores hold \(scores) < \(count) elements")
        precondition(kept >= count, "\(name): kept holds \(kept) < \(count) elements")
    }

    /// Performs greedy non-maximum suppression and writes the kept indices by decreasing score.
    ///
    /// Boxes are visited by decreasing score (equal scores: lower index first, a stable sort);
    /// each visited box that is not suppressed is kept and suppresses every later box whose
    /// IoU with it exceeds `iouThreshold` (strictly greater). IoU is computed in Float32 as
    /// torchvision does, `inter / (areaA + areaB − inter)`; a pair of empty boxes gives NaN,
    /// which suppresses nothing. NaN scores sort last. Empty input keeps nothing.
    /// - Parameters:
    ///   - kept: output, room for N indices; the first (returned count) hold indices into `boxes`.
    ///   - boxes: [N, 4] boxes (x1, y1, x2, y2), pixels.
    ///   - scores: [N] scores.
    ///   - count: N.
    ///   - iouThreshold: suppression threshold in [0, 1] (0.7 for RPN proposals, 0.5 for detections).
    ///   - maximumKept: stop once this many are kept (the same prefix as a full run).
    /// - Returns: the number of indices written to `kept`.
    /// - Precondition: `boxes` holds ≥ 4·N, `scores` and `kept` ≥ N elements; N < 2³¹.
    ///
    /// Reference: torchvision.ops.nms (same kept list and order).
    public static func nms(
        _ kept: UnsafeMutableBufferPointer<Int>,
        _ boxes: UnsafeBufferPointer<Float>,
        scores: UnsafeBufferPointer<Float>,
        count: Int,
        iouThreshold: Float,
        maximumKept: Int = .max
    ) -> Int {
        checkNMSArguments("nms", kept: kept.count, boxes: boxes.count, scores: scores.count, count: count)
        if count == 0 || maximumKept <= 0 { return 0 }
        // `kept` doubles as the sort order until the kept list overwrites it.
        sortByDescendingScore(kept, scores, count: count)
        return NMSWorkspace.with(count: count) { workspace in
            for r in 0..<count { workspace.load(slot: r, from: boxes, index: kept[r], rank: r) }
            var keptCount = 0
            workspace.suppress(range: 0..<count, threshold: iouThreshold, limit: maximumKept,
                               keptRanks: workspace.rank, keptCount: &keptCount)
            // Kept ranks are increasing and each is ≥ its slot in `kept`, so reading rank k before
            // writing slot k never reads an overwritten entry.
            for k in 0..<keptCount { kept[k] = kept[Int(workspace.rank[k])] }
            return keptCount
        }
    }
}
