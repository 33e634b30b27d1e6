// Legend: M ground-truth boxes, N candidates (anchors or proposals);
// IoU matrix [M, N] row-major, iou[g·N + j] = IoU(ground truth g, candidate j).

/// The matcher's verdict for one candidate (anchor or proposal).
///
/// Replaces torchvision's sentinels: `background` is its −1 (best IoU below the low threshold),
/// `ignored` its −2 (between the thresholds), and `foreground` carries the matched ground-truth
/// index (0-based) where torchvision stores a non-negative index.
public enum Match: Equatable, Hashable, Sendable {
    /// Matched to the ground-truth box at this index (0-based, into the image's ground truth).
    case foreground(groundTruthIndex: Int)
    /// Best IoU below the low (background) threshold, or the image has no ground truth.
    case background
    /// Best IoU in [low, high): neither a positive nor a negative; excluded from the loss.
    case ignored

    /// The matched ground-truth index, or `nil` for background and ignored candidates.
    public var groundTruthIndex: Int? {
        if case .foreground(let index) = self { return index }
        return nil
    }
}

extension Kernels {
    /// Matches candidates to ground truth from a precomputed IoU matrix.
    ///
    /// For candidate j, let `best` be its highest IoU over the ground truth and `g` the first
    /// ground truth reaching it. Then: `best ≥ high` → `.foreground(g)`; `best < low` →
    /// `.background`; otherwise `.ignored`. With `high == low` (the RoI head's 0.5/0.5) nothing
    /// is ignored. With `allowLowQualityMatches` (the RPN), every candidate whose IoU with some
    /// ground truth equals that ground truth's highest IoU (ties included) becomes
    /// `.foreground(g)` — note: `g` is the candidate's own best ground truth, not necessarily the
    /// one it ties for, as in torchvision. A ground truth that overlaps no candidate (highest IoU 0)
    /// gives no low-quality match: torchvision would restore every candidate with IoU 0 to it,
    /// making nearly every anchor foreground (mmdetection issue #8289); here it is left out of
    /// the low-quality step. No ground truth (M = 0): all `.background`.
    /// - Parameters:
    ///   - matches: [N] output.
    ///   - iou: [M, N] IoU matrix, values in [0, 1] (see `pairwiseIoU`).
    ///   - groundTruthCount: M.
    ///   - candidateCount: N.
    ///   - highThreshold: foreground IoU, in [0, 1] (0.7 RPN, 0.5 RoI head).
    ///   - lowThreshold: background IoU, in [0, high] (0.3 RPN, 0.5 RoI head).
    ///   - allowLowQualityMatches: keep each ground truth's best candidates as foreground.
    /// - Precondition: `low ≤ high`; buffers hold ≥ M·N and N elements; no NaN IoU.
    ///
    /// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497; torchvision's `Matcher`.
    public static func match(
        _ matches: UnsafeMutableBufferPointer<Match>,
        iou: UnsafeBufferPointer<Float>,
        groundTruthCount: Int,
        candidateCount: Int,
        highThreshold: Float,
        lowThreshold: Float,
        allowLowQualityMatches: Bool
    ) {
        let m = groundTruthCount, n = candidateCount
        precondition(m >= 0 && n >= 0, "match: negative size M=\(m) N=\(n)")
        precondition(lowThreshold <= highThreshold,
                     "match: low threshold \(lowThreshold) exceeds high threshold \(highThreshold)")
        precondition(iou.count >= m * n, "match: IoU matrix holds \(iou.count) < \(m)·\(n) elements")
        precondition(matches.count >= n, "match: output holds \(matches.count) < \(n) elements")
        if n == 0 { return }
        if m == 0 {
            for j in 0..<n { matches[j] = .background }
            return
        }
        let best = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        let bestIndex = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { best.deallocate(); bestIndex.deallocate() }
        // Row 0 seeds the maxima; later rows replace only on a strictly greater IoU, so ties
        // keep the lowest ground-truth index, as torch.max(dim=0) does.
        for j in 0..<n {
            precondition(!iou[j].isNaN, "match: IoU[0, \(j)] is NaN")
            best[j] = iou[j]
            bestIndex[j] = 0
        }
        for g in 1..<m {
            let row = g * n
            for j in 0..<n {
                let v = iou[row + j]
                precondition(!v.isNaN, "match: IoU[\(g), \(j)] is NaN")
                let better = v > best[j]
                best[j] = better ? v : best[j]
                bestIndex[j] = better ? Int32(truncatingIfNeeded: g) : bestIndex[j]
            }
        }
        for j in 0..<n {
            matches[j] = classify(best[j], groundTruth: Int(bestIndex[j]),
                                  high: highThreshold, low: lowThreshold)
        }
        guard allowLowQualityMatches else { return }
        for g in 0..<m {
            let row = UnsafeBufferPointer(rebasing: iou[(g * n)..<((g + 1) * n)])
            var highest = row[0]
            for j in 1..<n { highest = max(highest, row[j]) }
            // Overlapping nothing, it has no best candidate to keep (mmdetection #8289).
            guard highest > 0 else { continue }
            for j in 0..<n where row[j] == highest {
                matches[j] = .foreground(groundTruthIndex: Int(bestIndex[j]))
            }
        }
    }

    /// Applies the two thresholds to a candidate's best IoU.
    @inline(__always)
    static func classify(_ best: Float, groundTruth: Int, high: Float, low: Float) -> Match {
        if best < low { return .background }
        if best < high { return .ignored }
        return .foreground(groundTruthIndex: groundTruth)
    }
}
