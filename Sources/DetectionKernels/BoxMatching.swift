// Legend: M ground-truth boxes, N candidates (anchors or proposals), B candidates per block;
// boxes [·, 4] as (x1, y1, x2, y2) in input-image pixels.
//
// The fused matcher never builds the [M, N] IoU matrix. Candidates are taken in blocks of B,
// copied into contiguous columns (padded with empty boxes to a multiple of 4). For each ground
// truth that overlaps the block's bounding box, one branch-free SIMD pass over the block
// computes the IoUs, updates each candidate's best IoU and ground truth, and reduces the
// block's highest IoU for that ground truth; a ground truth that misses the bounding box has
// IoU exactly 0 with every candidate of the block and is skipped (anchors come location-major,
// so a block covers a strip of the image and most ground truth misses it). Only when the
// block's highest IoU reaches the ground truth's running maximum is the block rescanned to
// record the candidates that tie for it: the low-quality matches.
//
// Explicit SIMD4 rather than a scalar loop: with selects and a division in the body the
// auto-vectoriser gives up here. The SIMD and scalar paths perform the same IEEE operations in
// the same order as `Kernels.iou`, so their IoUs are bit-identical.
import Kernels

/// Four Float lanes (one SSE register).
typealias FloatLanes = SIMD4<Float>
/// Four Int32 lanes (one SSE register).
typealias IndexLanes = SIMD4<Int32>

/// One block of candidates as contiguous columns, plus each candidate's running best match.
struct MatchingBlock {
    let x1, y1, x2, y2, area: UnsafeMutablePointer<Float>
    /// Best IoU so far per candidate (0 before any overlap).
    let best: UnsafeMutablePointer<Float>
    /// Ground truth giving `best`, lowest index on ties.
    let bestIndex: UnsafeMutablePointer<Int32>

    /// The lane-wise larger value, `a > b ? a : b` (one `maxps`).
    @inline(__always)
    static func larger(_ a: FloatLanes, _ b: FloatLanes) -> FloatLanes { b.replacing(with: a, where: a .> b) }

    /// The lane-wise smaller value, `a < b ? a : b` (one `minps`).
    @inline(__always)
    static func smaller(_ a: FloatLanes, _ b: FloatLanes) -> FloatLanes { b.replacing(with: a, where: a .< b) }

    /// Loads four lanes of a column.
    @inline(__always)
    static func load(_ column: UnsafeMutablePointer<Float>, _ j: Int) -> FloatLanes {
        UnsafeRawPointer(column + j).loadUnaligned(as: FloatLanes.self)
    }

    /// Updates the running best with one ground truth (given as lane-broadcast corners, area and
    /// index) over the first `lanes` candidates, and returns that ground truth's highest IoU.
    ///
    /// Not inlined on purpose: taking the broadcasts as arguments gives LLVM one value per
    /// operand, which it needs to turn the selects into `minps`/`maxps`.
    @inline(never)
    func update(
        lanes: Int, gx1: FloatLanes, gy1: FloatLanes, gx2: FloatLanes, gy2: FloatLanes,
        area garea: FloatLanes, index g: IndexLanes
    ) -> Float {
        let zero = FloatLanes()
        var highest = zero
        var j = 0
        while j < lanes {
            let w = Self.larger(Self.smaller(gx2, Self.load(x2, j)) - Self.larger(gx1, Self.load(x1, j)), zero)
            let h = Self.larger(Self.smaller(gy2, Self.load(y2, j)) - Self.larger(gy1, Self.load(y1, j)), zero)
            let intersection = w * h
            let union = garea + Self.load(area, j) - intersection
            let quotient = intersection / union
            let iou = zero.replacing(with: quotient, where: union .> zero)
            let previous = Self.load(best, j)
            let previousIndex = UnsafeRawPointer(bestIndex + j).loadUnaligned(as: IndexLanes.self)
            // Strictly greater: equal IoUs keep the lower ground-truth index.
            let better = iou .> previous
            UnsafeMutableRawPointer(best + j).storeBytes(of: Self.larger(iou, previous), as: FloatLanes.self)
            UnsafeMutableRawPointer(bestIndex + j).storeBytes(of: previousIndex.replacing(with: g, where: better),
                                                             as: IndexLanes.self)
            highest = Self.larger(iou, highest)
            j &+= 4
        }
        return highest.max()
    }
}

extension Kernels {
    /// The number of candidates per block of the fused matcher (a multiple of 4; its columns stay in L1).
    static let matchingBlockSize = 256

    /// Matches candidates to ground-truth boxes in one fused pass over their IoUs.
    ///
    /// Gives exactly the result of `pairwiseIoU` (ground truth × candidates) followed by
    /// `match(_:iou:…)`, including the tie rules, without storing the IoU matrix.
    /// - Parameters:
    ///   - matches: [N] output, one verdict per candidate.
    ///   - bestIoU: optional [N] output, each candidate's highest IoU over the ground truth
    ///     (0 when M = 0); the IoU-balanced strategy bins negatives by it.
    ///   - candidates: [N, 4] anchors or proposals (x1, y1, x2, y2), pixels.
    ///   - candidateCount: N.
    ///   - groundTruthBoxes: [M, 4] ground-truth boxes (x1, y1, x2, y2), pixels.
    ///   - groundTruthCount: M (0: every candidate is `.background`).
    ///   - highThreshold: foreground IoU, in [0, 1].
    ///   - lowThreshold: background IoU, in [0, high].
    ///   - allowLowQualityMatches: keep each ground truth's best candidates (ties included).
    /// - Precondition: `low ≤ high`; buffers hold ≥ N, N, 4·N and 4·M elements; coordinates
    ///   are not NaN.
    ///
    /// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497; torchvision's `box_iou` + `Matcher`.
    public static func matchBoxes(
        _ matches: UnsafeMutableBufferPointer<Match>,
        bestIoU: UnsafeMutableBufferPointer<Float>? = nil,
        candidates: UnsafeBufferPointer<Float>,
        candidateCount: Int,
        groundTruthBoxes: UnsafeBufferPointer<Float>,
        groundTruthCount: Int,
        highThreshold: Float,
        lowThreshold: Float,
        allowLowQualityMatches: Bool
    ) {
        let n = candidateCount, m = groundTruthCount
        precondition(m >= 0 && n >= 0, "matchBoxes: negative size M=\(m) N=\(n)")
        precondition(m < Int(Int32.max), "matchBoxes: \(m) ground-truth boxes exceed 2³¹ − 1")
        precondition(lowThreshold <= highThreshold,
                     "matchBoxes: low threshold \(lowThreshold) exceeds high threshold \(highThreshold)")
        precondition(candidates.count >= 4 * n, "matchBoxes: candidates hold \(candidates.count) < 4·\(n) elements")
        precondition(groundTruthBoxes.count >= 4 * m,
                     "matchBoxes: ground truth holds \(groundTruthBoxes.count) < 4·\(m) elements")
        precondition(matches.count >= n, "matchBoxes: output holds \(matches.count) < \(n) elements")
        if let bestIoU {
            precondition(bestIoU.count >= n, "matchBoxes: bestIoU holds \(bestIoU.count) < \(n) elements")
        }
        if n == 0 { return }
        if m == 0 {
            for j in 0..<n { matches[j] = .background }
            if let bestIoU { for j in 0..<n { bestIoU[j] = 0 } }
            return
        }
        let bestIndex = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { bestIndex.deallocate() }
        let blockSize = matchingBlockSize
        // Per ground truth: its highest IoU so far and the candidates tying for it. Ties at IoU 0
        // are not listed: a ground truth overlapping nothing makes no low-quality match.
        var highest = [Float](repeating: 0, count: m)
        var ties = [[Int32]](repeating: [], count: m)

        withBoxColumns(groundTruthBoxes, count: m) { gt in
            let storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: 6 * blockSize)
            let indexStorage = UnsafeMutableBufferPointer<Int32>.allocate(capacity: blockSize)
            defer { storage.deallocate(); indexStorage.deallocate() }
            func column(_ k: Int) -> UnsafeMutablePointer<Float> { storage.baseAddress! + k * blockSize }
            let block = MatchingBlock(x1: column(0), y1: column(1), x2: column(2), y2: column(3), area: column(4),
                                      best: column(5), bestIndex: indexStorage.baseAddress!)

            for start in stride(from: 0, to: n, by: blockSize) {
                let count = min(blockSize, n - start)
                let lanes = (count + 3) & ~3
                var left = Float.infinity, top = Float.infinity, right = -Float.infinity, bottom = -Float.infinity
                for j in 0..<lanes {
                    // Padding lanes hold empty boxes at the origin: IoU 0, never a tie.
                    let b = 4 * (start + j)
                    let x1 = j < count ? candidates[b] : 0, y1 = j < count ? candidates[b + 1] : 0
                    let x2 = j < count ? candidates[b + 2] : 0, y2 = j < count ? candidates[b + 3] : 0
                    block.x1[j] = x1; block.y1[j] = y1; block.x2[j] = x2; block.y2[j] = y2
                    block.area[j] = (x2 - x1) * (y2 - y1)
                    // Best 0 with ground truth 0 is what ground truth 0 leaves when it overlaps nothing.
                    block.best[j] = 0
                    block.bestIndex[j] = 0
                    if j < count {
                        left = min(left, x1); top = min(top, y1); right = max(right, x2); bottom = max(bottom, y2)
                    }
                }
                for g in 0..<m {
                    let gx1 = gt.x1[g], gy1 = gt.y1[g], gx2 = gt.x2[g], gy2 = gt.y2[g], garea = gt.area[g]
                    // Missing the block's bounding box means IoU exactly 0 with each candidate:
                    // no change to any best (ties go to the lower index) and no tie to record.
                    if !(min(gx2, right) - max(gx1, left) > 0 && min(gy2, bottom) - max(gy1, top) > 0) { continue }
                    let blockHighest = block.update(
                        lanes: lanes, gx1: FloatLanes(repeating: gx1), gy1: FloatLanes(repeating: gy1),
                        gx2: FloatLanes(repeating: gx2), gy2: FloatLanes(repeating: gy2),
                        area: FloatLanes(repeating: garea), index: IndexLanes(repeating: Int32(truncatingIfNeeded: g)))
                    guard allowLowQualityMatches && blockHighest > 0 && blockHighest >= highest[g] else { continue }
                    if blockHighest > highest[g] {
                        highest[g] = blockHighest
                        ties[g].removeAll(keepingCapacity: true)
                    }
                    for j in 0..<count
                    where iou(gx1, gy1, gx2, gy2, garea, block.x1[j], block.y1[j], block.x2[j], block.y2[j],
                              block.area[j]) == blockHighest {
                        ties[g].append(Int32(truncatingIfNeeded: start + j))
                    }
                }
                for j in 0..<count {
                    bestIndex[start + j] = block.bestIndex[j]
                    matches[start + j] = classify(block.best[j], groundTruth: Int(block.bestIndex[j]),
                                                  high: highThreshold, low: lowThreshold)
                }
                if let bestIoU {
                    for j in 0..<count { bestIoU[start + j] = block.best[j] }
                }
            }

            guard allowLowQualityMatches else { return }
            for g in 0..<m {
                // A ground truth that overlaps no candidate recorded no ties (blockHighest > 0
                // above): it gives no low-quality match (see `match`, mmdetection #8289).
                for j in ties[g] {
                    matches[Int(j)] = .foreground(groundTruthIndex: Int(bestIndex[Int(j)]))
                }
            }
        }
    }
}
