// Legend: M ground-truth boxes, N candidates (anchors or proposals), B candidates per block;
// boxes [·, 4] as (x1, y1, x2, y2) in input-image pixels.
//
// The fused matcher never builds the [M, N] IoU matrix. Candidates are taken in blocks of B,
// copied into contiguous columns; for each ground truth one branch-free pass over the block
// computes the IoUs, updates each candidate's best IoU and ground truth, and reduces the
// block's highest IoU for that ground truth. Only when that block maximum reaches the ground
// truth's running maximum (rare: near the object) is the block rescanned to record the
// candidates that tie for it — the low-quality matches.

extension Kernels {
    /// The number of candidates per block of the fused matcher (its columns stay in L1).
    static let matchingBlockSize = 512

    /// Matches candidates to ground-truth boxes in one fused pass over their IoUs.
    ///
    /// Gives exactly the result of `pairwiseIoU` (ground truth × candidates) followed by
    /// `match(_:iou:…)`, including the tie rules, without storing the IoU matrix.
    /// - Parameters:
    ///   - matches: [N] output, one verdict per candidate.
    ///   - bestIoU: optional [N] output, each candidate's highest IoU over the ground truth
    ///     (0 when M = 0); the IoU-balanced sampler bins negatives by it.
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
        // Per ground truth: its highest IoU so far (bit pattern, see below) and the candidates tying for it.
        var highest = [Int32](repeating: -1, count: m)
        var ties = [[Int32]](repeating: [], count: m)

        withBoxColumns(groundTruthBoxes, count: m) { gt in
            let storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: 6 * blockSize)
            defer { storage.deallocate() }
            func column(_ k: Int) -> UnsafeMutableBufferPointer<Float> {
                UnsafeMutableBufferPointer(rebasing: storage[(k * blockSize)..<((k + 1) * blockSize)])
            }
            let cx1 = column(0), cy1 = column(1), cx2 = column(2), cy2 = column(3), carea = column(4)
            let best = column(5)

            for start in stride(from: 0, to: n, by: blockSize) {
                let count = min(blockSize, n - start)
                let arg = UnsafeMutableBufferPointer(rebasing: bestIndex[start..<(start + count)])
                for j in 0..<count {
                    let b = 4 * (start + j)
                    let x1 = candidates[b], y1 = candidates[b + 1], x2 = candidates[b + 2], y2 = candidates[b + 3]
                    cx1[j] = x1; cy1[j] = y1; cx2[j] = x2; cy2[j] = y2
                    carea[j] = (x2 - x1) * (y2 - y1)
                    // Below every IoU, so ground truth 0 always takes the first slot.
                    best[j] = -1
                    arg[j] = 0
                }
                for g in 0..<m {
                    let gx1 = gt.x1[g], gy1 = gt.y1[g], gx2 = gt.x2[g], gy2 = gt.y2[g], garea = gt.area[g]
                    let g32 = Int32(truncatingIfNeeded: g)
                    // IoUs are +0 or positive, so their bit patterns order like the values and an
                    // integer max reduction (which vectorises, unlike a Float one) finds the largest.
                    var blockHighest: Int32 = -1
                    for j in 0..<count {
                        let v = iou(gx1, gy1, gx2, gy2, garea, cx1[j], cy1[j], cx2[j], cy2[j], carea[j])
                        // Strictly greater: equal IoUs keep the lower ground-truth index.
                        let better = v > best[j]
                        best[j] = better ? v : best[j]
                        arg[j] = better ? g32 : arg[j]
                        blockHighest = max(blockHighest, Int32(bitPattern: v.bitPattern))
                    }
                    guard allowLowQualityMatches && blockHighest >= highest[g] else { continue }
                    if blockHighest > highest[g] {
                        highest[g] = blockHighest
                        ties[g].removeAll(keepingCapacity: true)
                    }
                    let target = Float(bitPattern: UInt32(bitPattern: blockHighest))
                    for j in 0..<count
                    where iou(gx1, gy1, gx2, gy2, garea, cx1[j], cy1[j], cx2[j], cy2[j], carea[j]) == target {
                        ties[g].append(Int32(truncatingIfNeeded: start + j))
                    }
                }
                for j in 0..<count {
                    matches[start + j] = classify(best[j], groundTruth: Int(arg[j]),
                                                  high: highThreshold, low: lowThreshold)
                }
                if let bestIoU {
                    for j in 0..<count { bestIoU[start + j] = best[j] }
                }
            }
        }
        guard allowLowQualityMatches else { return }
        for g in 0..<m {
            for j in ties[g] {
                matches[Int(j)] = .foreground(groundTruthIndex: Int(bestIndex[Int(j)]))
            }
        }
    }
}
